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
    /// The file is a JSON array (`[ … ]`) instead of JSON Lines.
    JsonArray {
        /// File name as given.
        file: String,
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
            | Self::NoTextColumn { file, .. }
            | Self::NoLabelColumn { file, .. }
            | Self::NoRows { file, .. } => file,
        }
    }

    /// A stable snake_case code for the error, like the codes of [`crate::Finding`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty_file",
            Self::NotText { .. } => "not_text",
            Self::JsonArray { .. } => "json_array",
            Self::NoTextColumn { .. } => "no_text_column",
            Self::NoLabelColumn { .. } => "no_label_column",
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
                    "The file \"{file}\" is a JSON list ([ … ]). Convert it to JSONL: one JSON object per line, \
                     without the [ ] around them and without commas between lines, for example:\n\
                     {{\"text\": \"I love it\", \"label\": \"positive\"}}"
                ),
                format!(
                    "El archivo \"{file}\" es una lista JSON ([ … ]). Conviértelo a JSONL: un objeto JSON por línea, \
                     sin los [ ] alrededor y sin comas entre líneas, por ejemplo:\n\
                     {{\"text\": \"Me encanta\", \"label\": \"positivo\"}}"
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
}
