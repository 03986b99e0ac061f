//! Reading the data files every subcommand takes: which columns hold the text and the label,
//! and the file parsed into a dataset.

use std::path::Path;

use afina_dataset::{Dataset, FileError, ParseOptions, parse_with};
use anyhow::{Context, Result};
use clap::Args;

/// Which columns hold the text and the label, when their names are not recognised.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct ColumnArgs {
    /// Column (or JSON key) holding the text, matched ignoring case and spaces.
    #[arg(long = "text-column")]
    text_column: Option<String>,
    /// Column (or JSON key) holding the label, matched ignoring case and spaces.
    #[arg(long = "label-column")]
    label_column: Option<String>,
}

impl ColumnArgs {
    /// Parse options naming these columns; `convert_json` reads JSON lists as JSONL.
    pub(crate) fn options(&self, convert_json: bool) -> ParseOptions {
        ParseOptions {
            text_column: self.text_column.clone(),
            label_column: self.label_column.clone(),
            convert_json,
        }
    }
}

/// Reads and parses a dataset file: the outer error is I/O (exit code 2), the inner one a
/// file that cannot be read as a dataset.
pub(crate) fn read_dataset(
    file: &Path,
    options: &ParseOptions,
) -> Result<Result<Dataset, FileError>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(parse_with(&file_name(file), &bytes, options))
}

/// The name a file is reported under: its last path component.
pub(crate) fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
