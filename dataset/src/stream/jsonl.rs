//! Validating a JSON Lines file as a stream of chunks: the format checks of every line (the
//! same located findings as [`crate::parse()`]), blank lines, exact duplicate lines, label
//! counts and the token estimate, with memory bounded by the findings and a few bytes per line.
//!
//! Chat lines take a fast path that borrows strings from the line ([`crate::check::chat_fast`]);
//! lines it turns down, and the lines of other layouts, are read into `serde_json::Value`s
//! by the same code as the full reader, so the findings are the same.

use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use serde_json::Value;

use crate::check::chat_fast;
use crate::check::tokens;
use crate::finding::{Finding, Message};
use crate::format::Format;
use crate::quality::QualityAccumulator;
use crate::read::file_error::FileError;
use crate::read::json_syntax::syntax_error;
use crate::read::jsonl_reader::{self, Layout, LineObject, ObjectOutcome};
use crate::read::parse_options::ParseOptions;
use crate::read::sniff::{self, Detected};
use crate::row::Row;
use crate::stream::tally::{
    HEAD_BYTES, HEAD_LINES, NotStreamable, StreamReport, Tally, UTF8_BOM, head_text,
};

/// Validates a JSON Lines file given in chunks of any size. See the module documentation.
#[derive(Debug, Clone)]
pub struct StreamValidator {
    file: String,
    layout: Layout,
    encoding: &'static str,
    keys_guessed: bool,
    max_findings: usize,
    /// 1-based number of the next complete line.
    next_line: usize,
    /// Whether the next bytes are the start of the file (where a BOM may be).
    at_file_start: bool,
    /// The bytes of a line not yet ended by a newline.
    partial: Vec<u8>,
    tally: Tally,
    /// The quality passes, when asked for (see [`StreamValidator::with_quality`]).
    quality: Option<Box<QualityAccumulator>>,
    /// Valid rows not yet given to the quality passes.
    rows: Vec<Row>,
    /// A fork keeps its rows until [`finish`](Self::finish): its part may come before rows
    /// already given to the passes, which need them in file order.
    holds_rows: bool,
}

