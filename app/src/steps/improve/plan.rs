//! The variants made in the "Improve" step: the plan (the split it respects, the new rows,
//! whether they were accepted), what of it is kept across a reload, and its context.

use std::sync::Arc;

use afina_dataset::augment::Augmented;
use afina_dataset::{Dataset, Example, Row, Split};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Variants made for one dataset, with the split they respect.
#[derive(Debug)]
pub(crate) struct AugmentPlan {
    /// The dataset the variants were made from (a later file or fix makes the plan stale).
    pub(crate) dataset: Arc<Dataset>,
    /// Training and validation rows of that dataset.
    pub(crate) split: Split,
    /// The new rows.
    pub(crate) result: Augmented,
    /// The user accepted the new rows: training uses them. A signal, so accepting or undoing
    /// neither copies the new rows nor redraws the preview table; reference-counted, so it goes
    /// with the plan.
    pub(crate) accepted: ArcRwSignal<bool>,
}

/// What an accepted plan keeps across a reload: the split and the variants (the dataset is
/// the working one, kept beside it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptPlan {
    /// Training and validation rows of the dataset.
    pub(crate) split: Split,
    /// The new rows.
    pub(crate) result: Augmented,
}

impl AugmentPlan {
    /// The plan to keep, when its variants are accepted.
    pub(crate) fn kept(&self) -> Option<KeptPlan> {
        self.accepted.get().then(|| KeptPlan {
            split: self.split.clone(),
            result: self.result.clone(),
        })
    }

    /// An accepted plan of `dataset` put back from `kept`; `None` when it does not fit the
    /// dataset (a variant or split index past its rows).
    pub(crate) fn restored(dataset: Arc<Dataset>, kept: KeptPlan) -> Option<Self> {
        let rows = dataset.rows.len();
        let fits = kept
            .split
            .train
            .iter()
            .chain(&kept.split.validation)
            .all(|index| *index < rows);
        fits.then(|| Self {
            dataset,
            split: kept.split,
            result: kept.result,
            accepted: ArcRwSignal::new(true),
        })
    }

    /// Training rows (sources plus accepted variants) and the untouched validation rows.
    pub(crate) fn training_data(&self) -> (Vec<Example>, Vec<Example>) {
        let pick = |indices: &[usize]| -> Vec<Example> {
            indices
                .iter()
                .filter_map(|index| self.dataset.rows.get(*index))
                .filter_map(Row::example)
                .collect()
        };
        let mut training = pick(&self.split.train);
        training.extend(self.result.rows.iter().filter_map(|new| new.row.example()));
        (training, pick(&self.split.validation))
    }
}

/// The variants made in the "Improve" step (used for training once accepted), shared through
/// context.
#[derive(Clone, Copy)]
pub(crate) struct Augmentation {
    /// The variants of the working dataset, if any were made.
    pub(crate) plan: RwSignal<Option<Arc<AugmentPlan>>>,
}

impl Augmentation {
    /// No variants.
    pub(crate) fn new() -> Self {
        Self {
            plan: RwSignal::new(None),
        }
    }
}
