//! Stratified train/validation split: every label keeps its share in both parts; of example
//! indices, or of a whole dataset into two datasets.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::format::{Format, Schema};
use crate::row::{Role, Row, RowContent};

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

/// Splits the rows of a dataset into a training dataset and a validation dataset, in that
/// order: [`split_rows`] then [`split_parts`].
///
/// Both parts keep the rows in file order with their source line numbers, the format and
/// schema of `dataset`, have fresh quality findings only, and are named `<stem>.train.<ext>`
/// and `<stem>.val.<ext>` with the extension of their format (`csv`, `tsv` or `jsonl`; `csv`
/// for a workbook sheet, which [`crate::to_own_format`] writes as CSV), ready for
/// [`crate::to_own_format`].
pub fn split_dataset(dataset: &Dataset, validation_fraction: f32, seed: u64) -> (Dataset, Dataset) {
    split_parts(dataset, &split_rows(dataset, validation_fraction, seed))
}

/// Splits the rows of a dataset with [`stratified_split`] over the rows' labels, giving
/// indices into `dataset.rows`.
///
/// The label of a text/label row is its label; of a conversation, its last assistant
/// message, trimmed. Rows without a label go to training. When most labels are unique
/// (free-form answers rather than classes, as in prompt/completion data) the rows are split
/// at random instead, so validation is not left empty. The same seed gives the same split.
pub fn split_rows(dataset: &Dataset, validation_fraction: f32, seed: u64) -> Split {
    let labels: Vec<Option<String>> = dataset.rows.iter().map(row_label).collect();
    let labelled: Vec<(usize, &str)> = labels
        .iter()
        .enumerate()
        .filter_map(|(index, label)| Some((index, label.as_deref()?)))
        .collect();
    let distinct: HashSet<&str> = labelled.iter().map(|(_, label)| *label).collect();
    let are_classes =
        matches!(dataset.schema, Schema::TextLabel { .. }) || distinct.len() * 2 <= labelled.len();
    let keys: Vec<&str> = labelled
        .iter()
        .map(|(_, label)| if are_classes { *label } else { "" })
        .collect();
    let split = stratified_split(&keys, validation_fraction, seed);
    let mut in_validation = vec![false; dataset.rows.len()];
    for position in split.validation {
        if let Some((index, _)) = labelled.get(position)
            && let Some(flag) = in_validation.get_mut(*index)
        {
            *flag = true;
        }
    }
    let (validation, train): (Vec<usize>, Vec<usize>) =
        (0..dataset.rows.len()).partition(|index| in_validation.get(*index) == Some(&true));
    Split { train, validation }
}

/// The training and validation datasets of a row split (indices into `dataset.rows`, as
/// [`split_rows`] gives), named and shaped as [`split_dataset`] says. Indices past the end
/// are ignored.
pub fn split_parts(dataset: &Dataset, split: &Split) -> (Dataset, Dataset) {
    let rows_at = |indices: &[usize]| -> Vec<&Row> {
        indices
            .iter()
            .filter_map(|index| dataset.rows.get(*index))
            .collect()
    };
    (
        part(dataset, "train", rows_at(&split.train)),
        part(dataset, "val", rows_at(&split.validation)),
    )
}

/// The label a row is stratified by, if it has one: a text/label row's label, or a
/// conversation's last assistant message, trimmed.
pub(crate) fn row_label(row: &Row) -> Option<String> {
    let label = match &row.content {
        RowContent::TextLabel { label, .. } => label.trim(),
        RowContent::Chat { messages } => messages
            .iter()
            .rev()
            .find(|message| message.role == Role::Assistant)?
            .content
            .trim(),
    };
    (!label.is_empty()).then(|| label.to_owned())
}

