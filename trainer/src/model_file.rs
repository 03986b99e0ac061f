//! The self-describing model file: magic, format version, a JSON header (featurizer or base
//! model, classifier shape, labels, metrics, calibration, data fingerprint) and the weights as
//! little-endian f32.
//!
//! ```text
//! b"AFINAMDL" | u32 version | u32 header length | header JSON | [embedding] | f32 tensors…
//! ```
//! A model on a pretrained encoder (version 3) names its base model in the header — name,
//! license, SHA-256 of its file, input length, prefix — and stores only its head: the encoder's
//! weights are not copied into every model, and loading checks that the encoder given is the
//! same file. After stage 2 (the encoder fine-tuned) the encoder's layers follow the head — every
//! float parameter in burn's visiting order, each as `u32` rank, `u32` dims and f32 values
//! (about 85 MB for multilingual-e5-small); the word table, frozen, never.
//! A model tuned with LoRA adapters (version 4) stores neither: its header gives the adapters'
//! rank and alpha, and after the head come the adapters alone — `u32` count, then for each its
//! `u32` layer, `u32` matrix (in `encoder::lora::ADAPTED_MATRICES` order), `A` `[inputs, rank]`
//! and `B` `[rank, outputs]` as f32 (about 2.7 MB at rank 8). They are attached again, not
//! merged, to the base model's layers on loading. A model whose lower layers stayed frozen
//! (`--unfreeze N`, version 5) stores only what trained: its header gives `frozen_layers`, and
//! the tensors after the head are those of the layers above them (the frozen layers and the
//! embeddings come from the base model on loading). Other files are still written as version
//! 3, so that older builds keep reading them.
//! The embedding table is stored sparsely (version 2): `u32` count of non-zero rows, then for
//! each one its `u32` row index and `dim` f32 values. Rows no training text touched stay zero,
//! and most of a large table is untouched, so this keeps files small. Version 1 stored the whole
//! table densely; it is still read. Then, in order: hidden weight `[dim, hidden]` and bias
//! `[hidden]` (when there is a hidden layer), output weight `[in, classes]`, output bias
//! `[classes]`.

use std::sync::Arc;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::nn::{Embedding, Linear};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::encoder::lora::{self, LoraShape, StoredAdapter};
use crate::encoder::{BaseModel, Encoder, TextEncoder};
use crate::error::{ModelFileError, TrainError};
use crate::head::{ClassifierConfig, Head};
use crate::metrics::Metrics;
use crate::ngram::classifier::Classifier;
use crate::ngram::featurize::{Featurizer, FeaturizerConfig};
use crate::predict::{TextVectors, TrainedModel};
use crate::provenance::Provenance;
use crate::readback::read_floats;

/// The name written in every model file's header.
pub const MODEL_FORMAT: &str = "afina-model";
/// The newest model file version this build writes and reads (5: only the top layers of a
/// partly frozen encoder); it reads every older one.
pub const MODEL_FORMAT_VERSION: u32 = 5;
/// The version written for files with LoRA adapters.
const VERSION_WITH_ADAPTERS: u32 = 4;
/// The version written for files with neither adapters nor frozen layers (their layout has not
/// changed since).
const VERSION_WITHOUT_ADAPTERS: u32 = 3;
/// Most adapters a file may declare (a generous bound on layers × matrices).
const MAX_ADAPTERS: usize = 6 * 256;
const MAGIC: &[u8; 8] = b"AFINAMDL";
/// Largest feature table a file may declare (1 GiB of f32): a sparse table is allocated whole
/// before its rows are read, so a damaged header must not be able to ask for any amount.
const MAX_TABLE_VALUES: usize = 1 << 28;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// The n-gram featurizer (n-gram models only).
    #[serde(default)]
    featurizer: Option<FeaturizerConfig>,
    /// The pretrained encoder (encoder models only, version 3).
    #[serde(default)]
    base: Option<BaseModel>,
    classifier: ClassifierConfig,
    labels: Vec<String>,
    metrics: Option<Metrics>,
    data_fingerprint: String,
    #[serde(default = "unit_temperature")]
    temperature: f32,
    /// True when an inverse-document-frequency table follows the embedding table.
    #[serde(default)]
    idf: bool,
    /// True when the encoder's fine-tuned layers follow the head (stage 2).
    #[serde(default)]
    tuned: bool,
    /// Rank and alpha of the LoRA adapters that follow the head (version 4), if any.
    #[serde(default)]
    lora: Option<LoraShape>,
    /// With `tuned`: the lower transformer layers (and the embeddings) left out because they
    /// stayed frozen (version 5); 0 when every layer follows the head.
    #[serde(default, skip_serializing_if = "is_zero")]
    frozen_layers: usize,
    #[serde(default)]
    provenance: Option<Provenance>,
}

