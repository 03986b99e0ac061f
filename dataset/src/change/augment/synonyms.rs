//! Finding synonyms in a text: the shipped lexicon of its language plus the user's own pairs,
//! matched as single words or as phrases ("a veces", "buenos días"), and reading those pairs
//! from `word: alternative, alternative` lines.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::error::AugmentError;
use super::language::Language;
use super::lexicon;
use super::negation::is_negator;
use super::words::Words;

/// A word or phrase of a text that has synonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    /// Index of its first word.
    pub(crate) start: usize,
    /// How many words it spans.
    pub(crate) count: usize,
    /// What can replace it, lower-case unless the user wrote otherwise.
    pub(crate) alternatives: Vec<String>,
}

/// One language's lexicon as a lookup table.
struct Lexicon {
    alternatives: HashMap<&'static str, Vec<&'static str>>,
    longest_phrase: usize,
}

impl Lexicon {
    fn build(groups: &'static [&'static [&'static str]]) -> Self {
        let mut alternatives: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        let mut longest_phrase = 1;
        for group in groups {
            for word in *group {
                longest_phrase = longest_phrase.max(word.split(' ').count());
                let entry = alternatives.entry(*word).or_default();
                for other in *group {
                    if other != word && !entry.contains(other) {
                        entry.push(*other);
                    }
                }
            }
        }
        Self {
            alternatives,
            longest_phrase,
        }
    }

    fn of(language: Language) -> &'static Self {
        static SPANISH: OnceLock<Lexicon> = OnceLock::new();
        static ENGLISH: OnceLock<Lexicon> = OnceLock::new();
        match language {
            Language::Spanish => SPANISH.get_or_init(|| Self::build(lexicon::SPANISH)),
            Language::English => ENGLISH.get_or_init(|| Self::build(lexicon::ENGLISH)),
        }
    }
}

/// The synonyms augmentation draws on: the lexicon of each language and the user's pairs,
/// which apply whatever the language.
#[derive(Debug, Clone, Default)]
pub(crate) struct Synonyms {
    user: HashMap<String, Vec<String>>,
    longest_user_phrase: usize,
}

