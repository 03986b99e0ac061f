//! Writing an augmented dataset in the layout of its input, with the marks of the new rows
//! (augmented, source line, operations) in extra columns where the format allows them, or in
//! a sidecar JSON Lines file where OpenAI would refuse unknown keys.

use serde::Serialize;

use super::error::AugmentError;
use super::generate::Augmented;
use crate::change::convert::{self, ConvertError, Converted, ExtraColumns};
use crate::dataset::Dataset;

/// Names of the columns (or JSON keys) that mark each row: `augmented` (`true`/`false`),
/// `source_line` (the source row's 1-based line; empty for an original row) and
/// `operations` (names joined with `+` in CSV, a list in JSON).
pub const MARK_COLUMNS: [&str; 3] = ["augmented", "source_line", "operations"];

/// Where the marks of the new rows went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marks {
    /// In the [`MARK_COLUMNS`] of every row (CSV and text/label JSON Lines).
    Columns,
    /// In this JSON Lines text, one line per new row: `{"line": …, "source_line": …,
    /// "operations": […]}`, `line` being the row's 1-based line in the written file (chat
    /// and prompt/completion JSON Lines, which OpenAI reads and which may not hold unknown
    /// keys).
    Sidecar(String),
}

/// An augmented dataset ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AugmentedFile {
    /// The rows kept and the new rows, in the input's own format.
    pub converted: Converted,
    /// Where the marks are.
    pub marks: Marks,
}

/// `dataset` with the rows at `kept` (in that order; indices past the end are ignored)
/// followed by the new rows: the training part after augmentation when `kept` is the
/// training split. It has the name, format and schema of `dataset` and no findings (call
/// [`Dataset::refresh_quality_findings`] for the quality report).
pub fn augmented_dataset(dataset: &Dataset, kept: &[usize], augmented: &Augmented) -> Dataset {
    let rows = kept
        .iter()
        .filter_map(|index| dataset.rows.get(*index).cloned())
        .chain(augmented.rows.iter().map(|new| new.row.clone()))
        .collect();
    Dataset {
        file_name: dataset.file_name.clone(),
        format: dataset.format.clone(),
        schema: dataset.schema.clone(),
        encoding: "UTF-8".to_owned(),
        rows,
        findings: Vec::new(),
    }
}

/// One line of the sidecar file.
#[derive(Serialize)]
struct SidecarLine<'a> {
    line: usize,
    source_line: usize,
    operations: Vec<&'a str>,
}

