//! Text keys for comparing rows: normalized texts, label keys and word hashes.

use std::hash::{BuildHasher, Hash};

use foldhash::fast::FixedState;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// NFKC, lowercase, punctuation and symbols turned into spaces, whitespace collapsed.
///
/// Two texts with the same key differ only in case, spacing, punctuation or compatibility
/// forms (such as full-width letters), so they say the same thing.
pub(crate) fn text_key(text: &str) -> String {
    // Most text is in NFKC already (the quick check answers without decomposing anything);
    // then the normalizer would give back the same characters, only slower.
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        key_of(text.chars(), text.len())
    } else {
        key_of(text.nfkc(), text.len())
    }
}

/// [`text_key`] of NFKC characters.
fn key_of(characters: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut key = String::with_capacity(capacity);
    let mut pending_space = false;
    for character in characters.flat_map(char::to_lowercase) {
        if character.is_alphanumeric() {
            if pending_space && !key.is_empty() {
                key.push(' ');
            }
            pending_space = false;
            key.push(character);
        } else {
            pending_space = true;
        }
    }
    key
}

/// Lowercase, without accents, whitespace trimmed and collapsed: `" Positivo"`,
/// `"POSITIVO"` and `"positívo"` all give `"positivo"`.
pub(crate) fn label_key(label: &str) -> String {
    if label.is_ascii() {
        // Nothing to decompose and no accents: the same key, without the normalizer.
        let lower = label.to_ascii_lowercase();
        return lower.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let folded: String = label
        .nfkd()
        .filter(|character| !is_combining_mark(*character))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 128 bits of hash of `value`: two fixed-seed hashes side by side, so that two different
/// values practically never share one (the passes keep these instead of the values).
pub(crate) fn hash128<Value: Hash + ?Sized>(value: &Value, seeds: [u64; 2]) -> u128 {
    let [high, low] = seeds;
    u128::from(FixedState::with_seed(high).hash_one(value)) << 64
        | u128::from(FixedState::with_seed(low).hash_one(value))
}

/// FNV-1a (64 bit): a fixed hash, so results never depend on the platform or a seed.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// The sorted, deduplicated hashes of the words of a [`text_key`]: the word set used for
/// Jaccard similarity.
pub(crate) fn word_set(key: &str) -> Vec<u64> {
    let mut words: Vec<u64> = key
        .split(' ')
        .filter(|word| !word.is_empty())
        .map(|word| fnv1a(word.as_bytes()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted, deduplicated sets (0 when both are empty).
pub(crate) fn jaccard(first: &[u64], second: &[u64]) -> f64 {
    let (mut first_index, mut second_index, mut shared) = (0, 0, 0_usize);
    while let (Some(left), Some(right)) = (first.get(first_index), second.get(second_index)) {
        match left.cmp(right) {
            std::cmp::Ordering::Less => first_index += 1,
            std::cmp::Ordering::Greater => second_index += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                first_index += 1;
                second_index += 1;
            }
        }
    }
    let union = first.len() + second.len() - shared;
    if union == 0 {
        return 0.0;
    }
    shared as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_key_ignores_case_spacing_punctuation_and_width() {
        assert_eq!(
            text_key("  ¡Me  ENCANTA!\teste producto... "),
            "me encanta este producto"
        );
        assert_eq!(text_key("ＨＯＬＡ"), "hola");
        assert_eq!(text_key("canción"), "canción");
        assert_eq!(text_key("?!…"), "");
    }

    #[test]
    fn label_key_folds_case_accents_and_spaces() {
        for label in ["Positivo", " positivo", "POSITIVO", "positívo", "positivo "] {
            assert_eq!(label_key(label), "positivo");
        }
        assert_eq!(label_key("muy   Bueno"), "muy bueno");
        assert_ne!(label_key("positivo"), label_key("negativo"));
    }

    #[test]
    fn jaccard_of_word_sets() {
        let first = word_set(&text_key("me encanta este producto"));
        let second = word_set(&text_key("me encanta mucho este producto"));
        assert!((jaccard(&first, &second) - 0.8).abs() < 1e-9);
        assert!((jaccard(&first, &first) - 1.0).abs() < 1e-9);
        assert!(jaccard(&[], &[]).abs() < 1e-9);
        assert!(jaccard(&first, &word_set("nada que ver")) < 0.1);
    }

    #[test]
    fn fnv_is_the_reference_value() {
        assert_eq!(fnv1a(b""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xAF63_DC4C_8601_EC8C);
    }
}
