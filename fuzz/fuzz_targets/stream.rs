//! Fuzz target `stream`: validates any bytes as a JSON Lines stream with
//! `afina_dataset::stream::StreamValidator` (pushed in chunks of sizes taken from the input)
//! and with `afina_dataset::stream::validate_reader` on two threads. None of it may panic,
//! and the report must not depend on where the chunks were cut.
//!
//! Input layout: byte 0 controls the chunking (bits 0–5: the largest chunk is
//! `4 * (bits + 1)` bytes; bit 7: keep at most 3 findings), the rest is the file.

#![no_main]

use afina_dataset::ParseOptions;
use afina_dataset::stream::{HEAD_BYTES, StreamValidator, validate_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, file)) = data.split_first() else {
        return;
    };
    let options = ParseOptions::default();
    let head = &file[..file.len().min(HEAD_BYTES)];

    if let Ok(validator) = StreamValidator::new("f.jsonl", head, &options) {
        let validator = if control & 0x80 != 0 {
            validator.with_max_findings(3)
        } else {
            validator
        };

        // The whole file in one push, for comparison.
        let mut whole = validator.clone();
        whole.push(file);
        let whole = whole.finish();

        // The same file in chunks of varying sizes (1 to `max` bytes, some empty pushes).
        let max = 4 * (usize::from(control & 0x3f) + 1);
        let mut state = u32::from(control) | 0x9e37_0000;
        let mut chunked = validator;
        let mut rest = file;
        while !rest.is_empty() {
            // xorshift32: cheap, deterministic chunk sizes.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let size = (state as usize % (max + 1)).min(rest.len());
            let (chunk, after) = rest.split_at(size);
            chunked.push(chunk);
            rest = after;
        }
        let chunked = chunked.finish();
        assert_eq!(
            whole, chunked,
            "the stream report depends on the chunk sizes"
        );
    }

    let _ = validate_reader("f.jsonl", file, &options, 2);
});
