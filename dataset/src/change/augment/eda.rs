//! The word operations of EDA (Wei & Zou, 2019): synonym replacement, random insertion,
//! random swap and random deletion, each changing n = max(1, ⌊α · words⌋) words and never
//! touching a negator or the negated word after it.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngExt};

use super::language::Language;
use super::negation::is_negator;
use super::synonyms::Synonyms;
use super::words::Words;

/// How many changes a rate asks for among `count` words (or turns, or marks):
/// max(1, ⌊rate · count⌋), and none when there is nothing to change or the rate is 0.
pub(crate) fn changes(rate: f32, count: usize) -> usize {
    if count == 0 || rate <= 0.0 {
        return 0;
    }
    // Float-to-int `as` saturates; the product is within 0..=count.
    let scaled = (f64::from(rate) * count as f64).floor() as usize;
    scaled.clamp(1, count)
}

/// `replacement` written in the case of `original`: all capitals for a word in capitals,
/// a capital first letter for a capitalised word, as it is otherwise.
pub(crate) fn match_case(original: &str, replacement: &str) -> String {
    let letters: Vec<char> = original
        .chars()
        .filter(|character| character.is_alphabetic())
        .collect();
    let is_shouted = letters.len() > 1 && letters.iter().all(|letter| !letter.is_lowercase());
    if is_shouted {
        return replacement.to_uppercase();
    }
    if original.chars().next().is_some_and(char::is_uppercase) {
        let mut characters = replacement.chars();
        return match characters.next() {
            Some(first) => first.to_uppercase().chain(characters).collect(),
            None => String::new(),
        };
    }
    replacement.to_owned()
}

/// Replaces up to n words or phrases that have synonyms, each with one of them.
pub(crate) fn replace_synonyms<R: Rng + ?Sized>(
    words: &mut Words,
    synonyms: &Synonyms,
    language: Language,
    rate: f32,
    rng: &mut R,
) {
    let mut matches = synonyms.matches(words, language);
    matches.shuffle(rng);
    let wanted = changes(rate, words.len());
    let mut taken = vec![false; words.len()];
    let mut chosen: Vec<(usize, usize, String)> = Vec::new();
    for found in matches {
        if chosen.len() >= wanted {
            break;
        }
        let span = found.start..found.start + found.count;
        if taken
            .get(span.clone())
            .is_none_or(|flags| flags.iter().any(|flag| *flag))
        {
            continue;
        }
        let Some(alternative) = found.alternatives.choose(rng) else {
            continue;
        };
        let Some(original) = words.word(found.start) else {
            continue;
        };
        let replacement = match_case(original, alternative);
        if is_negator(&replacement) {
            continue;
        }
        if let Some(flags) = taken.get_mut(span) {
            flags.fill(true);
        }
        chosen.push((found.start, found.count, replacement));
    }
    // From the end, so earlier indices stay valid as spans shrink.
    chosen.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    for (start, count, replacement) in chosen {
        words.replace_span(start, count, replacement);
    }
}

/// Inserts n synonyms of words of the text at random places, never right after a negator.
pub(crate) fn insert_synonyms<R: Rng + ?Sized>(
    words: &mut Words,
    synonyms: &Synonyms,
    language: Language,
    rate: f32,
    rng: &mut R,
) {
    let matches = synonyms.matches(words, language);
    for _ in 0..changes(rate, words.len()) {
        let Some(found) = matches.choose(rng) else {
            return;
        };
        let Some(alternative) = found.alternatives.choose(rng) else {
            continue;
        };
        if is_negator(alternative) {
            continue;
        }
        let positions: Vec<usize> = (0..=words.len())
            .filter(|position| words.can_insert_at(*position))
            .collect();
        let Some(position) = positions.choose(rng) else {
            return;
        };
        words.insert(*position, alternative.clone());
    }
}

/// Swaps n pairs of words, leaving negators and the words right after them in place.
pub(crate) fn swap_words<R: Rng + ?Sized>(words: &mut Words, rate: f32, rng: &mut R) {
    for _ in 0..changes(rate, words.len()) {
        let movable: Vec<usize> = (0..words.len())
            .filter(|index| words.is_movable(*index))
            .collect();
        if movable.len() < 2 {
            return;
        }
        let first_slot = rng.random_range(0..movable.len());
        let mut second_slot = rng.random_range(0..movable.len() - 1);
        if second_slot >= first_slot {
            second_slot += 1;
        }
        if let (Some(first), Some(second)) = (movable.get(first_slot), movable.get(second_slot)) {
            words.swap(*first, *second);
        }
    }
}

