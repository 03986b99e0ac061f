//! The findings list, shared by the files read whole and the big files validated as a
//! stream, and the token and cost estimate with its editable price.

use std::sync::Arc;

use afina_dataset::tokens::MODELS;
use afina_dataset::{Finding, Severity, TokenReport};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::i18n::Lang;

/// Findings shown at first, and added by each "show more": rendering thousands of them at
/// once would block the page for about a second.
const FINDINGS_PAGE: usize = 100;

/// Findings drawn in the same task as the report; the rest of the first page follows in the
/// next task, so drawing a big report never blocks the page for long in one go.
const FINDINGS_FIRST_PAINT: usize = 25;

/// The findings as a list, each with its line, code and message in `lang`; the first
/// [`FINDINGS_PAGE`] at first (drawn in two tasks), more on request.
pub(crate) fn findings_list(
    findings: Arc<Vec<Finding>>,
    lang: Lang,
    on_line: Option<Callback<usize>>,
) -> impl IntoView + use<> {
    let shown = RwSignal::new(FINDINGS_FIRST_PAINT);
    spawn_local(async move {
        yield_to_event_loop().await;
        // The list may be gone already (another file loaded); then there is nothing to grow.
        let _ = shown.try_update(|shown| *shown = (*shown).max(FINDINGS_PAGE));
    });
    let items = {
        let findings = Arc::clone(&findings);
        move || {
            findings
                .iter()
                .take(shown.get())
                .map(|finding| finding_item(finding, lang, on_line))
                .collect_view()
        }
    };
    let total = findings.len();
    let more = move || {
        let hidden = total.saturating_sub(shown.get());
        (hidden > 0).then(|| {
            view! {
                <button data-testid="more-findings" on:click=move |_| shown.update(|shown| *shown += FINDINGS_PAGE)>
                    {format!(
                        "{} ({hidden} {})",
                        lang.pick("Mostrar más hallazgos", "Show more findings"),
                        lang.pick("sin mostrar", "not shown")
                    )}
                </button>
            }
        })
    };
    // Tests wait for this mark: the first page is fully drawn.
    let complete = move || (shown.get() >= total.min(FINDINGS_PAGE)).then_some("true");
    view! {
        <ul class="findings" data-complete=complete>{items}</ul>
        {more}
    }
}

/// The findings grouped by code (errors first, then the biggest groups), each group headed by
/// its title and count and listed with [`findings_list`]; small groups and errors start open.
pub(crate) fn grouped_findings(
    findings: &[Finding],
    lang: Lang,
    on_line: Option<Callback<usize>>,
) -> impl IntoView + use<> {
    let mut groups: Vec<(Severity, String, Vec<Finding>)> = Vec::new();
    let mut index: std::collections::HashMap<(bool, &str), usize> =
        std::collections::HashMap::new();
    for finding in findings {
        let key = (finding.severity == Severity::Error, finding.code.as_str());
        match index.get(&key) {
            Some(&position) => groups[position].2.push(finding.clone()),
            None => {
                index.insert(key, groups.len());
                groups.push((
                    finding.severity,
                    finding.code.clone(),
                    vec![finding.clone()],
                ));
            }
        }
    }
    groups.sort_by(|a, b| {
        (b.0 == Severity::Error)
            .cmp(&(a.0 == Severity::Error))
            .then(b.2.len().cmp(&a.2.len()))
            .then(a.1.cmp(&b.1))
    });
    groups
        .into_iter()
        .map(|(severity, code, members)| {
            let count = members.len();
            let title = afina_dataset::code_title(&code)
                .map_or_else(|| code.clone(), |(en, es)| lang.pick(es, en).to_owned());
            let kind = match (severity, count == 1) {
                (Severity::Error, true) => lang.pick("error", "error"),
                (Severity::Error, false) => lang.pick("errores", "errors"),
                (Severity::Warning, true) => lang.pick("aviso", "warning"),
                (Severity::Warning, false) => lang.pick("avisos", "warnings"),
            };
            let open = severity == Severity::Error || count <= 10;
            let class = match severity {
                Severity::Error => "finding-group error",
                Severity::Warning => "finding-group warning",
            };
            view! {
                <details class=class data-testid="finding-group" data-group=code.clone() data-count=count open=open>
                    <summary>{format!("{title} · {count} {kind}")}</summary>
                    {findings_list(Arc::new(members), lang, on_line)}
                </details>
            }
        })
        .collect_view()
}

