//! Mojibake: UTF-8 text that was once read as Windows-1252 / Latin-1 or Mac Roman
//! ("llegÃ³", "lleg√≥" for "llegó"), how to spot it and how to repair it.
//!
//! A UTF-8 character of two to four bytes read with a single-byte code page turns into a lead
//! character followed by one to three continuation characters. The repair maps those characters
//! back to their bytes with the wrong code page (tables built from `encoding_rs`) and decodes
//! the bytes as UTF-8. Only the lead bytes that Western text produces are considered (`C2`–`C5`
//! for Latin letters and symbols, `E2` for punctuation such as ’ “ ” … € and `F0` for emoji), so
//! ordinary accented text such as «Él» or AÑO… is never touched.

use std::sync::OnceLock;

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

use crate::finding::{Finding, Message};
use crate::quality::fields::{FieldNames, text_fields};
use crate::row::Row;
use crate::wording::preview;

/// How many times a repair is applied, for text that was garbled more than once.
const MAX_PASSES: usize = 3;

/// The single-byte code page that UTF-8 text was wrongly read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodePage {
    /// Windows-1252, including its Latin-1 subset and the C1 controls Latin-1 gives for `80`–`9F`.
    Windows1252,
    /// Mac OS Roman.
    MacRoman,
}

impl CodePage {
    /// The characters of bytes `80`–`FF`.
    fn upper_half(self) -> &'static [char; 128] {
        static WINDOWS: OnceLock<[char; 128]> = OnceLock::new();
        static MAC: OnceLock<[char; 128]> = OnceLock::new();
        match self {
            Self::Windows1252 => WINDOWS.get_or_init(|| upper_half(WINDOWS_1252)),
            Self::MacRoman => MAC.get_or_init(|| upper_half(MACINTOSH)),
        }
    }

    /// The byte this code page writes for `character`, if it has one.
    fn byte(self, character: char) -> Option<u8> {
        if character.is_ascii() {
            return u8::try_from(character).ok();
        }
        if let Some(position) = self
            .upper_half()
            .iter()
            .position(|known| *known == character)
        {
            return u8::try_from(0x80 + position).ok();
        }
        // Latin-1 reads 80–9F as C1 controls where Windows-1252 has € ‚ ƒ …
        let code = u32::from(character);
        match self {
            Self::Windows1252 if (0x80..=0x9F).contains(&code) => u8::try_from(code).ok(),
            _ => None,
        }
    }

    /// How many continuation bytes follow `lead`, for the lead bytes this repair accepts.
    fn continuation_count(self, lead: u8) -> Option<usize> {
        match (self, lead) {
            (Self::Windows1252, 0xC2..=0xC5) | (Self::MacRoman, 0xC2..=0xC3) => Some(1),
            (_, 0xE2) => Some(2),
            (_, 0xF0) => Some(3),
            _ => None,
        }
    }

    /// The garbled sequence at the start of `characters`: the character it stands for and
    /// how many characters it takes.
    fn sequence_at(self, characters: &[char]) -> Option<(char, usize)> {
        let lead = self.byte(*characters.first()?)?;
        let continuation_count = self.continuation_count(lead)?;
        let mut bytes = vec![lead];
        for character in characters.get(1..=continuation_count)? {
            let byte = self.byte(*character)?;
            if !(0x80..=0xBF).contains(&byte) {
                return None;
            }
            bytes.push(byte);
        }
        let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
        // Two-byte sequences must give printable Latin characters, not C1 controls.
        let printable = continuation_count > 1 || u32::from(decoded) >= 0xA0;
        printable.then_some((decoded, continuation_count + 1))
    }

    /// `text` with every garbled sequence decoded, and how many there were.
    fn repair_once(self, text: &str) -> (String, usize) {
        let characters: Vec<char> = text.chars().collect();
        let mut repaired = String::with_capacity(text.len());
        let mut repairs = 0;
        let mut index = 0;
        while let Some(rest) = characters.get(index..) {
            let Some(first) = rest.first() else { break };
            match self.sequence_at(rest) {
                Some((decoded, length)) => {
                    repaired.push(decoded);
                    repairs += 1;
                    index += length;
                }
                None => {
                    repaired.push(*first);
                    index += 1;
                }
            }
        }
        (repaired, repairs)
    }
}

/// Decodes bytes `80`–`FF` one at a time with `encoding`.
fn upper_half(encoding: &'static Encoding) -> [char; 128] {
    let mut table = [char::REPLACEMENT_CHARACTER; 128];
    for (byte, slot) in (0x80..=0xFF_u8).zip(table.iter_mut()) {
        let bytes = [byte];
        let (decoded, _) = encoding.decode_without_bom_handling(&bytes);
        if let Some(character) = decoded.chars().next() {
            *slot = character;
        }
    }
    table
}

