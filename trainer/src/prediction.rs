//! What a model answers for one text: every label with its probability. Plain data (no burn).

use serde::{Deserialize, Serialize};

/// One label with the probability the model gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label.
    pub label: String,
    /// Its probability, 0 to 1.
    pub probability: f32,
}

/// The model's answer for one text: every label with its probability, most likely first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Scores sorted by descending probability.
    pub scores: Vec<LabelScore>,
}

impl Prediction {
    /// The most likely label.
    pub fn top(&self) -> Option<&LabelScore> {
        self.scores.first()
    }

    /// The probabilities in the order of `labels` (0 for a label the prediction lacks).
    pub fn in_label_order(&self, labels: &[String]) -> Vec<f32> {
        labels
            .iter()
            .map(|label| {
                self.scores
                    .iter()
                    .find(|score| score.label == *label)
                    .map_or(0.0, |score| score.probability)
            })
            .collect()
    }
}
