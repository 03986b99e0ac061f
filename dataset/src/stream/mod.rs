//! Stage 5, streaming: a file too big to hold validated in chunks with bounded memory. The
//! format checks of every line or record (the same located findings as [`crate::parse()`]),
//! blank lines, exact duplicates, label counts and the token estimate; the rows themselves
//! are not kept, so a 512 MB file fits in a browser tab. On request (`with_quality`) the
//! valid rows also go, in file order, through a [`crate::quality::QualityAccumulator`], which
//! keeps digests of them, and the report gets the quality findings of [`crate::parse()`].
//!
//! Imports the lower stages (`read`'s readers and sniffing, `check`, `quality`'s accumulator
//! and duplicate finding); nothing imports it.
//!
//! - `tally`: what both validators share (head size, [`NotStreamable`], [`StreamReport`]).
//! - `jsonl`: [`StreamValidator`], JSON Lines in chunks, parallel natively.
//! - `csv`: [`CsvStreamValidator`], CSV/TSV in chunks.
//! - `file`: [`FileStream`] picks one of the two from the file's head; `validate_reader`.

mod csv;
mod file;
pub(crate) mod jsonl;
mod tally;

pub use csv::CsvStreamValidator;
pub use file::FileStream;
#[cfg(not(target_arch = "wasm32"))]
pub use file::{validate_reader, validate_reader_with_quality};
pub use jsonl::StreamValidator;
pub use tally::{HEAD_BYTES, HEAD_LINES, NotStreamable, StreamReport};
