//! Turning a table (CSV records or spreadsheet rows) into text/label (or prompt/completion)
//! rows and located findings: deciding whether the first record is a header, choosing the
//! columns (by name or as [`ParseOptions`] say), validating each row. The CSV and XLSX readers
//! both go through here, so they report problems the same way.

use std::collections::BTreeSet;

use crate::check::completion::{self, Location};
use crate::finding::{Finding, Message};
use crate::format::{Format, Schema};
use crate::read::columns::{self, Columns, PairKind};
use crate::read::file_error::FileError;
use crate::read::parse_options::ParseOptions;
use crate::read::parsed::{Parsed, example_label};
use crate::row::{Row, RowContent};

/// Where a table comes from, which decides how places in it are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Delimited text: places are lines, fields are column names.
    Text,
    /// A sheet of a workbook: places are rows of the sheet, fields are cell references.
    Sheet {
        /// The sheet name.
        name: String,
        /// 0-based index of the sheet column that holds the table's first column.
        first_column: u32,
    },
}

impl Origin {
    /// "Line 4" or "Sheet "Hoja1", row 4", in English and Spanish.
    fn place(&self, line: usize) -> (String, String) {
        match self {
            Self::Text => (format!("Line {line}"), format!("Línea {line}")),
            Self::Sheet { name, .. } => (
                format!("Sheet \"{name}\", row {line}"),
                format!("Hoja \"{name}\", fila {line}"),
            ),
        }
    }

    /// How a finding names the field: the column name for text, the cell (`B7`) for sheets.
    fn field(&self, column_index: usize, column_name: &str, line: usize) -> String {
        match self {
            Self::Text => column_name.to_owned(),
            Self::Sheet { first_column, .. } => cell_reference(*first_column, column_index, line),
        }
    }

    /// `column "label"` or `cell B7, column "label"`, in English and Spanish.
    fn column_words(&self, field: &str, column_name: &str) -> (String, String) {
        match self {
            Self::Text => (
                format!("column \"{column_name}\""),
                format!("columna \"{column_name}\""),
            ),
            Self::Sheet { .. } => (
                format!("cell {field}, column \"{column_name}\""),
                format!("celda {field}, columna \"{column_name}\""),
            ),
        }
    }

    /// The name of a column that has no header: `1`, `2`… for text, `A`, `B`… for sheets.
    fn position_name(&self, column_index: usize) -> String {
        match self {
            Self::Text => (column_index + 1).to_string(),
            Self::Sheet { first_column, .. } => column_letters(*first_column, column_index),
        }
    }
}

/// One record of a table that is not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// 1-based line (or sheet row) where the record starts.
    pub(crate) line: usize,
    /// The values in column order, untrimmed.
    pub(crate) values: Vec<String>,
}

impl Record {
    /// Whether every value is blank, as in the rows of separators spreadsheets write below
    /// the data.
    pub(crate) fn is_blank(values: &[String]) -> bool {
        values.iter().all(|value| value.trim().is_empty())
    }
}

/// A table being read: the chosen columns and what its records gave so far.
#[derive(Debug)]
pub(crate) struct Table {
    file: String,
    origin: Origin,
    header: Vec<String>,
    columns: Columns,
    text_column: String,
    label_column: String,
    rows: Vec<Row>,
    findings: Vec<Finding>,
    missing_label_lines: Vec<usize>,
    data_records: usize,
}

