//! Stage 2, LoRA method: after stage 1 has trained a head on the frozen vectors, low-rank
//! adapters are put on the attention (query, key, value, output) and feed-forward (inner, outer)
//! matrices of every encoder layer, and trained together with the head; every weight of the
//! encoder itself stays frozen (the word table too, on the host).
//!
//! The adapters are burn-core 0.22.1's own ([`Module::apply_lora`]): each adapted weight `W`
//! (`[inputs, outputs]`) computes `W + alpha / rank · A·B` with `A` `[inputs, rank]` drawn from
//! N(0, 1/rank) and `B` `[rank, outputs]` zero, so the tuned model starts as the stage-1 model.
//! burn's default parameter group is every parameter — it would put an adapter on every 2-D
//! tensor, the position table included — so the group here is the ids of those six weights of
//! each layer. burn draws `A` from the device's random generator, which is seeded with the
//! run's seed first.
//!
//! The adapters stay attached, not merged: the layers kept in the model compute
//! `W + scale·A·B` in every forward pass (a `[inputs, rank] × [rank, outputs]` product per
//! matrix, small beside the batch's own work). The model file stores only `A` and `B` of each
//! matrix with the rank and alpha (about 2.7 MB at rank 8 for multilingual-e5-small, against
//! 86 MB for the full method); loading attaches them again to the base model's layers, so the
//! loaded model computes exactly what the trained one did.

use std::collections::HashMap;
use std::sync::Arc;

use burn::module::{Lora, LoraAdapter, Module, Param, ParamGroup, ParamId, Reparameterizer};
use burn::nn::Linear;
use burn::nn::transformer::TransformerEncoderLayer;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::config::TrainConfig;
use crate::error::{ModelFileError, TrainError};
use crate::progress::Observer;
use crate::train::{TrainData, TrainOutcome};

use super::embed::TextEncoder;
use super::model::Encoder;
use super::stage1::EmbeddingCache;
use super::stage2::{FineTuneConfig, Stage2Layers, train_stage2};

/// Default rank of the adapters (NOTES-encoder.md's anchor: LoRA r8, 0.73 ± 0.02).
pub const DEFAULT_LORA_RANK: usize = 8;

/// Default alpha of the adapters: the delta is scaled by alpha / rank (2 at rank 8).
pub const DEFAULT_LORA_ALPHA: f64 = 16.0;

/// Default peak learning rate of the LoRA method (the anchor's 5e-4: adapters start at zero
/// and need a larger rate than the full method's 2e-5).
pub const DEFAULT_LORA_LEARNING_RATE: f64 = 5e-4;

/// The matrices of each encoder layer that get an adapter, in the model file's order.
pub const ADAPTED_MATRICES: [&str; 6] = [
    "attention query",
    "attention key",
    "attention value",
    "attention output",
    "feed-forward inner",
    "feed-forward outer",
];

/// The settings of the LoRA method beside those of stage 1.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraConfig {
    /// Stage 1's settings (the head's first training).
    pub head: TrainConfig,
    /// Stage 2's: epochs, batch size, learning rate, weight decay, patience, seed.
    pub finetune: TrainConfig,
    /// Rank of every adapter (1 or more).
    pub rank: usize,
    /// Alpha of every adapter: the delta `A·B` is scaled by `alpha / rank`.
    pub alpha: f64,
}

impl Default for LoraConfig {
    /// The full method's defaults (stage 1's, then 4 epochs of AdamW, weight decay 0.01,
    /// batch 16, patience 2) at learning rate 5e-4, rank 8, alpha 16.
    fn default() -> Self {
        let full = FineTuneConfig::default();
        Self {
            head: full.head,
            finetune: TrainConfig {
                learning_rate: DEFAULT_LORA_LEARNING_RATE,
                ..full.finetune
            },
            rank: DEFAULT_LORA_RANK,
            alpha: DEFAULT_LORA_ALPHA,
        }
    }
}

/// Rank and alpha of a model's adapters, as its file's header states them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoraShape {
    /// Rank of every adapter.
    pub rank: usize,
    /// Alpha of every adapter (the delta is scaled by alpha / rank).
    pub alpha: f64,
}

