//! A text as words and the gaps between them, so word operations can edit, insert, swap and
//! delete words and put the text back together with its punctuation and spacing.

use unicode_normalization::char::is_combining_mark;

use super::negation::is_negator;

/// One word and the gap (spaces, punctuation, emoji …) that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    word: String,
    gap: String,
}

/// A text split into words: letters and digits, with apostrophes inside a word (`don't`)
/// and combining marks kept; everything else is a gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Words {
    leading: String,
    pieces: Vec<Piece>,
}

/// Whether `character` continues a word.
fn is_word_character(character: char) -> bool {
    character.is_alphanumeric() || is_combining_mark(character)
}

/// Whether `character` is an apostrophe that can join two parts of a word.
fn is_apostrophe(character: char) -> bool {
    matches!(character, '\'' | '’')
}

impl Words {
    /// Splits `text` into words and gaps; [`Words::to_text`] gives `text` back unchanged.
    pub(crate) fn parse(text: &str) -> Self {
        let mut leading = String::new();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut characters = text.chars().peekable();
        let mut in_word = false;
        while let Some(character) = characters.next() {
            let joins = is_apostrophe(character)
                && in_word
                && characters.peek().is_some_and(|next| next.is_alphanumeric());
            if is_word_character(character) || joins {
                if !in_word {
                    pieces.push(Piece {
                        word: String::new(),
                        gap: String::new(),
                    });
                    in_word = true;
                }
                if let Some(piece) = pieces.last_mut() {
                    piece.word.push(character);
                }
            } else {
                in_word = false;
                match pieces.last_mut() {
                    Some(piece) => piece.gap.push(character),
                    None => leading.push(character),
                }
            }
        }
        Self { leading, pieces }
    }

    /// The text with its words and gaps in order.
    pub(crate) fn to_text(&self) -> String {
        let mut text = self.leading.clone();
        for piece in &self.pieces {
            text.push_str(&piece.word);
            text.push_str(&piece.gap);
        }
        text
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.pieces.len()
    }

    /// The word at `index`.
    pub(crate) fn word(&self, index: usize) -> Option<&str> {
        self.pieces.get(index).map(|piece| piece.word.as_str())
    }

    /// The gap after the word at `index`.
    pub(crate) fn gap_after(&self, index: usize) -> Option<&str> {
        self.pieces.get(index).map(|piece| piece.gap.as_str())
    }

    /// Replaces the word at `index`.
    pub(crate) fn set_word(&mut self, index: usize, word: String) {
        if let Some(piece) = self.pieces.get_mut(index) {
            piece.word = word;
        }
    }

    /// Replaces the gap after the word at `index`, or the text before the first word when
    /// `index` is `None`.
    pub(crate) fn set_gap(&mut self, index: Option<usize>, gap: String) {
        match index {
            None => self.leading = gap,
            Some(index) => {
                if let Some(piece) = self.pieces.get_mut(index) {
                    piece.gap = gap;
                }
            }
        }
    }

    /// The text before the first word.
    pub(crate) fn leading(&self) -> &str {
        &self.leading
    }

    /// Whether the word at `index` is a negator.
    pub(crate) fn is_negator_at(&self, index: usize) -> bool {
        self.word(index).is_some_and(is_negator)
    }

    /// Whether the word at `index` may be deleted or swapped: it is not a negator and does
    /// not directly follow one (so "no me gusta" keeps its negated phrase).
    pub(crate) fn is_movable(&self, index: usize) -> bool {
        let follows_negator = index > 0 && self.is_negator_at(index - 1);
        !(self.is_negator_at(index) || follows_negator)
    }

    /// Whether a word may be inserted before the word at `position` (`len()` means at the
    /// end): never right after a negator.
    pub(crate) fn can_insert_at(&self, position: usize) -> bool {
        position == 0 || !self.is_negator_at(position - 1)
    }

    /// Inserts `word` before the word at `position` (at the end when `position` is
    /// `len()`), separated by a space; at the end it goes before the final punctuation.
    pub(crate) fn insert(&mut self, position: usize, word: String) {
        let position = position.min(self.pieces.len());
        if position == self.pieces.len()
            && let Some(last) = self.pieces.last_mut()
        {
            let gap = std::mem::replace(&mut last.gap, " ".to_owned());
            self.pieces.push(Piece { word, gap });
            return;
        }
        self.pieces.insert(
            position,
            Piece {
                word,
                gap: " ".to_owned(),
            },
        );
    }

    /// Swaps the words at `first` and `second`, leaving the gaps where they are.
    pub(crate) fn swap(&mut self, first: usize, second: usize) {
        if first < self.pieces.len() && second < self.pieces.len() {
            let first_word = self
                .pieces
                .get(first)
                .map(|piece| piece.word.clone())
                .unwrap_or_default();
            let second_word = self
                .pieces
                .get(second)
                .map(|piece| piece.word.clone())
                .unwrap_or_default();
            self.set_word(first, second_word);
            self.set_word(second, first_word);
        }
    }

    /// Deletes the word at `index`, merging the gaps around it: spaces give way to
    /// punctuation, so "hola, qué tal?" without "tal" is "hola, qué?".
    pub(crate) fn remove(&mut self, index: usize) {
        if index >= self.pieces.len() {
            return;
        }
        let removed = self.pieces.remove(index);
        let is_last = index == self.pieces.len();
        if index == 0 {
            // The text before the first word stays (an opening ¿ or ¡); the gap after the
            // deleted word goes unless the text is now empty of words.
            if self.pieces.is_empty() {
                self.leading.push_str(removed.gap.trim_end());
            }
            return;
        }
        if let Some(previous) = self.pieces.get_mut(index - 1) {
            previous.gap = merge_gaps(&previous.gap, &removed.gap, is_last);
        }
    }