fn unit_temperature() -> f32 {
    1.0
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl TrainedModel {
    /// The model as a self-describing file.
    ///
    /// # Errors
    /// Fails when the device cannot read back the weights.
    pub async fn to_bytes(&self) -> Result<Vec<u8>, TrainError> {
        let (featurizer, base, idf, tuned, frozen_layers) = match &self.vectors {
            TextVectors::Ngram {
                featurizer, idf, ..
            } => (
                Some(featurizer.config().clone()),
                None,
                idf.is_some(),
                None,
                0,
            ),
            TextVectors::Encoder {
                base,
                tuned,
                frozen_layers,
                ..
            } => (
                None,
                Some(base.clone()),
                false,
                tuned.as_deref(),
                *frozen_layers,
            ),
        };
        // Layers with adapters are saved as their adapters, not as whole layers.
        let adapters = tuned.and_then(lora::shape_of);
        let (tuned, frozen_layers, version) = match (adapters, tuned) {
            (Some(_), _) => (None, 0, VERSION_WITH_ADAPTERS),
            (None, Some(layers)) if frozen_layers > 0 => {
                (Some(layers), frozen_layers, MODEL_FORMAT_VERSION)
            }
            (None, tuned) => (tuned, 0, VERSION_WITHOUT_ADAPTERS),
        };
        let header = Header {
            format: MODEL_FORMAT.to_string(),
            version,
            featurizer,
            base,
            classifier: self.config.clone(),
            labels: self.labels.clone(),
            metrics: self.metrics.clone(),
            data_fingerprint: self.data_fingerprint.clone(),
            temperature: self.temperature,
            idf,
            tuned: tuned.is_some(),
            lora: adapters,
            frozen_layers,
            provenance: self.provenance.clone(),
        };
        let header = serde_json::to_vec(&header)
            .map_err(|error| ModelFileError::Damaged(error.to_string()))?;
        let header_length = u32::try_from(header.len())
            .map_err(|_| ModelFileError::Damaged("header too large".into()))?;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(&header_length.to_le_bytes());
        bytes.extend_from_slice(&header);
        let head = match &self.vectors {
            TextVectors::Ngram {
                classifier, idf, ..
            } => {
                write_sparse_rows(
                    &mut bytes,
                    classifier.embedding.weight.val(),
                    self.config.embedding_dim,
                )
                .await?;
                if let Some(idf) = idf {
                    write_sparse_values(&mut bytes, idf, 1)?;
                }
                &classifier.head
            }
            TextVectors::Encoder { head, .. } => head,
        };
        if let Some(hidden) = &head.hidden {
            write_linear(&mut bytes, hidden).await?;
        }
        write_linear(&mut bytes, &head.output).await?;
        if let Some(layers) = tuned {
            write_module(&mut bytes, layers, frozen_layers).await?;
        }
        if adapters.is_some()
            && let TextVectors::Encoder {
                tuned: Some(layers),
                ..
            } = &self.vectors
        {
            write_adapters(&mut bytes, layers).await?;
        }
        Ok(bytes)
    }

    /// The pretrained encoder a model file needs, or `None` for a model of its own (n-gram).
    ///
    /// # Errors
    /// As [`TrainedModel::from_bytes`], for the parts before the weights.
    pub fn base_model_of(bytes: &[u8]) -> Result<Option<BaseModel>, ModelFileError> {
        let (_, header) = read_header(&mut Reader { bytes, offset: 0 })?;
        Ok(header.base)
    }

    /// Reads a model file onto `device`.
    ///
    /// # Errors
    /// Fails with [`ModelFileError`] when the bytes are not a model file, were written by a
    /// newer version, or are damaged.
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, TrainError> {
        Self::from_bytes_with_base(bytes, None, device)
    }

    /// Reads a model file onto `device`; a model on a pretrained encoder uses `encoder`, which
    /// must be the very file it was trained on (checked by SHA-256). An n-gram model ignores it.
    ///
    /// # Errors
    /// As [`TrainedModel::from_bytes`]; [`ModelFileError::NeedsBaseModel`] when the model needs
    /// an encoder and none is given, [`ModelFileError::DifferentBaseModel`] when another is.
    pub fn from_bytes_with_base(
        bytes: &[u8],
        encoder: Option<Arc<TextEncoder>>,
        device: &Device,
    ) -> Result<Self, TrainError> {
        let mut reader = Reader { bytes, offset: 0 };
        let (version, header) = read_header(&mut reader)?;
        let shape = &header.classifier;
        let vectors = match (header.base, header.featurizer) {
            (Some(base), _) => {
                let encoder = check_base(&base, encoder)?;
                if shape.embedding_dim != encoder.words.hidden() {
                    return Err(ModelFileError::Damaged(
                        "the head's width is not the encoder's".into(),
                    )
                    .into());
                }
                let head = reader.head(shape, device)?;
                let tuned = match (header.tuned, header.lora) {
                    (true, None) => Some(Box::new(reader.module(
                        encoder.encoder.clone(),
                        header.frozen_layers,
                        device,
                    )?)),
                    (false, Some(shape)) => Some(Box::new(reader.adapters(
                        encoder.encoder.clone(),
                        shape,
                        device,
                    )?)),
                    (false, None) => None,
                    (true, Some(_)) => {
                        return Err(ModelFileError::Damaged(
                            "the header announces both whole layers and adapters".into(),
                        )
                        .into());
                    }
                };
                TextVectors::Encoder {
                    base,
                    encoder,
                    head,
                    tuned,
                    frozen_layers: header.frozen_layers,
                }
            }
            (None, Some(featurizer)) => {
                reader.ngram(version, featurizer, header.idf, shape, device)?
            }
            (None, None) => {
                return Err(ModelFileError::Damaged(
                    "the header names neither a featurizer nor a base model".into(),
                )
                .into());
            }
        };
        if reader.offset != bytes.len() {
            return Err(
                ModelFileError::Damaged("unexpected bytes after the weights".into()).into(),
            );
        }
        let mut model =
            TrainedModel::new(vectors, header.classifier, header.labels, device.clone());
        model.metrics = header.metrics;
        model.data_fingerprint = header.data_fingerprint;
        model.set_temperature(header.temperature);
        model.provenance = header.provenance;
        Ok(model)
    }
}

/// Magic, version and header; checks that the labels fit the classifier.
fn read_header(reader: &mut Reader<'_>) -> Result<(u32, Header), ModelFileError> {
    if reader.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(ModelFileError::NotAModel);
    }
    let version = reader.u32()?;
    if version > MODEL_FORMAT_VERSION {
        return Err(ModelFileError::NewerVersion {
            found: version,
            supported: MODEL_FORMAT_VERSION,
        });
    }
    let header_length = reader.u32()? as usize;
    let header: Header = serde_json::from_slice(reader.take(header_length)?)
        .map_err(|error| ModelFileError::Damaged(format!("unreadable header ({error})")))?;
    if header.format != MODEL_FORMAT {
        return Err(ModelFileError::NotAModel);
    }
    if header.classifier.classes != header.labels.len() {
        return Err(ModelFileError::Damaged(
            "labels and classes disagree".into(),
        ));
    }
    Ok((version, header))
}

