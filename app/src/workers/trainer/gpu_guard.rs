//! The worker's side of the WebGPU guard: what `public/training-worker.js` recorded about the
//! devices the worker opened, read between training steps.
//!
//! The browser reports a rejected shader, a validation error, running out of memory or a lost
//! device asynchronously, to an event handler, never to the code that asked for the work; burn's
//! wgpu runtime then returns stale data. So no WebGPU result is trusted on its own: a run on
//! WebGPU ends as soon as the guard holds a fault newer than the run's start (`training`), and a
//! finished run is kept only after [`settle`] has let the device deliver every error its work
//! raised. The guard also receives wgpu's and cubecl's error logs ([`install_logger`]):
//! cubecl logs some shader failures without returning them (tracel-ai/cubecl#1641).

use afina_dataset::Message;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::describe;

/// The global `public/training-worker.js` defines.
const GUARD: &str = "afinaGpuGuard";

/// What went wrong on the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A shader, a pipeline or a command the browser rejected (WebGPU validation).
    Rejected,
    /// The GPU ran out of memory.
    OutOfMemory,
    /// The device was lost (driver reset, GPU removed, destroyed).
    Lost,
    /// An internal error of the browser's WebGPU implementation.
    Internal,
    /// A step did not come back within the watchdog time (the detail: its seconds).
    Hung,
    /// The guard is not loaded, so a failure could go unseen.
    Unguarded,
}

/// A failure of the WebGPU device, with the browser's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuFault {
    /// What kind of failure.
    pub kind: FaultKind,
    /// The browser's (or cubecl's) message.
    pub detail: String,
}

impl GpuFault {
    /// A fault of `kind` with `detail`.
    pub fn new(kind: FaultKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    /// What happened, in both languages, with the browser's message.
    pub fn message(&self) -> Message {
        let detail = &self.detail;
        match self.kind {
            FaultKind::Rejected => Message::new(
                format!("The GPU rejected a training operation (WebGPU): {detail}"),
                format!("La GPU rechazó una operación del entrenamiento (WebGPU): {detail}"),
            ),
            FaultKind::OutOfMemory => Message::new(
                format!("The GPU ran out of memory while training (WebGPU): {detail}"),
                format!("La GPU se quedó sin memoria durante el entrenamiento (WebGPU): {detail}"),
            ),
            FaultKind::Lost => Message::new(
                format!("The GPU was lost while training (WebGPU): {detail}"),
                format!("Se perdió la GPU durante el entrenamiento (WebGPU): {detail}"),
            ),
            FaultKind::Internal => Message::new(
                format!("The GPU failed (an internal WebGPU error): {detail}"),
                format!("La GPU falló (un error interno de WebGPU): {detail}"),
            ),
            FaultKind::Hung => Message::new(
                format!(
                    "The GPU stopped responding (WebGPU): a training step did not come back \
                     within {detail} s"
                ),
                format!(
                    "La GPU dejó de responder (WebGPU): un paso del entrenamiento no volvió en \
                     {detail} s"
                ),
            ),
            FaultKind::Unguarded => Message::new(
                format!("WebGPU is not used because its failures could not be watched: {detail}"),
                format!("No se usa WebGPU porque no se podrían vigilar sus fallos: {detail}"),
            ),
        }
    }

    fn from_record(record: &JsValue) -> Self {
        let field = |key: &str| {
            Reflect::get(record, &JsValue::from_str(key))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        };
        let kind = match field("kind").as_str() {
            "out-of-memory" => FaultKind::OutOfMemory,
            "lost" => FaultKind::Lost,
            "internal" => FaultKind::Internal,
            // "validation", "shader", "log" and anything newer: the GPU refused the work.
            _ => FaultKind::Rejected,
        };
        Self::new(kind, shortened(&field("message")))
    }
}

/// Characters of a fault's message the page shows (the console has all of it).
const SHOWN_CHARS: usize = 600;

/// `text` cut to [`SHOWN_CHARS`] characters, with an ellipsis when cut.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn guard() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(GUARD))
        .ok()
        .filter(|guard| guard.is_object())
}

fn faults() -> Option<Array> {
    Reflect::get(&guard()?, &JsValue::from_str("faults"))
        .ok()?
        .dyn_into::<Array>()
        .ok()
}

/// Whether the guard is loaded; without it WebGPU must not be used.
pub fn check_installed() -> Result<(), GpuFault> {
    match faults() {
        Some(_) => Ok(()),
        None => Err(GpuFault::new(
            FaultKind::Unguarded,
            "the worker was started without public/training-worker.js",
        )),
    }
}

/// How many faults the guard holds: a run remembers this at its start.
pub fn fault_count() -> u32 {
    faults().map_or(0, |faults| faults.length())
}

/// The first fault recorded after the first `mark` ones, if any. A device lost is reported
/// before anything else: it explains the errors that follow it.
pub fn fault_since(mark: u32) -> Option<GpuFault> {
    let faults = faults()?;
    let newer: Vec<GpuFault> = (mark..faults.length())
        .map(|index| GpuFault::from_record(&faults.get(index)))
        .collect();
    newer
        .iter()
        .find(|fault| fault.kind == FaultKind::Lost)
        .or_else(|| newer.first())
        .cloned()
}

/// Waits until every WebGPU device has finished the work submitted so far and the errors it
/// raised have reached the guard; then returns the first fault after `mark`, if any.
pub async fn settle(mark: u32) -> Option<GpuFault> {
    let settled = guard().and_then(|guard| {
        let settle = Reflect::get(&guard, &JsValue::from_str("settle"))
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        settle.call0(&guard).ok()?.dyn_into::<Promise>().ok()
    });
    if let Some(promise) = settled
        && let Err(error) = JsFuture::from(promise).await
    {
        report("settle", &describe(error));
    }
    fault_since(mark)
}

/// Adds a fault to the guard's record.
fn report(kind: &str, message: &str) {
    let Some(guard) = guard() else {
        return;
    };
    if let Ok(report) = Reflect::get(&guard, &JsValue::from_str("report"))
        .and_then(|report| report.dyn_into::<Function>())
    {
        let _ = report.call2(
            &guard,
            &JsValue::from_str(kind),
            &JsValue::from_str(message),
        );
    }
}

/// Sends the `log` records of burn, cubecl and wgpu to the console (warnings and errors), and
/// records their errors as GPU faults: cubecl logs some shader failures without returning
/// them. Written here rather than taken from `console_log` because it must also feed the guard.
pub fn install_logger() {
    if log::set_logger(&ConsoleLogger).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}

struct ConsoleLogger;

impl log::Log for ConsoleLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = format!("[{}] {}", record.target(), record.args());
        if record.level() == log::Level::Error {
            let target = record.target();
            web_sys::console::error_1(&JsValue::from_str(&text));
            if target.starts_with("cubecl") || target.starts_with("wgpu") {
                // The user sees the error, not the shader source cubecl appends to it.
                let head = text.split("--- shader source").next().unwrap_or(&text);
                report("log", head.trim_end());
            }
        } else {
            web_sys::console::warn_1(&JsValue::from_str(&text));
        }
    }

    fn flush(&self) {}
}
