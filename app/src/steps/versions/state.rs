//! The page's versions: every kept model, its model file handed to the worker and kept in
//! IndexedDB.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::version::{Origin, Version};
use crate::browser::now_ms;
use crate::i18n::Lang;
use crate::store;
use crate::workers::protocol::{DeviceInfo, ModelInfo, ToWorker, TrainSummary};
use crate::workers::worker_client;

/// A model file on its way to the worker.
#[derive(Clone)]
enum PendingLoad {
    /// A file the user picked: becomes a new version once read.
    File {
        /// The file's name.
        name: String,
        /// Its bytes, to keep in IndexedDB.
        blob: web_sys::Blob,
    },
    /// A stored version given back to the worker after a reload.
    Restore {
        /// Its model file, to give again once the pretrained model is here.
        blob: web_sys::Blob,
    },
}

impl PendingLoad {
    fn blob(&self) -> &web_sys::Blob {
        match self {
            Self::File { blob, .. } | Self::Restore { blob } => blob,
        }
    }
}

/// The page's versions, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct Versions {
    /// Every version, oldest first.
    pub(crate) list: RwSignal<Vec<Version>>,
    /// Model files sent to the worker, by the version number they will get.
    pending: StoredValue<HashMap<u32, PendingLoad>>,
    /// Highest number given so far (numbers are never reused while the page lives).
    last_id: StoredValue<u32>,
    /// Why the last load, save or delete failed.
    pub(crate) error: RwSignal<Option<String>>,
    /// The stored versions have been read back (or there were none).
    pub(crate) restored: RwSignal<bool>,
    /// Versions whose record and model file are not (or not yet) written to IndexedDB.
    pub(crate) writing: RwSignal<HashSet<u32>>,
    /// Loads that wait for the pretrained model (their models need it and this browser does
    /// not keep it yet): given again once it is downloaded.
    awaiting_base: StoredValue<HashMap<u32, PendingLoad>>,
    /// How many loads wait for the pretrained model.
    pub(crate) awaiting_base_count: RwSignal<usize>,
}

