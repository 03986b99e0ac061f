//! One entry for every run on the encoder: follows a [`Recipe`] (see `plan`) with the
//! stage-1 settings and the user's stage-2 settings, so the command line and the browser's
//! worker train the same way.

use std::sync::Arc;

use burn::tensor::Device;

use super::contrastive::{ContrastiveConfig, train_contrastive};
use super::embed::TextEncoder;
use super::lora::{DEFAULT_LORA_LEARNING_RATE, LoraConfig, train_lora};
use super::plan::{EncoderSettings, Recipe};
use super::stage1::{EmbeddingCache, train_stage1};
use super::stage2::{FineTuneConfig, train_finetune};
use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::progress::Observer;
use crate::train::{TrainData, TrainOutcome};

/// Stage 2's settings for the full method: its defaults, stage 1's split, seed, length and
/// class weights, and the user's stage-2 options.
pub fn finetune_config(head: &TrainConfig, settings: &EncoderSettings) -> FineTuneConfig {
    let defaults = FineTuneConfig::default();
    let mut finetune = TrainConfig {
        seed: head.seed,
        max_tokens: head.max_tokens,
        validation_fraction: head.validation_fraction,
        balance_classes: head.balance_classes,
        label_smoothing: head.label_smoothing,
        ..defaults.finetune
    };
    if let Some(epochs) = settings.finetune_epochs {
        finetune.epochs = epochs;
    }
    if let Some(rate) = settings.finetune_learning_rate {
        finetune.learning_rate = rate;
    }
    finetune.gradient_checkpointing = settings.gradient_checkpointing;
    FineTuneConfig {
        head: head.clone(),
        finetune,
        unfreeze: settings.unfreeze,
    }
}

/// The LoRA method's settings: the full method's (stage 1's split, seed, length and class
/// weights, the user's epochs) at LoRA's own learning rate unless the user gave one, and the
/// user's rank with alpha at twice the rank (the default's scale of 2).
pub fn lora_config(head: &TrainConfig, settings: &EncoderSettings) -> LoraConfig {
    let full = finetune_config(head, settings);
    let defaults = LoraConfig::default();
    let rank = settings.lora_rank.unwrap_or(defaults.rank);
    LoraConfig {
        head: full.head,
        finetune: TrainConfig {
            learning_rate: settings
                .finetune_learning_rate
                .unwrap_or(DEFAULT_LORA_LEARNING_RATE),
            ..full.finetune
        },
        rank,
        alpha: match settings.lora_rank {
            Some(rank) => 2.0 * rank as f64,
            None => defaults.alpha,
        },
    }
}

/// The contrastive method's settings: its defaults, stage 1's for the head, and the user's.
pub fn contrastive_config(head: &TrainConfig, settings: &EncoderSettings) -> ContrastiveConfig {
    let mut config = ContrastiveConfig {
        head: head.clone(),
        ..ContrastiveConfig::default()
    };
    if let Some(rate) = settings.finetune_learning_rate {
        config.learning_rate = rate;
    }
    if let Some(pairs) = settings.pairs_per_row {
        config.pairs_per_row = pairs;
    }
    config.gradient_checkpointing = settings.gradient_checkpointing;
    config
}

