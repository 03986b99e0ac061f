//! Label checks: the same label written in several ways, and classes of very different sizes.

use std::collections::{BTreeMap, HashMap};

use crate::finding::{Finding, Message};
use crate::normalize::label_key;

/// The smallest class should have at least a third of the examples of the largest.
const MIN_CLASS_RATIO: usize = 3;
/// Every class should have at least this share (in %) of the rows.
const MIN_CLASS_PERCENT: usize = 5;

/// One way a label is written, how often, and where it first appears.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Variant<'label> {
    label: &'label str,
    count: usize,
    first_index: usize,
}

/// Each distinct label of `labels` with how many times it appears, in the order first seen.
fn label_counts<'label>(labels: &[&'label str]) -> Vec<(&'label str, usize)> {
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for label in labels {
        match index_of.get(label) {
            Some(&index) => {
                if let Some((_, count)) = counts.get_mut(index) {
                    *count += 1;
                }
            }
            None => {
                index_of.insert(label, counts.len());
                counts.push((label, 1));
            }
        }
    }
    counts
}

/// Labels that differ only in case, spacing or accents, grouped under their shared key; only
/// groups with more than one spelling. `counts` holds each distinct label with its count, in
/// the order first seen.
fn variant_groups<'label>(counts: &[(&'label str, usize)]) -> Vec<Vec<Variant<'label>>> {
    let mut groups: BTreeMap<String, Vec<Variant<'label>>> = BTreeMap::new();
    for (first_index, (label, count)) in counts.iter().enumerate() {
        groups.entry(label_key(label)).or_default().push(Variant {
            label,
            count: *count,
            first_index,
        });
    }
    groups
        .into_values()
        .filter(|group| group.len() > 1)
        .collect()
}

/// The spelling a group merges into: the most frequent, and the earliest one on a tie.
fn merge_target<'group, 'label>(
    group: &'group [Variant<'label>],
) -> Option<&'group Variant<'label>> {
    group.iter().max_by(|first, second| {
        first
            .count
            .cmp(&second.count)
            .then(second.first_index.cmp(&first.first_index))
    })
}

/// For every label that has other spellings, the spelling it merges into.
pub(crate) fn merge_map(labels: &[&str]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for group in variant_groups(&label_counts(labels)) {
        let Some(target) = merge_target(&group) else {
            continue;
        };
        for variant in &group {
            if variant.label != target.label {
                map.insert(variant.label.to_owned(), target.label.to_owned());
            }
        }
    }
    map
}

/// Label-variant and class-imbalance findings for the `(line, label)` pairs of a file.
#[cfg(test)]
pub(crate) fn findings(file: &str, field: &str, labelled: &[(usize, &str)]) -> Vec<Finding> {
    let labels: Vec<&str> = labelled.iter().map(|(_, label)| *label).collect();
    findings_of_counts(file, field, &label_counts(&labels))
}

/// Label-variant and class-imbalance findings for the distinct labels of a file with how
/// many rows have each, in the order first seen (which decides ties).
pub(crate) fn findings_of_counts(
    file: &str,
    field: &str,
    counts: &[(&str, usize)],
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = variant_groups(counts)
        .iter()
        .filter_map(|group| label_variants(file, field, group))
        .collect();
    findings.extend(class_imbalance(file, field, counts));
    findings
}

fn label_variants(file: &str, field: &str, group: &[Variant<'_>]) -> Option<Finding> {
    let target = merge_target(group)?.label;
    let listed = group
        .iter()
        .map(|variant| format!("\"{}\" ({})", variant.label, variant.count))
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Finding::warning(
            file,
            None,
            "label_variants",
            Message::new(
                format!(
                    "One label is written in {} ways: {listed}. The model treats them as different classes. \
                     Merge them into \"{target}\" (the most common form) with the merge fix, or fix them by hand.",
                    group.len()
                ),
                format!(
                    "Una etiqueta está escrita de {} formas: {listed}. El modelo las trata como clases distintas. \
                     Únelas en \"{target}\" (la forma más común) con la corrección de unir etiquetas, o corrígelas a mano.",
                    group.len()
                ),
            ),
        )
        .with_field(field),
    )
}

