//! The page: load a file, see its rows and problems, train in the worker, try the model.

use std::sync::Arc;

use afina_dataset::tokens::{self, MODELS};
use afina_dataset::{Dataset, FileError, ParseOptions, parse_with, parse_xlsx, sheet_names};
use afina_trainer::{LabelScore, Progress, TrainConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::browser::{blob_bytes, download, fetch_bytes, now_ms, text_blob, today};
use crate::fix_view::{FixPanel, row_cells};
use crate::i18n::Lang;
use crate::improve_view::{AugmentPlan, ImprovePanel};
use crate::protocol::{
    DeviceInfo, DeviceKind, ExportKind, FromWorker, ModelExport, StreamRefusal, StreamValidation,
    ToWorker, TrainSummary,
};
use crate::result_view::TrainResult;
use crate::stream_view::{
    STREAM_MAX_FINDINGS, StreamPanel, StreamView, TokenPanel, WHOLE_FILE_LIMIT, findings_list,
};
use crate::worker_client;

/// Rows shown in the preview table.
const PREVIEW_ROWS: usize = 200;
/// The built-in sample, served from `public/samples/`.
const SAMPLE_URL: &str = "samples/resenas.csv";
const SAMPLE_NAME: &str = "resenas.csv";

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
    Done(TrainSummary),
    Failed(String),
}

/// The page's state, shared with every panel through context.
#[derive(Clone, Copy)]
pub(crate) struct AppState {
    pub(crate) lang: RwSignal<Lang>,
    dataset: RwSignal<Option<Arc<Dataset>>>,
    load_error: RwSignal<Option<String>>,
    device: RwSignal<Option<DeviceInfo>>,
    train: RwSignal<TrainView>,
    predictions: RwSignal<Vec<LabelScore>>,
    prediction_error: RwSignal<Option<String>>,
    /// Id of the latest prediction request: older answers are dropped.
    prediction_id: StoredValue<u64>,
    /// When the current run started (ms), for the ETA.
    run_started: StoredValue<f64>,
    /// A big file being (or having been) validated as a stream.
    pub(crate) stream: RwSignal<StreamView>,
    /// Id of the latest stream validation: older answers are dropped.
    stream_id: StoredValue<u64>,
    /// The file read whole last (name and bytes), to read it again another way.
    source: StoredValue<Option<(String, Arc<Vec<u8>>)>>,
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
}

impl AppState {
    fn new() -> Self {
        Self {
            lang: RwSignal::new(Lang::from_browser()),
            dataset: RwSignal::new(None),
            load_error: RwSignal::new(None),
            device: RwSignal::new(None),
            train: RwSignal::new(TrainView::Idle),
            predictions: RwSignal::new(Vec::new()),
            prediction_error: RwSignal::new(None),
            prediction_id: StoredValue::new(0),
            run_started: StoredValue::new(0.0),
            stream: RwSignal::new(StreamView::Idle),
            stream_id: StoredValue::new(0),
            source: StoredValue::new(None),
            sheets: RwSignal::new(Vec::new()),
            sheet: RwSignal::new(None),
            json_offer: RwSignal::new(false),
            undo: RwSignal::new(Vec::new()),
            columns: RwSignal::new((None, None)),
            export_error: RwSignal::new(None),
            augmentation: RwSignal::new(None),
        }
    }

    /// The name files exported from this dataset start with.
    fn export_stem(&self) -> String {
        let name = self
            .dataset
            .get_untracked()
            .map(|dataset| dataset.file_name.clone())
            .unwrap_or_default();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        if stem.is_empty() {
            "modelo".to_string()
        } else {
            stem.to_string()
        }
    }

    /// Asks the worker for the model file and its cards; the answer triggers the download.
    pub(crate) fn request_export(&self, kind: ExportKind) {
        self.export_error.set(None);
        worker_client::send(&ToWorker::Export {
            kind,
            date: today(),
            title: self.export_stem(),
        });
    }

