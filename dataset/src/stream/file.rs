//! A file validated as a stream, JSON Lines or CSV/TSV as its head shows, and (natively) the
//! whole of a reader validated in parallel chunks.

use crate::read::parse_options::ParseOptions;
use crate::read::sniff::{self, Detected};
use crate::stream::csv::CsvStreamValidator;
use crate::stream::jsonl::StreamValidator;
#[cfg(not(target_arch = "wasm32"))]
use crate::stream::tally::HEAD_BYTES;
use crate::stream::tally::{NotStreamable, StreamReport, head_text};

/// A file validated as a stream: JSON Lines or CSV/TSV, as its head shows.
#[derive(Debug)]
pub enum FileStream {
    /// JSON Lines.
    Jsonl(Box<StreamValidator>),
    /// CSV or TSV.
    Csv(Box<CsvStreamValidator>),
}

impl FileStream {
    /// Prepares to validate `file_name` from `head`, its first bytes (about [`HEAD_BYTES`];
    /// the whole file when shorter). Give the whole file to [`push`](Self::push) afterwards,
    /// head included.
    ///
    /// # Errors
    /// [`NotStreamable`] for a workbook, a file not in UTF-8, a JSON list, JSON written over
    /// several lines, or a problem with the whole file (no rows, no text column…).
    pub fn new(
        file_name: &str,
        head: &[u8],
        options: &ParseOptions,
    ) -> Result<Self, NotStreamable> {
        let (_, text) = head_text(file_name, head)?;
        match sniff::detect(file_name, text) {
            Detected::Csv { .. } => CsvStreamValidator::new(file_name, head, options)
                .map(|validator| Self::Csv(Box::new(validator))),
            Detected::Jsonl | Detected::JsonArray => StreamValidator::new(file_name, head, options)
                .map(|validator| Self::Jsonl(Box::new(validator))),
        }
    }

    /// Keeps at most `limit` findings (they are all still counted).
    #[must_use]
    pub fn with_max_findings(self, limit: usize) -> Self {
        match self {
            Self::Jsonl(validator) => Self::Jsonl(Box::new(validator.with_max_findings(limit))),
            Self::Csv(validator) => Self::Csv(Box::new(validator.with_max_findings(limit))),
        }
    }

    /// Also runs the quality passes when `quality` is set (see
    /// [`StreamValidator::with_quality`] and [`CsvStreamValidator::with_quality`]).
    #[must_use]
    pub fn with_quality(self, quality: bool) -> Self {
        match self {
            Self::Jsonl(validator) => Self::Jsonl(Box::new(validator.with_quality(quality))),
            Self::Csv(validator) => Self::Csv(Box::new(validator.with_quality(quality))),
        }
    }

    /// Validates what ends in `chunk` (after what was pushed before).
    pub fn push(&mut self, chunk: &[u8]) {
        match self {
            Self::Jsonl(validator) => validator.push(chunk),
            Self::Csv(validator) => validator.push(chunk),
        }
    }

    /// Validates what is left and reports.
    pub fn finish(self) -> StreamReport {
        match self {
            Self::Jsonl(validator) => validator.finish(),
            Self::Csv(validator) => validator.finish(),
        }
    }
}

/// Bytes read at a time by [`validate_reader`].
#[cfg(not(target_arch = "wasm32"))]
const READ_CHUNK: usize = 1 << 20;

/// Validates everything `reader` gives as a stream (native only). JSON Lines uses `threads`
/// threads: this one reads chunks of whole lines while the others validate them, so reading
/// and checking overlap and memory stays at a few chunks whatever the file's size. CSV/TSV
/// is read and checked on this thread.
///
/// # Errors
/// [`NotStreamable`] when the head shows the file is not JSON Lines or CSV/TSV in UTF-8
/// (then read it with [`crate::parse()`]), or an I/O error as `NotStreamable::Other`.
#[cfg(not(target_arch = "wasm32"))]
pub fn validate_reader(
    file_name: &str,
    reader: impl std::io::Read,
    options: &ParseOptions,
    threads: usize,
) -> Result<StreamReport, NotStreamable> {
    validate(file_name, reader, options, threads, false)
}

/// [`validate_reader`] with the quality passes too (see [`FileStream::with_quality`]): the
/// report has the same quality findings as [`crate::parse()`]. The rows must reach the
/// passes in file order, so the file is read and checked on this thread, one chunk after the
/// other; the passes spread each chunk's rows over every core.
///
/// # Errors
/// As [`validate_reader`].
#[cfg(not(target_arch = "wasm32"))]
pub fn validate_reader_with_quality(
    file_name: &str,
    reader: impl std::io::Read,
    options: &ParseOptions,
) -> Result<StreamReport, NotStreamable> {
    validate(file_name, reader, options, 1, true)
}

