//! Stage 2 of fine-tuning, full method: after stage 1 has trained a head on the frozen vectors,
//! the encoder's layers are unfrozen (the word table stays frozen, on the host) and trained
//! together with that head, with a small learning rate, through the shared epoch loop.
//! [`FineTuneConfig::unfreeze`] trains only the top layers (the rest, and the embeddings,
//! frozen); the model file still holds every layer. The LoRA method (`lora`) shares the loop
//! ([`train_stage2`]) with adapters in place of unfrozen layers.
//!
//! Starting from the stage-1 head matters: a random head would send large, meaningless
//! gradients into the pretrained layers in the first steps.

use std::sync::Arc;

use burn::module::{Module, ModuleMapper, Param};
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, GradientCheckpointingStrategy, Int, Tensor};

use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::head::{ClassifierConfig, Head, loss_function, scored};
use crate::ngram::batch::targets as target_tensor;
use crate::predict::TextVectors;
use crate::progress::Observer;
use crate::readback::read_floats;
use crate::train::epochs::{self, Family};
use crate::train::split::Split;
use crate::train::{TrainData, TrainOutcome, finish};

use super::embed::TextEncoder;
use super::model::Encoder;
use super::stage1::{EmbeddingCache, train_stage1};
use super::tokenizer::Encoding;

/// Validation rows scored at a time.
const EVAL_BATCH: usize = 32;

/// The encoder's layers and the head, trained together.
#[derive(Module, Debug)]
pub struct FineTuned {
    /// Everything of the encoder after the (frozen, host-side) word table.
    pub encoder: Encoder,
    /// The head on the pooled sentence vector.
    pub head: Head,
}

impl FineTuned {
    /// Class logits of a batch of word vectors.
    ///
    /// # Shapes
    /// words: `[batch_size, tokens, hidden]`; padding: `[batch_size, tokens]`; output:
    /// `[batch_size, classes]`
    pub fn forward(&self, words: Tensor<3>, padding: Tensor<2, burn::tensor::Bool>) -> Tensor<2> {
        let states = self.encoder.forward(words, padding.clone());
        self.head.forward(Encoder::pool(states, padding))
    }
}

/// The settings of stage 2 beside those of stage 1.
#[derive(Debug, Clone, PartialEq)]
pub struct FineTuneConfig {
    /// Stage 1's settings (the head's first training).
    pub head: TrainConfig,
    /// Stage 2's: epochs, batch size, learning rate, weight decay, patience, seed.
    pub finetune: TrainConfig,
    /// Train only the top this many encoder layers (the others, and the embeddings below them,
    /// frozen); `None`: every layer and the embeddings (word table excepted).
    pub unfreeze: Option<usize>,
}

impl Default for FineTuneConfig {
    /// Stage 1's defaults, then 4 epochs of AdamW at 2e-5 (weight decay 0.01, batch 16), every
    /// layer unfrozen: the usual BERT fine-tuning range; the anchors in NOTES-encoder.md used
    /// 2e-5 to 5e-5 for 10 epochs, and a CPU pays about 0.5 s a step.
    fn default() -> Self {
        Self {
            head: TrainConfig::stage1(),
            finetune: TrainConfig {
                epochs: crate::config::Epochs::Fixed(4),
                learning_rate: 2e-5,
                weight_decay: 0.01,
                batch_size: 16,
                patience: Some(2),
                ..TrainConfig::stage1()
            },
            unfreeze: None,
        }
    }
}

