//! Padded batches of feature ids, ready for the embedding bag.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::featurize::PADDING_ID;

/// A batch of texts as padded feature ids with their averaging weights.
#[derive(Debug, Clone)]
pub struct FeatureBatch {
    /// Feature ids, padded with [`PADDING_ID`].
    ///
    /// # Shapes
    /// `[batch_size, max_features_in_batch]`
    pub ids: Tensor<2, Int>,
    /// Weight of each feature ([`row_weights`]), 0 for padding.
    ///
    /// # Shapes
    /// `[batch_size, max_features_in_batch]`
    pub weights: Tensor<2>,
}

impl FeatureBatch {
    /// Builds a batch from the feature lists of its rows, each feature weighted by
    /// [`row_weights`]. A row without features gets a single padding id with weight 0, so it
    /// maps to the zero vector.
    pub fn new(rows: &[&[u32]], idf: Option<&[f32]>, device: &Device) -> Self {
        let weights: Vec<Vec<f32>> = rows.iter().map(|row| row_weights(row, idf)).collect();
        Self::from_parts(rows, &weights, device)
    }

    /// Builds a batch from ids and their weights (same lengths per row).
    pub(crate) fn from_parts(rows: &[&[u32]], weights: &[Vec<f32>], device: &Device) -> Self {
        let width = rows.iter().map(|row| row.len()).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(rows.len() * width);
        let mut values = Vec::with_capacity(rows.len() * width);
        for (row, row_weights) in rows.iter().zip(weights) {
            for position in 0..width {
                match (row.get(position), row_weights.get(position)) {
                    (Some(id), Some(weight)) => {
                        ids.push(i64::from(*id));
                        values.push(*weight);
                    }
                    _ => {
                        ids.push(i64::from(PADDING_ID));
                        values.push(0.0);
                    }
                }
            }
        }
        let shape = [rows.len(), width];
        Self {
            ids: Tensor::from_data(TensorData::new(ids, shape), device),
            weights: Tensor::from_data(TensorData::new(values, shape), device),
        }
    }
}

/// The weight of each feature of a row: its inverse document frequency (1 without a table; 0
/// for a bucket no training row used), divided by the L2 norm of the row's weights, so long
/// and short texts give vectors of the same scale (the TF-IDF normalisation of a linear model).
pub(crate) fn row_weights(row: &[u32], idf: Option<&[f32]>) -> Vec<f32> {
    let raw: Vec<f32> = row
        .iter()
        .map(|id| match idf {
            Some(table) => table.get(*id as usize).copied().unwrap_or(0.0),
            None => 1.0,
        })
        .collect();
    let norm = raw.iter().map(|weight| weight * weight).sum::<f32>().sqrt();
    if norm > 0.0 {
        raw.into_iter().map(|weight| weight / norm).collect()
    } else {
        raw
    }
}

/// Inverse document frequency of each bucket over `rows`: ln((1 + rows) / (1 + df)) + 1 for a
/// bucket used by df > 0 rows, 0 for an unused bucket.
pub(crate) fn inverse_document_frequency(rows: &[&[u32]], buckets: usize) -> Vec<f32> {
    let mut frequency = vec![0u32; buckets];
    let mut seen: Vec<u32> = Vec::new();
    for row in rows {
        seen.clear();
        seen.extend_from_slice(row);
        seen.sort_unstable();
        seen.dedup();
        for id in &seen {
            if let Some(count) = frequency.get_mut(*id as usize) {
                *count += 1;
            }
        }
    }
    let total = rows.len() as f32;
    frequency
        .into_iter()
        .map(|count| {
            if count == 0 {
                0.0
            } else {
                ((1.0 + total) / (1.0 + count as f32)).ln() + 1.0
            }
        })
        .collect()
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