#[cfg(not(target_arch = "wasm32"))]
fn validate(
    file_name: &str,
    mut reader: impl std::io::Read,
    options: &ParseOptions,
    threads: usize,
    quality: bool,
) -> Result<StreamReport, NotStreamable> {
    use std::io::Read;
    use std::sync::{Mutex, mpsc};

    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut reader)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|_| NotStreamable::Other("the file could not be read"))?;
    let stream = FileStream::new(file_name, &head, options)?.with_quality(quality);
    let base = match stream {
        FileStream::Jsonl(base) if !quality => *base,
        // CSV records may span lines, so the file is not cut into parts; the quality passes
        // need the rows in order: one thread reads.
        mut stream => {
            stream.push(&head);
            let mut chunk = vec![0; READ_CHUNK];
            loop {
                let read = reader
                    .read(&mut chunk)
                    .map_err(|_| NotStreamable::Other("the file could not be read"))?;
                if read == 0 {
                    return Ok(stream.finish());
                }
                stream.push(&chunk[..read]);
            }
        }
    };
    let (chunk_sender, chunk_receiver) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 2);
    let (spare_sender, spare_receiver) = mpsc::channel::<Vec<u8>>();
    let chunk_receiver = Mutex::new(chunk_receiver);
    let outcome = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let mut validator = base.fork(1);
                let chunk_receiver = &chunk_receiver;
                let spare_sender = spare_sender.clone();
                scope.spawn(move || {
                    loop {
                        let next = match chunk_receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((first_line, chunk)) = next else {
                            break;
                        };
                        validator.resume_at(first_line);
                        validator.push(&chunk);
                        // The reader reuses the buffer; if it has stopped, drop it.
                        let _ = spare_sender.send(chunk);
                    }
                    validator
                })
            })
            .collect();
        let read = read_chunks(&mut reader, head, &chunk_sender, &spare_receiver);
        drop(chunk_sender);
        let validators: Vec<StreamValidator> = workers
            .into_iter()
            .filter_map(|worker| worker.join().ok())
            .collect();
        (read, validators)
    });
    let (read, validators) = outcome;
    read.map_err(|_| NotStreamable::Other("the file could not be read"))?;
    if validators.len() != threads.max(1) {
        return Err(NotStreamable::Other("a validation thread failed"));
    }
    let merged = validators
        .into_iter()
        .reduce(StreamValidator::merge)
        .unwrap_or(base);
    Ok(merged.finish())
}

