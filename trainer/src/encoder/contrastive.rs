//! Stage 2, contrastive method (as SetFit does): the encoder's layers are fine-tuned on pairs of
//! training rows — the cosine of two rows of the same label pulled towards 1, of different labels
//! towards 0 — and then stage 1 trains a head on the vectors of the tuned encoder.
//!
//! With 8 to a few hundred rows a head has little to learn from, but the pairs are many (each row
//! meets others of its label and of the others), and shaping the sentence space itself is what
//! helps most there (SetFit; NOTES-encoder.md's anchor: 0.75 against 0.70 for a frozen encoder on
//! the Spanish sample). The word table stays frozen, on the host.

use std::sync::Arc;

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::predict::TextVectors;
use crate::progress::{Control, Observer, Progress};
use crate::readback::read_floats;
use crate::train::split::Split;
use crate::train::{TrainData, TrainOutcome};

use super::embed::TextEncoder;
use super::model::Encoder;
use super::stage1::{EmbeddingCache, train_stage1};
use super::stage2::{for_training, training_device};
use super::tokenizer::Encoding;

/// The settings of the contrastive method.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastiveConfig {
    /// Pairs made from each training row (half with its label, half with another), as SetFit's
    /// `num_iterations`.
    pub pairs_per_row: usize,
    /// Pairs per optimisation step.
    pub batch_size: usize,
    /// Peak learning rate of the encoder's layers (warm-up over 10 % of the steps, then linear
    /// decay).
    pub learning_rate: f64,
    /// AdamW's weight decay.
    pub weight_decay: f32,
    /// The head's training afterwards (stage 1 on the tuned vectors), and the split and seed.
    pub head: TrainConfig,
    /// Recompute the memory-bound activations in the backward pass (less memory).
    pub gradient_checkpointing: bool,
}

impl Default for ContrastiveConfig {
    /// SetFit's usual values, fixed before any run: 20 pairs a row, batch 16, learning rate
    /// 2e-5, one pass; stage 1's defaults for the head.
    fn default() -> Self {
        Self {
            pairs_per_row: 20,
            batch_size: 16,
            learning_rate: 2e-5,
            weight_decay: 0.01,
            head: TrainConfig::stage1(),
            gradient_checkpointing: false,
        }
    }
}

/// Fine-tunes the encoder on pairs of training rows, then trains stage 1's head on its vectors.
/// Progress: one [`Progress::Started`] and [`Progress::Step`] events for the pairs (epoch 0),
/// then stage 1's events.
///
/// # Errors
/// As [`train_stage1`]; [`TrainError::Cancelled`] when the observer stops the pairs' pass.
pub async fn train_contrastive(
    data: TrainData<'_>,
    config: &ContrastiveConfig,
    encoder: &Arc<TextEncoder>,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    let split = Split::new(&data, &config.head)?;
    let max_tokens = config.head.max_tokens.min(encoder.max_tokens());
    let texts: Vec<&str> = data
        .examples
        .iter()
        .map(|example| example.text.as_str())
        .collect();
    let encodings = encoder.encode_all(&texts, max_tokens);
    let pairs = make_pairs(&split, config.pairs_per_row, config.head.seed);
    let tuned = tune_on_pairs(encoder, &encodings, &pairs, config, device, observer).await?;

    // Stage 1 on the tuned encoder's vectors: a TextEncoder sharing tokenizer and word table,
    // with the tuned layers, and a cache of its own (its vectors are not the file's).
    let tuned_text = Arc::new(encoder.with_layers(tuned.clone()));
    let mut cache = EmbeddingCache::new();
    let mut outcome = train_stage1(
        data,
        &config.head,
        &tuned_text,
        &mut cache,
        device,
        observer,
    )
    .await?;
    if let TextVectors::Encoder {
        encoder: used,
        tuned: layers,
        ..
    } = &mut outcome.model.vectors
    {
        *used = Arc::clone(encoder);
        *layers = Some(Box::new(tuned));
    }
    if let Some(provenance) = &mut outcome.model.provenance {
        provenance.settings.push((
            "stage 2".into(),
            format!(
                "contrastive (SetFit-style): the encoder's layers tuned on {} pairs of training rows (cosine of same label → 1, of different labels → 0), {} pairs a row, batch {}, AdamW learning rate {}, weight decay {}; then the head",
                pairs.len(),
                config.pairs_per_row,
                config.batch_size,
                config.learning_rate,
                config.weight_decay
            ),
        ));
    }
    Ok(outcome)
}

