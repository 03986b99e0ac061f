//! The worker: owns the devices and every version's model, validates big files as a
//! stream, and answers [`ToWorker`] messages.
//!
//! Training ([`training`]) picks its device in [`device`] and tells the page which one and
//! why; the WebGPU guard ([`gpu_guard`], with `public/training-worker.js`) keeps anything
//! computed on a GPU that failed from becoming a version.
//! Models read back from files (a stored version after a reload, or a file the user loads)
//! live on the CPU device: classifying a few texts needs no GPU, and it keeps WebGPU closed
//! until a run asks for it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use afina_dataset::stream::{self, FileStream, NotStreamable};
use afina_dataset::{Message, ParseOptions};
use afina_trainer::{Language, Prediction, TrainedModel};
use burn::tensor::Device;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::{
    blob_bytes, describe, message_parts, now_ms, wasm_memory_bytes, yield_to_event_loop,
};
use crate::workers::protocol::{
    BaseModelEvent, DeviceKind, FromWorker, ModelExport, ModelInfo, StreamRefusal,
    StreamValidation, ToWorker,
};
use model_files::{browser_error, model_blob, model_info};
use outbox::{post, post_with_blob};

mod base_model;
mod device;
mod gpu_guard;
mod model_files;
mod outbox;
mod training;

/// Least time between two progress messages of a big file's validation.
const STEP_MESSAGE_INTERVAL_MS: f64 = 100.0;

#[derive(Default)]
struct WorkerState {
    /// Every version's model, by version number.
    models: HashMap<u32, Rc<TrainedModel>>,
    /// Versions whose files are being read: a prediction for one waits.
    loading: HashSet<u32>,
}

thread_local! {
    static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    gpu_guard::install_logger();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let (text, blob) = message_parts(&event.data());
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
            Ok(ToWorker::Load { version }) => {
                STATE.with_borrow_mut(|state| state.loading.insert(version));
                spawn_local(async move {
                    let result = match blob {
                        Some(blob) => load(version, &blob).await,
                        None => Err(LoadFailure::Other(browser_error(
                            "no file came with the request".into(),
                        ))),
                    };
                    STATE.with_borrow_mut(|state| state.loading.remove(&version));
                    let needs_base_model = matches!(result, Err(LoadFailure::NeedsBaseModel(_)));
                    post(&FromWorker::Loaded {
                        version,
                        result: result.map_err(LoadFailure::message),
                        needs_base_model,
                    });
                });
            }
            Ok(message) => handle(message),
            Err(error) => web_sys::console::error_1(&JsValue::from_str(&format!(
                "the worker received a message it does not understand: {error}"
            ))),
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    post(&FromWorker::Ready);
}

/// A version's model, waiting while its file is being read.
async fn model(version: u32) -> Result<Rc<TrainedModel>, Message> {
    while STATE.with_borrow(|state| state.loading.contains(&version)) {
        yield_to_event_loop().await;
    }
    STATE
        .with_borrow(|state| state.models.get(&version).cloned())
        .ok_or_else(|| {
            Message::new(
                format!("version {version} is not loaded: train a model or load its file"),
                format!(
                    "la versión {version} no está cargada: entrena un modelo o carga su archivo"
                ),
            )
        })
}

/// Why a model file was not loaded.
enum LoadFailure {
    /// It needs the pretrained encoder, which this browser does not keep.
    NeedsBaseModel(Message),
    /// Anything else.
    Other(Message),
}

impl LoadFailure {
    fn message(self) -> Message {
        match self {
            Self::NeedsBaseModel(message) | Self::Other(message) => message,
        }
    }
}

