//! `afina embed`: the sentence vectors of a file's rows with the pretrained encoder
//! (multilingual-e5-small), written as JSON Lines, with the speed on stderr.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::device::{DeviceChoice, pick_device};
use crate::encoder_file::EncoderFileArgs;
use crate::input::{ColumnArgs, read_dataset};

/// Options of `afina embed`.
#[derive(Debug, Clone, Args)]
pub(crate) struct EmbedArgs {
    /// Labelled data (CSV/TSV/JSONL or .xlsx with a text and a label column).
    file: PathBuf,
    /// Where to write the vectors: a .jsonl file, one {"line", "text", "label", "vector"} per row.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    encoder: EncoderFileArgs,
    /// Device to run the encoder on.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    device: DeviceChoice,
    /// Longest input in tokens (`<s>` and `</s>` included); longer rows are cut.
    #[arg(long = "max-len", default_value_t = 128)]
    max_len: usize,
    /// Rows per batch (rows of similar length are batched together).
    #[arg(long = "batch-size", default_value_t = 32)]
    batch_size: usize,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// Runs `afina embed`. Exit code 1 when the data file cannot be read as a dataset or has no
/// labelled row; usage, model and I/O errors are returned (exit code 2).
pub(crate) fn run(args: &EmbedArgs) -> Result<ExitCode> {
    let is_jsonl = args
        .out
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("jsonl"));
    if !is_jsonl {
        bail!(
            "--out {}: vectors are written as JSON Lines; give a file name ending in .jsonl \
             (los vectores se escriben en JSON Lines: usa un nombre que acabe en .jsonl)",
            args.out.display()
        );
    }
    if args.max_len < 2 || args.batch_size == 0 {
        bail!(
            "--max-len must be 2 or more and --batch-size 1 or more \
             (--max-len debe ser 2 o más y --batch-size 1 o más)"
        );
    }
    let dataset = match read_dataset(&args.file, &args.columns.options(true))? {
        Ok(dataset) => dataset,
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::from(1));
        }
    };
    let rows: Vec<_> = dataset
        .rows
        .iter()
        .filter_map(|row| Some((row.line, row.example()?)))
        .collect();
    if rows.is_empty() {
        eprintln!(
            "{}: no row with a text and a label to embed / ningún registro con texto y etiqueta",
            dataset.file_name
        );
        return Ok(ExitCode::from(1));
    }
    let device = pick_device(args.device)?;
    let loading = Instant::now();
    let encoder = args.encoder.load(&device)?;
    let load_seconds = loading.elapsed().as_secs_f64();
    let texts: Vec<&str> = rows
        .iter()
        .map(|(_, example)| example.text.as_str())
        .collect();
    let max_len = args.max_len.min(encoder.max_tokens());
    let started = Instant::now();
    let encodings = encoder.encode_all(&texts, max_len);
    let tokens: usize = encodings.iter().map(|encoding| encoding.ids.len()).sum();
    let vectors = pollster::block_on(encoder.embed_all(&encodings, args.batch_size, &device))?;
    let seconds = started.elapsed().as_secs_f64();
    let cannot_write = || {
        format!(
            "cannot write {path} (no se puede escribir {path})",
            path = args.out.display()
        )
    };
    let file = std::fs::File::create(&args.out).with_context(cannot_write)?;
    let mut out = BufWriter::new(file);
    for ((line, example), vector) in rows.iter().zip(&vectors) {
        let record = serde_json::json!({
            "line": line,
            "text": example.text,
            "label": example.label,
            "vector": vector,
        });
        writeln!(out, "{record}").with_context(cannot_write)?;
    }
    out.flush().with_context(cannot_write)?;
    eprintln!(
        "embedded {} rows ({tokens} tokens, up to {max_len} a row) in {seconds:.2} s on {:?}: \
         {:.1} rows/s, {:.0} tokens/s (model loaded in {load_seconds:.2} s); wrote {}",
        rows.len(),
        args.device,
        rows.len() as f64 / seconds.max(1e-9),
        tokens as f64 / seconds.max(1e-9),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
