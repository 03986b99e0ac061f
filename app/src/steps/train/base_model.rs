//! The pretrained model as the page sees it: whether the site offers it and this browser keeps
//! it, a download going on (size, progress, time left, cancel), and why one failed; the model
//! choice of the train step ("Preciso" / "Rápido") with its download line, and the storage line
//! of the versions area (delete it from the browser).

use afina_dataset::Message;
use leptos::prelude::*;

use crate::browser::now_ms;
use crate::i18n::{Lang, PageLang};
use crate::steps::train::settings::{ModelChoice, Settings, resolve_model};
use crate::steps::validate::work::Work;
use crate::steps::versions::state::Versions;
use crate::workers::protocol::{BaseModelEvent, BaseModelInfo, ToWorker};
use crate::workers::worker_client;

/// A download as the page follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Download {
    /// Bytes received.
    pub(crate) done: f64,
    /// Bytes in all.
    pub(crate) total: f64,
    /// When it began (ms).
    started_ms: f64,
}

impl Download {
    /// Milliseconds left at the speed so far.
    pub(crate) fn eta_ms(&self) -> Option<f64> {
        let elapsed = now_ms() - self.started_ms;
        (self.done > 0.0 && elapsed > 0.0)
            .then(|| (self.total - self.done).max(0.0) / (self.done / elapsed))
    }

    /// "12,3 / 71,6 MB · quedan 4 s".
    pub(crate) fn text(&self, lang: Lang) -> String {
        let eta = self
            .eta_ms()
            .map(|ms| format!(" · {} {:.0} s", lang.pick("quedan", "left"), ms / 1000.0))
            .unwrap_or_default();
        format!(
            "{} / {}{eta}",
            megabytes(self.done, lang),
            megabytes(self.total, lang)
        )
    }
}

/// "71,6 MB".
pub(crate) fn megabytes(bytes: f64, lang: Lang) -> String {
    let text = format!("{:.1} MB", bytes / 1e6);
    match lang {
        Lang::Es => text.replace('.', ","),
        Lang::En => text,
    }
}

/// The pretrained model's state, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct BaseModel {
    /// What the site offers (`None`: built without it, or not known yet).
    pub(crate) offered: RwSignal<Option<BaseModelInfo>>,
    /// The worker has answered.
    pub(crate) known: RwSignal<bool>,
    /// This browser keeps a checked copy.
    pub(crate) stored: RwSignal<bool>,
    /// A download going on.
    pub(crate) download: RwSignal<Option<Download>>,
    /// Why the last download failed.
    pub(crate) error: RwSignal<Option<Message>>,
}

