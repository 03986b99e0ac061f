//! Stage 2, quality: warnings over the valid rows of a [`crate::Dataset`] or of a stream (size, exact and
//! near duplicates, conflicting labels, imbalance, chat style, personal data, mojibake) and
//! the Markdown quality report.
//!
//! Imports `check` and the shared types; `read` runs it at the end of every parse.
//!
//! - `passes`: [`quality_findings`] runs every pass; the codes they give ([`CODES`]).
//! - `accumulator`: [`QualityAccumulator`], the same passes over rows pushed in batches.
//! - `label_ids`: the distinct labels under small ids.
//! - `fields`: the rows' text and label fields as the passes see them.
//! - `duplicates`, `minhash`: exact and near duplicates (MinHash LSH).
//! - `personal_data`, [`mojibake`]: detection and the repair the fixes use.
//! - [`report`]: the Markdown report in English or Spanish.

mod accumulator;
pub(crate) mod duplicates;
pub(crate) mod fields;
mod label_ids;
pub(crate) mod minhash;
pub mod mojibake;
mod passes;
pub(crate) mod personal_data;
pub mod report;

pub use accumulator::QualityAccumulator;
pub(crate) use passes::classification_labels;
pub use passes::{CODES, is_quality_code, quality_findings};
