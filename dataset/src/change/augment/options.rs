//! What augmentation may do: the operations, their rates, the goal and the other options.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::AugmentError;
use super::keyboard::Keyboard;
use super::language::Language;

/// One way of changing a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Replace words or phrases with synonyms from the lexicon or the user's pairs.
    Synonym,
    /// Insert a synonym of a word of the text at a random place (never right after a
    /// negator).
    Insert,
    /// Swap two words (never a negator or the word right after it).
    Swap,
    /// Delete words (never a negator or the word right after it).
    Delete,
    /// Replace a letter with a neighbouring key of the keyboard.
    Typo,
    /// Drop accents (`qué` → `que`); `ñ` stays unless [`AugmentOptions::drop_enye`].
    Accent,
    /// Change the case of words (`Me` → `me`, `bien` → `BIEN`).
    Case,
    /// Drop `¿` `¡` and sentence-ending punctuation.
    Punctuation,
    /// Repeat the last letter of a word (`buenísimo` → `buenísimooo`).
    Repeat,
    /// Vary the greeting or the sign-off of a chat user turn (chat datasets only).
    Greeting,
}

impl Operation {
    /// Every operation, in the order they are applied (but a greeting goes first).
    pub const ALL: [Operation; 10] = [
        Operation::Synonym,
        Operation::Insert,
        Operation::Swap,
        Operation::Delete,
        Operation::Typo,
        Operation::Accent,
        Operation::Case,
        Operation::Punctuation,
        Operation::Repeat,
        Operation::Greeting,
    ];

    /// The name used in files and on the command line: `synonym`, `insert`, `swap` …
    pub fn name(self) -> &'static str {
        match self {
            Self::Synonym => "synonym",
            Self::Insert => "insert",
            Self::Swap => "swap",
            Self::Delete => "delete",
            Self::Typo => "typo",
            Self::Accent => "accent",
            Self::Case => "case",
            Self::Punctuation => "punctuation",
            Self::Repeat => "repeat",
            Self::Greeting => "greeting",
        }
    }

    /// The rate [`AugmentOptions::default`] gives it: α = 0.1 for the word operations of
    /// EDA (synonym, insert, swap, delete) and for typo, case and repeat; 0.5 for accent;
    /// 1 for punctuation and greeting.
    pub fn default_rate(self) -> f32 {
        match self {
            Self::Synonym
            | Self::Insert
            | Self::Swap
            | Self::Delete
            | Self::Typo
            | Self::Case
            | Self::Repeat => 0.1,
            Self::Accent => 0.5,
            Self::Punctuation | Self::Greeting => 1.0,
        }
    }
}

impl fmt::Display for Operation {
    /// The operation's [`Operation::name`].
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = AugmentError;

    /// An [`Operation::name`], ignoring case and outer spaces.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let wanted = value.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|operation| operation.name() == wanted)
            .ok_or_else(|| AugmentError::UnknownOperation {
                name: value.to_owned(),
            })
    }
}

/// How many new rows to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Grow the source rows to this many rows in all (sources plus new rows), spreading the
    /// new rows over every source, so each class keeps its share.
    TargetRows(usize),
    /// Grow every class to the size of the largest one, counted over the source rows.
    Balance,
}

/// What augmentation may do and how hard.
///
/// Each rate is from 0 (off) to 1. For synonym, insert, swap, delete, typo, accent, case and
/// repeat it is the share α of the words changed, n = max(1, ⌊α · words⌋) (Wei & Zou's EDA,
/// 2019; for typo, accent, case and repeat, of the words the operation can change); for
/// punctuation, the share of the marks dropped; for greeting, the share of user turns whose
/// greeting or sign-off changes (at least one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentOptions {
    /// Seed of every random choice: the same seed, data and options give the same rows.
    pub seed: u64,
    /// The operations that may be used and their rates; an operation listed twice takes
    /// its last rate, and one not listed is off.
    pub operations: Vec<(Operation, f32)>,
    /// The user's synonyms: a word or phrase and what may replace it (see
    /// `parse_user_synonyms`); used in any language, besides the lexicon.
    pub user_synonyms: Vec<(String, Vec<String>)>,
    /// Also vary the assistant turns of conversations, except the last assistant message
    /// (the answer, which is the row's label) and system messages.
    pub augment_assistant: bool,
    /// The most new rows made from one source row.
    pub max_variants_per_row: usize,
    /// The language of every row; `None` guesses each row's from its words.
    pub language: Option<Language>,
    /// The keyboard of the typos; `None` takes the language's ([`Keyboard::for_language`]).
    pub keyboard: Option<Keyboard>,
    /// Let [`Operation::Accent`] turn `ñ` into `n` too.
    pub drop_enye: bool,
}

