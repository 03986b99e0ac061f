//! The async training loop: split, featurize, AdamW steps, per-epoch evaluation, early stopping.
//!
//! burn-train's `Learner` does not build for wasm, so the loop is written here. Every read
//! from the device is `into_data_async`, which WebGPU requires.

use std::collections::BTreeSet;

use afina_dataset::{Example, stratified_split};
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::batch::{FeatureBatch, targets as target_tensor};
use crate::error::TrainError;
use crate::featurize::{Featurizer, FeaturizerConfig};
use crate::hash::Fnv1a;
use crate::metrics::Metrics;
use crate::model::{ClassifierConfig, loss_function};
use crate::predict::{TrainedModel, probabilities};
use crate::progress::{Control, EpochReport, Observer, Progress};
use crate::readback::read_floats;

/// Every setting of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// How texts become features.
    pub featurizer: FeaturizerConfig,
    /// Size of each feature's embedding vector.
    pub embedding_dim: usize,
    /// Width of an optional hidden layer.
    pub hidden: Option<usize>,
    /// Most epochs to run.
    pub epochs: usize,
    /// Rows per optimisation step.
    pub batch_size: usize,
    /// Peak learning rate of AdamW (after warm-up, before linear decay).
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f32,
    /// Share of each class held out for validation.
    pub validation_fraction: f32,
    /// Seed of the split, the initialisation and the batch order.
    pub seed: u64,
    /// Weight the loss so every class counts as much as the others.
    pub balance_classes: bool,
    /// Stop when the validation loss has not improved for this many epochs.
    pub patience: Option<usize>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            featurizer: FeaturizerConfig::default(),
            embedding_dim: 32,
            hidden: None,
            epochs: 10,
            batch_size: 32,
            learning_rate: 0.02,
            weight_decay: 1e-4,
            validation_fraction: 0.2,
            seed: 42,
            balance_classes: false,
            patience: Some(3),
        }
    }
}

/// The result of a training run.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The model of the best epoch (lowest validation loss).
    pub model: TrainedModel,
    /// One report per finished epoch.
    pub history: Vec<EpochReport>,
    /// 1-based epoch whose weights were kept.
    pub best_epoch: usize,
    /// Metrics of the kept model on the validation split.
    pub validation: Metrics,
    /// Rows in the training split.
    pub train_rows: usize,
    /// True when the user stopped the run before its planned end.
    pub stopped_by_user: bool,
    /// True when early stopping ended the run.
    pub stopped_early: bool,
}

