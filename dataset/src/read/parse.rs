//! The entry points: bytes of a dataset file in, a [`Dataset`] with located findings out
//! (and, for Excel workbooks, the list of their sheets).

use crate::dataset::Dataset;
use crate::finding::Finding;
use crate::read::container::{self, Container};
use crate::read::parse_options::ParseOptions;
use crate::read::parsed::Parsed;
use crate::read::sniff::Detected;
use crate::read::{csv_reader, decode, jsonl_reader, sniff, xlsx_reader};

pub use crate::read::file_error::FileError;

/// The encoding reported for Excel workbooks, whose text is always Unicode.
const XLSX_ENCODING: &str = "XLSX";

/// Decodes, detects the format of, parses and validates a dataset file.
///
/// Row problems become [`Finding`]s in the returned dataset (the bad rows are left out);
/// only problems with the whole file are a [`FileError`]. The quality warnings of
/// [`crate::quality::quality_findings`] are added after the parse findings (see
/// [`Dataset::refresh_quality_findings`]). Never panics, whatever the bytes.
///
/// Excel workbooks (`.xlsx`) are recognised by content and read from their first visible
/// sheet (see [`parse_xlsx`] to choose another); Word files, other ZIP archives and old
/// `.xls` files are a [`FileError::OtherDocument`].
///
/// The same as [`parse_with`] with the default [`ParseOptions`].
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<Dataset, FileError> {
    parse_with(file_name, bytes, &ParseOptions::default())
}

