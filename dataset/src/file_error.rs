//! Whole-file failures: problems that stop a file from being read at all.

use std::fmt;

use crate::finding::Message;

/// A problem with a whole file, so that no rows could be read from it.
///
/// Problems with single rows are [`crate::Finding`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file has no content, or only blank space.
    Empty {
        /// File name as given.
        file: String,
    },
    /// The file holds binary data (NUL bytes or mostly control characters).
    NotText {
        /// File name as given.
        file: String,
    },
    /// The file is a JSON array (`[ … ]`) instead of JSON Lines; [`crate::convert::json_to_jsonl`]
    /// (or [`crate::ParseOptions::convert_json`]) can read it.
    JsonArray {
        /// File name as given.
        file: String,
    },
    /// Most lines are not JSON on their own, but the whole file is JSON objects written over
    /// several lines each (pretty-printed); [`crate::convert::json_to_jsonl`] (or
    /// [`crate::ParseOptions::convert_json`]) can read it.
    MultiLineJson {
        /// File name as given.
        file: String,
        /// How many objects the file holds.
        objects: usize,
    },
    /// The file was read as one JSON document (with [`crate::ParseOptions::convert_json`]) but
    /// it is not valid JSON.
    InvalidJsonDocument {
        /// File name as given.
        file: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based character column of the problem.
        column: usize,
        /// What is wrong there, in plain words.
        problem: Message,
    },
    /// No column (or JSON key) could be recognised as the text.
    NoTextColumn {
        /// File name as given.
        file: String,
        /// The column names (or JSON keys) found.
        header: Vec<String>,
    },
    /// No column (or JSON key) could be recognised as the label.
    NoLabelColumn {
        /// File name as given.
        file: String,
        /// The column names (or JSON keys) found.
        header: Vec<String>,
    },
    /// [`crate::ParseOptions`] names a column (or JSON key) the file does not have.
    UnknownColumn {
        /// File name as given.
        file: String,
        /// The name asked for.
        column: String,
        /// The column names (or JSON keys) found.
        header: Vec<String>,
    },
    /// [`crate::ParseOptions`] names the same column for the text and the label.
    SameColumn {
        /// File name as given.
        file: String,
        /// The column named twice, as written in the file.
        column: String,
    },
    /// The file has a header row but no data rows.
    NoRows {
        /// File name as given.
        file: String,
        /// The column names found.
        header: Vec<String>,
    },
}

impl FileError {
    /// The name of the file the error is about.
    pub fn file(&self) -> &str {
        match self {
            Self::Empty { file }
            | Self::NotText { file }
            | Self::JsonArray { file }
            | Self::MultiLineJson { file, .. }
            | Self::InvalidJsonDocument { file, .. }
            | Self::NoTextColumn { file, .. }
            | Self::NoLabelColumn { file, .. }
            | Self::UnknownColumn { file, .. }
            | Self::SameColumn { file, .. }
            | Self::NoRows { file, .. } => file,
        }
    }

