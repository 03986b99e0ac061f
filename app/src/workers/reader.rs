//! The file reader worker: parses and validates the files the page loads, so that the page's
//! main thread never runs the dataset engine over a whole file (100,000 rows take a second).
//!
//! It links only the dataset crate (no burn, no leptos views) and answers [`ToReader::Read`]
//! with the dataset in parts ([`FromReader`]). It also recomputes the quality findings of a big
//! dataset after an edit ([`ToReader::Refresh`]) and applies a safe fix to one
//! ([`ToReader::Fix`]), each of which takes seconds at 100,000 rows.

use std::cell::RefCell;
use std::collections::BTreeMap;

use afina_dataset::{Dataset, FileError, Row, fix, parse_with_progress};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::{blob_bytes, message_parts, now_ms};
use crate::workers::protocol::{FromReader, ReadDataset, ReadFailure, ToReader};
use afina_dataset::Message;

/// Rows (or findings) per message: small enough for the page to decode one in a few
/// milliseconds.
const CHUNK: usize = 4_000;

/// Requests whose rows are kept while they come: an edit's refresh and a fix at the same time,
/// and one the page gave up on.
const MAX_REQUESTS_SENDING: usize = 3;

/// The page is told how far a read has got at most this often (ms).
const PROGRESS_INTERVAL_MS: f64 = 100.0;

thread_local! {
    /// The rows being sent for each refresh or fix, by request id (an edit's refresh and a
    /// fix may be sent at the same time).
    static INCOMING: RefCell<BTreeMap<u64, Vec<Row>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Installs the message handler and tells the page the reader is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let (text, blob) = message_parts(&event.data());
        match text.map(|text| serde_json::from_str::<ToReader>(&text)) {
            Some(Ok(ToReader::Read {
                id,
                name,
                options,
                sheet,
            })) => spawn_local(async move {
                let started = now_ms();
                let bytes = match blob {
                    Some(blob) => blob_bytes(&blob).await,
                    None => Err("no file came with the request".to_owned()),
                };
                let result = bytes
                    .map_err(|error| failure(&name, &error))
                    .and_then(|bytes| {
                        let mut last_told = now_ms();
                        let mut tell = |done: f64| {
                            if now_ms() - last_told >= PROGRESS_INTERVAL_MS {
                                last_told = now_ms();
                                post(&FromReader::Progress { id, done });
                            }
                        };
                        let parsed = parse_with_progress(
                            &name,
                            &bytes,
                            sheet.as_deref(),
                            &options,
                            &mut tell,
                        );
                        parsed.map_err(|error| ReadFailure {
                            message: error.message(),
                            offer_json: matches!(
                                error,
                                FileError::JsonArray { .. } | FileError::MultiLineJson { .. }
                            ),
                        })
                    });
                match result {
                    Ok(dataset) => send_dataset(id, dataset, now_ms() - started, true),
                    Err(failure) => post(&FromReader::Done {
                        id,
                        result: Err(failure),
                    }),
                }
            }),
            Some(Ok(ToReader::Rows { id, rows })) => INCOMING.with_borrow_mut(|incoming| {
                if !incoming.contains_key(&id) {
                    // The page gave up on the oldest requests (a newer one replaced them).
                    while incoming.len() >= MAX_REQUESTS_SENDING {
                        incoming.pop_first();
                    }
                }
                incoming.entry(id).or_default().extend(rows);
            }),
            Some(Ok(ToReader::Refresh { id, mut dataset })) => {
                let started = now_ms();
                dataset.rows = incoming_rows(id);
                dataset.refresh_quality_findings();
                send_dataset(id, dataset, now_ms() - started, false);
            }
            Some(Ok(ToReader::Fix {
                id,
                code,
                mut dataset,
            })) => {
                let started = now_ms();
                dataset.rows = incoming_rows(id);
                match fix::apply(&code, &dataset) {
                    Some(fixed) => {
                        let changed = !fixed.report.changed_lines.is_empty();
                        post(&FromReader::Fixed {
                            id,
                            result: Ok(fixed.report),
                        });
                        if changed {
                            send_dataset(id, fixed.dataset, now_ms() - started, true);
                        }
                    }
                    None => post(&FromReader::Fixed {
                        id,
                        result: Err(format!("there is no fix called \"{code}\"")),
                    }),
                }
            }
            Some(Err(error)) => log(&format!(
                "the file reader got a message it does not understand: {error}"
            )),
            None => log("the file reader got a message without a request"),
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    post(&FromReader::Ready);
}

/// The rows sent for request `id` (none if none came).
fn incoming_rows(id: u64) -> Vec<Row> {
    INCOMING.with_borrow_mut(|incoming| incoming.remove(&id).unwrap_or_default())
}

/// Sends `dataset` in parts: rows (unless `with_rows` is false: the page has them), findings,
/// then the rest.
fn send_dataset(id: u64, mut dataset: Dataset, ms: f64, with_rows: bool) {
    let rows = std::mem::take(&mut dataset.rows);
    if with_rows {
        for chunk in rows.chunks(CHUNK) {
            post(&FromReader::Rows {
                id,
                rows: chunk.to_vec(),
            });
        }
    }
    let findings = std::mem::take(&mut dataset.findings);
    for chunk in findings.chunks(CHUNK) {
        post(&FromReader::Findings {
            id,
            findings: chunk.to_vec(),
        });
    }
    post(&FromReader::Done {
        id,
        result: Ok(ReadDataset { dataset, ms }),
    });
}

/// A failure to read the bytes themselves (not a problem of the file's content).
fn failure(name: &str, error: &str) -> ReadFailure {
    ReadFailure {
        message: Message::new(
            format!("Could not read \"{name}\": {error}. Try loading it again."),
            format!("No se pudo leer «{name}»: {error}. Prueba a cargarlo otra vez."),
        ),
        offer_json: false,
    }
}

fn post(message: &FromReader) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(text) = serde_json::to_string(message) {
        // A failed post means the page is gone; nothing is left to tell.
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

fn log(text: &str) {
    web_sys::console::error_1(&JsValue::from_str(text));
}
