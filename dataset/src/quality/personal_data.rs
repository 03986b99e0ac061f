//! Hand-written matchers for personal data and secrets: e-mails, phone numbers, card numbers,
//! API keys and password assignments.
//!
//! No regex engine: each matcher walks the text once, which keeps the wasm small and the
//! cost linear in the text length.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::finding::{Finding, Message};
use crate::quality::fields::{FieldKind, FieldNames, text_fields};
use crate::row::Row;

/// What kind of personal data or secret a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// An e-mail address.
    Email,
    /// A phone number (Spanish or international format).
    Phone,
    /// A payment card number that passes the Luhn check.
    Card,
    /// An API key or access token (`sk-…`, `AKIA…`, `ghp_…`).
    ApiKey,
    /// The value of a `password=` / `contraseña:` assignment.
    Password,
}

impl Kind {
    /// The placeholder that replaces a match when redacting.
    pub(crate) fn placeholder(self) -> &'static str {
        match self {
            Self::Email => "[EMAIL]",
            Self::Phone => "[PHONE]",
            Self::Card => "[CARD]",
            Self::ApiKey | Self::Password => "[SECRET]",
        }
    }

    /// What it is, in English and Spanish.
    pub(crate) fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Email => ("an e-mail address", "una dirección de correo"),
            Self::Phone => ("a phone number", "un número de teléfono"),
            Self::Card => ("a card number", "un número de tarjeta"),
            Self::ApiKey => ("an API key or token", "una clave de API o un token"),
            Self::Password => ("a password", "una contraseña"),
        }
    }
}

/// One match: its kind and byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) kind: Kind,
    pub(crate) range: Range<usize>,
}

/// Keywords whose assignment (`keyword=value`, `keyword: value`) holds a password.
const PASSWORD_KEYWORDS: [&str; 5] = ["password", "passwd", "pwd", "contraseña", "contrasena"];

/// The fewest digits of a phone or card number (see [`classify`]).
const MIN_NUMBER_DIGITS: usize = 9;

/// Prefixes of GitHub tokens.
const GITHUB_PREFIXES: [&str; 5] = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// All matches in `text`, in order and not overlapping. Secrets and e-mails win over the
/// digit runs inside them.
pub(crate) fn find(text: &str) -> Vec<Match> {
    let numbers = numbers(text);
    match secret_pairs() {
        // A match covers a letter, so the next byte is never a word start: searching without
        // overlaps misses no start.
        Some(pairs) => find_from(
            text,
            pairs
                .find_iter(text)
                .map(|found| found.start())
                .filter(|offset| is_word_start(text, *offset)),
            numbers,
        ),
        // Not expected (the patterns are fixed): the same starts, found byte by byte.
        None => find_from(
            text,
            text.as_bytes()
                .windows(2)
                .enumerate()
                .filter(|(_, pair)| {
                    let lower = pair.to_ascii_lowercase();
                    matches!(pair, [b's', b'k'] | [b'A', b'K'] | [b'g', b'h'])
                        || matches!(lower.as_slice(), [b'p', b'a' | b'w'] | [b'c', b'o'])
                })
                .map(|(offset, _)| offset)
                .filter(|offset| is_word_start(text, *offset)),
            numbers,
        ),
    }
}

/// [`find`] given where secrets may start and the numbers found.
fn find_from(
    text: &str,
    starts: impl IntoIterator<Item = usize>,
    numbers: Vec<Match>,
) -> Vec<Match> {
    let mut matches = Vec::new();
    for start in starts {
        let rest = text.get(start..).unwrap_or_default();
        if let Some(length) = api_key_length(rest) {
            matches.push(Match {
                kind: Kind::ApiKey,
                range: start..start + length,
            });
        } else if let Some(value) = password_value(rest) {
            matches.push(Match {
                kind: Kind::Password,
                range: start + value.start..start + value.end,
            });
        }
    }
    matches.extend(emails(text));
    matches.sort_by_key(|found| found.range.start);
    let mut chosen: Vec<Match> = Vec::new();
    for found in matches {
        if chosen
            .last()
            .is_none_or(|last| found.range.start >= last.range.end)
        {
            chosen.push(found);
        }
    }
    for found in numbers {
        let overlaps = chosen
            .iter()
            .any(|kept| found.range.start < kept.range.end && kept.range.start < found.range.end);
        if !overlaps {
            chosen.push(found);
        }
    }
    chosen.sort_by_key(|found| found.range.start);
    chosen
}