impl Table {
    /// Starts a table from its first record: the header, unless it looks like data (see
    /// [`looks_like_data`]), in which case it is the first data row and the columns are
    /// taken by position with a `no_header_row` warning. `rest` is only looked at, to tell.
    ///
    /// Columns named in `options` are looked up in the header; a first record that holds one
    /// of those names is always the header. Without a header, `options` may name the columns
    /// by position (`1`, `2`… for text, `A`, `B`… for sheets).
    pub(crate) fn start(
        file: &str,
        origin: Origin,
        first: &Record,
        rest: &[Record],
        options: &ParseOptions,
    ) -> Result<Self, FileError> {
        let headerless =
            !names_a_column(&first.values, options) && looks_like_data(&first.values, rest);
        let header: Vec<String> = if headerless {
            (0..first.values.len())
                .map(|column_index| origin.position_name(column_index))
                .collect()
        } else {
            first
                .values
                .iter()
                .map(|name| name.trim().to_owned())
                .collect()
        };
        let columns = if headerless && !options.names_columns() {
            Columns {
                text: 0,
                label: 1,
                guessed: true,
                kind: PairKind::TextLabel,
            }
        } else {
            columns::choose(file, &header, options)?
        };
        let text_column = header.get(columns.text).cloned().unwrap_or_default();
        let label_column = header.get(columns.label).cloned().unwrap_or_default();
        let mut table = Self {
            file: file.to_owned(),
            origin,
            header,
            columns,
            text_column,
            label_column,
            rows: Vec::new(),
            findings: Vec::new(),
            missing_label_lines: Vec::new(),
            data_records: 0,
        };
        if headerless {
            table.findings.push(table.no_header_row(first.line));
            table.add(first);
        } else if columns.guessed {
            table.findings.push(table.columns_guessed(first.line));
        }
        Ok(table)
    }

    /// The file's name, as findings give it.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The name of column `index` (its position when the table has no header row).
    pub(crate) fn header_name(&self, index: usize) -> Option<&str> {
        self.header.get(index).map(String::as_str)
    }

    /// How many columns the table has.
    pub(crate) fn width(&self) -> usize {
        self.header.len()
    }

    /// Counts a data record that the reader found broken, with the error that says why.
    pub(crate) fn reject(&mut self, finding: Finding) {
        self.data_records += 1;
        self.findings.push(finding);
    }

    /// Validates a data record: a row if it has a text and a label (or a prompt and a
    /// completion), a finding if not.
    pub(crate) fn add(&mut self, record: &Record) {
        self.data_records += 1;
        let line = record.line;
        match row_content(&record.values, self.columns) {
            Ok(content) => self.rows.push(Row { line, content }),
            Err(RowProblem::EmptyText) => {
                let finding = self.empty_text(line);
                self.findings.push(finding);
            }
            // Reported in `finish`, when the most common label is known for the example.
            Err(RowProblem::MissingLabel) => self.missing_label_lines.push(line),
            Err(RowProblem::PromptCompletion(issue)) => {
                let finding = self.completion_issue(line, issue);
                self.findings.push(finding);
            }
        }
    }

    /// The rows and findings, or [`FileError::NoRows`] if there was no data record.
    pub(crate) fn finish(mut self, format: Format) -> Result<Parsed, FileError> {
        if self.data_records == 0 {
            return Err(FileError::NoRows {
                file: self.file.clone(),
                header: self.header,
            });
        }
        let example = example_label(&self.rows);
        let missing = self.take_missing_labels(&example);
        self.findings.extend(missing);
        self.findings.sort_by_key(|finding| finding.line);
        Ok(Parsed {
            format,
            schema: self.schema(),
            rows: self.rows,
            findings: self.findings,
        })
    }

    /// Takes the rows and findings validated so far, for a reader that does not keep them
    /// (the CSV stream); rows without a label are kept for [`take_missing_labels`](Self::take_missing_labels).
    pub(crate) fn drain(&mut self) -> (Vec<Row>, Vec<Finding>) {
        (
            std::mem::take(&mut self.rows),
            std::mem::take(&mut self.findings),
        )
    }

    /// The findings for the rows without a label, quoting `example` (the most common label).
    pub(crate) fn take_missing_labels(&mut self, example: &(String, String)) -> Vec<Finding> {
        std::mem::take(&mut self.missing_label_lines)
            .into_iter()
            .map(|line| self.missing_label(line, example))
            .collect()
    }

    /// What the rows hold, named by the chosen columns.
    pub(crate) fn schema(&self) -> Schema {
        let (first, second) = (self.text_column.clone(), self.label_column.clone());
        match self.columns.kind {
            PairKind::TextLabel => Schema::TextLabel {
                text_column: first,
                label_column: second,
            },
            PairKind::PromptCompletion => Schema::PromptCompletion {
                prompt_column: first,
                completion_column: second,
            },
        }
    }

