//! The async training loop: split, featurize, AdamW steps, per-epoch evaluation, early stopping.
//!
//! burn-train's `Learner` does not build for wasm, so the loop is written here. Every read
//! from the device is `into_data_async`, which WebGPU requires.

use std::collections::BTreeSet;

use afina_dataset::{Example, stratified_split};
use burn::module::{Module, Param};
use burn::nn::Embedding;
use burn::optim::{AdamWConfig, GradientsParams, SgdConfig};
use burn::tensor::{Device, Int, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::batch::{inverse_document_frequency, targets as target_tensor};
use crate::calibration::{Calibration, fit_temperature, softmax_with_temperature};
use crate::card::{DataSummary, language_mix};
use crate::config::{Epochs, OptimizerKind, TrainConfig};
use crate::error::TrainError;
use crate::featurize::Featurizer;
use crate::hash::Fnv1a;
use crate::metrics::Metrics;
use crate::metrics::{Misclassified, misclassified};
use crate::model::{Classifier, ClassifierConfig, bag, loss_function};
use crate::predict::{TrainedModel, logits};
use crate::progress::{Control, EpochReport, Observer, Progress};
use crate::provenance::{KEPT_MISCLASSIFIED, Provenance};
use crate::readback::read_floats;
use crate::sparse::{Reindexer, TableOptimizer};

/// The result of a training run.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The model of the best epoch (lowest validation loss).
    pub model: TrainedModel,
    /// One report per finished epoch.
    pub history: Vec<EpochReport>,
    /// 1-based epoch whose weights were kept.
    pub best_epoch: usize,
    /// Epochs planned (after resolving "auto").
    pub planned_epochs: usize,
    /// Metrics of the kept model on the validation rows.
    pub validation: Metrics,
    /// Rows in the training split.
    pub train_rows: usize,
    /// Rows in the validation split (or file).
    pub validation_rows: usize,
    /// Class index of each validation row, in label order.
    pub validation_classes: Vec<usize>,
    /// Class logits of the kept model for each validation row.
    pub validation_logits: Vec<Vec<f32>>,
    /// Temperature scaling fitted on the validation rows (already applied to the model).
    pub calibration: Calibration,
    /// The most confidently wrong validation rows (up to 50), with calibrated confidence.
    pub misclassified: Vec<Misclassified>,
    /// True when the user stopped the run before its planned end.
    pub stopped_by_user: bool,
    /// True when early stopping ended the run.
    pub stopped_early: bool,
}

/// Wrong validation answers listed in [`TrainOutcome::misclassified`].
const MISCLASSIFIED_KEPT: usize = 50;

/// Rows to train on, and optionally the rows to validate on.
#[derive(Debug, Clone, Copy)]
pub struct TrainData<'a> {
    /// Labelled training rows.
    pub examples: &'a [Example],
    /// Validation rows from a separate file; when `None`, a stratified share of `examples` is
    /// held out ([`TrainConfig::validation_fraction`]).
    pub validation: Option<&'a [Example]>,
    /// Name of the file the rows came from, for the model card (may be empty).
    pub source: &'a str,
}

impl<'a> From<&'a [Example]> for TrainData<'a> {
    fn from(examples: &'a [Example]) -> Self {
        Self {
            examples,
            validation: None,
            source: "",
        }
    }
}

/// Rows of validation, already featurized.
struct Held<'a> {
    texts: Vec<&'a str>,
    features: Vec<Vec<u32>>,
    classes: Vec<usize>,
}

