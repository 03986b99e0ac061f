//! `afina validate` and `afina report`: every finding of a dataset (whole, or the checks that
//! stream with `--quick`) as text or JSON, and its Markdown quality report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_dataset::stream::{self, NotStreamable, StreamReport};
use afina_dataset::tokens::{self, ModelLimit, TokenReport};
use afina_dataset::{
    Dataset, Finding, ParseOptions, ReportLanguage, ReportOptions, Severity, parse_with,
    quality_report,
};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::input::{
    ColumnArgs, conversion_command, file_name, print_file_error, read_dataset, today,
};

/// What `afina validate` was asked to do.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
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
    /// JSON Lines and CSV/TSV in UTF-8: the whole report (the quality findings too, the same
    /// as without it) read as a stream, keeping digests of the rows instead of the rows: for
    /// files too big to hold. Prints the --quick layout. Workbooks and other encodings are
    /// read whole.
    #[arg(long, conflicts_with = "quick")]
    stream: bool,
    #[command(flatten)]
    tokens: TokenArgs,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// What `afina report` was asked to do.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
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

/// Runs `afina validate`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub(crate) fn run_validate(args: &ValidateArgs) -> Result<ExitCode> {
    validate(
        &args.file,
        args.json,
        Streamed::of(args.quick, args.stream),
        &args.tokens,
        &args.columns.options(false),
    )
}

/// Runs `afina report`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub(crate) fn run_report(args: &ReportArgs) -> Result<ExitCode> {
    report(
        &args.file,
        args.lang,
        args.out.as_deref(),
        &args.columns.options(false),
    )
}

/// Whether `afina validate` streams the file, and with which checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Streamed {
    /// Read whole (the default).
    No,
    /// `--quick`: the checks that stream without the quality report.
    Quick,
    /// `--stream`: every check, the quality report's passes keeping digests of the rows.
    Whole,
}

impl Streamed {
    fn of(quick: bool, stream: bool) -> Self {
        match (quick, stream) {
            (true, _) => Self::Quick,
            (false, true) => Self::Whole,
            (false, false) => Self::No,
        }
    }
}

fn validate(
    file: &Path,
    json: bool,
    streamed: Streamed,
    token_args: &TokenArgs,
    options: &ParseOptions,
) -> Result<ExitCode> {
    let (model, price) = token_args.choice()?;
    let name = file_name(file);
    if streamed != Streamed::No {
        let reader =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let report = match streamed {
            Streamed::Whole => stream::validate_reader_with_quality(&name, reader, options),
            _ => stream::validate_reader(&name, reader, options, threads),
        };
        match report {
            Ok(report) => return print_quick_report(&report, json, streamed, &model, price),
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
        date: Some(today()),
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

fn print_quick_report(
    report: &StreamReport,
    json: bool,
    streamed: Streamed,
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
                "mode": if streamed == Streamed::Whole { "stream" } else { "quick" },
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
        let checks = if streamed == Streamed::Whole {
            "streamed: every check and the quality report"
        } else {
            "quick: format checks, exact duplicates, labels and tokens"
        };
        println!(
            "{}: {} · {} · {} lines, {} valid rows, {} errors, {} warnings ({checks})",
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
