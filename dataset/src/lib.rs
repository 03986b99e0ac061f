//! Decode, parse and validate fine-tuning datasets (CSV/TSV, JSONL and XLSX) into typed rows and
//! located findings written in English and Spanish, report on their quality (also as a Markdown
//! report), apply safe fixes, convert them between formats, split them and augment them.

pub mod augment;
pub mod convert;
pub mod dataset;
pub mod finding;
pub mod fix;
pub mod format;
pub mod mojibake;
pub mod parse;
pub mod parse_options;
pub mod quality;
pub mod report;
pub mod row;
pub mod split;
pub mod stream;
pub mod text_fix;
pub mod tokens;

mod chat;
mod chat_fast;
mod chat_style;
mod columns;
mod completion;
mod container;
mod csv_reader;
mod csv_stream;
mod decode;
mod duplicates;
mod file_error;
mod json_stream;
mod json_syntax;
mod jsonl_reader;
mod labels;
mod minhash;
mod normalize;
mod parallel;
mod personal_data;
mod sniff;
mod table;
mod wording;
mod xlsx_reader;

#[cfg(test)]
mod test_support;

pub use container::DocumentKind;
pub use convert::{
    ChatOptions, ConvertError, Converted, json_to_jsonl, table_to_csv, to_chat_jsonl, to_csv,
    to_own_format, to_prompt_completion_jsonl, to_text_label_jsonl,
};
pub use csv_stream::CsvStreamValidator;
pub use dataset::Dataset;
pub use finding::{Finding, Message, Severity};
pub use fix::{FixReport, Fixed};
pub use format::{Format, Schema};
pub use parse::{FileError, parse, parse_with, parse_with_progress, parse_xlsx, sheet_names};
pub use parse_options::ParseOptions;
pub use quality::quality_findings;
pub use report::{ReportLanguage, ReportOptions, code_title, quality_report};
pub use row::{ChatMessage, Example, Role, Row, RowContent};
pub use split::{Split, split_dataset, split_parts, split_rows, stratified_split};
pub use stream::{FileStream, NotStreamable, StreamReport, StreamValidator};
pub use text_fix::TextFixed;
pub use tokens::{TokenCounts, TokenReport};
pub use xlsx_reader::civil_from_days;
