//! What a model records about how it was made: data summary, settings, calibration and a few
//! wrong answers. Stored in the model file, so its card can be written from the file alone.

use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;
use crate::card::DataSummary;
#[cfg(feature = "burn")]
use crate::card::{CardInput, Language, model_card};
#[cfg(feature = "burn")]
use crate::metrics::Metrics;
use crate::metrics::Misclassified;
#[cfg(feature = "burn")]
use crate::predict::TrainedModel;

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

#[cfg(feature = "burn")]
impl TrainedModel {
    /// How the model was made, when it was trained by this version of Afina.
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_ref()
    }

    /// Names the file the training rows came from (shown on the model card).
    pub fn set_source(&mut self, source: &str) {
        if let Some(provenance) = &mut self.provenance {
            provenance.data.source = source.to_string();
        }
    }

    /// The model card in Markdown, or `None` when the model carries no record of its training
    /// or metrics (a file from an older version).
    pub fn model_card(&self, title: &str, date: &str, language: Language) -> Option<String> {
        let provenance = self.provenance.as_ref()?;
        let validation: &Metrics = self.metrics.as_ref()?;
        Some(model_card(
            &CardInput {
                title,
                date,
                data: &provenance.data,
                settings: &provenance.settings,
                validation,
                calibration: provenance.calibration.as_ref(),
                misclassified: &provenance.misclassified,
                language_mix: &provenance.language_mix,
            },
            language,
        ))
    }
}