impl Versions {
    pub(crate) fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            pending: StoredValue::new(HashMap::new()),
            last_id: StoredValue::new(0),
            error: RwSignal::new(None),
            restored: RwSignal::new(false),
            writing: RwSignal::new(HashSet::new()),
            awaiting_base: StoredValue::new(HashMap::new()),
            awaiting_base_count: RwSignal::new(0),
        }
    }

    /// A fresh version number.
    pub(crate) fn next_id(&self) -> u32 {
        let highest = self
            .list
            .with_untracked(|list| list.iter().map(|version| version.id).max().unwrap_or(0));
        let id = highest.max(self.last_id.get_value()) + 1;
        self.last_id.set_value(id);
        id
    }

    /// The newest version's number.
    pub(crate) fn newest(&self) -> Option<u32> {
        self.list
            .with_untracked(|list| list.last().map(|version| version.id))
    }

    /// Reads the stored versions and hands their model files to the worker.
    pub(crate) fn restore(self, on_done: impl FnOnce(Option<u32>) + 'static) {
        spawn_local(async move {
            match store::versions().await {
                Ok(stored) => {
                    let mut list = Vec::with_capacity(stored.len());
                    for (version, blob) in stored {
                        self.pending.update_value(|pending| {
                            pending.insert(version.id, PendingLoad::Restore { blob: blob.clone() });
                        });
                        worker_client::send_with_blob(
                            &ToWorker::Load {
                                version: version.id,
                            },
                            &blob,
                        );
                        list.push(version);
                    }
                    self.list.set(list);
                }
                Err(error) => self.error.set(Some(error)),
            }
            self.restored.set(true);
            on_done(self.newest());
        });
    }

    /// Keeps a finished run as a new version.
    pub(crate) fn add_trained(
        &self,
        id: u32,
        summary: TrainSummary,
        device: Option<DeviceInfo>,
        model: Option<web_sys::Blob>,
    ) {
        let version = Version {
            id,
            created_ms: now_ms(),
            origin: Origin::Trained,
            info: summary.model.clone(),
            summary: Some(summary),
            device,
        };
        self.keep(version, model);
    }

    fn keep(&self, version: Version, model: Option<web_sys::Blob>) {
        self.list.update(|list| {
            list.retain(|kept| kept.id != version.id);
            list.push(version.clone());
            list.sort_by_key(|kept| kept.id);
        });
        let errors = self.error;
        let Some(model) = model else {
            errors.set(Some(format!(
                "{}: the model file did not arrive, so it is not saved",
                version.name()
            )));
            return;
        };
        let writing = self.writing;
        writing.update(|writing| {
            writing.insert(version.id);
        });
        spawn_local(async move {
            match store::save_version(&version, &model).await {
                Ok(()) => writing.update(|writing| {
                    writing.remove(&version.id);
                }),
                // The row keeps saying it is not stored (data-stored="false").
                Err(error) => errors.set(Some(format!("{}: {error}", version.name()))),
            }
        });
    }

    /// Sends a model file the user picked to the worker; it becomes a version once read.
    pub(crate) fn load_file(&self, file: web_sys::File) {
        let id = self.next_id();
        self.error.set(None);
        self.pending.update_value(|pending| {
            pending.insert(
                id,
                PendingLoad::File {
                    name: file.name(),
                    blob: file.clone().into(),
                },
            );
        });
        worker_client::send_with_blob(&ToWorker::Load { version: id }, &file);
    }

    /// Gives the worker again the model files that waited for the pretrained model (now
    /// downloaded).
    pub(crate) fn retry_awaiting_base(&self) {
        let mut waiting = HashMap::new();
        self.awaiting_base
            .update_value(|awaiting| waiting = std::mem::take(awaiting));
        self.awaiting_base_count.set(0);
        if waiting.is_empty() {
            return;
        }
        self.error.set(None);
        for (id, load) in waiting {
            let blob = load.blob().clone();
            self.pending.update_value(|pending| {
                pending.insert(id, load);
            });
            worker_client::send_with_blob(&ToWorker::Load { version: id }, &blob);
        }
    }

    /// The worker's answer to a load. Returns the new version's number when a picked file
    /// became one. `needs_base_model`: the model needs the pretrained model, which this
    /// browser does not keep yet; the load waits for it.
    pub(crate) fn loaded(
        &self,
        id: u32,
        result: Result<ModelInfo, String>,
        needs_base_model: bool,
        lang: Lang,
    ) -> Option<u32> {
        let mut pending = None;
        self.pending
            .update_value(|loads| pending = loads.remove(&id));
        let pending = pending?;
        if needs_base_model {
            let name = match &pending {
                PendingLoad::File { name, .. } => name.clone(),
                PendingLoad::Restore { .. } => format!("v{id}"),
            };
            if let Err(error) = &result {
                self.error.set(Some(format!("{name}: {error}")));
            }
            self.awaiting_base.update_value(|awaiting| {
                awaiting.insert(id, pending);
            });
            self.awaiting_base_count
                .set(self.awaiting_base.with_value(HashMap::len));
            return None;
        }
        match (pending, result) {
            (PendingLoad::File { name, blob }, Ok(info)) => {
                let version = Version {
                    id,
                    created_ms: now_ms(),
                    origin: Origin::Loaded { file: name },
                    info,
                    summary: None,
                    device: None,
                };
                self.keep(version, Some(blob));
                Some(id)
            }
            (PendingLoad::File { name, .. }, Err(error)) => {
                self.error.set(Some(format!(
                    "{name}: {} {error}. {}",
                    lang.pick("no se pudo leer el modelo:", "the model could not be read:"),
                    lang.pick(
                        "Elige un archivo .afina descargado de Afina.",
                        "Choose an .afina file downloaded from Afina.",
                    )
                )));
                None
            }
            (PendingLoad::Restore { .. }, Err(error)) => {
                self.error.set(Some(format!(
                    "v{id}: {} {error}",
                    lang.pick(
                        "el modelo guardado no se pudo leer:",
                        "the stored model could not be read:"
                    )
                )));
                None
            }
            (PendingLoad::Restore { .. }, Ok(_)) => None,
        }
    }

    /// Forgets a version in IndexedDB, then here and in the worker; `then` runs once it is gone.
    /// The row stays until the browser has committed the deletion, so a reload (or a closed
    /// tab) right after the click never brings it back; when the storage fails the row stays
    /// and the error is shown.
    pub(crate) fn delete(self, id: u32, then: impl FnOnce() + 'static) {
        spawn_local(async move {
            match store::delete_version(id).await {
                Ok(()) => {
                    self.list
                        .update(|list| list.retain(|version| version.id != id));
                    worker_client::send(&ToWorker::Forget { version: id });
                    then();
                }
                Err(error) => self.error.set(Some(error)),
            }
        });
    }
}
