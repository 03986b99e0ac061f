//! Loading a file: read whole by the reader worker (the chosen sheet, columns, JSON read as
//! JSON Lines) or, when big, validated as a stream by the training worker; the reader's
//! answers applied to the working dataset.

use std::sync::Arc;

use afina_dataset::{Dataset, ParseOptions, sheet_names};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::stream::state::{STREAM_MAX_FINDINGS, StreamState, StreamView, WHOLE_FILE_LIMIT};
use super::validation::ValidationFile;
use crate::browser::{blob_bytes, bytes_blob, fetch_bytes, now_ms};
use crate::i18n::PageLang;
use crate::steps::improve::plan::{AugmentPlan, Augmentation, KeptPlan};
use crate::steps::train::run::{TrainRun, TrainView};
use crate::steps::validate::fixes::state::FixState;
use crate::steps::validate::rows::state::Table;
use crate::steps::validate::work::Work;
use crate::workers::protocol::{
    FromReader, ReadDataset, StreamRefusal, StreamValidation, ToReader, ToWorker,
};
use crate::workers::worker_client;

/// A file the reader worker is reading and validating.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    /// The file's name.
    pub(crate) name: String,
    /// When it was sent to the reader (ms).
    pub(crate) started: f64,
    /// The share of the work done (0 until the reader first says).
    pub(crate) done: f64,
}

/// The "Load" step's state and the steps it starts over, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct Loader {
    /// Why the last file could not be read.
    pub(crate) load_error: RwSignal<Option<String>>,
    /// The file the reader worker is parsing and validating now.
    pub(crate) reading: RwSignal<Option<Reading>>,
    /// The file read whole last (name and bytes), to read it again another way.
    pub(crate) source: StoredValue<Option<(String, Arc<Vec<u8>>)>>,
    /// That file was a JSON list (or multi-line JSON) read as JSON Lines.
    pub(crate) convert_json: StoredValue<bool>,
    /// The sheets of the workbook loaded last, when it has more than one.
    pub(crate) sheets: RwSignal<Vec<String>>,
    /// The sheet read, when the user chose one.
    pub(crate) sheet: RwSignal<Option<String>>,
    /// The file was a JSON list or multi-line JSON: offer to read it as JSON Lines.
    pub(crate) json_offer: RwSignal<bool>,
    /// The text and label columns the user named (instead of the detected ones).
    pub(crate) columns: RwSignal<(Option<String>, Option<String>)>,
    /// Accepted variants kept before a reload, waiting for their dataset to be read again.
    pub(crate) kept_plan: StoredValue<Option<KeptPlan>>,
    /// The page's language.
    pub(crate) lang: PageLang,
    /// The working dataset a file read becomes.
    pub(crate) work: Work,
    /// The validation file given beside it.
    pub(crate) validation: ValidationFile,
    /// A big file validated as a stream.
    pub(crate) stream: StreamState,
    /// The training run, whose result no longer applies to a new file.
    pub(crate) run: TrainRun,
    /// The variants made of the working dataset.
    pub(crate) augmentation: Augmentation,
    /// The rows table (a new file clears its filters).
    table: Table,
    /// The fixes' previews (the reader answers them too).
    fixes: FixState,
}

impl Loader {
    /// Nothing loaded; a file read becomes `work`'s dataset.
    pub(crate) fn new(
        lang: PageLang,
        work: Work,
        run: TrainRun,
        augmentation: Augmentation,
        table: Table,
        fixes: FixState,
    ) -> Self {
        Self {
            load_error: RwSignal::new(None),
            reading: RwSignal::new(None),
            source: StoredValue::new(None),
            convert_json: StoredValue::new(false),
            sheets: RwSignal::new(Vec::new()),
            sheet: RwSignal::new(None),
            json_offer: RwSignal::new(false),
            columns: RwSignal::new((None, None)),
            kept_plan: StoredValue::new(None),
            lang,
            work,
            validation: ValidationFile::new(),
            stream: StreamState::new(),
            run,
            augmentation,
            table,
            fixes,
        }
    }

