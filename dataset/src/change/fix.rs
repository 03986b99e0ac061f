//! Safe fixes: pure functions that return a fixed copy of a dataset and a report of what
//! changed. The input is never modified, so keeping it is the undo.
//!
//! Every fixed dataset has its quality warnings recomputed (see
//! [`Dataset::refresh_quality_findings`]); the parse findings are kept as they were.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::check::labels::merge_map;
use crate::dataset::Dataset;
use crate::finding::Message;
use crate::quality::classification_labels;
use crate::quality::{mojibake, personal_data};
use crate::row::{Role, Row, RowContent};
use crate::wording::{count, lines_phrase};

/// A safe fix: a fixed copy of the dataset and what changed.
pub type SafeFix = fn(&Dataset) -> Fixed;

/// Every safe fix by its code (the name of its function), in the order the app offers them.
pub const SAFE_FIXES: [(&str, SafeFix); 5] = [
    ("trim_whitespace", trim_whitespace),
    ("merge_label_variants", merge_label_variants),
    ("drop_exact_duplicates", drop_exact_duplicates),
    ("redact_personal_data", redact_personal_data),
    ("repair_mojibake", repair_mojibake),
];

/// The safe fix whose code is `code`, applied to `dataset`; `None` for an unknown code.
pub fn apply(code: &str, dataset: &Dataset) -> Option<Fixed> {
    SAFE_FIXES
        .iter()
        .find(|(name, _)| *name == code)
        .map(|(_, fix)| fix(dataset))
}

/// What a fix did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixReport {
    /// Stable snake_case code of the fix, the name of its function (`trim_whitespace`, …).
    pub code: String,
    /// Lines of the rows that were changed or dropped, ascending; empty when nothing changed.
    pub changed_lines: Vec<usize>,
    /// What was done, in English and Spanish.
    pub description: Message,
}

/// A fixed copy of a dataset and the report of the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    /// The dataset after the fix, with fresh quality warnings.
    pub dataset: Dataset,
    /// What the fix changed.
    pub report: FixReport,
}

/// Which fields a text fix rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fields {
    /// Texts and message contents.
    Texts,
    /// Texts, message contents and labels.
    TextsAndLabels,
}

/// Removes spaces, tabs and line breaks at the start and end of every text, label and message.
///
/// A message made only of spaces is left alone, so no row becomes invalid.
pub fn trim_whitespace(dataset: &Dataset) -> Fixed {
    let (fixed, changed) = rewrite_fields(dataset, Fields::TextsAndLabels, |text| {
        let trimmed = text.trim();
        (trimmed.len() != text.len() && !trimmed.is_empty()).then(|| trimmed.to_owned())
    });
    let (lines_en, lines_es) = lines_phrase(&changed);
    let description = if changed.is_empty() {
        Message::new(
            "No text had spaces at the start or end; nothing changed.",
            "Ningún texto tenía espacios al principio o al final; no ha cambiado nada.",
        )
    } else {
        Message::new(
            format!(
                "Removed spaces at the start and end of the texts in {} ({lines_en}).",
                count(changed.len(), "row", "rows")
            ),
            format!(
                "Se han quitado los espacios del principio y del final de los textos en {} ({lines_es}).",
                count(changed.len(), "fila", "filas")
            ),
        )
    };
    finish(fixed, "trim_whitespace", changed, description)
}

/// Rewrites labels that differ only in case, spacing or accents into their most frequent
/// spelling (the earliest one on a tie), as the `label_variants` warning proposes.
///
/// For conversations whose answers are classes, the last assistant answer is the label.
pub fn merge_label_variants(dataset: &Dataset) -> Fixed {
    let labels = classification_labels(dataset).unwrap_or_default();
    let label_refs: Vec<&str> = labels.iter().map(|(_, label)| label.as_str()).collect();
    let map = merge_map(&label_refs);
    let mut fixed = dataset.clone();
    let mut changed = Vec::new();
    for row in &mut fixed.rows {
        let label = match &mut row.content {
            RowContent::TextLabel { label, .. } => Some(label),
            RowContent::Chat { messages } => messages
                .iter_mut()
                .rev()
                .find(|message| message.role == Role::Assistant)
                .map(|message| &mut message.content),
        };
        let Some(label) = label else { continue };
        if let Some(target) = map.get(label.trim()) {
            label.clone_from(target);
            changed.push(row.line);
        }
    }
    let mut merged: Vec<String> = map
        .iter()
        .map(|(from, to)| format!("\"{from}\" → \"{to}\""))
        .collect();
    merged.sort();
    let merged = merged.join(", ");
    let (lines_en, lines_es) = lines_phrase(&changed);
    let description = if changed.is_empty() {
        Message::new(
            "Every label is written one way only; nothing changed.",
            "Cada etiqueta está escrita de una sola forma; no ha cambiado nada.",
        )
    } else {
        Message::new(
            format!(
                "Merged label spellings ({merged}) in {} ({lines_en}).",
                count(changed.len(), "row", "rows")
            ),
            format!(
                "Se han unido las formas de las etiquetas ({merged}) en {} ({lines_es}).",
                count(changed.len(), "fila", "filas")
            ),
        )
    };
    finish(fixed, "merge_label_variants", changed, description)
}