/// [`augmented_dataset`] written in its own format ([`crate::to_own_format`]: CSV keeps its
/// delimiter, a workbook sheet becomes CSV, JSON Lines stays JSON Lines with its keys), with
/// the marks of every row in [`MARK_COLUMNS`] or, for chat and prompt/completion JSON Lines,
/// in a sidecar ([`Marks`]).
///
/// # Errors
/// [`AugmentError::Write`] when there is no row to write.
pub fn write_augmented(
    dataset: &Dataset,
    kept: &[usize],
    augmented: &Augmented,
) -> Result<AugmentedFile, AugmentError> {
    let combined = augmented_dataset(dataset, kept, augmented);
    let original_rows = combined.rows.len().saturating_sub(augmented.rows.len());
    let values: Vec<Vec<serde_json::Value>> = (0..original_rows)
        .map(|_| {
            vec![
                serde_json::Value::Bool(false),
                serde_json::Value::Null,
                serde_json::Value::Array(Vec::new()),
            ]
        })
        .chain(augmented.rows.iter().map(|new| {
            vec![
                serde_json::Value::Bool(true),
                serde_json::Value::from(new.source_line),
                serde_json::Value::Array(
                    new.operations
                        .iter()
                        .map(|operation| serde_json::Value::from(operation.name()))
                        .collect(),
                ),
            ]
        }))
        .collect();
    let extra = ExtraColumns {
        names: &MARK_COLUMNS,
        values: &values,
    };
    if let Some(converted) = convert::to_own_format_with_extra(&combined, &extra) {
        return Ok(AugmentedFile {
            converted: converted?,
            marks: Marks::Columns,
        });
    }
    let converted = convert::to_own_format(&combined)?;
    // New rows always have a text and an answer, so none is skipped: they are the last
    // lines of the file.
    let first_new_line = converted.rows - augmented.rows.len().min(converted.rows) + 1;
    let mut sidecar = String::new();
    for (offset, new) in augmented.rows.iter().enumerate() {
        let line = SidecarLine {
            line: first_new_line + offset,
            source_line: new.source_line,
            operations: new
                .operations
                .iter()
                .map(|operation| operation.name())
                .collect(),
        };
        sidecar.push_str(&serde_json::to_string(&line).map_err(ConvertError::from)?);
        sidecar.push('\n');
    }
    Ok(AugmentedFile {
        converted,
        marks: Marks::Sidecar(sidecar),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::augment::{AugmentOptions, Goal, Operation, augment};
    use crate::format::{Format, Schema};
    use crate::parse;
    use crate::row::{Role, RowContent};

    fn augmented_from(file: &str, text: &str) -> (Dataset, Augmented) {
        let dataset = parse(file, text.as_bytes()).unwrap();
        let all: Vec<usize> = (0..dataset.rows.len()).collect();
        let options = AugmentOptions {
            operations: vec![(Operation::Synonym, 1.0)],
            ..AugmentOptions::default()
        };
        let augmented = augment(
            &dataset,
            &all,
            Goal::TargetRows(dataset.rows.len() + 2),
            &options,
        )
        .unwrap();
        assert_eq!(augmented.rows.len(), 2);
        (dataset, augmented)
    }

    #[test]
    fn csv_gets_mark_columns_and_reads_back() {
        let (dataset, augmented) = augmented_from(
            "in.csv",
            "texto;etiqueta\nel coche es bonito;pos\nel problema es grave;neg\n",
        );
        let file = write_augmented(&dataset, &[0, 1], &augmented).unwrap();
        assert_eq!(file.marks, Marks::Columns);
        assert_eq!(file.converted.rows, 4);
        let mut lines = file.converted.text.lines();
        assert_eq!(
            lines.next(),
            Some("texto;etiqueta;augmented;source_line;operations")
        );
        assert_eq!(lines.next(), Some("el coche es bonito;pos;false;;"));
        assert!(
            file.converted.text.contains(";true;2;synonym\n"),
            "{}",
            file.converted.text
        );
        let reread = parse("out.csv", file.converted.text.as_bytes()).unwrap();
        assert_eq!(reread.error_count(), 0);
        assert_eq!(reread.format, Format::Csv { delimiter: ';' });
        assert_eq!(reread.schema, dataset.schema);
        let combined = augmented_dataset(&dataset, &[0, 1], &augmented);
        let contents = |rows: &[crate::Row]| {
            rows.iter()
                .map(|row| row.content.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(contents(&reread.rows), contents(&combined.rows));
    }

    #[test]
    fn text_label_jsonl_gets_mark_keys() {
        let (dataset, augmented) = augmented_from(
            "in.jsonl",
            "{\"text\":\"el coche es bonito\",\"label\":\"pos\"}\n{\"text\":\"el problema es grave\",\"label\":\"neg\"}\n",
        );
        let file = write_augmented(&dataset, &[1], &augmented).unwrap();
        assert_eq!(file.marks, Marks::Columns);
        let lines: Vec<&str> = file.converted.text.lines().collect();
        assert_eq!(lines.len(), 3, "one kept row and two new ones");
        assert_eq!(
            lines[0],
            "{\"text\":\"el problema es grave\",\"label\":\"neg\",\"augmented\":false,\"source_line\":null,\"operations\":[]}"
        );
        let new: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(new["augmented"], true);
        assert!(new["source_line"] == 1 || new["source_line"] == 2);
        assert_eq!(new["operations"], serde_json::json!(["synonym"]));
        let reread = parse("out.jsonl", file.converted.text.as_bytes()).unwrap();
        assert_eq!(reread.error_count(), 0);
        assert_eq!(reread.rows.len(), 3);
    }

    #[test]
    fn chat_jsonl_gets_a_sidecar_and_no_unknown_keys() {
        let (dataset, augmented) = augmented_from(
            "in.jsonl",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"el coche es bonito\"},{\"role\":\"assistant\",\"content\":\"sí\"}]}\n\
             {\"messages\":[{\"role\":\"user\",\"content\":\"el problema es grave\"},{\"role\":\"assistant\",\"content\":\"no\"}]}\n",
        );
        assert_eq!(dataset.schema, Schema::Chat);
        let file = write_augmented(&dataset, &[0, 1], &augmented).unwrap();
        let Marks::Sidecar(sidecar) = &file.marks else {
            panic!("chat marks go to a sidecar");
        };
        for line in file.converted.text.lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["messages"]);
        }
        let marks: Vec<serde_json::Value> = sidecar
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(marks.len(), 2);
        assert_eq!(marks[0]["line"], 3);
        assert_eq!(marks[1]["line"], 4);
        assert_eq!(marks[0]["operations"], serde_json::json!(["synonym"]));
        let reread = parse("out.jsonl", file.converted.text.as_bytes()).unwrap();
        for (mark, new) in marks.iter().zip(&augmented.rows) {
            let line = mark["line"].as_u64().unwrap() as usize;
            assert_eq!(reread.rows[line - 1].content, new.row.content);
            assert_eq!(mark["source_line"], new.source_line);
            let RowContent::Chat { messages } = &new.row.content else {
                panic!("chat");
            };
            assert_eq!(messages[1].role, Role::Assistant);
        }
    }
}
