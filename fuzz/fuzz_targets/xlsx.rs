//! Fuzz target `xlsx`: reads any bytes as an Excel workbook with
//! `afina_dataset::sheet_names` and `afina_dataset::parse_xlsx` (the first visible sheet, each
//! named sheet and a sheet that does not exist). None of it may panic.

#![no_main]

use afina_dataset::{ParseOptions, parse_xlsx, sheet_names};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions::default();
    let _ = parse_xlsx("f.xlsx", data, None, &options);
    if let Ok(names) = sheet_names("f.xlsx", data) {
        for name in names.iter().take(4) {
            let _ = parse_xlsx("f.xlsx", data, Some(name), &options);
        }
        let _ = parse_xlsx("f.xlsx", data, Some("no such sheet"), &options);
    }
});
