//! The detected file format (CSV with its delimiter, JSONL, or an XLSX sheet) and the schema of its rows.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The format a dataset file was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Format {
    /// Delimiter-separated values with a header row (`\t` means TSV).
    Csv {
        /// The field separator: `,`, `;`, `\t` or `|`.
        delimiter: char,
    },
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// One sheet of an Excel workbook, with a header row.
    Xlsx {
        /// The name of the sheet that was read.
        sheet: String,
    },
}

impl fmt::Display for Format {
    /// `CSV (;)`, `TSV`, `JSONL` or `XLSX (Hoja1)`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Csv { delimiter: '\t' } => formatter.write_str("TSV"),
            Self::Csv { delimiter } => write!(formatter, "CSV ({delimiter})"),
            Self::Jsonl => formatter.write_str("JSONL"),
            Self::Xlsx { sheet } => write!(formatter, "XLSX ({sheet})"),
        }
    }
}

/// What the rows of a dataset hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schema {
    /// A text and a label per row.
    TextLabel {
        /// Name of the text column (or JSON key) as written in the file.
        text_column: String,
        /// Name of the label column (or JSON key) as written in the file.
        label_column: String,
    },
    /// Chat conversations (`{"messages": [...]}` per line).
    Chat,
    /// A prompt and its completion per row, kept as [`crate::RowContent::Chat`] rows of one
    /// user message and one assistant message.
    PromptCompletion {
        /// Name of the prompt column (or JSON key) as written in the file.
        prompt_column: String,
        /// Name of the completion column (or JSON key) as written in the file.
        completion_column: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_delimiter() {
        assert_eq!(Format::Csv { delimiter: ';' }.to_string(), "CSV (;)");
        assert_eq!(Format::Csv { delimiter: ',' }.to_string(), "CSV (,)");
        assert_eq!(Format::Csv { delimiter: '\t' }.to_string(), "TSV");
        assert_eq!(Format::Jsonl.to_string(), "JSONL");
        let sheet = Format::Xlsx {
            sheet: "Hoja1".into(),
        };
        assert_eq!(sheet.to_string(), "XLSX (Hoja1)");
    }

    #[test]
    fn format_and_schema_round_trip() {
        let formats = [
            Format::Csv { delimiter: '\t' },
            Format::Jsonl,
            Format::Xlsx {
                sheet: "Hoja 1".into(),
            },
        ];
        for format in formats {
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(serde_json::from_str::<Format>(&json).unwrap(), format);
        }
        let json = r#"{"kind":"xlsx","sheet":"Hoja1"}"#;
        assert_eq!(
            serde_json::from_str::<Format>(json).unwrap(),
            Format::Xlsx {
                sheet: "Hoja1".into()
            }
        );
        let schema = Schema::TextLabel {
            text_column: "texto".into(),
            label_column: "etiqueta".into(),
        };
        let json = serde_json::to_string(&schema).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), schema);
        let schema = Schema::PromptCompletion {
            prompt_column: "input".into(),
            completion_column: "output".into(),
        };
        let json = serde_json::to_string(&schema).unwrap();
        assert!(json.contains("\"kind\":\"prompt_completion\""));
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), schema);
    }
}
