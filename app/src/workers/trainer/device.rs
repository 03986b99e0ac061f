//! The worker's devices: WebGPU when the browser offers an adapter and burn can open it, the
//! `flex` CPU device always, and the automatic choice between them by a timed trial.

use std::cell::RefCell;

use afina_dataset::Example;
use afina_trainer::{Control, Epochs, Observer, Progress, TrainConfig, TrainData, train};
use burn::tensor::Device;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::base_model;
use super::gpu_guard::{self, GpuFault};
use crate::browser::{describe, now_ms, string_field, yield_to_event_loop};
use crate::workers::protocol::{DeviceChoice, DeviceInfo, DeviceKind, DeviceTrial};

/// Training rows in the timed trial of an automatic choice (n-gram model).
const TRIAL_ROWS: usize = 256;

/// Rows embedded in the timed trial of an automatic choice (pretrained encoder).
const ENCODER_TRIAL_ROWS: usize = 8;

/// What an automatic choice times on each device.
pub enum Trial<'a> {
    /// One epoch of the n-gram model on a sample of the rows.
    Ngram {
        /// The training rows.
        examples: &'a [Example],
        /// The run's settings.
        config: &'a TrainConfig,
    },
    /// Embedding a few rows with the pretrained encoder (built for each device).
    Encoder {
        /// The training rows.
        examples: &'a [Example],
        /// Longest input in tokens.
        max_tokens: usize,
    },
}

/// WebGPU as opened once (burn's wgpu runtime cannot be initialised twice).
#[derive(Clone)]
enum WebGpu {
    /// Not asked for yet.
    Untried,
    /// Being opened by an earlier caller.
    Opening,
    /// Open, with the adapter's name.
    Open(Device, String),
    /// Not available, and why.
    Unavailable(String),
    /// Opened, then failed: nothing more runs on it in this worker.
    Failed(GpuFault),
}

thread_local! {
    static WEBGPU: RefCell<WebGpu> = const { RefCell::new(WebGpu::Untried) };
}

/// Why WebGPU cannot be used.
#[derive(Debug, Clone)]
pub enum NoWebGpu {
    /// The browser offers none, or burn could not open it (English, for the device line).
    Unavailable(String),
    /// It failed earlier in this worker.
    Failed(GpuFault),
}

/// The WebGPU device and its adapter's name, or why there is none. Opens it on first use;
/// callers that come while it opens wait for the same answer.
pub async fn webgpu() -> Result<(Device, String), NoWebGpu> {
    loop {
        let state = WEBGPU.with_borrow(WebGpu::clone);
        match state {
            WebGpu::Open(device, adapter) => return Ok((device, adapter)),
            WebGpu::Unavailable(reason) => return Err(NoWebGpu::Unavailable(reason)),
            WebGpu::Failed(fault) => return Err(NoWebGpu::Failed(fault)),
            WebGpu::Opening => yield_to_event_loop().await,
            WebGpu::Untried => {
                WEBGPU.with_borrow_mut(|state| *state = WebGpu::Opening);
                let opened = open_webgpu().await;
                WEBGPU.with_borrow_mut(|state| {
                    *state = match &opened {
                        Ok((device, adapter)) => WebGpu::Open(device.clone(), adapter.clone()),
                        Err(reason) => WebGpu::Unavailable(reason.clone()),
                    }
                });
                return opened.map_err(NoWebGpu::Unavailable);
            }
        }
    }
}

/// Takes WebGPU out of use for the rest of this worker's life: a device that raised an error
/// is not trusted again (the page must be reloaded to try it anew).
pub fn mark_failed(fault: &GpuFault) {
    WEBGPU.with_borrow_mut(|state| {
        if !matches!(state, WebGpu::Failed(_)) {
            *state = WebGpu::Failed(fault.clone());
        }
    });
}

