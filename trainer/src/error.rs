//! Errors the trainer returns.

use crate::model_file::ModelFileError;

/// Why training or prediction could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// There were no labelled examples to learn from.
    #[error("there are no labelled rows to train on: load a file with a text and a label column")]
    NoExamples,
    /// All examples share one label, so there is nothing to tell apart.
    #[error(
        "every row has the label \"{label}\": a classifier needs at least two different labels"
    )]
    SingleLabel {
        /// The only label present.
        label: String,
    },
    /// The validation rows carry labels the training rows do not have.
    #[error(
        "the validation rows have labels the training rows lack: {}; the model could never predict them — fix the labels or add training rows with them",
        labels.join(", ")
    )]
    UnknownValidationLabels {
        /// The labels only the validation rows have.
        labels: Vec<String>,
    },
    /// A setting is out of its allowed range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The device failed to run or read back a computation.
    #[error("the device failed: {0}")]
    Device(String),
    /// Training was stopped by the user before the first epoch finished.
    #[error("training was stopped before the first epoch finished")]
    Cancelled,
    /// A model file could not be read or written.
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
}

impl TrainError {
    /// Wraps any device-side error (execution or readback) into [`TrainError::Device`].
    pub(crate) fn device(error: impl std::fmt::Display) -> Self {
        Self::Device(error.to_string())
    }
}
