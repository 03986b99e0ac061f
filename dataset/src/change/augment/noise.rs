//! Character noise as people type in a hurry: keyboard-neighbour typos, dropped accents, case
//! changes, dropped `¿` `¡` and end punctuation, and repeated letters. Negators are never
//! touched, no change may turn a word into one, and the mark that ends a negated phrase
//! stays.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngExt};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::eda::changes;
use super::keyboard::Keyboard;
use super::negation::is_negator;
use super::words::Words;

/// Applies `change` to n of the `eligible` words (n from `rate`), skipping a result that is
/// the same or a negator.
fn change_words<R, F>(words: &mut Words, eligible: &[usize], rate: f32, rng: &mut R, mut change: F)
where
    R: Rng + ?Sized,
    F: FnMut(&str, &mut R) -> Option<String>,
{
    let mut chosen = eligible.to_vec();
    chosen.shuffle(rng);
    chosen.truncate(changes(rate, eligible.len()));
    chosen.sort_unstable();
    for index in chosen {
        let Some(word) = words.word(index) else {
            continue;
        };
        if let Some(changed) = change(word, rng)
            && changed != word
            && !is_negator(&changed)
        {
            words.set_word(index, changed);
        }
    }
}

/// The indices of words, not negators nor phrases, that `keep` accepts.
fn eligible_words(words: &Words, keep: impl Fn(&str) -> bool) -> Vec<usize> {
    (0..words.len())
        .filter(|index| {
            words
                .word(*index)
                .is_some_and(|word| !word.contains(' ') && !is_negator(word) && keep(word))
        })
        .collect()
}

/// Replaces one letter in n words of three letters or more with a neighbouring key.
pub(crate) fn typos<R: Rng + ?Sized>(
    words: &mut Words,
    keyboard: Keyboard,
    rate: f32,
    rng: &mut R,
) {
    let eligible = eligible_words(words, |word| {
        word.chars().count() >= 3
            && word
                .chars()
                .any(|letter| !keyboard.neighbours(letter).is_empty())
    });
    change_words(words, &eligible, rate, rng, |word, rng| {
        let letters: Vec<char> = word.chars().collect();
        let positions: Vec<usize> = (0..letters.len())
            .filter(|position| {
                letters
                    .get(*position)
                    .is_some_and(|letter| !keyboard.neighbours(*letter).is_empty())
            })
            .collect();
        let position = *positions.choose(rng)?;
        let neighbour = *keyboard.neighbours(*letters.get(position)?).choose(rng)?;
        let mut changed = letters;
        *changed.get_mut(position)? = neighbour;
        Some(changed.into_iter().collect())
    });
}

/// `word` without accents (`qué` → `que`, `Ánimo` → `Animo`); `ñ` stays unless
/// `drop_enye`.
pub(crate) fn without_accents(word: &str, drop_enye: bool) -> String {
    word.nfc()
        .flat_map(|character| {
            let keep_whole = matches!(character, 'ñ' | 'Ñ') && !drop_enye;
            let folded: Vec<char> = if keep_whole {
                vec![character]
            } else {
                std::iter::once(character)
                    .nfd()
                    .filter(|part| !is_combining_mark(*part))
                    .collect()
            };
            folded
        })
        .collect()
}

/// Drops the accents of n of the words that have any.
pub(crate) fn drop_accents<R: Rng + ?Sized>(
    words: &mut Words,
    drop_enye: bool,
    rate: f32,
    rng: &mut R,
) {
    let eligible = eligible_words(words, |word| without_accents(word, drop_enye) != word);
    change_words(words, &eligible, rate, rng, |word, _| {
        Some(without_accents(word, drop_enye))
    });
}

/// The case a word is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Lower,
    Capitalized,
    Upper,
    Mixed,
}

fn style_of(word: &str) -> Style {
    let has_upper = word.chars().any(char::is_uppercase);
    let has_lower = word.chars().any(char::is_lowercase);
    if !has_upper {
        Style::Lower
    } else if !has_lower {
        Style::Upper
    } else if word.chars().next().is_some_and(char::is_uppercase)
        && !word.chars().skip(1).any(char::is_uppercase)
    {
        Style::Capitalized
    } else {
        Style::Mixed
    }
}

fn in_style(word: &str, style: Style) -> String {
    match style {
        Style::Lower | Style::Mixed => word.to_lowercase(),
        Style::Upper => word.to_uppercase(),
        Style::Capitalized => {
            let lowered = word.to_lowercase();
            let mut characters = lowered.chars();
            match characters.next() {
                Some(first) => first.to_uppercase().chain(characters).collect(),
                None => String::new(),
            }
        }
    }
}

