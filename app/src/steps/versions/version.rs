//! A kept model's record: what IndexedDB keeps beside its model file.

use serde::{Deserialize, Serialize};

use crate::workers::protocol::{DeviceInfo, ModelInfo, TrainSummary};

/// Where a version came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Origin {
    /// Trained in this tab.
    Trained,
    /// Read from a model file the user loaded.
    Loaded {
        /// The file's name.
        file: String,
    },
}

/// A kept model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Its number: v1, v2 …
    pub id: u32,
    /// When it was made or loaded (ms since the epoch).
    pub created_ms: f64,
    /// Trained here or loaded from a file.
    pub origin: Origin,
    /// What its model file says about itself.
    pub info: ModelInfo,
    /// The run's results, for a version trained here.
    pub summary: Option<TrainSummary>,
    /// The device it trained on, for a version trained here.
    pub device: Option<DeviceInfo>,
}

impl Version {
    /// "v3".
    pub fn name(&self) -> String {
        format!("v{}", self.id)
    }

    /// Its metrics on its validation rows, when known.
    pub(crate) fn accuracy(&self) -> Option<f32> {
        self.info.metrics.as_ref().map(|metrics| metrics.accuracy)
    }
}