/// Reads `reader` (after `head`, already read) and sends it as chunks of whole lines with
/// the number of each chunk's first line; the last chunk may end without a newline.
#[cfg(not(target_arch = "wasm32"))]
fn read_chunks(
    reader: &mut impl std::io::Read,
    head: Vec<u8>,
    chunks: &std::sync::mpsc::SyncSender<(usize, Vec<u8>)>,
    spares: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    use std::io::Read;

    let mut line = 1;
    let mut buffer = head;
    let mut at_end = false;
    while !at_end {
        let filled = buffer.len();
        let wanted = READ_CHUNK.saturating_sub(filled).max(1) as u64;
        // read_to_end fills the spare capacity without zeroing it first.
        if (&mut *reader).take(wanted).read_to_end(&mut buffer)? == 0 {
            at_end = true;
        }
        let cut = if at_end {
            buffer.len()
        } else {
            memchr::memrchr(b'\n', &buffer).map_or(buffer.len(), |last| last + 1)
        };
        let mut next = spares.try_recv().unwrap_or_default();
        next.clear();
        next.extend_from_slice(&buffer[cut..]);
        buffer.truncate(cut);
        let lines = memchr::memchr_iter(b'\n', &buffer).count();
        if !buffer.is_empty() && chunks.send((line, buffer)).is_err() {
            break;
        }
        line += lines;
        buffer = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::file_error::FileError;
    use crate::stream::jsonl::tests::CHAT;
    use crate::test_support::{XorShift, stream_with_quality, whole};
    use crate::{Finding, Severity};

    #[test]
    fn file_stream_picks_csv_or_json_lines() {
        let options = ParseOptions::default();
        assert!(matches!(
            FileStream::new("a.csv", b"text,label\na,b\n", &options),
            Ok(FileStream::Csv(_))
        ));
        assert!(matches!(
            FileStream::new(
                "a.jsonl",
                b"{\"text\": \"a\", \"label\": \"b\"}\n",
                &options
            ),
            Ok(FileStream::Jsonl(_))
        ));
        assert!(matches!(
            FileStream::new("a.csv", b"caf\xe9,b\n", &options),
            Err(NotStreamable::Other(_))
        ));
        assert!(matches!(
            FileStream::new("a.csv", b"\n\n", &options),
            Err(NotStreamable::File(FileError::Empty { .. }))
        ));
    }

    #[test]
    fn parts_in_parallel_give_the_same_report_as_one_stream() {
        let mut text = String::new();
        for round in 0..40 {
            text.push_str(CHAT);
            text.push('\n');
            text.push_str(&format!(
                "{{\"messages\": [{{\"role\": \"user\", \"content\": \"{round}\"}}, {{\"role\": \"assistant\", \"content\": \"ok\"}}]}}\n"
            ));
        }
        let bytes = text.as_bytes();
        let reference = whole("chat.jsonl", bytes);
        assert!(reference.codes.get("duplicate_row").copied().unwrap_or(0) > 30);
        for threads in 1..5 {
            let report =
                validate_reader("chat.jsonl", bytes, &ParseOptions::default(), threads).unwrap();
            assert_eq!(report, reference, "{threads} threads");
        }
        // Parts read in any order and merged give the same report too.
        let half = bytes.len() / 2;
        let cut = half
            + bytes[half..]
                .iter()
                .position(|&byte| byte == b'\n')
                .unwrap()
            + 1;
        let first_line_of_second = 1 + bytes[..cut].iter().filter(|&&byte| byte == b'\n').count();
        let base = StreamValidator::new("chat.jsonl", bytes, &ParseOptions::default()).unwrap();
        let mut first = base.fork(1);
        first.push(&bytes[..cut]);
        let mut second = base.fork(first_line_of_second);
        second.push(&bytes[cut..]);
        assert_eq!(second.merge(first).finish(), reference);
    }

    /// Files with every kind of quality finding (a few broken lines too), and the samples.
    fn quality_files() -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        for (seed, chat) in [(41, false), (42, true)] {
            let name = if chat { "c.jsonl" } else { "t.csv" };
            let mut text = crate::test_support::file_with_every_finding(seed, 500, chat);
            // A few lines the format checks reject, and a chat line the fast check turns
            // down but the full reader accepts.
            if chat {
                text.push_str("{\"messages\": 3}\n\n");
                text.push_str(CHAT);
                text.push_str("\n{\"messages\": [{\"role\": \"user\", \"content\": \"hola\", \"name\": \"ana\"}, {\"role\": \"assistant\", \"content\": \"¡Hola! 😀\"}]}\n");
            } else {
                text.push_str("\"sin etiqueta\",\n,positivo\n\"hola\",positivo,extra\n");
            }
            files.push((name.to_owned(), text.into_bytes()));
        }
        let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/samples");
        for entry in std::fs::read_dir(samples).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read(&path).unwrap()));
        }
        files
    }

    fn quality_only(findings: &[crate::Finding]) -> Vec<crate::Finding> {
        findings
            .iter()
            .filter(|finding| crate::quality::is_quality_code(&finding.code))
            .cloned()
            .collect()
    }

    /// With the quality passes on, the stream gives the quality findings of the whole-file
    /// reader, in any chunking (and, here, every other finding too).
    #[test]
    fn streamed_quality_is_the_whole_file_quality() {
        let mut rng = XorShift(0x0DD5);
        for (name, bytes) in quality_files() {
            let dataset = crate::parse(&name, &bytes).unwrap();
            let expected = quality_only(&dataset.findings);
            let generated = name == "c.jsonl" || name == "t.csv";
            assert!(!generated || expected.len() > 50, "{name}");
            let reference = stream_with_quality(&name, &bytes, &mut || usize::MAX);
            assert_eq!(quality_only(&reference.findings), expected, "{name}");
            assert_eq!(reference.findings, dataset.findings, "{name}");
            assert_eq!(reference.rows, dataset.rows.len(), "{name}");
            let mut counts = std::collections::BTreeMap::new();
            for finding in &dataset.findings {
                *counts.entry(finding.code.clone()).or_insert(0) += 1;
            }
            assert_eq!(reference.codes, counts, "{name}");
            for size in [1, 7, 4096, 0] {
                let report = stream_with_quality(&name, &bytes, &mut || {
                    if size == 0 { 1 + rng.below(3000) } else { size }
                });
                assert_eq!(report, reference, "{name} in chunks of {size}");
            }
            let read =
                validate_reader_with_quality(&name, bytes.as_slice(), &ParseOptions::default())
                    .unwrap();
            assert_eq!(read, reference, "{name} read");
        }
    }

    #[test]
    fn streamed_quality_keeps_the_errors_then_the_first_warnings() {
        for (name, bytes) in quality_files().into_iter().take(2) {
            let all = stream_with_quality(&name, &bytes, &mut || usize::MAX);
            let errors: Vec<&Finding> = all
                .findings
                .iter()
                .filter(|finding| finding.severity == Severity::Error)
                .collect();
            assert!(
                !errors.is_empty() && errors.len() < 10,
                "{name}: {}",
                errors.len()
            );
            let mut expected: Vec<Finding> = all
                .findings
                .iter()
                .filter(|finding| finding.severity == Severity::Warning)
                .take(10 - errors.len())
                .chain(errors.iter().copied())
                .cloned()
                .collect();
            expected.sort_by_key(|finding| finding.line);
            let head = &bytes[..bytes.len().min(HEAD_BYTES)];
            let mut validator = FileStream::new(&name, head, &ParseOptions::default())
                .unwrap()
                .with_quality(true)
                .with_max_findings(10);
            validator.push(&bytes);
            let limited = validator.finish();
            assert_eq!(limited.findings, expected, "{name}");
            assert_eq!(limited.findings_left_out, all.findings.len() - 10);
            assert_eq!(limited.codes, all.codes);
            assert_eq!(
                (limited.errors, limited.warnings),
                (all.errors, all.warnings)
            );
        }
    }

    /// Parts read by forks, merged in any order, give the quality findings of one stream.
    #[test]
    fn forked_parts_with_quality_merge_in_order() {
        let (name, bytes) = quality_files().swap_remove(1);
        assert_eq!(name, "c.jsonl");
        let reference = stream_with_quality(&name, &bytes, &mut || usize::MAX);
        let cuts: Vec<usize> = [bytes.len() / 3, 2 * bytes.len() / 3]
            .iter()
            .map(|&at| at + bytes[at..].iter().position(|&byte| byte == b'\n').unwrap() + 1)
            .collect();
        let lines_before =
            |at: usize| 1 + bytes[..at].iter().filter(|&&byte| byte == b'\n').count();
        let base = StreamValidator::new(&name, &bytes, &ParseOptions::default())
            .unwrap()
            .with_quality(true);
        let mut first = base.fork(1);
        first.push(&bytes[..cuts[0]]);
        let mut second = base.fork(lines_before(cuts[0]));
        second.push(&bytes[cuts[0]..cuts[1]]);
        let mut third = base.fork(lines_before(cuts[1]));
        third.push(&bytes[cuts[1]..]);
        let merged = third.merge(first).merge(second).finish();
        assert_eq!(
            quality_only(&merged.findings),
            quality_only(&reference.findings)
        );
        // The validator of the first part given directly, the others forked.
        let mut root = base.clone();
        root.push(&bytes[..cuts[0]]);
        let mut second = base.fork(lines_before(cuts[0]));
        second.push(&bytes[cuts[0]..]);
        assert_eq!(
            quality_only(&second.merge(root).finish().findings),
            quality_only(&reference.findings)
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0xA5A5_5A5A_1234_5678);
        let pieces: [&[u8]; 12] = [
            b"{",
            b"}",
            b"\"messages\"",
            b":",
            b"[",
            b"]",
            b"\n",
            b"\r",
            b"\"role\"",
            b"\xef\xbb\xbf",
            b"\xc3",
            b"\"",
        ];
        for _ in 0..3000 {
            let mut bytes = b"{\"messages\": []}\n".to_vec();
            for _ in 0..rng.below(30) {
                if rng.below(3) == 0 {
                    bytes.push(rng.next() as u8);
                } else {
                    bytes.extend_from_slice(pieces[rng.below(pieces.len())]);
                }
            }
            if let Ok(mut validator) =
                StreamValidator::new("r.jsonl", &bytes, &ParseOptions::default())
            {
                for chunk in bytes.chunks(1 + rng.below(7)) {
                    validator.push(chunk);
                }
                let _ = validator.finish();
            }
            let _ = validate_reader("r.jsonl", bytes.as_slice(), &ParseOptions::default(), 3);
            let _ =
                validate_reader_with_quality("r.jsonl", bytes.as_slice(), &ParseOptions::default());
        }
    }
}
