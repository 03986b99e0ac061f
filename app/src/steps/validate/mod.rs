//! Step 2, "Validate": the summary, charts, findings, safe fixes and the rows table.

pub(crate) mod charts;
pub(crate) mod findings;
pub(crate) mod fixes;
pub(crate) mod rows;
pub(crate) mod work;

use std::sync::Arc;

use afina_dataset::tokens::{self, MODELS};
use leptos::prelude::*;

use crate::i18n::PageLang;
use charts::DataCharts;
use findings::{TokenPanel, grouped_findings};
use fixes::FixPanel;
use rows::RowsTable;
use rows::state::Table;
use work::Work;

/// Summary, findings and a preview of the rows.
#[component]
pub(crate) fn DatasetPanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let work = expect_context::<Work>();
    let table = expect_context::<Table>();
    move || {
        let dataset = work.dataset.get()?;
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
            Some(Callback::new(move |line| table.show_line(line))),
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
                {move || work.refresh.with(Option::is_some).then(|| view! {
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
