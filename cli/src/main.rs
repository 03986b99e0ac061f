//! `afina`: validate datasets, train and use classifiers from the command line.
//!
//! A thin shell over `afina-dataset` and `afina-trainer`: argument parsing, file I/O and
//! printing live here, nothing else. This file parses the command line and dispatches; each
//! subcommand's file owns its arguments and its work, and reads its data through `input` (and
//! writes it through `output`), never through another subcommand's file.

mod augment;
mod convert;
mod device;
mod embed;
mod encoder_file;
mod evaluate;
mod input;
mod output;
mod train;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::augment::AugmentArgs;
use crate::convert::{ConvertArgs, SplitArgs};
use crate::embed::EmbedArgs;
use crate::evaluate::{EvalArgs, PredictArgs};
use crate::train::TrainArgs;
use crate::validate::{ReportArgs, ValidateArgs};

/// mimalloc instead of the system allocator: the whole-file quality report allocates and frees
/// millions of small strings and keys across threads, and glibc's allocator took a quarter of
/// its time (BENCHMARKS.md, issue 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Afina: check fine-tuning datasets and train small text classifiers.
#[derive(Debug, Parser)]
#[command(name = "afina", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a CSV/TSV/JSONL or Excel (.xlsx) file and list every problem with its line.
    ///
    /// Exit code: 0 no errors; 1 errors found, in rows or in the whole file (then `--json`
    /// lists one error with `"line": null`); 2 usage or I/O failure.
    Validate(ValidateArgs),
    /// Write a Markdown quality report of a dataset, in Spanish or English: summary, labels,
    /// every finding grouped by kind with its lines and how to fix it, what to do next, and a
    /// token estimate.
    ///
    /// Exit code: 0 no errors; 1 errors found, in rows (the report is still written) or in the
    /// whole file (nothing is written; the reason goes to stderr); 2 usage or I/O failure.
    Report(ReportArgs),
    /// Convert a dataset to chat JSONL, text/label JSONL, prompt/completion JSONL or CSV.
    ///
    /// A JSON list or pretty-printed JSON is read as JSONL (with a note on stderr). Rows with
    /// errors, and rows that do not fit the target format, are left out with a note on stderr;
    /// the rest is written and the exit code is still 0. CSV cells starting with = + - @ get a
    /// leading ' so spreadsheets do not run them as formulas.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset or has no row to write;
    /// 2 usage or I/O failure.
    Convert(ConvertArgs),
    /// Split a dataset into training and validation files, keeping each label's share.
    ///
    /// Writes DIR/<stem>.train.<ext> and DIR/<stem>.val.<ext> in the file's own format (CSV
    /// for a workbook) and prints the rows per label of each. Rows with errors are left out
    /// with a note on stderr and the exit code is still 0.
    ///
    /// Exit code: 0 written; 1 the file cannot be read as a dataset or a part would be empty;
    /// 2 usage or I/O failure.
    Split(SplitArgs),
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
    Eval(EvalArgs),
    /// Classify texts with a saved model.
    Predict(PredictArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Validate(args) => validate::run_validate(&args),
        Command::Report(args) => validate::run_report(&args),
        Command::Convert(args) => convert::convert(&args),
        Command::Split(args) => convert::split(&args),
        Command::Augment(args) => augment::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Embed(args) => embed::run(&args),
        Command::Eval(args) => evaluate::eval(&args),
        Command::Predict(args) => evaluate::predict(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("afina: {error:#}");
            ExitCode::from(2)
        }
    }
}
