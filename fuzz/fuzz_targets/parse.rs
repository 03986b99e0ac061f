//! Fuzz target `parse`: reads any bytes as a dataset file with `afina_dataset::parse` (and
//! `parse_with` converting JSON lists), then runs the quality report, every fix and every
//! converter on what it read. None of them may panic.
//!
//! Input layout: byte 0 picks the file name (`byte % 6` indexes [`NAMES`]; bit 7 also reads
//! the file with `ParseOptions::convert_json`), the rest is the file's content.

#![no_main]

use afina_dataset::{
    ChatOptions, Dataset, ParseOptions, fix, json_to_jsonl, parse, parse_with, quality_findings,
    split_dataset, to_chat_jsonl, to_csv, to_own_format, to_prompt_completion_jsonl,
    to_text_label_jsonl,
};
use libfuzzer_sys::fuzz_target;

/// File names the first byte chooses from; the name steers format detection.
const NAMES: [&str; 6] = ["f.csv", "f.tsv", "f.jsonl", "f.json", "f.xlsx", "f.txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];

    if let Ok(dataset) = parse(name, content) {
        exercise(&dataset, selector);
    }
    if selector & 0x80 != 0 {
        let options = ParseOptions {
            convert_json: true,
            ..ParseOptions::default()
        };
        if let Ok(dataset) = parse_with(name, content, &options) {
            exercise(&dataset, selector);
        }
    }
    if let Ok(text) = std::str::from_utf8(content) {
        let _ = json_to_jsonl(text);
    }
});

/// Everything that takes a parsed dataset: quality report, fixes, converters and a split.
fn exercise(dataset: &Dataset, selector: u8) {
    let _ = quality_findings(dataset);
    let _ = dataset.error_count();
    let _ = dataset.warning_count();
    let _ = dataset.examples();
    let _ = dataset.label_counts();

    let _ = fix::trim_whitespace(dataset);
    let _ = fix::drop_exact_duplicates(dataset);
    let _ = fix::merge_label_variants(dataset);
    let _ = fix::redact_personal_data(dataset);
    let _ = fix::repair_mojibake(dataset);

    let system_prompt = (selector & 0x40 != 0).then(|| "You are terse.".to_owned());
    let _ = to_chat_jsonl(dataset, &ChatOptions { system_prompt });
    let _ = to_text_label_jsonl(dataset);
    let _ = to_prompt_completion_jsonl(dataset);
    // `x` is not a delimiter `to_csv` writes: it must be an error, not a panic.
    let delimiter = [',', ';', '\t', '|', 'x'][usize::from(selector >> 3) % 5];
    let _ = to_csv(dataset, delimiter);
    let _ = to_own_format(dataset);

    let fraction = f32::from(selector % 11) / 10.0;
    let _ = split_dataset(dataset, fraction, u64::from(selector));
}