impl LoraShape {
    /// The factor burn applies to `A·B` (computed as burn's [`Lora`] does).
    fn scale(self) -> f64 {
        self.alpha / self.rank as f64
    }
}

/// Trains stage 1, then adapters on the encoder's layers together with the head (stage 2).
/// Progress events of both stages go to `observer` (stage 1's epochs first, then stage 2's
/// from epoch 1 again).
///
/// # Errors
/// [`TrainError::InvalidSetting`] for a rank of 0 or an alpha that is not positive and finite;
/// otherwise as [`train_stage1`](super::stage1::train_stage1).
pub async fn train_lora(
    data: TrainData<'_>,
    config: &LoraConfig,
    encoder: &Arc<TextEncoder>,
    cache: &mut EmbeddingCache,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    if config.rank == 0 {
        return Err(TrainError::InvalidSetting {
            name: "lora rank",
            reason: "must be at least 1".into(),
        });
    }
    if !(config.alpha.is_finite() && config.alpha > 0.0) {
        return Err(TrainError::InvalidSetting {
            name: "lora alpha",
            reason: format!("must be a positive number, not {}", config.alpha),
        });
    }
    // burn draws `A` from the device's random generator: seeded, the same seed gives the same
    // model (the flex device's generator is global, and nothing else here draws from it).
    device.seed(config.finetune.seed);
    let layers = with_adapters(encoder.encoder.clone(), config.rank, config.alpha);
    let adapted = adapters(&layers).len();
    let trainable: usize = adapters(&layers)
        .iter()
        .map(|(_, _, adapter)| adapter.a.num_params() + adapter.b.num_params())
        .sum();
    let layer_count = layers.transformer.layers.len();
    let prepared = Stage2Layers {
        layers,
        trainable,
        method: "lora",
        what: format!(
            "LoRA: rank-{} adapters (alpha {}, scale {}) on {adapted} matrices — attention query, key, value and output and both feed-forward matrices of each of the {layer_count} layers — the encoder itself frozen (word table too), and the head",
            config.rank,
            config.alpha,
            config.alpha / config.rank as f64
        ),
        layers_unfrozen: format!("none of {layer_count} (adapters only)"),
        // The adapters are saved on their own: no whole layer is.
        frozen_layers: 0,
        extra: vec![
            ("LoRA rank".into(), config.rank.to_string()),
            ("LoRA alpha".into(), config.alpha.to_string()),
        ],
    };
    train_stage2(
        data,
        &config.head,
        &config.finetune,
        encoder,
        cache,
        device,
        observer,
        prepared,
    )
    .await
}

/// The six adapted linear layers of an encoder layer, in [`ADAPTED_MATRICES`] order.
fn adapted_linears(layer: &TransformerEncoderLayer) -> [&Linear; 6] {
    [
        &layer.mha.query,
        &layer.mha.key,
        &layer.mha.value,
        &layer.mha.output,
        &layer.pwff.linear_inner,
        &layer.pwff.linear_outer,
    ]
}

/// `encoder` with burn's LoRA adapters on the six matrices of every layer; every float
/// parameter of `encoder` is frozen, only the adapters train.
pub fn with_adapters(encoder: Encoder, rank: usize, alpha: f64) -> Encoder {
    let ids: Vec<ParamId> = encoder
        .transformer
        .layers
        .iter()
        .flat_map(|layer| adapted_linears(layer).map(|linear| linear.weight.id))
        .collect();
    encoder.apply_lora(Lora::new(rank, alpha).set_param_group(ParamGroup::from_ids(ids)))
}

/// The adapters of `encoder` with their layer and matrix index ([`ADAPTED_MATRICES`]), in
/// layer order; empty for layers without adapters.
pub(crate) fn adapters(encoder: &Encoder) -> Vec<(usize, usize, &LoraAdapter)> {
    let mut found = Vec::new();
    for (layer_index, layer) in encoder.transformer.layers.iter().enumerate() {
        for (matrix, linear) in adapted_linears(layer).into_iter().enumerate() {
            if let Some(adapter) = linear.weight.adapter() {
                found.push((layer_index, matrix, adapter));
            }
        }
    }
    found
}

