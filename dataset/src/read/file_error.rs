//! Whole-file failures: problems that stop a file from being read at all.

use std::fmt;

use crate::finding::Message;
use crate::read::container::DocumentKind;

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
    /// The file is a JSON array (`[ … ]`) instead of JSON Lines; `change::convert::json_to_jsonl`
    /// (or [`crate::ParseOptions::convert_json`]) can read it.
    JsonArray {
        /// File name as given.
        file: String,
    },
    /// Most lines are not JSON on their own, but the whole file is JSON objects written over
    /// several lines each (pretty-printed); `change::convert::json_to_jsonl` (or
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
    /// A binary document that is not a dataset: a Word file, a ZIP archive, an old `.xls`
    /// workbook, …
    OtherDocument {
        /// File name as given.
        file: String,
        /// What the file is.
        kind: DocumentKind,
    },
    /// An Excel workbook that could not be read: damaged, cut short or not really a workbook.
    CorruptXlsx {
        /// File name as given.
        file: String,
        /// What the workbook reader said, for logs (not shown to users).
        detail: String,
    },
    /// The workbook has no sheet with the chosen name.
    UnknownSheet {
        /// File name as given.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        sheets: Vec<String>,
    },
    /// The chosen sheet of the workbook has no cells with content.
    EmptySheet {
        /// File name as given.
        file: String,
        /// The sheet that was read.
        sheet: String,
        /// The sheets the workbook has.
        sheets: Vec<String>,
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
            | Self::NoRows { file, .. }
            | Self::OtherDocument { file, .. }
            | Self::CorruptXlsx { file, .. }
            | Self::UnknownSheet { file, .. }
            | Self::EmptySheet { file, .. } => file,
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
            Self::OtherDocument { .. } => "other_document",
            Self::CorruptXlsx { .. } => "corrupt_xlsx",
            Self::UnknownSheet { .. } => "unknown_sheet",
            Self::EmptySheet { .. } => "empty_sheet",
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
            Self::OtherDocument { file, kind } => other_document(file, *kind),
            Self::CorruptXlsx { file, .. } => Message::new(
                format!(
                    "The file \"{file}\" looks like an Excel workbook (.xlsx) but it is damaged or incomplete, so it could not be read. \
                     Open it in Excel and save it again as \"Excel Workbook (.xlsx)\" or as \"CSV UTF-8\", then load the new file."
                ),
                format!(
                    "El archivo \"{file}\" parece un libro de Excel (.xlsx) pero está dañado o incompleto, así que no se ha podido leer. \
                     Ábrelo en Excel y vuelve a guardarlo como \"Libro de Excel (.xlsx)\" o como \"CSV UTF-8\"; después carga el archivo nuevo."
                ),
            ),
            Self::UnknownSheet {
                file,
                sheet,
                sheets,
            } => {
                let found = quoted_list(sheets);
                Message::new(
                    format!(
                        "The workbook \"{file}\" has no sheet called \"{sheet}\". Its sheets are: {found}. Choose one of them."
                    ),
                    format!(
                        "El libro \"{file}\" no tiene ninguna hoja llamada \"{sheet}\". Sus hojas son: {found}. Elige una de ellas."
                    ),
                )
            }
            Self::EmptySheet {
                file,
                sheet,
                sheets,
            } => {
                let found = quoted_list(sheets);
                Message::new(
                    format!(
                        "The sheet \"{sheet}\" of \"{file}\" is empty. Choose the sheet that has the examples (the workbook has: {found}), \
                         or write column names such as text and label in its first row and one example per row below them."
                    ),
                    format!(
                        "La hoja \"{sheet}\" de \"{file}\" está vacía. Elige la hoja que tiene los ejemplos (el libro tiene: {found}), \
                         o escribe nombres de columna como texto y etiqueta en su primera fila y un ejemplo por fila debajo."
                    ),
                )
            }
        }
    }
}