impl BaseModel {
    /// Nothing known yet (the page asks the worker once it is connected).
    pub(crate) fn new() -> Self {
        Self {
            offered: RwSignal::new(None),
            known: RwSignal::new(false),
            stored: RwSignal::new(false),
            download: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Applies news from the worker; versions waiting for the model load once it is stored.
    pub(crate) fn receive(&self, event: BaseModelEvent, versions: Versions) {
        match event {
            BaseModelEvent::State { offered, stored } => {
                self.known.set(true);
                self.offered.set(offered);
                self.stored.set(stored);
                self.download.set(None);
                if stored {
                    self.error.set(None);
                    versions.retry_awaiting_base();
                }
            }
            BaseModelEvent::Downloading { done, total } => {
                self.error.set(None);
                let started_ms = self
                    .download
                    .get_untracked()
                    .map_or_else(now_ms, |download| download.started_ms);
                self.download.set(Some(Download {
                    done,
                    total,
                    started_ms,
                }));
            }
            BaseModelEvent::Failed(error) => {
                self.download.set(None);
                self.error.set(Some(error));
            }
        }
    }

    /// Whether the site may offer the weights: it does, or the worker has not answered yet
    /// (it answers within a moment of the page's start).
    pub(crate) fn may_be_offered(&self) -> bool {
        !self.known.get() || self.offered.with(Option::is_some)
    }

    /// As [`BaseModel::may_be_offered`], without tracking.
    pub(crate) fn may_be_offered_untracked(&self) -> bool {
        !self.known.get_untracked() || self.offered.with_untracked(Option::is_some)
    }

    /// The file's size, when the site offers it.
    fn bytes(&self) -> Option<f64> {
        self.offered
            .with(|offered| offered.as_ref().map(|info| info.bytes))
    }
}

/// The model choice of the train step, with the reason of "auto" and the download line.
#[component]
pub(crate) fn ModelChoicePanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let settings = expect_context::<Settings>().settings;
    let base = expect_context::<BaseModel>();
    let work = expect_context::<Work>();
    let rows = move || {
        work.dataset
            .with(|dataset| dataset.as_ref().map_or(0, |d| d.examples().len()))
    };
    let choice = move || settings.with(|s| s.model);
    let option = move |value: ModelChoice,
                       testid: &'static str,
                       name: (&'static str, &'static str),
                       help: (&'static str, &'static str)| {
        view! {
            <label class="model-option">
                <input
                    type="radio"
                    name="model-choice"
                    data-testid=testid
                    prop:checked=move || choice() == value
                    on:change=move |_| settings.update(|s| s.model = value)
                />
                <strong>{move || state.text(name.0, name.1)}</strong>
                " — "
                <span>{move || state.text(help.0, help.1)}</span>
            </label>
        }
    };
    let reason = move || {
        let lang = state.lang.get();
        let offered = base.may_be_offered();
        let (kind, es, en) = resolve_model(choice(), rows(), offered);
        let name = match kind {
            afina_trainer::ModelKind::E5Small => lang.pick("preciso", "precise"),
            afina_trainer::ModelKind::Ngram => lang.pick("rápido", "fast"),
        };
        format!(
            "{} {name}: {}",
            lang.pick("Se entrenará el modelo", "The model trained will be the"),
            lang.pick(&es, &en)
        )
    };
    view! {
        <fieldset class="model-choice" data-testid="model-choice">
            <legend>{move || state.text("Modelo", "Model")}</legend>
            {option(ModelChoice::Auto, "model-auto", ("Auto", "Auto"), ("elige según tus datos", "chosen from your data"))}
            {option(ModelChoice::Encoder, "model-encoder", ("Preciso", "Precise"), ("modelo preentrenado multilingüe (recomendado para pocos ejemplos)", "pretrained multilingual model (recommended for few examples)"))}
            {option(ModelChoice::Ngram, "model-ngram", ("Rápido", "Fast"), ("n-gramas, sin descarga (para miles de filas)", "n-grams, no download (for thousands of rows)"))}
            <p class="help" data-testid="model-reason">{reason}</p>
            <DownloadLine/>
        </fieldset>
    }
}

/// The pretrained model's download: size before, progress during, a retry after a failure.
#[component]
pub(crate) fn DownloadLine() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let base = expect_context::<BaseModel>();
    move || {
        let lang = state.lang.get();
        if !base.known.get() {
            return None;
        }
        let Some(bytes) = base.bytes() else {
            return Some(
                view! {
                    <p class="help" data-testid="base-model" data-state="absent">
                        {lang.pick(
                            "Este sitio se construyó sin el modelo preentrenado: solo está el modelo rápido (ejecuta scripts/setup.sh y vuelve a construirlo).",
                            "This site was built without the pretrained model: only the fast model is available (run scripts/setup.sh and build again).",
                        )}
                    </p>
                }
                .into_any(),
            );
        };
        let size = megabytes(bytes, lang);
        let error = base.error.get().map(|error| {
            view! { <p class="error" role="alert" data-testid="base-model-error">{lang.message(&error)}</p> }
        });
        Some(match (base.download.get(), base.stored.get()) {
            (Some(download), _) => view! {
                <div class="download" data-testid="base-model" data-state="downloading">
                    <progress
                        data-testid="base-model-progress"
                        max=download.total
                        value=download.done
                        aria-label=lang.pick("Descarga del modelo preentrenado", "Download of the pretrained model")
                    ></progress>
                    <span>{format!("{} {}", lang.pick("Descargando el modelo preentrenado:", "Downloading the pretrained model:"), download.text(lang))}</span>
                    <button data-testid="base-model-cancel" on:click=move |_| {
                        worker_client::send(&ToWorker::CancelDownload);
                        worker_client::send(&ToWorker::Stop);
                    }>
                        {lang.pick("Cancelar", "Cancel")}
                    </button>
                </div>
            }
            .into_any(),
            (None, true) => view! {
                <p class="help" data-testid="base-model" data-state="stored">
                    {format!("{} ({size}).", lang.pick("Modelo preentrenado guardado en este navegador: no se vuelve a descargar", "Pretrained model kept in this browser: it is not downloaded again"))}
                </p>
            }
            .into_any(),
            (None, false) => view! {
                <div data-testid="base-model" data-state="missing">
                    <button data-testid="base-model-download" on:click=move |_| {
                        base.error.set(None);
                        worker_client::send(&ToWorker::DownloadBaseModel);
                    }>
                        {format!("{} ({size}, {})", lang.pick("Descargar el modelo preentrenado", "Download the pretrained model"), lang.pick("una sola vez", "only once"))}
                    </button>
                    {error}
                </div>
            }
            .into_any(),
        })
    }
}

/// The versions area's storage line: the pretrained model kept in this browser, and a button
/// that deletes it.
#[component]
pub(crate) fn BaseModelStorage() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let base = expect_context::<BaseModel>();
    move || {
        let lang = state.lang.get();
        let bytes = base.bytes()?;
        base.stored.get().then(|| {
            view! {
                <p class="storage" data-testid="base-model-storage">
                    {format!("{} {}. ", lang.pick("Modelo preentrenado guardado en este navegador:", "Pretrained model kept in this browser:"), megabytes(bytes, lang))}
                    <button data-testid="base-model-delete" on:click=move |_| worker_client::send(&ToWorker::DeleteBaseModel)>
                        {lang.pick("Borrarlo del navegador", "Delete it from the browser")}
                    </button>
                </p>
            }
        })
    }
}
