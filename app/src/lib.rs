//! Afina's browser app: a leptos page (main thread), a file reader Web Worker and a training
//! Web Worker.
//!
//! The page never links burn: training and prediction run in the worker (built with the
//! `worker` feature), and the two sides talk through the serde enums of [`protocol`].

mod charts;
mod curves;
mod export_view;
mod fix_view;
pub mod i18n;
mod improve_view;
mod playground;
pub mod protocol;
pub mod reader;
mod result_view;
mod rows_view;
mod store;
mod stream_view;
mod train_settings;
pub mod ui;
mod versions;
#[cfg(feature = "worker")]
pub mod worker;

mod browser;
mod worker_client;

pub use ui::App;
