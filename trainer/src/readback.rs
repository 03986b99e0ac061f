//! Reading tensors back to the host. Always asynchronous: WebGPU cannot read synchronously.

use burn::tensor::Tensor;

use crate::error::TrainError;

/// The values of a float tensor, as f32, in row-major order.
pub(crate) async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    tensor
        .into_data_async()
        .await
        .map_err(TrainError::device)?
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(TrainError::device)
}
