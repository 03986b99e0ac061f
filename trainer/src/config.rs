//! The settings of a training run: epochs, batch size, optimizer, learning rate, validation
//! share, class weights. Plain data (no burn), so a page can build them without linking the
//! training code.

use serde::{Deserialize, Serialize};

use crate::ngram::featurize::FeaturizerConfig;

/// Which optimizer updates the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum OptimizerKind {
    /// AdamW (decoupled weight decay); the embedding rows use its lazy form (only the rows a
    /// batch touched move, as in PyTorch's `SparseAdam`).
    AdamW,
    /// Plain stochastic gradient descent, as fastText uses: no optimizer state at all, so the
    /// least memory.
    #[default]
    Sgd,
}

/// Which model family turns texts into vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ModelKind {
    /// Hashed word and character n-grams over a table trained from scratch: fast, and good
    /// with thousands of rows.
    #[default]
    Ngram,
    /// A head on multilingual-e5-small's sentence vectors (the encoder frozen): it already
    /// knows Spanish and English, so it does far better with a few hundred rows.
    E5Small,
}

/// Most training rows for which [`ModelKind::auto`] picks the pretrained encoder.
pub const ENCODER_AUTO_MAX_ROWS: usize = 5_000;

impl ModelKind {
    /// The family for `rows` labelled rows: the encoder up to [`ENCODER_AUTO_MAX_ROWS`]
    /// (where knowing the language matters most and embedding every row takes minutes at
    /// most on a CPU), the n-gram model above (it has the data to learn the words itself, and
    /// trains in seconds).
    pub fn auto(rows: usize) -> Self {
        if rows <= ENCODER_AUTO_MAX_ROWS {
            Self::E5Small
        } else {
            Self::Ngram
        }
    }

    /// The name the command line and the model card use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ngram => "ngram",
            Self::E5Small => "e5-small",
        }
    }
}

/// How many epochs to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Epochs {
    /// Exactly this many (early stopping may still end sooner).
    Fixed(usize),
    /// Chosen from the number of training rows by [`auto_epochs`].
    Auto,
}

impl Epochs {
    /// The number of epochs for `train_rows` training rows.
    pub fn resolve(self, train_rows: usize) -> usize {
        match self {
            Self::Fixed(epochs) => epochs,
            Self::Auto => auto_epochs(train_rows),
        }
    }
}

/// Rows the model should see over the whole run when the epochs are "auto".
const AUTO_EPOCH_ROW_BUDGET: usize = 150_000;
/// Fewest epochs "auto" picks.
const AUTO_EPOCHS_MIN: usize = 3;
/// Most epochs "auto" picks.
const AUTO_EPOCHS_MAX: usize = 40;

/// Epochs for `train_rows` rows, in the spirit of OpenAI's fine-tuning default: a fixed budget
/// of rows seen, so a small file is read many times and a large one a few, clamped to
/// 3…40. Early stopping ends the run sooner when the validation loss stops improving.
pub fn auto_epochs(train_rows: usize) -> usize {
    AUTO_EPOCH_ROW_BUDGET
        .div_ceil(train_rows.max(1))
        .clamp(AUTO_EPOCHS_MIN, AUTO_EPOCHS_MAX)
}

/// Every setting of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// How texts become features.
    pub featurizer: FeaturizerConfig,
    /// Size of each feature's embedding vector.
    pub embedding_dim: usize,
    /// Width of an optional hidden layer.
    pub hidden: Option<usize>,
    /// Most epochs to run.
    pub epochs: Epochs,
    /// Rows per optimisation step.
    pub batch_size: usize,
    /// Optimizer of every weight.
    pub optimizer: OptimizerKind,
    /// Peak learning rate (after warm-up, before linear decay).
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f32,
    /// Share of each class held out for validation when no validation rows are given.
    pub validation_fraction: f32,
    /// Seed of the split, the initialisation and the batch order.
    pub seed: u64,
    /// Weight the loss so every class counts as much as the others.
    pub balance_classes: bool,
    /// Stop when the validation loss has not improved for this many epochs.
    pub patience: Option<usize>,
    /// Weight each feature by its inverse document frequency in the training rows.
    #[serde(default)]
    pub idf_weighting: bool,
    /// Longest input of a pretrained encoder, in tokens (`<s>` and `</s>` included); longer
    /// rows are cut and counted. Unused by the n-gram model.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: usize,
    /// Label smoothing of the loss (0 = none): the target gives this share of its weight to
    /// the other classes, so the model is never pushed towards 100 % certainty.
    #[serde(default)]
    pub label_smoothing: f32,
    /// Stage 2 of a pretrained encoder: recompute the memory-bound activations during the
    /// backward pass instead of keeping them (burn's balanced gradient checkpointing).
    #[serde(default)]
    pub gradient_checkpointing: bool,
}

/// The pretrained encoder's default input length.
fn default_max_tokens() -> usize {
    128
}

