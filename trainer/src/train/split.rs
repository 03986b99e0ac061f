//! Which rows train and which validate, the label set, class weights and the data's
//! fingerprint: the same for every model family.

use std::collections::BTreeSet;

use afina_dataset::{Example, stratified_split};

use crate::config::{Epochs, TrainConfig};
use crate::error::TrainError;
use crate::hash::Fnv1a;

use super::TrainData;

/// The rows of a run, split into training and validation.
pub(crate) struct Split<'a> {
    /// The sorted distinct labels (at least two).
    pub labels: Vec<String>,
    /// Class index of each example, in the order of [`TrainData::examples`].
    pub classes: Vec<usize>,
    /// Indices of the training rows among the examples.
    pub train_rows: Vec<usize>,
    /// Texts of the validation rows.
    pub validation_texts: Vec<&'a str>,
    /// Class index of each validation row.
    pub validation_classes: Vec<usize>,
}

impl<'a> Split<'a> {
    /// Checks the settings and splits `data`: the validation file when there is one, else a
    /// stratified share of the examples.
    ///
    /// # Errors
    /// No rows, a single label, validation labels the training rows lack, an empty validation
    /// file, a split that leaves one side empty, or a setting out of range.
    pub fn new(data: &TrainData<'a>, config: &TrainConfig) -> Result<Self, TrainError> {
        check_settings(config)?;
        let examples = data.examples;
        let labels = label_set(examples)?;
        let class_of = |label: &str| {
            labels
                .binary_search_by(|known| known.as_str().cmp(label))
                .unwrap_or(0)
        };
        let classes: Vec<usize> = examples
            .iter()
            .map(|example| class_of(&example.label))
            .collect();
        match data.validation {
            Some(validation) => {
                let unknown: BTreeSet<&str> = validation
                    .iter()
                    .map(|example| example.label.as_str())
                    .filter(|label| {
                        labels
                            .binary_search_by(|known| known.as_str().cmp(label))
                            .is_err()
                    })
                    .collect();
                if !unknown.is_empty() {
                    return Err(TrainError::UnknownValidationLabels {
                        labels: unknown.into_iter().map(str::to_string).collect(),
                    });
                }
                if validation.is_empty() {
                    return Err(TrainError::InvalidSetting {
                        name: "validation",
                        reason: "the validation file has no labelled rows".into(),
                    });
                }
                let validation_classes = validation
                    .iter()
                    .map(|example| class_of(&example.label))
                    .collect();
                Ok(Self {
                    train_rows: (0..examples.len()).collect(),
                    validation_texts: validation
                        .iter()
                        .map(|example| example.text.as_str())
                        .collect(),
                    validation_classes,
                    labels,
                    classes,
                })
            }
            None => {
                let label_names: Vec<&str> = examples
                    .iter()
                    .map(|example| example.label.as_str())
                    .collect();
                let split = stratified_split(&label_names, config.validation_fraction, config.seed);
                if split.validation.is_empty() || split.train.is_empty() {
                    return Err(TrainError::InvalidSetting {
                        name: "validation_fraction",
                        reason: "the split left no rows for training or for validation; add rows or change the share".into(),
                    });
                }
                Ok(Self {
                    validation_texts: split
                        .validation
                        .iter()
                        .filter_map(|index| examples.get(*index).map(|row| row.text.as_str()))
                        .collect(),
                    validation_classes: split
                        .validation
                        .iter()
                        .filter_map(|index| classes.get(*index).copied())
                        .collect(),
                    train_rows: split.train,
                    labels,
                    classes,
                })
            }
        }
    }

    /// Rows per label over all examples, in label order.
    pub fn label_counts(&self) -> Vec<(String, usize)> {
        let mut counts = vec![0usize; self.labels.len()];
        for class in &self.classes {
            if let Some(count) = counts.get_mut(*class) {
                *count += 1;
            }
        }
        self.labels.iter().cloned().zip(counts).collect()
    }

    /// Inverse-frequency weights over the training rows, normalised so a balanced set gets 1.
    pub fn class_weights(&self) -> Vec<f32> {
        class_weights(&self.train_rows, &self.classes, self.labels.len())
    }
}

fn check_settings(config: &TrainConfig) -> Result<(), TrainError> {
    let invalid = |name, reason: &str| {
        Err(TrainError::InvalidSetting {
            name,
            reason: reason.to_string(),
        })
    };
    if config.epochs == Epochs::Fixed(0) {
        return invalid("epochs", "must be at least 1");
    }
    if config.batch_size == 0 {
        return invalid("batch_size", "must be at least 1");
    }
    if config.embedding_dim == 0 {
        return invalid("embedding_dim", "must be at least 1");
    }
    if config.featurizer.buckets < 2 {
        return invalid("buckets", "must be at least 2");
    }
    if !(0.0..0.9).contains(&config.validation_fraction) || config.validation_fraction == 0.0 {
        return invalid("validation_fraction", "must be above 0 and below 0.9");
    }
    if !(config.learning_rate > 0.0 && config.learning_rate.is_finite()) {
        return invalid("learning_rate", "must be a positive number");
    }
    if !(0.0..1.0).contains(&config.label_smoothing) {
        return invalid("label_smoothing", "must be at least 0 and below 1");
    }
    if config.max_tokens < 3 {
        return invalid(
            "max_tokens",
            "must be at least 3 (two are the start and end marks)",
        );
    }
    Ok(())
}

/// The sorted distinct labels; at least two are needed.
fn label_set(examples: &[Example]) -> Result<Vec<String>, TrainError> {
    let labels: Vec<String> = examples
        .iter()
        .map(|example| example.label.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    match labels.as_slice() {
        [] => Err(TrainError::NoExamples),
        [only] => Err(TrainError::SingleLabel {
            label: only.clone(),
        }),
        _ => Ok(labels),
    }
}

/// Inverse-frequency weights over the training split, normalised so a balanced set gets 1.
fn class_weights(train: &[usize], classes: &[usize], class_count: usize) -> Vec<f32> {
    let mut counts = vec![0usize; class_count];
    for index in train {
        if let Some(count) = classes.get(*index).and_then(|class| counts.get_mut(*class)) {
            *count += 1;
        }
    }
    counts
        .iter()
        .map(|count| train.len() as f32 / (class_count as f32 * (*count).max(1) as f32))
        .collect()
}

/// A short, stable fingerprint of the training rows (texts and labels, in order).
pub(crate) fn fingerprint(examples: &[Example]) -> String {
    let mut hasher = Fnv1a::new();
    for example in examples {
        hasher.write(example.text.as_bytes());
        hasher.write(&[0x1f]);
        hasher.write(example.label.as_bytes());
        hasher.write(&[0x1e]);
    }
    format!("fnv1a64:{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_weights_favour_the_minority() {
        let weights = class_weights(&[0, 1, 2, 3], &[0, 0, 0, 1], 2);
        assert!(weights[1] > weights[0]);
        assert!((weights[0] - 4.0 / 6.0).abs() < 1e-6);
        assert!((weights[1] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn single_label_is_refused() {
        let examples = vec![Example {
            text: "hola".into(),
            label: "a".into(),
        }];
        assert!(matches!(
            label_set(&examples),
            Err(TrainError::SingleLabel { .. })
        ));
        assert!(matches!(label_set(&[]), Err(TrainError::NoExamples)));
    }
}
