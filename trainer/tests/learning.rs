//! Training end to end on generated, separable data: CPU always, native wgpu when an adapter
//! (e.g. lavapipe) exists. Also the model file round trip.

#![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

use afina_dataset::Example;
use afina_trainer::{
    Control, Epochs, Language, MODEL_FORMAT_VERSION, ModelFileError, Observer, Progress,
    TrainConfig, TrainData, TrainError, TrainedModel, train,
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
    assert_eq!(loaded.temperature(), model.temperature());
    assert_eq!(loaded.provenance(), model.provenance());
    // The card can be written from the loaded file alone.
    let card = loaded
        .model_card("reseñas", "2026-11-22", Language::Es)
        .expect("a card");
    assert!(card.contains("Límites conocidos"), "{card}");
    assert!(card.contains("positivo"));
}

#[test]
fn older_format_versions_are_read_and_a_missing_table_is_damage() {
    let device = Device::flex();
    let examples = separable_examples(20);
    let config = TrainConfig {
        epochs: Epochs::Fixed(2),
        ..TrainConfig::default()
    };
    let outcome = pollster::block_on(train(
        examples.as_slice().into(),
        &config,
        &device,
        &mut Recorder::default(),
    ))
    .expect("training runs");
    let bytes = pollster::block_on(outcome.model.to_bytes()).expect("saves");
    // A file cut inside the weights is damaged, with a message that says so.
    let cut = &bytes[..bytes.len() - 10];
    let error = TrainedModel::from_bytes(cut, &device).expect_err("damaged");
    assert!(error.to_string().contains("damaged"), "{error}");
    // A header declaring an absurd table is refused before anything is allocated.
    let header_length = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    let header = std::str::from_utf8(&bytes[16..16 + header_length]).expect("JSON header");
    let buckets = format!("\"buckets\":{}", 1u32 << 19);
    assert!(header.contains(&buckets), "{header}");
    let huge = header.replacen(&buckets, "\"buckets\":4000000000", 2);
    let mut forged = bytes[..12].to_vec();
    forged.extend_from_slice(&u32::try_from(huge.len()).expect("length").to_le_bytes());
    forged.extend_from_slice(huge.as_bytes());
    forged.extend_from_slice(&bytes[16 + header_length..]);
    let error = TrainedModel::from_bytes(&forged, &device).expect_err("implausible");
    assert!(error.to_string().contains("implausible"), "{error}");
    // A version-2 file (before models on a pretrained encoder) has the same layout for an
    // n-gram model: it is read and predicts the same.
    let mut older = bytes.clone();
    older[8..12].copy_from_slice(&2u32.to_le_bytes());
    let texts = ["muy bueno", "muy malo"];
    assert_eq!(
        pollster::block_on(
            TrainedModel::from_bytes(&older, &device)
                .expect("version 2 loads")
                .predict(&texts)
        )
        .expect("predicts"),
        pollster::block_on(outcome.model.predict(&texts)).expect("predicts")
    );
    // The version number is checked before anything else.
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(MODEL_FORMAT_VERSION + 1).to_le_bytes());
    let error = TrainedModel::from_bytes(&newer, &device).expect_err("newer");
    assert!(
        error.to_string().contains("update Afina"),
        "the error says what to do: {error}"
    );
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

/// Two classes whose words overlap: `noise` of the rows get the other class's label, so the
/// model can only memorise them and the validation loss rises after a while.
fn noisy_examples(rows: usize, noise_every: usize) -> Vec<Example> {
    let mut examples = separable_examples(rows / 3 + 1);
    examples.truncate(rows);
    for (index, example) in examples.iter_mut().enumerate() {
        if index % noise_every == 0 {
            example.label = if example.label == "positivo" {
                "negativo".into()
            } else {
                "positivo".into()
            };
        }
    }
    examples
}

#[test]
fn early_stopping_restores_the_epoch_with_the_lowest_calibrated_validation_loss() {
    let examples = noisy_examples(240, 4);
    let config = TrainConfig {
        epochs: Epochs::Fixed(30),
        patience: Some(2),
        ..TrainConfig::default()
    };
    let outcome = pollster::block_on(train(
        examples.as_slice().into(),
        &config,
        &Device::flex(),
        &mut Recorder::default(),
    ))
    .expect("training runs");
    assert!(
        outcome.stopped_early,
        "30 epochs on noisy data must stop early"
    );
    assert!(outcome.history.len() < 30);
    let best = outcome
        .history
        .iter()
        .min_by(|a, b| {
            a.calibrated_validation_loss
                .total_cmp(&b.calibrated_validation_loss)
        })
        .expect("epochs");
    assert_eq!(outcome.best_epoch, best.epoch);
    assert_eq!(outcome.history.len(), outcome.best_epoch + 2, "patience 2");
    // The kept model is the best epoch's, not the last one's.
    assert!(
        (outcome.validation.accuracy - best.validation_accuracy).abs() < 1e-6,
        "kept {} vs best epoch {}",
        outcome.validation.accuracy,
        best.validation_accuracy
    );
}

