//! Reading JSON Lines: one object per line, either text/label pairs, prompt/completion pairs
//! or chat conversations; and, on request, a JSON list or multi-line JSON read the same way.

use serde_json::{Map, Value};

use crate::check::chat::{self, ChatIssue};
use crate::check::completion;
use crate::finding::{Finding, Message};
use crate::format::{Format, Schema};
use crate::parallel;
use crate::read::columns::{self, PairKind};
use crate::read::file_error::FileError;
use crate::read::json_stream;
use crate::read::json_syntax::syntax_error;
use crate::read::parse_options::ParseOptions;
use crate::read::parsed::{Parsed, example_label};
use crate::row::{Row, RowContent};

/// A parsed JSON object and the line it is on.
pub(crate) type LineObject = (usize, Map<String, Value>);

/// What the lines of the file are expected to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    Chat,
    TextLabel {
        text_key: String,
        label_key: String,
    },
    PromptCompletion {
        prompt_key: String,
        completion_key: String,
    },
}

/// How a JSON file that is not JSON Lines was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonShape {
    List,
    MultiLine,
}

/// Reads `text` as JSON Lines. The schema is the one most lines follow.
///
/// When most lines are not JSON but the whole text is JSON objects written over several
/// lines, fails with [`FileError::MultiLineJson`], or reads those objects when
/// `options.convert_json` is set.
pub(crate) fn read(file: &str, text: &str, options: &ParseOptions) -> Result<Parsed, FileError> {
    let mut findings = Vec::new();
    let mut values: Vec<(usize, Value)> = Vec::new();
    let mut broken_lines = 0_usize;
    let pieces: Vec<(usize, &str)> = text.split('\n').enumerate().collect();
    let last_index = pieces.len().saturating_sub(1);
    // Each line is read on its own (on every core natively), then kept in file order.
    let read = parallel::map(&pieces, |(index, piece)| {
        let line = index + 1;
        let content = piece.strip_suffix('\r').unwrap_or(piece);
        if content.trim().is_empty() {
            return None;
        }
        Some(
            serde_json::from_str::<Value>(content)
                .map_err(|error| syntax_error(file, line, content, &error)),
        )
    });
    for ((index, _), outcome) in pieces.iter().zip(read) {
        let line = index + 1;
        match outcome {
            // The piece after the final newline is not a line of its own.
            None if *index != last_index => findings.push(blank_line(file, line)),
            None => {}
            Some(Ok(value)) => values.push((line, value)),
            Some(Err(finding)) => {
                broken_lines += 1;
                findings.push(finding);
            }
        }
    }
    if broken_lines > values.len()
        && let Ok(located) = json_stream::values(text)
        && !located.is_empty()
        && located.iter().all(|value| value.value.is_object())
    {
        if !options.convert_json {
            return Err(FileError::MultiLineJson {
                file: file.to_owned(),
                objects: located.len(),
            });
        }
        let findings = vec![converted_json(file, JsonShape::MultiLine, located.len())];
        let values = located
            .into_iter()
            .map(|value| (value.line, value.value))
            .collect();
        return read_values(file, values, findings, options);
    }
    read_values(file, values, findings, options)
}

/// Reads a JSON list (`[…]`) as if each element were a line of JSON Lines, when
/// `options.convert_json` is set; otherwise fails with [`FileError::JsonArray`].
pub(crate) fn read_json_list(
    file: &str,
    text: &str,
    options: &ParseOptions,
) -> Result<Parsed, FileError> {
    if !options.convert_json {
        return Err(FileError::JsonArray {
            file: file.to_owned(),
        });
    }
    let located = json_stream::values(text).map_err(|error| FileError::InvalidJsonDocument {
        file: file.to_owned(),
        line: error.line,
        column: error.column,
        problem: error.problem,
    })?;
    let findings = vec![converted_json(file, JsonShape::List, located.len())];
    let values = located
        .into_iter()
        .map(|value| (value.line, value.value))
        .collect();
    read_values(file, values, findings, options)
}

