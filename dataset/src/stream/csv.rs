//! Validating a CSV or TSV file in UTF-8 as a stream of chunks, with memory bounded by the
//! findings, a few bytes per row and the record being read: the checks of every record that
//! [`crate::parse()`] makes (header or not, chosen columns, field counts, unclosed quotes,
//! empty texts and labels, prompt/completion problems), exact duplicate rows, label counts
//! and the token estimate, with the same located findings.
//!
//! The records are cut by `csv-core` (the push parser under the `csv` crate), so a quoted
//! field may hold line breaks and cross chunk boundaries. The header and the columns are
//! decided from the head, as the whole-file reader decides them.

use std::hash::BuildHasher;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use foldhash::fast::FixedState;

use crate::finding::{Finding, Message};
use crate::format::Format;
use crate::quality::QualityAccumulator;
use crate::read::csv_reader;
use crate::read::file_error::FileError;
use crate::read::parse_options::ParseOptions;
use crate::read::sniff::{self, Detected};
use crate::read::table::{Origin, Record, Table};
use crate::stream::tally::{HEAD_BYTES, NotStreamable, StreamReport, Tally, head_text};

/// A record longer than this (its fields' bytes) is taken for a quote that is never closed:
/// its fields are dropped as they come, so memory stays bounded whatever follows.
const MAX_RECORD_BYTES: usize = 4 << 20;

/// Validates a CSV/TSV file given in chunks of any size. See the module documentation.
#[derive(Debug)]
pub struct CsvStreamValidator {
    file: String,
    delimiter: char,
    encoding: &'static str,
    max_findings: usize,
    reader: Reader,
    table: Table,
    /// Bytes still to drop at the start of the file (a UTF-8 byte order mark).
    skip: usize,
    /// The first non-blank record was read by [`Table::start`] from the head.
    first_read: bool,
    /// `\n` bytes read so far.
    newlines: usize,
    /// Whether the next byte starts a record (line breaks before it are skipped here).
    at_record_start: bool,
    /// 1-based line where the record being read starts.
    record_line: usize,
    /// The record's fields so far, and where each ends.
    output: Vec<u8>,
    output_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// The record's bytes as read from earlier chunks (to tell an unclosed quote at the end).
    raw: Vec<u8>,
    /// The record grew past [`MAX_RECORD_BYTES`]: its fields are dropped until it ends.
    overlong: bool,
    /// Whether the last byte read was a `\n` (or nothing was read).
    ended_with_newline: bool,
    tally: Tally,
    /// The quality passes, when asked for: the valid rows go through them in file order.
    quality: Option<Box<QualityAccumulator>>,
}

impl CsvStreamValidator {
    /// Prepares to validate `file_name` from `head`, its first bytes (about [`HEAD_BYTES`];
    /// the whole file when shorter): the delimiter, the header and the columns are decided
    /// here. Give the whole file to [`push`](Self::push) afterwards, head included.
    pub fn new(
        file_name: &str,
        head: &[u8],
        options: &ParseOptions,
    ) -> Result<Self, NotStreamable> {
        let (encoding, text) = head_text(file_name, head)?;
        let delimiter = match sniff::detect(file_name, text) {
            Detected::Csv { delimiter } => delimiter,
            Detected::Jsonl | Detected::JsonArray => return Err(NotStreamable::Other("JSON")),
        };
        let Ok(delimiter_byte) = u8::try_from(delimiter) else {
            return Err(NotStreamable::Other("an unusual delimiter"));
        };
        let mut records = csv_reader::records(text, delimiter_byte);
        // The head's last record may be cut short: leave it out unless the head is the file.
        if head.len() >= HEAD_BYTES && records.len() > 1 {
            records.pop();
        }
        let Some((first, rest)) = records.split_first() else {
            return Err(NotStreamable::File(FileError::Empty {
                file: file_name.to_owned(),
            }));
        };
        let table = Table::start(file_name, Origin::Text, first, rest, options)
            .map_err(NotStreamable::File)?;
        Ok(Self {
            file: file_name.to_owned(),
            delimiter,
            encoding,
            max_findings: usize::MAX,
            reader: ReaderBuilder::new().delimiter(delimiter_byte).build(),
            table,
            skip: if encoding == "UTF-8" { 0 } else { 3 },
            first_read: false,
            newlines: 0,
            at_record_start: true,
            record_line: 1,
            output: vec![0; 64 << 10],
            output_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            raw: Vec::new(),
            overlong: false,
            ended_with_newline: true,
            tally: Tally::default(),
            quality: None,
        })
    }

