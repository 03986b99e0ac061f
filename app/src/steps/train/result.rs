//! The results of a finished run: accuracy beside the majority baseline, per-class scores,
//! confusion matrix, calibration, the most confidently wrong rows, and the downloads.

use afina_trainer::{Calibration, Metrics, Misclassified};
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::steps::export::models::ModelExports;
use crate::steps::validate::rows::state::Table;
use crate::workers::protocol::{ExportKind, TrainSummary};

/// Everything about a finished run.
/// What a model on the pretrained encoder is: base model, stage and method, trainable
/// parameters (from the model's own record); nothing for the n-gram model.
fn model_facts(summary: &TrainSummary, lang: Lang) -> Option<impl IntoView + use<>> {
    let settings = &summary.model.settings;
    let on_encoder = settings
        .iter()
        .any(|(key, value)| key == "model" && value != "ngram");
    if !on_encoder {
        return None;
    }
    let name = |key: &str| match key {
        "model" => lang.pick("modelo", "model"),
        "base model" => lang.pick("modelo base", "base model"),
        "trainable parameters" => lang.pick("parámetros entrenados", "trainable parameters"),
        "stage" => lang.pick("etapa", "stage"),
        _ => "",
    };
    let rows = settings
        .iter()
        .filter(|(key, _)| {
            matches!(
                key.as_str(),
                "model" | "base model" | "trainable parameters"
            ) || key.starts_with("stage")
                || key.contains("method")
                || key.contains("lora")
                || key.contains("unfrozen")
        })
        .map(|(key, value)| {
            let shown = match name(key) {
                "" => key.clone(),
                known => known.to_string(),
            };
            view! { <li data-key=key.clone()><strong>{shown}</strong>": "{value.clone()}</li> }
        })
        .collect_view();
    Some(view! { <ul class="model-facts" data-testid="model-facts">{rows}</ul> })
}

