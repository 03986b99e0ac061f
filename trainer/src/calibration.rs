//! Confidence calibration on the host: expected calibration error, reliability bins and
//! temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks").

use serde::{Deserialize, Serialize};

use crate::metrics::arg_max;

/// Number of equal-width confidence bins [`Calibration::fit`] measures the error with.
pub const CALIBRATION_BINS: usize = 15;

/// The smallest temperature [`softmax_with_temperature`] divides by; smaller, zero, negative
/// or NaN temperatures are raised to it.
pub const MIN_TEMPERATURE: f32 = 1e-6;

/// Validation rows below which [`Calibration::fit`] never sharpens (keeps T ≥ 1): fewer rows
/// are too little evidence that the model is under-confident on what it has not seen.
pub const MIN_ROWS_TO_SHARPEN: usize = 300;

/// Validation rows below which [`Calibration::fit`] keeps T = 1: a handful of rows is no
/// evidence either way (on 4 rows a single answer moved the fitted temperature to the search's
/// bound, 20, and every later answer to near-uniform).
pub const MIN_ROWS_TO_FIT: usize = 20;

/// Bounds of the temperature search in [`fit_temperature`].
const SEARCH_LOWER: f64 = 0.05;
const SEARCH_UPPER: f64 = 20.0;
/// Golden-section steps: each keeps 0.618 of the interval, so 60 steps shrink ln(20 / 0.05) ≈ 6
/// to about 1e-12, far below the 1e-4 the temperature needs.
const SEARCH_STEPS: usize = 60;

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lowest top-class probability in the bin (included).
    pub lower: f32,
    /// Highest top-class probability in the bin (excluded, except 1 in the last bin).
    pub upper: f32,
    /// Rows whose top-class probability falls in the bin.
    pub rows: usize,
    /// Mean top-class probability of those rows; 0 when the bin is empty.
    pub confidence: f32,
    /// Share of those rows whose top class is the true one; 0 when the bin is empty.
    pub accuracy: f32,
}

/// How well a model's stated confidence matches how often it is right, before and after
/// temperature scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The temperature the logits are divided by before the softmax (1 = unchanged).
    pub temperature: f32,
    /// Expected calibration error of the plain softmax, 0 to 1.
    pub ece_before: f32,
    /// Expected calibration error after dividing the logits by `temperature`, 0 to 1.
    pub ece_after: f32,
    /// Number of equal-width confidence bins both errors were measured with.
    pub bins: usize,
}

impl Calibration {
    /// Fits the temperature on `logits` (one vector per row, in label order) and their true
    /// class indices `actual`, and measures the expected calibration error before and after
    /// with [`CALIBRATION_BINS`] bins. Use validation rows, not training rows: on the rows it
    /// learnt from a model looks more certain than it should.
    ///
    /// When the model answers every row right, the loss keeps falling as the temperature goes
    /// to 0, which would make every later answer "100 % sure" on the strength of a perfect
    /// (usually small) validation set. There is nothing to calibrate against then, so the
    /// temperature stays 1.
    ///
    /// A temperature below 1 sharpens every later answer. On a small validation set (fewer
    /// than [`MIN_ROWS_TO_SHARPEN`] rows) that is not trusted: a few dozen rows held out of a
    /// small, uniform file look more alike than the sentences the model will meet, and a
    /// temperature of 0.12 fitted on 30 such rows made the model "98 % sure" of sentences it
    /// had never seen the like of. So there the temperature may only soften (T ≥ 1). Below
    /// [`MIN_ROWS_TO_FIT`] rows it stays 1.
    pub fn fit(logits: &[Vec<f32>], actual: &[usize]) -> Self {
        let any_mistake = logits
            .iter()
            .zip(actual)
            .any(|(row, class)| arg_max(row).is_some_and(|(predicted, _)| predicted != *class));
        let fitted = if any_mistake && logits.len() >= MIN_ROWS_TO_FIT {
            fit_temperature(logits, actual)
        } else {
            1.0
        };
        let temperature = if logits.len() < MIN_ROWS_TO_SHARPEN {
            fitted.max(1.0)
        } else {
            fitted
        };
        let before: Vec<Vec<f32>> = logits
            .iter()
            .map(|row| softmax_with_temperature(row, 1.0))
            .collect();
        let after: Vec<Vec<f32>> = logits
            .iter()
            .map(|row| softmax_with_temperature(row, temperature))
            .collect();
        Self {
            temperature,
            ece_before: expected_calibration_error(&before, actual, CALIBRATION_BINS),
            ece_after: expected_calibration_error(&after, actual, CALIBRATION_BINS),
            bins: CALIBRATION_BINS,
        }
    }

