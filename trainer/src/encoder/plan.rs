//! What a run on the pretrained encoder trains — the head only (stage 1) or the encoder too
//! (stage 2, by one of its methods) — chosen by the user or, on "auto", from the data size and
//! the device, with the reason and a time estimate in both languages. Plain data (no burn): the
//! page shows the plan before a run starts, the command line prints it, the worker follows it.

use afina_dataset::Message;
use serde::{Deserialize, Serialize};

use crate::config::Epochs;

/// How far to train, as the user asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StageChoice {
    /// Decide from the data size and the device ([`plan`]).
    #[default]
    Auto,
    /// Stage 1: a head on the frozen encoder's sentence vectors.
    Head,
    /// Stage 2: the encoder is trained too.
    Finetune,
}

/// How stage 2 trains the encoder, as the user asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodChoice {
    /// Decide from the data size ([`plan`]).
    #[default]
    Auto,
    /// The encoder's layers (word table frozen) and the head, on the labels.
    Full,
    /// The encoder's layers on pairs of rows (same label close, different apart, as SetFit
    /// does), then the head.
    Contrastive,
    /// Low-rank adapters on the layers' attention and feed-forward matrices (the encoder
    /// frozen) and the head, on the labels.
    Lora,
}

/// What a run on the encoder trains, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipe {
    /// Stage 1 only.
    Head,
    /// Stage 1, then the layers and the head on the labels.
    Full,
    /// The layers on pairs of rows, then the head.
    Contrastive,
    /// Stage 1, then low-rank adapters on the layers and the head on the labels.
    Lora,
}

impl Recipe {
    /// The name the command line and the model card use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Full => "full",
            Self::Contrastive => "contrastive",
            Self::Lora => "lora",
        }
    }
}

/// The user's settings of a run on the encoder (stage 1's come from [`crate::TrainConfig`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EncoderSettings {
    /// How far to train.
    pub stage: StageChoice,
    /// How stage 2 trains the encoder.
    pub method: MethodChoice,
    /// Stage 2's epochs over the labels (full and LoRA methods); `None`: its default.
    #[serde(default)]
    pub finetune_epochs: Option<Epochs>,
    /// Stage 2's peak learning rate; `None`: the method's default.
    #[serde(default)]
    pub finetune_learning_rate: Option<f64>,
    /// Contrastive method: pairs made from each training row; `None`: its default.
    #[serde(default)]
    pub pairs_per_row: Option<usize>,
    /// LoRA method: rank of the adapters (alpha follows at twice the rank, so the delta's
    /// scale stays 2); `None`: rank 8, alpha 16.
    #[serde(default)]
    pub lora_rank: Option<usize>,
    /// Full method: train only the top this many layers of the encoder (the others frozen);
    /// `None`: every layer.
    #[serde(default)]
    pub unfreeze: Option<usize>,
    /// Stage 2: gradient checkpointing (less memory, more computing).
    #[serde(default)]
    pub gradient_checkpointing: bool,
}

/// Where a run computes, as far as its speed goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compute {
    /// A GPU (wgpu: Vulkan, Metal, or a browser's WebGPU on real hardware).
    Gpu,
    /// burn's `flex` CPU device in a native program.
    NativeCpu,
    /// The CPU from WebAssembly in a browser tab (or a software WebGPU adapter): about six
    /// times slower than native.
    BrowserCpu,
}

impl Compute {
    /// Rough seconds of one stage-2 step (16 rows, forward and backward through the encoder):
    /// measured 1.3 s natively on 2 cores (BENCHMARKS.md, stage 2), wasm at 0.16× native
    /// (embedding figure); a GPU is taken at a conservative 0.3 s (an H200 does far better,
    /// a laptop's integrated GPU less).
    pub fn step_seconds(self) -> f64 {
        match self {
            Self::Gpu => 0.3,
            Self::NativeCpu => 1.3,
            Self::BrowserCpu => 8.0,
        }
    }

