//! Safe fixes: preview what a fix would change (before → after), apply it, undo.
//!
//! The fixes are the dataset crate's pure functions ([`fix::SAFE_FIXES`]). A small dataset is
//! fixed here; a big one (seconds of work at 100,000 rows) by the reader worker, its rows sent
//! and the fixed dataset received in chunks, so that the page never blocks. Applying a fix
//! keeps the previous dataset on a stack, so undo is putting it back.

use std::sync::Arc;

use afina_dataset::{Dataset, Finding, FixReport, Row, RowContent, fix};
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::protocol::{FromReader, ToReader};
use crate::ui::{AppState, REFRESH_ON_PAGE_ROWS, format_head, send_rows_then};

/// Changed rows shown in a preview.
const PREVIEW_CHANGES: usize = 8;

/// A fix the page offers: its code (as in [`fix::SAFE_FIXES`]) and its names in Spanish and
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

/// What a fix would do to a dataset.
#[derive(Debug)]
pub(crate) struct FixPreview {
    /// The fix's code.
    code: &'static str,
    /// The dataset it was computed on (a preview of another dataset is not shown).
    before: Arc<Dataset>,
    /// The dataset after the fix (`before` itself when nothing changed).
    after: Arc<Dataset>,
    /// What changed.
    report: FixReport,
}

/// A fix being computed by the reader: what has come of the answer so far.
#[derive(Debug, Default)]
struct Incoming {
    code: &'static str,
    before: Option<Arc<Dataset>>,
    report: Option<FixReport>,
    rows: Vec<Row>,
    findings: Vec<Finding>,
}

/// The fixes' previews, shared through [`AppState`].
#[derive(Clone, Copy)]
pub(crate) struct FixState {
    /// The preview shown.
    preview: RwSignal<Option<Arc<FixPreview>>>,
    /// The fix the reader is computing, and on which dataset.
    pending: RwSignal<Option<(&'static str, Arc<Dataset>)>>,
    /// Why the last preview failed.
    error: RwSignal<Option<String>>,
    /// Id of the request the reader is answering (0: none).
    id: StoredValue<u64>,
    incoming: StoredValue<Incoming>,
}

impl FixState {
    pub(crate) fn new() -> Self {
        Self {
            preview: RwSignal::new(None),
            pending: RwSignal::new(None),
            error: RwSignal::new(None),
            id: StoredValue::new(0),
            incoming: StoredValue::new(Incoming::default()),
        }
    }

    /// Whether `id` is the fix request being answered.
    pub(crate) fn answers(&self, id: u64) -> bool {
        id != 0 && self.id.get_value() == id
    }

    /// Computes the preview of fix `code` on `dataset`: here when it is small, in the reader
    /// when it is big.
    fn start(&self, state: AppState, code: &'static str, dataset: Arc<Dataset>) {
        self.preview.set(None);
        self.error.set(None);
        if dataset.rows.len() <= REFRESH_ON_PAGE_ROWS {
            self.id.set_value(0);
            self.pending.set(None);
            match fix::apply(code, &dataset) {
                Some(fixed) => self.show(code, dataset, fixed.report, Some(fixed.dataset)),
                None => self.error.set(Some(format!("no fix called \"{code}\""))),
            }
            return;
        }
        let id = state.new_request_id();
        self.id.set_value(id);
        self.incoming.set_value(Incoming {
            code,
            before: Some(Arc::clone(&dataset)),
            ..Incoming::default()
        });
        self.pending.set(Some((code, Arc::clone(&dataset))));
        let head = format_head(&dataset);
        send_rows_then(
            dataset,
            id,
            self.id,
            ToReader::Fix {
                id,
                code: code.to_owned(),
                dataset: head,
            },
        );
    }

    /// Shows a preview; `after` is `None` when the fix changed nothing.
    fn show(
        &self,
        code: &'static str,
        before: Arc<Dataset>,
        report: FixReport,
        after: Option<Dataset>,
    ) {
        let after = match after {
            Some(after) if !report.changed_lines.is_empty() => Arc::new(after),
            _ => Arc::clone(&before),
        };
        self.preview.set(Some(Arc::new(FixPreview {
            code,
            before,
            after,
            report,
        })));
    }

    /// Applies a part of the reader's answer to the fix request being answered.
    pub(crate) fn receive(&self, message: FromReader) {
        match message {
            FromReader::Ready | FromReader::Progress { .. } => {}
            FromReader::Rows { rows, .. } => self
                .incoming
                .update_value(|incoming| incoming.rows.extend(rows)),
            FromReader::Findings { findings, .. } => self
                .incoming
                .update_value(|incoming| incoming.findings.extend(findings)),
            FromReader::Fixed {
                result: Ok(report), ..
            } => {
                if report.changed_lines.is_empty() {
                    self.finish(report, None);
                } else {
                    self.incoming
                        .update_value(|incoming| incoming.report = Some(report));
                }
            }
            FromReader::Fixed {
                result: Err(error), ..
            } => self.fail(error),
            FromReader::Done { result, .. } => match result {
                Ok(read) => {
                    let report = self
                        .incoming
                        .try_update_value(|incoming| incoming.report.take())
                        .flatten();
                    match report {
                        Some(report) => self.finish(report, Some(read.dataset)),
                        None => self.fail("the fix's report did not arrive".to_owned()),
                    }
                }
                Err(failure) => self.fail(failure.message.en),
            },
        }
    }

    /// The reader's answer is complete: `dataset` is the fixed dataset without its rows and
    /// findings (they came before), `None` when nothing changed.
    fn finish(&self, report: FixReport, dataset: Option<Dataset>) {
        let Some(incoming) = self.incoming.try_update_value(std::mem::take) else {
            return;
        };
        self.id.set_value(0);
        self.pending.set(None);
        let Some(before) = incoming.before else {
            return;
        };
        let after = dataset.map(|mut dataset| {
            dataset.rows = incoming.rows;
            dataset.findings = incoming.findings;
            dataset
        });
        self.show(incoming.code, before, report, after);
    }

    fn fail(&self, error: String) {
        self.id.set_value(0);
        self.incoming.set_value(Incoming::default());
        self.pending.set(None);
        self.error.set(Some(error));
    }

    /// Forgets the preview (and any fix being computed).
    fn discard(&self) {
        self.id.set_value(0);
        self.incoming.set_value(Incoming::default());
        self.pending.set(None);
        self.preview.set(None);
    }
}

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
    let fixes = state.fixes;
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
        Some(preview_panel(state, &preview, lang))
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
fn preview_panel(state: AppState, preview: &Arc<FixPreview>, lang: Lang) -> impl IntoView + use<> {
    let fixes = state.fixes;
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
