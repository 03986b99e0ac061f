//! Afina's trainer: hashed n-gram features, a small burn text classifier, an async training
//! loop that runs natively and in wasm, metrics and a self-describing model file.
//!
//! The crate knows nothing of the web: callers pick the burn [`Device`](burn::tensor::Device)
//! (WebGPU, Vulkan or the `flex` CPU device) and pass it in.

mod batch;
mod calibration;
mod card;
mod error;
mod featurize;
mod hash;
mod metrics;
mod model;
mod model_file;
mod predict;
mod progress;
mod provenance;
mod readback;
mod sparse;
mod train;

pub use calibration::{
    CALIBRATION_BINS, Calibration, MIN_TEMPERATURE, ReliabilityBin, expected_calibration_error,
    fit_temperature, reliability, softmax_with_temperature,
};
pub use card::{CardInput, DataSummary, Language, language_mix, model_card};
pub use error::TrainError;
pub use featurize::{Featurizer, FeaturizerConfig};
pub use metrics::{ClassMetrics, Metrics, Misclassified, misclassified};
pub use model::{Classifier, ClassifierConfig, Head};
pub use model_file::{MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFileError};
pub use predict::{LabelScore, Prediction, TrainedModel};
pub use progress::{Control, EpochReport, Observer, Progress};
pub use provenance::Provenance;
pub use sparse::OptimizerKind;
pub use train::{Epochs, TrainConfig, TrainData, TrainOutcome, auto_epochs, train};
