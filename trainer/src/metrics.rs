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
    /// Mean of the per-class F1 scores weighted by each class's support (rows truly of it).
    /// Absent from metrics saved before it existed; those read back as 0.
    #[serde(default)]
    pub weighted_f1: f32,
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
        let weighted_f1 = if rows == 0 {
            0.0
        } else {
            per_class
                .iter()
                .map(|class| class.f1 * class.support as f32)
                .sum::<f32>()
                / rows as f32
        };
        Self {
            rows,
            accuracy: ratio(correct, rows),
            majority_baseline: ratio(support.iter().copied().max().unwrap_or(0), rows),
            macro_f1,
            weighted_f1,
            per_class,
            confusion,
        }
    }
}

/// A row the model got wrong, with the confidence of its wrong answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Misclassified {
    /// The row's text.
    pub text: String,
    /// The true label.
    pub actual: String,
    /// The label the model chose (its most probable one).
    pub predicted: String,
    /// The probability the model gave its wrong answer, 0 to 1.
    pub confidence: f32,
}

/// Lists the rows whose most probable class differs from the true one, the most confidently
/// wrong first, at most `limit` of them.
///
/// `texts`, `actual` (class indices into `labels`) and `probabilities` (one vector per row, in
/// label order) are read in step; rows past the shortest of them, rows whose true class is out
/// of range and rows without probabilities are skipped. The predicted class is the arg-max of
/// the row's probabilities (the lower class index on ties); equal confidences keep row order.
pub fn misclassified(
    texts: &[&str],
    labels: &[String],
    actual: &[usize],
    probabilities: &[Vec<f32>],
    limit: usize,
) -> Vec<Misclassified> {
    let mut wrong: Vec<Misclassified> = texts
        .iter()
        .zip(actual)
        .zip(probabilities)
        .filter_map(|((text, truth), row)| {
            let actual_label = labels.get(*truth)?;
            let (guess, confidence) = arg_max(row)?;
            if guess == *truth {
                return None;
            }
            Some(Misclassified {
                text: (*text).to_string(),
                actual: actual_label.clone(),
                predicted: labels.get(guess)?.clone(),
                confidence,
            })
        })
        .collect();
    // Stable sort: equally confident mistakes stay in row order.
    wrong.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    wrong.truncate(limit);
    wrong
}

/// Index and value of the largest entry (the first one on ties); `None` when empty.
pub(crate) fn arg_max(values: &[f32]) -> Option<(usize, f32)> {
    values
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best, (index, value)| match best {
            Some((_, best_value)) if value.total_cmp(&best_value).is_le() => best,
            _ => Some((index, value)),
        })
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
        assert!(close(metrics.weighted_f1, 0.0));
    }

    #[test]
    fn weighted_f1_hand_computed_three_classes() {
        let labels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        // truth:     a a a a b b b c c c
        // predicted: a a a b b b a c b c
        // confusion (true rows, predicted columns):
        //   a: [3 1 0]  b: [1 2 0]  c: [0 1 2]
        // a: precision 3/4, recall 3/4, F1 3/4 = 0.75, support 4
        // b: precision 2/4, recall 2/3, F1 2·(1/2)(2/3)/(1/2 + 2/3) = (2/3)/(7/6) = 4/7, support 3
        // c: precision 2/2, recall 2/3, F1 2·1·(2/3)/(1 + 2/3) = (4/3)/(5/3) = 4/5, support 3
        // weighted F1 = (4·0.75 + 3·4/7 + 3·0.8) / 10 = (3 + 12/7 + 2.4) / 10 = 0.711428…
        // macro F1    = (0.75 + 4/7 + 0.8) / 3 = 0.707142…
        let metrics = Metrics::compute(
            &labels,
            &[0, 0, 0, 0, 1, 1, 1, 2, 2, 2],
            &[0, 0, 0, 1, 1, 1, 0, 2, 1, 2],
        );
        assert_eq!(
            metrics.confusion,
            vec![vec![3, 1, 0], vec![1, 2, 0], vec![0, 1, 2]]
        );
        assert!(close(metrics.per_class[1].f1, 4.0 / 7.0));
        assert!(close(metrics.per_class[2].f1, 0.8));
        assert!(close(metrics.weighted_f1, (3.0 + 12.0 / 7.0 + 2.4) / 10.0));
        assert!(close(metrics.macro_f1, (0.75 + 4.0 / 7.0 + 0.8) / 3.0));
    }

    #[test]
    fn metrics_saved_without_weighted_f1_still_load() {
        let json = r#"{"rows":2,"accuracy":0.5,"majority_baseline":0.5,"macro_f1":0.4,
            "per_class":[],"confusion":[]}"#;
        let metrics: Metrics = serde_json::from_str(json).unwrap();
        assert!(close(metrics.weighted_f1, 0.0));
        assert!(close(metrics.macro_f1, 0.4));
    }

    #[test]
    fn misclassified_lists_most_confident_mistakes_first() {
        let labels = vec!["neg".to_string(), "pos".to_string(), "mixed".to_string()];
        let texts = [
            "right",
            "wrong a bit",
            "very wrong",
            "wrong",
            "bad class",
            "no scores",
        ];
        let actual = [0, 0, 1, 2, 7, 1];
        let probabilities = vec![
            vec![0.9, 0.05, 0.05],
            vec![0.4, 0.45, 0.15],
            vec![0.95, 0.03, 0.02],
            vec![0.1, 0.7, 0.2],
            vec![0.9, 0.05, 0.05],
            vec![],
        ];
        let wrong = misclassified(&texts, &labels, &actual, &probabilities, 10);
        assert_eq!(wrong.len(), 3);
        assert_eq!(wrong[0].text, "very wrong");
        assert_eq!(wrong[0].actual, "pos");
        assert_eq!(wrong[0].predicted, "neg");
        assert!(close(wrong[0].confidence, 0.95));
        assert_eq!(wrong[1].text, "wrong");
        assert_eq!(wrong[1].predicted, "pos");
        assert!(close(wrong[1].confidence, 0.7));
        assert_eq!(wrong[2].text, "wrong a bit");
        assert!(close(wrong[2].confidence, 0.45));

        let top = misclassified(&texts, &labels, &actual, &probabilities, 1);
        assert_eq!(top, vec![wrong[0].clone()]);
        assert!(misclassified(&texts, &labels, &actual, &probabilities, 0).is_empty());
    }

    #[test]
    fn arg_max_takes_the_first_of_equal_values() {
        assert_eq!(arg_max(&[0.5, 0.5]), Some((0, 0.5)));
        assert_eq!(arg_max(&[0.1, 0.7, 0.2]), Some((1, 0.7)));
        assert_eq!(arg_max(&[]), None);
    }
}