/// Deletes n words (keeping at least one), never a negator or the word right after one.
pub(crate) fn delete_words<R: Rng + ?Sized>(words: &mut Words, rate: f32, rng: &mut R) {
    for _ in 0..changes(rate, words.len()) {
        if words.len() <= 1 {
            return;
        }
        let deletable: Vec<usize> = (0..words.len())
            .filter(|index| words.is_movable(*index))
            .collect();
        let Some(index) = deletable.choose(rng) else {
            return;
        };
        words.remove(*index);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::change::augment::words::negator_words;

    fn word_count(text: &str) -> usize {
        Words::parse(text).len()
    }

    #[test]
    fn change_counts_follow_alpha() {
        assert_eq!(changes(0.1, 5), 1, "at least one");
        assert_eq!(changes(0.1, 25), 2);
        assert_eq!(changes(0.5, 10), 5);
        assert_eq!(changes(1.0, 3), 3);
        assert_eq!(changes(0.0, 10), 0);
        assert_eq!(changes(0.3, 0), 0);
    }

    #[test]
    fn case_follows_the_original() {
        assert_eq!(match_case("Coche", "auto"), "Auto");
        assert_eq!(match_case("COCHE", "auto"), "AUTO");
        assert_eq!(match_case("coche", "auto"), "auto");
        assert_eq!(
            match_case("A veces", "de vez en cuando"),
            "De vez en cuando"
        );
    }

    #[test]
    fn synonyms_come_from_the_lexicon_and_user_pairs() {
        let synonyms = Synonyms::new(&[(
            "hola".to_owned(),
            vec!["buenos días".to_owned(), "saludos".to_owned()],
        )])
        .unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..20 {
            let mut words = Words::parse("Hola, el coche es bonito.");
            replace_synonyms(&mut words, &synonyms, Language::Spanish, 1.0, &mut rng);
            let text = words.to_text();
            assert!(
                text.starts_with("Buenos días, ") || text.starts_with("Saludos, "),
                "{text}"
            );
            assert!(text.ends_with(" es lindo."), "{text}");
            assert!(
                ["auto", "carro", "automóvil", "vehículo"]
                    .iter()
                    .any(|car| text.contains(&format!(" el {car} "))),
                "{text}"
            );
        }
        // α = 0.1 of 5 words: one replacement.
        let mut words = Words::parse("el coche es muy bonito");
        replace_synonyms(&mut words, &synonyms, Language::Spanish, 0.1, &mut rng);
        let changed = Words::parse("el coche es muy bonito");
        let differing = (0..5)
            .filter(|index| words.word(*index) != changed.word(*index))
            .count();
        assert_eq!(differing, 1, "{}", words.to_text());
        // Nothing to replace: nothing changes.
        let mut words = Words::parse("xyz abc");
        replace_synonyms(&mut words, &synonyms, Language::Spanish, 1.0, &mut rng);
        assert_eq!(words.to_text(), "xyz abc");
    }

    #[test]
    fn insert_swap_and_delete_counts_follow_alpha() {
        let synonyms = Synonyms::new(&[]).unwrap();
        let text =
            "the movie was long but the car chase was fun and the ending made me happy today";
        let total = word_count(text);
        assert_eq!(total, 17);
        let mut rng = StdRng::seed_from_u64(7);
        for (alpha, expected) in [(0.1, 1), (0.2, 3), (0.5, 8)] {
            let mut words = Words::parse(text);
            insert_synonyms(&mut words, &synonyms, Language::English, alpha, &mut rng);
            assert_eq!(words.len(), total + expected, "insert α = {alpha}");

            let mut words = Words::parse(text);
            delete_words(&mut words, alpha, &mut rng);
            assert_eq!(words.len(), total - expected, "delete α = {alpha}");

            let mut words = Words::parse(text);
            swap_words(&mut words, alpha, &mut rng);
            let after = words.to_text();
            let mut before_sorted: Vec<&str> = text.split(' ').collect();
            let mut after_sorted: Vec<&str> = after.split(' ').collect();
            before_sorted.sort_unstable();
            after_sorted.sort_unstable();
            assert_eq!(before_sorted, after_sorted, "swap keeps the words");
            let moved = text
                .split(' ')
                .zip(after.split(' '))
                .filter(|(a, b)| a != b)
                .count();
            assert!(moved <= 2 * expected, "swap α = {alpha}: {moved} moved");
        }
    }

    #[test]
    fn inserted_words_are_synonyms_of_the_text() {
        let synonyms = Synonyms::new(&[]).unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..20 {
            let mut words = Words::parse("el coche rojo");
            insert_synonyms(&mut words, &synonyms, Language::Spanish, 0.1, &mut rng);
            let text = words.to_text();
            assert_eq!(words.len(), 4, "{text}");
            assert!(
                ["auto", "carro", "automóvil", "vehículo"]
                    .iter()
                    .any(|car| text.contains(car)),
                "{text}"
            );
        }
    }

    #[test]
    fn word_operations_never_touch_negators() {
        let synonyms = Synonyms::new(&[]).unwrap();
        let text = "No me gusta nada el coche, nunca lo recomiendo y no vuelvo";
        let negators = negator_words(text);
        for seed in 0..300 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut words = Words::parse(text);
            match seed % 4 {
                0 => replace_synonyms(&mut words, &synonyms, Language::Spanish, 1.0, &mut rng),
                1 => insert_synonyms(&mut words, &synonyms, Language::Spanish, 1.0, &mut rng),
                2 => swap_words(&mut words, 1.0, &mut rng),
                _ => delete_words(&mut words, 1.0, &mut rng),
            }
            let varied = words.to_text();
            assert_eq!(negator_words(&varied), negators, "seed {seed}: {varied}");
            // The word after each negator is still right after it (synonyms may rename it).
            if seed % 4 != 0 {
                let words = Words::parse(&varied);
                let followers: Vec<&str> = (0..words.len())
                    .filter(|index| words.is_negator_at(*index))
                    .filter_map(|index| words.word(index + 1))
                    .collect();
                assert_eq!(
                    followers,
                    ["me", "el", "lo", "vuelvo"],
                    "seed {seed}: {varied}"
                );
            }
        }
    }
}
