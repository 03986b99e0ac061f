//! The classifier: embedding bag over hashed features → optional hidden layer → class logits.

use burn::module::{Module, Param};
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::module::embedding;
use burn::tensor::{Device, Tensor, TensorData};
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
    /// The embedding table starts at zero, so a bucket no training text touched stays zero
    /// (the model file stores only the rows that are not) and unseen features add nothing;
    /// the head's random weights are enough to break the symmetry. The head's weights are
    /// drawn on the host, not with the backend's generator: burn's generator may be global to
    /// the process, and host-side draws give the same start on every device.
    pub fn init(&self, device: &Device, seed: u64) -> Classifier {
        Classifier {
            embedding: Embedding {
                weight: Param::from_tensor(Tensor::zeros(
                    [self.buckets, self.embedding_dim],
                    device,
                )),
            },
            head: self.init_head(device, seed),
        }
    }

    /// A freshly initialized head (hidden layer and output) on `device`.
    pub fn init_head(&self, device: &Device, seed: u64) -> Head {
        let mut rng = StdRng::seed_from_u64(seed);
        let (hidden, output_input) = match self.hidden {
            Some(width) => (
                Some(linear(&mut rng, self.embedding_dim, width, device)),
                width,
            ),
            None => (None, self.embedding_dim),
        };
        Head {
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

/// The part of the classifier after the text vector: optional hidden layer and output.
///
/// It is the encoder seam: the hashed-feature embedding bag gives one vector per text today;
/// a pretrained text encoder can give that vector instead without changing the head.
#[derive(Module, Debug)]
pub struct Head {
    /// Optional hidden layer (ReLU) applied to the text vector.
    pub hidden: Option<Linear>,
    /// Projection to class logits.
    pub output: Linear,
}

impl Head {
    /// Class logits from text vectors.
    ///
    /// # Shapes
    /// vectors: `[batch_size, embedding_dim]`; output: `[batch_size, classes]`
    pub fn forward(&self, vectors: Tensor<2>) -> Tensor<2> {
        let features = match &self.hidden {
            Some(hidden) => relu(hidden.forward(vectors)),
            None => vectors,
        };
        self.output.forward(features)
    }
}

/// A text classifier over bags of hashed features.
#[derive(Module, Debug)]
pub struct Classifier {
    /// One vector per feature bucket.
    pub embedding: Embedding,
    /// Hidden layer and output.
    pub head: Head,
}

impl Classifier {
    /// Class logits for a batch.
    ///
    /// # Shapes
    /// output: `[batch_size, classes]`
    pub fn forward(&self, batch: &FeatureBatch) -> Tensor<2> {
        self.head.forward(bag(self.embedding.weight.val(), batch))
    }

    /// Class probabilities for a batch.
    ///
    /// # Shapes
    /// output: `[batch_size, classes]`
    pub fn infer(&self, batch: &FeatureBatch) -> Tensor<2> {
        softmax(self.forward(batch), 1)
    }
}

/// The mean of the embedding rows of each text (weights are 1/n for features, 0 for padding).
///
/// # Shapes
/// table: `[rows, embedding_dim]`; output: `[batch_size, embedding_dim]`
pub(crate) fn bag(table: Tensor<2>, batch: &FeatureBatch) -> Tensor<2> {
    let [batch_size, width] = batch.ids.dims();
    let [_, dim] = table.dims();
    let vectors = embedding(table, batch.ids.clone());
    let weights = batch.weights.clone().reshape([batch_size, width, 1]);
    (vectors * weights).sum_dim(1).reshape([batch_size, dim])
}

/// The loss used in training, with class weights when given.
pub(crate) fn loss_function(class_weights: Option<Vec<f32>>, device: &Device) -> CrossEntropyLoss {
    CrossEntropyLossConfig::new()
        .with_weights(class_weights)
        .init(device)
}
