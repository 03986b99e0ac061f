//! Chat checks: missing system or user messages, and assistant answers that are too short or
//! inconsistent in length, formality (tú/usted) or emoji.

use foldhash::HashSet;

use crate::finding::{Finding, Message};
use crate::row::{Role, Row, RowContent};
use crate::wording::{LISTED_LINES, count, lines_phrase, lines_phrase_sampled};

/// Mean assistant answer length (in characters) below which answers are too short.
const SHORT_ANSWER_CHARS: f64 = 20.0;
/// Coefficient of variation of answer lengths above which they are inconsistent.
const MAX_LENGTH_VARIATION: f64 = 1.0;
/// Style checks need at least this many assistant answers.
const MIN_ANSWERS_FOR_STYLE: usize = 3;
/// How many example lines a formality finding names per form.
const EXAMPLE_LINES: usize = 3;

/// Words that only appear in Spanish (not in French, Portuguese or English) often enough to
/// tell a Spanish answer.
const SPANISH_WORDS: [&str; 16] = [
    "el", "los", "las", "del", "por", "para", "con", "una", "pero", "muy", "y", "usted", "está",
    "puedes", "gracias", "hola",
];
/// Markers of addressing someone as *usted*.
const FORMAL_WORDS: [&str; 8] = [
    "usted",
    "ud",
    "vd",
    "dígame",
    "disculpe",
    "perdone",
    "permítame",
    "indíqueme",
];
/// Markers of addressing someone as *tú*.
const INFORMAL_WORDS: [&str; 17] = [
    "tú",
    "contigo",
    "tienes",
    "puedes",
    "quieres",
    "necesitas",
    "estás",
    "eres",
    "sabes",
    "deberías",
    "podrías",
    "te",
    "ti",
    "tu",
    "tus",
    "dime",
    "cuéntame",
];

/// What the chat passes need of one conversation, made from its row on its own (so many rows
/// can be digested at once, on several threads) and then added in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConversationDigest {
    line: usize,
    has_system: bool,
    has_user: bool,
    answers: Vec<AnswerDigest>,
}

/// What the chat passes need of one assistant answer (trimmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AnswerDigest {
    /// Characters, saturated at `u32::MAX` (no answer held in memory comes near it).
    chars: u32,
    formal: bool,
    informal: bool,
    emoji: bool,
}

impl ConversationDigest {
    /// The digest of a conversation row; `None` for a text/label row.
    pub(crate) fn of(row: &Row) -> Option<Self> {
        let RowContent::Chat { messages } = &row.content else {
            return None;
        };
        let has_role = |role: Role| messages.iter().any(|message| message.role == role);
        let answers = messages
            .iter()
            .filter(|message| message.role == Role::Assistant)
            .map(|message| {
                let text = message.content.trim();
                let (formal, informal) = formality(text);
                AnswerDigest {
                    chars: u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
                    formal,
                    informal,
                    emoji: text.chars().any(is_emoji),
                }
            })
            .collect();
        Some(Self {
            line: row.line,
            has_system: has_role(Role::System),
            has_user: has_role(Role::User),
            answers,
        })
    }
}

/// The first lines of a list (as many as a finding names) and how long the list is.
#[derive(Debug, Clone, Default)]
struct LineSample {
    first: Vec<usize>,
    total: usize,
}

impl LineSample {
    fn push(&mut self, line: usize, kept: usize) {
        if self.first.len() < kept {
            self.first.push(line);
        }
        self.total += 1;
    }
}

/// The lines of the answers with one form of address: each line once, in the order first seen.
#[derive(Debug, Clone, Default)]
struct FormLines {
    seen: HashSet<usize>,
    sample: LineSample,
}

impl FormLines {
    fn push(&mut self, line: usize) {
        if self.seen.insert(line) {
            self.sample.push(line, EXAMPLE_LINES);
        }
    }
}

