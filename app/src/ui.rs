//! The page: load a file, see its rows and problems, train in the worker, try the model.

use std::sync::Arc;

use afina_dataset::quality::is_quality_code;
use afina_dataset::tokens::{self, MODELS};
use afina_dataset::{Dataset, Finding, ParseOptions, Row, sheet_names};
use afina_trainer::{EpochReport, Progress};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{
    blob_bytes, bytes_blob, download, fetch_bytes, now_ms, picked_files, text_blob, today,
    yield_to_event_loop,
};
use crate::charts::DataCharts;
use crate::curves::Curves;
use crate::export_view::ExportPanel;
use crate::fix_view::{FixPanel, FixState, row_cells};
use crate::i18n::Lang;
use crate::improve_view::{AugmentPlan, ImprovePanel, KeptPlan};
use crate::playground::{Playground, PlaygroundPanel};
use crate::protocol::{
    DeviceChoice, DeviceInfo, DeviceKind, ExportKind, FromReader, FromWorker, ModelExport,
    ReadDataset, ReadFailure, StreamRefusal, StreamValidation, ToReader, ToWorker, TrainSummary,
};
use crate::result_view::TrainResult;
use crate::rows_view::{RowFilters, RowsTable, scroll_to_marked_row};
use crate::store;
use crate::stream_view::{
    STREAM_MAX_FINDINGS, StreamPanel, StreamView, TokenPanel, WHOLE_FILE_LIMIT, grouped_findings,
};
use crate::train_settings::{SettingsPanel, TrainSettings};
use crate::versions::{Versions, VersionsPanel};
use crate::worker_client::{self, WorkerKind};

/// A built-in sample, served from `public/samples/`.
struct Sample {
    /// File name under `samples/`.
    file: &'static str,
    /// Test id of its button.
    testid: &'static str,
    /// Its button, in Spanish and English.
    title: (&'static str, &'static str),
}

/// The built-in samples, the first one the main button.
const SAMPLES: [Sample; 4] = [
    Sample {
        file: "resenas.csv",
        testid: "sample-button",
        title: (
            "Probar con el ejemplo (reseñas de restaurantes)",
            "Try the sample (restaurant reviews, Spanish)",
        ),
    },
    Sample {
        file: "urgencia.csv",
        testid: "sample-urgencia",
        title: (
            "Correos: urgente / normal",
            "E-mails: urgent / normal (Spanish)",
        ),
    },
    Sample {
        file: "faq.jsonl",
        testid: "sample-faq",
        title: (
            "Chat de preguntas frecuentes (JSONL)",
            "FAQ chat (JSONL, Spanish)",
        ),
    },
    Sample {
        file: "reviews-en.csv",
        testid: "sample-reviews-en",
        title: ("Opiniones en inglés", "English reviews"),
    },
];

/// Where the training run stands.
#[derive(Debug, Clone, PartialEq)]
enum TrainView {
    Idle,
    Running {
        fraction: f32,
        eta_ms: Option<f64>,
        epoch: usize,
        epochs: usize,
    },
    Done {
        /// The version the run made.
        version: u32,
        /// Its results.
        summary: Box<TrainSummary>,
    },
    Failed(String),
    /// The run asked for WebGPU and the GPU failed: why, in the page's language. Nothing it
    /// computed was kept; the page offers the CPU.
    GpuFailed(String),
}

/// A file the reader worker is reading and validating.
#[derive(Debug, Clone, PartialEq)]
struct Reading {
    /// The file's name.
    name: String,
    /// When it was sent to the reader (ms).
    started: f64,
    /// The share of the work done (0 until the reader first says).
    done: f64,
}

/// Below this share done, an ETA would be a guess.
const ETA_FROM: f64 = 0.05;

/// Where the working project stands in IndexedDB (shown in the header; the browser tests
/// wait on it before a reload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SaveState {
    /// No project to keep (an empty page, or one just cleared by "New project").
    Nothing,
    /// A change is being written (or the project cleared).
    Saving,
    /// The last change is kept.
    Saved,
    /// The browser refused to keep it (the reason, as the browser gave it).
    Failed(String),
}

impl SaveState {
    /// The value of the note's `data-state`.
    fn name(&self) -> &'static str {
        match self {
            Self::Nothing => "nothing",
            Self::Saving => "saving",
            Self::Saved => "saved",
            Self::Failed(_) => "failed",
        }
    }
}

/// The page's state, shared with every panel through context.
#[derive(Clone, Copy)]
pub(crate) struct AppState {
    pub(crate) lang: RwSignal<Lang>,
    dataset: RwSignal<Option<Arc<Dataset>>>,
    load_error: RwSignal<Option<String>>,
    /// The file the reader worker is parsing and validating now.
    reading: RwSignal<Option<Reading>>,
    /// Id of the latest read or refresh of the working file: parts of an answer about an
    /// earlier one are dropped.
    read_id: StoredValue<u64>,
    /// The rows and findings of the answer coming in, until its last part.
    incoming: StoredValue<(Vec<Row>, Vec<Finding>)>,
    /// Requests sent to the reader so far (their ids count up from 1).
    requests: StoredValue<u64>,
    /// Id of the latest read of a validation file, and its rows so far.
    validation_read: StoredValue<(u64, Vec<Row>)>,
    /// Number of the latest autosave: an earlier one still serialising gives way.
    autosave_id: StoredValue<u64>,
    /// Accepted variants kept before a reload, waiting for their dataset to be read again.
    kept_plan: StoredValue<Option<KeptPlan>>,
    /// The edited dataset whose quality findings the reader is recomputing (the page says so
    /// meanwhile).
    refresh: RwSignal<Option<Arc<Dataset>>>,
    device: RwSignal<Option<DeviceInfo>>,
    train: RwSignal<TrainView>,
    /// The epochs of the current run so far, for the live curves.
    history: RwSignal<Vec<EpochReport>>,
    /// The training settings the user chose.
    pub(crate) settings: RwSignal<TrainSettings>,
    /// When the current run started (ms), for the ETA.
    run_started: StoredValue<f64>,
    /// Every kept model.
    pub(crate) versions: Versions,
    /// The "Test" step.
    pub(crate) playground: Playground,
    /// The safe fixes' previews.
    pub(crate) fixes: FixState,
    /// The name the next exported file starts with.
    export_stem: StoredValue<String>,
    /// Whether the working project is kept in IndexedDB yet.
    saved: RwSignal<SaveState>,
    /// The kept project has been read back (or there was none): autosave may write.
    project_restored: StoredValue<bool>,
    /// A big file being (or having been) validated as a stream.
    pub(crate) stream: RwSignal<StreamView>,
    /// Id of the latest stream validation: older answers are dropped.
    stream_id: StoredValue<u64>,
    /// The file read whole last (name and bytes), to read it again another way.
    source: StoredValue<Option<(String, Arc<Vec<u8>>)>>,
    /// That file was a JSON list (or multi-line JSON) read as JSON Lines.
    convert_json: StoredValue<bool>,
    /// The sheets of the workbook loaded last, when it has more than one.
    sheets: RwSignal<Vec<String>>,
    /// The sheet read, when the user chose one.
    sheet: RwSignal<Option<String>>,
    /// The file was a JSON list or multi-line JSON: offer to read it as JSON Lines.
    json_offer: RwSignal<bool>,
    /// The datasets before each applied fix, the last one on top: undo puts it back.
    undo: RwSignal<Vec<Arc<Dataset>>>,
    /// The text and label columns the user named (instead of the detected ones).
    columns: RwSignal<(Option<String>, Option<String>)>,
    /// Why the last download failed.
    pub(crate) export_error: RwSignal<Option<String>>,
    /// Variants made in the "Improve" step (used for training once accepted).
    pub(crate) augmentation: RwSignal<Option<Arc<AugmentPlan>>>,
    /// The row the table shows and marks (an index into the dataset's rows), or why the line
    /// asked for is not in the table.
    pub(crate) focus: RwSignal<Option<Result<usize, usize>>>,
    /// The rows table's search, filters and scroll position.
    pub(crate) row_filters: RowFilters,
    /// A validation file the user gave beside the training file: training is measured on it
    /// instead of a share held out of the training rows.
    validation_file: RwSignal<Option<Arc<Dataset>>>,
    /// Why the validation file could not be read.
    validation_error: RwSignal<Option<String>>,
}

