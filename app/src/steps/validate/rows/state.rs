//! The rows table's state: the row it marks, its search and filters, and its scroll position.

use std::sync::Arc;

use afina_dataset::{Dataset, Row, RowContent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::steps::validate::work::Work;

/// The rows table's state, shared through context: the row it marks and its filters.
#[derive(Clone, Copy)]
pub(crate) struct Table {
    /// The row the table shows and marks (an index into the dataset's rows), or why the line
    /// asked for is not in the table.
    pub(crate) focus: RwSignal<Option<Result<usize, usize>>>,
    /// The table's search, filters and scroll position.
    pub(crate) row_filters: RowFilters,
    /// The working dataset the table shows.
    dataset: RwSignal<Option<Arc<Dataset>>>,
}

impl Table {
    /// Nothing marked, no filters, over the working dataset.
    pub(crate) fn new(work: Work) -> Self {
        Self {
            focus: RwSignal::new(None),
            row_filters: RowFilters::new(),
            dataset: work.dataset,
        }
    }

    /// Nothing marked and no filters (a new file).
    pub(crate) fn reset(&self) {
        self.focus.set(None);
        self.row_filters.reset();
    }

    /// Shows the row of file line `line` in the table (or says it is not there: a line that
    /// could not be read as a row) and scrolls to it.
    pub(crate) fn show_line(&self, line: usize) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        let found = dataset.rows.binary_search_by_key(&line, |row| row.line);
        self.focus.set(Some(found.map_err(|_| line)));
        scroll_to_marked_row();
    }

    /// Forgets the marked row (the filters changed).
    pub(crate) fn clear_focus(&self) {
        self.focus.set(None);
    }

    /// Shows the first row whose text is `text` (a validation row the model got wrong).
    pub(crate) fn show_text(&self, text: &str) {
        let Some(dataset) = self.dataset.get_untracked() else {
            return;
        };
        let found = dataset.rows.iter().position(|row| row_cells(row).0 == text);
        if let Some(index) = found {
            self.focus.set(Some(Ok(index)));
            scroll_to_marked_row();
        }
    }
}

/// The table's search and filters. They live in [`Table`], so an edit or a delete (which
/// draws the table anew) keeps them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowFilters {
    pub(crate) query: RwSignal<String>,
    pub(crate) label: RwSignal<String>,
    pub(crate) status: RwSignal<Status>,
    /// How far the rows box was scrolled, in CSS pixels.
    pub(crate) top: StoredValue<f64>,
}

impl RowFilters {
    /// No search, every label and status.
    pub(crate) fn new() -> Self {
        Self {
            query: RwSignal::new(String::new()),
            label: RwSignal::new(String::new()),
            status: RwSignal::new(Status::All),
            top: StoredValue::new(0.0),
        }
    }

    /// Back to no search and no filter (another file was read).
    pub(crate) fn reset(&self) {
        self.query.set(String::new());
        self.label.set(String::new());
        self.status.set(Status::All);
        self.top.set_value(0.0);
    }
}

/// Which rows the status filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    All,
    /// Rows a warning points at.
    Warned,
    /// Rows no finding points at.
    Clean,
}

/// Scrolls the page to the marked row of the table (the table scrolls itself to the row), once
/// it is drawn.
pub(crate) fn scroll_to_marked_row() {
    spawn_local(async {
        yield_to_event_loop().await;
        yield_to_event_loop().await;
        let target = document()
            .query_selector("[data-testid=rows] tr.focused, [data-testid=focus-missing]")
            .ok()
            .flatten();
        if let Some(target) = target {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            target.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });
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
