//! Growing a dataset: which source rows to vary and how often (a target size or balanced
//! classes), round-robin over shuffled sources, dropping duplicates and counting what could
//! not be made.

use std::collections::{BTreeMap, HashSet};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::error::AugmentError;
use super::language::Language;
use super::options::{AugmentOptions, Goal, Operation};
use super::variant::{Engine, input_key};
use crate::change::split::{Split, row_label};
use crate::dataset::Dataset;
use crate::format::Schema;
use crate::row::{Row, RowContent};

/// Failed tries (no change possible, or a duplicate) after which a source row is given up.
const MAX_FAILURES_PER_SOURCE: usize = 8;

/// A row made by augmentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRow {
    /// The new row; its `line` is the source row's line.
    pub row: Row,
    /// 1-based line of the source row in the file.
    pub source_line: usize,
    /// Index of the source row in the dataset's rows.
    pub source_index: usize,
    /// The operations that changed it, in the order they were applied.
    pub operations: Vec<Operation>,
}

/// What augmentation made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Augmented {
    /// The new rows, in the order they were made (class by class for [`Goal::Balance`]).
    pub rows: Vec<NewRow>,
    /// Variants dropped because they read the same (trimmed, lower-case, spaces collapsed)
    /// as a row of the dataset or an earlier new row.
    pub dropped_duplicates: usize,
    /// Rows the goal asked for that could not be made: the sources ran out of distinct
    /// variants, or of [`AugmentOptions::max_variants_per_row`].
    pub short_of_goal: usize,
}

/// A text and the operations that changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextVariant {
    /// The new text.
    pub text: String,
    /// The operations that changed it, in the order they were applied.
    pub operations: Vec<Operation>,
}

/// How one source row is doing.
#[derive(Debug, Clone, Copy)]
struct Source {
    index: usize,
    made: usize,
    failures: usize,
}

/// One augmentation run: the dataset, the prepared options, the random state and what has
/// been made so far.
struct Run<'a> {
    dataset: &'a Dataset,
    engine: Engine,
    rng: StdRng,
    seen: HashSet<String>,
    max_per_row: usize,
    greetings: bool,
    augmented: Augmented,
}

impl<'a> Run<'a> {
    fn new(dataset: &'a Dataset, options: &AugmentOptions) -> Result<Self, AugmentError> {
        Ok(Self {
            dataset,
            engine: Engine::new(options)?,
            rng: StdRng::seed_from_u64(options.seed),
            seen: dataset
                .rows
                .iter()
                .map(|row| input_key(&row.content))
                .collect(),
            max_per_row: options.max_variants_per_row,
            greetings: matches!(dataset.schema, Schema::Chat),
            augmented: Augmented::default(),
        })
    }

    /// Makes `need` new rows from `group` (row indices), taking the rows in turn after a
    /// shuffle.
    fn grow(&mut self, group: &[usize], need: usize) {
        if need == 0 {
            return;
        }
        let mut order = group.to_vec();
        order.shuffle(&mut self.rng);
        let mut live: Vec<Source> = order
            .into_iter()
            .map(|index| Source {
                index,
                made: 0,
                failures: 0,
            })
            .collect();
        let mut made = 0;
        loop {
            live.retain(|source| {
                source.made < self.max_per_row && source.failures < MAX_FAILURES_PER_SOURCE
            });
            if made >= need || live.is_empty() {
                break;
            }
            for source in &mut live {
                if made >= need {
                    break;
                }
                let Some(row) = self.dataset.rows.get(source.index) else {
                    source.failures = MAX_FAILURES_PER_SOURCE;
                    continue;
                };
                let Some((content, operations)) =
                    self.engine
                        .vary(&row.content, self.greetings, &mut self.rng)
                else {
                    source.failures += 1;
                    continue;
                };
                if self.seen.insert(input_key(&content)) {
                    self.augmented.rows.push(NewRow {
                        row: Row {
                            line: row.line,
                            content,
                        },
                        source_line: row.line,
                        source_index: source.index,
                        operations,
                    });
                    source.made += 1;
                    made += 1;
                } else {
                    self.augmented.dropped_duplicates += 1;
                    source.failures += 1;
                }
            }
        }
        self.augmented.short_of_goal += need - made;
    }
}

