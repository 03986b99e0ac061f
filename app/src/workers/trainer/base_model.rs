//! multilingual-e5-small's weights in the worker: what the site offers (`models/e5-small.json`,
//! written at build time by `scripts/base-model.mjs`), the download from the page's own origin
//! with progress and cancel, the check against the recorded SHA-256, the copy kept in the
//! browser's Cache (a reload or a visit offline downloads nothing), and the encoder built from
//! it for each device (kept for the worker's life).
//!
//! Only checked bytes are stored, and an encoder is used only when the hash of the bytes it was
//! built from is the site's (`TextEncoder` computes it as it reads them, so a stored copy is
//! hashed once per build): an interrupted or damaged download leaves nothing that could be used.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use afina_dataset::Message;
use afina_trainer::encoder::TextEncoder;
use burn::tensor::Device;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, ReadableStreamDefaultReader, Response, WorkerGlobalScope};

use super::outbox::post;
use crate::browser::{describe, now_ms};
use crate::workers::protocol::{BaseModelEvent, BaseModelInfo, DeviceKind, FromWorker};

/// Where the site says what it offers.
const MANIFEST_URL: &str = "models/e5-small.json";

/// The browser cache that keeps the weights.
const CACHE_NAME: &str = "afina-base-models";

/// Least time between two download progress messages.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

thread_local! {
    /// The encoder built for each device kind (CPU, WebGPU).
    static ENCODERS: RefCell<Vec<(DeviceKind, Arc<TextEncoder>)>> = const { RefCell::new(Vec::new()) };
    /// A standalone download was asked to stop.
    static CANCEL: Cell<bool> = const { Cell::new(false) };
}

/// Why there are no weights.
#[derive(Debug, Clone)]
pub enum Unavailable {
    /// The user stopped the download.
    Cancelled,
    /// What went wrong and what to do.
    Failed(Message),
}

impl Unavailable {
    /// The message for the user.
    pub fn message(&self) -> Message {
        match self {
            Self::Cancelled => Message::new(
                "the download of the pretrained model was cancelled: nothing was kept",
                "se canceló la descarga del modelo preentrenado: no se guardó nada",
            ),
            Self::Failed(message) => message.clone(),
        }
    }
}

fn scope() -> WorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// What the worker was doing when the browser failed, in (English, Spanish).
type Doing = (&'static str, &'static str);

const FETCH_MANIFEST: Doing = (
    "fetching models/e5-small.json",
    "pedir models/e5-small.json",
);
const READ_MANIFEST: Doing = ("reading models/e5-small.json", "leer models/e5-small.json");
const OPEN_CACHE: Doing = (
    "opening the browser's Cache storage",
    "abrir el almacenamiento Cache del navegador",
);
const READ_STORED: Doing = ("reading the stored model", "leer el modelo guardado");
const DELETE_STORED: Doing = ("deleting the stored model", "borrar el modelo guardado");
const STORE: Doing = (
    "storing the model (is the browser's storage full?)",
    "guardar el modelo (¿está lleno el almacenamiento del navegador?)",
);

fn browser_failure((en, es): Doing, error: JsValue) -> Unavailable {
    let detail = describe(error);
    Unavailable::Failed(Message::new(
        format!("{en} failed: {detail}. Try again; if it keeps failing, reload the page"),
        format!("falló {es}: {detail}. Vuelve a intentarlo; si sigue fallando, recarga la página"),
    ))
}