async fn open_webgpu() -> Result<(Device, String), String> {
    gpu_guard::check_installed().map_err(|fault| fault.message().en)?;
    let adapter = webgpu_adapter_name().await?;
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|error| format!("burn could not open the adapter: {error}"))?;
    Ok((device, adapter))
}

/// The device a run uses and why, for `choice`; an automatic choice times a short `trial` on
/// each device. `fallback`: the GPU failed in an earlier attempt of this run, which goes on on
/// the CPU.
///
/// # Errors
/// The GPU was asked for explicitly and it failed (now, during the trial, or earlier in this
/// worker): the caller tells the user and offers the CPU.
pub async fn pick(
    choice: DeviceChoice,
    trial: &Trial<'_>,
    fallback: Option<&GpuFault>,
) -> Result<(Device, DeviceInfo), GpuFault> {
    let cpu = |detail: String,
               adapter: Option<String>,
               trial: Option<DeviceTrial>,
               fault: Option<&GpuFault>| {
        (
            Device::flex(),
            DeviceInfo {
                kind: DeviceKind::Cpu,
                detail,
                adapter,
                choice,
                trial,
                gpu_fault: fault.map(GpuFault::message),
            },
        )
    };
    if let Some(fault) = fallback {
        return Ok(cpu(String::new(), None, None, Some(fault)));
    }
    if choice == DeviceChoice::Cpu {
        // WebGPU is not opened just to name it.
        return Ok(cpu(String::new(), None, None, None));
    }
    let (gpu, adapter) = match webgpu().await {
        Ok(opened) => opened,
        Err(NoWebGpu::Unavailable(reason)) => return Ok(cpu(reason, None, None, None)),
        Err(NoWebGpu::Failed(fault)) if choice == DeviceChoice::Auto => {
            return Ok(cpu(String::new(), None, None, Some(&fault)));
        }
        Err(NoWebGpu::Failed(fault)) => return Err(fault),
    };
    let gpu_info = |trial| DeviceInfo {
        kind: DeviceKind::WebGpu,
        detail: adapter.clone(),
        adapter: Some(adapter.clone()),
        choice,
        trial,
        gpu_fault: None,
    };
    if choice == DeviceChoice::WebGpu {
        return Ok((gpu.clone(), gpu_info(None)));
    }
    let rows = match trial {
        Trial::Ngram { examples, .. } => trial_rows(examples, TRIAL_ROWS),
        Trial::Encoder { examples, .. } => trial_rows(examples, ENCODER_TRIAL_ROWS),
    };
    let mark = gpu_guard::fault_count();
    let webgpu_ms = time_trial(&rows, trial, &gpu, DeviceKind::WebGpu).await;
    // A trial that ran on a device that raised an error proves nothing but the error.
    if let Some(fault) = gpu_guard::settle(mark).await {
        mark_failed(&fault);
        return Ok(cpu(
            String::new(),
            Some(adapter.clone()),
            None,
            Some(&fault),
        ));
    }
    let timed = async {
        let webgpu_ms = webgpu_ms?;
        let cpu_ms = time_trial(&rows, trial, &Device::flex(), DeviceKind::Cpu).await?;
        Ok::<_, String>(DeviceTrial {
            rows: rows.len(),
            webgpu_ms,
            cpu_ms,
            embedding: matches!(trial, Trial::Encoder { .. }),
        })
    };
    Ok(match timed.await {
        Ok(trial) if trial.cpu_ms < trial.webgpu_ms => {
            cpu(String::new(), Some(adapter.clone()), Some(trial), None)
        }
        Ok(trial) => (gpu.clone(), gpu_info(Some(trial))),
        // The trial failing on one device says nothing good about it: use the CPU.
        Err(reason) => cpu(
            format!("the timing trial failed on WebGPU: {reason}"),
            Some(adapter.clone()),
            None,
            None,
        ),
    })
}