/// Trains `recipe` on `data`: stage 1 with `head` (rows embedded once, through `cache`), and
/// stage 2 as `settings` say.
///
/// # Errors
/// As [`train_stage1`], [`train_finetune`], [`train_contrastive`] and [`train_lora`].
#[allow(clippy::too_many_arguments)]
pub async fn train_encoder(
    data: TrainData<'_>,
    head: &TrainConfig,
    recipe: Recipe,
    settings: &EncoderSettings,
    encoder: &Arc<TextEncoder>,
    cache: &mut EmbeddingCache,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    match recipe {
        Recipe::Head => train_stage1(data, head, encoder, cache, device, observer).await,
        Recipe::Full => {
            let config = finetune_config(head, settings);
            train_finetune(data, &config, encoder, cache, device, observer).await
        }
        Recipe::Contrastive => {
            let config = contrastive_config(head, settings);
            train_contrastive(data, &config, encoder, device, observer).await
        }
        Recipe::Lora => {
            let config = lora_config(head, settings);
            train_lora(data, &config, encoder, cache, device, observer).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Epochs;
    use crate::encoder::test_file::{Recorder, reloaded, rows, tiny_model};

    /// Every recipe on the tiny model, short settings: the outcome, or a panic saying which
    /// recipe failed.
    fn train_every_recipe(
        device: &Device,
        checkpointing: bool,
    ) -> Vec<(&'static str, TrainOutcome, Arc<TextEncoder>)> {
        let (bytes, _) = tiny_model(21);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, device).unwrap());
        let examples = rows(60, 5);
        let head = TrainConfig {
            epochs: Epochs::Fixed(20),
            max_tokens: 12,
            ..TrainConfig::stage1()
        };
        let settings = EncoderSettings {
            finetune_epochs: Some(Epochs::Fixed(3)),
            finetune_learning_rate: Some(1e-3),
            pairs_per_row: Some(4),
            gradient_checkpointing: checkpointing,
            ..EncoderSettings::default()
        };
        let top_layer = EncoderSettings {
            unfreeze: Some(1),
            ..settings.clone()
        };
        [
            ("head", Recipe::Head, &settings),
            ("full", Recipe::Full, &settings),
            ("full, top layer", Recipe::Full, &top_layer),
            ("lora", Recipe::Lora, &settings),
            ("contrastive", Recipe::Contrastive, &settings),
        ]
        .into_iter()
        .map(|(name, recipe, settings)| {
            let outcome = pollster::block_on(train_encoder(
                TrainData::from(examples.as_slice()),
                &head,
                recipe,
                settings,
                &encoder,
                &mut EmbeddingCache::new(),
                device,
                &mut Recorder::default(),
            ))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
            (name, outcome, Arc::clone(&encoder))
        })
        .collect()
    }

    /// Each recipe learns the tiny task on `device`, and its model file reads back to the same
    /// predictions there.
    fn every_recipe_learns_and_round_trips(device: &Device) {
        let texts = ["hola que", "mundo", "a hola", "que mundo hola", ""];
        for (name, outcome, encoder) in train_every_recipe(device, false) {
            assert!(
                outcome.validation.accuracy >= 0.9,
                "{name}: validation accuracy {}",
                outcome.validation.accuracy
            );
            let saved = pollster::block_on(outcome.model.to_bytes()).unwrap();
            reloaded(name, &outcome.model, &saved, &encoder, device, &texts);
        }
    }

    #[test]
    fn every_recipe_trains_on_the_cpu() {
        every_recipe_learns_and_round_trips(&Device::flex());
    }

    #[test]
    fn every_recipe_trains_on_wgpu_when_an_adapter_exists() {
        match Device::wgpu_options().init() {
            Ok(device) => every_recipe_learns_and_round_trips(&device),
            Err(error) => {
                println!("SKIPPED wgpu stage-2 test: no wgpu adapter on this machine ({error})");
            }
        }
    }

    /// Gradient checkpointing recomputes activations instead of keeping them: the same
    /// arithmetic, so the same model on the CPU.
    #[test]
    fn gradient_checkpointing_changes_nothing_but_memory() {
        let device = Device::flex();
        let texts = ["hola que", "mundo", "a hola", "que mundo hola"];
        let plain = train_every_recipe(&device, false);
        let checkpointed = train_every_recipe(&device, true);
        for ((name, plain, _), (_, checkpointed, _)) in plain.iter().zip(&checkpointed) {
            assert_eq!(
                pollster::block_on(plain.model.predict(&texts)).unwrap(),
                pollster::block_on(checkpointed.model.predict(&texts)).unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn lora_settings_follow_the_users_rank_and_rate() {
        let head = TrainConfig::stage1();
        let defaults = lora_config(&head, &EncoderSettings::default());
        assert_eq!((defaults.rank, defaults.alpha), (8, 16.0));
        assert_eq!(defaults.finetune.learning_rate, DEFAULT_LORA_LEARNING_RATE);
        let chosen = lora_config(
            &head,
            &EncoderSettings {
                lora_rank: Some(4),
                finetune_learning_rate: Some(1e-3),
                ..EncoderSettings::default()
            },
        );
        assert_eq!((chosen.rank, chosen.alpha), (4, 8.0));
        assert_eq!(chosen.finetune.learning_rate, 1e-3);
        let full = finetune_config(
            &head,
            &EncoderSettings {
                unfreeze: Some(3),
                ..EncoderSettings::default()
            },
        );
        assert_eq!(full.unfreeze, Some(3));
        assert_eq!(full.finetune.learning_rate, 2e-5);
    }
}