fn class_imbalance(file: &str, field: &str, counts: &[(&str, usize)]) -> Option<Finding> {
    if counts.len() < 2 {
        return None;
    }
    let total: usize = counts.iter().map(|(_, count)| count).sum();
    let largest = counts.iter().map(|(_, count)| *count).max()?;
    let smallest = counts.iter().map(|(_, count)| *count).min()?;
    let imbalanced =
        smallest * MIN_CLASS_RATIO < largest || smallest * 100 < total * MIN_CLASS_PERCENT;
    if !imbalanced {
        return None;
    }
    let mut by_size: Vec<(&str, usize)> = counts.to_vec();
    by_size.sort_by(|first, second| second.1.cmp(&first.1).then(first.0.cmp(second.0)));
    let listed = by_size
        .iter()
        .map(|(label, count)| format!("\"{label}\" {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Finding::warning(
            file,
            None,
            "class_imbalance",
            Message::new(
                format!(
                    "The classes are unbalanced: {listed}. With so few examples of the small classes the model \
                     learns to guess the big ones. Add examples of the small classes (each should have at least \
                     a third of the largest and {MIN_CLASS_PERCENT} % of the rows)."
                ),
                format!(
                    "Las clases están desequilibradas: {listed}. Con tan pocos ejemplos de las clases pequeñas el \
                     modelo aprende a adivinar las grandes. Añade ejemplos de las clases pequeñas (cada una debería \
                     tener al menos un tercio de la mayor y el {MIN_CLASS_PERCENT} % de las filas)."
                ),
            ),
        )
        .with_field(field),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::found;

    fn csv(rows: &[(&str, usize)]) -> String {
        let mut csv = String::from("text;label\n");
        let mut number = 0;
        for (label, count) in rows {
            for _ in 0..*count {
                number += 1;
                csv.push_str(&format!("texto distinto número {number};{label}\n"));
            }
        }
        csv
    }

    #[test]
    fn label_variants_list_counts_and_the_target() {
        let text = csv(&[
            ("positivo", 3),
            ("Positivo", 2),
            ("POSITIVO", 1),
            ("negativo", 6),
        ]);
        let findings = found("a.csv", &text, "label_variants");
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.line, None);
        assert_eq!(finding.field.as_deref(), Some("label"));
        assert!(
            finding
                .message
                .en
                .contains("\"positivo\" (3), \"Positivo\" (2), \"POSITIVO\" (1)"),
            "{}",
            finding.message.en
        );
        assert!(finding.message.en.contains("Merge them into \"positivo\""));
        assert!(finding.message.es.contains("Únelas en \"positivo\""));
    }

    #[test]
    fn accents_and_inner_spaces_are_variants_too() {
        let labels = ["muy bueno", "muy  bueno", "Muy Bueno", "neutro", "neutró"];
        let map = merge_map(&labels);
        assert_eq!(map.get("muy  bueno").map(String::as_str), Some("muy bueno"));
        assert_eq!(map.get("Muy Bueno").map(String::as_str), Some("muy bueno"));
        assert_eq!(map.get("neutró").map(String::as_str), Some("neutro"));
        assert!(!map.contains_key("muy bueno"));
        assert!(merge_map(&["a", "b", "a"]).is_empty());
    }

    #[test]
    fn no_variants_no_finding() {
        let text = csv(&[("positivo", 5), ("negativo", 5)]);
        assert!(found("a.csv", &text, "label_variants").is_empty());
    }

    #[test]
    fn class_imbalance_by_ratio_and_by_share() {
        let findings = found(
            "a.csv",
            &csv(&[("pos", 40), ("neg", 12)]),
            "class_imbalance",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, None);
        assert!(findings[0].message.en.contains("\"pos\" 40, \"neg\" 12"));
        assert!(findings[0].message.es.contains("desequilibradas"));
        // Every pair within a third, but one class under 5 % of the rows.
        let many = csv(&[
            ("a", 30),
            ("b", 30),
            ("c", 30),
            ("d", 30),
            ("e", 30),
            ("f", 30),
            ("g", 30),
            ("h", 10),
        ]);
        assert_eq!(found("a.csv", &many, "class_imbalance").len(), 1);
    }

    #[test]
    fn balanced_classes_have_no_finding() {
        assert!(
            found(
                "a.csv",
                &csv(&[("pos", 30), ("neg", 10)]),
                "class_imbalance"
            )
            .is_empty()
        );
        assert!(found("a.csv", &csv(&[("pos", 30)]), "class_imbalance").is_empty());
    }
}
