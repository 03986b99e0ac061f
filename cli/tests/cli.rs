//! The `afina` binary's contract: exit codes, the `--json` report, train → predict.
#![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn afina(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afina"))
        .args(args)
        .output()
        .expect("the afina binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afina-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir.join(name)
}

#[test]
fn validate_json_locates_the_broken_row_and_exits_1() {
    let output = afina(&["validate", &fixture("reviews_with_error.csv"), "--json"]);
    assert_eq!(output.status.code(), Some(1), "errors → exit code 1");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    let errors = report["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 62);
    assert_eq!(errors[0]["code"], "missing_label");
    assert!(
        errors[0]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("62"))
    );
    assert_eq!(report["stats"]["rows"], 120);
    assert_eq!(report["stats"]["encoding"], "UTF-8");
    assert_eq!(report["stats"]["labels"]["positivo"], 60);
    assert_eq!(report["stats"]["labels"]["negativo"], 60);
    assert!(report["warnings"].is_array());
}

#[test]
fn validate_clean_file_exits_0_and_prints_a_summary() {
    let path = scratch("clean.csv");
    std::fs::write(
        &path,
        "texto;etiqueta\nmuy rico;positivo\nmuy malo;negativo\n",
    )
    .expect("write");
    let output = afina(&["validate", &path.display().to_string()]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("2 valid rows"), "{text}");
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let output = afina(&["validate", "/no/such/file.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/file.csv"));
    assert_eq!(afina(&["validate"]).status.code(), Some(2));
}

#[test]
fn train_then_predict() {
    let model = scratch("reviews.afina");
    let model_path = model.display().to_string();
    let output = afina(&[
        "train",
        &fixture("reviews_with_error.csv"),
        "--out",
        &model_path,
        "--epochs",
        "12",
    ]);
    assert!(
        output.status.success(),
        "train failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("validation accuracy"));
    let output = afina(&[
        "predict",
        &model_path,
        "Excelente, delicioso y el camarero muy amable, lo recomiendo",
        "Horrible, la sopa fría y el local sucio, nunca vuelvo",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("positivo\t"), "{text}");
    assert!(lines[1].starts_with("negativo\t"), "{text}");
    assert!(lines[0].contains(" %"), "{text}");

    let not_a_model = scratch("not-a-model.afina");
    std::fs::write(&not_a_model, b"hello").expect("write");
    let output = afina(&["predict", &not_a_model.display().to_string(), "hola"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an Afina model file"));
}