/// Checks the source indices and returns them sorted without repeats.
fn checked_sources(dataset: &Dataset, sources: &[usize]) -> Result<Vec<usize>, AugmentError> {
    if let Some(index) = sources.iter().find(|index| **index >= dataset.rows.len()) {
        return Err(AugmentError::SourceOutOfRange {
            index: *index,
            rows: dataset.rows.len(),
        });
    }
    let mut sorted = sources.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(sorted)
}

/// Whether a row can be varied: it has a text and a label (a conversation, a user turn and
/// an answer).
fn can_vary(row: &Row) -> bool {
    row.example().is_some()
}

/// New rows made from the rows at `sources` (indices into `dataset.rows`, the training rows)
/// until `goal` is met.
///
/// Only rows at `sources` are varied, so no other row (a validation row) has a variant. A
/// variant keeps its row's label: a text/label row's label, a conversation's answer (the
/// last assistant message) and a prompt/completion row's completion are never changed.
/// Negators are never deleted, swapped or replaced, and nothing is inserted right after one.
/// A variant that reads the same as any row of `dataset` (sources or not) or an earlier new
/// row is dropped and counted. The sources are taken in turn after a seeded shuffle, at most
/// [`AugmentOptions::max_variants_per_row`] times each. The same options give the same rows.
///
/// [`Goal::TargetRows`] counts the sources plus the new rows. [`Goal::Balance`] counts the
/// labels of the sources (a text/label row's label, a conversation's answer, trimmed).
/// Rows without a text or a label are kept as sources but never varied.
///
/// # Errors
/// [`AugmentError::SourceOutOfRange`] for a source past the last row, and the errors of
/// invalid options ([`AugmentError::InvalidRate`], [`AugmentError::SynonymFormat`],
/// [`AugmentError::NegatorSynonym`]).
pub fn augment(
    dataset: &Dataset,
    sources: &[usize],
    goal: Goal,
    options: &AugmentOptions,
) -> Result<Augmented, AugmentError> {
    let sources = checked_sources(dataset, sources)?;
    let mut run = Run::new(dataset, options)?;
    let varied: Vec<usize> = sources
        .iter()
        .copied()
        .filter(|index| dataset.rows.get(*index).is_some_and(can_vary))
        .collect();
    match goal {
        Goal::TargetRows(total) => run.grow(&varied, total.saturating_sub(sources.len())),
        Goal::Balance => {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for index in &sources {
                let Some(row) = dataset.rows.get(*index) else {
                    continue;
                };
                let Some(label) = row_label(row) else {
                    continue;
                };
                *counts.entry(label.clone()).or_insert(0) += 1;
                if can_vary(row) {
                    groups.entry(label).or_default().push(*index);
                }
            }
            let largest = counts.values().copied().max().unwrap_or(0);
            for (label, count) in &counts {
                let group = groups.get(label).map_or(&[][..], Vec::as_slice);
                run.grow(group, largest - count);
            }
        }
    }
    Ok(run.augmented)
}

/// [`augment`] over the training part of `split` (indices into `dataset.rows`, as
/// [`crate::split_rows`] gives): no validation row is varied, and no variant reads the same
/// as a validation row.
///
/// # Errors
/// [`AugmentError::SourceInValidation`] for a row in both parts, and the errors of
/// [`augment`].
pub fn augment_split(
    dataset: &Dataset,
    split: &Split,
    goal: Goal,
    options: &AugmentOptions,
) -> Result<Augmented, AugmentError> {
    let validation: HashSet<usize> = split.validation.iter().copied().collect();
    if let Some(index) = split.train.iter().find(|index| validation.contains(index)) {
        return Err(AugmentError::SourceInValidation {
            index: *index,
            line: dataset.rows.get(*index).map_or(0, |row| row.line),
        });
    }
    augment(dataset, &split.train, goal, options)
}

