//! Messages between the page and the worker, sent as JSON strings (a file to validate
//! travels beside its [`ToWorker::Validate`] message, an exported model file beside its
//! [`FromWorker::Exported`] answer).

use afina_dataset::{
    Dataset, Example, Finding, FixReport, Message, ParseOptions, Row, StreamReport,
};
use afina_trainer::encoder::plan::{EncoderSettings, Plan};
use afina_trainer::{
    Calibration, EpochReport, Metrics, Misclassified, ModelKind, Prediction, Progress, TrainConfig,
};
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(
    clippy::large_enum_variant,
    reason = "a message lives only between JSON and its handler"
)]
pub enum ToWorker {
    /// Train a new model on `examples`, replacing the previous one when it finishes.
    Train {
        /// Number of the version this run makes (v1, v2 …), echoed in the answer.
        version: u32,
        /// Where to train.
        device: DeviceChoice,
        /// Labelled rows.
        examples: Vec<Example>,
        /// Validation rows kept apart (when the training rows were augmented); `None`: the
        /// trainer holds out a share of `examples`.
        #[serde(default)]
        validation: Option<Vec<Example>>,
        /// Name of the file they came from (for the model card).
        source: String,
        /// Training settings (stage 1's for the encoder).
        config: TrainConfig,
        /// Which model family: the n-gram model, or a head on (and fine-tuning of) the
        /// pretrained encoder, whose weights the worker downloads once if needed.
        #[serde(default)]
        model: ModelKind,
        /// The encoder's stage and method (unused by the n-gram model).
        #[serde(default)]
        encoder: EncoderSettings,
    },
    /// Stop the running training after the current step (a download or the embedding of
    /// the rows too).
    Stop,
    /// Say whether the site offers the pretrained encoder and whether this browser keeps it
    /// ([`FromWorker::BaseModel`]).
    BaseModelStatus,
    /// Download the pretrained encoder now (progress in [`FromWorker::BaseModel`]).
    DownloadBaseModel,
    /// Stop a download started with [`ToWorker::DownloadBaseModel`].
    CancelDownload,
    /// Delete the pretrained encoder from this browser.
    DeleteBaseModel,
    /// Export the current model: its file (beside the answer) and its model cards.
    Export {
        /// The version to export.
        version: u32,
        /// What the user asked for, echoed in the answer.
        kind: ExportKind,
        /// Today's date as the page's clock says, for the card (YYYY-MM-DD).
        date: String,
        /// Title of the card.
        title: String,
    },
    /// Classify `texts` with a version's model; `id` comes back with the answer.
    Predict {
        /// Request id, echoed in the answer so stale answers can be dropped.
        id: u64,
        /// The version whose model classifies.
        version: u32,
        /// The texts to classify.
        texts: Vec<String>,
    },
    /// Read the model file sent beside this message and keep it as `version`.
    Load {
        /// The number the model is kept under.
        version: u32,
    },
    /// Drop a version's model.
    Forget {
        /// The version to drop.
        version: u32,
    },
    /// Validate the file sent beside this message as a stream of chunks (JSON Lines or CSV/TSV in UTF-8).
    Validate {
        /// Request id, echoed in the progress and the answer.
        id: u64,
        /// Findings to keep at most (all are counted).
        max_findings: usize,
    },
}

/// A file validated as a stream in the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamValidation {
    /// What the validator found.
    pub report: StreamReport,
    /// Wall time from the first read to the report, in milliseconds.
    pub ms: f64,
    /// Of that, milliseconds spent checking bytes (the rest is waiting for the browser to
    /// read the file, and messages).
    pub check_ms: f64,
    /// Size of the worker's WebAssembly memory at the end, in bytes: it only grows, so this
    /// is its peak.
    pub wasm_memory_bytes: f64,
}

/// Why a file was not validated as a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StreamRefusal {
    /// Not JSON Lines or CSV/TSV in UTF-8 (the reason, in English): read it whole instead.
    NotStreamable(String),
    /// A problem with the whole file, explained.
    File(Message),
    /// Reading the file failed.
    Failed(String),
}

/// Which kind of device a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceKind {
    /// burn's wgpu device on the browser's WebGPU.
    WebGpu,
    /// burn's `flex` CPU device, in wasm.
    Cpu,
}

/// Where the user wants a run to train.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceChoice {
    /// Time a short trial on each available device and train on the faster.
    #[default]
    Auto,
    /// WebGPU (the CPU when WebGPU is not available, saying why).
    WebGpu,
    /// The CPU.
    Cpu,
}

/// The trial behind an automatic device choice: the same short run timed on each device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceTrial {
    /// Training rows in the trial.
    pub rows: usize,
    /// Wall time of the trial on WebGPU (after a warm-up run), in milliseconds.
    pub webgpu_ms: f64,
    /// Wall time of the trial on the CPU (after a warm-up run), in milliseconds.
    pub cpu_ms: f64,
    /// True when the trial embedded the rows with the pretrained encoder; false when it
    /// trained one epoch of the n-gram model on them.
    #[serde(default)]
    pub embedding: bool,
}

