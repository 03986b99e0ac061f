//! Recognising which column (or JSON key) holds the text and which holds the label, or the
//! prompt and the completion, by name or as the caller says.

use crate::read::file_error::FileError;
use crate::read::parse_options::ParseOptions;

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

/// Text and label names that also name a prompt or a completion, so they make a text/label
/// pair only when no prompt/completion pair is found.
const SHARED_NAMES: [&str; 3] = ["input", "prompt", "output"];

/// Names of a prompt column, most specific first.
const PROMPT_NAMES: [&str; 5] = ["prompt", "input", "user", "question", "pregunta"];

/// Names of a completion column, most specific first.
const COMPLETION_NAMES: [&str; 6] = [
    "completion",
    "output",
    "response",
    "respuesta",
    "answer",
    "assistant",
];

/// What a pair of columns holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PairKind {
    /// A text to classify and its label.
    TextLabel,
    /// A prompt and the completion a model should write for it.
    PromptCompletion,
}

/// Where the text and the label (or the prompt and the completion) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Columns {
    /// The text column, or the prompt column.
    pub(crate) text: usize,
    /// The label column, or the completion column.
    pub(crate) label: usize,
    /// The names were not recognised and the columns were taken by position.
    pub(crate) guessed: bool,
    /// What the two columns hold.
    pub(crate) kind: PairKind,
}