    /// Keeps at most `limit` findings (they are all still counted).
    #[must_use]
    pub fn with_max_findings(mut self, limit: usize) -> Self {
        self.max_findings = limit;
        self
    }

    /// Also runs the quality passes of [`crate::quality_findings`] when `quality` is set: the
    /// report then has the same quality findings as [`crate::parse()`] (exact duplicates
    /// included, found by content as there). Memory then grows by the digests the
    /// [`QualityAccumulator`] keeps per row.
    #[must_use]
    pub fn with_quality(mut self, quality: bool) -> Self {
        self.quality =
            quality.then(|| Box::new(QualityAccumulator::new(&self.file, &self.table.schema())));
        self
    }

    /// Validates the records that end in `chunk` (after what was pushed before) and keeps
    /// the one still open for the next call.
    pub fn push(&mut self, chunk: &[u8]) {
        self.tally.bytes += chunk.len() as u64;
        let dropped = self.skip.min(chunk.len());
        self.skip -= dropped;
        let chunk = &chunk[dropped..];
        if let Some(&last) = chunk.last() {
            self.ended_with_newline = last == b'\n';
        }
        let mut position = 0;
        // Where the record being read starts in this chunk (0 when it began in an earlier one).
        let mut record_start = 0;
        while position < chunk.len() {
            if self.at_record_start {
                let breaks = chunk[position..]
                    .iter()
                    .take_while(|byte| matches!(byte, b'\r' | b'\n'))
                    .count();
                self.count_newlines(&chunk[position..position + breaks]);
                position += breaks;
                if position == chunk.len() {
                    break;
                }
                self.at_record_start = false;
                self.record_line = self.newlines + 1;
                record_start = position;
            }
            let input = &chunk[position..];
            let (result, read) = self.read(input);
            self.count_newlines(&input[..read]);
            position += read;
            if result == ReadRecordResult::Record {
                self.end_record(false);
            }
        }
        if !self.at_record_start {
            self.raw.extend_from_slice(&chunk[record_start..]);
            if self.raw.len() > MAX_RECORD_BYTES {
                // Only its start matters, to tell an unclosed quote from a long record.
                self.raw.truncate(MAX_RECORD_BYTES);
            }
        }
        self.drain();
    }

    /// Validates the last record and adds the findings about the whole file.
    pub fn finish(mut self) -> StreamReport {
        if !self.at_record_start {
            let unclosed = self.overlong
                || sniff::unclosed_quote_line(&String::from_utf8_lossy(&self.raw), self.delimiter)
                    .is_some();
            loop {
                let (result, _) = self.read(&[]);
                match result {
                    ReadRecordResult::Record => {
                        self.end_record(unclosed);
                        break;
                    }
                    ReadRecordResult::End => break,
                    _ => {}
                }
            }
        }
        self.tally.lines = self.newlines + usize::from(!self.ended_with_newline);
        self.drain();
        let example = self.tally.example_label();
        for finding in self.table.take_missing_labels(&example) {
            self.tally.add(finding, self.max_findings);
        }
        if let Some(quality) = self.quality.take() {
            self.tally.add_all(quality.finish());
        }
        let schema = self.table.schema();
        self.tally.report(
            self.file,
            Format::Csv {
                delimiter: self.delimiter,
            },
            schema,
            self.encoding,
            self.max_findings,
        )
    }

    /// Reads from `input` until it is used up or a record ends, growing the buffers as the
    /// record needs (or dropping its fields once it is overlong). Returns the parser's
    /// result and the bytes read.
    fn read(&mut self, input: &[u8]) -> (ReadRecordResult, usize) {
        let mut read = 0;
        loop {
            let (result, input_used, output_used, ends_used) = self.reader.read_record(
                &input[read..],
                &mut self.output[self.output_len..],
                &mut self.ends[self.ends_len..],
            );
            read += input_used;
            self.output_len += output_used;
            self.ends_len += ends_used;
            match result {
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull
                    if self.overlong || self.output_len >= MAX_RECORD_BYTES =>
                {
                    self.overlong = true;
                    self.output_len = 0;
                    self.ends_len = 0;
                }
                ReadRecordResult::OutputFull => {
                    let size = self.output.len() * 2;
                    self.output.resize(size, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let size = self.ends.len() * 2;
                    self.ends.resize(size, 0);
                }
                other => return (other, read),
            }
        }
    }

    /// A record has ended: validate it (as an unclosed quote when `unclosed`).
    fn end_record(&mut self, unclosed: bool) {
        let line = self.record_line;
        let unclosed = unclosed || self.overlong;
        let fields = &self.output[..self.output_len];
        let mut values = Vec::with_capacity(self.ends_len);
        let mut not_utf8 = None;
        let mut start = 0;
        for (index, &end) in self.ends[..self.ends_len].iter().enumerate() {
            let bytes = fields.get(start..end).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => values.push(text.to_owned()),
                Err(_) => {
                    not_utf8.get_or_insert(index);
                    values.push(String::from_utf8_lossy(bytes).into_owned());
                }
            }
            start = end;
        }
        self.at_record_start = true;
        self.output_len = 0;
        self.ends_len = 0;
        self.overlong = false;
        self.raw.clear();
        if Record::is_blank(&values) && !unclosed {
            return;
        }
        if !self.first_read {
            // The header (or first row), already read from the head by `Table::start`.
            self.first_read = true;
            return;
        }
        let record = Record { line, values };
        match not_utf8 {
            Some(index) if !unclosed && record.values.len() == self.table.width() => {
                let finding = invalid_utf8_field(&self.file, line, &self.column_name(index));
                self.table.reject(finding);
            }
            _ => csv_reader::add_record(&mut self.table, &record, self.delimiter, unclosed),
        }
    }

