//! A version's model file and model card, asked of the training worker and downloaded.

use leptos::prelude::*;

use crate::browser::{download, text_blob, today};
use crate::i18n::{Lang, PageLang};
use crate::steps::versions::state::Versions;
use crate::workers::protocol::{ExportKind, ModelExport, ToWorker};
use crate::workers::worker_client;

/// The downloads of model files and cards, shared through context.
#[derive(Clone, Copy)]
pub(crate) struct ModelExports {
    /// The name the next exported file starts with.
    export_stem: StoredValue<String>,
    /// Why the last download failed.
    pub(crate) export_error: RwSignal<Option<String>>,
    /// The versions whose files are exported.
    versions: Versions,
    /// The page's language (the card is downloaded in it).
    lang: PageLang,
}

impl ModelExports {
    /// Nothing exported yet.
    pub(crate) fn new(versions: Versions, lang: PageLang) -> Self {
        Self {
            export_stem: StoredValue::new(String::new()),
            export_error: RwSignal::new(None),
            versions,
            lang,
        }
    }

    /// The name files exported from `version` start with: its data file's stem and number.
    fn export_stem(&self, version: u32) -> String {
        let name = self
            .versions
            .list
            .with_untracked(|list| {
                list.iter()
                    .find(|kept| kept.id == version)
                    .and_then(|kept| kept.info.source.clone())
            })
            .unwrap_or_default();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        if stem.is_empty() {
            format!("modelo-v{version}")
        } else {
            format!("{stem}-v{version}")
        }
    }

    /// Asks the worker for a version's model file and its cards; the answer triggers the
    /// download.
    pub(crate) fn request_export(&self, version: u32, kind: ExportKind) {
        self.export_error.set(None);
        self.versions.error.set(None);
        let stem = self.export_stem(version);
        self.export_stem.set_value(stem.clone());
        worker_client::send(&ToWorker::Export {
            version,
            kind,
            date: today(),
            title: stem,
        });
    }

    /// Downloads what the worker sent for an export.
    pub(crate) fn exported(
        &self,
        kind: ExportKind,
        result: Result<ModelExport, String>,
        blob: Option<web_sys::Blob>,
    ) {
        let stem = self.export_stem.get_value();
        let saved = result.and_then(|export| match kind {
            ExportKind::Model => {
                let blob = blob.ok_or("the model file did not arrive")?;
                download(&blob, &format!("{stem}.afina"))
            }
            ExportKind::Card => {
                let (card, suffix) = match self.lang.lang.get_untracked() {
                    Lang::Es => (export.card_es, "ficha"),
                    Lang::En => (export.card_en, "card"),
                };
                let blob = text_blob(&card, "text/markdown")?;
                download(&blob, &format!("{stem}-{suffix}.md"))
            }
        });
        if let Err(error) = saved {
            self.export_error.set(Some(error.clone()));
            self.versions.error.set(Some(error));
        }
    }
}
