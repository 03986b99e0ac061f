//! The rows table: search, filter by label and by status, edit a row in place, delete it (both
//! undoable like a fix), and the row a finding or a wrong answer points at, marked.
//!
//! At most [`WINDOW`] rows are drawn at a time (the first matches, or those around the marked
//! row), so the table stays quick with any number of rows.

use std::collections::HashSet;
use std::sync::Arc;

use afina_dataset::{Dataset, RowContent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::fix_view::row_cells;
use crate::i18n::Lang;
use crate::ui::AppState;

/// Rows drawn at most.
pub(crate) const WINDOW: usize = 200;

/// Which rows the status filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    All,
    /// Rows a warning points at.
    Warned,
    /// Rows no finding points at.
    Clean,
}

/// Scrolls the marked row of the table into view, once it is drawn.
pub(crate) fn scroll_to_marked_row() {
    spawn_local(async {
        yield_to_event_loop().await;
        let target = document()
            .query_selector("[data-testid=rows] tr.focused, [data-testid=focus-missing]")
            .ok()
            .flatten();
        if let Some(target) = target {
            target.scroll_into_view();
        }
    });
}

/// `dataset` with row `index` given a new text and label (quality findings recomputed).
fn edited(dataset: &Dataset, index: usize, text: String, label: String) -> Option<Dataset> {
    let mut copy = dataset.clone();
    let row = copy.rows.get_mut(index)?;
    match &mut row.content {
        RowContent::TextLabel {
            text: old_text,
            label: old_label,
        } => {
            *old_text = text;
            *old_label = label.trim().to_owned();
        }
        RowContent::Chat { .. } => return None,
    }
    copy.refresh_quality_findings();
    Some(copy)
}

/// `dataset` without row `index`; the findings about its line go with it.
fn without(dataset: &Dataset, index: usize) -> Option<Dataset> {
    let mut copy = dataset.clone();
    if index >= copy.rows.len() {
        return None;
    }
    let line = copy.rows.remove(index).line;
    copy.findings.retain(|finding| finding.line != Some(line));
    copy.refresh_quality_findings();
    Some(copy)
}

