//! Versions: every training run (v1, v2 …) and every model file loaded, kept in IndexedDB with
//! its data fingerprint, settings and metrics; a table to compare them, delete them, download
//! their model file and card, and load a model file back.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::browser::{now_ms, picked_files};
use crate::i18n::Lang;
use crate::protocol::{DeviceInfo, DeviceKind, ExportKind, ModelInfo, ToWorker, TrainSummary};
use crate::store;
use crate::ui::AppState;
use crate::worker_client;

/// Where a version came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Origin {
    /// Trained in this tab.
    Trained,
    /// Read from a model file the user loaded.
    Loaded {
        /// The file's name.
        file: String,
    },
}

/// A kept model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Its number: v1, v2 …
    pub id: u32,
    /// When it was made or loaded (ms since the epoch).
    pub created_ms: f64,
    /// Trained here or loaded from a file.
    pub origin: Origin,
    /// What its model file says about itself.
    pub info: ModelInfo,
    /// The run's results, for a version trained here.
    pub summary: Option<TrainSummary>,
    /// The device it trained on, for a version trained here.
    pub device: Option<DeviceInfo>,
}

impl Version {
    /// "v3".
    pub fn name(&self) -> String {
        format!("v{}", self.id)
    }

    /// Its metrics on its validation rows, when known.
    fn accuracy(&self) -> Option<f32> {
        self.info.metrics.as_ref().map(|metrics| metrics.accuracy)
    }
}

/// A model file on its way to the worker.
#[derive(Clone)]
enum PendingLoad {
    /// A file the user picked: becomes a new version once read.
    File {
        /// The file's name.
        name: String,
        /// Its bytes, to keep in IndexedDB.
        blob: web_sys::Blob,
    },
    /// A stored version given back to the worker after a reload.
    Restore,
}

/// The page's versions, shared through [`AppState`].
#[derive(Clone, Copy)]
pub(crate) struct Versions {
    /// Every version, oldest first.
    pub(crate) list: RwSignal<Vec<Version>>,
    /// Model files sent to the worker, by the version number they will get.
    pending: StoredValue<HashMap<u32, PendingLoad>>,
    /// Highest number given so far (numbers are never reused while the page lives).
    last_id: StoredValue<u32>,
    /// Why the last load, save or delete failed.
    pub(crate) error: RwSignal<Option<String>>,
    /// The stored versions have been read back (or there were none).
    pub(crate) restored: RwSignal<bool>,
    /// Versions whose record and model file are not (or not yet) written to IndexedDB.
    writing: RwSignal<HashSet<u32>>,
}