    /// Calibrated class probabilities of one row of logits.
    pub fn probabilities(&self, logits: &[f32]) -> Vec<f32> {
        softmax_with_temperature(logits, self.temperature)
    }
}

/// Softmax of `logits / temperature`, computed stably (the largest logit is subtracted first).
///
/// A temperature above 1 flattens the distribution, below 1 sharpens it; it never changes
/// which class is most probable. Temperatures below [`MIN_TEMPERATURE`] (and NaN) are raised
/// to it. Logits are expected to be finite; an empty slice gives an empty vector.
pub fn softmax_with_temperature(logits: &[f32], temperature: f32) -> Vec<f32> {
    // The comparison is false for NaN, so NaN takes the minimum too.
    let temperature = if temperature > MIN_TEMPERATURE {
        temperature
    } else {
        MIN_TEMPERATURE
    };
    let largest = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exponentials: Vec<f32> = logits
        .iter()
        .map(|logit| ((logit - largest) / temperature).exp())
        .collect();
    let total: f32 = exponentials.iter().sum();
    exponentials.iter().map(|value| value / total).collect()
}

/// The temperature T > 0 that minimises the mean negative log-likelihood of
/// `softmax(logits / T)` on the given rows (use validation rows); 1 for no usable rows.
///
/// Why a single scalar (Guo et al. 2017): dividing every logit of a row by the same positive
/// number keeps their order, so the predicted class and the accuracy stay exactly the same;
/// only the stated confidence moves. One parameter fitted on held-out rows cannot overfit the
/// way re-training would.
///
/// The search is golden-section on ln T over [0.05, 20]: the mean negative log-likelihood is
/// convex in 1/T (a log-sum-exp of linear functions), so it has one minimum along ln T and the
/// search cannot be trapped. When the best temperature lies outside the range, the nearest
/// bound is returned. Rows with an out-of-range class index or no logits are skipped.
pub fn fit_temperature(logits: &[Vec<f32>], actual: &[usize]) -> f32 {
    let rows: Vec<(&[f32], f64)> = logits
        .iter()
        .zip(actual)
        .filter_map(|(row, truth)| Some((row.as_slice(), f64::from(*row.get(*truth)?))))
        .collect();
    if rows.is_empty() {
        return 1.0;
    }
    let loss = |log_temperature: f64| mean_negative_log_likelihood(&rows, log_temperature.exp());
    let inverse_golden = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lower, mut upper) = (SEARCH_LOWER.ln(), SEARCH_UPPER.ln());
    let mut left = upper - inverse_golden * (upper - lower);
    let mut right = lower + inverse_golden * (upper - lower);
    let (mut left_loss, mut right_loss) = (loss(left), loss(right));
    for _ in 0..SEARCH_STEPS {
        if left_loss <= right_loss {
            upper = right;
            right = left;
            right_loss = left_loss;
            left = upper - inverse_golden * (upper - lower);
            left_loss = loss(left);
        } else {
            lower = left;
            left = right;
            left_loss = right_loss;
            right = lower + inverse_golden * (upper - lower);
            right_loss = loss(right);
        }
    }
    ((lower + upper) / 2.0).exp() as f32
}

