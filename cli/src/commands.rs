//! The subcommands and what each one does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::stream::{self, NotStreamable, StreamReport};
use afina_dataset::tokens::{self, ModelLimit, TokenReport};
use afina_dataset::{
    Dataset, FileError, Finding, ParseOptions, ReportLanguage, ReportOptions, Schema, Severity,
    parse_with, quality_report,
};
use afina_trainer::{CALIBRATION_BINS, Metrics, TrainedModel, expected_calibration_error};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::augment::{self, AugmentArgs};
use crate::convert::{self, Target};
use crate::device::{DeviceChoice, pick_device};
use crate::embed::{self, EmbedArgs};
use crate::encoder_file::EncoderFileArgs;
use crate::input::{ColumnArgs, file_name, read_dataset};
use crate::train::{self, TrainArgs};

/// Afina: check fine-tuning datasets and train small text classifiers.
#[derive(Debug, Parser)]
#[command(name = "afina", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a CSV/TSV/JSONL or Excel (.xlsx) file and list every problem with its line.
    ///
    /// Exit code: 0 no errors; 1 errors found, in rows or in the whole file (then `--json`
    /// lists one error with `"line": null`); 2 usage or I/O failure.
    Validate {
        /// The file to check.
        file: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
        /// JSON Lines and CSV/TSV in UTF-8: the checks that stream (JSON Lines on every core) —
        /// the format of every line or record (as OpenAI's checker, each error located), blank
        /// lines, exact duplicates, labels and tokens — without the quality report that needs
        /// every row at once (near duplicates, chat style, personal data). For big files.
        /// Workbooks and other encodings are read whole.
        #[arg(long)]
        quick: bool,
        #[command(flatten)]
        tokens: TokenArgs,
        #[command(flatten)]
        columns: ColumnArgs,
    },
    /// Write a Markdown quality report of a dataset, in Spanish or English: summary, labels,
    /// every finding grouped by kind with its lines and how to fix it, what to do next, and a
    /// token estimate.
    ///
    /// Exit code: 0 no errors; 1 errors found, in rows (the report is still written) or in the
    /// whole file (nothing is written; the reason goes to stderr); 2 usage or I/O failure.
    Report {
        /// The file to report on.
        file: PathBuf,
        /// Language of the report.
        #[arg(long, value_enum, default_value_t = Lang::Es)]
        lang: Lang,
        /// Write the report to this file instead of the standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        columns: ColumnArgs,
    },
    /// Convert a dataset to chat JSONL, text/label JSONL, prompt/completion JSONL or CSV.
    ///
    /// A JSON list or pretty-printed JSON is read as JSONL (with a note on stderr). Rows with
    /// errors, and rows that do not fit the target format, are left out with a note on stderr;
    /// the rest is written and the exit code is still 0. CSV cells starting with = + - @ get a
    /// leading ' so spreadsheets do not run them as formulas.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset or has no row to write;
    /// 2 usage or I/O failure.
    Convert {
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
        #[arg(long, value_parser = convert::parse_delimiter)]
        delimiter: Option<char>,
        #[command(flatten)]
        columns: ColumnArgs,
    },
    /// Split a dataset into training and validation files, keeping each label's share.
    ///
    /// Writes DIR/<stem>.train.<ext> and DIR/<stem>.val.<ext> in the file's own format (CSV
    /// for a workbook) and prints the rows per label of each. Rows with errors are left out
    /// with a note on stderr and the exit code is still 0.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset or a part would be empty;
    /// 2 usage or I/O failure.
    Split {
        /// The dataset to split (CSV/TSV/JSONL, the first sheet of an .xlsx workbook, or a JSON
        /// list).
        file: PathBuf,
        /// Share of each label held out for validation, above 0 and below 1.
        #[arg(long, default_value_t = 0.2, value_parser = convert::parse_fraction)]
        val: f32,
        /// Seed of the shuffle: the same seed gives the same split.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Folder to write the two files to (created if missing).
        #[arg(long = "out-dir")]
        out_dir: PathBuf,
        #[command(flatten)]
        columns: ColumnArgs,
    },
    /// Grow a dataset with varied copies of its rows: synonyms, word insertion, swap and
    /// deletion (EDA), keyboard typos, dropped accents and punctuation, case changes,
    /// repeated letters and chat greetings. Negators (no, nunca, not, n't …) are never
    /// removed or moved, labels and answers never change.
    ///
    /// --target N grows the rows to N in all; --balance grows every label to the largest.
    /// With --val-split only the training part is augmented and no variant of (or equal to) a
    /// validation row is made. Every new row is marked (augmented, source line, operations):
    /// in extra columns for CSV and text/label JSONL, in OUT.augment.jsonl for chat and
    /// prompt/completion JSONL, whose OpenAI format allows no extra keys. New rows that repeat
    /// a row (ignoring case and spaces) are dropped and counted.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset, has no row, or cannot be
    /// split; 2 usage or I/O failure (including a bad --synonyms file).
    Augment(AugmentArgs),
    /// Train a classifier on a labelled file and save it.
    ///
    /// The text and label columns are found by name (text/sentence/texto/review/comentario,
    /// label/labels/target/etiqueta/sentiment/clase) or given with --text-column /
    /// --label-column. Exit code: 0 trained; 1 a file cannot be read as a dataset or holds
    /// nothing to learn; 2 usage or I/O failure.
    Train(TrainArgs),
    /// Write the sentence vectors of a file's labelled rows with the pretrained encoder
    /// (multilingual-e5-small, from $AFINA_E5_MODEL or --model-file) as JSON Lines, and print
    /// the speed.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset or has no labelled row;
    /// 2 usage, model file or I/O failure.
    Embed(EmbedArgs),
    /// Score a saved model on a labelled file: accuracy, macro F1, per-class precision /
    /// recall / F1 and the confusion matrix, beside the majority-class baseline.
    ///
    /// Rows whose label the model does not know are left out, with a note on stderr.
    /// Exit code: 0 scored; 1 the file cannot be read as a dataset or has no row the model
    /// can be scored on; 2 usage or I/O failure (including a file that is not a model).
    Eval {
        /// A model file written by `afina train`.
        model: PathBuf,
        /// Labelled data (CSV/TSV/JSONL or .xlsx with text and label).
        file: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        columns: ColumnArgs,
        #[command(flatten)]
        encoder: EncoderFileArgs,
        /// Device to run the model on.
        #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
        device: DeviceChoice,
    },
    /// Classify texts with a saved model.
    Predict {
        /// A model file written by `afina train`.
        model: PathBuf,
        /// Texts to classify.
        #[arg(required = true)]
        texts: Vec<String>,
        #[command(flatten)]
        encoder: EncoderFileArgs,
        /// Device to run the model on.
        #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
        device: DeviceChoice,
    },
}

