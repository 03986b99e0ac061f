//! Duplicates and diversity: exact duplicate rows, texts equal once normalized, similar texts,
//! the same text with conflicting labels, and too few distinct inputs.

use std::collections::hash_map::Entry;

use foldhash::{HashMap, HashSet};

use crate::finding::{Finding, Message};
#[cfg(test)]
use crate::normalize::label_key;
use crate::normalize::{hash128, text_key, word_set};
use crate::quality::fields::{FieldNames, Item};
use crate::quality::label_ids::{LabelId, LabelIds};
use crate::quality::minhash::{Prepared, SimilarityIndex};
use crate::wording::preview;

/// Items between two reports of progress.
pub(crate) const PROGRESS_EVERY: usize = 1024;

/// Below this share of distinct inputs, the data is repetitive.
const MIN_DIVERSITY: f64 = 0.8;

/// Duplicate, near-duplicate, similar, conflicting and diversity findings over `items` in
/// file order. Each later row is compared with the first row it matches. `classification`
/// says whether different labels for the same text are a conflict. `progress` is told the
/// share of `items` done, every [`PROGRESS_EVERY`] items.
#[cfg(test)]
pub(crate) fn findings(
    file: &str,
    fields: &FieldNames,
    items: &[Item<'_>],
    classification: bool,
    progress: &mut dyn FnMut(f64),
) -> Vec<Finding> {
    let mut duplicates = Duplicates::default();
    let mut labels = LabelIds::default();
    // What each item needs on its own (keys, hashes, word sets, band keys) is computed in
    // batches on every core; comparing an item with the earlier ones stays in file order.
    let batch_len = crate::parallel::batch_len(PREPARE_BATCH);
    for (batch_number, batch) in items.chunks(batch_len).enumerate() {
        let prepared = crate::parallel::map(batch, |item| duplicates.keys(item));
        for (offset, (item, keys)) in batch.iter().zip(prepared).enumerate() {
            let index = batch_number * batch_len + offset;
            if index.is_multiple_of(PROGRESS_EVERY) {
                progress(index as f64 / items.len() as f64);
            }
            let label = item.label.as_deref().map(|label| labels.intern(label));
            duplicates.add(file, fields, &labels, item, label, keys);
        }
    }
    duplicates.finish(file, classification)
}

/// Items prepared at a time: enough to keep every core busy, few enough to bound memory.
pub(crate) const PREPARE_BATCH: usize = 16_384;

/// Fixed seeds, so that the hashes below never depend on the run.
const CONTENT_SEEDS: [u64; 2] = [0x5EED_0001, 0x5EED_0004];
const INPUT_SEEDS: [u64; 2] = [0x5EED_0002, 0x5EED_0003];

/// An item's keys, computed before it is compared with the earlier items.
#[derive(Debug)]
pub(crate) struct Keys {
    /// 128 bits of hash of the row's content, to find exact copies.
    content_hash: u128,
    /// 128 bits of hash of the [`text_key`] (or the input itself when the key is empty), to
    /// count distinct inputs without keeping them, and (for a labelled item with a non-empty
    /// key, the only ones compared so) to find texts equal once normalized.
    input_hash: u128,
    /// The input's prepared word set (only for a labelled item with a non-empty key).
    prepared: Option<Prepared>,
}

/// The first row seen with a normalized text: its line and the id of its label.
#[derive(Debug, Clone, Copy)]
struct FirstSeen {
    line: usize,
    label: LabelId,
}

/// The first row with a normalized text, as a conflict names it.
struct FirstText<'label> {
    line: usize,
    label: &'label str,
}

/// A finding of the duplicate passes, and whether it counts only when labels are classes.
#[derive(Debug, Clone)]
struct Found {
    finding: Finding,
    is_conflict: bool,
}

/// The duplicate passes over items given in file order, keeping digests of the earlier ones:
/// per row a 128-bit content hash and its line (exact copies), per distinct normalized text
/// a 128-bit hash with its first line and label id, per distinct input a 128-bit hash, and the
/// similarity index's word hashes of the distinct labelled texts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Duplicates {
    /// Content hash → the line of the first row with that content.
    exact: HashMap<u128, usize>,
    /// Normalized text's hash → the first row with it.
    first_texts: HashMap<u128, FirstSeen>,
    distinct_inputs: HashSet<u128>,
    similarity: SimilarityIndex,
    items: usize,
    /// Row findings in file order; conflicts are kept until it is known whether labels are
    /// classes.
    found: Vec<Found>,
}