/// One part of a split: `rows` under the name `<stem>.<part>.<ext>`.
fn part(dataset: &Dataset, part: &str, rows: Vec<&Row>) -> Dataset {
    let stem = dataset
        .file_name
        .rsplit_once('.')
        .map_or(dataset.file_name.as_str(), |(stem, _)| stem);
    let extension = match dataset.format {
        Format::Csv { delimiter: '\t' } => "tsv",
        Format::Csv { .. } | Format::Xlsx { .. } => "csv",
        Format::Jsonl => "jsonl",
    };
    let mut part = Dataset {
        file_name: format!("{stem}.{part}.{extension}"),
        format: dataset.format.clone(),
        schema: dataset.schema.clone(),
        encoding: "UTF-8".to_owned(),
        rows: rows.into_iter().cloned().collect(),
        findings: Vec::new(),
    };
    part.refresh_quality_findings();
    part
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

    fn text_row(line: usize, label: &str) -> Row {
        Row {
            line,
            content: RowContent::TextLabel {
                text: format!("texto {line}"),
                label: label.into(),
            },
        }
    }

    fn chat_row(line: usize, answer: &str) -> Row {
        Row {
            line,
            content: RowContent::Chat {
                messages: vec![
                    crate::row::ChatMessage {
                        role: Role::User,
                        content: format!("pregunta {line}"),
                    },
                    crate::row::ChatMessage {
                        role: Role::Assistant,
                        content: answer.into(),
                    },
                ],
            },
        }
    }

    fn dataset(file_name: &str, format: Format, schema: Schema, rows: Vec<Row>) -> Dataset {
        Dataset {
            file_name: file_name.into(),
            format,
            schema,
            encoding: "windows-1252".into(),
            rows,
            findings: Vec::new(),
        }
    }

    fn row_lines(dataset: &Dataset) -> Vec<usize> {
        dataset.rows.iter().map(|row| row.line).collect()
    }

    #[test]
    fn splits_a_dataset_by_label() {
        let rows = (0..30)
            .map(|index| text_row(index + 2, if index < 20 { "pos" } else { "neg" }))
            .collect();
        let source = dataset(
            "reseñas.v2.csv",
            Format::Csv { delimiter: ';' },
            Schema::TextLabel {
                text_column: "texto".into(),
                label_column: "etiqueta".into(),
            },
            rows,
        );
        let (train, validation) = split_dataset(&source, 0.2, 1);
        assert_eq!(train.file_name, "reseñas.v2.train.csv");
        assert_eq!(validation.file_name, "reseñas.v2.val.csv");
        assert_eq!(train.format, source.format);
        assert_eq!(validation.schema, source.schema);
        assert_eq!(train.encoding, "UTF-8");
        assert_eq!(validation.label_counts().get("pos"), Some(&4));
        assert_eq!(validation.label_counts().get("neg"), Some(&2));
        assert_eq!(train.rows.len(), 24);
        assert!(row_lines(&train).is_sorted() && row_lines(&validation).is_sorted());
        let mut all = [row_lines(&train), row_lines(&validation)].concat();
        all.sort_unstable();
        assert_eq!(all, row_lines(&source));
        assert_eq!(split_dataset(&source, 0.2, 1), (train, validation));
    }

    #[test]
    fn row_split_gives_the_parts_of_split_dataset() {
        let rows = (0..20)
            .map(|index| text_row(index + 2, if index % 3 == 0 { "neg" } else { "pos" }))
            .collect();
        let schema = Schema::TextLabel {
            text_column: "t".into(),
            label_column: "l".into(),
        };
        let source = dataset("r.csv", Format::Csv { delimiter: ',' }, schema, rows);
        let split = split_rows(&source, 0.25, 9);
        assert_partition(&split, source.rows.len());
        assert!(split.train.is_sorted() && split.validation.is_sorted());
        assert_eq!(
            split_parts(&source, &split),
            split_dataset(&source, 0.25, 9)
        );
        let (_, validation) = split_parts(&source, &split);
        let lines: Vec<usize> = split
            .validation
            .iter()
            .map(|index| source.rows[*index].line)
            .collect();
        assert_eq!(row_lines(&validation), lines);
    }

    #[test]
    fn free_form_answers_are_split_at_random() {
        let mut rows: Vec<Row> = (0..10)
            .map(|index| chat_row(index + 1, &format!("respuesta {index}")))
            .collect();
        rows.push(chat_row(11, "   "));
        let source = dataset("chat", Format::Jsonl, Schema::Chat, rows);
        let (train, validation) = split_dataset(&source, 0.3, 5);
        assert_eq!(validation.rows.len(), 3);
        assert_eq!(train.rows.len(), 8);
        assert!(row_lines(&train).contains(&11), "unlabelled rows train");
        assert_eq!(train.file_name, "chat.train.jsonl");

        // Repeated answers are classes, stratified as usual.
        let rows = (0..8)
            .map(|index| chat_row(index + 1, if index % 2 == 0 { "sí" } else { "no" }))
            .collect();
        let source = dataset("c.tsv", Format::Csv { delimiter: '\t' }, Schema::Chat, rows);
        let (train, validation) = split_dataset(&source, 0.5, 5);
        assert_eq!(validation.label_counts().get("sí"), Some(&2));
        assert_eq!(train.label_counts().get("no"), Some(&2));
        assert_eq!(validation.file_name, "c.val.tsv");
    }

    #[test]
    fn a_sheet_splits_into_csv_parts() {
        let rows = (0..10)
            .map(|index| text_row(index + 2, if index < 5 { "pos" } else { "neg" }))
            .collect();
        let format = Format::Xlsx {
            sheet: "Hoja1".into(),
        };
        let schema = Schema::TextLabel {
            text_column: "texto".into(),
            label_column: "etiqueta".into(),
        };
        let source = dataset("opiniones.xlsx", format, schema, rows);
        let (train, validation) = split_dataset(&source, 0.2, 3);
        assert_eq!(train.file_name, "opiniones.train.csv");
        assert_eq!(validation.file_name, "opiniones.val.csv");
        assert_eq!(train.format, source.format);
        assert_eq!(validation.rows.len(), 2);
    }
}