/// A pair of training rows and the cosine their vectors should have.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pair {
    first: usize,
    second: usize,
    target: f32,
}

/// `per_row` pairs for each training row, alternately with a row of its label (target 1) and of
/// another (target 0), partners drawn at random; shuffled. Rows with no partner of a kind get
/// only the other kind.
fn make_pairs(split: &Split<'_>, per_row: usize, seed: u64) -> Vec<Pair> {
    let mut rng = StdRng::seed_from_u64(seed);
    let class_of = |row: usize| split.classes.get(row).copied().unwrap_or(0);
    let mut pairs = Vec::with_capacity(split.train_rows.len() * per_row);
    for &row in &split.train_rows {
        let same: Vec<usize> = split
            .train_rows
            .iter()
            .copied()
            .filter(|other| *other != row && class_of(*other) == class_of(row))
            .collect();
        let different: Vec<usize> = split
            .train_rows
            .iter()
            .copied()
            .filter(|other| class_of(*other) != class_of(row))
            .collect();
        for index in 0..per_row {
            let (pool, target) = match (index % 2 == 0, same.is_empty(), different.is_empty()) {
                (_, true, true) => break,
                (true, false, _) | (false, false, true) => (&same, 1.0),
                _ => (&different, 0.0),
            };
            if let Some(&second) = pool.get(rng.random_range(0..pool.len())) {
                pairs.push(Pair {
                    first: row,
                    second,
                    target,
                });
            }
        }
    }
    pairs.shuffle(&mut rng);
    pairs
}

