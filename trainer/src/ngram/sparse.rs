//! Sparse training of the embedding table: each step reads, and updates, only the rows its
//! batch uses.
//!
//! A dense optimizer would touch every bucket of the table at every step (half a million rows
//! for a handful of texts); fastText updates only the rows it used, and so does this. The rows
//! of a batch are gathered into a small leaf tensor, the gradient flows into that leaf, and the
//! optimizer writes the updated rows back with `select_assign`. Everything is burn tensor
//! operations, so it runs on any device.

use burn::tensor::{Device, IndexingUpdateOp, Int, Tensor, TensorData};

use super::batch::{FeatureBatch, row_weights};
use crate::config::OptimizerKind;

/// The distinct table rows used by a batch and the batch re-indexed into them.
pub(crate) struct SparseBatch {
    /// Table rows used, in first-use order.
    ///
    /// # Shapes
    /// `[rows_used]`
    pub(crate) rows: Tensor<1, Int>,
    /// How many rows are used.
    pub(crate) row_count: usize,
    /// The batch with ids replaced by positions in `rows`.
    pub(crate) batch: FeatureBatch,
}

/// Re-indexes batches into the rows they use; keeps a slot per bucket between batches so that
/// each lookup is one array access.
pub(crate) struct Reindexer {
    slot: Vec<u32>,
    used: Vec<u32>,
}

impl Reindexer {
    const FREE: u32 = u32::MAX;

    /// A re-indexer for a table of `buckets` rows.
    pub(crate) fn new(buckets: usize) -> Self {
        Self {
            slot: vec![Self::FREE; buckets],
            used: Vec::new(),
        }
    }

    /// The rows `features` use and the batch re-indexed into them; the row tensor goes to
    /// `table_device`, the batch to `batch_device` (the autodiff device when training).
    pub(crate) fn batch(
        &mut self,
        features: &[&[u32]],
        idf: Option<&[f32]>,
        table_device: &Device,
        batch_device: &Device,
    ) -> SparseBatch {
        self.used.clear();
        let mut local: Vec<Vec<u32>> = Vec::with_capacity(features.len());
        let weights: Vec<Vec<f32>> = features.iter().map(|row| row_weights(row, idf)).collect();
        for row in features {
            let mut mapped = Vec::with_capacity(row.len());
            for id in *row {
                let Some(slot) = self.slot.get_mut(*id as usize) else {
                    continue;
                };
                if *slot == Self::FREE {
                    *slot = u32::try_from(self.used.len()).unwrap_or(Self::FREE - 1);
                    self.used.push(*id);
                }
                mapped.push(*slot);
            }
            local.push(mapped);
        }
        for id in &self.used {
            if let Some(slot) = self.slot.get_mut(*id as usize) {
                *slot = Self::FREE;
            }
        }
        let rows: Vec<&[u32]> = local.iter().map(Vec::as_slice).collect();
        let row_count = self.used.len();
        let ids: Vec<i64> = self.used.iter().map(|id| i64::from(*id)).collect();
        SparseBatch {
            rows: Tensor::from_data(TensorData::new(ids, [row_count]), table_device),
            row_count,
            batch: FeatureBatch::from_parts(&rows, &weights, batch_device),
        }
    }
}

/// Updates the rows of the embedding table a batch used.
pub(crate) enum TableOptimizer {
    /// `row -= lr · gradient`.
    Sgd,
    /// Lazy AdamW: moment estimates are kept per row and advanced only when the row is used.
    AdamW {
        /// First and second moment estimates, one row per bucket each. In an `Option` so a
        /// step can take them by value: `select_assign` updates in place only a tensor that
        /// nothing else shares, and a copy of the whole table per step would dwarf the step.
        moments: Option<Box<(Tensor<2>, Tensor<2>)>>,
        /// Decoupled weight decay, applied to the used rows.
        weight_decay: f64,
    },
}

const BETA_1: f64 = 0.9;
const BETA_2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

impl TableOptimizer {
    /// The optimizer of `kind` for a table of shape `[buckets, dim]` on `device`.
    pub(crate) fn new(
        kind: OptimizerKind,
        shape: [usize; 2],
        weight_decay: f64,
        device: &Device,
    ) -> Self {
        match kind {
            OptimizerKind::Sgd => Self::Sgd,
            OptimizerKind::AdamW => Self::AdamW {
                moments: Some(Box::new((
                    Tensor::zeros(shape, device),
                    Tensor::zeros(shape, device),
                ))),
                weight_decay,
            },
        }
    }

