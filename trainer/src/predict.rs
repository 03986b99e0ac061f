//! A trained model ready to classify new texts.

use burn::tensor::Device;

use crate::batch::FeatureBatch;
use crate::calibration::softmax_with_temperature;
use crate::error::TrainError;
use crate::featurize::Featurizer;
use crate::metrics::Metrics;
use crate::model::{Classifier, ClassifierConfig};
use crate::prediction::{LabelScore, Prediction};
use crate::provenance::Provenance;
use crate::readback::read_floats;

/// A classifier with everything needed to use it: featurizer, labels, weights and device.
#[derive(Debug)]
pub struct TrainedModel {
    pub(crate) featurizer: Featurizer,
    pub(crate) config: ClassifierConfig,
    pub(crate) classifier: Classifier,
    pub(crate) labels: Vec<String>,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) data_fingerprint: String,
    /// Logits are divided by this before the softmax (fitted on the validation rows so that
    /// the confidence shown matches how often the model is right).
    pub(crate) temperature: f32,
    /// Inverse document frequency per bucket, when the features are TF-IDF weighted.
    pub(crate) idf: Option<Vec<f32>>,
    /// How the model was made (data, settings, calibration).
    pub(crate) provenance: Option<Provenance>,
    pub(crate) device: Device,
}

impl TrainedModel {
    pub(crate) fn new(
        featurizer: Featurizer,
        config: ClassifierConfig,
        classifier: Classifier,
        labels: Vec<String>,
        metrics: Option<Metrics>,
        data_fingerprint: String,
        device: Device,
    ) -> Self {
        Self {
            featurizer,
            config,
            classifier,
            labels,
            metrics,
            data_fingerprint,
            temperature: 1.0,
            idf: None,
            provenance: None,
            device,
        }
    }

    /// The calibration temperature applied to the logits (1 = none).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Sets the calibration temperature; values that are not positive and finite mean 1.
    pub fn set_temperature(&mut self, temperature: f32) {
        self.temperature = if temperature.is_finite() && temperature > 0.0 {
            temperature
        } else {
            1.0
        };
    }

    /// The labels, in class-index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Validation metrics recorded at training time, if any.
    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
    }

    /// Fingerprint of the data the model was trained on.
    pub fn data_fingerprint(&self) -> &str {
        &self.data_fingerprint
    }

    /// Classifies `texts`.
    ///
    /// # Errors
    /// Fails when the device cannot run the model or read its output.
    pub async fn predict(&self, texts: &[&str]) -> Result<Vec<Prediction>, TrainError> {
        let features: Vec<Vec<u32>> = texts
            .iter()
            .map(|text| self.featurizer.features(text))
            .collect();
        let rows: Vec<&[u32]> = features.iter().map(Vec::as_slice).collect();
        let logits = logits(
            &self.classifier,
            &rows,
            self.idf.as_deref(),
            256,
            &self.device,
        )
        .await?;
        Ok(logits
            .into_iter()
            .map(|row| {
                let row = softmax_with_temperature(&row, self.temperature);
                let mut scores: Vec<LabelScore> = self
                    .labels
                    .iter()
                    .zip(row)
                    .map(|(label, probability)| LabelScore {
                        label: label.clone(),
                        probability,
                    })
                    .collect();
                scores.sort_by(|a, b| b.probability.total_cmp(&a.probability));
                Prediction { scores }
            })
            .collect())
    }
}

/// Class logits of each row, computed in batches and read back asynchronously.
pub(crate) async fn logits(
    classifier: &Classifier,
    rows: &[&[u32]],
    idf: Option<&[f32]>,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<Vec<f32>>, TrainError> {
    let mut all = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(batch_size.max(1)) {
        let batch = FeatureBatch::new(chunk, idf, device);
        let output = classifier.forward(&batch);
        let [_, classes] = output.dims();
        let values = read_floats(output).await?;
        all.extend(values.chunks(classes.max(1)).map(<[f32]>::to_vec));
    }
    Ok(all)
}

/// Index of the largest value (the first one on ties); 0 for an empty row.
pub(crate) fn arg_max(row: &[f32]) -> usize {
    crate::metrics::arg_max(row).map_or(0, |(index, _)| index)
}
