//! Making one variant of a row: choosing the operations, applying them to the texts they may
//! change (the text of a text/label row; the user turns of a conversation) and checking that
//! the result says something new.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

use super::eda;
use super::error::AugmentError;
use super::greetings::vary_greeting;
use super::keyboard::Keyboard;
use super::language::Language;
use super::noise;
use super::options::{AugmentOptions, Operation};
use super::synonyms::Synonyms;
use super::words::Words;
use crate::row::{Role, RowContent};

/// Most operations tried first for one variant; more are tried only while the variant still
/// reads the same as its source.
const FIRST_OPERATIONS: usize = 2;

/// The options, checked and ready to apply.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    rates: Vec<(Operation, f32)>,
    synonyms: Synonyms,
    language: Option<Language>,
    keyboard: Option<Keyboard>,
    drop_enye: bool,
    augment_assistant: bool,
}

/// `text` trimmed, lower-case, with runs of spaces as one: the form in which two texts are
/// the same row.
pub(crate) fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Index of the last assistant message: the answer, which is the row's label.
fn answer_index(messages: &[crate::row::ChatMessage]) -> Option<usize> {
    messages
        .iter()
        .rposition(|message| message.role == Role::Assistant)
}

/// What identifies the input of a row, to find duplicates: the normalised text of a
/// text/label row; the roles and normalised messages of a conversation without its answer.
pub(crate) fn input_key(content: &RowContent) -> String {
    match content {
        RowContent::TextLabel { text, .. } => normalized(text),
        RowContent::Chat { messages } => {
            let answer = answer_index(messages);
            messages
                .iter()
                .enumerate()
                .filter(|(index, _)| Some(*index) != answer)
                .map(|(_, message)| {
                    let role = match message.role {
                        Role::System => "s",
                        Role::User => "u",
                        Role::Assistant => "a",
                    };
                    format!("{role}\u{1f}{}", normalized(&message.content))
                })
                .collect::<Vec<_>>()
                .join("\u{1e}")
        }
    }
}

