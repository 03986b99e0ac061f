//! `afina train`: read a labelled file (and optionally a validation file), train, save.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use afina_dataset::Example;
use afina_trainer::encoder::plan::{self, Compute, EncoderSettings};
use afina_trainer::encoder::run::train_encoder;
use afina_trainer::{
    Control, ENCODER_AUTO_MAX_ROWS, Epochs, Language, ModelKind, Observer, OptimizerKind, Progress,
    TrainConfig, TrainData, TrainOutcome, train,
};
use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::{Args, ValueEnum};

use crate::device::{DeviceChoice, pick_device};
use crate::encoder_file::{EncoderFileArgs, cache_path, read_cache, write_cache};
use crate::input::{ColumnArgs, read_dataset, today};

/// Options of `afina train`.
#[derive(Debug, Clone, Args)]
pub(crate) struct TrainArgs {
    /// Training data (CSV/TSV/JSONL or .xlsx with a text and a label column).
    file: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    /// Which model: "ngram" (hashed n-grams trained from scratch) or "e5-small" (a head on
    /// the pretrained multilingual-e5-small, frozen: stage 1). Default: e5-small up to 5,000
    /// rows, ngram above.
    #[arg(long, value_enum)]
    model: Option<ModelChoice>,
    #[command(flatten)]
    encoder: EncoderFileArgs,
    /// e5-small: longest input in tokens (`<s>` and `</s>` included); longer rows are cut and
    /// counted.
    #[arg(long = "max-len", default_value_t = 128)]
    max_len: usize,
    /// e5-small: "head" trains a head on the frozen encoder (stage 1); "finetune" then trains
    /// the encoder's layers too (stage 2; minutes on a CPU); "auto" fine-tunes when the
    /// estimated time fits 10 minutes on this device, and prints why.
    #[arg(long, value_enum, default_value_t = StageChoice::Auto)]
    stage: StageChoice,
    /// Stage 2: "full" trains the encoder's layers with the stage-1 head on the labels;
    /// "contrastive" tunes them on pairs of rows (same label close, different apart, as SetFit
    /// does) and then trains the head; "lora" trains low-rank adapters on the layers' attention
    /// and feed-forward matrices with the head, the encoder frozen (a model file of a few MB
    /// instead of 86); "auto": contrastive up to 1,000 rows, full above.
    #[arg(long, value_enum, default_value_t = MethodChoice::Auto)]
    method: MethodChoice,
    /// Stage 2, lora: rank of the adapters (default 8; alpha is twice the rank).
    #[arg(long = "lora-rank", value_parser = parse_positive)]
    lora_rank: Option<usize>,
    /// Stage 2, full: train only the top N layers of the encoder (the others frozen; default:
    /// all 12).
    #[arg(long, value_parser = parse_positive)]
    unfreeze: Option<usize>,
    /// Stage 2: gradient checkpointing — activations recomputed in the backward pass instead
    /// of kept (less memory, more time).
    #[arg(long = "gradient-checkpointing")]
    gradient_checkpointing: bool,
    /// Stage 2, contrastive: pairs made from each training row (default 20).
    #[arg(long = "pairs-per-row")]
    pairs_per_row: Option<usize>,
    /// Stage 2: epochs (default 4).
    #[arg(long = "finetune-epochs", value_parser = parse_epochs)]
    finetune_epochs: Option<Epochs>,
    /// Stage 2: peak learning rate (default 2e-5; lora 5e-4).
    #[arg(long = "finetune-learning-rate")]
    finetune_learning_rate: Option<f64>,
    /// e5-small: do not read or write the cache of sentence vectors ($AFINA_CACHE/embeddings).
    #[arg(long = "no-cache")]
    no_cache: bool,
    /// A separate validation file (same columns); by default a stratified share of FILE is
    /// held out instead (--val-split).
    #[arg(long, conflicts_with = "val_split")]
    val: Option<PathBuf>,
    /// Share of each class held out for validation when there is no --val file.
    #[arg(long = "val-split", value_parser = parse_share)]
    val_split: Option<f32>,
    /// Epochs: a number, or "auto" to pick from the number of rows (early stopping may end
    /// sooner either way).
    #[arg(long, default_value = "auto", value_parser = parse_epochs)]
    epochs: Epochs,
    /// Device to train on.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    device: DeviceChoice,
    /// Seed of the split, initialisation and batch order (the same seed gives the same model
    /// on the CPU).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Optimizer (default: sgd for ngram, adamw for e5-small).
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerChoice>,
    /// Peak learning rate (default: the optimizer's own default).
    #[arg(long = "learning-rate")]
    learning_rate: Option<f64>,
    /// Rows per optimisation step.
    #[arg(long = "batch-size")]
    batch_size: Option<usize>,
    /// Weight the loss so that every class counts as much as the others (for imbalanced data).
    #[arg(long = "balance-classes")]
    balance_classes: bool,
    /// Width of a hidden layer (0 for none).
    #[arg(long)]
    hidden: Option<usize>,
    /// Size of each feature's vector.
    #[arg(long = "embedding-dim")]
    embedding_dim: Option<usize>,
    /// Number of hash buckets for the features.
    #[arg(long)]
    buckets: Option<u32>,
    /// Longest word n-gram (1 = single words, 2 = also pairs, …).
    #[arg(long = "word-ngrams")]
    word_ngrams: Option<usize>,
    /// Character n-gram lengths as MIN-MAX (e.g. 3-5), or 0 for none.
    #[arg(long = "char-ngrams", value_parser = parse_range)]
    char_ngrams: Option<(usize, usize)>,
    /// AdamW's weight decay.
    #[arg(long = "weight-decay")]
    weight_decay: Option<f32>,
    /// Label smoothing of the loss, 0 (the default: none) to below 1.
    #[arg(long = "label-smoothing")]
    label_smoothing: Option<f32>,
    /// Do not mark the words after a negation ("no", "not", "nunca" …).
    #[arg(long = "no-negation")]
    no_negation: bool,
    /// Strip accents before building features ("canción" = "cancion").
    #[arg(long = "fold-accents")]
    fold_accents: bool,
    /// Also write the model card (Markdown) to this file.
    #[arg(long)]
    card: Option<PathBuf>,
    /// Language of the model card.
    #[arg(long = "card-language", value_enum, default_value_t = CardLanguage::Es)]
    card_language: CardLanguage,
    #[command(flatten)]
    columns: ColumnArgs,
}

