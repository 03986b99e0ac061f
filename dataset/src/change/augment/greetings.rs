//! Greetings and sign-offs of chat user turns, per language, and varying them: a greeting or
//! sign-off already there is swapped for another, and one is added where there is none.

use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

use super::eda::match_case;
use super::language::Language;

/// Spanish greetings, lower-case.
const SPANISH_GREETINGS: &[&str] = &[
    "hola",
    "buenas",
    "buenos días",
    "buenas tardes",
    "buenas noches",
    "hola buenas",
    "saludos",
    "hey",
];

/// Spanish sign-offs, lower-case.
const SPANISH_SIGN_OFFS: &[&str] = &[
    "gracias",
    "muchas gracias",
    "mil gracias",
    "gracias de antemano",
    "un saludo",
    "saludos",
    "un abrazo",
];

/// English greetings, lower-case.
const ENGLISH_GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hi there",
    "hello there",
    "good morning",
    "good afternoon",
    "good evening",
];

/// English sign-offs, lower-case.
const ENGLISH_SIGN_OFFS: &[&str] = &[
    "thanks",
    "thank you",
    "thanks a lot",
    "many thanks",
    "thanks in advance",
    "cheers",
    "best regards",
    "kind regards",
];

/// The greetings of `language`.
pub(crate) fn greetings(language: Language) -> &'static [&'static str] {
    match language {
        Language::Spanish => SPANISH_GREETINGS,
        Language::English => ENGLISH_GREETINGS,
    }
}

/// The sign-offs of `language`.
pub(crate) fn sign_offs(language: Language) -> &'static [&'static str] {
    match language {
        Language::Spanish => SPANISH_SIGN_OFFS,
        Language::English => ENGLISH_SIGN_OFFS,
    }
}

/// Byte length of the first `count` characters of `text`, if it has that many.
fn prefix_bytes(text: &str, count: usize) -> Option<usize> {
    let mut bytes = 0;
    let mut characters = text.chars();
    for _ in 0..count {
        bytes += characters.next()?.len_utf8();
    }
    Some(bytes)
}

/// Where the greeting at the start of `text` is (bytes), the longest that matches, after an
/// opening `¡` or `¿` and followed by something other than a letter or digit.
fn find_greeting(text: &str, language: Language) -> Option<(usize, usize)> {
    let start = text.len() - text.trim_start().len();
    let rest = text.get(start..)?;
    let skipped = rest
        .chars()
        .next()
        .filter(|first| matches!(first, '¡' | '¿'))
        .map_or(0, char::len_utf8);
    let start = start + skipped;
    let rest = text.get(start..)?;
    let mut best: Option<usize> = None;
    for greeting in greetings(language) {
        let Some(length) = prefix_bytes(rest, greeting.chars().count()) else {
            continue;
        };
        let candidate = rest.get(..length)?;
        let boundary = rest
            .get(length..)?
            .chars()
            .next()
            .is_none_or(|next| !next.is_alphanumeric());
        if boundary
            && candidate.to_lowercase() == *greeting
            && best.is_none_or(|known| length > known)
        {
            best = Some(length);
        }
    }
    best.map(|length| (start, start + length))
}

/// Where the sign-off at the end of `text` is (bytes), before any final punctuation and
/// spaces, the longest that matches, preceded by something other than a letter or digit.
fn find_sign_off(text: &str, language: Language) -> Option<(usize, usize)> {
    let body = text.trim_end_matches(|character: char| {
        character.is_whitespace() || matches!(character, '.' | '!' | '?' | '…')
    });
    let end = body.len();
    let mut best: Option<usize> = None;
    for sign_off in sign_offs(language) {
        let count = sign_off.chars().count();
        let total = body.chars().count();
        if count > total {
            continue;
        }
        let Some(start) = prefix_bytes(body, total - count) else {
            continue;
        };
        let candidate = body.get(start..)?;
        let boundary = body
            .get(..start)?
            .chars()
            .last()
            .is_none_or(|before| !before.is_alphanumeric());
        if boundary
            && candidate.to_lowercase() == *sign_off
            && best.is_none_or(|known| start < known)
        {
            best = Some(start);
        }
    }
    best.map(|start| (start, end))
}

/// `text` with the bytes `start..end` replaced by another item of `choices` in the same case.
fn swap_phrase<R: Rng + ?Sized>(
    text: &str,
    (start, end): (usize, usize),
    choices: &[&str],
    rng: &mut R,
) -> Option<String> {
    let found = text.get(start..end)?;
    let lowered = found.to_lowercase();
    let others: Vec<&&str> = choices
        .iter()
        .filter(|choice| **choice != lowered)
        .collect();
    let replacement = match_case(found, others.choose(rng)?);
    Some(format!(
        "{}{replacement}{}",
        text.get(..start)?,
        text.get(end..)?
    ))
}

