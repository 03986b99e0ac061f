//! Decode, parse and validate fine-tuning datasets (CSV/TSV and JSONL) into typed rows and
//! located findings written in English and Spanish.

pub mod dataset;
pub mod finding;
pub mod format;
pub mod mojibake;
pub mod parse;
pub mod row;
pub mod split;

mod chat;
mod columns;
mod csv_reader;
mod decode;
mod file_error;
mod json_syntax;
mod jsonl_reader;
mod sniff;

pub use dataset::Dataset;
pub use finding::{Finding, Message, Severity};
pub use format::{Format, Schema};
pub use parse::{FileError, parse};
pub use row::{ChatMessage, Example, Role, Row, RowContent};
pub use split::{Split, stratified_split};
