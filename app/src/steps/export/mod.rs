//! The "Export" step: the working dataset (its fixes applied, accepted variants in its training
//! part) in every format of the dataset engine, whole or split into training and validation
//! files, and the quality report in Markdown.

pub(crate) mod models;

use std::sync::Arc;

use afina_dataset::augment::augmented_dataset;
use afina_dataset::{
    ChatOptions, ConvertError, Converted, Dataset, Format, ReportLanguage, ReportOptions,
    quality_report, split_dataset, split_parts, to_chat_jsonl, to_csv, to_own_format,
    to_prompt_completion_jsonl, to_text_label_jsonl,
};
use leptos::prelude::*;

use crate::browser::{download, text_blob, today};
use crate::i18n::{Lang, PageLang};
use crate::steps::improve::plan::{AugmentPlan, Augmentation};
use crate::steps::validate::work::Work;

/// A format the dataset can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Its own format (CSV stays CSV with its delimiter, JSON Lines stays JSON Lines).
    Own,
    /// Comma-separated `text,label` (or prompt/completion, user/assistant).
    Csv,
    /// `{"text": …, "label": …}` per line.
    TextLabel,
    /// OpenAI chat fine-tuning format.
    Chat,
    /// `{"prompt": …, "completion": …}` per line.
    PromptCompletion,
}

impl Target {
    const ALL: [Target; 5] = [
        Target::Own,
        Target::Csv,
        Target::TextLabel,
        Target::Chat,
        Target::PromptCompletion,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Csv => "csv",
            Self::TextLabel => "text-label",
            Self::Chat => "chat",
            Self::PromptCompletion => "prompt-completion",
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        match self {
            Self::Own => lang.pick("Su propio formato (corregido)", "Its own format (fixed)"),
            Self::Csv => lang.pick("CSV (texto, etiqueta)", "CSV (text, label)"),
            Self::TextLabel => lang.pick("JSONL texto/etiqueta", "JSONL text/label"),
            Self::Chat => lang.pick(
                "JSONL de chat de OpenAI (fine-tuning)",
                "OpenAI chat JSONL (fine-tuning)",
            ),
            Self::PromptCompletion => {
                lang.pick("JSONL prompt/completion", "JSONL prompt/completion")
            }
        }
    }

    /// The file extension for `dataset` in this format.
    fn extension(self, dataset: &Dataset) -> &'static str {
        match (self, &dataset.format) {
            (Self::Csv, _) => "csv",
            (Self::Own, Format::Csv { delimiter: '\t' }) => "tsv",
            (Self::Own, Format::Csv { .. } | Format::Xlsx { .. }) => "csv",
            _ => "jsonl",
        }
    }

    fn convert(self, dataset: &Dataset, system_prompt: &str) -> Result<Converted, ConvertError> {
        match self {
            Self::Own => to_own_format(dataset),
            Self::Csv => to_csv(dataset, ','),
            Self::TextLabel => to_text_label_jsonl(dataset),
            Self::Chat => to_chat_jsonl(
                dataset,
                &ChatOptions {
                    system_prompt: Some(system_prompt.to_owned())
                        .filter(|text| !text.trim().is_empty()),
                },
            ),
            Self::PromptCompletion => to_prompt_completion_jsonl(dataset),
        }
    }
}

