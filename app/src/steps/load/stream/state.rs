//! The state of a big file's validation as a stream in the training worker.

use std::sync::Arc;

use leptos::prelude::*;

use crate::workers::protocol::StreamValidation;

/// Files bigger than this are validated as a stream in the worker instead of read whole.
pub(crate) const WHOLE_FILE_LIMIT: f64 = 32.0 * 1024.0 * 1024.0;
/// Findings a streamed report keeps (all are counted).
pub(crate) const STREAM_MAX_FINDINGS: usize = 1000;

/// Where the validation of a big file stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StreamView {
    Idle,
    Reading {
        name: String,
        bytes: f64,
        total: f64,
        /// When reading started (ms), for the ETA.
        started: f64,
    },
    Done(Arc<StreamValidation>),
}

/// A big file being (or having been) validated as a stream, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct StreamState {
    /// Where its validation stands.
    pub(crate) view: RwSignal<StreamView>,
    /// Id of the latest stream validation: older answers are dropped.
    id: StoredValue<u64>,
}

impl StreamState {
    /// No big file.
    pub(crate) fn new() -> Self {
        Self {
            view: RwSignal::new(StreamView::Idle),
            id: StoredValue::new(0),
        }
    }

    /// A new id for a validation; answers about earlier ones are dropped.
    pub(crate) fn next_id(&self) -> u64 {
        let id = self.id.get_value() + 1;
        self.id.set_value(id);
        id
    }

    /// Forgets the big file: a later answer about it is dropped.
    pub(crate) fn forget(&self) {
        self.next_id();
        self.view.set(StreamView::Idle);
    }

    /// Whether `id` is the latest validation.
    pub(crate) fn is_current(&self, id: u64) -> bool {
        id == self.id.get_value()
    }

    /// The worker has read `bytes` of `total`.
    pub(crate) fn progress(&self, id: u64, bytes: f64, total: f64) {
        if !self.is_current(id) {
            return;
        }
        self.view.update(|view| {
            if let StreamView::Reading {
                bytes: read,
                total: size,
                ..
            } = view
            {
                *read = bytes;
                *size = total;
            }
        });
    }
}