/// Turns JSON values (with the line each starts on) into rows and findings, added to
/// `findings`.
fn read_values(
    file: &str,
    values: Vec<(usize, Value)>,
    mut findings: Vec<Finding>,
    options: &ParseOptions,
) -> Result<Parsed, FileError> {
    let mut objects: Vec<LineObject> = Vec::new();
    for (line, value) in values {
        match value {
            Value::Object(object) => objects.push((line, object)),
            other => findings.push(data_type(file, line, &other)),
        }
    }
    let (layout, guessed) = choose_layout(file, &objects, options)?;
    if guessed
        && let Layout::TextLabel {
            text_key,
            label_key,
        } = &layout
    {
        findings.push(keys_guessed(file, text_key, label_key));
    }
    let mut rows = Vec::new();
    let mut missing_label_lines = Vec::new();
    // Each object checked (and freed) on its own, on every core natively.
    let outcomes = parallel::map_owned(objects, |(line, object)| {
        (line, check_object(file, &layout, line, &object))
    });
    for (line, outcome) in outcomes {
        match outcome {
            ObjectOutcome::Row(content) => rows.push(Row { line, content }),
            ObjectOutcome::Problem(finding) => findings.push(finding),
            ObjectOutcome::MissingLabel => missing_label_lines.push(line),
        }
    }
    if let Layout::TextLabel { label_key, .. } = &layout {
        let example = example_label(&rows);
        findings.extend(
            missing_label_lines
                .into_iter()
                .map(|line| missing_label(file, line, label_key, &example)),
        );
    }
    let schema = schema_of(&layout);
    findings.sort_by_key(|finding| finding.line);
    Ok(Parsed {
        format: Format::Jsonl,
        schema,
        rows,
        findings,
    })
}

/// What one JSON object of a JSON Lines file turns out to be.
pub(crate) enum ObjectOutcome {
    /// A valid row.
    Row(RowContent),
    /// A located problem; the row is left out.
    Problem(Finding),
    /// A text/label row without its label: reported once the most common label is known
    /// (the message shows it as an example).
    MissingLabel,
}

/// Checks the object on `line` against `layout`.
pub(crate) fn check_object(
    file: &str,
    layout: &Layout,
    line: usize,
    object: &Map<String, Value>,
) -> ObjectOutcome {
    let is_chat = object.contains_key("messages");
    match layout {
        Layout::Chat if is_chat => match chat::validate(object) {
            Ok(messages) => ObjectOutcome::Row(RowContent::Chat { messages }),
            Err(issue) => ObjectOutcome::Problem(issue.finding(file, line)),
        },
        Layout::Chat if object.keys().any(|key| columns::is_known(key)) => {
            ObjectOutcome::Problem(text_label_in_chat_file(file, line))
        }
        Layout::Chat => ObjectOutcome::Problem(ChatIssue::MissingMessagesList.finding(file, line)),
        Layout::TextLabel { .. } | Layout::PromptCompletion { .. } if is_chat => {
            ObjectOutcome::Problem(chat_in_text_label_file(file, line))
        }
        Layout::PromptCompletion {
            prompt_key,
            completion_key,
        } => match completion::row_from_json(object.get(prompt_key), object.get(completion_key)) {
            Ok(content) => ObjectOutcome::Row(content),
            Err(issue) => {
                ObjectOutcome::Problem(issue.finding(file, line, prompt_key, completion_key))
            }
        },
        Layout::TextLabel {
            text_key,
            label_key,
        } => match text_label(object, text_key, label_key) {
            Ok(content) => ObjectOutcome::Row(content),
            Err(TextLabelIssue::MissingLabel) => ObjectOutcome::MissingLabel,
            Err(issue) => ObjectOutcome::Problem(issue.finding(file, line, text_key, label_key)),
        },
    }
}

