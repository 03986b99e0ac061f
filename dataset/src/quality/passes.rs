//! The quality report: warnings about size, duplicates, labels, chat style, personal data and
//! mojibake, computed from the valid rows of a [`Dataset`].

use std::collections::HashSet;

use crate::dataset::Dataset;
use crate::finding::{Finding, Message};
use crate::format::Schema;
use crate::parallel;
use crate::quality::accumulator::QualityAccumulator;
use crate::quality::duplicates;
#[cfg(test)]
use crate::quality::fields::FieldNames;
use crate::quality::fields::Item;

/// Below this many rows a dataset is too small to train anything useful.
const TOO_FEW_ROWS: usize = 10;
/// Below this many rows the model will be weak.
const FEW_ROWS: usize = 30;
/// The recommended minimum number of rows.
const RECOMMENDED_ROWS: usize = 50;

/// The codes of every finding [`quality_findings`] can give; no parse finding uses them.
pub const CODES: [&str; 18] = [
    "too_few_rows",
    "few_rows",
    "below_recommended_rows",
    "duplicate_row",
    "near_duplicate_text",
    "similar_text",
    "conflicting_labels",
    "class_imbalance",
    "low_diversity",
    "label_variants",
    "short_assistant_answers",
    "missing_system_message",
    "missing_user_message",
    "inconsistent_answer_length",
    "mixed_formality",
    "inconsistent_emoji",
    "personal_data",
    "mojibake",
];

/// Quality warnings about the valid rows of `dataset`, file-level ones first, then by line.
///
/// Every finding is a warning: the rows stay usable. Row findings name the line (and the
/// field where it matters: the text or label column, or `messages[i].content` counting the
/// messages kept in the row); file-level findings list counts and example lines.
/// [`crate::parse()`] already adds these to [`Dataset::findings`]; call this to look at them
/// alone. Runs in about linear time in the number of rows.
pub fn quality_findings(dataset: &Dataset) -> Vec<Finding> {
    quality_findings_reporting(dataset, &mut |_| {})
}

/// Share of the work done when every row was pushed; sorting the findings takes the rest.
const PUSHED_SHARE: f64 = 0.98;

/// [`quality_findings`], telling `progress` the share of the work done (0 to 1) now and then.
///
/// The rows go through a [`QualityAccumulator`] in batches, as a stream would give them.
pub(crate) fn quality_findings_reporting(
    dataset: &Dataset,
    progress: &mut dyn FnMut(f64),
) -> Vec<Finding> {
    let mut accumulator = QualityAccumulator::new(&dataset.file_name, &dataset.schema);
    let rows = dataset.rows.len().max(1) as f64;
    let mut report = |done: usize| progress(PUSHED_SHARE * done as f64 / rows);
    let batch_len = parallel::batch_len(duplicates::PREPARE_BATCH);
    for batch in dataset.rows.chunks(batch_len) {
        accumulator.push_reporting(batch, &mut report);
        report(accumulator.rows());
    }
    let findings = accumulator.finish();
    progress(1.0);
    findings
}

/// [`quality_findings_reporting`] as it was, each pass over the whole file in turn: the
/// reference the accumulator is checked against.
#[cfg(test)]
pub(crate) fn reference_quality_findings(dataset: &Dataset) -> Vec<Finding> {
    use crate::check::{chat_style, labels};
    use crate::quality::{mojibake, personal_data};

    let file = dataset.file_name.as_str();
    let fields = FieldNames::of(&dataset.schema);
    let items: Vec<Item<'_>> = dataset.rows.iter().map(Item::of).collect();
    let classification = is_classification(&dataset.schema, &items);
    let mut findings = Vec::new();
    findings.extend(size_finding(file, dataset.rows.len()));
    findings.extend(duplicates::findings(
        file,
        &fields,
        &items,
        classification,
        &mut |_| {},
    ));
    if classification {
        let labelled: Vec<(usize, &str)> = items
            .iter()
            .filter_map(|item| Some((item.line, item.label.as_deref()?)))
            .collect();
        findings.extend(labels::findings(file, &fields.label, &labelled));
    }
    findings.extend(chat_style::tests::reference_findings(file, &dataset.rows));
    for row in &dataset.rows {
        findings.extend(personal_data::finding(file, &fields, row));
        findings.extend(mojibake::finding(file, &fields, row));
    }
    findings.sort_by_key(|finding| finding.line);
    findings
}

