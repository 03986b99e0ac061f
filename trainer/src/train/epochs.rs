//! The epoch loop every model family shares: shuffled batches, warm-up and linear decay of the
//! learning rate, progress every few steps, evaluation after each epoch, early stopping on the
//! calibrated validation loss, and the best epoch kept.
//!
//! With fewer than [`MIN_ROWS_TO_SELECT`] validation rows an epoch's validation loss is noise
//! (4 rows: one answer moves accuracy by 25 points), so the loop then neither stops early nor
//! picks an epoch: it keeps the last one.
//!
//! A family (hashed n-grams, a frozen encoder's vectors) only says how to take one step and how
//! to score the validation rows. Every read from the device is asynchronous (WebGPU requires
//! it) and happens only every few steps.

use burn::tensor::{Int, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::calibration::{fit_temperature, softmax_with_temperature};
use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::metrics::Metrics;
use crate::progress::{Control, EpochReport, Observer, Progress};
use crate::readback::read_floats;

use super::split::Split;

/// Validation rows below which the loop keeps the last epoch instead of the best-scoring one
/// and never stops early.
/// (The same bar as for fitting the temperature.)
pub(crate) const MIN_ROWS_TO_SELECT: usize = crate::calibration::MIN_ROWS_TO_FIT;

/// One model family's part of the loop.
pub(crate) trait Family {
    /// What is kept of the best epoch (its weights).
    type Snapshot;

    /// One optimisation step on the examples `rows` whose classes are `classes`, at learning
    /// rate `rate`; `step` counts steps from 1. Returns the batch's mean loss and its number of
    /// right answers, left on the device.
    fn step(
        &mut self,
        rows: &[usize],
        classes: &[usize],
        rate: f64,
        step: usize,
    ) -> (Tensor<1>, Tensor<1, Int>);

    /// Class logits of every validation row with the current weights, in their order.
    fn validation_logits(&self) -> impl Future<Output = Result<Vec<Vec<f32>>, TrainError>>;

    /// The current weights.
    fn snapshot(&self) -> Self::Snapshot;
}

/// The epoch kept: the one with the lowest calibrated validation loss.
pub(crate) struct Kept<S> {
    /// 1-based epoch.
    pub epoch: usize,
    calibrated_loss: f32,
    /// Its weights.
    pub snapshot: S,
    /// Its class logits on the validation rows.
    pub logits: Vec<Vec<f32>>,
    /// Its metrics on the validation rows.
    pub metrics: Metrics,
}

/// What the loop did.
pub(crate) struct Epochs<S> {
    /// The best epoch.
    pub kept: Kept<S>,
    /// One report per finished epoch.
    pub history: Vec<EpochReport>,
    /// Epochs planned.
    pub planned: usize,
    /// True when the user stopped the run before its planned end.
    pub stopped_by_user: bool,
    /// True when early stopping ended the run.
    pub stopped_early: bool,
}

/// Trains `family` for the planned epochs (or until early stopping or the observer stops it).
///
/// # Errors
/// The device fails, or the observer stops the run before the first epoch is evaluated
/// ([`TrainError::Cancelled`]).
pub(crate) async fn run<F: Family>(
    family: &mut F,
    split: &Split<'_>,
    config: &TrainConfig,
    observer: &mut impl Observer,
) -> Result<Epochs<F::Snapshot>, TrainError> {
    let train_rows = &split.train_rows;
    let epochs = config.epochs.resolve(train_rows.len());
    let steps_per_epoch = train_rows.len().div_ceil(config.batch_size.max(1));
    let steps_total = steps_per_epoch * epochs;
    let report_every = (steps_per_epoch / 20).max(1);
    let mut control = observer.on_progress(&Progress::Started {
        train_rows: train_rows.len(),
        validation_rows: split.validation_classes.len(),
        epochs,
        steps_per_epoch,
    });
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut order = train_rows.clone();
    let mut history = Vec::new();
    let mut best: Option<Kept<F::Snapshot>> = None;
    let mut steps_done = 0;
    let mut stopped_early = false;
    let selects = split.validation_classes.len() >= MIN_ROWS_TO_SELECT;

    'epochs: for epoch in 1..=epochs {
        if control == Control::Stop {
            break;
        }
        order.shuffle(&mut rng);
        let mut epoch_sums = Sums::default();
        let mut window = Sums::default();
        for (step_index, chunk) in order.chunks(config.batch_size.max(1)).enumerate() {
            let batch_classes: Vec<usize> = chunk
                .iter()
                .filter_map(|index| split.classes.get(*index).copied())
                .collect();
            let rate = learning_rate(config.learning_rate, steps_done, steps_total);
            steps_done += 1;
            let (loss, correct) = family.step(chunk, &batch_classes, rate, steps_done);
            window.add(
                loss * batch_classes.len() as f32,
                correct,
                batch_classes.len(),
            );

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

        let logits = family.validation_logits().await?;
        let truth = &split.validation_classes;
        let (validation_loss, predicted) = loss_and_predictions(&logits, truth, 1.0);
        let temperature = fit_temperature(&logits, truth);
        let (calibrated_loss, _) = loss_and_predictions(&logits, truth, temperature);
        let metrics = Metrics::compute(&split.labels, truth, &predicted);
        let report = EpochReport {
            epoch,
            train_loss: epoch_sums.mean_loss(),
            train_accuracy: epoch_sums.accuracy(),
            validation_loss,
            calibrated_validation_loss: calibrated_loss,
            validation_accuracy: metrics.accuracy,
        };
        control = observer.on_progress(&Progress::Epoch(report.clone()));
        history.push(report);

        let improved = !selects
            || best
                .as_ref()
                .is_none_or(|kept| calibrated_loss < kept.calibrated_loss);
        if improved {
            best = Some(Kept {
                epoch,
                calibrated_loss,
                snapshot: family.snapshot(),
                logits,
                metrics,
            });
        } else if let (Some(patience), Some(kept)) = (config.patience, &best)
            && epoch - kept.epoch >= patience
        {
            stopped_early = true;
            break;
        }
    }
    let kept = best.ok_or(TrainError::Cancelled)?;
    Ok(Epochs {
        kept,
        stopped_by_user: control == Control::Stop && history.len() < epochs && !stopped_early,
        planned: epochs,
        history,
        stopped_early,
    })
}

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
}