/// The schema rows read with `layout` have.
pub(crate) fn schema_of(layout: &Layout) -> Schema {
    match layout.clone() {
        Layout::Chat => Schema::Chat,
        Layout::PromptCompletion {
            prompt_key,
            completion_key,
        } => Schema::PromptCompletion {
            prompt_column: prompt_key,
            completion_column: completion_key,
        },
        Layout::TextLabel {
            text_key,
            label_key,
        } => Schema::TextLabel {
            text_column: text_key,
            label_column: label_key,
        },
    }
}

/// Chat when most objects have `messages`; otherwise text/label (or prompt/completion) with
/// the keys recognised across all the other objects, or named in `options`. The flag tells
/// whether the keys were guessed.
pub(crate) fn choose_layout(
    file: &str,
    objects: &[LineObject],
    options: &ParseOptions,
) -> Result<(Layout, bool), FileError> {
    let chat_count = objects
        .iter()
        .filter(|(_, object)| object.contains_key("messages"))
        .count();
    let mut keys: Vec<String> = Vec::new();
    for (_, object) in objects {
        if object.contains_key("messages") {
            continue;
        }
        for key in object.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    let other_count = objects.len() - chat_count;
    if chat_count > other_count {
        return Ok((Layout::Chat, false));
    }
    if other_count == 0 {
        let layout = Layout::TextLabel {
            text_key: "text".to_owned(),
            label_key: "label".to_owned(),
        };
        return Ok((layout, false));
    }
    let chosen = columns::choose(file, &keys, options)?;
    let first = keys.get(chosen.text).cloned().unwrap_or_default();
    let second = keys.get(chosen.label).cloned().unwrap_or_default();
    let layout = match chosen.kind {
        PairKind::TextLabel => Layout::TextLabel {
            text_key: first,
            label_key: second,
        },
        PairKind::PromptCompletion => Layout::PromptCompletion {
            prompt_key: first,
            completion_key: second,
        },
    };
    Ok((layout, chosen.guessed))
}

/// Why an object is not a valid text/label row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextLabelIssue {
    EmptyText,
    InvalidText,
    MissingLabel,
    InvalidLabel,
}

fn text_label(
    object: &Map<String, Value>,
    text_key: &str,
    label_key: &str,
) -> Result<RowContent, TextLabelIssue> {
    let text = match object.get(text_key) {
        Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
        None | Some(Value::Null | Value::String(_)) => return Err(TextLabelIssue::EmptyText),
        Some(_) => return Err(TextLabelIssue::InvalidText),
    };
    let label = match object.get(label_key) {
        Some(Value::String(label)) => label.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        None | Some(Value::Null) => String::new(),
        Some(Value::Array(_) | Value::Object(_)) => return Err(TextLabelIssue::InvalidLabel),
    };
    if label.is_empty() {
        return Err(TextLabelIssue::MissingLabel);
    }
    Ok(RowContent::TextLabel { text, label })
}

impl TextLabelIssue {
    fn finding(self, file: &str, line: usize, text_key: &str, label_key: &str) -> Finding {
        let (code, field, message) = match self {
            Self::EmptyText => (
                "empty_text",
                text_key,
                Message::new(
                    format!(
                        "Line {line}: the text (\"{text_key}\") is missing or empty. Write the example text, \
                         like \"{text_key}\": \"I love it\", or delete the line."
                    ),
                    format!(
                        "Línea {line}: el texto (\"{text_key}\") falta o está vacío. Escribe el texto del ejemplo, \
                         como \"{text_key}\": \"Me encanta\", o borra la línea."
                    ),
                ),
            ),
            Self::InvalidText => (
                "invalid_text",
                text_key,
                Message::new(
                    format!(
                        "Line {line}: the text (\"{text_key}\") is not written as text. Put it between double quotes, \
                         like \"{text_key}\": \"I love it\"."
                    ),
                    format!(
                        "Línea {line}: el texto (\"{text_key}\") no está escrito como texto. Ponlo entre comillas dobles, \
                         como \"{text_key}\": \"Me encanta\"."
                    ),
                ),
            ),
            Self::InvalidLabel => (
                "invalid_label",
                label_key,
                Message::new(
                    format!(
                        "Line {line}: the label (\"{label_key}\") is a list or an object. Write a single label, \
                         like \"{label_key}\": \"positive\"."
                    ),
                    format!(
                        "Línea {line}: la etiqueta (\"{label_key}\") es una lista o un objeto. Escribe una sola etiqueta, \
                         como \"{label_key}\": \"positivo\"."
                    ),
                ),
            ),
            Self::MissingLabel => (
                "missing_label",
                label_key,
                Message::new(
                    format!(
                        "Line {line}: the label (\"{label_key}\") is missing or empty. Add a label or delete the line."
                    ),
                    format!(
                        "Línea {line}: la etiqueta (\"{label_key}\") falta o está vacía. Añade una etiqueta o borra la línea."
                    ),
                ),
            ),
        };
        Finding::error(file, line, code, message).with_field(field)
    }
}

