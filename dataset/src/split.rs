//! Stratified train/validation split: every label keeps its share in both parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Indices of the examples in each part of a split.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Indices into the input used for training, ascending.
    pub train: Vec<usize>,
    /// Indices into the input held out for validation, ascending.
    pub validation: Vec<usize>,
}

/// Splits example indices so each label has about `validation_fraction` of its examples in
/// validation.
///
/// Per label: `round(n * fraction)` examples go to validation, but at least 1 stays in
/// training, and a label with 2 or more examples gets at least 1 in validation (when the
/// fraction is above 0). The same `seed` always gives the same split. The fraction is clamped
/// to `0.0..=1.0` (NaN counts as 0). Train and validation are disjoint and cover all indices.
pub fn stratified_split<S: AsRef<str>>(labels: &[S], validation_fraction: f32, seed: u64) -> Split {
    let fraction = if validation_fraction.is_nan() {
        0.0
    } else {
        f64::from(validation_fraction.clamp(0.0, 1.0))
    };
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, label) in labels.iter().enumerate() {
        groups.entry(label.as_ref()).or_default().push(index);
    }
    let mut rng = SplitMix64(seed);
    let mut split = Split::default();
    for mut indices in groups.into_values() {
        rng.shuffle(&mut indices);
        let count = indices.len();
        let validation_count = validation_size(count, fraction);
        let (validation, train) = indices.split_at(validation_count.min(count));
        split.validation.extend_from_slice(validation);
        split.train.extend_from_slice(train);
    }
    split.train.sort_unstable();
    split.validation.sort_unstable();
    split
}

/// How many of `count` examples of one label go to validation.
fn validation_size(count: usize, fraction: f64) -> usize {
    if count < 2 || fraction <= 0.0 {
        return 0;
    }
    // Float-to-int `as` saturates, and the value is within 0..=count anyway.
    let rounded = (count as f64 * fraction).round() as usize;
    rounded.clamp(1, count - 1)
}

/// SplitMix64: a small, well-mixed generator, enough for shuffling.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// Fisher–Yates shuffle.
    fn shuffle(&mut self, items: &mut [usize]) {
        for upper in (1..items.len()).rev() {
            let bound = u64::try_from(upper + 1).unwrap_or(u64::MAX);
            let picked = usize::try_from(self.next() % bound).unwrap_or(0);
            items.swap(upper, picked);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(counts: &[(&str, usize)]) -> Vec<String> {
        counts
            .iter()
            .flat_map(|(label, count)| std::iter::repeat_n((*label).to_owned(), *count))
            .collect()
    }

    fn assert_partition(split: &Split, total: usize) {
        let mut all: Vec<usize> = split
            .train
            .iter()
            .chain(&split.validation)
            .copied()
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..total).collect::<Vec<_>>(), "disjoint and covering");
    }

    fn count_of(split_part: &[usize], labels: &[String], label: &str) -> usize {
        split_part
            .iter()
            .filter(|&&index| labels[index] == label)
            .count()
    }

    #[test]
    fn keeps_label_shares() {
        let labels = labels(&[("pos", 10), ("neg", 20), ("neu", 5)]);
        let split = stratified_split(&labels, 0.2, 7);
        assert_partition(&split, labels.len());
        assert_eq!(count_of(&split.validation, &labels, "pos"), 2);
        assert_eq!(count_of(&split.validation, &labels, "neg"), 4);
        assert_eq!(count_of(&split.validation, &labels, "neu"), 1);
    }

    #[test]
    fn small_classes_keep_one_on_each_side() {
        let labels = labels(&[("a", 1), ("b", 2), ("c", 3)]);
        for fraction in [0.01, 0.5, 0.99, 1.0] {
            let split = stratified_split(&labels, fraction, 1);
            assert_partition(&split, labels.len());
            assert_eq!(count_of(&split.validation, &labels, "a"), 0);
            assert_eq!(count_of(&split.train, &labels, "a"), 1);
            for label in ["b", "c"] {
                assert!(count_of(&split.validation, &labels, label) >= 1);
                assert!(count_of(&split.train, &labels, label) >= 1);
            }
        }
    }

    #[test]
    fn deterministic_for_a_seed_and_varies_with_it() {
        let labels = labels(&[("x", 50), ("y", 50)]);
        let first = stratified_split(&labels, 0.3, 42);
        assert_eq!(first, stratified_split(&labels, 0.3, 42));
        assert_ne!(first, stratified_split(&labels, 0.3, 43));
    }

    #[test]
    fn zero_and_nan_fraction_keep_everything_in_train() {
        let labels = ["a", "a", "b", "b"];
        for fraction in [0.0, f32::NAN, -1.0] {
            let split = stratified_split(&labels, fraction, 3);
            assert_eq!(split.train, [0, 1, 2, 3]);
            assert!(split.validation.is_empty());
        }
        let empty: [&str; 0] = [];
        assert_eq!(stratified_split(&empty, 0.5, 0), Split::default());
    }

    #[test]
    fn random_inputs_partition() {
        let mut rng = SplitMix64(99);
        for _ in 0..200 {
            let total = (rng.next() % 60) as usize;
            let labels: Vec<String> = (0..total).map(|_| format!("l{}", rng.next() % 5)).collect();
            let fraction = (rng.next() % 101) as f32 / 100.0;
            let split = stratified_split(&labels, fraction, rng.next());
            assert_partition(&split, total);
        }
    }
}