    fn columns_guessed(&self, line: usize) -> Finding {
        let text_column = &self.text_column;
        let label_column = &self.label_column;
        let (place_en, place_es, add_en, add_es) = match &self.origin {
            Origin::Text => (
                format!("line {line}"),
                format!("la línea {line}"),
                "add a first line with: text,label",
                "añade una primera línea con: texto,etiqueta",
            ),
            Origin::Sheet { name, .. } => (
                format!("row {line} of sheet \"{name}\""),
                format!("la fila {line} de la hoja \"{name}\""),
                "insert a first row with \"text\" and \"label\" in its cells",
                "inserta una primera fila con \"texto\" y \"etiqueta\" en sus celdas",
            ),
        };
        Finding::warning(
            &self.file,
            Some(line),
            "columns_guessed",
            Message::new(
                format!(
                    "The column names \"{text_column}\" and \"{label_column}\" were not recognised, so \"{text_column}\" is used as the text \
                     and \"{label_column}\" as the label. If that is wrong, rename them to \"text\" and \"label\". If {place_en} is an example \
                     and not column names, {add_en}"
                ),
                format!(
                    "No se reconocen los nombres de columna \"{text_column}\" y \"{label_column}\", así que se usa \"{text_column}\" como texto \
                     y \"{label_column}\" como etiqueta. Si no es correcto, cámbiales el nombre a \"texto\" y \"etiqueta\". Si {place_es} es un \
                     ejemplo y no los nombres de las columnas, {add_es}"
                ),
            ),
        )
    }

    fn no_header_row(&self, line: usize) -> Finding {
        let text_column = &self.text_column;
        let label_column = &self.label_column;
        let (place_en, place_es, add_en, add_es) = match &self.origin {
            Origin::Text => (
                format!("Line {line}"),
                format!("La línea {line}"),
                "add a first line with: text,label",
                "añade una primera línea con: texto,etiqueta",
            ),
            Origin::Sheet { name, .. } => (
                format!("Row {line} of sheet \"{name}\""),
                format!("La fila {line} de la hoja \"{name}\""),
                "insert a first row with \"text\" and \"label\" in its cells",
                "inserta una primera fila con \"texto\" y \"etiqueta\" en sus celdas",
            ),
        };
        Finding::warning(
            &self.file,
            Some(line),
            "no_header_row",
            Message::new(
                format!(
                    "{place_en} looks like an example, not column names, so there is no header row: column {text_column} is used as the \
                     text and column {label_column} as the label, and every row is an example. To name the columns, {add_en}"
                ),
                format!(
                    "{place_es} parece un ejemplo y no los nombres de las columnas, así que no hay fila de cabecera: la columna \
                     {text_column} se usa como texto y la columna {label_column} como etiqueta, y todas las filas son ejemplos. \
                     Para dar nombre a las columnas, {add_es}"
                ),
            ),
        )
    }

    fn empty_text(&self, line: usize) -> Finding {
        let field = self
            .origin
            .field(self.columns.text, &self.text_column, line);
        let (place_en, place_es) = self.origin.place(line);
        let (column_en, column_es) = self.origin.column_words(&field, &self.text_column);
        Finding::error(
            &self.file,
            line,
            "empty_text",
            Message::new(
                format!("{place_en}: the text ({column_en}) is empty. Write the example text or delete the row."),
                format!("{place_es}: el texto ({column_es}) está vacío. Escribe el texto del ejemplo o borra la fila."),
            ),
        )
        .with_field(field)
    }

    /// An empty prompt or completion, named as the text file's other findings are, or by its
    /// sheet row and cell.
    fn completion_issue(&self, line: usize, issue: completion::Issue) -> Finding {
        if self.origin == Origin::Text {
            return issue.finding(&self.file, line, &self.text_column, &self.label_column);
        }
        let (column_index, name) = if issue.is_about_prompt() {
            (self.columns.text, &self.text_column)
        } else {
            (self.columns.label, &self.label_column)
        };
        let field = self.origin.field(column_index, name, line);
        let location = Location {
            place: self.origin.place(line),
            column: self.origin.column_words(&field, name),
            name: name.clone(),
            field,
        };
        issue.finding_at(&self.file, line, &location)
    }

