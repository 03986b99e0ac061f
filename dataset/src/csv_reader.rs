//! Reading CSV/TSV text with a header row into text/label (or prompt/completion) rows and
//! located findings.

use csv::{ByteRecord, ReaderBuilder};

use crate::columns::{self, Columns, PairKind};
use crate::completion;
use crate::file_error::FileError;
use crate::finding::{Finding, Message};
use crate::format::{Format, Schema};
use crate::parse::{Parsed, example_label};
use crate::parse_options::ParseOptions;
use crate::row::{Row, RowContent};
use crate::sniff;

/// Reads `text` as delimiter-separated values; the first record is the header.
pub(crate) fn read(
    file: &str,
    text: &str,
    delimiter: char,
    options: &ParseOptions,
) -> Result<Parsed, FileError> {
    let Ok(delimiter_byte) = u8::try_from(delimiter) else {
        return Err(FileError::NotText {
            file: file.to_owned(),
        });
    };
    let unclosed_line = sniff::unclosed_quote_line(text, delimiter);
    let line_index = LineIndex::new(text);
    let mut records = ReaderBuilder::new()
        .delimiter(delimiter_byte)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_byte_records();

    let header_record = loop {
        match records.next() {
            Some(Ok(record)) if !is_blank(&fields(&record)) => break record,
            Some(Ok(_)) => {}
            Some(Err(_)) | None => {
                return Err(FileError::Empty {
                    file: file.to_owned(),
                });
            }
        }
    };
    let header: Vec<String> = fields(&header_record)
        .into_iter()
        .map(|name| name.trim().to_owned())
        .collect();
    let columns = columns::choose(file, &header, options)?;
    let text_column = header.get(columns.text).cloned().unwrap_or_default();
    let label_column = header.get(columns.label).cloned().unwrap_or_default();

    let mut rows = Vec::new();
    let mut findings = Vec::new();
    let mut missing_label_lines = Vec::new();
    let mut data_records = 0_usize;
    if columns.guessed {
        findings.push(columns_guessed(
            file,
            line_index.line_of(&header_record),
            &text_column,
            &label_column,
        ));
    }
    for record in records {
        // Reading from memory into byte records cannot fail; stop rather than loop if it does.
        let Ok(record) = record else { break };
        let line = line_index.line_of(&record);
        let values = fields(&record);
        if is_blank(&values) {
            continue;
        }
        data_records += 1;
        if unclosed_line == Some(line) {
            findings.push(unclosed_quote(file, line));
            continue;
        }
        if values.len() != header.len() {
            findings.push(ragged_row(
                file,
                line,
                values.len(),
                header.len(),
                delimiter,
            ));
            continue;
        }
        match row_content(&values, columns) {
            Ok(content) => rows.push(Row { line, content }),
            Err(RowProblem::EmptyText) => findings.push(empty_text(file, line, &text_column)),
            Err(RowProblem::MissingLabel) => missing_label_lines.push(line),
            Err(RowProblem::PromptCompletion(issue)) => {
                findings.push(issue.finding(file, line, &text_column, &label_column));
            }
        }
    }
    if data_records == 0 {
        return Err(FileError::NoRows {
            file: file.to_owned(),
            header,
        });
    }
    let example = example_label(&rows);
    findings.extend(
        missing_label_lines
            .into_iter()
            .map(|line| missing_label(file, line, &label_column, &example)),
    );
    findings.sort_by_key(|finding| finding.line);
    let schema = match columns.kind {
        PairKind::TextLabel => Schema::TextLabel {
            text_column,
            label_column,
        },
        PairKind::PromptCompletion => Schema::PromptCompletion {
            prompt_column: text_column,
            completion_column: label_column,
        },
    };
    Ok(Parsed {
        format: Format::Csv { delimiter },
        schema,
        rows,
        findings,
    })
}

/// Why a well-formed record is not a valid row.
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

/// A record of only separators and spaces, as spreadsheets write below the data.
fn is_blank(values: &[String]) -> bool {
    values.iter().all(|value| value.trim().is_empty())
}

