//! Helpers shared by the crate's unit tests.

use crate::stream::{FileStream, HEAD_BYTES, StreamReport};
use crate::{ChatMessage, Finding, ParseOptions, Role, Row, RowContent, parse};

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
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let mut validator = FileStream::new(file, head, &ParseOptions::default()).unwrap();
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
