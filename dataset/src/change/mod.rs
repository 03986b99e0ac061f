//! Stage 4, changing: a new dataset or file made from a read one. Safe fixes, text fixes on the
//! raw bytes, conversion between formats, the stratified split and augmentation.
//!
//! Imports `read`, `check`, `quality` and the shared types; never `stream`.
//!
//! - [`fix`]: safe fixes returning a new [`crate::Dataset`] and what changed.
//! - [`text_fix`]: fixes on the file's text before it is read.
//! - [`convert`]: chat / text-label / prompt-completion JSON Lines and CSV.
//! - [`split`]: stratified split of indices or of a whole dataset.
//! - [`augment`]: new rows for training (synonyms, EDA, noise, greetings).

pub mod augment;
pub mod convert;
pub mod fix;
pub mod split;
pub mod text_fix;
