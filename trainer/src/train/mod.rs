//! Training, shared by every model family: the split and label helpers (`split`), the epoch
//! loop (`epochs`), and what a run returns. The families — hashed n-grams (`crate::ngram`) and
//! a frozen pretrained encoder (`crate::encoder`) — each say how to step and how to score.
//!
//! burn-train's `Learner` does not build for wasm, so the loop is written here. Every read
//! from the device is `into_data_async`, which WebGPU requires.

pub(crate) mod epochs;
pub(crate) mod split;

use afina_dataset::Example;

use crate::calibration::Calibration;
use crate::card::{DataSummary, language_mix};
use crate::metrics::Metrics;
use crate::metrics::{Misclassified, misclassified};
use crate::predict::TrainedModel;
use crate::progress::EpochReport;
use crate::provenance::{KEPT_MISCLASSIFIED, Provenance};

use self::epochs::Epochs;
use self::split::{Split, fingerprint};

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
    /// held out ([`crate::TrainConfig::validation_fraction`]).
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

/// Everything a finished run leaves: the kept weights go into `model` (built by the family,
/// without metrics or calibration), the rest is measured here.
pub(crate) fn finish<S>(
    run: Epochs<S>,
    split: &Split<'_>,
    data: &TrainData<'_>,
    settings: Vec<(String, String)>,
    model: impl FnOnce(S) -> TrainedModel,
) -> TrainOutcome {
    let Epochs {
        kept,
        history,
        planned,
        stopped_by_user,
        stopped_early,
    } = run;
    let validation_classes = split.validation_classes.clone();
    let calibration = Calibration::fit(&kept.logits, &validation_classes);
    let calibrated: Vec<Vec<f32>> = kept
        .logits
        .iter()
        .map(|row| calibration.probabilities(row))
        .collect();
    let wrong = misclassified(
        &split.validation_texts,
        &split.labels,
        &validation_classes,
        &calibrated,
        MISCLASSIFIED_KEPT,
    );
    let texts: Vec<&str> = data
        .examples
        .iter()
        .map(|example| example.text.as_str())
        .collect();
    let data_fingerprint = fingerprint(data.examples);
    let provenance = Provenance {
        data: DataSummary {
            source: data.source.to_string(),
            training_rows: split.train_rows.len(),
            validation_rows: validation_classes.len(),
            label_counts: split.label_counts(),
            fingerprint: data_fingerprint.clone(),
        },
        settings,
        language_mix: language_mix(&texts),
        calibration: Some(calibration.clone()),
        misclassified: wrong.iter().take(KEPT_MISCLASSIFIED).cloned().collect(),
    };
    let mut trained = model(kept.snapshot);
    trained.labels = split.labels.clone();
    trained.metrics = Some(kept.metrics.clone());
    trained.data_fingerprint = data_fingerprint;
    trained.set_temperature(calibration.temperature);
    trained.provenance = Some(provenance);
    TrainOutcome {
        model: trained,
        best_epoch: kept.epoch,
        planned_epochs: planned,
        validation: kept.metrics,
        train_rows: split.train_rows.len(),
        validation_rows: validation_classes.len(),
        validation_classes,
        validation_logits: kept.logits,
        calibration,
        misclassified: wrong,
        stopped_by_user,
        stopped_early,
        history,
    }
}
