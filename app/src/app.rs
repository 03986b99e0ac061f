//! The page shell: it makes each step's state, shares it through context, routes the
//! workers' messages to it and lays the steps out.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::i18n::PageLang;
use crate::project::{Keeper, save_note};
use crate::steps::export::ExportStep;
use crate::steps::export::models::ModelExports;
use crate::steps::improve::ImproveStep;
use crate::steps::improve::plan::Augmentation;
use crate::steps::load::LoadPanel;
use crate::steps::load::loader::Loader;
use crate::steps::load::stream::StreamPanel;
use crate::steps::test::PlaygroundPanel;
use crate::steps::test::state::Playground;
use crate::steps::train::TrainPanel;
use crate::steps::train::base_model::BaseModel;
use crate::steps::train::run::{TrainRun, TrainView};
use crate::steps::train::settings::Settings;
use crate::steps::validate::DatasetPanel;
use crate::steps::validate::fixes::state::FixState;
use crate::steps::validate::rows::state::Table;
use crate::steps::validate::work::Work;
use crate::steps::versions::VersionsPanel;
use crate::steps::versions::state::Versions;
use crate::workers::protocol::{BaseModelEvent, FromWorker, ToWorker};
use crate::workers::worker_client::{self, WorkerKind};

/// Where the training worker's messages go.
#[derive(Clone, Copy)]
struct Trainer {
    lang: PageLang,
    run: TrainRun,
    versions: Versions,
    playground: Playground,
    exports: ModelExports,
    loader: Loader,
    base: BaseModel,
}

