//! Why augmentation could not start: bad options, bad synonym pairs or bad source rows.

use crate::change::convert::ConvertError;
use crate::finding::Message;

/// What is wrong with an augmentation request.
#[derive(Debug, thiserror::Error)]
pub enum AugmentError {
    /// A source index is past the end of the dataset's rows.
    SourceOutOfRange {
        /// The index given.
        index: usize,
        /// How many rows the dataset has.
        rows: usize,
    },
    /// A row is in both parts of the split: it may not be a source, since its variants would
    /// leak into validation.
    SourceInValidation {
        /// The row's index in the dataset.
        index: usize,
        /// The row's 1-based line in the file.
        line: usize,
    },
    /// A rate is not a number from 0 to 1.
    InvalidRate {
        /// The operation's name.
        operation: String,
        /// The rate given.
        rate: f32,
    },
    /// An operation name that is not one of `synonym`, `insert`, `swap`, `delete`, `typo`,
    /// `accent`, `case`, `punctuation`, `repeat`, `greeting`.
    UnknownOperation {
        /// The name given.
        name: String,
    },
    /// A language name other than `es` or `en`.
    UnknownLanguage {
        /// The name given.
        name: String,
    },
    /// A keyboard name other than `es` or `us`.
    UnknownKeyboard {
        /// The name given.
        name: String,
    },
    /// A synonym line that is not `word: alternative, alternative`.
    SynonymFormat {
        /// 1-based line in the synonym file, when the pair came from one.
        line: Option<usize>,
        /// The line as written.
        text: String,
    },
    /// A synonym pair with a negator on either side, which would add or remove a negation.
    NegatorSynonym {
        /// 1-based line in the synonym file, when the pair came from one.
        line: Option<usize>,
        /// The word or phrase that is (or holds) a negator.
        word: String,
    },
    /// The augmented file could not be written.
    Write(#[from] ConvertError),
}

impl AugmentError {
    /// A stable snake_case code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SourceOutOfRange { .. } => "source_out_of_range",
            Self::SourceInValidation { .. } => "source_in_validation",
            Self::InvalidRate { .. } => "invalid_rate",
            Self::UnknownOperation { .. } => "unknown_operation",
            Self::UnknownLanguage { .. } => "unknown_language",
            Self::UnknownKeyboard { .. } => "unknown_keyboard",
            Self::SynonymFormat { .. } => "synonym_format",
            Self::NegatorSynonym { .. } => "negator_synonym",
            Self::Write(error) => error.code(),
        }
    }

    /// What is wrong and what to do, in English and Spanish.
    pub fn message(&self) -> Message {
        let at_line = |line: &Option<usize>| match line {
            Some(line) => (format!("Line {line}: "), format!("Línea {line}: ")),
            None => (String::new(), String::new()),
        };
        match self {
            Self::SourceOutOfRange { index, rows } => Message::new(
                format!(
                    "Source row {index} does not exist: the dataset has {rows} rows (counted from 0)."
                ),
                format!(
                    "La fila de origen {index} no existe: el conjunto tiene {rows} filas (contando desde 0)."
                ),
            ),
            Self::SourceInValidation { index, line } => Message::new(
                format!(
                    "Row {index} (line {line}) is both a training source and a validation row; its variants would leak into validation. Give each row to one part only."
                ),
                format!(
                    "La fila {index} (línea {line}) es a la vez origen de entrenamiento y fila de validación; sus variantes se filtrarían a la validación. Pon cada fila en una sola parte."
                ),
            ),
            Self::InvalidRate { operation, rate } => Message::new(
                format!("The rate of {operation} is {rate}; use a number from 0 (off) to 1."),
                format!("La tasa de {operation} es {rate}; usa un número de 0 (desactivada) a 1."),
            ),
            Self::UnknownOperation { name } => Message::new(
                format!(
                    "{name:?} is not an operation; use synonym, insert, swap, delete, typo, accent, case, punctuation, repeat or greeting."
                ),
                format!(
                    "{name:?} no es una operación; usa synonym, insert, swap, delete, typo, accent, case, punctuation, repeat o greeting."
                ),
            ),
            Self::UnknownLanguage { name } => Message::new(
                format!("{name:?} is not a language augmentation knows; use es or en."),
                format!("{name:?} no es un idioma que el aumento conozca; usa es o en."),
            ),
            Self::UnknownKeyboard { name } => Message::new(
                format!("{name:?} is not a keyboard layout; use es (Spanish) or us (US QWERTY)."),
                format!(
                    "{name:?} no es una distribución de teclado; usa es (español) o us (QWERTY de EE. UU.)."
                ),
            ),
            Self::SynonymFormat { line, text } => {
                let (en, es) = at_line(line);
                Message::new(
                    format!(
                        "{en}{text:?} is not a synonym pair. Write the word, a colon and its alternatives separated by commas, like `hola: buenos días, saludos`."
                    ),
                    format!(
                        "{es}{text:?} no es un par de sinónimos. Escribe la palabra, dos puntos y sus alternativas separadas por comas, como `hola: buenos días, saludos`."
                    ),
                )
            }
            Self::NegatorSynonym { line, word } => {
                let (en, es) = at_line(line);
                Message::new(
                    format!(
                        "{en}{word:?} is or holds a negator (no, nunca, not, n't …). Synonyms may not add or remove a negation, since that can flip a label; remove this pair."
                    ),
                    format!(
                        "{es}{word:?} es o contiene una negación (no, nunca, not, n't …). Los sinónimos no pueden añadir ni quitar una negación, porque eso puede cambiar la etiqueta; quita este par."
                    ),
                )
            }
            Self::Write(error) => error.message(),
        }
    }
}

impl std::fmt::Display for AugmentError {
    /// The English message.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message().en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place_in_both_languages() {
        let error = AugmentError::SynonymFormat {
            line: Some(4),
            text: "hola".into(),
        };
        assert_eq!(error.code(), "synonym_format");
        assert!(error.to_string().starts_with("Line 4: "));
        assert!(error.message().es.starts_with("Línea 4: "));
        let error = AugmentError::SourceInValidation { index: 2, line: 4 };
        assert!(error.message().en.contains("line 4"));
        let error = AugmentError::from(ConvertError::NoRows);
        assert_eq!(error.code(), "no_rows");
    }
}
