//! The page's side of the worker: starts it, holds messages until it is ready, delivers
//! its answers to one callback.

use std::cell::RefCell;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

use crate::browser::describe;
use crate::protocol::{FromWorker, ToWorker};

/// The loader trunk writes for the `worker` binary.
const WORKER_URL: &str = "./worker_loader.js";

struct Client {
    worker: Worker,
    ready: bool,
    /// Messages sent before the worker said it was ready: its handler is installed only once
    /// its wasm has loaded, so earlier messages would be lost.
    queue: Vec<JsValue>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// Starts the worker; every message it sends goes to `on_message`, with the `Blob` that came
/// beside it, if any (an exported model file).
///
/// # Errors
/// Fails when the browser refuses to start the worker.
pub fn connect(
    on_message: impl Fn(FromWorker, Option<web_sys::Blob>) + 'static,
) -> Result<(), String> {
    let worker = Worker::new(WORKER_URL).map_err(describe)?;
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let (text, blob) = match data.dyn_ref::<js_sys::Array>() {
            Some(pair) => (
                pair.get(0).as_string(),
                pair.get(1).dyn_into::<web_sys::Blob>().ok(),
            ),
            None => (data.as_string(), None),
        };
        let Some(text) = text else {
            return;
        };
        let Ok(message) = serde_json::from_str::<FromWorker>(&text) else {
            return;
        };
        if matches!(message, FromWorker::Ready) {
            flush_queue();
        }
        on_message(message, blob);
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the page.
    handler.forget();
    let error_handler =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "training worker error: {}",
                event.message()
            )));
        });
    worker.set_onerror(Some(error_handler.as_ref().unchecked_ref()));
    error_handler.forget();
    CLIENT.with_borrow_mut(|client| {
        *client = Some(Client {
            worker,
            ready: false,
            queue: Vec::new(),
        });
    });
    Ok(())
}

/// Sends `message` now, or as soon as the worker is ready.
pub fn send(message: &ToWorker) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    post(JsValue::from_str(&text));
}

/// Sends `message` with `blob` beside it (the file of [`ToWorker::Validate`]); the browser
/// hands the worker a reference to the file, not a copy of its bytes.
pub fn send_with_blob(message: &ToWorker, blob: &web_sys::Blob) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    let pair = js_sys::Array::of2(&JsValue::from_str(&text), blob);
    post(pair.into());
}

fn post(value: JsValue) {
    CLIENT.with_borrow_mut(|client| {
        let Some(client) = client else {
            return;
        };
        if client.ready {
            let _ = client.worker.post_message(&value);
        } else {
            client.queue.push(value);
        }
    });
}

fn flush_queue() {
    CLIENT.with_borrow_mut(|client| {
        let Some(client) = client else {
            return;
        };
        client.ready = true;
        for value in client.queue.drain(..) {
            let _ = client.worker.post_message(&value);
        }
    });
}