impl AppState {
    fn new() -> Self {
        Self {
            lang: RwSignal::new(Lang::from_browser()),
            dataset: RwSignal::new(None),
            load_error: RwSignal::new(None),
            reading: RwSignal::new(None),
            read_id: StoredValue::new(0),
            incoming: StoredValue::new((Vec::new(), Vec::new())),
            refresh: RwSignal::new(None),
            kept_plan: StoredValue::new(None),
            autosave_id: StoredValue::new(0),
            requests: StoredValue::new(0),
            validation_read: StoredValue::new((0, Vec::new())),
            device: RwSignal::new(None),
            train: RwSignal::new(TrainView::Idle),
            history: RwSignal::new(Vec::new()),
            settings: RwSignal::new(TrainSettings::default()),
            run_started: StoredValue::new(0.0),
            versions: Versions::new(),
            playground: Playground::new(),
            fixes: FixState::new(),
            export_stem: StoredValue::new(String::new()),
            saved: RwSignal::new(SaveState::Nothing),
            project_restored: StoredValue::new(false),
            stream: RwSignal::new(StreamView::Idle),
            stream_id: StoredValue::new(0),
            source: StoredValue::new(None),
            convert_json: StoredValue::new(false),
            sheets: RwSignal::new(Vec::new()),
            sheet: RwSignal::new(None),
            json_offer: RwSignal::new(false),
            undo: RwSignal::new(Vec::new()),
            columns: RwSignal::new((None, None)),
            export_error: RwSignal::new(None),
            augmentation: RwSignal::new(None),
            focus: RwSignal::new(None),
            row_filters: RowFilters::new(),
            validation_file: RwSignal::new(None),
            validation_error: RwSignal::new(None),
        }
    }

    /// The name files exported from `version` start with: its data file's stem and number.
    fn export_stem(&self, version: u32) -> String {
        let name = self
            .versions
            .list
            .with_untracked(|list| {
                list.iter()
                    .find(|kept| kept.id == version)
                    .and_then(|kept| kept.info.source.clone())
            })
            .unwrap_or_default();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        if stem.is_empty() {
            format!("modelo-v{version}")
        } else {
            format!("{stem}-v{version}")
        }
    }

    /// Asks the worker for a version's model file and its cards; the answer triggers the
    /// download.
    pub(crate) fn request_export(&self, version: u32, kind: ExportKind) {
        self.export_error.set(None);
        self.versions.error.set(None);
        let stem = self.export_stem(version);
        self.export_stem.set_value(stem.clone());
        worker_client::send(&ToWorker::Export {
            version,
            kind,
            date: today(),
            title: stem,
        });
    }

    /// Deletes a version everywhere.
    pub(crate) fn delete_version(&self, version: u32) {
        let (playground, versions) = (self.playground, self.versions);
        versions.delete(version, move || playground.forget(version, versions));
    }

    fn exported(
        &self,
        kind: ExportKind,
        result: Result<ModelExport, String>,
        blob: Option<web_sys::Blob>,
    ) {
        let stem = self.export_stem.get_value();
        let saved = result.and_then(|export| match kind {
            ExportKind::Model => {
                let blob = blob.ok_or("the model file did not arrive")?;
                download(&blob, &format!("{stem}.afina"))
            }
            ExportKind::Card => {
                let (card, suffix) = match self.lang.get_untracked() {
                    Lang::Es => (export.card_es, "ficha"),
                    Lang::En => (export.card_en, "card"),
                };
                let blob = text_blob(&card, "text/markdown")?;
                download(&blob, &format!("{stem}-{suffix}.md"))
            }
        });
        if let Err(error) = saved {
            self.export_error.set(Some(error.clone()));
            self.versions.error.set(Some(error));
        }
    }

