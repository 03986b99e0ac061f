//! The n-gram classifier: an embedding bag over hashed features, then the shared [`Head`].

use burn::module::{Module, Param};
use burn::nn::Embedding;
use burn::tensor::activation::softmax;
use burn::tensor::module::embedding;
use burn::tensor::{Device, Tensor};

use crate::head::{ClassifierConfig, Head};
use crate::ngram::batch::FeatureBatch;

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
