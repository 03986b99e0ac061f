//! Decode, parse and validate fine-tuning datasets (CSV/TSV, JSONL and XLSX) into typed rows and
//! located findings written in English and Spanish, report on their quality (also as a Markdown
//! report), apply safe fixes, convert them between formats, split them and augment them.
//!
//! One folder per stage of the data's journey, over the shared types at the top. A stage
//! imports only the stages listed before it:
//!
//! | stage | what it does |
//! |---|---|
//! | [`check`] | the rules of one row or one column of labels, and the token estimate |
//! | [`quality`] | warnings over a dataset's rows, whole or pushed in batches (`QualityAccumulator`); the Markdown report |
//! | [`read`] | a dropped file's bytes into a [`Dataset`] ([`parse()`]) |
//! | [`change`] | fixes, conversion, split and augmentation: a new dataset or file |
//! | [`stream`] | files too big to hold, validated in chunks (the whole quality report on request) |
//!
//! Shared by every stage: [`Dataset`], [`Row`], [`Finding`], [`Format`]; `wording`,
//! `normalize` and `parallel` help them.

pub mod change;
pub mod check;
pub mod quality;
pub mod read;
pub mod stream;

pub mod dataset;
pub mod finding;
pub mod format;
pub mod row;

mod normalize;
mod parallel;
mod wording;

#[cfg(test)]
mod test_support;

// The modules as they were named before the stages had folders.
pub use change::{augment, convert, fix, split, text_fix};
pub use check::tokens;
pub use quality::{mojibake, report};
pub use read::{parse, parse_options};

pub use change::convert::{
    ChatOptions, ConvertError, Converted, json_to_jsonl, table_to_csv, to_chat_jsonl, to_csv,
    to_own_format, to_prompt_completion_jsonl, to_text_label_jsonl,
};
pub use change::fix::{FixReport, Fixed};
pub use change::split::{Split, split_dataset, split_parts, split_rows, stratified_split};
pub use change::text_fix::TextFixed;
pub use check::tokens::{TokenCounts, TokenReport};
pub use dataset::Dataset;
pub use finding::{Finding, Message, Severity};
pub use format::{Format, Schema};
pub use quality::quality_findings;
pub use quality::report::{ReportLanguage, ReportOptions, code_title, quality_report};
pub use read::container::DocumentKind;
pub use read::parse::{FileError, parse, parse_with, parse_with_progress, parse_xlsx, sheet_names};
pub use read::parse_options::ParseOptions;
pub use read::xlsx_reader::civil_from_days;
pub use row::{ChatMessage, Example, Role, Row, RowContent};
pub use stream::{CsvStreamValidator, FileStream, NotStreamable, StreamReport, StreamValidator};