impl Trainer {
    /// Applies a message from the worker (`blob`: a file that came beside it).
    fn receive(&self, message: FromWorker, blob: Option<web_sys::Blob>) {
        // The worker's errors come in both languages; the page shows the user's.
        let lang = self.lang.lang.get_untracked();
        let worded = |error: afina_dataset::Message| lang.message(&error);
        match message {
            FromWorker::Exported { kind, result } => {
                self.exports.exported(kind, result.map_err(worded), blob);
            }
            FromWorker::Ready => {}
            FromWorker::BaseModel(event) => {
                if let BaseModelEvent::Downloading { done, total } = &event {
                    let eta = self.base.download.get_untracked().and_then(|d| d.eta_ms());
                    self.run.downloading(*done, *total, eta);
                }
                self.base.receive(event, self.versions);
            }
            FromWorker::Plan(plan) => self.run.plan.set(Some(plan)),
            FromWorker::Device(info) => self.run.device.set(Some(info)),
            FromWorker::Progress(progress) => self.run.progress(&progress),
            FromWorker::Finished { version, result } => match result {
                Ok(summary) => {
                    let device = self.run.device.get_untracked();
                    self.run.view.set(TrainView::Done {
                        version,
                        summary: Box::new(summary.clone()),
                    });
                    // The versions table and the playground are drawn in later tasks, so no
                    // one task on the main thread draws all three.
                    let state = *self;
                    spawn_local(async move {
                        yield_to_event_loop().await;
                        state.versions.add_trained(version, summary, device, blob);
                        yield_to_event_loop().await;
                        state.playground.choose(Some(version));
                    });
                }
                Err(error) => self.run.view.set(TrainView::Failed(worded(error))),
            },
            FromWorker::GpuFailed { reason, .. } => {
                self.run.view.set(TrainView::GpuFailed(worded(reason)));
            }
            FromWorker::Loaded {
                version,
                result,
                needs_base_model,
            } => {
                if let Some(new) =
                    self.versions
                        .loaded(version, result.map_err(worded), needs_base_model, lang)
                {
                    self.playground.choose(Some(new));
                }
            }
            FromWorker::ValidateProgress { id, bytes, total } => {
                self.loader.stream.progress(id, bytes, total);
            }
            FromWorker::Validated { id, result } => {
                if self.loader.stream.is_current(id) {
                    self.loader.validated(result);
                }
            }
            FromWorker::Prediction { id, result } => {
                self.playground.answered(id, result.map_err(worded));
            }
        }
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lang = PageLang::new();
    let run = TrainRun::new();
    let work = Work::new(run);
    let table = Table::new(work);
    let fixes = FixState::new();
    let augmentation = Augmentation::new();
    let settings = Settings::new();
    let versions = Versions::new();
    let playground = Playground::new();
    let exports = ModelExports::new(versions, lang);
    let loader = Loader::new(lang, work, run, augmentation, table, fixes);
    let keeper = Keeper::new(loader, settings);
    let base = BaseModel::new();
    provide_context(lang);
    provide_context(run);
    provide_context(work);
    provide_context(table);
    provide_context(fixes);
    provide_context(augmentation);
    provide_context(settings);
    provide_context(base);
    provide_context(versions);
    provide_context(playground);
    provide_context(exports);
    provide_context(loader);
    provide_context(loader.stream);
    provide_context(loader.validation);
    let trainer = Trainer {
        lang,
        run,
        versions,
        playground,
        exports,
        loader,
        base,
    };
    if let Err(error) = worker_client::connect(WorkerKind::Trainer, move |message, blob| {
        trainer.receive(message, blob);
    }) {
        let lang = lang.lang.get_untracked();
        run.view.set(TrainView::Failed(format!(
            "{}: {error}. {}",
            lang.pick(
                "no arrancó el proceso de entrenamiento",
                "the training worker did not start"
            ),
            lang.pick("Recarga la página.", "Reload the page."),
        )));
    }
    // Whether the site offers the pretrained model and this browser keeps it.
    worker_client::send(&ToWorker::BaseModelStatus);
    if let Err(error) = worker_client::connect(WorkerKind::Reader, move |message, _| {
        loader.receive_read(message);
    }) {
        let lang = lang.lang.get_untracked();
        loader.load_error.set(Some(format!(
            "{}: {error}. {}",
            lang.pick(
                "no arrancó el proceso que lee los archivos",
                "the file reader worker did not start"
            ),
            lang.pick("Recarga la página.", "Reload the page."),
        )));
    }
    keeper.restore_project();
    Effect::new(move |_| {
        work.dataset.track();
        settings.settings.track();
        loader.validation.file.track();
        augmentation.plan.with(|plan| {
            if let Some(plan) = plan {
                plan.accepted.track();
            }
        });
        if keeper.project_restored.get_value() {
            keeper.autosave();
        }
    });
    versions.restore(move |newest| {
        playground.choose(newest);
        // The newest run's results come back with it.
        let last = versions.list.with_untracked(|list| {
            list.iter()
                .rev()
                .find_map(|version| Some((version.id, version.summary.clone()?)))
        });
        if let Some((version, summary)) = last
            && run.view.get_untracked() == TrainView::Idle
        {
            run.view.set(TrainView::Done {
                version,
                summary: Box::new(summary),
            });
        }
    });
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.lang.get().tag());
        }
    });
    view! {
        <header class="top">
            <h1>"Afina"</h1>
            <p class="tagline">
                {move || lang.text(
                    "Valida tu dataset y entrena un clasificador en tu GPU, sin servidor.",
                    "Check your dataset and train a classifier on your GPU, with no server.",
                )}
            </p>
            {move || save_note(keeper, lang)}
            <button data-testid="new-project" on:click=move |_| keeper.new_project()>
                {move || lang.text("Nuevo proyecto", "New project")}
            </button>
            <button
                class="lang"
                data-testid="lang-switch"
                on:click=move |_| lang.lang.update(|lang| *lang = lang.other())
            >
                {move || lang.text("English", "Español")}
            </button>
        </header>
        <main>
            <LoadPanel/>
            <StreamPanel/>
            <DatasetPanel/>
            <ImproveStep/>
            <TrainPanel/>
            <PlaygroundPanel/>
            <ExportStep/>
            <VersionsPanel/>
        </main>
    }
}