/// Finds the two columns in `header`, as `options` names them or else by their names.
///
/// A prompt/completion pair (`prompt`/`completion`, `input`/`output`, `question`/`answer`…) is
/// taken when there is no column with a label name other than `output`; otherwise the text and
/// label columns are. With exactly two columns, an unrecognised column is taken to be
/// whichever role is missing.
pub(crate) fn choose(
    file: &str,
    header: &[String],
    options: &ParseOptions,
) -> Result<Columns, FileError> {
    if options.names_columns() {
        return chosen_by_caller(file, header, options);
    }
    let strong_label = header.iter().any(|column| {
        let name = normalize(column);
        LABEL_NAMES.contains(&name.as_str()) && !SHARED_NAMES.contains(&name.as_str())
    });
    if !strong_label
        && let (Some(prompt), Some(completion)) =
            (find(header, &PROMPT_NAMES), find(header, &COMPLETION_NAMES))
    {
        return Ok(Columns {
            text: prompt,
            label: completion,
            guessed: false,
            kind: PairKind::PromptCompletion,
        });
    }
    let text = find(header, &TEXT_NAMES);
    let label = find(header, &LABEL_NAMES);
    let columns = |text, label, guessed| Columns {
        text,
        label,
        guessed,
        kind: PairKind::TextLabel,
    };
    match (text, label, header.len()) {
        (Some(text), Some(label), _) => Ok(columns(text, label, false)),
        (Some(text), None, 2) => Ok(columns(text, 1 - text, true)),
        (None, Some(label), 2) => Ok(columns(1 - label, label, true)),
        (None, None, 2) => Ok(columns(0, 1, true)),
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

/// The text/label columns when the caller named one or both of them: a named column must
/// exist; a column not named is recognised by name among the others, or is the other column
/// of a two-column header.
fn chosen_by_caller(
    file: &str,
    header: &[String],
    options: &ParseOptions,
) -> Result<Columns, FileError> {
    let locate = |name: &Option<String>| -> Result<Option<usize>, FileError> {
        let Some(name) = name else { return Ok(None) };
        let wanted = normalize(name);
        header
            .iter()
            .position(|column| normalize(column) == wanted)
            .map(Some)
            .ok_or_else(|| FileError::UnknownColumn {
                file: file.to_owned(),
                column: name.clone(),
                header: header.to_vec(),
            })
    };
    let named_text = locate(&options.text_column)?;
    let named_label = locate(&options.label_column)?;
    let other = |taken: usize, names: &[&str]| {
        find_except(header, names, taken).or_else(|| match header.len() {
            2 => Some(1 - taken),
            _ => None,
        })
    };
    let (text, label) = match (named_text, named_label) {
        (Some(text), Some(label)) => (text, label),
        (Some(text), None) => {
            let label = other(text, &LABEL_NAMES).ok_or_else(|| FileError::NoLabelColumn {
                file: file.to_owned(),
                header: header.to_vec(),
            })?;
            (text, label)
        }
        (None, Some(label)) => {
            let text = other(label, &TEXT_NAMES).ok_or_else(|| FileError::NoTextColumn {
                file: file.to_owned(),
                header: header.to_vec(),
            })?;
            (text, label)
        }
        (None, None) => {
            return Err(FileError::NoTextColumn {
                file: file.to_owned(),
                header: header.to_vec(),
            });
        }
    };
    if text == label {
        return Err(FileError::SameColumn {
            file: file.to_owned(),
            column: header.get(text).cloned().unwrap_or_default(),
        });
    }
    Ok(Columns {
        text,
        label,
        guessed: false,
        kind: PairKind::TextLabel,
    })
}

/// Whether `name` is one of the known text, label, prompt or completion names.
pub(crate) fn is_known(name: &str) -> bool {
    let name = normalize(name);
    let lists: [&[&str]; 4] = [&TEXT_NAMES, &LABEL_NAMES, &PROMPT_NAMES, &COMPLETION_NAMES];
    lists.iter().any(|names| names.contains(&name.as_str()))
}

/// The column whose name matches the earliest entry of `names`.
fn find(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| header.iter().position(|column| normalize(column) == *name))
}

/// Like [`find`], skipping the column at `except`.
fn find_except(header: &[String], names: &[&str], except: usize) -> Option<usize> {
    names.iter().find_map(|name| {
        header
            .iter()
            .enumerate()
            .position(|(index, column)| index != except && normalize(column) == *name)
    })
}

/// Lowercase without whitespace (and without a stray BOM), so ` Texto ` matches `texto`.
pub(crate) fn normalize(name: &str) -> String {
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
        choose("f.csv", &header(names), &ParseOptions::default())
    }

    fn pick_named(
        names: &[&str],
        text: Option<&str>,
        label: Option<&str>,
    ) -> Result<Columns, FileError> {
        let options = ParseOptions {
            text_column: text.map(str::to_owned),
            label_column: label.map(str::to_owned),
            ..ParseOptions::default()
        };
        choose("f.csv", &header(names), &options)
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
        assert_eq!(columns.kind, PairKind::TextLabel);
    }

    #[test]
    fn prefers_the_most_specific_name() {
        let columns = pick(&["prompt", "text", "label"]).unwrap();
        assert_eq!(columns.text, 1);
        assert_eq!(columns.kind, PairKind::TextLabel);
    }

    #[test]
    fn prompt_and_completion_pairs() {
        for names in [
            ["prompt", "completion"],
            ["Input", "Output"],
            ["user", "assistant"],
            ["pregunta", "respuesta"],
        ] {
            let columns = pick(&names).unwrap();
            assert_eq!(columns.kind, PairKind::PromptCompletion, "{names:?}");
            assert_eq!(
                (columns.text, columns.label, columns.guessed),
                (0, 1, false)
            );
        }
        let columns = pick(&["id", "completion", "prompt"]).unwrap();
        assert_eq!((columns.text, columns.label), (2, 1));
        // A label column makes it a text/label file, as before.
        let columns = pick(&["input", "output", "label"]).unwrap();
        assert_eq!(columns.kind, PairKind::TextLabel);
        assert_eq!((columns.text, columns.label), (0, 2));
        let columns = pick(&["prompt", "label"]).unwrap();
        assert_eq!(columns.kind, PairKind::TextLabel);
        let columns = pick(&["text", "output"]).unwrap();
        assert_eq!(
            (columns.text, columns.label, columns.kind),
            (0, 1, PairKind::TextLabel)
        );
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
    fn caller_named_columns() {
        let names = ["id", "Cuerpo", "Tipo", "label"];
        let columns = pick_named(&names, Some(" cuerpo"), Some("TIPO")).unwrap();
        assert_eq!(
            (columns.text, columns.label, columns.guessed),
            (1, 2, false)
        );
        // The other column is recognised by name…
        let columns = pick_named(&names, Some("cuerpo"), None).unwrap();
        assert_eq!((columns.text, columns.label), (1, 3));
        // … or is the other one of two, even for a prompt/completion header.
        let columns = pick_named(&["prompt", "completion"], None, Some("prompt")).unwrap();
        assert_eq!(
            (columns.text, columns.label, columns.kind),
            (1, 0, PairKind::TextLabel)
        );
        let columns = pick_named(&["label", "x"], Some("label"), None).unwrap();
        assert_eq!((columns.text, columns.label), (0, 1));
        assert!(matches!(
            pick_named(&names, Some("id"), Some("ID")),
            Err(FileError::SameColumn { .. })
        ));
        assert!(matches!(
            pick_named(&["id", "cuerpo", "tipo"], Some("cuerpo"), None),
            Err(FileError::NoLabelColumn { .. })
        ));
        match pick_named(&names, Some("body"), None) {
            Err(FileError::UnknownColumn { column, header, .. }) => {
                assert_eq!(column, "body");
                assert_eq!(header.len(), 4);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn knows_names() {
        assert!(is_known(" Etiqueta"));
        assert!(is_known("completion"));
        assert!(!is_known("messages"));
    }
}
