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
    mut reader: impl std::io::Read,
    options: &ParseOptions,
    threads: usize,
) -> Result<StreamReport, NotStreamable> {
    use std::io::Read;
    use std::sync::{Mutex, mpsc};

    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut reader)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|_| NotStreamable::Other("the file could not be read"))?;
    let base = match FileStream::new(file_name, &head, options)? {
        FileStream::Jsonl(base) => *base,
        // CSV records may span lines, so the file is not cut into parts: one thread reads.
        FileStream::Csv(mut validator) => {
            validator.push(&head);
            let mut chunk = vec![0; READ_CHUNK];
            loop {
                let read = reader
                    .read(&mut chunk)
                    .map_err(|_| NotStreamable::Other("the file could not be read"))?;
                if read == 0 {
                    return Ok(validator.finish());
                }
                validator.push(&chunk[..read]);
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
    use crate::test_support::{XorShift, whole};

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
        }
    }
}