    /// Rough rows embedded a second by the frozen encoder (BENCHMARKS.md: flex 61 rows/s on
    /// 2 cores, wasm in node 9.7; a GPU is taken at 200).
    pub fn embed_rows_per_second(self) -> f64 {
        match self {
            Self::Gpu => 200.0,
            Self::NativeCpu => 60.0,
            Self::BrowserCpu => 9.0,
        }
    }

    /// Longest estimated stage 2 that "auto" chooses on this device, in seconds.
    fn auto_budget_seconds(self) -> f64 {
        match self {
            Self::Gpu | Self::NativeCpu => 600.0,
            Self::BrowserCpu => 180.0,
        }
    }
}

/// Pairs per training row of the contrastive method by default (SetFit's usual 20).
pub const DEFAULT_PAIRS_PER_ROW: usize = 20;

/// Stage 2's default epochs over the labels (full method).
pub const DEFAULT_FINETUNE_EPOCHS: usize = 4;

/// Rows per stage-2 step.
pub const FINETUNE_BATCH: usize = 16;

/// Most training rows for which "auto" picks the contrastive method: pairs give the encoder
/// something to learn from when labels are few; with more rows the labels themselves do
/// (measured on the 150-row sample: contrastive 0.719, full 0.684; BENCHMARKS.md).
pub const CONTRASTIVE_AUTO_MAX_ROWS: usize = 1_000;

/// A resolved run on the encoder: what it trains, why, and how long it should take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// What is trained.
    pub recipe: Recipe,
    /// Why, in both languages (a choice of the user says so).
    pub why: Message,
    /// Rough wall time of the whole run on the device, in seconds (embedding included).
    pub estimated_seconds: f64,
    /// Rough wall time of the head only (stage 1) on the same device, for comparison.
    pub head_seconds: f64,
}

/// Stage-2 steps of `recipe` on `train_rows` rows.
fn stage2_steps(recipe: Recipe, settings: &EncoderSettings, train_rows: usize) -> f64 {
    let batches = train_rows.div_ceil(FINETUNE_BATCH) as f64;
    match recipe {
        Recipe::Head => 0.0,
        // LoRA's step is as long as the full method's: the backward pass still runs through
        // every layer (only the optimizer has less to do).
        Recipe::Full | Recipe::Lora => {
            let epochs = match settings.finetune_epochs {
                Some(Epochs::Fixed(epochs)) => epochs,
                _ => DEFAULT_FINETUNE_EPOCHS,
            };
            batches * epochs as f64
        }
        // Each pair runs both its texts through the encoder: about two steps' work.
        Recipe::Contrastive => {
            let pairs = train_rows * settings.pairs_per_row.unwrap_or(DEFAULT_PAIRS_PER_ROW);
            2.0 * pairs.div_ceil(FINETUNE_BATCH) as f64
        }
    }
}

/// Rough wall time of `recipe` on `train_rows` rows on `compute`, in seconds.
pub fn estimate_seconds(
    recipe: Recipe,
    settings: &EncoderSettings,
    train_rows: usize,
    compute: Compute,
) -> f64 {
    let embedding = train_rows as f64 / compute.embed_rows_per_second();
    // The contrastive method embeds the rows again with the tuned layers.
    let embeddings = if recipe == Recipe::Contrastive {
        2.0
    } else {
        1.0
    };
    embeddings * embedding + stage2_steps(recipe, settings, train_rows) * compute.step_seconds()
}

/// "unos 4 min" / "about 4 min": a duration for people.
pub fn describe_seconds(seconds: f64) -> (String, String) {
    if seconds < 60.0 {
        let seconds = (seconds.max(1.0)).round();
        (
            format!("about {seconds:.0} s"),
            format!("unos {seconds:.0} s"),
        )
    } else if seconds < 3_600.0 {
        let minutes = (seconds / 60.0).round();
        (
            format!("about {minutes:.0} min"),
            format!("unos {minutes:.0} min"),
        )
    } else {
        let hours = seconds / 3_600.0;
        (format!("about {hours:.1} h"), format!("unas {hours:.1} h"))
    }
}

