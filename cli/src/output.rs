//! Writing what the subcommands make: the formats Afina writes and how a path names one, a
//! dataset set to be written in one, and the file written.

use std::path::Path;

use afina_dataset::{Converted, Dataset, Format};
use anyhow::{Context, Result, bail};
use clap::ValueEnum;

/// How many labels `afina split` lists per part before it says how many more there are.
pub(crate) const LISTED_LABELS: usize = 20;

/// A file format Afina writes, as named by `--format` or by a file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FileFormat {
    /// JSON Lines (`.jsonl`).
    Jsonl,
    /// Comma-separated values (`.csv`).
    Csv,
    /// Tab-separated values (`.tsv`).
    Tsv,
}

impl FileFormat {
    /// The format a path's extension names, if it is one Afina writes.
    pub(crate) fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "jsonl" => Some(Self::Jsonl),
            "csv" => Some(Self::Csv),
            "tsv" => Some(Self::Tsv),
            _ => None,
        }
    }

    /// Its usual extension.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
        }
    }
}

/// The format to write `path` in: the one `--format` names, else the one its extension
/// names. Refuses (English and Spanish, naming the file and what to do) a path whose extension
/// names no format Afina writes and no `--format`, or an extension that contradicts `--format`.
///
/// # Errors
/// The message above, for exit code 2.
pub(crate) fn output_format(
    option: &str,
    path: &Path,
    format: Option<FileFormat>,
) -> Result<FileFormat> {
    let named = FileFormat::of_path(path);
    match (format, named) {
        (Some(format), Some(named)) if format != named => bail!(
            "{option} {path} ends in .{named_ext} but --format is {format_ext}: the file would hold {format_ext} under a .{named_ext} name. Name it .{format_ext}, or leave out --format. / {option} {path} termina en .{named_ext} pero --format es {format_ext}: el archivo tendría {format_ext} con nombre .{named_ext}. Llámalo .{format_ext}, o quita --format.",
            path = path.display(),
            named_ext = named.extension(),
            format_ext = format.extension(),
        ),
        (Some(format), _) => Ok(format),
        (None, Some(named)) => Ok(named),
        (None, None) => bail!(
            "{option} {path}: {what} is not a format Afina writes, so Afina cannot tell which one to write. Name the file .jsonl, .csv or .tsv, or add --format jsonl|csv|tsv. / {option} {path}: {what_es} no es un formato que Afina escriba, así que no sabe cuál escribir. Llama al archivo .jsonl, .csv o .tsv, o añade --format jsonl|csv|tsv.",
            path = path.display(),
            what = extension_phrase(path, "the extension", "a name without an extension"),
            what_es = extension_phrase(path, "la extensión", "un nombre sin extensión"),
        ),
    }
}

/// `the extension .xlsx` (or `a name without an extension`), in the words given.
fn extension_phrase(path: &Path, extension_word: &str, none: &str) -> String {
    match path.extension() {
        Some(extension) => format!("{extension_word} .{}", extension.to_string_lossy()),
        None => none.to_owned(),
    }
}

/// `dataset` set to be written in `format` by [`to_own_format`] (its schema and column names
/// kept): JSON Lines, or CSV with a comma or a tab. What already fits stays as it is: a CSV
/// keeps its own delimiter (`;`, `|`) and a workbook sheet, which is written as CSV with
/// formulas neutralized, stays a sheet.
pub(crate) fn in_format(mut dataset: Dataset, format: FileFormat) -> Dataset {
    let fits = match (&dataset.format, format) {
        (Format::Jsonl, FileFormat::Jsonl) | (Format::Xlsx { .. }, FileFormat::Csv) => true,
        (Format::Csv { delimiter }, FileFormat::Csv) => *delimiter != '\t',
        (Format::Csv { delimiter }, FileFormat::Tsv) => *delimiter == '\t',
        _ => false,
    };
    if !fits {
        dataset.format = match format {
            FileFormat::Jsonl => Format::Jsonl,
            FileFormat::Csv => Format::Csv { delimiter: ',' },
            FileFormat::Tsv => Format::Csv { delimiter: '\t' },
        };
    }
    dataset
}

/// Writes `converted`'s text to `path`.
pub(crate) fn write(path: &Path, converted: &Converted) -> Result<()> {
    std::fs::write(path, &converted.text)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(first: &Path, second: &Path) -> bool {
    match (first.canonicalize(), second.canonicalize()) {
        (Ok(first), Ok(second)) => first == second,
        _ => false,
    }
}