/// One warning per text field of `row` that holds personal data or secrets (labels are not
/// searched).
pub(crate) fn finding(file: &str, fields: &FieldNames, row: &Row) -> Vec<Finding> {
    text_fields(row)
        .filter(|(_, kind, _)| *kind == FieldKind::Text)
        .filter_map(|(text, _, place)| {
            let mut kinds: Vec<Kind> = find(text).into_iter().map(|found| found.kind).collect();
            kinds.sort_unstable();
            kinds.dedup();
            (!kinds.is_empty()).then(|| personal_data(file, row.line, &place.name(fields), &kinds))
        })
        .collect()
}

fn personal_data(file: &str, line: usize, field: &str, kinds: &[Kind]) -> Finding {
    let join = |names: Vec<&str>, and: &str| match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {and} {last}", rest.join(", ")),
        _ => names.concat(),
    };
    let what_en = join(kinds.iter().map(|kind| kind.names().0).collect(), "and");
    let what_es = join(kinds.iter().map(|kind| kind.names().1).collect(), "y");
    let mut placeholders: Vec<&str> = kinds.iter().map(|kind| kind.placeholder()).collect();
    placeholders.dedup();
    let placeholders = placeholders.join(", ");
    Finding::warning(
        file,
        Some(line),
        "personal_data",
        Message::new(
            format!(
                "Line {line} ({field}) contains {what_en}. Personal data and secrets must not go into training \
                 data: delete them or replace them with {placeholders} (the redact fix does it for you)."
            ),
            format!(
                "La línea {line} ({field}) contiene {what_es}. Los datos personales y los secretos no deben ir en los \
                 datos de entrenamiento: bórralos o cámbialos por {placeholders} (la corrección de anonimizar lo hace por ti)."
            ),
        ),
    )
    .with_field(field)
}

/// `text` with every match replaced by its placeholder, and whether anything changed.
pub(crate) fn redact(text: &str) -> Option<String> {
    let matches = find(text);
    if matches.is_empty() {
        return None;
    }
    let mut redacted = String::with_capacity(text.len());
    let mut copied_to = 0;
    for found in matches {
        redacted.push_str(text.get(copied_to..found.range.start).unwrap_or_default());
        redacted.push_str(found.kind.placeholder());
        copied_to = found.range.end;
    }
    redacted.push_str(text.get(copied_to..).unwrap_or_default());
    Some(redacted)
}

/// A search for the two bytes an API key or a password keyword can start with. Every key
/// starts with `sk`, `AK` or `gh`; the only characters whose lowercase is a letter of `pa`,
/// `pw` or `co` (how the keywords start) are those ASCII letters in either case. So one search
/// for these pairs finds every word start worth checking, without decoding the text.
fn secret_pairs() -> Option<&'static AhoCorasick> {
    static PAIRS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    PAIRS
        .get_or_init(|| {
            let mut patterns: Vec<[u8; 2]> = vec![*b"sk", *b"AK", *b"gh"];
            for [first, second] in [*b"pa", *b"pw", *b"co"] {
                for first in [first, first.to_ascii_uppercase()] {
                    for second in [second, second.to_ascii_uppercase()] {
                        patterns.push([first, second]);
                    }
                }
            }
            AhoCorasick::new(patterns).ok()
        })
        .as_ref()
}

/// Whether a word may start at `offset`: the start of the text, or after a character that is
/// not a letter, digit or underscore.
fn is_word_start(text: &str, offset: usize) -> bool {
    text.get(..offset)
        .and_then(|before| before.chars().next_back())
        .is_none_or(|before| !is_word_char(before))
}

fn is_word_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

/// Length of the API key at the start of `rest`, if there is one that ends at a word end.
fn api_key_length(rest: &str) -> Option<usize> {
    let length = api_key_candidate(rest)?;
    let ends_word = !rest.get(length..)?.starts_with(is_word_char);
    ends_word.then_some(length)
}