/// The `(line, label)` of every labelled row when the labels are classes (see
/// [`is_classification`]); `None` for free-form chat answers.
pub(crate) fn classification_labels(dataset: &Dataset) -> Option<Vec<(usize, String)>> {
    let items: Vec<Item<'_>> = dataset.rows.iter().map(Item::of).collect();
    is_classification(&dataset.schema, &items).then(|| {
        items
            .into_iter()
            .filter_map(|item| Some((item.line, item.label?.into_owned())))
            .collect()
    })
}

// The refresh lives with the passes it runs, so that `Dataset` (a shared type) imports no
// stage above it.
impl Dataset {
    /// Replaces the quality warnings (codes in [`CODES`]) with fresh ones for
    /// the current rows, keeping every other finding; then sorts file-level findings first
    /// and the rest by line, parse findings before quality ones on the same line.
    ///
    /// [`crate::parse()`] calls this once; the fixes in `change::fix` call it on the copies
    /// they return. Call it again after editing `rows` by hand.
    pub fn refresh_quality_findings(&mut self) {
        self.refresh_quality_findings_reporting(&mut |_| {});
    }

    /// [`Dataset::refresh_quality_findings`], telling `progress` the share of the work done
    /// (0 to 1) every thousand rows or so: seconds go by at 100,000 rows.
    pub fn refresh_quality_findings_reporting(&mut self, progress: &mut dyn FnMut(f64)) {
        self.findings
            .retain(|finding| !is_quality_code(&finding.code));
        let fresh = quality_findings_reporting(self, progress);
        self.findings.extend(fresh);
        self.findings.sort_by_key(|finding| finding.line);
    }
}

/// Whether a finding code is one of [`CODES`].
pub fn is_quality_code(code: &str) -> bool {
    CODES.contains(&code)
}

