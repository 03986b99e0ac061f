//! The two languages augmentation knows (Spanish and English) and a stopword guess between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::AugmentError;

/// The language of a text, which picks the synonyms, greetings and keyboard layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// Spanish (`es`).
    #[serde(rename = "es")]
    Spanish,
    /// English (`en`).
    #[serde(rename = "en")]
    English,
}

/// Very common Spanish words that are not English words.
const SPANISH_STOPWORDS: &[&str] = &[
    "de", "la", "que", "el", "en", "y", "los", "del", "se", "las", "por", "un", "para", "con",
    "una", "su", "al", "es", "lo", "como", "más", "pero", "sus", "le", "ya", "este", "sí",
    "porque", "esta", "muy", "también", "yo", "está", "hay", "me", "mi", "te", "qué", "fue", "son",
    "estoy", "tengo", "nada", "bien", "todo", "hola", "gracias",
];

/// Very common English words that are not Spanish words.
const ENGLISH_STOPWORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are",
    "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "had", "by", "but",
    "not", "what", "all", "were", "we", "my", "very", "i", "she", "it's", "i'm", "don't", "just",
    "so", "good", "great", "hello", "thanks", "really",
];

impl Language {
    /// Both languages, Spanish first.
    pub const ALL: [Language; 2] = [Language::Spanish, Language::English];

    /// The ISO 639-1 code: `es` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Spanish => "es",
            Self::English => "en",
        }
    }

    /// A guess from the most common words: the language whose stopwords `text` holds more
    /// of; Spanish when it is a tie (including a text with none).
    pub fn detect(text: &str) -> Self {
        let lowered = text.to_lowercase();
        let mut spanish = 0usize;
        let mut english = 0usize;
        for word in
            lowered.split(|character: char| !(character.is_alphanumeric() || character == '\''))
        {
            if SPANISH_STOPWORDS.contains(&word) {
                spanish += 1;
            }
            if ENGLISH_STOPWORDS.contains(&word) {
                english += 1;
            }
        }
        if english > spanish {
            Self::English
        } else {
            Self::Spanish
        }
    }
}

impl fmt::Display for Language {
    /// `es` or `en`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = AugmentError;

    /// `es`/`spanish`/`español` or `en`/`english`/`inglés`, ignoring case.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_lowercase().as_str() {
            "es" | "spanish" | "español" | "espanol" => Ok(Self::Spanish),
            "en" | "english" | "inglés" | "ingles" => Ok(Self::English),
            _ => Err(AugmentError::UnknownLanguage {
                name: value.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_stopwords() {
        assert_eq!(
            Language::detect("La comida estaba muy rica"),
            Language::Spanish
        );
        assert_eq!(
            Language::detect("The food was really good"),
            Language::English
        );
        assert_eq!(Language::detect("ok"), Language::Spanish);
        assert_eq!(
            Language::detect("I don't like it at all"),
            Language::English
        );
    }

    #[test]
    fn names_round_trip() {
        for language in Language::ALL {
            assert_eq!(language.to_string().parse::<Language>().unwrap(), language);
            let json = serde_json::to_string(&language).unwrap();
            assert_eq!(json, format!("\"{}\"", language.code()));
        }
        assert_eq!("English".parse::<Language>().unwrap(), Language::English);
        assert!("fr".parse::<Language>().is_err());
    }
}
