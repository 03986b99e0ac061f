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

impl Issue {
    /// The located finding, naming the prompt or completion column (or key).
    pub(crate) fn finding(
        self,
        file: &str,
        line: usize,
        prompt_field: &str,
        completion_field: &str,
    ) -> Finding {
        let (code, field, message) = match self {
            Self::EmptyPrompt => (
                "empty_prompt",
                prompt_field,
                Message::new(
                    format!(
                        "Line {line}: the prompt (\"{prompt_field}\") is missing or empty. Write the prompt or delete the row."
                    ),
                    format!(
                        "Línea {line}: el prompt (\"{prompt_field}\") falta o está vacío. Escribe el prompt o borra la fila."
                    ),
                ),
            ),
            Self::InvalidPrompt => (
                "invalid_prompt",
                prompt_field,
                Message::new(
                    format!(
                        "Line {line}: the prompt (\"{prompt_field}\") is not written as text. Put it between double quotes, \
                         like \"{prompt_field}\": \"Summarise this text\"."
                    ),
                    format!(
                        "Línea {line}: el prompt (\"{prompt_field}\") no está escrito como texto. Ponlo entre comillas dobles, \
                         como \"{prompt_field}\": \"Resume este texto\"."
                    ),
                ),
            ),
            Self::EmptyCompletion => (
                "empty_completion",
                completion_field,
                Message::new(
                    format!(
                        "Line {line}: the completion (\"{completion_field}\") is missing or empty. Write the answer the model \
                         should give, or delete the row."
                    ),
                    format!(
                        "Línea {line}: la respuesta (\"{completion_field}\") falta o está vacía. Escribe la respuesta que debe dar \
                         el modelo, o borra la fila."
                    ),
                ),
            ),
            Self::InvalidCompletion => (
                "invalid_completion",
                completion_field,
                Message::new(
                    format!(
                        "Line {line}: the completion (\"{completion_field}\") is a list or an object. Write it as text, \
                         like \"{completion_field}\": \"…\"."
                    ),
                    format!(
                        "Línea {line}: la respuesta (\"{completion_field}\") es una lista o un objeto. Escríbela como texto, \
                         como \"{completion_field}\": \"…\"."
                    ),
                ),
            ),
        };
        Finding::error(file, line, code, message).with_field(field)
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
}