/// [`parse()`], reading the file as `options` say: which columns hold the text and the label
/// (in CSV/TSV, JSONL and the first visible sheet of a workbook), and whether a JSON list or
/// multi-line JSON is read as JSON Lines. Never panics.
pub fn parse_with(
    file_name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Dataset, FileError> {
    parse_with_progress(file_name, bytes, None, options, &mut |_| {})
}

/// Share of the work of [`parse_with_progress`] done when the rows are read (the quality
/// passes take the rest; measured on a 40 MB CSV).
const READ_SHARE: f64 = 0.07;

/// [`parse_with`] (or [`parse_xlsx`] when `sheet` names a sheet), telling `progress` the share
/// of the work done, from 0 to 1, every thousand rows or so: a 30 MB file takes seconds.
pub fn parse_with_progress(
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: &ParseOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<Dataset, FileError> {
    let container = container::detect(file_name, bytes);
    if let Some(Container::Other(kind)) = container {
        return Err(FileError::OtherDocument {
            file: file_name.to_owned(),
            kind,
        });
    }
    // A sheet named for bytes that are not a workbook: the workbook reader calls them damaged.
    if sheet.is_some() || matches!(container, Some(Container::Xlsx)) {
        let parsed = xlsx_reader::read(file_name, bytes, sheet, options)?;
        progress(READ_SHARE);
        return Ok(dataset(
            file_name,
            XLSX_ENCODING,
            Vec::new(),
            parsed,
            progress,
        ));
    }
    let decoded = decode::decode(file_name, bytes)?;
    let findings = decoded.findings(file_name);
    let parsed = match sniff::detect(file_name, &decoded.text) {
        Detected::JsonArray => jsonl_reader::read_json_list(file_name, &decoded.text, options)?,
        Detected::Jsonl => jsonl_reader::read(file_name, &decoded.text, options)?,
        Detected::Csv { delimiter } => {
            csv_reader::read(file_name, &decoded.text, delimiter, options)?
        }
    };
    progress(READ_SHARE);
    Ok(dataset(
        file_name,
        decoded.encoding.label(),
        findings,
        parsed,
        progress,
    ))
}

/// Reads one sheet of an Excel workbook (`.xlsx`) as a table with a header row, like a CSV
/// file: the first visible sheet when `sheet` is `None`, with its columns chosen as `options`
/// say ([`ParseOptions::convert_json`] does not apply).
///
/// Row numbers in the rows and findings are the sheet's (the header is usually row 1), and
/// findings name the cell (for example `B7`) as their field. Numbers, booleans and dates
/// become the text the sheet shows (`3`, not `3.0`). The encoding is reported as `XLSX`.
/// Bytes that are not a workbook are a [`FileError`], never a panic.
pub fn parse_xlsx(
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: &ParseOptions,
) -> Result<Dataset, FileError> {
    check_workbook(file_name, bytes)?;
    let parsed = xlsx_reader::read(file_name, bytes, sheet, options)?;
    Ok(dataset(
        file_name,
        XLSX_ENCODING,
        Vec::new(),
        parsed,
        &mut |_| {},
    ))
}

/// The names of the worksheets of an Excel workbook (`.xlsx`), in the order of its tabs, to
/// choose one for [`parse_xlsx`].
pub fn sheet_names(file_name: &str, bytes: &[u8]) -> Result<Vec<String>, FileError> {
    check_workbook(file_name, bytes)?;
    xlsx_reader::sheet_names(file_name, bytes)
}

/// Refuses bytes that are another kind of document; text goes on to the workbook reader,
/// which calls it damaged.
fn check_workbook(file_name: &str, bytes: &[u8]) -> Result<(), FileError> {
    match container::detect(file_name, bytes) {
        Some(Container::Other(kind)) => Err(FileError::OtherDocument {
            file: file_name.to_owned(),
            kind,
        }),
        Some(Container::Xlsx) | None => Ok(()),
    }
}

/// The dataset for what a reader gave, after the file-level `findings`, with its quality
/// warnings.
/// The dataset of `parsed`, its quality findings computed (`progress` told the share of the
/// whole work done, from [`READ_SHARE`] to 1).
fn dataset(
    file_name: &str,
    encoding: &str,
    mut findings: Vec<Finding>,
    parsed: Parsed,
    progress: &mut dyn FnMut(f64),
) -> Dataset {
    findings.extend(parsed.findings);
    // Stable: file-level findings (no line) first, then by line in file order.
    findings.sort_by_key(|finding| finding.line);
    let mut dataset = Dataset {
        file_name: file_name.to_owned(),
        format: parsed.format,
        schema: parsed.schema,
        encoding: encoding.to_owned(),
        rows: parsed.rows,
        findings,
    };
    dataset.refresh_quality_findings_reporting(&mut |done| {
        progress(READ_SHARE + (1.0 - READ_SHARE) * done);
    });
    progress(1.0);
    dataset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::format::{Format, Schema};
    use crate::test_support::{XorShift, random_file_bytes};

    #[test]
    fn progress_rises_to_one_and_changes_nothing() {
        let mut text = String::from("text,label\n");
        for index in 0..5_000 {
            text.push_str(&format!(
                "reseña número {index} del restaurante,{}\n",
                index % 3
            ));
        }
        let mut seen = Vec::new();
        let dataset = parse_with_progress(
            "big.csv",
            text.as_bytes(),
            None,
            &ParseOptions::default(),
            &mut |done| seen.push(done),
        )
        .unwrap();
        assert_eq!(dataset, parse("big.csv", text.as_bytes()).unwrap());
        assert!(seen.len() > 8, "told often: {}", seen.len());
        assert!(seen.windows(2).all(|pair| pair[0] <= pair[1]), "{seen:?}");
        assert!(seen[0] >= 0.0);
        assert_eq!(seen.last(), Some(&1.0));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let names = ["f.csv", "f.jsonl", "f.tsv", "f", "f.json", ".txt"];
        for case in 0..20_000 {
            let bytes = random_file_bytes(&mut rng);
            let name = names[case % names.len()];
            if let Ok(dataset) = parse(name, &bytes) {
                for finding in &dataset.findings {
                    assert_eq!(finding.file, name);
                    assert!(!finding.message.en.is_empty() && !finding.message.es.is_empty());
                    if finding.severity == Severity::Error {
                        assert!(finding.line.is_some(), "error without line: {finding:?}");
                    }
                }
                for row in &dataset.rows {
                    assert!(row.line >= 1);
                }
                let _ = dataset.label_counts();
            }
        }
    }

    #[test]
    fn csv_end_to_end() {
        let dataset = parse(
            "opiniones.csv",
            "texto;etiqueta\nMe encanta;positivo\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(dataset.format, Format::Csv { delimiter: ';' });
        assert_eq!(dataset.encoding, "UTF-8");
        assert_eq!(dataset.rows.len(), 1);
        assert_eq!(dataset.error_count(), 0);
    }

    #[test]
    fn windows_1252_file_parses_with_a_warning() {
        let dataset = parse("a.csv", b"text,label\ncanci\xF3n bonita,pos\n").unwrap();
        assert_eq!(dataset.encoding, "windows-1252");
        assert_eq!(dataset.findings[0].code, "encoding_fallback");
        assert_eq!(dataset.examples()[0].text, "canción bonita");
    }

    #[test]
    fn bom_file_keeps_first_column_name() {
        let dataset = parse("a.csv", b"\xEF\xBB\xBFtext,label\nhola,saludo\n").unwrap();
        assert_eq!(dataset.encoding, "UTF-8 (BOM)");
        let codes: Vec<&str> = dataset
            .findings
            .iter()
            .map(|finding| finding.code.as_str())
            .collect();
        assert_eq!(codes, ["too_few_rows"]);
        assert_eq!(
            dataset.schema,
            Schema::TextLabel {
                text_column: "text".into(),
                label_column: "label".into()
            }
        );
    }

    #[test]
    fn utf16_le_file_parses() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "text\tlabel\ncanción\tpos\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let dataset = parse("a.tsv", &bytes).unwrap();
        assert_eq!(dataset.encoding, "UTF-16LE");
        assert_eq!(dataset.format, Format::Csv { delimiter: '\t' });
        assert_eq!(dataset.examples()[0].text, "canción");
    }

    #[test]
    fn every_text_file_reports_its_encoding() {
        let spanish_excel = b"Canci\xF3n;Opini\xF3n\r\nLa canci\xF3n me encant\xF3;positiva\r\n\
                              No me gust\xF3 nada;negativa\r\nUna canci\xF3n m\xE1s;positiva\r\n";
        let dataset = parse("canciones.csv", spanish_excel).unwrap();
        assert_eq!(dataset.encoding, "windows-1252");
        assert_eq!(dataset.format, Format::Csv { delimiter: ';' });
        assert_eq!(
            dataset.schema,
            Schema::TextLabel {
                text_column: "Canción".into(),
                label_column: "Opinión".into()
            }
        );
        assert_eq!(dataset.examples()[0].text, "La canción me encantó");
        let codes: Vec<&str> = dataset
            .findings
            .iter()
            .map(|finding| finding.code.as_str())
            .collect();
        assert!(codes.contains(&"encoding_fallback") && codes.contains(&"columns_guessed"));

        let mut utf16_be = vec![0xFE, 0xFF];
        for unit in "texto;etiqueta\nadiós;despedida\n".encode_utf16() {
            utf16_be.extend_from_slice(&unit.to_be_bytes());
        }
        let dataset = parse("a.csv", &utf16_be).unwrap();
        assert_eq!(dataset.encoding, "UTF-16BE");
        assert_eq!(dataset.examples()[0].text, "adiós");

        let latin_1 = b"texto,etiqueta\n\xC1rbol peque\xF1o,\xFAtil\n";
        let dataset = parse("a.csv", latin_1).unwrap();
        assert_eq!(dataset.encoding, "windows-1252");
        assert_eq!(dataset.examples()[0].label, "útil");

        assert!(matches!(
            parse("a.csv", &[0; 512]),
            Err(FileError::NotText { .. })
        ));
        assert!(matches!(parse("a.csv", b""), Err(FileError::Empty { .. })));
        assert!(matches!(parse("a.xlsx", b""), Err(FileError::Empty { .. })));
    }

    #[test]
    fn whole_file_errors() {
        assert!(matches!(parse("a.csv", b""), Err(FileError::Empty { .. })));
        assert!(matches!(
            parse("a.csv", b"text,label\x00\x01\x02"),
            Err(FileError::NotText { .. })
        ));
        let error = parse("a.json", b"  [{\"text\": \"a\", \"label\": \"b\"}]").unwrap_err();
        assert!(matches!(error, FileError::JsonArray { .. }));
        assert!(error.to_string().contains("a.json"));
        assert!(error.message().es.contains("JSONL"));
    }

    #[test]
    fn quality_warnings_follow_parse_findings_and_do_not_count_as_errors() {
        let csv = "text,label\nhola,a\n,b\nhola,a\n";
        let dataset = parse("a.csv", csv.as_bytes()).unwrap();
        let found: Vec<(Option<usize>, &str)> = dataset
            .findings
            .iter()
            .map(|finding| (finding.line, finding.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (None, "too_few_rows"),
                (None, "low_diversity"),
                (Some(3), "empty_text"),
                (Some(4), "duplicate_row"),
            ]
        );
        assert_eq!(dataset.error_count(), 1);
        assert_eq!(dataset.warning_count(), 3);
    }
}