/// Reads a model file into `version` (on the CPU device) and says what it holds. A model on
/// the pretrained encoder uses the copy this browser keeps (nothing is downloaded here).
async fn load(version: u32, blob: &Blob) -> Result<ModelInfo, LoadFailure> {
    let bytes = blob_bytes(blob)
        .await
        .map_err(|error| LoadFailure::Other(browser_error(error)))?;
    let cpu = Device::flex();
    let base =
        TrainedModel::base_model_of(&bytes).map_err(|error| LoadFailure::Other(error.message()))?;
    let encoder = match base {
        None => None,
        Some(base) => match base_model::stored_encoder(DeviceKind::Cpu, &cpu).await {
            Ok(Some(encoder)) => Some(encoder),
            Ok(None) => {
                return Err(LoadFailure::NeedsBaseModel(Message::new(
                    format!(
                        "this model was trained on the pretrained model {}, which this browser does not keep yet: download it (once) and the model loads",
                        base.name
                    ),
                    format!(
                        "este modelo se entrenó sobre el modelo preentrenado {}, que este navegador aún no guarda: descárgalo (una sola vez) y el modelo se cargará",
                        base.name
                    ),
                )));
            }
            Err(error) => return Err(LoadFailure::Other(error.message())),
        },
    };
    let model = TrainedModel::from_bytes_with_base(&bytes, encoder, &cpu)
        .map_err(|error| LoadFailure::Other(error.message()))?;
    let info = model_info(&model);
    STATE.with_borrow_mut(|state| state.models.insert(version, Rc::new(model)));
    Ok(info)
}

/// A version's model file as a `Blob` and its cards in both languages.
async fn export(version: u32, date: &str, title: &str) -> Result<(ModelExport, Blob), Message> {
    let model = model(version).await?;
    let card = |language| {
        model.model_card(title, date, language).ok_or_else(|| {
            Message::new(
                "the model has no record for its card",
                "el modelo no guarda los datos de su ficha",
            )
        })
    };
    let export = ModelExport {
        card_es: card(Language::Es)?,
        card_en: card(Language::En)?,
    };
    Ok((export, model_blob(&model).await?))
}

fn handle(message: ToWorker) {
    match message {
        ToWorker::Train {
            version,
            device,
            examples,
            validation,
            source,
            config,
            model,
            encoder,
        } => training::start(
            training::Request {
                version,
                choice: device,
                examples,
                validation,
                source,
                config,
                model,
                encoder,
            },
            keep_model,
        ),
        ToWorker::Stop => training::request_stop(),
        ToWorker::BaseModelStatus => spawn_local(async {
            post(&FromWorker::BaseModel(base_model::state().await));
        }),
        ToWorker::DownloadBaseModel => spawn_local(async {
            post(&FromWorker::BaseModel(base_model::fetch_now().await));
        }),
        ToWorker::CancelDownload => base_model::cancel_download(),
        ToWorker::DeleteBaseModel => spawn_local(async {
            if let Err(error) = base_model::delete().await {
                post(&FromWorker::BaseModel(BaseModelEvent::Failed(
                    error.message(),
                )));
            }
            post(&FromWorker::BaseModel(base_model::state().await));
        }),
        ToWorker::Export {
            version,
            kind,
            date,
            title,
        } => spawn_local(async move {
            match export(version, &date, &title).await {
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
        ToWorker::Validate { .. } | ToWorker::Load { .. } => {}
        ToWorker::Forget { version } => {
            STATE.with_borrow_mut(|state| state.models.remove(&version));
        }
        ToWorker::Predict { id, version, texts } => spawn_local(async move {
            let result = predict(version, &texts).await;
            post(&FromWorker::Prediction { id, result });
        }),
    }
}

/// Classifies `texts` with a version's model.
async fn predict(version: u32, texts: &[String]) -> Result<Vec<Prediction>, Message> {
    let model = model(version).await?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    model.predict(&texts).await.map_err(|error| error.message())
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
    let mut validator = match FileStream::new(&name, &chunk, &ParseOptions::default()) {
        // The whole quality report too: its passes keep digests of the rows, not the rows.
        Ok(validator) => validator.with_max_findings(max_findings).with_quality(true),
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
    Ok(StreamValidation {
        report,
        ms: now_ms() - started,
        check_ms,
        wasm_memory_bytes: wasm_memory_bytes(),
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

/// Keeps a trained model under its version.
fn keep_model(version: u32, model: TrainedModel) {
    STATE.with_borrow_mut(|state| state.models.insert(version, Rc::new(model)));
}
