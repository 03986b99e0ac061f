//! A trained model ready to classify new texts, of either family: hashed n-grams with their
//! own table, or a head on a pretrained encoder's sentence vectors.

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};

use crate::calibration::softmax_with_temperature;
use crate::card::{CardInput, Language, model_card};
use crate::encoder::{BaseModel, Encoder, TextEncoder};
use crate::error::TrainError;
use crate::head::{ClassifierConfig, Head};
use crate::metrics::Metrics;
use crate::ngram::batch::FeatureBatch;
use crate::ngram::classifier::Classifier;
use crate::ngram::featurize::Featurizer;
use crate::prediction::{LabelScore, Prediction};
use crate::provenance::Provenance;
use crate::readback::read_floats;

/// How a model turns a text into the vector its head classifies.
#[derive(Debug)]
pub(crate) enum TextVectors {
    /// Hashed n-gram features averaged over their own embedding table (the classifier holds
    /// table and head).
    Ngram {
        /// Text to feature ids.
        featurizer: Featurizer,
        /// Embedding table and head.
        classifier: Classifier,
        /// Inverse document frequency per bucket, when the features are TF-IDF weighted.
        idf: Option<Vec<f32>>,
    },
    /// Sentence vectors of a frozen pretrained encoder (not stored in the model file).
    Encoder {
        /// Which encoder, and how it was used.
        base: BaseModel,
        /// The encoder itself.
        encoder: Arc<TextEncoder>,
        /// The head on its vectors.
        head: Head,
        /// The encoder's layers after fine-tuning (stage 2), used in place of the file's own;
        /// `None` after stage 1 (the encoder frozen).
        tuned: Option<Box<Encoder>>,
        /// How many of `tuned`'s lower transformer layers stayed frozen (its embeddings too
        /// when this is not 0); the model file stores only the layers above them.
        frozen_layers: usize,
    },
}

/// Texts embedded per batch when a model on a pretrained encoder predicts.
const ENCODER_BATCH: usize = 32;

/// A classifier with everything needed to use it: how texts become vectors, labels, weights
/// and device.
#[derive(Debug)]
pub struct TrainedModel {
    pub(crate) vectors: TextVectors,
    pub(crate) config: ClassifierConfig,
    pub(crate) labels: Vec<String>,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) data_fingerprint: String,
    /// Logits are divided by this before the softmax (fitted on the validation rows so that
    /// the confidence shown matches how often the model is right).
    pub(crate) temperature: f32,
    /// How the model was made (data, settings, calibration).
    pub(crate) provenance: Option<Provenance>,
    pub(crate) device: Device,
}

impl TrainedModel {
    /// A model without labels' metrics, calibration or provenance yet.
    pub(crate) fn new(
        vectors: TextVectors,
        config: ClassifierConfig,
        labels: Vec<String>,
        device: Device,
    ) -> Self {
        Self {
            vectors,
            config,
            labels,
            metrics: None,
            data_fingerprint: String::new(),
            temperature: 1.0,
            provenance: None,
            device,
        }
    }

    /// The pretrained encoder the model stands on, or `None` for an n-gram model.
    pub fn base_model(&self) -> Option<&BaseModel> {
        match &self.vectors {
            TextVectors::Ngram { .. } => None,
            TextVectors::Encoder { base, .. } => Some(base),
        }
    }

    /// The classifier's shape.
    pub fn shape(&self) -> &ClassifierConfig {
        &self.config
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
        let logits = self.logits(texts).await?;
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

impl TrainedModel {
    /// Class logits (before temperature) of `texts`, in their order.
    async fn logits(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, TrainError> {
        match &self.vectors {
            TextVectors::Ngram {
                featurizer,
                classifier,
                idf,
            } => {
                let features: Vec<Vec<u32>> =
                    texts.iter().map(|text| featurizer.features(text)).collect();
                let rows: Vec<&[u32]> = features.iter().map(Vec::as_slice).collect();
                logits(classifier, &rows, idf.as_deref(), 256, &self.device).await
            }
            TextVectors::Encoder {
                base,
                encoder,
                head,
                tuned,
                ..
            } => {
                let encodings = encoder.encode_all(texts, base.max_tokens);
                let layers = tuned.as_deref().unwrap_or(&encoder.encoder);
                let vectors = encoder
                    .embed_all_with(layers, &encodings, ENCODER_BATCH, &self.device)
                    .await?;
                head_logits(head, &vectors, 256, &self.device).await
            }
        }
    }
}

/// Class logits of `vectors` under `head`, computed in batches and read back asynchronously.
pub(crate) async fn head_logits(
    head: &Head,
    vectors: &[Vec<f32>],
    batch_size: usize,
    device: &Device,
) -> Result<Vec<Vec<f32>>, TrainError> {
    let mut all = Vec::with_capacity(vectors.len());
    for chunk in vectors.chunks(batch_size.max(1)) {
        let width = chunk.first().map_or(0, Vec::len);
        let values: Vec<f32> = chunk.iter().flatten().copied().collect();
        let input = Tensor::<2>::from_data(TensorData::new(values, [chunk.len(), width]), device);
        let output = head.forward(input);
        let [_, classes] = output.dims();
        let values = read_floats(output).await?;
        all.extend(values.chunks(classes.max(1)).map(<[f32]>::to_vec));
    }
    Ok(all)
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

impl TrainedModel {
    /// How the model was made, when it was trained by this version of Afina.
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_ref()
    }

    /// Names the file the training rows came from (shown on the model card).
    pub fn set_source(&mut self, source: &str) {
        if let Some(provenance) = &mut self.provenance {
            provenance.data.source = source.to_string();
        }
    }

    /// The model card in Markdown, or `None` when the model carries no record of its training
    /// or metrics (a file from an older version).
    pub fn model_card(&self, title: &str, date: &str, language: Language) -> Option<String> {
        let provenance = self.provenance.as_ref()?;
        let validation: &Metrics = self.metrics.as_ref()?;
        Some(model_card(
            &CardInput {
                title,
                date,
                data: &provenance.data,
                settings: &provenance.settings,
                validation,
                calibration: provenance.calibration.as_ref(),
                misclassified: &provenance.misclassified,
                language_mix: &provenance.language_mix,
            },
            language,
        ))
    }
}
