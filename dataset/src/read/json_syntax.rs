//! Explaining JSON syntax errors in plain words, with the line and character column.

use serde_json::Value;

use crate::finding::{Finding, Message};

/// An `invalid_json` finding, or `trailing_comma` when the line only has an extra comma at the end.
pub(crate) fn syntax_error(
    file: &str,
    line: usize,
    content: &str,
    error: &serde_json::Error,
) -> Finding {
    let without_comma = content.trim_end().strip_suffix(',');
    if let Some(fixed) = without_comma
        && serde_json::from_str::<Value>(fixed).is_ok()
    {
        let column = fixed.chars().count() + 1;
        return Finding::error(
            file,
            line,
            "trailing_comma",
            Message::new(
                format!(
                    "Line {line} ends with a comma after the object. In JSONL each object stands alone on its line: \
                     delete the comma at the end of the line."
                ),
                format!(
                    "La línea {line} termina con una coma después del objeto. En JSONL cada objeto va solo en su línea: \
                     borra la coma del final de la línea."
                ),
            ),
        )
        .with_column(column);
    }
    let column = char_column(content, error.column());
    let described = error.to_string();
    let parser_said = described
        .rsplit_once(" at line ")
        .map_or(described.as_str(), |(text, _)| text);
    let (hint_en, hint_es) = syntax_hint(error, parser_said);
    let at_en = if column > 0 {
        format!("Line {line}, column {column}")
    } else {
        format!("Line {line}")
    };
    let at_es = if column > 0 {
        format!("Línea {line}, columna {column}")
    } else {
        format!("Línea {line}")
    };
    let finding = Finding::error(
        file,
        line,
        "invalid_json",
        Message::new(
            format!(
                "{at_en}: this line is not valid JSON: {hint_en} (the reader said: {parser_said}). Fix the line or delete it."
            ),
            format!(
                "{at_es}: esta línea no es JSON válido: {hint_es} (el lector dijo: {parser_said}). Corrige la línea o bórrala."
            ),
        ),
    );
    if column > 0 {
        finding.with_column(column)
    } else {
        finding
    }
}

/// What is wrong, for a syntax error found while reading a whole JSON document: the plain-words
/// hint and what the reader said.
pub(crate) fn problem(error: &serde_json::Error) -> Message {
    let described = error.to_string();
    let parser_said = described
        .rsplit_once(" at line ")
        .map_or(described.as_str(), |(text, _)| text);
    let (hint_en, hint_es) = syntax_hint(error, parser_said);
    Message::new(
        format!("{hint_en} (the reader said: {parser_said})"),
        format!("{hint_es} (el lector dijo: {parser_said})"),
    )
}

/// A plain-words explanation of a JSON syntax error, in English and Spanish.
fn syntax_hint(error: &serde_json::Error, parser_said: &str) -> (&'static str, &'static str) {
    if error.is_eof() {
        return (
            "the line ends before the object is closed (a } or a closing \" is missing)",
            "la línea termina antes de cerrar el objeto (falta una } o unas comillas \" de cierre)",
        );
    }
    let hints: [(&str, &str, &str); 8] = [
        (
            "key must be a string",
            "field names must be between double quotes, like \"text\"",
            "los nombres de los campos deben ir entre comillas dobles, como \"text\"",
        ),
        (
            "trailing comma",
            "there is a comma right before } or ]; remove it",
            "hay una coma justo antes de } o ]; quítala",
        ),
        (
            "expected `:`",
            "a colon (:) is missing after a field name",
            "falta dos puntos (:) después del nombre de un campo",
        ),
        (
            "expected `,` or `}`",
            "a comma is missing between two fields, or a quote inside the text is not written as \\\"",
            "falta una coma entre dos campos, o unas comillas dentro del texto no están escritas como \\\"",
        ),
        (
            "control character",
            "the text has a real tab or line break inside it; write it as \\t or \\n",
            "el texto tiene un tabulador o un salto de línea real dentro; escríbelo como \\t o \\n",
        ),
        (
            "trailing characters",
            "there is something after the end of the object; put only one object per line",
            "hay algo después del final del objeto; pon un solo objeto por línea",
        ),
        (
            "invalid escape",
            "a backslash (\\) is not followed by a valid character; write \\\\ for a backslash",
            "una barra invertida (\\) no va seguida de un carácter válido; escribe \\\\ para una barra invertida",
        ),
        (
            "expected value",
            "a value is missing or is not valid (texts must be between double quotes)",
            "falta un valor o no es válido (los textos deben ir entre comillas dobles)",
        ),
    ];
    hints
        .iter()
        .find(|(start, _, _)| parser_said.starts_with(start))
        .map_or(
            (
                "check the quotes, commas and braces",
                "revisa las comillas, las comas y las llaves",
            ),
            |(_, hint_en, hint_es)| (*hint_en, *hint_es),
        )
}

/// Turns serde_json's byte column (1-based, 0 when unknown) into a 1-based character column.
fn char_column(content: &str, byte_column: usize) -> usize {
    if byte_column == 0 {
        return 0;
    }
    let mut end = byte_column.min(content.len());
    let inside_character = !content.is_char_boundary(end);
    while end > 0 && !content.is_char_boundary(end) {
        end -= 1;
    }
    content
        .get(..end)
        .map_or(0, |prefix| prefix.chars().count())
        + usize::from(inside_character)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_column_counts_characters() {
        assert_eq!(char_column("ñx", 3), 2);
        assert_eq!(char_column("ñx", 1), 1);
        assert_eq!(char_column("ab", 0), 0);
        assert_eq!(char_column("ab", 99), 2);
    }
}