impl Default for TrainConfig {
    /// Plain SGD on TF-IDF-weighted word 1–4-grams and character 3–5-grams, 16 dimensions:
    /// on SST-2 this beat AdamW by about half a point, trains faster and keeps no optimizer
    /// state (AdamW's two moment tables would triple the memory of the feature table, which
    /// matters in a browser tab). BENCHMARKS.md has the figures.
    fn default() -> Self {
        Self {
            featurizer: FeaturizerConfig::default(),
            embedding_dim: 16,
            hidden: None,
            epochs: Epochs::Auto,
            batch_size: 32,
            optimizer: OptimizerKind::Sgd,
            learning_rate: 1.5,
            weight_decay: 1e-4,
            validation_fraction: 0.2,
            seed: 42,
            balance_classes: false,
            patience: Some(2),
            idf_weighting: true,
            max_tokens: default_max_tokens(),
            label_smoothing: 0.0,
            gradient_checkpointing: false,
        }
    }
}

impl TrainConfig {
    /// The settings as (name, value) pairs for the model card.
    pub fn settings(
        &self,
        planned_epochs: usize,
        best_epoch: usize,
        epochs_run: usize,
    ) -> Vec<(String, String)> {
        let featurizer = &self.featurizer;
        let char_ngrams = if featurizer.char_ngram_min == 0 {
            "none".to_string()
        } else {
            format!(
                "{}–{}",
                featurizer.char_ngram_min, featurizer.char_ngram_max
            )
        };
        vec![
            (
                "features".into(),
                format!(
                    "word 1–{}-grams, character {char_ngrams}-grams, {} buckets{}{}{}",
                    featurizer.word_ngrams,
                    featurizer.buckets,
                    if featurizer.mark_negation {
                        ", negation marked"
                    } else {
                        ""
                    },
                    if featurizer.fold_accents {
                        ", accents folded"
                    } else {
                        ""
                    },
                    if self.idf_weighting {
                        ", TF-IDF weighted"
                    } else {
                        ""
                    }
                ),
            ),
            (
                "model".into(),
                match self.hidden {
                    Some(width) => format!(
                        "embedding bag ({} dims) → hidden layer ({width}) → softmax",
                        self.embedding_dim
                    ),
                    None => format!("embedding bag ({} dims) → softmax", self.embedding_dim),
                },
            ),
        ]
        .into_iter()
        .chain(self.loop_settings(planned_epochs, best_epoch, epochs_run))
        .collect()
    }

    /// The settings of the training loop every model family shares (optimizer, batch size,
    /// epochs, class weights, seed) as (name, value) pairs for the model card.
    pub(crate) fn loop_settings(
        &self,
        planned_epochs: usize,
        best_epoch: usize,
        epochs_run: usize,
    ) -> Vec<(String, String)> {
        let epochs = match self.epochs {
            Epochs::Fixed(count) => count.to_string(),
            Epochs::Auto => format!("auto ({planned_epochs})"),
        };
        vec![
            (
                "optimizer".into(),
                format!(
                    "{:?}, learning rate {}, weight decay {}",
                    self.optimizer, self.learning_rate, self.weight_decay
                ),
            ),
            ("batch size".into(), self.batch_size.to_string()),
            (
                "epochs".into(),
                format!("{epochs}; {epochs_run} run, best {best_epoch} kept"),
            ),
            (
                "class weights".into(),
                if self.balance_classes {
                    "balanced".into()
                } else {
                    "none".into()
                },
            ),
            ("seed".into(), self.seed.to_string()),
        ]
    }

    /// The defaults with AdamW (lazy on the feature table) and the smaller learning rate it
    /// needs.
    pub fn adamw() -> Self {
        Self {
            optimizer: OptimizerKind::AdamW,
            learning_rate: 0.02,
            ..Self::default()
        }
    }

    /// The defaults of stage 1 on a pretrained encoder: a linear head on the frozen sentence
    /// vectors, trained with AdamW. Learning rate, weight decay and label smoothing (none) were
    /// chosen on validation splits of the training sample (bench/stage1_settings.sh), never on
    /// a benchmark's evaluation file; BENCHMARKS.md has the figures.
    pub fn stage1() -> Self {
        Self {
            optimizer: OptimizerKind::AdamW,
            learning_rate: 0.01,
            weight_decay: 0.1,
            batch_size: 16,
            patience: Some(8),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_epochs_reads_small_files_more_often() {
        assert_eq!(auto_epochs(0), AUTO_EPOCHS_MAX);
        assert_eq!(auto_epochs(150), AUTO_EPOCHS_MAX);
        assert_eq!(auto_epochs(10_000), 15);
        assert_eq!(auto_epochs(60_000), 3);
        assert_eq!(auto_epochs(10_000_000), AUTO_EPOCHS_MIN);
        assert_eq!(Epochs::Fixed(7).resolve(10), 7);
    }
}