    /// A stable snake_case code for the error, like the codes of [`crate::Finding`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty_file",
            Self::NotText { .. } => "not_text",
            Self::JsonArray { .. } => "json_array",
            Self::MultiLineJson { .. } => "multi_line_json",
            Self::InvalidJsonDocument { .. } => "invalid_json_document",
            Self::NoTextColumn { .. } => "no_text_column",
            Self::NoLabelColumn { .. } => "no_label_column",
            Self::UnknownColumn { .. } => "unknown_column",
            Self::SameColumn { .. } => "same_column",
            Self::NoRows { .. } => "no_rows",
        }
    }

    /// What is wrong and what to do, in English and Spanish.
    pub fn message(&self) -> Message {
        match self {
            Self::Empty { file } => Message::new(
                format!(
                    "The file \"{file}\" is empty. Choose a file with a header row and one example per line, \
                     for example:\ntext,label\nI love it,positive"
                ),
                format!(
                    "El archivo \"{file}\" está vacío. Elige un archivo con una fila de cabecera y un ejemplo por línea, \
                     por ejemplo:\ntexto,etiqueta\nMe encanta,positivo"
                ),
            ),
            Self::NotText { file } => Message::new(
                format!(
                    "The file \"{file}\" is not a text file (it contains binary data). If it is an Excel file, \
                     open it and use \"Save as\" → \"CSV UTF-8\"; if it was saved as UTF-16 without a mark, save it as UTF-8. \
                     Then load the new file."
                ),
                format!(
                    "El archivo \"{file}\" no es un archivo de texto (contiene datos binarios). Si es un archivo de Excel, \
                     ábrelo y usa \"Guardar como\" → \"CSV UTF-8\"; si se guardó como UTF-16 sin marca, guárdalo en UTF-8. \
                     Después carga el archivo nuevo."
                ),
            ),
            Self::JsonArray { file } => Message::new(
                format!(
                    "The file \"{file}\" is a JSON list ([ … ]), but Afina reads JSON Lines (JSONL): one JSON object per line, \
                     without the [ ] around them and without commas between lines. Afina can convert it for you; or do it yourself, \
                     writing each object on its own line, for example:\n\
                     {{\"text\": \"I love it\", \"label\": \"positive\"}}"
                ),
                format!(
                    "El archivo \"{file}\" es una lista JSON ([ … ]), pero Afina lee JSON Lines (JSONL): un objeto JSON por línea, \
                     sin los [ ] alrededor y sin comas entre líneas. Afina puede convertirlo por ti; o hazlo tú, \
                     escribiendo cada objeto en su propia línea, por ejemplo:\n\
                     {{\"text\": \"Me encanta\", \"label\": \"positivo\"}}"
                ),
            ),
            Self::MultiLineJson { file, objects } => Message::new(
                format!(
                    "The file \"{file}\" has {objects} JSON object(s) written over several lines each, but JSONL needs each \
                     object on a single line. Afina can convert it for you (one object per line); or do it yourself, \
                     for example:\n{{\"text\": \"I love it\", \"label\": \"positive\"}}"
                ),
                format!(
                    "El archivo \"{file}\" tiene {objects} objeto(s) JSON escritos en varias líneas cada uno, pero en JSONL cada \
                     objeto va en una sola línea. Afina puede convertirlo por ti (un objeto por línea); o hazlo tú, \
                     por ejemplo:\n{{\"text\": \"Me encanta\", \"label\": \"positivo\"}}"
                ),
            ),
            Self::InvalidJsonDocument {
                file,
                line,
                column,
                problem,
            } => Message::new(
                format!(
                    "The file \"{file}\" is not valid JSON at line {line}, column {column}: {}. Fix it there and load the file again.",
                    problem.en
                ),
                format!(
                    "El archivo \"{file}\" no es JSON válido en la línea {line}, columna {column}: {}. Corrígelo ahí y vuelve a cargar el archivo.",
                    problem.es
                ),
            ),
            Self::NoTextColumn { file, header } => {
                let found = header.join(", ");
                Message::new(
                    format!(
                        "The file \"{file}\" has no column for the text. Columns found: {found}. \
                         Rename the column that holds the examples to \"text\" (or \"texto\")."
                    ),
                    format!(
                        "El archivo \"{file}\" no tiene una columna para el texto. Columnas encontradas: {found}. \
                         Cambia el nombre de la columna con los ejemplos a \"texto\" (o \"text\")."
                    ),
                )
            }
            Self::NoLabelColumn { file, header } => {
                let found = header.join(", ");
                Message::new(
                    format!(
                        "The file \"{file}\" has no column for the label. Columns found: {found}. \
                         Rename the column that holds the classes to \"label\" (or \"etiqueta\"), or add one."
                    ),
                    format!(
                        "El archivo \"{file}\" no tiene una columna para la etiqueta. Columnas encontradas: {found}. \
                         Cambia el nombre de la columna con las clases a \"etiqueta\" (o \"label\"), o añade una."
                    ),
                )
            }
            Self::UnknownColumn {
                file,
                column,
                header,
            } => {
                let found = header.join(", ");
                Message::new(
                    format!(
                        "The file \"{file}\" has no column called \"{column}\". Columns found: {found}. Choose one of these."
                    ),
                    format!(
                        "El archivo \"{file}\" no tiene ninguna columna llamada \"{column}\". Columnas encontradas: {found}. Elige una de ellas."
                    ),
                )
            }
            Self::SameColumn { file, column } => Message::new(
                format!(
                    "The column \"{column}\" of \"{file}\" was chosen for both the text and the label. Choose two different columns."
                ),
                format!(
                    "La columna \"{column}\" de \"{file}\" se ha elegido a la vez para el texto y para la etiqueta. Elige dos columnas distintas."
                ),
            ),
            Self::NoRows { file, header } => {
                let found = header.join(", ");
                Message::new(
                    format!(
                        "The file \"{file}\" only has the header row ({found}) and no examples. \
                         Add one example per line below it."
                    ),
                    format!(
                        "El archivo \"{file}\" solo tiene la fila de cabecera ({found}) y ningún ejemplo. \
                         Añade un ejemplo por línea debajo de ella."
                    ),
                )
            }
        }
    }
}

impl fmt::Display for FileError {
    /// The English message.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message().en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_english_message_naming_the_file() {
        let error = FileError::NoLabelColumn {
            file: "datos.csv".into(),
            header: vec!["texto".into(), "otra".into()],
        };
        let shown = error.to_string();
        assert!(shown.contains("datos.csv"));
        assert!(shown.contains("texto, otra"));
        assert_eq!(shown, error.message().en);
        assert!(error.message().es.contains("etiqueta"));
        assert_eq!(error.file(), "datos.csv");
        assert_eq!(error.code(), "no_label_column");
    }

    #[test]
    fn json_errors_offer_the_conversion() {
        let array = FileError::JsonArray {
            file: "a.json".into(),
        };
        assert!(array.message().en.contains("Afina can convert it"));
        assert!(array.message().es.contains("Afina puede convertirlo"));
        let multi_line = FileError::MultiLineJson {
            file: "a.jsonl".into(),
            objects: 3,
        };
        assert_eq!(multi_line.code(), "multi_line_json");
        assert!(multi_line.to_string().contains("3 JSON object(s)"));
        assert!(multi_line.message().es.contains("Afina puede convertirlo"));
        let unknown = FileError::UnknownColumn {
            file: "a.csv".into(),
            column: "body".into(),
            header: vec!["text".into(), "label".into()],
        };
        assert!(unknown.to_string().contains("\"body\""));
        assert!(unknown.message().es.contains("text, label"));
    }
}
