//! What the page keeps in the browser's IndexedDB, so a reload finds it: every version (its
//! record and its model file) and the working project (the file loaded, how it was read, the
//! fixes applied and the training settings).

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::string_field;
use crate::steps::train::settings::TrainSettings;
use crate::steps::versions::version::Version;

/// The database's name.
const DATABASE: &str = "afina";
/// Its schema version (bump when stores change).
const SCHEMA: u32 = 1;
/// Versions: `{ id, record: JSON of Version, model: Blob }`, keyed by `id`.
const VERSIONS: &str = "versions";
/// The working project (the dataset and settings), keyed by name.
const PROJECT: &str = "project";

async fn open() -> Result<Rexie, String> {
    Rexie::builder(DATABASE)
        .version(SCHEMA)
        .add_object_store(ObjectStore::new(VERSIONS).key_path("id"))
        .add_object_store(ObjectStore::new(PROJECT))
        .build()
        .await
        .map_err(|error| format!("the browser's storage (IndexedDB) did not open: {error}"))
}

fn storage_error(error: impl std::fmt::Display) -> String {
    format!("the browser's storage (IndexedDB) failed: {error}")
}

/// Keeps `version` and its model file.
pub async fn save_version(version: &Version, model: &web_sys::Blob) -> Result<(), String> {
    let record = serde_json::to_string(version).map_err(storage_error)?;
    let value = js_sys::Object::new();
    let set =
        |key: &str, field: &JsValue| js_sys::Reflect::set(&value, &JsValue::from_str(key), field);
    set("id", &JsValue::from_f64(f64::from(version.id)))
        .and_then(|_| set("record", &JsValue::from_str(&record)))
        .and_then(|_| set("model", model))
        .map_err(crate::browser::describe)?;
    let database = open().await?;
    let transaction = database
        .transaction(&[VERSIONS], TransactionMode::ReadWrite)
        .map_err(storage_error)?;
    let store = transaction.store(VERSIONS).map_err(storage_error)?;
    store.put(&value, None).await.map_err(storage_error)?;
    transaction.done().await.map_err(storage_error)?;
    Ok(())
}

/// Every kept version with its model file, oldest first. Records this build cannot read are
/// skipped (and named in the console).
pub async fn versions() -> Result<Vec<(Version, web_sys::Blob)>, String> {
    let database = open().await?;
    let transaction = database
        .transaction(&[VERSIONS], TransactionMode::ReadOnly)
        .map_err(storage_error)?;
    let store = transaction.store(VERSIONS).map_err(storage_error)?;
    let values = store.get_all(None, None).await.map_err(storage_error)?;
    let mut kept = Vec::new();
    for value in values {
        let record = string_field(&value, "record");
        let model = js_sys::Reflect::get(&value, &JsValue::from_str("model"))
            .ok()
            .and_then(|model| model.dyn_into::<web_sys::Blob>().ok());
        match (serde_json::from_str::<Version>(&record), model) {
            (Ok(version), Some(model)) => kept.push((version, model)),
            (Err(error), _) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                "a stored version could not be read and was skipped: {error}"
            ))),
            (Ok(version), None) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                "stored version v{} has no model file and was skipped",
                version.id
            ))),
        }
    }
    kept.sort_by_key(|(version, _)| version.id);
    Ok(kept)
}

/// Forgets version `id`.
pub async fn delete_version(id: u32) -> Result<(), String> {
    let database = open().await?;
    let transaction = database
        .transaction(&[VERSIONS], TransactionMode::ReadWrite)
        .map_err(storage_error)?;
    let store = transaction.store(VERSIONS).map_err(storage_error)?;
    store
        .delete(JsValue::from_f64(f64::from(id)))
        .await
        .map_err(storage_error)?;
    transaction.done().await.map_err(storage_error)?;
    Ok(())
}

/// The key of the one working project in the project store.
const CURRENT: &str = "current";

