//! The training settings a user can change, each "auto" by default and explained in one line:
//! model, stage, device, epochs, learning rate, batch size, validation share and class
//! balancing.

use afina_trainer::encoder::plan::{EncoderSettings, MethodChoice, StageChoice};
use afina_trainer::{ENCODER_AUTO_MAX_ROWS, Epochs, ModelKind, TrainConfig};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::PageLang;
use crate::workers::protocol::DeviceChoice;

/// Which model the user wants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelChoice {
    /// From the data: see [`resolve_model`].
    #[default]
    Auto,
    /// "Preciso": the pretrained multilingual encoder.
    Encoder,
    /// "Rápido": hashed n-grams trained from scratch.
    Ngram,
}

/// The model family for `choice` on `rows` rows, and why in (Spanish, English); `offered`: the
/// site carries the pretrained encoder.
pub fn resolve_model(
    choice: ModelChoice,
    rows: usize,
    offered: bool,
) -> (ModelKind, String, String) {
    match choice {
        ModelChoice::Encoder => (
            ModelKind::E5Small,
            "elegido por ti".into(),
            "chosen by you".into(),
        ),
        ModelChoice::Ngram => (
            ModelKind::Ngram,
            "elegido por ti".into(),
            "chosen by you".into(),
        ),
        ModelChoice::Auto if !offered => (
            ModelKind::Ngram,
            "este sitio no incluye el modelo preentrenado".into(),
            "this site does not carry the pretrained model".into(),
        ),
        ModelChoice::Auto if rows <= ENCODER_AUTO_MAX_ROWS => (
            ModelKind::E5Small,
            format!(
                "{rows} filas: con pocos ejemplos, un modelo que ya sabe español e inglés acierta mucho más"
            ),
            format!(
                "{rows} rows: with few examples, a model that already knows Spanish and English does far better"
            ),
        ),
        ModelChoice::Auto => (
            ModelKind::Ngram,
            format!(
                "{rows} filas (más de {ENCODER_AUTO_MAX_ROWS}): hay datos de sobra para aprender las palabras, y entrena mucho más rápido"
            ),
            format!(
                "{rows} rows (over {ENCODER_AUTO_MAX_ROWS}): enough data to learn the words, and it trains far faster"
            ),
        ),
    }
}

/// The user's settings; `None` means "auto" (the trainer's default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Which model.
    #[serde(default)]
    pub model: ModelChoice,
    /// The pretrained encoder's stage and method.
    #[serde(default)]
    pub encoder: EncoderSettings,
    /// Where to train.
    pub device: DeviceChoice,
    /// Most epochs (early stopping may end sooner).
    pub epochs: Option<usize>,
    /// Peak learning rate.
    pub learning_rate: Option<f64>,
    /// Rows per step.
    pub batch_size: Option<usize>,
    /// Share of each class held out for validation.
    pub validation_share: Option<f32>,
    /// Weight the loss so every class counts the same.
    pub balance_classes: bool,
}

impl TrainSettings {
    /// The trainer's configuration for these settings and model family (stage 1's for the
    /// encoder).
    pub fn config(&self, kind: ModelKind) -> TrainConfig {
        let mut config = match kind {
            ModelKind::Ngram => TrainConfig::default(),
            ModelKind::E5Small => TrainConfig::stage1(),
        };
        if let Some(epochs) = self.epochs {
            config.epochs = Epochs::Fixed(epochs);
        }
        if let Some(rate) = self.learning_rate {
            config.learning_rate = rate;
        }
        if let Some(batch) = self.batch_size {
            config.batch_size = batch;
        }
        if let Some(share) = self.validation_share {
            config.validation_fraction = share;
        }
        config.balance_classes = self.balance_classes;
        config
    }
}

/// The training settings the user chose, shared through context (and kept with the project).
#[derive(Clone, Copy)]
pub(crate) struct Settings {
    /// The settings.
    pub(crate) settings: RwSignal<TrainSettings>,
}

impl Settings {
    /// Every setting "auto".
    pub(crate) fn new() -> Self {
        Self {
            settings: RwSignal::new(TrainSettings::default()),
        }
    }
}

