//! Step 4, "Train": the settings, the run, its curves and its results.

pub(crate) mod base_model;
pub(crate) mod curves;
pub(crate) mod result;
pub(crate) mod run;
pub(crate) mod settings;

use std::sync::Arc;

use leptos::prelude::*;

use afina_trainer::ModelKind;
use afina_trainer::encoder::plan::{self, Compute, describe_seconds};

use crate::i18n::{Lang, PageLang};
use crate::steps::improve::plan::Augmentation;
use crate::steps::load::validation::ValidationFile;
use crate::steps::validate::work::Work;
use crate::steps::versions::state::Versions;
use crate::workers::protocol::{DeviceChoice, DeviceInfo, DeviceKind, DeviceTrial, ToWorker};
use crate::workers::worker_client;
use base_model::{BaseModel, ModelChoicePanel, megabytes};
use curves::Curves;
use result::TrainResult;
use run::{Phase, TrainRun, TrainView};
use settings::{Settings, SettingsPanel, resolve_model};

/// What a new run is made of: the working dataset, its accepted variants, the validation file,
/// the settings, and the number of the version it makes.
#[derive(Clone, Copy)]
struct Training {
    run: TrainRun,
    work: Work,
    augmentation: Augmentation,
    validation: ValidationFile,
    settings: Settings,
    versions: Versions,
    base: BaseModel,
}

impl Training {
    /// Trains a new version on the device the settings name, or on `device` when given (the
    /// CPU offered after a GPU failure).
    fn start(&self, device: Option<DeviceChoice>) {
        let Some(dataset) = self.work.dataset.get_untracked() else {
            return;
        };
        let version = self.versions.next_id();
        self.run.begin();
        // Accepted variants train with the validation rows they were kept away from.
        let plan =
            self.augmentation.plan.get_untracked().filter(|plan| {
                plan.accepted.get_untracked() && Arc::ptr_eq(&plan.dataset, &dataset)
            });
        let (examples, validation) = match plan {
            Some(plan) => {
                let (training, validation) = plan.training_data();
                (training, Some(validation))
            }
            None => (dataset.examples(), None),
        };
        // A validation file beats a held-out share (the variants' sources stay in training).
        let validation = self
            .validation
            .file
            .get_untracked()
            .map(|file| file.examples())
            .or(validation);
        let settings = self.settings.settings.get_untracked();
        let offered = self.base.may_be_offered_untracked();
        let (model, _, _) = resolve_model(settings.model, examples.len(), offered);
        worker_client::send(&ToWorker::Train {
            version,
            device: device.unwrap_or(settings.device),
            examples,
            validation,
            source: dataset.file_name.clone(),
            config: settings.config(model),
            model,
            encoder: settings.encoder.clone(),
        });
    }
}

/// What the device trial timed, for the device line.
fn trial_kind(trial: &DeviceTrial, lang: Lang) -> &'static str {
    if trial.embedding {
        lang.pick(
            "vectores del modelo preentrenado",
            "the pretrained model's vectors",
        )
    } else {
        lang.pick("una época", "one epoch")
    }
}

/// The device line: which device trains and why.
fn device_text(info: &DeviceInfo, lang: Lang) -> String {
    let seconds = |ms: f64| format!("{:.2} s", ms / 1000.0);
    match (info.kind, &info.trial) {
        (DeviceKind::WebGpu, None) => format!("WebGPU · {}", info.detail),
        (DeviceKind::WebGpu, Some(trial)) => format!(
            "WebGPU · {} — {} {} {} ({}: WebGPU {} · CPU {})",
            info.detail,
            lang.pick(
                "elegido automáticamente: fue más rápido en una prueba de",
                "chosen automatically: it was faster on a trial of"
            ),
            trial.rows,
            lang.pick("filas", "rows"),
            trial_kind(trial, lang),
            seconds(trial.webgpu_ms),
            seconds(trial.cpu_ms),
        ),
        (DeviceKind::Cpu, Some(trial)) => format!(
            "CPU — {} {} {} ({}: CPU {} · WebGPU {}){}",
            lang.pick(
                "elegida automáticamente: fue más rápida en una prueba de",
                "chosen automatically: it was faster on a trial of"
            ),
            trial.rows,
            lang.pick("filas", "rows"),
            trial_kind(trial, lang),
            seconds(trial.cpu_ms),
            seconds(trial.webgpu_ms),
            info.adapter
                .as_ref()
                .map(|adapter| format!(
                    ". {}: {adapter}",
                    lang.pick("WebGPU disponible", "WebGPU available")
                ))
                .unwrap_or_default(),
        ),
        (DeviceKind::Cpu, _) if info.gpu_fault.is_some() => format!(
            "CPU — {}: {}",
            lang.pick(
                "la GPU falló, así que se entrena en la CPU",
                "the GPU failed, so training goes on on the CPU"
            ),
            info.gpu_fault
                .as_ref()
                .map(|fault| lang.message(fault))
                .unwrap_or_default(),
        ),
        (DeviceKind::Cpu, None) if info.detail.is_empty() => {
            format!("CPU — {}", lang.pick("elegida por ti", "chosen by you"))
        }
        (DeviceKind::Cpu, None) => format!(
            "CPU — {}: {}",
            lang.pick("WebGPU no disponible", "WebGPU not available"),
            info.detail
        ),
    }
}