/// Trains stage 1 and then stage 2 (the encoder unfrozen, or its top
/// [`FineTuneConfig::unfreeze`] layers) on `data`. Progress events of both stages go to
/// `observer` (stage 1's epochs first, then stage 2's from epoch 1 again).
///
/// # Errors
/// [`TrainError::InvalidSetting`] when `unfreeze` is 0; otherwise as [`train_stage1`].
pub async fn train_finetune(
    data: TrainData<'_>,
    config: &FineTuneConfig,
    encoder: &Arc<TextEncoder>,
    cache: &mut EmbeddingCache,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    let layers = encoder.encoder.clone();
    let layer_count = layers.transformer.layers.len();
    let prepared = match config.unfreeze {
        Some(0) => {
            return Err(TrainError::InvalidSetting {
                name: "unfreeze",
                reason: "at least 1 layer (the head alone is stage 1: --stage head)".into(),
            });
        }
        Some(unfreeze) if unfreeze < layer_count => {
            let layers = freeze_lower_layers(layers, layer_count - unfreeze);
            let trainable = layers
                .transformer
                .layers
                .iter()
                .skip(layer_count - unfreeze)
                .map(Module::num_params)
                .sum();
            Stage2Layers {
                layers,
                trainable,
                method: "full",
                what: format!(
                    "full fine-tuning of the top {unfreeze} of {layer_count} layers of the encoder (the layers below and the embeddings frozen) and the head"
                ),
                layers_unfrozen: format!("top {unfreeze} of {layer_count}"),
                frozen_layers: layer_count - unfreeze,
                extra: Vec::new(),
            }
        }
        _ => Stage2Layers {
            trainable: layers.num_params(),
            layers,
            method: "full",
            what: "full fine-tuning: every layer of the encoder (word table frozen) and the head"
                .into(),
            layers_unfrozen: format!("all {layer_count}"),
            frozen_layers: 0,
            extra: Vec::new(),
        },
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

/// `encoder` with its embeddings and its first `frozen` layers frozen (no gradient, so AdamW
/// leaves them as they are).
fn freeze_lower_layers(mut encoder: Encoder, frozen: usize) -> Encoder {
    encoder.position = encoder.position.no_grad();
    encoder.token_type = encoder.token_type.no_grad();
    encoder.norm = encoder.norm.no_grad();
    encoder.map_layers(|index, layer| {
        if index < frozen {
            layer.no_grad()
        } else {
            layer
        }
    })
}

/// `device` with autodiff for stage 2, with burn's balanced gradient checkpointing when
/// `checkpointing` (memory-bound activations recomputed in the backward pass, not kept).
pub(crate) fn training_device(device: &Device, checkpointing: bool) -> Device {
    let autodiff = device.clone().autodiff();
    if checkpointing {
        autodiff.gradient_checkpointing()
    } else {
        autodiff
    }
}

/// `module` ready to train on `autodiff_device` (from [`training_device`]). burn 0.22.1's
/// `Module::train` gives every parameter autodiff without checkpointing, and an operation
/// mixing two strategies panics, so the parameters take the device's strategy here.
pub(crate) fn for_training<M: Module>(module: M, autodiff_device: &Device) -> M {
    let module = module.fork(autodiff_device).train();
    match autodiff_device.gradient_checkpointing_strategy() {
        Some(strategy) if strategy != GradientCheckpointingStrategy::Disabled => {
            module.map(&mut WithStrategy(strategy))
        }
        _ => module,
    }
}

/// Gives every float parameter a gradient-checkpointing strategy, keeping its training state.
struct WithStrategy(GradientCheckpointingStrategy);

impl ModuleMapper for WithStrategy {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let strategy = self.0;
        param.map(|tensor| tensor.with_gradient_checkpointing_strategy(strategy))
    }
}

/// The encoder's layers as a stage-2 method prepared them (parts frozen, adapters attached),
/// and what the model card says of them.
pub(crate) struct Stage2Layers {
    /// The layers to train with the head.
    pub layers: Encoder,
    /// Parameters of `layers` that train.
    pub trainable: usize,
    /// The method's name ([`super::plan::Recipe::name`]).
    pub method: &'static str,
    /// What trains, for the card ("full fine-tuning: every layer …").
    pub what: String,
    /// Which layers train, for the card.
    pub layers_unfrozen: String,
    /// The lower transformer layers kept frozen with the embeddings (0: none), which the
    /// model file then leaves out.
    pub frozen_layers: usize,
    /// The method's own settings for the card.
    pub extra: Vec<(String, String)>,
}

/// Stage 1, then `prepared`'s layers trained with stage 1's head on the labels through the
/// shared epoch loop (warm-up and decay of the learning rate, early stopping, best epoch kept).
///
/// # Errors
/// As [`train_stage1`].
#[allow(clippy::too_many_arguments)]
pub(crate) async fn train_stage2(
    data: TrainData<'_>,
    head_config: &TrainConfig,
    config: &TrainConfig,
    encoder: &Arc<TextEncoder>,
    cache: &mut EmbeddingCache,
    device: &Device,
    observer: &mut impl Observer,
    prepared: Stage2Layers,
) -> Result<TrainOutcome, TrainError> {
    let first = train_stage1(data, head_config, encoder, cache, device, observer).await?;
    let TextVectors::Encoder { head, base, .. } = first.model.vectors else {
        return Err(TrainError::InvalidSetting {
            name: "stage",
            reason: "stage 1 did not give a model on the encoder".into(),
        });
    };
    let split = Split::new(&data, config)?;
    let max_tokens = base.max_tokens;
    let texts: Vec<&str> = data
        .examples
        .iter()
        .map(|example| example.text.as_str())
        .collect();
    let encodings = encoder.encode_all(&texts, max_tokens);
    let validation = encoder.encode_all(&split.validation_texts, max_tokens);
    let shape = first.model.config.clone();
    let trainable = prepared.trainable + head.num_params();
    let frozen_layers = prepared.frozen_layers;
    let mut family = FineTuneFamily::new(
        config,
        &split,
        Arc::clone(encoder),
        FineTuned {
            encoder: prepared.layers,
            head,
        },
        encodings,
        validation,
        device,
    );
    let run = epochs::run(&mut family, &split, config, observer).await?;
    let mut settings = first
        .model
        .provenance
        .map(|provenance| provenance.settings)
        .unwrap_or_default();
    settings.push(("stage 2 method".into(), prepared.method.into()));
    settings.push(("layers unfrozen".into(), prepared.layers_unfrozen));
    settings.extend(prepared.extra);
    settings.extend(finetune_settings(
        config,
        &prepared.what,
        &shape,
        trainable,
        run.planned,
        run.kept.epoch,
        run.history.len(),
    ));
    Ok(finish(run, &split, &data, settings, |tuned| {
        crate::predict::TrainedModel::new(
            TextVectors::Encoder {
                base,
                encoder: Arc::clone(encoder),
                head: tuned.head,
                tuned: Some(Box::new(tuned.encoder)),
                frozen_layers,
            },
            shape,
            Vec::new(),
            device.clone(),
        )
    }))
}

/// The encoder and head while they train.
struct FineTuneFamily {
    text: Arc<TextEncoder>,
    model: FineTuned,
    optimizer: ModuleOptimizer,
    loss: CrossEntropyLoss,
    encodings: Vec<Encoding>,
    validation: Vec<Encoding>,
    device: Device,
    autodiff_device: Device,
}

impl FineTuneFamily {
    fn new(
        config: &TrainConfig,
        split: &Split<'_>,
        text: Arc<TextEncoder>,
        model: FineTuned,
        encodings: Vec<Encoding>,
        validation: Vec<Encoding>,
        device: &Device,
    ) -> Self {
        let autodiff_device = training_device(device, config.gradient_checkpointing);
        Self {
            text,
            model: for_training(model, &autodiff_device),
            optimizer: AdamWConfig::new()
                .with_weight_decay(config.weight_decay)
                .init(),
            loss: loss_function(
                config.balance_classes.then(|| split.class_weights()),
                config.label_smoothing,
                &autodiff_device,
            ),
            encodings,
            validation,
            device: device.clone(),
            autodiff_device,
        }
    }
}

impl Family for FineTuneFamily {
    type Snapshot = FineTuned;

    fn step(
        &mut self,
        rows: &[usize],
        classes: &[usize],
        rate: f64,
        _step: usize,
    ) -> (Tensor<1>, Tensor<1, Int>) {
        let encodings: Vec<&Encoding> = rows
            .iter()
            .filter_map(|row| self.encodings.get(*row))
            .collect();
        let targets = target_tensor(classes, &self.autodiff_device);
        let Ok(batch) = self.text.batch(&encodings, &self.autodiff_device) else {
            // Encodings are cut to the model's length when made: a batch cannot fail here.
            return (
                Tensor::zeros([1], &self.device),
                Tensor::zeros([1], &self.device),
            );
        };
        let logits = self.model.forward(batch.words, batch.padding);
        let (batch_loss, correct) = scored(&self.loss, logits, targets);
        let reported = batch_loss.clone().detach().inner();
        let gradients = GradientsParams::from_grads(batch_loss.backward(), &self.model);
        self.model = self.optimizer.step(rate, self.model.clone(), gradients);
        (reported, correct)
    }

    async fn validation_logits(&self) -> Result<Vec<Vec<f32>>, TrainError> {
        let model = self.model.valid();
        let mut all = Vec::with_capacity(self.validation.len());
        for chunk in self.validation.chunks(EVAL_BATCH) {
            let encodings: Vec<&Encoding> = chunk.iter().collect();
            let batch = self.text.batch(&encodings, &self.device)?;
            let logits = model.forward(batch.words, batch.padding);
            let [_, classes] = logits.dims();
            let values = read_floats(logits).await?;
            all.extend(values.chunks(classes.max(1)).map(<[f32]>::to_vec));
        }
        Ok(all)
    }

    fn snapshot(&self) -> FineTuned {
        self.model.valid()
    }
}

/// Stage 2's settings for the model card.
fn finetune_settings(
    config: &TrainConfig,
    what: &str,
    shape: &ClassifierConfig,
    trainable: usize,
    planned_epochs: usize,
    best_epoch: usize,
    epochs_run: usize,
) -> Vec<(String, String)> {
    vec![
        (
            "trainable parameters (stage 2)".into(),
            trainable.to_string(),
        ),
        (
            "stage 2".into(),
            format!(
                "{what} ({} → {}); AdamW, learning rate {}, weight decay {}, batch size {}; epochs {planned_epochs}, {epochs_run} run, best {best_epoch} kept",
                shape.embedding_dim,
                shape.classes,
                config.learning_rate,
                config.weight_decay,
                config.batch_size
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Epochs;
    use crate::encoder::test_file::{Recorder, reloaded, rows, tiny_model};
    use crate::error::ModelFileError;
    use crate::predict::TrainedModel;

    fn config() -> FineTuneConfig {
        let defaults = FineTuneConfig::default();
        FineTuneConfig {
            head: TrainConfig {
                epochs: Epochs::Fixed(20),
                max_tokens: 12,
                ..defaults.head
            },
            finetune: TrainConfig {
                epochs: Epochs::Fixed(3),
                learning_rate: 1e-3,
                max_tokens: 12,
                ..defaults.finetune
            },
            unfreeze: None,
        }
    }

    #[test]
    fn unfreeze_trains_only_the_top_layers() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(23);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, &device).unwrap());
        let examples = rows(60, 5);
        let outcome = pollster::block_on(train_finetune(
            TrainData::from(examples.as_slice()),
            &FineTuneConfig {
                unfreeze: Some(1),
                ..config()
            },
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut Recorder::default(),
        ))
        .unwrap();
        let TextVectors::Encoder {
            tuned: Some(tuned), ..
        } = &outcome.model.vectors
        else {
            panic!("stage 2 keeps its encoder");
        };
        let read = |tensor: Tensor<2>| pollster::block_on(read_floats(tensor)).unwrap();
        let (base, tuned) = (&encoder.encoder, tuned.as_ref());
        assert_eq!(
            read(base.position.weight.val()),
            read(tuned.position.weight.val())
        );
        let query = |encoder: &Encoder, layer: usize| {
            read(encoder.transformer.layers[layer].mha.query.weight.val())
        };
        assert_eq!(query(base, 0), query(tuned, 0), "layer 0 frozen");
        assert_ne!(query(base, 1), query(tuned, 1), "layer 1 trained");
        // The file keeps the top layer only (version 5) and predicts the same once read.
        let model = &outcome.model;
        let saved = pollster::block_on(model.to_bytes()).unwrap();
        assert_eq!(u32::from_le_bytes(saved[8..12].try_into().unwrap()), 5);
        let top_layer = 4 * tuned.transformer.layers[1].num_params();
        let everything = 4 * tuned.num_params();
        assert!(
            saved.len() > top_layer && saved.len() < everything,
            "{} bytes: top layer {top_layer}, every layer {everything}",
            saved.len()
        );
        let loaded = reloaded(
            "top layer",
            model,
            &saved,
            &encoder,
            &device,
            &["hola que", "mundo", "a hola", ""],
        );
        let TextVectors::Encoder {
            tuned: Some(reloaded),
            ..
        } = &loaded.vectors
        else {
            panic!("the loaded model keeps its tuned layers");
        };
        assert_eq!(
            query(reloaded, 1),
            query(tuned, 1),
            "the top layer read back"
        );
        assert_eq!(
            query(reloaded, 0),
            query(base, 0),
            "the frozen layer is the base's"
        );
        let settings = &outcome.model.provenance.as_ref().unwrap().settings;
        assert!(
            settings
                .iter()
                .any(|(name, value)| name == "layers unfrozen" && value == "top 1 of 2"),
            "{settings:?}"
        );
        let refused = pollster::block_on(train_finetune(
            TrainData::from(examples.as_slice()),
            &FineTuneConfig {
                unfreeze: Some(0),
                ..config()
            },
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut Recorder::default(),
        ));
        assert!(matches!(
            refused,
            Err(TrainError::InvalidSetting {
                name: "unfreeze",
                ..
            })
        ));
    }

    #[test]
    fn stage2_moves_the_encoder_and_its_file_round_trips() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(21);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, &device).unwrap());
        let examples = rows(60, 5);
        let mut recorder = Recorder::default();
        let outcome = pollster::block_on(train_finetune(
            TrainData::from(examples.as_slice()),
            &config(),
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut recorder,
        ))
        .unwrap();
        // Stage 1's 20 epochs, then stage 2's 3, all reported.
        assert_eq!(recorder.epochs, 23);
        assert_eq!(outcome.history.len(), 3);
        assert!(
            outcome.validation.accuracy >= 0.9,
            "accuracy {}",
            outcome.validation.accuracy
        );
        let model = &outcome.model;
        let TextVectors::Encoder {
            tuned: Some(tuned), ..
        } = &model.vectors
        else {
            panic!("stage 2 keeps its encoder");
        };
        // The layers moved: the tuned position table differs from the file's.
        let before =
            pollster::block_on(read_floats(encoder.encoder.position.weight.val())).unwrap();
        let after = pollster::block_on(read_floats(tuned.position.weight.val())).unwrap();
        assert_ne!(before, after);
        let settings = &model.provenance.as_ref().unwrap().settings;
        assert!(
            settings.iter().any(|(name, _)| name == "stage 2"),
            "{settings:?}"
        );

        let saved = pollster::block_on(model.to_bytes()).unwrap();
        reloaded(
            "full",
            model,
            &saved,
            &encoder,
            &device,
            &["hola que", "mundo", "a hola", ""],
        );
        // Cut inside the encoder's tensors: damaged, not a panic.
        assert!(matches!(
            TrainedModel::from_bytes_with_base(
                &saved[..saved.len() - 8],
                Some(Arc::clone(&encoder)),
                &device
            ),
            Err(TrainError::ModelFile(ModelFileError::Damaged(_)))
        ));
    }
}
