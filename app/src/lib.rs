//! Afina's browser app: a leptos page (main thread) and a training Web Worker.
//!
//! The page never links burn: training and prediction run in the worker, and the two sides
//! talk through the serde enums of [`protocol`].

mod fix_view;
pub mod i18n;
mod improve_view;
pub mod protocol;
mod result_view;
mod stream_view;
pub mod ui;
pub mod worker;

mod browser;
mod worker_client;

pub use ui::App;