/// Writes n words in another case: lower-case, capitalised or in capitals.
pub(crate) fn change_case<R: Rng + ?Sized>(words: &mut Words, rate: f32, rng: &mut R) {
    let eligible = eligible_words(words, |word| {
        word.chars()
            .any(|character| character.is_lowercase() || character.is_uppercase())
    });
    change_words(words, &eligible, rate, rng, |word, rng| {
        let choices: &[Style] = match style_of(word) {
            Style::Lower => &[Style::Capitalized, Style::Upper],
            Style::Capitalized => &[Style::Lower, Style::Upper],
            Style::Upper => &[Style::Lower, Style::Capitalized],
            Style::Mixed => &[Style::Lower],
        };
        Some(in_style(word, *choices.choose(rng)?))
    });
}

/// Sentence-ending marks.
fn is_end_mark(character: char) -> bool {
    matches!(character, '.' | '!' | '?' | '…')
}

/// Opening marks.
fn is_opening_mark(character: char) -> bool {
    matches!(character, '¿' | '¡')
}

/// A run of marks that may be dropped: in the gap after word `gap` (`None`: before the first
/// word), bytes `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    gap: Option<usize>,
    start: usize,
    end: usize,
}

/// The droppable marks of one gap: runs of `¿` `¡`, and runs of end marks followed by a
/// space or the end of the text, except right after a negator ("No. Me gusta" keeps its
/// full stop, which ends the negated phrase).
fn marks_in(
    gap_text: &str,
    gap: Option<usize>,
    is_final_gap: bool,
    after_negator: bool,
) -> Vec<Mark> {
    let mut marks = Vec::new();
    let characters: Vec<(usize, char)> = gap_text.char_indices().collect();
    let mut position = 0;
    while let Some((start, character)) = characters.get(position).copied() {
        let opening = is_opening_mark(character);
        if !opening && !is_end_mark(character) {
            position += 1;
            continue;
        }
        let mut end_position = position;
        while characters.get(end_position).is_some_and(|(_, next)| {
            if opening {
                is_opening_mark(*next)
            } else {
                is_end_mark(*next)
            }
        }) {
            end_position += 1;
        }
        let end = characters
            .get(end_position)
            .map_or(gap_text.len(), |(byte, _)| *byte);
        let followed_by_space = characters
            .get(end_position)
            .is_some_and(|(_, next)| next.is_whitespace());
        let at_text_end = end_position == characters.len() && is_final_gap;
        let ends_negation = start == 0 && after_negator;
        if opening || ((followed_by_space || at_text_end) && !ends_negation) {
            marks.push(Mark { gap, start, end });
        }
        position = end_position;
    }
    marks
}

/// Drops n of the runs of `¿` `¡` and end punctuation.
pub(crate) fn drop_punctuation<R: Rng + ?Sized>(words: &mut Words, rate: f32, rng: &mut R) {
    let mut marks = marks_in(words.leading(), None, words.len() == 0, false);
    for index in 0..words.len() {
        if let Some(gap_text) = words.gap_after(index) {
            marks.extend(marks_in(
                gap_text,
                Some(index),
                index + 1 == words.len(),
                words.is_negator_at(index),
            ));
        }
    }
    let count = changes(rate, marks.len());
    marks.shuffle(rng);
    marks.truncate(count);
    // From the end of each gap, so earlier byte offsets stay valid.
    marks.sort_by_key(|mark| (mark.gap, std::cmp::Reverse(mark.start)));
    for mark in marks {
        let current = match mark.gap {
            None => words.leading().to_owned(),
            Some(index) => words.gap_after(index).unwrap_or_default().to_owned(),
        };
        let (Some(before), Some(after)) = (current.get(..mark.start), current.get(mark.end..))
        else {
            continue;
        };
        let mut gap_text = format!("{before}{after}");
        let between_words = mark.gap.is_some_and(|index| index + 1 < words.len());
        if gap_text.is_empty() && between_words {
            gap_text.push(' ');
        }
        words.set_gap(mark.gap, gap_text);
    }
}

