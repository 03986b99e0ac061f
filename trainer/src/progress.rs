//! What the training loop tells its host, and how the host answers.

use serde::{Deserialize, Serialize};

/// Loss and accuracy after one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f32,
    /// Share of training rows classified right during the epoch (before each step's update).
    pub train_accuracy: f32,
    /// Mean loss on the validation split after the epoch.
    pub validation_loss: f32,
    /// The same loss after temperature scaling fitted on those rows: what early stopping
    /// watches (a model grows over-confident long before it stops improving; temperature
    /// scaling removes the over-confidence, so this loss tracks what is left).
    #[serde(default)]
    pub calibrated_validation_loss: f32,
    /// Share of validation rows classified right after the epoch.
    pub validation_accuracy: f32,
}

/// An event from the training loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// A pretrained encoder is turning the rows into vectors, before the epochs (sent after
    /// every batch; rows already in the cache are not embedded again).
    Embedding {
        /// Rows embedded so far in this run.
        done: usize,
        /// Rows this run has to embed (not counting those found in the cache).
        total: usize,
        /// Rows whose vectors were already in the cache.
        cached: usize,
        /// Rows cut to the maximum input length so far.
        truncated: usize,
        /// Rows embedded per second so far, when the observer keeps time.
        rows_per_second: Option<f64>,
    },
    /// Training is about to start.
    Started {
        /// Rows in the training split.
        train_rows: usize,
        /// Rows in the validation split.
        validation_rows: usize,
        /// Planned epochs.
        epochs: usize,
        /// Batches per epoch.
        steps_per_epoch: usize,
    },
    /// One optimisation step finished.
    Step {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within the epoch.
        step: usize,
        /// Steps done since the start, all epochs together.
        steps_done: usize,
        /// Steps planned in total.
        steps_total: usize,
        /// Mean training loss over the steps since the last report that carried one; only
        /// every few steps, because reading it waits for the device.
        loss: Option<f32>,
        /// Share of rows classified right over those same steps.
        accuracy: Option<f32>,
        /// Seconds left at the pace so far, when the observer keeps time.
        eta_seconds: Option<f64>,
    },
    /// An epoch finished and was evaluated.
    Epoch(EpochReport),
}

/// The host's answer to a progress event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this step and keep the best model so far.
    Stop,
}

/// The host of a training run: receives progress and may stop it.
///
/// `pause` is awaited between batches so that a browser worker can handle incoming messages
/// (a stop request) while training; natively it can return at once.
pub trait Observer {
    /// Called with every progress event; the answer decides whether training goes on.
    fn on_progress(&mut self, progress: &Progress) -> Control;

    /// Lets the host run its other tasks between batches.
    fn pause(&mut self) -> impl Future<Output = ()>;

    /// Seconds since training started, for the ETA in progress events; `None` when the host
    /// keeps no clock (the library reads none itself: `std::time` panics in the browser).
    fn elapsed_seconds(&mut self) -> Option<f64> {
        None
    }
}