/// The chat passes run over conversations given in file order, keeping numbers and lines, not
/// the texts: per answer its length (4 bytes), per line with a form of address its number in a
/// set, and a few example lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChatStyle {
    conversations: usize,
    without_system: LineSample,
    /// Lines of the conversations without a user message (each gives a finding).
    without_user: Vec<usize>,
    /// Every answer's length in characters, in order (the variation needs them all).
    lengths: Vec<u32>,
    /// The first shortest and the last longest answer: (characters, line).
    shortest: Option<(u32, usize)>,
    longest: Option<(u32, usize)>,
    formal: FormLines,
    informal: FormLines,
    emoji_answers: usize,
    /// Lines of the answers with emoji, repeats in a row counted once.
    emoji_lines: LineSample,
    last_emoji_line: Option<usize>,
}

impl ChatStyle {
    /// Adds the next conversation of the file.
    pub(crate) fn add(&mut self, conversation: ConversationDigest) {
        let ConversationDigest {
            line,
            has_system,
            has_user,
            answers,
        } = conversation;
        self.conversations += 1;
        if !has_system {
            self.without_system.push(line, LISTED_LINES);
        }
        if !has_user {
            self.without_user.push(line);
        }
        for answer in answers {
            self.lengths.push(answer.chars);
            if self.shortest.is_none_or(|(chars, _)| answer.chars < chars) {
                self.shortest = Some((answer.chars, line));
            }
            if self.longest.is_none_or(|(chars, _)| answer.chars >= chars) {
                self.longest = Some((answer.chars, line));
            }
            if answer.formal {
                self.formal.push(line);
            }
            if answer.informal {
                self.informal.push(line);
            }
            if answer.emoji {
                self.emoji_answers += 1;
                if self.last_emoji_line != Some(line) {
                    self.emoji_lines.push(line, LISTED_LINES);
                    self.last_emoji_line = Some(line);
                }
            }
        }
    }

    /// The chat findings over the conversations added (none when there were none).
    pub(crate) fn finish(self, file: &str) -> Vec<Finding> {
        if self.conversations == 0 {
            return Vec::new();
        }
        let mut findings = Vec::new();
        let missing = self.without_system.total;
        if missing > 0 && missing < self.conversations {
            findings.push(missing_system(
                file,
                &self.without_system,
                self.conversations,
            ));
        }
        for line in &self.without_user {
            findings.push(missing_user(file, *line));
        }
        findings.extend(self.length_findings(file));
        findings.extend(mixed_formality(file, &self.formal, &self.informal));
        findings.extend(inconsistent_emoji(
            file,
            self.lengths.len(),
            self.emoji_answers,
            &self.emoji_lines,
        ));
        findings
    }

    fn length_findings(&self, file: &str) -> Vec<Finding> {
        let lengths = &self.lengths;
        if lengths.is_empty() {
            return Vec::new();
        }
        let mean =
            lengths.iter().map(|length| f64::from(*length)).sum::<f64>() / lengths.len() as f64;
        let mut findings = Vec::new();
        if mean < SHORT_ANSWER_CHARS {
            findings.push(short_answers(file, mean));
        }
        if lengths.len() >= MIN_ANSWERS_FOR_STYLE && mean > 0.0 {
            let variance = lengths
                .iter()
                .map(|length| (f64::from(*length) - mean).powi(2))
                .sum::<f64>()
                / lengths.len() as f64;
            let variation = variance.sqrt() / mean;
            if variation > MAX_LENGTH_VARIATION {
                let shortest = self.shortest.unwrap_or((0, 0));
                let longest = self.longest.unwrap_or((0, 0));
                findings.push(inconsistent_length(
                    file, shortest, longest, mean, variation,
                ));
            }
        }
        findings
    }
}

/// Chat findings over the conversation rows (text/label rows are ignored).
#[cfg(test)]
pub(crate) fn findings(file: &str, rows: &[Row]) -> Vec<Finding> {
    let mut style = ChatStyle::default();
    for digest in crate::parallel::map(rows, ConversationDigest::of)
        .into_iter()
        .flatten()
    {
        style.add(digest);
    }
    style.finish(file)
}

