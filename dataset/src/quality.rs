//! The quality report: warnings about size, duplicates, labels, chat style, personal data and
//! mojibake, computed from the valid rows of a [`Dataset`].

use std::borrow::Cow;
use std::collections::HashSet;

use crate::dataset::Dataset;
use crate::finding::{Finding, Message};
use crate::format::Schema;
use crate::row::{Role, Row, RowContent};
use crate::{chat_style, duplicates, labels, mojibake, parallel, personal_data};

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

/// Shares of the work (measured on a 40 MB CSV) done by the end of the duplicate passes, and
/// by the end of the label and chat-style passes; the per-row passes take the rest.
const DUPLICATES_SHARE: f64 = 0.78;
const LABELS_SHARE: f64 = 0.8;

/// [`quality_findings`], telling `progress` the share of the work done (0 to 1) now and then.
pub(crate) fn quality_findings_reporting(
    dataset: &Dataset,
    progress: &mut dyn FnMut(f64),
) -> Vec<Finding> {
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
        &mut |done| progress(done * DUPLICATES_SHARE),
    ));
    progress(DUPLICATES_SHARE);
    if classification {
        let labelled: Vec<(usize, &str)> = items
            .iter()
            .filter_map(|item| Some((item.line, item.label.as_deref()?)))
            .collect();
        findings.extend(labels::findings(file, &fields.label, &labelled));
    }
    findings.extend(chat_style::findings(file, &dataset.rows));
    progress(LABELS_SHARE);
    let rows = dataset.rows.len() as f64;
    // Each row on its own, on every core (in batches, to tell the progress between them).
    let batch_len = parallel::batch_len(duplicates::PROGRESS_EVERY * 8);
    for (batch_number, batch) in dataset.rows.chunks(batch_len).enumerate() {
        let done = batch_number * batch_len;
        progress(LABELS_SHARE + (1.0 - LABELS_SHARE) * done as f64 / rows);
        let row_findings = parallel::map(batch, |row| {
            let mut found = personal_data::finding(file, &fields, row);
            found.extend(mojibake::finding(file, &fields, row));
            found
        });
        findings.extend(row_findings.into_iter().flatten());
    }
    // Stable: file-level findings (no line) first, then by line, in the order found.
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

/// Whether a finding code is one of [`CODES`].
pub fn is_quality_code(code: &str) -> bool {
    CODES.contains(&code)
}

/// What the text and label fields are called in findings.
#[derive(Debug, Clone)]
pub(crate) struct FieldNames {
    pub(crate) text: String,
    pub(crate) label: String,
    /// Prompt/completion rows: name the user message by `text` and the answer by `label`
    /// instead of `messages[i].content`.
    pub(crate) messages_by_column: bool,
}

impl FieldNames {
    pub(crate) fn of(schema: &Schema) -> Self {
        match schema {
            Schema::TextLabel {
                text_column,
                label_column,
            } => Self {
                text: text_column.clone(),
                label: label_column.clone(),
                messages_by_column: false,
            },
            Schema::Chat => Self {
                text: "messages".to_owned(),
                label: "messages".to_owned(),
                messages_by_column: false,
            },
            Schema::PromptCompletion {
                prompt_column,
                completion_column,
            } => Self {
                text: prompt_column.clone(),
                label: completion_column.clone(),
                messages_by_column: true,
            },
        }
    }
}

/// The text fields of a row: the text and label of a text/label row, or each message content
/// of a conversation, with what they are and where (named only when a finding needs it).
pub(crate) fn text_fields(row: &Row) -> impl Iterator<Item = (&str, FieldKind, FieldPlace)> {
    let (pair, messages) = match &row.content {
        RowContent::TextLabel { text, label } => (
            [
                Some((text.as_str(), FieldKind::Text, FieldPlace::Text)),
                Some((label.as_str(), FieldKind::Label, FieldPlace::Label)),
            ],
            [].as_slice(),
        ),
        RowContent::Chat { messages } => ([None, None], messages.as_slice()),
    };
    pair.into_iter()
        .flatten()
        .chain(messages.iter().enumerate().map(|(index, message)| {
            (
                message.content.as_str(),
                FieldKind::Text,
                FieldPlace::Message {
                    index,
                    role: message.role,
                },
            )
        }))
}

/// Where a text field is in its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldPlace {
    /// The text column.
    Text,
    /// The label column.
    Label,
    /// A message of a conversation (counting the messages kept in the row).
    Message { index: usize, role: Role },
}

impl FieldPlace {
    /// The field's name in findings: the column, or `messages[i].content` (the prompt or
    /// completion column for prompt/completion rows).
    pub(crate) fn name(self, fields: &FieldNames) -> String {
        match self {
            Self::Text => fields.text.clone(),
            Self::Label => fields.label.clone(),
            Self::Message { index, role } => match (fields.messages_by_column, role) {
                (true, Role::Assistant) => fields.label.clone(),
                (true, _) => fields.text.clone(),
                (false, _) => format!("messages[{index}].content"),
            },
        }
    }
}

/// Whether a field holds free text or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Label,
}

/// A row seen as an input and, when it has one, a label (borrowed from the row where it can be).
#[derive(Debug)]
pub(crate) struct Item<'row> {
    pub(crate) line: usize,
    pub(crate) content: &'row RowContent,
    /// The text (or the user messages of a conversation, or all its messages without any).
    pub(crate) input: Cow<'row, str>,
    /// The label (or the last assistant answer); `None` for a conversation without a user message.
    pub(crate) label: Option<Cow<'row, str>>,
}

impl<'row> Item<'row> {
    /// The [`Row::example`] of `row` (or its whole text when it has none), without copying.
    pub(crate) fn of(row: &'row Row) -> Self {
        let label = row.example_label();
        let input = match &row.content {
            RowContent::TextLabel { text, .. } => Cow::Borrowed(text.as_str()),
            RowContent::Chat { messages } => {
                // The example joins the user turns; without an example, every turn.
                let mut contents = messages
                    .iter()
                    .filter(|message| label.is_none() || message.role == Role::User)
                    .map(|message| message.content.as_str());
                match (contents.next(), contents.next()) {
                    (None, _) => Cow::Borrowed(""),
                    (Some(only), None) => Cow::Borrowed(only),
                    (Some(first), Some(second)) => {
                        let mut joined = [first, second].join("\n");
                        for content in contents {
                            joined.push('\n');
                            joined.push_str(content);
                        }
                        Cow::Owned(joined)
                    }
                }
            }
        };
        Self {
            line: row.line,
            content: &row.content,
            input,
            label: label.map(Cow::Borrowed),
        }
    }
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

fn size_finding(file: &str, rows: usize) -> Option<Finding> {
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
    use crate::parse;

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
