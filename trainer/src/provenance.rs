//! What a model records about how it was made: data summary, settings, calibration and a few
//! wrong answers. Stored in the model file, so its card can be written from the file alone
//! (`TrainedModel::model_card`, in `predict`).

use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;
use crate::card::DataSummary;
use crate::metrics::Misclassified;

/// Wrong validation answers kept with the model (the card shows five).
#[cfg(feature = "burn")]
pub(crate) const KEPT_MISCLASSIFIED: usize = 5;

/// How a model was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Source file, rows, labels and fingerprint of the training data.
    pub data: DataSummary,
    /// Training settings as (name, value) pairs.
    pub settings: Vec<(String, String)>,
    /// Share of each language in the training texts (a rough guess).
    pub language_mix: Vec<(String, f32)>,
    /// Temperature scaling fitted on the validation rows.
    pub calibration: Option<Calibration>,
    /// The most confidently wrong validation rows.
    pub misclassified: Vec<Misclassified>,
}
