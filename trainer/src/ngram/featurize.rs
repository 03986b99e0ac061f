//! Text → hashed feature ids: word unigrams and n-grams plus character n-grams, hashed into a
//! fixed number of buckets (fastText's hashing trick), so the vocabulary never has to be stored.
//!
//! The featurizer is one [`Encoder`](crate::encoder::EncoderConfig) among possible others: the
//! classifier's head only sees one vector per text.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::hash::hash_parts;

/// Feature id reserved for padding: it never comes out of [`Featurizer::features`].
#[cfg_attr(not(feature = "burn"), allow(dead_code))]
pub const PADDING_ID: u32 = 0;

/// Words that open a negation scope (Spanish, English, Portuguese), matched after lowercasing.
/// English contractions ("don't", "n't") are matched by their ending instead.
const NEGATION_CUES: &[&str] = &[
    "no", "nunca", "jamás", "jamas", "ni", "tampoco", "nada", "nadie", "ninguno", "ninguna",
    "ningún", "ningun", "sin", "not", "never", "nothing", "nobody", "none", "neither", "nor",
    "without", "cannot", "hardly", "não", "nao", "nem",
];

/// How text becomes features. Stored in the model file: a model only makes sense with the
/// featurizer it was trained with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturizerConfig {
    /// Number of hash buckets, including the padding bucket 0.
    pub buckets: u32,
    /// Longest word n-gram (1 = unigrams only, 2 = unigrams and bigrams, …).
    pub word_ngrams: usize,
    /// Shortest character n-gram taken from each word (with `<` `>` boundary marks); 0 disables.
    pub char_ngram_min: usize,
    /// Longest character n-gram taken from each word.
    pub char_ngram_max: usize,
    /// Most features kept per text; longer texts keep their first features.
    pub max_features: usize,
    /// Strip accents and other combining marks ("canción" → "cancion"); ñ and ç are kept,
    /// because in Spanish and Portuguese they are letters, not accented forms.
    #[serde(default)]
    pub fold_accents: bool,
    /// After a negation word ("no", "nunca", "not", "n't" …) up to the next punctuation mark,
    /// each word also gives a "negated word" feature, so "no me gustó" differs from "me gustó"
    /// beyond the bigram.
    #[serde(default)]
    pub mark_negation: bool,
}

impl Default for FeaturizerConfig {
    fn default() -> Self {
        Self {
            buckets: 1 << 19,
            word_ngrams: 4,
            char_ngram_min: 3,
            char_ngram_max: 5,
            max_features: 1024,
            fold_accents: false,
            mark_negation: true,
        }
    }
}

/// Turns texts into bucket ids according to a [`FeaturizerConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct Featurizer {
    config: FeaturizerConfig,
}

impl Featurizer {
    /// A featurizer for `config`.
    pub fn new(config: FeaturizerConfig) -> Self {
        Self { config }
    }

    /// The configuration this featurizer applies.
    pub fn config(&self) -> &FeaturizerConfig {
        &self.config
    }

    /// The normalized tokens of `text`: NFKC, lowercase; words are runs of letters and digits
    /// (an apostrophe between two of them stays inside: "don't", "n't"); every other visible
    /// character (¿ ¡ ! emoji …) is a token of its own.
    pub fn tokens(text: &str) -> Vec<String> {
        tokenize(text, false)
    }

    /// The tokens this featurizer sees: [`Featurizer::tokens`], accent-folded when configured.
    pub fn normalized_tokens(&self, text: &str) -> Vec<String> {
        tokenize(text, self.config.fold_accents)
    }

    /// The feature ids of `text`, each in `1..buckets`; empty for a text without tokens.
    pub fn features(&self, text: &str) -> Vec<u32> {
        let tokens = self.normalized_tokens(text);
        let negated = if self.config.mark_negation {
            negation_scope(&tokens)
        } else {
            Vec::new()
        };
        let mut ids = Vec::with_capacity(tokens.len() * 16);
        let mut joined = String::new();
        for (index, token) in tokens.iter().enumerate() {
            ids.push(self.bucket(&[b"w", token.as_bytes()]));
            if negated.get(index).copied().unwrap_or(false) {
                ids.push(self.bucket(&[b"x", token.as_bytes()]));
            }
            for n in 2..=self.config.word_ngrams.min(index + 1) {
                let Some(window) = tokens.get(index + 1 - n..=index) else {
                    continue;
                };
                joined.clear();
                for (position, word) in window.iter().enumerate() {
                    if position > 0 {
                        joined.push(' ');
                    }
                    joined.push_str(word);
                }
                ids.push(self.bucket(&[b"n", joined.as_bytes()]));
            }
            if token.chars().next().is_some_and(char::is_alphanumeric) {
                self.push_char_ngrams(token, &mut ids);
            }
        }
        ids.truncate(self.config.max_features);
        ids
    }

