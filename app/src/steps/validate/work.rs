//! The working dataset: what the page validates, fixes, edits, improves and trains on, the
//! datasets an undo puts back, and the requests to the reader worker about it.

use std::sync::Arc;

use afina_dataset::quality::is_quality_code;
use afina_dataset::{Dataset, Finding, Row};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::steps::train::run::{TrainRun, TrainView};
use crate::workers::protocol::ToReader;
use crate::workers::worker_client;

/// The working dataset, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct Work {
    /// The dataset shown, fixed and trained on.
    pub(crate) dataset: RwSignal<Option<Arc<Dataset>>>,
    /// The datasets before each applied fix, the last one on top: undo puts it back.
    pub(crate) undo: RwSignal<Vec<Arc<Dataset>>>,
    /// The edited dataset whose quality findings the reader is recomputing (the page says so
    /// meanwhile).
    pub(crate) refresh: RwSignal<Option<Arc<Dataset>>>,
    /// Id of the latest read or refresh of the working file: parts of an answer about an
    /// earlier one are dropped.
    pub(crate) read_id: StoredValue<u64>,
    /// The rows and findings of the answer coming in, until its last part.
    pub(crate) incoming: StoredValue<(Vec<Row>, Vec<Finding>)>,
    /// Requests sent to the reader so far (their ids count up from 1).
    requests: StoredValue<u64>,
    /// The training run, whose result no longer applies once the data changes.
    run: TrainRun,
}

impl Work {
    /// No dataset yet.
    pub(crate) fn new(run: TrainRun) -> Self {
        Self {
            dataset: RwSignal::new(None),
            undo: RwSignal::new(Vec::new()),
            refresh: RwSignal::new(None),
            read_id: StoredValue::new(0),
            incoming: StoredValue::new((Vec::new(), Vec::new())),
            requests: StoredValue::new(0),
            run,
        }
    }

    /// Shows `changed` as the working dataset, keeping the current one for undo.
    pub(crate) fn replace_dataset(&self, changed: Arc<Dataset>) {
        self.push_undo();
        self.run.view.set(TrainView::Idle);
        self.dataset.set(Some(changed));
    }

    /// Keeps the current dataset for undo; the oldest of more than [`UNDO_LIMIT`] is dropped
    /// (each is a whole copy of the dataset).
    fn push_undo(&self) {
        if let Some(current) = self.dataset.get_untracked() {
            self.undo.update(|stack| {
                stack.push(current);
                if stack.len() > UNDO_LIMIT {
                    stack.remove(0);
                }
            });
        }
    }

    /// Puts back the dataset from before the last applied fix.
    pub(crate) fn undo_fix(&self) {
        let mut previous = None;
        self.undo.update(|stack| previous = stack.pop());
        if let Some(previous) = previous {
            self.run.view.set(TrainView::Idle);
            self.dataset.set(Some(previous));
        }
    }

    /// How many fixes can be undone.
    pub(crate) fn undo_depth(&self) -> usize {
        self.undo.with(Vec::len)
    }

    /// A number no request to the reader had.
    pub(crate) fn new_request_id(&self) -> u64 {
        let id = self.requests.get_value() + 1;
        self.requests.set_value(id);
        id
    }

    /// A new id for a request to the reader; parts of answers to earlier ones are dropped.
    pub(crate) fn next_read_id(&self) -> u64 {
        let id = self.new_request_id();
        self.read_id.set_value(id);
        self.incoming.set_value((Vec::new(), Vec::new()));
        self.refresh.set(None);
        id
    }

    /// Applies an edit or a delete of rows (`changed`: the dataset after it, its quality
    /// findings not yet recomputed), undoable like a fix. A small dataset is refreshed here; a
    /// big one is shown at once and refreshed by the reader worker (seconds at 100,000 rows),
    /// its rows sent in chunks so that no task on the page takes long.
    pub(crate) fn apply_edit(&self, mut changed: Dataset) {
        if changed.rows.len() <= REFRESH_ON_PAGE_ROWS {
            changed.refresh_quality_findings();
            self.replace_dataset(Arc::new(changed));
            return;
        }
        let changed = Arc::new(changed);
        self.replace_dataset(Arc::clone(&changed));
        let id = self.next_read_id();
        self.refresh.set(Some(Arc::clone(&changed)));
        let dataset = format_head(&changed);
        send_rows_then(changed, id, self.read_id, ToReader::Refresh { id, dataset });
    }
}

/// Changes that can be undone at most.
const UNDO_LIMIT: usize = 30;

/// Rows up to which an edit's quality findings are recomputed on the page (a few
/// milliseconds); bigger datasets are refreshed by the reader worker.
pub(crate) const REFRESH_ON_PAGE_ROWS: usize = 5_000;

/// Rows per message when a big dataset is sent to the reader to refresh, and per task when
/// one is serialised for the autosave.
pub(crate) const REFRESH_CHUNK: usize = 4_000;

/// `dataset` without its rows, with `findings`.
pub(crate) fn dataset_head(dataset: &Dataset, findings: Vec<Finding>) -> Dataset {
    Dataset {
        file_name: dataset.file_name.clone(),
        format: dataset.format.clone(),
        schema: dataset.schema.clone(),
        encoding: dataset.encoding.clone(),
        rows: Vec::new(),
        findings,
    }
}

/// `dataset` without its rows and with its findings other than quality ones: what the reader
/// needs beside the rows to refresh or fix it (it recomputes the quality findings).
pub(crate) fn format_head(dataset: &Dataset) -> Dataset {
    dataset_head(
        dataset,
        dataset
            .findings
            .iter()
            .filter(|finding| !is_quality_code(&finding.code))
            .cloned()
            .collect(),
    )
}

/// Sends `dataset`'s rows to the reader under request `id`, [`REFRESH_CHUNK`] rows per task
/// (so that no task on the page takes long), then `last`; stops as soon as `current` holds
/// another id (a later request replaced this one).
pub(crate) fn send_rows_then(
    dataset: Arc<Dataset>,
    id: u64,
    current: StoredValue<u64>,
    last: ToReader,
) {
    spawn_local(async move {
        for chunk in dataset.rows.chunks(REFRESH_CHUNK) {
            if current.try_get_value() != Some(id) {
                return;
            }
            worker_client::send_to_reader(
                &ToReader::Rows {
                    id,
                    rows: chunk.to_vec(),
                },
                None,
            );
            yield_to_event_loop().await;
        }
        if current.try_get_value() == Some(id) {
            worker_client::send_to_reader(&last, None);
        }
    });
}