    fn missing_label(&self, line: usize, example: &(String, String)) -> Finding {
        let (example_en, example_es) = example;
        let field = self
            .origin
            .field(self.columns.label, &self.label_column, line);
        let (place_en, place_es) = self.origin.place(line);
        let (column_en, column_es) = self.origin.column_words(&field, &self.label_column);
        Finding::error(
            &self.file,
            line,
            "missing_label",
            Message::new(
                format!(
                    "{place_en}: the label ({column_en}) is empty. Add a label (for example {example_en}) or delete the row."
                ),
                format!(
                    "{place_es}: la etiqueta ({column_es}) está vacía. Añade una etiqueta (por ejemplo {example_es}) o borra la fila."
                ),
            ),
        )
        .with_field(field)
    }
}

/// Whether one of `values` is a column that `options` name, which makes the record a header.
fn names_a_column(values: &[String], options: &ParseOptions) -> bool {
    [&options.text_column, &options.label_column]
        .into_iter()
        .flatten()
        .any(|name| {
            let wanted = columns::normalize(name);
            values
                .iter()
                .any(|value| columns::normalize(value) == wanted)
        })
}

/// Whether the first record of a table looks like an example rather than column names.
///
/// Only two-column tables whose names are both unknown are candidates (with known names, or
/// more columns, the first record is always the header). Such a record is data when its last
/// value is a label of the later records (a header name is not also a class), or a number
/// (column names are not numbers).
fn looks_like_data(first: &[String], rest: &[Record]) -> bool {
    let [_, first_label] = first else {
        return false;
    };
    if first.iter().any(|name| columns::is_known(name)) {
        return false;
    }
    let first_label = first_label.trim();
    if first_label.is_empty() {
        return false;
    }
    let later_labels: BTreeSet<&str> = rest
        .iter()
        .filter_map(|record| match record.values.as_slice() {
            [_, label] => Some(label.trim()),
            _ => None,
        })
        .collect();
    later_labels.contains(first_label) || is_number(first_label)
}

/// Digits with at most a sign and a decimal point or comma, such as `1`, `-2` or `0,5`.
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    let mut separators = 0;
    let mut has_digit = false;
    for character in digits.chars() {
        match character {
            '0'..='9' => has_digit = true,
            '.' | ',' => separators += 1,
            _ => return false,
        }
    }
    has_digit && separators <= 1
}

/// Why a record is not a valid row.
enum RowProblem {
    EmptyText,
    MissingLabel,
    PromptCompletion(completion::Issue),
}

fn row_content(values: &[String], columns: Columns) -> Result<RowContent, RowProblem> {
    let text = values.get(columns.text).map_or("", String::as_str);
    if columns.kind == PairKind::PromptCompletion {
        let completion = values.get(columns.label).map_or("", String::as_str);
        return completion::row(text, completion).map_err(RowProblem::PromptCompletion);
    }
    if text.trim().is_empty() {
        return Err(RowProblem::EmptyText);
    }
    let label = values.get(columns.label).map_or("", |label| label.trim());
    if label.is_empty() {
        return Err(RowProblem::MissingLabel);
    }
    Ok(RowContent::TextLabel {
        text: text.to_owned(),
        label: label.to_owned(),
    })
}

