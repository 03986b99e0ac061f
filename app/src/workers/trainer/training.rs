//! A training run in the worker: picks the device, trains, keeps the model — and never keeps
//! anything computed on a GPU that failed.
//!
//! While a run may use WebGPU it is watched twice:
//! - in its own task, each time its future is polled ([`execute`]): a fault the guard recorded
//!   since the run began ends the run at once; the future is dropped, so nothing it computed
//!   survives;
//! - from a second task ([`supervise`]): a run not polled for [`WATCHDOG_MS`] (the encoder's:
//!   [`ENCODER_WATCHDOG_MS`]) is hung, and one
//!   with a fault that has not been polled for [`FAULT_GRACE_MS`] is dead (a panic inside
//!   burn on a lost device ends its task without a word); both are abandoned.
//!
//! Then WebGPU is taken out of use in this worker. With "Auto" the run starts again on the
//! CPU and the device line says why; with "GPU" the page is told and offers the CPU.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use afina_dataset::{Example, Message};
use afina_trainer::encoder::plan::{self, Compute, EncoderSettings};
use afina_trainer::encoder::run::train_encoder;
use afina_trainer::{
    Control, EmbeddingCache, ModelKind, Observer, Progress, TrainConfig, TrainData, TrainError,
    TrainedModel, train,
};
use burn::tensor::Device;
use wasm_bindgen_futures::spawn_local;
use web_sys::Blob;

use super::base_model::{self, Unavailable};
use super::device::{self, Trial};
use super::gpu_guard::{self, FaultKind, GpuFault};
use super::model_files::{model_blob, model_info};
use super::outbox::{post, post_with_blob};
use crate::browser::{now_ms, sleep_ms, wasm_memory_bytes, yield_to_event_loop};
use crate::workers::protocol::{DeviceChoice, DeviceKind, FromWorker, TrainSummary};

/// Wrong validation rows sent to the page.
const MISCLASSIFIED_SHOWN: usize = 20;

/// Least time between two step-progress messages, so the page is not flooded.
const STEP_MESSAGE_INTERVAL_MS: f64 = 100.0;

/// A run on WebGPU whose task waits this long without being polled is taken for hung. Every
/// wait of the loop is a GPU read or a yield between batches, so a healthy run is polled far
/// more often; shader compilation on a software adapter takes a few seconds at most.
const WATCHDOG_MS: f64 = 20_000.0;

/// The watchdog of a run on the pretrained encoder: one batch runs twelve transformer layers,
/// and a software adapter (SwiftShader) compiles and runs them on the CPU, far slower than the
/// n-gram model's steps.
const ENCODER_WATCHDOG_MS: f64 = 180_000.0;

/// A run whose device reported a fault is given this long to notice it before it is taken for
/// dead.
const FAULT_GRACE_MS: f64 = 2_000.0;

/// How often the supervisor looks at a run.
const SUPERVISE_MS: f64 = 250.0;

/// What the page asked a run to make.
pub struct Request {
    /// The version the run makes.
    pub version: u32,
    /// Where the user wants it to train.
    pub choice: DeviceChoice,
    /// Training rows.
    pub examples: Vec<Example>,
    /// Validation rows, when the page has them apart.
    pub validation: Option<Vec<Example>>,
    /// The data's file name, for the model's record.
    pub source: String,
    /// The settings (stage 1's for the encoder).
    pub config: TrainConfig,
    /// The model family.
    pub model: ModelKind,
    /// The encoder's stage and method.
    pub encoder: EncoderSettings,
}

/// Where a finished run's model goes (the worker's table of versions).
pub type Keep = fn(u32, TrainedModel);

/// A run in progress.
struct Run {
    request: Rc<Request>,
    /// The GPU failed in an earlier attempt of this run, which goes on on the CPU.
    fallback: Option<GpuFault>,
    keep: Keep,
    /// When the run's future was last polled.
    heartbeat: Cell<f64>,
    /// While the run may use WebGPU: the guard's fault count when it began.
    gpu_mark: Cell<Option<u32>>,
    stop_requested: Cell<bool>,
    /// Finished, failed or abandoned: nothing more is posted for it.
    over: Cell<bool>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Run>>> = const { RefCell::new(None) };
    /// The encoder's sentence vectors of rows already embedded, kept between runs.
    static EMBEDDINGS: RefCell<EmbeddingCache> = RefCell::new(EmbeddingCache::new());
}

/// Why an attempt ended without a model.
enum Interrupt {
    /// The supervisor gave up on it and already told the page.
    Abandoned,
    /// The GPU failed.
    Gpu(GpuFault),
    /// Training itself failed (bad settings, no data, a stop before the first epoch).
    Failed(Message),
}

