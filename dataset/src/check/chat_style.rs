//! Chat checks: missing system or user messages, and assistant answers that are too short or
//! inconsistent in length, formality (tú/usted) or emoji.

use foldhash::HashSet;

use crate::finding::{Finding, Message};
use crate::parallel;
use crate::row::{ChatMessage, Role, Row, RowContent};
use crate::wording::{count, lines_phrase};

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

/// An assistant answer and the line of its conversation.
struct Answer<'row> {
    line: usize,
    text: &'row str,
}

/// Chat findings over the conversation rows (text/label rows are ignored).
pub(crate) fn findings(file: &str, rows: &[Row]) -> Vec<Finding> {
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
    let has_role =
        |messages: &[ChatMessage], role: Role| messages.iter().any(|message| message.role == role);
    let mut findings = Vec::new();
    let without_system: Vec<usize> = conversations
        .iter()
        .filter(|(_, messages)| !has_role(messages, Role::System))
        .map(|(line, _)| *line)
        .collect();
    if !without_system.is_empty() && without_system.len() < conversations.len() {
        findings.push(missing_system(file, &without_system, conversations.len()));
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
    findings.extend(length_findings(file, &answers));
    findings.extend(mixed_formality(file, &answers));
    findings.extend(inconsistent_emoji(file, &answers));
    findings
}

fn missing_system(file: &str, lines: &[usize], total: usize) -> Finding {
    let (listed_en, listed_es) = lines_phrase(lines);
    let missing = lines.len();
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

fn length_findings(file: &str, answers: &[Answer<'_>]) -> Vec<Finding> {
    let lengths: Vec<f64> = answers
        .iter()
        .map(|answer| answer.text.chars().count() as f64)
        .collect();
    if lengths.is_empty() {
        return Vec::new();
    }
    let mean = lengths.iter().sum::<f64>() / lengths.len() as f64;
    let mut findings = Vec::new();
    if mean < SHORT_ANSWER_CHARS {
        findings.push(Finding::warning(
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
        ));
    }
    if lengths.len() >= MIN_ANSWERS_FOR_STYLE && mean > 0.0 {
        let variance = lengths
            .iter()
            .map(|length| (length - mean).powi(2))
            .sum::<f64>()
            / lengths.len() as f64;
        let variation = variance.sqrt() / mean;
        if variation > MAX_LENGTH_VARIATION {
            findings.push(inconsistent_length(file, answers, mean, variation));
        }
    }
    findings
}

fn inconsistent_length(file: &str, answers: &[Answer<'_>], mean: f64, variation: f64) -> Finding {
    let length = |answer: &&Answer<'_>| answer.text.chars().count();
    let shortest = answers.iter().min_by_key(length);
    let longest = answers.iter().max_by_key(length);
    let (short_chars, short_line) =
        shortest.map_or((0, 0), |answer| (length(&answer), answer.line));
    let (long_chars, long_line) = longest.map_or((0, 0), |answer| (length(&answer), answer.line));
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

fn mixed_formality(file: &str, answers: &[Answer<'_>]) -> Option<Finding> {
    let mut formal_lines = Vec::new();
    let mut informal_lines = Vec::new();
    let (mut formal_seen, mut informal_seen) = (HashSet::default(), HashSet::default());
    let forms = parallel::map(answers, |answer| formality(answer.text));
    for (answer, (formal, informal)) in answers.iter().zip(forms) {
        // Each line once, in the order first seen (a set: a list's `contains` was quadratic).
        if formal && formal_seen.insert(answer.line) {
            formal_lines.push(answer.line);
        }
        if informal && informal_seen.insert(answer.line) {
            informal_lines.push(answer.line);
        }
    }
    if formal_lines.is_empty() || informal_lines.is_empty() {
        return None;
    }
    let (formal_count, informal_count) = (formal_lines.len(), informal_lines.len());
    formal_lines.truncate(EXAMPLE_LINES);
    informal_lines.truncate(EXAMPLE_LINES);
    let (formal_en, formal_es) = lines_phrase(&formal_lines);
    let (informal_en, informal_es) = lines_phrase(&informal_lines);
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

fn inconsistent_emoji(file: &str, answers: &[Answer<'_>]) -> Option<Finding> {
    if answers.len() < MIN_ANSWERS_FOR_STYLE {
        return None;
    }
    let mut with_emoji: Vec<usize> = answers
        .iter()
        .filter(|answer| answer.text.chars().any(is_emoji))
        .map(|answer| answer.line)
        .collect();
    let emoji_answers = with_emoji.len();
    if emoji_answers == 0 || emoji_answers * 2 > answers.len() {
        return None;
    }
    with_emoji.dedup();
    let (lines_en, lines_es) = lines_phrase(&with_emoji);
    let total = answers.len();
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
mod tests {
    use super::*;

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

    #[test]
    fn text_label_files_have_no_chat_findings() {
        let dataset = parse("a.csv", b"text,label\nhola,x\n").unwrap();
        assert!(findings("a.csv", &dataset.rows).is_empty());
    }
}
