//! Negators: the words whose loss or displacement turns a review's meaning around.

/// Spanish and English negators, lower-case. English contractions ending in `n't` are matched
/// by their ending instead, and the common spellings without the apostrophe are listed.
const NEGATORS: &[&str] = &[
    // Spanish.
    "no", "nunca", "jamás", "jamas", "ni", "tampoco", "sin", "nada", "nadie", "ninguno", "ninguna",
    "ningún", "ningun", "ningunos", "ningunas", "nomás", // English.
    "not", "never", "nothing", "nobody", "none", "neither", "nor", "without", "cannot", "nowhere",
    "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "couldnt", "wont",
    "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint", "mustnt", "neednt",
];

/// Whether `word` (one word, or a phrase put in by a synonym) is or contains a negator,
/// ignoring case: `no`, `Nunca`, `don't`, `isn’t`, `cannot` …
pub(crate) fn is_negator(word: &str) -> bool {
    word.split_whitespace().any(|part| {
        let lowered = part.to_lowercase();
        NEGATORS.contains(&lowered.as_str()) || lowered.ends_with("n't") || lowered.ends_with("n’t")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_negators_in_both_languages() {
        for word in [
            "no", "No", "NUNCA", "jamás", "ni", "tampoco", "sin", "nada", "nadie", "ninguno",
            "not", "never", "don't", "isn’t", "can't", "won't", "cannot", "dont",
        ] {
            assert!(is_negator(word), "{word}");
        }
        for word in [
            "nota", "sino", "nadar", "know", "note", "bueno", "ninja", "nice", "on",
        ] {
            assert!(!is_negator(word), "{word}");
        }
        assert!(is_negator("casi nunca"));
    }
}
