//! Padded batches of feature ids, ready for the embedding bag.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::featurize::PADDING_ID;

/// A batch of texts as padded feature ids with their averaging weights.
#[derive(Debug, Clone)]
pub struct FeatureBatch {
    /// Feature ids, padded with [`PADDING_ID`].
    ///
    /// # Shapes
    /// `[batch_size, max_features_in_batch]`
    pub ids: Tensor<2, Int>,
    /// 1 / (number of features of the row) for real features, 0 for padding, so that the
    /// weighted sum of embeddings is their mean.
    ///
    /// # Shapes
    /// `[batch_size, max_features_in_batch]`
    pub weights: Tensor<2>,
}

impl FeatureBatch {
    /// Builds a batch from the feature lists of its rows. A row without features gets a single
    /// padding id with weight 0, so it maps to the zero vector.
    pub fn new(rows: &[&[u32]], device: &Device) -> Self {
        let width = rows.iter().map(|row| row.len()).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(rows.len() * width);
        let mut weights = Vec::with_capacity(rows.len() * width);
        for row in rows {
            let weight = if row.is_empty() {
                0.0
            } else {
                1.0 / row.len() as f32
            };
            for position in 0..width {
                match row.get(position) {
                    Some(id) => {
                        ids.push(i64::from(*id));
                        weights.push(weight);
                    }
                    None => {
                        ids.push(i64::from(PADDING_ID));
                        weights.push(0.0);
                    }
                }
            }
        }
        let shape = [rows.len(), width];
        Self {
            ids: Tensor::from_data(TensorData::new(ids, shape), device),
            weights: Tensor::from_data(TensorData::new(weights, shape), device),
        }
    }
}

/// Class indices as a target tensor.
///
/// # Shapes
/// output: `[targets.len()]`
pub fn targets(targets: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = targets
        .iter()
        .map(|target| i64::try_from(*target).unwrap_or(0))
        .collect();
    let length = values.len();
    Tensor::from_data(TensorData::new(values, [length]), device)
}