/// Trains a classifier on `data` with `device` (WebGPU, Vulkan or CPU).
///
/// # Errors
/// Fails when there is nothing to learn (no rows, a single label), the validation rows carry
/// labels the training rows lack, a setting is out of range, the device fails, or the observer
/// stops the run before the first epoch is evaluated.
pub async fn train(
    data: TrainData<'_>,
    config: &TrainConfig,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    check_settings(config)?;
    let examples = data.examples;
    let labels = label_set(examples)?;
    let classes: Vec<usize> = examples
        .iter()
        .map(|example| labels.binary_search(&example.label).unwrap_or(0))
        .collect();
    let featurizer = Featurizer::new(config.featurizer.clone());
    let features: Vec<Vec<u32>> = examples
        .iter()
        .map(|example| featurizer.features(&example.text))
        .collect();
    let (train_rows, held) = hold_out(&data, config, &featurizer, &labels, &features, &classes)?;
    let validation_features: Vec<&[u32]> = held.features.iter().map(Vec::as_slice).collect();
    let validation_classes = held.classes;

    let autodiff_device = device.clone().autodiff();
    let classifier_config = ClassifierConfig {
        buckets: config.featurizer.buckets as usize,
        embedding_dim: config.embedding_dim,
        hidden: config.hidden,
        classes: labels.len(),
    };
    let shape = [classifier_config.buckets, classifier_config.embedding_dim];
    let mut table: Tensor<2> = Tensor::zeros(shape, device);
    let mut head = classifier_config.init_head(&autodiff_device, config.seed);
    let mut head_optimizer = match config.optimizer {
        OptimizerKind::AdamW => AdamWConfig::new()
            .with_weight_decay(config.weight_decay)
            .init(),
        OptimizerKind::Sgd => SgdConfig::new().init(),
    };
    let mut table_optimizer = TableOptimizer::new(
        config.optimizer,
        shape,
        f64::from(config.weight_decay),
        device,
    );
    let mut reindexer = Reindexer::new(classifier_config.buckets);
    let idf = config.idf_weighting.then(|| {
        let rows: Vec<&[u32]> = train_rows
            .iter()
            .filter_map(|index| features.get(*index).map(Vec::as_slice))
            .collect();
        inverse_document_frequency(&rows, classifier_config.buckets)
    });
    let loss = loss_function(
        config
            .balance_classes
            .then(|| class_weights(&train_rows, &classes, labels.len())),
        &autodiff_device,
    );

    let epochs = config.epochs.resolve(train_rows.len());
    let steps_per_epoch = train_rows.len().div_ceil(config.batch_size);
    let steps_total = steps_per_epoch * epochs;
    let report_every = (steps_per_epoch / 20).max(1);
    let mut control = observer.on_progress(&Progress::Started {
        train_rows: train_rows.len(),
        validation_rows: validation_classes.len(),
        epochs,
        steps_per_epoch,
    });
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut order = train_rows.clone();
    let mut history = Vec::new();
    let mut best: Option<BestEpoch> = None;
    let mut steps_done = 0;
    let mut stopped_early = false;

    'epochs: for epoch in 1..=epochs {
        if control == Control::Stop {
            break;
        }
        order.shuffle(&mut rng);
        let mut epoch_sums = Sums::default();
        let mut window = Sums::default();
        for (step_index, chunk) in order.chunks(config.batch_size).enumerate() {
            let rows: Vec<&[u32]> = chunk
                .iter()
                .filter_map(|index| features.get(*index).map(Vec::as_slice))
                .collect();
            let batch_classes: Vec<usize> = chunk
                .iter()
                .filter_map(|index| classes.get(*index).copied())
                .collect();
            let sparse = reindexer.batch(&rows, idf.as_deref(), device, &autodiff_device);
            let values = table.clone().select(0, sparse.rows.clone());
            let leaf = values.clone().autodiff().require_grad();
            let targets = target_tensor(&batch_classes, &autodiff_device);
            let logits = head.forward(bag(leaf.clone(), &sparse.batch));
            let correct = logits
                .clone()
                .argmax(1)
                .reshape([batch_classes.len()])
                .equal(targets.clone())
                .int()
                .sum()
                .inner();
            let batch_loss = loss.forward(logits, targets);
            let weighted = batch_loss.clone().detach().inner() * batch_classes.len() as f32;
            window.add(weighted, correct, batch_classes.len());

            let mut gradients = batch_loss.backward();
            let table_gradient = leaf.grad_remove(&mut gradients);
            let head_gradients = GradientsParams::from_grads(gradients, &head);
            let rate = learning_rate(config.learning_rate, steps_done, steps_total);
            head = head_optimizer.step(rate, head, head_gradients);
            steps_done += 1;
            if let Some(gradient) = table_gradient
                && sparse.row_count > 0
            {
                table =
                    table_optimizer.step(table, sparse.rows, values, gradient, rate, steps_done);
            }

            let (loss_report, accuracy_report) = if steps_done % report_every == 0 {
                let (loss_value, accuracy_value) = window.read().await?;
                epoch_sums.merge(&window);
                window = Sums::default();
                (Some(loss_value), Some(accuracy_value))
            } else {
                (None, None)
            };
            let eta_seconds = observer.elapsed_seconds().map(|elapsed| {
                elapsed / steps_done as f64 * steps_total.saturating_sub(steps_done) as f64
            });
            control = observer.on_progress(&Progress::Step {
                epoch,
                step: step_index + 1,
                steps_done,
                steps_total,
                loss: loss_report,
                accuracy: accuracy_report,
                eta_seconds,
            });
            observer.pause().await;
            if control == Control::Stop {
                // A partial epoch is not evaluated: the best full epoch is kept.
                break 'epochs;
            }
        }
        window.read().await?;
        epoch_sums.merge(&window);

        let evaluated = Classifier {
            embedding: Embedding {
                weight: Param::from_tensor(table.clone()),
            },
            head: head.valid(),
        };
        let validation_logits = logits(
            &evaluated,
            &validation_features,
            idf.as_deref(),
            EVAL_BATCH,
            device,
        )
        .await?;
        let (validation_loss, predicted) =
            loss_and_predictions(&validation_logits, &validation_classes, 1.0);
        let temperature = fit_temperature(&validation_logits, &validation_classes);
        let (calibrated_loss, _) =
            loss_and_predictions(&validation_logits, &validation_classes, temperature);
        let metrics = Metrics::compute(&labels, &validation_classes, &predicted);
        let validation_accuracy = metrics.accuracy;
        let report = EpochReport {
            epoch,
            train_loss: epoch_sums.mean_loss(),
            train_accuracy: epoch_sums.accuracy(),
            validation_loss,
            calibrated_validation_loss: calibrated_loss,
            validation_accuracy,
        };
        control = observer.on_progress(&Progress::Epoch(report.clone()));
        history.push(report);

        let improved = best
            .as_ref()
            .is_none_or(|kept| calibrated_loss < kept.calibrated_loss);
        if improved {
            best = Some(BestEpoch {
                epoch,
                calibrated_loss,
                classifier: evaluated,
                logits: validation_logits,
                metrics,
            });
        } else if let (Some(patience), Some(kept)) = (config.patience, &best)
            && epoch - kept.epoch >= patience
        {
            stopped_early = true;
            break;
        }
    }
    drop(table);

    let Some(BestEpoch {
        epoch: best_epoch,
        classifier,
        logits: validation_logits,
        metrics: validation,
        ..
    }) = best
    else {
        return Err(TrainError::Cancelled);
    };
    let data_fingerprint = fingerprint(examples);
    let calibration = Calibration::fit(&validation_logits, &validation_classes);
    let calibrated: Vec<Vec<f32>> = validation_logits
        .iter()
        .map(|row| calibration.probabilities(row))
        .collect();
    let wrong = misclassified(
        &held.texts,
        &labels,
        &validation_classes,
        &calibrated,
        MISCLASSIFIED_KEPT,
    );
    let texts: Vec<&str> = examples
        .iter()
        .map(|example| example.text.as_str())
        .collect();
    let provenance = Provenance {
        data: DataSummary {
            source: data.source.to_string(),
            training_rows: train_rows.len(),
            validation_rows: validation_classes.len(),
            label_counts: label_counts(&labels, &classes),
            fingerprint: data_fingerprint.clone(),
        },
        settings: config.settings(epochs, best_epoch, history.len()),
        language_mix: language_mix(&texts),
        calibration: Some(calibration.clone()),
        misclassified: wrong.iter().take(KEPT_MISCLASSIFIED).cloned().collect(),
    };
    let mut model = TrainedModel::new(
        featurizer,
        classifier_config,
        classifier,
        labels,
        Some(validation.clone()),
        data_fingerprint,
        device.clone(),
    );
    model.idf = idf;
    model.set_temperature(calibration.temperature);
    model.provenance = Some(provenance);
    Ok(TrainOutcome {
        calibration,
        misclassified: wrong,
        model,
        best_epoch,
        planned_epochs: epochs,
        validation,
        train_rows: train_rows.len(),
        validation_rows: validation_classes.len(),
        validation_classes,
        validation_logits,
        stopped_by_user: control == Control::Stop && history.len() < epochs && !stopped_early,
        stopped_early,
        history,
    })
}