/// Up to `count` distinct variants of the row at `index`, as [`augment`] would make them:
/// for showing what augmentation does before running it.
///
/// # Errors
/// [`AugmentError::SourceOutOfRange`] and the errors of invalid options.
pub fn preview(
    dataset: &Dataset,
    index: usize,
    count: usize,
    options: &AugmentOptions,
) -> Result<Vec<NewRow>, AugmentError> {
    checked_sources(dataset, &[index])?;
    let mut run = Run::new(dataset, options)?;
    run.max_per_row = count;
    if dataset.rows.get(index).is_some_and(can_vary) {
        run.grow(&[index], count);
    }
    Ok(run.augmented.rows)
}

/// A variant of a text (of a text/label row: greetings are for chat turns) in `language`,
/// or `None` when no enabled operation could make it read differently.
///
/// # Errors
/// The errors of invalid options ([`AugmentError::InvalidRate`],
/// [`AugmentError::SynonymFormat`], [`AugmentError::NegatorSynonym`]).
pub fn augment_text<R: Rng + ?Sized>(
    text: &str,
    language: Language,
    options: &AugmentOptions,
    rng: &mut R,
) -> Result<Option<TextVariant>, AugmentError> {
    let engine = Engine::new(&AugmentOptions {
        language: Some(language),
        ..options.clone()
    })?;
    let content = RowContent::TextLabel {
        text: text.to_owned(),
        label: String::new(),
    };
    Ok(engine
        .vary(&content, false, rng)
        .and_then(|(content, operations)| match content {
            RowContent::TextLabel { text, .. } => Some(TextVariant { text, operations }),
            RowContent::Chat { .. } => None,
        }))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::change::augment::words::negator_words;
    use crate::format::Format;
    use crate::row::{ChatMessage, Role};
    use crate::split_rows;
    use crate::test_support::{message, text_row};

    const POSITIVE: &[&str] = &[
        "Me encanta el coche, es bonito y muy cómodo",
        "La película es estupenda, la recomiendo a mis amigos",
        "El camarero fue amable y la comida deliciosa",
        "¡Qué sitio tan bonito! Volveremos pronto",
        "La aplicación es fácil de usar y rápida",
        "El hotel está limpio y el barrio es tranquilo",
        "I loved the movie, the ending was amazing",
        "The staff were friendly and the food was delicious",
        "Great app, it is easy to use and fast",
        "The room was spacious and the street was quiet",
        "My kids loved the trip, it was fantastic",
        "Excellent restaurant, the dinner was superb",
    ];

    const NEGATIVE: &[&str] = &[
        "No me gusta nada el coche, nunca lo recomiendo",
        "La comida no estaba buena y el camarero jamás vino",
        "I don't like this app, it is not easy to use",
        "The movie was never funny and I can't recommend it",
    ];

    fn reviews() -> Dataset {
        let rows = POSITIVE
            .iter()
            .map(|text| ("pos", *text))
            .chain(NEGATIVE.iter().map(|text| ("neg", *text)))
            .enumerate()
            .map(|(index, (label, text))| text_row(index + 2, text, label))
            .collect();
        Dataset {
            file_name: "reviews.csv".into(),
            format: Format::Csv { delimiter: ',' },
            schema: Schema::TextLabel {
                text_column: "text".into(),
                label_column: "label".into(),
            },
            encoding: "UTF-8".into(),
            rows,
            findings: Vec::new(),
        }
    }

    fn all(dataset: &Dataset) -> Vec<usize> {
        (0..dataset.rows.len()).collect()
    }

    fn text_of(row: &Row) -> &str {
        match &row.content {
            RowContent::TextLabel { text, .. } => text,
            RowContent::Chat { .. } => panic!("a text/label row"),
        }
    }

    fn label_of(row: &Row) -> &str {
        match &row.content {
            RowContent::TextLabel { label, .. } => label,
            RowContent::Chat { .. } => panic!("a text/label row"),
        }
    }

    fn heavy_options(seed: u64) -> AugmentOptions {
        AugmentOptions {
            seed,
            operations: Operation::ALL
                .iter()
                .map(|operation| (*operation, 0.4))
                .collect(),
            ..AugmentOptions::default()
        }
    }

    #[test]
    fn every_variant_keeps_every_negator_in_order() {
        let dataset = reviews();
        let mut checked = 0;
        for seed in 0..60 {
            let options = if seed % 2 == 0 {
                heavy_options(seed)
            } else {
                AugmentOptions {
                    seed,
                    ..AugmentOptions::default()
                }
            };
            let augmented =
                augment(&dataset, &all(&dataset), Goal::TargetRows(60), &options).unwrap();
            for new in &augmented.rows {
                let source = &dataset.rows[new.source_index];
                assert_eq!(
                    negator_words(text_of(&new.row)),
                    negator_words(text_of(source)),
                    "seed {seed}: {:?} from {:?} by {:?}",
                    text_of(&new.row),
                    text_of(source),
                    new.operations
                );
                checked += 1;
            }
        }
        assert!(checked > 2_000, "{checked}");
    }

    #[test]
    fn each_operation_alone_keeps_negators() {
        let dataset = reviews();
        let negated: Vec<usize> = (POSITIVE.len()..dataset.rows.len()).collect();
        for operation in Operation::ALL {
            for seed in 0..25 {
                let options = AugmentOptions {
                    seed,
                    operations: vec![(operation, 1.0)],
                    ..AugmentOptions::default()
                };
                let augmented =
                    augment(&dataset, &negated, Goal::TargetRows(12), &options).unwrap();
                for new in &augmented.rows {
                    assert_eq!(new.operations, [operation]);
                    let source = &dataset.rows[new.source_index];
                    assert_eq!(
                        negator_words(text_of(&new.row)),
                        negator_words(text_of(source)),
                        "{operation} seed {seed}: {:?}",
                        text_of(&new.row)
                    );
                }
            }
        }
    }

    #[test]
    fn labels_are_kept_and_sources_recorded() {
        let dataset = reviews();
        let augmented = augment(
            &dataset,
            &all(&dataset),
            Goal::TargetRows(48),
            &heavy_options(1),
        )
        .unwrap();
        assert_eq!(augmented.rows.len(), 32);
        for new in &augmented.rows {
            let source = &dataset.rows[new.source_index];
            assert_eq!(label_of(&new.row), label_of(source));
            assert_eq!(new.source_line, source.line);
            assert_eq!(new.row.line, source.line);
            assert!(!new.operations.is_empty());
            assert!(
                !new.operations.contains(&Operation::Greeting),
                "no greetings on text rows"
            );
        }
    }

    #[test]
    fn same_seed_same_rows() {
        let dataset = reviews();
        let options = AugmentOptions::default();
        let first = augment(&dataset, &all(&dataset), Goal::TargetRows(40), &options).unwrap();
        let second = augment(&dataset, &all(&dataset), Goal::TargetRows(40), &options).unwrap();
        assert_eq!(first, second);
        let other = AugmentOptions {
            seed: 7,
            ..AugmentOptions::default()
        };
        let third = augment(&dataset, &all(&dataset), Goal::TargetRows(40), &other).unwrap();
        assert_ne!(first.rows, third.rows);
    }

    #[test]
    fn target_mode_reaches_the_size_and_spreads_over_sources() {
        let dataset = reviews();
        let augmented = augment(
            &dataset,
            &all(&dataset),
            Goal::TargetRows(32),
            &AugmentOptions::default(),
        )
        .unwrap();
        assert_eq!(augmented.rows.len(), 16);
        assert_eq!(augmented.short_of_goal, 0);
        let mut per_source: BTreeMap<usize, usize> = BTreeMap::new();
        for new in &augmented.rows {
            *per_source.entry(new.source_index).or_default() += 1;
        }
        assert_eq!(
            per_source.len(),
            16,
            "one variant of each row: {per_source:?}"
        );
        // A target at or below the sources asks for nothing.
        let none = augment(
            &dataset,
            &all(&dataset),
            Goal::TargetRows(5),
            &AugmentOptions::default(),
        )
        .unwrap();
        assert_eq!(none, Augmented::default());
    }

    #[test]
    fn balance_grows_minorities_to_the_majority() {
        let dataset = reviews();
        let augmented = augment(
            &dataset,
            &all(&dataset),
            Goal::Balance,
            &AugmentOptions::default(),
        )
        .unwrap();
        assert_eq!(augmented.short_of_goal, 0);
        let mut counts = dataset.label_counts();
        for new in &augmented.rows {
            *counts.entry(label_of(&new.row).to_owned()).or_default() += 1;
        }
        assert_eq!(counts.get("pos"), Some(&12));
        assert_eq!(counts.get("neg"), Some(&12));
        assert_eq!(augmented.rows.len(), 8);
        // Round robin: each of the four negative rows gives two variants.
        let mut per_source: BTreeMap<usize, usize> = BTreeMap::new();
        for new in &augmented.rows {
            *per_source.entry(new.source_index).or_default() += 1;
        }
        assert!(per_source.values().all(|made| *made == 2), "{per_source:?}");
    }

    #[test]
    fn duplicates_are_dropped_and_counted() {
        let mut dataset = reviews();
        dataset.rows = vec![
            text_row(2, "qué", "a"),
            text_row(3, "Que", "b"),
            text_row(4, "él está aquí", "a"),
        ];
        let options = AugmentOptions {
            operations: vec![(Operation::Accent, 1.0)],
            ..AugmentOptions::default()
        };
        // "qué" can only become "que", which row 3 already says.
        let augmented = augment(&dataset, &[0], Goal::TargetRows(3), &options).unwrap();
        assert!(augmented.rows.is_empty());
        assert_eq!(augmented.dropped_duplicates, MAX_FAILURES_PER_SOURCE);
        assert_eq!(augmented.short_of_goal, 2);
        // "él está aquí" has a few variants; once they are made, repeats are dropped.
        let augmented = augment(&dataset, &[2], Goal::TargetRows(20), &options).unwrap();
        let keys: HashSet<String> = augmented
            .rows
            .iter()
            .map(|new| input_key(&new.row.content))
            .collect();
        assert_eq!(keys.len(), augmented.rows.len(), "no two new rows alike");
        assert!(augmented.rows.len() <= 7, "2³ − 1 accent patterns");
        assert!(augmented.dropped_duplicates > 0);
        assert_eq!(augmented.rows.len() + augmented.short_of_goal, 19);
        for new in &augmented.rows {
            let key = input_key(&new.row.content);
            assert!(
                dataset
                    .rows
                    .iter()
                    .all(|row| input_key(&row.content) != key)
            );
        }
    }

    #[test]
    fn variants_per_row_are_capped() {
        let dataset = reviews();
        let options = AugmentOptions {
            max_variants_per_row: 2,
            ..AugmentOptions::default()
        };
        let augmented = augment(&dataset, &[0, 1], Goal::TargetRows(100), &options).unwrap();
        assert_eq!(augmented.rows.len(), 4);
        assert_eq!(augmented.short_of_goal, 94);
    }

    #[test]
    fn split_augmentation_never_leaks_into_validation() {
        let mut dataset = reviews();
        // Rows that differ only in ways augmentation undoes: a variant of one could be the other.
        dataset.rows.push(text_row(40, "El coche es bonito", "pos"));
        dataset.rows.push(text_row(41, "el auto es bonito", "pos"));
        dataset.rows.push(text_row(42, "El coche es lindo", "pos"));
        dataset.rows.push(text_row(43, "no me gusta", "neg"));
        dataset.rows.push(text_row(44, "no me agrada", "neg"));
        for seed in 0..20 {
            let split = split_rows(&dataset, 0.3, seed);
            assert!(!split.validation.is_empty());
            let options = AugmentOptions {
                seed,
                ..AugmentOptions::default()
            };
            for goal in [Goal::Balance, Goal::TargetRows(60)] {
                let augmented = augment_split(&dataset, &split, goal, &options).unwrap();
                let validation_keys: HashSet<String> = split
                    .validation
                    .iter()
                    .map(|index| input_key(&dataset.rows[*index].content))
                    .collect();
                for new in &augmented.rows {
                    assert!(split.train.contains(&new.source_index), "seed {seed}");
                    assert!(!split.validation.contains(&new.source_index));
                    assert!(
                        !validation_keys.contains(&input_key(&new.row.content)),
                        "seed {seed}"
                    );
                }
            }
        }
        let overlapping = Split {
            train: vec![0, 1],
            validation: vec![1],
        };
        assert!(matches!(
            augment_split(
                &dataset,
                &overlapping,
                Goal::Balance,
                &AugmentOptions::default()
            ),
            Err(AugmentError::SourceInValidation { index: 1, line: 3 })
        ));
        assert!(matches!(
            augment(&dataset, &[99], Goal::Balance, &AugmentOptions::default()),
            Err(AugmentError::SourceOutOfRange { index: 99, .. })
        ));
    }

    fn chat_dataset(schema: Schema, rows: Vec<Vec<ChatMessage>>) -> Dataset {
        Dataset {
            file_name: "chat.jsonl".into(),
            format: Format::Jsonl,
            schema,
            encoding: "UTF-8".into(),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(index, messages)| Row {
                    line: index + 1,
                    content: RowContent::Chat { messages },
                })
                .collect(),
            findings: Vec::new(),
        }
    }

    #[test]
    fn chat_answers_and_completions_never_change() {
        let conversations = vec![
            vec![
                message(Role::System, "Clasifica la intención."),
                message(Role::User, "Hola, quiero cambiar mi reserva"),
                message(Role::Assistant, "cambio"),
            ],
            vec![
                message(Role::User, "No puedo entrar en la aplicación, ¿me ayudas?"),
                message(Role::Assistant, "Claro. ¿Qué error ves?"),
                message(Role::User, "Dice que la contraseña no es correcta"),
                message(Role::Assistant, "soporte"),
            ],
            vec![
                message(Role::User, "Hi, I need to buy a ticket for the movie"),
                message(Role::Assistant, "compra"),
            ],
        ];
        for schema in [
            Schema::Chat,
            Schema::PromptCompletion {
                prompt_column: "prompt".into(),
                completion_column: "completion".into(),
            },
        ] {
            let is_chat = schema == Schema::Chat;
            let dataset = chat_dataset(schema, conversations.clone());
            for seed in 0..10 {
                let options = heavy_options(seed);
                let augmented =
                    augment(&dataset, &all(&dataset), Goal::TargetRows(15), &options).unwrap();
                assert_eq!(augmented.rows.len() + augmented.short_of_goal, 12);
                assert!(augmented.rows.len() >= 9, "{}", augmented.rows.len());
                for new in &augmented.rows {
                    let RowContent::Chat { messages: before } =
                        &dataset.rows[new.source_index].content
                    else {
                        panic!("chat");
                    };
                    let RowContent::Chat { messages: after } = &new.row.content else {
                        panic!("chat");
                    };
                    assert_eq!(before.len(), after.len());
                    for (old, varied) in before.iter().zip(after) {
                        assert_eq!(old.role, varied.role);
                        if old.role == Role::User {
                            assert_eq!(negator_words(&old.content), negator_words(&varied.content));
                        } else {
                            assert_eq!(
                                old.content, varied.content,
                                "only user turns change by default"
                            );
                        }
                    }
                    assert_eq!(
                        dataset.rows[new.source_index].example().map(|e| e.label),
                        new.row.example().map(|e| e.label)
                    );
                    if !is_chat {
                        assert!(!new.operations.contains(&Operation::Greeting));
                    }
                }
            }
        }
    }

    #[test]
    fn previews_and_single_texts() {
        let dataset = reviews();
        let rows = preview(&dataset, 0, 5, &AugmentOptions::default()).unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows.iter().all(|new| new.source_index == 0));
        let mut rng = StdRng::seed_from_u64(3);
        let options = AugmentOptions {
            operations: vec![(Operation::Synonym, 1.0)],
            ..AugmentOptions::default()
        };
        let variant = augment_text(
            "The movie was boring",
            Language::English,
            &options,
            &mut rng,
        )
        .unwrap()
        .unwrap();
        assert_eq!(variant.operations, [Operation::Synonym]);
        assert_ne!(variant.text, "The movie was boring");
        assert!(
            variant.text.starts_with("The film was ") || variant.text.starts_with("The movie was ")
        );
        assert_eq!(
            augment_text("zzz", Language::English, &options, &mut rng).unwrap(),
            None
        );
        let bad = AugmentOptions {
            operations: vec![(Operation::Typo, 2.0)],
            ..AugmentOptions::default()
        };
        assert!(augment_text("hola", Language::Spanish, &bad, &mut rng).is_err());
    }
}
