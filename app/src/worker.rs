//! The worker: owns the training device and the model, validates big files as a stream, and
//! answers [`ToWorker`] messages.
//!
//! It picks WebGPU when the browser offers an adapter and burn can open it, otherwise the
//! `flex` CPU device, and always tells the page which one and why.

use std::cell::RefCell;
use std::rc::Rc;

use afina_dataset::ParseOptions;
use afina_dataset::stream::{self, NotStreamable, StreamValidator};
use afina_trainer::{
    Control, Language, Observer, Progress, TrainConfig, TrainData, TrainedModel, train,
};
use burn::tensor::Device;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::{blob_bytes, describe, now_ms, string_field, yield_to_event_loop};
use crate::protocol::{
    DeviceInfo, DeviceKind, FromWorker, ModelExport, StreamRefusal, StreamValidation, ToWorker,
    TrainSummary,
};

/// Wrong validation rows sent to the page.
const MISCLASSIFIED_SHOWN: usize = 20;

/// Least time between two step-progress messages, so the page is not flooded.
const STEP_MESSAGE_INTERVAL_MS: f64 = 100.0;

#[derive(Default)]
struct WorkerState {
    /// The device, opened once: burn's wgpu runtime cannot be initialised twice.
    device: Option<(Device, DeviceInfo)>,
    model: Option<Rc<TrainedModel>>,
    stop_requested: bool,
    training: bool,
}

thread_local! {
    static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        // A file to validate comes as [message, file]; everything else as a JSON string.
        let (text, blob) = match data.dyn_ref::<js_sys::Array>() {
            Some(pair) => (pair.get(0).as_string(), pair.get(1).dyn_into::<Blob>().ok()),
            None => (data.as_string(), None),
        };
        let Some(text) = text else {
            return;
        };
        match serde_json::from_str::<ToWorker>(&text) {
            Ok(ToWorker::Validate { id, max_findings }) => match blob {
                Some(blob) => spawn_local(async move {
                    let result = validate_blob(id, &blob, max_findings).await;
                    post(&FromWorker::Validated { id, result });
                }),
                None => post(&FromWorker::Validated {
                    id,
                    result: Err(StreamRefusal::Failed(
                        "no file came with the request".into(),
                    )),
                }),
            },
            Ok(message) => handle(message),
            Err(error) => post(&FromWorker::Finished(Err(format!(
                "the worker received a message it does not understand: {error}"
            )))),
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    post(&FromWorker::Ready);
}

fn post(message: &FromWorker) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(text) = serde_json::to_string(message) {
        // A failed post means the page is gone; nothing is left to tell.
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

/// Posts `message` with `blob` beside it, as `[json, blob]`.
fn post_with_blob(message: &FromWorker, blob: &Blob) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(text) = serde_json::to_string(message) {
        let pair = js_sys::Array::of2(&JsValue::from_str(&text), blob);
        let _ = scope.post_message(&pair);
    }
}

/// The current model's file as a `Blob` and its cards in both languages.
async fn export(date: &str, title: &str) -> Result<(ModelExport, Blob), String> {
    let Some(model) = STATE.with_borrow(|state| state.model.clone()) else {
        return Err("train a model first".into());
    };
    let bytes = model.to_bytes().await.map_err(|error| error.to_string())?;
    let card = |language| {
        model
            .model_card(title, date, language)
            .ok_or_else(|| "the model has no record for its card".to_string())
    };
    let export = ModelExport {
        card_es: card(Language::Es)?,
        card_en: card(Language::En)?,
    };
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(describe)?;
    Ok((export, blob))
}

fn handle(message: ToWorker) {
    match message {
        ToWorker::Train {
            examples,
            validation,
            source,
            config,
        } => {
            let already = STATE.with_borrow_mut(|state| {
                let busy = state.training;
                state.training = true;
                state.stop_requested = false;
                busy
            });
            if already {
                post(&FromWorker::Finished(Err(
                    "a training run is already going on".into(),
                )));
                return;
            }
            spawn_local(async move {
                let result = run_training(examples, validation, source, config).await;
                STATE.with_borrow_mut(|state| state.training = false);
                post(&FromWorker::Finished(result));
            });
        }
        ToWorker::Stop => STATE.with_borrow_mut(|state| state.stop_requested = true),
        ToWorker::Export { kind, date, title } => spawn_local(async move {
            match export(&date, &title).await {
                Ok((export, blob)) => post_with_blob(
                    &FromWorker::Exported {
                        kind,
                        result: Ok(export),
                    },
                    &blob,
                ),
                Err(error) => post(&FromWorker::Exported {
                    kind,
                    result: Err(error),
                }),
            }
        }),
        // Handled where the file arrives (see `start`).
        ToWorker::Validate { .. } => {}
        ToWorker::Predict { id, text } => {
            let model = STATE.with_borrow(|state| state.model.clone());
            spawn_local(async move {
                let result = match model {
                    None => Err("train a model first".to_string()),
                    Some(model) => model
                        .predict(&[text.as_str()])
                        .await
                        .map_err(|error| error.to_string())
                        .and_then(|mut predictions| {
                            predictions.pop().ok_or_else(|| "no prediction".to_string())
                        }),
                };
                post(&FromWorker::Prediction { id, result });
            });
        }
    }
}

/// Validates `blob` as JSON Lines in chunks, reading the next chunk while checking one.
async fn validate_blob(
    id: u64,
    blob: &Blob,
    max_findings: usize,
) -> Result<StreamValidation, StreamRefusal> {
    let started = now_ms();
    let total = blob.size();
    let name = blob
        .dyn_ref::<web_sys::File>()
        .map_or_else(|| "dataset.jsonl".to_owned(), web_sys::File::name);
    let head_end = total.min(stream::HEAD_BYTES as f64);
    let head = blob
        .slice_with_f64_and_f64(0.0, head_end)
        .map_err(|error| StreamRefusal::Failed(describe(error)))?;
    let mut chunk = blob_bytes(&head).await.map_err(StreamRefusal::Failed)?;
    let mut validator = match StreamValidator::new(&name, &chunk, &ParseOptions::default()) {
        Ok(validator) => validator.with_max_findings(max_findings),
        Err(NotStreamable::File(error)) => return Err(StreamRefusal::File(error.message())),
        Err(NotStreamable::Other(reason)) => {
            return Err(StreamRefusal::NotStreamable(reason.to_owned()));
        }
    };
    let mut check_ms = 0.0;
    let checking = now_ms();
    validator.push(&chunk);
    check_ms += now_ms() - checking;
    let mut offset = head_end;
    let mut last_message = now_ms();
    // The browser reads the next slice from disk while this one is checked.
    let mut pending = (offset < total).then(|| start_read(blob, offset, total));
    while let Some(reading) = pending.take() {
        let (end, buffer) = reading;
        let buffer = JsFuture::from(buffer)
            .await
            .map_err(|error| StreamRefusal::Failed(describe(error)))?;
        offset = end;
        pending = (offset < total).then(|| start_read(blob, offset, total));
        let bytes = Uint8Array::new(&buffer);
        chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut chunk);
        let checking = now_ms();
        validator.push(&chunk);
        check_ms += now_ms() - checking;
        if now_ms() - last_message >= STEP_MESSAGE_INTERVAL_MS {
            last_message = now_ms();
            post(&FromWorker::ValidateProgress {
                id,
                bytes: offset,
                total,
            });
        }
    }
    let checking = now_ms();
    let report = validator.finish();
    check_ms += now_ms() - checking;
    let wasm_memory_bytes = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
        })
        .unwrap_or(0.0);
    Ok(StreamValidation {
        report,
        ms: now_ms() - started,
        check_ms,
        wasm_memory_bytes,
    })
}

