//! Training the n-gram model: features of every row, then the shared epoch loop with a sparse
//! optimizer on the feature table and the chosen optimizer on the head.

use burn::module::{Module, Param};
use burn::nn::Embedding;
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Int, Tensor};

use crate::config::{OptimizerKind, TrainConfig};
use crate::error::TrainError;
use crate::head::{ClassifierConfig, Head, loss_function, scored};
use crate::predict::{TextVectors, TrainedModel, logits};
use crate::progress::Observer;
use crate::train::epochs::{self, Family};
use crate::train::split::Split;
use crate::train::{TrainData, TrainOutcome, finish};

use super::batch::{inverse_document_frequency, targets as target_tensor};
use super::classifier::{Classifier, bag};
use super::featurize::Featurizer;
use super::sparse::{Reindexer, TableOptimizer};

/// Rows scored at a time when evaluating.
const EVAL_BATCH: usize = 512;

/// Trains an n-gram classifier on `data` with `device` (WebGPU, Vulkan or CPU).
///
/// # Errors
/// Fails when there is nothing to learn (no rows, a single label), the validation rows carry
/// labels the training rows lack, a setting is out of range, the device fails, or the observer
/// stops the run before the first epoch is evaluated.
pub async fn train(
    data: TrainData<'_>,
    config: &TrainConfig,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<TrainOutcome, TrainError> {
    let split = Split::new(&data, config)?;
    let featurizer = Featurizer::new(config.featurizer.clone());
    let features: Vec<Vec<u32>> = data
        .examples
        .iter()
        .map(|example| featurizer.features(&example.text))
        .collect();
    let validation: Vec<Vec<u32>> = split
        .validation_texts
        .iter()
        .map(|text| featurizer.features(text))
        .collect();
    let shape = ClassifierConfig {
        buckets: config.featurizer.buckets as usize,
        embedding_dim: config.embedding_dim,
        hidden: config.hidden,
        classes: split.labels.len(),
    };
    let idf = config.idf_weighting.then(|| {
        let rows: Vec<&[u32]> = split
            .train_rows
            .iter()
            .filter_map(|index| features.get(*index).map(Vec::as_slice))
            .collect();
        inverse_document_frequency(&rows, shape.buckets)
    });
    let mut family = NgramFamily::new(config, &shape, &split, features, validation, idf, device);
    let run = epochs::run(&mut family, &split, config, observer).await?;
    let planned = run.planned;
    let settings = config.settings(planned, run.kept.epoch, run.history.len());
    let idf = family.idf;
    Ok(finish(run, &split, &data, settings, |classifier| {
        TrainedModel::new(
            TextVectors::Ngram {
                featurizer,
                classifier,
                idf,
            },
            shape,
            Vec::new(),
            device.clone(),
        )
    }))
}

/// The n-gram model while it trains.
struct NgramFamily {
    features: Vec<Vec<u32>>,
    validation: Vec<Vec<u32>>,
    idf: Option<Vec<f32>>,
    table: Tensor<2>,
    head: Head,
    head_optimizer: ModuleOptimizer,
    table_optimizer: TableOptimizer,
    reindexer: Reindexer,
    loss: CrossEntropyLoss,
    device: Device,
    autodiff_device: Device,
}

impl NgramFamily {
    fn new(
        config: &TrainConfig,
        shape: &ClassifierConfig,
        split: &Split<'_>,
        features: Vec<Vec<u32>>,
        validation: Vec<Vec<u32>>,
        idf: Option<Vec<f32>>,
        device: &Device,
    ) -> Self {
        let autodiff_device = device.clone().autodiff();
        let table_shape = [shape.buckets, shape.embedding_dim];
        Self {
            features,
            validation,
            idf,
            table: Tensor::zeros(table_shape, device),
            head: shape.init_head(&autodiff_device, config.seed),
            head_optimizer: match config.optimizer {
                OptimizerKind::AdamW => AdamWConfig::new()
                    .with_weight_decay(config.weight_decay)
                    .init(),
                OptimizerKind::Sgd => SgdConfig::new().init(),
            },
            table_optimizer: TableOptimizer::new(
                config.optimizer,
                table_shape,
                f64::from(config.weight_decay),
                device,
            ),
            reindexer: Reindexer::new(shape.buckets),
            loss: loss_function(
                config.balance_classes.then(|| split.class_weights()),
                config.label_smoothing,
                &autodiff_device,
            ),
            device: device.clone(),
            autodiff_device,
        }
    }

    fn classifier(&self) -> Classifier {
        Classifier {
            embedding: Embedding {
                weight: Param::from_tensor(self.table.clone()),
            },
            head: self.head.valid(),
        }
    }
}

impl Family for NgramFamily {
    type Snapshot = Classifier;

    fn step(
        &mut self,
        rows: &[usize],
        classes: &[usize],
        rate: f64,
        step: usize,
    ) -> (Tensor<1>, Tensor<1, Int>) {
        let rows: Vec<&[u32]> = rows
            .iter()
            .filter_map(|index| self.features.get(*index).map(Vec::as_slice))
            .collect();
        let sparse = self.reindexer.batch(
            &rows,
            self.idf.as_deref(),
            &self.device,
            &self.autodiff_device,
        );
        let values = self.table.clone().select(0, sparse.rows.clone());
        let leaf = values.clone().autodiff().require_grad();
        let targets = target_tensor(classes, &self.autodiff_device);
        let logits = self.head.forward(bag(leaf.clone(), &sparse.batch));
        let (batch_loss, correct) = scored(&self.loss, logits, targets);
        let reported = batch_loss.clone().detach().inner();

        let mut gradients = batch_loss.backward();
        let table_gradient = leaf.grad_remove(&mut gradients);
        let head_gradients = GradientsParams::from_grads(gradients, &self.head);
        self.head = self
            .head_optimizer
            .step(rate, self.head.clone(), head_gradients);
        if let Some(gradient) = table_gradient
            && sparse.row_count > 0
        {
            self.table = self.table_optimizer.step(
                self.table.clone(),
                sparse.rows,
                values,
                gradient,
                rate,
                step,
            );
        }
        (reported, correct)
    }

    async fn validation_logits(&self) -> Result<Vec<Vec<f32>>, TrainError> {
        let rows: Vec<&[u32]> = self.validation.iter().map(Vec::as_slice).collect();
        logits(
            &self.classifier(),
            &rows,
            self.idf.as_deref(),
            EVAL_BATCH,
            &self.device,
        )
        .await
    }

    fn snapshot(&self) -> Classifier {
        self.classifier()
    }
}