/// The stage-2 method "auto" picks for `train_rows` rows.
fn auto_method(train_rows: usize) -> Recipe {
    if train_rows <= CONTRASTIVE_AUTO_MAX_ROWS {
        Recipe::Contrastive
    } else {
        Recipe::Full
    }
}

/// The rows a run trains on, out of `rows`: all of them when a separate validation file is
/// given, else what holding out `validation_fraction` leaves (as the split rounds it, near
/// enough for an estimate).
pub fn training_rows(rows: usize, validation_fraction: f32, separate_validation: bool) -> usize {
    if separate_validation {
        return rows;
    }
    let share = f64::from(1.0 - validation_fraction.clamp(0.0, 1.0));
    (rows as f64 * share).round() as usize
}

/// What a run trains on `train_rows` rows on `compute`: the user's choice, or on "auto" the
/// stage-2 method that suits the data size when its estimated time fits the device's budget
/// (10 min natively or on a GPU, 3 min on a browser's CPU), else the head only.
pub fn plan(settings: &EncoderSettings, train_rows: usize, compute: Compute) -> Plan {
    let method = match settings.method {
        MethodChoice::Auto => auto_method(train_rows),
        MethodChoice::Full => Recipe::Full,
        MethodChoice::Contrastive => Recipe::Contrastive,
        MethodChoice::Lora => Recipe::Lora,
    };
    let head_seconds = estimate_seconds(Recipe::Head, settings, train_rows, compute);
    let tuned_seconds = estimate_seconds(method, settings, train_rows, compute);
    let (tuned_en, tuned_es) = describe_seconds(tuned_seconds);
    let method_en = match method {
        Recipe::Contrastive => {
            "contrastive pairs (few rows: pairs teach the encoder more than the labels alone)"
        }
        Recipe::Lora => "low-rank adapters (LoRA) on the labels, the encoder itself frozen",
        _ => "the labels (enough rows to teach the encoder directly)",
    };
    let method_es = match method {
        Recipe::Contrastive => {
            "pares contrastivos (pocas filas: los pares enseñan al codificador más que las etiquetas solas)"
        }
        Recipe::Lora => {
            "adaptadores de rango bajo (LoRA) con las etiquetas, sin tocar el codificador"
        }
        _ => "las etiquetas (hay filas de sobra para enseñar al codificador directamente)",
    };
    let (recipe, why) = match settings.stage {
        StageChoice::Head => (
            Recipe::Head,
            Message::new(
                "head only, as chosen: the encoder stays frozen",
                "solo la cabeza, como elegiste: el codificador no se toca",
            ),
        ),
        StageChoice::Finetune => (
            method,
            Message::new(
                format!("fine-tuning as chosen, on {method_en}; {tuned_en}"),
                format!("ajuste fino como elegiste, con {method_es}; {tuned_es}"),
            ),
        ),
        StageChoice::Auto if tuned_seconds <= compute.auto_budget_seconds() => (
            method,
            Message::new(
                format!(
                    "auto: {train_rows} rows → fine-tuning on {method_en}; {tuned_en} on this device"
                ),
                format!(
                    "auto: {train_rows} filas → ajuste fino con {method_es}; {tuned_es} en este dispositivo"
                ),
            ),
        ),
        StageChoice::Auto => {
            let (head_en, head_es) = describe_seconds(head_seconds);
            let (device_en, device_es) = match compute {
                Compute::Gpu => ("on this GPU", "en esta GPU"),
                Compute::NativeCpu | Compute::BrowserCpu => ("on the CPU", "en la CPU"),
            };
            (
                Recipe::Head,
                Message::new(
                    format!(
                        "auto: head only ({head_en}); fine-tuning would take {tuned_en} {device_en} — choose it to wait for it"
                    ),
                    format!(
                        "auto: solo la cabeza ({head_es}); el ajuste fino tardaría {tuned_es} {device_es}: elígelo si quieres esperarlo"
                    ),
                ),
            )
        }
    };
    let estimated_seconds = estimate_seconds(recipe, settings, train_rows, compute);
    Plan {
        recipe,
        why,
        estimated_seconds,
        head_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_rows_leave_out_the_held_out_share_unless_validation_is_separate() {
        assert_eq!(training_rows(150, 0.2, false), 120);
        assert_eq!(training_rows(150, 0.3, false), 105);
        assert_eq!(training_rows(150, 0.2, true), 150);
        assert_eq!(training_rows(0, 0.2, false), 0);
    }

    #[test]
    fn auto_fine_tunes_small_data_when_the_device_is_fast_enough() {
        let auto = EncoderSettings::default();
        assert_eq!(plan(&auto, 150, Compute::Gpu).recipe, Recipe::Contrastive);
        assert_eq!(
            plan(&auto, 150, Compute::NativeCpu).recipe,
            Recipe::Contrastive
        );
        // 150 rows × 20 pairs on a browser's CPU: far over its budget.
        let browser = plan(&auto, 150, Compute::BrowserCpu);
        assert_eq!(browser.recipe, Recipe::Head);
        assert!(
            browser.why.en.contains("fine-tuning would take"),
            "{}",
            browser.why.en
        );
        assert!(
            browser.estimated_seconds < 60.0,
            "{}",
            browser.estimated_seconds
        );
        // Many rows: the labels, not pairs.
        assert_eq!(plan(&auto, 2_000, Compute::Gpu).recipe, Recipe::Full);
    }

    #[test]
    fn a_users_choice_is_followed_and_said() {
        let head = EncoderSettings {
            stage: StageChoice::Head,
            ..EncoderSettings::default()
        };
        let chosen = plan(&head, 150, Compute::Gpu);
        assert_eq!(chosen.recipe, Recipe::Head);
        assert!(chosen.why.es.contains("como elegiste"));
        let full = EncoderSettings {
            stage: StageChoice::Finetune,
            method: MethodChoice::Full,
            ..EncoderSettings::default()
        };
        let chosen = plan(&full, 150, Compute::BrowserCpu);
        assert_eq!(chosen.recipe, Recipe::Full);
        assert!(chosen.estimated_seconds > chosen.head_seconds);
        let lora = EncoderSettings {
            stage: StageChoice::Finetune,
            method: MethodChoice::Lora,
            lora_rank: Some(4),
            ..EncoderSettings::default()
        };
        let chosen = plan(&lora, 150, Compute::NativeCpu);
        assert_eq!(chosen.recipe, Recipe::Lora);
        assert_eq!(chosen.recipe.name(), "lora");
        assert!(chosen.why.en.contains("LoRA"), "{}", chosen.why.en);
        assert!(chosen.estimated_seconds > chosen.head_seconds);
    }

    #[test]
    fn settings_of_older_pages_still_read() {
        let old = r#"{"stage":"Finetune","method":"Full"}"#;
        let settings: EncoderSettings = serde_json::from_str(old).unwrap();
        assert_eq!(settings.lora_rank, None);
        assert_eq!(settings.unfreeze, None);
        let lora: EncoderSettings =
            serde_json::from_str(r#"{"stage":"Auto","method":"Lora","lora_rank":4}"#).unwrap();
        assert_eq!(lora.method, MethodChoice::Lora);
        assert_eq!(lora.lora_rank, Some(4));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_seconds(0.2).1, "unos 1 s");
        assert_eq!(describe_seconds(240.0).0, "about 4 min");
        assert_eq!(describe_seconds(7_200.0).1, "unas 2.0 h");
    }
}