pub(crate) fn missing_label(
    file: &str,
    line: usize,
    label_key: &str,
    example: &(String, String),
) -> Finding {
    let (example_en, example_es) = example;
    Finding::error(
        file,
        line,
        "missing_label",
        Message::new(
            format!(
                "Line {line}: the label (\"{label_key}\") is missing or empty. Add a label (for example {example_en}) or delete the line."
            ),
            format!(
                "Línea {line}: la etiqueta (\"{label_key}\") falta o está vacía. Añade una etiqueta (por ejemplo {example_es}) o borra la línea."
            ),
        ),
    )
    .with_field(label_key)
}

pub(crate) fn keys_guessed(file: &str, text_key: &str, label_key: &str) -> Finding {
    Finding::warning(
        file,
        None,
        "columns_guessed",
        Message::new(
            format!(
                "The keys \"{text_key}\" and \"{label_key}\" were not recognised, so \"{text_key}\" is used as the text and \
                 \"{label_key}\" as the label. If that is wrong, rename them to \"text\" and \"label\"."
            ),
            format!(
                "No se reconocen las claves \"{text_key}\" y \"{label_key}\", así que se usa \"{text_key}\" como texto y \
                 \"{label_key}\" como etiqueta. Si no es correcto, cámbiales el nombre a \"text\" y \"label\"."
            ),
        ),
    )
}

fn converted_json(file: &str, shape: JsonShape, objects: usize) -> Finding {
    let (shape_en, shape_es) = match shape {
        JsonShape::List => ("is a JSON list ([ … ])", "es una lista JSON ([ … ])"),
        JsonShape::MultiLine => (
            "has JSON objects written over several lines",
            "tiene objetos JSON escritos en varias líneas",
        ),
    };
    Finding::warning(
        file,
        None,
        "converted_json",
        Message::new(
            format!(
                "The file {shape_en}, not JSON Lines; its {objects} value(s) were read as if each were one line, and \
                 line numbers say where each one starts. Save it as JSONL (one object per line) to use it elsewhere."
            ),
            format!(
                "El archivo {shape_es}, no JSON Lines; sus {objects} valor(es) se han leído como si cada uno fuera una línea, \
                 y los números de línea dicen dónde empieza cada uno. Guárdalo como JSONL (un objeto por línea) para usarlo en otros sitios."
            ),
        ),
    )
}

pub(crate) fn blank_line(file: &str, line: usize) -> Finding {
    Finding::warning(
        file,
        Some(line),
        "blank_line",
        Message::new(
            format!("Line {line} is empty and was skipped. You can delete it."),
            format!("La línea {line} está vacía y se ha saltado. Puedes borrarla."),
        ),
    )
}

pub(crate) fn data_type(file: &str, line: usize, value: &Value) -> Finding {
    let (kind_en, kind_es) = match value {
        Value::Array(_) => ("a list", "una lista"),
        Value::String(_) => ("a text", "un texto"),
        Value::Number(_) => ("a number", "un número"),
        Value::Bool(_) => ("true/false", "true/false"),
        Value::Null | Value::Object(_) => ("null", "null"),
    };
    Finding::error(
        file,
        line,
        "data_type",
        Message::new(
            format!(
                "Line {line} is {kind_en}, not a JSON object. Each line must be one object between braces, \
                 like {{\"text\": \"I love it\", \"label\": \"positive\"}}."
            ),
            format!(
                "La línea {line} es {kind_es}, no un objeto JSON. Cada línea debe ser un objeto entre llaves, \
                 como {{\"text\": \"Me encanta\", \"label\": \"positivo\"}}."
            ),
        ),
    )
}