/// The device a run uses, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// WebGPU or CPU.
    pub kind: DeviceKind,
    /// For WebGPU, the adapter ("google swiftshader"); for the CPU, why WebGPU was not used
    /// (empty when the CPU was chosen although WebGPU works).
    pub detail: String,
    /// The WebGPU adapter when it works, whichever device was used.
    #[serde(default)]
    pub adapter: Option<String>,
    /// What the user asked for.
    #[serde(default)]
    pub choice: DeviceChoice,
    /// The timing trial, when the choice was automatic and both devices work.
    #[serde(default)]
    pub trial: Option<DeviceTrial>,
    /// Why the run left WebGPU for the CPU: the GPU failed (during the trial, the run, or
    /// earlier in this tab) and the choice was automatic.
    #[serde(default)]
    pub gpu_fault: Option<Message>,
}

/// The result of a finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Metrics of the kept model on the validation split.
    pub validation: Metrics,
    /// One report per finished epoch.
    pub history: Vec<EpochReport>,
    /// The epoch whose weights were kept.
    pub best_epoch: usize,
    /// Rows in the training split.
    pub train_rows: usize,
    /// Wall time of the run in milliseconds, device set-up excluded.
    pub train_ms: f64,
    /// The user stopped the run.
    pub stopped_by_user: bool,
    /// Early stopping ended the run.
    pub stopped_early: bool,
    /// Temperature scaling fitted on the validation rows.
    pub calibration: Calibration,
    /// The most confidently wrong validation rows.
    pub misclassified: Vec<Misclassified>,
    /// What the model file says about itself.
    pub model: ModelInfo,
    /// The worker's WebAssembly memory at the end of the run, in bytes (its peak so far; GPU
    /// buffers are not in it).
    #[serde(default)]
    pub worker_memory_bytes: f64,
}

/// What a model file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The labels it predicts.
    pub labels: Vec<String>,
    /// Its metrics on its validation rows, when recorded.
    pub metrics: Option<Metrics>,
    /// Fingerprint of the training data.
    pub fingerprint: String,
    /// The file it was trained on, when recorded.
    pub source: Option<String>,
    /// Training settings as (name, value) pairs, when recorded.
    pub settings: Vec<(String, String)>,
    /// Training rows, when recorded.
    pub train_rows: Option<usize>,
}

/// What the user asked to download from the trained model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// The model file.
    Model,
    /// The model card (Markdown) in the interface language.
    Card,
}

/// A model ready to download; its file travels beside this message as a `Blob`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelExport {
    /// The model card in Spanish (Markdown).
    pub card_es: String,
    /// The model card in English (Markdown).
    pub card_en: String,
}

/// The pretrained encoder the site offers (`models/e5-small.json`, written at build time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseModelInfo {
    /// Its name and version.
    pub name: String,
    /// Its license.
    pub license: String,
    /// Its file's name under `models/`.
    pub file: String,
    /// The file's size in bytes.
    pub bytes: f64,
    /// The file's SHA-256 (hex): the download is checked against it.
    pub sha256: String,
}

/// News of the pretrained encoder's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BaseModelEvent {
    /// What the site offers (`None`: it was built without the weights) and whether this
    /// browser keeps them.
    State {
        /// The weights the site offers.
        offered: Option<BaseModelInfo>,
        /// This browser keeps a checked copy.
        stored: bool,
    },
    /// A download goes on.
    Downloading {
        /// Bytes received.
        done: f64,
        /// Bytes in all.
        total: f64,
    },
    /// A download stopped without weights (cancelled, interrupted or damaged): why.
    Failed(Message),
}

/// What the worker tells the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromWorker {
    /// News of the pretrained encoder's weights.
    BaseModel(BaseModelEvent),
    /// What a run on the encoder trains, and why (before it starts).
    Plan(Plan),
    /// The worker has loaded and listens: messages may be sent.
    Ready,
    /// The device the run will use.
    Device(DeviceInfo),
    /// Training progress.
    Progress(Progress),
    /// The run ended: a summary (the model file comes beside it), or why it failed.
    Finished {
        /// The version the run made.
        version: u32,
        /// The summary, or why there is none.
        result: Result<TrainSummary, Message>,
    },
    /// The run asked for WebGPU and the GPU failed (rejected a kernel, ran out of memory, was
    /// lost or stopped responding): nothing it computed is kept. The page offers the CPU.
    GpuFailed {
        /// The version the run would have made.
        version: u32,
        /// What happened, with the browser's message.
        reason: Message,
    },
    /// The answer to [`ToWorker::Load`].
    Loaded {
        /// The version the model is kept under.
        version: u32,
        /// What the model file says about itself, or why it could not be read.
        result: Result<ModelInfo, Message>,
        /// The model needs the pretrained encoder, which this browser does not keep yet: the
        /// page offers to download it and load the file again.
        #[serde(default)]
        needs_base_model: bool,
    },
    /// How far [`ToWorker::Validate`] has read.
    ValidateProgress {
        /// The request's id.
        id: u64,
        /// Bytes read so far.
        bytes: f64,
        /// Size of the file.
        total: f64,
    },
    /// The answer to [`ToWorker::Validate`].
    Validated {
        /// The request's id.
        id: u64,
        /// The report, or why there is none.
        result: Result<StreamValidation, StreamRefusal>,
    },
    /// The answer to [`ToWorker::Export`]; on success the model file comes beside it.
    Exported {
        /// The download asked for.
        kind: ExportKind,
        /// The cards, or why there is no export.
        result: Result<ModelExport, Message>,
    },
    /// The answer to [`ToWorker::Predict`].
    Prediction {
        /// The request's id.
        id: u64,
        /// One prediction per text, or why there are none.
        result: Result<Vec<Prediction>, Message>,
    },
}