    pub(crate) fn text(&self, es: &'static str, en: &'static str) -> &'static str {
        self.lang.get().pick(es, en)
    }

    /// Applies a message from the worker (`blob`: a file that came beside it).
    fn receive(&self, message: FromWorker, blob: Option<web_sys::Blob>) {
        // The worker's errors come in both languages; the page shows the user's.
        let lang = self.lang.get_untracked();
        let worded = |error: afina_dataset::Message| lang.message(&error);
        match message {
            FromWorker::Exported { kind, result } => {
                self.exported(kind, result.map_err(worded), blob);
            }
            FromWorker::Ready => {}
            FromWorker::Device(info) => self.device.set(Some(info)),
            FromWorker::Progress(progress) => self.progress(&progress),
            FromWorker::Finished { version, result } => match result {
                Ok(summary) => {
                    let device = self.device.get_untracked();
                    self.train.set(TrainView::Done {
                        version,
                        summary: Box::new(summary.clone()),
                    });
                    // The versions table and the playground are drawn in later tasks, so no
                    // one task on the main thread draws all three.
                    let state = *self;
                    spawn_local(async move {
                        yield_to_event_loop().await;
                        state.versions.add_trained(version, summary, device, blob);
                        yield_to_event_loop().await;
                        state.playground.choose(Some(version));
                    });
                }
                Err(error) => self.train.set(TrainView::Failed(worded(error))),
            },
            FromWorker::GpuFailed { reason, .. } => {
                self.train.set(TrainView::GpuFailed(worded(reason)));
            }
            FromWorker::Loaded { version, result } => {
                if let Some(new) = self.versions.loaded(version, result.map_err(worded), lang) {
                    self.playground.choose(Some(new));
                }
            }
            FromWorker::ValidateProgress { id, bytes, total } => {
                if id != self.stream_id.get_value() {
                    return;
                }
                self.stream.update(|view| {
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
            FromWorker::Validated { id, result } => {
                if id != self.stream_id.get_value() {
                    return;
                }
                self.validated(result);
            }
            FromWorker::Prediction { id, result } => {
                self.playground.answered(id, result.map_err(worded));
            }
        }
    }

    fn progress(&self, progress: &Progress) {
        match progress {
            Progress::Started { epochs, .. } => {
                self.run_started.set_value(now_ms());
                self.history.set(Vec::new());
                self.train.set(TrainView::Running {
                    fraction: 0.0,
                    eta_ms: None,
                    epoch: 1,
                    epochs: *epochs,
                });
            }
            Progress::Step {
                epoch,
                steps_done,
                steps_total,
                ..
            } => {
                let elapsed = now_ms() - self.run_started.get_value();
                let remaining = steps_total.saturating_sub(*steps_done) as f64;
                let eta_ms = (*steps_done > 0).then(|| elapsed / *steps_done as f64 * remaining);
                self.train.update(|view| {
                    if let TrainView::Running {
                        fraction,
                        eta_ms: eta,
                        epoch: current,
                        ..
                    } = view
                    {
                        *fraction = *steps_done as f32 / (*steps_total).max(1) as f32;
                        *eta = eta_ms;
                        *current = *epoch;
                    }
                });
            }
            Progress::Epoch(report) => self.history.update(|history| history.push(report.clone())),
            // The page trains only the n-gram model so far, which embeds nothing.
            Progress::Embedding { .. } => {}
        }
    }

    /// The answer about a big file.
    fn validated(&self, result: Result<StreamValidation, StreamRefusal>) {
        let lang = self.lang.get_untracked();
        match result {
            Ok(validation) => self.stream.set(StreamView::Done(Arc::new(validation))),
            Err(refusal) => {
                let name = match self.stream.get_untracked() {
                    StreamView::Reading { name, .. } => name,
                    _ => String::new(),
                };
                self.stream.set(StreamView::Idle);
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
        let id = self.stream_id.get_value() + 1;
        self.stream_id.set_value(id);
        self.train.set(TrainView::Idle);
        self.dataset.set(None);
        self.load_error.set(None);
        // What belonged to the file read before no longer applies.
        self.source.set_value(None);
        self.sheets.set(Vec::new());
        self.sheet.set(None);
        self.json_offer.set(false);
        self.undo.set(Vec::new());
        self.stream.set(StreamView::Reading {
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

    fn load_bytes(&self, name: &str, bytes: &[u8]) {
        // Variants kept for the file before a reload do not fit another one.
        self.kept_plan.set_value(None);
        // A later answer about an earlier big file is dropped.
        self.stream_id.set_value(self.stream_id.get_value() + 1);
        self.stream.set(StreamView::Idle);
        let sheets = sheet_names(name, bytes).unwrap_or_default();
        self.sheets
            .set(if sheets.len() > 1 { sheets } else { Vec::new() });
        self.sheet.set(None);
        self.columns.set((None, None));
        self.source
            .set_value(Some((name.to_owned(), Arc::new(bytes.to_vec()))));
        self.read_source(false);
    }

    /// Shows `changed` as the working dataset, keeping the current one for undo.
    pub(crate) fn replace_dataset(&self, changed: Arc<Dataset>) {
        self.push_undo();
        self.train.set(TrainView::Idle);
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
            self.train.set(TrainView::Idle);
            self.dataset.set(Some(previous));
        }
    }

    /// How many fixes can be undone.
    pub(crate) fn undo_depth(&self) -> usize {
        self.undo.with(Vec::len)
    }

    /// Has the file read last parsed and validated by the reader worker: the chosen sheet of
    /// a workbook, and JSON lists or multi-line JSON read as JSON Lines when `convert_json` is
    /// set. The answer comes to [`AppState::receive_read`].
    fn read_source(&self, convert_json: bool) {
        let Some((name, bytes)) = self.source.get_value() else {
            return;
        };
        self.train.set(TrainView::Idle);
        self.convert_json.set_value(convert_json);
        self.focus.set(None);
        self.row_filters.reset();
        self.undo.set(Vec::new());
        self.dataset.set(None);
        self.json_offer.set(false);
        let id = self.next_read_id();
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

    /// A number no request to the reader had.
    pub(crate) fn new_request_id(&self) -> u64 {
        let id = self.requests.get_value() + 1;
        self.requests.set_value(id);
        id
    }

    /// A new id for a request to the reader; parts of answers to earlier ones are dropped.
    fn next_read_id(&self) -> u64 {
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

    /// Applies a part of the reader worker's answer.
    fn receive_read(&self, message: FromReader) {
        if message.id().is_some_and(|id| self.fixes.answers(id)) {
            self.fixes.receive(message);
            return;
        }
        match message {
            FromReader::Ready | FromReader::Fixed { .. } => {}
            FromReader::Progress { id, done } => {
                if id == self.read_id.get_value() {
                    self.reading.update(|reading| {
                        if let Some(reading) = reading {
                            reading.done = done;
                        }
                    });
                }
            }
            FromReader::Rows { id, rows } => {
                if id == self.read_id.get_value() {
                    self.incoming
                        .update_value(|(incoming, _)| incoming.extend(rows));
                } else {
                    self.validation_read.update_value(|(read, incoming)| {
                        if *read == id {
                            incoming.extend(rows);
                        }
                    });
                }
            }
            FromReader::Findings { id, findings } => {
                if id == self.read_id.get_value() {
                    self.incoming
                        .update_value(|(_, incoming)| incoming.extend(findings));
                }
            }
            FromReader::Done { id, result } => {
                if self.validation_read.with_value(|(read, _)| *read == id) {
                    let rows = self
                        .validation_read
                        .try_update_value(|(read, rows)| {
                            *read = 0;
                            std::mem::take(rows)
                        })
                        .unwrap_or_default();
                    self.validation_read_done(result.map(|read| {
                        let mut dataset = read.dataset;
                        dataset.rows = rows;
                        dataset
                    }));
                    return;
                }
                if id != self.read_id.get_value() {
                    return;
                }
                self.reading.set(None);
                let (rows, findings) = self
                    .incoming
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                if let Some(edited) = self.refresh.try_update(Option::take).flatten() {
                    // The edited dataset, unless it was undone meanwhile, gets its findings.
                    let current = self.dataset.get_untracked();
                    if result.is_ok()
                        && current.is_some_and(|current| Arc::ptr_eq(&current, &edited))
                    {
                        let mut refreshed = (*edited).clone();
                        refreshed.findings = findings;
                        self.dataset.set(Some(Arc::new(refreshed)));
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
                        self.load_error
                            .set(Some(self.lang.get_untracked().message(&failure.message)));
                    }
                }
            }
        }
    }

    /// Shows the row of file line `line` in the table (or says it is not there: a line that
    /// could not be read as a row) and scrolls to it.
    pub(crate) fn show_line(&self, line: usize) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        let found = dataset.rows.binary_search_by_key(&line, |row| row.line);
        self.focus.set(Some(found.map_err(|_| line)));
        scroll_to_marked_row();
    }

    /// Forgets the marked row (the filters changed).
    pub(crate) fn clear_focus(&self) {
        self.focus.set(None);
    }

    /// Shows the first row whose text is `text` (a validation row the model got wrong).
    pub(crate) fn show_text(&self, text: &str) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        let found = dataset.rows.iter().position(|row| row_cells(row).0 == text);
        if let Some(index) = found {
            self.focus.set(Some(Ok(index)));
            scroll_to_marked_row();
        }
    }

    /// Keeps the working file, how it was read, the fixes and the settings in IndexedDB.
    fn autosave(&self) {
        let Some((name, bytes)) = self.source.get_value() else {
            return;
        };
        let dataset = self.dataset.get_untracked();
        let fixed = (self.undo_depth() > 0).then(|| dataset.clone()).flatten();
        let validation = self
            .validation_file
            .get_untracked()
            .and_then(|validation| serde_json::to_string(&*validation).ok());
        // Accepted variants of this very dataset.
        let augmentation = self
            .augmentation
            .get_untracked()
            .filter(|plan| {
                dataset
                    .as_ref()
                    .is_some_and(|dataset| Arc::ptr_eq(&plan.dataset, dataset))
            })
            .and_then(|plan| plan.kept())
            .and_then(|kept| serde_json::to_string(&kept).ok());
        let state = store::ProjectState {
            sheet: self.sheet.get_untracked(),
            columns: self.columns.get_untracked(),
            convert_json: self.convert_json.get_value(),
            settings: self.settings.get_untracked(),
        };
        let saved = self.saved;
        saved.set(SaveState::Saving);
        let latest = self.autosave_id;
        let id = latest.get_value() + 1;
        latest.set_value(id);
        spawn_local(async move {
            let fixed = match fixed {
                Some(dataset) => dataset_json(&dataset).await,
                None => None,
            };
            // A later change is saved by a later call (this one's JSON may be stale).
            if latest.try_get_value() != Some(id) {
                return;
            }
            let project = store::Project {
                name,
                bytes: bytes.to_vec(),
                state,
                fixed,
                validation,
                augmentation,
            };
            let done = store::save_project(&project).await;
            // A change made while this one was being written is saved by its own call.
            if latest.try_get_value() == Some(id) {
                saved.set(match done {
                    Ok(()) => SaveState::Saved,
                    Err(error) => SaveState::Failed(error),
                });
            }
        });
    }

    /// Shows a dataset just read (or kept whole before a reload) and puts back the variants
    /// accepted for it before the reload, if any.
    fn set_restored_dataset(&self, dataset: Arc<Dataset>) {
        let plan = self
            .kept_plan
            .try_update_value(Option::take)
            .flatten()
            .and_then(|kept| AugmentPlan::restored(Arc::clone(&dataset), kept));
        self.dataset.set(Some(dataset));
        if plan.is_some() {
            self.augmentation.set(plan.map(Arc::new));
        }
    }

    /// Puts back the project kept before the reload, unless a file was loaded meanwhile.
    fn restore_project(self) {
        spawn_local(async move {
            let project = match store::load_project().await {
                Ok(project) => project,
                Err(error) => {
                    self.load_error.set(Some(error));
                    None
                }
            };
            if let Some(project) = project
                && self.source.with_value(Option::is_none)
                && self
                    .stream
                    .with_untracked(|view| matches!(view, StreamView::Idle))
            {
                let store::Project {
                    name,
                    bytes,
                    state,
                    fixed,
                    validation,
                    augmentation,
                } = project;
                if let Some(validation) =
                    validation.and_then(|json| serde_json::from_str::<Dataset>(&json).ok())
                {
                    self.validation_file.set(Some(Arc::new(validation)));
                }
                self.kept_plan.set_value(
                    augmentation.and_then(|json| serde_json::from_str::<KeptPlan>(&json).ok()),
                );
                let sheets = sheet_names(&name, &bytes).unwrap_or_default();
                self.sheets
                    .set(if sheets.len() > 1 { sheets } else { Vec::new() });
                self.sheet.set(state.sheet);
                self.columns.set(state.columns);
                self.settings.set(state.settings);
                self.source.set_value(Some((name, Arc::new(bytes))));
                // A fixed dataset is kept whole; the file as loaded is read again.
                match fixed.and_then(|json| serde_json::from_str::<Dataset>(&json).ok()) {
                    Some(dataset) => {
                        self.convert_json.set_value(state.convert_json);
                        self.set_restored_dataset(Arc::new(dataset));
                    }
                    None => self.read_source(state.convert_json),
                }
                self.saved.set(SaveState::Saved);
                self.project_restored.set_value(true);
                return;
            }
            self.project_restored.set_value(true);
            // A file loaded while the kept project was being read is kept now.
            self.autosave();
        });
    }

    /// Forgets the working file and settings, here and in IndexedDB (versions stay).
    fn new_project(&self) {
        self.stream_id.set_value(self.stream_id.get_value() + 1);
        self.stream.set(StreamView::Idle);
        self.source.set_value(None);
        self.dataset.set(None);
        self.load_error.set(None);
        self.sheets.set(Vec::new());
        self.sheet.set(None);
        self.json_offer.set(false);
        self.undo.set(Vec::new());
        self.columns.set((None, None));
        self.augmentation.set(None);
        self.kept_plan.set_value(None);
        self.validation_file.set(None);
        self.validation_error.set(None);
        self.settings.set(TrainSettings::default());
        self.saved.set(SaveState::Saving);
        // An autosave still serialising must not write the old project back.
        self.autosave_id.set_value(self.autosave_id.get_value() + 1);
        if !matches!(self.train.get_untracked(), TrainView::Running { .. }) {
            self.train.set(TrainView::Idle);
        }
        let saved = self.saved;
        spawn_local(async move {
            saved.set(match store::clear_project().await {
                Ok(()) => SaveState::Nothing,
                Err(error) => SaveState::Failed(error),
            });
        });
    }

    /// Reads a validation file (read whole; its rows are only measured on).
    fn load_validation(self, file: web_sys::File) {
        let id = self.new_request_id();
        self.validation_read.set_value((id, Vec::new()));
        self.validation_error.set(None);
        let request = ToReader::Read {
            id,
            name: file.name(),
            options: ParseOptions::default(),
            sheet: None,
        };
        worker_client::send_to_reader(&request, Some(&file));
    }

    /// The reader's answer about a validation file (its findings are not shown: only its
    /// labelled rows are used).
    fn validation_read_done(&self, result: Result<Dataset, ReadFailure>) {
        let lang = self.lang.get_untracked();
        match result {
            Ok(dataset) if dataset.rows.iter().all(|row| row.example_label().is_none()) => {
                self.validation_file.set(None);
                self.validation_error.set(Some(format!(
                    "{}: {}",
                    dataset.file_name,
                    lang.pick(
                        "no tiene filas de texto con etiqueta que sirvan para validar.",
                        "it has no labelled text rows to validate on.",
                    )
                )));
            }
            Ok(dataset) => {
                self.validation_error.set(None);
                self.validation_file.set(Some(Arc::new(dataset)));
            }
            Err(failure) => {
                self.validation_file.set(None);
                self.validation_error
                    .set(Some(lang.message(&failure.message)));
            }
        }
    }

    /// Files dropped or picked together: the training file and, when there are two, the
    /// validation file (the one whose name says "val", "valid", "dev" or "test", else the
    /// second).
    fn load_files(self, files: &web_sys::FileList) {
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
                self.load_validation(validation);
            }
        }
    }

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

    fn load_sample(self, file: &'static str) {
        spawn_local(async move {
            match fetch_bytes(&format!("samples/{file}")).await {
                Ok(bytes) => self.load_bytes(file, &bytes),
                Err(error) => self.load_error.set(Some(error)),
            }
        });
    }

    /// Trains a new version on the device the settings name, or on `device` when given (the
    /// CPU offered after a GPU failure).
    fn start_training(&self, device: Option<DeviceChoice>) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        let version = self.versions.next_id();
        self.device.set(None);
        self.history.set(Vec::new());
        self.train.set(TrainView::Running {
            fraction: 0.0,
            eta_ms: None,
            epoch: 0,
            epochs: 0,
        });
        // Accepted variants train with the validation rows they were kept away from.
        let plan = self
            .augmentation
            .get_untracked()
            .filter(|plan| plan.accepted.get_untracked() && Arc::ptr_eq(&plan.dataset, &dataset));
        let (examples, validation) = match plan {
            Some(plan) => {
                let (training, validation) = plan.training_data();
                (training, Some(validation))
            }
            None => (dataset.examples(), None),
        };
        // A validation file beats a held-out share (the variants' sources stay in training).
        let validation = self
            .validation_file
            .get_untracked()
            .map(|file| file.examples())
            .or(validation);
        let settings = self.settings.get_untracked();
        worker_client::send(&ToWorker::Train {
            version,
            device: device.unwrap_or(settings.device),
            examples,
            validation,
            source: dataset.file_name.clone(),
            config: settings.config(),
        });
    }
}

/// The file types the file inputs offer for a dataset.
const DATASET_FILES: &str = ".csv,.tsv,.jsonl,.json,.txt,.xlsx";

/// Changes that can be undone at most.
const UNDO_LIMIT: usize = 30;

/// Rows up to which an edit's quality findings are recomputed on the page (a few
/// milliseconds); bigger datasets are refreshed by the reader worker.
pub(crate) const REFRESH_ON_PAGE_ROWS: usize = 5_000;

/// Rows per message when a big dataset is sent to the reader to refresh, and per task when
/// one is serialised for the autosave.
const REFRESH_CHUNK: usize = 4_000;

/// `dataset` without its rows, with `findings`.
fn dataset_head(dataset: &Dataset, findings: Vec<Finding>) -> Dataset {
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

/// `dataset` as JSON, its rows serialised [`REFRESH_CHUNK`] at a time in tasks of their own,
/// so that keeping 100,000 rows never blocks the page in one go.
async fn dataset_json(dataset: &Dataset) -> Option<String> {
    if dataset.rows.len() <= REFRESH_CHUNK {
        return serde_json::to_string(dataset).ok();
    }
    let head = serde_json::to_string(&dataset_head(dataset, dataset.findings.clone())).ok()?;
    let mut chunks = Vec::new();
    for chunk in dataset.rows.chunks(REFRESH_CHUNK) {
        yield_to_event_loop().await;
        chunks.push(serde_json::to_string(chunk).ok()?);
    }
    splice_rows(&head, &chunks)
}

/// The JSON of a dataset from that of its head (no rows) and of its rows in chunks (each a
/// JSON list).
fn splice_rows(head: &str, chunks: &[String]) -> Option<String> {
    let mut rows = String::from("[");
    for chunk in chunks {
        // The chunk's elements, without its brackets.
        let elements = chunk.strip_prefix('[')?.strip_suffix(']')?;
        if elements.is_empty() {
            continue;
        }
        if rows.len() > 1 {
            rows.push(',');
        }
        rows.push_str(elements);
    }
    rows.push(']');
    // The empty rows' key: inside a JSON string a quote is escaped, so this is the field.
    let key = "\"rows\":[]";
    head.contains(key)
        .then(|| head.replacen(key, &format!("\"rows\":{rows}"), 1))
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    if let Err(error) = worker_client::connect(WorkerKind::Trainer, move |message, blob| {
        state.receive(message, blob);
    }) {
        let lang = state.lang.get_untracked();
        state.train.set(TrainView::Failed(format!(
            "{}: {error}. {}",
            lang.pick(
                "no arrancó el proceso de entrenamiento",
                "the training worker did not start"
            ),
            lang.pick("Recarga la página.", "Reload the page."),
        )));
    }
    if let Err(error) = worker_client::connect(WorkerKind::Reader, move |message, _| {
        state.receive_read(message);
    }) {
        let lang = state.lang.get_untracked();
        state.load_error.set(Some(format!(
            "{}: {error}. {}",
            lang.pick(
                "no arrancó el proceso que lee los archivos",
                "the file reader worker did not start"
            ),
            lang.pick("Recarga la página.", "Reload the page."),
        )));
    }
    state.restore_project();
    Effect::new(move |_| {
        state.dataset.track();
        state.settings.track();
        state.validation_file.track();
        state.augmentation.with(|plan| {
            if let Some(plan) = plan {
                plan.accepted.track();
            }
        });
        if state.project_restored.get_value() {
            state.autosave();
        }
    });
    state.versions.restore(move |newest| {
        state.playground.choose(newest);
        // The newest run's results come back with it.
        let last = state.versions.list.with_untracked(|list| {
            list.iter()
                .rev()
                .find_map(|version| Some((version.id, version.summary.clone()?)))
        });
        if let Some((version, summary)) = last
            && state.train.get_untracked() == TrainView::Idle
        {
            state.train.set(TrainView::Done {
                version,
                summary: Box::new(summary),
            });
        }
    });
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", state.lang.get().tag());
        }
    });
    view! {
        <header class="top">
            <h1>"Afina"</h1>
            <p class="tagline">
                {move || state.text(
                    "Valida tu dataset y entrena un clasificador en tu GPU, sin servidor.",
                    "Check your dataset and train a classifier on your GPU, with no server.",
                )}
            </p>
            {move || save_note(state)}
            <button data-testid="new-project" on:click=move |_| state.new_project()>
                {move || state.text("Nuevo proyecto", "New project")}
            </button>
            <button
                class="lang"
                data-testid="lang-switch"
                on:click=move |_| state.lang.update(|lang| *lang = lang.other())
            >
                {move || state.text("English", "Español")}
            </button>
        </header>
        <main>
            <LoadPanel/>
            <StreamPanel/>
            <DatasetPanel/>
            <ImproveStep/>
            <TrainPanel/>
            <PlaygroundPanel/>
            <ExportStep/>
            <VersionsPanel/>
        </main>
    }
}

/// Drop zone, file input and the sample button.
#[component]
fn LoadPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let paste_input = NodeRef::<leptos::html::Textarea>::new();
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if let Some(files) = event.data_transfer().and_then(|transfer| transfer.files()) {
            state.load_files(&files);
        }
    };
    let on_pick = move |event: leptos::ev::Event| {
        if let Some((_, files)) = picked_files(&event) {
            state.load_files(&files);
        }
    };
    let on_pick_validation = move |event: leptos::ev::Event| {
        if let Some(file) = picked_files(&event).and_then(|(_, files)| files.get(0)) {
            state.load_validation(file);
        }
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("1. Cargar", "1. Load")}</h2>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                data-testid="drop-zone"
                on:dragenter=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragover=move |event: leptos::ev::DragEvent| event.prevent_default()
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>
                    {move || state.text(
                        "Suelta aquí un archivo CSV, TSV, JSONL o Excel (.xlsx), o dos: entrenamiento y validación",
                        "Drop a CSV, TSV, JSONL or Excel (.xlsx) file here, or two: training and validation",
                    )}
                </p>
                <label class="button">
                    {move || state.text("Elegir archivo", "Choose a file")}
                    <input
                        type="file"
                        accept=DATASET_FILES
                        data-testid="file-input"
                        multiple
                        on:change=on_pick
                    />
                </label>
            </div>
            <label class="button">
                {move || state.text("Archivo de validación (opcional)", "Validation file (optional)")}
                <input
                    type="file"
                    accept=DATASET_FILES
                    data-testid="validation-input"
                    on:change=on_pick_validation
                />
            </label>
            {move || state.validation_file.get().map(|validation| {
                let rows = validation.examples().len();
                view! {
                    <p class="note" data-testid="validation-file" data-rows=rows>
                        {format!(
                            "{}: {} · {rows} {}",
                            state.text("Validación", "Validation"),
                            validation.file_name,
                            state.text(
                                "filas; el modelo se medirá con ellas en vez de apartar una parte del entrenamiento.",
                                "rows; the model is measured on them instead of a share of the training rows.",
                            )
                        )}
                        " "
                        <button class="link" data-testid="validation-remove" on:click=move |_| state.validation_file.set(None)>
                            {state.text("quitar", "remove")}
                        </button>
                    </p>
                }
            })}
            {move || state.validation_error.get().map(|error| view! {
                <p class="error" role="alert" data-testid="validation-error">{error}</p>
            })}
            <div class="samples">
                {SAMPLES
                    .iter()
                    .map(|sample| {
                        let Sample { file, testid, title } = *sample;
                        view! {
                            <button data-testid=testid on:click=move |_| state.load_sample(file)>
                                {move || state.text(title.0, title.1)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {move || {
                state.reading.get().map(|reading| reading_note(state, reading))
            }}
            {move || {
                state
                    .load_error
                    .get()
                    .map(|error| view! { <p class="error" role="alert" data-testid="load-error">{error}</p> })
            }}
            {move || {
                state.json_offer.get().then(|| view! {
                    <button data-testid="convert-json" on:click=move |_| state.read_source(true)>
                        {state.text(
                            "Leerlo como JSON Lines (un objeto por línea)",
                            "Read it as JSON Lines (one object per line)",
                        )}
                    </button>
                })
            }}
            {move || {
                let sheets = state.sheets.get();
                (!sheets.is_empty()).then(|| {
                    let chosen = state.sheet.get().or_else(|| sheets.first().cloned()).unwrap_or_default();
                    let options = sheets
                        .into_iter()
                        .map(|sheet| {
                            let selected = sheet == chosen;
                            view! { <option value=sheet.clone() selected=selected>{sheet.clone()}</option> }
                        })
                        .collect_view();
                    view! {
                        <label class="sheet">
                            {state.text("Hoja del libro: ", "Workbook sheet: ")}
                            <select
                                data-testid="sheet-select"
                                on:change=move |event| {
                                    state.sheet.set(Some(event_target_value(&event)));
                                    state.read_source(false);
                                }
                            >
                                {options}
                            </select>
                        </label>
                    }
                })
            }}
            {move || {
                let loaded = state.dataset.get().is_some()
                    || (state.load_error.get().is_some() && state.source.with_value(Option::is_some));
                loaded.then(|| view! { <ColumnChoice/> })
            }}
            <details class="paste">
                <summary>{move || state.text("…o pega el texto aquí", "…or paste the text here")}</summary>
                <label for="paste-input">
                    {move || state.text(
                        "CSV con cabecera (texto,etiqueta) o JSON Lines",
                        "CSV with a header (text,label) or JSON Lines",
                    )}
                </label>
                <textarea id="paste-input" data-testid="paste-input" rows="6" node_ref=paste_input></textarea>
                <button
                    data-testid="paste-button"
                    on:click=move |_| {
                        if let Some(input) = paste_input.get() {
                            let text = input.value();
                            if !text.trim().is_empty() {
                                state.load_bytes(state.text("texto-pegado.txt", "pasted-text.txt"), text.as_bytes());
                            }
                        }
                    }
                >
                    {move || state.text("Validar el texto pegado", "Check the pasted text")}
                </button>
            </details>
        </section>
    }
}

/// Name the text and label columns (or JSON keys) when the detected ones are wrong.
#[component]
fn ColumnChoice() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text_input = NodeRef::<leptos::html::Input>::new();
    let label_input = NodeRef::<leptos::html::Input>::new();
    let (text_now, label_now) = state.columns.get_untracked();
    let apply = move |_| {
        let value = |input: NodeRef<leptos::html::Input>| {
            input
                .get()
                .map(|input| input.value().trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        state.columns.set((value(text_input), value(label_input)));
        state.read_source(false);
    };
    view! {
        <details class="columns">
            <summary>{move || state.text("Elegir las columnas", "Choose the columns")}</summary>
            <label>
                {move || state.text("Columna del texto ", "Text column ")}
                <input type="text" data-testid="column-text" node_ref=text_input value=text_now.unwrap_or_default()/>
            </label>
            <label>
                {move || state.text(" Columna de la etiqueta ", " Label column ")}
                <input type="text" data-testid="column-label" node_ref=label_input value=label_now.unwrap_or_default()/>
            </label>
            <button data-testid="columns-apply" on:click=apply>
                {move || state.text("Leer con estas columnas", "Read with these columns")}
            </button>
        </details>
    }
}

/// Summary, findings and a preview of the rows.
#[component]
fn DatasetPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let dataset = state.dataset.get()?;
        let lang = state.lang.get();
        let rows = dataset.rows.len();
        let labels = dataset.label_counts();
        let label_text = labels
            .iter()
            .map(|(label, count)| format!("{label}: {count}"))
            .collect::<Vec<_>>()
            .join(" · ");
        let findings = grouped_findings(
            &dataset.findings,
            lang,
            Some(Callback::new(move |line| state.show_line(line))),
        );
        let token_reports = tokens::dataset_token_counts(&dataset).reports(
            MODELS
                .iter()
                .map(|model| (*model, model.usd_per_million_training_tokens)),
        );
        Some(view! {
            <section class="panel">
                <h2>{lang.pick("2. Validar", "2. Validate")}</h2>
                <p class="summary">
                    <strong>{dataset.file_name.clone()}</strong>
                    " · "
                    {dataset.format.to_string()}
                    " · "
                    {dataset.encoding.clone()}
                    " · "
                    <span data-testid="row-count" data-value=rows>
                        {format!("{rows} {}", lang.pick("filas válidas", "valid rows"))}
                    </span>
                    " · "
                    <span data-testid="error-count" data-value=dataset.error_count()>
                        {format!("{} {}", dataset.error_count(), lang.pick("errores", "errors"))}
                    </span>
                    " · "
                    <span>
                        {format!("{} {}", dataset.warning_count(), lang.pick("avisos", "warnings"))}
                    </span>
                </p>
                <p class="labels" data-testid="label-counts">{label_text}</p>
                {move || state.refresh.with(Option::is_some).then(|| view! {
                    <p class="note" role="status" data-testid="refreshing">
                        {state.text(
                            "Recalculando los avisos después del cambio…",
                            "Checking the rows again after the change…",
                        )}
                    </p>
                })}
                <DataCharts dataset=Arc::clone(&dataset) lang/>
                {findings}
                <FixPanel dataset=Arc::clone(&dataset) lang/>
                <TokenPanel reports=token_reports lang/>
                <RowsTable dataset=Arc::clone(&dataset) lang/>
            </section>
        })
    }
}

/// The "Improve" step, once a dataset is loaded.
#[component]
fn ImproveStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let dataset = state.dataset.get()?;
        let lang = state.lang.get();
        Some(view! {
            <section class="panel" data-testid="improve-step">
                <h2>{lang.pick("3. Mejorar", "3. Improve")}</h2>
                <ImprovePanel dataset lang/>
            </section>
        })
    }
}

