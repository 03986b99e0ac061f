//! Keyboard layouts (Spanish and US QWERTY) and which letter keys touch each other, for typos.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::AugmentError;
use super::language::Language;

/// A keyboard layout whose neighbouring keys make the typos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Keyboard {
    /// The Spanish (Spain) ISO layout, with `ñ` right of `l`.
    #[serde(rename = "es")]
    Spanish,
    /// The US QWERTY layout.
    #[serde(rename = "us")]
    UsQwerty,
}

/// The three letter rows of a layout and how far each is shifted right, in key widths.
struct Rows {
    rows: [(&'static str, f32); 3],
}

const SPANISH_ROWS: Rows = Rows {
    rows: [("qwertyuiop", 0.0), ("asdfghjklñ", 0.25), ("zxcvbnm", 0.75)],
};

const US_ROWS: Rows = Rows {
    rows: [("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75)],
};

impl Keyboard {
    /// The layout people who write `language` usually have: Spanish for Spanish, US for
    /// English.
    pub fn for_language(language: Language) -> Self {
        match language {
            Language::Spanish => Self::Spanish,
            Language::English => Self::UsQwerty,
        }
    }

    /// The short name: `es` or `us`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Spanish => "es",
            Self::UsQwerty => "us",
        }
    }

    /// The letters on keys next to `letter`'s key (same row, or the row above or below and
    /// overlapping it), in `letter`'s case; empty for a character not on the layout.
    pub(crate) fn neighbours(self, letter: char) -> Vec<char> {
        let is_upper = letter.is_uppercase();
        let Some(lower) = letter.to_lowercase().next() else {
            return Vec::new();
        };
        let rows = match self {
            Self::Spanish => &SPANISH_ROWS,
            Self::UsQwerty => &US_ROWS,
        };
        let Some((row_index, position)) =
            rows.rows
                .iter()
                .enumerate()
                .find_map(|(index, (keys, shift))| {
                    keys.chars()
                        .position(|key| key == lower)
                        .map(|column| (index, column as f32 + shift))
                })
        else {
            return Vec::new();
        };
        let mut neighbours = Vec::new();
        for (index, (keys, shift)) in rows.rows.iter().enumerate() {
            if index.abs_diff(row_index) > 1 {
                continue;
            }
            for (column, key) in keys.chars().enumerate() {
                let distance = (column as f32 + shift - position).abs();
                let touches = if index == row_index {
                    (distance - 1.0).abs() < 0.01
                } else {
                    distance <= 0.76
                };
                if touches {
                    neighbours.push(key);
                }
            }
        }
        if is_upper {
            neighbours
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect()
        } else {
            neighbours
        }
    }
}

impl fmt::Display for Keyboard {
    /// `es` or `us`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

impl FromStr for Keyboard {
    type Err = AugmentError;

    /// `es`/`spanish` or `us`/`en`/`qwerty`, ignoring case.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_lowercase().as_str() {
            "es" | "spanish" | "español" => Ok(Self::Spanish),
            "us" | "en" | "qwerty" | "us-qwerty" => Ok(Self::UsQwerty),
            _ => Err(AugmentError::UnknownKeyboard {
                name: value.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut keys: Vec<char>) -> String {
        keys.sort_unstable();
        keys.into_iter().collect()
    }

    #[test]
    fn neighbours_follow_the_layout() {
        assert_eq!(sorted(Keyboard::UsQwerty.neighbours('a')), "qswz");
        assert_eq!(sorted(Keyboard::UsQwerty.neighbours('s')), "adewxz");
        assert_eq!(sorted(Keyboard::UsQwerty.neighbours('l')), "kop");
        assert_eq!(sorted(Keyboard::Spanish.neighbours('l')), "kopñ");
        assert_eq!(sorted(Keyboard::Spanish.neighbours('ñ')), "lp");
        assert_eq!(sorted(Keyboard::Spanish.neighbours('Ñ')), "LP");
        assert!(Keyboard::UsQwerty.neighbours('ñ').is_empty());
        assert!(Keyboard::Spanish.neighbours('é').is_empty());
        assert_eq!(sorted(Keyboard::Spanish.neighbours('m')), "jkn");
    }

    #[test]
    fn layout_follows_language_and_names_parse() {
        assert_eq!(Keyboard::for_language(Language::Spanish), Keyboard::Spanish);
        assert_eq!(
            Keyboard::for_language(Language::English),
            Keyboard::UsQwerty
        );
        assert_eq!("us".parse::<Keyboard>().unwrap(), Keyboard::UsQwerty);
        assert_eq!("ES".parse::<Keyboard>().unwrap(), Keyboard::Spanish);
        assert!("dvorak".parse::<Keyboard>().is_err());
    }
}
