//! Text → hashed feature ids: word unigrams and bigrams plus character n-grams, hashed into a
//! fixed number of buckets (fastText's hashing trick), so the vocabulary never has to be stored.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::hash::hash_parts;

/// Feature id reserved for padding: it never comes out of [`Featurizer::features`].
pub const PADDING_ID: u32 = 0;

/// How text becomes features. Stored in the model file: a model only makes sense with the
/// featurizer it was trained with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturizerConfig {
    /// Number of hash buckets, including the padding bucket 0.
    pub buckets: u32,
    /// Longest word n-gram (1 = unigrams only, 2 = unigrams and bigrams).
    pub word_ngrams: usize,
    /// Shortest character n-gram taken from each word (with `<` `>` boundary marks); 0 disables.
    pub char_ngram_min: usize,
    /// Longest character n-gram taken from each word.
    pub char_ngram_max: usize,
    /// Most features kept per text; longer texts keep their first features.
    pub max_features: usize,
}

impl Default for FeaturizerConfig {
    fn default() -> Self {
        Self {
            buckets: 1 << 16,
            word_ngrams: 2,
            char_ngram_min: 3,
            char_ngram_max: 5,
            max_features: 512,
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

    /// The normalized tokens of `text`: NFKC, lowercase; words are runs of letters and digits,
    /// every other visible character (¿ ¡ ! emoji …) is a token of its own.
    pub fn tokens(text: &str) -> Vec<String> {
        let normalized: String = text.nfkc().flat_map(char::to_lowercase).collect();
        let mut tokens = Vec::new();
        let mut word = String::new();
        for character in normalized.chars() {
            if character.is_alphanumeric() {
                word.push(character);
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

    /// The feature ids of `text`, each in `1..buckets`; empty for a text without tokens.
    pub fn features(&self, text: &str) -> Vec<u32> {
        let tokens = Self::tokens(text);
        let mut ids = Vec::new();
        for (index, token) in tokens.iter().enumerate() {
            ids.push(self.bucket(&[b"w", token.as_bytes()]));
            for n in 2..=self.config.word_ngrams {
                let Some(window) = tokens.get(index + 1 - n.min(index + 1)..=index) else {
                    continue;
                };
                if window.len() == n {
                    let joined = window.join(" ");
                    ids.push(self.bucket(&[b"n", joined.as_bytes()]));
                }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn nfkc_folds_compatibility_forms() {
        // "ﬁ" ligature and full-width letters fold to their plain forms.
        assert_eq!(Featurizer::tokens("ﬁno ＡＢＣ"), vec!["fino", "abc"]);
    }

    #[test]
    fn features_are_stable_in_range_and_deterministic() {
        let featurizer = Featurizer::new(FeaturizerConfig::default());
        let first = featurizer.features("La comida estaba deliciosa");
        let second = featurizer.features("La comida estaba deliciosa");
        assert_eq!(first, second);
        assert!(!first.is_empty());
        assert!(first.iter().all(|id| *id >= 1 && *id < (1 << 16)));
        // 4 unigrams + 3 bigrams + character n-grams.
        assert!(first.len() > 7);
    }

    #[test]
    fn bigrams_change_with_word_order() {
        let config = FeaturizerConfig {
            char_ngram_min: 0,
            ..FeaturizerConfig::default()
        };
        let featurizer = Featurizer::new(config);
        let mut good = featurizer.features("no bueno");
        let mut other = featurizer.features("bueno no");
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
