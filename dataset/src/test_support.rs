//! Helpers shared by the crate's unit tests.

use crate::stream::{FileStream, HEAD_BYTES, StreamReport};
use crate::{ChatMessage, Dataset, FileError, Finding, ParseOptions, Role, Row, RowContent};

/// `bytes` read whole as a file named `file` ([`crate::parse()`]). The tests of the stages
/// below `read` (`check`, `quality`) build real datasets through this helper, so that only
/// test support reaches up to `read`.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Dataset, FileError> {
    crate::parse(file, bytes)
}

/// Tiny xorshift64* generator so the property tests need no dependency.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    /// The next pseudo-random value.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..bound`.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// The findings with `code` after parsing `text` as a file named `file`.
pub(crate) fn found(file: &str, text: &str, code: &str) -> Vec<Finding> {
    parse(file, text.as_bytes())
        .unwrap()
        .findings
        .into_iter()
        .filter(|finding| finding.code == code)
        .collect()
}

/// Each finding as (line, code, field), for compact assertions.
pub(crate) fn located(findings: &[Finding]) -> Vec<(Option<usize>, &str, Option<&str>)> {
    findings
        .iter()
        .map(|finding| {
            (
                finding.line,
                finding.code.as_str(),
                finding.field.as_deref(),
            )
        })
        .collect()
}

/// A chat message with `role` and `content`.
pub(crate) fn message(role: Role, content: &str) -> ChatMessage {
    ChatMessage {
        role,
        content: content.to_owned(),
    }
}

/// A text/label row starting at `line`.
pub(crate) fn text_row(line: usize, text: &str, label: &str) -> Row {
    Row {
        line,
        content: RowContent::TextLabel {
            text: text.into(),
            label: label.into(),
        },
    }
}

/// The report of validating `bytes` as a stream ([`FileStream`]: JSON Lines or CSV, by its
/// head), pushed in chunks of the sizes `chunk_sizes` gives.
pub(crate) fn stream(
    file: &str,
    bytes: &[u8],
    chunk_sizes: &mut dyn FnMut() -> usize,
) -> StreamReport {
    stream_checking(file, bytes, false, chunk_sizes)
}

/// [`stream`] with the quality passes on.
pub(crate) fn stream_with_quality(
    file: &str,
    bytes: &[u8],
    chunk_sizes: &mut dyn FnMut() -> usize,
) -> StreamReport {
    stream_checking(file, bytes, true, chunk_sizes)
}

/// [`stream`], with the quality passes when `quality` is set.
fn stream_checking(
    file: &str,
    bytes: &[u8],
    quality: bool,
    chunk_sizes: &mut dyn FnMut() -> usize,
) -> StreamReport {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let mut validator = FileStream::new(file, head, &ParseOptions::default())
        .unwrap()
        .with_quality(quality);
    let mut rest = bytes;
    while !rest.is_empty() {
        let size = chunk_sizes().clamp(1, rest.len());
        validator.push(&rest[..size]);
        rest = &rest[size..];
    }
    validator.finish()
}

/// [`stream`] in one chunk.
pub(crate) fn whole(file: &str, bytes: &[u8]) -> StreamReport {
    stream(file, bytes, &mut || usize::MAX)
}

/// A text/label CSV or chat JSON Lines file with every kind of quality finding: exact and
/// near copies, conflicting labels and label variants, similar texts, personal data and
/// secrets, mojibake, formality, emoji, missing system and user messages, short answers.
pub(crate) fn file_with_every_finding(seed: u64, rows: usize, chat: bool) -> String {
    const WORDS: [&str; 24] = [
        "me",
        "encanta",
        "este",
        "producto",
        "lo",
        "recomiendo",
        "el",
        "envío",
        "llegó",
        "tarde",
        "muy",
        "bueno",
        "malo",
        "precio",
        "usted",
        "tú",
        "puedes",
        "dígame",
        "the",
        "product",
        "great",
        "never",
        "año",
        "canción",
    ];
    const EXTRAS: [&str; 10] = [
        "ana@correo.es",
        "+34 612 345 678",
        "4111 1111 1111 1111",
        "sk-abcdefghijklmnopqrstuvwxyz",
        "password=hunter2",
        "llegÃ³",
        "itâ€™s",
        "lleg√≥",
        "😀",
        "Contraseña: x1",
    ];
    const LABELS: [&str; 5] = ["positivo", "negativo", "neutral", "Positivo", " positivo"];
    let mut rng = XorShift(seed);
    let mut made: Vec<(String, &str)> = Vec::new();
    for _ in 0..rows {
        let row = if !made.is_empty() && rng.below(5) == 0 {
            let (text, label) = made[rng.below(made.len())].clone();
            match rng.below(4) {
                0 => (text, label),
                1 => (format!("¡{}!", text.to_uppercase()), label),
                2 => (format!("{text} {}", WORDS[rng.below(WORDS.len())]), label),
                _ => (text, LABELS[rng.below(LABELS.len())]),
            }
        } else {
            let mut words: Vec<&str> = (0..2 + rng.below(10))
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect();
            if rng.below(6) == 0 {
                words.insert(rng.below(words.len()), EXTRAS[rng.below(EXTRAS.len())]);
            }
            let label = LABELS[[0, 0, 0, 1, 1, 2, 3, 4][rng.below(8)]];
            (words.join(" "), label)
        };
        made.push(row);
    }
    let mut file = String::new();
    if !chat {
        file.push_str("text,label\n");
    }
    for (text, label) in &made {
        if !chat {
            file.push_str(&format!("\"{}\",{label}\n", text.replace('"', "\"\"")));
            continue;
        }
        let mut messages = Vec::new();
        if rng.below(10) > 0 {
            messages.push(serde_json::json!({"role": "system", "content": "Eres útil."}));
        }
        if rng.below(40) > 0 {
            messages.push(serde_json::json!({"role": "user", "content": text}));
        }
        let answer = match rng.below(6) {
            0 => "ok".to_owned(),
            1 => format!("{text} {}", WORDS[rng.below(WORDS.len())]),
            _ => (*label).to_owned(),
        };
        messages.push(serde_json::json!({"role": "assistant", "content": answer}));
        file.push_str(&serde_json::json!({ "messages": messages }).to_string());
        file.push('\n');
    }
    file
}

