//! The workers and how the page talks to them: the messages ([`protocol`]), the page's side
//! (`worker_client`), the file reader worker ([`reader`]) and the training worker
//! (`trainer`, built with the `worker` feature only).

pub mod protocol;
pub mod reader;
#[cfg(feature = "worker")]
pub mod trainer;
pub(crate) mod worker_client;