/// The message for a binary document that is not a dataset: what it is and how to save it.
fn other_document(file: &str, kind: DocumentKind) -> Message {
    const SAVE_EN: &str = "Put the examples in a spreadsheet with a column for the text and one for the label, \
         save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\", and load that file.";
    const SAVE_ES: &str = "Pon los ejemplos en una hoja de cálculo con una columna para el texto y otra para la etiqueta, \
         guárdala como \"Libro de Excel (.xlsx)\" o \"CSV UTF-8\" y carga ese archivo.";
    match kind {
        DocumentKind::OldExcel => Message::new(
            format!(
                "The file \"{file}\" is an old Excel file (.xls) or an Office file protected with a password, which cannot be read here. \
                 Open it in Excel (remove the password if it has one), use \"Save as\" → \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\", \
                 and load the new file."
            ),
            format!(
                "El archivo \"{file}\" es un archivo antiguo de Excel (.xls) o un archivo de Office protegido con contraseña, que no se puede leer aquí. \
                 Ábrelo en Excel (quita la contraseña si la tiene), usa \"Guardar como\" → \"Libro de Excel (.xlsx)\" o \"CSV UTF-8\" \
                 y carga el archivo nuevo."
            ),
        ),
        DocumentKind::ExcelBinary => Message::new(
            format!(
                "The file \"{file}\" is an Excel binary workbook (.xlsb), which cannot be read here. Open it in Excel, \
                 use \"Save as\" → \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\", and load the new file."
            ),
            format!(
                "El archivo \"{file}\" es un libro binario de Excel (.xlsb), que no se puede leer aquí. Ábrelo en Excel, \
                 usa \"Guardar como\" → \"Libro de Excel (.xlsx)\" o \"CSV UTF-8\" y carga el archivo nuevo."
            ),
        ),
        DocumentKind::Word => Message::new(
            format!("The file \"{file}\" is a Word document, not a table of examples. {SAVE_EN}"),
            format!(
                "El archivo \"{file}\" es un documento de Word, no una tabla de ejemplos. {SAVE_ES}"
            ),
        ),
        DocumentKind::PowerPoint => Message::new(
            format!(
                "The file \"{file}\" is a PowerPoint presentation, not a table of examples. {SAVE_EN}"
            ),
            format!(
                "El archivo \"{file}\" es una presentación de PowerPoint, no una tabla de ejemplos. {SAVE_ES}"
            ),
        ),
        DocumentKind::OpenDocument => Message::new(
            format!(
                "The file \"{file}\" is an OpenDocument file (LibreOffice), which cannot be read here. In LibreOffice use \
                 \"File\" → \"Save as\" with the type \"Excel 2007-365 (.xlsx)\" or \"Text CSV\" (UTF-8), and load the new file."
            ),
            format!(
                "El archivo \"{file}\" es un archivo OpenDocument (LibreOffice), que no se puede leer aquí. En LibreOffice usa \
                 \"Archivo\" → \"Guardar como\" con el tipo \"Excel 2007-365 (.xlsx)\" o \"Texto CSV\" (UTF-8) y carga el archivo nuevo."
            ),
        ),
        DocumentKind::Zip => Message::new(
            format!(
                "The file \"{file}\" is a ZIP archive, not a dataset. Extract it and load the .csv, .jsonl or .xlsx file inside."
            ),
            format!(
                "El archivo \"{file}\" es un archivo ZIP, no un conjunto de datos. Descomprímelo y carga el archivo .csv, .jsonl o .xlsx que contiene."
            ),
        ),
    }
}

/// Names in double quotes, separated by commas.
fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
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
    fn every_document_kind_says_what_to_save_as() {
        let kinds = [
            DocumentKind::OldExcel,
            DocumentKind::ExcelBinary,
            DocumentKind::Word,
            DocumentKind::PowerPoint,
            DocumentKind::OpenDocument,
            DocumentKind::Zip,
        ];
        for kind in kinds {
            let error = FileError::OtherDocument {
                file: "x.bin".into(),
                kind,
            };
            let message = error.message();
            assert!(message.en.contains("x.bin") && message.es.contains("x.bin"));
            assert!(message.en.contains(".xlsx") || message.en.contains(".csv"));
            assert!(message.es.contains(".xlsx") || message.es.contains(".csv"));
            assert_eq!(error.code(), "other_document");
        }
    }

    #[test]
    fn sheet_errors_list_the_sheets() {
        let error = FileError::UnknownSheet {
            file: "libro.xlsx".into(),
            sheet: "Datos".into(),
            sheets: vec!["Hoja1".into(), "Hoja2".into()],
        };
        assert!(error.to_string().contains("\"Hoja1\", \"Hoja2\""));
        assert!(
            error
                .message()
                .es
                .contains("ninguna hoja llamada \"Datos\"")
        );
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