    /// The header's name of column `index` (its position when it has none).
    fn column_name(&self, index: usize) -> String {
        self.table
            .header_name(index)
            .map_or_else(|| (index + 1).to_string(), str::to_owned)
    }

    /// Moves the rows and findings the table made into the tally.
    fn drain(&mut self) {
        let (rows, findings) = self.table.drain();
        for finding in findings {
            self.tally.add(finding, self.max_findings);
        }
        for row in &rows {
            self.tally.content(&row.content);
            if self.quality.is_some() {
                self.tally.count_row();
            } else {
                let hash = FixedState::with_seed(0x5EED).hash_one(&row.content);
                self.tally.valid_row(row.line, hash, self.max_findings);
            }
        }
        if let Some(quality) = &mut self.quality {
            quality.push(&rows);
        }
    }

    fn count_newlines(&mut self, bytes: &[u8]) {
        self.newlines += memchr::memchr_iter(b'\n', bytes).count();
    }
}

/// A field that is not valid UTF-8 in a file whose head is.
fn invalid_utf8_field(file: &str, line: usize, column: &str) -> Finding {
    Finding::error(
        file,
        line,
        "invalid_utf8",
        Message::new(
            format!(
                "Line {line}, column \"{column}\": this value is not valid UTF-8 (the rest of the file is). \
                 It was probably pasted from a program that uses another encoding: retype the accented \
                 letters of this value or save the file again as UTF-8."
            ),
            format!(
                "Línea {line}, columna \"{column}\": este valor no es UTF-8 válido (el resto del archivo sí). \
                 Seguramente se pegó desde un programa con otra codificación: vuelve a escribir las letras \
                 con tilde de este valor o guarda el archivo otra vez como UTF-8."
            ),
        ),
    )
    .with_field(column.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality;
    use crate::test_support::{XorShift, stream, whole};

    const REVIEWS: &str = concat!(
        "texto,etiqueta\n",
        "Me encantó,positivo\n",
        "\"Lento, frío\",negativo\n",
        "\n",
        "\"Dijo \"\"vuelvo\"\"\nen dos líneas\",positivo\r\n",
        "Normal,\n",
        ",neutral\n",
        "uno,dos,tres\n",
        "solo\n",
        "Me encantó,positivo\n",
        "   ,   \n",
        "Bien,positivo",
    );

    const HEADERLESS: &str =
        "Me gustó mucho,positivo\nNo me gustó nada,negativo\nMe gustó mucho,positivo\n";

    const PROMPTS: &str = "prompt;completion\n2+2;4\n3+3;\n;x\n";

    const UNCLOSED: &str = "text\tlabel\nhola\tsaludo\n\"sin cerrar\tx\nmás\ty\n";

    /// The full reader's findings that the stream also gives: its own and exact duplicates.
    fn streamed_findings(file: &str, bytes: &[u8]) -> Vec<Finding> {
        crate::parse(file, bytes)
            .unwrap()
            .findings
            .into_iter()
            .filter(|finding| {
                !quality::is_quality_code(&finding.code) || finding.code == "duplicate_row"
            })
            .collect()
    }

    #[test]
    fn same_findings_and_rows_as_the_full_reader() {
        for (file, text) in [
            ("reviews.csv", REVIEWS),
            ("headerless.csv", HEADERLESS),
            ("prompts.csv", PROMPTS),
            ("unclosed.tsv", UNCLOSED),
        ] {
            let report = whole(file, text.as_bytes());
            let dataset = crate::parse(file, text.as_bytes()).unwrap();
            assert_eq!(
                report.findings,
                streamed_findings(file, text.as_bytes()),
                "{file}"
            );
            assert_eq!(report.rows, dataset.rows.len(), "{file}");
            assert_eq!(report.schema, dataset.schema, "{file}");
            assert_eq!(report.format, dataset.format, "{file}");
            assert_eq!(report.encoding, dataset.encoding, "{file}");
        }
    }

    #[test]
    fn counts_labels_lines_and_locates() {
        let report = whole("reviews.csv", REVIEWS.as_bytes());
        assert_eq!(report.lines, 13);
        assert_eq!(report.bytes, REVIEWS.len() as u64);
        assert_eq!(report.rows, 5);
        assert_eq!(report.labels.get("positivo"), Some(&4));
        let lines = |code: &str| -> Vec<usize> {
            report
                .findings
                .iter()
                .filter(|finding| finding.code == code)
                .filter_map(|finding| finding.line)
                .collect()
        };
        assert_eq!(lines("missing_label"), [7]);
        assert_eq!(lines("empty_text"), [8]);
        assert_eq!(lines("ragged_row"), [9, 10]);
        assert_eq!(lines("duplicate_row"), [11]);
        assert_eq!(report.errors + report.warnings, report.findings.len());
        assert_eq!(report.tokens[0].examples, 5);
        let unclosed = whole("unclosed.tsv", UNCLOSED.as_bytes());
        assert_eq!(unclosed.codes.get("unclosed_quote"), Some(&1));
        assert_eq!(unclosed.rows, 1);
    }

    #[test]
    fn any_chunking_gives_the_same_report() {
        let mut text = String::from("\u{feff}");
        text.push_str(REVIEWS);
        let bytes = text.as_bytes();
        let reference = whole("reviews.csv", bytes);
        assert_eq!(reference.encoding, "UTF-8 (BOM)");
        assert_eq!(reference.rows, 5);
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..300 {
            let max = 1 + rng.below(40);
            let report = stream("reviews.csv", bytes, &mut || 1 + rng.below(max));
            assert_eq!(report, reference);
        }
    }

    #[test]
    fn a_value_that_is_not_utf8_is_located_by_column() {
        let bytes = b"text,label\nhola,saludo\ncaf\xe9,bebida\n";
        // The head (here its first two lines) is UTF-8; a later value is not.
        let mut validator =
            CsvStreamValidator::new("bad.csv", &bytes[..23], &ParseOptions::default()).unwrap();
        validator.push(bytes);
        let report = validator.finish();
        assert_eq!(report.rows, 1);
        let finding = &report.findings[0];
        assert_eq!(finding.code, "invalid_utf8");
        assert_eq!(finding.line, Some(3));
        assert_eq!(finding.field.as_deref(), Some("text"));
    }

    #[test]
    fn a_quote_that_never_closes_keeps_memory_bounded() {
        let mut bytes = b"text,label\nhola,saludo\n\"abre y no cierra,x\n".to_vec();
        let line = b"una linea mas del archivo, con texto\n";
        while bytes.len() < 3 * MAX_RECORD_BYTES {
            bytes.extend_from_slice(line);
        }
        let mut validator =
            CsvStreamValidator::new("big.csv", &bytes[..HEAD_BYTES], &ParseOptions::default())
                .unwrap();
        for chunk in bytes.chunks(1 << 16) {
            validator.push(chunk);
        }
        assert!(validator.output.len() <= 2 * MAX_RECORD_BYTES);
        assert!(validator.raw.len() <= MAX_RECORD_BYTES);
        let report = validator.finish();
        assert_eq!(report.rows, 1);
        let unclosed: Vec<_> = report
            .findings
            .iter()
            .filter(|finding| finding.code == "unclosed_quote")
            .collect();
        assert_eq!(unclosed.len(), 1);
        assert_eq!(unclosed[0].line, Some(3));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0xA5A5_5A5A_1234_5678);
        let pieces: [&[u8]; 9] = [b",", b";", b"\t", b"\"", b"\n", b"\r", b"\xc3", b"ab", b" "];
        for _ in 0..3000 {
            let mut bytes = b"text,label\n".to_vec();
            for _ in 0..rng.below(40) {
                if rng.below(4) == 0 {
                    bytes.push(rng.next() as u8);
                } else {
                    bytes.extend_from_slice(pieces[rng.below(pieces.len())]);
                }
            }
            if let Ok(mut validator) =
                CsvStreamValidator::new("r.csv", &bytes, &ParseOptions::default())
            {
                for chunk in bytes.chunks(1 + rng.below(7)) {
                    validator.push(chunk);
                }
                let report = validator.finish();
                assert_eq!(report.bytes, bytes.len() as u64);
            }
        }
    }
}