fn text_label_in_chat_file(file: &str, line: usize) -> Finding {
    Finding::error(
        file,
        line,
        "schema_mismatch",
        Message::new(
            format!(
                "Line {line} has a text and a label, but most lines of this file are chat conversations (\"messages\"). \
                 Use one kind of line for the whole file: rewrite this line as a conversation or delete it."
            ),
            format!(
                "La línea {line} tiene un texto y una etiqueta, pero la mayoría de las líneas de este archivo son conversaciones (\"messages\"). \
                 Usa un solo tipo de línea en todo el archivo: reescribe esta línea como conversación o bórrala."
            ),
        ),
    )
}

fn chat_in_text_label_file(file: &str, line: usize) -> Finding {
    Finding::error(
        file,
        line,
        "schema_mismatch",
        Message::new(
            format!(
                "Line {line} is a chat conversation (\"messages\"), but most lines of this file have a text and a label. \
                 Use one kind of line for the whole file: rewrite this line as {{\"text\": …, \"label\": …}} or delete it."
            ),
            format!(
                "La línea {line} es una conversación (\"messages\"), pero la mayoría de las líneas de este archivo tienen texto y etiqueta. \
                 Usa un solo tipo de línea en todo el archivo: reescribe esta línea como {{\"text\": …, \"label\": …}} o bórrala."
            ),
        ),
    )
    .with_field("messages")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::row::Role;

    fn read_ok(text: &str) -> Parsed {
        read("d.jsonl", text, &ParseOptions::default()).unwrap()
    }

    fn converting() -> ParseOptions {
        ParseOptions {
            convert_json: true,
            ..ParseOptions::default()
        }
    }

    fn codes(parsed: &Parsed) -> Vec<(Option<usize>, &str)> {
        parsed
            .findings
            .iter()
            .map(|finding| (finding.line, finding.code.as_str()))
            .collect()
    }

    #[test]
    fn text_label_rows() {
        let parsed = read_ok(concat!(
            "{\"text\": \"me encanta\", \"label\": \" positivo \"}\n",
            "{\"text\": \"tres\", \"label\": 3}\n",
            "{\"text\": \"sí\", \"label\": true}\n",
        ));
        assert_eq!(parsed.format, Format::Jsonl);
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "text".into(),
                label_column: "label".into()
            }
        );
        let labels: Vec<&str> = parsed
            .rows
            .iter()
            .filter_map(|row| match &row.content {
                RowContent::TextLabel { label, .. } => Some(label.as_str()),
                RowContent::Chat { .. } => None,
            })
            .collect();
        assert_eq!(labels, ["positivo", "3", "true"]);
        assert!(parsed.findings.is_empty());
    }

    #[test]
    fn text_label_problems_are_located() {
        let parsed = read_ok(concat!(
            "{\"text\": \"bien\", \"label\": \"pos\"}\n",
            "{\"text\": \"\", \"label\": \"pos\"}\n",
            "{\"text\": \"mal\"}\n",
            "{\"text\": 5, \"label\": \"neg\"}\n",
            "{\"text\": \"x\", \"label\": [\"a\"]}\n",
            "[1, 2]\n",
        ));
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(
            codes(&parsed),
            [
                (Some(2), "empty_text"),
                (Some(3), "missing_label"),
                (Some(4), "invalid_text"),
                (Some(5), "invalid_label"),
                (Some(6), "data_type"),
            ]
        );
        let missing = &parsed.findings[1];
        assert_eq!(missing.field.as_deref(), Some("label"));
        assert!(missing.message.en.contains("for example pos"));
        assert!(missing.message.es.contains("Línea 3"));
    }

    #[test]
    fn spanish_keys_are_recognised() {
        let parsed = read_ok("{\"texto\": \"hola\", \"etiqueta\": \"saludo\"}\n");
        assert_eq!(
            parsed.schema,
            Schema::TextLabel {
                text_column: "texto".into(),
                label_column: "etiqueta".into()
            }
        );
        assert_eq!(parsed.rows.len(), 1);
    }

    #[test]
    fn unknown_keys_are_a_file_error() {
        assert!(matches!(
            read(
                "d.jsonl",
                "{\"a\": 1, \"b\": 2, \"c\": 3}\n",
                &ParseOptions::default()
            ),
            Err(FileError::NoTextColumn { .. })
        ));
    }

    #[test]
    fn valid_chat_rows() {
        let parsed = read_ok(concat!(
            r#"{"messages": [{"role": "system", "content": "Clasifica"}, {"role": "user", "content": "hola"}, {"role": "assistant", "content": "saludo"}]}"#,
            "\n",
            r#"{"messages": [{"role": "user", "content": "adiós"}, {"role": "assistant", "content": "despedida"}]}"#,
            "\n",
        ));
        assert_eq!(parsed.schema, Schema::Chat);
        assert_eq!(parsed.rows.len(), 2);
        assert!(parsed.findings.is_empty());
        let RowContent::Chat { messages } = &parsed.rows[0].content else {
            panic!("expected chat");
        };
        assert_eq!(messages[2].role, Role::Assistant);
    }

    #[test]
    fn chat_problems_and_schema_mismatch_are_located() {
        let good = r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}"#;
        let text = [
            good,
            r#"{"messages": [{"role": "user", "content": "a"}]}"#,
            r#"{"text": "hola", "label": "x"}"#,
            r#"{"other": 1}"#,
            good,
            good,
        ]
        .join("\n");
        let parsed = read_ok(&text);
        assert_eq!(parsed.schema, Schema::Chat);
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(
            codes(&parsed),
            [
                (Some(2), "example_missing_assistant_message"),
                (Some(3), "schema_mismatch"),
                (Some(4), "missing_messages_list"),
            ]
        );
    }

    #[test]
    fn chat_line_in_text_label_file_is_a_mismatch() {
        let text = concat!(
            "{\"text\": \"a\", \"label\": \"x\"}\n",
            "{\"messages\": []}\n",
            "{\"text\": \"b\", \"label\": \"y\"}\n",
        );
        let parsed = read_ok(text);
        assert_eq!(codes(&parsed), [(Some(2), "schema_mismatch")]);
    }

    #[test]
    fn invalid_json_has_line_and_column() {
        let text =
            "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"canción\" \"label\": \"y\"}\n";
        let parsed = read_ok(text);
        assert_eq!(codes(&parsed), [(Some(2), "invalid_json")]);
        let finding = &parsed.findings[0];
        // The second `"` of `"label"` position: after `{"text": "canción" ` (19 characters).
        assert_eq!(finding.column, Some(20));
        assert!(
            finding
                .message
                .en
                .starts_with("Line 2, column 20: this line is not valid JSON: a comma is missing")
        );
        assert!(finding.message.en.contains("expected `,` or `}`"));
        assert!(finding.message.es.starts_with("Línea 2, columna 20"));
    }

    #[test]
    fn unclosed_object_is_explained() {
        let parsed = read_ok("{\"text\": \"a\", \"label\": \"x\"\n");
        assert_eq!(codes(&parsed), [(Some(1), "invalid_json")]);
        assert!(
            parsed.findings[0]
                .message
                .en
                .contains("before the object is closed")
        );
    }

    #[test]
    fn trailing_comma_is_recognised() {
        let parsed =
            read_ok("{\"text\": \"a\", \"label\": \"x\"},\n{\"text\": \"b\", \"label\": \"y\"}\n");
        assert_eq!(codes(&parsed), [(Some(1), "trailing_comma")]);
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.findings[0].message.en.contains("delete the comma"));
    }

    #[test]
    fn blank_lines_warn_but_final_newline_does_not() {
        let parsed = read_ok(
            "{\"text\": \"a\", \"label\": \"x\"}\n\n  \r\n{\"text\": \"b\", \"label\": \"y\"}\n",
        );
        assert_eq!(
            codes(&parsed),
            [(Some(2), "blank_line"), (Some(3), "blank_line")]
        );
        assert!(
            parsed
                .findings
                .iter()
                .all(|finding| finding.severity == Severity::Warning)
        );
        assert_eq!(parsed.rows[1].line, 4);
    }

    #[test]
    fn prompt_completion_keys() {
        let parsed = read_ok(concat!(
            "{\"prompt\": \"Traduce: hola\", \"completion\": \" hello\"}\n",
            "{\"prompt\": \"\", \"completion\": \"x\"}\n",
            "{\"prompt\": \"y\", \"completion\": [1]}\n",
        ));
        assert_eq!(
            parsed.schema,
            Schema::PromptCompletion {
                prompt_column: "prompt".into(),
                completion_column: "completion".into()
            }
        );
        assert_eq!(parsed.rows.len(), 1);
        let RowContent::Chat { messages } = &parsed.rows[0].content else {
            panic!("expected a conversation");
        };
        assert_eq!(messages[1].content, " hello");
        assert_eq!(
            codes(&parsed),
            [(Some(2), "empty_prompt"), (Some(3), "invalid_completion")]
        );
    }

    #[test]
    fn caller_named_keys() {
        let options = ParseOptions {
            text_column: Some("body".into()),
            label_column: Some("kind".into()),
            ..ParseOptions::default()
        };
        let parsed = read(
            "d.jsonl",
            "{\"text\": \"t\", \"label\": \"l\", \"body\": \"b\", \"kind\": \"k\"}\n",
            &options,
        )
        .unwrap();
        assert_eq!(
            parsed.rows[0].content,
            RowContent::TextLabel {
                text: "b".into(),
                label: "k".into()
            }
        );
    }

    const PRETTY: &str = "{\n  \"text\": \"me encanta\",\n  \"label\": \"pos\"\n}\n{\n  \"text\": \"lo odio\",\n  \"label\": \"neg\"\n}\n";

    #[test]
    fn multi_line_json_is_one_file_error() {
        match read("d.jsonl", PRETTY, &ParseOptions::default()) {
            Err(FileError::MultiLineJson { objects, .. }) => assert_eq!(objects, 2),
            other => panic!("unexpected {other:?}"),
        }
        // One broken line among good ones stays a line error.
        let parsed = read_ok(concat!(
            "{\"text\": \"a\", \"label\": \"x\"}\n",
            "{\"text\": \"b\",\n",
            "{\"text\": \"c\", \"label\": \"y\"}\n",
        ));
        assert_eq!(codes(&parsed), [(Some(2), "invalid_json")]);
    }

    #[test]
    fn multi_line_json_and_lists_are_read_when_asked() {
        let parsed = read("d.jsonl", PRETTY, &converting()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[1].line, 5);
        assert_eq!(codes(&parsed), [(None, "converted_json")]);
        let list = "[\n  {\"text\": \"a\", \"label\": \"x\"},\n  {\"text\": \"b\"},\n  7\n]";
        let parsed = read_json_list("d.json", list, &converting()).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(
            codes(&parsed),
            [
                (None, "converted_json"),
                (Some(3), "missing_label"),
                (Some(4), "data_type")
            ]
        );
        assert!(parsed.findings[0].message.en.contains("3 value(s)"));
        assert!(matches!(
            read_json_list("d.json", list, &ParseOptions::default()),
            Err(FileError::JsonArray { .. })
        ));
        match read_json_list(
            "d.json",
            "[\n{\"text\": \"a\" \"label\": 1}]",
            &converting(),
        ) {
            Err(FileError::InvalidJsonDocument { line, column, .. }) => {
                assert_eq!((line, column), (2, 14));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