    /// Applies one step to the used rows of `table`; `step` counts from 1.
    ///
    /// # Shapes
    /// table: `[buckets, dim]`; rows: `[used]`; values and gradient: `[used, dim]`
    pub(crate) fn step(
        &mut self,
        table: Tensor<2>,
        rows: Tensor<1, Int>,
        values: Tensor<2>,
        gradient: Tensor<2>,
        learning_rate: f64,
        step: usize,
    ) -> Tensor<2> {
        match self {
            Self::Sgd => {
                table.select_assign(0, rows, gradient * (-learning_rate), IndexingUpdateOp::Add)
            }
            Self::AdamW {
                moments,
                weight_decay,
            } => {
                let Some((first, second)) = moments.take().map(|boxed| *boxed) else {
                    return table;
                };
                let first_rows = first.clone().select(0, rows.clone()) * BETA_1
                    + gradient.clone() * (1.0 - BETA_1);
                let second_rows = second.clone().select(0, rows.clone()) * BETA_2
                    + gradient.square() * (1.0 - BETA_2);
                *moments = Some(Box::new((
                    first.select_assign(
                        0,
                        rows.clone(),
                        first_rows.clone(),
                        IndexingUpdateOp::Assign,
                    ),
                    second.select_assign(
                        0,
                        rows.clone(),
                        second_rows.clone(),
                        IndexingUpdateOp::Assign,
                    ),
                )));
                let exponent = i32::try_from(step.max(1)).unwrap_or(i32::MAX);
                let correction_1 = 1.0 - BETA_1.powi(exponent);
                let correction_2 = 1.0 - BETA_2.powi(exponent);
                let update =
                    (first_rows / correction_1) / ((second_rows / correction_2).sqrt() + EPSILON);
                let updated =
                    values * (1.0 - learning_rate * *weight_decay) - update * learning_rate;
                table.select_assign(0, rows, updated, IndexingUpdateOp::Assign)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindexer_maps_each_row_once_and_forgets_between_batches() {
        let device = Device::flex();
        let mut reindexer = Reindexer::new(100);
        let first = reindexer.batch(&[&[7, 3, 7], &[3, 9]], None, &device, &device);
        assert_eq!(first.row_count, 3);
        let rows = first
            .rows
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap();
        assert_eq!(rows, vec![7, 3, 9]);
        let ids = first
            .batch
            .ids
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap();
        assert_eq!(ids, vec![0, 1, 0, 1, 2, 0]);
        let second = reindexer.batch(&[&[9]], None, &device, &device);
        assert_eq!(second.row_count, 1);
    }

    #[test]
    fn sgd_moves_only_the_used_rows() {
        let device = Device::flex();
        let table = Tensor::<2>::ones([4, 2], &device);
        let rows = Tensor::<1, Int>::from_data(TensorData::new(vec![2i64], [1]), &device);
        let values = table.clone().select(0, rows.clone());
        let gradient = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, -2.0], [1, 2]), &device);
        let mut optimizer = TableOptimizer::new(OptimizerKind::Sgd, [4, 2], 0.0, &device);
        let table = optimizer.step(table, rows, values, gradient, 0.5, 1);
        let data = table.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(data, vec![1.0, 1.0, 1.0, 1.0, 0.5, 2.0, 1.0, 1.0]);
    }

    #[test]
    fn lazy_adam_first_step_moves_by_the_learning_rate() {
        let device = Device::flex();
        let table = Tensor::<2>::zeros([3, 1], &device);
        let rows = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64], [1]), &device);
        let values = table.clone().select(0, rows.clone());
        let gradient = Tensor::<2>::from_data(TensorData::new(vec![4.0f32], [1, 1]), &device);
        let mut optimizer = TableOptimizer::new(OptimizerKind::AdamW, [3, 1], 0.0, &device);
        let table = optimizer.step(table, rows, values, gradient, 0.1, 1);
        let data = table.into_data().try_to_vec::<f32>().unwrap();
        // Adam's first bias-corrected step is lr · sign(gradient).
        assert!((data[1] + 0.1).abs() < 1e-5, "{data:?}");
        assert_eq!(data[0], 0.0);
        assert_eq!(data[2], 0.0);
    }
}