/// 90 % "comun", 10 % "raro"; the rare class's marker word also appears in a third of the
/// common rows, so without weights the model leans to the common class.
fn imbalanced_examples(rows: usize, seed: u64) -> Vec<Example> {
    let mut state = seed.max(1);
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let filler = [
        "el", "pedido", "llegó", "ayer", "con", "la", "caja", "y", "todo",
    ];
    (0..rows)
        .map(|index| {
            let rare = index % 10 == 0;
            let mut words: Vec<&str> = (0..5)
                .map(|_| filler[next(filler.len() as u64) as usize])
                .collect();
            // Two thirds of the rare rows and one third of the common rows carry the marker.
            let marked = if rare { next(3) > 0 } else { next(3) == 0 };
            if marked {
                words.push("tarde");
            }
            Example {
                text: words.join(" "),
                label: if rare { "raro" } else { "comun" }.into(),
            }
        })
        .collect()
}

#[test]
fn class_weights_raise_the_recall_of_the_rare_class() {
    let train_rows = imbalanced_examples(600, 3);
    let test_rows = imbalanced_examples(400, 11);
    let run = |balance_classes: bool| {
        let config = TrainConfig {
            epochs: Epochs::Fixed(6),
            balance_classes,
            patience: None,
            ..TrainConfig::adamw()
        };
        let data = TrainData {
            examples: &train_rows,
            validation: Some(&test_rows),
            source: "pedidos.csv",
        };
        let outcome = pollster::block_on(train(
            data,
            &config,
            &Device::flex(),
            &mut Recorder::default(),
        ))
        .expect("training runs");
        let rare = outcome
            .validation
            .per_class
            .iter()
            .find(|class| class.label == "raro")
            .expect("the rare class")
            .recall;
        (rare, outcome.validation_rows)
    };
    let (plain, rows) = run(false);
    let (balanced, _) = run(true);
    assert_eq!(rows, 400, "the validation file is used whole");
    println!("rare-class recall: plain {plain:.3}, balanced {balanced:.3}");
    assert!(
        balanced > plain + 0.2,
        "balanced {balanced} should beat plain {plain} clearly"
    );
}

#[test]
fn validation_labels_the_training_rows_lack_are_refused() {
    let train_rows = separable_examples(10);
    let validation = vec![Example {
        text: "algo".into(),
        label: "otro".into(),
    }];
    let data = TrainData {
        examples: &train_rows,
        validation: Some(&validation),
        source: "",
    };
    let error = pollster::block_on(train(
        data,
        &TrainConfig::default(),
        &Device::flex(),
        &mut Recorder::default(),
    ))
    .expect_err("refused");
    assert!(matches!(error, TrainError::UnknownValidationLabels { .. }));
    assert!(error.to_string().contains("otro"), "{error}");
}

/// An observer with a clock, to check the step reports.
#[derive(Default)]
struct Clocked {
    steps: Vec<(Option<f32>, Option<f32>, Option<f64>)>,
    ticks: f64,
}

impl Observer for Clocked {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        if let Progress::Step {
            loss,
            accuracy,
            eta_seconds,
            ..
        } = progress
        {
            self.steps.push((*loss, *accuracy, *eta_seconds));
        }
        Control::Continue
    }

    async fn pause(&mut self) {}

    fn elapsed_seconds(&mut self) -> Option<f64> {
        self.ticks += 1.0;
        Some(self.ticks)
    }
}

#[test]
fn progress_reports_loss_accuracy_and_eta_and_calibration_is_fitted() {
    let examples = separable_examples(60);
    let config = TrainConfig {
        epochs: Epochs::Fixed(3),
        ..TrainConfig::default()
    };
    let mut observer = Clocked::default();
    let outcome = pollster::block_on(train(
        examples.as_slice().into(),
        &config,
        &Device::flex(),
        &mut observer,
    ))
    .expect("training runs");
    let reported: Vec<_> = observer
        .steps
        .iter()
        .filter(|(loss, _, _)| loss.is_some())
        .collect();
    assert!(reported.len() >= 3, "a loss every few steps");
    assert!(
        reported
            .iter()
            .all(|(loss, accuracy, _)| loss.is_some_and(f32::is_finite)
                && accuracy.is_some_and(|value| (0.0..=1.0).contains(&value)))
    );
    let last_eta = observer.steps.last().and_then(|step| step.2);
    assert_eq!(last_eta, Some(0.0), "nothing is left after the last step");
    assert!(
        observer
            .steps
            .first()
            .and_then(|step| step.2)
            .is_some_and(|eta| eta > 0.0)
    );
    assert!(outcome.calibration.temperature > 0.0);
    assert_eq!(outcome.model.temperature(), outcome.calibration.temperature);
    assert_eq!(outcome.planned_epochs, 3);
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
