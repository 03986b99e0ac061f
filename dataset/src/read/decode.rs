//! Turning file bytes into text: BOMs, UTF-16, and the windows-1252 fallback for non-UTF-8 files.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::finding::{Finding, Message};
use crate::read::file_error::FileError;

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16BE_BOM: &[u8] = &[0xFE, 0xFF];

/// Above this share of control characters, the file is treated as binary.
const MAX_CONTROL_SHARE: f64 = 0.1;

/// The text encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    /// The name shown to users and stored in [`crate::Dataset::encoding`].
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 (BOM)",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "windows-1252",
        }
    }
}

/// Decoded file text.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) encoding: TextEncoding,
    /// Some bytes were invalid for the encoding and became U+FFFD.
    pub(crate) had_errors: bool,
}

impl Decoded {
    /// File-level warnings about how the text was decoded.
    pub(crate) fn findings(&self, file: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.encoding == TextEncoding::Windows1252 {
            findings.push(Finding::warning(
                file,
                None,
                "encoding_fallback",
                Message::new(
                    format!(
                        "\"{file}\" is not saved as UTF-8, so it was read as windows-1252 (Western European). \
                         Check that accented letters such as á, é, ñ look right; if not, save the file again as \"CSV UTF-8\"."
                    ),
                    format!(
                        "\"{file}\" no está guardado en UTF-8, así que se ha leído como windows-1252 (Europa occidental). \
                         Comprueba que las letras con tilde como á, é, ñ se ven bien; si no, vuelve a guardar el archivo como \"CSV UTF-8\"."
                    ),
                ),
            ));
        }
        if self.had_errors {
            findings.push(Finding::warning(
                file,
                None,
                "invalid_characters",
                Message::new(
                    format!(
                        "Some characters in \"{file}\" could not be read and were replaced by �. \
                         Save the file again as UTF-8 and load it again."
                    ),
                    format!(
                        "Algunos caracteres de \"{file}\" no se pudieron leer y se han cambiado por �. \
                         Vuelve a guardar el archivo en UTF-8 y cárgalo otra vez."
                    ),
                ),
            ));
        }
        findings
    }
}

/// Decodes `bytes`, refusing empty and binary files.
pub(crate) fn decode(file: &str, bytes: &[u8]) -> Result<Decoded, FileError> {
    let decoded = decode_bytes(file, bytes)?;
    if decoded.text.trim().is_empty() {
        return Err(FileError::Empty {
            file: file.to_owned(),
        });
    }
    if has_binary_content(&decoded.text) {
        return Err(FileError::NotText {
            file: file.to_owned(),
        });
    }
    Ok(decoded)
}

fn decode_bytes(file: &str, bytes: &[u8]) -> Result<Decoded, FileError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return Ok(match std::str::from_utf8(rest) {
            Ok(text) => decoded(text.to_owned(), TextEncoding::Utf8Bom, false),
            Err(_) => decoded(
                String::from_utf8_lossy(rest).into_owned(),
                TextEncoding::Utf8Bom,
                true,
            ),
        });
    }
    if bytes.starts_with(UTF16LE_BOM) {
        let (text, had_errors) = UTF_16LE.decode_with_bom_removal(bytes);
        return Ok(decoded(
            text.into_owned(),
            TextEncoding::Utf16Le,
            had_errors,
        ));
    }
    if bytes.starts_with(UTF16BE_BOM) {
        let (text, had_errors) = UTF_16BE.decode_with_bom_removal(bytes);
        return Ok(decoded(
            text.into_owned(),
            TextEncoding::Utf16Be,
            had_errors,
        ));
    }
    if bytes.contains(&0) {
        return Err(FileError::NotText {
            file: file.to_owned(),
        });
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => decoded(text.to_owned(), TextEncoding::Utf8, false),
        Err(_) => {
            let (text, had_errors) = WINDOWS_1252.decode_without_bom_handling(bytes);
            decoded(text.into_owned(), TextEncoding::Windows1252, had_errors)
        }
    })
}

fn decoded(text: String, encoding: TextEncoding, had_errors: bool) -> Decoded {
    Decoded {
        text,
        encoding,
        had_errors,
    }
}

