//! `afina augment`: grow a dataset's training rows with varied copies (synonyms, EDA, typos,
//! accents, case, punctuation, repeated letters, chat greetings) and write them in the input's
//! own layout, with a summary per label.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::augment::{
    AugmentOptions, Goal, Keyboard, Language, Marks, Operation, augment_split, augmented_dataset,
    parse_user_synonyms, write_augmented,
};
use afina_dataset::{Dataset, Split, split_parts, split_rows, to_own_format};
use anyhow::{Context, Result, bail};
use clap::Args;

use crate::input::{ColumnArgs, data_error, note_read_problems, parse_fraction, read_dataset};
use crate::output::{FileFormat, LISTED_LABELS, in_format, output_format, same_file, write};

/// Options of `afina augment`.
#[derive(Debug, Clone, Args)]
pub(crate) struct AugmentArgs {
    /// The dataset to augment (CSV/TSV/JSONL, the first sheet of an .xlsx workbook, or a JSON
    /// list).
    file: PathBuf,
    /// Where to write the rows kept and the new rows, in the format its extension names
    /// (.jsonl, .csv or .tsv) with the input's columns or keys; another name needs --format.
    #[arg(long)]
    out: PathBuf,
    /// The format of --out and --val-out when their names do not say it: jsonl, csv or tsv.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    /// Grow the training rows to this many rows in all (each label keeps its share).
    #[arg(long, required_unless_present = "balance", conflicts_with = "balance")]
    target: Option<usize>,
    /// Grow every label to the size of the largest one.
    #[arg(long)]
    balance: bool,
    /// Seed of every random choice: the same seed gives the same file.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Operations to use, separated by commas (default: all): synonym, insert, swap, delete,
    /// typo, accent, case, punctuation, repeat, greeting.
    #[arg(long, value_delimiter = ',', value_parser = parse_operation)]
    ops: Vec<Operation>,
    /// A rate as OP=VALUE, from 0 (off) to 1; repeat for several. For synonym, insert, swap,
    /// delete, typo, accent, case and repeat it is the share of words changed (α; at least
    /// one word); for punctuation the share of marks dropped; for greeting the share of user
    /// turns. Defaults: 0.1, accent 0.5, punctuation and greeting 1.
    #[arg(long = "rate", value_parser = parse_rate)]
    rates: Vec<(Operation, f32)>,
    /// A file of your own synonyms, one `word: alternative, alternative` per line (`#`
    /// starts a comment).
    #[arg(long)]
    synonyms: Option<PathBuf>,
    /// Hold out this share of each label for validation first, augment only the rest and
    /// write the held-out rows to --val-out.
    #[arg(long = "val-split", value_parser = parse_fraction, requires = "val_out")]
    val_split: Option<f32>,
    /// Where to write the validation rows of --val-split.
    #[arg(long = "val-out", requires = "val_split")]
    val_out: Option<PathBuf>,
    /// Language of every row (es or en); by default each row's is guessed from its words.
    #[arg(long, value_parser = parse_language)]
    language: Option<Language>,
    /// Keyboard layout of the typos (es or us); by default the language's.
    #[arg(long, value_parser = parse_keyboard)]
    keyboard: Option<Keyboard>,
    /// Also vary assistant turns of conversations (never the last answer).
    #[arg(long = "augment-assistant")]
    augment_assistant: bool,
    /// Let `accent` turn ñ into n too.
    #[arg(long = "drop-enye")]
    drop_enye: bool,
    /// Most new rows made from one row.
    #[arg(long = "max-per-row", default_value_t = 16)]
    max_per_row: usize,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// `--ops` items: an operation's name.
fn parse_operation(value: &str) -> Result<Operation, String> {
    value
        .parse()
        .map_err(|error: afina_dataset::augment::AugmentError| error.to_string())
}

/// `--rate`: `OP=VALUE` with a value from 0 to 1.
fn parse_rate(value: &str) -> Result<(Operation, f32), String> {
    let Some((name, rate)) = value.split_once('=') else {
        return Err(format!("{value:?} is not OP=VALUE, like typo=0.2"));
    };
    let operation = parse_operation(name)?;
    match rate.trim().parse::<f32>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok((operation, rate)),
        _ => Err(format!(
            "the rate of {operation} must be a number from 0 to 1, not {rate:?}"
        )),
    }
}