/// The settings, the train and stop buttons, the device, progress, curves and the result.
#[component]
pub(crate) fn TrainPanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let run = expect_context::<TrainRun>();
    let work = expect_context::<Work>();
    let versions = expect_context::<Versions>();
    let training = Training {
        run,
        work,
        augmentation: expect_context::<Augmentation>(),
        validation: expect_context::<ValidationFile>(),
        settings: expect_context::<Settings>(),
        versions,
        base: expect_context::<BaseModel>(),
    };
    let running = move || matches!(run.view.get(), TrainView::Running { .. });
    // Versions are numbered after the stored ones: wait until they are read back.
    let can_train = move || {
        !running()
            && versions.restored.get()
            && work
                .dataset
                .get()
                .is_some_and(|dataset| dataset.label_counts().len() >= 2)
    };
    let device = move || {
        let lang = state.lang.get();
        run.device.get().map(|info| {
            let kind = match info.kind {
                DeviceKind::WebGpu => "webgpu",
                DeviceKind::Cpu => "cpu",
            };
            let trial = info.trial.is_some();
            view! {
                <p class="device" data-testid="device" data-kind=kind data-trial=trial.to_string()>
                    {device_text(&info, lang)}
                </p>
            }
        })
    };
    let progress = move || {
        let lang = state.lang.get();
        let TrainView::Running {
            fraction,
            eta_ms,
            epoch,
            epochs,
        } = run.view.get()
        else {
            return None;
        };
        let eta = eta_ms
            .map(|ms| format!(" · {} {:.0} s", lang.pick("quedan", "ETA"), ms / 1000.0))
            .unwrap_or_default();
        let phase = run.phase.get();
        let (fraction, text) = match phase {
            Phase::Downloading {
                done,
                total,
                eta_ms,
            } => (
                (done / total.max(1.0)) as f32,
                format!(
                    "{} {} / {}{}",
                    lang.pick(
                        "Descargando el modelo preentrenado:",
                        "Downloading the pretrained model:"
                    ),
                    megabytes(done, lang),
                    megabytes(total, lang),
                    eta_ms
                        .map(|ms| format!(" · {} {:.0} s", lang.pick("quedan", "ETA"), ms / 1000.0))
                        .unwrap_or_default()
                ),
            ),
            Phase::Embedding {
                done,
                total,
                cached,
                rows_per_second,
            } => (
                done as f32 / total.max(1) as f32,
                format!(
                    "{} {done}/{total} {}{}{}",
                    lang.pick(
                        "Calculando los vectores de las frases:",
                        "Embedding the sentences:"
                    ),
                    lang.pick("filas", "rows"),
                    rows_per_second
                        .map(|rate| format!(
                            " · {rate:.1} {} · {} {:.0} s",
                            lang.pick("filas/s", "rows/s"),
                            lang.pick("quedan", "ETA"),
                            total.saturating_sub(done) as f64 / rate.max(1e-3)
                        ))
                        .unwrap_or_default(),
                    if cached > 0 {
                        format!(" ({cached} {})", lang.pick("ya calculadas", "already done"))
                    } else {
                        String::new()
                    }
                ),
            ),
            Phase::Preparing if epochs == 0 => (
                0.0,
                lang.pick(
                    "Preparando (eligiendo el dispositivo)…",
                    "Preparing (choosing the device)…",
                )
                .to_string(),
            ),
            Phase::Preparing | Phase::Training => (
                fraction,
                format!(
                    "{} {epoch}/{epochs} · {:.0} %{eta}",
                    lang.pick("Época", "Epoch"),
                    fraction * 100.0
                ),
            ),
        };
        let phase_name = match phase {
            Phase::Preparing => "preparing",
            Phase::Downloading { .. } => "downloading",
            Phase::Embedding { .. } => "embedding",
            Phase::Training => "training",
        };
        Some(view! {
            <div class="running" data-phase=phase_name>
                <progress
                    data-testid="progress"
                    max="1"
                    value=fraction
                    aria-label=lang.pick("Progreso del entrenamiento", "Training progress")
                ></progress>
                <span data-testid="progress-text">{text}</span>
                <button data-testid="stop-button" on:click=move |_| worker_client::send(&ToWorker::Stop)>
                    {lang.pick("Detener", "Stop")}
                </button>
            </div>
        })
    };
    let curves = move || {
        let lang = state.lang.get();
        let history = run.history.get();
        let best = match run.view.get() {
            TrainView::Done { summary, .. } => Some(summary.best_epoch),
            _ => None,
        };
        let history = if history.is_empty() {
            match run.view.get() {
                TrainView::Done { summary, .. } => summary.history.clone(),
                _ => history,
            }
        } else {
            history
        };
        (!history.is_empty()).then(|| view! { <Curves history best lang/> })
    };
    let body = move || {
        let lang = state.lang.get();
        match run.view.get() {
            TrainView::Idle | TrainView::Running { .. } => None,
            TrainView::Failed(error) => Some(
                view! {
                    <p class="error" role="alert" data-testid="train-error">{error}</p>
                }
                .into_any(),
            ),
            TrainView::GpuFailed(error) => Some(
                view! {
                    <div class="error gpu-failed" role="alert" data-testid="gpu-failed">
                        <p data-testid="train-error" data-gpu-fault="true">{error}</p>
                        <p>
                            {lang.pick(
                                "No se ha guardado nada de lo calculado en esa GPU. Puedes entrenar en la CPU (más lenta, pero fiable); para volver a probar la GPU, recarga la página.",
                                "Nothing computed on that GPU was kept. You can train on the CPU (slower, but reliable); to try the GPU again, reload the page.",
                            )}
                        </p>
                        <button
                            data-testid="continue-on-cpu"
                            on:click=move |_| training.start(Some(DeviceChoice::Cpu))
                        >
                            {lang.pick("Seguir en la CPU", "Continue on the CPU")}
                        </button>
                    </div>
                }
                .into_any(),
            ),
            TrainView::Done { version, summary } => {
                Some(view! { <TrainResult version summary=*summary lang/> }.into_any())
            }
        }
    };
    let base = training.base;
    let validation = training.validation;
    let settings = training.settings.settings;
    // What a run on the pretrained model would train and how long it should take, before it
    // starts: on the CPU, and on a real GPU.
    let estimate = move || {
        let lang = state.lang.get();
        let rows = work
            .dataset
            .with(|dataset| dataset.as_ref().map_or(0, |d| d.examples().len()));
        let offered = base.may_be_offered();
        let (model, encoder, held_out) = settings.with(|s| {
            (
                s.model,
                s.encoder.clone(),
                s.config(ModelKind::E5Small).validation_fraction,
            )
        });
        if resolve_model(model, rows, offered).0 != ModelKind::E5Small || rows == 0 {
            return None;
        }
        let separate_validation = validation.file.with(Option::is_some);
        let train_rows = plan::training_rows(rows, held_out, separate_validation);
        let cpu = plan::plan(&encoder, train_rows, Compute::BrowserCpu);
        let gpu = plan::plan(&encoder, train_rows, Compute::Gpu);
        let (_, cpu_es) = describe_seconds(cpu.estimated_seconds);
        let (cpu_en, _) = describe_seconds(cpu.estimated_seconds);
        let (gpu_en, gpu_es) = describe_seconds(gpu.estimated_seconds);
        let text = match lang {
            Lang::Es => format!(
                "Tiempo estimado: {cpu_es} en la CPU ({}); con una GPU real, {gpu_es} ({}).",
                cpu.recipe.name(),
                gpu.recipe.name()
            ),
            Lang::En => format!(
                "Estimated time: {cpu_en} on the CPU ({}); with a real GPU, {gpu_en} ({}).",
                cpu.recipe.name(),
                gpu.recipe.name()
            ),
        };
        Some(view! { <p class="help" data-testid="estimate">{text}</p> })
    };
    let plan_line = move || {
        let lang = state.lang.get();
        run.plan.get().map(|plan| {
            view! {
                <p class="plan" data-testid="plan" data-recipe=plan.recipe.name()>
                    {format!("{}: {}", lang.pick("Entrenamiento", "Training"), lang.message(&plan.why))}
                </p>
            }
        })
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("4. Entrenar", "4. Train")}</h2>
            <ModelChoicePanel/>
            {estimate}
            <SettingsPanel/>
            <button
                class="primary"
                data-testid="train-button"
                disabled=move || !can_train()
                on:click=move |_| training.start(None)
            >
                {move || state.text("Entrenar el clasificador", "Train the classifier")}
            </button>
            {device}
            {plan_line}
            {progress}
            {curves}
            {body}
        </section>
    }
}
