//! Validating one chat conversation (`{"messages": [...]}`) with the checks of OpenAI's fine-tuning cookbook.

use serde_json::{Map, Value};

use crate::finding::{Finding, Message};
use crate::row::{ChatMessage, Role};

/// Keys a message may have.
const ALLOWED_KEYS: [&str; 5] = ["role", "content", "name", "function_call", "weight"];

/// The first problem found in a conversation, using the cookbook's error names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChatIssue {
    /// `messages` is missing, not a list, or empty.
    MissingMessagesList,
    /// A message is not an object.
    MessageNotObject { index: usize },
    /// A message lacks `role` or `content`.
    MessageMissingKey { index: usize, key: &'static str },
    /// A message has a key outside [`ALLOWED_KEYS`].
    UnrecognizedKey { index: usize, key: String },
    /// A role other than system, user, assistant or function.
    UnrecognizedRole { index: usize, role: String },
    /// Content is not text, or is empty without a `function_call`.
    MissingContent { index: usize },
    /// No message has the assistant role.
    MissingAssistant,
}

/// Validates the `messages` of a conversation; messages with the `function` role are left out.
pub(crate) fn validate(object: &Map<String, Value>) -> Result<Vec<ChatMessage>, ChatIssue> {
    let Some(Value::Array(raw_messages)) = object.get("messages") else {
        return Err(ChatIssue::MissingMessagesList);
    };
    if raw_messages.is_empty() {
        return Err(ChatIssue::MissingMessagesList);
    }
    let mut messages = Vec::with_capacity(raw_messages.len());
    let mut has_assistant = false;
    for (index, raw_message) in raw_messages.iter().enumerate() {
        let Value::Object(message) = raw_message else {
            return Err(ChatIssue::MessageNotObject { index });
        };
        for key in ["role", "content"] {
            if !message.contains_key(key) {
                return Err(ChatIssue::MessageMissingKey { index, key });
            }
        }
        if let Some(key) = message
            .keys()
            .find(|key| !ALLOWED_KEYS.contains(&key.as_str()))
        {
            return Err(ChatIssue::UnrecognizedKey {
                index,
                key: key.clone(),
            });
        }
        let role = match message.get("role") {
            Some(Value::String(role)) => match role.as_str() {
                "system" => Some(Role::System),
                "user" => Some(Role::User),
                "assistant" => Some(Role::Assistant),
                "function" => None,
                _ => {
                    return Err(ChatIssue::UnrecognizedRole {
                        index,
                        role: role.clone(),
                    });
                }
            },
            other => {
                return Err(ChatIssue::UnrecognizedRole {
                    index,
                    role: other.map_or_else(String::new, Value::to_string),
                });
            }
        };
        let has_function_call = message
            .get("function_call")
            .is_some_and(|call| !call.is_null());
        let content = match message.get("content") {
            Some(Value::String(content)) if !content.is_empty() || has_function_call => content,
            _ => return Err(ChatIssue::MissingContent { index }),
        };
        if let Some(role) = role {
            has_assistant |= role == Role::Assistant;
            messages.push(ChatMessage {
                role,
                content: content.clone(),
            });
        }
    }
    if !has_assistant {
        return Err(ChatIssue::MissingAssistant);
    }
    Ok(messages)
}