/// One finding; with `on_line`, its line is a button that shows the row in the table.
fn finding_item(
    finding: &Finding,
    lang: Lang,
    on_line: Option<Callback<usize>>,
) -> impl IntoView + use<> {
    let severity = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let line = finding
        .line
        .map(|line| line.to_string())
        .unwrap_or_default();
    let jump = finding.line.zip(on_line).map(|(line, on_line)| {
        view! {
            <button
                class="link"
                data-testid="finding-line"
                aria-label=format!("{} {line}", lang.pick("Ver la línea", "Show line"))
                on:click=move |_| on_line.run(line)
            >
                {format!("{} {line}", lang.pick("ver línea", "show line"))}
            </button>
        }
    });
    view! {
        <li class=severity data-testid="finding" data-severity=severity data-line=line data-code=finding.code.clone()>
            <span>{lang.message(&finding.message)}</span>
            " "
            <code>{finding.code.clone()}</code>
            " "
            {jump}
        </li>
    }
}

/// The token estimate for a chosen model at a price the user can change.
#[component]
pub(crate) fn TokenPanel(
    /// One report per model of [`MODELS`], at list price; empty when there are no rows.
    reports: Vec<TokenReport>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    if reports.is_empty() {
        return None;
    }
    let model = RwSignal::new(0_usize);
    let price = RwSignal::new(MODELS[0].usd_per_million_training_tokens);
    let reports = Arc::new(reports);
    let options = MODELS
        .iter()
        .enumerate()
        .map(|(index, model)| view! { <option value=index.to_string()>{model.name}</option> })
        .collect_view();
    let figures = {
        let reports = Arc::clone(&reports);
        move || {
            let report = reports.get(model.get())?.clone();
            let cost = report.billed_tokens as f64 / 1e6 * price.get();
            Some(view! {
                <p data-testid="token-estimate" data-total=report.total data-billed=report.billed_tokens data-cost=cost>
                    {format!(
                        "≈ {} tokens {} {} {} ({} {:.0}, {} {}); {} {} {} {}. {} {} {} → ≈ {} {} ≈ {:.2} US$.",
                        report.total,
                        lang.pick("en", "in"),
                        report.examples,
                        lang.pick("ejemplos", "examples"),
                        lang.pick("media", "mean"),
                        report.mean,
                        lang.pick("máximo", "max"),
                        report.max,
                        report.over_limit,
                        lang.pick("superan el límite de", "over the limit of"),
                        report.limit,
                        lang.pick("tokens por ejemplo", "tokens per example"),
                        lang.pick("Por defecto OpenAI entrenaría", "By default OpenAI would train"),
                        report.epochs,
                        lang.pick("épocas", "epochs"),
                        report.billed_tokens,
                        lang.pick("tokens facturados", "billed tokens"),
                        cost
                    )}
                </p>
            })
        }
    };
    Some(view! {
        <div class="tokens">
            <h3>{lang.pick("Tokens y coste (estimación)", "Tokens and cost (estimate)")}</h3>
            <label>
                {lang.pick("Modelo ", "Model ")}
                <select
                    data-testid="token-model"
                    on:change=move |event| {
                        let index: usize = event_target_value(&event).parse().unwrap_or(0);
                        model.set(index);
                        if let Some(chosen) = MODELS.get(index) {
                            price.set(chosen.usd_per_million_training_tokens);
                        }
                    }
                >
                    {options}
                </select>
            </label>
            <label>
                {lang.pick(" Precio (US$ por millón de tokens de entrenamiento) ", " Price (US$ per million training tokens) ")}
                <input
                    type="number"
                    min="0"
                    step="0.01"
                    data-testid="token-price"
                    prop:value=move || price.get().to_string()
                    on:input=move |event| {
                        if let Ok(value) = event_target_value(&event).parse::<f64>()
                            && value.is_finite()
                            && value >= 0.0
                        {
                            price.set(value);
                        }
                    }
                />
            </label>
            {figures}
            <p class="note">
                {lang.pick(
                    "Cálculo del cookbook de OpenAI con ~4 caracteres por token (no es el tokenizador real). \
                     Los precios cambian: escribe el actual.",
                    "The OpenAI cookbook's estimate with ~4 characters per token (not the real tokenizer). \
                     Prices change: type the current one.",
                )}
            </p>
        </div>
    })
}
