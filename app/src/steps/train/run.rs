//! The training run as the page sees it: where it stands, the device, the epochs so far.

use afina_trainer::encoder::plan::Plan;
use afina_trainer::{EpochReport, Progress};
use leptos::prelude::*;

use crate::browser::now_ms;
use crate::workers::protocol::{DeviceInfo, TrainSummary};

/// Where the training run stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TrainView {
    Idle,
    Running {
        fraction: f32,
        eta_ms: Option<f64>,
        epoch: usize,
        epochs: usize,
    },
    Done {
        /// The version the run made.
        version: u32,
        /// Its results.
        summary: Box<TrainSummary>,
    },
    Failed(String),
    /// The run asked for WebGPU and the GPU failed: why, in the page's language. Nothing it
    /// computed was kept; the page offers the CPU.
    GpuFailed(String),
}

/// What a run does before its epochs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Phase {
    /// Choosing the device (or nothing yet).
    Preparing,
    /// Downloading the pretrained model.
    Downloading {
        /// Bytes received.
        done: f64,
        /// Bytes in all.
        total: f64,
        /// Milliseconds left, when known.
        eta_ms: Option<f64>,
    },
    /// Computing the rows' sentence vectors with the pretrained model.
    Embedding {
        /// Rows embedded so far in this run.
        done: usize,
        /// Rows to embed in this run.
        total: usize,
        /// Rows found already embedded.
        cached: usize,
        /// Rows a second.
        rows_per_second: Option<f64>,
    },
    /// Training (epochs and steps).
    Training,
}

/// The training run's state, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct TrainRun {
    /// Where the run stands (a change of the data puts it back to idle).
    pub(crate) view: RwSignal<TrainView>,
    /// The device the worker trains on, and why.
    pub(crate) device: RwSignal<Option<DeviceInfo>>,
    /// The epochs of the current run so far, for the live curves.
    pub(crate) history: RwSignal<Vec<EpochReport>>,
    /// When the current run started (ms), for the ETA.
    started: StoredValue<f64>,
    /// What the run does before its epochs.
    pub(crate) phase: RwSignal<Phase>,
    /// What a run on the pretrained model trains, and why.
    pub(crate) plan: RwSignal<Option<Plan>>,
}

impl TrainRun {
    /// No run yet.
    pub(crate) fn new() -> Self {
        Self {
            view: RwSignal::new(TrainView::Idle),
            device: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            started: StoredValue::new(0.0),
            phase: RwSignal::new(Phase::Preparing),
            plan: RwSignal::new(None),
        }
    }

    /// The pretrained model's download has got this far (during a run).
    pub(crate) fn downloading(&self, done: f64, total: f64, eta_ms: Option<f64>) {
        if matches!(self.view.get_untracked(), TrainView::Running { .. }) {
            self.phase.set(Phase::Downloading {
                done,
                total,
                eta_ms,
            });
        }
    }

    /// A run was asked for: no device or epochs yet.
    pub(crate) fn begin(&self) {
        self.device.set(None);
        self.phase.set(Phase::Preparing);
        self.plan.set(None);
        self.history.set(Vec::new());
        self.view.set(TrainView::Running {
            fraction: 0.0,
            eta_ms: None,
            epoch: 0,
            epochs: 0,
        });
    }

    /// Applies a progress event of the worker.
    pub(crate) fn progress(&self, progress: &Progress) {
        match progress {
            Progress::Started { epochs, .. } => {
                self.phase.set(Phase::Training);
                self.started.set_value(now_ms());
                self.history.set(Vec::new());
                self.view.set(TrainView::Running {
                    fraction: 0.0,
                    eta_ms: None,
                    epoch: 1,
                    epochs: *epochs,
                });
            }
            Progress::Step {
                epoch,
                steps_done,
                steps_total,
                ..
            } => {
                let elapsed = now_ms() - self.started.get_value();
                let remaining = steps_total.saturating_sub(*steps_done) as f64;
                let eta_ms = (*steps_done > 0).then(|| elapsed / *steps_done as f64 * remaining);
                self.view.update(|view| {
                    if let TrainView::Running {
                        fraction,
                        eta_ms: eta,
                        epoch: current,
                        ..
                    } = view
                    {
                        *fraction = *steps_done as f32 / (*steps_total).max(1) as f32;
                        *eta = eta_ms;
                        *current = *epoch;
                    }
                });
            }
            Progress::Epoch(report) => self.history.update(|history| history.push(report.clone())),
            Progress::Embedding {
                done,
                total,
                cached,
                rows_per_second,
                ..
            } => self.phase.set(Phase::Embedding {
                done: *done,
                total: *total,
                cached: *cached,
                rows_per_second: *rows_per_second,
            }),
        }
    }
}