fn api_key_candidate(rest: &str) -> Option<usize> {
    let token_length = |body: &str, allowed: fn(char) -> bool| {
        body.find(|character: char| !allowed(character))
            .unwrap_or(body.len())
    };
    if let Some(body) = rest.strip_prefix("sk-") {
        let length = token_length(body, |character| {
            character.is_ascii_alphanumeric() || character == '-' || character == '_'
        });
        return (length >= 20).then_some(3 + length);
    }
    if let Some(body) = rest.strip_prefix("AKIA") {
        let length = token_length(body, |character| {
            character.is_ascii_uppercase() || character.is_ascii_digit()
        });
        return (length == 16).then_some(4 + length);
    }
    let prefix = GITHUB_PREFIXES
        .iter()
        .find(|prefix| rest.starts_with(**prefix))?;
    let body = rest.get(prefix.len()..)?;
    let length = token_length(body, |character| character.is_ascii_alphanumeric());
    (length >= 30).then_some(prefix.len() + length)
}

/// The byte range (within `rest`) of the value of a password assignment at its start.
fn password_value(rest: &str) -> Option<Range<usize>> {
    // Every keyword starts with `pas`, `pwd` or `con` in some case, and only those ASCII
    // letters lower to them: a cheap test before comparing whole keywords.
    let start = rest.as_bytes().get(..3)?.to_ascii_lowercase();
    if !matches!(start.as_slice(), b"pas" | b"pwd" | b"con") {
        return None;
    }
    let keyword_length = PASSWORD_KEYWORDS
        .iter()
        .find_map(|keyword| starts_with_ignoring_case(rest, keyword))?;
    let after_keyword = rest.get(keyword_length..)?;
    let spaces_before = after_keyword.len() - after_keyword.trim_start_matches([' ', '\t']).len();
    let after_spaces = after_keyword.get(spaces_before..)?;
    if !after_spaces.starts_with(['=', ':']) {
        return None;
    }
    let after_sign = after_spaces.get(1..)?;
    let spaces_after = after_sign.len() - after_sign.trim_start_matches([' ', '\t']).len();
    let value = after_sign.get(spaces_after..)?;
    let value_length = value.find(char::is_whitespace).unwrap_or(value.len());
    // A sentence may end right after the value.
    let trimmed = value
        .get(..value_length)?
        .trim_end_matches(['.', ',', ';', ')', '"', '\'']);
    let trimmed = trimmed.trim_start_matches(['"', '\'']);
    if trimmed.is_empty() {
        return None;
    }
    let value_start =
        rest.len() - value.len() + (value.len() - value.trim_start_matches(['"', '\'']).len());
    Some(value_start..value_start + trimmed.len())
}

/// The byte length of `keyword` at the start of `text`, compared without case.
fn starts_with_ignoring_case(text: &str, keyword: &str) -> Option<usize> {
    let mut characters = text.char_indices();
    for expected in keyword.chars() {
        let (_, found) = characters.next()?;
        if !found.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
    }
    let length = characters.next().map_or(text.len(), |(offset, _)| offset);
    let ends_word = text
        .get(length..)
        .is_some_and(|after| !after.starts_with(is_word_char));
    ends_word.then_some(length)
}

fn is_email_local(character: char) -> bool {
    character.is_alphanumeric() || matches!(character, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(character: char) -> bool {
    character.is_alphanumeric() || matches!(character, '.' | '-')
}

/// E-mail addresses: `local@domain.tld`, with a dotted domain whose last part is letters.
fn emails(text: &str) -> Vec<Match> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let before = text.get(..at).unwrap_or_default();
        let local_start = before
            .char_indices()
            .rev()
            .take_while(|(_, character)| is_email_local(*character))
            .last()
            .map_or(at, |(offset, _)| offset);
        let after = text.get(at + 1..).unwrap_or_default();
        let domain_length = after
            .find(|character: char| !is_email_domain(character))
            .unwrap_or(after.len());
        let domain = after
            .get(..domain_length)
            .unwrap_or_default()
            .trim_end_matches(['.', '-']);
        let local = text
            .get(local_start..at)
            .unwrap_or_default()
            .trim_start_matches('.');
        let Some((name, top_level)) = domain.rsplit_once('.') else {
            continue;
        };
        let valid = !local.is_empty()
            && !name.is_empty()
            && !name.starts_with(['.', '-'])
            && !name.contains("..")
            && top_level.chars().count() >= 2
            && top_level.chars().all(char::is_alphabetic);
        if valid {
            found.push(Match {
                kind: Kind::Email,
                range: at - local.len()..at + 1 + domain.len(),
            });
        }
    }
    found
}