fn fields(record: &ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|field| String::from_utf8_lossy(field).into_owned())
        .collect()
}

/// Finds the 1-based line where a record starts.
///
/// The `csv` crate's own line count drifts after blank lines and with `\r\n` endings, and its
/// byte offset points where it started looking (before skipped line breaks), so the offset is
/// moved past line breaks and the line found by counting `\n` bytes.
struct LineIndex<'text> {
    bytes: &'text [u8],
    newlines: Vec<usize>,
}

impl<'text> LineIndex<'text> {
    fn new(text: &'text str) -> Self {
        let bytes = text.as_bytes();
        let newlines = bytes
            .iter()
            .enumerate()
            .filter_map(|(offset, byte)| (*byte == b'\n').then_some(offset))
            .collect();
        Self { bytes, newlines }
    }

    fn line_of(&self, record: &ByteRecord) -> usize {
        let mut start = record
            .position()
            .and_then(|position| usize::try_from(position.byte()).ok())
            .unwrap_or(0);
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        1 + self.newlines.partition_point(|&offset| offset < start)
    }
}

/// The delimiter in words, in English and Spanish.
fn delimiter_names(delimiter: char) -> (String, String) {
    match delimiter {
        ',' => ("a comma (,)".into(), "una coma (,)".into()),
        ';' => ("a semicolon (;)".into(), "un punto y coma (;)".into()),
        '\t' => ("a tab".into(), "un tabulador".into()),
        '|' => ("a vertical bar (|)".into(), "una barra vertical (|)".into()),
        other => (format!("'{other}'"), format!("'{other}'")),
    }
}

fn columns_guessed(file: &str, line: usize, text_column: &str, label_column: &str) -> Finding {
    Finding::warning(
        file,
        Some(line),
        "columns_guessed",
        Message::new(
            format!(
                "The column names \"{text_column}\" and \"{label_column}\" were not recognised, so \"{text_column}\" is used as the text \
                 and \"{label_column}\" as the label. If that is wrong, rename them to \"text\" and \"label\". If line {line} is an example \
                 and not column names, add a first line with: text,label"
            ),
            format!(
                "No se reconocen los nombres de columna \"{text_column}\" y \"{label_column}\", así que se usa \"{text_column}\" como texto \
                 y \"{label_column}\" como etiqueta. Si no es correcto, cámbiales el nombre a \"texto\" y \"etiqueta\". Si la línea {line} es un \
                 ejemplo y no los nombres de las columnas, añade una primera línea con: texto,etiqueta"
            ),
        ),
    )
}

fn ragged_row(file: &str, line: usize, found: usize, expected: usize, delimiter: char) -> Finding {
    let (name_en, name_es) = delimiter_names(delimiter);
    let message = if found > expected {
        Message::new(
            format!(
                "Line {line} has {found} fields but the header has {expected}. If the text contains {name_en}, \
                 put the whole text between double quotes (\"…\"); otherwise remove the extra separator."
            ),
            format!(
                "La línea {line} tiene {found} campos pero la cabecera tiene {expected}. Si el texto contiene {name_es}, \
                 pon todo el texto entre comillas dobles (\"…\"); si no, quita el separador de más."
            ),
        )
    } else {
        Message::new(
            format!(
                "Line {line} has {found} field(s) but the header has {expected}. Add the missing values, \
                 separated by {name_en}, or delete the row."
            ),
            format!(
                "La línea {line} tiene {found} campo(s) pero la cabecera tiene {expected}. Añade los valores que faltan, \
                 separados por {name_es}, o borra la fila."
            ),
        )
    };
    Finding::error(file, line, "ragged_row", message)
}

fn unclosed_quote(file: &str, line: usize) -> Finding {
    Finding::error(
        file,
        line,
        "unclosed_quote",
        Message::new(
            format!(
                "Line {line} opens a double quote (\") that is never closed, so the rest of the file was read as one text. \
                 Add the closing quote, and write quotes inside a quoted text as two (\"\")."
            ),
            format!(
                "La línea {line} abre unas comillas dobles (\") que nunca se cierran, así que el resto del archivo se ha leído como un solo texto. \
                 Añade las comillas de cierre, y escribe las comillas dentro de un texto entre comillas como dos (\"\")."
            ),
        ),
    )
}

