//! Recognising binary office files (Excel workbooks, Word documents, ZIP archives, old OLE
//! files) by their first bytes and the names of their ZIP entries, before any text decoding.

use serde::{Deserialize, Serialize};

/// The first bytes of a ZIP archive with at least one entry (`PK\x03\x04`).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of an empty ZIP archive (`PK\x05\x06`).
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
/// The first bytes of an OLE compound file: `.xls`, `.doc` and password-protected Office files.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A kind of binary document that is not a dataset this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// An old Excel `.xls` workbook, or any Office file saved with a password (both are OLE
    /// compound files).
    OldExcel,
    /// An Excel binary workbook (`.xlsb`).
    ExcelBinary,
    /// A Word document (`.docx`).
    Word,
    /// A PowerPoint presentation (`.pptx`).
    PowerPoint,
    /// An OpenDocument file (`.ods`, `.odt`, …), as LibreOffice saves them.
    OpenDocument,
    /// Any other ZIP archive.
    Zip,
}

/// What the first bytes of a file say it is, when it is not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// An Excel workbook (`.xlsx` or `.xlsm`) to read with `read::xlsx_reader`.
    Xlsx,
    /// Another binary document, which is a whole-file error.
    Other(DocumentKind),
}

/// Recognises ZIP and OLE files; `None` means the bytes should be decoded as text.
///
/// A ZIP file is an Excel workbook when it has an `xl/workbook.xml` entry, or when it is
/// named `.xlsx`/`.xlsm` and nothing says it is something else (so a damaged workbook is
/// reported as a damaged workbook rather than as some ZIP file).
pub(crate) fn detect(file_name: &str, bytes: &[u8]) -> Option<Container> {
    if bytes.starts_with(OLE_MAGIC) {
        return Some(Container::Other(DocumentKind::OldExcel));
    }
    if !(bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC)) {
        return None;
    }
    // Entry names are stored uncompressed in every local header and in the central directory.
    let has = |name: &[u8]| bytes.windows(name.len()).any(|window| window == name);
    let container = if has(b"xl/workbook.xml") {
        Container::Xlsx
    } else if has(b"xl/workbook.bin") {
        Container::Other(DocumentKind::ExcelBinary)
    } else if has(b"word/") {
        Container::Other(DocumentKind::Word)
    } else if has(b"ppt/") {
        Container::Other(DocumentKind::PowerPoint)
    } else if has(b"mimetypeapplication/vnd.oasis.opendocument") {
        Container::Other(DocumentKind::OpenDocument)
    } else if has_workbook_extension(file_name) {
        Container::Xlsx
    } else {
        Container::Other(DocumentKind::Zip)
    };
    Some(container)
}

/// Whether the file is named like an Excel workbook (`.xlsx` or `.xlsm`).
fn has_workbook_extension(file_name: &str) -> bool {
    file_name
        .rsplit_once('.')
        .is_some_and(|(_, extension)| matches!(extension.to_lowercase().as_str(), "xlsx" | "xlsm"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a ZIP local file header for an entry called `name` (enough for detection).
    fn zip_with_entry(name: &str) -> Vec<u8> {
        let mut bytes = ZIP_MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 22]);
        bytes.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(name.as_bytes());
        bytes
    }

    #[test]
    fn text_is_not_a_container() {
        assert_eq!(detect("a.csv", b"text,label\n"), None);
        assert_eq!(detect("a.xlsx", b"text,label\n"), None);
        assert_eq!(detect("a.csv", b"PK"), None);
    }

    #[test]
    fn recognises_office_files_by_entry_names() {
        let cases = [
            ("xl/workbook.xml", Container::Xlsx),
            (
                "xl/workbook.bin",
                Container::Other(DocumentKind::ExcelBinary),
            ),
            ("word/document.xml", Container::Other(DocumentKind::Word)),
            (
                "ppt/presentation.xml",
                Container::Other(DocumentKind::PowerPoint),
            ),
            ("notas.txt", Container::Other(DocumentKind::Zip)),
        ];
        for (entry, expected) in cases {
            assert_eq!(detect("datos.csv", &zip_with_entry(entry)), Some(expected));
        }
        let mut ods = zip_with_entry("mimetype");
        ods.extend_from_slice(b"application/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(
            detect("a.ods", &ods),
            Some(Container::Other(DocumentKind::OpenDocument))
        );
    }

    #[test]
    fn a_zip_named_xlsx_is_read_as_a_workbook() {
        let bytes = zip_with_entry("[Content_Types].xml");
        assert_eq!(detect("Libro.XLSX", &bytes), Some(Container::Xlsx));
        assert_eq!(
            detect("libro.zip", &bytes),
            Some(Container::Other(DocumentKind::Zip))
        );
    }

    #[test]
    fn ole_files_are_old_excel() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 100]);
        assert_eq!(
            detect("a.xls", &bytes),
            Some(Container::Other(DocumentKind::OldExcel))
        );
    }
}
