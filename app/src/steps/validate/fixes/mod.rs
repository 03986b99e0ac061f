//! Safe fixes: preview what a fix would change (before → after), apply it, undo.
//!
//! The fixes are the dataset crate's pure functions ([`afina_dataset::fix::SAFE_FIXES`]). A small dataset is
//! fixed here; a big one (seconds of work at 100,000 rows) by the reader worker, its rows sent
//! and the fixed dataset received in chunks, so that the page never blocks. Applying a fix
//! keeps the previous dataset on a stack, so undo is putting it back.

pub(crate) mod state;

use std::sync::Arc;

use afina_dataset::Dataset;
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::steps::validate::rows::state::row_cells;
use crate::steps::validate::work::Work;
use state::{FixPreview, FixState};

/// Changed rows shown in a preview.
const PREVIEW_CHANGES: usize = 8;

/// A fix the page offers: its code (as in [`afina_dataset::fix::SAFE_FIXES`]) and its names in Spanish and
/// English.
struct SafeFix {
    code: &'static str,
    es: &'static str,
    en: &'static str,
}

const FIXES: [SafeFix; 5] = [
    SafeFix {
        code: "trim_whitespace",
        es: "Quitar espacios sobrantes",
        en: "Trim extra spaces",
    },
    SafeFix {
        code: "merge_label_variants",
        es: "Unificar variantes de etiquetas",
        en: "Merge label variants",
    },
    SafeFix {
        code: "drop_exact_duplicates",
        es: "Quitar duplicados exactos",
        en: "Drop exact duplicates",
    },
    SafeFix {
        code: "redact_personal_data",
        es: "Ocultar datos personales",
        en: "Redact personal data",
    },
    SafeFix {
        code: "repair_mojibake",
        es: "Reparar tildes rotas (mojibake)",
        en: "Repair broken accents (mojibake)",
    },
];

/// The fix buttons, the preview of the chosen fix, and undo.
#[component]
pub(crate) fn FixPanel(
    /// The dataset the fixes would change.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<Work>();
    let fixes = expect_context::<FixState>();
    let buttons = FIXES
        .iter()
        .map(|safe_fix| {
            let dataset = Arc::clone(&dataset);
            let code = safe_fix.code;
            view! {
                <button
                    data-testid="fix-preview"
                    data-fix=code
                    on:click=move |_| fixes.start(state, code, Arc::clone(&dataset))
                >
                    {lang.pick(safe_fix.es, safe_fix.en)}
                </button>
            }
        })
        .collect_view();
    let shown = Arc::clone(&dataset);
    let pending_view = move || {
        let (code, before) = fixes.pending.get()?;
        Arc::ptr_eq(&before, &shown).then(|| {
            let name = FIXES
                .iter()
                .find(|safe_fix| safe_fix.code == code)
                .map_or(code, |safe_fix| lang.pick(safe_fix.es, safe_fix.en));
            view! {
                <p class="note" role="status" data-testid="fix-pending" data-fix=code>
                    {format!(
                        "{name}: {}",
                        lang.pick(
                            "preparando la vista previa en segundo plano…",
                            "preparing the preview in the background…",
                        )
                    )}
                </p>
            }
        })
    };
    let shown = Arc::clone(&dataset);
    let preview_view = move || {
        let preview = fixes.preview.get()?;
        if !Arc::ptr_eq(&preview.before, &shown) {
            return None;
        }
        Some(preview_panel(state, fixes, &preview, lang))
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
            {pending_view}
            {move || fixes.error.get().map(|error| view! {
                <p class="error" role="alert" data-testid="fix-error">
                    {format!(
                        "{} ({error}). {}",
                        lang.pick("No se pudo preparar el arreglo", "The fix could not be prepared"),
                        lang.pick("Vuelve a intentarlo o recarga la página.", "Try again or reload the page."),
                    )}
                </p>
            })}
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

/// The row of file line `line`, shown as "text → label" (rows are in line order).
fn shown_row(dataset: &Dataset, line: usize, lang: Lang) -> String {
    let row = dataset
        .rows
        .binary_search_by_key(&line, |row| row.line)
        .ok()
        .and_then(|index| dataset.rows.get(index));
    match row.map(row_cells) {
        Some((text, label)) if label.is_empty() => text,
        Some((text, label)) => format!("{text} → {label}"),
        None => lang.pick("(fila quitada)", "(row dropped)").to_owned(),
    }
}

/// What the fix changes, with Apply and Discard.
fn preview_panel(
    state: Work,
    fixes: FixState,
    preview: &Arc<FixPreview>,
    lang: Lang,
) -> impl IntoView + use<> {
    let report = &preview.report;
    let changed = report.changed_lines.len();
    let rows = report
        .changed_lines
        .iter()
        .take(PREVIEW_CHANGES)
        .map(|&line| {
            view! {
                <tr>
                    <td class="num">{line}</td>
                    <td class="before">{shown_row(&preview.before, line, lang)}</td>
                    <td class="after">{shown_row(&preview.after, line, lang)}</td>
                </tr>
            }
        })
        .collect_view();
    let after = Arc::clone(&preview.after);
    view! {
        <div class="fix-preview" data-testid="fix-preview-panel" data-fix=preview.code data-changed=changed>
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
                on:click=move |_| {
                    fixes.discard();
                    state.replace_dataset(Arc::clone(&after));
                }
            >
                {lang.pick("Aplicar", "Apply")}
            </button>
            <button data-testid="fix-cancel" on:click=move |_| fixes.discard()>
                {lang.pick("Descartar", "Discard")}
            </button>
        </div>
    }
}