/// The "Export" step, once a dataset is loaded.
#[component]
fn ExportStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let dataset = state.dataset.get()?;
        let lang = state.lang.get();
        Some(view! { <ExportPanel dataset lang/> })
    }
}

/// The device line: which device trains and why.
fn device_text(info: &DeviceInfo, lang: Lang) -> String {
    let seconds = |ms: f64| format!("{:.2} s", ms / 1000.0);
    match (info.kind, &info.trial) {
        (DeviceKind::WebGpu, None) => format!("WebGPU · {}", info.detail),
        (DeviceKind::WebGpu, Some(trial)) => format!(
            "WebGPU · {} — {} {} {} ({}: WebGPU {} · CPU {})",
            info.detail,
            lang.pick(
                "elegido automáticamente: fue más rápido en una prueba de",
                "chosen automatically: it was faster on a trial of"
            ),
            trial.rows,
            lang.pick("filas", "rows"),
            lang.pick("una época", "one epoch"),
            seconds(trial.webgpu_ms),
            seconds(trial.cpu_ms),
        ),
        (DeviceKind::Cpu, Some(trial)) => format!(
            "CPU — {} {} {} ({}: CPU {} · WebGPU {}){}",
            lang.pick(
                "elegida automáticamente: fue más rápida en una prueba de",
                "chosen automatically: it was faster on a trial of"
            ),
            trial.rows,
            lang.pick("filas", "rows"),
            lang.pick("una época", "one epoch"),
            seconds(trial.cpu_ms),
            seconds(trial.webgpu_ms),
            info.adapter
                .as_ref()
                .map(|adapter| format!(
                    ". {}: {adapter}",
                    lang.pick("WebGPU disponible", "WebGPU available")
                ))
                .unwrap_or_default(),
        ),
        (DeviceKind::Cpu, _) if info.gpu_fault.is_some() => format!(
            "CPU — {}: {}",
            lang.pick(
                "la GPU falló, así que se entrena en la CPU",
                "the GPU failed, so training goes on on the CPU"
            ),
            info.gpu_fault
                .as_ref()
                .map(|fault| lang.message(fault))
                .unwrap_or_default(),
        ),
        (DeviceKind::Cpu, None) if info.detail.is_empty() => {
            format!("CPU — {}", lang.pick("elegida por ti", "chosen by you"))
        }
        (DeviceKind::Cpu, None) => format!(
            "CPU — {}: {}",
            lang.pick("WebGPU no disponible", "WebGPU not available"),
            info.detail
        ),
    }
}

