//! Messages from the worker to the page.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DedicatedWorkerGlobalScope};

use crate::workers::protocol::FromWorker;

/// Posts `message` to the page as JSON.
pub fn post(message: &FromWorker) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(text) = serde_json::to_string(message) {
        // A failed post means the page is gone; nothing is left to tell.
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

/// Posts `message` with `blob` beside it, as `[json, blob]`.
pub fn post_with_blob(message: &FromWorker, blob: &Blob) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(text) = serde_json::to_string(message) {
        let pair = js_sys::Array::of2(&JsValue::from_str(&text), blob);
        let _ = scope.post_message(&pair);
    }
}