/// What the site offers, or `None` when it was built without the weights.
///
/// # Errors
/// The manifest could not be fetched or read.
pub async fn offered() -> Result<Option<BaseModelInfo>, Unavailable> {
    let response: Response = JsFuture::from(scope().fetch_with_str(MANIFEST_URL))
        .await
        .map_err(|error| browser_failure(FETCH_MANIFEST, error))?
        .unchecked_into();
    if response.status() == 404 {
        return Ok(None);
    }
    if !response.ok() {
        return Err(Unavailable::Failed(Message::new(
            format!(
                "the site answered {} for models/e5-small.json: reload the page",
                response.status()
            ),
            format!(
                "el sitio respondió {} al pedir models/e5-small.json: recarga la página",
                response.status()
            ),
        )));
    }
    let text = JsFuture::from(
        response
            .text()
            .map_err(|error| browser_failure(READ_MANIFEST, error))?,
    )
    .await
    .map_err(|error| browser_failure(READ_MANIFEST, error))?
    .as_string()
    .unwrap_or_default();
    serde_json::from_str(&text).map(Some).map_err(|error| {
        Unavailable::Failed(Message::new(
            format!("models/e5-small.json is not readable ({error}): rebuild the site"),
            format!("models/e5-small.json no se puede leer ({error}): vuelve a construir el sitio"),
        ))
    })
}

/// The cache key of `info`'s file: its URL with its hash, so a new build's weights never
/// meet an old copy.
fn cache_key(info: &BaseModelInfo) -> String {
    format!("models/{}?sha256={}", info.file, info.sha256)
}

async fn open_cache() -> Result<Cache, Unavailable> {
    let caches = scope()
        .caches()
        .map_err(|error| browser_failure(OPEN_CACHE, error))?;
    JsFuture::from(caches.open(CACHE_NAME))
        .await
        .map(JsCast::unchecked_into)
        .map_err(|error| browser_failure(OPEN_CACHE, error))
}

/// The stored copy of `info`'s weights, if this browser keeps one.
async fn stored_bytes(info: &BaseModelInfo) -> Result<Option<Vec<u8>>, Unavailable> {
    let cache = open_cache().await?;
    let found = JsFuture::from(cache.match_with_str(&cache_key(info)))
        .await
        .map_err(|error| browser_failure(READ_STORED, error))?;
    if found.is_undefined() || found.is_null() {
        return Ok(None);
    }
    let response: Response = found.unchecked_into();
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|error| browser_failure(READ_STORED, error))?,
    )
    .await
    .map_err(|error| browser_failure(READ_STORED, error))?;
    Ok(Some(Uint8Array::new(&buffer).to_vec()))
}

/// Whether this browser keeps `info`'s weights.
pub async fn is_stored(info: &BaseModelInfo) -> bool {
    let Ok(cache) = open_cache().await else {
        return false;
    };
    JsFuture::from(cache.match_with_str(&cache_key(info)))
        .await
        .is_ok_and(|found| !found.is_undefined() && !found.is_null())
}

/// Deletes the stored weights and the encoders built from them.
///
/// # Errors
/// The browser refused.
pub async fn delete() -> Result<(), Unavailable> {
    ENCODERS.with_borrow_mut(Vec::clear);
    let caches = scope()
        .caches()
        .map_err(|error| browser_failure(OPEN_CACHE, error))?;
    JsFuture::from(caches.delete(CACHE_NAME))
        .await
        .map_err(|error| browser_failure(DELETE_STORED, error))?;
    Ok(())
}

/// Asks a standalone download to stop.
pub fn cancel_download() {
    CANCEL.set(true);
}