/// Trains a classifier on `examples` with `device` (WebGPU, Vulkan or CPU).
///
/// # Errors
/// Fails when there is nothing to learn (no rows, a single label), a setting is out of range,
/// the device fails, or the observer stops the run before the first epoch is evaluated.
pub async fn train(
    examples: &[Example],
    config: &TrainConfig,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    check_settings(config)?;
    let labels = label_set(examples)?;
    let classes: Vec<usize> = examples
        .iter()
        .map(|example| labels.binary_search(&example.label).unwrap_or(0))
        .collect();
    let label_names: Vec<&str> = examples
        .iter()
        .map(|example| example.label.as_str())
        .collect();
    let split = stratified_split(&label_names, config.validation_fraction, config.seed);
    if split.validation.is_empty() || split.train.is_empty() {
        return Err(TrainError::InvalidSetting {
            name: "validation_fraction",
            reason: "the split left no rows for training or for validation; add rows or change the share".into(),
        });
    }
    let featurizer = Featurizer::new(config.featurizer.clone());
    let features: Vec<Vec<u32>> = examples
        .iter()
        .map(|example| featurizer.features(&example.text))
        .collect();
    let validation_features: Vec<&[u32]> = split
        .validation
        .iter()
        .filter_map(|index| features.get(*index).map(Vec::as_slice))
        .collect();
    let validation_classes: Vec<usize> = split
        .validation
        .iter()
        .filter_map(|index| classes.get(*index).copied())
        .collect();

    let autodiff_device = device.clone().autodiff();
    let classifier_config = ClassifierConfig {
        buckets: config.featurizer.buckets as usize,
        embedding_dim: config.embedding_dim,
        hidden: config.hidden,
        classes: labels.len(),
    };
    let mut model = classifier_config.init(&autodiff_device, config.seed);
    let mut optimizer = AdamWConfig::new()
        .with_weight_decay(config.weight_decay)
        .init();
    let loss = loss_function(
        config
            .balance_classes
            .then(|| class_weights(&split.train, &classes, labels.len())),
        &autodiff_device,
    );

    let steps_per_epoch = split.train.len().div_ceil(config.batch_size);
    let steps_total = steps_per_epoch * config.epochs;
    let mut control = observer.on_progress(&Progress::Started {
        train_rows: split.train.len(),
        validation_rows: split.validation.len(),
        epochs: config.epochs,
        steps_per_epoch,
    });
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut order = split.train.clone();
    let mut history = Vec::new();
    let mut best: Option<(usize, f32, crate::model::Classifier)> = None;
    let mut steps_done = 0;
    let mut stopped_early = false;

    'epochs: for epoch in 1..=config.epochs {
        if control == Control::Stop {
            break;
        }
        order.shuffle(&mut rng);
        let mut loss_sum: Option<Tensor<1>> = None;
        let mut correct_sum: Option<Tensor<1, Int>> = None;
        let mut rows_seen = 0;
        for (step_index, chunk) in order.chunks(config.batch_size).enumerate() {
            let rows: Vec<&[u32]> = chunk
                .iter()
                .filter_map(|index| features.get(*index).map(Vec::as_slice))
                .collect();
            let batch_classes: Vec<usize> = chunk
                .iter()
                .filter_map(|index| classes.get(*index).copied())
                .collect();
            let batch = FeatureBatch::new(&rows, &autodiff_device);
            let targets = target_tensor(&batch_classes, &autodiff_device);
            let logits = model.forward(&batch);
            let correct = logits
                .clone()
                .argmax(1)
                .reshape([batch_classes.len()])
                .equal(targets.clone())
                .int()
                .sum();
            let batch_loss = loss.forward(logits, targets);
            let weighted = batch_loss.clone().detach() * batch_classes.len() as f32;
            loss_sum = Some(match loss_sum {
                Some(sum) => sum + weighted,
                None => weighted,
            });
            correct_sum = Some(match correct_sum {
                Some(sum) => sum + correct,
                None => correct,
            });
            rows_seen += batch_classes.len();

            let gradients = GradientsParams::from_grads(batch_loss.backward(), &model);
            let rate = learning_rate(config.learning_rate, steps_done, steps_total);
            model = optimizer.step(rate, model, gradients);
            steps_done += 1;

            control = observer.on_progress(&Progress::Step {
                epoch,
                step: step_index + 1,
                steps_done,
                steps_total,
            });
            observer.pause().await;
            if control == Control::Stop {
                // A partial epoch is not evaluated: the best full epoch is kept.
                break 'epochs;
            }
        }

        let train_loss = read_scalar(loss_sum).await? / rows_seen.max(1) as f32;
        let train_correct = read_int_scalar(correct_sum).await?;
        let evaluated = model.valid();
        let probabilities =
            probabilities(&evaluated, &validation_features, config.batch_size, device).await?;
        let (validation_loss, predicted) =
            loss_and_predictions(&probabilities, &validation_classes);
        let validation_accuracy =
            Metrics::compute(&labels, &validation_classes, &predicted).accuracy;
        let report = EpochReport {
            epoch,
            train_loss,
            train_accuracy: train_correct as f32 / rows_seen.max(1) as f32,
            validation_loss,
            validation_accuracy,
        };
        control = observer.on_progress(&Progress::Epoch(report.clone()));
        history.push(report);

        let improved = best
            .as_ref()
            .is_none_or(|(_, best_loss, _)| validation_loss < *best_loss);
        if improved {
            best = Some((epoch, validation_loss, evaluated));
        } else if let (Some(patience), Some((best_epoch, _, _))) = (config.patience, &best)
            && epoch - best_epoch >= patience
        {
            stopped_early = true;
            break;
        }
    }

    let Some((best_epoch, _, classifier)) = best else {
        return Err(TrainError::Cancelled);
    };
    let probabilities =
        probabilities(&classifier, &validation_features, config.batch_size, device).await?;
    let (_, predicted) = loss_and_predictions(&probabilities, &validation_classes);
    let validation = Metrics::compute(&labels, &validation_classes, &predicted);
    let model = TrainedModel::new(
        featurizer,
        classifier_config,
        classifier,
        labels,
        Some(validation.clone()),
        fingerprint(examples),
        device.clone(),
    );
    Ok(TrainOutcome {
        model,
        best_epoch,
        validation,
        train_rows: split.train.len(),
        stopped_by_user: control == Control::Stop
            && history.len() < config.epochs
            && !stopped_early,
        stopped_early,
        history,
    })
}