/// The text the language of a row is guessed from: its text, or its user turns.
fn language_text(content: &RowContent) -> String {
    match content {
        RowContent::TextLabel { text, .. } => text.clone(),
        RowContent::Chat { messages } => messages
            .iter()
            .filter(|message| message.role == Role::User)
            .map(|message| message.content.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

impl Engine {
    /// Checks `options` and prepares them.
    ///
    /// # Errors
    /// [`AugmentError::InvalidRate`], [`AugmentError::SynonymFormat`] and
    /// [`AugmentError::NegatorSynonym`].
    pub(crate) fn new(options: &AugmentOptions) -> Result<Self, AugmentError> {
        options.check_rates()?;
        Ok(Self {
            rates: options
                .enabled()
                .into_iter()
                .map(|operation| (operation, options.rate(operation)))
                .collect(),
            synonyms: Synonyms::new(&options.user_synonyms)?,
            language: options.language,
            keyboard: options.keyboard,
            drop_enye: options.drop_enye,
            augment_assistant: options.augment_assistant,
        })
    }

    fn rate(&self, operation: Operation) -> f32 {
        self.rates
            .iter()
            .find(|(listed, _)| *listed == operation)
            .map_or(0.0, |(_, rate)| *rate)
    }

    /// The language of a row: the one in the options, or a guess from its words.
    pub(crate) fn language_of(&self, content: &RowContent) -> Language {
        self.language
            .unwrap_or_else(|| Language::detect(&language_text(content)))
    }

    /// `text` after one operation (the same text when it could change nothing).
    pub(crate) fn apply_to_text<R: Rng + ?Sized>(
        &self,
        operation: Operation,
        text: &str,
        language: Language,
        rng: &mut R,
    ) -> String {
        let rate = self.rate(operation);
        if operation == Operation::Greeting {
            return vary_greeting(text, language, rng).unwrap_or_else(|| text.to_owned());
        }
        let mut words = Words::parse(text);
        let keyboard = self
            .keyboard
            .unwrap_or_else(|| Keyboard::for_language(language));
        match operation {
            Operation::Synonym => {
                eda::replace_synonyms(&mut words, &self.synonyms, language, rate, rng);
            }
            Operation::Insert => {
                eda::insert_synonyms(&mut words, &self.synonyms, language, rate, rng);
            }
            Operation::Swap => eda::swap_words(&mut words, rate, rng),
            Operation::Delete => eda::delete_words(&mut words, rate, rng),
            Operation::Typo => noise::typos(&mut words, keyboard, rate, rng),
            Operation::Accent => noise::drop_accents(&mut words, self.drop_enye, rate, rng),
            Operation::Case => noise::change_case(&mut words, rate, rng),
            Operation::Punctuation => noise::drop_punctuation(&mut words, rate, rng),
            Operation::Repeat => noise::repeat_letters(&mut words, rate, rng),
            Operation::Greeting => {}
        }
        words.to_text()
    }

    /// Applies one operation to the texts of `content` it may change; whether any changed.
    fn apply_to_content<R: Rng + ?Sized>(
        &self,
        operation: Operation,
        content: &mut RowContent,
        language: Language,
        rng: &mut R,
    ) -> bool {
        match content {
            RowContent::TextLabel { text, .. } => {
                let varied = self.apply_to_text(operation, text, language, rng);
                let changed = varied != *text;
                *text = varied;
                changed
            }
            RowContent::Chat { messages } => {
                let answer = answer_index(messages);
                let mut targets: Vec<usize> = messages
                    .iter()
                    .enumerate()
                    .filter(|(index, message)| match message.role {
                        Role::User => true,
                        Role::Assistant => {
                            self.augment_assistant
                                && operation != Operation::Greeting
                                && Some(*index) != answer
                        }
                        Role::System => false,
                    })
                    .map(|(index, _)| index)
                    .collect();
                if operation == Operation::Greeting {
                    targets.shuffle(rng);
                    targets.truncate(eda::changes(self.rate(operation), targets.len()));
                    targets.sort_unstable();
                }
                let mut changed = false;
                for index in targets {
                    if let Some(message) = messages.get_mut(index) {
                        let varied = self.apply_to_text(operation, &message.content, language, rng);
                        if varied != message.content && !varied.trim().is_empty() {
                            message.content = varied;
                            changed = true;
                        }
                    }
                }
                changed
            }
        }
    }

    /// A variant of `content` and the operations that changed it, or `None` when no
    /// enabled operation could make it read differently. `greetings` allows
    /// [`Operation::Greeting`] (chat datasets).
    ///
    /// One or two operations are drawn and applied in [`Operation::ALL`] order (a greeting
    /// first); while the
    /// result still has the same [`input_key`] as the source (say, only the case changed),
    /// the other operations are tried one by one.
    pub(crate) fn vary<R: Rng + ?Sized>(
        &self,
        content: &RowContent,
        greetings: bool,
        rng: &mut R,
    ) -> Option<(RowContent, Vec<Operation>)> {
        let language = self.language_of(content);
        let is_chat = matches!(content, RowContent::Chat { .. });
        let mut operations: Vec<Operation> = self
            .rates
            .iter()
            .map(|(operation, _)| *operation)
            .filter(|operation| *operation != Operation::Greeting || (greetings && is_chat))
            .collect();
        if operations.is_empty() {
            return None;
        }
        operations.shuffle(rng);
        let first = rng.random_range(1..=operations.len().min(FIRST_OPERATIONS));
        if let Some(batch) = operations.get_mut(..first) {
            // Greetings first, so a greeting is found before noise changes it.
            batch.sort_unstable_by_key(|operation| (*operation != Operation::Greeting, *operation));
        }
        let source_key = input_key(content);
        let mut varied = content.clone();
        let mut applied = Vec::new();
        for (position, operation) in operations.into_iter().enumerate() {
            if position >= first && input_key(&varied) != source_key {
                break;
            }
            if self.apply_to_content(operation, &mut varied, language, rng) {
                applied.push(operation);
            }
        }
        (input_key(&varied) != source_key).then_some((varied, applied))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::row::ChatMessage;

    fn only(operation: Operation, rate: f32) -> Engine {
        Engine::new(&AugmentOptions {
            operations: vec![(operation, rate)],
            ..AugmentOptions::default()
        })
        .unwrap()
    }

    fn chat(messages: &[(Role, &str)]) -> RowContent {
        RowContent::Chat {
            messages: messages
                .iter()
                .map(|(role, content)| ChatMessage {
                    role: *role,
                    content: (*content).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn keys_ignore_case_spaces_and_the_answer() {
        assert_eq!(normalized("  Hola   Qué\ttal "), "hola qué tal");
        let first = chat(&[(Role::User, "Hola"), (Role::Assistant, "saludo")]);
        let second = chat(&[(Role::User, " hola "), (Role::Assistant, "otra cosa")]);
        assert_eq!(input_key(&first), input_key(&second));
        let text = RowContent::TextLabel {
            text: "Me  gusta".into(),
            label: "pos".into(),
        };
        assert_eq!(input_key(&text), "me gusta");
    }

    #[test]
    fn a_case_change_alone_is_not_a_variant() {
        let engine = only(Operation::Case, 1.0);
        let content = RowContent::TextLabel {
            text: "Me gusta".into(),
            label: "pos".into(),
        };
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(engine.vary(&content, false, &mut rng), None);
        let engine = Engine::new(&AugmentOptions {
            operations: vec![(Operation::Case, 1.0), (Operation::Repeat, 1.0)],
            ..AugmentOptions::default()
        })
        .unwrap();
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (varied, operations) = engine.vary(&content, false, &mut rng).unwrap();
            assert!(operations.contains(&Operation::Repeat), "{varied:?}");
            assert_ne!(input_key(&varied), input_key(&content));
        }
    }

    #[test]
    fn greetings_touch_user_turns_of_chats_only() {
        let engine = only(Operation::Greeting, 1.0);
        let content = chat(&[
            (Role::System, "Eres un asistente."),
            (Role::User, "Hola, ¿tienen mesa?"),
            (Role::Assistant, "Hola, sí."),
            (Role::User, "Perfecto"),
            (Role::Assistant, "reserva"),
        ]);
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (varied, operations) = engine.vary(&content, true, &mut rng).unwrap();
            assert_eq!(operations, [Operation::Greeting]);
            let (RowContent::Chat { messages: before }, RowContent::Chat { messages: after }) =
                (&content, &varied)
            else {
                panic!("a chat stays a chat");
            };
            for (old, new) in before.iter().zip(after) {
                assert_eq!(old.role, new.role);
                if old.role != Role::User {
                    assert_eq!(old.content, new.content, "seed {seed}");
                }
            }
            assert_ne!(
                before[1].content, after[1].content,
                "rate 1: every user turn"
            );
            assert_ne!(before[3].content, after[3].content);
        }
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            engine.vary(&content, false, &mut rng),
            None,
            "not a chat dataset"
        );
        let text = RowContent::TextLabel {
            text: "hola".into(),
            label: "x".into(),
        };
        assert_eq!(
            engine.vary(&text, true, &mut rng),
            None,
            "text rows get no greeting"
        );
    }

    #[test]
    fn assistant_turns_change_only_when_asked_and_never_the_answer() {
        let content = chat(&[
            (Role::User, "El coche es bonito"),
            (Role::Assistant, "El coche es bonito, sí"),
            (Role::User, "El coche es caro"),
            (Role::Assistant, "El coche es caro"),
        ]);
        let mut options = AugmentOptions {
            operations: vec![(Operation::Synonym, 1.0)],
            ..AugmentOptions::default()
        };
        let engine = Engine::new(&options).unwrap();
        let mut rng = StdRng::seed_from_u64(2);
        let (varied, _) = engine.vary(&content, true, &mut rng).unwrap();
        let RowContent::Chat { messages } = &varied else {
            panic!("a chat stays a chat");
        };
        assert_eq!(messages[1].content, "El coche es bonito, sí");
        assert_eq!(messages[3].content, "El coche es caro");
        assert_ne!(messages[0].content, "El coche es bonito");

        options.augment_assistant = true;
        let engine = Engine::new(&options).unwrap();
        let (varied, _) = engine.vary(&content, true, &mut rng).unwrap();
        let RowContent::Chat { messages } = &varied else {
            panic!("a chat stays a chat");
        };
        assert_ne!(messages[1].content, "El coche es bonito, sí");
        assert_eq!(
            messages[3].content, "El coche es caro",
            "the answer never changes"
        );
    }
}
