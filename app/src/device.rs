//! The worker's devices: WebGPU when the browser offers an adapter and burn can open it, the
//! `flex` CPU device always, and the automatic choice between them by a timed trial.

use std::cell::RefCell;

use afina_dataset::Example;
use afina_trainer::{Control, Epochs, Observer, Progress, TrainConfig, TrainData, train};
use burn::tensor::Device;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::{describe, now_ms, string_field, yield_to_event_loop};
use crate::protocol::{DeviceChoice, DeviceInfo, DeviceKind, DeviceTrial};

/// Training rows in the timed trial of an automatic choice.
const TRIAL_ROWS: usize = 256;

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
}

thread_local! {
    static WEBGPU: RefCell<WebGpu> = const { RefCell::new(WebGpu::Untried) };
}

/// The WebGPU device and its adapter's name, or why there is none. Opens it on first use;
/// callers that come while it opens wait for the same answer.
pub async fn webgpu() -> Result<(Device, String), String> {
    loop {
        let state = WEBGPU.with_borrow(WebGpu::clone);
        match state {
            WebGpu::Open(device, adapter) => return Ok((device, adapter)),
            WebGpu::Unavailable(reason) => return Err(reason),
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
                return opened;
            }
        }
    }
}

async fn open_webgpu() -> Result<(Device, String), String> {
    let adapter = webgpu_adapter_name().await?;
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|error| format!("burn could not open the adapter: {error}"))?;
    Ok((device, adapter))
}

/// The device a run uses and why, for `choice`; an automatic choice times a short trial on
/// `examples` with `config` on each device.
pub async fn pick(
    choice: DeviceChoice,
    examples: &[Example],
    config: &TrainConfig,
) -> (Device, DeviceInfo) {
    let cpu = |detail: String, adapter: Option<String>, trial: Option<DeviceTrial>| {
        (
            Device::flex(),
            DeviceInfo {
                kind: DeviceKind::Cpu,
                detail,
                adapter,
                choice,
                trial,
            },
        )
    };
    if choice == DeviceChoice::Cpu {
        // WebGPU is not opened just to name it.
        return cpu(String::new(), None, None);
    }
    let (gpu, adapter) = match webgpu().await {
        Ok(opened) => opened,
        Err(reason) => return cpu(reason, None, None),
    };
    let gpu_info = |trial| DeviceInfo {
        kind: DeviceKind::WebGpu,
        detail: adapter.clone(),
        adapter: Some(adapter.clone()),
        choice,
        trial,
    };
    if choice == DeviceChoice::WebGpu {
        return (gpu.clone(), gpu_info(None));
    }
    let rows = trial_rows(examples);
    let timed = async {
        let webgpu_ms = time_trial(&rows, config, &gpu).await?;
        let cpu_ms = time_trial(&rows, config, &Device::flex()).await?;
        Ok::<_, String>(DeviceTrial {
            rows: rows.len(),
            webgpu_ms,
            cpu_ms,
        })
    };
    match timed.await {
        Ok(trial) if trial.cpu_ms < trial.webgpu_ms => {
            cpu(String::new(), Some(adapter.clone()), Some(trial))
        }
        Ok(trial) => (gpu.clone(), gpu_info(Some(trial))),
        // The trial failing on one device says nothing good about it: use the CPU.
        Err(reason) => cpu(
            format!("the timing trial failed on WebGPU: {reason}"),
            Some(adapter.clone()),
            None,
        ),
    }
}

/// Up to [`TRIAL_ROWS`] rows spread over the whole dataset (so every class is likely in).
fn trial_rows(examples: &[Example]) -> Vec<Example> {
    let step = examples.len().div_ceil(TRIAL_ROWS).max(1);
    examples.iter().step_by(step).cloned().collect()
}

/// Milliseconds one epoch on `rows` takes on `device`, measured after a warm-up run of the
/// same size (the first run on WebGPU compiles its shaders).
async fn time_trial(
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