/// Parses a number field: blank is "auto", anything outside `range` or unreadable is refused
/// with a message.
fn parse_field<T>(value: &str, valid: impl Fn(&T) -> bool) -> Result<Option<T>, ()>
where
    T: std::str::FromStr,
{
    let value = value.trim().replace(',', ".");
    if value.is_empty() || value.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    match value.parse::<T>() {
        Ok(number) if valid(&number) => Ok(Some(number)),
        _ => Err(()),
    }
}

/// The stage select's value for `encoder`.
fn stage_value(encoder: &EncoderSettings) -> &'static str {
    match (encoder.stage, encoder.method) {
        (StageChoice::Auto, _) => "auto",
        (StageChoice::Head, _) => "head",
        (StageChoice::Finetune, MethodChoice::Contrastive) => "contrastive",
        (StageChoice::Finetune, MethodChoice::Lora) => "lora",
        (StageChoice::Finetune, _) => "full",
    }
}

/// Sets the stage and method from the stage select's `value`.
fn set_stage(encoder: &mut EncoderSettings, value: &str) {
    (encoder.stage, encoder.method) = match value {
        "head" => (StageChoice::Head, MethodChoice::Auto),
        "full" => (StageChoice::Finetune, MethodChoice::Full),
        "contrastive" => (StageChoice::Finetune, MethodChoice::Contrastive),
        "lora" => (StageChoice::Finetune, MethodChoice::Lora),
        _ => (StageChoice::Auto, MethodChoice::Auto),
    };
}

/// One number setting: a label, an input whose blank means "auto", and its explanation.
#[component]
fn NumberSetting(
    /// The input's test id and element id.
    id: &'static str,
    /// Its name, in Spanish and English.
    name: (&'static str, &'static str),
    /// What it does, in Spanish and English.
    help: (&'static str, &'static str),
    /// What "auto" means here, in Spanish and English.
    auto: (&'static str, &'static str),
    /// The value shown (blank for "auto"); follows the settings, also when a reload restores
    /// them.
    value: Signal<String>,
    /// Takes the typed text; false when it is not valid.
    set: Callback<String, bool>,
) -> impl IntoView {
    let state = expect_context::<PageLang>();
    let invalid = RwSignal::new(false);
    let help_id = format!("{id}-help");
    view! {
        <div class="setting">
            <label for=id>{move || state.text(name.0, name.1)}</label>
            <input
                id=id
                data-testid=id
                type="text"
                inputmode="decimal"
                prop:value=move || value.get()
                placeholder=move || state.text(auto.0, auto.1)
                aria-describedby=help_id.clone()
                aria-invalid=move || invalid.get().to_string()
                on:change=move |event| invalid.set(!set.run(event_target_value(&event)))
            />
            <p class="help" id=help_id>
                {move || state.text(help.0, help.1)}
                {move || invalid.get().then(|| view! {
                    <span class="error">{state.text(" — valor no válido: se usa «auto».", " — not a valid value: \"auto\" is used.")}</span>
                })}
            </p>
        </div>
    }
}

