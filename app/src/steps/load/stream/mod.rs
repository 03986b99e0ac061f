//! Big files: the report of a file validated as a stream in the worker.

pub(crate) mod state;

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{Lang, PageLang};
use crate::steps::validate::findings::{TokenPanel, grouped_findings};
use crate::workers::protocol::StreamValidation;
use state::{StreamState, StreamView};

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// Progress while a big file is read, then its report.
#[component]
pub(crate) fn StreamPanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let stream = expect_context::<StreamState>();
    move || {
        let lang = state.lang.get();
        match stream.view.get() {
            StreamView::Idle => None,
            StreamView::Reading {
                name,
                bytes,
                total,
                started,
            } => {
                let fraction = if total > 0.0 { bytes / total } else { 0.0 };
                let elapsed = crate::browser::now_ms() - started;
                let eta = (bytes > 0.0 && elapsed > 0.0).then(|| {
                    let seconds = elapsed / bytes * (total - bytes) / 1000.0;
                    format!(" · {} {seconds:.0} s", lang.pick("quedan", "ETA"))
                });
                Some(
                    view! {
                        <section class="panel">
                            <h2>{lang.pick("2. Validar", "2. Validate")}</h2>
                            <p>
                                <strong>{name}</strong>
                                {format!(
                                    " · {} {} {} {}",
                                    megabytes(bytes),
                                    lang.pick("de", "of"),
                                    megabytes(total),
                                    eta.unwrap_or_default()
                                )}
                            </p>
                            <progress data-testid="stream-progress" max="1" value=fraction></progress>
                        </section>
                    }
                    .into_any(),
                )
            }
            StreamView::Done(validation) => {
                Some(view! { <StreamReportView validation lang/> }.into_any())
            }
        }
    }
}

/// The report of a streamed file.
#[component]
fn StreamReportView(
    /// The worker's answer.
    validation: Arc<StreamValidation>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let report = &validation.report;
    let seconds = validation.ms / 1000.0;
    let speed = if seconds > 0.0 {
        report.bytes as f64 / 1e6 / seconds
    } else {
        0.0
    };
    let left_out = (report.findings_left_out > 0).then(|| {
        view! {
            <p class="note">
                {format!(
                    "{} {} {}",
                    lang.pick("Y", "And"),
                    report.findings_left_out,
                    lang.pick(
                        "hallazgos más (se muestran los primeros por línea).",
                        "more findings (the first ones by line are shown).",
                    )
                )}
            </p>
        }
    });
    let labels = report
        .labels
        .iter()
        .map(|(label, count)| format!("{label}: {count}"))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <section class="panel">
            <h2>{lang.pick("2. Validar", "2. Validate")}</h2>
            <p class="summary"
                data-testid="stream-summary"
                data-bytes=report.bytes
                data-ms=validation.ms
                data-check-ms=validation.check_ms
                data-lines=report.lines
                data-wasm-memory=validation.wasm_memory_bytes
            >
                <strong>{report.file_name.clone()}</strong>
                " · "
                {report.format.to_string()}
                " · "
                {report.encoding.clone()}
                " · "
                {format!("{} {}", report.lines, lang.pick("líneas", "lines"))}
                " · "
                <span data-testid="row-count" data-value=report.rows>
                    {format!("{} {}", report.rows, lang.pick("filas válidas", "valid rows"))}
                </span>
                " · "
                <span data-testid="error-count" data-value=report.errors>
                    {format!("{} {}", report.errors, lang.pick("errores", "errors"))}
                </span>
                " · "
                <span>{format!("{} {}", report.warnings, lang.pick("avisos", "warnings"))}</span>
            </p>
            <p class="note">
                {format!(
                    "{} {} {} {seconds:.1} s ({speed:.0} MB/s). {}",
                    lang.pick("Archivo grande:", "Big file:"),
                    megabytes(report.bytes as f64),
                    lang.pick("revisados línea a línea en", "checked line by line in"),
                    lang.pick(
                        "Se revisaron el formato de cada línea y el informe de calidad completo (duplicados, casi duplicados, \
                         etiquetas en conflicto, estilo, datos personales, mojibake) sin cargar el archivo entero; la tabla, \
                         las correcciones y el entrenamiento son para archivos de hasta 32 MB.",
                        "Every line's format and the whole quality report (duplicates, near duplicates, conflicting labels, \
                         style, personal data, mojibake) were checked without loading the whole file; the table, fixes and \
                         training are for files up to 32 MB.",
                    )
                )}
            </p>
            <p class="labels" data-testid="label-counts">{labels}</p>
            {grouped_findings(&report.findings, lang, None)}
            {left_out}
            <TokenPanel reports=report.tokens.clone() lang/>
        </section>
    }
}
