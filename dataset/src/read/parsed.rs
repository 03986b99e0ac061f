//! What each reader (CSV/TSV, JSON Lines, XLSX through the table) hands back to
//! `read::parse`, and the example label quoted in "add a label" findings. It sits below
//! the readers and `parse` so that neither imports the other's file.

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::format::{Format, Schema};
use crate::row::{Row, RowContent};

/// What a reader gives back for the text of one file.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) format: Format,
    pub(crate) schema: Schema,
    pub(crate) rows: Vec<Row>,
    pub(crate) findings: Vec<Finding>,
}

/// A label to quote in "add a label (for example …)": the most common label of the valid rows,
/// or a generic one, as (English, Spanish).
pub(crate) fn example_label(rows: &[Row]) -> (String, String) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        if let RowContent::TextLabel { label, .. } = &row.content {
            *counts.entry(label.as_str()).or_insert(0) += 1;
        }
    }
    most_common_label(counts.iter().map(|(label, count)| (*label, *count)))
}

/// [`example_label`] from label counts.
pub(crate) fn most_common_label<'label>(
    counts: impl IntoIterator<Item = (&'label str, usize)>,
) -> (String, String) {
    let most_common = counts
        .into_iter()
        .max_by(|(label_a, count_a), (label_b, count_b)| {
            count_a.cmp(count_b).then(label_b.cmp(label_a))
        });
    match most_common {
        Some((label, _)) => (label.to_owned(), label.to_owned()),
        None => ("positive".to_owned(), "positivo".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_label_is_the_most_common() {
        let row = |label: &str| Row {
            line: 1,
            content: RowContent::TextLabel {
                text: "t".into(),
                label: label.into(),
            },
        };
        assert_eq!(example_label(&[]).1, "positivo");
        let rows = [row("b"), row("a"), row("b")];
        assert_eq!(example_label(&rows).0, "b");
    }
}