/// What the last download wrote, in the page's words.
fn describe(name: &str, converted: &Converted, lang: Lang) -> String {
    let mut parts = vec![format!(
        "{name}: {} {}",
        converted.rows,
        lang.pick("filas escritas", "rows written")
    )];
    let lines = |list: &[usize]| {
        let shown: Vec<String> = list.iter().take(10).map(usize::to_string).collect();
        let more = list.len().saturating_sub(10);
        if more > 0 {
            format!("{} (+{more})", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !converted.skipped_lines.is_empty() {
        parts.push(format!(
            "{} {}",
            lang.pick(
                "se dejaron fuera (no caben en este formato) las líneas",
                "left out (they do not fit this format): lines"
            ),
            lines(&converted.skipped_lines)
        ));
    }
    if !converted.flattened_lines.is_empty() {
        parts.push(format!(
            "{} {}",
            lang.pick(
                "conversaciones reducidas a una pregunta y una respuesta: líneas",
                "conversations reduced to one input and one answer: lines"
            ),
            lines(&converted.flattened_lines)
        ));
    }
    if converted.neutralized_cells > 0 {
        parts.push(format!(
            "{} {}",
            converted.neutralized_cells,
            lang.pick(
                "celdas que empezaban por = + - @ llevan delante ' para que una hoja de cálculo no las ejecute",
                "cells starting with = + - @ got a leading ' so a spreadsheet does not run them"
            )
        ));
    }
    parts.join(" · ")
}

/// Which file to write: the whole dataset, or one part of the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    Training,
    Validation,
}

/// The rows of `part`: accepted variants join the training part only (and the whole file,
/// after every original row); with variants, the split is the Improve step's, so no variant of
/// a validation row reaches the training file.
fn rows_of(
    dataset: &Dataset,
    plan: Option<&AugmentPlan>,
    part: Part,
    share: f32,
    seed: u64,
) -> Dataset {
    match (plan, part) {
        (None, Part::Whole) => dataset.clone(),
        (None, Part::Training) => split_dataset(dataset, share, seed).0,
        (None, Part::Validation) => split_dataset(dataset, share, seed).1,
        (Some(plan), Part::Whole) => {
            let all: Vec<usize> = (0..dataset.rows.len()).collect();
            augmented_dataset(dataset, &all, &plan.result)
        }
        (Some(plan), Part::Training) => augmented_dataset(dataset, &plan.split.train, &plan.result),
        (Some(plan), Part::Validation) => split_parts(dataset, &plan.split).1,
    }
}

/// The "Export" step, once a dataset is loaded.
#[component]
pub(crate) fn ExportStep() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let work = expect_context::<Work>();
    move || {
        let dataset = work.dataset.get()?;
        let lang = state.lang.get();
        Some(view! { <ExportPanel dataset lang/> })
    }
}

/// The export panel for `dataset`.
#[component]
pub(crate) fn ExportPanel(
    /// The working dataset.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<Augmentation>();
    let target = RwSignal::new(Target::Own);
    let split = RwSignal::new(false);
    let share = RwSignal::new(0.2_f32);
    let seed = RwSignal::new(42_u64);
    let system_prompt = RwSignal::new(String::new());
    let notes = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let stem = {
        let name = dataset.file_name.clone();
        name.rsplit_once('.')
            .map_or(name.clone(), |(stem, _)| stem.to_owned())
    };
    let report_stem = stem.clone();
    // Accepted variants of this very dataset.
    let plan = {
        let dataset = Arc::clone(&dataset);
        move || {
            state
                .plan
                .get()
                .filter(|plan| Arc::ptr_eq(&plan.dataset, &dataset) && plan.accepted.get())
        }
    };
    let save = {
        let dataset = Arc::clone(&dataset);
        let plan = plan.clone();
        move |part: Part| {
            let chosen = target.get_untracked();
            let plan = plan();
            let data = rows_of(
                &dataset,
                plan.as_deref(),
                part,
                share.get_untracked(),
                seed.get_untracked(),
            );
            let data = &data;
            let suffix = match part {
                Part::Whole => chosen.id().to_owned(),
                Part::Training => format!("{}-train", chosen.id()),
                Part::Validation => format!("{}-validation", chosen.id()),
            };
            let name = format!("{stem}-{suffix}.{}", chosen.extension(data));
            let mime = if name.ends_with("jsonl") {
                "application/jsonl"
            } else {
                "text/csv"
            };
            let result = chosen
                .convert(data, &system_prompt.get_untracked())
                .map_err(|failure| lang.message(&failure.message()))
                .and_then(|converted| {
                    let blob = text_blob(&converted.text, mime)?;
                    download(&blob, &name)?;
                    Ok(converted)
                });
            match result {
                Ok(converted) => {
                    error.set(None);
                    notes.update(|list| {
                        list.retain(|note| !note.starts_with(&format!("{name}:")));
                        list.push(describe(&name, &converted, lang));
                    });
                }
                Err(failure) => error.set(Some(format!("{name}: {failure}"))),
            }
        }
    };
    let options = Target::ALL
        .into_iter()
        .map(|option| {
            view! {
                <option value=option.id() selected=move || target.get() == option>
                    {option.title(lang)}
                </option>
            }
        })
        .collect_view();
    let save_report = {
        let dataset = Arc::clone(&dataset);
        let stem = report_stem;
        move |_| {
            let (language, suffix) = match lang {
                Lang::Es => (ReportLanguage::Es, "informe"),
                Lang::En => (ReportLanguage::En, "report"),
            };
            let report = quality_report(
                &dataset,
                &ReportOptions {
                    language,
                    date: Some(today()),
                    ..ReportOptions::default()
                },
            );
            let name = format!("{stem}-{suffix}.md");
            match text_blob(&report, "text/markdown").and_then(|blob| download(&blob, &name)) {
                Ok(()) => error.set(None),
                Err(failure) => error.set(Some(format!("{name}: {failure}"))),
            }
        }
    };
    let has_plan = {
        let plan = plan.clone();
        Signal::derive(move || plan().is_some())
    };
    let save_whole = save.clone();
    let save_train = save.clone();
    let save_validation = save;
    let variants_note = move || {
        plan().map(|plan| {
            let count = plan.result.rows.len();
            view! {
                <p class="note" data-testid="export-variants" data-rows=count>
                    {format!(
                        "{count} {}",
                        lang.pick(
                            "variantes aceptadas van en la parte de entrenamiento (y al final del archivo completo); la parte de validación no lleva ninguna.",
                            "accepted variants go into the training part (and at the end of the whole file); the validation part gets none.",
                        )
                    )}
                </p>
            }
        })
    };
    view! {
        <section class="panel" data-testid="export">
            <h2>{lang.pick("6. Exportar", "6. Export")}</h2>
            <div class="setting">
                <label for="export-format">{lang.pick("Formato", "Format")}</label>
                <select
                    id="export-format"
                    data-testid="export-format"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        if let Some(found) = Target::ALL.into_iter().find(|option| option.id() == value) {
                            target.set(found);
                        }
                    }
                >
                    {options}
                </select>
            </div>
            {move || (target.get() == Target::Chat).then(|| view! {
                <div class="setting">
                    <label for="export-system">{lang.pick("Mensaje de sistema (opcional)", "System message (optional)")}</label>
                    <textarea
                        id="export-system"
                        data-testid="export-system"
                        rows="2"
                        placeholder=lang.pick("Eres un asistente que clasifica reseñas.", "You are an assistant that classifies reviews.")
                        on:change=move |event| system_prompt.set(event_target_value(&event))
                    ></textarea>
                </div>
            })}
            {variants_note}
            <label class="split">
                <input type="checkbox" data-testid="export-split" prop:checked=move || split.get() on:change=move |event| split.set(event_target_checked(&event))/>
                {lang.pick(" Separar en entrenamiento y validación", " Split into training and validation")}
            </label>
            {move || split.get().then(|| view! {
                <div class="split-options">
                    <label>
                        {lang.pick("Parte para validación ", "Validation share ")}
                        <input
                            type="number"
                            min="0.05"
                            max="0.5"
                            step="0.05"
                            data-testid="export-share"
                            prop:value=move || share.get().to_string()
                            on:change=move |event| {
                                if let Ok(value) = event_target_value(&event).replace(',', ".").trim().parse::<f32>()
                                    && (0.05..=0.5).contains(&value)
                                {
                                    share.set(value);
                                }
                            }
                        />
                    </label>
                    <label>
                        {lang.pick(" Semilla ", " Seed ")}
                        <input
                            type="number"
                            min="0"
                            data-testid="export-seed"
                            prop:value=move || seed.get().to_string()
                            on:change=move |event| {
                                if let Ok(value) = event_target_value(&event).trim().parse::<u64>() {
                                    seed.set(value);
                                }
                            }
                        />
                    </label>
                    {move || has_plan.get().then(|| view! {
                        <p class="help">{lang.pick(
                            "Con variantes aceptadas se usa la separación del paso «Mejorar», para que ninguna variante de una fila de validación entre en entrenamiento.",
                            "With accepted variants the split of the Improve step is used, so no variant of a validation row reaches training.",
                        )}</p>
                    })}
                </div>
            })}
            <div class="downloads">
                {move || {
                    let save_whole = save_whole.clone();
                    let save_train = save_train.clone();
                    let save_validation = save_validation.clone();
                    if split.get() {
                        view! {
                            <button data-testid="export-train" on:click=move |_| save_train(Part::Training)>
                                {lang.pick("Descargar entrenamiento", "Download training")}
                            </button>
                            <button data-testid="export-validation" on:click=move |_| save_validation(Part::Validation)>
                                {lang.pick("Descargar validación", "Download validation")}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button class="primary" data-testid="export-download" on:click=move |_| save_whole(Part::Whole)>
                                {lang.pick("Descargar el dataset", "Download the dataset")}
                            </button>
                        }
                        .into_any()
                    }
                }}
            </div>
            <button data-testid="export-report" on:click=save_report>
                {lang.pick("Descargar el informe de calidad (.md)", "Download the quality report (.md)")}
            </button>
            {move || error.get().map(|text| view! { <p class="error" role="alert" data-testid="export-error">{text}</p> })}
            <ul class="export-notes" data-testid="export-notes">
                {move || notes.get().into_iter().map(|note| view! { <li>{note}</li> }).collect_view()}
            </ul>
        </section>
    }
}