fn missing_system(file: &str, lines: &LineSample, total: usize) -> Finding {
    let (listed_en, listed_es) = lines_phrase_sampled(&lines.first, lines.total);
    let missing = lines.total;
    Finding::warning(
        file,
        None,
        "missing_system_message",
        Message::new(
            format!(
                "{missing} of {total} conversations have no system message ({listed_en}) while the others \
                 do. Give every conversation the same system message, or remove it from all of them."
            ),
            format!(
                "{missing} de {total} conversaciones no tienen mensaje de sistema ({listed_es}) y las demás sí. \
                 Pon el mismo mensaje de sistema en todas las conversaciones, o quítalo de todas."
            ),
        ),
    )
    .with_field("messages")
}

fn missing_user(file: &str, line: usize) -> Finding {
    Finding::warning(
        file,
        Some(line),
        "missing_user_message",
        Message::new(
            format!(
                "Line {line}: the conversation has no user message, so the model sees an answer to nothing. \
                 Add a message with \"role\": \"user\" before the assistant's answer."
            ),
            format!(
                "Línea {line}: la conversación no tiene ningún mensaje del usuario, así que el modelo ve una respuesta \
                 a nada. Añade un mensaje con \"role\": \"user\" antes de la respuesta del asistente."
            ),
        ),
    )
    .with_field("messages")
}

fn short_answers(file: &str, mean: f64) -> Finding {
    Finding::warning(
        file,
        None,
        "short_assistant_answers",
        Message::new(
            format!(
                "The assistant's answers are very short: {mean:.0} characters on average. The model will learn \
                 to answer just as briefly; write fuller answers (at least a sentence)."
            ),
            format!(
                "Las respuestas del asistente son muy cortas: {mean:.0} caracteres de media. El modelo aprenderá \
                 a contestar igual de escueto; escribe respuestas más completas (al menos una frase)."
            ),
        ),
    )
}

/// `shortest` and `longest` are (characters, line) of the first shortest and the last
/// longest answer.
fn inconsistent_length(
    file: &str,
    shortest: (u32, usize),
    longest: (u32, usize),
    mean: f64,
    variation: f64,
) -> Finding {
    let (short_chars, short_line) = shortest;
    let (long_chars, long_line) = longest;
    Finding::warning(
        file,
        None,
        "inconsistent_answer_length",
        Message::new(
            format!(
                "The assistant's answers vary a lot in length (from {short_chars} characters on line {short_line} to \
                 {long_chars} on line {long_line}; mean {mean:.0}, variation {variation:.1}). Make answers of the same \
                 kind about equally long so the model learns one style."
            ),
            format!(
                "Las respuestas del asistente varían mucho de longitud (de {short_chars} caracteres en la línea \
                 {short_line} a {long_chars} en la línea {long_line}; media {mean:.0}, variación {variation:.1}). \
                 Haz que las respuestas del mismo tipo tengan una longitud parecida para que el modelo aprenda un estilo."
            ),
        ),
    )
}

/// The most characters of a word in [`SPANISH_WORDS`], [`FORMAL_WORDS`] or [`INFORMAL_WORDS`].
const MAX_LISTED_CHARACTERS: usize = 9;