/// A finished attempt.
struct Done {
    summary: TrainSummary,
    blob: Blob,
    model: TrainedModel,
}

/// Starts a run, unless one is going on; `keep` receives its model.
pub fn start(request: Request, keep: Keep) {
    if CURRENT.with_borrow(Option::is_some) {
        post(&FromWorker::Finished {
            version: request.version,
            result: Err(Message::new(
                "a training run is already going on: wait for it or stop it",
                "ya hay un entrenamiento en marcha: espera a que termine o detenlo",
            )),
        });
        return;
    }
    launch(Rc::new(request), None, keep);
}

/// Asks the run in progress to stop after its current step (keeping its best epoch).
pub fn request_stop() {
    CURRENT.with_borrow(|current| {
        if let Some(run) = current {
            run.stop_requested.set(true);
        }
    });
}

fn launch(request: Rc<Request>, fallback: Option<GpuFault>, keep: Keep) {
    let run = Rc::new(Run {
        request,
        fallback,
        keep,
        heartbeat: Cell::new(now_ms()),
        gpu_mark: Cell::new(None),
        stop_requested: Cell::new(false),
        over: Cell::new(false),
    });
    CURRENT.with_borrow_mut(|current| *current = Some(Rc::clone(&run)));
    // A run that cannot touch WebGPU needs no watching from outside.
    if may_use_webgpu(&run) {
        spawn_local(supervise(Rc::clone(&run)));
    }
    spawn_local(execute(run));
}

/// Whether `run` may put work on WebGPU: not when the CPU was asked for, nor when the GPU
/// already failed in an earlier attempt of it.
fn may_use_webgpu(run: &Run) -> bool {
    run.request.choice != DeviceChoice::Cpu && run.fallback.is_none()
}

/// Runs an attempt, checking the GPU guard each time it is polled, and tells the page.
async fn execute(run: Rc<Run>) {
    let mut attempt = pin!(attempt(&run));
    let result = poll_fn(|context| {
        if run.over.get() {
            return Poll::Ready(Err(Interrupt::Abandoned));
        }
        if let Some(fault) = run.gpu_mark.get().and_then(gpu_guard::fault_since) {
            return Poll::Ready(Err(Interrupt::Gpu(fault)));
        }
        run.heartbeat.set(now_ms());
        let polled = attempt.as_mut().poll(context);
        run.heartbeat.set(now_ms());
        polled
    })
    .await;
    match result {
        Ok(done) => {
            if run.over.get() {
                return;
            }
            let version = run.request.version;
            finish(&run);
            (run.keep)(version, done.model);
            post_with_blob(
                &FromWorker::Finished {
                    version,
                    result: Ok(done.summary),
                },
                &done.blob,
            );
        }
        Err(Interrupt::Abandoned) => {}
        Err(Interrupt::Failed(error)) => {
            if !run.over.get() {
                finish(&run);
                post(&FromWorker::Finished {
                    version: run.request.version,
                    result: Err(error),
                });
            }
        }
        Err(Interrupt::Gpu(fault)) => gpu_failed(&run, fault),
    }
}

/// Ends `run`: nothing more is posted for it and another may start.
fn finish(run: &Rc<Run>) {
    run.over.set(true);
    CURRENT.with_borrow_mut(|current| {
        if current.as_ref().is_some_and(|now| Rc::ptr_eq(now, run)) {
            *current = None;
        }
    });
}

/// The GPU failed during `run`: nothing of it is kept; WebGPU is taken out of use; "Auto" goes
/// on on the CPU, "GPU" tells the page.
fn gpu_failed(run: &Rc<Run>, fault: GpuFault) {
    if run.over.get() {
        return;
    }
    finish(run);
    device::mark_failed(&fault);
    web_sys::console::error_1(&format!("training left WebGPU: {}", fault.message().en).into());
    if run.request.choice == DeviceChoice::Auto {
        launch(Rc::clone(&run.request), Some(fault), run.keep);
    } else {
        post(&FromWorker::GpuFailed {
            version: run.request.version,
            reason: fault.message(),
        });
    }
}

/// Watches `run` from outside its task: a run on WebGPU that is not polled for too long is
/// hung, or dead after a fault.
async fn supervise(run: Rc<Run>) {
    loop {
        sleep_ms(SUPERVISE_MS).await;
        if run.over.get() {
            return;
        }
        let Some(mark) = run.gpu_mark.get() else {
            continue;
        };
        let quiet_ms = now_ms() - run.heartbeat.get();
        match gpu_guard::fault_since(mark) {
            Some(fault) if quiet_ms >= FAULT_GRACE_MS => {
                gpu_failed(&run, fault);
                return;
            }
            None if quiet_ms >= watchdog_ms(&run.request) => {
                let seconds = format!("{:.0}", watchdog_ms(&run.request) / 1000.0);
                gpu_failed(&run, GpuFault::new(FaultKind::Hung, seconds));
                return;
            }
            _ => {}
        }
    }
}