    /// Replaces the words `start..start + count` (and the gaps between them) with one word.
    pub(crate) fn replace_span(&mut self, start: usize, count: usize, word: String) {
        let end = start + count;
        if count == 0 || end > self.pieces.len() {
            return;
        }
        let gap = self
            .pieces
            .get(end - 1)
            .map(|piece| piece.gap.clone())
            .unwrap_or_default();
        self.pieces.drain(start + 1..end);
        if let Some(piece) = self.pieces.get_mut(start) {
            piece.word = word;
            piece.gap = gap;
        }
    }

    /// The words `start..start + count` joined by single spaces, lower-case, when only
    /// spaces separate them (a phrase such as "a veces"); `None` otherwise.
    pub(crate) fn phrase(&self, start: usize, count: usize) -> Option<String> {
        let pieces = self.pieces.get(start..start.checked_add(count)?)?;
        let (last, inner) = pieces.split_last()?;
        let mut phrase = String::new();
        for piece in inner {
            if !piece.gap.chars().all(char::is_whitespace) || piece.gap.is_empty() {
                return None;
            }
            phrase.push_str(&piece.word);
            phrase.push(' ');
        }
        phrase.push_str(&last.word);
        Some(phrase.to_lowercase())
    }
}

/// The gap left when the word between `before` and `after` is deleted.
fn merge_gaps(before: &str, after: &str, is_last: bool) -> String {
    let is_blank = |gap: &str| gap.chars().all(char::is_whitespace);
    if is_blank(before) {
        if is_last {
            after.to_owned()
        } else if after.is_empty() {
            // Two words would run together.
            " ".to_owned()
        } else {
            after.to_owned()
        }
    } else if is_blank(after) {
        if is_last {
            before.trim_end().to_owned()
        } else {
            before.to_owned()
        }
    } else {
        after.to_owned()
    }
}

/// The negators of `text` in order, as written (`"No"`, `"don't"`): an augmented variant
/// must keep exactly these, in this order.
pub fn negator_words(text: &str) -> Vec<String> {
    let words = Words::parse(text);
    (0..words.len())
        .filter_map(|index| words.word(index))
        .filter(|word| is_negator(word))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(words: &Words) -> Vec<&str> {
        (0..words.len())
            .map(|index| words.word(index).unwrap())
            .collect()
    }

    #[test]
    fn round_trips_any_text() {
        for text in [
            "",
            "  ",
            "¿Qué tal? Bien, gracias.",
            "I don't know… it's 3.5 stars 😀!",
            "ñandú\ncafé",
            "'quoted' -dash-",
        ] {
            assert_eq!(Words::parse(text).to_text(), text);
        }
        let words = Words::parse("¿I don't 'know'?");
        assert_eq!(words_of(&words), ["I", "don't", "know"]);
        assert_eq!(words.leading(), "¿");
        assert_eq!(words.gap_after(2), Some("'?"));
    }

    #[test]
    fn edits_keep_punctuation_in_place() {
        let mut words = Words::parse("hola, qué tal?");
        words.remove(2);
        assert_eq!(words.to_text(), "hola, qué?");
        let mut words = Words::parse("hola, qué tal");
        words.remove(2);
        assert_eq!(words.to_text(), "hola, qué");
        let mut words = Words::parse("¿Hola qué tal?");
        words.remove(0);
        assert_eq!(words.to_text(), "¿qué tal?");
        let mut words = Words::parse("a b c.");
        words.remove(1);
        assert_eq!(words.to_text(), "a c.");

        let mut words = Words::parse("me gusta.");
        words.insert(2, "mucho".into());
        assert_eq!(words.to_text(), "me gusta mucho.");
        words.insert(0, "hoy".into());
        assert_eq!(words.to_text(), "hoy me gusta mucho.");
        words.swap(0, 3);
        assert_eq!(words.to_text(), "mucho me gusta hoy.");

        let mut words = Words::parse("lo hago a veces, sí");
        assert_eq!(words.phrase(2, 2).as_deref(), Some("a veces"));
        assert_eq!(words.phrase(3, 2), None, "a comma splits the phrase");
        words.replace_span(2, 2, "de vez en cuando".into());
        assert_eq!(words.to_text(), "lo hago de vez en cuando, sí");
    }

    #[test]
    fn negators_are_protected() {
        let words = Words::parse("no me gusta nada la sopa");
        assert!(!words.is_movable(0));
        assert!(!words.is_movable(1), "the word after a negator");
        assert!(words.is_movable(2));
        assert!(!words.is_movable(3));
        assert!(!words.is_movable(4));
        assert!(words.is_movable(5));
        assert!(words.can_insert_at(0));
        assert!(!words.can_insert_at(1));
        assert!(words.can_insert_at(2));
        assert!(!words.can_insert_at(4));
    }

    #[test]
    fn lists_negators_in_order() {
        assert_eq!(
            negator_words("No me gustó, nunca vuelvo. I don't know, not sure"),
            ["No", "nunca", "don't", "not"]
        );
        assert!(negator_words("Me encanta").is_empty());
    }
}