/// The letters of a sheet column: `A` for the column `first_column + column_index` = 0, `AA`
/// after `Z`.
pub(crate) fn column_letters(first_column: u32, column_index: usize) -> String {
    let mut number = usize::try_from(first_column)
        .unwrap_or(usize::MAX)
        .saturating_add(column_index)
        .saturating_add(1);
    let mut letters = Vec::new();
    while number > 0 {
        let remainder = (number - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(remainder).unwrap_or(0)));
        number = (number - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A cell reference such as `B7`.
fn cell_reference(first_column: u32, column_index: usize, line: usize) -> String {
    format!("{}{line}", column_letters(first_column, column_index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::located;

    fn record(line: usize, values: &[&str]) -> Record {
        Record {
            line,
            values: values.iter().map(|value| (*value).to_owned()).collect(),
        }
    }

    fn read(origin: Origin, records: &[Record]) -> Result<Parsed, FileError> {
        let (first, rest) = records.split_first().unwrap();
        let mut table = Table::start("f", origin, first, rest, &ParseOptions::default())?;
        for record in rest {
            table.add(record);
        }
        table.finish(Format::Jsonl)
    }

    #[test]
    fn column_letters_count_like_a_spreadsheet() {
        assert_eq!(column_letters(0, 0), "A");
        assert_eq!(column_letters(1, 0), "B");
        assert_eq!(column_letters(0, 25), "Z");
        assert_eq!(column_letters(0, 26), "AA");
        assert_eq!(column_letters(26, 1), "AB");
        assert_eq!(column_letters(16_383, 0), "XFD");
        assert_eq!(cell_reference(1, 1, 7), "C7");
    }

    #[test]
    fn numbers() {
        for number in ["1", "-2", "+3", "0,5", "10.25"] {
            assert!(is_number(number), "{number}");
        }
        for other in ["", "-", "1.2.3", "uno", "1e5", "inf"] {
            assert!(!is_number(other), "{other}");
        }
    }

    #[test]
    fn a_first_record_with_a_repeated_label_is_data() {
        let first = record(1, &["Me encanta", "positivo"]).values;
        let rest = [
            record(2, &["Lo odio", "negativo"]),
            record(3, &["Genial", "positivo"]),
        ];
        assert!(looks_like_data(&first, &rest));
        assert!(!looks_like_data(&first, &rest[..1]));
        let numeric = record(1, &["Me encanta", "1"]).values;
        assert!(looks_like_data(&numeric, &[]));
        let known = record(1, &["texto", "positivo"]).values;
        assert!(!looks_like_data(&known, &rest));
        let three = record(1, &["a", "b", "positivo"]).values;
        assert!(!looks_like_data(&three, &rest));
    }

    #[test]
    fn sheet_findings_name_the_sheet_and_cell() {
        let origin = Origin::Sheet {
            name: "Hoja1".into(),
            first_column: 1,
        };
        let records = [
            record(1, &["texto", "etiqueta"]),
            record(2, &["bien", "pos"]),
            record(4, &[" ", "neg"]),
            record(5, &["mal", ""]),
        ];
        let parsed = read(origin, &records).unwrap();
        let located = located(&parsed.findings);
        assert_eq!(
            located,
            [
                (Some(4), "empty_text", Some("B4")),
                (Some(5), "missing_label", Some("C5"))
            ]
        );
        assert_eq!(
            parsed.findings[0].message.en,
            "Sheet \"Hoja1\", row 4: the text (cell B4, column \"texto\") is empty. Write the example text or delete the row."
        );
        assert!(
            parsed.findings[1].message.es.starts_with(
                "Hoja \"Hoja1\", fila 5: la etiqueta (celda C5, columna \"etiqueta\")"
            )
        );
    }

    #[test]
    fn headerless_tables_name_columns_by_position() {
        let records = [
            record(1, &["Me encanta", "positivo"]),
            record(2, &["Lo odio", "negativo"]),
            record(3, &["Genial", "positivo"]),
        ];
        let parsed = read(Origin::Text, &records).unwrap();
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "1".into(),
                label_column: "2".into()
            }
        );
        let sheet = Origin::Sheet {
            name: "Datos".into(),
            first_column: 0,
        };
        let parsed = read(sheet, &records).unwrap();
        assert_eq!(parsed.findings[0].code, "no_header_row");
        assert!(parsed.findings[0].message.en.contains("column A is used"));
        assert!(
            parsed.findings[0]
                .message
                .es
                .contains("la columna A se usa")
        );
    }

    #[test]
    fn a_header_without_data_is_no_rows() {
        assert!(matches!(
            read(Origin::Text, &[record(1, &["text", "label"])]),
            Err(FileError::NoRows { .. })
        ));
    }
}
