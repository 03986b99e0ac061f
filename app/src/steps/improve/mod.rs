//! The "Improve" step: grow the training rows with variants (or balance the classes), preview
//! every new row beside its source, accept or discard, undo. Only the training split is used
//! as a source: the validation rows are set aside first and never touched.

pub(crate) mod plan;

use std::sync::Arc;

use afina_dataset::augment::{AugmentOptions, Goal, Operation, augment_split, parse_user_synonyms};
use afina_dataset::{Dataset, Row, split_rows};
use afina_trainer::TrainConfig;
use leptos::prelude::*;

use crate::i18n::{Lang, PageLang};
use crate::steps::validate::work::Work;
use plan::{AugmentPlan, Augmentation};

/// New rows shown in the preview at most.
const PREVIEW_ROWS: usize = 50;

/// Words of `variant` that `source` does not have, marked for the preview.
fn marked_words(source: &str, variant: &str) -> Vec<(String, bool)> {
    let known: Vec<String> = source.split_whitespace().map(str::to_lowercase).collect();
    variant
        .split_whitespace()
        .map(|word| {
            let changed = !known.contains(&word.to_lowercase());
            (word.to_string(), changed)
        })
        .collect()
}

fn operation_name(operation: Operation, lang: Lang) -> &'static str {
    match operation {
        Operation::Synonym => lang.pick("sinónimos", "synonyms"),
        Operation::Insert => lang.pick("insertar", "insert"),
        Operation::Swap => lang.pick("intercambiar", "swap"),
        Operation::Delete => lang.pick("borrar", "delete"),
        Operation::Typo => lang.pick("erratas", "typos"),
        Operation::Accent => lang.pick("tildes", "accents"),
        Operation::Case => lang.pick("mayúsculas", "case"),
        Operation::Punctuation => lang.pick("puntuación", "punctuation"),
        Operation::Repeat => lang.pick("letras repetidas", "repeated letters"),
        Operation::Greeting => lang.pick("saludos", "greetings"),
    }
}

/// The "Improve" step, once a dataset is loaded.
#[component]
pub(crate) fn ImproveStep() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let work = expect_context::<Work>();
    move || {
        let dataset = work.dataset.get()?;
        let lang = state.lang.get();
        Some(view! {
            <section class="panel" data-testid="improve-step">
                <h2>{lang.pick("3. Mejorar", "3. Improve")}</h2>
                <ImprovePanel dataset lang/>
            </section>
        })
    }
}