/// The settings, the train and stop buttons, the device, progress, curves and the result.
#[component]
fn TrainPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || matches!(state.train.get(), TrainView::Running { .. });
    // Versions are numbered after the stored ones: wait until they are read back.
    let can_train = move || {
        !running()
            && state.versions.restored.get()
            && state
                .dataset
                .get()
                .is_some_and(|dataset| dataset.label_counts().len() >= 2)
    };
    let device = move || {
        let lang = state.lang.get();
        state.device.get().map(|info| {
            let kind = match info.kind {
                DeviceKind::WebGpu => "webgpu",
                DeviceKind::Cpu => "cpu",
            };
            let trial = info.trial.is_some();
            view! {
                <p class="device" data-testid="device" data-kind=kind data-trial=trial.to_string()>
                    {device_text(&info, lang)}
                </p>
            }
        })
    };
    let progress = move || {
        let lang = state.lang.get();
        let TrainView::Running {
            fraction,
            eta_ms,
            epoch,
            epochs,
        } = state.train.get()
        else {
            return None;
        };
        let eta = eta_ms
            .map(|ms| format!(" · {} {:.0} s", lang.pick("quedan", "ETA"), ms / 1000.0))
            .unwrap_or_default();
        let epoch_text = if epochs > 0 {
            format!("{} {epoch}/{epochs}", lang.pick("Época", "Epoch"))
        } else {
            lang.pick(
                "Preparando (eligiendo el dispositivo)…",
                "Preparing (choosing the device)…",
            )
            .to_string()
        };
        Some(view! {
            <div class="running">
                <progress
                    data-testid="progress"
                    max="1"
                    value=fraction
                    aria-label=lang.pick("Progreso del entrenamiento", "Training progress")
                ></progress>
                <span>{format!("{epoch_text} · {:.0} %{eta}", fraction * 100.0)}</span>
                <button data-testid="stop-button" on:click=move |_| worker_client::send(&ToWorker::Stop)>
                    {lang.pick("Detener", "Stop")}
                </button>
            </div>
        })
    };
    let curves = move || {
        let lang = state.lang.get();
        let history = state.history.get();
        let best = match state.train.get() {
            TrainView::Done { summary, .. } => Some(summary.best_epoch),
            _ => None,
        };
        let history = if history.is_empty() {
            match state.train.get() {
                TrainView::Done { summary, .. } => summary.history.clone(),
                _ => history,
            }
        } else {
            history
        };
        (!history.is_empty()).then(|| view! { <Curves history best lang/> })
    };
    let body = move || {
        let lang = state.lang.get();
        match state.train.get() {
            TrainView::Idle | TrainView::Running { .. } => None,
            TrainView::Failed(error) => Some(
                view! {
                    <p class="error" role="alert" data-testid="train-error">{error}</p>
                }
                .into_any(),
            ),
            TrainView::GpuFailed(error) => Some(
                view! {
                    <div class="error gpu-failed" role="alert" data-testid="gpu-failed">
                        <p data-testid="train-error" data-gpu-fault="true">{error}</p>
                        <p>
                            {lang.pick(
                                "No se ha guardado nada de lo calculado en esa GPU. Puedes entrenar en la CPU (más lenta, pero fiable); para volver a probar la GPU, recarga la página.",
                                "Nothing computed on that GPU was kept. You can train on the CPU (slower, but reliable); to try the GPU again, reload the page.",
                            )}
                        </p>
                        <button
                            data-testid="continue-on-cpu"
                            on:click=move |_| state.start_training(Some(DeviceChoice::Cpu))
                        >
                            {lang.pick("Seguir en la CPU", "Continue on the CPU")}
                        </button>
                    </div>
                }
                .into_any(),
            ),
            TrainView::Done { version, summary } => {
                Some(view! { <TrainResult version summary=*summary lang/> }.into_any())
            }
        }
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("4. Entrenar", "4. Train")}</h2>
            <SettingsPanel/>
            <button
                class="primary"
                data-testid="train-button"
                disabled=move || !can_train()
                on:click=move |_| state.start_training(None)
            >
                {move || state.text("Entrenar el clasificador", "Train the classifier")}
            </button>
            {device}
            {progress}
            {curves}
            {body}
        </section>
    }
}

