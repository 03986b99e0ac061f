//! Prompt/completion rows: a prompt and the answer a model should write for it, kept as a
//! conversation of one user message and one assistant message.

use serde_json::Value;

use crate::finding::{Finding, Message};
use crate::row::{ChatMessage, Role, RowContent};

/// Why a prompt/completion row is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Issue {
    EmptyPrompt,
    InvalidPrompt,
    EmptyCompletion,
    InvalidCompletion,
}

/// The row for a prompt and its completion, both kept as written; neither may be blank.
pub(crate) fn row(prompt: &str, completion: &str) -> Result<RowContent, Issue> {
    if prompt.trim().is_empty() {
        return Err(Issue::EmptyPrompt);
    }
    if completion.trim().is_empty() {
        return Err(Issue::EmptyCompletion);
    }
    Ok(RowContent::Chat {
        messages: vec![
            ChatMessage {
                role: Role::User,
                content: prompt.to_owned(),
            },
            ChatMessage {
                role: Role::Assistant,
                content: completion.to_owned(),
            },
        ],
    })
}

/// The row for the JSON values of a prompt and its completion (a number or true/false
/// completion is taken as its text).
pub(crate) fn row_from_json(
    prompt: Option<&Value>,
    completion: Option<&Value>,
) -> Result<RowContent, Issue> {
    let prompt = match prompt {
        Some(Value::String(prompt)) => prompt.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(Issue::InvalidPrompt),
    };
    let completion = match completion {
        Some(Value::String(completion)) => completion.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        None | Some(Value::Null) => String::new(),
        Some(Value::Array(_) | Value::Object(_)) => return Err(Issue::InvalidCompletion),
    };
    row(&prompt, &completion)
}

/// Where a prompt/completion problem is, in the words its message uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// `Line 4` or `Sheet "Hoja1", row 4`, in English and Spanish.
    pub(crate) place: (String, String),
    /// The words naming the column: `"prompt"`, or `cell B4, column "prompt"`, in English and
    /// Spanish.
    pub(crate) column: (String, String),
    /// The column name (or JSON key) as written in the file.
    pub(crate) name: String,
    /// The finding's field: the column name, JSON key or spreadsheet cell.
    pub(crate) field: String,
}

impl Issue {
    /// Whether the problem is with the prompt; otherwise it is with the completion.
    pub(crate) fn is_about_prompt(self) -> bool {
        matches!(self, Self::EmptyPrompt | Self::InvalidPrompt)
    }

    /// The located finding on a line of a text file, naming the prompt or completion column
    /// (or key).
    pub(crate) fn finding(
        self,
        file: &str,
        line: usize,
        prompt_field: &str,
        completion_field: &str,
    ) -> Finding {
        let name = if self.is_about_prompt() {
            prompt_field
        } else {
            completion_field
        };
        let quoted = format!("\"{name}\"");
        let location = Location {
            place: (format!("Line {line}"), format!("Línea {line}")),
            column: (quoted.clone(), quoted),
            name: name.to_owned(),
            field: name.to_owned(),
        };
        self.finding_at(file, line, &location)
    }

    /// The finding at `location`, which names the prompt column for a prompt problem and the
    /// completion column for a completion problem.
    pub(crate) fn finding_at(self, file: &str, line: usize, location: &Location) -> Finding {
        let (place_en, place_es) = &location.place;
        let (column_en, column_es) = &location.column;
        let name = &location.name;
        let (code, message) = match self {
            Self::EmptyPrompt => (
                "empty_prompt",
                Message::new(
                    format!(
                        "{place_en}: the prompt ({column_en}) is missing or empty. Write the prompt or delete the row."
                    ),
                    format!(
                        "{place_es}: el prompt ({column_es}) falta o está vacío. Escribe el prompt o borra la fila."
                    ),
                ),
            ),
            Self::InvalidPrompt => (
                "invalid_prompt",
                Message::new(
                    format!(
                        "{place_en}: the prompt ({column_en}) is not written as text. Put it between double quotes, \
                         like \"{name}\": \"Summarise this text\"."
                    ),
                    format!(
                        "{place_es}: el prompt ({column_es}) no está escrito como texto. Ponlo entre comillas dobles, \
                         como \"{name}\": \"Resume este texto\"."
                    ),
                ),
            ),
            Self::EmptyCompletion => (
                "empty_completion",
                Message::new(
                    format!(
                        "{place_en}: the completion ({column_en}) is missing or empty. Write the answer the model \
                         should give, or delete the row."
                    ),
                    format!(
                        "{place_es}: la respuesta ({column_es}) falta o está vacía. Escribe la respuesta que debe dar \
                         el modelo, o borra la fila."
                    ),
                ),
            ),
            Self::InvalidCompletion => (
                "invalid_completion",
                Message::new(
                    format!(
                        "{place_en}: the completion ({column_en}) is a list or an object. Write it as text, \
                         like \"{name}\": \"…\"."
                    ),
                    format!(
                        "{place_es}: la respuesta ({column_es}) es una lista o un objeto. Escríbela como texto, \
                         como \"{name}\": \"…\"."
                    ),
                ),
            ),
        };
        Finding::error(file, line, code, message).with_field(location.field.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_both_texts_as_a_conversation() {
        let RowContent::Chat { messages } = row(" Hola ", "¿Qué tal?\n").unwrap() else {
            panic!("expected a conversation");
        };
        assert_eq!(messages.len(), 2);
        assert_eq!(
            (messages[0].role, messages[0].content.as_str()),
            (Role::User, " Hola ")
        );
        assert_eq!(
            (messages[1].role, messages[1].content.as_str()),
            (Role::Assistant, "¿Qué tal?\n")
        );
    }

    #[test]
    fn blank_or_wrongly_typed_values() {
        assert_eq!(row("  ", "x"), Err(Issue::EmptyPrompt));
        assert_eq!(row("x", "\n"), Err(Issue::EmptyCompletion));
        let number = Value::from(3);
        let list = Value::Array(Vec::new());
        let text = Value::from("hola");
        assert_eq!(
            row_from_json(Some(&number), Some(&text)),
            Err(Issue::InvalidPrompt)
        );
        assert_eq!(
            row_from_json(Some(&text), Some(&list)),
            Err(Issue::InvalidCompletion)
        );
        assert_eq!(row_from_json(None, Some(&text)), Err(Issue::EmptyPrompt));
        assert!(row_from_json(Some(&text), Some(&number)).is_ok());
        let finding = Issue::EmptyCompletion.finding("f.csv", 4, "prompt", "completion");
        assert_eq!(finding.code, "empty_completion");
        assert_eq!(finding.field.as_deref(), Some("completion"));
        assert!(finding.message.es.starts_with("Línea 4"));
    }

    #[test]
    fn text_file_messages_quote_the_column() {
        let finding = Issue::InvalidPrompt.finding("f.jsonl", 2, "input", "output");
        assert_eq!(finding.field.as_deref(), Some("input"));
        assert_eq!(
            finding.message.en,
            "Line 2: the prompt (\"input\") is not written as text. Put it between double quotes, \
             like \"input\": \"Summarise this text\"."
        );
        let finding = Issue::EmptyCompletion.finding("f.csv", 7, "p", "Respuesta");
        assert_eq!(
            finding.message.es,
            "Línea 7: la respuesta (\"Respuesta\") falta o está vacía. Escribe la respuesta que debe dar \
             el modelo, o borra la fila."
        );
    }
}
