//! Splitting a JSON list, or JSON values written one after another over any number of lines,
//! into its values with the line where each one starts.

use serde_json::{Deserializer, Value};

use crate::finding::Message;
use crate::read::json_syntax;

/// One value of a JSON list or stream.
#[derive(Debug)]
pub(crate) struct Located<'text> {
    /// 1-based line where the value starts.
    pub(crate) line: usize,
    /// The value exactly as written.
    pub(crate) raw: &'text str,
    /// The parsed value.
    pub(crate) value: Value,
}

/// Where and why the text is not valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based character column.
    pub(crate) column: usize,
    /// What is wrong, in plain words.
    pub(crate) problem: Message,
}

/// The values of `text`: the elements of a top-level list (`[…]`), or else the top-level
/// values one after another. In a list, elements are separated by commas (a comma before the
/// closing `]` is tolerated); between top-level values, whitespace and commas are skipped, so
/// `{…},\n{…}` reads as two objects. A byte order mark is skipped.
pub(crate) fn values(text: &str) -> Result<Vec<Located<'_>>, SyntaxError> {
    let lines = LineStarts::new(text);
    let mut position = skip_separators(text, 0, false);
    let in_list = text
        .get(position..)
        .is_some_and(|rest| rest.starts_with('['));
    if in_list {
        position += 1;
    }
    let mut values = Vec::new();
    loop {
        position = skip_separators(text, position, !in_list);
        let rest = text.get(position..).unwrap_or_default();
        if in_list {
            if rest.is_empty() {
                return Err(lines.error_at(text, position, list_not_closed()));
            }
            if rest.starts_with(']') {
                return list_end(text, &lines, position + 1).map(|()| values);
            }
        } else if rest.is_empty() {
            return Ok(values);
        }
        let mut stream = Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                let end = position + stream.byte_offset();
                values.push(Located {
                    line: lines.line_of(position),
                    raw: text.get(position..end).unwrap_or_default(),
                    value,
                });
                position = end;
            }
            Some(Err(error)) => {
                let offset = position + offset_in(rest, error.line(), error.column());
                return Err(lines.error_at(text, offset, json_syntax::problem(&error)));
            }
            None => return Ok(values),
        }
        if in_list {
            position = skip_separators(text, position, false);
            match text.get(position..).and_then(|rest| rest.chars().next()) {
                Some(',') => position += 1,
                Some(']') => return list_end(text, &lines, position + 1).map(|()| values),
                Some(_) => {
                    return Err(lines.error_at(
                        text,
                        position,
                        Message::new(
                            "a comma is missing between two elements of the list",
                            "falta una coma entre dos elementos de la lista",
                        ),
                    ));
                }
                None => return Err(lines.error_at(text, position, list_not_closed())),
            }
        }
    }
}

fn list_not_closed() -> Message {
    Message::new(
        "the list is not closed: a ] is missing at the end",
        "la lista no se cierra: falta un ] al final",
    )
}

/// Checks that nothing but whitespace follows the `]` that closes the list at `after - 1`.
fn list_end(text: &str, lines: &LineStarts, after: usize) -> Result<(), SyntaxError> {
    let rest = skip_separators(text, after, false);
    if rest < text.len() {
        return Err(lines.error_at(
            text,
            rest,
            Message::new(
                "there is something after the ] that closes the list; remove it",
                "hay algo después del ] que cierra la lista; quítalo",
            ),
        ));
    }
    Ok(())
}

/// Skips whitespace and byte order marks, and commas too when `commas` is set.
fn skip_separators(text: &str, mut position: usize, commas: bool) -> usize {
    let rest = text.get(position..).unwrap_or_default();
    for character in rest.chars() {
        if character.is_whitespace() || character == '\u{feff}' || (commas && character == ',') {
            position += character.len_utf8();
        } else {
            break;
        }
    }
    position
}

/// The byte offset in `text` of serde_json's 1-based `line` and byte `column`.
fn offset_in(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(offset, _)| offset + 1)
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// The byte offsets of the line breaks of a text, to turn offsets into lines and columns.
struct LineStarts {
    newlines: Vec<usize>,
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let newlines = text.match_indices('\n').map(|(offset, _)| offset).collect();
        Self { newlines }
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        1 + self.newlines.partition_point(|&newline| newline < offset)
    }

    fn error_at(&self, text: &str, offset: usize, problem: Message) -> SyntaxError {
        let line = self.line_of(offset);
        let line_start = match line.checked_sub(2) {
            Some(index) => self.newlines.get(index).map_or(0, |newline| newline + 1),
            None => 0,
        };
        let mut end = offset.min(text.len());
        while end > line_start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text
            .get(line_start..end)
            .map_or(0, |before| before.chars().count())
            + 1;
        SyntaxError {
            line,
            column,
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_raw(text: &str) -> Vec<(usize, &str)> {
        values(text)
            .unwrap()
            .iter()
            .map(|located| (located.line, located.raw))
            .collect()
    }

    #[test]
    fn list_elements_with_their_lines() {
        let text = "[\n  {\"a\": 1},\n  {\n    \"b\": \"ñ\"\n  }\n]\n";
        assert_eq!(
            lines_and_raw(text),
            [(2, "{\"a\": 1}"), (3, "{\n    \"b\": \"ñ\"\n  }")]
        );
        assert!(values("[]").unwrap().is_empty());
        assert_eq!(
            lines_and_raw("\u{feff}[1, \"x\",]"),
            [(1, "1"), (1, "\"x\"")]
        );
    }

    #[test]
    fn concatenated_values_with_or_without_commas() {
        let text = "{\n \"a\": 1\n}\n{\"b\": 2},\n\n{\"c\": [1,\n2]}";
        assert_eq!(
            lines_and_raw(text),
            [
                (1, "{\n \"a\": 1\n}"),
                (4, "{\"b\": 2}"),
                (6, "{\"c\": [1,\n2]}")
            ]
        );
        assert!(values("  \n").unwrap().is_empty());
    }

    #[test]
    fn syntax_errors_are_located_in_the_whole_text() {
        let error = values("[\n  {\"a\": 1},\n  {\"ñ\": 2 \"b\": 3}\n]").unwrap_err();
        assert_eq!((error.line, error.column), (3, 11));
        assert!(error.problem.en.contains("a comma is missing"));
        let error = values("[{\"a\": 1}\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.problem.en.contains("not closed"));
        let error = values("[{\"a\": 1}] x").unwrap_err();
        assert_eq!((error.line, error.column), (1, 12));
        let error = values("{\"a\": 1}\n{\"b\": ").unwrap_err();
        assert_eq!(error.line, 2);
        let error = values("[\n{\"a\": 1}\n{\"b\": 2}]").unwrap_err();
        assert_eq!((error.line, error.column), (3, 1));
        assert!(error.problem.en.contains("a comma is missing"));
        assert!(values("[,{}]").is_err());
    }
}