/// Bytes read at a time from a file being validated.
const READ_CHUNK_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// Starts reading the slice of `blob` after `offset`: its end and the pending buffer.
fn start_read(blob: &Blob, offset: f64, total: f64) -> (f64, js_sys::Promise) {
    let end = (offset + READ_CHUNK_BYTES).min(total);
    let promise = match blob.slice_with_f64_and_f64(offset, end) {
        Ok(slice) => slice.array_buffer(),
        Err(error) => js_sys::Promise::reject(&error),
    };
    (end, promise)
}

async fn run_training(
    examples: Vec<afina_dataset::Example>,
    validation: Option<Vec<afina_dataset::Example>>,
    source: String,
    config: TrainConfig,
) -> Result<TrainSummary, String> {
    let (device, info) = open_device().await;
    post(&FromWorker::Device(info));
    let started = now_ms();
    let mut observer = WorkerObserver {
        last_step_message: 0.0,
        started,
    };
    let data = TrainData {
        examples: &examples,
        validation: validation.as_deref(),
        source: &source,
    };
    let outcome = train(data, &config, &device, &mut observer)
        .await
        .map_err(|error| error.to_string())?;
    let summary = TrainSummary {
        validation: outcome.validation.clone(),
        history: outcome.history.clone(),
        best_epoch: outcome.best_epoch,
        train_rows: outcome.train_rows,
        train_ms: now_ms() - started,
        stopped_by_user: outcome.stopped_by_user,
        stopped_early: outcome.stopped_early,
        calibration: outcome.calibration.clone(),
        misclassified: outcome
            .misclassified
            .iter()
            .take(MISCLASSIFIED_SHOWN)
            .cloned()
            .collect(),
    };
    STATE.with_borrow_mut(|state| state.model = Some(Rc::new(outcome.model)));
    Ok(summary)
}

/// The cached device, or WebGPU if it opens, or the CPU with the reason WebGPU did not.
async fn open_device() -> (Device, DeviceInfo) {
    if let Some(opened) = STATE.with_borrow(|state| state.device.clone()) {
        return opened;
    }
    let opened = match webgpu_adapter_name().await {
        Err(reason) => cpu_because(reason),
        Ok(adapter) => match Device::wgpu_options().init_async().await {
            Ok(device) => (
                device,
                DeviceInfo {
                    kind: DeviceKind::WebGpu,
                    detail: adapter,
                },
            ),
            Err(error) => cpu_because(format!("burn could not open the adapter: {error}")),
        },
    };
    STATE.with_borrow_mut(|state| state.device = Some(opened.clone()));
    opened
}

fn cpu_because(reason: String) -> (Device, DeviceInfo) {
    (
        Device::flex(),
        DeviceInfo {
            kind: DeviceKind::Cpu,
            detail: reason,
        },
    )
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

struct WorkerObserver {
    last_step_message: f64,
    started: f64,
}

impl Observer for WorkerObserver {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        let is_step = matches!(progress, Progress::Step { .. });
        let now = now_ms();
        if !is_step || now - self.last_step_message >= STEP_MESSAGE_INTERVAL_MS {
            self.last_step_message = now;
            post(&FromWorker::Progress(progress.clone()));
        }
        if STATE.with_borrow(|state| state.stop_requested) {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    async fn pause(&mut self) {
        yield_to_event_loop().await;
    }

    fn elapsed_seconds(&mut self) -> Option<f64> {
        Some((now_ms() - self.started) / 1000.0)
    }
}