/// Pieces that steer random input into the interesting paths of every reader.
const PIECES: [&[u8]; 56] = [
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"text",
    b"label",
    b"messages",
    b"role",
    b"content",
    b"user",
    b"assistant",
    b"system",
    b"function",
    b"null",
    b"1.5",
    b"true",
    b"\\",
    b"\\u00",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\xF3",
    b"\xC3\xB3",
    b"\x00",
    b"\x01",
    b"a",
    b"\"text\":",
    b"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}",
    b"texto;etiqueta\n",
    b"@",
    b"ana@correo.es",
    b"sk-abcdefghijklmnopqrstuvwx",
    b"AKIAIOSFODNN7EXAMPLE",
    b"+34 612 345 678",
    b"4111 1111 1111 1111",
    b"password=",
    b"contrase\xC3\xB1a: x",
    "llegÃ³".as_bytes(),
    "lleg√≥".as_bytes(),
    "â€".as_bytes(),
    "ðŸ˜€".as_bytes(),
    "😀".as_bytes(),
    b" usted ",
    " tú ".as_bytes(),
    b"Positivo",
];

/// Valid files that mutations start from, so the deeper paths are reached too.
const SEEDS: [&str; 6] = [
    "text,label\nMe encanta,positivo\n\"dijo \"\"no\"\",\nvale\",negativo\n",
    "texto;etiqueta\r\nhola;saludo\r\nadiós;despedida\r\n",
    "{\"text\": \"hola\", \"label\": \"saludo\"}\n{\"text\": \"adiós\", \"label\": 2}\n",
    "{\"messages\": [{\"role\": \"user\", \"content\": \"hola\"}, {\"role\": \"assistant\", \"content\": \"saludo\"}]}\n",
    "text,label\nMe encanta,Positivo\nme encanta!,positivo\nMe encanta,Positivo\nllegÃ³ tarde,negativo\nana@correo.es 612345678,POSITIVO\n",
    "{\"messages\": [{\"role\": \"system\", \"content\": \"Eres amable\"}, {\"role\": \"user\", \"content\": \"hola\"}, {\"role\": \"assistant\", \"content\": \"¡Hola! ¿Quieres ayuda? 😀\"}]}\n{\"messages\": [{\"role\": \"assistant\", \"content\": \"Si usted lo desea\"}]}\n{\"messages\": [{\"role\": \"user\", \"content\": \"hola\"}, {\"role\": \"assistant\", \"content\": \"Â¿SÃ\u{AD}?\"}]}\n",
];

/// A seed file with a few random pieces inserted, replaced or cut out.
fn mutated_seed(rng: &mut XorShift) -> Vec<u8> {
    let mut bytes = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
    for _ in 0..rng.below(5) {
        let at = rng.below(bytes.len() + 1);
        let piece = PIECES[rng.below(PIECES.len())];
        match rng.below(3) {
            0 => {
                bytes.splice(at..at, piece.iter().copied());
            }
            1 => {
                let end = (at + piece.len()).min(bytes.len());
                bytes.splice(at..end, piece.iter().copied());
            }
            _ => {
                let end = (at + rng.below(8)).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

/// Random bytes for parser property tests: half the time a seed file mutated by a few pieces,
/// otherwise up to 40 pieces and random bytes.
pub(crate) fn random_file_bytes(rng: &mut XorShift) -> Vec<u8> {
    if rng.below(2) == 0 {
        return mutated_seed(rng);
    }
    let mut bytes = Vec::new();
    let pieces = rng.below(40);
    for _ in 0..pieces {
        if rng.below(4) == 0 {
            bytes.push((rng.next() & 0xFF) as u8);
        } else {
            bytes.extend_from_slice(PIECES[rng.below(PIECES.len())]);
        }
    }
    bytes
}