/// Downloads `info`'s weights, telling the page how far it got; `stop` is asked between
/// chunks (as is [`cancel_download`]).
async fn download(info: &BaseModelInfo, stop: &dyn Fn() -> bool) -> Result<Vec<u8>, Unavailable> {
    let url = format!("models/{}", info.file);
    let response: Response = JsFuture::from(scope().fetch_with_str(&url))
        .await
        .map_err(|error| interrupted(&url, &describe(error)))?
        .unchecked_into();
    if !response.ok() {
        return Err(interrupted(
            &url,
            &format!("the site answered {}", response.status()),
        ));
    }
    let Some(body) = response.body() else {
        return Err(interrupted(&url, "the answer has no body"));
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let total = info.bytes;
    // A cancel asked before this download began is not this download's.
    CANCEL.set(false);
    let mut bytes: Vec<u8> = Vec::with_capacity(total as usize);
    let mut last = 0.0;
    post(&FromWorker::BaseModel(BaseModelEvent::Downloading {
        done: 0.0,
        total,
    }));
    loop {
        if stop() || CANCEL.get() {
            let _ = reader.cancel();
            return Err(Unavailable::Cancelled);
        }
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|error| interrupted(&url, &describe(error)))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .map(|done| done.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|error| interrupted(&url, &describe(error)))?;
        let part: Uint8Array = value.unchecked_into();
        let start = bytes.len();
        bytes.resize(start + part.length() as usize, 0);
        part.copy_to(&mut bytes[start..]);
        if now_ms() - last >= PROGRESS_INTERVAL_MS {
            last = now_ms();
            post(&FromWorker::BaseModel(BaseModelEvent::Downloading {
                done: bytes.len() as f64,
                total,
            }));
        }
    }
    post(&FromWorker::BaseModel(BaseModelEvent::Downloading {
        done: bytes.len() as f64,
        total,
    }));
    if bytes.len() as f64 != total {
        return Err(interrupted(
            &url,
            &format!("{} bytes came of {total}", bytes.len()),
        ));
    }
    Ok(bytes)
}

fn interrupted(url: &str, detail: &str) -> Unavailable {
    Unavailable::Failed(Message::new(
        format!(
            "the download of the pretrained model ({url}) was interrupted: {detail}. Nothing was kept: try again"
        ),
        format!(
            "la descarga del modelo preentrenado ({url}) se interrumpió: {detail}. No se guardó nada: vuelve a intentarlo"
        ),
    ))
}

fn damaged(info: &BaseModelInfo, found: &str) -> Unavailable {
    Unavailable::Failed(Message::new(
        format!(
            "the downloaded pretrained model (models/{}) is damaged: its SHA-256 is {found}, not {} as the site records. Nothing was kept: try again, and if it happens again rebuild the site (scripts/setup.sh)",
            info.file, info.sha256
        ),
        format!(
            "el modelo preentrenado descargado (models/{}) está dañado: su SHA-256 es {found}, no {} como indica el sitio. No se guardó nada: vuelve a intentarlo y, si se repite, vuelve a construir el sitio (scripts/setup.sh)",
            info.file, info.sha256
        ),
    ))
}

/// `bytes` as an encoder on `device`, checked against `info`'s hash.
fn build(info: &BaseModelInfo, bytes: &[u8], device: &Device) -> Result<TextEncoder, Unavailable> {
    let encoder = TextEncoder::from_bytes(bytes, device).map_err(|error| {
        let message = error.message();
        Unavailable::Failed(Message::new(
            format!("the pretrained model could not be read: {}", message.en),
            format!("no se pudo leer el modelo preentrenado: {}", message.es),
        ))
    })?;
    if encoder.sha256() != info.sha256 {
        return Err(damaged(info, encoder.sha256()));
    }
    Ok(encoder)
}