/// Mean of `logsumexp(logits / T) − logit_true / T` over rows given as (logits, true logit).
fn mean_negative_log_likelihood(rows: &[(&[f32], f64)], temperature: f64) -> f64 {
    let total: f64 = rows
        .iter()
        .map(|(logits, true_logit)| {
            let largest = logits
                .iter()
                .copied()
                .map(f64::from)
                .fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = logits
                .iter()
                .map(|logit| ((f64::from(*logit) - largest) / temperature).exp())
                .sum();
            (largest - true_logit) / temperature + sum.ln()
        })
        .sum();
    total / rows.len() as f64
}

/// Expected calibration error: the rows are put in `bins` equal-width bins by their top-class
/// probability, and the result is the sum over bins of
/// (rows in bin / all rows) × |accuracy in bin − mean confidence in bin|, from 0 (confidence
/// matches accuracy) to 1. Empty input gives 0; `bins` of 0 counts as 1.
///
/// `probabilities` holds one vector per row, in label order; `actual` the true class indices.
/// Rows without probabilities are skipped.
pub fn expected_calibration_error(
    probabilities: &[Vec<f32>],
    actual: &[usize],
    bins: usize,
) -> f32 {
    let table = reliability(probabilities, actual, bins);
    let rows: usize = table.iter().map(|bin| bin.rows).sum();
    if rows == 0 {
        return 0.0;
    }
    table
        .iter()
        .map(|bin| bin.rows as f32 / rows as f32 * (bin.accuracy - bin.confidence).abs())
        .sum()
}