/// "Reading and validating reviews.csv…" with a bar (indeterminate until the reader says how
/// far it has got), the share done and the time left.
fn reading_note(state: AppState, reading: Reading) -> impl IntoView {
    let Reading {
        name,
        started,
        done,
        ..
    } = reading;
    let label = state.text("Leyendo", "Reading");
    let bar = if done > 0.0 {
        view! { <progress aria-label=label max="1" value=done></progress> }.into_any()
    } else {
        view! { <progress aria-label=label></progress> }.into_any()
    };
    let eta = (done >= ETA_FROM).then(|| {
        let seconds = (now_ms() - started) / done * (1.0 - done) / 1000.0;
        format!(
            " {:.0} % · {} {:.0} s",
            done * 100.0,
            state.text("quedan unos", "about"),
            seconds.ceil(),
        ) + state.text("", " left")
    });
    view! {
        <p class="note reading" data-testid="reading" data-done=done>
            {bar}
            " "
            <span role="status">
                {format!("{} {name}…", state.text("Leyendo y validando", "Reading and validating"))}
            </span>
            <span data-testid="reading-eta">{eta}</span>
        </p>
    }
}

/// The header's note on the autosave: "Saving…", "Saved in this browser", or why it failed
/// and what to do.
fn save_note(state: AppState) -> impl IntoView {
    let save = state.saved.get();
    let text = match &save {
        SaveState::Nothing => String::new(),
        SaveState::Saving => state.text("Guardando…", "Saving…").to_owned(),
        SaveState::Saved => state
            .text("Guardado en este navegador", "Saved in this browser")
            .to_owned(),
        SaveState::Failed(reason) => format!(
            "{} ({reason})",
            state.text(
                "No se pudo guardar en este navegador: exporta tu dataset para no perderlo",
                "Could not save in this browser: export your dataset so as not to lose it",
            )
        ),
    };
    let class = if matches!(save, SaveState::Failed(_)) {
        "save-error"
    } else {
        "saved"
    };
    view! {
        <span class=class data-testid="save-state" data-state=save.name() role="status">
            {text}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_serialised_in_chunks_reads_back_the_same() {
        let csv = "text,label\n\"a \"\"rows\"\":[] b\",x\nhola,y\nadiós,x\nbien,y\nmal,x\n";
        let dataset = afina_dataset::parse("\"rows\":[].csv", csv.as_bytes()).unwrap();
        assert_eq!(dataset.rows.len(), 5);
        let head =
            serde_json::to_string(&dataset_head(&dataset, dataset.findings.clone())).unwrap();
        let chunks: Vec<String> = dataset
            .rows
            .chunks(2)
            .map(|chunk| serde_json::to_string(chunk).unwrap())
            .collect();
        let json = splice_rows(&head, &chunks).unwrap();
        assert_eq!(serde_json::from_str::<Dataset>(&json).unwrap(), dataset);
        assert!(splice_rows("{}", &chunks).is_none());
    }
}
