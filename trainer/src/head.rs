//! The head both model families share: text vector → optional hidden layer → class logits, its
//! shape, its seeded initialisation and the training loss.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// Shape of a classifier: its text vectors and its [`Head`]. Stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierConfig {
    /// Number of feature buckets (rows of the n-gram embedding table); 0 for a pretrained
    /// encoder, whose vectors come from the base model.
    pub buckets: usize,
    /// Size of each text vector (an n-gram embedding, or the encoder's hidden size).
    pub embedding_dim: usize,
    /// Width of the optional hidden layer (ReLU); `None` for a linear model on the bag.
    pub hidden: Option<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl ClassifierConfig {
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
pub(crate) fn linear(rng: &mut StdRng, inputs: usize, outputs: usize, device: &Device) -> Linear {
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

/// The loss used in training, with class weights and label smoothing when given.
pub(crate) fn loss_function(
    class_weights: Option<Vec<f32>>,
    label_smoothing: f32,
    device: &Device,
) -> CrossEntropyLoss {
    CrossEntropyLossConfig::new()
        .with_weights(class_weights)
        .with_smoothing((label_smoothing > 0.0).then_some(label_smoothing))
        .init(device)
}

/// A batch's loss and its number of right answers (the count left on the device, off the
/// autodiff graph: reading it would wait for the device).
///
/// # Shapes
/// logits: `[batch_size, classes]`; targets: `[batch_size]`; outputs: `[1]` and `[1]`
pub(crate) fn scored(
    loss: &CrossEntropyLoss,
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
) -> (Tensor<1>, Tensor<1, Int>) {
    let [rows] = targets.dims();
    let correct = logits
        .clone()
        .argmax(1)
        .reshape([rows])
        .equal(targets.clone())
        .int()
        .sum()
        .inner();
    (loss.forward(logits, targets), correct)
}