/// The encoder given, when it is the one `base` names.
fn check_base(
    base: &BaseModel,
    encoder: Option<Arc<TextEncoder>>,
) -> Result<Arc<TextEncoder>, ModelFileError> {
    let Some(encoder) = encoder else {
        return Err(ModelFileError::NeedsBaseModel {
            name: base.name.clone(),
            sha256: base.sha256.clone(),
        });
    };
    if encoder.sha256() != base.sha256 {
        return Err(ModelFileError::DifferentBaseModel {
            name: base.name.clone(),
            expected: base.sha256.clone(),
            found: encoder.sha256().to_string(),
        });
    }
    Ok(encoder)
}

impl Reader<'_> {
    /// The n-gram part after the header: table, IDF and head.
    fn ngram(
        &mut self,
        version: u32,
        featurizer: FeaturizerConfig,
        has_idf: bool,
        shape: &ClassifierConfig,
        device: &Device,
    ) -> Result<TextVectors, ModelFileError> {
        let table_shape = [shape.buckets, shape.embedding_dim];
        let table = if version >= 2 {
            self.sparse_rows(table_shape, device)?
        } else {
            self.tensor(table_shape, device)?
        };
        let embedding = Embedding {
            weight: Param::from_tensor(table),
        };
        let idf = if has_idf {
            Some(self.sparse_values(shape.buckets)?)
        } else {
            None
        };
        let head = self.head(shape, device)?;
        Ok(TextVectors::Ngram {
            featurizer: Featurizer::new(featurizer),
            classifier: Classifier { embedding, head },
            idf,
        })
    }

    /// The fine-tuned encoder's layers: `base`'s parameters replaced by the file's — all of
    /// them, or with `frozen` > 0 those of the transformer layers above the first `frozen`.
    fn module(
        &mut self,
        base: Encoder,
        frozen: usize,
        device: &Device,
    ) -> Result<Encoder, ModelFileError> {
        if frozen >= base.transformer.layers.len().max(1) {
            return Err(ModelFileError::Damaged(
                "the file leaves every layer of the encoder frozen".into(),
            ));
        }
        let count = self.u32()? as usize;
        let mut tensors = Vec::with_capacity(count.min(4096));
        for _ in 0..count {
            let rank = self.u32()? as usize;
            if rank > 8 {
                return Err(ModelFileError::Damaged("implausible tensor rank".into()));
            }
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(self.u32()? as usize);
            }
            let length = dims
                .iter()
                .try_fold(1usize, |product, dim| product.checked_mul(*dim))
                .filter(|length| *length <= MAX_TABLE_VALUES)
                .and_then(|length| length.checked_mul(4))
                .ok_or_else(|| ModelFileError::Damaged("implausible tensor size".into()))?;
            let values = self
                .take(length)?
                .chunks_exact(4)
                .map(|word| f32::from_le_bytes([word[0], word[1], word[2], word[3]]))
                .collect();
            tensors.push((dims, values));
        }
        let expected = Parameters::of(&base, frozen).tensors.len();
        if expected != count {
            return Err(ModelFileError::Damaged(
                "the fine-tuned encoder's tensors do not fit the base model".into(),
            ));
        }
        let mut replace = Replace {
            tensors: tensors.into_iter(),
            device: device.clone(),
            error: None,
        };
        let tuned = if frozen == 0 {
            base.map(&mut replace)
        } else {
            base.map_layers(|index, layer| {
                if index < frozen {
                    layer
                } else {
                    layer.map(&mut replace)
                }
            })
        };
        match replace.error {
            Some(error) => Err(error),
            None => Ok(tuned),
        }
    }

    /// The LoRA adapters after the head, attached to `base`'s layers.
    fn adapters(
        &mut self,
        base: Encoder,
        shape: LoraShape,
        device: &Device,
    ) -> Result<Encoder, ModelFileError> {
        if shape.rank == 0 || !(shape.alpha.is_finite() && shape.alpha > 0.0) {
            return Err(ModelFileError::Damaged(
                "the adapters' rank or alpha is not valid".into(),
            ));
        }
        let count = self.u32()? as usize;
        if count > MAX_ADAPTERS {
            return Err(ModelFileError::Damaged("implausible adapter count".into()));
        }
        let mut stored = Vec::with_capacity(count);
        for _ in 0..count {
            let layer = self.u32()? as usize;
            let matrix = self.u32()? as usize;
            let [inputs, outputs] = lora::adapted_dims(&base, layer, matrix).ok_or_else(|| {
                ModelFileError::Damaged("an adapter names a matrix the base model lacks".into())
            })?;
            stored.push(StoredAdapter {
                layer,
                matrix,
                a: self.tensor([inputs, shape.rank], device)?,
                b: self.tensor([shape.rank, outputs], device)?,
            });
        }
        lora::attach(base, shape, stored)
    }

    /// The head: hidden layer (when the shape has one) and output.
    fn head(&mut self, shape: &ClassifierConfig, device: &Device) -> Result<Head, ModelFileError> {
        let (hidden, output_input) = match shape.hidden {
            Some(width) => (
                Some(self.linear(shape.embedding_dim, width, device)?),
                width,
            ),
            None => (None, shape.embedding_dim),
        };
        let output = self.linear(output_input, shape.classes, device)?;
        Ok(Head { hidden, output })
    }
}