/// The "Improve" panel for `dataset`.
#[component]
pub(crate) fn ImprovePanel(
    /// The loaded dataset.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<Augmentation>();
    let balance = RwSignal::new(false);
    let target = RwSignal::new(dataset.rows.len() * 2);
    let enabled = RwSignal::new(Operation::ALL.to_vec());
    let rates = RwSignal::new(
        Operation::ALL
            .map(|operation| (operation, operation.default_rate()))
            .to_vec(),
    );
    let seed = RwSignal::new(AugmentOptions::default().seed);
    let synonyms = NodeRef::<leptos::html::Textarea>::new();
    let error = RwSignal::new(None::<String>);
    let generate = {
        let dataset = Arc::clone(&dataset);
        move |_| {
            let config = TrainConfig::default();
            let split = split_rows(&dataset, config.validation_fraction, config.seed);
            let goal = if balance.get_untracked() {
                Goal::Balance
            } else {
                Goal::TargetRows(target.get_untracked())
            };
            let chosen = enabled.get_untracked();
            let user_synonyms = match synonyms
                .get_untracked()
                .map(|input| parse_user_synonyms(&input.value()))
                .transpose()
            {
                Ok(pairs) => pairs.unwrap_or_default(),
                Err(failure) => {
                    error.set(Some(format!(
                        "{}: {}",
                        lang.pick("Tus sinónimos", "Your synonyms"),
                        lang.message(&failure.message())
                    )));
                    return;
                }
            };
            let options = AugmentOptions {
                operations: rates
                    .get_untracked()
                    .into_iter()
                    .filter(|(operation, _)| chosen.contains(operation))
                    .collect(),
                user_synonyms,
                seed: seed.get_untracked(),
                ..AugmentOptions::default()
            };
            match augment_split(&dataset, &split, goal, &options) {
                Ok(result) => {
                    error.set(None);
                    state.plan.set(Some(Arc::new(AugmentPlan {
                        dataset: Arc::clone(&dataset),
                        split,
                        result,
                        accepted: ArcRwSignal::new(false),
                    })));
                }
                Err(failure) => error.set(Some(lang.message(&failure.message()))),
            }
        }
    };
    let checkboxes = Operation::ALL
        .into_iter()
        .map(|operation| {
            view! {
                <label class="op">
                    <input
                        type="checkbox"
                        data-testid=format!("op-{}", operation.name())
                        prop:checked=move || enabled.get().contains(&operation)
                        on:change=move |_| enabled.update(|list| {
                            if let Some(position) = list.iter().position(|item| *item == operation) {
                                list.remove(position);
                            } else {
                                list.push(operation);
                            }
                        })
                    />
                    {operation_name(operation, lang)}
                    <input
                        type="number"
                        class="rate"
                        min="0"
                        max="1"
                        step="0.05"
                        data-testid=format!("rate-{}", operation.name())
                        aria-label=format!("{} {}", lang.pick("Tasa de", "Rate of"), operation_name(operation, lang))
                        title=lang.pick("Tasa: parte de las palabras (o la probabilidad) que cambia", "Rate: the share of words changed (or the chance it is used)")
                        prop:value=move || {
                            rates.with(|list| {
                                list.iter()
                                    .find(|(op, _)| *op == operation)
                                    .map_or(operation.default_rate(), |(_, rate)| *rate)
                                    .to_string()
                            })
                        }
                        on:change=move |event| {
                            let typed = event_target_value(&event).replace(',', ".");
                            if let Ok(rate) = typed.trim().parse::<f32>()
                                && (0.0..=1.0).contains(&rate)
                            {
                                rates.update(|list| {
                                    if let Some(entry) = list.iter_mut().find(|(op, _)| *op == operation) {
                                        entry.1 = rate;
                                    }
                                });
                            }
                        }
                    />
                </label>
            }
        })
        .collect_view();
    let current = {
        let dataset = Arc::clone(&dataset);
        move || {
            state
                .plan
                .get()
                .filter(|plan| Arc::ptr_eq(&plan.dataset, &dataset))
        }
    };
    let preview = move || current().map(|plan| view! { <Preview plan lang/> });
    view! {
        <details class="improve" data-testid="improve">
            <summary>{lang.pick("Mejorar: crear variantes", "Improve: make variants")}</summary>
            <p class="hint">
                {lang.pick(
                    "Se aparta primero el 20 % de validación; solo las filas de entrenamiento sirven de origen. Las negaciones (no, nunca, sin…) nunca se tocan.",
                    "The 20 % validation share is set aside first; only training rows are used as sources. Negations (no, never, not…) are never touched.",
                )}
            </p>
            <div class="goal">
                <label>
                    <input type="radio" name="goal" data-testid="goal-target" prop:checked=move || !balance.get() on:change=move |_| balance.set(false)/>
                    {lang.pick("Ampliar hasta", "Grow to")}
                </label>
                <input
                    type="number"
                    min="1"
                    data-testid="goal-rows"
                    aria-label=lang.pick("Filas de entrenamiento que se quieren", "Training rows wanted")
                    prop:value=move || target.get().to_string()
                    on:input=move |event| {
                        if let Ok(rows) = event_target_value(&event).trim().parse::<usize>() {
                            target.set(rows);
                        }
                    }
                />
                {lang.pick(" filas de entrenamiento", " training rows")}
                <label>
                    <input type="radio" name="goal" data-testid="goal-balance" prop:checked=move || balance.get() on:change=move |_| balance.set(true)/>
                    {lang.pick("Equilibrar las clases", "Balance the classes")}
                </label>
            </div>
            <div class="ops">{checkboxes}</div>
            <details class="synonyms">
                <summary>{lang.pick("Tus sinónimos y la semilla", "Your synonyms and the seed")}</summary>
                <label for="user-synonyms">
                    {lang.pick(
                        "Un par por línea: palabra: alternativa, alternativa (p. ej. hola: buenos días, qué tal)",
                        "One pair per line: word: alternative, alternative (e.g. hello: hi there, good morning)",
                    )}
                </label>
                <textarea id="user-synonyms" data-testid="user-synonyms" rows="3" node_ref=synonyms></textarea>
                <label>
                    {lang.pick("Semilla (la misma semilla da las mismas variantes) ", "Seed (the same seed gives the same variants) ")}
                    <input
                        type="number"
                        min="0"
                        data-testid="augment-seed"
                        prop:value=move || seed.get().to_string()
                        on:change=move |event| {
                            if let Ok(value) = event_target_value(&event).trim().parse::<u64>() {
                                seed.set(value);
                            }
                        }
                    />
                </label>
            </details>
            <button data-testid="augment-preview" on:click=generate>
                {lang.pick("Generar variantes", "Make variants")}
            </button>
            {move || error.get().map(|text| view! { <p class="error" data-testid="augment-error">{text}</p> })}
            {preview}
        </details>
    }
}

