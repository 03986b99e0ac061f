//! Data augmentation for Spanish and English text: synonyms (a shipped lexicon and the user's
//! pairs), EDA's insertion, swap and deletion, keyboard typos, dropped accents and
//! punctuation, case changes, repeated letters and chat greetings; grown to a target size or
//! to balanced classes from the training rows only, seeded, with every new row marked and
//! duplicates dropped. Negators are never removed, moved or replaced.
//!
//! ```
//! use afina_dataset::augment::{AugmentOptions, Goal, augment};
//! use afina_dataset::parse;
//!
//! let file = "text,label\nMe gusta mucho el coche,pos\nEl coche es caro,neg\nNo me gusta el coche,neg\n";
//! let dataset = parse("reviews.csv", file.as_bytes()).unwrap();
//! let all_rows: Vec<usize> = (0..dataset.rows.len()).collect();
//! let augmented = augment(&dataset, &all_rows, Goal::Balance, &AugmentOptions::default()).unwrap();
//! assert_eq!(augmented.rows.len(), 1); // one more "pos" row
//! ```

mod eda;
mod error;
mod generate;
mod greetings;
mod keyboard;
mod language;
mod lexicon;
mod negation;
mod noise;
mod options;
mod output;
mod synonyms;
mod variant;
mod words;

pub use error::AugmentError;
pub use generate::{Augmented, NewRow, TextVariant, augment, augment_split, augment_text, preview};
pub use keyboard::Keyboard;
pub use language::Language;
pub use options::{AugmentOptions, Goal, Operation};
pub use output::{AugmentedFile, MARK_COLUMNS, Marks, augmented_dataset, write_augmented};
pub use synonyms::parse_user_synonyms;
pub use words::negator_words;