impl Default for AugmentOptions {
    /// Seed 42, every operation at its [`Operation::default_rate`], no user synonyms,
    /// assistant turns untouched, at most 16 variants per row, language and keyboard guessed
    /// per row, `ñ` kept.
    fn default() -> Self {
        Self {
            seed: 42,
            operations: Operation::ALL
                .into_iter()
                .map(|operation| (operation, operation.default_rate()))
                .collect(),
            user_synonyms: Vec::new(),
            augment_assistant: false,
            max_variants_per_row: 16,
            language: None,
            keyboard: None,
            drop_enye: false,
        }
    }
}

impl AugmentOptions {
    /// The rate of `operation`: its last entry in [`AugmentOptions::operations`], 0 when it
    /// has none.
    pub fn rate(&self, operation: Operation) -> f32 {
        self.operations
            .iter()
            .rev()
            .find(|(listed, _)| *listed == operation)
            .map_or(0.0, |(_, rate)| *rate)
    }

    /// The operations with a rate above 0, in [`Operation::ALL`] order.
    pub fn enabled(&self) -> Vec<Operation> {
        Operation::ALL
            .into_iter()
            .filter(|operation| self.rate(*operation) > 0.0)
            .collect()
    }

    /// Checks every rate is a number from 0 to 1.
    ///
    /// # Errors
    /// [`AugmentError::InvalidRate`] for the first one that is not.
    pub fn check_rates(&self) -> Result<(), AugmentError> {
        for (operation, rate) in &self.operations {
            if !(0.0..=1.0).contains(rate) {
                return Err(AugmentError::InvalidRate {
                    operation: operation.name().to_owned(),
                    rate: *rate,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for operation in Operation::ALL {
            assert_eq!(
                operation.to_string().parse::<Operation>().unwrap(),
                operation
            );
            let json = serde_json::to_string(&operation).unwrap();
            assert_eq!(json, format!("\"{operation}\""));
        }
        assert_eq!(" Typo ".parse::<Operation>().unwrap(), Operation::Typo);
        assert!(matches!(
            "shuffle".parse::<Operation>(),
            Err(AugmentError::UnknownOperation { .. })
        ));
    }

    #[test]
    fn rates_take_the_last_entry_and_are_checked() {
        let mut options = AugmentOptions::default();
        assert_eq!(options.enabled(), Operation::ALL);
        assert!((options.rate(Operation::Swap) - 0.1).abs() < 1e-6);
        options.operations.push((Operation::Swap, 0.0));
        assert_eq!(options.rate(Operation::Swap), 0.0);
        assert!(!options.enabled().contains(&Operation::Swap));
        assert!(options.check_rates().is_ok());
        options.operations.push((Operation::Typo, 1.5));
        assert!(matches!(
            options.check_rates(),
            Err(AugmentError::InvalidRate { .. })
        ));
        options.operations.push((Operation::Typo, f32::NAN));
        assert!(options.check_rates().is_err());
        let json = serde_json::to_string(&AugmentOptions::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<AugmentOptions>(&json).unwrap(),
            AugmentOptions::default()
        );
        let goal: Goal = serde_json::from_str("{\"target_rows\":100}").unwrap();
        assert_eq!(goal, Goal::TargetRows(100));
    }
}