/// Every float parameter of a module, flattened, with its dims, in burn's visiting order.
#[derive(Default)]
struct Parameters {
    tensors: Vec<(Vec<usize>, Tensor<1>)>,
}

impl Parameters {
    /// The parameters of `encoder` a model file stores: all of them when `frozen` is 0, else
    /// those of the transformer layers above the first `frozen` (embeddings left out).
    fn of(encoder: &Encoder, frozen: usize) -> Self {
        let mut parameters = Self::default();
        if frozen == 0 {
            encoder.visit(&mut parameters);
        } else {
            for layer in encoder.transformer.layers.iter().skip(frozen) {
                layer.visit(&mut parameters);
            }
        }
        parameters
    }
}

impl ModuleVisitor for Parameters {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let dims = tensor.dims().to_vec();
        let count: usize = dims.iter().product();
        self.tensors.push((dims, tensor.reshape([count])));
    }
}

/// Writes the float parameters of `module` that trained (see [`Parameters::of`]): count, then
/// rank, dims and values of each.
async fn write_module(
    bytes: &mut Vec<u8>,
    module: &Encoder,
    frozen: usize,
) -> Result<(), TrainError> {
    let parameters = Parameters::of(module, frozen);
    let count = u32::try_from(parameters.tensors.len())
        .map_err(|_| ModelFileError::Damaged("too many tensors".into()))?;
    bytes.extend_from_slice(&count.to_le_bytes());
    for (dims, tensor) in parameters.tensors {
        let rank = u32::try_from(dims.len())
            .map_err(|_| ModelFileError::Damaged("tensor rank too large".into()))?;
        bytes.extend_from_slice(&rank.to_le_bytes());
        for dim in &dims {
            let dim = u32::try_from(*dim)
                .map_err(|_| ModelFileError::Damaged("tensor too large".into()))?;
            bytes.extend_from_slice(&dim.to_le_bytes());
        }
        write_tensor(bytes, tensor).await?;
    }
    Ok(())
}