impl Versions {
    pub(crate) fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            pending: StoredValue::new(HashMap::new()),
            last_id: StoredValue::new(0),
            error: RwSignal::new(None),
            restored: RwSignal::new(false),
            writing: RwSignal::new(HashSet::new()),
        }
    }

    /// A fresh version number.
    pub(crate) fn next_id(&self) -> u32 {
        let highest = self
            .list
            .with_untracked(|list| list.iter().map(|version| version.id).max().unwrap_or(0));
        let id = highest.max(self.last_id.get_value()) + 1;
        self.last_id.set_value(id);
        id
    }

    /// The newest version's number.
    pub(crate) fn newest(&self) -> Option<u32> {
        self.list
            .with_untracked(|list| list.last().map(|version| version.id))
    }

    /// Reads the stored versions and hands their model files to the worker.
    pub(crate) fn restore(self, on_done: impl FnOnce(Option<u32>) + 'static) {
        spawn_local(async move {
            match store::versions().await {
                Ok(stored) => {
                    let mut list = Vec::with_capacity(stored.len());
                    for (version, blob) in stored {
                        self.pending.update_value(|pending| {
                            pending.insert(version.id, PendingLoad::Restore);
                        });
                        worker_client::send_with_blob(
                            &ToWorker::Load {
                                version: version.id,
                            },
                            &blob,
                        );
                        list.push(version);
                    }
                    self.list.set(list);
                }
                Err(error) => self.error.set(Some(error)),
            }
            self.restored.set(true);
            on_done(self.newest());
        });
    }

    /// Keeps a finished run as a new version.
    pub(crate) fn add_trained(
        &self,
        id: u32,
        summary: TrainSummary,
        device: Option<DeviceInfo>,
        model: Option<web_sys::Blob>,
    ) {
        let version = Version {
            id,
            created_ms: now_ms(),
            origin: Origin::Trained,
            info: summary.model.clone(),
            summary: Some(summary),
            device,
        };
        self.keep(version, model);
    }

    fn keep(&self, version: Version, model: Option<web_sys::Blob>) {
        self.list.update(|list| {
            list.retain(|kept| kept.id != version.id);
            list.push(version.clone());
            list.sort_by_key(|kept| kept.id);
        });
        let errors = self.error;
        let Some(model) = model else {
            errors.set(Some(format!(
                "{}: the model file did not arrive, so it is not saved",
                version.name()
            )));
            return;
        };
        let writing = self.writing;
        writing.update(|writing| {
            writing.insert(version.id);
        });
        spawn_local(async move {
            match store::save_version(&version, &model).await {
                Ok(()) => writing.update(|writing| {
                    writing.remove(&version.id);
                }),
                // The row keeps saying it is not stored (data-stored="false").
                Err(error) => errors.set(Some(format!("{}: {error}", version.name()))),
            }
        });
    }

    /// Sends a model file the user picked to the worker; it becomes a version once read.
    pub(crate) fn load_file(&self, file: web_sys::File) {
        let id = self.next_id();
        self.error.set(None);
        self.pending.update_value(|pending| {
            pending.insert(
                id,
                PendingLoad::File {
                    name: file.name(),
                    blob: file.clone().into(),
                },
            );
        });
        worker_client::send_with_blob(&ToWorker::Load { version: id }, &file);
    }

    /// The worker's answer to a load. Returns the new version's number when a picked file
    /// became one.
    pub(crate) fn loaded(
        &self,
        id: u32,
        result: Result<ModelInfo, String>,
        lang: Lang,
    ) -> Option<u32> {
        let mut pending = None;
        self.pending
            .update_value(|loads| pending = loads.remove(&id));
        match (pending?, result) {
            (PendingLoad::File { name, blob }, Ok(info)) => {
                let version = Version {
                    id,
                    created_ms: now_ms(),
                    origin: Origin::Loaded { file: name },
                    info,
                    summary: None,
                    device: None,
                };
                self.keep(version, Some(blob));
                Some(id)
            }
            (PendingLoad::File { name, .. }, Err(error)) => {
                self.error.set(Some(format!(
                    "{name}: {} {error}. {}",
                    lang.pick("no se pudo leer el modelo:", "the model could not be read:"),
                    lang.pick(
                        "Elige un archivo .afina descargado de Afina.",
                        "Choose an .afina file downloaded from Afina.",
                    )
                )));
                None
            }
            (PendingLoad::Restore, Err(error)) => {
                self.error.set(Some(format!(
                    "v{id}: {} {error}",
                    lang.pick(
                        "el modelo guardado no se pudo leer:",
                        "the stored model could not be read:"
                    )
                )));
                None
            }
            (PendingLoad::Restore, Ok(_)) => None,
        }
    }

    /// Forgets a version in IndexedDB, then here and in the worker; `then` runs once it is gone.
    /// The row stays until the browser has committed the deletion, so a reload (or a closed
    /// tab) right after the click never brings it back; when the storage fails the row stays
    /// and the error is shown.
    pub(crate) fn delete(self, id: u32, then: impl FnOnce() + 'static) {
        spawn_local(async move {
            match store::delete_version(id).await {
                Ok(()) => {
                    self.list
                        .update(|list| list.retain(|version| version.id != id));
                    worker_client::send(&ToWorker::Forget { version: id });
                    then();
                }
                Err(error) => self.error.set(Some(error)),
            }
        });
    }
}

/// A local date and time, "2026-11-22 14:05" (built from the date's fields: the first
/// `Intl.DateTimeFormat` of a page takes ~50 ms to load its locale data).
fn when(created_ms: f64) -> String {
    let date = js_sys::Date::new(&created_ms.into());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// "WebGPU" or "CPU" for the table.
fn device_name(device: Option<&DeviceInfo>) -> &'static str {
    match device.map(|device| device.kind) {
        Some(DeviceKind::WebGpu) => "WebGPU",
        Some(DeviceKind::Cpu) => "CPU",
        None => "—",
    }
}