/// Repeats the last letter of n words of three letters or more, two or three more times
/// (`buenísimo` → `buenísimooo`).
pub(crate) fn repeat_letters<R: Rng + ?Sized>(words: &mut Words, rate: f32, rng: &mut R) {
    let eligible = eligible_words(words, |word| {
        word.chars().count() >= 3 && word.chars().last().is_some_and(char::is_alphabetic)
    });
    change_words(words, &eligible, rate, rng, |word, rng| {
        let last = word.chars().last()?;
        let extra = rng.random_range(2..=3);
        let mut repeated = word.to_owned();
        repeated.extend(std::iter::repeat_n(last, extra));
        Some(repeated)
    });
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn apply(text: &str, seed: u64, operation: impl Fn(&mut Words, &mut StdRng)) -> String {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut words = Words::parse(text);
        operation(&mut words, &mut rng);
        words.to_text()
    }

    #[test]
    fn typos_use_a_keyboard_neighbour() {
        for seed in 0..50 {
            let typed = apply("casa", seed, |words, rng| {
                typos(words, Keyboard::Spanish, 1.0, rng)
            });
            assert_ne!(typed, "casa");
            let original: Vec<char> = "casa".chars().collect();
            let changed: Vec<char> = typed.chars().collect();
            assert_eq!(changed.len(), 4, "{typed}");
            let differences: Vec<usize> = (0..4)
                .filter(|index| original[*index] != changed[*index])
                .collect();
            assert_eq!(differences.len(), 1, "{typed}");
            let at = differences[0];
            assert!(
                Keyboard::Spanish
                    .neighbours(original[at])
                    .contains(&changed[at]),
                "{typed}: {} is not next to {}",
                changed[at],
                original[at]
            );
        }
        // Short words and negators are left alone; the count follows the rate.
        assert_eq!(
            apply("no y tú", 1, |words, rng| typos(
                words,
                Keyboard::Spanish,
                1.0,
                rng
            )),
            "no y tú"
        );
        let typed = apply(
            "uno dos tres cuatro cinco seis siete ocho nueve diez",
            5,
            |words, rng| typos(words, Keyboard::Spanish, 0.2, rng),
        );
        let changed = typed
            .split(' ')
            .zip("uno dos tres cuatro cinco seis siete ocho nueve diez".split(' '))
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed, 2, "{typed}");
    }

    #[test]
    fn typos_never_make_a_negator() {
        // "mi" is too short; "son" could become "sin", which would add a negation.
        for seed in 0..200 {
            let typed = apply("son buenos", seed, |words, rng| {
                typos(words, Keyboard::Spanish, 1.0, rng)
            });
            assert!(!typed.starts_with("sin "), "{typed}");
        }
    }

    #[test]
    fn accents_drop_but_enye_stays_unless_asked() {
        assert_eq!(without_accents("qué", false), "que");
        assert_eq!(without_accents("Ánimo", false), "Animo");
        assert_eq!(without_accents("ñandú", false), "ñandu");
        assert_eq!(without_accents("ñandú", true), "nandu");
        assert_eq!(without_accents("pingüino", false), "pinguino");
        assert_eq!(
            without_accents("n\u{303}o\u{301}", false),
            "ño",
            "decomposed input"
        );
        let dropped = apply("¿Qué tal? Jamás lo sabrás, señor", 1, |words, rng| {
            drop_accents(words, false, 1.0, rng)
        });
        assert_eq!(
            dropped, "¿Que tal? Jamás lo sabras, señor",
            "negators keep their accent"
        );
        let dropped = apply("qué más día", 2, |words, rng| {
            drop_accents(words, false, 0.1, rng)
        });
        assert_eq!(dropped.matches(['á', 'é', 'í']).count(), 2, "{dropped}");
    }

    #[test]
    fn case_changes_style() {
        assert_eq!(style_of("hola"), Style::Lower);
        assert_eq!(style_of("Hola"), Style::Capitalized);
        assert_eq!(style_of("HOLA"), Style::Upper);
        assert_eq!(style_of("hOla"), Style::Mixed);
        for seed in 0..20 {
            let changed = apply("Me encanta", seed, |words, rng| {
                change_case(words, 1.0, rng)
            });
            assert_ne!(changed, "Me encanta");
            assert_eq!(changed.to_lowercase(), "me encanta");
        }
        assert_eq!(
            apply("NO", 1, |words, rng| change_case(words, 1.0, rng)),
            "NO"
        );
    }

    #[test]
    fn punctuation_drops_opening_and_end_marks() {
        assert_eq!(
            apply("¿Qué tal? ¡Genial!", 1, |words, rng| drop_punctuation(
                words, 1.0, rng
            )),
            "Qué tal Genial"
        );
        assert_eq!(
            apply(
                "Cuesta 3.5 euros... vale",
                1,
                |words, rng| drop_punctuation(words, 1.0, rng)
            ),
            "Cuesta 3.5 euros vale"
        );
        assert_eq!(
            apply("No. Me gusta!", 1, |words, rng| drop_punctuation(
                words, 1.0, rng
            )),
            "No. Me gusta",
            "the stop after a negator stays"
        );
        let dropped = apply("¿Sí? ¿No? ¿Quizá?", 3, |words, rng| {
            drop_punctuation(words, 0.2, rng)
        });
        assert_eq!(
            dropped.chars().filter(|c| matches!(c, '¿' | '?')).count(),
            5,
            "{dropped}"
        );
    }

    #[test]
    fn repeat_stretches_the_last_letter() {
        let stretched = apply("buenísimo", 1, |words, rng| {
            repeat_letters(words, 1.0, rng)
        });
        assert!(
            stretched == "buenísimooo" || stretched == "buenísimoooo",
            "{stretched}"
        );
        assert_eq!(
            apply("no es", 1, |words, rng| repeat_letters(words, 1.0, rng)),
            "no es"
        );
    }
}