/// The settings form.
#[component]
pub(crate) fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let settings = expect_context::<Settings>().settings;
    let shown = move |read: fn(&TrainSettings) -> Option<String>| {
        Signal::derive(move || settings.with(read).unwrap_or_default())
    };
    let device_option = move |choice: DeviceChoice, text: (&'static str, &'static str)| {
        view! {
            <option value=format!("{choice:?}") selected=move || settings.with(|s| s.device == choice)>
                {move || state.text(text.0, text.1)}
            </option>
        }
    };
    let stage_option = move |value: &'static str, text: (&'static str, &'static str)| {
        view! {
            <option value=value selected=move || settings.with(|s| stage_value(&s.encoder) == value)>
                {move || state.text(text.0, text.1)}
            </option>
        }
    };
    view! {
        <details class="settings" data-testid="settings">
            <summary>{move || state.text("Ajustes (todos en «auto» por defecto)", "Settings (all \"auto\" by default)")}</summary>
            <div class="setting">
                <label for="stage-choice">{move || state.text("Ajuste del modelo preentrenado", "Training of the pretrained model")}</label>
                <select
                    id="stage-choice"
                    data-testid="stage-choice"
                    aria-describedby="stage-choice-help"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        settings.update(|s| set_stage(&mut s.encoder, &value));
                    }
                >
                    {stage_option("auto", ("Auto (según las filas y el dispositivo)", "Auto (from the rows and the device)"))}
                    {stage_option("head", ("Solo la cabeza (rápido)", "Head only (fast)"))}
                    {stage_option("full", ("Ajuste fino completo", "Full fine-tuning"))}
                    {stage_option("contrastive", ("Ajuste fino con pares (pocos ejemplos)", "Fine-tuning on pairs (few examples)"))}
                    {stage_option("lora", ("Ajuste fino LoRA (archivo pequeño, menos memoria)", "LoRA fine-tuning (small file, less memory)"))}
                </select>
                <p class="help" id="stage-choice-help">
                    {move || state.text(
                        "Solo para el modelo preciso. «Solo la cabeza» entrena una capa sobre el modelo congelado (segundos); el ajuste fino entrena también el modelo (minutos en la CPU, segundos en una GPU real); «con pares» aprende de pares de frases de la misma o distinta etiqueta, lo mejor con pocas filas; LoRA entrena solo unos adaptadores pequeños (un archivo de unos 3 MB en vez de 86 MB). «Auto» ajusta el modelo cuando el tiempo estimado cabe en este dispositivo.",
                        "Precise model only. \"Head only\" trains a layer on the frozen model (seconds); fine-tuning trains the model too (minutes on the CPU, seconds on a real GPU); \"on pairs\" learns from pairs of sentences with the same or another label, best with few rows; LoRA trains small adapters only (a file of about 3 MB instead of 86 MB). \"Auto\" fine-tunes when the estimated time fits this device.",
                    )}
                </p>
            </div>
            <div class="setting">
                <label for="device-choice">{move || state.text("Dispositivo", "Device")}</label>
                <select
                    id="device-choice"
                    data-testid="device-choice"
                    aria-describedby="device-choice-help"
                    on:change=move |event| {
                        let choice = match event_target_value(&event).as_str() {
                            "WebGpu" => DeviceChoice::WebGpu,
                            "Cpu" => DeviceChoice::Cpu,
                            _ => DeviceChoice::Auto,
                        };
                        settings.update(|s| s.device = choice);
                    }
                >
                    {device_option(DeviceChoice::Auto, ("Auto (el más rápido en una prueba)", "Auto (the faster on a trial)"))}
                    {device_option(DeviceChoice::WebGpu, ("GPU (WebGPU)", "GPU (WebGPU)"))}
                    {device_option(DeviceChoice::Cpu, ("CPU", "CPU"))}
                </select>
                <p class="help" id="device-choice-help">
                    {move || state.text(
                        "«Auto» entrena una época corta en cada uno y usa el más rápido: con un modelo pequeño la CPU suele ganar; con una GPU real y muchos datos, la GPU.",
                        "\"Auto\" trains a short epoch on each and uses the faster: with a small model the CPU often wins; with a real GPU and much data, the GPU.",
                    )}
                </p>
            </div>
            <NumberSetting
                id="setting-epochs"
                name=("Épocas", "Epochs")
                help=("Cuántas veces ve el modelo todos los datos; se detiene antes si la validación deja de mejorar.", "How many times the model sees all the data; it stops sooner when validation stops improving.")
                auto=("auto (según el tamaño)", "auto (from the size)")
                value=shown(|s| s.epochs.map(|v| v.to_string()))
                set=Callback::new(move |text: String| match parse_field::<usize>(&text, |v| (1..=500).contains(v)) {
                    Ok(value) => { settings.update(|s| s.epochs = value); true }
                    Err(()) => { settings.update(|s| s.epochs = None); false }
                })
            />
            <NumberSetting
                id="setting-learning-rate"
                name=("Tasa de aprendizaje", "Learning rate")
                help=("El tamaño de cada paso de ajuste: más alta aprende más rápido pero puede no converger.", "The size of each adjustment: higher learns faster but may not settle.")
                auto=("auto (1,5; preciso: 0,01)", "auto (1.5; precise: 0.01)")
                value=shown(|s| s.learning_rate.map(|v| v.to_string()))
                set=Callback::new(move |text: String| match parse_field::<f64>(&text, |v| *v > 0.0 && *v <= 100.0) {
                    Ok(value) => { settings.update(|s| s.learning_rate = value); true }
                    Err(()) => { settings.update(|s| s.learning_rate = None); false }
                })
            />
            <NumberSetting
                id="setting-batch-size"
                name=("Tamaño del lote", "Batch size")
                help=("Filas por paso: lotes grandes van más rápido en GPU; lotes pequeños suelen generalizar mejor.", "Rows per step: big batches run faster on a GPU; small ones often generalise better.")
                auto=("auto (32; preciso: 16)", "auto (32; precise: 16)")
                value=shown(|s| s.batch_size.map(|v| v.to_string()))
                set=Callback::new(move |text: String| match parse_field::<usize>(&text, |v| (1..=4096).contains(v)) {
                    Ok(value) => { settings.update(|s| s.batch_size = value); true }
                    Err(()) => { settings.update(|s| s.batch_size = None); false }
                })
            />
            <NumberSetting
                id="setting-validation"
                name=("Parte para validación", "Validation share")
                help=("Qué parte de cada clase se aparta para medir el modelo con frases que no vio (0,05–0,5).", "Which share of each class is set aside to measure the model on sentences it never saw (0.05–0.5).")
                auto=("auto (0,2)", "auto (0.2)")
                value=shown(|s| s.validation_share.map(|v| v.to_string()))
                set=Callback::new(move |text: String| match parse_field::<f32>(&text, |v| (0.05..=0.5).contains(v)) {
                    Ok(value) => { settings.update(|s| s.validation_share = value); true }
                    Err(()) => { settings.update(|s| s.validation_share = None); false }
                })
            />
            <div class="setting">
                <label>
                    <input
                        type="checkbox"
                        data-testid="setting-balance"
                        aria-describedby="setting-balance-help"
                        prop:checked=move || settings.with(|s| s.balance_classes)
                        on:change=move |event| settings.update(|s| s.balance_classes = event_target_checked(&event))
                    />
                    {move || state.text(" Equilibrar las clases", " Balance the classes")}
                </label>
                <p class="help" id="setting-balance-help">
                    {move || state.text(
                        "Da a cada clase el mismo peso aunque tenga menos filas: útil si una clase es rara.",
                        "Gives every class the same weight even with fewer rows: useful when one class is rare.",
                    )}
                </p>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_auto_mean_the_default() {
        assert_eq!(parse_field::<usize>("", |_| true), Ok(None));
        assert_eq!(parse_field::<usize>(" auto ", |_| true), Ok(None));
        let config = TrainSettings::default().config(ModelKind::Ngram);
        assert_eq!(config, TrainConfig::default());
        let config = TrainSettings::default().config(ModelKind::E5Small);
        assert_eq!(config, TrainConfig::stage1());
    }

    #[test]
    fn numbers_take_either_decimal_mark_and_are_checked() {
        assert_eq!(parse_field::<f32>("0,3", |v| *v < 0.5), Ok(Some(0.3)));
        assert_eq!(parse_field::<f32>("0.7", |v| *v < 0.5), Err(()));
        assert_eq!(parse_field::<usize>("tres", |_| true), Err(()));
    }

    #[test]
    fn auto_picks_the_encoder_for_small_data_it_has() {
        assert_eq!(
            resolve_model(ModelChoice::Auto, 150, true).0,
            ModelKind::E5Small
        );
        assert_eq!(
            resolve_model(ModelChoice::Auto, 150, false).0,
            ModelKind::Ngram
        );
        assert_eq!(
            resolve_model(ModelChoice::Auto, 9_000, true).0,
            ModelKind::Ngram
        );
        assert_eq!(
            resolve_model(ModelChoice::Ngram, 150, true).0,
            ModelKind::Ngram
        );
    }

    #[test]
    fn settings_reach_the_config() {
        let settings = TrainSettings {
            model: ModelChoice::Ngram,
            encoder: EncoderSettings::default(),
            device: DeviceChoice::Cpu,
            epochs: Some(7),
            learning_rate: Some(0.5),
            batch_size: Some(16),
            validation_share: Some(0.25),
            balance_classes: true,
        };
        let config = settings.config(ModelKind::Ngram);
        assert_eq!(config.epochs, Epochs::Fixed(7));
        assert_eq!(config.learning_rate, 0.5);
        assert_eq!(config.batch_size, 16);
        assert_eq!(config.validation_fraction, 0.25);
        assert!(config.balance_classes);
    }
}