/// Rank and alpha of `encoder`'s adapters, or `None` when it has none.
pub(crate) fn shape_of(encoder: &Encoder) -> Option<LoraShape> {
    let (_, _, adapter) = adapters(encoder).into_iter().next()?;
    let [_, rank] = adapter.a.val().dims();
    Some(LoraShape {
        rank,
        alpha: adapter.scale * rank as f64,
    })
}

/// The factors of one adapter as read from a model file.
pub(crate) struct StoredAdapter {
    /// Encoder layer.
    pub layer: usize,
    /// Index in [`ADAPTED_MATRICES`].
    pub matrix: usize,
    /// `A`, `[inputs, rank]`.
    pub a: Tensor<2>,
    /// `B`, `[rank, outputs]`.
    pub b: Tensor<2>,
}

/// `[inputs, outputs]` of the weight that adapter `matrix` of `layer` sits on, if there is one.
pub(crate) fn adapted_dims(base: &Encoder, layer: usize, matrix: usize) -> Option<[usize; 2]> {
    let layer = base.transformer.layers.get(layer)?;
    let linear = adapted_linears(layer).get(matrix).copied()?;
    Some(linear.weight.val().dims())
}

/// `base` with the adapters of a model file attached (not merged), as training left them.
///
/// # Errors
/// [`ModelFileError::Damaged`] when an adapter names a layer or matrix the base does not have,
/// or two name the same one.
pub(crate) fn attach(
    base: Encoder,
    shape: LoraShape,
    stored: Vec<StoredAdapter>,
) -> Result<Encoder, ModelFileError> {
    let mut by_weight = HashMap::with_capacity(stored.len());
    for adapter in stored {
        let id = base
            .transformer
            .layers
            .get(adapter.layer)
            .and_then(|layer| adapted_linears(layer).get(adapter.matrix).copied())
            .map(|linear| linear.weight.id)
            .ok_or_else(|| {
                ModelFileError::Damaged("an adapter names a matrix the base model lacks".into())
            })?;
        let attached = LoraAdapter {
            a: Param::from_tensor(adapter.a),
            b: Param::from_tensor(adapter.b),
            scale: shape.scale(),
        };
        if by_weight.insert(id, attached).is_some() {
            return Err(ModelFileError::Damaged(
                "two adapters for the same matrix".into(),
            ));
        }
    }
    Ok(base.apply_reparameterization(Stored { by_weight }))
}

/// Attaches adapters read from a file to the weights they belong to (by parameter id).
struct Stored {
    by_weight: HashMap<ParamId, LoraAdapter>,
}

impl Reparameterizer for Stored {
    type Reparam = LoraAdapter;

