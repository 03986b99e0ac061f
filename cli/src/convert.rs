//! `afina convert` and `afina split`: write a dataset in another format, or in two parts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::{
    ChatOptions, Converted, Dataset, split_dataset, to_chat_jsonl, to_csv, to_own_format,
    to_prompt_completion_jsonl, to_text_label_jsonl,
};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use crate::input::{ColumnArgs, data_error, note_read_problems, parse_fraction, read_dataset};
use crate::output::{FileFormat, LISTED_LABELS, same_file, write};

/// The formats `afina convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Target {
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
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// The dataset to convert (CSV/TSV/JSONL, the first sheet of an .xlsx workbook, or a JSON
    /// list).
    file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    to: Target,
    /// Where to write the converted file.
    #[arg(long)]
    out: PathBuf,
    /// System message to put first in every conversation without one (`--to chat` only).
    #[arg(long)]
    system: Option<String>,
    /// CSV delimiter (`--to csv` only): `,` `;` `|` or `tab`. Default `,`.
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<char>,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// What `afina split` was asked to do.
#[derive(Debug, Args)]
pub(crate) struct SplitArgs {
    /// The dataset to split (CSV/TSV/JSONL, the first sheet of an .xlsx workbook, or a JSON
    /// list).
    file: PathBuf,
    /// Share of each label held out for validation, above 0 and below 1.
    #[arg(long, default_value_t = 0.2, value_parser = parse_fraction)]
    val: f32,
    /// Seed of the shuffle: the same seed gives the same split.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write the two files to (created if missing).
    #[arg(long = "out-dir")]
    out_dir: PathBuf,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// `--delimiter`: `,` `;` `|`, or a tab written as `tab`, `\t` or a real tab.
///
/// # Errors
/// Any other value, as a message for clap.
pub(crate) fn parse_delimiter(value: &str) -> Result<char, String> {
    match value {
        "," => Ok(','),
        ";" => Ok(';'),
        "|" => Ok('|'),
        "tab" | "\\t" | "\t" => Ok('\t'),
        other => Err(format!("{other:?} is not a delimiter: use , ; | or tab")),
    }
}

/// Refuses an `--out` whose extension contradicts `--to` (`--to csv --out x.jsonl`, or a
/// JSON Lines target written to `x.csv`), or names a format Afina never writes (`.json`,
/// `.xlsx`); any other name is written as asked.
fn check_convert_out(to: Target, delimiter: Option<char>, out: &Path) -> Result<()> {
    let jsonl = to != Target::Csv;
    let extension = out
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
    let wanted = if jsonl {
        "jsonl"
    } else if delimiter == Some('\t') {
        "tsv"
    } else {
        "csv"
    };
    let fits = match extension.as_deref() {
        Some("jsonl") => jsonl,
        Some("csv") => !jsonl && delimiter != Some('\t'),
        Some("tsv") => !jsonl && matches!(delimiter, None | Some('\t')),
        Some("json" | "xlsx" | "xls" | "ods" | "md" | "txt") => false,
        _ => true,
    };
    if fits {
        return Ok(());
    }
    let to_name = match to {
        Target::Chat => "chat",
        Target::TextLabel => "text-label",
        Target::PromptCompletion => "prompt-completion",
        Target::Csv => "csv",
    };
    bail!(
        "--out {path}: --to {to_name} writes {wanted_upper}, which does not fit that name. Name the file .{wanted}{other}. / --out {path}: --to {to_name} escribe {wanted_upper}, que no encaja con ese nombre. Llama al archivo .{wanted}{other_es}.",
        path = out.display(),
        wanted_upper = if jsonl { "JSON Lines" } else { "CSV" },
        other = if jsonl {
            ", or use --to csv for CSV"
        } else {
            ", or use --to chat, text-label or prompt-completion for JSON Lines"
        },
        other_es = if jsonl {
            ", o usa --to csv para CSV"
        } else {
            ", o usa --to chat, text-label o prompt-completion para JSON Lines"
        },
    )
}

/// Runs `afina convert`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub(crate) fn convert(args: &ConvertArgs) -> Result<ExitCode> {
    let options = args.columns.options(true);
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
    check_convert_out(args.to, args.delimiter, &args.out)?;
    let dataset = match read_dataset(&args.file, &options)? {
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
        Target::Csv => {
            // `--out x.tsv` without --delimiter: tabs, as the name says.
            let tsv = FileFormat::of_path(&args.out) == Some(FileFormat::Tsv);
            to_csv(
                &dataset,
                args.delimiter.unwrap_or(if tsv { '\t' } else { ',' }),
            )
        }
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
pub(crate) fn split(args: &SplitArgs) -> Result<ExitCode> {
    let (file, out_dir) = (args.file.as_path(), args.out_dir.as_path());
    let dataset = match read_dataset(file, &args.columns.options(true))? {
        Ok(dataset) => dataset,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    note_read_problems(file, &dataset);
    let (train, validation) = split_dataset(&dataset, args.val, args.seed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_and_line_lists() {
        assert_eq!(parse_delimiter("tab"), Ok('\t'));
        assert_eq!(parse_delimiter(";"), Ok(';'));
        assert!(parse_delimiter("x").is_err());
        assert_eq!(line_list(&[1, 2]), "1, 2");
        assert!(line_list(&(1..20).collect::<Vec<_>>()).ends_with(", …"));
    }
}