/// The new rows beside their sources, with accept / discard / undo.
#[component]
fn Preview(
    /// The variants.
    plan: Arc<AugmentPlan>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<Augmentation>();
    let new_rows = plan.result.rows.len();
    let rows = plan
        .result
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|new| {
            let source = plan
                .dataset
                .rows
                .get(new.source_index)
                .and_then(Row::example)
                .map(|example| example.text)
                .unwrap_or_default();
            let variant = new
                .row
                .example()
                .map(|example| example.text)
                .unwrap_or_default();
            let words = marked_words(&source, &variant)
                .into_iter()
                .map(|(word, changed)| {
                    if changed {
                        view! { <mark>{word}</mark>" " }.into_any()
                    } else {
                        view! { {word}" " }.into_any()
                    }
                })
                .collect_view();
            let operations: Vec<&str> = new
                .operations
                .iter()
                .map(|operation| operation_name(*operation, lang))
                .collect();
            view! {
                <tr data-testid="variant" data-source-line=new.source_line>
                    <td class="num">{new.source_line}</td>
                    <td class="text">{source}</td>
                    <td class="text">{words}</td>
                    <td>{operations.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    let accepted = plan.accepted.clone();
    let status = {
        let plan = Arc::clone(&plan);
        let accepted = plan.accepted.clone();
        move || {
            if accepted.get() {
                format!(
                    "{} {new_rows} {}",
                    lang.pick("Aceptadas:", "Accepted:"),
                    lang.pick(
                        "filas nuevas se usarán al entrenar.",
                        "new rows will be used for training."
                    )
                )
            } else {
                format!(
                    "{new_rows} {} · {} {} · {} {}",
                    lang.pick("filas nuevas", "new rows"),
                    plan.result.dropped_duplicates,
                    lang.pick("duplicados descartados", "duplicates dropped"),
                    plan.result.short_of_goal,
                    lang.pick("que faltaron para el objetivo", "short of the goal")
                )
            }
        }
    };
    view! {
        <p class="augment-status" data-testid="augment-status" data-new-rows=new_rows data-accepted={
            let accepted = plan.accepted.clone();
            move || accepted.get().to_string()
        }>
            {status}
        </p>
        <div class="augment-actions">
            {move || if accepted.get() {
                let accepted = accepted.clone();
                view! {
                    <button data-testid="augment-undo" on:click=move |_| accepted.set(false)>{lang.pick("Deshacer", "Undo")}</button>
                }
                .into_any()
            } else {
                let accepted = accepted.clone();
                view! {
                    <button data-testid="augment-accept" on:click=move |_| accepted.set(true)>{lang.pick("Aceptar", "Accept")}</button>
                    <button data-testid="augment-discard" on:click=move |_| state.plan.set(None)>
                        {lang.pick("Descartar", "Discard")}
                    </button>
                }
                .into_any()
            }}
        </div>
        <table class="variants">
            <thead>
                <tr>
                    <th>{lang.pick("Línea", "Line")}</th>
                    <th>{lang.pick("Original", "Original")}</th>
                    <th>{lang.pick("Variante", "Variant")}</th>
                    <th>{lang.pick("Cambios", "Changes")}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {(new_rows > PREVIEW_ROWS).then(|| view! {
            <p class="note">{format!("{} {PREVIEW_ROWS} {} {new_rows}", lang.pick("Se muestran", "Showing"), lang.pick("de", "of"))}</p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked() {
        let marked = marked_words("la comida estaba buena", "la comida estaba riquísima");
        let changed: Vec<&str> = marked
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(word, _)| word.as_str())
            .collect();
        assert_eq!(changed, vec!["riquísima"]);
    }
}
