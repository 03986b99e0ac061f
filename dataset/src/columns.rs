//! Recognising which column (or JSON key) holds the text and which holds the label.

use crate::file_error::FileError;

/// Names of a text column, most specific first, compared after [`normalize`].
const TEXT_NAMES: [&str; 10] = [
    "text",
    "texto",
    "sentence",
    "frase",
    "review",
    "comentario",
    "mensaje",
    "message",
    "input",
    "prompt",
];

/// Names of a label column, most specific first, compared after [`normalize`].
const LABEL_NAMES: [&str; 12] = [
    "label",
    "etiqueta",
    "labels",
    "target",
    "sentiment",
    "sentimiento",
    "clase",
    "class",
    "category",
    "categoria",
    "categoría",
    "output",
];

/// Where the text and the label are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Columns {
    pub(crate) text: usize,
    pub(crate) label: usize,
    /// The names were not recognised and the columns were taken by position.
    pub(crate) guessed: bool,
}

/// Finds the text and label columns in `header`.
///
/// With exactly two columns, an unrecognised column is taken to be whichever role is missing.
pub(crate) fn choose(file: &str, header: &[String]) -> Result<Columns, FileError> {
    let text = find(header, &TEXT_NAMES);
    let label = find(header, &LABEL_NAMES);
    match (text, label, header.len()) {
        (Some(text), Some(label), _) => Ok(Columns {
            text,
            label,
            guessed: false,
        }),
        (Some(text), None, 2) => Ok(Columns {
            text,
            label: 1 - text,
            guessed: true,
        }),
        (None, Some(label), 2) => Ok(Columns {
            text: 1 - label,
            label,
            guessed: true,
        }),
        (None, None, 2) => Ok(Columns {
            text: 0,
            label: 1,
            guessed: true,
        }),
        (None, _, _) => Err(FileError::NoTextColumn {
            file: file.to_owned(),
            header: header.to_vec(),
        }),
        (Some(_), None, _) => Err(FileError::NoLabelColumn {
            file: file.to_owned(),
            header: header.to_vec(),
        }),
    }
}

/// Whether `name` is one of the known text or label names.
pub(crate) fn is_known(name: &str) -> bool {
    let name = normalize(name);
    TEXT_NAMES.contains(&name.as_str()) || LABEL_NAMES.contains(&name.as_str())
}

/// The column whose name matches the earliest entry of `names`.
fn find(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| header.iter().position(|column| normalize(column) == *name))
}

/// Lowercase without whitespace (and without a stray BOM), so ` Texto ` matches `texto`.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|character| !character.is_whitespace() && *character != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn pick(names: &[&str]) -> Result<Columns, FileError> {
        choose("f.csv", &header(names))
    }

    #[test]
    fn recognises_names_ignoring_case_and_spaces() {
        let columns = pick(&["id", " Texto ", "ETIQUETA"]).unwrap();
        assert_eq!(
            (columns.text, columns.label, columns.guessed),
            (1, 2, false)
        );
        let columns = pick(&["Categoría", "Comentario"]).unwrap();
        assert_eq!(
            (columns.text, columns.label, columns.guessed),
            (1, 0, false)
        );
        let columns = pick(&["Review", "Sentiment", "extra"]).unwrap();
        assert_eq!((columns.text, columns.label), (0, 1));
    }

    #[test]
    fn prefers_the_most_specific_name() {
        let columns = pick(&["prompt", "text", "label"]).unwrap();
        assert_eq!(columns.text, 1);
    }

    #[test]
    fn guesses_two_unknown_columns() {
        let columns = pick(&["a", "b"]).unwrap();
        assert_eq!((columns.text, columns.label, columns.guessed), (0, 1, true));
        let columns = pick(&["tipo", "frase"]).unwrap();
        assert_eq!((columns.text, columns.label, columns.guessed), (1, 0, true));
    }

    #[test]
    fn reports_missing_columns_with_the_header() {
        match pick(&["a", "b", "c"]) {
            Err(FileError::NoTextColumn { header, .. }) => assert_eq!(header.len(), 3),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            pick(&["text", "b", "c"]),
            Err(FileError::NoLabelColumn { .. })
        ));
        assert!(matches!(
            pick(&["text"]),
            Err(FileError::NoLabelColumn { .. })
        ));
    }

    #[test]
    fn knows_names() {
        assert!(is_known(" Etiqueta"));
        assert!(!is_known("messages"));
    }
}