/// `text` with a greeting: the one it opens with swapped for another, or a new one put
/// first ("Hola. …", "¡Hola! …", or "Hola, …" before a lower-case start).
fn vary_opening<R: Rng + ?Sized>(text: &str, language: Language, rng: &mut R) -> Option<String> {
    if let Some(span) = find_greeting(text, language) {
        return swap_phrase(text, span, greetings(language), rng);
    }
    let greeting = match_case("X", greetings(language).choose(rng)?);
    let body = text.trim_start();
    let starts_lower = body.chars().next().is_some_and(char::is_lowercase);
    let exclaimed = match language {
        Language::Spanish => format!("¡{greeting}! {body}"),
        Language::English => format!("{greeting}! {body}"),
    };
    let mut forms = vec![format!("{greeting}. {body}"), exclaimed];
    if starts_lower {
        forms.push(format!("{greeting}, {body}"));
    }
    forms.choose(rng).cloned()
}

/// `text` with a sign-off: the one it closes with swapped for another, or a new one put
/// last (" Gracias." after a full stop, ", gracias" otherwise).
fn vary_closing<R: Rng + ?Sized>(text: &str, language: Language, rng: &mut R) -> Option<String> {
    if let Some(span) = find_sign_off(text, language) {
        return swap_phrase(text, span, sign_offs(language), rng);
    }
    let sign_off = *sign_offs(language).choose(rng)?;
    let body = text.trim_end();
    if body.ends_with(['.', '!', '?', '…']) {
        Some(format!("{body} {}.", match_case("X", sign_off)))
    } else {
        Some(format!("{body}, {sign_off}"))
    }
}

/// `text` with its greeting, its sign-off or both varied; `None` when nothing changed.
pub(crate) fn vary_greeting<R: Rng + ?Sized>(
    text: &str,
    language: Language,
    rng: &mut R,
) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    let varied = match rng.random_range(0..3) {
        0 => vary_opening(text, language, rng)?,
        1 => vary_closing(text, language, rng)?,
        _ => {
            let opened = vary_opening(text, language, rng)?;
            vary_closing(&opened, language, rng)?
        }
    };
    (varied != text).then_some(varied)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::change::augment::negation::is_negator;
    use crate::change::augment::words::negator_words;

    #[test]
    fn lists_hold_no_negator() {
        for language in Language::ALL {
            for phrase in greetings(language).iter().chain(sign_offs(language)) {
                assert!(!is_negator(phrase), "{phrase}");
                assert_eq!(*phrase, phrase.to_lowercase());
            }
        }
    }

    #[test]
    fn finds_greetings_and_sign_offs() {
        assert_eq!(
            find_greeting("¡Hola! ¿Me ayudas?", Language::Spanish),
            Some((2, 6))
        );
        assert_eq!(
            find_greeting("Buenos días, quiero", Language::Spanish),
            Some((0, 12))
        );
        assert_eq!(find_greeting("Holanda es bonita", Language::Spanish), None);
        assert_eq!(
            find_greeting("Hi there, I need", Language::English),
            Some((0, 8))
        );
        let text = "¿Tienen mesa? Muchas gracias.";
        let (start, end) = find_sign_off(text, Language::Spanish).unwrap();
        assert_eq!(&text[start..end], "Muchas gracias");
        assert_eq!(find_sign_off("desgracias", Language::Spanish), None);
    }

    #[test]
    fn varies_or_adds_a_greeting_and_a_sign_off() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut seen_swapped = false;
        let mut seen_added = false;
        for _ in 0..60 {
            let varied =
                vary_greeting("Hola, ¿tienen mesa para dos?", Language::Spanish, &mut rng).unwrap();
            assert_ne!(varied, "Hola, ¿tienen mesa para dos?");
            assert!(varied.contains("¿tienen mesa para dos?"), "{varied}");
            if !varied.starts_with("Hola,") {
                seen_swapped = true;
                let (_, end) = find_greeting(&varied, Language::Spanish).unwrap();
                assert!(varied[end..].starts_with(", ¿tienen"), "{varied}");
            }
            if find_sign_off(&varied, Language::Spanish).is_some() {
                seen_added = true;
            }
        }
        assert!(seen_swapped && seen_added);
        for seed in 0..30 {
            let mut rng = StdRng::seed_from_u64(seed);
            let text = "the app does not work";
            let varied = vary_greeting(text, Language::English, &mut rng).unwrap();
            assert!(
                varied.contains(text) || varied.contains("The app"),
                "{varied}"
            );
            assert_eq!(negator_words(&varied), ["not"]);
        }
    }
}