    fn reparameterize<const D: usize>(
        &mut self,
        _path: &str,
        param: Param<Tensor<D>>,
    ) -> (Param<Tensor<D>>, Option<LoraAdapter>) {
        let adapter = if D == 2 {
            self.by_weight.remove(&param.id)
        } else {
            None
        };
        (param, adapter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Epochs;
    use crate::encoder::test_file::{LAYERS, Recorder, reloaded, rows, tiny_model};
    use crate::error::ModelFileError;
    use crate::predict::{TextVectors, TrainedModel};
    use crate::readback::read_floats;

    fn config() -> LoraConfig {
        let defaults = LoraConfig::default();
        LoraConfig {
            head: TrainConfig {
                epochs: Epochs::Fixed(20),
                max_tokens: 12,
                ..defaults.head
            },
            finetune: TrainConfig {
                epochs: Epochs::Fixed(3),
                learning_rate: 1e-2,
                max_tokens: 12,
                ..defaults.finetune
            },
            rank: 2,
            alpha: 4.0,
        }
    }

    #[test]
    fn adapters_go_on_the_six_matrices_only() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(41);
        let encoder = TextEncoder::from_bytes(&bytes, &device).unwrap();
        let adapted = with_adapters(encoder.encoder.clone(), 3, 6.0);
        let found = adapters(&adapted);
        assert_eq!(found.len(), LAYERS * ADAPTED_MATRICES.len());
        assert!(adapted.position.weight.adapter().is_none());
        assert!(adapted.token_type.weight.adapter().is_none());
        assert_eq!(
            shape_of(&adapted),
            Some(LoraShape {
                rank: 3,
                alpha: 6.0
            })
        );
        assert_eq!(shape_of(&encoder.encoder), None);
    }

    #[test]
    fn lora_trains_the_adapters_only_and_its_small_file_round_trips() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(21);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, &device).unwrap());
        let examples = rows(60, 5);
        let mut recorder = Recorder::default();
        let outcome = pollster::block_on(train_lora(
            TrainData::from(examples.as_slice()),
            &config(),
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut recorder,
        ))
        .unwrap();
        assert_eq!(recorder.epochs, 23);
        let model = &outcome.model;
        let TextVectors::Encoder {
            tuned: Some(tuned), ..
        } = &model.vectors
        else {
            panic!("the LoRA model keeps its layers with adapters");
        };
        // The encoder's own weights did not move; the adapters' B did (it starts at zero).
        let read = |tensor: Tensor<2>| pollster::block_on(read_floats(tensor)).unwrap();
        let base_layer = &encoder.encoder.transformer.layers[0];
        let tuned_layer = &tuned.transformer.layers[0];
        assert_eq!(
            read(base_layer.mha.query.weight.val()),
            read(tuned_layer.mha.query.weight.base())
        );
        assert_eq!(
            read(encoder.encoder.position.weight.val()),
            read(tuned.position.weight.val())
        );
        let adapter = tuned_layer.mha.query.weight.adapter().unwrap();
        assert!(read(adapter.b.val()).iter().any(|value| *value != 0.0));
        let settings = &model.provenance.as_ref().unwrap().settings;
        let setting = |name: &str| {
            settings
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        assert_eq!(setting("stage 2 method").as_deref(), Some("lora"));
        assert_eq!(setting("LoRA rank").as_deref(), Some("2"));
        assert_eq!(setting("LoRA alpha").as_deref(), Some("4"));
        assert!(setting("layers unfrozen").unwrap().starts_with("none"));
        // 2 layers × (4 × (32 + 32) + (32 + 64) × 2) × rank 2, and the head.
        let adapters = LAYERS * (4 * 64 + 2 * 96) * 2;
        let head = model.config.embedding_dim * model.config.classes + model.config.classes;
        assert_eq!(
            setting("trainable parameters (stage 2)").as_deref(),
            Some((adapters + head).to_string().as_str())
        );

        // (That the same seed gives the same model is not checked here: the flex device's
        // generator is global, and tests running beside this one draw from it.)
        let texts = ["hola que", "mundo", "a hola", ""];

        let saved = pollster::block_on(model.to_bytes()).unwrap();
        // Head and adapters only: no copy of the encoder's weights.
        assert!(
            saved.len() < 40_000,
            "{} bytes for {adapters} adapter values",
            saved.len()
        );
        let loaded = reloaded("lora", model, &saved, &encoder, &device, &texts);
        assert_eq!(
            pollster::block_on(loaded.to_bytes()).unwrap(),
            saved,
            "saved again, the same bytes"
        );
        assert!(matches!(
            TrainedModel::from_bytes_with_base(
                &saved[..saved.len() - 8],
                Some(Arc::clone(&encoder)),
                &device
            ),
            Err(TrainError::ModelFile(ModelFileError::Damaged(_)))
        ));
    }

    #[test]
    fn a_rank_of_zero_is_refused() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(5);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, &device).unwrap());
        let examples = rows(20, 1);
        let result = pollster::block_on(train_lora(
            TrainData::from(examples.as_slice()),
            &LoraConfig {
                rank: 0,
                ..config()
            },
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut Recorder::default(),
        ));
        assert!(matches!(
            result,
            Err(TrainError::InvalidSetting {
                name: "lora rank",
                ..
            })
        ));
    }
}
