//! The playground's state: the versions compared, the sentence and the batch, and the
//! worker's answers about them.

use std::collections::HashMap;

use afina_trainer::Prediction;
use leptos::prelude::*;

use crate::browser::now_ms;
use crate::steps::versions::state::Versions;
use crate::workers::protocol::ToWorker;
use crate::workers::worker_client;

/// Which of the two compared versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    /// The version chosen first.
    A,
    /// The version it is compared with.
    B,
}

/// What a request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Single(Side),
    Batch(Side),
}

/// One answer: predictions, or why there are none.
pub(crate) type Answer = Option<Result<Vec<Prediction>, String>>;

/// A batch to classify: texts and, when the file had them, the expected labels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Batch {
    pub(crate) texts: Vec<String>,
    pub(crate) expected: Vec<Option<String>>,
}

/// The playground's state, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct Playground {
    /// The version that classifies.
    pub(crate) chosen: RwSignal<Option<u32>>,
    /// The version compared with it, if any.
    pub(crate) compare: RwSignal<Option<u32>>,
    /// The sentence typed.
    pub(crate) text: RwSignal<String>,
    pub(crate) single: [RwSignal<Answer>; 2],
    /// The sentence each side's answer is about.
    pub(crate) single_for: [RwSignal<String>; 2],
    pub(crate) batch: RwSignal<Option<Batch>>,
    pub(crate) batch_answers: [RwSignal<Answer>; 2],
    pub(crate) batch_error: RwSignal<Option<String>>,
    /// Milliseconds each side's model took to answer the typed sentence (the round trip to
    /// the worker).
    pub(crate) latency: [RwSignal<Option<f64>>; 2],
    /// The latest request id of each slot, the first text it asked about and when it was
    /// sent: older answers are dropped.
    latest: StoredValue<HashMap<Slot, (u64, String, f64)>>,
    next_id: StoredValue<u64>,
}

impl Playground {
    pub(crate) fn new() -> Self {
        Self {
            chosen: RwSignal::new(None),
            compare: RwSignal::new(None),
            text: RwSignal::new(String::new()),
            single: [RwSignal::new(None), RwSignal::new(None)],
            single_for: [RwSignal::new(String::new()), RwSignal::new(String::new())],
            batch: RwSignal::new(None),
            batch_answers: [RwSignal::new(None), RwSignal::new(None)],
            batch_error: RwSignal::new(None),
            latency: [RwSignal::new(None), RwSignal::new(None)],
            latest: StoredValue::new(HashMap::new()),
            next_id: StoredValue::new(0),
        }
    }

    pub(crate) fn answer_signal(&self, slot: Slot) -> RwSignal<Answer> {
        match slot {
            Slot::Single(side) => self.single[side as usize],
            Slot::Batch(side) => self.batch_answers[side as usize],
        }
    }

    /// Asks the worker to classify `texts` with `version` for `slot`.
    pub(crate) fn request(&self, slot: Slot, version: Option<u32>, texts: Vec<String>) {
        let id = self.next_id.get_value() + 1;
        self.next_id.set_value(id);
        let first = texts.first().cloned().unwrap_or_default();
        self.latest.update_value(|latest| {
            latest.insert(slot, (id, first, now_ms()));
        });
        let answer = self.answer_signal(slot);
        match version {
            Some(version) if !texts.is_empty() => {
                worker_client::send(&ToWorker::Predict { id, version, texts });
            }
            _ => answer.set(None),
        }
    }

    /// The worker's answer to request `id`.
    pub(crate) fn answered(&self, id: u64, result: Result<Vec<Prediction>, String>) {
        let found = self.latest.with_value(|latest| {
            latest
                .iter()
                .find(|(_, (latest, _, _))| *latest == id)
                .map(|(slot, (_, text, sent))| (*slot, text.clone(), *sent))
        });
        if let Some((slot, text, sent)) = found {
            if let Slot::Single(side) = slot {
                self.single_for[side as usize].set(text);
                self.latency[side as usize].set(Some(now_ms() - sent));
            }
            self.answer_signal(slot).set(Some(result));
        }
    }

    /// Classifies the typed sentence again (after it changed).
    pub(crate) fn refresh_sentence(&self) {
        let text = self.text.get_untracked();
        let texts = if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![text]
        };
        for (side, version) in [
            (Side::A, self.chosen.get_untracked()),
            (Side::B, self.compare.get_untracked()),
        ] {
            self.request(Slot::Single(side), version, texts.clone());
        }
    }

    /// Classifies the typed sentence and the batch again (after the versions changed).
    pub(crate) fn refresh(&self) {
        self.refresh_sentence();
        let batch = self
            .batch
            .get_untracked()
            .map(|batch| batch.texts)
            .unwrap_or_default();
        for (side, version) in [
            (Side::A, self.chosen.get_untracked()),
            (Side::B, self.compare.get_untracked()),
        ] {
            self.request(Slot::Batch(side), version, batch.clone());
        }
    }

    /// Makes `version` the one that classifies (the newest one, after a run).
    pub(crate) fn choose(&self, version: Option<u32>) {
        self.chosen.set(version);
        if self.compare.get_untracked() == version {
            self.compare.set(None);
        }
        self.refresh();
    }

    /// A version was deleted: stop using it.
    pub(crate) fn forget(&self, version: u32, versions: Versions) {
        if self.compare.get_untracked() == Some(version) {
            self.compare.set(None);
        }
        if self.chosen.get_untracked() == Some(version) {
            self.chosen.set(versions.newest());
        }
        self.refresh();
    }

    pub(crate) fn set_batch(&self, batch: Batch) {
        self.batch_error.set(None);
        self.batch.set(Some(batch));
        self.refresh();
    }
}