    fn push_char_ngrams(&self, word: &str, ids: &mut Vec<u32>) {
        if self.config.char_ngram_min == 0 {
            return;
        }
        let marked: Vec<char> = std::iter::once('<')
            .chain(word.chars())
            .chain(std::iter::once('>'))
            .collect();
        let mut gram = String::new();
        for n in self.config.char_ngram_min..=self.config.char_ngram_max {
            for window in marked.windows(n) {
                gram.clear();
                gram.extend(window);
                ids.push(self.bucket(&[b"c", gram.as_bytes()]));
            }
        }
    }

    fn bucket(&self, parts: &[&[u8]]) -> u32 {
        let slots = u64::from(self.config.buckets.saturating_sub(1).max(1));
        // The remainder is below `slots` ≤ u32::MAX, so the conversion cannot fail.
        let slot = u32::try_from(hash_parts(parts) % slots).unwrap_or(0);
        slot + 1
    }
}

fn tokenize(text: &str, fold_accents: bool) -> Vec<String> {
    let lowered: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let normalized = if fold_accents {
        fold(&lowered)
    } else {
        lowered
    };
    let characters: Vec<char> = normalized.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    for (index, character) in characters.iter().copied().enumerate() {
        if character.is_alphanumeric() {
            word.push(character);
            continue;
        }
        let inside_word = matches!(character, '\'' | '’')
            && !word.is_empty()
            && characters
                .get(index + 1)
                .is_some_and(|next| next.is_alphanumeric());
        if inside_word {
            word.push('\'');
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if !character.is_whitespace() && !character.is_control() {
            tokens.push(character.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

/// Removes combining marks after canonical decomposition, except the tilde of ñ and the
/// cedilla of ç.
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, 'ñ' | 'ç') {
            folded.push(character);
            continue;
        }
        folded.extend(
            std::iter::once(character)
                .nfd()
                .filter(|part| !is_combining_mark(*part)),
        );
    }
    folded.nfc().collect()
}

/// For each token, whether it lies in a negation scope: after a negation cue, up to the next
/// punctuation token. The cue itself is not marked.
fn negation_scope(tokens: &[String]) -> Vec<bool> {
    let mut scope = Vec::with_capacity(tokens.len());
    let mut inside = false;
    for token in tokens {
        let is_word = token.chars().next().is_some_and(char::is_alphanumeric);
        if !is_word {
            inside = false;
            scope.push(false);
            continue;
        }
        scope.push(inside);
        if is_negation_cue(token) {
            inside = true;
        }
    }
    scope
}

fn is_negation_cue(token: &str) -> bool {
    NEGATION_CUES.contains(&token) || token.ends_with("n't")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> FeaturizerConfig {
        FeaturizerConfig {
            char_ngram_min: 0,
            word_ngrams: 2,
            mark_negation: false,
            ..FeaturizerConfig::default()
        }
    }

    #[test]
    fn tokens_keep_accents_and_split_punctuation_and_emoji() {
        let tokens = Featurizer::tokens("¿Qué tal? ¡Muy RICO! 😀 Canción");
        assert_eq!(
            tokens,
            vec![
                "¿", "qué", "tal", "?", "¡", "muy", "rico", "!", "😀", "canción"
            ]
        );
    }

    #[test]
    fn apostrophes_inside_words_stay() {
        assert_eq!(
            Featurizer::tokens("I don't like it, 'really'"),
            vec!["i", "don't", "like", "it", ",", "'", "really", "'"]
        );
        assert_eq!(Featurizer::tokens("does n't"), vec!["does", "n't"]);
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        // "ﬁ" ligature and full-width letters fold to their plain forms.
        assert_eq!(Featurizer::tokens("ﬁno ＡＢＣ"), vec!["fino", "abc"]);
    }

    #[test]
    fn accent_folding_keeps_enie() {
        let featurizer = Featurizer::new(FeaturizerConfig {
            fold_accents: true,
            ..plain()
        });
        assert_eq!(
            featurizer.normalized_tokens("Canción ÁRBOL pingüino año Ação"),
            vec!["cancion", "arbol", "pinguino", "año", "açao"]
        );
        // Folded, "canción" and "cancion" give the same features; unfolded they differ.
        assert_eq!(
            featurizer.features("canción"),
            featurizer.features("cancion")
        );
        let unfolded = Featurizer::new(plain());
        assert_ne!(unfolded.features("canción"), unfolded.features("cancion"));
    }

    #[test]
    fn decomposed_and_composed_accents_agree() {
        // "é" as one code point and as "e" + combining acute: NFKC makes them equal.
        assert_eq!(
            Featurizer::tokens("caf\u{e9}"),
            Featurizer::tokens("cafe\u{301}")
        );
    }

    #[test]
    fn negation_scope_runs_to_punctuation() {
        let tokens: Vec<String> = Featurizer::tokens("no me gustó nada, pero el final sí");
        let scope = negation_scope(&tokens);
        let marked: Vec<&str> = tokens
            .iter()
            .zip(&scope)
            .filter(|(_, inside)| **inside)
            .map(|(token, _)| token.as_str())
            .collect();
        assert_eq!(marked, vec!["me", "gustó", "nada"]);
        let english = Featurizer::tokens("it isn't good . great cast");
        let marked: Vec<bool> = negation_scope(&english);
        assert_eq!(marked, vec![false, false, true, false, false, false]);
    }

    #[test]
    fn negation_marking_adds_features_only_in_scope() {
        let marking = Featurizer::new(FeaturizerConfig {
            mark_negation: true,
            ..plain()
        });
        let unmarked = Featurizer::new(plain());
        // "no bueno": 2 unigrams + 1 bigram, plus the negated "bueno".
        assert_eq!(unmarked.features("no bueno").len(), 3);
        assert_eq!(marking.features("no bueno").len(), 4);
        // Without a cue nothing is added.
        assert_eq!(
            marking.features("muy bueno"),
            unmarked.features("muy bueno")
        );
        // The negated word is a feature of its own: "no bueno" shares the plain "bueno".
        let negated = marking.features("no bueno");
        let plain_bueno = unmarked.features("bueno");
        assert!(negated.contains(&plain_bueno[0]));
    }

    #[test]
    fn emoji_is_a_feature() {
        let featurizer = Featurizer::new(plain());
        let with = featurizer.features("genial 😀");
        let without = featurizer.features("genial");
        assert_eq!(with.len(), without.len() + 2, "the emoji and its bigram");
    }

    #[test]
    fn features_are_stable_in_range_and_deterministic() {
        let featurizer = Featurizer::new(FeaturizerConfig::default());
        let first = featurizer.features("La comida estaba deliciosa");
        let second = featurizer.features("La comida estaba deliciosa");
        assert_eq!(first, second);
        assert!(!first.is_empty());
        let buckets = FeaturizerConfig::default().buckets;
        assert!(first.iter().all(|id| *id >= 1 && *id < buckets));
        // 4 unigrams + 3 bigrams + 2 trigrams + character n-grams.
        assert!(first.len() > 9);
    }

    #[test]
    fn bigrams_change_with_word_order() {
        let featurizer = Featurizer::new(plain());
        let mut good = featurizer.features("muy bueno");
        let mut other = featurizer.features("bueno muy");
        assert_eq!(good.len(), 3);
        good.sort_unstable();
        other.sort_unstable();
        assert_ne!(good, other, "the bigram must differ");
    }

    #[test]
    fn empty_text_has_no_features_and_max_features_caps() {
        let featurizer = Featurizer::new(FeaturizerConfig {
            max_features: 5,
            ..FeaturizerConfig::default()
        });
        assert!(featurizer.features("   ").is_empty());
        assert_eq!(featurizer.features("una frase bastante larga").len(), 5);
    }
}
