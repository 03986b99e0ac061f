//! The page's side of the workers: starts each, holds messages until it is ready, delivers
//! its answers to one callback.

use std::cell::RefCell;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::browser::{describe, message_parts};
use crate::workers::protocol::{ToReader, ToWorker};

/// The page's two workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerKind {
    /// Training, prediction, models and the stream validation of big files ([`ToWorker`]).
    Trainer,
    /// Reading and validating files ([`ToReader`]).
    Reader,
}

impl WorkerKind {
    /// The script that starts the worker: trunk's loader for its binary, behind the WebGPU
    /// guard (`public/training-worker.js`) for the training worker.
    fn url(self) -> &'static str {
        match self {
            Self::Trainer => "./training-worker.js",
            Self::Reader => "./reader_loader.js",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Trainer => 0,
            Self::Reader => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Trainer => "training worker",
            Self::Reader => "file reader worker",
        }
    }
}

/// What a worker posts once it listens (the JSON of a unit variant named `Ready`).
const READY: &str = "\"Ready\"";

struct Client {
    worker: Worker,
    ready: bool,
    /// Messages sent before the worker said it was ready: its handler is installed only once
    /// its wasm has loaded, so earlier messages would be lost.
    queue: Vec<JsValue>,
}

thread_local! {
    static CLIENTS: RefCell<[Option<Client>; 2]> = const { RefCell::new([None, None]) };
}

/// Starts a worker; every message it sends (JSON of `M`) goes to `on_message`, with the
/// `Blob` that came beside it, if any (an exported model file).
///
/// # Errors
/// Fails when the browser refuses to start the worker.
pub fn connect<M: DeserializeOwned + 'static>(
    kind: WorkerKind,
    on_message: impl Fn(M, Option<web_sys::Blob>) + 'static,
) -> Result<(), String> {
    let worker = Worker::new(kind.url()).map_err(describe)?;
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (text, blob) = message_parts(&event.data());
        let Some(text) = text else {
            return;
        };
        if text == READY {
            flush_queue(kind);
        }
        match serde_json::from_str::<M>(&text) {
            Ok(message) => on_message(message, blob),
            Err(error) => web_sys::console::error_1(&JsValue::from_str(&format!(
                "the page could not read a message of the {}: {error}",
                kind.name()
            ))),
        }
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the page.
    handler.forget();
    let error_handler =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "{} error: {}",
                kind.name(),
                event.message()
            )));
        });
    worker.set_onerror(Some(error_handler.as_ref().unchecked_ref()));
    error_handler.forget();
    CLIENTS.with_borrow_mut(|clients| {
        clients[kind.index()] = Some(Client {
            worker,
            ready: false,
            queue: Vec::new(),
        });
    });
    Ok(())
}

/// Sends `message` to the training worker now, or as soon as it is ready.
pub fn send(message: &ToWorker) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    post(WorkerKind::Trainer, JsValue::from_str(&text));
}

/// Sends `message` to the training worker with `blob` beside it (the file of
/// [`ToWorker::Validate`]); the browser hands the worker a reference to the file, not a copy
/// of its bytes.
pub fn send_with_blob(message: &ToWorker, blob: &web_sys::Blob) {
    send_beside(WorkerKind::Trainer, message, blob);
}

/// Sends `message` to the file reader, with a file's bytes (`blob`) beside it when given.
pub fn send_to_reader(message: &ToReader, blob: Option<&web_sys::Blob>) {
    match blob {
        Some(blob) => send_beside(WorkerKind::Reader, message, blob),
        None => {
            if let Ok(text) = serde_json::to_string(message) {
                post(WorkerKind::Reader, JsValue::from_str(&text));
            }
        }
    }
}

fn send_beside(kind: WorkerKind, message: &impl Serialize, blob: &web_sys::Blob) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    let pair = js_sys::Array::of2(&JsValue::from_str(&text), blob);
    post(kind, pair.into());
}

fn post(kind: WorkerKind, value: JsValue) {
    CLIENTS.with_borrow_mut(|clients| {
        let Some(client) = &mut clients[kind.index()] else {
            return;
        };
        if client.ready {
            let _ = client.worker.post_message(&value);
        } else {
            client.queue.push(value);
        }
    });
}

fn flush_queue(kind: WorkerKind) {
    CLIENTS.with_borrow_mut(|clients| {
        let Some(client) = &mut clients[kind.index()] else {
            return;
        };
        client.ready = true;
        for value in client.queue.drain(..) {
            let _ = client.worker.post_message(&value);
        }
    });
}
