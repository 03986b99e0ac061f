//! A validation file given beside the training file: training is measured on its labelled
//! rows instead of a share held out of the training rows.

use std::sync::Arc;

use afina_dataset::{Dataset, ParseOptions, Row};
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::steps::validate::work::Work;
use crate::workers::protocol::{ReadDataset, ReadFailure, ToReader};
use crate::workers::worker_client;

/// The validation file, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct ValidationFile {
    /// The file read, if any.
    pub(crate) file: RwSignal<Option<Arc<Dataset>>>,
    /// Why the validation file could not be read.
    pub(crate) error: RwSignal<Option<String>>,
    /// Id of the latest read of a validation file, and its rows so far.
    read: StoredValue<(u64, Vec<Row>)>,
}

impl ValidationFile {
    /// No validation file.
    pub(crate) fn new() -> Self {
        Self {
            file: RwSignal::new(None),
            error: RwSignal::new(None),
            read: StoredValue::new((0, Vec::new())),
        }
    }

    /// Forgets the validation file.
    pub(crate) fn clear(&self) {
        self.file.set(None);
        self.error.set(None);
    }

    /// Reads a validation file (read whole; its rows are only measured on).
    pub(crate) fn load(&self, work: &Work, file: web_sys::File) {
        let id = work.new_request_id();
        self.read.set_value((id, Vec::new()));
        self.error.set(None);
        let request = ToReader::Read {
            id,
            name: file.name(),
            options: ParseOptions::default(),
            sheet: None,
        };
        worker_client::send_to_reader(&request, Some(&file));
    }

    /// Keeps `rows` when they belong to the validation file being read.
    pub(crate) fn rows(&self, id: u64, rows: Vec<Row>) {
        self.read.update_value(|(read, incoming)| {
            if *read == id {
                incoming.extend(rows);
            }
        });
    }

    /// Takes the reader's last answer when `id` is the validation file being read; hands it
    /// back otherwise.
    pub(crate) fn done(
        &self,
        id: u64,
        result: Result<ReadDataset, ReadFailure>,
        lang: Lang,
    ) -> Option<Result<ReadDataset, ReadFailure>> {
        if !self.read.with_value(|(read, _)| *read == id) {
            return Some(result);
        }
        let rows = self
            .read
            .try_update_value(|(read, rows)| {
                *read = 0;
                std::mem::take(rows)
            })
            .unwrap_or_default();
        self.read_done(
            result.map(|read| {
                let mut dataset = read.dataset;
                dataset.rows = rows;
                dataset
            }),
            lang,
        );
        None
    }

    /// The reader's answer about a validation file (its findings are not shown: only its
    /// labelled rows are used).
    fn read_done(&self, result: Result<Dataset, ReadFailure>, lang: Lang) {
        match result {
            Ok(dataset) if dataset.rows.iter().all(|row| row.example_label().is_none()) => {
                self.file.set(None);
                self.error.set(Some(format!(
                    "{}: {}",
                    dataset.file_name,
                    lang.pick(
                        "no tiene filas de texto con etiqueta que sirvan para validar.",
                        "it has no labelled text rows to validate on.",
                    )
                )));
            }
            Ok(dataset) => {
                self.error.set(None);
                self.file.set(Some(Arc::new(dataset)));
            }
            Err(failure) => {
                self.file.set(None);
                self.error.set(Some(lang.message(&failure.message)));
            }
        }
    }
}
