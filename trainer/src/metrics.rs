//! Classification metrics computed on the host from predicted and true class indices.

use serde::{Deserialize, Serialize};

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// The class label.
    pub label: String,
    /// Of the rows predicted as this class, the share that truly are.
    pub precision: f32,
    /// Of the rows truly of this class, the share predicted as it.
    pub recall: f32,
    /// Harmonic mean of precision and recall.
    pub f1: f32,
    /// Rows truly of this class.
    pub support: usize,
}

/// Scores of a classifier on a set of labelled rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Rows evaluated.
    pub rows: usize,
    /// Share of rows classified right.
    pub accuracy: f32,
    /// Accuracy of always answering the most frequent class (the "before" figure).
    pub majority_baseline: f32,
    /// Unweighted mean of the per-class F1 scores.
    pub macro_f1: f32,
    /// Per-class scores, in label order.
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]` counts, in label order.
    pub confusion: Vec<Vec<usize>>,
}

impl Metrics {
    /// Computes the metrics of `predicted` against `actual` (class indices into `labels`).
    /// Indices out of range are ignored.
    pub fn compute(labels: &[String], actual: &[usize], predicted: &[usize]) -> Self {
        let classes = labels.len();
        let mut confusion = vec![vec![0usize; classes]; classes];
        for (truth, guess) in actual.iter().zip(predicted) {
            if let Some(cell) = confusion
                .get_mut(*truth)
                .and_then(|row| row.get_mut(*guess))
            {
                *cell += 1;
            }
        }
        let rows: usize = confusion.iter().flatten().sum();
        let correct: usize = (0..classes)
            .filter_map(|class| confusion.get(class).and_then(|row| row.get(class)))
            .sum();
        let support: Vec<usize> = confusion.iter().map(|row| row.iter().sum()).collect();
        let per_class: Vec<ClassMetrics> = labels
            .iter()
            .enumerate()
            .map(|(class, label)| {
                let true_positive = confusion
                    .get(class)
                    .and_then(|row| row.get(class))
                    .copied()
                    .unwrap_or(0);
                let predicted_as: usize = confusion.iter().filter_map(|row| row.get(class)).sum();
                let class_support = support.get(class).copied().unwrap_or(0);
                let precision = ratio(true_positive, predicted_as);
                let recall = ratio(true_positive, class_support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    label: label.clone(),
                    precision,
                    recall,
                    f1,
                    support: class_support,
                }
            })
            .collect();
        let macro_f1 = if classes == 0 {
            0.0
        } else {
            per_class.iter().map(|class| class.f1).sum::<f32>() / classes as f32
        };
        Self {
            rows,
            accuracy: ratio(correct, rows),
            majority_baseline: ratio(support.iter().copied().max().unwrap_or(0), rows),
            macro_f1,
            per_class,
            confusion,
        }
    }
}

fn ratio(numerator: usize, denominator: usize) -> f32 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f32 / denominator as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn hand_computed_two_class_example() {
        let labels = vec!["neg".to_string(), "pos".to_string()];
        // truth:     neg neg neg pos pos
        // predicted: neg pos neg pos neg
        let metrics = Metrics::compute(&labels, &[0, 0, 0, 1, 1], &[0, 1, 0, 1, 0]);
        assert_eq!(metrics.confusion, vec![vec![2, 1], vec![1, 1]]);
        assert!(close(metrics.accuracy, 3.0 / 5.0));
        assert!(close(metrics.majority_baseline, 3.0 / 5.0));
        let neg = &metrics.per_class[0];
        assert!(close(neg.precision, 2.0 / 3.0));
        assert!(close(neg.recall, 2.0 / 3.0));
        let pos = &metrics.per_class[1];
        assert!(close(pos.precision, 0.5));
        assert!(close(pos.recall, 0.5));
        assert!(close(metrics.macro_f1, (2.0 / 3.0 + 0.5) / 2.0));
        assert_eq!(pos.support, 2);
    }

    #[test]
    fn empty_input_gives_zeros_not_nan() {
        let metrics = Metrics::compute(&["a".to_string()], &[], &[]);
        assert_eq!(metrics.rows, 0);
        assert!(close(metrics.accuracy, 0.0));
        assert!(close(metrics.macro_f1, 0.0));
    }
}