/// One pass over `pairs`: both rows through the encoder, the squared error of their cosine to
/// the target, AdamW on the encoder's layers. Returns the tuned layers.
async fn tune_on_pairs(
    encoder: &TextEncoder,
    encodings: &[Encoding],
    pairs: &[Pair],
    config: &ContrastiveConfig,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<Encoder, TrainError> {
    let autodiff_device = training_device(device, config.gradient_checkpointing);
    let mut layers = for_training(encoder.encoder.clone(), &autodiff_device);
    let mut optimizer = AdamWConfig::new()
        .with_weight_decay(config.weight_decay)
        .init();
    let batch_size = config.batch_size.max(1);
    let steps_total = pairs.len().div_ceil(batch_size);
    let report_every = (steps_total / 20).max(1);
    let mut control = observer.on_progress(&Progress::Started {
        train_rows: pairs.len(),
        validation_rows: 0,
        epochs: 1,
        steps_per_epoch: steps_total,
    });
    let mut window: Option<Tensor<1>> = None;
    let mut window_rows = 0;
    for (step, chunk) in pairs.chunks(batch_size).enumerate() {
        if control == Control::Stop {
            return Err(TrainError::Cancelled);
        }
        let firsts: Vec<&Encoding> = chunk
            .iter()
            .filter_map(|pair| encodings.get(pair.first))
            .collect();
        let seconds: Vec<&Encoding> = chunk
            .iter()
            .filter_map(|pair| encodings.get(pair.second))
            .collect();
        let targets: Vec<f32> = chunk.iter().map(|pair| pair.target).collect();
        let left = pooled(&layers, encoder, &firsts, &autodiff_device)?;
        let right = pooled(&layers, encoder, &seconds, &autodiff_device)?;
        let cosine = (left * right).sum_dim(1).reshape([chunk.len()]);
        let targets =
            Tensor::<1>::from_data(TensorData::new(targets, [chunk.len()]), &autodiff_device);
        let loss = (cosine - targets).powi_scalar(2).mean();
        let reported = loss.clone().detach().inner() * chunk.len() as f32;
        window = Some(match window.take() {
            Some(sum) => sum + reported,
            None => reported,
        });
        window_rows += chunk.len();
        let gradients = GradientsParams::from_grads(loss.backward(), &layers);
        let rate = schedule(config.learning_rate, step, steps_total);
        layers = optimizer.step(rate, layers, gradients);
        let loss_report = if (step + 1) % report_every == 0 || step + 1 == steps_total {
            let sum = match window.take() {
                Some(sum) => read_floats(sum).await?.first().copied().unwrap_or(0.0),
                None => 0.0,
            };
            let mean = sum / window_rows.max(1) as f32;
            window_rows = 0;
            Some(mean)
        } else {
            None
        };
        let eta_seconds = observer.elapsed_seconds().map(|elapsed| {
            elapsed / (step + 1) as f64 * steps_total.saturating_sub(step + 1) as f64
        });
        control = observer.on_progress(&Progress::Step {
            epoch: 1,
            step: step + 1,
            steps_done: step + 1,
            steps_total,
            loss: loss_report,
            accuracy: None,
            eta_seconds,
        });
        observer.pause().await;
    }
    Ok(layers.valid())
}

/// The L2-normalised pooled vectors of `encodings` through `layers`.
fn pooled(
    layers: &Encoder,
    encoder: &TextEncoder,
    encodings: &[&Encoding],
    device: &Device,
) -> Result<Tensor<2>, TrainError> {
    let batch = encoder.batch(encodings, device)?;
    let states = layers.forward(batch.words, batch.padding.clone());
    Ok(Encoder::pool(states, batch.padding))
}

/// Linear warm-up over the first 10 % of the steps, then linear decay to 0.
fn schedule(peak: f64, step: usize, total: usize) -> f64 {
    let warmup = (total / 10).max(1) as f64;
    let step = step as f64;
    if step < warmup {
        peak * (step + 1.0) / warmup
    } else {
        peak * (1.0 - (step - warmup) / (total as f64 - warmup).max(1.0)).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Epochs;
    use crate::encoder::test_file::{Recorder, reloaded, rows, tiny_model};

    #[test]
    fn pairs_alternate_same_and_other_labels() {
        let examples = rows(40, 6);
        let data = TrainData::from(examples.as_slice());
        let split = Split::new(&data, &TrainConfig::stage1()).unwrap();
        let pairs = make_pairs(&split, 6, 3);
        assert_eq!(pairs.len(), split.train_rows.len() * 6);
        let class = |row: usize| split.classes[row];
        for pair in &pairs {
            assert_ne!(pair.first, pair.second);
            assert!(
                split.train_rows.contains(&pair.second),
                "partners are training rows"
            );
            let same = class(pair.first) == class(pair.second);
            assert_eq!(pair.target, if same { 1.0 } else { 0.0 });
        }
        let positives = pairs.iter().filter(|pair| pair.target == 1.0).count();
        assert_eq!(positives * 2, pairs.len());
        assert_eq!(make_pairs(&split, 6, 3), pairs, "seeded");
    }

    #[test]
    fn contrastive_tunes_the_layers_and_its_file_round_trips() {
        let device = Device::flex();
        let (bytes, _) = tiny_model(31);
        let encoder = Arc::new(TextEncoder::from_bytes(&bytes, &device).unwrap());
        let examples = rows(40, 7);
        let config = ContrastiveConfig {
            pairs_per_row: 4,
            learning_rate: 1e-3,
            head: TrainConfig {
                epochs: Epochs::Fixed(10),
                max_tokens: 12,
                ..TrainConfig::stage1()
            },
            ..ContrastiveConfig::default()
        };
        let outcome = pollster::block_on(train_contrastive(
            TrainData::from(examples.as_slice()),
            &config,
            &encoder,
            &device,
            &mut Recorder::default(),
        ))
        .unwrap();
        let model = &outcome.model;
        let TextVectors::Encoder {
            tuned: Some(tuned),
            encoder: used,
            base,
            ..
        } = &model.vectors
        else {
            panic!("the contrastive model keeps its tuned layers");
        };
        assert!(Arc::ptr_eq(used, &encoder));
        assert_eq!(base.sha256, encoder.sha256());
        let before =
            pollster::block_on(read_floats(encoder.encoder.position.weight.val())).unwrap();
        let after = pollster::block_on(read_floats(tuned.position.weight.val())).unwrap();
        assert_ne!(before, after);
        let saved = pollster::block_on(model.to_bytes()).unwrap();
        reloaded(
            "contrastive",
            model,
            &saved,
            &encoder,
            &device,
            &["hola que", "mundo", "a hola"],
        );
        let settings = &model.provenance.as_ref().unwrap().settings;
        assert!(
            settings
                .iter()
                .any(|(name, value)| name == "stage 2" && value.contains("contrastive")),
            "{settings:?}"
        );
    }
}
