//! The rows' text and label fields as the quality passes see them: what the fields are called
//! in findings, every text of a row with its place, and each row's input and label.

use std::borrow::Cow;

use crate::format::Schema;
use crate::row::{Role, Row, RowContent};

/// What the text and label fields are called in findings.
#[derive(Debug, Clone)]
pub(crate) struct FieldNames {
    pub(crate) text: String,
    pub(crate) label: String,
    /// Prompt/completion rows: name the user message by `text` and the answer by `label`
    /// instead of `messages[i].content`.
    pub(crate) messages_by_column: bool,
}

impl FieldNames {
    pub(crate) fn of(schema: &Schema) -> Self {
        match schema {
            Schema::TextLabel {
                text_column,
                label_column,
            } => Self {
                text: text_column.clone(),
                label: label_column.clone(),
                messages_by_column: false,
            },
            Schema::Chat => Self {
                text: "messages".to_owned(),
                label: "messages".to_owned(),
                messages_by_column: false,
            },
            Schema::PromptCompletion {
                prompt_column,
                completion_column,
            } => Self {
                text: prompt_column.clone(),
                label: completion_column.clone(),
                messages_by_column: true,
            },
        }
    }
}

/// The text fields of a row: the text and label of a text/label row, or each message content
/// of a conversation, with what they are and where (named only when a finding needs it).
pub(crate) fn text_fields(row: &Row) -> impl Iterator<Item = (&str, FieldKind, FieldPlace)> {
    let (pair, messages) = match &row.content {
        RowContent::TextLabel { text, label } => (
            [
                Some((text.as_str(), FieldKind::Text, FieldPlace::Text)),
                Some((label.as_str(), FieldKind::Label, FieldPlace::Label)),
            ],
            [].as_slice(),
        ),
        RowContent::Chat { messages } => ([None, None], messages.as_slice()),
    };
    pair.into_iter()
        .flatten()
        .chain(messages.iter().enumerate().map(|(index, message)| {
            (
                message.content.as_str(),
                FieldKind::Text,
                FieldPlace::Message {
                    index,
                    role: message.role,
                },
            )
        }))
}

/// Where a text field is in its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldPlace {
    /// The text column.
    Text,
    /// The label column.
    Label,
    /// A message of a conversation (counting the messages kept in the row).
    Message { index: usize, role: Role },
}

impl FieldPlace {
    /// The field's name in findings: the column, or `messages[i].content` (the prompt or
    /// completion column for prompt/completion rows).
    pub(crate) fn name(self, fields: &FieldNames) -> String {
        match self {
            Self::Text => fields.text.clone(),
            Self::Label => fields.label.clone(),
            Self::Message { index, role } => match (fields.messages_by_column, role) {
                (true, Role::Assistant) => fields.label.clone(),
                (true, _) => fields.text.clone(),
                (false, _) => format!("messages[{index}].content"),
            },
        }
    }
}

/// Whether a field holds free text or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Label,
}

/// A row seen as an input and, when it has one, a label (borrowed from the row where it can be).
#[derive(Debug)]
pub(crate) struct Item<'row> {
    pub(crate) line: usize,
    pub(crate) content: &'row RowContent,
    /// The text (or the user messages of a conversation, or all its messages without any).
    pub(crate) input: Cow<'row, str>,
    /// The label (or the last assistant answer); `None` for a conversation without a user message.
    pub(crate) label: Option<Cow<'row, str>>,
}

impl<'row> Item<'row> {
    /// The [`Row::example`] of `row` (or its whole text when it has none), without copying.
    pub(crate) fn of(row: &'row Row) -> Self {
        let label = row.example_label();
        let input = match &row.content {
            RowContent::TextLabel { text, .. } => Cow::Borrowed(text.as_str()),
            RowContent::Chat { messages } => {
                // The example joins the user turns; without an example, every turn.
                let mut contents = messages
                    .iter()
                    .filter(|message| label.is_none() || message.role == Role::User)
                    .map(|message| message.content.as_str());
                match (contents.next(), contents.next()) {
                    (None, _) => Cow::Borrowed(""),
                    (Some(only), None) => Cow::Borrowed(only),
                    (Some(first), Some(second)) => {
                        let mut joined = [first, second].join("\n");
                        for content in contents {
                            joined.push('\n');
                            joined.push_str(content);
                        }
                        Cow::Owned(joined)
                    }
                }
            }
        };
        Self {
            line: row.line,
            content: &row.content,
            input,
            label: label.map(Cow::Borrowed),
        }
    }
}