/// A run of digits with the separators between them, as written.
struct DigitRun {
    range: Range<usize>,
    digits: Vec<u8>,
    international: bool,
    /// Only single spaces or dashes between the digits (the card format).
    card_separators: bool,
    /// Some separator at all.
    separated: bool,
    /// Some separator is a dot, as in decimals and amounts.
    dotted: bool,
}

/// Phone and card numbers.
fn numbers(text: &str) -> Vec<Match> {
    // Phone and card numbers have at least 9 digits: most texts have fewer, and counting them
    // (a loop the compiler vectorizes) is cheaper than looking for runs.
    if text.bytes().filter(u8::is_ascii_digit).count() < MIN_NUMBER_DIGITS {
        return Vec::new();
    }
    digit_runs(text)
}

/// [`numbers`] without the digit count.
fn digit_runs(text: &str) -> Vec<Match> {
    let mut found = Vec::new();
    let mut search_from = 0;
    while let Some(run) = next_digit_run(text, search_from) {
        search_from = run.range.end.max(search_from + 1);
        if let Some(kind) = classify(&run) {
            found.push(Match {
                kind,
                range: run.range,
            });
        }
    }
    found
}

fn classify(run: &DigitRun) -> Option<Kind> {
    let count = run.digits.len();
    if !run.international && run.card_separators && (13..=19).contains(&count) && luhn(&run.digits)
    {
        return Some(Kind::Card);
    }
    let starts_like_spanish_phone = run
        .digits
        .first()
        .is_some_and(|first| (6..=9).contains(first));
    let phone = if run.international {
        (9..=15).contains(&count)
    } else {
        // Longer local numbers must be grouped like `(555) 123-4567`; dots mean amounts.
        (count == 9 && starts_like_spanish_phone)
            || ((10..=15).contains(&count) && run.separated && !run.dotted)
    };
    phone.then_some(Kind::Phone)
}

/// The next digit run starting at or after `from`: an optional `+` or `00` prefix, then
/// digits separated by at most two of ` `, `-`, `.`, `(`, `)`. It must not touch letters or
/// other digits around it.
fn next_digit_run(text: &str, from: usize) -> Option<DigitRun> {
    let bytes = text.as_bytes();
    let mut start = from;
    loop {
        let offset = bytes
            .get(start..)?
            .iter()
            .position(|byte| byte.is_ascii_digit() || *byte == b'+' || *byte == b'(')?;
        start += offset;
        let previous = text
            .get(..start)
            .and_then(|before| before.chars().next_back());
        if previous.is_none_or(|before| !is_word_char(before) && before != '+' && before != '.') {
            break;
        }
        start += 1;
    }
    let mut position = start;
    let mut international = false;
    while let Some(byte) = bytes.get(position) {
        match byte {
            b'(' | b' ' => position += 1,
            b'+' if !international => {
                international = true;
                position += 1;
            }
            _ => break,
        }
        if position - start > 3 {
            break;
        }
    }
    if !bytes.get(position).is_some_and(u8::is_ascii_digit) {
        return Some(DigitRun {
            range: start..position.max(start + 1),
            digits: Vec::new(),
            international: false,
            card_separators: true,
            separated: false,
            dotted: false,
        });
    }
    let mut digits = Vec::new();
    let mut end = position;
    let mut card_separators = true;
    let mut separated = false;
    let mut dotted = false;
    loop {
        while let Some(byte) = bytes.get(position).filter(|byte| byte.is_ascii_digit()) {
            digits.push(byte - b'0');
            position += 1;
        }
        end = end.max(position);
        let separator_length = bytes
            .get(position..)
            .unwrap_or_default()
            .iter()
            .take(2)
            .take_while(|byte| matches!(byte, b' ' | b'-' | b'.' | b'(' | b')'))
            .count();
        let next_is_digit = bytes
            .get(position + separator_length)
            .is_some_and(u8::is_ascii_digit);
        if separator_length == 0 || !next_is_digit {
            break;
        }
        let separator = bytes
            .get(position..position + separator_length)
            .unwrap_or_default();
        card_separators &= separator == b" " || separator == b"-";
        dotted |= separator.contains(&b'.');
        separated = true;
        position += separator_length;
    }
    if digits.len() > 2 && digits.starts_with(&[0, 0]) && !international {
        international = true;
        digits.drain(..2);
    }
    let next = text.get(end..).and_then(|after| after.chars().next());
    if next.is_some_and(is_word_char) {
        digits.clear();
    }
    Some(DigitRun {
        range: start..end,
        digits,
        international,
        card_separators,
        separated,
        dotted,
    })
}

