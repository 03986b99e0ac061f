//! Safe fixes on the text of a file itself, for what parsing already leaves out of the rows
//! but an exported or re-uploaded file would still carry: a byte-order mark and blank lines.
//! Like [`crate::change::fix`], they return a fixed copy and a report; the input is never modified.

use crate::change::fix::FixReport;
use crate::finding::Message;
use crate::read::decode;
use crate::read::sniff::{self, Detected};
use crate::wording::{count, lines_phrase};

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// A file's bytes after a text fix, and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFixed {
    /// The fixed file.
    pub bytes: Vec<u8>,
    /// What the fix changed (`changed_lines` are lines of the original file).
    pub report: FixReport,
}

/// Removes the byte-order mark at the start of the file. A UTF-16 file (which always starts
/// with one) is rewritten as UTF-8, the encoding fine-tuning services expect.
pub fn strip_bom(file_name: &str, bytes: &[u8]) -> TextFixed {
    let unchanged = |en: &str, es: &str| TextFixed {
        bytes: bytes.to_vec(),
        report: report("strip_bom", Vec::new(), Message::new(en, es)),
    };
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return TextFixed {
            bytes: rest.to_vec(),
            report: report(
                "strip_bom",
                vec![1],
                Message::new(
                    "Removed the invisible byte-order mark (BOM) at the start of the file.",
                    "Se ha quitado la marca invisible de orden de bytes (BOM) del principio del archivo.",
                ),
            ),
        };
    }
    if !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF]) {
        return unchanged(
            "The file has no byte-order mark; nothing changed.",
            "El archivo no tiene marca de orden de bytes; no ha cambiado nada.",
        );
    }
    match decode::decode(file_name, bytes) {
        Ok(decoded) => TextFixed {
            bytes: decoded.text.into_bytes(),
            report: report(
                "strip_bom",
                vec![1],
                Message::new(
                    format!(
                        "Rewrote the file from {} to UTF-8 without a byte-order mark.",
                        decoded.encoding.label()
                    ),
                    format!(
                        "Se ha reescrito el archivo de {} a UTF-8 sin marca de orden de bytes.",
                        decoded.encoding.label()
                    ),
                ),
            ),
        },
        Err(_) => unchanged(
            "The file could not be read as text; nothing changed.",
            "El archivo no se ha podido leer como texto; no ha cambiado nada.",
        ),
    }
}

/// Removes empty and blank lines from a JSON Lines file (the last newline stays). CSV files
/// are left alone: a blank line there may be part of a quoted text, and the CSV reader
/// already skips blank rows.
pub fn drop_blank_lines(file_name: &str, bytes: &[u8]) -> TextFixed {
    let text = String::from_utf8_lossy(bytes);
    let is_jsonl = sniff::detect(file_name, text.trim_start_matches('\u{feff}')) == Detected::Jsonl;
    if !is_jsonl {
        return TextFixed {
            bytes: bytes.to_vec(),
            report: report(
                "drop_blank_lines",
                Vec::new(),
                Message::new(
                    "Only JSON Lines files get their blank lines removed; the CSV reader already skips them. Nothing changed.",
                    "Solo se quitan las líneas vacías de los archivos JSON Lines; el lector de CSV ya las salta. No ha cambiado nada.",
                ),
            ),
        };
    }
    let mut kept: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut dropped = Vec::new();
    let pieces: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
    let last = pieces.len().saturating_sub(1);
    for (index, piece) in pieces.iter().enumerate() {
        let blank = piece.iter().all(u8::is_ascii_whitespace);
        if index == last {
            // The piece after the final newline is not a line; keep what is there.
            if !blank {
                kept.extend_from_slice(piece);
            }
            break;
        }
        if blank {
            dropped.push(index + 1);
            continue;
        }
        kept.extend_from_slice(piece);
        kept.push(b'\n');
    }
    let description = if dropped.is_empty() {
        Message::new(
            "The file has no blank lines; nothing changed.",
            "El archivo no tiene líneas vacías; no ha cambiado nada.",
        )
    } else {
        let (lines_en, lines_es) = lines_phrase(&dropped);
        Message::new(
            format!(
                "Removed {} ({lines_en}).",
                count(dropped.len(), "blank line", "blank lines")
            ),
            format!(
                "Se han quitado {} ({lines_es}).",
                count(dropped.len(), "línea vacía", "líneas vacías")
            ),
        )
    };
    TextFixed {
        bytes: kept,
        report: report("drop_blank_lines", dropped, description),
    }
}

fn report(code: &str, changed_lines: Vec<usize>, description: Message) -> FixReport {
    FixReport {
        code: code.to_owned(),
        changed_lines,
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_removed_and_the_file_still_reads_the_same() {
        let bytes = b"\xEF\xBB\xBFtext,label\nhola,positivo\n";
        let fixed = strip_bom("a.csv", bytes);
        assert_eq!(fixed.bytes, b"text,label\nhola,positivo\n");
        assert_eq!(fixed.report.changed_lines, [1]);
        let before = crate::parse("a.csv", bytes).unwrap();
        let after = crate::parse("a.csv", &fixed.bytes).unwrap();
        assert_eq!(before.rows, after.rows);
        assert_eq!(after.encoding, "UTF-8");
    }

    #[test]
    fn utf16_becomes_utf8_without_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "texto,etiqueta\nñandú,positivo\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let fixed = strip_bom("a.csv", &bytes);
        assert_eq!(fixed.bytes, "texto,etiqueta\nñandú,positivo\n".as_bytes());
        assert!(fixed.report.description.en.contains("UTF-16LE"));
    }

    #[test]
    fn no_bom_no_change() {
        let fixed = strip_bom("a.csv", b"text,label\n");
        assert_eq!(fixed.bytes, b"text,label\n");
        assert!(fixed.report.changed_lines.is_empty());
    }

    #[test]
    fn blank_lines_of_jsonl_are_dropped_and_located() {
        let text =
            "{\"text\": \"a\", \"label\": \"x\"}\n\n  \r\n{\"text\": \"b\", \"label\": \"y\"}\n";
        let fixed = drop_blank_lines("a.jsonl", text.as_bytes());
        assert_eq!(
            String::from_utf8(fixed.bytes.clone()).unwrap(),
            "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"}\n"
        );
        assert_eq!(fixed.report.changed_lines, [2, 3]);
        assert!(fixed.report.description.es.contains("2 líneas vacías"));
        let after = crate::parse("a.jsonl", &fixed.bytes).unwrap();
        assert!(
            after
                .findings
                .iter()
                .all(|finding| finding.code != "blank_line")
        );
    }

    #[test]
    fn csv_is_left_alone() {
        let text = "text,label\n\"dos\n\nlíneas\",x\n";
        let fixed = drop_blank_lines("a.csv", text.as_bytes());
        assert_eq!(fixed.bytes, text.as_bytes());
        assert!(fixed.report.changed_lines.is_empty());
    }
}