/// Writes the LoRA adapters of `layers`: count, then layer, matrix, `A` and `B` of each.
async fn write_adapters(bytes: &mut Vec<u8>, layers: &Encoder) -> Result<(), TrainError> {
    let adapters = lora::adapters(layers);
    let count = u32::try_from(adapters.len())
        .map_err(|_| ModelFileError::Damaged("too many adapters".into()))?;
    bytes.extend_from_slice(&count.to_le_bytes());
    for (layer, matrix, adapter) in adapters {
        for index in [layer, matrix] {
            let index = u32::try_from(index)
                .map_err(|_| ModelFileError::Damaged("adapter index too large".into()))?;
            bytes.extend_from_slice(&index.to_le_bytes());
        }
        write_tensor(bytes, adapter.a.val()).await?;
        write_tensor(bytes, adapter.b.val()).await?;
    }
    Ok(())
}

/// Replaces every float parameter of a module, in visiting order, by the tensors read from a
/// file; the first one whose shape differs is an error.
struct Replace {
    tensors: std::vec::IntoIter<(Vec<usize>, Vec<f32>)>,
    device: Device,
    error: Option<ModelFileError>,
}

impl ModuleMapper for Replace {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if self.error.is_some() {
            return param;
        }
        let dims = param.val().dims().to_vec();
        match self.tensors.next() {
            Some((stored, values)) if stored == dims => Param::from_tensor(Tensor::from_data(
                TensorData::new(values, dims),
                &self.device,
            )),
            _ => {
                self.error = Some(ModelFileError::Damaged(
                    "the fine-tuned encoder's tensors do not fit the base model".into(),
                ));
                param
            }
        }
    }
}

async fn write_linear(bytes: &mut Vec<u8>, linear: &Linear) -> Result<(), TrainError> {
    write_tensor(bytes, linear.weight.val()).await?;
    match &linear.bias {
        Some(bias) => write_tensor(bytes, bias.val()).await,
        None => Err(ModelFileError::Damaged("a linear layer has no bias".into()).into()),
    }
}