impl ChatIssue {
    /// The stable code, as named in OpenAI's cookbook.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::MissingMessagesList => "missing_messages_list",
            Self::MessageNotObject { .. } | Self::MessageMissingKey { .. } => "message_missing_key",
            Self::UnrecognizedKey { .. } => "message_unrecognized_key",
            Self::UnrecognizedRole { .. } => "unrecognized_role",
            Self::MissingContent { .. } => "missing_content",
            Self::MissingAssistant => "example_missing_assistant_message",
        }
    }

    /// The JSON path of the problem, such as `messages[2].role`.
    pub(crate) fn field(&self) -> String {
        match self {
            Self::MissingMessagesList | Self::MissingAssistant => "messages".to_owned(),
            Self::MessageNotObject { index } => format!("messages[{index}]"),
            Self::MessageMissingKey { index, key } => format!("messages[{index}].{key}"),
            Self::UnrecognizedKey { index, key } => format!("messages[{index}].{key}"),
            Self::UnrecognizedRole { index, .. } => format!("messages[{index}].role"),
            Self::MissingContent { index } => format!("messages[{index}].content"),
        }
    }

    /// The located finding for this issue on `line` of `file`.
    pub(crate) fn finding(&self, file: &str, line: usize) -> Finding {
        Finding::error(file, line, self.code(), self.message(line)).with_field(self.field())
    }

    fn message(&self, line: usize) -> Message {
        match self {
            Self::MissingMessagesList => Message::new(
                format!(
                    "Line {line}: \"messages\" must be a list of messages, like \"messages\": [{{\"role\": \"user\", \"content\": \"…\"}}, \
                     {{\"role\": \"assistant\", \"content\": \"…\"}}]. Add the list or delete the line."
                ),
                format!(
                    "Línea {line}: \"messages\" debe ser una lista de mensajes, como \"messages\": [{{\"role\": \"user\", \"content\": \"…\"}}, \
                     {{\"role\": \"assistant\", \"content\": \"…\"}}]. Añade la lista o borra la línea."
                ),
            ),
            Self::MessageNotObject { index } => {
                let number = index + 1;
                Message::new(
                    format!(
                        "Line {line}: message {number} is not written as {{\"role\": …, \"content\": …}}. \
                         Write each message between braces with a role and a content."
                    ),
                    format!(
                        "Línea {line}: el mensaje {number} no está escrito como {{\"role\": …, \"content\": …}}. \
                         Escribe cada mensaje entre llaves con un role y un content."
                    ),
                )
            }
            Self::MessageMissingKey { index, key } => {
                let number = index + 1;
                Message::new(
                    format!(
                        "Line {line}: message {number} has no \"{key}\". Every message needs a \"role\" and a \"content\"; add it."
                    ),
                    format!(
                        "Línea {line}: el mensaje {number} no tiene \"{key}\". Todos los mensajes necesitan \"role\" y \"content\"; añádelo."
                    ),
                )
            }
            Self::UnrecognizedKey { index, key } => {
                let number = index + 1;
                Message::new(
                    format!(
                        "Line {line}: message {number} has an unknown field \"{key}\". A message may only have role, content, \
                         name, function_call and weight; rename or remove \"{key}\"."
                    ),
                    format!(
                        "Línea {line}: el mensaje {number} tiene un campo desconocido \"{key}\". Un mensaje solo puede tener role, \
                         content, name, function_call y weight; cambia el nombre de \"{key}\" o quítalo."
                    ),
                )
            }
            Self::UnrecognizedRole { index, role } => {
                let number = index + 1;
                Message::new(
                    format!(
                        "Line {line}: message {number} has the role \"{role}\". Use \"system\", \"user\" or \"assistant\"."
                    ),
                    format!(
                        "Línea {line}: el mensaje {number} tiene el role \"{role}\". Usa \"system\", \"user\" o \"assistant\"."
                    ),
                )
            }
            Self::MissingContent { index } => {
                let number = index + 1;
                Message::new(
                    format!(
                        "Line {line}: the content of message {number} is empty or is not text. \
                         Write the message text between double quotes, or delete the message."
                    ),
                    format!(
                        "Línea {line}: el content del mensaje {number} está vacío o no es texto. \
                         Escribe el texto del mensaje entre comillas dobles, o borra el mensaje."
                    ),
                )
            }
            Self::MissingAssistant => Message::new(
                format!(
                    "Line {line}: the conversation has no assistant message. Add one with \"role\": \"assistant\" \
                     and the answer the model should give."
                ),
                format!(
                    "Línea {line}: la conversación no tiene ningún mensaje del asistente. Añade uno con \"role\": \"assistant\" \
                     y la respuesta que debe dar el modelo."
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<Vec<ChatMessage>, ChatIssue> {
        let Value::Object(object) = serde_json::from_str(json).unwrap() else {
            panic!("not an object: {json}");
        };
        validate(&object)
    }

    fn issue(json: &str) -> (String, String) {
        let issue = check(json).unwrap_err();
        (issue.code().to_owned(), issue.field())
    }

    #[test]
    fn valid_conversation() {
        let messages = check(
            r#"{"messages": [{"role": "system", "content": "Clasifica"}, {"role": "user", "content": "hola", "name": "ana"},
                {"role": "function", "content": "x"}, {"role": "assistant", "content": "saludo", "weight": 1}]}"#,
        )
        .unwrap();
        let roles: Vec<Role> = messages.iter().map(|message| message.role).collect();
        assert_eq!(roles, [Role::System, Role::User, Role::Assistant]);
    }

    #[test]
    fn each_cookbook_code() {
        let cases = [
            (
                r#"{"messages": "hola"}"#,
                "missing_messages_list",
                "messages",
            ),
            (r#"{"messages": []}"#, "missing_messages_list", "messages"),
            (r#"{"messages": [1]}"#, "message_missing_key", "messages[0]"),
            (
                r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant"}]}"#,
                "message_missing_key",
                "messages[1].content",
            ),
            (
                r#"{"messages": [{"role": "user", "content": "a", "texto": "b"}]}"#,
                "message_unrecognized_key",
                "messages[0].texto",
            ),
            (
                r#"{"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}"#,
                "unrecognized_role",
                "messages[1].role",
            ),
            (
                r#"{"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "b"}]}"#,
                "missing_content",
                "messages[0].content",
            ),
            (
                r#"{"messages": [{"role": "user", "content": 3}]}"#,
                "missing_content",
                "messages[0].content",
            ),
            (
                r#"{"messages": [{"role": "user", "content": "a"}]}"#,
                "example_missing_assistant_message",
                "messages",
            ),
        ];
        for (json, code, field) in cases {
            assert_eq!(issue(json), (code.to_owned(), field.to_owned()), "{json}");
        }
    }

    #[test]
    fn function_call_allows_empty_content() {
        let json = r#"{"messages": [{"role": "user", "content": "a"},
            {"role": "assistant", "content": "", "function_call": {"name": "f"}}]}"#;
        assert_eq!(check(json).unwrap().len(), 2);
    }

    #[test]
    fn finding_is_located_and_bilingual() {
        let finding = ChatIssue::UnrecognizedRole {
            index: 2,
            role: "bot".into(),
        }
        .finding("chat.jsonl", 9);
        assert_eq!(finding.line, Some(9));
        assert_eq!(finding.field.as_deref(), Some("messages[2].role"));
        assert!(
            finding
                .message
                .en
                .contains("message 3 has the role \"bot\"")
        );
        assert!(finding.message.es.contains("Línea 9"));
    }
}