/// How the working file was read, and the settings: kept beside its bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    /// The workbook sheet read, when the user chose one.
    pub sheet: Option<String>,
    /// The text and label columns the user named.
    pub columns: (Option<String>, Option<String>),
    /// A JSON list or multi-line JSON read as JSON Lines.
    pub convert_json: bool,
    /// The training settings.
    pub settings: TrainSettings,
}

/// The working project as stored.
pub struct Project {
    /// The file's name.
    pub name: String,
    /// The file's bytes, as loaded.
    pub bytes: Vec<u8>,
    /// How it was read, and the settings.
    pub state: ProjectState,
    /// The dataset after the fixes the user applied (JSON), when any were applied.
    pub fixed: Option<String>,
    /// The validation file's dataset (JSON), when one was loaded beside the working file.
    pub validation: Option<String>,
    /// The accepted variants and the split they were made on (JSON of
    /// [`crate::steps::improve::plan::KeptPlan`]), when the user accepted some.
    pub augmentation: Option<String>,
}

/// Keeps the working project (replacing the one kept before).
pub async fn save_project(project: &Project) -> Result<(), String> {
    let state = serde_json::to_string(&project.state).map_err(storage_error)?;
    let value = js_sys::Object::new();
    let set =
        |key: &str, field: &JsValue| js_sys::Reflect::set(&value, &JsValue::from_str(key), field);
    let optional = |text: &Option<String>| text.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    set("name", &JsValue::from_str(&project.name))
        .and_then(|_| set("bytes", &js_sys::Uint8Array::from(project.bytes.as_slice())))
        .and_then(|_| set("state", &JsValue::from_str(&state)))
        .and_then(|_| set("fixed", &optional(&project.fixed)))
        .and_then(|_| set("validation", &optional(&project.validation)))
        .and_then(|_| set("augmentation", &optional(&project.augmentation)))
        .map_err(crate::browser::describe)?;
    let database = open().await?;
    let transaction = database
        .transaction(&[PROJECT], TransactionMode::ReadWrite)
        .map_err(storage_error)?;
    let store = transaction.store(PROJECT).map_err(storage_error)?;
    store
        .put(&value, Some(&JsValue::from_str(CURRENT)))
        .await
        .map_err(storage_error)?;
    transaction.done().await.map_err(storage_error)?;
    Ok(())
}

/// The working project kept last, if any.
pub async fn load_project() -> Result<Option<Project>, String> {
    let database = open().await?;
    let transaction = database
        .transaction(&[PROJECT], TransactionMode::ReadOnly)
        .map_err(storage_error)?;
    let store = transaction.store(PROJECT).map_err(storage_error)?;
    let Some(value) = store
        .get(JsValue::from_str(CURRENT))
        .await
        .map_err(storage_error)?
    else {
        return Ok(None);
    };
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let bytes = js_sys::Reflect::get(&value, &JsValue::from_str("bytes"))
        .ok()
        .and_then(|bytes| bytes.dyn_into::<js_sys::Uint8Array>().ok())
        .map(|bytes| bytes.to_vec())
        .ok_or_else(|| storage_error("the kept project has no file"))?;
    let state = serde_json::from_str(&string_field(&value, "state")).unwrap_or_default();
    let optional = |key: &str| {
        js_sys::Reflect::get(&value, &JsValue::from_str(key))
            .ok()
            .and_then(|text| text.as_string())
    };
    Ok(Some(Project {
        name: string_field(&value, "name"),
        bytes,
        state,
        fixed: optional("fixed"),
        validation: optional("validation"),
        augmentation: optional("augmentation"),
    }))
}

/// Forgets the working project ("New project").
pub async fn clear_project() -> Result<(), String> {
    let database = open().await?;
    let transaction = database
        .transaction(&[PROJECT], TransactionMode::ReadWrite)
        .map_err(storage_error)?;
    let store = transaction.store(PROJECT).map_err(storage_error)?;
    store.clear().await.map_err(storage_error)?;
    transaction.done().await.map_err(storage_error)?;
    Ok(())
}