/// Writes the non-zero rows of a `[rows, dim]` table: count, then index and values of each.
async fn write_sparse_rows(
    bytes: &mut Vec<u8>,
    table: Tensor<2>,
    dim: usize,
) -> Result<(), TrainError> {
    let values = read_floats(table).await?;
    write_sparse_values(bytes, &values, dim)
}

/// Writes the rows of `dim` values that are not all zero: count, then index and values.
fn write_sparse_values(bytes: &mut Vec<u8>, values: &[f32], dim: usize) -> Result<(), TrainError> {
    let mut kept = Vec::new();
    for (index, row) in values.chunks(dim.max(1)).enumerate() {
        if row.iter().any(|value| *value != 0.0) {
            kept.push((index, row));
        }
    }
    let count = u32::try_from(kept.len())
        .map_err(|_| ModelFileError::Damaged("too many embedding rows".into()))?;
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes.reserve(kept.len() * (4 + dim * 4));
    for (index, row) in kept {
        let index = u32::try_from(index)
            .map_err(|_| ModelFileError::Damaged("embedding row index too large".into()))?;
        bytes.extend_from_slice(&index.to_le_bytes());
        for value in row {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    Ok(())
}

async fn write_tensor<const D: usize>(
    bytes: &mut Vec<u8>,
    tensor: Tensor<D>,
) -> Result<(), TrainError> {
    let values = read_floats(tensor).await?;
    bytes.reserve(values.len() * 4);
    for value in values {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Result<&'a [u8], ModelFileError> {
        let end = self
            .offset
            .checked_add(length)
            .ok_or_else(|| ModelFileError::Damaged("length overflow".into()))?;
        let slice = self
            .bytes
            .get(self.offset..end)
            .ok_or_else(|| ModelFileError::Damaged("the file ends too early".into()))?;
        self.offset = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, ModelFileError> {
        let mut word = [0u8; 4];
        word.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(word))
    }

    fn tensor<const D: usize>(
        &mut self,
        shape: [usize; D],
        device: &Device,
    ) -> Result<Tensor<D>, ModelFileError> {
        let count = shape
            .iter()
            .try_fold(1usize, |product, dim| product.checked_mul(*dim))
            .ok_or_else(|| ModelFileError::Damaged("tensor shape overflow".into()))?;
        let length = count
            .checked_mul(4)
            .ok_or_else(|| ModelFileError::Damaged("tensor shape overflow".into()))?;
        let values: Vec<f32> = self
            .take(length)?
            .chunks_exact(4)
            .map(|word| f32::from_le_bytes([word[0], word[1], word[2], word[3]]))
            .collect();
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    }

    /// A `[rows, dim]` table stored as its non-zero rows.
    fn sparse_rows(
        &mut self,
        shape: [usize; 2],
        device: &Device,
    ) -> Result<Tensor<2>, ModelFileError> {
        let values = self.sparse_values_2d(shape)?;
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    }

    /// A vector of `length` values stored as its non-zero entries.
    fn sparse_values(&mut self, length: usize) -> Result<Vec<f32>, ModelFileError> {
        self.sparse_values_2d([length, 1])
    }

    fn sparse_values_2d(&mut self, shape: [usize; 2]) -> Result<Vec<f32>, ModelFileError> {
        let [rows, dim] = shape;
        let length = rows
            .checked_mul(dim)
            .filter(|length| *length <= MAX_TABLE_VALUES)
            .ok_or_else(|| {
                ModelFileError::Damaged("the feature table's size is implausible".into())
            })?;
        let mut values = vec![0.0f32; length];
        let count = self.u32()? as usize;
        for _ in 0..count {
            let row = self.u32()? as usize;
            let target = values
                .get_mut(row * dim..(row + 1) * dim)
                .ok_or_else(|| ModelFileError::Damaged("embedding row out of range".into()))?;
            for (slot, word) in target.iter_mut().zip(self.take(dim * 4)?.chunks_exact(4)) {
                *slot = f32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            }
        }
        Ok(values)
    }

    fn linear(
        &mut self,
        input: usize,
        output: usize,
        device: &Device,
    ) -> Result<Linear, ModelFileError> {
        let weight = self.tensor([input, output], device)?;
        let bias = self.tensor([output], device)?;
        Ok(Linear {
            weight: Param::from_tensor(weight),
            bias: Some(Param::from_tensor(bias)),
        })
    }
}
