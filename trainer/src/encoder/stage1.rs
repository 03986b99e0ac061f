//! Stage 1 of fine-tuning: the pretrained encoder stays frozen, every row is embedded once
//! (batched, sorted by length, cached by text), and the shared head is trained on the vectors
//! with the shared epoch loop, early stopping and calibration.
//!
//! Before the head sees them the vectors are centred on the training rows' mean and scaled to
//! unit variance per dimension on average: e5's sentence vectors all point roughly the same way
//! (their cosines sit between 0.7 and 0.9), so raw they give a linear head tiny, correlated
//! inputs. The centring and scale are folded into the head's first layer at the end, so the
//! saved head takes the encoder's vectors as they are.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::config::{ModelKind, OptimizerKind, TrainConfig};
use crate::error::TrainError;
use crate::hash::Fnv1a;
use crate::head::{ClassifierConfig, Head, loss_function, scored};
use crate::ngram::batch::targets as target_tensor;
use crate::predict::{TextVectors, TrainedModel, head_logits};
use crate::progress::{Control, Observer, Progress};
use crate::train::epochs::{self, Family};
use crate::train::split::Split;
use crate::train::{TrainData, TrainOutcome, finish};

use super::embed::TextEncoder;

/// Rows embedded per batch.
const EMBED_BATCH: usize = 32;
/// Rows scored at a time when evaluating.
const EVAL_BATCH: usize = 512;

/// Sentence vectors already computed, by text and input length, for one encoder file: a second
/// run on the same rows, or a run with other head settings, embeds nothing again.
#[derive(Debug, Clone, Default)]
pub struct EmbeddingCache {
    /// SHA-256 of the encoder file the vectors came from; empty until the first use.
    sha256: String,
    vectors: HashMap<u64, Vec<f32>>,
    /// Keys of the texts that were cut to the maximum length (for the card, on every run).
    truncated: HashSet<u64>,
}

/// The first bytes of a saved [`EmbeddingCache`].
const CACHE_MAGIC: &[u8; 8] = b"AFINAEMB";

impl EmbeddingCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Vectors held.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// True when no vector is held.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// Empties the cache when its vectors came from another encoder file.
    fn adopt(&mut self, sha256: &str) {
        if self.sha256 != sha256 {
            self.vectors.clear();
            self.truncated.clear();
            self.sha256 = sha256.to_string();
        }
    }

    fn key(text: &str, max_tokens: usize) -> u64 {
        let mut hasher = Fnv1a::new();
        hasher.write(text.as_bytes());
        hasher.write(&[0x1f]);
        hasher.write(&(max_tokens as u64).to_le_bytes());
        hasher.finish()
    }

    /// The cache as bytes, to keep between runs (e.g. on disk).
    pub fn to_bytes(&self) -> Vec<u8> {
        let dim = self.vectors.values().next().map_or(0, Vec::len);
        let mut bytes = Vec::with_capacity(32 + self.vectors.len() * (8 + dim * 4));
        bytes.extend_from_slice(CACHE_MAGIC);
        bytes.extend_from_slice(&(self.sha256.len() as u32).to_le_bytes());
        bytes.extend_from_slice(self.sha256.as_bytes());
        bytes.extend_from_slice(&(dim as u32).to_le_bytes());
        let rows: Vec<(&u64, &Vec<f32>)> = self
            .vectors
            .iter()
            .filter(|(_, vector)| vector.len() == dim)
            .collect();
        bytes.extend_from_slice(&(rows.len() as u64).to_le_bytes());
        for (key, vector) in rows {
            bytes.extend_from_slice(&key.to_le_bytes());
            for value in vector {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        bytes.extend_from_slice(&(self.truncated.len() as u64).to_le_bytes());
        for key in &self.truncated {
            bytes.extend_from_slice(&key.to_le_bytes());
        }
        bytes
    }

    /// A cache saved by [`EmbeddingCache::to_bytes`]; `None` when the bytes are not one (a
    /// damaged cache is only a slower run, never an error).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut rest = bytes.strip_prefix(CACHE_MAGIC.as_slice())?;
        let mut take = |count: usize| -> Option<&[u8]> {
            let (head, tail) = rest.split_at_checked(count)?;
            rest = tail;
            Some(head)
        };
        let sha_length = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let sha256 = String::from_utf8(take(sha_length)?.to_vec()).ok()?;
        let dim = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let count = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
        let mut vectors = HashMap::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let key = u64::from_le_bytes(take(8)?.try_into().ok()?);
            let vector = take(dim.checked_mul(4)?)?
                .chunks_exact(4)
                .map(|word| f32::from_le_bytes([word[0], word[1], word[2], word[3]]))
                .collect();
            vectors.insert(key, vector);
        }
        let truncated_count = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
        let mut truncated = HashSet::with_capacity(truncated_count.min(1 << 20));
        for _ in 0..truncated_count {
            truncated.insert(u64::from_le_bytes(take(8)?.try_into().ok()?));
        }
        if !rest.is_empty() {
            return None;
        }
        Some(Self {
            sha256,
            vectors,
            truncated,
        })
    }
}