    /// The Spanish or the English text, in the page's language.
    pub(crate) fn text(&self, es: &'static str, en: &'static str) -> &'static str {
        self.lang.text(es, en)
    }

    /// The answer about a big file.
    pub(crate) fn validated(&self, result: Result<StreamValidation, StreamRefusal>) {
        let lang = self.lang.lang.get_untracked();
        match result {
            Ok(validation) => self.stream.view.set(StreamView::Done(Arc::new(validation))),
            Err(refusal) => {
                let name = match self.stream.view.get_untracked() {
                    StreamView::Reading { name, .. } => name,
                    _ => String::new(),
                };
                self.stream.view.set(StreamView::Idle);
                let text = match refusal {
                    StreamRefusal::File(message) => lang.message(&message),
                    StreamRefusal::NotStreamable(reason) => format!(
                        "{name}: {} ({reason}). {}",
                        lang.pick(
                            "el archivo es demasiado grande para leerlo entero y no es CSV ni JSON Lines en UTF-8",
                            "the file is too big to read whole and is not CSV or JSON Lines in UTF-8",
                        ),
                        lang.pick(
                            "Guárdalo como CSV UTF-8 o JSONL (en Excel: Guardar como → CSV UTF-8) o divídelo en archivos de menos de 32 MB.",
                            "Save it as CSV UTF-8 or JSONL (in Excel: Save As → CSV UTF-8), or split it into files under 32 MB.",
                        )
                    ),
                    StreamRefusal::Failed(error) => format!("{name}: {error}"),
                };
                self.load_error.set(Some(text));
            }
        }
    }

    /// Validates a big file as a stream in the worker.
    fn stream_file(&self, file: &web_sys::File) {
        let id = self.stream.next_id();
        self.run.view.set(TrainView::Idle);
        self.work.dataset.set(None);
        self.load_error.set(None);
        // What belonged to the file read before no longer applies.
        self.source.set_value(None);
        self.sheets.set(Vec::new());
        self.sheet.set(None);
        self.json_offer.set(false);
        self.work.undo.set(Vec::new());
        self.stream.view.set(StreamView::Reading {
            name: file.name(),
            bytes: 0.0,
            total: file.size(),
            started: now_ms(),
        });
        worker_client::send_with_blob(
            &ToWorker::Validate {
                id,
                max_findings: STREAM_MAX_FINDINGS,
            },
            file,
        );
    }

    /// Reads file `name`'s `bytes` as the new working file.
    pub(crate) fn load_bytes(&self, name: &str, bytes: &[u8]) {
        // Variants kept for the file before a reload do not fit another one.
        self.kept_plan.set_value(None);
        // A later answer about an earlier big file is dropped.
        self.stream.forget();
        let sheets = sheet_names(name, bytes).unwrap_or_default();
        self.sheets
            .set(if sheets.len() > 1 { sheets } else { Vec::new() });
        self.sheet.set(None);
        self.columns.set((None, None));
        self.source
            .set_value(Some((name.to_owned(), Arc::new(bytes.to_vec()))));
        self.read_source(false);
    }

    /// Has the file read last parsed and validated by the reader worker: the chosen sheet of
    /// a workbook, and JSON lists or multi-line JSON read as JSON Lines when `convert_json` is
    /// set. The answer comes to [`Loader::receive_read`].
    pub(crate) fn read_source(&self, convert_json: bool) {
        let Some((name, bytes)) = self.source.get_value() else {
            return;
        };
        self.run.view.set(TrainView::Idle);
        self.convert_json.set_value(convert_json);
        self.table.reset();
        self.work.undo.set(Vec::new());
        self.work.dataset.set(None);
        self.json_offer.set(false);
        let id = self.work.next_read_id();
        let (text_column, label_column) = self.columns.get_untracked();
        let request = ToReader::Read {
            id,
            name: name.clone(),
            options: ParseOptions {
                text_column,
                label_column,
                convert_json,
            },
            sheet: self.sheet.get_untracked(),
        };
        match bytes_blob(&bytes) {
            Ok(blob) => {
                self.reading.set(Some(Reading {
                    name,
                    started: now_ms(),
                    done: 0.0,
                }));
                worker_client::send_to_reader(&request, Some(&blob));
            }
            Err(error) => self.load_error.set(Some(format!("{name}: {error}"))),
        }
    }

    /// Applies a part of the reader worker's answer.
    pub(crate) fn receive_read(&self, message: FromReader) {
        if message.id().is_some_and(|id| self.fixes.answers(id)) {
            self.fixes.receive(message);
            return;
        }
        match message {
            FromReader::Ready | FromReader::Fixed { .. } => {}
            FromReader::Progress { id, done } => {
                if id == self.work.read_id.get_value() {
                    self.reading.update(|reading| {
                        if let Some(reading) = reading {
                            reading.done = done;
                        }
                    });
                }
            }
            FromReader::Rows { id, rows } => {
                if id == self.work.read_id.get_value() {
                    self.work
                        .incoming
                        .update_value(|(incoming, _)| incoming.extend(rows));
                } else {
                    self.validation.rows(id, rows);
                }
            }
            FromReader::Findings { id, findings } => {
                if id == self.work.read_id.get_value() {
                    self.work
                        .incoming
                        .update_value(|(_, incoming)| incoming.extend(findings));
                }
            }
            FromReader::Done { id, result } => {
                let lang = self.lang.lang.get_untracked();
                let Some(result) = self.validation.done(id, result, lang) else {
                    return;
                };
                if id != self.work.read_id.get_value() {
                    return;
                }
                self.reading.set(None);
                let (rows, findings) = self
                    .work
                    .incoming
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                if let Some(edited) = self.work.refresh.try_update(Option::take).flatten() {
                    // The edited dataset, unless it was undone meanwhile, gets its findings.
                    let current = self.work.dataset.get_untracked();
                    if result.is_ok()
                        && current.is_some_and(|current| Arc::ptr_eq(&current, &edited))
                    {
                        let mut refreshed = (*edited).clone();
                        refreshed.findings = findings;
                        self.work.dataset.set(Some(Arc::new(refreshed)));
                    }
                    return;
                }
                match result {
                    Ok(ReadDataset { mut dataset, .. }) => {
                        dataset.rows = rows;
                        dataset.findings = findings;
                        self.load_error.set(None);
                        self.set_restored_dataset(Arc::new(dataset));
                    }
                    Err(failure) => {
                        self.json_offer.set(failure.offer_json);
                        self.load_error.set(Some(
                            self.lang.lang.get_untracked().message(&failure.message),
                        ));
                    }
                }
            }
        }
    }

    /// Shows a dataset just read (or kept whole before a reload) and puts back the variants
    /// accepted for it before the reload, if any.
    pub(crate) fn set_restored_dataset(&self, dataset: Arc<Dataset>) {
        let plan = self
            .kept_plan
            .try_update_value(Option::take)
            .flatten()
            .and_then(|kept| AugmentPlan::restored(Arc::clone(&dataset), kept));
        self.work.dataset.set(Some(dataset));
        if plan.is_some() {
            self.augmentation.plan.set(plan.map(Arc::new));
        }
    }

    /// Files dropped or picked together: the training file and, when there are two, the
    /// validation file (the one whose name says "val", "valid", "dev" or "test", else the
    /// second).
    pub(crate) fn load_files(self, files: &web_sys::FileList) {
        let all: Vec<web_sys::File> = (0..files.length())
            .filter_map(|index| files.get(index))
            .collect();
        let is_validation = |file: &web_sys::File| {
            let name = file.name().to_lowercase();
            ["val", "valid", "dev", "test", "prueba"]
                .iter()
                .any(|word| name.contains(word))
        };
        match all.as_slice() {
            [] => {}
            [only] => self.load_file(only.clone()),
            [first, second, ..] => {
                let (training, validation) = if is_validation(first) && !is_validation(second) {
                    (second.clone(), first.clone())
                } else {
                    (first.clone(), second.clone())
                };
                self.load_file(training);
                self.validation.load(&self.work, validation);
            }
        }
    }

    /// Reads `file` as the new working file (a big one as a stream).
    fn load_file(self, file: web_sys::File) {
        if file.size() > WHOLE_FILE_LIMIT {
            self.stream_file(&file);
            return;
        }
        spawn_local(async move {
            match blob_bytes(&file).await {
                Ok(bytes) => self.load_bytes(&file.name(), &bytes),
                Err(error) => self
                    .load_error
                    .set(Some(format!("{}: {error}", file.name()))),
            }
        });
    }

    /// Reads built-in sample `file` as the new working file.
    pub(crate) fn load_sample(self, file: &'static str) {
        spawn_local(async move {
            match fetch_bytes(&format!("samples/{file}")).await {
                Ok(bytes) => self.load_bytes(file, &bytes),
                Err(error) => self.load_error.set(Some(error)),
            }
        });
    }
}