/// Language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    /// Spanish.
    Es,
    /// English.
    En,
}

/// Which model the token estimate is for, and at what price.
#[derive(Debug, Clone, Args)]
pub(crate) struct TokenArgs {
    /// Model for the per-example token limit and the default price: gpt-4o-mini-2024-07-18
    /// (default), gpt-4o-2024-08-06, gpt-4.1-mini-2025-04-14, gpt-4.1-2025-04-14 or
    /// gpt-3.5-turbo-0125.
    #[arg(long, default_value = tokens::MODELS[0].name)]
    model: String,
    /// Training price in US dollars per million tokens (default: the model's list price when
    /// Afina was written; check OpenAI's current price).
    #[arg(long)]
    price: Option<f64>,
}

impl TokenArgs {
    /// The model and the price to use.
    fn choice(&self) -> Result<(ModelLimit, f64)> {
        let Some(model) = tokens::model(&self.model) else {
            let known: Vec<&str> = tokens::MODELS.iter().map(|model| model.name).collect();
            bail!(
                "unknown model {:?}; use one of {}",
                self.model,
                known.join(", ")
            );
        };
        let price = self.price.unwrap_or(model.usd_per_million_training_tokens);
        if !(price.is_finite() && price >= 0.0) {
            bail!("--price must be a number of dollars, 0 or more");
        }
        Ok((model, price))
    }
}

/// Runs the parsed command and returns the process exit code.
///
/// # Errors
/// Usage and I/O failures, reported by `main` with exit code 2.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate {
            file,
            json,
            quick,
            tokens,
            columns,
        } => validate(&file, json, quick, &tokens, &columns.options(false)),
        Command::Report {
            file,
            lang,
            out,
            columns,
        } => report(&file, lang, out.as_deref(), &columns.options(false)),
        Command::Convert {
            file,
            to,
            out,
            system,
            delimiter,
            columns,
        } => convert::convert(&convert::ConvertArgs {
            file,
            to,
            out,
            system,
            delimiter,
            options: columns.options(true),
        }),
        Command::Split {
            file,
            val,
            seed,
            out_dir,
            columns,
        } => convert::split(&file, val, seed, &out_dir, &columns.options(true)),
        Command::Augment(args) => augment::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Embed(args) => embed::run(&args),
        Command::Predict {
            model,
            texts,
            encoder,
            device,
        } => predict(&model, &texts, &encoder, device),
        Command::Eval {
            model,
            file,
            json,
            columns,
            encoder,
            device,
        } => eval(
            &model,
            &file,
            json,
            &columns.options(true),
            &encoder,
            device,
        ),
    }
}

