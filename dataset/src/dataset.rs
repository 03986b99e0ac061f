//! A parsed dataset: its valid rows, how it was read, and what is wrong with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};
use crate::format::{Format, Schema};
use crate::row::{Example, Row};

/// A dataset file after decoding, parsing and validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    /// File name as given to [`crate::parse()`].
    pub file_name: String,
    /// How the file was read.
    pub format: Format,
    /// What its rows hold.
    pub schema: Schema,
    /// Text encoding: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE` or `windows-1252`; `XLSX`
    /// for Excel workbooks.
    pub encoding: String,
    /// Only the valid rows, in file order.
    pub rows: Vec<Row>,
    /// Errors (one per bad line) and warnings, in line order (file-level first); the quality
    /// warnings of `quality` come after the parse findings of the same line.
    pub findings: Vec<Finding>,
}

impl Dataset {
    /// Number of error findings.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warning findings.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// The classification examples of the valid rows (see [`Row::example`]).
    pub fn examples(&self) -> Vec<Example> {
        self.rows.iter().filter_map(Row::example).collect()
    }

    /// How many examples each label has, over [`Dataset::examples`].
    pub fn label_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::<&str, usize>::new();
        for label in self.rows.iter().filter_map(Row::example_label) {
            *counts.entry(label).or_insert(0) += 1;
        }
        counts
            .into_iter()
            .map(|(label, count)| (label.to_owned(), count))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Message;
    use crate::test_support::text_row;

    fn sample() -> Dataset {
        Dataset {
            file_name: "a.csv".into(),
            format: Format::Csv { delimiter: ',' },
            schema: Schema::TextLabel {
                text_column: "text".into(),
                label_column: "label".into(),
            },
            encoding: "UTF-8".into(),
            rows: vec![
                text_row(2, "bien", "pos"),
                text_row(3, "mal", "neg"),
                text_row(4, "genial", "pos"),
            ],
            findings: vec![
                Finding::error("a.csv", 5, "missing_label", Message::new("a", "b")),
                Finding::warning("a.csv", None, "encoding_fallback", Message::new("a", "b")),
            ],
        }
    }

    #[test]
    fn counts_findings_and_labels() {
        let dataset = sample();
        assert_eq!(dataset.error_count(), 1);
        assert_eq!(dataset.warning_count(), 1);
        assert_eq!(dataset.examples().len(), 3);
        let counts = dataset.label_counts();
        assert_eq!(counts.get("pos"), Some(&2));
        assert_eq!(counts.get("neg"), Some(&1));
    }

    #[test]
    fn dataset_round_trips_through_json() {
        let dataset = sample();
        let json = serde_json::to_string(&dataset).unwrap();
        assert_eq!(serde_json::from_str::<Dataset>(&json).unwrap(), dataset);
    }
}
