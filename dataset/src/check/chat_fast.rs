//! The chat format checks of [`crate::check::chat`] on one JSON line, without building a
//! `serde_json::Value`: strings are borrowed from the line, unknown values are skipped.
//!
//! It only decides whether a line is a valid conversation and measures it; a line it turns
//! down is read again by the full reader, which says what is wrong. A property test keeps the
//! two in agreement.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Measurements of a valid conversation, for the token estimate and the chat style counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChatShape {
    /// Messages kept (the `function` role is left out, as in the full reader).
    pub(crate) messages: usize,
    /// Characters of every message's content, `function` messages included.
    pub(crate) content_chars: usize,
    /// Messages with a `name`.
    pub(crate) names: usize,
    /// Whether a system message is present.
    pub(crate) has_system: bool,
    /// Whether a user message is present.
    pub(crate) has_user: bool,
    /// Characters of the assistant messages.
    pub(crate) assistant_chars: usize,
    /// Number of assistant messages.
    pub(crate) assistant_messages: usize,
}

/// The shape of `line` when it is a valid chat conversation (as [`crate::check::chat::validate`]
/// accepts it, the object being the whole line); `None` otherwise.
pub(crate) fn check(line: &[u8]) -> Option<ChatShape> {
    shape(serde_json::from_slice(line).ok()?)
}

/// [`check`] on a line already known to be UTF-8, which spares serde_json checking every
/// string again.
pub(crate) fn check_str(line: &str) -> Option<ChatShape> {
    shape(serde_json::from_str(line).ok()?)
}

fn shape(parsed: Line) -> Option<ChatShape> {
    let Line::Object(Some(Messages::List(Some(shape)))) = parsed else {
        return None;
    };
    (shape.assistant_messages > 0).then_some(shape)
}

/// Adds one message to the shape of its conversation; `None` when the message is invalid.
fn add_message(mut shape: ChatShape, message: Message) -> Option<ChatShape> {
    let Message::Valid {
        role,
        content_chars,
        named,
    } = message
    else {
        return None;
    };
    shape.content_chars += content_chars;
    shape.names += usize::from(named);
    match role {
        KnownRole::Function => return Some(shape),
        KnownRole::System => shape.has_system = true,
        KnownRole::User => shape.has_user = true,
        KnownRole::Assistant => {
            shape.assistant_chars += content_chars;
            shape.assistant_messages += 1;
        }
    }
    shape.messages += 1;
    Some(shape)
}

/// The `visit_*` methods of a visitor for the scalars (booleans, numbers, strings, null),
/// which all mean `$value`: "not what a valid line has here".
macro_rules! scalars_are {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// A whole line: an object (with its `messages`, if any) or anything else.
enum Line {
    Object(Option<Messages>),
    Other,
}

/// The value of `messages`: a list, measured as it is read (`None` when it is empty or a
/// message is invalid), or anything else.
enum Messages {
    List(Option<ChatShape>),
    Other,
}

/// One element of `messages`.
enum Message {
    Valid {
        role: KnownRole,
        content_chars: usize,
        named: bool,
    },
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KnownRole {
    System,
    User,
    Assistant,
    Function,
}

impl<'de> de::Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LineVisitor)
    }
}

struct LineVisitor;

impl<'de> Visitor<'de> for LineVisitor {
    type Value = Line;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line, A::Error> {
        let mut messages = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "messages" {
                // A repeated key keeps the last value, as serde_json's map does.
                messages = Some(map.next_value::<Messages>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Line::Object(messages))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Line, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Line::Other)
    }

    scalars_are!(Line::Other);
}

impl<'de> de::Deserialize<'de> for Messages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MessagesVisitor)
    }
}

struct MessagesVisitor;

impl<'de> Visitor<'de> for MessagesVisitor {
    type Value = Messages;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Messages, A::Error> {
        let mut shape = None;
        let mut all_valid = true;
        while let Some(message) = seq.next_element::<Message>()? {
            // Keep reading after an invalid message: the rest of the line must still be JSON.
            if all_valid {
                shape = add_message(shape.unwrap_or_default(), message);
                all_valid = shape.is_some();
            }
        }
        Ok(Messages::List(shape))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Messages, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Messages::Other)
    }

    scalars_are!(Messages::Other);
}

impl<'de> de::Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MessageVisitor)
    }
}

/// What a message's `role` or `content` holds.
enum Field<'de> {
    Text(Cow<'de, str>),
    Null,
    Other,
}

