//! Versions: every training run (v1, v2 …) and every model file loaded, kept in IndexedDB with
//! its data fingerprint, settings and metrics; a table to compare them, delete them, download
//! their model file and card, and load a model file back.

pub(crate) mod state;
pub(crate) mod version;

use leptos::prelude::*;

use crate::browser::picked_files;
use crate::i18n::PageLang;
use crate::steps::export::models::ModelExports;
use crate::steps::test::state::Playground;
use crate::steps::train::base_model::{BaseModelStorage, DownloadLine};
use crate::workers::protocol::{DeviceInfo, DeviceKind, ExportKind};
use state::Versions;
use version::Origin;

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
    let state = expect_context::<PageLang>();
    let versions = expect_context::<Versions>();
    let exports = expect_context::<ModelExports>();
    let playground = expect_context::<Playground>();
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
                                on:click=move |_| exports.request_export(id, ExportKind::Model)
                            >
                                ".afina"
                            </button>
                            <button
                                data-testid="version-download-card"
                                aria-label=format!("{} {name}", lang.pick("Descargar la ficha", "Download the card"))
                                on:click=move |_| exports.request_export(id, ExportKind::Card)
                            >
                                ".md"
                            </button>
                            <button
                                class="danger"
                                data-testid="version-delete"
                                aria-label=format!("{} {name}", lang.pick("Borrar", "Delete"))
                                on:click=move |_| versions.delete(id, move || playground.forget(id, versions))
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
            {move || (versions.awaiting_base_count.get() > 0).then(|| view! { <DownloadLine/> })}
            <BaseModelStorage/>
        </section>
    }
}
