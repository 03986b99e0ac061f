//! The working project kept in IndexedDB: saved after every change, read back after a reload,
//! forgotten by "New project"; the header's note on it.

use std::sync::Arc;

use afina_dataset::{Dataset, sheet_names};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_to_event_loop;
use crate::i18n::PageLang;
use crate::steps::improve::plan::KeptPlan;
use crate::steps::load::loader::Loader;
use crate::steps::load::stream::state::StreamView;
use crate::steps::train::run::TrainView;
use crate::steps::train::settings::{Settings, TrainSettings};
use crate::steps::validate::work::{REFRESH_CHUNK, dataset_head};
use crate::store;

/// Where the working project stands in IndexedDB (shown in the header; the browser tests
/// wait on it before a reload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SaveState {
    /// No project to keep (an empty page, or one just cleared by "New project").
    Nothing,
    /// A change is being written (or the project cleared).
    Saving,
    /// The last change is kept.
    Saved,
    /// The browser refused to keep it (the reason, as the browser gave it).
    Failed(String),
}

impl SaveState {
    /// The value of the note's `data-state`.
    fn name(&self) -> &'static str {
        match self {
            Self::Nothing => "nothing",
            Self::Saving => "saving",
            Self::Saved => "saved",
            Self::Failed(_) => "failed",
        }
    }
}

/// The autosave's state, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct Keeper {
    /// Whether the working project is kept in IndexedDB yet.
    pub(crate) saved: RwSignal<SaveState>,
    /// Number of the latest autosave: an earlier one still serialising gives way.
    autosave_id: StoredValue<u64>,
    /// The kept project has been read back (or there was none): autosave may write.
    pub(crate) project_restored: StoredValue<bool>,
    /// The file, how it was read, the dataset and what was made of it.
    loader: Loader,
    /// The training settings.
    settings: Settings,
}

impl Keeper {
    /// Nothing kept yet.
    pub(crate) fn new(loader: Loader, settings: Settings) -> Self {
        Self {
            saved: RwSignal::new(SaveState::Nothing),
            autosave_id: StoredValue::new(0),
            project_restored: StoredValue::new(false),
            loader,
            settings,
        }
    }

    /// Keeps the working file, how it was read, the fixes and the settings in IndexedDB.
    pub(crate) fn autosave(&self) {
        let Some((name, bytes)) = self.loader.source.get_value() else {
            return;
        };
        let dataset = self.loader.work.dataset.get_untracked();
        let fixed = (self.loader.work.undo_depth() > 0)
            .then(|| dataset.clone())
            .flatten();
        let validation = self
            .loader
            .validation
            .file
            .get_untracked()
            .and_then(|validation| serde_json::to_string(&*validation).ok());
        // Accepted variants of this very dataset.
        let augmentation = self
            .loader
            .augmentation
            .plan
            .get_untracked()
            .filter(|plan| {
                dataset
                    .as_ref()
                    .is_some_and(|dataset| Arc::ptr_eq(&plan.dataset, dataset))
            })
            .and_then(|plan| plan.kept())
            .and_then(|kept| serde_json::to_string(&kept).ok());
        let state = store::ProjectState {
            sheet: self.loader.sheet.get_untracked(),
            columns: self.loader.columns.get_untracked(),
            convert_json: self.loader.convert_json.get_value(),
            settings: self.settings.settings.get_untracked(),
        };
        let saved = self.saved;
        saved.set(SaveState::Saving);
        let latest = self.autosave_id;
        let id = latest.get_value() + 1;
        latest.set_value(id);
        spawn_local(async move {
            let fixed = match fixed {
                Some(dataset) => dataset_json(&dataset).await,
                None => None,
            };
            // A later change is saved by a later call (this one's JSON may be stale).
            if latest.try_get_value() != Some(id) {
                return;
            }
            let project = store::Project {
                name,
                bytes: bytes.to_vec(),
                state,
                fixed,
                validation,
                augmentation,
            };
            let done = store::save_project(&project).await;
            // A change made while this one was being written is saved by its own call.
            if latest.try_get_value() == Some(id) {
                saved.set(match done {
                    Ok(()) => SaveState::Saved,
                    Err(error) => SaveState::Failed(error),
                });
            }
        });
    }

    /// Puts back the project kept before the reload, unless a file was loaded meanwhile.
    pub(crate) fn restore_project(self) {
        spawn_local(async move {
            let project = match store::load_project().await {
                Ok(project) => project,
                Err(error) => {
                    self.loader.load_error.set(Some(error));
                    None
                }
            };
            if let Some(project) = project
                && self.loader.source.with_value(Option::is_none)
                && self
                    .loader
                    .stream
                    .view
                    .with_untracked(|view| matches!(view, StreamView::Idle))
            {
                let store::Project {
                    name,
                    bytes,
                    state,
                    fixed,
                    validation,
                    augmentation,
                } = project;
                if let Some(validation) =
                    validation.and_then(|json| serde_json::from_str::<Dataset>(&json).ok())
                {
                    self.loader.validation.file.set(Some(Arc::new(validation)));
                }
                self.loader.kept_plan.set_value(
                    augmentation.and_then(|json| serde_json::from_str::<KeptPlan>(&json).ok()),
                );
                let sheets = sheet_names(&name, &bytes).unwrap_or_default();
                self.loader
                    .sheets
                    .set(if sheets.len() > 1 { sheets } else { Vec::new() });
                self.loader.sheet.set(state.sheet);
                self.loader.columns.set(state.columns);
                self.settings.settings.set(state.settings);
                self.loader.source.set_value(Some((name, Arc::new(bytes))));
                // A fixed dataset is kept whole; the file as loaded is read again.
                match fixed.and_then(|json| serde_json::from_str::<Dataset>(&json).ok()) {
                    Some(dataset) => {
                        self.loader.convert_json.set_value(state.convert_json);
                        self.loader.set_restored_dataset(Arc::new(dataset));
                    }
                    None => self.loader.read_source(state.convert_json),
                }
                self.saved.set(SaveState::Saved);
                self.project_restored.set_value(true);
                return;
            }
            self.project_restored.set_value(true);
            // A file loaded while the kept project was being read is kept now.
            self.autosave();
        });
    }

