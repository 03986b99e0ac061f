//! The classifier: embedding bag over hashed features → optional hidden layer → class logits.

use burn::module::{Module, Param};
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::batch::FeatureBatch;

/// Shape of a [`Classifier`]. Stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierConfig {
    /// Number of feature buckets (rows of the embedding table).
    pub buckets: usize,
    /// Size of each feature's embedding vector.
    pub embedding_dim: usize,
    /// Width of the optional hidden layer (ReLU); `None` for a linear model on the bag.
    pub hidden: Option<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl ClassifierConfig {
    /// A freshly initialized classifier on `device`, its weights drawn from `seed`.
    ///
    /// The weights are drawn on the host, not with the backend's random generator: burn's
    /// generator may be global to the process, so concurrent runs would disturb each other, and
    /// host-side draws give the same initial weights on every device.
    pub fn init(&self, device: &Device, seed: u64) -> Classifier {
        let mut rng = StdRng::seed_from_u64(seed);
        // Small embeddings, as fastText does: the mean of many N(0, 1) rows would swamp the
        // first steps.
        let embedding = Embedding {
            weight: Param::from_tensor(uniform(
                &mut rng,
                [self.buckets, self.embedding_dim],
                1.0 / self.embedding_dim.max(1) as f32,
                device,
            )),
        };
        let (hidden, output_input) = match self.hidden {
            Some(width) => (
                Some(linear(&mut rng, self.embedding_dim, width, device)),
                width,
            ),
            None => (None, self.embedding_dim),
        };
        Classifier {
            embedding,
            hidden,
            output: linear(&mut rng, output_input, self.classes, device),
        }
    }
}

/// A linear layer with weights and bias from U(-k, k), k = 1/sqrt(inputs) (PyTorch's default).
fn linear(rng: &mut StdRng, inputs: usize, outputs: usize, device: &Device) -> Linear {
    let bound = 1.0 / (inputs.max(1) as f32).sqrt();
    Linear {
        weight: Param::from_tensor(uniform(rng, [inputs, outputs], bound, device)),
        bias: Some(Param::from_tensor(uniform(rng, [outputs], bound, device))),
    }
}

/// A tensor of values drawn uniformly from `(-bound, bound)`; `bound` must be positive.
fn uniform<const D: usize>(
    rng: &mut StdRng,
    shape: [usize; D],
    bound: f32,
    device: &Device,
) -> Tensor<D> {
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// A text classifier over bags of hashed features.
#[derive(Module, Debug)]
pub struct Classifier {
    /// One vector per feature bucket.
    pub embedding: Embedding,
    /// Optional hidden layer applied to the averaged bag.
    pub hidden: Option<Linear>,
    /// Projection to class logits.
    pub output: Linear,
}

impl Classifier {
    /// Class logits for a batch.
    ///
    /// # Shapes
    /// output: `[batch_size, classes]`
    pub fn forward(&self, batch: &FeatureBatch) -> Tensor<2> {
        let [batch_size, width] = batch.ids.dims();
        let vectors = self.embedding.forward(batch.ids.clone());
        let weights = batch.weights.clone().reshape([batch_size, width, 1]);
        let [_, _, dim] = vectors.dims();
        let bag = (vectors * weights).sum_dim(1).reshape([batch_size, dim]);
        let features = match &self.hidden {
            Some(hidden) => relu(hidden.forward(bag)),
            None => bag,
        };
        self.output.forward(features)
    }

    /// Mean cross-entropy loss of a training batch, with optional per-class weights.
    ///
    /// # Shapes
    /// targets: `[batch_size]`; output: `[1]`
    pub fn forward_loss(
        &self,
        batch: &FeatureBatch,
        targets: Tensor<1, Int>,
        loss: &CrossEntropyLoss,
    ) -> Tensor<1> {
        loss.forward(self.forward(batch), targets)
    }

    /// Class probabilities for a batch.
    ///
    /// # Shapes
    /// output: `[batch_size, classes]`
    pub fn infer(&self, batch: &FeatureBatch) -> Tensor<2> {
        softmax(self.forward(batch), 1)
    }
}

/// The loss used in training, with class weights when given.
pub(crate) fn loss_function(class_weights: Option<Vec<f32>>, device: &Device) -> CrossEntropyLoss {
    CrossEntropyLossConfig::new()
        .with_weights(class_weights)
        .init(device)
}
