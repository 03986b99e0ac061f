//! Training end to end on generated, separable data: CPU always, native wgpu when an adapter
//! (e.g. lavapipe) exists. Also the model file round trip.

#![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

use afina_dataset::Example;
use afina_trainer::{
    Control, Epochs, ModelFileError, Observer, Progress, TrainConfig, TrainError, TrainedModel,
    train,
};
use burn::tensor::Device;

/// Three classes, each with its own words, mixed with shared filler words.
fn separable_examples(rows_per_class: usize) -> Vec<Example> {
    let vocabularies = [
        (
            "positivo",
            ["delicioso", "excelente", "amable", "rápido", "genial"],
        ),
        ("negativo", ["horrible", "frío", "lento", "sucio", "caro"]),
        (
            "neutral",
            ["normal", "correcto", "regular", "aceptable", "estándar"],
        ),
    ];
    let filler = ["el", "servicio", "la", "comida", "fue", "muy", "y", "local"];
    let mut state: u64 = 7;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut examples = Vec::new();
    for row in 0..rows_per_class {
        for (label, words) in &vocabularies {
            let mut text = Vec::new();
            for _ in 0..(3 + next(4)) {
                text.push(filler[next(filler.len())]);
            }
            text.insert(next(text.len()), words[next(words.len())]);
            if row % 2 == 0 {
                text.push(words[next(words.len())]);
            }
            examples.push(Example {
                text: text.join(" "),
                label: (*label).to_string(),
            });
        }
    }
    examples
}

/// Records progress; can stop the run after a given number of epochs.
#[derive(Default)]
struct Recorder {
    events: Vec<Progress>,
    stop_after_epochs: Option<usize>,
}

impl Observer for Recorder {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        self.events.push(progress.clone());
        let epochs = self
            .events
            .iter()
            .filter(|event| matches!(event, Progress::Epoch(_)))
            .count();
        match self.stop_after_epochs {
            Some(limit) if epochs >= limit => Control::Stop,
            _ => Control::Continue,
        }
    }

    async fn pause(&mut self) {}
}

fn learns_separable_data(device: &Device) -> TrainedModel {
    let examples = separable_examples(100);
    let config = TrainConfig {
        epochs: Epochs::Fixed(8),
        ..TrainConfig::default()
    };
    let mut recorder = Recorder::default();
    let outcome = pollster::block_on(train(
        examples.as_slice().into(),
        &config,
        device,
        &mut recorder,
    ))
    .expect("training runs");
    println!(
        "validation accuracy {:.3} after {} epochs (best {})",
        outcome.validation.accuracy,
        outcome.history.len(),
        outcome.best_epoch
    );
    assert!(
        outcome.validation.accuracy >= 0.95,
        "validation accuracy {} < 0.95",
        outcome.validation.accuracy
    );
    assert!(matches!(
        recorder.events.first(),
        Some(Progress::Started { .. })
    ));
    let first = outcome.history.first().expect("an epoch");
    let last = outcome.history.last().expect("an epoch");
    assert!(last.train_loss < first.train_loss, "the loss must fall");
    assert!(outcome.validation.majority_baseline < 0.4);
    outcome.model
}

#[test]
fn cpu_learns_separable_data_and_round_trips() {
    let device = Device::flex();
    let model = learns_separable_data(&device);
    let texts = [
        "el servicio fue excelente",
        "comida fría y cara",
        "todo normal",
    ];
    let before = pollster::block_on(model.predict(&texts)).expect("predicts");
    assert_eq!(before[0].top().map(|s| s.label.as_str()), Some("positivo"));
    assert_eq!(before[1].top().map(|s| s.label.as_str()), Some("negativo"));

    let bytes = pollster::block_on(model.to_bytes()).expect("saves");
    let loaded = TrainedModel::from_bytes(&bytes, &device).expect("loads");
    let after = pollster::block_on(loaded.predict(&texts)).expect("predicts");
    assert_eq!(
        before, after,
        "a loaded model predicts exactly as the saved one"
    );
    assert_eq!(loaded.labels(), model.labels());
    assert_eq!(loaded.metrics(), model.metrics());
}

#[test]
fn model_file_errors_are_clear() {
    let device = Device::flex();
    let not_model = TrainedModel::from_bytes(b"hello world, not a model", &device);
    assert!(matches!(
        not_model,
        Err(TrainError::ModelFile(ModelFileError::NotAModel))
    ));
    let mut newer = b"AFINAMDL".to_vec();
    newer.extend_from_slice(&99u32.to_le_bytes());
    newer.extend_from_slice(&[0; 8]);
    let error = TrainedModel::from_bytes(&newer, &device).expect_err("newer version");
    assert!(error.to_string().contains("version 99"), "{error}");
    let mut truncated = b"AFINAMDL".to_vec();
    truncated.extend_from_slice(&1u32.to_le_bytes());
    truncated.extend_from_slice(&100u32.to_le_bytes());
    assert!(matches!(
        TrainedModel::from_bytes(&truncated, &device),
        Err(TrainError::ModelFile(ModelFileError::Damaged(_)))
    ));
}

#[test]
fn stop_request_keeps_the_best_finished_epoch() {
    let examples = separable_examples(30);
    let config = TrainConfig {
        epochs: Epochs::Fixed(6),
        ..TrainConfig::default()
    };
    let mut recorder = Recorder {
        stop_after_epochs: Some(2),
        ..Recorder::default()
    };
    let outcome = pollster::block_on(train(
        examples.as_slice().into(),
        &config,
        &Device::flex(),
        &mut recorder,
    ))
    .expect("training runs");
    assert!(outcome.stopped_by_user);
    assert_eq!(outcome.history.len(), 2);
}

#[test]
fn same_seed_gives_identical_cpu_runs() {
    let examples = separable_examples(20);
    let config = TrainConfig {
        epochs: Epochs::Fixed(2),
        ..TrainConfig::default()
    };
    let run = || {
        let mut recorder = Recorder::default();
        pollster::block_on(train(
            examples.as_slice().into(),
            &config,
            &Device::flex(),
            &mut recorder,
        ))
        .expect("training runs")
        .history
    };
    assert_eq!(run(), run());
}

#[test]
fn wgpu_learns_separable_data_when_an_adapter_exists() {
    match Device::wgpu_options().init() {
        Ok(device) => {
            println!("wgpu adapter found: training on it");
            learns_separable_data(&device);
        }
        Err(error) => {
            println!("SKIPPED wgpu training test: no wgpu adapter on this machine ({error})");
        }
    }
}
