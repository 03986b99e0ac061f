//! Findings: located problems in a dataset file, explained in English and Spanish.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row (or file) cannot be used as it is; the row is left out of the dataset.
    Error,
    /// The data is usable but something looks suspicious or was guessed.
    Warning,
}

/// A plain-language message in English and Spanish that says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// English text.
    pub en: String,
    /// Spanish text.
    pub es: String,
}

impl Message {
    /// Builds a message from its English and Spanish texts.
    pub fn new(en: impl Into<String>, es: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            es: es.into(),
        }
    }
}

/// One problem found in a dataset file, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Error (row left out) or warning (row kept).
    pub severity: Severity,
    /// File name as given to [`crate::parse()`].
    pub file: String,
    /// 1-based physical line where the row starts (the row number in a spreadsheet); `None`
    /// for file-level findings.
    pub line: Option<usize>,
    /// 1-based column where known (for example JSON syntax errors).
    pub column: Option<usize>,
    /// Column name, JSON path such as `messages[2].role`, or spreadsheet cell such as `B7`.
    pub field: Option<String>,
    /// Stable snake_case code, for example `missing_label`.
    pub code: String,
    /// What is wrong and what to do, in English and Spanish.
    pub message: Message,
}

impl Finding {
    /// An error finding on one line of `file`.
    pub fn error(file: &str, line: usize, code: &str, message: Message) -> Self {
        Self::new(Severity::Error, file, Some(line), code, message)
    }

    /// A warning finding; `line` is `None` for file-level warnings.
    pub fn warning(file: &str, line: Option<usize>, code: &str, message: Message) -> Self {
        Self::new(Severity::Warning, file, line, code, message)
    }

    fn new(
        severity: Severity,
        file: &str,
        line: Option<usize>,
        code: &str,
        message: Message,
    ) -> Self {
        Self {
            severity,
            file: file.to_owned(),
            line,
            column: None,
            field: None,
            code: code.to_owned(),
            message,
        }
    }

    /// Returns the finding with its field (column name or JSON path) set.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Returns the finding with its 1-based column set.
    #[must_use]
    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }

    /// Whether this finding is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_serializes_lowercase() {
        let json = serde_json::to_string(&Severity::Warning).unwrap();
        assert_eq!(json, "\"warning\"");
        let back: Severity = serde_json::from_str("\"error\"").unwrap();
        assert_eq!(back, Severity::Error);
    }

    #[test]
    fn builder_sets_location() {
        let finding = Finding::error("a.csv", 7, "missing_label", Message::new("en", "es"))
            .with_field("label")
            .with_column(3);
        assert_eq!(finding.line, Some(7));
        assert_eq!(finding.column, Some(3));
        assert_eq!(finding.field.as_deref(), Some("label"));
        assert!(finding.is_error());
        let json = serde_json::to_string(&finding).unwrap();
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, finding);
    }
}