    fn exported(
        &self,
        kind: ExportKind,
        result: Result<ModelExport, String>,
        blob: Option<web_sys::Blob>,
    ) {
        let stem = self.export_stem();
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
            self.export_error.set(Some(error));
        }
    }

    fn text(&self, es: &'static str, en: &'static str) -> &'static str {
        self.lang.get().pick(es, en)
    }

    /// Applies a message from the worker (`blob`: a file that came beside it).
    fn receive(&self, message: FromWorker, blob: Option<web_sys::Blob>) {
        match message {
            FromWorker::Exported { kind, result } => self.exported(kind, result, blob),
            FromWorker::Ready => {}
            FromWorker::Device(info) => self.device.set(Some(info)),
            FromWorker::Progress(progress) => self.progress(&progress),
            FromWorker::Finished(Ok(summary)) => {
                self.train.set(TrainView::Done(summary));
                self.predict_current();
            }
            FromWorker::Finished(Err(error)) => self.train.set(TrainView::Failed(error)),
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
                if id != self.prediction_id.get_value() {
                    return;
                }
                match result {
                    Ok(prediction) => {
                        self.prediction_error.set(None);
                        self.predictions.set(prediction.scores);
                    }
                    Err(error) => self.prediction_error.set(Some(error)),
                }
            }
        }
    }

    fn progress(&self, progress: &Progress) {
        match progress {
            Progress::Started { epochs, .. } => {
                self.run_started.set_value(now_ms());
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
            Progress::Epoch(_) => {}
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
                            "el archivo es demasiado grande para leerlo entero y no es JSON Lines en UTF-8",
                            "the file is too big to read whole and is not JSON Lines in UTF-8",
                        ),
                        lang.pick(
                            "Guárdalo como JSONL en UTF-8 o divídelo en archivos de menos de 32 MB.",
                            "Save it as JSONL in UTF-8, or split it into files under 32 MB.",
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
        self.predictions.set(Vec::new());
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

    /// Replaces the dataset with its fixed copy, keeping the current one for undo.
    pub(crate) fn apply_fix(&self, fixed: Dataset) {
        if let Some(current) = self.dataset.get_untracked() {
            self.undo.update(|stack| stack.push(current));
        }
        self.train.set(TrainView::Idle);
        self.dataset.set(Some(Arc::new(fixed)));
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

    /// Parses the file read last: the chosen sheet of a workbook, and JSON lists or
    /// multi-line JSON read as JSON Lines when `convert_json` is set.
    fn read_source(&self, convert_json: bool) {
        let Some((name, bytes)) = self.source.get_value() else {
            return;
        };
        self.train.set(TrainView::Idle);
        self.predictions.set(Vec::new());
        let (text_column, label_column) = self.columns.get_untracked();
        let options = ParseOptions {
            text_column,
            label_column,
            convert_json,
        };
        let result = match self.sheet.get_untracked() {
            Some(sheet) => parse_xlsx(&name, &bytes, Some(&sheet), &options),
            None => parse_with(&name, &bytes, &options),
        };
        self.undo.set(Vec::new());
        match result {
            Ok(dataset) => {
                self.load_error.set(None);
                self.json_offer.set(false);
                self.dataset.set(Some(Arc::new(dataset)));
            }
            Err(error) => {
                self.dataset.set(None);
                self.json_offer.set(matches!(
                    error,
                    FileError::JsonArray { .. } | FileError::MultiLineJson { .. }
                ));
                self.load_error
                    .set(Some(self.lang.get_untracked().message(&error.message())));
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

    fn load_sample(self) {
        spawn_local(async move {
            match fetch_bytes(SAMPLE_URL).await {
                Ok(bytes) => self.load_bytes(SAMPLE_NAME, &bytes),
                Err(error) => self.load_error.set(Some(error)),
            }
        });
    }

    fn start_training(&self) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        self.predictions.set(Vec::new());
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
        worker_client::send(&ToWorker::Train {
            examples,
            validation,
            source: dataset.file_name.clone(),
            config: TrainConfig::default(),
        });
    }

    fn predict(&self, text: String) {
        let id = self.prediction_id.get_value() + 1;
        self.prediction_id.set_value(id);
        if text.trim().is_empty() {
            self.predictions.set(Vec::new());
            return;
        }
        worker_client::send(&ToWorker::Predict { id, text });
    }

    /// Re-runs the prediction for the text already typed (after a new model arrives).
    fn predict_current(&self) {
        let text = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.query_selector("[data-testid=predict-input]").ok())
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default();
        self.predict(text);
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    if let Err(error) = worker_client::connect(move |message, blob| state.receive(message, blob)) {
        state.train.set(TrainView::Failed(format!(
            "the training worker did not start: {error}"
        )));
    }
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
            <TrainPanel/>
            <PredictPanel/>
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
        let file = event
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            state.load_file(file);
        }
    };
    let on_pick = move |event: leptos::ev::Event| {
        let file = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            state.load_file(file);
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
                        "Suelta aquí un archivo CSV, TSV, JSONL o Excel (.xlsx)",
                        "Drop a CSV, TSV, JSONL or Excel (.xlsx) file here",
                    )}
                </p>
                <label class="button">
                    {move || state.text("Elegir archivo", "Choose a file")}
                    <input
                        type="file"
                        accept=".csv,.tsv,.jsonl,.json,.txt,.xlsx"
                        data-testid="file-input"
                        on:change=on_pick
                    />
                </label>
                <button data-testid="sample-button" on:click=move |_| state.load_sample()>
                    {move || state.text(
                        "Probar con el ejemplo (reseñas de restaurantes)",
                        "Try the sample (restaurant reviews)",
                    )}
                </button>
            </div>
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
        let findings = findings_list(&dataset.findings, lang);
        let token_reports = tokens::dataset_token_counts(&dataset).reports(
            MODELS
                .iter()
                .map(|model| (*model, model.usd_per_million_training_tokens)),
        );
        let table_rows = dataset
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|row| {
                let (text, label) = row_cells(row);
                view! {
                    <tr>
                        <td class="num">{row.line}</td>
                        <td>{text}</td>
                        <td>{label}</td>
                    </tr>
                }
            })
            .collect_view();
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
                {findings}
                <FixPanel dataset=Arc::clone(&dataset) lang/>
                <ImprovePanel dataset=Arc::clone(&dataset) lang/>
                <TokenPanel reports=token_reports lang/>
                <div class="table-wrap">
                    <table data-testid="rows">
                        <thead>
                            <tr>
                                <th>{lang.pick("Línea", "Line")}</th>
                                <th>{lang.pick("Texto", "Text")}</th>
                                <th>{lang.pick("Etiqueta", "Label")}</th>
                            </tr>
                        </thead>
                        <tbody>{table_rows}</tbody>
                    </table>
                </div>
                {(rows > PREVIEW_ROWS).then(|| view! {
                    <p class="note">
                        {format!("{} {PREVIEW_ROWS} {} {rows}", lang.pick("Se muestran", "Showing"), lang.pick("de", "of"))}
                    </p>
                })}
            </section>
        })
    }
}

