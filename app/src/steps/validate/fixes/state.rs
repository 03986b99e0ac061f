//! The safe fixes' previews: computed on the page for a small dataset, by the reader worker
//! for a big one, then applied or discarded.

use std::sync::Arc;

use afina_dataset::{Dataset, Finding, FixReport, Row, fix};
use leptos::prelude::*;

use crate::steps::validate::work::{REFRESH_ON_PAGE_ROWS, Work, format_head, send_rows_then};
use crate::workers::protocol::{FromReader, ToReader};

/// What a fix would do to a dataset.
#[derive(Debug)]
pub(crate) struct FixPreview {
    /// The fix's code.
    pub(crate) code: &'static str,
    /// The dataset it was computed on (a preview of another dataset is not shown).
    pub(crate) before: Arc<Dataset>,
    /// The dataset after the fix (`before` itself when nothing changed).
    pub(crate) after: Arc<Dataset>,
    /// What changed.
    pub(crate) report: FixReport,
}

/// A fix being computed by the reader: what has come of the answer so far.
#[derive(Debug, Default)]
pub(crate) struct Incoming {
    code: &'static str,
    before: Option<Arc<Dataset>>,
    report: Option<FixReport>,
    rows: Vec<Row>,
    findings: Vec<Finding>,
}

/// The fixes' previews, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct FixState {
    /// The preview shown.
    pub(crate) preview: RwSignal<Option<Arc<FixPreview>>>,
    /// The fix the reader is computing, and on which dataset.
    pub(crate) pending: RwSignal<Option<(&'static str, Arc<Dataset>)>>,
    /// Why the last preview failed.
    pub(crate) error: RwSignal<Option<String>>,
    /// Id of the request the reader is answering (0: none).
    id: StoredValue<u64>,
    incoming: StoredValue<Incoming>,
}

impl FixState {
    pub(crate) fn new() -> Self {
        Self {
            preview: RwSignal::new(None),
            pending: RwSignal::new(None),
            error: RwSignal::new(None),
            id: StoredValue::new(0),
            incoming: StoredValue::new(Incoming::default()),
        }
    }

    /// Whether `id` is the fix request being answered.
    pub(crate) fn answers(&self, id: u64) -> bool {
        id != 0 && self.id.get_value() == id
    }

    /// Computes the preview of fix `code` on `dataset`: here when it is small, in the reader
    /// when it is big.
    pub(crate) fn start(&self, state: Work, code: &'static str, dataset: Arc<Dataset>) {
        self.preview.set(None);
        self.error.set(None);
        if dataset.rows.len() <= REFRESH_ON_PAGE_ROWS {
            self.id.set_value(0);
            self.pending.set(None);
            match fix::apply(code, &dataset) {
                Some(fixed) => self.show(code, dataset, fixed.report, Some(fixed.dataset)),
                None => self.error.set(Some(format!("no fix called \"{code}\""))),
            }
            return;
        }
        let id = state.new_request_id();
        self.id.set_value(id);
        self.incoming.set_value(Incoming {
            code,
            before: Some(Arc::clone(&dataset)),
            ..Incoming::default()
        });
        self.pending.set(Some((code, Arc::clone(&dataset))));
        let head = format_head(&dataset);
        send_rows_then(
            dataset,
            id,
            self.id,
            ToReader::Fix {
                id,
                code: code.to_owned(),
                dataset: head,
            },
        );
    }

    /// Shows a preview; `after` is `None` when the fix changed nothing.
    fn show(
        &self,
        code: &'static str,
        before: Arc<Dataset>,
        report: FixReport,
        after: Option<Dataset>,
    ) {
        let after = match after {
            Some(after) if !report.changed_lines.is_empty() => Arc::new(after),
            _ => Arc::clone(&before),
        };
        self.preview.set(Some(Arc::new(FixPreview {
            code,
            before,
            after,
            report,
        })));
    }

    /// Applies a part of the reader's answer to the fix request being answered.
    pub(crate) fn receive(&self, message: FromReader) {
        match message {
            FromReader::Ready | FromReader::Progress { .. } => {}
            FromReader::Rows { rows, .. } => self
                .incoming
                .update_value(|incoming| incoming.rows.extend(rows)),
            FromReader::Findings { findings, .. } => self
                .incoming
                .update_value(|incoming| incoming.findings.extend(findings)),
            FromReader::Fixed {
                result: Ok(report), ..
            } => {
                if report.changed_lines.is_empty() {
                    self.finish(report, None);
                } else {
                    self.incoming
                        .update_value(|incoming| incoming.report = Some(report));
                }
            }
            FromReader::Fixed {
                result: Err(error), ..
            } => self.fail(error),
            FromReader::Done { result, .. } => match result {
                Ok(read) => {
                    let report = self
                        .incoming
                        .try_update_value(|incoming| incoming.report.take())
                        .flatten();
                    match report {
                        Some(report) => self.finish(report, Some(read.dataset)),
                        None => self.fail("the fix's report did not arrive".to_owned()),
                    }
                }
                Err(failure) => self.fail(failure.message.en),
            },
        }
    }

    /// The reader's answer is complete: `dataset` is the fixed dataset without its rows and
    /// findings (they came before), `None` when nothing changed.
    fn finish(&self, report: FixReport, dataset: Option<Dataset>) {
        let Some(incoming) = self.incoming.try_update_value(std::mem::take) else {
            return;
        };
        self.id.set_value(0);
        self.pending.set(None);
        let Some(before) = incoming.before else {
            return;
        };
        let after = dataset.map(|mut dataset| {
            dataset.rows = incoming.rows;
            dataset.findings = incoming.findings;
            dataset
        });
        self.show(incoming.code, before, report, after);
    }

    fn fail(&self, error: String) {
        self.id.set_value(0);
        self.incoming.set_value(Incoming::default());
        self.pending.set(None);
        self.error.set(Some(error));
    }

    /// Forgets the preview (and any fix being computed).
    pub(crate) fn discard(&self) {
        self.id.set_value(0);
        self.incoming.set_value(Incoming::default());
        self.pending.set(None);
        self.preview.set(None);
    }
}
