//! Small wrappers over browser APIs shared by the page and the worker.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Milliseconds since the epoch (`Date.now()`), usable in a page and in a worker.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after the current task, letting the event loop deliver pending messages.
pub async fn yield_to_event_loop() {
    sleep_ms(0.0).await;
}

/// Resolves after `ms` milliseconds (a `setTimeout`), in a page or a worker.
pub async fn sleep_ms(ms: f64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|function| function.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(set_timeout) => {
                // If setTimeout throws, resolving at once only loses the wait, not the caller.
                if set_timeout
                    .call2(&global, &resolve, &JsValue::from_f64(ms))
                    .is_err()
                {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The parts of a message between the page and a worker: its JSON text and the `Blob` sent
/// beside it (a message with a file comes as `[json, blob]`, any other as the JSON string).
pub fn message_parts(data: &JsValue) -> (Option<String>, Option<web_sys::Blob>) {
    match data.dyn_ref::<js_sys::Array>() {
        Some(pair) => (
            pair.get(0).as_string(),
            pair.get(1).dyn_into::<web_sys::Blob>().ok(),
        ),
        None => (data.as_string(), None),
    }
}

/// Size of this module's WebAssembly memory in bytes: it only grows, so it is the peak so far.
#[cfg(feature = "worker")]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
        })
        .unwrap_or(0.0)
}

/// The bytes of a `Blob` (or `File`).
pub async fn blob_bytes(blob: &web_sys::Blob) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The bytes at `url`, fetched from the page's own origin.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(describe)?;
    let response: web_sys::Response = response.dyn_into().map_err(describe)?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The `<input type="file">` a `change` event came from, and the files picked in it.
pub fn picked_files(
    event: &web_sys::Event,
) -> Option<(web_sys::HtmlInputElement, web_sys::FileList)> {
    let input = event
        .target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let files = input.files()?;
    Some((input, files))
}

/// A readable description of a JavaScript error value.
pub fn describe(value: JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Reads `object[key]` as a string, or an empty string.
pub fn string_field(object: &JsValue, key: &str) -> String {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

/// Today's date (UTC) as YYYY-MM-DD, from the browser's clock.
pub fn today() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    iso.get(..10).unwrap_or_default().to_string()
}

/// A `Blob` holding `text` with the given MIME type.
pub fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)
}

/// A `Blob` holding a copy of `bytes`.
pub fn bytes_blob(bytes: &[u8]) -> Result<web_sys::Blob, String> {
    let array = Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(describe)
}

/// Saves `blob` as a file called `file_name` (the browser's download), from the page.
pub fn download(blob: &web_sys::Blob, file_name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(describe)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|element: web_sys::Element| describe(element.into()))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The download has its own reference to the blob once started; the URL is no longer needed.
    web_sys::Url::revoke_object_url(&url).map_err(describe)
}