fn validate(
    file: &Path,
    json: bool,
    quick: bool,
    token_args: &TokenArgs,
    options: &ParseOptions,
) -> Result<ExitCode> {
    let (model, price) = token_args.choice()?;
    let name = file_name(file);
    if quick {
        let reader =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        match stream::validate_reader(&name, reader, options, threads) {
            Ok(report) => return print_quick_report(&report, json, &model, price),
            Err(NotStreamable::File(error)) => return print_file_error(&error, file, json),
            // Not JSON Lines in UTF-8: read it whole below.
            Err(NotStreamable::Other(_)) => {}
        }
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let dataset = match parse_with(&name, &bytes, options) {
        Ok(dataset) => dataset,
        Err(error) => return print_file_error(&error, file, json),
    };
    let tokens = tokens::dataset_token_counts(&dataset).report(&model, price);
    if json {
        println!(
            "{}",
            serde_json::to_string(&validation_report(&dataset, tokens.as_ref())?)?
        );
    } else {
        println!(
            "{}: {} · {} · {} valid rows, {} errors, {} warnings",
            dataset.file_name,
            dataset.format,
            dataset.encoding,
            dataset.rows.len(),
            dataset.error_count(),
            dataset.warning_count()
        );
        print_tokens(tokens.as_ref());
        print_findings(&dataset.findings);
    }
    Ok(if dataset.error_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn report(file: &Path, lang: Lang, out: Option<&Path>, options: &ParseOptions) -> Result<ExitCode> {
    let language = match lang {
        Lang::Es => ReportLanguage::Es,
        Lang::En => ReportLanguage::En,
    };
    if let Some(out) = out {
        check_report_out(out)?;
    }
    let dataset = match read_dataset(file, options)? {
        Ok(dataset) => dataset,
        Err(error) => {
            let message = error.message();
            let text = match language {
                ReportLanguage::Es => message.es,
                ReportLanguage::En => message.en,
            };
            eprintln!("{}: error [{}] {text}", error.file(), error.code());
            if let Some(command) = conversion_command(&error, file) {
                eprintln!("To convert it / Para convertirlo: {command}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let options = ReportOptions {
        language,
        date: Some(crate::train::today()),
        ..ReportOptions::default()
    };
    let markdown = quality_report(&dataset, &options);
    match out {
        Some(out) => std::fs::write(out, &markdown)
            .with_context(|| format!("cannot write {}", out.display()))?,
        None => print!("{markdown}"),
    }
    Ok(if dataset.error_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Refuses a report `--out` named as a data file: the report is Markdown (`.md`, `.markdown`
/// or `.txt`, or a name without an extension).
fn check_report_out(out: &Path) -> Result<()> {
    let extension = out
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
    if matches!(extension.as_deref(), None | Some("md" | "markdown" | "txt")) {
        return Ok(());
    }
    bail!(
        "--out {path}: the report is Markdown, not .{extension}. Name the file .md (for example \
         {stem}.md). / --out {path}: el informe es Markdown, no .{extension}. Llama al archivo .md \
         (por ejemplo {stem}.md).",
        path = out.display(),
        extension = extension.unwrap_or_default(),
        stem = out.with_extension("").display(),
    )
}

fn print_file_error(error: &FileError, file: &Path, json: bool) -> Result<ExitCode> {
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
fn conversion_command(error: &FileError, file: &Path) -> Option<String> {
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

fn print_quick_report(
    report: &StreamReport,
    json: bool,
    model: &ModelLimit,
    price: f64,
) -> Result<ExitCode> {
    let tokens = report
        .tokens
        .iter()
        .find(|tokens| tokens.model == model.name)
        .map(|tokens| with_price(tokens, price));
    if json {
        let document = serde_json::json!({
            "file": report.file_name,
            "errors": with_severity(&report.findings, Severity::Error),
            "warnings": with_severity(&report.findings, Severity::Warning),
            "stats": {
                "mode": "quick",
                "rows": report.rows,
                "lines": report.lines,
                "format": report.format.to_string(),
                "encoding": report.encoding,
                "labels": report.labels,
                "codes": report.codes,
                "tokens": tokens,
            },
        });
        println!("{}", serde_json::to_string(&document)?);
    } else {
        println!(
            "{}: {} · {} · {} lines, {} valid rows, {} errors, {} warnings (quick: format checks, \
             exact duplicates, labels and tokens)",
            report.file_name,
            report.format,
            report.encoding,
            report.lines,
            report.rows,
            report.errors,
            report.warnings
        );
        print_tokens(tokens.as_ref());
        print_findings(&report.findings);
    }
    Ok(if report.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `report` at another price.
fn with_price(report: &TokenReport, usd_per_million: f64) -> TokenReport {
    TokenReport {
        usd_per_million,
        cost_usd: report.billed_tokens as f64 / 1e6 * usd_per_million,
        ..report.clone()
    }
}

fn print_tokens(tokens: Option<&TokenReport>) {
    let Some(tokens) = tokens else {
        return;
    };
    println!(
        "tokens (estimate, ~4 characters per token): {} in {} examples, {}–{} per example \
         (median {}), {} over the {}-token limit of {}; {} epochs by default → ~{} billed \
         tokens ≈ ${:.2} at ${}/M",
        tokens.total,
        tokens.examples,
        tokens.min,
        tokens.max,
        tokens.median,
        tokens.over_limit,
        tokens.limit,
        tokens.model,
        tokens.epochs,
        tokens.billed_tokens,
        tokens.cost_usd,
        tokens.usd_per_million
    );
}

fn print_findings(findings: &[Finding]) {
    for finding in findings {
        let place = match (finding.line, finding.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", finding.file),
            (Some(line), None) => format!("{}:{line}", finding.file),
            _ => finding.file.clone(),
        };
        let severity = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!(
            "{place}: {severity} [{}] {}",
            finding.code, finding.message.en
        );
    }
}

/// The findings of one severity, for the `errors` and `warnings` of the `--json` report.
fn with_severity(findings: &[Finding], severity: Severity) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|finding| finding.severity == severity)
        .collect()
}

/// The `--json` document of `afina validate`, serialized as it is written: keys in the
/// sorted order a `serde_json::Value` gives, labels borrowed from the rows (a chat file with
/// free-form answers lists every answer: building that as a `Value` took a fifth of the run).
#[derive(Serialize)]
struct ValidationReport<'a> {
    errors: Vec<serde_json::Value>,
    file: &'a str,
    stats: ValidationStats<'a>,
    warnings: Vec<serde_json::Value>,
}

/// The `stats` of [`ValidationReport`].
#[derive(Serialize)]
struct ValidationStats<'a> {
    encoding: &'a str,
    format: String,
    labels: BTreeMap<&'a str, usize>,
    mode: &'static str,
    rows: usize,
    tokens: Option<serde_json::Value>,
}

/// The `--json` document of `afina validate`.
fn validation_report<'a>(
    dataset: &'a Dataset,
    tokens: Option<&TokenReport>,
) -> Result<ValidationReport<'a>> {
    let values = |severity| -> Result<Vec<serde_json::Value>> {
        with_severity(&dataset.findings, severity)
            .into_iter()
            .map(|finding| Ok(serde_json::to_value(finding)?))
            .collect()
    };
    // The counts of `Dataset::label_counts`, without copying the labels.
    let mut labels = BTreeMap::<&str, usize>::new();
    for label in dataset.rows.iter().filter_map(|row| row.example_label()) {
        *labels.entry(label).or_insert(0) += 1;
    }
    Ok(ValidationReport {
        errors: values(Severity::Error)?,
        file: &dataset.file_name,
        stats: ValidationStats {
            encoding: &dataset.encoding,
            format: dataset.format.to_string(),
            labels,
            mode: "full",
            rows: dataset.rows.len(),
            tokens: tokens.map(serde_json::to_value).transpose()?,
        },
        warnings: values(Severity::Warning)?,
    })
}

/// The `--json` document of `afina validate` for a file that cannot be read as a dataset:
/// the same shape, with one error that has no line.
fn file_error_report(error: &FileError) -> serde_json::Value {
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

/// Texts classified at a time by `afina eval`.
const EVAL_BATCH: usize = 512;

/// Loads a model file, with the pretrained encoder it stands on when it names one.
fn load_model(
    path: &Path,
    encoder: &EncoderFileArgs,
    device: DeviceChoice,
) -> Result<TrainedModel> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let device = pick_device(device)?;
    let cannot_load = || format!("cannot load {}", path.display());
    let base = TrainedModel::base_model_of(&bytes)
        .map_err(afina_trainer::TrainError::from)
        .with_context(cannot_load)?;
    let encoder = match base {
        Some(_) => Some(encoder.load(&device).with_context(|| {
            format!(
                "{} was trained on multilingual-e5-small and needs its file ({} se entrenó sobre \
                 multilingual-e5-small y necesita su archivo)",
                path.display(),
                path.display()
            )
        })?),
        None => None,
    };
    TrainedModel::from_bytes_with_base(&bytes, encoder, &device).with_context(cannot_load)
}

fn eval(
    model_path: &Path,
    file: &Path,
    json: bool,
    options: &ParseOptions,
    encoder: &EncoderFileArgs,
    device: DeviceChoice,
) -> Result<ExitCode> {
    let model = load_model(model_path, encoder, device)?;
    let dataset = match read_dataset(file, options)? {
        Ok(dataset) => dataset,
        Err(error) => return print_file_error(&error, file, json),
    };
    let labels = model.labels().to_vec();
    let mut texts = Vec::new();
    let mut actual = Vec::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    for example in dataset.examples() {
        match labels.iter().position(|label| *label == example.label) {
            Some(index) => {
                actual.push(index);
                texts.push(example.text);
            }
            None => *unknown.entry(example.label).or_insert(0) += 1,
        }
    }
    for (label, rows) in &unknown {
        eprintln!(
            "note: {rows} rows with the label {label:?}, which the model does not know, are left out"
        );
    }
    if texts.is_empty() {
        eprintln!(
            "{}: no row has a label the model knows ({})",
            dataset.file_name,
            labels.join(", ")
        );
        return Ok(ExitCode::from(1));
    }
    let mut predicted = Vec::with_capacity(texts.len());
    let mut probabilities = Vec::with_capacity(texts.len());
    for batch in texts.chunks(EVAL_BATCH) {
        let inputs: Vec<&str> = batch.iter().map(String::as_str).collect();
        for prediction in pollster::block_on(model.predict(&inputs))? {
            let Some(top) = prediction.top() else {
                bail!("the model has no labels");
            };
            predicted.push(
                labels
                    .iter()
                    .position(|label| *label == top.label)
                    .unwrap_or(0),
            );
            probabilities.push(prediction.in_label_order(&labels));
        }
    }
    let metrics = Metrics::compute(&labels, &actual, &predicted);
    let calibration_error = expected_calibration_error(&probabilities, &actual, CALIBRATION_BINS);
    if json {
        let per_class: serde_json::Map<String, serde_json::Value> = metrics
            .per_class
            .iter()
            .map(|class| {
                (
                    class.label.clone(),
                    serde_json::json!({
                        "precision": class.precision,
                        "recall": class.recall,
                        "f1": class.f1,
                        "support": class.support,
                    }),
                )
            })
            .collect();
        let document = serde_json::json!({
            "file": dataset.file_name,
            "rows": metrics.rows,
            "left_out": unknown.values().sum::<usize>(),
            "labels": labels,
            "accuracy": metrics.accuracy,
            "majority_baseline": metrics.majority_baseline,
            "macro_f1": metrics.macro_f1,
            "weighted_f1": metrics.weighted_f1,
            "expected_calibration_error": calibration_error,
            "temperature": model.temperature(),
            "per_class": per_class,
            "confusion": metrics.confusion,
        });
        println!("{}", serde_json::to_string(&document)?);
    } else {
        println!(
            "{}: {} rows · accuracy {:.1} % (majority class {:.1} %) · macro F1 {:.3} · weighted F1 {:.3} · calibration error {:.1} %",
            dataset.file_name,
            metrics.rows,
            metrics.accuracy * 100.0,
            metrics.majority_baseline * 100.0,
            metrics.macro_f1,
            metrics.weighted_f1,
            calibration_error * 100.0
        );
        println!("label\tprecision\trecall\tf1\tsupport");
        for class in &metrics.per_class {
            println!(
                "{}\t{:.3}\t{:.3}\t{:.3}\t{}",
                class.label, class.precision, class.recall, class.f1, class.support
            );
        }
        println!("confusion (rows: true label, columns: predicted, in the order above):");
        for row in &metrics.confusion {
            let cells: Vec<String> = row.iter().map(usize::to_string).collect();
            println!("{}", cells.join("\t"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn predict(
    model: &Path,
    texts: &[String],
    encoder: &EncoderFileArgs,
    device: DeviceChoice,
) -> Result<ExitCode> {
    let model = load_model(model, encoder, device)?;
    let inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let predictions = pollster::block_on(model.predict(&inputs))?;
    for (text, prediction) in texts.iter().zip(predictions) {
        let Some(top) = prediction.top() else {
            bail!("the model has no labels");
        };
        println!("{}\t{:.0} %\t{text}", top.label, top.probability * 100.0);
    }
    Ok(ExitCode::SUCCESS)
}