/// Labels are classes for text/label files, and for conversations whose final answers repeat
/// (at most half as many distinct answers as conversations); free-form answers are not classes.
fn is_classification(schema: &Schema, items: &[Item<'_>]) -> bool {
    if matches!(schema, Schema::TextLabel { .. }) {
        return true;
    }
    let answers: Vec<&str> = items
        .iter()
        .filter_map(|item| item.label.as_deref())
        .collect();
    let distinct: HashSet<&str> = answers.iter().copied().collect();
    !answers.is_empty() && distinct.len() * 2 <= answers.len()
}

/// The size warning for a file with `rows` valid rows, if it has too few.
pub(crate) fn size_finding(file: &str, rows: usize) -> Option<Finding> {
    let (code, message) = if rows < TOO_FEW_ROWS {
        (
            "too_few_rows",
            Message::new(
                format!(
                    "The file has only {rows} valid rows: too few to train anything useful. \
                     Add examples until you have at least {RECOMMENDED_ROWS} (and never fewer than {TOO_FEW_ROWS})."
                ),
                format!(
                    "El archivo solo tiene {rows} filas válidas: son demasiado pocas para entrenar algo útil. \
                     Añade ejemplos hasta tener al menos {RECOMMENDED_ROWS} (y nunca menos de {TOO_FEW_ROWS})."
                ),
            ),
        )
    } else if rows < FEW_ROWS {
        (
            "few_rows",
            Message::new(
                format!(
                    "The file has {rows} valid rows: the model will be weak. \
                     Add examples until you have at least {RECOMMENDED_ROWS}."
                ),
                format!(
                    "El archivo tiene {rows} filas válidas: el modelo saldrá flojo. \
                     Añade ejemplos hasta tener al menos {RECOMMENDED_ROWS}."
                ),
            ),
        )
    } else if rows < RECOMMENDED_ROWS {
        (
            "below_recommended_rows",
            Message::new(
                format!(
                    "The file has {rows} valid rows, below the recommended {RECOMMENDED_ROWS}. \
                     Add a few more examples for steadier results."
                ),
                format!(
                    "El archivo tiene {rows} filas válidas, menos de las {RECOMMENDED_ROWS} recomendadas. \
                     Añade algunos ejemplos más para que los resultados sean más estables."
                ),
            ),
        )
    } else {
        return None;
    };
    Some(Finding::warning(file, None, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::parse;

    fn csv_with_rows(count: usize) -> String {
        let mut csv = String::from("text,label\n");
        for index in 0..count {
            let label = if index % 2 == 0 { "pos" } else { "neg" };
            csv.push_str(&format!(
                "example number {index} {},{label}\n",
                "word ".repeat(index % 7)
            ));
        }
        csv
    }

    fn size_codes(count: usize) -> Vec<String> {
        let dataset = parse("a.csv", csv_with_rows(count).as_bytes()).unwrap();
        quality_findings(&dataset)
            .into_iter()
            .filter(|finding| finding.code.ends_with("rows"))
            .map(|finding| finding.code)
            .collect()
    }

    #[test]
    fn size_thresholds() {
        assert_eq!(size_codes(1), ["too_few_rows"]);
        assert_eq!(size_codes(9), ["too_few_rows"]);
        assert_eq!(size_codes(10), ["few_rows"]);
        assert_eq!(size_codes(29), ["few_rows"]);
        assert_eq!(size_codes(30), ["below_recommended_rows"]);
        assert_eq!(size_codes(49), ["below_recommended_rows"]);
        assert!(size_codes(50).is_empty());
        assert!(size_codes(200).is_empty());
    }

    #[test]
    fn size_finding_is_file_level_and_bilingual() {
        let finding = size_finding("a.csv", 3).unwrap();
        assert_eq!(finding.line, None);
        assert!(finding.message.en.contains("only 3 valid rows"));
        assert!(finding.message.es.contains("solo tiene 3 filas"));
        assert!(!finding.is_error());
    }

    #[test]
    fn a_clean_dataset_has_no_quality_findings() {
        let dataset = parse("a.csv", csv_with_rows(60).as_bytes()).unwrap();
        let findings = quality_findings(&dataset);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    /// Many rows sharing most words: the worst case for the similarity buckets.
    #[test]
    #[ignore = "slow in debug builds; run with `cargo test --release -- --ignored`"]
    fn a_hundred_thousand_rows() {
        let labels = ["pos", "neg", "neu"];
        let mut csv = String::from("text,label\n");
        for index in 0..100_000_usize {
            csv.push_str(&format!(
                "review {index}: the product {} arrived {} and works {} for ana{}@correo.es,{}\n",
                index % 97,
                index % 89,
                index % 83,
                index % 7,
                labels[index % 3]
            ));
        }
        let dataset = parse("big.csv", csv.as_bytes()).unwrap();
        assert_eq!(dataset.rows.len(), 100_000);
        assert!(
            dataset
                .findings
                .iter()
                .any(|finding| finding.code == "personal_data")
        );
    }

    /// The whole quality report is the same however the rows are spread over threads and
    /// batches (each row's findings stay in file order).
    #[test]
    fn same_report_in_any_spread() {
        for (seed, chat) in [(11, false), (12, true)] {
            let name = if chat { "c.jsonl" } else { "t.csv" };
            let text = crate::test_support::file_with_every_finding(seed, 2_000, chat);
            let dataset = parse(name, text.as_bytes()).unwrap();
            // Reading the lines on several threads gives the same dataset too.
            for threads in [2, 3, 5] {
                let spread = crate::parallel::with_spread(threads, 1, 0, || {
                    parse(name, text.as_bytes()).unwrap()
                });
                assert_eq!(spread, dataset, "{name} read on {threads} threads");
            }
            let expected =
                crate::parallel::with_spread(1, usize::MAX, 0, || quality_findings(&dataset));
            let codes: HashSet<&str> = expected
                .iter()
                .map(|finding| finding.code.as_str())
                .collect();
            for code in [
                "personal_data",
                "mojibake",
                "conflicting_labels",
                "similar_text",
            ] {
                assert!(codes.contains(code), "{code} missing from {codes:?}");
            }
            if chat {
                for code in [
                    "missing_user_message",
                    "missing_system_message",
                    "mixed_formality",
                ] {
                    assert!(codes.contains(code), "{code} missing from {codes:?}");
                }
            }
            for (threads, batch) in [(2, 1), (3, 5), (4, 333), (7, 0)] {
                let got =
                    crate::parallel::with_spread(threads, 1, batch, || quality_findings(&dataset));
                assert_eq!(
                    got, expected,
                    "{name}, {threads} threads, batches of {batch}"
                );
            }
        }
    }

    /// A chat file whose answers are free-form (not classes) until `classes_from`, then repeat:
    /// the same questions come back with other answers (conflicts only if answers are classes).
    fn chat_with_answers(rows: usize, classes_from: usize) -> String {
        (0..rows)
            .map(|index| {
                let answer = if index < classes_from {
                    format!("respuesta libre número {index}")
                } else {
                    ["sí", "no"][index % 2].to_owned()
                };
                let question = format!("pregunta {}", index % 40);
                format!(
                    "{}\n",
                    serde_json::json!({"messages": [
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": answer},
                    ]})
                )
            })
            .collect()
    }

    /// The accumulator fed in batches of any size gives the findings of the whole-file passes.
    #[test]
    fn the_accumulator_agrees_with_the_whole_file_passes() {
        let mut files: Vec<(&str, String)> = Vec::new();
        for (seed, chat) in [(31, false), (32, true), (33, false), (34, true)] {
            let name = if chat { "c.jsonl" } else { "t.csv" };
            files.push((
                name,
                crate::test_support::file_with_every_finding(seed, 1_500, chat),
            ));
        }
        files.push(("free.jsonl", chat_with_answers(300, 300)));
        files.push(("flips.jsonl", chat_with_answers(300, 100)));
        files.push(("flips_back.jsonl", chat_with_answers(120, 100)));
        files.push(("one.csv", "text,label\nhola,a\n".to_owned()));
        let mut rng = crate::test_support::XorShift(0xACC);
        for (name, text) in &files {
            let dataset = parse(name, text.as_bytes()).unwrap();
            let expected = reference_quality_findings(&dataset);
            assert_eq!(quality_findings(&dataset), expected, "{name}");
            let conflicts = expected
                .iter()
                .any(|finding| finding.code == "conflicting_labels");
            assert_eq!(
                conflicts,
                !name.starts_with("free")
                    && !name.starts_with("flips_back")
                    && !name.starts_with("one"),
                "{name}"
            );
            let rows = dataset.rows.len();
            for batch in [1, 2, 7, 333, rows.max(1), 0] {
                let mut accumulator = QualityAccumulator::new(name, &dataset.schema);
                let mut rest = dataset.rows.as_slice();
                while !rest.is_empty() {
                    // 0: random batch sizes, empty batches included.
                    let size = if batch == 0 { rng.below(50) } else { batch };
                    let (pushed, after) = rest.split_at(size.min(rest.len()));
                    accumulator.push(pushed);
                    rest = after;
                }
                assert_eq!(accumulator.rows(), rows);
                assert_eq!(accumulator.finish(), expected, "{name}, batches of {batch}");
            }
        }
        let empty = QualityAccumulator::new("e.csv", &Schema::Chat).finish();
        assert_eq!(
            empty
                .iter()
                .map(|finding| finding.code.as_str())
                .collect::<Vec<_>>(),
            ["too_few_rows"]
        );
    }

    #[test]
    fn every_code_is_listed() {
        assert!(is_quality_code("duplicate_row"));
        assert!(!is_quality_code("missing_label"));
    }

    #[test]
    fn free_form_chat_answers_are_not_classes() {
        let chat = |answer: &str| {
            format!(
                "{{\"messages\": [{{\"role\": \"user\", \"content\": \"q {answer}\"}}, {{\"role\": \"assistant\", \"content\": \"{answer}\"}}]}}\n"
            )
        };
        let free: String = ["a", "b", "c", "d"]
            .iter()
            .map(|answer| chat(answer))
            .collect();
        let dataset = parse("c.jsonl", free.as_bytes()).unwrap();
        let items: Vec<Item<'_>> = dataset.rows.iter().map(Item::of).collect();
        assert!(!is_classification(&dataset.schema, &items));
        let classes: String = ["si", "no", "si", "no"]
            .iter()
            .map(|answer| chat(answer))
            .collect();
        let dataset = parse("c.jsonl", classes.as_bytes()).unwrap();
        let items: Vec<Item<'_>> = dataset.rows.iter().map(Item::of).collect();
        assert!(is_classification(&dataset.schema, &items));
    }

    #[test]
    fn prompt_completion_findings_name_the_columns() {
        let csv = "Pregunta,Respuesta\n¿Tu correo?,Escribe a ana@correo.es\n¿Hora?,Las diez\n";
        let dataset = parse("a.csv", csv.as_bytes()).unwrap();
        let personal: Vec<(Option<usize>, Option<&str>)> = dataset
            .findings
            .iter()
            .filter(|finding| finding.code == "personal_data")
            .map(|finding| (finding.line, finding.field.as_deref()))
            .collect();
        assert_eq!(personal, [(Some(2), Some("Respuesta"))]);
    }
}
