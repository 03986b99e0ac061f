//! `afina convert` and `afina split`: write a dataset in another format, or in two parts; and
//! the file and note helpers `afina augment` shares with them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::{
    ChatOptions, Converted, Dataset, ParseOptions, split_dataset, to_chat_jsonl, to_csv,
    to_own_format, to_prompt_completion_jsonl, to_text_label_jsonl,
};
use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use crate::input::read_dataset;

/// How many labels `afina split` lists per part before it says how many more there are.
pub(crate) const LISTED_LABELS: usize = 20;

/// The formats `afina convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// `{"messages": [...]}` per line.
    Chat,
    /// `{"text": …, "label": …}` per line.
    TextLabel,
    /// `{"prompt": …, "completion": …}` per line.
    PromptCompletion,
    /// CSV with a header row (text,label; prompt,completion; or user,assistant).
    Csv,
}

/// What `afina convert` was asked to do.
#[derive(Debug)]
pub struct ConvertArgs {
    /// The dataset to read.
    pub file: PathBuf,
    /// The format to write.
    pub to: Target,
    /// Where to write it.
    pub out: PathBuf,
    /// System message for `--to chat`.
    pub system: Option<String>,
    /// CSV delimiter for `--to csv`.
    pub delimiter: Option<char>,
    /// How to read the dataset.
    pub options: ParseOptions,
}

/// `--delimiter`: `,` `;` `|`, or a tab written as `tab`, `\t` or a real tab.
///
/// # Errors
/// Any other value, as a message for clap.
pub fn parse_delimiter(value: &str) -> Result<char, String> {
    match value {
        "," => Ok(','),
        ";" => Ok(';'),
        "|" => Ok('|'),
        "tab" | "\\t" | "\t" => Ok('\t'),
        other => Err(format!("{other:?} is not a delimiter: use , ; | or tab")),
    }
}

/// `--val`: a number above 0 and below 1.
///
/// # Errors
/// Anything else, as a message for clap.
pub fn parse_fraction(value: &str) -> Result<f32, String> {
    let fraction: f32 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))?;
    if fraction > 0.0 && fraction < 1.0 {
        Ok(fraction)
    } else {
        Err(format!("{value} must be above 0 and below 1, like 0.2"))
    }
}

/// Runs `afina convert`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub fn convert(args: &ConvertArgs) -> Result<ExitCode> {
    if args.system.is_some() && args.to != Target::Chat {
        bail!("--system only applies to --to chat");
    }
    if args.delimiter.is_some() && args.to != Target::Csv {
        bail!("--delimiter only applies to --to csv");
    }
    if same_file(&args.file, &args.out) {
        bail!(
            "--out {} is the input file: choose another path",
            args.out.display()
        );
    }
    let dataset = match read_dataset(&args.file, &args.options)? {
        Ok(dataset) => dataset,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    note_read_problems(&args.file, &dataset);
    let converted = match args.to {
        Target::Chat => to_chat_jsonl(
            &dataset,
            &ChatOptions {
                system_prompt: args.system.clone(),
            },
        ),
        Target::TextLabel => to_text_label_jsonl(&dataset),
        Target::PromptCompletion => to_prompt_completion_jsonl(&dataset),
        Target::Csv => to_csv(&dataset, args.delimiter.unwrap_or(',')),
    };
    let converted = match converted {
        Ok(converted) => converted,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    write(&args.out, &converted)?;
    note_conversion(&converted);
    println!("wrote {} rows to {}", converted.rows, args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Runs `afina split`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub fn split(
    file: &Path,
    validation_fraction: f32,
    seed: u64,
    out_dir: &Path,
    options: &ParseOptions,
) -> Result<ExitCode> {
    let dataset = match read_dataset(file, options)? {
        Ok(dataset) => dataset,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    note_read_problems(file, &dataset);
    let (train, validation) = split_dataset(&dataset, validation_fraction, seed);
    if train.rows.is_empty() || validation.rows.is_empty() {
        return Ok(data_error(&format!(
            "{} valid row(s) cannot be split: a label needs at least 2 examples to hold one out \
             for validation. Add examples, or change --val.",
            dataset.rows.len()
        )));
    }
    let mut parts = Vec::new();
    for part in [&train, &validation] {
        match to_own_format(part) {
            Ok(converted) => parts.push((part, converted)),
            Err(error) => return Ok(data_error(&error.to_string())),
        }
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    for (part, converted) in &parts {
        let path = out_dir.join(&part.file_name);
        write(&path, converted)?;
        println!("wrote {} rows to {}", converted.rows, path.display());
        print_label_counts(part);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints `  label: count` lines, or a summary when the answers are free-form.
fn print_label_counts(dataset: &Dataset) {
    let counts = dataset.label_counts();
    let examples: usize = counts.values().sum();
    if counts.len() * 2 > examples && counts.len() > LISTED_LABELS {
        println!(
            "  {} different answers (free-form, not counted per label)",
            counts.len()
        );
        return;
    }
    for (label, count) in counts.iter().take(LISTED_LABELS) {
        println!("  {label}: {count}");
    }
    if counts.len() > LISTED_LABELS {
        println!("  … and {} more labels", counts.len() - LISTED_LABELS);
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

/// Notes on stderr about what the conversion left out or changed.
fn note_conversion(converted: &Converted) {
    if !converted.skipped_lines.is_empty() {
        eprintln!(
            "note: {} conversation(s) without a user message or an answer were skipped (lines {})",
            converted.skipped_lines.len(),
            line_list(&converted.skipped_lines)
        );
    }
    if !converted.flattened_lines.is_empty() {
        eprintln!(
            "note: {} conversation(s) kept only their user messages and last answer (lines {})",
            converted.flattened_lines.len(),
            line_list(&converted.flattened_lines)
        );
    }
    if converted.neutralized_cells > 0 {
        eprintln!(
            "note: {} cell(s) starting with = + - @ (or a tab) got a leading ' so spreadsheets show them as text",
            converted.neutralized_cells
        );
    }
}

/// `2, 5, 9` with at most ten lines, then `…`.
fn line_list(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(10).map(ToString::to_string).collect();
    let more = if lines.len() > 10 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_and_fractions() {
        assert_eq!(parse_delimiter("tab"), Ok('\t'));
        assert_eq!(parse_delimiter(";"), Ok(';'));
        assert!(parse_delimiter("x").is_err());
        assert_eq!(parse_fraction("0.25"), Ok(0.25));
        for bad in ["0", "1", "-0.1", "NaN", "abc"] {
            assert!(parse_fraction(bad).is_err(), "{bad}");
        }
        assert_eq!(line_list(&[1, 2]), "1, 2");
        assert!(line_list(&(1..20).collect::<Vec<_>>()).ends_with(", …"));
    }
}