#[component]
pub(crate) fn TrainResult(
    /// The version the run made.
    version: u32,
    /// The finished run.
    summary: TrainSummary,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let accuracy = summary.validation.accuracy;
    let history = summary
        .history
        .iter()
        .map(|report| {
            view! {
                <tr class:best=report.epoch == summary.best_epoch>
                    <td class="num">{report.epoch}</td>
                    <td class="num">{format!("{:.3}", report.train_loss)}</td>
                    <td class="num">{lang.percent(report.train_accuracy)}</td>
                    <td class="num">{format!("{:.3}", report.validation_loss)}</td>
                    <td class="num">{lang.percent(report.validation_accuracy)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="result">
            <p class="big">
                {lang.pick("Exactitud en validación: ", "Validation accuracy: ")}
                <strong data-testid="accuracy" data-value=accuracy>{lang.percent(accuracy)}</strong>
                <span class="baseline">
                    {format!(
                        " ({} {})",
                        lang.pick("antes, respondiendo siempre la clase mayoritaria:", "before, always answering the majority class:"),
                        lang.percent(summary.validation.majority_baseline)
                    )}
                </span>
            </p>
            <p data-testid="train-time" data-best-epoch=summary.best_epoch data-epochs=summary.history.len() data-ms=summary.train_ms data-train-rows=summary.train_rows data-validation-rows=summary.validation.rows data-worker-memory=summary.worker_memory_bytes>
                {format!(
                    "{} {:.1} s · {} {} · {} {}",
                    lang.pick("Entrenado en", "Trained in"),
                    summary.train_ms / 1000.0,
                    summary.validation.rows,
                    lang.pick("filas de validación", "validation rows"),
                    lang.pick("mejor época", "best epoch"),
                    summary.best_epoch
                )}
            </p>
            {model_facts(&summary, lang)}
            {(summary.stopped_by_user || summary.stopped_early).then(|| {
                let text = if summary.stopped_by_user {
                    format!(
                        "{} {}.",
                        lang.pick(
                            "Lo detuviste: se guardó la mejor época hasta ese momento, la",
                            "You stopped it: the best epoch so far was kept, epoch"
                        ),
                        summary.best_epoch
                    )
                } else {
                    format!(
                        "{} {} {}.",
                        lang.pick(
                            "Parada temprana: la validación dejó de mejorar tras",
                            "Early stopping: validation stopped improving after"
                        ),
                        summary.history.len(),
                        lang.pick("épocas; se guardó la mejor", "epochs; the best was kept")
                    )
                };
                view! {
                    <p class="note" data-testid="stop-note" data-stopped-by-user=summary.stopped_by_user.to_string()>
                        {text}
                    </p>
                }
            })}
            <table class="history">
                <thead>
                    <tr>
                        <th>{lang.pick("Época", "Epoch")}</th>
                        <th>{lang.pick("Pérdida (entr.)", "Loss (train)")}</th>
                        <th>{lang.pick("Exactitud (entr.)", "Accuracy (train)")}</th>
                        <th>{lang.pick("Pérdida (valid.)", "Loss (valid.)")}</th>
                        <th>{lang.pick("Exactitud (valid.)", "Accuracy (valid.)")}</th>
                    </tr>
                </thead>
                <tbody>{history}</tbody>
            </table>
            <PerClass metrics=summary.validation.clone() lang/>
            <Confusion metrics=summary.validation.clone() lang/>
            <CalibrationNote calibration=summary.calibration.clone() lang/>
            <Mistakes rows=summary.misclassified.clone() lang/>
            <Downloads version lang/>
        </div>
    }
}

/// Precision, recall, F1 and rows of each class, with macro and weighted F1.
#[component]
fn PerClass(
    /// Validation metrics.
    metrics: Metrics,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let rows = metrics
        .per_class
        .iter()
        .map(|class| {
            view! {
                <tr data-testid="class-row" data-label=class.label.clone()>
                    <td>{class.label.clone()}</td>
                    <td class="num">{lang.percent(class.precision)}</td>
                    <td class="num">{lang.percent(class.recall)}</td>
                    <td class="num">{lang.percent(class.f1)}</td>
                    <td class="num">{class.support}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>{lang.pick("Por clase", "Per class")}</h3>
        <table class="per-class">
            <thead>
                <tr>
                    <th>{lang.pick("Etiqueta", "Label")}</th>
                    <th title=lang.pick("De las filas que el modelo puso en esta clase, cuántas lo eran", "Of the rows the model put in this class, how many were")>
                        {lang.pick("Precisión", "Precision")}
                    </th>
                    <th title=lang.pick("De las filas de esta clase, cuántas encontró el modelo", "Of the rows of this class, how many the model found")>
                        {lang.pick("Exhaustividad", "Recall")}
                    </th>
                    <th>"F1"</th>
                    <th>{lang.pick("Filas", "Rows")}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p data-testid="f1-summary">
            {format!(
                "F1 macro {} · F1 {} {}",
                lang.percent(metrics.macro_f1),
                lang.pick("ponderado", "weighted"),
                lang.percent(metrics.weighted_f1)
            )}
        </p>
    }
}

/// Counts of true label (rows) against predicted label (columns).
#[component]
fn Confusion(
    /// Validation metrics.
    metrics: Metrics,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let labels: Vec<String> = metrics
        .per_class
        .iter()
        .map(|class| class.label.clone())
        .collect();
    let header = labels
        .iter()
        .map(|label| view! { <th>{label.clone()}</th> })
        .collect_view();
    let rows = labels
        .iter()
        .zip(&metrics.confusion)
        .enumerate()
        .map(|(row_index, (label, counts))| {
            let cells = counts
                .iter()
                .enumerate()
                .map(|(column, count)| {
                    view! { <td class="num" class:diagonal=column == row_index>{*count}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th>{label.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>{lang.pick("Matriz de confusión", "Confusion matrix")}</h3>
        <p class="hint">
            {lang.pick(
                "Filas: la etiqueta real; columnas: la que eligió el modelo.",
                "Rows: the true label; columns: the label the model chose.",
            )}
        </p>
        <table class="confusion" data-testid="confusion">
            <thead>
                <tr>
                    <th></th>
                    {header}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// What the confidence shown means after temperature scaling.
#[component]
fn CalibrationNote(
    /// The fitted calibration.
    calibration: Calibration,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let text = format!(
        "{} {} → {} (T = {:.2}).",
        lang.pick(
            "Confianza calibrada: cuando el modelo dice «90 %», acierta cerca del 90 % de las veces en las filas de validación. Error de calibración",
            "Calibrated confidence: when the model says \"90 %\", it is right about 90 % of the time on the validation rows. Calibration error",
        ),
        lang.percent(calibration.ece_before),
        lang.percent(calibration.ece_after),
        calibration.temperature
    );
    view! { <p class="calibration" data-testid="calibration">{text}</p> }
}

/// The validation rows the model got wrong with the most confidence.
#[component]
fn Mistakes(
    /// The rows, most confident first.
    rows: Vec<Misclassified>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p data-testid="no-mistakes">
                {lang.pick("No se equivocó en ninguna fila de validación.", "It got every validation row right.")}
            </p>
        }
        .into_any();
    }
    let state = expect_context::<Table>();
    let items = rows
        .into_iter()
        .map(|row| {
            let text = row.text.clone();
            view! {
                <tr data-testid="mistake">
                    <td class="text">
                        <button
                            class="link"
                            data-testid="mistake-open"
                            title=lang.pick("Ver esta fila en la tabla", "Show this row in the table")
                            on:click=move |_| state.show_text(&text)
                        >
                            {row.text}
                        </button>
                    </td>
                    <td>{row.actual}</td>
                    <td>{row.predicted}</td>
                    <td class="num">{lang.percent(row.confidence)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>{lang.pick("Errores más seguros", "Most confident mistakes")}</h3>
        <table class="mistakes">
            <thead>
                <tr>
                    <th>{lang.pick("Texto", "Text")}</th>
                    <th>{lang.pick("Real", "True")}</th>
                    <th>{lang.pick("Predicho", "Predicted")}</th>
                    <th>{lang.pick("Confianza", "Confidence")}</th>
                </tr>
            </thead>
            <tbody>{items}</tbody>
        </table>
    }
    .into_any()
}

/// Buttons that download the model file and its model card.
#[component]
fn Downloads(
    /// The version to download.
    version: u32,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<ModelExports>();
    view! {
        <div class="downloads">
            <button data-testid="download-model" on:click=move |_| state.request_export(version, ExportKind::Model)>
                {lang.pick("Descargar el modelo (.afina)", "Download the model (.afina)")}
            </button>
            <button data-testid="download-card" on:click=move |_| state.request_export(version, ExportKind::Card)>
                {lang.pick("Descargar la ficha del modelo (.md)", "Download the model card (.md)")}
            </button>
            {move || state.export_error.get().map(|error| view! { <p class="error" data-testid="export-error">{error}</p> })}
        </div>
    }
}
