//! Afina's trainer: hashed n-gram features, a small burn text classifier, an async training
//! loop that runs natively and in wasm, metrics and a self-describing model file.
//!
//! The crate knows nothing of the web: callers pick the burn `Device` (WebGPU, Vulkan or the
//! `flex` CPU device) and pass it in.
//!
//! Everything that touches burn sits behind the `burn` feature (on by default). Without it
//! the crate is only plain data and arithmetic — settings, progress events, metrics,
//! calibration, predictions, the model card — so the browser page can share those types with
//! the training worker without linking burn.
//!
//! Two model families turn a text into a vector for the shared `Head`:
//! - [`ngram`]: hashed word and character n-grams over a table trained from scratch;
//! - [`encoder`]: the pretrained multilingual-e5-small (file reader and tokenizer need no
//!   burn), frozen, whose sentence vectors are embedded once and cached (stage 1).
//!
//! Beside them, shared by both: the training loop (`train`), the head, metrics, calibration,
//! the model file and the model card.

mod calibration;
mod card;
mod config;
pub mod encoder;
mod hash;
mod metrics;
pub mod ngram;
mod prediction;
mod progress;
mod provenance;

#[cfg(feature = "burn")]
mod error;
#[cfg(feature = "burn")]
mod head;
#[cfg(feature = "burn")]
mod model_file;
#[cfg(feature = "burn")]
mod predict;
#[cfg(feature = "burn")]
mod readback;
#[cfg(feature = "burn")]
mod train;

pub use calibration::{
    CALIBRATION_BINS, Calibration, MIN_TEMPERATURE, ReliabilityBin, expected_calibration_error,
    fit_temperature, reliability, softmax_with_temperature,
};
pub use card::{CardInput, DataSummary, Language, language_mix, model_card};
pub use config::{
    ENCODER_AUTO_MAX_ROWS, Epochs, ModelKind, OptimizerKind, TrainConfig, auto_epochs,
};
pub use metrics::{ClassMetrics, Metrics, Misclassified, misclassified};
pub use ngram::featurize::{Featurizer, FeaturizerConfig};
pub use prediction::{LabelScore, Prediction};
pub use progress::{Control, EpochReport, Observer, Progress};
pub use provenance::Provenance;

#[cfg(feature = "burn")]
pub use encoder::stage1::{EmbeddingCache, train_stage1};
#[cfg(feature = "burn")]
pub use error::ModelFileError;
#[cfg(feature = "burn")]
pub use error::TrainError;
#[cfg(feature = "burn")]
pub use head::{ClassifierConfig, Head};
#[cfg(feature = "burn")]
pub use model_file::{MODEL_FORMAT, MODEL_FORMAT_VERSION};
#[cfg(feature = "burn")]
pub use ngram::classifier::Classifier;
#[cfg(feature = "burn")]
pub use ngram::training::train;
#[cfg(feature = "burn")]
pub use predict::TrainedModel;
#[cfg(feature = "burn")]
pub use train::{TrainData, TrainOutcome};