impl StreamValidator {
    /// Prepares to validate `file_name`, deciding its layout from `head`, the first bytes of
    /// the file (about [`HEAD_BYTES`]; the whole file when it is shorter). Give the whole
    /// file to [`push`](Self::push) afterwards, head included.
    pub fn new(
        file_name: &str,
        head: &[u8],
        options: &ParseOptions,
    ) -> Result<Self, NotStreamable> {
        let (encoding, text) = head_text(file_name, head)?;
        match sniff::detect(file_name, text) {
            Detected::Jsonl => {}
            Detected::JsonArray => {
                if options.convert_json {
                    return Err(NotStreamable::Other("a JSON list to convert"));
                }
                return Err(NotStreamable::File(FileError::JsonArray {
                    file: file_name.to_owned(),
                }));
            }
            Detected::Csv { .. } => return Err(NotStreamable::Other("CSV or TSV")),
        }
        // The head's last line may be cut short: leave it out unless the head is the file.
        let complete = if head.len() < HEAD_BYTES {
            text
        } else {
            text.rsplit_once('\n').map_or("", |(complete, _)| complete)
        };
        let mut objects: Vec<LineObject> = Vec::new();
        let mut broken = 0_usize;
        for (index, line) in complete
            .split('\n')
            .filter(|line| !line.trim().is_empty())
            .take(HEAD_LINES)
            .enumerate()
        {
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(object)) => objects.push((index + 1, object)),
                Ok(_) => {}
                Err(_) => broken += 1,
            }
        }
        if broken > objects.len() {
            return Err(NotStreamable::Other("JSON written over several lines"));
        }
        let (layout, keys_guessed) = jsonl_reader::choose_layout(file_name, &objects, options)
            .map_err(NotStreamable::File)?;
        Ok(Self {
            file: file_name.to_owned(),
            layout,
            encoding,
            keys_guessed,
            max_findings: usize::MAX,
            next_line: 1,
            at_file_start: true,
            partial: Vec::new(),
            tally: Tally::default(),
            quality: None,
            rows: Vec::new(),
            holds_rows: false,
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
    /// included, found by row content as there instead of by line). Each valid line is read
    /// into a row (chat lines too, which the fast check does not need) for the passes, which
    /// keep digests of it (see [`QualityAccumulator`]). With [`fork`](Self::fork), each fork
    /// keeps its rows until [`finish`](Self::finish), so memory grows with the file: push
    /// one validator in file order to keep it bounded; the validator made by
    /// [`new`](Self::new) must then read the first part of the file, or nothing.
    #[must_use]
    pub fn with_quality(mut self, quality: bool) -> Self {
        let schema = jsonl_reader::schema_of(&self.layout);
        self.quality = quality.then(|| Box::new(QualityAccumulator::new(&self.file, &schema)));
        self
    }

    /// A validator with the same settings and nothing read, for another part of the file
    /// that starts at the start of line `first_line` (1-based), to run in parallel; join the
    /// results with [`merge`](Self::merge).
    pub fn fork(&self, first_line: usize) -> Self {
        let schema = jsonl_reader::schema_of(&self.layout);
        let mut fork = Self {
            file: self.file.clone(),
            layout: self.layout.clone(),
            encoding: self.encoding,
            keys_guessed: self.keys_guessed,
            max_findings: self.max_findings,
            next_line: self.next_line,
            at_file_start: self.at_file_start,
            partial: Vec::new(),
            tally: Tally::default(),
            quality: self
                .quality
                .as_ref()
                .map(|_| Box::new(QualityAccumulator::new(&self.file, &schema))),
            rows: Vec::new(),
            holds_rows: true,
        };
        fork.resume_at(first_line);
        fork
    }

    /// Goes on at the start of line `first_line`, a later line than any read so far: for a
    /// validator that reads several separate parts of a file (each of whole lines).
    pub fn resume_at(&mut self, first_line: usize) {
        self.next_line = first_line;
        self.at_file_start = first_line == 1;
    }

    /// Validates the complete lines of `chunk` (after what was pushed before) and keeps the
    /// rest for the next call.
    pub fn push(&mut self, chunk: &[u8]) {
        self.push_chunk(chunk);
        if !self.holds_rows {
            self.give_rows();
        }
    }

    /// Gives the rows read so far to the quality passes.
    fn give_rows(&mut self) {
        if let Some(quality) = &mut self.quality {
            // Parts joined by `merge` may have come in any order.
            self.rows.sort_by_key(|row| row.line);
            quality.push(&self.rows);
        }
        self.rows.clear();
    }

    fn push_chunk(&mut self, mut chunk: &[u8]) {
        if self.at_file_start && !chunk.is_empty() {
            if self.partial.len() + chunk.len() < UTF8_BOM.len() {
                self.partial.extend_from_slice(chunk);
                return;
            }
            self.at_file_start = false;
            if !self.partial.is_empty() {
                let mut joined = std::mem::take(&mut self.partial);
                joined.extend_from_slice(chunk);
                let start = if joined.starts_with(UTF8_BOM) {
                    UTF8_BOM.len()
                } else {
                    0
                };
                self.tally.bytes += start as u64;
                self.push_lines(&joined[start..]);
                return;
            }
            if let Some(rest) = chunk.strip_prefix(UTF8_BOM) {
                self.tally.bytes += UTF8_BOM.len() as u64;
                chunk = rest;
            }
        }
        self.push_lines(chunk);
    }

    fn push_lines(&mut self, chunk: &[u8]) {
        self.tally.bytes += chunk.len() as u64;
        let mut rest = chunk;
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return;
            };
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&rest[..end]);
            self.line(&line, None);
            rest = &rest[end + 1..];
        }
        let Some(last_end) = memchr::memrchr(b'\n', rest) else {
            self.partial.extend_from_slice(rest);
            return;
        };
        let (complete, tail) = rest.split_at(last_end + 1);
        // One fast UTF-8 check for all the complete lines; a chunk with a bad line falls
        // back to checking line by line, which locates it.
        match simdutf8::basic::from_utf8(complete) {
            Ok(text) => {
                let mut text = text;
                while let Some(end) = memchr::memchr(b'\n', text.as_bytes()) {
                    let (line, after) = text.split_at(end);
                    self.line(line.as_bytes(), Some(line));
                    text = after.get(1..).unwrap_or_default();
                }
            }
            Err(_) => {
                let mut bytes = complete;
                while let Some(end) = memchr::memchr(b'\n', bytes) {
                    self.line(&bytes[..end], None);
                    bytes = &bytes[end + 1..];
                }
            }
        }
        self.partial.extend_from_slice(tail);
    }

    /// Joins the results of a validator that read other lines of the same file (see
    /// [`fork`](Self::fork)), in any order: duplicates across the two are found here, and
    /// only the first findings by line are kept when there are more than the limit.
    #[must_use]
    pub fn merge(mut self, other: Self) -> Self {
        let mut other_tally = other.tally;
        let mut repeats = std::mem::take(&mut self.tally.repeats);
        repeats.append(&mut other_tally.repeats);
        for (hash, line) in other_tally.first_seen.drain() {
            match self.tally.first_seen.entry(hash) {
                Entry::Occupied(mut first) => {
                    let first = first.get_mut();
                    repeats.push(((*first).max(line), hash));
                    *first = (*first).min(line);
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
            }
        }
        let tally = &mut self.tally;
        tally.repeats_left_out += other_tally.repeats_left_out;
        if repeats.len() > self.max_findings {
            repeats.sort_unstable_by_key(|&(line, _)| line);
            tally.repeats_left_out += repeats.len() - self.max_findings;
            repeats.truncate(self.max_findings);
        }
        tally.repeats = repeats;
        tally.bytes += other_tally.bytes;
        tally.lines += other_tally.lines;
        tally.rows += other_tally.rows;
        for (code, count) in other_tally.codes {
            *tally.codes.entry(code).or_insert(0) += count;
        }
        for (label, count) in other_tally.labels {
            *tally.labels.entry(label).or_insert(0) += count;
        }
        tally.severities[0] += other_tally.severities[0];
        tally.severities[1] += other_tally.severities[1];
        tally.tokens.append(&mut other_tally.tokens);
        tally
            .missing_label_lines
            .append(&mut other_tally.missing_label_lines);
        tally.keep_with(std::mem::take(&mut other_tally.findings), self.max_findings);
        if self.partial.is_empty() {
            self.partial = other.partial;
        }
        // The passes that have read rows (the validator of the file's first part) go on.
        if self
            .quality
            .as_ref()
            .is_none_or(|quality| quality.rows() == 0)
        {
            self.quality = other.quality.or(self.quality);
        }
        self.rows.extend(other.rows);
        self.holds_rows |= other.holds_rows;
        self
    }

    /// Validates the last line (when the file does not end with a newline) and adds the
    /// findings about the whole file.
    pub fn finish(mut self) -> StreamReport {
        let last = std::mem::take(&mut self.partial);
        if !last.iter().all(u8::is_ascii_whitespace) {
            self.line(&last, None);
        } else if !last.is_empty() {
            self.tally.lines += 1;
        }
        if self.keys_guessed
            && let Layout::TextLabel {
                text_key,
                label_key,
            } = &self.layout
        {
            let finding = jsonl_reader::keys_guessed(&self.file, text_key, label_key);
            self.add(finding);
        }
        if let Layout::TextLabel { label_key, .. } = self.layout.clone() {
            let example = self.example_label();
            for line in std::mem::take(&mut self.tally.missing_label_lines) {
                let finding = jsonl_reader::missing_label(&self.file, line, &label_key, &example);
                self.add(finding);
            }
        }
        self.give_rows();
        if let Some(quality) = self.quality.take() {
            self.tally.add_all(quality.finish());
        }
        let schema = jsonl_reader::schema_of(&self.layout);
        self.tally.report(
            self.file,
            Format::Jsonl,
            schema,
            self.encoding,
            self.max_findings,
        )
    }

    /// The most common label so far, quoted in the missing-label message.
    fn example_label(&self) -> (String, String) {
        self.tally.example_label()
    }

    fn add(&mut self, finding: Finding) {
        self.tally.add(finding, self.max_findings);
    }

    /// One line without its `\n`; `text` is the same line when it is known to be UTF-8.
    fn line(&mut self, raw: &[u8], text: Option<&str>) {
        let number = self.next_line;
        self.next_line += 1;
        self.tally.lines += 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = text.map(|text| text.strip_suffix('\r').unwrap_or(text));
        if line.iter().all(u8::is_ascii_whitespace) {
            let finding = jsonl_reader::blank_line(&self.file, number);
            self.add(finding);
            return;
        }
        let shape = match (&self.layout, text) {
            (Layout::Chat, Some(text)) => chat_fast::check_str(text),
            (Layout::Chat, None) => chat_fast::check(line),
            _ => None,
        };
        if let Some(shape) = shape {
            self.tally.tokens.push(tokens::conversation_tokens(
                shape.messages,
                shape.content_chars,
                shape.names,
            ));
            self.valid_row(number, line);
            if self.quality.is_some() {
                self.quality_row(number, line, text);
            }
            return;
        }
        self.slow_line(number, line, text);
    }

    /// A line read into a `serde_json::Value` and checked by the full reader's code.
    fn slow_line(&mut self, number: usize, line: &[u8], text: Option<&str>) {
        let checked = match text {
            Some(text) => Ok(text),
            None => std::str::from_utf8(line),
        };
        let text = match checked {
            Ok(text) => text,
            Err(error) => {
                let column = String::from_utf8_lossy(&line[..error.valid_up_to()])
                    .chars()
                    .count()
                    + 1;
                let finding = invalid_utf8(&self.file, number, column);
                self.add(finding);
                return;
            }
        };
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(other) => {
                let finding = jsonl_reader::data_type(&self.file, number, &other);
                self.add(finding);
                return;
            }
            Err(error) => {
                let finding = syntax_error(&self.file, number, text, &error);
                self.add(finding);
                return;
            }
        };
        match jsonl_reader::check_object(&self.file, &self.layout, number, &object) {
            ObjectOutcome::Row(content) => {
                self.tally.content(&content);
                self.valid_row(number, line);
                if self.quality.is_some() {
                    self.rows.push(Row {
                        line: number,
                        content,
                    });
                }
            }
            ObjectOutcome::Problem(finding) => self.add(finding),
            ObjectOutcome::MissingLabel => self.tally.missing_label_lines.push(number),
        }
    }

    /// Counts a valid row and checks it against the rows before it (the quality passes do,
    /// by content, when they run).
    fn valid_row(&mut self, number: usize, line: &[u8]) {
        if self.quality.is_some() {
            self.tally.count_row();
            return;
        }
        let hash = FixedState::with_seed(0x5EED).hash_one(line);
        self.tally.valid_row(number, hash, self.max_findings);
    }

    /// The row of a line the fast chat check accepted, read by the full reader's code for
    /// the quality passes.
    fn quality_row(&mut self, number: usize, line: &[u8], text: Option<&str>) {
        let text = match text {
            Some(text) => text,
            None => match std::str::from_utf8(line) {
                Ok(text) => text,
                Err(_) => return,
            },
        };
        if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text)
            && let ObjectOutcome::Row(content) =
                jsonl_reader::check_object(&self.file, &self.layout, number, &object)
        {
            self.rows.push(Row {
                line: number,
                content,
            });
        }
    }
}