/// Drops every row that is an exact copy of an earlier row, keeping the first.
pub fn drop_exact_duplicates(dataset: &Dataset) -> Fixed {
    let mut seen: HashSet<&RowContent> = HashSet::new();
    let mut kept: Vec<Row> = Vec::with_capacity(dataset.rows.len());
    let mut dropped = Vec::new();
    for row in &dataset.rows {
        if seen.insert(&row.content) {
            kept.push(row.clone());
        } else {
            dropped.push(row.line);
        }
    }
    let fixed = Dataset {
        rows: kept,
        ..dataset.clone()
    };
    let (lines_en, lines_es) = lines_phrase(&dropped);
    let description = if dropped.is_empty() {
        Message::new(
            "There are no exact duplicate rows; nothing changed.",
            "No hay filas duplicadas exactas; no ha cambiado nada.",
        )
    } else {
        Message::new(
            format!(
                "Dropped {} that repeated an earlier row ({lines_en}); the first copy of each stays.",
                count(dropped.len(), "row", "rows")
            ),
            format!(
                "Se han quitado {} que repetían una fila anterior ({lines_es}); la primera copia de cada una se queda.",
                count(dropped.len(), "fila", "filas")
            ),
        )
    };
    finish(fixed, "drop_exact_duplicates", dropped, description)
}

/// Replaces e-mails, phone numbers, card numbers and secrets in texts and messages with
/// `[EMAIL]`, `[PHONE]`, `[CARD]` and `[SECRET]` (labels are left alone).
pub fn redact_personal_data(dataset: &Dataset) -> Fixed {
    let (fixed, changed) = rewrite_fields(dataset, Fields::Texts, personal_data::redact);
    let (lines_en, lines_es) = lines_phrase(&changed);
    let description = if changed.is_empty() {
        Message::new(
            "No personal data or secrets were found; nothing changed.",
            "No se han encontrado datos personales ni secretos; no ha cambiado nada.",
        )
    } else {
        Message::new(
            format!(
                "Replaced personal data and secrets with [EMAIL], [PHONE], [CARD] or [SECRET] in {} ({lines_en}).",
                count(changed.len(), "row", "rows")
            ),
            format!(
                "Se han cambiado los datos personales y secretos por [EMAIL], [PHONE], [CARD] o [SECRET] en {} ({lines_es}).",
                count(changed.len(), "fila", "filas")
            ),
        )
    };
    finish(fixed, "redact_personal_data", changed, description)
}

/// Repairs garbled letters (UTF-8 read as Windows-1252 or Mac Roman, see [`crate::quality::mojibake`])
/// in texts, labels and messages.
pub fn repair_mojibake(dataset: &Dataset) -> Fixed {
    let (fixed, changed) = rewrite_fields(dataset, Fields::TextsAndLabels, mojibake::repair);
    let (lines_en, lines_es) = lines_phrase(&changed);
    let description = if changed.is_empty() {
        Message::new(
            "No garbled letters were found; nothing changed.",
            "No se han encontrado letras rotas; no ha cambiado nada.",
        )
    } else {
        Message::new(
            format!(
                "Repaired garbled letters (such as \"Ã³\" → \"ó\") in {} ({lines_en}).",
                count(changed.len(), "row", "rows")
            ),
            format!(
                "Se han reparado letras rotas (como \"Ã³\" → \"ó\") en {} ({lines_es}).",
                count(changed.len(), "fila", "filas")
            ),
        )
    };
    finish(fixed, "repair_mojibake", changed, description)
}

/// A copy of `dataset` with `rewrite` applied to the chosen fields of every row (`None`
/// keeps a field), and the lines of the rows that changed.
fn rewrite_fields(
    dataset: &Dataset,
    fields: Fields,
    rewrite: impl Fn(&str) -> Option<String>,
) -> (Dataset, Vec<usize>) {
    let mut fixed = dataset.clone();
    let mut changed = Vec::new();
    for row in &mut fixed.rows {
        let mut row_changed = false;
        let mut apply = |field: &mut String| {
            if let Some(new_text) = rewrite(field)
                && new_text != *field
            {
                *field = new_text;
                row_changed = true;
            }
        };
        match &mut row.content {
            RowContent::TextLabel { text, label } => {
                apply(text);
                if fields == Fields::TextsAndLabels {
                    apply(label);
                }
            }
            RowContent::Chat { messages } => {
                for message in messages {
                    apply(&mut message.content);
                }
            }
        }
        if row_changed {
            changed.push(row.line);
        }
    }
    (fixed, changed)
}

