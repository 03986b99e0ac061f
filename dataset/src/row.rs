//! Validated rows: text/label pairs and chat conversations, and the classification examples made from them.

use serde::{Deserialize, Serialize};

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the assistant.
    System,
    /// The person talking to the assistant.
    User,
    /// The model's answer.
    Assistant,
}

/// One message of a chat conversation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who wrote the message.
    pub role: Role,
    /// The message text.
    pub content: String,
}

/// What a valid row holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowContent {
    /// A text with its label; the text is not blank and the label is trimmed and not empty.
    TextLabel {
        /// The example text.
        text: String,
        /// The label (class) of the text.
        label: String,
    },
    /// A chat conversation with at least one assistant message.
    Chat {
        /// The messages in order (messages with the `function` role are left out).
        messages: Vec<ChatMessage>,
    },
}

/// A valid row of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based line of the file where the row starts (the row number in a spreadsheet).
    pub line: usize,
    /// What the row holds.
    pub content: RowContent,
}

/// A labelled example for text classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The text to classify.
    pub text: String,
    /// Its label.
    pub label: String,
}

impl Row {
    /// The classification example of this row, if it has one.
    ///
    /// Text/label rows give themselves. Chat rows give the user messages joined with `\n` as
    /// text and the last assistant message, trimmed, as label; `None` when either is blank.
    pub fn example(&self) -> Option<Example> {
        let label = self.example_label()?;
        match &self.content {
            RowContent::TextLabel { text, .. } => Some(Example {
                text: text.clone(),
                label: label.to_owned(),
            }),
            RowContent::Chat { messages } => Some(Example {
                text: messages
                    .iter()
                    .filter(|message| message.role == Role::User)
                    .map(|message| message.content.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                label: label.to_owned(),
            }),
        }
    }

    /// The label of [`Row::example`], without building the example (no text is copied).
    pub fn example_label(&self) -> Option<&str> {
        match &self.content {
            RowContent::TextLabel { label, .. } => Some(label),
            RowContent::Chat { messages } => {
                // The example's text joins the user turns: it is blank when every turn is.
                let has_text = messages.iter().any(|message| {
                    message.role == Role::User && !message.content.trim().is_empty()
                });
                let label = messages
                    .iter()
                    .rev()
                    .find(|message| message.role == Role::Assistant)?
                    .content
                    .trim();
                (has_text && !label.is_empty()).then_some(label)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::message;

    #[test]
    fn chat_example_joins_user_messages_and_takes_last_assistant() {
        let row = Row {
            line: 1,
            content: RowContent::Chat {
                messages: vec![
                    message(Role::System, "Classify"),
                    message(Role::User, "hola"),
                    message(Role::Assistant, "saludo"),
                    message(Role::User, "adiós"),
                    message(Role::Assistant, "  despedida \n"),
                ],
            },
        };
        let example = row.example().unwrap();
        assert_eq!(example.text, "hola\nadiós");
        assert_eq!(example.label, "despedida");
    }

    #[test]
    fn chat_without_user_gives_no_example() {
        let row = Row {
            line: 1,
            content: RowContent::Chat {
                messages: vec![message(Role::Assistant, "x")],
            },
        };
        assert_eq!(row.example(), None);
    }

    #[test]
    fn example_label_agrees_with_example() {
        let chat = |messages| Row {
            line: 1,
            content: RowContent::Chat { messages },
        };
        let rows = [
            chat(vec![
                message(Role::User, "hola"),
                message(Role::Assistant, " saludo "),
            ]),
            chat(vec![
                message(Role::User, "  "),
                message(Role::User, "\n"),
                message(Role::Assistant, "saludo"),
            ]),
            chat(vec![
                message(Role::User, "hola"),
                message(Role::Assistant, " "),
            ]),
            chat(vec![message(Role::User, "hola")]),
            Row {
                line: 2,
                content: RowContent::TextLabel {
                    text: "bien".into(),
                    label: "pos".into(),
                },
            },
        ];
        for row in rows {
            assert_eq!(
                row.example_label().map(str::to_owned),
                row.example().map(|example| example.label),
                "{row:?}"
            );
        }
    }

    #[test]
    fn row_round_trips_through_json() {
        let row = Row {
            line: 3,
            content: RowContent::TextLabel {
                text: "hola".into(),
                label: "saludo".into(),
            },
        };
        let json = serde_json::to_string(&row).unwrap();
        assert!(json.contains("\"kind\":\"text_label\""));
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
        let role: Role = serde_json::from_str("\"assistant\"").unwrap();
        assert_eq!(role, Role::Assistant);
    }
}
