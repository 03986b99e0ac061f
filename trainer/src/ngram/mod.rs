//! The n-gram family: hashed word and character n-grams ([`featurize`]), averaged over an
//! embedding table trained from scratch ([`classifier`]), the sparse optimizer of that table
//! (`sparse`) and its training run ([`training`]).

pub mod featurize;

#[cfg(feature = "burn")]
pub(crate) mod batch;
#[cfg(feature = "burn")]
pub mod classifier;
#[cfg(feature = "burn")]
pub(crate) mod sparse;
#[cfg(feature = "burn")]
pub mod training;