/// What embedding the rows of a run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedCounts {
    /// Distinct texts embedded in this run.
    pub embedded: usize,
    /// Distinct texts found in the cache.
    pub cached: usize,
    /// Distinct texts cut to the maximum input length (those from the cache too).
    pub truncated: usize,
}

/// The sentence vectors of `texts` (in their order), embedding only those not in `cache`.
/// Reports progress after every batch and stops when the observer says so.
///
/// # Errors
/// [`TrainError::Cancelled`] when the observer stops it (the vectors made so far stay in the
/// cache); [`TrainError::Encoder`] when the encoder or the device fails.
pub async fn embed_rows(
    encoder: &TextEncoder,
    cache: &mut EmbeddingCache,
    texts: &[&str],
    max_tokens: usize,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<(Vec<Vec<f32>>, EmbedCounts), TrainError> {
    cache.adopt(encoder.sha256());
    let keys: Vec<u64> = texts
        .iter()
        .map(|text| EmbeddingCache::key(text, max_tokens))
        .collect();
    let mut missing: HashMap<u64, &str> = HashMap::new();
    let mut cached = HashSet::new();
    for (key, text) in keys.iter().zip(texts) {
        if cache.vectors.contains_key(key) {
            cached.insert(*key);
        } else {
            missing.entry(*key).or_insert(text);
        }
    }
    let mut missing: Vec<(u64, &str)> = missing.into_iter().collect();
    missing.sort_unstable_by_key(|(key, _)| *key);
    let missing_texts: Vec<&str> = missing.iter().map(|(_, text)| *text).collect();
    let encodings = encoder.encode_all(&missing_texts, max_tokens);
    // Sorted by length, so each batch pads little.
    let mut order: Vec<usize> = (0..encodings.len()).collect();
    order.sort_by_key(|&index| {
        encodings
            .get(index)
            .map_or(0, |encoding| encoding.ids.len())
    });
    let total = order.len();
    let mut counts = EmbedCounts {
        embedded: 0,
        cached: cached.len(),
        truncated: 0,
    };
    let started = observer.elapsed_seconds();
    for chunk in order.chunks(EMBED_BATCH) {
        let batch: Vec<_> = chunk
            .iter()
            .filter_map(|&index| encodings.get(index))
            .collect();
        let vectors = encoder.embed_encodings(&batch, device).await?;
        for (&index, vector) in chunk.iter().zip(vectors) {
            if let (Some((key, _)), Some(encoding)) = (missing.get(index), encodings.get(index)) {
                cache.vectors.insert(*key, vector);
                if encoding.truncated > 0 {
                    cache.truncated.insert(*key);
                    counts.truncated += 1;
                }
            }
        }
        counts.embedded += chunk.len();
        let rows_per_second = match (started, observer.elapsed_seconds()) {
            (Some(start), Some(now)) if now > start => Some(counts.embedded as f64 / (now - start)),
            _ => None,
        };
        let control = observer.on_progress(&Progress::Embedding {
            done: counts.embedded,
            total,
            cached: counts.cached,
            truncated: counts.truncated,
            rows_per_second,
        });
        observer.pause().await;
        if control == Control::Stop {
            return Err(TrainError::Cancelled);
        }
    }
    let vectors = keys
        .iter()
        .map(|key| cache.vectors.get(key).cloned().unwrap_or_default())
        .collect();
    // Over every distinct text of the run, those from the cache too.
    let distinct: HashSet<&u64> = keys.iter().collect();
    counts.truncated = distinct
        .iter()
        .filter(|key| cache.truncated.contains(**key))
        .count();
    Ok((vectors, counts))
}

/// Trains stage 1 — a head on the frozen `encoder`'s sentence vectors — on `data` with
/// `device`. Rows are embedded first (only those not in `cache`), with
/// [`Progress::Embedding`] events, then the epochs run as for the n-gram model.
///
/// # Errors
/// As [`crate::train`]; also [`TrainError::Encoder`] when the encoder fails, and
/// [`TrainError::Cancelled`] when the observer stops the run while rows are embedded.
pub async fn train_stage1(
    data: TrainData<'_>,
    config: &TrainConfig,
    encoder: &Arc<TextEncoder>,
    cache: &mut EmbeddingCache,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    let split = Split::new(&data, config)?;
    let max_tokens = config.max_tokens.min(encoder.max_tokens());
    let mut texts: Vec<&str> = data
        .examples
        .iter()
        .map(|example| example.text.as_str())
        .collect();
    texts.extend(split.validation_texts.iter().copied());
    let (mut vectors, counts) =
        embed_rows(encoder, cache, &texts, max_tokens, device, observer).await?;
    let validation = vectors.split_off(data.examples.len());
    let dim = encoder.words.hidden();
    let shape = ClassifierConfig {
        buckets: 0,
        embedding_dim: dim,
        hidden: config.hidden,
        classes: split.labels.len(),
    };
    let scaling = Scaling::fit(&vectors, &split.train_rows, dim);
    let mut family = EncoderFamily::new(
        config,
        &shape,
        &split,
        &vectors,
        &validation,
        &scaling,
        device,
    );
    let mut run = epochs::run(&mut family, &split, config, observer).await?;
    run.kept.snapshot = scaling.fold(&run.kept.snapshot, device);
    let base = encoder.base_model(max_tokens);
    let settings = stage1_settings(
        config,
        &shape,
        &base,
        counts,
        run.planned,
        run.kept.epoch,
        run.history.len(),
    );
    Ok(finish(run, &split, &data, settings, |head| {
        TrainedModel::new(
            TextVectors::Encoder {
                base,
                encoder: Arc::clone(encoder),
                head,
                tuned: None,
                frozen_layers: 0,
            },
            shape,
            Vec::new(),
            device.clone(),
        )
    }))
}

/// Centring and scale of the vectors: `(v − mean) / scale`.
struct Scaling {
    mean: Vec<f32>,
    scale: f32,
}

impl Scaling {
    /// The training rows' mean, and the scale that gives their dimensions unit variance on
    /// average.
    fn fit(vectors: &[Vec<f32>], rows: &[usize], dim: usize) -> Self {
        let mut mean = vec![0.0f64; dim];
        let count = rows.len().max(1) as f64;
        for vector in rows.iter().filter_map(|row| vectors.get(*row)) {
            for (sum, value) in mean.iter_mut().zip(vector) {
                *sum += f64::from(*value) / count;
            }
        }
        let mut variance = 0.0f64;
        for vector in rows.iter().filter_map(|row| vectors.get(*row)) {
            for (centre, value) in mean.iter().zip(vector) {
                variance += (f64::from(*value) - centre).powi(2);
            }
        }
        variance /= count * dim.max(1) as f64;
        let scale = variance.sqrt();
        Self {
            mean: mean.iter().map(|value| *value as f32).collect(),
            scale: if scale > 1e-9 { scale as f32 } else { 1.0 },
        }
    }

    /// One vector centred and scaled, always as wide as the mean (a missing value counts as
    /// the mean, so a vector the cache lacked can never misshape a batch).
    fn scaled(&self, vector: &[f32]) -> Vec<f32> {
        self.mean
            .iter()
            .enumerate()
            .map(|(index, centre)| (vector.get(index).unwrap_or(centre) - centre) / self.scale)
            .collect()
    }

    /// `vectors` centred and scaled, as one `[rows, dim]` tensor.
    fn apply(&self, vectors: &[&Vec<f32>], device: &Device) -> Tensor<2> {
        let dim = self.mean.len();
        let values: Vec<f32> = vectors
            .iter()
            .flat_map(|vector| self.scaled(vector))
            .collect();
        Tensor::from_data(TensorData::new(values, [vectors.len(), dim]), device)
    }

    /// `head` rewritten to take the vectors as they are: with x' = (x − m) / s,
    /// x'W + b = x (W / s) + (b − (m / s) W).
    fn fold(&self, head: &Head, device: &Device) -> Head {
        let first = head.hidden.as_ref().unwrap_or(&head.output);
        let weight = first.weight.val() / self.scale;
        let mean = Tensor::<2>::from_data(
            TensorData::new(self.mean.clone(), [1, self.mean.len()]),
            device,
        );
        let [_, outputs] = weight.dims();
        let shift = mean.matmul(weight.clone()).reshape([outputs]);
        let bias = first
            .bias
            .as_ref()
            .map(|bias| Param::from_tensor(bias.val() - shift.clone()));
        let folded = Linear {
            weight: Param::from_tensor(weight),
            bias: bias.or_else(|| Some(Param::from_tensor(shift.neg()))),
        };
        match &head.hidden {
            Some(_) => Head {
                hidden: Some(folded),
                output: head.output.clone(),
            },
            None => Head {
                hidden: None,
                output: folded,
            },
        }
    }
}

/// The head while it trains on the scaled vectors.
struct EncoderFamily {
    /// Every example's scaled vector (indexed like the examples), on the training device.
    vectors: Tensor<2>,
    /// The validation rows' scaled vectors, on the plain device.
    validation: Vec<Vec<f32>>,
    head: Head,
    optimizer: ModuleOptimizer,
    loss: CrossEntropyLoss,
    device: Device,
    autodiff_device: Device,
}

impl EncoderFamily {
    fn new(
        config: &TrainConfig,
        shape: &ClassifierConfig,
        split: &Split<'_>,
        vectors: &[Vec<f32>],
        validation: &[Vec<f32>],
        scaling: &Scaling,
        device: &Device,
    ) -> Self {
        let autodiff_device = device.clone().autodiff();
        let rows: Vec<&Vec<f32>> = vectors.iter().collect();
        Self {
            vectors: scaling.apply(&rows, &autodiff_device),
            validation: validation
                .iter()
                .map(|vector| scaling.scaled(vector))
                .collect(),
            head: shape.init_head(&autodiff_device, config.seed),
            optimizer: match config.optimizer {
                OptimizerKind::AdamW => AdamWConfig::new()
                    .with_weight_decay(config.weight_decay)
                    .init(),
                OptimizerKind::Sgd => SgdConfig::new().init(),
            },
            loss: loss_function(
                config.balance_classes.then(|| split.class_weights()),
                config.label_smoothing,
                &autodiff_device,
            ),
            device: device.clone(),
            autodiff_device,
        }
    }
}

impl Family for EncoderFamily {
    type Snapshot = Head;

    fn step(
        &mut self,
        rows: &[usize],
        classes: &[usize],
        rate: f64,
        _step: usize,
    ) -> (Tensor<1>, Tensor<1, Int>) {
        let indices: Vec<i64> = rows.iter().map(|row| *row as i64).collect();
        let indices = Tensor::<1, Int>::from_data(
            TensorData::new(indices, [rows.len()]),
            &self.autodiff_device,
        );
        let inputs = self.vectors.clone().select(0, indices);
        let targets = target_tensor(classes, &self.autodiff_device);
        let logits = self.head.forward(inputs);
        let (batch_loss, correct) = scored(&self.loss, logits, targets);
        let reported = batch_loss.clone().detach().inner();
        let gradients = GradientsParams::from_grads(batch_loss.backward(), &self.head);
        self.head = self.optimizer.step(rate, self.head.clone(), gradients);
        (reported, correct)
    }

    async fn validation_logits(&self) -> Result<Vec<Vec<f32>>, TrainError> {
        head_logits(
            &self.head.valid(),
            &self.validation,
            EVAL_BATCH,
            &self.device,
        )
        .await
    }

    fn snapshot(&self) -> Head {
        self.head.valid()
    }
}

/// Parameters the head trains.
fn trainable_parameters(shape: &ClassifierConfig) -> usize {
    let linear = |inputs: usize, outputs: usize| inputs * outputs + outputs;
    match shape.hidden {
        Some(width) => linear(shape.embedding_dim, width) + linear(width, shape.classes),
        None => linear(shape.embedding_dim, shape.classes),
    }
}

/// The settings of a stage-1 run as (name, value) pairs for the model card.
fn stage1_settings(
    config: &TrainConfig,
    shape: &ClassifierConfig,
    base: &super::embed::BaseModel,
    counts: EmbedCounts,
    planned_epochs: usize,
    best_epoch: usize,
    epochs_run: usize,
) -> Vec<(String, String)> {
    let head = match shape.hidden {
        Some(width) => format!(
            "sentence vector ({}) → hidden layer ({width}) → softmax ({})",
            shape.embedding_dim, shape.classes
        ),
        None => format!(
            "sentence vector ({}) → softmax ({})",
            shape.embedding_dim, shape.classes
        ),
    };
    vec![
        ("model".into(), ModelKind::E5Small.name().to_string()),
        (
            "base model".into(),
            format!(
                "{} — license {}, sha256 {}",
                base.name, base.license, base.sha256
            ),
        ),
        (
            "stage".into(),
            "1 — encoder frozen, head trained on its mean-pooled sentence vectors".into(),
        ),
        (
            "trainable parameters".into(),
            trainable_parameters(shape).to_string(),
        ),
        (
            "inputs".into(),
            format!(
                "\"{}\" + text, up to {} tokens; {} rows cut",
                base.prefix, base.max_tokens, counts.truncated
            ),
        ),
        ("head".into(), head),
    ]
    .into_iter()
    .chain(config.loop_settings(planned_epochs, best_epoch, epochs_run))
    .chain([("label smoothing".into(), config.label_smoothing.to_string())])
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Epochs;
    use crate::encoder::test_file::{Recorder, reloaded, rows, tiny_model};
    use crate::error::ModelFileError;

    fn config() -> TrainConfig {
        TrainConfig {
            epochs: Epochs::Fixed(30),
            max_tokens: 12,
            ..TrainConfig::stage1()
        }
    }

    fn encoder(seed: u64) -> Arc<TextEncoder> {
        let (bytes, _) = tiny_model(seed);
        Arc::new(TextEncoder::from_bytes(&bytes, &Device::flex()).unwrap())
    }

    #[test]
    fn stage1_learns_and_its_file_round_trips_only_with_its_own_encoder() {
        let device = Device::flex();
        let encoder = encoder(3);
        let examples = rows(80, 1);
        let mut cache = EmbeddingCache::new();
        let mut recorder = Recorder::default();
        let outcome = pollster::block_on(train_stage1(
            TrainData::from(examples.as_slice()),
            &config(),
            &encoder,
            &mut cache,
            &device,
            &mut recorder,
        ))
        .unwrap();
        assert!(
            outcome.validation.accuracy >= 0.9,
            "accuracy {}",
            outcome.validation.accuracy
        );
        // 80 distinct texts, embedded in batches of 32; the validation rows are among them.
        assert_eq!(recorder.embedding.last(), Some(&(80, 80, 0)));
        assert_eq!(recorder.embedding.len(), 3);
        assert_eq!(cache.len(), 80);
        let model = &outcome.model;
        assert_eq!(model.base_model().unwrap().sha256, encoder.sha256());
        assert_eq!(model.shape().buckets, 0);

        // The folded head gives the logits seen in training: the kept epoch's validation
        // probabilities equal the saved model's predictions on those rows.
        let split = Split::new(&TrainData::from(examples.as_slice()), &config()).unwrap();
        let predictions = pollster::block_on(model.predict(&split.validation_texts)).unwrap();
        for ((prediction, logits), _) in predictions
            .iter()
            .zip(&outcome.validation_logits)
            .zip(&split.validation_classes)
        {
            let expected = outcome.calibration.probabilities(logits);
            let got = prediction.in_label_order(model.labels());
            for (a, b) in expected.iter().zip(&got) {
                assert!((a - b).abs() < 1e-4, "{expected:?} vs {got:?}");
            }
        }

        let bytes = pollster::block_on(model.to_bytes()).unwrap();
        assert_eq!(
            TrainedModel::base_model_of(&bytes).unwrap().unwrap().sha256,
            encoder.sha256()
        );
        let loaded = reloaded(
            "head",
            model,
            &bytes,
            &encoder,
            &device,
            &["hola que", "mundo", "a", ""],
        );
        assert!(loaded.provenance().is_some());

        assert!(matches!(
            TrainedModel::from_bytes(&bytes, &device),
            Err(TrainError::ModelFile(ModelFileError::NeedsBaseModel { .. }))
        ));
        assert!(matches!(
            TrainedModel::from_bytes_with_base(&bytes, Some(self::encoder(4)), &device),
            Err(TrainError::ModelFile(
                ModelFileError::DifferentBaseModel { .. }
            ))
        ));
        let card = model
            .model_card("m", "2026-12-04", crate::card::Language::En)
            .unwrap();
        assert!(card.contains("multilingual-e5-small"), "{card}");
        assert!(card.contains("MIT"), "{card}");
        assert!(card.contains("trainable parameters"), "{card}");
    }

    #[test]
    fn a_second_run_embeds_nothing_and_gives_the_same_model() {
        let device = Device::flex();
        let encoder = encoder(5);
        let examples = rows(40, 2);
        let mut cache = EmbeddingCache::new();
        let mut first = Recorder::default();
        let data = TrainData::from(examples.as_slice());
        let one = pollster::block_on(train_stage1(
            data,
            &config(),
            &encoder,
            &mut cache,
            &device,
            &mut first,
        ))
        .unwrap();
        // Through the bytes, as the command line keeps it between runs.
        let mut cache = EmbeddingCache::from_bytes(&cache.to_bytes()).unwrap();
        let mut second = Recorder::default();
        let two = pollster::block_on(train_stage1(
            data,
            &config(),
            &encoder,
            &mut cache,
            &device,
            &mut second,
        ))
        .unwrap();
        assert!(second.embedding.is_empty(), "{:?}", second.embedding);
        assert_eq!(one.validation_logits, two.validation_logits);
        assert_eq!(one.history, two.history);

        // Another maximum length is another input: embedded again.
        let mut third = Recorder::default();
        let shorter = TrainConfig {
            max_tokens: 4,
            ..config()
        };
        pollster::block_on(train_stage1(
            data, &shorter, &encoder, &mut cache, &device, &mut third,
        ))
        .unwrap();
        assert_eq!(third.embedding.last(), Some(&(40, 40, 0)));

        // Another encoder file empties the cache.
        let mut fourth = Recorder::default();
        pollster::block_on(train_stage1(
            data,
            &config(),
            &self::encoder(6),
            &mut cache,
            &device,
            &mut fourth,
        ))
        .unwrap();
        assert_eq!(fourth.embedding.last(), Some(&(40, 40, 0)));
        assert_eq!(cache.len(), 40);
    }

    #[test]
    fn with_a_handful_of_validation_rows_the_last_epoch_is_kept() {
        let device = Device::flex();
        let encoder = encoder(9);
        // 20 rows: 4 held out, too few to pick an epoch or to stop early on.
        let examples = rows(20, 4);
        let config = TrainConfig {
            epochs: Epochs::Fixed(12),
            patience: Some(1),
            ..config()
        };
        let outcome = pollster::block_on(train_stage1(
            TrainData::from(examples.as_slice()),
            &config,
            &encoder,
            &mut EmbeddingCache::new(),
            &device,
            &mut Recorder::default(),
        ))
        .unwrap();
        assert_eq!(outcome.validation_rows, 4);
        assert!(outcome.validation_rows < epochs::MIN_ROWS_TO_SELECT);
        assert_eq!(outcome.history.len(), 12);
        assert_eq!(outcome.best_epoch, 12);
        assert!(!outcome.stopped_early);
    }

    #[test]
    fn stopping_while_embedding_cancels_and_keeps_what_was_embedded() {
        let device = Device::flex();
        let encoder = encoder(7);
        let examples = rows(100, 3);
        let mut cache = EmbeddingCache::new();
        let mut recorder = Recorder {
            stop_at_batch: Some(2),
            ..Recorder::default()
        };
        let result = pollster::block_on(train_stage1(
            TrainData::from(examples.as_slice()),
            &config(),
            &encoder,
            &mut cache,
            &device,
            &mut recorder,
        ));
        assert!(matches!(result, Err(TrainError::Cancelled)));
        assert_eq!(recorder.embedding.len(), 2);
        assert_eq!(recorder.epochs, 0);
        assert_eq!(cache.len(), 64);
    }

    #[test]
    fn long_rows_are_cut_and_counted() {
        let device = Device::flex();
        let encoder = encoder(8);
        let long = "hola mundo que ".repeat(10);
        let texts = ["hola", long.as_str()];
        let mut cache = EmbeddingCache::new();
        let (vectors, counts) = pollster::block_on(embed_rows(
            &encoder,
            &mut cache,
            &texts,
            16,
            &device,
            &mut Recorder::default(),
        ))
        .unwrap();
        assert_eq!(vectors.len(), 2);
        assert_eq!(counts.truncated, 1);
        assert_eq!(counts.embedded, 2);
        // From the cache (through its bytes) the cut row is still counted.
        let mut cache = EmbeddingCache::from_bytes(&cache.to_bytes()).unwrap();
        let (_, again) = pollster::block_on(embed_rows(
            &encoder,
            &mut cache,
            &texts,
            16,
            &device,
            &mut Recorder::default(),
        ))
        .unwrap();
        assert_eq!((again.embedded, again.cached, again.truncated), (0, 2, 1));
    }

    #[test]
    fn a_damaged_cache_is_refused_not_trusted() {
        assert!(EmbeddingCache::from_bytes(b"").is_none());
        assert!(EmbeddingCache::from_bytes(b"AFINAEMB\x05\x00").is_none());
        let mut cache = EmbeddingCache::new();
        cache.adopt("abc");
        cache.vectors.insert(7, vec![1.0, 2.0]);
        cache.truncated.insert(7);
        let bytes = cache.to_bytes();
        assert!(EmbeddingCache::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        let back = EmbeddingCache::from_bytes(&bytes).unwrap();
        assert_eq!(back.vectors.get(&7), Some(&vec![1.0, 2.0]));
        assert_eq!(back.sha256, "abc");
        assert!(back.truncated.contains(&7));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(EmbeddingCache::from_bytes(&longer).is_none());
    }

    #[test]
    fn folding_the_scaling_keeps_the_logits() {
        let device = Device::flex();
        let vectors = vec![
            vec![1.0, 2.0, 3.0],
            vec![0.5, -1.0, 2.0],
            vec![3.0, 0.0, 1.0],
        ];
        let scaling = Scaling::fit(&vectors, &[0, 1, 2], 3);
        let shape = ClassifierConfig {
            buckets: 0,
            embedding_dim: 3,
            hidden: Some(4),
            classes: 2,
        };
        let head = shape.init_head(&device, 9);
        let rows: Vec<&Vec<f32>> = vectors.iter().collect();
        let scaled = pollster::block_on(crate::readback::read_floats(
            head.forward(scaling.apply(&rows, &device)),
        ))
        .unwrap();
        let folded = scaling.fold(&head, &device);
        let raw = pollster::block_on(head_logits(&folded, &vectors, 8, &device)).unwrap();
        for (a, b) in scaled.iter().zip(raw.iter().flatten()) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }
}