    /// Forgets the working file and settings, here and in IndexedDB (versions stay).
    pub(crate) fn new_project(&self) {
        self.loader.stream.forget();
        self.loader.source.set_value(None);
        self.loader.work.dataset.set(None);
        self.loader.load_error.set(None);
        self.loader.sheets.set(Vec::new());
        self.loader.sheet.set(None);
        self.loader.json_offer.set(false);
        self.loader.work.undo.set(Vec::new());
        self.loader.columns.set((None, None));
        self.loader.augmentation.plan.set(None);
        self.loader.kept_plan.set_value(None);
        self.loader.validation.clear();
        self.settings.settings.set(TrainSettings::default());
        self.saved.set(SaveState::Saving);
        // An autosave still serialising must not write the old project back.
        self.autosave_id.set_value(self.autosave_id.get_value() + 1);
        if !matches!(
            self.loader.run.view.get_untracked(),
            TrainView::Running { .. }
        ) {
            self.loader.run.view.set(TrainView::Idle);
        }
        let saved = self.saved;
        spawn_local(async move {
            saved.set(match store::clear_project().await {
                Ok(()) => SaveState::Nothing,
                Err(error) => SaveState::Failed(error),
            });
        });
    }
}

/// `dataset` as JSON, its rows serialised [`REFRESH_CHUNK`] at a time in tasks of their own,
/// so that keeping 100,000 rows never blocks the page in one go.
async fn dataset_json(dataset: &Dataset) -> Option<String> {
    if dataset.rows.len() <= REFRESH_CHUNK {
        return serde_json::to_string(dataset).ok();
    }
    let head = serde_json::to_string(&dataset_head(dataset, dataset.findings.clone())).ok()?;
    let mut chunks = Vec::new();
    for chunk in dataset.rows.chunks(REFRESH_CHUNK) {
        yield_to_event_loop().await;
        chunks.push(serde_json::to_string(chunk).ok()?);
    }
    splice_rows(&head, &chunks)
}

/// The JSON of a dataset from that of its head (no rows) and of its rows in chunks (each a
/// JSON list).
fn splice_rows(head: &str, chunks: &[String]) -> Option<String> {
    let mut rows = String::from("[");
    for chunk in chunks {
        // The chunk's elements, without its brackets.
        let elements = chunk.strip_prefix('[')?.strip_suffix(']')?;
        if elements.is_empty() {
            continue;
        }
        if rows.len() > 1 {
            rows.push(',');
        }
        rows.push_str(elements);
    }
    rows.push(']');
    // The empty rows' key: inside a JSON string a quote is escaped, so this is the field.
    let key = "\"rows\":[]";
    head.contains(key)
        .then(|| head.replacen(key, &format!("\"rows\":{rows}"), 1))
}

/// The header's note on the autosave: "Saving…", "Saved in this browser", or why it failed
/// and what to do.
pub(crate) fn save_note(state: Keeper, lang: PageLang) -> impl IntoView {
    let save = state.saved.get();
    let text = match &save {
        SaveState::Nothing => String::new(),
        SaveState::Saving => lang.text("Guardando…", "Saving…").to_owned(),
        SaveState::Saved => lang
            .text("Guardado en este navegador", "Saved in this browser")
            .to_owned(),
        SaveState::Failed(reason) => format!(
            "{} ({reason})",
            lang.text(
                "No se pudo guardar en este navegador: exporta tu dataset para no perderlo",
                "Could not save in this browser: export your dataset so as not to lose it",
            )
        ),
    };
    let class = if matches!(save, SaveState::Failed(_)) {
        "save-error"
    } else {
        "saved"
    };
    view! {
        <span class=class data-testid="save-state" data-state=save.name() role="status">
            {text}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_serialised_in_chunks_reads_back_the_same() {
        let csv = "text,label\n\"a \"\"rows\"\":[] b\",x\nhola,y\nadiós,x\nbien,y\nmal,x\n";
        let dataset = afina_dataset::parse("\"rows\":[].csv", csv.as_bytes()).unwrap();
        assert_eq!(dataset.rows.len(), 5);
        let head =
            serde_json::to_string(&dataset_head(&dataset, dataset.findings.clone())).unwrap();
        let chunks: Vec<String> = dataset
            .rows
            .chunks(2)
            .map(|chunk| serde_json::to_string(chunk).unwrap())
            .collect();
        let json = splice_rows(&head, &chunks).unwrap();
        assert_eq!(serde_json::from_str::<Dataset>(&json).unwrap(), dataset);
        assert!(splice_rows("{}", &chunks).is_none());
    }
}
