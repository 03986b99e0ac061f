//! `afina eval` and `afina predict`: a saved model scored on a labelled file, or classifying
//! texts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use afina_trainer::{CALIBRATION_BINS, Metrics, TrainedModel, expected_calibration_error};
use anyhow::{Context, Result, bail};
use clap::Args;

use crate::device::{DeviceChoice, pick_device};
use crate::encoder_file::EncoderFileArgs;
use crate::input::{ColumnArgs, print_file_error, read_dataset};

/// What `afina eval` was asked to do.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
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
}

/// What `afina predict` was asked to do.
#[derive(Debug, Args)]
pub(crate) struct PredictArgs {
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

/// Runs `afina eval`.
///
/// # Errors
/// Usage and I/O failures (exit code 2); data problems are reported here with exit code 1.
pub(crate) fn eval(args: &EvalArgs) -> Result<ExitCode> {
    let (file, json) = (args.file.as_path(), args.json);
    let model = load_model(&args.model, &args.encoder, args.device)?;
    let dataset = match read_dataset(file, &args.columns.options(true))? {
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

/// Runs `afina predict`.
///
/// # Errors
/// Usage and I/O failures (exit code 2).
pub(crate) fn predict(args: &PredictArgs) -> Result<ExitCode> {
    let texts = &args.texts;
    let model = load_model(&args.model, &args.encoder, args.device)?;
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