fn parse_language(value: &str) -> Result<Language, String> {
    value
        .parse()
        .map_err(|error: afina_dataset::augment::AugmentError| error.to_string())
}

fn parse_keyboard(value: &str) -> Result<Keyboard, String> {
    value
        .parse()
        .map_err(|error: afina_dataset::augment::AugmentError| error.to_string())
}

impl AugmentArgs {
    /// The library options these arguments ask for, reading the synonym file.
    fn options(&self) -> Result<AugmentOptions> {
        let defaults = AugmentOptions::default();
        let mut operations: Vec<(Operation, f32)> = if self.ops.is_empty() {
            defaults.operations.clone()
        } else {
            self.ops
                .iter()
                .map(|operation| (*operation, operation.default_rate()))
                .collect()
        };
        operations.extend(self.rates.iter().copied());
        let user_synonyms = match &self.synonyms {
            None => Vec::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                parse_user_synonyms(&text).with_context(|| format!("in {}", path.display()))?
            }
        };
        let options = AugmentOptions {
            seed: self.seed,
            operations,
            user_synonyms,
            augment_assistant: self.augment_assistant,
            max_variants_per_row: self.max_per_row,
            language: self.language,
            keyboard: self.keyboard,
            drop_enye: self.drop_enye,
        };
        if options.enabled().is_empty() {
            bail!("every operation is off: give --ops, or a --rate above 0");
        }
        Ok(options)
    }
}

/// Where the marks of a chat or prompt/completion JSONL output go: `OUT` with the extension
/// `.augment.jsonl` (`out.jsonl` → `out.augment.jsonl`).
fn sidecar_path(out: &Path) -> PathBuf {
    out.with_extension("augment.jsonl")
}

