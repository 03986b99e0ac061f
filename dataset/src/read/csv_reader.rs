//! Reading CSV/TSV text into text/label (or prompt/completion) rows and located findings; the
//! rows go through [`crate::read::table`], which decides whether the first record is a header and
//! which columns to use.

use csv::{ByteRecord, ReaderBuilder};

use crate::finding::{Finding, Message};
use crate::format::Format;
use crate::read::file_error::FileError;
use crate::read::parse_options::ParseOptions;
use crate::read::parsed::Parsed;
use crate::read::sniff;
use crate::read::table::{Origin, Record, Table};

/// Reads `text` as delimiter-separated values; the first record is the header unless it
/// looks like data. `options` may name the text and label columns.
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
    let records = records(text, delimiter_byte);
    let Some((first, rest)) = records.split_first() else {
        return Err(FileError::Empty {
            file: file.to_owned(),
        });
    };
    let mut table = Table::start(file, Origin::Text, first, rest, options)?;
    for record in rest {
        add_record(
            &mut table,
            record,
            delimiter,
            unclosed_line == Some(record.line),
        );
    }
    table.finish(Format::Csv { delimiter })
}

/// Adds a data record to `table`: rejected as an unclosed quote when `unclosed`, as a ragged
/// row when its field count is not the header's, validated otherwise.
pub(crate) fn add_record(table: &mut Table, record: &Record, delimiter: char, unclosed: bool) {
    if unclosed {
        let finding = unclosed_quote(table.file(), record.line);
        table.reject(finding);
    } else if record.values.len() != table.width() {
        let finding = ragged_row(
            table.file(),
            record.line,
            record.values.len(),
            table.width(),
            delimiter,
        );
        table.reject(finding);
    } else {
        table.add(record);
    }
}

/// The records of `text` that are not blank, with the line each starts on.
pub(crate) fn records(text: &str, delimiter: u8) -> Vec<Record> {
    let line_index = LineIndex::new(text);
    let reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.into_byte_records() {
        // Reading from memory into byte records cannot fail; stop rather than loop if it does.
        let Ok(record) = record else { break };
        let values = fields(&record);
        if !Record::is_blank(&values) {
            records.push(Record {
                line: line_index.line_of(&record),
                values,
            });
        }
    }
    records
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Schema;
    use crate::row::{Row, RowContent};
    use crate::test_support::located;

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
        let codes = located(&parsed.findings);
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
    fn a_headerless_file_is_read_from_line_one_with_a_warning() {
        let text = "Me encanta;positivo\nLo odio;negativo\n;positivo\nGenial;positivo\n";
        let parsed = read_ok(text, ';');
        assert_eq!(lines(&parsed), [1, 2, 4]);
        assert_eq!(text_label(&parsed.rows[0]), ("Me encanta", "positivo"));
        let located: Vec<(Option<usize>, &str)> = parsed
            .findings
            .iter()
            .map(|finding| (finding.line, finding.code.as_str()))
            .collect();
        assert_eq!(
            located,
            [(Some(1), "no_header_row"), (Some(3), "empty_text")]
        );
        assert!(!parsed.findings[0].is_error());
        assert!(
            parsed.findings[0]
                .message
                .en
                .contains("Line 1 looks like an example")
        );
        assert!(parsed.findings[0].message.es.contains("texto,etiqueta"));
        assert_eq!(parsed.findings[1].field.as_deref(), Some("1"));
    }

    #[test]
    fn numeric_labels_without_header_are_data() {
        let parsed = read_ok("great movie,1\nawful,0\nnice,1\n", ',');
        assert_eq!(lines(&parsed), [1, 2, 3]);
        assert_eq!(parsed.findings[0].code, "no_header_row");
    }

    #[test]
    fn a_header_with_unknown_names_stays_a_header() {
        let parsed = read_ok("comment,polarity\ngreat,pos\nawful,neg\nnice,pos\n", ',');
        assert_eq!(lines(&parsed), [2, 3, 4]);
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "comment".into(),
                label_column: "polarity".into()
            }
        );
        assert_eq!(parsed.findings[0].code, "columns_guessed");
        let parsed = read_ok("text,label\nhola,text\n", ',');
        assert_eq!(lines(&parsed), [2]);
        assert!(parsed.findings.is_empty());
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
        let located = located(&parsed.findings);
        assert_eq!(
            located,
            [
                (Some(3), "empty_prompt", Some("Prompt")),
                (Some(4), "empty_completion", Some("Completion"))
            ]
        );
    }

    #[test]
    fn caller_named_columns_decide_the_header_row() {
        // Read as data on its own, since "positivo" is also a label below it…
        let text = "opinión;positivo\nLo odio;negativo\nGenial;positivo\n";
        assert_eq!(lines(&read_ok(text, ';')), [1, 2, 3]);
        // … but a header when the caller names one of its columns.
        let options = ParseOptions {
            text_column: Some("Opinión".into()),
            ..ParseOptions::default()
        };
        let parsed = read("f.csv", text, ';', &options).unwrap();
        assert_eq!(lines(&parsed), [2, 3]);
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "opinión".into(),
                label_column: "positivo".into()
            }
        );
        assert!(parsed.findings.is_empty());
        // Without a header the caller names the columns by position.
        let headerless = "Me encanta;positivo\nLo odio;negativo\nGenial;positivo\n";
        let options = ParseOptions {
            label_column: Some("2".into()),
            ..ParseOptions::default()
        };
        let parsed = read("f.csv", headerless, ';', &options).unwrap();
        assert_eq!(lines(&parsed), [1, 2, 3]);
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "1".into(),
                label_column: "2".into()
            }
        );
        assert_eq!(parsed.findings[0].code, "no_header_row");
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