impl Duplicates {
    /// What [`Duplicates::add`] needs of `item`, computed without touching the state (so many
    /// items can be prepared at once, on several threads).
    pub(crate) fn keys(&self, item: &Item<'_>) -> Keys {
        let key = text_key(&item.input);
        let distinct: &str = if key.is_empty() { &item.input } else { &key };
        let input_hash = hash128(distinct, INPUT_SEEDS);
        let prepared = (item.label.is_some() && !key.is_empty())
            .then(|| self.similarity.prepare(word_set(&key)));
        Keys {
            content_hash: hash128(item.content, CONTENT_SEEDS),
            input_hash,
            prepared,
        }
    }

    /// Compares the next item of the file (with its `keys`, and the id of its label in
    /// `labels`) with the earlier items and records it.
    pub(crate) fn add(
        &mut self,
        file: &str,
        fields: &FieldNames,
        labels: &LabelIds,
        item: &Item<'_>,
        label: Option<LabelId>,
        keys: Keys,
    ) {
        self.items += 1;
        let Keys {
            content_hash,
            input_hash,
            prepared,
        } = keys;
        // The hash of the key itself whenever it is compared below (`prepared` needs a key).
        let key_hash = input_hash;
        self.distinct_inputs.insert(input_hash);
        match self.exact.entry(content_hash) {
            Entry::Occupied(first_line) => {
                let finding = duplicate_row(file, item.line, *first_line.get());
                self.found.push(Found {
                    finding,
                    is_conflict: false,
                });
                return;
            }
            Entry::Vacant(slot) => {
                slot.insert(item.line);
            }
        }
        let (Some(label), Some(prepared)) = (label, prepared) else {
            return;
        };
        if let Some(first) = self.first_texts.get(&key_hash) {
            // Label keys are only needed when two texts meet.
            let found = if labels.same_key(first.label, label) {
                Found {
                    finding: near_duplicate(file, fields, item, first.line),
                    is_conflict: false,
                }
            } else {
                let first_text = FirstText {
                    line: first.line,
                    label: labels.text(first.label),
                };
                Found {
                    finding: conflicting_labels(
                        file,
                        fields,
                        item,
                        labels.text(label),
                        &first_text,
                    ),
                    is_conflict: true,
                }
            };
            self.found.push(found);
            return;
        }
        if let Some(other_line) = self
            .similarity
            .find_then_insert_prepared(item.line, prepared)
        {
            self.found.push(Found {
                finding: similar_text(file, fields, item.line, other_line),
                is_conflict: false,
            });
        }
        self.first_texts.insert(
            key_hash,
            FirstSeen {
                line: item.line,
                label,
            },
        );
    }

    /// The row findings in file order (conflicting labels only when `classification`), then
    /// the diversity finding.
    pub(crate) fn finish(self, file: &str, classification: bool) -> Vec<Finding> {
        let mut findings: Vec<Finding> = self
            .found
            .into_iter()
            .filter(|found| classification || !found.is_conflict)
            .map(|found| found.finding)
            .collect();
        findings.extend(low_diversity(file, self.distinct_inputs.len(), self.items));
        findings
    }
}

pub(crate) fn duplicate_row(file: &str, line: usize, first_line: usize) -> Finding {
    Finding::warning(
        file,
        Some(line),
        "duplicate_row",
        Message::new(
            format!(
                "Line {line} is an exact copy of line {first_line}. Duplicates make the model \
                 overweight that example and inflate the validation score: delete line {line}."
            ),
            format!(
                "La línea {line} es una copia exacta de la línea {first_line}. Los duplicados hacen que el \
                 modelo dé demasiado peso a ese ejemplo e inflan la nota de validación: borra la línea {line}."
            ),
        ),
    )
}

fn near_duplicate(file: &str, fields: &FieldNames, item: &Item<'_>, first_line: usize) -> Finding {
    let line = item.line;
    Finding::warning(
        file,
        Some(line),
        "near_duplicate_text",
        Message::new(
            format!(
                "Line {line} says the same as line {first_line}; only capitals, spaces or punctuation \
                 differ (\"{}\"). Delete one of them or rewrite it as a different example.",
                preview(&item.input)
            ),
            format!(
                "La línea {line} dice lo mismo que la línea {first_line}; solo cambian mayúsculas, espacios \
                 o signos (\"{}\"). Borra una de las dos o reescríbela como un ejemplo distinto.",
                preview(&item.input)
            ),
        ),
    )
    .with_field(fields.text.clone())
}

fn conflicting_labels(
    file: &str,
    fields: &FieldNames,
    item: &Item<'_>,
    label: &str,
    first: &FirstText<'_>,
) -> Finding {
    let (line, first_line, first_label) = (item.line, first.line, first.label);
    Finding::warning(
        file,
        Some(line),
        "conflicting_labels",
        Message::new(
            format!(
                "Line {line} has the same text as line {first_line} (\"{}\") but the label \"{label}\" \
                 instead of \"{first_label}\". The model cannot learn both: keep the right label and \
                 fix or delete the other line.",
                preview(&item.input)
            ),
            format!(
                "La línea {line} tiene el mismo texto que la línea {first_line} (\"{}\") pero la etiqueta \
                 \"{label}\" en vez de \"{first_label}\". El modelo no puede aprender las dos: deja la \
                 etiqueta correcta y corrige o borra la otra línea.",
                preview(&item.input)
            ),
        ),
    )
    .with_field(fields.label.clone())
}