/// The best single repair pass: the code page that finds more garbled sequences.
fn best_pass(text: &str) -> (String, usize) {
    let windows = CodePage::Windows1252.repair_once(text);
    let mac = CodePage::MacRoman.repair_once(text);
    if mac.1 > windows.1 { mac } else { windows }
}

/// How many garbled sequences `text` has, with the code page that finds the most.
pub fn suspicious_sequences(text: &str) -> usize {
    if text.is_ascii()
        || !text
            .chars()
            .any(|character| !character.is_ascii() && is_lead_character(character))
    {
        return 0;
    }
    best_pass(text).1
}

/// Whether `character` is what Windows-1252 or Mac Roman shows for a lead byte the repair
/// accepts: a garbled sequence can only start there, so text without one has none.
fn is_lead_character(character: char) -> bool {
    static LEADS: OnceLock<Vec<char>> = OnceLock::new();
    LEADS
        .get_or_init(|| {
            let mut leads = Vec::new();
            for page in [CodePage::Windows1252, CodePage::MacRoman] {
                for (position, shown) in (0x80..=0xFF_u8).zip(page.upper_half().iter()) {
                    if page.continuation_count(position).is_some()
                        && page.byte(*shown) == Some(position)
                    {
                        leads.push(*shown);
                    }
                }
            }
            leads
        })
        .contains(&character)
}

/// The repaired text, or `None` when `text` shows no mojibake or the repair would not help.
///
/// A pass is kept only when it gives valid UTF-8 for every sequence it replaces and leaves
/// fewer garbled sequences than before; up to three passes undo text garbled repeatedly.
pub fn repair(text: &str) -> Option<String> {
    let mut remaining = suspicious_sequences(text);
    if remaining == 0 {
        return None;
    }
    let mut current = text.to_owned();
    for _ in 0..MAX_PASSES {
        let (next, repairs) = best_pass(&current);
        let next_remaining = suspicious_sequences(&next);
        if repairs == 0 || next_remaining >= remaining {
            break;
        }
        current = next;
        remaining = next_remaining;
        if remaining == 0 {
            break;
        }
    }
    (current != text).then_some(current)
}