/// The training row indices and the validation rows: the validation file when there is one,
/// else a stratified share of the examples.
fn hold_out<'a>(
    data: &TrainData<'a>,
    config: &TrainConfig,
    featurizer: &Featurizer,
    labels: &[String],
    features: &[Vec<u32>],
    classes: &[usize],
) -> Result<(Vec<usize>, Held<'a>), TrainError> {
    let examples = data.examples;
    match data.validation {
        Some(validation) => {
            let unknown: BTreeSet<&str> = validation
                .iter()
                .map(|example| example.label.as_str())
                .filter(|label| {
                    labels
                        .binary_search_by(|known| known.as_str().cmp(label))
                        .is_err()
                })
                .collect();
            if !unknown.is_empty() {
                return Err(TrainError::UnknownValidationLabels {
                    labels: unknown.into_iter().map(str::to_string).collect(),
                });
            }
            if validation.is_empty() {
                return Err(TrainError::InvalidSetting {
                    name: "validation",
                    reason: "the validation file has no labelled rows".into(),
                });
            }
            let held = Held {
                texts: validation
                    .iter()
                    .map(|example| example.text.as_str())
                    .collect(),
                features: validation
                    .iter()
                    .map(|example| featurizer.features(&example.text))
                    .collect(),
                classes: validation
                    .iter()
                    .map(|example| labels.binary_search(&example.label).unwrap_or(0))
                    .collect(),
            };
            Ok(((0..examples.len()).collect::<Vec<_>>(), held))
        }
        None => {
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
            let held = Held {
                texts: split
                    .validation
                    .iter()
                    .filter_map(|index| examples.get(*index).map(|example| example.text.as_str()))
                    .collect(),
                features: split
                    .validation
                    .iter()
                    .filter_map(|index| features.get(*index).cloned())
                    .collect(),
                classes: split
                    .validation
                    .iter()
                    .filter_map(|index| classes.get(*index).copied())
                    .collect(),
            };
            Ok((split.train, held))
        }
    }
}

