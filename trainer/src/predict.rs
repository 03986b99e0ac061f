//! A trained model ready to classify new texts.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::batch::FeatureBatch;
use crate::error::TrainError;
use crate::featurize::Featurizer;
use crate::metrics::Metrics;
use crate::model::{Classifier, ClassifierConfig};
use crate::readback::read_floats;

/// One label with the probability the model gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label.
    pub label: String,
    /// Its probability, 0 to 1.
    pub probability: f32,
}

/// The model's answer for one text: every label with its probability, most likely first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Scores sorted by descending probability.
    pub scores: Vec<LabelScore>,
}

impl Prediction {
    /// The most likely label.
    pub fn top(&self) -> Option<&LabelScore> {
        self.scores.first()
    }
}

/// A classifier with everything needed to use it: featurizer, labels, weights and device.
#[derive(Debug)]
pub struct TrainedModel {
    pub(crate) featurizer: Featurizer,
    pub(crate) config: ClassifierConfig,
    pub(crate) classifier: Classifier,
    pub(crate) labels: Vec<String>,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) data_fingerprint: String,
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
            device,
        }
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
        let probabilities = probabilities(&self.classifier, &rows, 256, &self.device).await?;
        Ok(probabilities
            .into_iter()
            .map(|row| {
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

/// Class probabilities of each row, computed in batches and read back asynchronously.
pub(crate) async fn probabilities(
    classifier: &Classifier,
    rows: &[&[u32]],
    batch_size: usize,
    device: &Device,
) -> Result<Vec<Vec<f32>>, TrainError> {
    let mut all = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(batch_size.max(1)) {
        let batch = FeatureBatch::new(chunk, device);
        let output = classifier.infer(&batch);
        let [_, classes] = output.dims();
        let values = read_floats(output).await?;
        all.extend(values.chunks(classes.max(1)).map(<[f32]>::to_vec));
    }
    Ok(all)
}

/// Index of the largest value (the first one on ties); 0 for an empty row.
pub(crate) fn arg_max(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (index, value)| {
            if *value > best.1 {
                (index, *value)
            } else {
                best
            }
        })
        .0
}