/// The reliability table behind [`expected_calibration_error`]: `bins` equal-width bins over
/// [0, 1] of top-class probability (`bins` of 0 counts as 1), each with its row count, mean
/// confidence and accuracy. Every bin is listed, empty ones too, so a chart keeps its axis.
pub fn reliability(
    probabilities: &[Vec<f32>],
    actual: &[usize],
    bins: usize,
) -> Vec<ReliabilityBin> {
    let bins = bins.max(1);
    // Per bin: rows, sum of confidences, rows right.
    let mut totals = vec![(0usize, 0f64, 0usize); bins];
    for (row, truth) in probabilities.iter().zip(actual) {
        let Some((guess, confidence)) = arg_max(row) else {
            continue;
        };
        // A confidence of exactly 1 belongs to the last bin, not to one past it.
        let bin_index = ((confidence.clamp(0.0, 1.0) * bins as f32) as usize).min(bins - 1);
        if let Some((count, confidence_sum, right)) = totals.get_mut(bin_index) {
            *count += 1;
            *confidence_sum += f64::from(confidence);
            if guess == *truth {
                *right += 1;
            }
        }
    }
    totals
        .iter()
        .enumerate()
        .map(|(bin_index, (count, confidence_sum, right))| {
            let (confidence, accuracy) = if *count == 0 {
                (0.0, 0.0)
            } else {
                (
                    (confidence_sum / *count as f64) as f32,
                    *right as f32 / *count as f32,
                )
            };
            ReliabilityBin {
                lower: bin_index as f32 / bins as f32,
                upper: (bin_index + 1) as f32 / bins as f32,
                rows: *count,
                confidence,
                accuracy,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator, so the synthetic tests need no `rand` seed semantics.
    struct XorShift(u64);

    impl XorShift {
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Uniform in [0, 1).
        fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Rows of logits whose labels are drawn from softmax(true logits), then the logits are
    /// multiplied by `sharpen`: the model claims more certainty than it has.
    fn overconfident(rows: usize, classes: usize, sharpen: f32) -> (Vec<Vec<f32>>, Vec<usize>) {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut logits = Vec::new();
        let mut actual = Vec::new();
        for _ in 0..rows {
            let truth: Vec<f32> = (0..classes)
                .map(|_| (rng.uniform() * 4.0 - 2.0) as f32)
                .collect();
            let probabilities = softmax_with_temperature(&truth, 1.0);
            let draw = rng.uniform() as f32;
            let mut cumulative = 0.0;
            let mut label = classes - 1;
            for (class, probability) in probabilities.iter().enumerate() {
                cumulative += probability;
                if draw < cumulative {
                    label = class;
                    break;
                }
            }
            logits.push(truth.iter().map(|logit| logit * sharpen).collect());
            actual.push(label);
        }
        (logits, actual)
    }

    #[test]
    fn a_perfect_validation_set_keeps_the_temperature_at_one() {
        let logits = vec![vec![2.0, -1.0], vec![-3.0, 1.0], vec![0.5, 0.0]];
        let calibration = Calibration::fit(&logits, &[0, 1, 0]);
        assert!((calibration.temperature - 1.0).abs() < 1e-6);
        // One mistake is enough to fit (on enough rows: the three, seven times over).
        let many: Vec<Vec<f32>> = logits.iter().cycle().take(21).cloned().collect();
        let actual: Vec<usize> = [0, 1, 1].iter().cycle().take(21).copied().collect();
        let calibration = Calibration::fit(&many, &actual);
        assert!((calibration.temperature - 1.0).abs() > 1e-3);
    }

    #[test]
    fn ece_hand_computed() {
        // 4 bins of width 0.25.
        // bin [0.75, 1): confidences 0.9 (right), 0.8 (wrong): accuracy 0.5, confidence 0.85
        // bin [0.5, 0.75): 0.6 (right), 0.7 (wrong): accuracy 0.5, confidence 0.65
        // bin [0.25, 0.5): 0.45 (wrong): accuracy 0, confidence 0.45
        // ECE = 2/5·0.35 + 2/5·0.15 + 1/5·0.45 = 0.14 + 0.06 + 0.09 = 0.29
        let probabilities = vec![
            vec![0.9, 0.1],
            vec![0.2, 0.8],
            vec![0.6, 0.4],
            vec![0.3, 0.7],
            vec![0.45, 0.3, 0.25],
        ];
        let actual = [0, 0, 0, 0, 2];
        let ece = expected_calibration_error(&probabilities, &actual, 4);
        assert!((ece - 0.29).abs() < 1e-5, "{ece}");

        let table = reliability(&probabilities, &actual, 4);
        assert_eq!(table.len(), 4);
        assert_eq!(
            table.iter().map(|bin| bin.rows).collect::<Vec<_>>(),
            [0, 1, 2, 2]
        );
        assert!((table[3].confidence - 0.85).abs() < 1e-6);
        assert!((table[3].accuracy - 0.5).abs() < 1e-6);
        assert!((table[1].lower - 0.25).abs() < 1e-6);
        assert!((table[1].upper - 0.5).abs() < 1e-6);
    }

    #[test]
    fn ece_is_zero_for_calibrated_data_and_empty_input() {
        // Confidence 0.8 and right 8 times in 10; confidence 0.75 and right 3 times in 4.
        let mut probabilities = vec![vec![0.8, 0.2]; 10];
        let mut actual = vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        probabilities.extend(vec![vec![0.25, 0.75]; 4]);
        actual.extend([1, 1, 1, 0]);
        let ece = expected_calibration_error(&probabilities, &actual, 10);
        assert!(ece.abs() < 1e-6, "{ece}");

        assert!(expected_calibration_error(&[], &[], 15).abs() < 1e-9);
        assert!(expected_calibration_error(&probabilities, &actual, 0).abs() < 1e-6);
    }

    #[test]
    fn confidence_of_one_lands_in_the_last_bin() {
        let table = reliability(&[vec![1.0, 0.0]], &[0], 5);
        assert_eq!(table.len(), 5);
        assert_eq!(table[4].rows, 1);
        assert!((table[4].accuracy - 1.0).abs() < 1e-6);
    }

    #[test]
    fn softmax_is_stable_and_sums_to_one() {
        let probabilities = softmax_with_temperature(&[1000.0, 1001.0, 999.0], 1.0);
        assert!(probabilities.iter().all(|value| value.is_finite()));
        assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let expected_middle = 1.0 / (1.0 + (-1f32).exp() + (-2f32).exp());
        assert!((probabilities[1] - expected_middle).abs() < 1e-6);

        let flat = softmax_with_temperature(&[2.0, 0.0], 2.0);
        let expected = 1.0 / (1.0 + (-1f32).exp());
        assert!((flat[0] - expected).abs() < 1e-6);

        let sharp = softmax_with_temperature(&[2.0, 0.0], 0.0);
        assert!((sharp[0] - 1.0).abs() < 1e-6);
        assert!(softmax_with_temperature(&[], 1.0).is_empty());
    }

    #[test]
    fn temperature_scaling_never_changes_the_arg_max() {
        let (logits, _) = overconfident(500, 4, 1.0);
        for temperature in [0.05, 0.5, 1.0, 3.0, 20.0] {
            for row in &logits {
                let before = arg_max(row).map(|(class, _)| class);
                let scaled = softmax_with_temperature(row, temperature);
                let after = arg_max(&scaled).map(|(class, _)| class);
                assert_eq!(before, after, "temperature {temperature}, row {row:?}");
            }
        }
    }

    #[test]
    fn fitted_temperature_undoes_overconfidence() {
        let (logits, actual) = overconfident(4000, 4, 3.0);
        let calibration = Calibration::fit(&logits, &actual);
        assert!(
            (calibration.temperature - 3.0).abs() < 0.3,
            "temperature {}",
            calibration.temperature
        );
        assert!(
            calibration.ece_after < calibration.ece_before,
            "{calibration:?}"
        );
        assert_eq!(calibration.bins, CALIBRATION_BINS);
    }

    #[test]
    fn calibrated_logits_keep_a_temperature_near_one() {
        let (logits, actual) = overconfident(4000, 3, 1.0);
        let temperature = fit_temperature(&logits, &actual);
        assert!((temperature - 1.0).abs() < 0.1, "temperature {temperature}");
    }

    #[test]
    fn empty_input_fits_temperature_one() {
        assert!((fit_temperature(&[], &[]) - 1.0).abs() < 1e-9);
        // Out-of-range class indices are skipped, leaving nothing to fit.
        assert!((fit_temperature(&[vec![1.0, 2.0]], &[5]) - 1.0).abs() < 1e-9);
        let calibration = Calibration::fit(&[], &[]);
        assert!((calibration.temperature - 1.0).abs() < 1e-9);
        assert!(calibration.ece_before.abs() < 1e-9);
    }

    #[test]
    fn a_small_validation_set_never_sharpens() {
        // Under-confident logits (true logits × 0.3): the best temperature is about 0.3.
        let (logits, actual) = overconfident(4000, 3, 0.3);
        let many = Calibration::fit(&logits, &actual);
        assert!(
            (many.temperature - 0.3).abs() < 0.05,
            "{} rows sharpen: {many:?}",
            logits.len()
        );
        let few = MIN_ROWS_TO_SHARPEN - 1;
        let small = Calibration::fit(&logits[..few], &actual[..few]);
        assert!(
            (small.temperature - 1.0).abs() < 1e-6,
            "{few} rows keep T = 1: {small:?}"
        );
        // Softening needs no more evidence than any fit.
        let (logits, actual) = overconfident(60, 3, 3.0);
        let softened = Calibration::fit(&logits, &actual);
        assert!(softened.temperature > 1.5, "{softened:?}");
        // A handful of rows is no evidence at all: T stays 1 even where they would soften.
        let handful = MIN_ROWS_TO_FIT - 1;
        let wrong: Vec<usize> = actual[..handful]
            .iter()
            .map(|class| (class + 1) % 3)
            .collect();
        assert!(fit_temperature(&logits[..handful], &wrong) > 1.5);
        let kept = Calibration::fit(&logits[..handful], &wrong);
        assert!((kept.temperature - 1.0).abs() < 1e-6, "{kept:?}");
    }
}