fn check_settings(config: &TrainConfig) -> Result<(), TrainError> {
    let invalid = |name, reason: &str| {
        Err(TrainError::InvalidSetting {
            name,
            reason: reason.to_string(),
        })
    };
    if config.epochs == 0 {
        return invalid("epochs", "must be at least 1");
    }
    if config.batch_size == 0 {
        return invalid("batch_size", "must be at least 1");
    }
    if config.embedding_dim == 0 {
        return invalid("embedding_dim", "must be at least 1");
    }
    if config.featurizer.buckets < 2 {
        return invalid("buckets", "must be at least 2");
    }
    if !(0.0..0.9).contains(&config.validation_fraction) || config.validation_fraction == 0.0 {
        return invalid("validation_fraction", "must be above 0 and below 0.9");
    }
    if !(config.learning_rate > 0.0 && config.learning_rate.is_finite()) {
        return invalid("learning_rate", "must be a positive number");
    }
    Ok(())
}

/// The sorted distinct labels; at least two are needed.
fn label_set(examples: &[Example]) -> Result<Vec<String>, TrainError> {
    let labels: Vec<String> = examples
        .iter()
        .map(|example| example.label.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    match labels.as_slice() {
        [] => Err(TrainError::NoExamples),
        [only] => Err(TrainError::SingleLabel {
            label: only.clone(),
        }),
        _ => Ok(labels),
    }
}

/// Inverse-frequency weights over the training split, normalised so a balanced set gets 1.
fn class_weights(train: &[usize], classes: &[usize], class_count: usize) -> Vec<f32> {
    let mut counts = vec![0usize; class_count];
    for index in train {
        if let Some(count) = classes.get(*index).and_then(|class| counts.get_mut(*class)) {
            *count += 1;
        }
    }
    counts
        .iter()
        .map(|count| train.len() as f32 / (class_count as f32 * (*count).max(1) as f32))
        .collect()
}

/// Linear warm-up over the first 5 % of steps, then linear decay to 5 % of the peak.
fn learning_rate(peak: f64, step: usize, total: usize) -> f64 {
    let warmup = (total / 20).max(1) as f64;
    let step = step as f64;
    let rise = ((step + 1.0) / warmup).min(1.0);
    let decay = (1.0 - step / total.max(1) as f64).max(0.05);
    peak * rise * decay
}

/// Mean negative log-likelihood and the arg-max class of each row.
fn loss_and_predictions(probabilities: &[Vec<f32>], truth: &[usize]) -> (f32, Vec<usize>) {
    let mut loss = 0.0;
    let mut predicted = Vec::with_capacity(probabilities.len());
    for (row, class) in probabilities.iter().zip(truth) {
        let probability = row.get(*class).copied().unwrap_or(0.0).max(1e-7);
        loss -= probability.ln();
        predicted.push(crate::predict::arg_max(row));
    }
    (loss / truth.len().max(1) as f32, predicted)
}

async fn read_scalar(tensor: Option<Tensor<1>>) -> Result<f32, TrainError> {
    let Some(tensor) = tensor else {
        return Ok(0.0);
    };
    Ok(read_floats(tensor).await?.first().copied().unwrap_or(0.0))
}

async fn read_int_scalar(tensor: Option<Tensor<1, Int>>) -> Result<i64, TrainError> {
    let Some(tensor) = tensor else {
        return Ok(0);
    };
    let data = tensor
        .into_data_async()
        .await
        .map_err(TrainError::device)?
        .convert::<i64>();
    let values = data.try_into_vec::<i64>().map_err(TrainError::device)?;
    Ok(values.first().copied().unwrap_or(0))
}

/// A short, stable fingerprint of the training rows (texts and labels, in order).
pub(crate) fn fingerprint(examples: &[Example]) -> String {
    let mut hasher = Fnv1a::new();
    for example in examples {
        hasher.write(example.text.as_bytes());
        hasher.write(&[0x1f]);
        hasher.write(example.label.as_bytes());
        hasher.write(&[0x1e]);
    }
    format!("fnv1a64:{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_rate_warms_up_then_decays() {
        let first = learning_rate(1.0, 0, 100);
        let peak = learning_rate(1.0, 5, 100);
        let late = learning_rate(1.0, 99, 100);
        assert!(first < peak);
        assert!(late < peak);
        assert!(late >= 0.05 - 1e-9);
    }

    #[test]
    fn class_weights_favour_the_minority() {
        let weights = class_weights(&[0, 1, 2, 3], &[0, 0, 0, 1], 2);
        assert!(weights[1] > weights[0]);
        assert!((weights[0] - 4.0 / 6.0).abs() < 1e-6);
        assert!((weights[1] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn single_label_is_refused() {
        let examples = vec![Example {
            text: "hola".into(),
            label: "a".into(),
        }];
        assert!(matches!(
            label_set(&examples),
            Err(TrainError::SingleLabel { .. })
        ));
        assert!(matches!(label_set(&[]), Err(TrainError::NoExamples)));
    }
}