/// The versions table, the model-file input and each version's actions.
#[component]
pub(crate) fn VersionsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let versions = state.versions;
    let on_pick = move |event: leptos::ev::Event| {
        let Some((input, files)) = picked_files(&event) else {
            return;
        };
        if let Some(file) = files.get(0) {
            versions.load_file(file);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    let rows = move || {
        let lang = state.lang.get();
        versions
            .list
            .get()
            .into_iter()
            .rev()
            .map(|version| {
                let id = version.id;
                let origin = match &version.origin {
                    Origin::Trained => lang.pick("entrenado aquí", "trained here").to_string(),
                    Origin::Loaded { file } => format!("{} {file}", lang.pick("cargado de", "loaded from")),
                };
                let source = version.info.source.clone().unwrap_or_else(|| "—".into());
                // "fnv1a64:0123…": the hash after the algorithm's name, shortened.
                let fingerprint: String = version
                    .info
                    .fingerprint
                    .rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(8)
                    .collect();
                let rows = version
                    .info
                    .train_rows
                    .map_or_else(|| "—".to_string(), |rows| rows.to_string());
                let accuracy = version
                    .accuracy()
                    .map_or_else(|| "—".to_string(), |accuracy| lang.percent(accuracy));
                let macro_f1 = version
                    .info
                    .metrics
                    .as_ref()
                    .map_or_else(|| "—".to_string(), |metrics| lang.percent(metrics.macro_f1));
                let baseline = version.info.metrics.as_ref().map_or_else(
                    || "—".to_string(),
                    |metrics| lang.percent(metrics.majority_baseline),
                );
                let settings = version
                    .info
                    .settings
                    .iter()
                    .filter(|(name, _)| {
                        ["epochs", "optimizer", "batch size", "class weights"]
                            .iter()
                            .any(|wanted| name.to_lowercase().starts_with(wanted))
                    })
                    .map(|(name, value)| format!("{name}: {value}"))
                    .collect::<Vec<_>>()
                    .join(" · ");
                let all_settings = version
                    .info
                    .settings
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let name = version.name();
                view! {
                    <tr
                        data-testid="version-row"
                        data-version=id
                        data-accuracy=version.accuracy().unwrap_or(f32::NAN)
                        data-stored=move || {
                            if versions.writing.with(|writing| writing.contains(&id)) { "false" } else { "true" }
                        }
                    >
                        <th scope="row">{name.clone()}</th>
                        <td>{when(version.created_ms)}</td>
                        <td>{origin}</td>
                        <td>{source}</td>
                        <td class="num">{rows}</td>
                        <td><code title=version.info.fingerprint.clone()>{fingerprint}</code></td>
                        <td>{device_name(version.device.as_ref())}</td>
                        <td class="num" data-testid="version-accuracy">{accuracy}</td>
                        <td class="num">{macro_f1}</td>
                        <td class="num">{baseline}</td>
                        <td class="settings" title=all_settings>{settings}</td>
                        <td class="actions">
                            <button
                                data-testid="version-download-model"
                                aria-label=format!("{} {name}", lang.pick("Descargar el modelo", "Download the model"))
                                on:click=move |_| state.request_export(id, ExportKind::Model)
                            >
                                ".afina"
                            </button>
                            <button
                                data-testid="version-download-card"
                                aria-label=format!("{} {name}", lang.pick("Descargar la ficha", "Download the card"))
                                on:click=move |_| state.request_export(id, ExportKind::Card)
                            >
                                ".md"
                            </button>
                            <button
                                class="danger"
                                data-testid="version-delete"
                                aria-label=format!("{} {name}", lang.pick("Borrar", "Delete"))
                                on:click=move |_| state.delete_version(id)
                            >
                                {lang.pick("Borrar", "Delete")}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel" data-testid="versions">
            <h2>{move || state.text("Versiones", "Versions")}</h2>
            <p class="note">
                {move || state.text(
                    "Cada entrenamiento se guarda en este navegador (IndexedDB) con la huella de sus datos, sus ajustes y sus métricas. Nada sale de la pestaña.",
                    "Every training run is kept in this browser (IndexedDB) with its data fingerprint, settings and metrics. Nothing leaves the tab.",
                )}
            </p>
            {move || {
                let empty = versions.list.with(Vec::is_empty);
                (empty && versions.restored.get()).then(|| view! {
                    <p data-testid="versions-empty">
                        {state.text("Aún no hay versiones: entrena un modelo o carga un archivo .afina.", "No versions yet: train a model or load an .afina file.")}
                    </p>
                })
            }}
            {move || (!versions.list.with(Vec::is_empty)).then(|| view! {
                <div class="table-wrap">
                    <table class="versions" data-testid="versions-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || state.text("Versión", "Version")}</th>
                                <th scope="col">{move || state.text("Fecha", "Date")}</th>
                                <th scope="col">{move || state.text("Origen", "Origin")}</th>
                                <th scope="col">{move || state.text("Datos", "Data")}</th>
                                <th scope="col">{move || state.text("Filas", "Rows")}</th>
                                <th scope="col">{move || state.text("Huella", "Fingerprint")}</th>
                                <th scope="col">{move || state.text("Dispositivo", "Device")}</th>
                                <th scope="col">{move || state.text("Exactitud", "Accuracy")}</th>
                                <th scope="col">"F1 macro"</th>
                                <th scope="col">{move || state.text("Línea base", "Baseline")}</th>
                                <th scope="col">{move || state.text("Ajustes", "Settings")}</th>
                                <th scope="col">{move || state.text("Acciones", "Actions")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            <label class="button">
                {move || state.text("Cargar un modelo (.afina)", "Load a model (.afina)")}
                <input
                    type="file"
                    accept=".afina"
                    data-testid="model-input"
                    disabled=move || !versions.restored.get()
                    on:change=on_pick
                />
            </label>
            {move || versions.error.get().map(|error| view! {
                <p class="error" role="alert" data-testid="versions-error">{error}</p>
            })}
        </section>
    }
}
