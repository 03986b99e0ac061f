//! The rows table: search, filter by label and by status, edit a row in place, delete it (both
//! undoable like a fix), and the row a finding or a wrong answer points at, marked.
//!
//! The table is virtual: it draws the rows in view and a few around them between two spacer
//! rows as tall as the rows left out, so scrolling through 100,000 rows draws some 60 at a time.

pub(crate) mod state;

use std::collections::HashSet;
use std::sync::Arc;

use afina_dataset::{Dataset, RowContent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use wasm_bindgen::JsCast;

use crate::browser::yield_to_event_loop;
use crate::i18n::Lang;
use crate::steps::validate::work::Work;
use state::{RowFilters, Status, Table, row_cells};

/// A row's height in CSS pixels, as the style sheet sets it (`table.rows-table td`).
const ROW_PX: f64 = 34.0;

/// Rows drawn above and below those in view, so that a fast scroll finds them drawn.
const OVERSCAN: usize = 20;

/// Where the rows box is scrolled to and how tall it and its rows are, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scroll {
    top: f64,
    height: f64,
    row_px: f64,
}

impl Default for Scroll {
    fn default() -> Self {
        Self {
            top: 0.0,
            height: 384.0,
            row_px: ROW_PX,
        }
    }
}

impl Scroll {
    /// The listed rows in view (`first..last`) out of `count`.
    fn visible(self, count: usize) -> (usize, usize) {
        let first = ((self.top / self.row_px).floor().max(0.0) as usize).min(count);
        let shown = (self.height / self.row_px).ceil() as usize;
        (first, (first + shown).min(count))
    }

    /// The listed rows drawn (`start..end`) out of `count`: those in view and [`OVERSCAN`]
    /// more on each side, on a grid of [`OVERSCAN`] rows so that most scrolls change nothing.
    fn window(self, count: usize) -> (usize, usize) {
        let (first, last) = self.visible(count);
        let start = (first.saturating_sub(OVERSCAN) / OVERSCAN) * OVERSCAN;
        let end = (last + 2 * OVERSCAN).div_ceil(OVERSCAN) * OVERSCAN;
        (start.min(count), end.min(count))
    }
}

/// `dataset` with row `index` given a new text and label, without the findings about its line
/// (its quality findings are recomputed by [`Work::apply_edit`]).
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
    let line = copy.rows[index].line;
    copy.findings.retain(|finding| finding.line != Some(line));
    Some(copy)
}

/// `dataset` without row `index`; the findings about its line go with it (the quality findings
/// are recomputed by [`Work::apply_edit`]).
fn without(dataset: &Dataset, index: usize) -> Option<Dataset> {
    let mut copy = dataset.clone();
    if index >= copy.rows.len() {
        return None;
    }
    let line = copy.rows.remove(index).line;
    copy.findings.retain(|finding| finding.line != Some(line));
    Some(copy)
}

