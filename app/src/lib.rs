//! Afina's browser app: a leptos page (main thread), a file reader Web Worker and a training
//! Web Worker.
//!
//! The page never links burn: training and prediction run in the worker (built with the
//! `worker` feature), and the two sides talk through the serde enums of [`workers::protocol`].
//!
//! - [`app`]: the page shell; it provides each step's state through context and lays the
//!   steps out.
//! - `steps`: one folder per step of the page, each with its state and its views.
//! - [`workers`]: the message protocol, the page's handle on the workers, and the workers.
//! - `project`: the working project kept in IndexedDB (autosave, restore, "New project").
//! - `browser`, [`i18n`], `store`: browser helpers, the two languages, IndexedDB.

pub mod app;
mod browser;
pub mod i18n;
mod project;
mod steps;
mod store;
pub mod workers;

pub use app::App;