/// Whether a Spanish answer addresses the reader as usted and/or as tú.
fn formality(text: &str) -> (bool, bool) {
    let (mut spanish, mut formal, mut informal) = (text.contains(['ñ', '¿', '¡']), false, false);
    // One lowercase buffer for every word: lowering each character on its own gives what
    // `str::to_lowercase` gives, except a final Σ (ς), and no listed word has a sigma.
    let mut lower = String::new();
    let words = text
        .split(|character: char| !character.is_alphabetic())
        .filter(|word| !word.is_empty());
    for word in words {
        // Lowering never shortens a word, and no listed word has more than this many
        // characters (bytes count at least the characters).
        if word.len() > MAX_LISTED_CHARACTERS && word.chars().count() > MAX_LISTED_CHARACTERS {
            continue;
        }
        lower.clear();
        if word.is_ascii() {
            lower.push_str(word);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        let lower = lower.as_str();
        spanish |= SPANISH_WORDS.contains(&lower);
        formal |= FORMAL_WORDS.contains(&lower);
        informal |= INFORMAL_WORDS.contains(&lower);
    }
    if !spanish {
        return (false, false);
    }
    (formal, informal)
}

fn mixed_formality(file: &str, formal: &FormLines, informal: &FormLines) -> Option<Finding> {
    let (formal_lines, informal_lines) = (&formal.sample.first, &informal.sample.first);
    if formal_lines.is_empty() || informal_lines.is_empty() {
        return None;
    }
    let (formal_count, informal_count) = (formal.sample.total, informal.sample.total);
    let (formal_en, formal_es) = lines_phrase(formal_lines);
    let (informal_en, informal_es) = lines_phrase(informal_lines);
    Some(Finding::warning(
        file,
        None,
        "mixed_formality",
        Message::new(
            format!(
                "The assistant mixes \"tú\" and \"usted\": tú in {} (for example {informal_en}) and usted in {} \
                 (for example {formal_en}). Pick one way of addressing the user and rewrite the other answers.",
                count(informal_count, "conversation", "conversations"),
                count(formal_count, "conversation", "conversations"),
            ),
            format!(
                "El asistente mezcla \"tú\" y \"usted\": tú en {} (por ejemplo {informal_es}) y usted en {} \
                 (por ejemplo {formal_es}). Elige una forma de tratar al usuario y reescribe las demás respuestas.",
                count(informal_count, "conversación", "conversaciones"),
                count(formal_count, "conversación", "conversaciones"),
            ),
        ),
    ))
}

/// Pictographs, emoticons, symbols and dingbats, flags included.
fn is_emoji(character: char) -> bool {
    matches!(u32::from(character), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55)
}

/// `answers` answers, `emoji_answers` of them with emoji, on `lines` (repeats in a row once).
fn inconsistent_emoji(
    file: &str,
    answers: usize,
    emoji_answers: usize,
    lines: &LineSample,
) -> Option<Finding> {
    if answers < MIN_ANSWERS_FOR_STYLE {
        return None;
    }
    if emoji_answers == 0 || emoji_answers * 2 > answers {
        return None;
    }
    let (lines_en, lines_es) = lines_phrase_sampled(&lines.first, lines.total);
    let total = answers;
    Some(Finding::warning(
        file,
        None,
        "inconsistent_emoji",
        Message::new(
            format!(
                "Only {emoji_answers} of {total} assistant answers use emoji ({lines_en}). Decide whether the \
                 assistant uses emoji and make all answers follow that choice."
            ),
            format!(
                "Solo {emoji_answers} de {total} respuestas del asistente llevan emojis ({lines_es}). Decide si el \
                 asistente usa emojis y haz que todas las respuestas sigan esa decisión."
            ),
        ),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::row::ChatMessage;

    /// [`findings`] as it was, over whole lists of the answers: the chat passes' reference.
    pub(crate) fn reference_findings(file: &str, rows: &[Row]) -> Vec<Finding> {
        struct Answer<'row> {
            line: usize,
            text: &'row str,
        }
        let conversations: Vec<(usize, &[ChatMessage])> = rows
            .iter()
            .filter_map(|row| match &row.content {
                RowContent::Chat { messages } => Some((row.line, messages.as_slice())),
                RowContent::TextLabel { .. } => None,
            })
            .collect();
        if conversations.is_empty() {
            return Vec::new();
        }
        let has_role = |messages: &[ChatMessage], role: Role| {
            messages.iter().any(|message| message.role == role)
        };
        let all = |lines: &[usize]| LineSample {
            first: lines.to_vec(),
            total: lines.len(),
        };
        let mut findings = Vec::new();
        let without_system: Vec<usize> = conversations
            .iter()
            .filter(|(_, messages)| !has_role(messages, Role::System))
            .map(|(line, _)| *line)
            .collect();
        if !without_system.is_empty() && without_system.len() < conversations.len() {
            findings.push(missing_system(
                file,
                &all(&without_system),
                conversations.len(),
            ));
        }
        for (line, messages) in &conversations {
            if !has_role(messages, Role::User) {
                findings.push(missing_user(file, *line));
            }
        }
        let answers: Vec<Answer<'_>> = conversations
            .iter()
            .flat_map(|(line, messages)| {
                messages
                    .iter()
                    .filter(|message| message.role == Role::Assistant)
                    .map(move |message| Answer {
                        line: *line,
                        text: message.content.trim(),
                    })
            })
            .collect();
        let lengths: Vec<f64> = answers
            .iter()
            .map(|answer| answer.text.chars().count() as f64)
            .collect();
        if !lengths.is_empty() {
            let mean = lengths.iter().sum::<f64>() / lengths.len() as f64;
            if mean < SHORT_ANSWER_CHARS {
                findings.push(super::short_answers(file, mean));
            }
            if lengths.len() >= MIN_ANSWERS_FOR_STYLE && mean > 0.0 {
                let variance = lengths
                    .iter()
                    .map(|length| (length - mean).powi(2))
                    .sum::<f64>()
                    / lengths.len() as f64;
                let variation = variance.sqrt() / mean;
                if variation > MAX_LENGTH_VARIATION {
                    let length = |answer: &&Answer<'_>| answer.text.chars().count();
                    let at = |answer: Option<&Answer<'_>>| {
                        answer.map_or((0, 0), |answer| (length(&answer) as u32, answer.line))
                    };
                    let shortest = at(answers.iter().min_by_key(length));
                    let longest = at(answers.iter().max_by_key(length));
                    findings.push(inconsistent_length(
                        file, shortest, longest, mean, variation,
                    ));
                }
            }
        }
        let (mut formal_lines, mut informal_lines) = (Vec::new(), Vec::new());
        for answer in &answers {
            let (formal, informal) = formality_reference(answer.text);
            if formal && !formal_lines.contains(&answer.line) {
                formal_lines.push(answer.line);
            }
            if informal && !informal_lines.contains(&answer.line) {
                informal_lines.push(answer.line);
            }
        }
        let forms = |lines: &[usize]| FormLines {
            seen: HashSet::default(),
            sample: LineSample {
                first: lines.iter().copied().take(EXAMPLE_LINES).collect(),
                total: lines.len(),
            },
        };
        findings.extend(mixed_formality(
            file,
            &forms(&formal_lines),
            &forms(&informal_lines),
        ));
        let mut with_emoji: Vec<usize> = answers
            .iter()
            .filter(|answer| answer.text.chars().any(is_emoji))
            .map(|answer| answer.line)
            .collect();
        let emoji_answers = with_emoji.len();
        with_emoji.dedup();
        findings.extend(super::inconsistent_emoji(
            file,
            answers.len(),
            emoji_answers,
            &all(&with_emoji),
        ));
        findings
    }

    /// Every chat finding of the test files is the reference's, in any batching.
    #[test]
    fn same_findings_as_the_reference() {
        for seed in [21, 22, 23] {
            let text = crate::test_support::file_with_every_finding(seed, 1_500, true);
            let rows = parse("c.jsonl", text.as_bytes()).unwrap().rows;
            let expected = reference_findings("c.jsonl", &rows);
            let codes: Vec<&str> = expected
                .iter()
                .map(|finding| finding.code.as_str())
                .collect();
            for code in [
                "missing_system_message",
                "missing_user_message",
                "mixed_formality",
            ] {
                assert!(codes.contains(&code), "{code} missing from {codes:?}");
            }
            assert_eq!(findings("c.jsonl", &rows), expected);
            for cut in [0, 1, 2, 3, 4, 5, 6, 7, 50, rows.len()] {
                let part = &rows[..cut];
                let mut style = ChatStyle::default();
                for row in part {
                    style.extend_row(row);
                }
                assert_eq!(
                    style.finish("c.jsonl"),
                    reference_findings("c.jsonl", part),
                    "{cut} rows"
                );
            }
        }
    }

    /// [`formality`] as it was: every word lowercased into its own string.
    fn formality_reference(text: &str) -> (bool, bool) {
        let words: Vec<String> = text
            .split(|character: char| !character.is_alphabetic())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        let has_any = |list: &[&str]| words.iter().any(|word| list.contains(&word.as_str()));
        let spanish = has_any(&SPANISH_WORDS) || text.contains(['ñ', '¿', '¡']);
        if !spanish {
            return (false, false);
        }
        (has_any(&FORMAL_WORDS), has_any(&INFORMAL_WORDS))
    }

    #[test]
    fn the_longest_listed_word_is_counted() {
        let longest = SPANISH_WORDS
            .iter()
            .chain(FORMAL_WORDS.iter())
            .chain(INFORMAL_WORDS.iter())
            .map(|word| word.chars().count())
            .max();
        assert_eq!(longest, Some(MAX_LISTED_CHARACTERS));
    }

    #[test]
    fn formality_agrees_with_the_reference() {
        const PIECES: [&str; 20] = [
            "Usted",
            "USTED",
            "tú",
            "TÚ",
            "Tú",
            "dígame",
            "DÍGAME",
            "el",
            "EL",
            " ",
            ",",
            "¿",
            "hola",
            "ΣΑΣ",
            "Ud",
            "puedes",
            "İ",
            "te",
            "necesitasx",
            "PERMÍTAME",
        ];
        let mut rng = crate::test_support::XorShift(0xF0F0);
        for _ in 0..20_000 {
            let text: String = (0..rng.below(8))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            assert_eq!(formality(&text), formality_reference(&text), "{text:?}");
        }
    }
    use crate::test_support::parse;

    fn conversation(system: Option<&str>, user: Option<&str>, answer: &str) -> String {
        let mut messages = Vec::new();
        if let Some(system) = system {
            messages.push(serde_json::json!({"role": "system", "content": system}));
        }
        if let Some(user) = user {
            messages.push(serde_json::json!({"role": "user", "content": user}));
        }
        messages.push(serde_json::json!({"role": "assistant", "content": answer}));
        format!("{}\n", serde_json::json!({ "messages": messages }))
    }

    fn found(lines: &[String], code: &str) -> Vec<Finding> {
        parse("chat.jsonl", lines.concat().as_bytes())
            .unwrap()
            .findings
            .into_iter()
            .filter(|finding| finding.code == code)
            .collect()
    }

    const LONG: &str = "Claro, te explico cómo hacerlo paso a paso con calma.";

    #[test]
    fn short_answers() {
        let short: Vec<String> = ["Sí.", "No.", "Ok."]
            .iter()
            .map(|answer| conversation(None, Some("pregunta"), answer))
            .collect();
        let findings = found(&short, "short_assistant_answers");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, None);
        assert!(findings[0].message.en.contains("3 characters on average"));
        let long = vec![conversation(None, Some("pregunta"), LONG)];
        assert!(found(&long, "short_assistant_answers").is_empty());
    }

    #[test]
    fn missing_system_message_when_only_some_have_one() {
        let rows = vec![
            conversation(Some("Eres amable."), Some("hola"), LONG),
            conversation(None, Some("buenas"), LONG),
            conversation(Some("Eres amable."), Some("hey"), LONG),
        ];
        let findings = found(&rows, "missing_system_message");
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.en.contains("1 of 3 conversations"));
        assert!(findings[0].message.en.contains("(line 2)"));
        let none = vec![
            conversation(None, Some("a"), LONG),
            conversation(None, Some("b"), LONG),
        ];
        assert!(found(&none, "missing_system_message").is_empty());
    }

    #[test]
    fn missing_user_message_per_line() {
        let rows = vec![
            conversation(None, Some("hola"), LONG),
            conversation(Some("Eres amable."), None, LONG),
        ];
        let findings = found(&rows, "missing_user_message");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, Some(2));
        assert_eq!(findings[0].field.as_deref(), Some("messages"));
    }

    #[test]
    fn inconsistent_answer_length() {
        let long = "Esta es una respuesta muy larga que explica todo con detalle. ".repeat(10);
        let rows = vec![
            conversation(None, Some("a"), "Sí, claro que sí."),
            conversation(None, Some("b"), "No, lo siento mucho."),
            conversation(None, Some("c"), "Vale, de acuerdo."),
            conversation(None, Some("d"), "Bien, perfecto."),
            conversation(None, Some("e"), &long),
        ];
        let findings = found(&rows, "inconsistent_answer_length");
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.en.contains("on line 5"));
        let even: Vec<String> = (0..4)
            .map(|_| conversation(None, Some("x"), LONG))
            .collect();
        assert!(found(&even, "inconsistent_answer_length").is_empty());
    }

    #[test]
    fn mixed_formality_counts_and_lines() {
        let rows = vec![
            conversation(
                None,
                Some("a"),
                "Claro, te lo explico ahora mismo con un ejemplo.",
            ),
            conversation(
                None,
                Some("b"),
                "Si usted lo desea, se lo envío por correo.",
            ),
            conversation(None, Some("c"), "¿Quieres que te ayude con la factura?"),
        ];
        let findings = found(&rows, "mixed_formality");
        assert_eq!(findings.len(), 1);
        let message = &findings[0].message;
        assert!(
            message
                .en
                .contains("tú in 2 conversations (for example lines 1 and 3)"),
            "{}",
            message.en
        );
        assert!(
            message
                .en
                .contains("usted in 1 conversation (for example line 2)"),
            "{}",
            message.en
        );
        assert!(
            message
                .es
                .contains("tú en 2 conversaciones (por ejemplo líneas 1 y 3)")
        );
        let informal_only = vec![rows[0].clone(), rows[2].clone()];
        assert!(found(&informal_only, "mixed_formality").is_empty());
        // French "tu" and "te" are not Spanish.
        let french = vec![
            conversation(None, Some("a"), "Je te le dis: tu es gentil."),
            rows[1].clone(),
        ];
        assert!(found(&french, "mixed_formality").is_empty());
    }

    #[test]
    fn inconsistent_emoji() {
        let rows = vec![
            conversation(None, Some("a"), "¡Claro que sí, encantado de ayudar! 😊"),
            conversation(None, Some("b"), LONG),
            conversation(None, Some("c"), LONG),
            conversation(None, Some("d"), LONG),
        ];
        let findings = found(&rows, "inconsistent_emoji");
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.en.contains("Only 1 of 4"));
        let mostly: Vec<String> = (0..3)
            .map(|_| conversation(None, Some("x"), "¡Hecho! 👍 Todo listo por aquí."))
            .chain([conversation(None, Some("y"), LONG)])
            .collect();
        assert!(found(&mostly, "inconsistent_emoji").is_empty());
        assert!(is_emoji('🇪') && is_emoji('☀') && !is_emoji('é') && !is_emoji('€'));
    }

    impl ChatStyle {
        fn extend_row(&mut self, row: &Row) {
            if let Some(digest) = ConversationDigest::of(row) {
                self.add(digest);
            }
        }
    }

    #[test]
    fn text_label_files_have_no_chat_findings() {
        let dataset = parse("a.csv", b"text,label\nhola,x\n").unwrap();
        assert!(findings("a.csv", &dataset.rows).is_empty());
    }
}