impl<'de> de::Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Text(Cow::Borrowed(text)))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Field<'de>, E> {
        Ok(Field::Text(Cow::Owned(text.to_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let mut role = None;
        let mut content = None;
        let mut function_call = false;
        let mut named = false;
        let mut unknown_key = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "role" => role = Some(map.next_value::<Field<'de>>()?),
                "content" => content = Some(map.next_value::<Field<'de>>()?),
                "function_call" => {
                    function_call = !matches!(map.next_value::<Field<'de>>()?, Field::Null);
                }
                "name" => {
                    map.next_value::<IgnoredAny>()?;
                    named = true;
                }
                "weight" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    unknown_key = true;
                }
            }
        }
        let role = match role {
            Some(Field::Text(role)) => match role.as_ref() {
                "system" => KnownRole::System,
                "user" => KnownRole::User,
                "assistant" => KnownRole::Assistant,
                "function" => KnownRole::Function,
                _ => return Ok(Message::Invalid),
            },
            _ => return Ok(Message::Invalid),
        };
        let content_chars = match content {
            Some(Field::Text(text)) if !text.is_empty() || function_call => {
                bytecount::num_chars(text.as_bytes())
            }
            _ => return Ok(Message::Invalid),
        };
        if unknown_key {
            return Ok(Message::Invalid);
        }
        Ok(Message::Valid {
            role,
            content_chars,
            named,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Message, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Message::Invalid)
    }
    scalars_are!(Message::Invalid);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::chat;
    use crate::test_support::XorShift;
    use serde_json::Value;

    /// What the full reader decides about a line: valid or not.
    fn full_reader_accepts(line: &str) -> bool {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => chat::validate(&object).is_ok(),
            _ => false,
        }
    }

    #[test]
    fn valid_conversation_is_measured() {
        let line = r#"{"messages": [{"role": "system", "content": "Sé breve."}, {"role": "user", "content": "¿Hola?", "name": "ana"}, {"role": "assistant", "content": "Hola, ¿qué tal?", "weight": 1}]}"#;
        let shape = check(line.as_bytes()).unwrap();
        assert_eq!(shape.messages, 3);
        assert_eq!(shape.names, 1);
        assert!(shape.has_system && shape.has_user);
        assert_eq!(shape.assistant_messages, 1);
        assert_eq!(shape.assistant_chars, "Hola, ¿qué tal?".chars().count());
        assert_eq!(
            shape.content_chars,
            "Sé breve.".chars().count() + "¿Hola?".chars().count() + shape.assistant_chars
        );
    }

    #[test]
    fn escaped_content_is_counted_after_unescaping() {
        let line = r#"{"messages": [{"role": "user", "content": "a\"b"}, {"role": "assistant", "content": "\u00f1"}]}"#;
        let shape = check(line.as_bytes()).unwrap();
        assert_eq!(shape.content_chars, 4);
    }

    /// Lines covering every rule of the cookbook, valid and not.
    const CASES: &[&str] = &[
        r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}"#,
        r#"{"messages": []}"#,
        r#"{"messages": {}}"#,
        r#"{"messages": null}"#,
        r#"{"messages": "x"}"#,
        r#"{"mensajes": []}"#,
        r#"[1, 2]"#,
        r#""texto""#,
        r#"42"#,
        r#"{"messages": [1]}"#,
        r#"{"messages": [{"role": "user"}]}"#,
        r#"{"messages": [{"content": "a"}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "a", "extra": 1}]}"#,
        r#"{"messages": [{"role": "bot", "content": "a"}]}"#,
        r#"{"messages": [{"role": 3, "content": "a"}]}"#,
        r#"{"messages": [{"role": "assistant", "content": ""}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "", "function_call": {"name": "f"}}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "", "function_call": null}]}"#,
        r#"{"messages": [{"role": "assistant", "content": null}]}"#,
        r#"{"messages": [{"role": "assistant", "content": 5}]}"#,
        r#"{"messages": [{"role": "user", "content": "a"}]}"#,
        r#"{"messages": [{"role": "function", "content": "a"}, {"role": "assistant", "content": "b"}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "b"}], "messages": []}"#,
        r#"{"messages": [], "messages": [{"role": "assistant", "content": "b"}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "b", "role": "bot"}]}"#,
        r#"{"messages": [{"role": "assistant", "content": "b"}]},"#,
        r#"{"messages": [{"role": "assistant", "content": "b"}]"#,
        r#"{"messages": [{"role": "assistant", "content": "b", "name": null, "weight": 0}]}"#,
    ];

    #[test]
    fn agrees_with_the_full_reader_on_every_rule() {
        for case in CASES {
            assert_eq!(
                check(case.as_bytes()).is_some(),
                full_reader_accepts(case),
                "{case}"
            );
            assert_eq!(check(case.as_bytes()), check_str(case), "{case}");
        }
    }

    #[test]
    fn agrees_with_the_full_reader_on_mutated_lines() {
        let pieces = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"messages\"",
            "\"role\"",
            "\"content\"",
            "\"user\"",
            "\"assistant\"",
            "\"system\"",
            "\"function\"",
            "\"name\"",
            "\"weight\"",
            "\"function_call\"",
            "\"x\"",
            "\"\"",
            "null",
            "1",
            "true",
        ];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let base = CASES[rng.below(CASES.len())];
            let mut line = base.to_owned();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(line.len() + 1);
                if !line.is_char_boundary(at) {
                    continue;
                }
                let piece = pieces[rng.below(pieces.len())];
                line.insert_str(at, piece);
            }
            assert_eq!(
                check(line.as_bytes()).is_some(),
                full_reader_accepts(&line),
                "{line}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let mut line = br#"{"messages": [{"role": "assistant", "content": "b"#.to_vec();
        line.push(0xff);
        line.extend_from_slice(br#""}]}"#);
        assert!(check(&line).is_none());
    }
}