/// What the page asks of the file reader worker. A file's bytes travel beside its
/// [`ToReader::Read`] message as a `Blob`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ToReader {
    /// Parse and validate the file beside this message.
    Read {
        /// Request id, echoed in every answer so answers about an older file are dropped.
        id: u64,
        /// The file's name (its extension says how to read it; findings name it).
        name: String,
        /// How to read it.
        options: ParseOptions,
        /// The sheet of a workbook to read (`None`: the first).
        sheet: Option<String>,
    },
    /// The next rows of a dataset to refresh or fix (see [`ToReader::Refresh`] and
    /// [`ToReader::Fix`]).
    Rows {
        /// Request id of the refresh or fix.
        id: u64,
        /// Rows, in file order.
        rows: Vec<Row>,
    },
    /// Recompute the quality findings of the dataset whose rows came in [`ToReader::Rows`]
    /// (after an edit or a delete on a big dataset). The answer has no rows: the page has them.
    Refresh {
        /// Request id, the same as the rows'.
        id: u64,
        /// The dataset without rows, with its findings other than quality ones.
        dataset: Dataset,
    },
    /// Apply the safe fix `code` (see `afina_dataset::fix::SAFE_FIXES`) to the dataset whose
    /// rows came in [`ToReader::Rows`]. The answer is [`FromReader::Fixed`], then the fixed
    /// dataset in parts when the fix changed something.
    Fix {
        /// Request id, the same as the rows'.
        id: u64,
        /// The fix's code.
        code: String,
        /// The dataset without rows, with its findings other than quality ones.
        dataset: Dataset,
    },
}

/// What the file reader tells the page. A read dataset comes in parts, each a message of its
/// own, so that no one task on the page decodes all of it: its rows and its findings in
/// chunks, then the rest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromReader {
    /// The reader has loaded and listens: messages may be sent.
    Ready,
    /// How far the reading and validating of a file has got.
    Progress {
        /// The request's id.
        id: u64,
        /// The share of the work done, from 0 to 1.
        done: f64,
    },
    /// The next rows of the dataset being sent.
    Rows {
        /// The request's id.
        id: u64,
        /// Rows, in file order.
        rows: Vec<Row>,
    },
    /// The next findings of the dataset being sent.
    Findings {
        /// The request's id.
        id: u64,
        /// Findings, in the dataset's order.
        findings: Vec<Finding>,
    },
    /// What a fix asked for with [`ToReader::Fix`] changed. When it changed nothing, this is
    /// the whole answer; otherwise the fixed dataset follows, as for a read.
    Fixed {
        /// The request's id.
        id: u64,
        /// What the fix changed, or why it could not run.
        result: Result<FixReport, String>,
    },
    /// The end of the answer to [`ToReader::Read`], [`ToReader::Refresh`] or
    /// [`ToReader::Fix`]: the dataset without its rows and findings (sent before), or why the
    /// file could not be read.
    Done {
        /// The request's id.
        id: u64,
        /// The rest of the dataset, or why there is none.
        result: Result<ReadDataset, ReadFailure>,
    },
}

impl FromReader {
    /// The id of the request this answers (none for [`FromReader::Ready`]).
    pub fn id(&self) -> Option<u64> {
        match self {
            Self::Ready => None,
            Self::Progress { id, .. }
            | Self::Rows { id, .. }
            | Self::Findings { id, .. }
            | Self::Fixed { id, .. }
            | Self::Done { id, .. } => Some(*id),
        }
    }
}

/// The last part of a dataset read by the file reader.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadDataset {
    /// The dataset; its rows and findings came before, in [`FromReader::Rows`] and
    /// [`FromReader::Findings`].
    pub dataset: Dataset,
    /// Milliseconds the reader spent parsing and validating.
    pub ms: f64,
}

/// Why the file reader could not read a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadFailure {
    /// What went wrong and what to do, in both languages.
    pub message: Message,
    /// The file is a JSON list or JSON written over several lines: the page offers to read it
    /// as JSON Lines.
    pub offer_json: bool,
}
