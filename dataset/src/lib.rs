//! Decode, parse and validate fine-tuning datasets (CSV/TSV, JSONL and XLSX) into typed rows and
//! located findings written in English and Spanish, report on their quality and apply safe fixes.

pub mod dataset;
pub mod finding;
pub mod fix;
pub mod format;
pub mod mojibake;
pub mod parse;
pub mod quality;
pub mod row;
pub mod split;

mod chat;
mod chat_style;
mod columns;
mod container;
mod csv_reader;
mod decode;
mod duplicates;
mod file_error;
mod json_syntax;
mod jsonl_reader;
mod labels;
mod minhash;
mod normalize;
mod personal_data;
mod sniff;
mod table;
mod wording;
mod xlsx_reader;

pub use container::DocumentKind;
pub use dataset::Dataset;
pub use finding::{Finding, Message, Severity};
pub use fix::{FixReport, Fixed};
pub use format::{Format, Schema};
pub use parse::{FileError, parse, parse_xlsx, sheet_names};
pub use quality::quality_findings;
pub use row::{ChatMessage, Example, Role, Row, RowContent};
pub use split::{Split, stratified_split};