/// How long `request`'s run may go unpolled on WebGPU before it is taken for hung.
fn watchdog_ms(request: &Request) -> f64 {
    match request.model {
        ModelKind::Ngram => WATCHDOG_MS,
        ModelKind::E5Small => ENCODER_WATCHDOG_MS,
    }
}

/// Picks the device, trains, and reads the model back; on WebGPU, keeps the result only
/// once the device has delivered every error its work raised.
async fn attempt(run: &Rc<Run>) -> Result<Done, Interrupt> {
    let request = &run.request;
    if may_use_webgpu(run) {
        run.gpu_mark.set(Some(gpu_guard::fault_count()));
    }
    let on_encoder = request.model == ModelKind::E5Small;
    let stop = || run.stop_requested.get();
    if on_encoder {
        // The weights first (downloaded once, then from the browser's cache), on the CPU.
        base_model::encoder(DeviceKind::Cpu, &Device::flex(), &stop)
            .await
            .map_err(no_weights)?;
    }
    let trial = if on_encoder {
        Trial::Encoder {
            examples: &request.examples,
            max_tokens: request.config.max_tokens,
        }
    } else {
        Trial::Ngram {
            examples: &request.examples,
            config: &request.config,
        }
    };
    let (device, info) = device::pick(request.choice, &trial, run.fallback.as_ref())
        .await
        .map_err(Interrupt::Gpu)?;
    let mark = match info.kind {
        DeviceKind::WebGpu => run.gpu_mark.get(),
        // A fault of the trial's WebGPU run, reported late, does not concern the CPU.
        DeviceKind::Cpu => {
            run.gpu_mark.set(None);
            None
        }
    };
    let compute = match info.kind {
        DeviceKind::WebGpu if !device::is_software(&info.detail) => Compute::Gpu,
        DeviceKind::WebGpu | DeviceKind::Cpu => Compute::BrowserCpu,
    };
    let kind = info.kind;
    post(&FromWorker::Device(info));
    let started = now_ms();
    let mut observer = WorkerObserver {
        run: Rc::clone(run),
        last_step_message: 0.0,
        started,
    };
    let data = TrainData {
        examples: &request.examples,
        validation: request.validation.as_deref(),
        source: &request.source,
    };
    let trained = if on_encoder {
        let encoder = base_model::encoder(kind, &device, &stop)
            .await
            .map_err(no_weights)?;
        let train_rows = plan::training_rows(
            request.examples.len(),
            request.config.validation_fraction,
            request.validation.is_some(),
        );
        let plan = plan::plan(&request.encoder, train_rows, compute);
        post(&FromWorker::Plan(plan.clone()));
        let mut cache = EMBEDDINGS.take();
        let trained = train_encoder(
            data,
            &request.config,
            plan.recipe,
            &request.encoder,
            &encoder,
            &mut cache,
            &device,
            &mut observer,
        )
        .await;
        EMBEDDINGS.set(cache);
        trained
    } else {
        train(data, &request.config, &device, &mut observer).await
    };
    let outcome = match (trained, mark) {
        (Ok(outcome), _) => outcome,
        (Err(error), None) => return Err(Interrupt::Failed(error.message())),
        (Err(error), Some(mark)) => {
            return Err(match gpu_guard::settle(mark).await {
                Some(fault) => Interrupt::Gpu(fault),
                // A device that cannot run or read back a computation has failed too.
                None if matches!(error, TrainError::Device(_)) => {
                    Interrupt::Gpu(GpuFault::new(FaultKind::Internal, error.to_string()))
                }
                None => Interrupt::Failed(error.message()),
            });
        }
    };
    let blob = model_blob(&outcome.model)
        .await
        .map_err(Interrupt::Failed)?;
    if let Some(fault) = match mark {
        Some(mark) => gpu_guard::settle(mark).await,
        None => None,
    } {
        return Err(Interrupt::Gpu(fault));
    }
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
        model: model_info(&outcome.model),
        worker_memory_bytes: wasm_memory_bytes(),
    };
    Ok(Done {
        summary,
        blob,
        model: outcome.model,
    })
}

/// The weights could not be had: the run ends with why.
fn no_weights(error: Unavailable) -> Interrupt {
    Interrupt::Failed(error.message())
}

struct WorkerObserver {
    run: Rc<Run>,
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
        if self.run.stop_requested.get() {
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