/// Lower-case with single spaces: the form keys are compared in.
fn key_form(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Synonyms {
    /// The lexicon plus `user_pairs` (each word or phrase with what may replace it).
    ///
    /// # Errors
    /// [`AugmentError::SynonymFormat`] for a blank word or alternative,
    /// [`AugmentError::NegatorSynonym`] when a word or an alternative is or holds a negator.
    pub(crate) fn new(user_pairs: &[(String, Vec<String>)]) -> Result<Self, AugmentError> {
        let mut user: HashMap<String, Vec<String>> = HashMap::new();
        let mut longest_user_phrase = 0;
        for (word, alternatives) in user_pairs {
            let key = key_form(word);
            check_pair(&key, alternatives, None)?;
            longest_user_phrase = longest_user_phrase.max(key.split(' ').count());
            let entry = user.entry(key.clone()).or_default();
            for alternative in alternatives {
                let alternative = alternative.split_whitespace().collect::<Vec<_>>().join(" ");
                if key_form(&alternative) != key && !entry.contains(&alternative) {
                    entry.push(alternative);
                }
            }
        }
        Ok(Self {
            user,
            longest_user_phrase,
        })
    }

    /// What can replace the words `start..start + count` of `words`, if anything.
    fn alternatives_of(&self, phrase: &str, language: Language) -> Vec<String> {
        let mut found: Vec<String> = self.user.get(phrase).cloned().unwrap_or_default();
        if let Some(shipped) = Lexicon::of(language).alternatives.get(phrase) {
            for alternative in shipped {
                if !found.iter().any(|known| known == alternative) {
                    found.push((*alternative).to_owned());
                }
            }
        }
        found
    }

    /// The words and phrases of `words` that have synonyms, the longest phrase at each
    /// start; negators never match.
    pub(crate) fn matches(&self, words: &Words, language: Language) -> Vec<Match> {
        let longest = Lexicon::of(language)
            .longest_phrase
            .max(self.longest_user_phrase)
            .max(1);
        let mut matches = Vec::new();
        for start in 0..words.len() {
            for count in (1..=longest).rev() {
                let Some(phrase) = words.phrase(start, count) else {
                    continue;
                };
                if is_negator(&phrase) {
                    continue;
                }
                let alternatives = self.alternatives_of(&phrase, language);
                if !alternatives.is_empty() {
                    matches.push(Match {
                        start,
                        count,
                        alternatives,
                    });
                    break;
                }
            }
        }
        matches
    }
}

/// Checks one user pair: a word and alternatives, none blank, none a negator.
fn check_pair(key: &str, alternatives: &[String], line: Option<usize>) -> Result<(), AugmentError> {
    if key.is_empty()
        || alternatives
            .iter()
            .all(|alternative| alternative.trim().is_empty())
    {
        return Err(AugmentError::SynonymFormat {
            line,
            text: format!("{key}: {}", alternatives.join(", ")),
        });
    }
    for word in std::iter::once(key).chain(alternatives.iter().map(String::as_str)) {
        if is_negator(word) {
            return Err(AugmentError::NegatorSynonym {
                line,
                word: word.trim().to_owned(),
            });
        }
    }
    Ok(())
}

/// Reads the user's synonym pairs, one per line: `word: alternative, alternative` (a
/// phrase may stand for the word or an alternative: `hola: buenos días, qué tal`). Blank
/// lines and lines starting with `#` are skipped; the word is matched ignoring case.
///
/// # Errors
/// [`AugmentError::SynonymFormat`] with the 1-based line for a line without `:` or without
/// an alternative, [`AugmentError::NegatorSynonym`] for a negator on either side.
pub fn parse_user_synonyms(text: &str) -> Result<Vec<(String, Vec<String>)>, AugmentError> {
    let mut pairs = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim().trim_start_matches('\u{feff}');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let Some((word, rest)) = content.split_once(':') else {
            return Err(AugmentError::SynonymFormat {
                line: Some(line),
                text: content.to_owned(),
            });
        };
        let alternatives: Vec<String> = rest
            .split(',')
            .map(str::trim)
            .filter(|alternative| !alternative.is_empty())
            .map(str::to_owned)
            .collect();
        let key = key_form(word);
        if alternatives.is_empty() || key.is_empty() {
            return Err(AugmentError::SynonymFormat {
                line: Some(line),
                text: content.to_owned(),
            });
        }
        check_pair(&key, &alternatives, Some(line))?;
        pairs.push((word.trim().to_owned(), alternatives));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_matches_words_and_phrases() {
        let synonyms = Synonyms::new(&[]).unwrap();
        let words = Words::parse("A veces el coche no arranca");
        let matches = synonyms.matches(&words, Language::Spanish);
        let starts: Vec<(usize, usize)> = matches
            .iter()
            .map(|found| (found.start, found.count))
            .collect();
        assert_eq!(starts, [(0, 2), (3, 1)]);
        assert!(
            matches[0]
                .alternatives
                .contains(&"de vez en cuando".to_owned())
        );
        assert!(matches[1].alternatives.contains(&"auto".to_owned()));
        let english = synonyms.matches(&Words::parse("The movie was boring"), Language::English);
        assert_eq!(english.len(), 2);
    }

    #[test]
    fn user_pairs_add_to_the_lexicon() {
        let pairs = parse_user_synonyms(
            "# saludos\nhola: buenos días, saludos, qué tal\n\nQué Tal:  cómo estás ,\n",
        )
        .unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].1, ["buenos días", "saludos", "qué tal"]);
        let synonyms = Synonyms::new(&pairs).unwrap();
        let matches = synonyms.matches(&Words::parse("Hola, ¿qué tal?"), Language::English);
        assert_eq!(matches.len(), 2, "user pairs apply in any language");
        assert_eq!(matches[1].start, 1);
        assert_eq!(matches[1].count, 2);
        assert_eq!(matches[1].alternatives, ["cómo estás"]);
    }

    #[test]
    fn bad_synonym_lines_are_located() {
        let error = parse_user_synonyms("hola: saludos\nadiós\n").unwrap_err();
        assert!(matches!(
            error,
            AugmentError::SynonymFormat { line: Some(2), .. }
        ));
        let error = parse_user_synonyms("hola:  , \n").unwrap_err();
        assert!(matches!(
            error,
            AugmentError::SynonymFormat { line: Some(1), .. }
        ));
        let error = parse_user_synonyms("bueno: bien\nmalo: no bueno\n").unwrap_err();
        assert!(matches!(
            error,
            AugmentError::NegatorSynonym { line: Some(2), ref word } if word == "no bueno"
        ));
        assert!(error.to_string().starts_with("Line 2: "));
        let pairs = vec![("nunca".to_owned(), vec!["jamás".to_owned()])];
        assert!(matches!(
            Synonyms::new(&pairs),
            Err(AugmentError::NegatorSynonym { line: None, .. })
        ));
    }
}