/// A warning for the first field of `row` with mojibake, showing the repaired text.
pub(crate) fn finding(file: &str, fields: &FieldNames, row: &Row) -> Option<Finding> {
    let (place, repaired) =
        text_fields(row).find_map(|(text, _, place)| Some((place, repair(text)?)))?;
    let field = place.name(fields);
    let line = row.line;
    let shown = preview(&repaired);
    Some(
        Finding::warning(
            file,
            Some(line),
            "mojibake",
            Message::new(
                format!(
                    "Line {line} ({field}) has garbled letters such as \"Ã³\" or \"√≥\": the text was saved as UTF-8 \
                     and then opened with another encoding. It probably should read: \"{shown}\". Apply the repair fix, \
                     or save the file again as UTF-8."
                ),
                format!(
                    "La línea {line} ({field}) tiene letras rotas como \"Ã³\" o \"√≥\": el texto se guardó en UTF-8 \
                     y luego se abrió con otra codificación. Probablemente debería decir: \"{shown}\". Aplica la corrección \
                     de caracteres, o vuelve a guardar el archivo en UTF-8."
                ),
            ),
        )
        .with_field(field),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random texts of garbled pieces, lead characters alone, accents and ASCII: the lead
    /// character prefilter never hides a sequence the passes would find.
    #[test]
    fn the_prefilter_changes_no_count() {
        const PIECES: [&str; 16] = [
            "Ã³",
            "Ã",
            "Â¿",
            "â€™",
            "â€",
            "ðŸ˜€",
            "√≥",
            "¬ø",
            "‚Äô",
            "Å",
            "ñ",
            "é",
            "a",
            " ",
            "\u{f8ff}",
            "Ä",
        ];
        let mut rng = crate::test_support::XorShift(0xBADC0DE);
        let mut garbled = 0;
        for _ in 0..20_000 {
            let text: String = (0..rng.below(8))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let expected = if text.is_ascii() {
                0
            } else {
                best_pass(&text).1
            };
            assert_eq!(suspicious_sequences(&text), expected, "{text:?}");
            garbled += usize::from(expected > 0);
        }
        assert!(
            garbled > 1_000,
            "the texts hold garbled sequences ({garbled})"
        );
    }

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        for (garbled, clean) in [
            ("llegÃ³", "llegó"),
            ("aÃ±o", "año"),
            ("Â¿QuÃ© tal?", "¿Qué tal?"),
            ("camiÃ³n ÃšNICO", "camión ÚNICO"),
            ("Ã\u{81}rbol", "Árbol"),
            ("itâ€™s â€œgreatâ€\u{9d} â€” 5 â‚¬", "it’s “great” — 5 €"),
            ("ðŸ˜€ hola", "😀 hola"),
            ("Ã¼ber ÅŸ", "über ş"),
        ] {
            assert_eq!(repair(garbled).as_deref(), Some(clean), "{garbled}");
        }
    }

    #[test]
    fn mac_roman_mojibake_is_repaired() {
        for (garbled, clean) in [
            ("lleg√≥", "llegó"),
            ("a√±o", "año"),
            ("¬øQu√© tal?", "¿Qué tal?"),
            ("it‚Äôs", "it’s"),
        ] {
            assert_eq!(repair(garbled).as_deref(), Some(clean), "{garbled}");
        }
    }

    #[test]
    fn double_mojibake_is_undone() {
        // "ó" garbled twice through Windows-1252.
        assert_eq!(repair("llegÃƒÂ³").as_deref(), Some("llegó"));
    }

    #[test]
    fn clean_text_is_left_alone() {
        for clean in [
            "canción",
            "«Él dijo que sí»",
            "AÑO…",
            "ESPAÑA",
            "Ñandú",
            "√2 ≥ 1",
            "Âmbito",
            "plain ascii",
            "über straße",
            "¿Qué? ¡Genial!",
            "😀 emoji",
            "",
        ] {
            assert_eq!(repair(clean), None, "{clean}");
            assert_eq!(suspicious_sequences(clean), 0, "{clean}");
        }
    }

    #[test]
    fn finding_per_line_with_the_repaired_preview() {
        let csv = "text,label\nEl paquete llegÃ³ tarde,negativo\nTodo bien,positivo\nbien,posÃ\u{ad}tivo\n";
        let dataset = crate::test_support::parse("a.csv", csv.as_bytes()).unwrap();
        let findings: Vec<&Finding> = dataset
            .findings
            .iter()
            .filter(|finding| finding.code == "mojibake")
            .collect();
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].line, Some(2));
        assert_eq!(findings[0].field.as_deref(), Some("text"));
        assert!(
            findings[0]
                .message
                .en
                .contains("\"El paquete llegó tarde\"")
        );
        assert!(
            findings[0]
                .message
                .es
                .contains("\"El paquete llegó tarde\"")
        );
        assert_eq!(findings[1].line, Some(4));
        assert_eq!(findings[1].field.as_deref(), Some("label"));

        let jsonl = "{\"messages\": [{\"role\": \"user\", \"content\": \"hola\"}, {\"role\": \"assistant\", \"content\": \"Â¡Hola! Â¿QuÃ© tal?\"}]}\n";
        let dataset = crate::test_support::parse("c.jsonl", jsonl.as_bytes()).unwrap();
        let finding = dataset
            .findings
            .iter()
            .find(|finding| finding.code == "mojibake")
            .unwrap();
        assert_eq!(finding.field.as_deref(), Some("messages[1].content"));
        assert!(finding.message.en.contains("¡Hola! ¿Qué tal?"));
    }

    #[test]
    fn broken_sequences_do_not_panic() {
        for text in ["Ã", "â€", "ð", "ðŸ", "√", "Ã\u{80}", "Â", "Ãƒ", "ÃÃÃ"] {
            let _ = repair(text);
        }
    }

    #[test]
    fn every_slice_of_garbled_text_is_safe() {
        let text = "llegÃƒÂ³ aÃ±o Â¿ â€œxâ€\u{9d} ðŸ˜€ lleg√≥ ‚Äô Ã\u{81}";
        let characters: Vec<char> = text.chars().collect();
        for start in 0..characters.len() {
            for end in start..=characters.len() {
                let slice: String = characters[start..end].iter().collect();
                if let Some(repaired) = repair(&slice) {
                    assert!(suspicious_sequences(&repaired) < suspicious_sequences(&slice));
                }
            }
        }
    }

    #[test]
    fn tables_match_known_bytes() {
        assert_eq!(CodePage::Windows1252.byte('€'), Some(0x80));
        assert_eq!(CodePage::Windows1252.byte('\u{81}'), Some(0x81));
        assert_eq!(CodePage::Windows1252.byte('ó'), Some(0xF3));
        assert_eq!(CodePage::MacRoman.byte('√'), Some(0xC3));
        assert_eq!(CodePage::MacRoman.byte('≥'), Some(0xB3));
        assert_eq!(CodePage::MacRoman.byte('漢'), None);
    }
}