fn finish(
    mut dataset: Dataset,
    code: &str,
    changed_lines: Vec<usize>,
    description: Message,
) -> Fixed {
    dataset.refresh_quality_findings();
    Fixed {
        dataset,
        report: FixReport {
            code: code.to_owned(),
            changed_lines,
            description,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::parse;
    use crate::test_support::{XorShift, random_file_bytes};

    fn load(file: &str, text: &str) -> Dataset {
        parse(file, text.as_bytes()).unwrap()
    }

    fn has_code(dataset: &Dataset, code: &str) -> bool {
        dataset.findings.iter().any(|finding| finding.code == code)
    }

    fn texts(dataset: &Dataset) -> Vec<(String, String)> {
        dataset
            .examples()
            .into_iter()
            .map(|example| (example.text, example.label))
            .collect()
    }

    #[test]
    fn each_fix_is_found_by_its_own_code() {
        let dataset = load("a.csv", "text,label\n\"  hola  \",saludo\nhola,saludo\n");
        for (code, _) in SAFE_FIXES {
            let fixed = apply(code, &dataset).unwrap();
            assert_eq!(fixed.report.code, code);
        }
        assert!(apply("format_disk", &dataset).is_none());
    }

    #[test]
    fn trim_whitespace_trims_texts_and_messages() {
        let dataset = load(
            "a.csv",
            "text,label\n\"  hola  \",saludo\nadiós,despedida\n",
        );
        let fixed = trim_whitespace(&dataset);
        assert_eq!(fixed.report.code, "trim_whitespace");
        assert_eq!(fixed.report.changed_lines, [2]);
        assert_eq!(texts(&fixed.dataset)[0].0, "hola");
        assert!(fixed.report.description.en.contains("1 row (line 2)"));
        // The input is untouched: keeping it undoes the fix.
        assert_eq!(texts(&dataset)[0].0, "  hola  ");

        let chat = "{\"messages\": [{\"role\": \"user\", \"content\": \" hola\\n\"}, {\"role\": \"assistant\", \"content\": \"¡Hola! \"}]}\n";
        let fixed = trim_whitespace(&load("c.jsonl", chat));
        assert_eq!(fixed.report.changed_lines, [1]);
        let RowContent::Chat { messages } = &fixed.dataset.rows[0].content else {
            panic!("not a chat row");
        };
        assert_eq!(messages[0].content, "hola");
        assert_eq!(messages[1].content, "¡Hola!");

        let clean = trim_whitespace(&load("a.csv", "text,label\nhola,saludo\n"));
        assert!(clean.report.changed_lines.is_empty());
        assert!(clean.report.description.es.contains("no ha cambiado nada"));
    }

    #[test]
    fn merge_label_variants_uses_the_most_frequent_form() {
        let csv = "text,label\nbien,positivo\ngenial,Positivo\nmuy bien,positivo\nmal,negativo\nfatal,POSITÍVO\n";
        let dataset = load("a.csv", csv);
        assert!(has_code(&dataset, "label_variants"));
        let fixed = merge_label_variants(&dataset);
        assert_eq!(fixed.report.changed_lines, [3, 6]);
        let labels: Vec<String> = texts(&fixed.dataset)
            .into_iter()
            .map(|(_, label)| label)
            .collect();
        assert_eq!(
            labels,
            ["positivo", "positivo", "positivo", "negativo", "positivo"]
        );
        assert!(
            fixed
                .report
                .description
                .en
                .contains("\"Positivo\" → \"positivo\"")
        );
        assert!(!has_code(&fixed.dataset, "label_variants"));
        assert!(
            merge_label_variants(&fixed.dataset)
                .report
                .changed_lines
                .is_empty()
        );
    }

    #[test]
    fn merge_label_variants_in_chat_answers() {
        let chat = |user: &str, answer: &str| {
            format!(
                "{{\"messages\": [{{\"role\": \"user\", \"content\": \"{user}\"}}, {{\"role\": \"assistant\", \"content\": \"{answer}\"}}]}}\n"
            )
        };
        let jsonl = [
            chat("a", "sí"),
            chat("b", "sí"),
            chat("c", "Si"),
            chat("d", "no"),
            chat("e", "no"),
            chat("f", "no"),
        ]
        .concat();
        let fixed = merge_label_variants(&load("c.jsonl", &jsonl));
        assert_eq!(fixed.report.changed_lines, [3]);
        assert_eq!(texts(&fixed.dataset)[2].1, "sí");
    }

    #[test]
    fn drop_exact_duplicates_keeps_the_first() {
        let jsonl = "{\"text\": \"hola\", \"label\": \"a\"}\n{\"text\": \"hola\", \"label\": \"b\"}\n{\"text\": \"hola\", \"label\": \"a\"}\n";
        let dataset = load("a.jsonl", jsonl);
        assert!(has_code(&dataset, "duplicate_row"));
        let fixed = drop_exact_duplicates(&dataset);
        assert_eq!(fixed.report.changed_lines, [3]);
        assert_eq!(fixed.dataset.rows.len(), 2);
        assert!(!has_code(&fixed.dataset, "duplicate_row"));
        assert!(fixed.report.description.en.contains("Dropped 1 row"));
        assert_eq!(dataset.rows.len(), 3);
    }

    #[test]
    fn redact_personal_data_replaces_matches() {
        let csv = "text,label\n\"Soy ana@correo.es, llámame al 612 345 678\",contacto\nPago con 4111 1111 1111 1111,pago\nnada,otro\n";
        let dataset = load("a.csv", csv);
        assert!(has_code(&dataset, "personal_data"));
        let fixed = redact_personal_data(&dataset);
        assert_eq!(fixed.report.changed_lines, [2, 3]);
        let fixed_texts = texts(&fixed.dataset);
        assert_eq!(fixed_texts[0].0, "Soy [EMAIL], llámame al [PHONE]");
        assert_eq!(fixed_texts[1].0, "Pago con [CARD]");
        assert!(!has_code(&fixed.dataset, "personal_data"));
        let chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"mi token es ghp_0123456789abcdefghijABCDEFGHIJ012345\"}, {\"role\": \"assistant\", \"content\": \"No lo compartas.\"}]}\n";
        let fixed = redact_personal_data(&load("c.jsonl", chat));
        assert_eq!(texts(&fixed.dataset)[0].0, "mi token es [SECRET]");
    }

    #[test]
    fn repair_mojibake_fixes_texts_and_labels() {
        let csv = "text,label\nEl envÃ\u{ad}o llegÃ³ tarde,negaciÃ³n\nTodo bien,positivo\n";
        let dataset = load("a.csv", csv);
        assert!(has_code(&dataset, "mojibake"));
        let fixed = repair_mojibake(&dataset);
        assert_eq!(fixed.report.changed_lines, [2]);
        assert_eq!(
            texts(&fixed.dataset)[0],
            ("El envío llegó tarde".to_owned(), "negación".to_owned())
        );
        assert!(!has_code(&fixed.dataset, "mojibake"));
        let mac = load("a.csv", "text,label\nlleg√≥ el paquete,ok\n");
        assert_eq!(
            texts(&repair_mojibake(&mac).dataset)[0].0,
            "llegó el paquete"
        );
    }

    #[test]
    fn fixes_keep_parse_errors_and_order() {
        let csv = "text,label\nhola  ,a\n,b\nhola  ,a\n";
        let dataset = load("a.csv", csv);
        let fixed = drop_exact_duplicates(&trim_whitespace(&dataset).dataset).dataset;
        assert_eq!(fixed.error_count(), dataset.error_count());
        assert_eq!(fixed.error_count(), 1);
        let lines: Vec<Option<usize>> = fixed.findings.iter().map(|finding| finding.line).collect();
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
    }

    /// The random files of `read::parse`'s property test, same seed: every fix keeps them
    /// valid and ordered.
    #[test]
    fn fixes_on_random_files_keep_rows_valid() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let names = ["f.csv", "f.jsonl", "f.tsv", "f", "f.json", ".txt"];
        for case in 0..20_000 {
            let bytes = random_file_bytes(&mut rng);
            let name = names[case % names.len()];
            if let Ok(dataset) = parse(name, &bytes) {
                check_quality_and_fixes(&dataset);
            }
        }
    }

    /// Quality findings are warnings; every fix keeps the rows valid and the findings in order.
    fn check_quality_and_fixes(dataset: &Dataset) {
        for finding in &dataset.findings {
            if crate::quality::is_quality_code(&finding.code) {
                assert_eq!(finding.severity, Severity::Warning, "{finding:?}");
            }
        }
        let fixes: [fn(&Dataset) -> Fixed; 5] = [
            trim_whitespace,
            merge_label_variants,
            drop_exact_duplicates,
            redact_personal_data,
            repair_mojibake,
        ];
        for fix in fixes {
            let fixed = fix(dataset);
            assert!(fixed.report.changed_lines.is_sorted());
            assert!(fixed.dataset.rows.len() <= dataset.rows.len());
            assert_eq!(fixed.dataset.error_count(), dataset.error_count());
            assert!(
                fixed
                    .dataset
                    .findings
                    .is_sorted_by_key(|finding| finding.line)
            );
            for row in &fixed.dataset.rows {
                if let RowContent::TextLabel { text, label } = &row.content {
                    assert!(!text.trim().is_empty() && !label.is_empty(), "{row:?}");
                }
            }
        }
    }
}