/// Language of the model card.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CardLanguage {
    /// Spanish.
    Es,
    /// English.
    En,
}

/// How far to train a model on the pretrained encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StageChoice {
    /// From the data size and the device.
    Auto,
    /// Stage 1: a head on the frozen encoder.
    Head,
    /// Stage 2: stage 1, then the encoder's layers unfrozen and trained with the head.
    Finetune,
}

/// How stage 2 trains the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MethodChoice {
    /// Contrastive up to 1,000 rows, full above.
    Auto,
    /// The encoder's layers and the head on the labels.
    Full,
    /// The encoder's layers on pairs of rows, then the head.
    Contrastive,
    /// Low-rank adapters on the encoder's layers and the head, on the labels.
    Lora,
}

/// Which model family to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModelChoice {
    /// Hashed word and character n-grams, trained from scratch.
    Ngram,
    /// A head on multilingual-e5-small's sentence vectors (stage 1: the encoder frozen).
    #[value(name = "e5-small")]
    E5Small,
}

impl From<ModelChoice> for ModelKind {
    fn from(choice: ModelChoice) -> Self {
        match choice {
            ModelChoice::Ngram => Self::Ngram,
            ModelChoice::E5Small => Self::E5Small,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OptimizerChoice {
    /// AdamW (lazy on the feature table).
    Adamw,
    /// Plain SGD, like fastText (the default).
    Sgd,
}

fn parse_epochs(value: &str) -> Result<Epochs, String> {
    if value.eq_ignore_ascii_case("auto") {
        return Ok(Epochs::Auto);
    }
    match value.parse::<usize>() {
        Ok(epochs) if epochs >= 1 => Ok(Epochs::Fixed(epochs)),
        _ => Err(format!(
            "{value:?} is not a number of epochs (1 or more) nor \"auto\""
        )),
    }
}

fn parse_positive(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(number) if number >= 1 => Ok(number),
        _ => Err(format!("{value:?} is not a whole number of 1 or more")),
    }
}

fn parse_range(value: &str) -> Result<(usize, usize), String> {
    if value == "0" {
        return Ok((0, 0));
    }
    let parsed = value
        .split_once('-')
        .and_then(|(low, high)| Some((low.parse::<usize>().ok()?, high.parse::<usize>().ok()?)));
    match parsed {
        Some((low, high)) if low >= 1 && low <= high => Ok((low, high)),
        _ => Err(format!(
            "{value:?} must be MIN-MAX with 1 <= MIN <= MAX (e.g. 3-5), or 0"
        )),
    }
}

fn parse_share(value: &str) -> Result<f32, String> {
    match value.parse::<f32>() {
        Ok(share) if share > 0.0 && share < 0.9 => Ok(share),
        _ => Err(format!(
            "{value:?} must be a share above 0 and below 0.9, e.g. 0.2"
        )),
    }
}

impl TrainArgs {
    /// The training settings these options ask for, for a model of `kind`.
    fn config(&self, kind: ModelKind) -> TrainConfig {
        let mut config = match (kind, self.optimizer) {
            (ModelKind::E5Small, choice) => {
                let mut config = TrainConfig::stage1();
                if let Some(OptimizerChoice::Sgd) = choice {
                    config.optimizer = OptimizerKind::Sgd;
                }
                config
            }
            (ModelKind::Ngram, Some(OptimizerChoice::Adamw)) => TrainConfig::adamw(),
            (ModelKind::Ngram, _) => TrainConfig::default(),
        };
        config.max_tokens = self.max_len;
        config.epochs = self.epochs;
        config.seed = self.seed;
        config.balance_classes = self.balance_classes;
        config.featurizer.fold_accents = self.fold_accents;
        if let Some(share) = self.val_split {
            config.validation_fraction = share;
        }
        if let Some(rate) = self.learning_rate {
            config.learning_rate = rate;
        }
        if let Some(size) = self.batch_size {
            config.batch_size = size;
        }
        if let Some(width) = self.hidden {
            config.hidden = (width > 0).then_some(width);
        }
        if let Some(dim) = self.embedding_dim {
            config.embedding_dim = dim;
        }
        if let Some(n) = self.word_ngrams {
            config.featurizer.word_ngrams = n;
        }
        if let Some((low, high)) = self.char_ngrams {
            config.featurizer.char_ngram_min = low;
            config.featurizer.char_ngram_max = high;
        }
        if let Some(decay) = self.weight_decay {
            config.weight_decay = decay;
        }
        if let Some(smoothing) = self.label_smoothing {
            config.label_smoothing = smoothing;
        }
        if self.no_negation {
            config.featurizer.mark_negation = false;
        }
        if let Some(buckets) = self.buckets {
            config.featurizer.buckets = buckets;
        }
        config
    }

    /// The stage and method asked for, and the stage-2 options given.
    fn encoder_settings(&self) -> EncoderSettings {
        EncoderSettings {
            stage: match self.stage {
                StageChoice::Auto => plan::StageChoice::Auto,
                StageChoice::Head => plan::StageChoice::Head,
                StageChoice::Finetune => plan::StageChoice::Finetune,
            },
            method: match self.method {
                MethodChoice::Auto => plan::MethodChoice::Auto,
                MethodChoice::Full => plan::MethodChoice::Full,
                MethodChoice::Contrastive => plan::MethodChoice::Contrastive,
                MethodChoice::Lora => plan::MethodChoice::Lora,
            },
            finetune_epochs: self.finetune_epochs,
            finetune_learning_rate: self.finetune_learning_rate,
            pairs_per_row: self.pairs_per_row,
            lora_rank: self.lora_rank,
            unfreeze: self.unfreeze,
            gradient_checkpointing: self.gradient_checkpointing,
        }
    }

    /// The n-gram options given, which an e5-small model does not use.
    fn ngram_options(&self) -> Vec<&'static str> {
        [
            (self.embedding_dim.is_some(), "--embedding-dim"),
            (self.buckets.is_some(), "--buckets"),
            (self.word_ngrams.is_some(), "--word-ngrams"),
            (self.char_ngrams.is_some(), "--char-ngrams"),
            (self.no_negation, "--no-negation"),
            (self.fold_accents, "--fold-accents"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }

    /// The model family to train on `rows` rows, and why, in words for the output.
    fn choose_model(&self, rows: usize) -> (ModelKind, String) {
        if let Some(choice) = self.model {
            return (choice.into(), "asked for with --model".into());
        }
        match ModelKind::auto(rows) {
            ModelKind::E5Small if self.encoder.path().is_none_or(|path| !path.is_file()) => (
                ModelKind::Ngram,
                format!(
                    "auto: {rows} rows would get e5-small (up to {ENCODER_AUTO_MAX_ROWS}), but its \
                     weights are not here (run scripts/setup.sh or pass --encoder-file) / no están \
                     los pesos de e5-small"
                ),
            ),
            ModelKind::E5Small => (
                ModelKind::E5Small,
                format!(
                    "auto: {rows} rows (up to {ENCODER_AUTO_MAX_ROWS}): a pretrained encoder knows \
                     the language, which a model trained from scratch on few rows cannot / pocas \
                     filas: un codificador preentrenado ya conoce el idioma"
                ),
            ),
            ModelKind::Ngram => (
                ModelKind::Ngram,
                format!(
                    "auto: {rows} rows (over {ENCODER_AUTO_MAX_ROWS}): enough to learn the words \
                     from scratch, and far faster / muchas filas: el modelo de n-gramas aprende \
                     las palabras solo y entrena mucho más rápido"
                ),
            ),
        }
    }
}

/// Reads the rows of `file` for training, noting rows left out.
fn read_examples(file: &Path, columns: &ColumnArgs) -> Result<Option<Vec<Example>>> {
    let dataset = match read_dataset(file, &columns.options(true))? {
        Ok(dataset) => dataset,
        Err(error) => {
            eprintln!("{error}");
            return Ok(None);
        }
    };
    if dataset.error_count() > 0 {
        eprintln!(
            "note: {} rows of {} with errors are left out (run `afina validate {}` to see them)",
            dataset.error_count(),
            dataset.file_name,
            file.display()
        );
    }
    Ok(Some(dataset.examples()))
}

/// Runs `afina train`. Exit code 1 when a data file cannot be read as a dataset or training
/// refuses the data; errors of usage and I/O are returned (exit code 2).
pub(crate) fn run(args: &TrainArgs) -> Result<ExitCode> {
    let Some(examples) = read_examples(&args.file, &args.columns)? else {
        return Ok(ExitCode::from(1));
    };
    let validation = match &args.val {
        Some(path) => match read_examples(path, &args.columns)? {
            Some(rows) => Some(rows),
            None => return Ok(ExitCode::from(1)),
        },
        None => None,
    };
    let (kind, why) = args.choose_model(examples.len());
    println!("model: {} ({why})", kind.name());
    let config = args.config(kind);
    if kind == ModelKind::Ngram && args.stage == StageChoice::Finetune {
        eprintln!(
            "note: --stage finetune applies to e5-small only; the ngram model ignores it / solo \
             vale para e5-small"
        );
    }
    if kind == ModelKind::E5Small {
        let unused = args.ngram_options();
        if !unused.is_empty() {
            eprintln!(
                "note: {} only apply to the ngram model; e5-small ignores them / solo valen para \
                 el modelo de n-gramas",
                unused.join(", ")
            );
        }
    }
    let device = pick_device(args.device)?;
    let started = Instant::now();
    let mut observer = ConsoleObserver { started };
    let source = args
        .file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let data = TrainData {
        examples: &examples,
        validation: validation.as_deref(),
        source: &source,
    };
    let trained = match kind {
        ModelKind::Ngram => pollster::block_on(train(data, &config, &device, &mut observer)),
        ModelKind::E5Small => train_on_encoder(args, data, &config, &device, &mut observer)?,
    };
    let outcome = match trained {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("{}: {error}", args.file.display());
            return Ok(ExitCode::from(1));
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let bytes = pollster::block_on(outcome.model.to_bytes())?;
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    print_summary(&outcome, seconds, &args.out);
    if let Some(path) = &args.card {
        let title = args
            .out
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        let language = match args.card_language {
            CardLanguage::Es => Language::Es,
            CardLanguage::En => Language::En,
        };
        let card = outcome
            .model
            .model_card(&title, &today(), language)
            .context("the trained model has no record for its card")?;
        std::fs::write(path, card).with_context(|| format!("cannot write {}", path.display()))?;
        println!("model card written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Stage 1 on multilingual-e5-small, with the vectors cached on disk between runs.
fn train_on_encoder(
    args: &TrainArgs,
    data: TrainData<'_>,
    config: &TrainConfig,
    device: &Device,
    observer: &mut ConsoleObserver,
) -> Result<Result<TrainOutcome, afina_trainer::TrainError>> {
    let encoder = args.encoder.load(device)?;
    let cache_file = (!args.no_cache).then(|| cache_path(&encoder)).flatten();
    let mut cache = read_cache(cache_file.as_deref());
    let compute = match args.device {
        DeviceChoice::Cpu => Compute::NativeCpu,
        DeviceChoice::Wgpu => Compute::Gpu,
    };
    let settings = args.encoder_settings();
    let train_rows = plan::training_rows(
        data.examples.len(),
        config.validation_fraction,
        data.validation.is_some(),
    );
    let plan = plan::plan(&settings, train_rows, compute);
    println!("stage: {} ({})", plan.recipe.name(), plan.why.en);
    for (given, option, method) in [
        (args.lora_rank.is_some(), "--lora-rank", plan::Recipe::Lora),
        (args.unfreeze.is_some(), "--unfreeze", plan::Recipe::Full),
    ] {
        if given && plan.recipe != method {
            eprintln!(
                "note: {option} applies to the {} method only; this run ignores it / solo vale para \
                 el método {}",
                method.name(),
                method.name()
            );
        }
    }
    let outcome = pollster::block_on(train_encoder(
        data,
        config,
        plan.recipe,
        &settings,
        &encoder,
        &mut cache,
        device,
        observer,
    ));
    write_cache(cache_file.as_deref(), &cache);
    Ok(outcome)
}

fn print_summary(outcome: &TrainOutcome, seconds: f64, out: &Path) {
    let why = if outcome.stopped_early {
        "early stop"
    } else {
        "planned end"
    };
    println!(
        "validation accuracy {:.1} % (majority baseline {:.1} %), macro F1 {:.3}, calibration error {:.1} % → {:.1} % (temperature {:.2}); best epoch {} of {} run ({} planned, {why}); {} training rows, {} validation rows; {seconds:.1} s; model saved to {}",
        outcome.validation.accuracy * 100.0,
        outcome.validation.majority_baseline * 100.0,
        outcome.validation.macro_f1,
        outcome.calibration.ece_before * 100.0,
        outcome.calibration.ece_after * 100.0,
        outcome.calibration.temperature,
        outcome.best_epoch,
        outcome.history.len(),
        outcome.planned_epochs,
        outcome.train_rows,
        outcome.validation_rows,
        out.display()
    );
}

/// Prints progress to stderr with an ETA.
struct ConsoleObserver {
    started: Instant,
}

impl Observer for ConsoleObserver {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        match progress {
            Progress::Embedding {
                done,
                total,
                cached,
                truncated,
                rows_per_second,
            } => {
                if *done == *total || done.is_multiple_of(512) {
                    eprintln!(
                        "  embedded {done}/{total} rows ({cached} from the cache, {truncated} cut to the maximum length){}",
                        rows_per_second
                            .map(|rate| format!(", {rate:.1} rows/s"))
                            .unwrap_or_default()
                    );
                }
            }
            // The contrastive method's pass over pairs has no validation rows.
            Progress::Started {
                train_rows: pairs,
                validation_rows: 0,
                ..
            } => eprintln!("tuning the encoder on {pairs} pairs of training rows"),
            Progress::Started {
                train_rows,
                validation_rows,
                epochs,
                ..
            } => eprintln!(
                "training on {train_rows} rows, validating on {validation_rows}, up to {epochs} epochs"
            ),
            Progress::Step {
                epoch,
                steps_done,
                steps_total,
                loss: Some(loss),
                accuracy: Some(accuracy),
                eta_seconds,
                ..
            } => eprintln!(
                "  epoch {epoch}, step {steps_done}/{steps_total}: loss {loss:.4}, accuracy {:.1} %, ETA {:.0} s",
                accuracy * 100.0,
                eta_seconds.unwrap_or(0.0)
            ),
            Progress::Step {
                steps_done,
                steps_total,
                loss: Some(loss),
                accuracy: None,
                eta_seconds,
                ..
            } => eprintln!(
                "  step {steps_done}/{steps_total}: loss {loss:.4}, ETA {:.0} s",
                eta_seconds.unwrap_or(0.0)
            ),
            Progress::Epoch(report) => eprintln!(
                "  epoch {}: train loss {:.4}, accuracy {:.1} % · validation loss {:.4}, accuracy {:.1} %",
                report.epoch,
                report.train_loss,
                report.train_accuracy * 100.0,
                report.validation_loss,
                report.validation_accuracy * 100.0
            ),
            Progress::Step { .. } => {}
        }
        Control::Continue
    }

    async fn pause(&mut self) {}

    fn elapsed_seconds(&mut self) -> Option<f64> {
        Some(self.started.elapsed().as_secs_f64())
    }
}