/// The train button, the device, progress and the result.
#[component]
fn TrainPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || matches!(state.train.get(), TrainView::Running { .. });
    let can_train = move || {
        !running()
            && state
                .dataset
                .get()
                .is_some_and(|dataset| dataset.label_counts().len() >= 2)
    };
    let device = move || {
        let lang = state.lang.get();
        state.device.get().map(|info| {
            let (kind, text) = match info.kind {
                DeviceKind::WebGpu => ("webgpu", format!("WebGPU · {}", info.detail)),
                DeviceKind::Cpu => (
                    "cpu",
                    format!(
                        "CPU — {}: {}",
                        lang.pick("WebGPU no disponible", "WebGPU not available"),
                        info.detail
                    ),
                ),
            };
            view! { <p class="device" data-testid="device" data-kind=kind>{text}</p> }
        })
    };
    let body = move || {
        let lang = state.lang.get();
        match state.train.get() {
            TrainView::Idle => None,
            TrainView::Running {
                fraction,
                eta_ms,
                epoch,
                epochs,
            } => {
                let eta = eta_ms
                    .map(|ms| format!(" · {} {:.0} s", lang.pick("quedan", "ETA"), ms / 1000.0))
                    .unwrap_or_default();
                let epoch_text = if epochs > 0 {
                    format!("{} {epoch}/{epochs}", lang.pick("Época", "Epoch"))
                } else {
                    lang.pick("Preparando…", "Preparing…").to_string()
                };
                Some(view! {
                    <div class="running">
                        <progress data-testid="progress" max="1" value=fraction></progress>
                        <span>{format!("{epoch_text} · {:.0} %{eta}", fraction * 100.0)}</span>
                        <button data-testid="stop-button" on:click=move |_| worker_client::send(&ToWorker::Stop)>
                            {lang.pick("Detener", "Stop")}
                        </button>
                    </div>
                }
                .into_any())
            }
            TrainView::Failed(error) => Some(
                view! {
                    <p class="error" role="alert" data-testid="train-error">{error}</p>
                }
                .into_any(),
            ),
            TrainView::Done(summary) => Some(view! { <TrainResult summary lang/> }.into_any()),
        }
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("3. Entrenar", "3. Train")}</h2>
            <button
                class="primary"
                data-testid="train-button"
                disabled=move || !can_train()
                on:click=move |_| state.start_training()
            >
                {move || state.text("Entrenar el clasificador", "Train the classifier")}
            </button>
            {device}
            {body}
        </section>
    }
}

/// Accuracy against the majority baseline, per-epoch history and training time.
/// A text box classified as the user types.
#[component]
fn PredictPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let trained = move || matches!(state.train.get(), TrainView::Done(_));
    let scores = move || {
        let lang = state.lang.get();
        state
            .predictions
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, score)| {
                let percent = (score.probability * 100.0).round();
                let width = format!("width: {percent}%");
                view! {
                    <li
                        data-testid="prediction"
                        data-rank=index + 1
                        data-label=score.label.clone()
                        data-confidence=score.probability
                    >
                        <span class="label">{format!("{} · {percent:.0} %", score.label)}</span>
                        <span class="bar"><span class="fill" style=width></span></span>
                        <span class="sr-only">{lang.pick(" de confianza", " confidence")}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("4. Probar", "4. Test")}</h2>
            <label for="predict-input">
                {move || state.text("Escribe una frase para clasificarla", "Type a sentence to classify it")}
            </label>
            <input
                id="predict-input"
                type="text"
                data-testid="predict-input"
                disabled=move || !trained()
                placeholder=move || state.text("La comida estaba deliciosa", "The food was delicious")
                on:input=move |event| state.predict(event_target_value(&event))
            />
            <ul class="predictions">{scores}</ul>
            {move || state.prediction_error.get().map(|error| view! { <p class="error">{error}</p> })}
        </section>
    }
}