/// The epoch kept so far, with what was measured of it on the validation rows (so the kept
/// model need not be evaluated again at the end).
struct BestEpoch {
    epoch: usize,
    calibrated_loss: f32,
    classifier: Classifier,
    logits: Vec<Vec<f32>>,
    metrics: Metrics,
}

/// Rows scored at a time when evaluating.
const EVAL_BATCH: usize = 512;

/// Loss and correct-answer sums kept on the device until read.
#[derive(Default)]
struct Sums {
    loss: Option<Tensor<1>>,
    correct: Option<Tensor<1, Int>>,
    rows: usize,
    read_loss: f32,
    read_correct: i64,
    read_rows: usize,
}

impl Sums {
    fn add(&mut self, loss: Tensor<1>, correct: Tensor<1, Int>, rows: usize) {
        self.loss = Some(match self.loss.take() {
            Some(sum) => sum + loss,
            None => loss,
        });
        self.correct = Some(match self.correct.take() {
            Some(sum) => sum + correct,
            None => correct,
        });
        self.rows += rows;
    }

    /// Reads the sums kept on the device; returns the mean loss and accuracy so far.
    async fn read(&mut self) -> Result<(f32, f32), TrainError> {
        self.read_loss += read_scalar(self.loss.take()).await?;
        self.read_correct += read_int_scalar(self.correct.take()).await?;
        self.read_rows += self.rows;
        self.rows = 0;
        Ok((self.mean_loss(), self.accuracy()))
    }

    fn merge(&mut self, other: &Self) {
        self.read_loss += other.read_loss;
        self.read_correct += other.read_correct;
        self.read_rows += other.read_rows;
    }

    fn mean_loss(&self) -> f32 {
        self.read_loss / self.read_rows.max(1) as f32
    }

    fn accuracy(&self) -> f32 {
        self.read_correct as f32 / self.read_rows.max(1) as f32
    }
}

fn check_settings(config: &TrainConfig) -> Result<(), TrainError> {
    let invalid = |name, reason: &str| {
        Err(TrainError::InvalidSetting {
            name,
            reason: reason.to_string(),
        })
    };
    if config.epochs == Epochs::Fixed(0) {
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

/// Rows per label over all `classes`, in label order.
fn label_counts(labels: &[String], classes: &[usize]) -> Vec<(String, usize)> {
    let mut counts = vec![0usize; labels.len()];
    for class in classes {
        if let Some(count) = counts.get_mut(*class) {
            *count += 1;
        }
    }
    labels.iter().cloned().zip(counts).collect()
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

/// Mean negative log-likelihood of softmax(logits / temperature) and the arg-max class of each
/// row.
fn loss_and_predictions(
    logits: &[Vec<f32>],
    truth: &[usize],
    temperature: f32,
) -> (f32, Vec<usize>) {
    let mut loss = 0.0;
    let mut predicted = Vec::with_capacity(logits.len());
    for (row, class) in logits.iter().zip(truth) {
        let probabilities = softmax_with_temperature(row, temperature);
        let probability = probabilities.get(*class).copied().unwrap_or(0.0).max(1e-7);
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