fn similar_text(file: &str, fields: &FieldNames, line: usize, other_line: usize) -> Finding {
    Finding::warning(
        file,
        Some(line),
        "similar_text",
        Message::new(
            format!(
                "Line {line} is almost the same text as line {other_line} (80 % or more of the words \
                 are shared). Near copies add little: delete one or make it a really different example."
            ),
            format!(
                "La línea {line} es casi el mismo texto que la línea {other_line} (comparten el 80 % o más \
                 de las palabras). Las casi copias aportan poco: borra una o conviértela en un ejemplo \
                 realmente distinto."
            ),
        ),
    )
    .with_field(fields.text.clone())
}

fn low_diversity(file: &str, distinct: usize, rows: usize) -> Option<Finding> {
    if rows == 0 || distinct as f64 >= MIN_DIVERSITY * rows as f64 {
        return None;
    }
    let percent = distinct * 100 / rows;
    Some(Finding::warning(
        file,
        None,
        "low_diversity",
        Message::new(
            format!(
                "Only {distinct} of the {rows} rows have a different text ({percent} %). The model learns \
                 little from repeated texts: add new, varied examples and remove repeats."
            ),
            format!(
                "Solo {distinct} de las {rows} filas tienen un texto distinto ({percent} %). El modelo aprende \
                 poco de textos repetidos: añade ejemplos nuevos y variados y quita las repeticiones."
            ),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Finding;
    use crate::quality::fields::{FieldNames, Item};
    use crate::test_support::parse;
    use crate::test_support::{file_with_every_finding, found};
    use crate::{Dataset, parallel};

    /// [`findings`] as it was: one item after the other, every key made on the spot, the exact
    /// copies found by content, the label keys kept, the reference similarity search.
    fn reference_findings(
        file: &str,
        fields: &FieldNames,
        items: &[Item<'_>],
        classification: bool,
    ) -> Vec<Finding> {
        struct First<'item> {
            line: usize,
            label: &'item str,
            label_key: String,
        }
        let mut findings = Vec::new();
        let mut exact: std::collections::HashMap<&crate::row::RowContent, usize> =
            Default::default();
        let mut first_texts: std::collections::HashMap<String, First<'_>> = Default::default();
        let mut distinct_inputs: std::collections::HashSet<String> = Default::default();
        let mut similarity = SimilarityIndex::new();
        for item in items {
            let key = text_key(&item.input);
            distinct_inputs.insert(if key.is_empty() {
                item.input.to_string()
            } else {
                key.clone()
            });
            if let Some(first_line) = exact.get(item.content) {
                findings.push(duplicate_row(file, item.line, *first_line));
                continue;
            }
            exact.insert(item.content, item.line);
            let Some(label) = item.label.as_deref() else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            let this_label_key = label_key(label);
            if let Some(first) = first_texts.get(&key) {
                if first.label_key == this_label_key {
                    findings.push(near_duplicate(file, fields, item, first.line));
                } else if classification {
                    let first_text = FirstText {
                        line: first.line,
                        label: first.label,
                    };
                    findings.push(conflicting_labels(file, fields, item, label, &first_text));
                }
                continue;
            }
            if let Some(other_line) =
                similarity.find_then_insert_reference(item.line, word_set(&key))
            {
                findings.push(similar_text(file, fields, item.line, other_line));
            }
            first_texts.insert(
                key,
                First {
                    line: item.line,
                    label,
                    label_key: this_label_key,
                },
            );
        }
        findings.extend(low_diversity(file, distinct_inputs.len(), items.len()));
        findings
    }

    fn every_kind(dataset: &Dataset) -> std::collections::BTreeSet<String> {
        dataset
            .findings
            .iter()
            .map(|finding| finding.code.clone())
            .collect()
    }

    #[test]
    fn same_findings_as_the_reference_in_any_batching() {
        for (seed, chat) in [(1, false), (2, true), (3, false), (4, true)] {
            let name = if chat { "c.jsonl" } else { "t.csv" };
            let text = file_with_every_finding(seed, 2_500, chat);
            let dataset = parse(name, text.as_bytes()).unwrap();
            let codes = every_kind(&dataset);
            for code in [
                "duplicate_row",
                "near_duplicate_text",
                "similar_text",
                "personal_data",
                "mojibake",
            ] {
                assert!(codes.contains(code), "{code} missing from {codes:?}");
            }
            let fields = FieldNames::of(&dataset.schema);
            let items: Vec<Item<'_>> = dataset.rows.iter().map(Item::of).collect();
            for classification in [true, false] {
                let expected = reference_findings(name, &fields, &items, classification);
                assert!(expected.len() > 100);
                for (threads, batch) in [(1, 0), (2, 1), (3, 7), (4, 1000), (5, 0)] {
                    let got = parallel::with_spread(threads, 1, batch, || {
                        findings(name, &fields, &items, classification, &mut |_| {})
                    });
                    assert_eq!(
                        got, expected,
                        "{name}, {threads} threads, batches of {batch}"
                    );
                }
            }
        }
    }

    fn lines(findings: &[Finding]) -> Vec<Option<usize>> {
        findings.iter().map(|finding| finding.line).collect()
    }

    #[test]
    fn exact_duplicate_names_the_first_line() {
        let csv = "text,label\nMe encanta,pos\nLo odio,neg\nMe encanta,pos\nMe encanta,pos\n";
        let findings = found("a.csv", csv, "duplicate_row");
        assert_eq!(lines(&findings), [Some(4), Some(5)]);
        assert!(findings[0].message.en.contains("copy of line 2"));
        assert!(
            findings[1]
                .message
                .es
                .contains("copia exacta de la línea 2")
        );
        // Same text, other label: not an exact duplicate.
        assert!(found("a.csv", "text,label\nhola,a\nhola,b\n", "duplicate_row").is_empty());
    }

    #[test]
    fn exact_duplicate_chat_rows() {
        let line = r#"{"messages": [{"role": "user", "content": "hola"}, {"role": "assistant", "content": "¡Hola! ¿En qué te ayudo?"}]}"#;
        let other = r#"{"messages": [{"role": "user", "content": "adiós"}, {"role": "assistant", "content": "¡Hasta pronto!"}]}"#;
        let jsonl = format!("{line}\n{other}\n{line}\n");
        assert_eq!(lines(&found("c.jsonl", &jsonl, "duplicate_row")), [Some(3)]);
    }

    #[test]
    fn normalized_duplicate() {
        let csv = "text,label\nMe encanta este producto,pos\n¡ME ENCANTA   este producto!,pos\nOtro texto,pos\n";
        let findings = found("a.csv", csv, "near_duplicate_text");
        assert_eq!(lines(&findings), [Some(3)]);
        assert_eq!(findings[0].field.as_deref(), Some("text"));
        assert!(findings[0].message.en.contains("same as line 2"));
        // Accents are meaningful in the text: not a duplicate.
        assert!(
            found(
                "a.csv",
                "text,label\nel té,a\nel te,a\n",
                "near_duplicate_text"
            )
            .is_empty()
        );
    }

    #[test]
    fn conflicting_labels_name_both_lines_and_labels() {
        let jsonl = "{\"text\": \"Está bien\", \"label\": \"positivo\"}\n{\"text\": \"otro\", \"label\": \"x\"}\n{\"text\": \"está bien.\", \"label\": \"negativo\"}\n";
        let findings = found("a.jsonl", jsonl, "conflicting_labels");
        assert_eq!(lines(&findings), [Some(3)]);
        let message = &findings[0].message.en;
        assert!(
            message.contains("Line 3") && message.contains("line 1"),
            "{message}"
        );
        assert!(message.contains("\"negativo\"") && message.contains("\"positivo\""));
        assert_eq!(findings[0].field.as_deref(), Some("label"));
        // Label variants are not a conflict.
        let variants = "text,label\nbien,Positivo\nBien,positivo\n";
        assert!(found("a.csv", variants, "conflicting_labels").is_empty());
        assert_eq!(
            lines(&found("a.csv", variants, "near_duplicate_text")),
            [Some(3)]
        );
    }

    #[test]
    fn similar_texts() {
        let csv = "text,label\n\
            me encanta este producto lo recomiendo,pos\n\
            el envío llegó tarde,neg\n\
            me encanta este producto y lo recomiendo,pos\n\
            me encanta este móvil,pos\n";
        let findings = found("a.csv", csv, "similar_text");
        assert_eq!(lines(&findings), [Some(4)]);
        assert!(findings[0].message.en.contains("line 2"));
        assert!(findings[0].message.es.contains("línea 2"));
    }

    #[test]
    fn low_diversity_is_file_level() {
        let csv = "text,label\na b,x\na b,y\nA B!,x\nc,y\nc,x\n";
        let findings = found("a.csv", csv, "low_diversity");
        assert_eq!(lines(&findings), [None]);
        assert!(findings[0].message.en.contains("Only 2 of the 5 rows"));
        let varied = "text,label\nuno,x\ndos,y\ntres,x\ncuatro,y\ncinco,x\n";
        assert!(found("a.csv", varied, "low_diversity").is_empty());
    }
}