/// The cells of row `index` being edited: its text and label in inputs, Save and Cancel.
///
/// What is typed is kept in `draft` (owned by the row, not by these cells), so that the cells
/// drawn again while the editor is open — the table redraws when it scrolls or refilters —
/// show it instead of the row's old values; closing the editor puts `original` back.
fn edit_cells(
    dataset: &Arc<Dataset>,
    index: usize,
    original: (String, String),
    draft: RwSignal<(String, String)>,
    editing: RwSignal<Option<usize>>,
    lang: Lang,
) -> impl IntoView + use<> {
    let work = expect_context::<Work>();
    let dataset = Arc::clone(dataset);
    let text_input = NodeRef::<leptos::html::Input>::new();
    let label_input = NodeRef::<leptos::html::Input>::new();
    let save = Callback::new(move |()| {
        let (Some(text_input), Some(label_input)) = (text_input.get(), label_input.get()) else {
            return;
        };
        let (text, label) = (text_input.value(), label_input.value());
        if text.trim().is_empty() || label.trim().is_empty() {
            return;
        }
        if let Some(changed) = edited(&dataset, index, text, label) {
            editing.set(None);
            work.apply_edit(changed);
        }
    });
    let close = move || {
        draft.set(original.clone());
        editing.set(None);
    };
    let cancel = close.clone();
    // Enter saves, Escape cancels; the text takes the focus when the editor opens.
    let keys = move |event: web_sys::KeyboardEvent| match event.key().as_str() {
        "Enter" => save.run(()),
        "Escape" => close(),
        _ => {}
    };
    let (text, label) = draft.get_untracked();
    Effect::new(move |_| {
        if let Some(input) = text_input.get() {
            // Once the row is in the document: an element not yet in it cannot take the focus.
            // Not from a field already being typed in (the label, clicked at once): the focus
            // would move mid-word and the rest of the typing land in the text.
            spawn_local(async move {
                yield_to_event_loop().await;
                let typing = web_sys::window()
                    .and_then(|window| window.document())
                    .and_then(|document| document.active_element())
                    .is_some_and(|element| {
                        matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                if !typing {
                    let _ = input.focus();
                }
            });
        }
    });
    view! {
        <td>
            <input
                data-testid="edit-text"
                node_ref=text_input
                value=text
                on:keydown=keys.clone()
                on:input=move |event| draft.update(|draft| draft.0 = event_target_value(&event))
                aria-label=lang.pick("Texto", "Text")
            />
        </td>
        <td>
            <input
                data-testid="edit-label"
                node_ref=label_input
                value=label
                on:keydown=keys
                on:input=move |event| draft.update(|draft| draft.1 = event_target_value(&event))
                aria-label=lang.pick("Etiqueta", "Label")
            />
        </td>
        <td class="actions">
            <button data-testid="edit-save" on:click=move |_| save.run(())>{lang.pick("Guardar", "Save")}</button>
            <button on:click=move |_| cancel()>{lang.pick("Cancelar", "Cancel")}</button>
        </td>
    }
}

/// The rows table of `dataset`.
#[component]
pub(crate) fn RowsTable(
    /// The dataset shown.
    dataset: Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let state = expect_context::<Table>();
    let work = expect_context::<Work>();
    let total = dataset.rows.len();
    let RowFilters {
        query,
        label,
        status,
        top: kept_top,
    } = state.row_filters;
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
            if query.is_empty() && label.is_empty() && status == Status::All {
                return (0..dataset.rows.len()).collect();
            }
            dataset
                .rows
                .iter()
                .enumerate()
                .filter(|(_, row)| {
                    let row_label = row.example_label().unwrap_or_default();
                    (label.is_empty() || row_label == label)
                        && match status {
                            Status::All => true,
                            Status::Warned => warned.contains(&row.line),
                            Status::Clean => !warned.contains(&row.line),
                        }
                        && (query.is_empty()
                            || row_label.to_lowercase().contains(&query)
                            || row_cells(row).0.to_lowercase().contains(&query))
                })
                .map(|(index, _)| index)
                .collect::<Vec<usize>>()
        })
    };
    // The rows listed: the matches, or every row when the marked row is not among them (the
    // marked row is shown even when the filters would hide it), and where the marked row is.
    let listed = Memo::new(move |_| {
        let indices = matches.get();
        let focus = match state.focus.get() {
            Some(Ok(index)) if index < total => Some(index),
            _ => None,
        };
        let indices = match focus {
            Some(focus) if !indices.contains(&focus) => (0..total).collect(),
            _ => indices,
        };
        let position = focus.and_then(|focus| indices.iter().position(|index| *index == focus));
        (Arc::new(indices), focus, position)
    });
    let scroll = RwSignal::new(Scroll::default());
    let wrap = NodeRef::<leptos::html::Div>::new();
    // A marked row is scrolled to the middle of the box; other lists start at their top, but
    // a table drawn anew after an edit or a delete goes back to where it was.
    Effect::new(move |previous: Option<()>| {
        let (_, _, position) = listed.get();
        let Some(wrap) = wrap.get_untracked() else {
            return;
        };
        let current = scroll.get_untracked();
        let top = match position {
            Some(position) => {
                (position as f64 * current.row_px - f64::from(wrap.client_height()) / 2.0).max(0.0)
            }
            None if previous.is_none() => kept_top.get_value(),
            None => 0.0,
        };
        // The box is drawn at its new height first: set now, the browser would cut the scroll
        // short at the height of the list drawn before.
        kept_top.set_value(top);
        scroll.set(Scroll { top, ..current });
        spawn_local(async move {
            yield_to_event_loop().await;
            wrap.set_scroll_top(top as i32);
        });
    });
    let on_scroll = move |_| {
        let Some(wrap) = wrap.get_untracked() else {
            return;
        };
        // The drawn rows' real height (the style sheet fixes it; a zoomed page may not).
        let row_px = wrap
            .query_selector("tbody tr[data-line]")
            .ok()
            .flatten()
            .and_then(|row| row.dyn_into::<web_sys::HtmlElement>().ok())
            .map(|row| f64::from(row.offset_height()))
            .filter(|height| *height > 0.0)
            .unwrap_or(ROW_PX);
        let next = Scroll {
            top: f64::from(wrap.scroll_top()),
            height: f64::from(wrap.client_height()).max(ROW_PX),
            row_px,
        };
        kept_top.set_value(next.top);
        if next != scroll.get_untracked() {
            scroll.set(next);
        }
    };
    // The first and last dataset index in view (the listed indices are in file order). Only
    // the rows in view can be reached with Tab: a button in a row drawn out of view would be
    // scrolled to when it takes the focus, which moves the window of drawn rows, whose new
    // first row is out of view again, and so on up to the top.
    let in_view = Memo::new(move |_| {
        let scroll = scroll.get();
        listed.with(|(indices, _, _)| {
            let (first, last) = scroll.visible(indices.len());
            Some((*indices.get(first)?, *indices.get(last.checked_sub(1)?)?))
        })
    });
    // The rows drawn: those in the box and [`OVERSCAN`] more on each side. A memo, so that a
    // scroll within one row draws nothing again.
    let window = Memo::new(move |_| {
        let count = listed.with(|(indices, _, _)| indices.len());
        scroll.get().window(count)
    });
    // One row, drawn once while it stays in the window (keyed below): scrolling keeps the
    // rows still in view, and the focus of a control in them.
    let row_view = {
        let dataset = Arc::clone(&dataset);
        let warned = Arc::clone(&warned);
        move |index: usize| {
            let row = dataset.rows.get(index)?;
            let (text, row_label) = row_cells(row);
            let line = row.line;
            let editable = matches!(row.content, RowContent::TextLabel { .. });
            let flagged = warned.contains(&line);
            let dataset = Arc::clone(&dataset);
            let tab_stop = move || {
                let reachable = in_view.with(|range| {
                    range.is_some_and(|(first, last)| first <= index && index <= last)
                });
                if reachable { "0" } else { "-1" }
            };
            // Typed text survives the cells being drawn again (see `edit_cells`).
            let draft = RwSignal::new((text.clone(), row_label.clone()));
            let cells = move || {
                if editing.get() == Some(index) {
                    edit_cells(
                        &dataset,
                        index,
                        (text.clone(), row_label.clone()),
                        draft,
                        editing,
                        lang,
                    )
                    .into_any()
                } else {
                    let dataset = Arc::clone(&dataset);
                    view! {
                        <td title=text.clone()>{text.clone()}</td>
                        <td title=row_label.clone()>{row_label.clone()}</td>
                        <td class="actions">
                            {editable.then(|| view! {
                                <button
                                    data-testid="row-edit"
                                    tabindex=tab_stop
                                    aria-label=format!("{} {line}", lang.pick("Editar la línea", "Edit line"))
                                    on:click=move |_| editing.set(Some(index))
                                >
                                    "✎"
                                </button>
                            })}
                            <button
                                class="danger"
                                data-testid="row-delete"
                                tabindex=tab_stop
                                aria-label=format!("{} {line}", lang.pick("Borrar la línea", "Delete line"))
                                on:click=move |_| {
                                    if let Some(changed) = without(&dataset, index) {
                                        work.apply_edit(changed);
                                    }
                                }
                            >
                                "×"
                            </button>
                        </td>
                    }
                    .into_any()
                }
            };
            let focused = move || listed.with(|(_, focus, _)| *focus == Some(index));
            Some(view! {
                <tr class:focused=focused class:warned=flagged data-line=line>
                    <td class="num">{line}</td>
                    {cells}
                </tr>
            })
        }
    };
    let drawn = move || {
        let (start, end) = window.get();
        listed.with(|(indices, _, _)| indices.get(start..end).unwrap_or_default().to_vec())
    };
    let spacer = move |above: bool| {
        move || {
            let (start, end) = window.get();
            let count = listed.with(|(indices, _, _)| indices.len());
            let rows = if above { start } else { count - end };
            format!("{}px", rows as f64 * scroll.with(|scroll| scroll.row_px))
        }
    };
    let body = view! {
        <tr class="spacer" aria-hidden="true">
            <td colspan="4" style:height=spacer(true)></td>
        </tr>
        <For each=drawn key=|index| *index children=row_view/>
        <tr class="spacer" aria-hidden="true">
            <td colspan="4" style:height=spacer(false)></td>
        </tr>
    };
    let summary = move || {
        let count = listed.with(|(indices, _, _)| indices.len());
        let (first, last) = scroll.get().visible(count);
        format!(
            "{count} {} {total} · {} {}–{last}",
            lang.pick("filas de", "rows of"),
            lang.pick("se ven", "in view"),
            if last == 0 { 0 } else { first + 1 },
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
        .map(|name| {
            let selected = label.with_untracked(|label| *label == name);
            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    view! {
        <div class="row-tools">
            <label>
                {lang.pick("Buscar ", "Search ")}
                <input
                    type="search"
                    data-testid="row-search"
                    prop:value=query.get_untracked()
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
                    <option value="warned" selected=status.get_untracked() == Status::Warned>
                        {lang.pick("con avisos", "with warnings")}
                    </option>
                    <option value="clean" selected=status.get_untracked() == Status::Clean>
                        {lang.pick("sin avisos", "without warnings")}
                    </option>
                </select>
            </label>
            <span class="note" data-testid="row-matches">{summary}</span>
        </div>
        {missing}
        <div
            class="table-wrap rows-wrap"
            data-testid="rows-scroll"
            tabindex="0"
            role="region"
            aria-label=lang.pick("Filas del conjunto", "Rows of the dataset")
            node_ref=wrap
            on:scroll=on_scroll
        >
            <table data-testid="rows" class="rows-table">
                <colgroup>
                    <col class="col-line"/>
                    <col/>
                    <col class="col-label"/>
                    <col class="col-actions"/>
                </colgroup>
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

    #[test]
    fn the_window_holds_the_rows_in_view_and_a_margin() {
        let scroll = Scroll {
            top: 3400.0,
            height: 340.0,
            row_px: 34.0,
        };
        assert_eq!(scroll.visible(100_000), (100, 110));
        let (start, end) = scroll.window(100_000);
        assert!(
            start <= 100 - OVERSCAN && end >= 110 + OVERSCAN,
            "{start}..{end}"
        );
        assert!(end - start <= 10 + 4 * OVERSCAN, "{start}..{end}");
        // A scroll of a few pixels keeps the same window.
        let nudged = Scroll {
            top: 3410.0,
            ..scroll
        };
        assert_eq!(nudged.window(100_000), (start, end));
        // Near the end and with few rows, nothing past the last row.
        let bottom = Scroll {
            top: 34.0 * 99_995.0,
            ..scroll
        };
        assert_eq!(bottom.visible(100_000), (99_995, 100_000));
        assert_eq!(bottom.window(100_000).1, 100_000);
        assert_eq!(Scroll::default().window(3), (0, 3));
        assert_eq!(Scroll::default().window(0), (0, 0));
    }

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