/// Up to `count` rows spread over the whole dataset (so every class is likely in).
fn trial_rows(examples: &[Example], count: usize) -> Vec<Example> {
    let step = examples.len().div_ceil(count).max(1);
    examples.iter().step_by(step).cloned().collect()
}

/// Milliseconds `trial` takes on `rows` on `device` (of `kind`), measured after a warm-up run
/// of the same size (the first run on WebGPU compiles its shaders).
async fn time_trial(
    rows: &[Example],
    trial: &Trial<'_>,
    device: &Device,
    kind: DeviceKind,
) -> Result<f64, String> {
    match trial {
        Trial::Ngram { config, .. } => time_ngram(rows, config, device).await,
        Trial::Encoder { max_tokens, .. } => {
            let encoder = base_model::encoder(kind, device, &|| false)
                .await
                .map_err(|error| error.message().en)?;
            let texts: Vec<&str> = rows.iter().map(|row| row.text.as_str()).collect();
            let mut elapsed = 0.0;
            for _ in 0..2 {
                let started = now_ms();
                encoder
                    .embed(&texts, *max_tokens, texts.len(), device)
                    .await
                    .map_err(|error| error.to_string())?;
                elapsed = now_ms() - started;
            }
            Ok(elapsed)
        }
    }
}

/// Milliseconds one epoch of the n-gram model on `rows` takes on `device`, after a warm-up.
async fn time_ngram(
    rows: &[Example],
    config: &TrainConfig,
    device: &Device,
) -> Result<f64, String> {
    let mut trial = config.clone();
    trial.epochs = Epochs::Fixed(1);
    trial.patience = None;
    let data = TrainData {
        examples: rows,
        validation: None,
        source: "trial",
    };
    let mut elapsed = 0.0;
    for _ in 0..2 {
        let started = now_ms();
        train(data, &trial, device, &mut Quiet)
            .await
            .map_err(|error| error.to_string())?;
        elapsed = now_ms() - started;
    }
    Ok(elapsed)
}

/// An observer that lets the worker breathe and reports nothing.
struct Quiet;

impl Observer for Quiet {
    fn on_progress(&mut self, _progress: &Progress) -> Control {
        Control::Continue
    }

    async fn pause(&mut self) {
        yield_to_event_loop().await;
    }
}

/// Whether `adapter` (as [`webgpu_adapter_name`] describes it) computes in software on the
/// CPU (SwiftShader, llvmpipe, lavapipe), so it is no faster than the CPU for the encoder.
pub fn is_software(adapter: &str) -> bool {
    let adapter = adapter.to_lowercase();
    [
        "swiftshader",
        "llvmpipe",
        "lavapipe",
        "software",
        "fallback",
    ]
    .iter()
    .any(|name| adapter.contains(name))
}

/// Asks `navigator.gpu` for an adapter and describes it ("google · swiftshader").
async fn webgpu_adapter_name() -> Result<String, String> {
    let navigator =
        Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).map_err(describe)?;
    let gpu = Reflect::get(&navigator, &JsValue::from_str("gpu")).map_err(describe)?;
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser does not offer WebGPU (navigator.gpu is missing)".into());
    }
    let request = Reflect::get(&gpu, &JsValue::from_str("requestAdapter"))
        .map_err(describe)?
        .dyn_into::<js_sys::Function>()
        .map_err(describe)?;
    let promise = request
        .call0(&gpu)
        .map_err(describe)?
        .dyn_into::<js_sys::Promise>()
        .map_err(describe)?;
    let adapter = JsFuture::from(promise).await.map_err(describe)?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser found no WebGPU adapter".into());
    }
    let info = Reflect::get(&adapter, &JsValue::from_str("info")).unwrap_or(JsValue::UNDEFINED);
    let parts: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .map(|key| string_field(&info, key))
        .filter(|part| !part.is_empty())
        .collect();
    Ok(if parts.is_empty() {
        "adapter".to_string()
    } else {
        parts.join(" ")
    })
}
