//! Stage 3, reading: the bytes of a dropped file turned into a [`crate::Dataset`] of typed
//! rows and located findings. Decode the text (UTF-8/BOM/UTF-16/Windows-1252), recognise
//! workbooks and other documents, sniff CSV/TSV/JSON Lines and header rows, pick the columns,
//! read each format, and end with the quality passes.
//!
//! Imports `check` (each row's format rules) and `quality` (through
//! `Dataset::refresh_quality_findings`), never `change` or `stream`.
//!
//! - [`parse`]: the entry points ([`parse()`](crate::parse()), `parse_with`, `parse_xlsx`…).
//! - `decode`, `container`, `sniff`: bytes to text, the kind of document, the layout.
//! - [`parse_options`], `columns`: the caller's choice of columns and the guess without one.
//! - `csv_reader`, `jsonl_reader`, `xlsx_reader`, `table`: one reader per format, the table
//!   the CSV and XLSX readers share, and `parsed`, what every reader hands back.
//! - `json_syntax`, `json_stream`: located JSON syntax errors; a JSON list or multi-line JSON
//!   cut into values.
//! - `file_error`: [`crate::FileError`], the problems with a whole file.

pub(crate) mod columns;
pub(crate) mod container;
pub(crate) mod csv_reader;
pub(crate) mod decode;
pub(crate) mod file_error;
pub(crate) mod json_stream;
pub(crate) mod json_syntax;
pub(crate) mod jsonl_reader;
pub mod parse;
pub mod parse_options;
pub(crate) mod parsed;
pub(crate) mod sniff;
pub(crate) mod table;
pub(crate) mod xlsx_reader;