/// Runs `afina augment`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub(crate) fn run(args: &AugmentArgs) -> Result<ExitCode> {
    let options = args.options()?;
    if same_file(&args.file, &args.out) {
        bail!(
            "--out {} is the input file: choose another path",
            args.out.display()
        );
    }
    if let Some(val_out) = &args.val_out
        && (val_out == &args.out || same_file(val_out, &args.file))
    {
        bail!(
            "--val-out {} must differ from the input and --out",
            val_out.display()
        );
    }
    let out_format = output_format("--out", &args.out, args.format)?;
    let val_format = match &args.val_out {
        Some(val_out) => Some(output_format("--val-out", val_out, args.format)?),
        None => None,
    };
    let dataset = match read_dataset(&args.file, &args.columns.options(true))? {
        Ok(dataset) => dataset,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    note_read_problems(&args.file, &dataset);
    let dataset = in_format(dataset, out_format);
    if dataset.rows.is_empty() {
        return Ok(data_error(&format!(
            "{} has no valid row to augment",
            dataset.file_name
        )));
    }
    let split = match args.val_split {
        Some(fraction) => split_rows(&dataset, fraction, args.seed),
        None => Split {
            train: (0..dataset.rows.len()).collect(),
            validation: Vec::new(),
        },
    };
    if args.val_split.is_some() && (split.train.is_empty() || split.validation.is_empty()) {
        return Ok(data_error(&format!(
            "{} valid row(s) cannot be split: a label needs at least 2 examples to hold one out \
             for validation. Add examples, or leave out --val-split.",
            dataset.rows.len()
        )));
    }
    let goal = match args.target {
        Some(total) => Goal::TargetRows(total),
        None => Goal::Balance,
    };
    let augmented = match augment_split(&dataset, &split, goal, &options) {
        Ok(augmented) => augmented,
        Err(error) => bail!(error.to_string()),
    };
    let file = match write_augmented(&dataset, &split.train, &augmented) {
        Ok(file) => file,
        Err(error) => return Ok(data_error(&error.to_string())),
    };
    let validation_file = match args.val_split {
        Some(_) => match to_own_format(&in_format(
            split_parts(&dataset, &split).1,
            val_format.unwrap_or(out_format),
        )) {
            Ok(converted) => Some(converted),
            Err(error) => return Ok(data_error(&error.to_string())),
        },
        None => None,
    };

    write(&args.out, &file.converted)?;
    let marks_note = match &file.marks {
        Marks::Columns => "marks in the columns augmented, source_line, operations".to_owned(),
        Marks::Sidecar(sidecar) => {
            let path = sidecar_path(&args.out);
            std::fs::write(&path, sidecar)
                .with_context(|| format!("cannot write {}", path.display()))?;
            format!("marks in {}", path.display())
        }
    };
    let training = split_parts(&dataset, &split).0;
    println!(
        "{}: {} rows, {} of them augmented as training rows{}",
        dataset.file_name,
        dataset.rows.len(),
        split.train.len(),
        if split.validation.is_empty() {
            String::new()
        } else {
            format!(" ({} held out for validation)", split.validation.len())
        }
    );
    println!(
        "new rows: {} · duplicates dropped: {} · short of the goal: {}",
        augmented.rows.len(),
        augmented.dropped_duplicates,
        augmented.short_of_goal
    );
    print_label_changes(
        &training,
        &augmented_dataset(&dataset, &split.train, &augmented),
    );
    println!(
        "wrote {} rows to {} ({marks_note})",
        file.converted.rows,
        args.out.display()
    );
    if let (Some(converted), Some(path)) = (&validation_file, &args.val_out) {
        write(path, converted)?;
        println!(
            "wrote {} validation rows to {}",
            converted.rows,
            path.display()
        );
    }
    if augmented.short_of_goal > 0 {
        eprintln!(
            "note: {} row(s) the goal asked for could not be made: the rows ran out of distinct \
             variants (raise --max-per-row, enable more --ops or add --synonyms)",
            augmented.short_of_goal
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints `  label: before → after` lines, or a summary when the answers are free-form.
fn print_label_changes(before: &Dataset, after: &Dataset) {
    let before_counts = before.label_counts();
    let after_counts = after.label_counts();
    let examples: usize = after_counts.values().sum();
    if after_counts.len() * 2 > examples && after_counts.len() > LISTED_LABELS {
        println!(
            "  {} different answers (free-form, not counted per label)",
            after_counts.len()
        );
        return;
    }
    let labels: BTreeMap<&String, (usize, usize)> = after_counts
        .iter()
        .map(|(label, count)| {
            (
                label,
                (before_counts.get(label).copied().unwrap_or(0), *count),
            )
        })
        .collect();
    println!("  label: before → after");
    for (label, (was, now)) in labels.iter().take(LISTED_LABELS) {
        println!("  {label}: {was} → {now}");
    }
    if labels.len() > LISTED_LABELS {
        println!("  … and {} more labels", labels.len() - LISTED_LABELS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_names_parse() {
        assert_eq!(parse_rate("typo=0.2"), Ok((Operation::Typo, 0.2)));
        assert_eq!(parse_rate("Synonym = 1"), Ok((Operation::Synonym, 1.0)));
        assert!(parse_rate("typo").is_err());
        assert!(parse_rate("typo=2").is_err());
        assert!(parse_rate("shuffle=0.1").is_err());
        assert_eq!(parse_language("en"), Ok(Language::English));
        assert_eq!(parse_keyboard("us"), Ok(Keyboard::UsQwerty));
        assert_eq!(
            sidecar_path(Path::new("dir/out.jsonl")),
            PathBuf::from("dir/out.augment.jsonl")
        );
        assert_eq!(
            sidecar_path(Path::new("out")),
            PathBuf::from("out.augment.jsonl")
        );
    }
}