/// The Luhn checksum used by payment cards.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(position, digit)| {
            let digit = u32::from(*digit);
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::XorShift;

    /// [`find`] as it was before the prefilters: every word start checked, every digit run
    /// looked at.
    fn find_reference(text: &str) -> Vec<Match> {
        let mut previous: Option<char> = None;
        let starts: Vec<usize> = text
            .char_indices()
            .filter_map(|(offset, character)| {
                let starts = previous.is_none_or(|before| !is_word_char(before));
                previous = Some(character);
                starts.then_some(offset)
            })
            .collect();
        find_from(text, starts, digit_runs(text))
    }

    /// Texts made of the pieces every matcher looks at, in any order and case.
    #[test]
    fn prefiltered_search_agrees_with_the_reference() {
        const PIECES: [&str; 40] = [
            "ana@correo.es",
            "@",
            ".",
            "-",
            "_",
            "+",
            "(",
            ")",
            "0",
            "6",
            "12",
            "345",
            "678 ",
            "4111 1111 1111 1111",
            "+34",
            "0034",
            "sk-",
            "abcdefghijklmnopqrstu",
            "AKIA",
            "ABCDEFGHIJKLMNOP",
            "ghp_",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "password",
            "PassWord",
            "passwd",
            "pwd",
            "PWD",
            "contraseña",
            "CONTRASEÑA",
            "contrasena",
            "=",
            ": ",
            " ",
            "pa",
            "co",
            "\u{130}",
            "ñ",
            "é",
            "hola",
            "\u{212a}",
        ];
        let mut rng = XorShift(0xC0FFEE);
        let mut found = 0;
        for _ in 0..20_000 {
            let text: String = (0..rng.below(12))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let expected = find_reference(&text);
            assert_eq!(find(&text), expected, "{text:?}");
            found += expected.len();
        }
        assert!(found > 1_000, "the texts hold matches ({found})");
    }

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find(text)
            .into_iter()
            .map(|found| (found.kind, &text[found.range]))
            .collect()
    }

    #[test]
    fn emails() {
        assert_eq!(
            kinds("Escríbeme a ana.lopez+test@correo.example.es."),
            [(Kind::Email, "ana.lopez+test@correo.example.es")]
        );
        for text in [
            "@usuario en Twitter",
            "a@b",
            "x@y.1",
            "correo@.es",
            "a@ b.com",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn phones() {
        for (text, phone) in [
            ("Llámame al 612 345 678 mañana", "612 345 678"),
            ("Tel: +34 612345678", "+34 612345678"),
            ("tel. (+34) 91-123-45-67", "(+34) 91-123-45-67"),
            ("0034 612 34 56 78", "0034 612 34 56 78"),
            ("móvil 612.345.678.", "612.345.678"),
            ("call +1 415 555 2671", "+1 415 555 2671"),
            ("US: 415-555-2671", "415-555-2671"),
            ("office (555) 123-4567", "(555) 123-4567"),
        ] {
            assert_eq!(kinds(text), [(Kind::Phone, phone)], "{text}");
        }
        for text in [
            "Pedido 12345678",
            "Costó 1.000.000 euros",
            "el 2024-01-15",
            "pi vale 3.14159265358",
            "código ABC612345678",
            "512345678 unidades",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn cards_need_the_luhn_check() {
        assert_eq!(
            kinds("Mi tarjeta es 4111 1111 1111 1111, caduca pronto"),
            [(Kind::Card, "4111 1111 1111 1111")]
        );
        assert_eq!(
            kinds("card 5500-0000-0000-0004"),
            [(Kind::Card, "5500-0000-0000-0004")]
        );
        assert_eq!(
            kinds("4111111111111111"),
            [(Kind::Card, "4111111111111111")]
        );
        // 16 digits that fail Luhn: not a card (and too long for a phone).
        assert_eq!(kinds("ref 4111 1111 1111 1112"), []);
        assert_eq!(kinds("ref 1234567812345678"), []);
        assert!(luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!luhn(&[]));
    }

    #[test]
    fn api_keys() {
        let openai = "sk-proj-Abc123def456ghi789jkl012";
        let aws = "AKIAIOSFODNN7EXAMPLE";
        let github = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let text = format!("keys: {openai}, {aws} y {github}.");
        assert_eq!(
            kinds(&text),
            [
                (Kind::ApiKey, openai),
                (Kind::ApiKey, aws),
                (Kind::ApiKey, github)
            ]
        );
        for text in [
            "sk-short",
            "task-0123456789012345678901",
            "AKIASHORT",
            "ghp_abc",
            "xAKIAIOSFODNN7EXAMPLE",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn password_assignments() {
        assert_eq!(kinds("password=hunter2"), [(Kind::Password, "hunter2")]);
        assert_eq!(
            kinds("Mi Contraseña: \"s3creta\"."),
            [(Kind::Password, "s3creta")]
        );
        assert_eq!(kinds("PWD : abc123, gracias"), [(Kind::Password, "abc123")]);
        for text in [
            "olvidé mi contraseña",
            "password reset",
            "contraseña:",
            "mypassword=x",
            "la clave: trabajar",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn redaction_replaces_each_match() {
        assert_eq!(
            redact("Soy ana@correo.es, tel 612 345 678, password=abc").as_deref(),
            Some("Soy [EMAIL], tel [PHONE], password=[SECRET]")
        );
        assert_eq!(
            redact("tarjeta 4111-1111-1111-1111 y sk-abcdefghijklmnopqrstuvwx").as_deref(),
            Some("tarjeta [CARD] y [SECRET]")
        );
        assert_eq!(redact("nada que ocultar, 12 €"), None);
    }

    #[test]
    fn digits_inside_emails_and_keys_are_not_phones() {
        assert_eq!(
            kinds("612345678@movil.es"),
            [(Kind::Email, "612345678@movil.es")]
        );
        assert_eq!(kinds("sk-612345678901234567890").len(), 1);
    }

    #[test]
    fn findings_per_line_and_field() {
        let csv =
            "texto,etiqueta\nEscríbeme a ana@correo.es o al 612 345 678,contacto\nsin datos,otro\n";
        let dataset = crate::test_support::parse("a.csv", csv.as_bytes()).unwrap();
        let findings: Vec<&Finding> = dataset
            .findings
            .iter()
            .filter(|finding| finding.code == "personal_data")
            .collect();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(2));
        assert_eq!(findings[0].field.as_deref(), Some("texto"));
        assert!(
            findings[0]
                .message
                .en
                .contains("an e-mail address and a phone number")
        );
        assert!(findings[0].message.es.contains("[EMAIL], [PHONE]"));

        let jsonl = r#"{"messages": [{"role": "user", "content": "mi clave es password: hunter2"}, {"role": "assistant", "content": "No compartas tu contraseña."}]}"#;
        let dataset = crate::test_support::parse("c.jsonl", jsonl.as_bytes()).unwrap();
        let finding = dataset
            .findings
            .iter()
            .find(|finding| finding.code == "personal_data")
            .unwrap();
        assert_eq!(finding.field.as_deref(), Some("messages[0].content"));
        assert!(finding.message.en.contains("a password"));
    }

    #[test]
    fn every_slice_of_tricky_text_is_safe() {
        let text = "(+34) 612-345-678 ana@co.es ñ sk-abcdefghijklmnopqrstuvwx password: 'x' 4111 1111 1111 1111 @@ AKIAIOSFODNN7EXAMPLE ghp_0123456789abcdefghijABCDEFGHIJ012345 contraseña=é 00 +";
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(offset, _)| offset)
            .chain([text.len()])
            .collect();
        for (index, start) in boundaries.iter().enumerate() {
            for end in &boundaries[index..] {
                let slice = &text[*start..*end];
                let matches = find(slice);
                for found in &matches {
                    assert!(
                        slice
                            .get(found.range.clone())
                            .is_some_and(|part| !part.is_empty()),
                        "{slice:?} {found:?}"
                    );
                }
                assert!(
                    matches
                        .windows(2)
                        .all(|pair| pair[0].range.end <= pair[1].range.start)
                );
                let _ = redact(slice);
            }
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "",
            "+",
            "(",
            "((((",
            "+ ",
            "@",
            "ñ@ñ.ññ",
            "00",
            "+00 ",
            "1-",
            "password",
            "sk-",
            "contraseña=ñ",
        ] {
            let _ = find(text);
            let _ = redact(text);
        }
    }
}