/// The rows table of `dataset`.
#[component]
pub(crate) fn RowsTable(
    /// The dataset shown.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let total = dataset.rows.len();
    let query = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let status = RwSignal::new(Status::All);
    let editing = RwSignal::new(None::<usize>);
    let warned: Arc<HashSet<usize>> = Arc::new(
        dataset
            .findings
            .iter()
            .filter_map(|finding| finding.line)
            .collect(),
    );
    let matches = {
        let dataset = Arc::clone(&dataset);
        let warned = Arc::clone(&warned);
        Memo::new(move |_| {
            let query = query.get().to_lowercase();
            let label = label.get();
            let status = status.get();
            dataset
                .rows
                .iter()
                .enumerate()
                .filter(|(_, row)| {
                    let (text, row_label) = row_cells(row);
                    (query.is_empty()
                        || text.to_lowercase().contains(&query)
                        || row_label.to_lowercase().contains(&query))
                        && (label.is_empty() || row_label == label)
                        && match status {
                            Status::All => true,
                            Status::Warned => warned.contains(&row.line),
                            Status::Clean => !warned.contains(&row.line),
                        }
                })
                .map(|(index, _)| index)
                .collect::<Vec<usize>>()
        })
    };
    // The marked row is shown even when the filters would hide it. A memo: the rows and the
    // summary line both read it.
    let window = Memo::new(move |_| {
        let mut indices = matches.get();
        let focus = match state.focus.get() {
            Some(Ok(index)) if index < total => Some(index),
            _ => None,
        };
        if let Some(focus) = focus
            && !indices.contains(&focus)
        {
            indices = (0..total).collect();
        }
        let position = focus.and_then(|focus| indices.iter().position(|index| *index == focus));
        let start = position.map_or(0, |position| position.saturating_sub(WINDOW / 2));
        let count = indices.len();
        let shown: Vec<usize> = indices.into_iter().skip(start).take(WINDOW).collect();
        (shown, start, count, focus)
    });
    let body = {
        let dataset = Arc::clone(&dataset);
        let warned = Arc::clone(&warned);
        move || {
            let (shown, _, _, focus) = window.get();
            shown
                .into_iter()
                .filter_map(|index| {
                    let row = dataset.rows.get(index)?;
                    let (text, row_label) = row_cells(row);
                    let line = row.line;
                    let editable = matches!(row.content, RowContent::TextLabel { .. });
                    let flagged = warned.contains(&line);
                    let dataset_edit = Arc::clone(&dataset);
                    let dataset_delete = Arc::clone(&dataset);
                    let cells = if editing.get() == Some(index) {
                        let text_input = NodeRef::<leptos::html::Textarea>::new();
                        let label_input = NodeRef::<leptos::html::Input>::new();
                        let save = move |_| {
                            let (Some(text_input), Some(label_input)) = (text_input.get(), label_input.get()) else {
                                return;
                            };
                            let (text, label) = (text_input.value(), label_input.value());
                            if text.trim().is_empty() || label.trim().is_empty() {
                                return;
                            }
                            if let Some(changed) = edited(&dataset_edit, index, text, label) {
                                editing.set(None);
                                state.apply_fix(changed);
                            }
                        };
                        view! {
                            <td>
                                <textarea data-testid="edit-text" rows="2" node_ref=text_input aria-label=lang.pick("Texto", "Text")>{text}</textarea>
                            </td>
                            <td>
                                <input data-testid="edit-label" node_ref=label_input value=row_label aria-label=lang.pick("Etiqueta", "Label")/>
                            </td>
                            <td class="actions">
                                <button data-testid="edit-save" on:click=save>{lang.pick("Guardar", "Save")}</button>
                                <button on:click=move |_| editing.set(None)>{lang.pick("Cancelar", "Cancel")}</button>
                            </td>
                        }
                        .into_any()
                    } else {
                        view! {
                            <td>{text}</td>
                            <td>{row_label}</td>
                            <td class="actions">
                                {editable.then(|| view! {
                                    <button
                                        data-testid="row-edit"
                                        aria-label=format!("{} {line}", lang.pick("Editar la línea", "Edit line"))
                                        on:click=move |_| editing.set(Some(index))
                                    >
                                        "✎"
                                    </button>
                                })}
                                <button
                                    class="danger"
                                    data-testid="row-delete"
                                    aria-label=format!("{} {line}", lang.pick("Borrar la línea", "Delete line"))
                                    on:click=move |_| {
                                        if let Some(changed) = without(&dataset_delete, index) {
                                            state.apply_fix(changed);
                                        }
                                    }
                                >
                                    "×"
                                </button>
                            </td>
                        }
                        .into_any()
                    };
                    Some(view! {
                        <tr class:focused=focus == Some(index) class:warned=flagged data-line=line>
                            <td class="num">{line}</td>
                            {cells}
                        </tr>
                    })
                })
                .collect_view()
        }
    };
    let summary = move || {
        let (shown, start, count, _) = window.get();
        let end = start + shown.len();
        format!(
            "{count} {} {total} · {} {}–{end}",
            lang.pick("filas de", "rows of"),
            lang.pick("se muestran", "showing"),
            if shown.is_empty() { 0 } else { start + 1 },
        )
    };
    let missing = move || match state.focus.get() {
        Some(Err(line)) => Some(view! {
            <p class="note" data-testid="focus-missing">
                {format!(
                    "{} {line} {}",
                    lang.pick("La línea", "Line"),
                    lang.pick(
                        "no está en la tabla: no se pudo leer como fila (el hallazgo dice por qué).",
                        "is not in the table: it could not be read as a row (the finding says why).",
                    )
                )}
            </p>
        }),
        _ => None,
    };
    let labels: Vec<String> = dataset.label_counts().into_keys().collect();
    let label_options = labels
        .into_iter()
        .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
        .collect_view();
    view! {
        <div class="row-tools">
            <label>
                {lang.pick("Buscar ", "Search ")}
                <input
                    type="search"
                    data-testid="row-search"
                    on:input=move |event| {
                        state.clear_focus();
                        query.set(event_target_value(&event));
                    }
                />
            </label>
            <label>
                {lang.pick(" Etiqueta ", " Label ")}
                <select data-testid="row-label-filter" on:change=move |event| {
                    state.clear_focus();
                    label.set(event_target_value(&event));
                }>
                    <option value="">{lang.pick("todas", "all")}</option>
                    {label_options}
                </select>
            </label>
            <label>
                {lang.pick(" Estado ", " Status ")}
                <select data-testid="row-status-filter" on:change=move |event| {
                    state.clear_focus();
                    status.set(match event_target_value(&event).as_str() {
                        "warned" => Status::Warned,
                        "clean" => Status::Clean,
                        _ => Status::All,
                    });
                }>
                    <option value="all">{lang.pick("todas", "all")}</option>
                    <option value="warned">{lang.pick("con avisos", "with warnings")}</option>
                    <option value="clean">{lang.pick("sin avisos", "without warnings")}</option>
                </select>
            </label>
            <span class="note" data-testid="row-matches">{summary}</span>
        </div>
        {missing}
        <div class="table-wrap">
            <table data-testid="rows">
                <thead>
                    <tr>
                        <th>{lang.pick("Línea", "Line")}</th>
                        <th>{lang.pick("Texto", "Text")}</th>
                        <th>{lang.pick("Etiqueta", "Label")}</th>
                        <th><span class="sr-only">{lang.pick("Acciones", "Actions")}</span></th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        afina_dataset::parse(
            "d.csv",
            b"text,label\nmuy bueno,pos\nmuy malo,neg\nregular,neu\n",
        )
        .unwrap()
    }

    #[test]
    fn an_edit_changes_one_row_and_trims_the_label() {
        let dataset = sample();
        let changed = edited(&dataset, 1, "horrible".into(), " neg ".into()).unwrap();
        assert_eq!(
            row_cells(&changed.rows[1]),
            ("horrible".to_string(), "neg".to_string())
        );
        assert_eq!(changed.rows[0], dataset.rows[0]);
        assert!(edited(&dataset, 9, "x".into(), "y".into()).is_none());
    }

    #[test]
    fn a_delete_takes_the_row_and_its_findings() {
        let dataset = sample();
        let changed = without(&dataset, 0).unwrap();
        assert_eq!(changed.rows.len(), 2);
        assert!(changed.rows.iter().all(|row| row.line != 2));
        assert!(
            changed
                .findings
                .iter()
                .all(|finding| finding.line != Some(2))
        );
        assert!(without(&dataset, 3).is_none());
    }
}
