//! Safe fixes in the page: preview what a fix would change (before → after), apply it, undo.
//!
//! The fixes are the dataset crate's pure functions; applying one keeps the previous dataset
//! on a stack, so undo is putting it back.

use std::sync::Arc;

use afina_dataset::{Dataset, Fixed, Row, RowContent, fix};
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::ui::AppState;

/// Changed rows shown in a preview.
const PREVIEW_CHANGES: usize = 8;

/// A fix the page offers: its code, its names in Spanish and English, and the function.
struct SafeFix {
    code: &'static str,
    es: &'static str,
    en: &'static str,
    apply: fn(&Dataset) -> Fixed,
}

const FIXES: [SafeFix; 5] = [
    SafeFix {
        code: "trim_whitespace",
        es: "Quitar espacios sobrantes",
        en: "Trim extra spaces",
        apply: fix::trim_whitespace,
    },
    SafeFix {
        code: "merge_label_variants",
        es: "Unificar variantes de etiquetas",
        en: "Merge label variants",
        apply: fix::merge_label_variants,
    },
    SafeFix {
        code: "drop_exact_duplicates",
        es: "Quitar duplicados exactos",
        en: "Drop exact duplicates",
        apply: fix::drop_exact_duplicates,
    },
    SafeFix {
        code: "redact_personal_data",
        es: "Ocultar datos personales",
        en: "Redact personal data",
        apply: fix::redact_personal_data,
    },
    SafeFix {
        code: "repair_mojibake",
        es: "Reparar tildes rotas (mojibake)",
        en: "Repair broken accents (mojibake)",
        apply: fix::repair_mojibake,
    },
];

/// A row as the table shows it: its text (chat messages joined) and its label.
pub(crate) fn row_cells(row: &Row) -> (String, String) {
    match &row.content {
        RowContent::TextLabel { text, label } => (text.clone(), label.clone()),
        RowContent::Chat { messages } => (
            messages
                .iter()
                .map(|message| message.content.as_str())
                .collect::<Vec<_>>()
                .join(" ⏎ "),
            String::new(),
        ),
    }
}

/// The fix buttons, the preview of the chosen fix, and undo.
#[component]
pub(crate) fn FixPanel(
    /// The dataset the fixes would change.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let preview: RwSignal<Option<(usize, Arc<Fixed>)>> = RwSignal::new(None);
    let buttons = FIXES
        .iter()
        .enumerate()
        .map(|(index, safe_fix)| {
            let dataset = Arc::clone(&dataset);
            view! {
                <button
                    data-testid="fix-preview"
                    data-fix=safe_fix.code
                    on:click=move |_| {
                        let fixed = (FIXES[index].apply)(&dataset);
                        preview.set(Some((index, Arc::new(fixed))));
                    }
                >
                    {lang.pick(safe_fix.es, safe_fix.en)}
                </button>
            }
        })
        .collect_view();
    let before = Arc::clone(&dataset);
    let preview_view = move || {
        let (index, fixed) = preview.get()?;
        let report = &fixed.report;
        let changed = report.changed_lines.len();
        let rows = report
            .changed_lines
            .iter()
            .take(PREVIEW_CHANGES)
            .map(|&line| {
                let old = before
                    .rows
                    .iter()
                    .find(|row| row.line == line)
                    .map(row_cells);
                let new = fixed
                    .dataset
                    .rows
                    .iter()
                    .find(|row| row.line == line)
                    .map(row_cells);
                let show = |cells: Option<(String, String)>| match cells {
                    Some((text, label)) if label.is_empty() => text,
                    Some((text, label)) => format!("{text} → {label}"),
                    None => lang.pick("(fila quitada)", "(row dropped)").to_owned(),
                };
                view! {
                    <tr>
                        <td class="num">{line}</td>
                        <td class="before">{show(old)}</td>
                        <td class="after">{show(new)}</td>
                    </tr>
                }
            })
            .collect_view();
        let code = FIXES[index].code;
        Some(view! {
            <div class="fix-preview" data-testid="fix-preview-panel" data-fix=code data-changed=changed>
                <p>{lang.message(&report.description)}</p>
                {(changed > 0).then(|| view! {
                    <table class="changes">
                        <thead>
                            <tr>
                                <th>{lang.pick("Línea", "Line")}</th>
                                <th>{lang.pick("Antes", "Before")}</th>
                                <th>{lang.pick("Después", "After")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                })}
                <button
                    class="primary"
                    data-testid="fix-apply"
                    disabled=changed == 0
                    on:click={
                        let fixed = Arc::clone(&fixed);
                        move |_| {
                            preview.set(None);
                            state.apply_fix(fixed.dataset.clone());
                        }
                    }
                >
                    {lang.pick("Aplicar", "Apply")}
                </button>
                <button data-testid="fix-cancel" on:click=move |_| preview.set(None)>
                    {lang.pick("Descartar", "Discard")}
                </button>
            </div>
        })
    };
    view! {
        <div class="fixes" data-testid="fixes">
            <h3>{lang.pick("Arreglos seguros", "Safe fixes")}</h3>
            <p class="note">
                {lang.pick(
                    "Mira qué cambiaría cada arreglo antes de aplicarlo; puedes deshacerlo.",
                    "See what each fix would change before applying it; you can undo it.",
                )}
            </p>
            <div class="fix-buttons">{buttons}</div>
            {preview_view}
            <button
                data-testid="fix-undo"
                disabled=move || state.undo_depth() == 0
                on:click=move |_| state.undo_fix()
            >
                {move || format!("{} ({})", lang.pick("Deshacer", "Undo"), state.undo_depth())}
            </button>
        </div>
    }
}