fn empty_text(file: &str, line: usize, column: &str) -> Finding {
    Finding::error(
        file,
        line,
        "empty_text",
        Message::new(
            format!("Line {line}: the text (column \"{column}\") is empty. Write the example text or delete the row."),
            format!("Línea {line}: el texto (columna \"{column}\") está vacío. Escribe el texto del ejemplo o borra la fila."),
        ),
    )
    .with_field(column)
}

fn missing_label(file: &str, line: usize, column: &str, example: &(String, String)) -> Finding {
    let (example_en, example_es) = example;
    Finding::error(
        file,
        line,
        "missing_label",
        Message::new(
            format!(
                "Line {line}: the label (column \"{column}\") is empty. Add a label (for example {example_en}) or delete the row."
            ),
            format!(
                "Línea {line}: la etiqueta (columna \"{column}\") está vacía. Añade una etiqueta (por ejemplo {example_es}) o borra la fila."
            ),
        ),
    )
    .with_field(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str, delimiter: char) -> Parsed {
        read("f.csv", text, delimiter, &ParseOptions::default()).unwrap()
    }

    fn lines(parsed: &Parsed) -> Vec<usize> {
        parsed.rows.iter().map(|row| row.line).collect()
    }

    fn text_label(row: &Row) -> (&str, &str) {
        match &row.content {
            RowContent::TextLabel { text, label } => (text, label),
            RowContent::Chat { .. } => panic!("expected text/label"),
        }
    }

    #[test]
    fn reads_comma_semicolon_and_tab() {
        for delimiter in [',', ';', '\t'] {
            let text = format!(
                "text{delimiter}label\nhola{delimiter}saludo\nadiós{delimiter} despedida \n"
            );
            let parsed = read_ok(&text, delimiter);
            assert_eq!(parsed.format, Format::Csv { delimiter });
            assert_eq!(lines(&parsed), [2, 3]);
            assert_eq!(text_label(&parsed.rows[1]), ("adiós", "despedida"));
            assert!(parsed.findings.is_empty());
        }
    }

    #[test]
    fn quoted_newlines_and_doubled_quotes_keep_line_numbers() {
        let text = "text,label\n\"dijo \"\"hola\"\",\nadiós\",saludo\nbien,pos\n\n\"a,b\",neg\n";
        let parsed = read_ok(text, ',');
        assert_eq!(lines(&parsed), [2, 4, 6]);
        assert_eq!(text_label(&parsed.rows[0]).0, "dijo \"hola\",\nadiós");
        assert_eq!(text_label(&parsed.rows[2]).0, "a,b");
    }

    #[test]
    fn ragged_rows_are_located() {
        let text = "text;label\nuno;a\ndos;b;c\n\"tres\nlíneas\";c\ncuatro\n";
        let parsed = read_ok(text, ';');
        assert_eq!(lines(&parsed), [2, 4]);
        let located: Vec<(Option<usize>, &str)> = parsed
            .findings
            .iter()
            .map(|finding| (finding.line, finding.code.as_str()))
            .collect();
        assert_eq!(located, [(Some(3), "ragged_row"), (Some(6), "ragged_row")]);
        assert!(
            parsed.findings[0]
                .message
                .en
                .contains("Line 3 has 3 fields but the header has 2")
        );
        assert!(parsed.findings[0].message.es.contains("punto y coma"));
    }

    #[test]
    fn empty_text_and_label_are_located() {
        let text = "text,label\n  ,pos\nbien,pos\nmal,  \nok,neg\n,,\nya,pos\n";
        let parsed = read_ok(text, ',');
        assert_eq!(lines(&parsed), [3, 5, 7]);
        let codes: Vec<(Option<usize>, &str, Option<&str>)> = parsed
            .findings
            .iter()
            .map(|finding| {
                (
                    finding.line,
                    finding.code.as_str(),
                    finding.field.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            codes,
            [
                (Some(2), "empty_text", Some("text")),
                (Some(4), "missing_label", Some("label"))
            ]
        );
        let message = &parsed.findings[1].message;
        assert_eq!(
            message.en,
            "Line 4: the label (column \"label\") is empty. Add a label (for example pos) or delete the row."
        );
        assert!(message.es.starts_with("Línea 4: la etiqueta"));
    }

    #[test]
    fn spanish_and_oddly_written_column_names() {
        let parsed = read_ok("id; Comentario ;SENTIMIENTO\n1;genial;positivo\n", ';');
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "Comentario".into(),
                label_column: "SENTIMIENTO".into()
            }
        );
        assert_eq!(text_label(&parsed.rows[0]), ("genial", "positivo"));
    }

    #[test]
    fn two_unknown_columns_are_guessed_with_a_warning() {
        let parsed = read_ok("Me encanta,positivo\nLo odio,negativo\n", ',');
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.findings.len(), 1);
        let finding = &parsed.findings[0];
        assert_eq!(finding.code, "columns_guessed");
        assert!(!finding.is_error());
    }

    #[test]
    fn unknown_columns_are_a_file_error() {
        let read =
            |text: &str, delimiter: char| read("f.csv", text, delimiter, &ParseOptions::default());
        match read("a,b,c\n1,2,3\n", ',') {
            Err(FileError::NoTextColumn { header, .. }) => assert_eq!(header, ["a", "b", "c"]),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            read("texto,x,y\n1,2,3\n", ','),
            Err(FileError::NoLabelColumn { .. })
        ));
        assert!(matches!(
            read("text,label\n\n", ','),
            Err(FileError::NoRows { .. })
        ));
    }

    #[test]
    fn unclosed_quote_is_located() {
        let parsed = read_ok("text,label\nbien,pos\n\"mal,neg\nok,pos\n", ',');
        assert_eq!(lines(&parsed), [2]);
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].code, "unclosed_quote");
        assert_eq!(parsed.findings[0].line, Some(3));
    }

    #[test]
    fn crlf_line_endings() {
        let parsed = read_ok("\r\ntext,label\r\nuno,a\r\n\r\ndos,b\r\n", ',');
        assert_eq!(lines(&parsed), [3, 5]);
        assert_eq!(text_label(&parsed.rows[1]), ("dos", "b"));
    }

    #[test]
    fn prompt_completion_columns_give_conversations() {
        let text = "id;Prompt;Completion\n1;Resume: hola;Un saludo.\n2; ;x\n3;y;\n";
        let parsed = read_ok(text, ';');
        assert_eq!(
            parsed.schema,
            Schema::PromptCompletion {
                prompt_column: "Prompt".into(),
                completion_column: "Completion".into()
            }
        );
        assert_eq!(lines(&parsed), [2]);
        let RowContent::Chat { messages } = &parsed.rows[0].content else {
            panic!("expected a conversation");
        };
        assert_eq!(messages[0].content, "Resume: hola");
        assert_eq!(messages[1].content, "Un saludo.");
        let located: Vec<(Option<usize>, &str, Option<&str>)> = parsed
            .findings
            .iter()
            .map(|finding| {
                (
                    finding.line,
                    finding.code.as_str(),
                    finding.field.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            located,
            [
                (Some(3), "empty_prompt", Some("Prompt")),
                (Some(4), "empty_completion", Some("Completion"))
            ]
        );
    }

    #[test]
    fn caller_named_columns() {
        let options = ParseOptions {
            text_column: Some("cuerpo".into()),
            label_column: Some("tipo".into()),
            ..ParseOptions::default()
        };
        let parsed = read(
            "f.csv",
            "tipo,cuerpo,label\nqueja,Llega tarde,x\n",
            ',',
            &options,
        )
        .unwrap();
        assert_eq!(text_label(&parsed.rows[0]), ("Llega tarde", "queja"));
        let options = ParseOptions {
            text_column: Some("body".into()),
            ..ParseOptions::default()
        };
        assert!(matches!(
            read("f.csv", "text,label\na,b\n", ',', &options),
            Err(FileError::UnknownColumn { .. })
        ));
    }
}
