//! A model as the page sees it: what it says about itself and its file as a `Blob`.

use afina_dataset::Message;
use afina_trainer::TrainedModel;
use js_sys::Uint8Array;
use web_sys::Blob;

use crate::browser::describe;
use crate::workers::protocol::ModelInfo;

/// What a model says about itself.
pub fn model_info(model: &TrainedModel) -> ModelInfo {
    let provenance = model.provenance();
    ModelInfo {
        labels: model.labels().to_vec(),
        metrics: model.metrics().cloned(),
        fingerprint: model.data_fingerprint().to_owned(),
        source: provenance.map(|provenance| provenance.data.source.clone()),
        settings: provenance.map_or_else(Vec::new, |provenance| provenance.settings.clone()),
        train_rows: provenance.map(|provenance| provenance.data.training_rows),
    }
}

/// A model's file as a `Blob`.
pub async fn model_blob(model: &TrainedModel) -> Result<Blob, Message> {
    let bytes = model.to_bytes().await.map_err(|error| error.message())?;
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|error| browser_error(describe(error)))
}

/// A failure of the browser (a JavaScript error), worded for both languages.
pub fn browser_error(detail: String) -> Message {
    Message::new(
        format!("the browser failed: {detail}"),
        format!("falló el navegador: {detail}"),
    )
}