/// A line that is not valid UTF-8 in a file whose head is.
fn invalid_utf8(file: &str, line: usize, column: usize) -> Finding {
    Finding::error(
        file,
        line,
        "invalid_utf8",
        Message::new(
            format!(
                "Line {line}, column {column}: this line is not valid UTF-8 (the rest of the file is). \
                 It was probably pasted from a program that uses another encoding: retype the accented \
                 letters of this line or save the file again as UTF-8."
            ),
            format!(
                "Línea {line}, columna {column}: esta línea no es UTF-8 válido (el resto del archivo sí). \
                 Seguramente se pegó desde un programa con otra codificación: vuelve a escribir las letras \
                 con tilde de esta línea o guarda el archivo otra vez como UTF-8."
            ),
        ),
    )
    .with_column(column)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Severity;
    use crate::check::tokens::MODELS;
    use crate::quality;
    use crate::test_support::{XorShift, stream, whole};

    pub(crate) const CHAT: &str = concat!(
        "{\"messages\": [{\"role\": \"system\", \"content\": \"Sé breve.\"}, {\"role\": \"user\", \"content\": \"¿Envío?\"}, {\"role\": \"assistant\", \"content\": \"Llega mañana.\"}]}\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hola\"}, {\"role\": \"assistant\", \"content\": \"¡Hola!\"}]}\r\n",
        "\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hola\"}]}\n",
        "{\"messages\": [{\"role\": \"bot\", \"content\": \"x\"}]}\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]},\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hola\"}, {\"role\": \"assistant\", \"content\": \"¡Hola!\"}]}\n",
        "[1, 2]\n",
        "{\"text\": \"no soy chat\", \"label\": \"x\"}\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"sin cerrar\"}, {\"role\": \"assistant\", \"content\": \"b\"}]\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"fin\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}",
    );

    const TEXT_LABEL: &str = concat!(
        "{\"texto\": \"Me encantó\", \"etiqueta\": \"positivo\"}\n",
        "{\"texto\": \"Horrible\", \"etiqueta\": \"negativo\"}\n",
        "{\"texto\": \"Normal\", \"etiqueta\": \"\"}\n",
        "{\"texto\": \"\", \"etiqueta\": \"neutral\"}\n",
        "{\"texto\": \"Bien\", \"etiqueta\": \"positivo\"}\n",
        "{\"messages\": []}\n",
    );

    const PROMPT_COMPLETION: &str = concat!(
        "{\"prompt\": \"2+2\", \"completion\": \"4\"}\n",
        "{\"prompt\": \"3+3\"}\n",
        "{\"prompt\": \"\", \"completion\": \"x\"}\n",
    );

    /// The findings of the full reader that the stream also gives: all but the quality
    /// report's.
    fn format_findings(file: &str, bytes: &[u8]) -> Vec<Finding> {
        crate::parse(file, bytes)
            .unwrap()
            .findings
            .into_iter()
            .filter(|finding| !quality::is_quality_code(&finding.code))
            .collect()
    }

    fn without_duplicates(findings: &[Finding]) -> Vec<Finding> {
        findings
            .iter()
            .filter(|finding| finding.code != "duplicate_row")
            .cloned()
            .collect()
    }

    #[test]
    fn same_findings_and_rows_as_the_full_reader() {
        for (file, text) in [
            ("chat.jsonl", CHAT),
            ("reviews.jsonl", TEXT_LABEL),
            ("pc.jsonl", PROMPT_COMPLETION),
        ] {
            let report = whole(file, text.as_bytes());
            let dataset = crate::parse(file, text.as_bytes()).unwrap();
            assert_eq!(
                without_duplicates(&report.findings),
                format_findings(file, text.as_bytes()),
                "{file}"
            );
            assert_eq!(report.rows, dataset.rows.len(), "{file}");
            assert_eq!(report.schema, dataset.schema, "{file}");
            assert_eq!(report.encoding, dataset.encoding, "{file}");
        }
    }

    #[test]
    fn chat_report_counts_and_locates() {
        let report = whole("chat.jsonl", CHAT.as_bytes());
        assert_eq!(report.lines, 11);
        assert_eq!(report.rows, 4);
        assert_eq!(report.bytes, CHAT.len() as u64);
        let lines = |code: &str| -> Vec<usize> {
            report
                .findings
                .iter()
                .filter(|finding| finding.code == code)
                .filter_map(|finding| finding.line)
                .collect()
        };
        assert_eq!(lines("blank_line"), [3]);
        assert_eq!(lines("example_missing_assistant_message"), [4]);
        assert_eq!(lines("unrecognized_role"), [5]);
        assert_eq!(lines("trailing_comma"), [6]);
        assert_eq!(
            lines("duplicate_row"),
            [7],
            "a CRLF line repeats its LF twin"
        );
        assert_eq!(lines("data_type"), [8]);
        assert_eq!(lines("invalid_json"), [10]);
        assert_eq!(report.codes.get("invalid_json"), Some(&1));
        assert_eq!(report.errors + report.warnings, report.findings.len());
        let tokens = &report.tokens[0];
        assert_eq!(tokens.examples, 4);
        assert!(tokens.estimated);
        assert_eq!(report.tokens.len(), MODELS.len());
    }

    #[test]
    fn labels_and_missing_labels_are_reported() {
        let report = whole("reviews.jsonl", TEXT_LABEL.as_bytes());
        assert_eq!(report.labels.get("positivo"), Some(&2));
        assert_eq!(report.labels.get("negativo"), Some(&1));
        let missing: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.code == "missing_label")
            .collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].line, Some(3));
        assert!(missing[0].message.es.contains("positivo"));
    }

    #[test]
    fn any_chunking_gives_the_same_report() {
        let mut text = String::from("\u{feff}");
        text.push_str(CHAT);
        let bytes = text.as_bytes();
        let reference = whole("chat.jsonl", bytes);
        assert_eq!(reference.encoding, "UTF-8 (BOM)");
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..300 {
            let max = 1 + rng.below(40);
            let report = stream("chat.jsonl", bytes, &mut || 1 + rng.below(max));
            assert_eq!(report, reference);
        }
    }

    #[test]
    fn a_line_that_is_not_utf8_is_located() {
        let mut bytes = CHAT.as_bytes().to_vec();
        bytes.extend_from_slice(b"\n{\"messages\": \"caf");
        bytes.push(0xe9);
        bytes.extend_from_slice(b"\"}\n");
        // The head (the first megabyte in real use) is UTF-8; the bad line comes later.
        let mut validator =
            StreamValidator::new("chat.jsonl", CHAT.as_bytes(), &ParseOptions::default()).unwrap();
        validator.push(&bytes);
        let report = validator.finish();
        let finding = report
            .findings
            .iter()
            .find(|finding| finding.code == "invalid_utf8")
            .unwrap();
        assert_eq!((finding.line, finding.column), (Some(12), Some(18)));
    }

    #[test]
    fn findings_beyond_the_limit_are_counted_not_kept() {
        let text = "{\"messages\": 1}\n".repeat(50);
        let head = text.as_bytes();
        let mut validator = StreamValidator::new("c.jsonl", head, &ParseOptions::default())
            .unwrap()
            .with_max_findings(10);
        validator.push(text.as_bytes());
        let report = validator.finish();
        assert_eq!(report.findings.len(), 10);
        assert_eq!(report.findings_left_out, 40);
        assert_eq!(report.errors, 50);
    }

    /// Warnings on early lines never push out an error on a later one, with or without the
    /// quality report, in one stream or in merged parts.
    #[test]
    fn errors_are_kept_before_warnings() {
        let mut text = String::from(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hola\"}, {\"role\": \"assistant\", \"content\": \"Hola, ¿qué tal?\"}]}\n",
        );
        text.push_str(&"\n".repeat(30));
        text.push_str("{\"messages\": 1}\n");
        for quality in [false, true] {
            let mut validator =
                StreamValidator::new("c.jsonl", text.as_bytes(), &ParseOptions::default())
                    .unwrap()
                    .with_max_findings(5)
                    .with_quality(quality);
            validator.push(text.as_bytes());
            let report = validator.finish();
            let codes: Vec<&str> = report
                .findings
                .iter()
                .map(|finding| finding.code.as_str())
                .collect();
            assert_eq!(report.findings.len(), 5, "{codes:?}");
            let last = report.findings.last().unwrap();
            assert_eq!(
                (last.line, last.severity),
                (Some(32), Severity::Error),
                "quality {quality}: {codes:?}"
            );
            assert_eq!(report.errors, 1);
            assert!(report.warnings >= 30);
        }
        let base = StreamValidator::new("c.jsonl", text.as_bytes(), &ParseOptions::default())
            .unwrap()
            .with_max_findings(5);
        let cut = text.find('\n').unwrap() + 1 + 30;
        let mut first = base.fork(1);
        first.push(&text.as_bytes()[..cut]);
        let mut second = base.fork(32);
        second.push(&text.as_bytes()[cut..]);
        let merged = first.merge(second).finish();
        let last = merged.findings.last().unwrap();
        assert_eq!((last.line, last.severity), (Some(32), Severity::Error));
    }

    #[test]
    fn files_that_are_not_json_lines_are_refused() {
        let options = ParseOptions::default();
        let refused = |file: &str, bytes: &[u8]| StreamValidator::new(file, bytes, &options).err();
        assert!(matches!(
            refused("a.json", b"[{\"text\": \"a\"}]"),
            Some(NotStreamable::File(FileError::JsonArray { .. }))
        ));
        assert!(matches!(
            refused("a.csv", b"text,label\na,b\n"),
            Some(NotStreamable::Other(_))
        ));
        assert!(matches!(
            refused("a.jsonl", b"{\n  \"text\": \"a\",\n  \"label\": \"b\"\n}\n"),
            Some(NotStreamable::Other(_))
        ));
        assert!(matches!(
            refused("a.jsonl", &[0xff, 0xfe, b'{', 0]),
            Some(NotStreamable::Other(_))
        ));
        assert!(matches!(
            refused("a.jsonl", b"{\"text\": \"caf\xe9\", \"label\": \"b\"}\n"),
            Some(NotStreamable::Other(_))
        ));
    }
}
