//! What every subcommand shares to read its data and report problems with it: which columns
//! hold the text and the label, the file parsed into a dataset, a file that cannot be read
//! (with the `afina convert` command that fixes it), notes and data errors, and today's date.
//! It imports no subcommand's file.

use std::path::Path;
use std::process::ExitCode;

use afina_dataset::{Dataset, FileError, ParseOptions, Schema, civil_from_days, parse_with};
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

/// `--val`: a number above 0 and below 1.
///
/// # Errors
/// Anything else, as a message for clap.
pub(crate) fn parse_fraction(value: &str) -> Result<f32, String> {
    let fraction: f32 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))?;
    if fraction > 0.0 && fraction < 1.0 {
        Ok(fraction)
    } else {
        Err(format!("{value} must be above 0 and below 1, like 0.2"))
    }
}

/// Prints a data problem and gives exit code 1.
pub(crate) fn data_error(message: &str) -> ExitCode {
    eprintln!("afina: {message}");
    ExitCode::from(1)
}

/// Notes on stderr: rows with errors left out, a JSON list read as JSONL.
pub(crate) fn note_read_problems(file: &Path, dataset: &Dataset) {
    if let Some(converted) = dataset
        .findings
        .iter()
        .find(|finding| finding.code == "converted_json")
    {
        eprintln!("note: {}", converted.message.en);
    }
    let errors = dataset.error_count();
    if errors > 0 {
        eprintln!(
            "note: {errors} row(s) with errors were skipped (run `afina validate {}` to see them)",
            file.display()
        );
    }
}

/// Prints why `file` cannot be read as a dataset (as `afina validate --json`'s document with
/// `json`), with the `afina convert` command that fixes a JSON list, and gives exit code 1.
pub(crate) fn print_file_error(error: &FileError, file: &Path, json: bool) -> Result<ExitCode> {
    let command = conversion_command(error, file);
    if json {
        let mut report = file_error_report(error);
        if let (Some(command), Some(first)) = (&command, report["errors"].get_mut(0)) {
            first["command"] = serde_json::Value::from(command.as_str());
            for (language, lead) in [
                ("en", "To convert it from the command line"),
                ("es", "Para convertirlo desde la línea de órdenes"),
            ] {
                if let Some(text) = first["message"][language].as_str() {
                    first["message"][language] =
                        serde_json::Value::from(format!("{text}\n{lead}: {command}"));
                }
            }
        }
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}: error [{}] {}", error.file(), error.code(), error);
        if let Some(command) = command {
            println!("To convert it / Para convertirlo: {command}");
        }
    }
    Ok(ExitCode::from(1))
}

/// For a JSON list or pretty-printed JSON, the `afina convert` command that writes it as JSON
/// Lines beside it, with the `--to` its rows fit (read as JSON Lines to find out).
pub(crate) fn conversion_command(error: &FileError, file: &Path) -> Option<String> {
    if !matches!(
        error,
        FileError::JsonArray { .. } | FileError::MultiLineJson { .. }
    ) {
        return None;
    }
    let bytes = std::fs::read(file).ok()?;
    let options = ParseOptions {
        convert_json: true,
        ..ParseOptions::default()
    };
    let to = match parse_with(&file_name(file), &bytes, &options).ok()?.schema {
        Schema::Chat => "chat",
        Schema::TextLabel { .. } => "text-label",
        Schema::PromptCompletion { .. } => "prompt-completion",
    };
    let out = file.with_extension("jsonl");
    Some(format!(
        "afina convert {} --to {to} --out {}",
        shell_word(&file.display().to_string()),
        shell_word(&out.display().to_string())
    ))
}

/// `word` as one shell word: as it is when it holds only safe characters, else in single
/// quotes.
fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|character| character.is_alphanumeric() || "-_./+,:@".contains(character));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The `--json` document of `afina validate` for a file that cannot be read as a dataset:
/// the same shape, with one error that has no line.
pub(crate) fn file_error_report(error: &FileError) -> serde_json::Value {
    let message = error.message();
    serde_json::json!({
        "file": error.file(),
        "errors": [{
            "severity": "error",
            "file": error.file(),
            "line": null,
            "column": null,
            "field": null,
            "code": error.code(),
            "message": { "en": message.en, "es": message.es },
        }],
        "warnings": [],
        "stats": {
            "rows": 0,
            "format": null,
            "encoding": null,
            "labels": {},
        },
    })
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions() {
        assert_eq!(parse_fraction("0.25"), Ok(0.25));
        for bad in ["0", "1", "-0.1", "NaN", "abc"] {
            assert!(parse_fraction(bad).is_err(), "{bad}");
        }
    }
}