/// NUL characters, or too many control characters, mean this is not a text file.
fn has_binary_content(text: &str) -> bool {
    let mut total = 0_usize;
    let mut controls = 0_usize;
    for character in text.chars() {
        if character == '\0' {
            return true;
        }
        total += 1;
        if character.is_control() && !matches!(character, '\t' | '\n' | '\r' | '\u{c}') {
            controls += 1;
        }
    }
    total > 0 && controls as f64 > total as f64 * MAX_CONTROL_SHARE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_ok(bytes: &[u8]) -> Decoded {
        decode("f.csv", bytes).unwrap()
    }

    #[test]
    fn plain_utf8() {
        let decoded = decode_ok("texto,etiqueta\ncanción,pos\n".as_bytes());
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert!(decoded.text.contains("canción"));
        assert!(decoded.findings("f.csv").is_empty());
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"text,label\n");
        let decoded = decode_ok(&bytes);
        assert_eq!(decoded.encoding.label(), "UTF-8 (BOM)");
        assert_eq!(decoded.text, "text,label\n");
    }

    #[test]
    fn windows_1252_fallback_warns() {
        // "canción" with ó = 0xF3 in windows-1252.
        let decoded = decode_ok(b"text,label\ncanci\xF3n,pos\n");
        assert_eq!(decoded.encoding.label(), "windows-1252");
        assert!(decoded.text.contains("canción"));
        let findings = decoded.findings("f.csv");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "encoding_fallback");
        assert_eq!(findings[0].line, None);
    }

    #[test]
    fn utf16_le_and_be() {
        let text = "text,label\ncanción,pos\n";
        let mut little = UTF16LE_BOM.to_vec();
        let mut big = UTF16BE_BOM.to_vec();
        for unit in text.encode_utf16() {
            little.extend_from_slice(&unit.to_le_bytes());
            big.extend_from_slice(&unit.to_be_bytes());
        }
        let decoded = decode_ok(&little);
        assert_eq!(decoded.encoding.label(), "UTF-16LE");
        assert_eq!(decoded.text, text);
        let decoded = decode_ok(&big);
        assert_eq!(decoded.encoding.label(), "UTF-16BE");
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn empty_and_blank_files() {
        for bytes in [&b""[..], b"  \n\t\r\n", UTF8_BOM, UTF16LE_BOM] {
            assert!(matches!(
                decode("f.csv", bytes),
                Err(FileError::Empty { .. })
            ));
        }
    }

    #[test]
    fn spanish_excel_export_in_windows_1252() {
        // "Canción;Opinión" and "¿Qué tal? 5€;señal" as Excel writes them with "CSV (delimitado por
        // comas)" on a Spanish Windows: windows-1252, CRLF, no BOM.
        let decoded = decode_ok(b"Canci\xF3n;Opini\xF3n\r\n\xBFQu\xE9 tal? 5\x80;se\xF1al\r\n");
        assert_eq!(decoded.encoding.label(), "windows-1252");
        assert_eq!(decoded.text, "Canción;Opinión\r\n¿Qué tal? 5€;señal\r\n");
        assert!(!decoded.had_errors);
    }

    #[test]
    fn latin_1_is_read_as_windows_1252() {
        // ISO-8859-1 and windows-1252 agree on every letter, so Latin-1 files read right.
        let decoded = decode_ok(b"texto,etiqueta\n\xC1rbol peque\xF1o,\xFAtil\n");
        assert_eq!(decoded.encoding.label(), "windows-1252");
        assert_eq!(decoded.text, "texto,etiqueta\nÁrbol pequeño,útil\n");
        assert_eq!(decoded.findings("f.csv")[0].code, "encoding_fallback");
    }

    #[test]
    fn utf16_be_with_bom_and_invalid_units() {
        let mut bytes = UTF16BE_BOM.to_vec();
        for unit in "texto;etiqueta\nadiós;despedida\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        let decoded = decode_ok(&bytes);
        assert_eq!(decoded.encoding, TextEncoding::Utf16Be);
        assert!(decoded.text.contains("adiós"));
        assert!(decoded.findings("f.csv").is_empty());
        // A lone surrogate becomes U+FFFD with a warning, not an error.
        bytes.extend_from_slice(&[0xD8, 0x00, 0x00, 0x61]);
        let decoded = decode_ok(&bytes);
        assert!(decoded.had_errors);
        assert_eq!(decoded.findings("f.csv")[0].code, "invalid_characters");
    }

    #[test]
    fn nul_filled_files_are_not_text() {
        for bytes in [&[0_u8; 64][..], b"text,label\n\x00\x00\x00\x00", b"\x00"] {
            let error = decode("f.csv", bytes).unwrap_err();
            assert!(matches!(error, FileError::NotText { .. }));
            assert!(error.to_string().contains("is not a text file"));
            assert!(error.message().es.contains("no es un archivo de texto"));
        }
    }

    #[test]
    fn binary_files_are_not_text() {
        assert!(matches!(
            decode("f.csv", b"PK\x03\x04\x00\x00binary"),
            Err(FileError::NotText { .. })
        ));
        assert!(matches!(
            decode("f.csv", b"\x01\x02\x03\x04abc\x05\x06"),
            Err(FileError::NotText { .. })
        ));
    }
}
