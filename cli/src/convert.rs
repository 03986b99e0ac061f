//! `afina convert` and `afina split`: write a dataset in another format, or in two parts; and
//! the file and note helpers `afina augment` shares with them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::{
    ChatOptions, Converted, Dataset, Format, ParseOptions, split_dataset, to_chat_jsonl, to_csv,
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
    check_convert_out(args.to, args.delimiter, &args.out)?;
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