/// Downloads the weights, checks them against the site's hash and stores them (nothing
/// unchecked is ever stored).
async fn download_and_store(
    info: &BaseModelInfo,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<u8>, Unavailable> {
    let bytes = download(info, stop).await?;
    let found = sha256_hex(&bytes);
    if found != info.sha256 {
        return Err(damaged(info, &found));
    }
    let cache = open_cache().await?;
    let body = Uint8Array::from(bytes.as_slice());
    let response = Response::new_with_opt_buffer_source(Some(&body))
        .map_err(|error| browser_failure(STORE, error))?;
    JsFuture::from(cache.put_with_str(&cache_key(info), &response))
        .await
        .map_err(|error| browser_failure(STORE, error))?;
    Ok(bytes)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The encoder on `device` (of `kind`): built once per kind from the stored weights,
/// downloading them first when this browser does not keep them. `stop` is asked during the
/// download.
///
/// # Errors
/// The site offers no weights, the download was stopped, interrupted or damaged, or the
/// browser's storage failed.
pub async fn encoder(
    kind: DeviceKind,
    device: &Device,
    stop: &dyn Fn() -> bool,
) -> Result<Arc<TextEncoder>, Unavailable> {
    if let Some(encoder) = built(kind) {
        return Ok(encoder);
    }
    let info = offered().await?.ok_or_else(not_offered)?;
    // The stored copy is checked as the encoder is built (its SHA-256 is computed then); a
    // damaged one is dropped and downloaded again.
    let stored = match stored_bytes(&info).await? {
        Some(bytes) => match build(&info, &bytes, device) {
            Ok(encoder) => Some(encoder),
            Err(_) => {
                let _ = delete().await;
                None
            }
        },
        None => None,
    };
    let encoder = match stored {
        Some(encoder) => encoder,
        None => {
            let bytes = download_and_store(&info, stop).await?;
            build(&info, &bytes, device)?
        }
    };
    post(&FromWorker::BaseModel(BaseModelEvent::State {
        offered: Some(info.clone()),
        stored: true,
    }));
    keep(kind, encoder)
}

/// The encoder on `device` (of `kind`) when this browser keeps the weights; `None` when it
/// does not (nothing is downloaded).
///
/// # Errors
/// As [`encoder`], but for the download.
pub async fn stored_encoder(
    kind: DeviceKind,
    device: &Device,
) -> Result<Option<Arc<TextEncoder>>, Unavailable> {
    if let Some(encoder) = built(kind) {
        return Ok(Some(encoder));
    }
    let Some(info) = offered().await? else {
        return Ok(None);
    };
    // A copy whose hash is not the site's does not build: as good as none.
    match stored_bytes(&info).await? {
        Some(bytes) => match build(&info, &bytes, device) {
            Ok(encoder) => keep(kind, encoder).map(Some),
            Err(_) => Ok(None),
        },
        None => Ok(None),
    }
}

fn keep(kind: DeviceKind, encoder: TextEncoder) -> Result<Arc<TextEncoder>, Unavailable> {
    let encoder = Arc::new(encoder);
    ENCODERS.with_borrow_mut(|encoders| encoders.push((kind, Arc::clone(&encoder))));
    Ok(encoder)
}

/// The encoder already built for `kind`, if any.
pub fn built(kind: DeviceKind) -> Option<Arc<TextEncoder>> {
    ENCODERS.with_borrow(|encoders| {
        encoders
            .iter()
            .find(|(built, _)| *built == kind)
            .map(|(_, encoder)| Arc::clone(encoder))
    })
}

/// Downloads and stores the weights now, if this browser does not keep them (the page's
/// "download" button); the answer is a [`BaseModelEvent`].
pub async fn fetch_now() -> BaseModelEvent {
    let result = async {
        let info = offered().await?.ok_or_else(not_offered)?;
        if !is_stored(&info).await {
            download_and_store(&info, &|| false).await?;
        }
        Ok::<_, Unavailable>(info)
    }
    .await;
    CANCEL.set(false);
    match result {
        Ok(info) => BaseModelEvent::State {
            offered: Some(info),
            stored: true,
        },
        Err(error) => BaseModelEvent::Failed(error.message()),
    }
}

/// What the site offers and whether this browser keeps it.
pub async fn state() -> BaseModelEvent {
    match offered().await {
        Ok(Some(info)) => {
            let stored = is_stored(&info).await;
            BaseModelEvent::State {
                offered: Some(info),
                stored,
            }
        }
        Ok(None) => BaseModelEvent::State {
            offered: None,
            stored: false,
        },
        Err(error) => BaseModelEvent::Failed(error.message()),
    }
}

fn not_offered() -> Unavailable {
    Unavailable::Failed(Message::new(
        "this site was built without the pretrained model (models/e5-small.json is missing): run scripts/setup.sh and build again, or train the n-gram model",
        "este sitio se construyó sin el modelo preentrenado (falta models/e5-small.json): ejecuta scripts/setup.sh y vuelve a construirlo, o entrena el modelo de n-gramas",
    ))
}
