//! What both stream validators share: how much of the head they read, why a file cannot be
//! streamed, the report they give and the running tally it is made from.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::check::tokens::{self, MODELS, TokenCounts, TokenReport};
use crate::finding::{Finding, Severity};
use crate::format::{Format, Schema};
use crate::read::container;
use crate::read::file_error::FileError;
use crate::row::RowContent;

/// Lines of the head read to decide the layout (chat, text/label or prompt/completion).
pub const HEAD_LINES: usize = 1000;
/// Bytes of the file a caller should give [`StreamValidator::new`](crate::stream::StreamValidator::new) as its head.
pub const HEAD_BYTES: usize = 1 << 20;

pub(crate) const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Why a file cannot be validated as a stream; the caller reads it whole with
/// [`crate::parse()`] instead (or, when it is too big for that, shows the reason).
#[derive(Debug)]
pub enum NotStreamable {
    /// The problem is with the whole file (for example a JSON list), as [`crate::parse()`]
    /// would report it.
    File(FileError),
    /// Not JSON Lines in UTF-8: CSV, a workbook, UTF-16, windows-1252 or JSON objects written
    /// over several lines. The text says which, in English.
    Other(&'static str),
}

/// The result of validating a file as a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    /// File name as given to [`StreamValidator::new`](crate::stream::StreamValidator::new).
    pub file_name: String,
    /// JSON Lines, or CSV/TSV with its delimiter.
    pub format: Format,
    /// What the rows hold, decided from the head (the first [`HEAD_LINES`] lines of JSON Lines).
    pub schema: Schema,
    /// `UTF-8` or `UTF-8 (BOM)`.
    pub encoding: String,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read (a final line without a newline counts).
    pub lines: usize,
    /// Valid rows.
    pub rows: usize,
    /// Error findings, including those left out of `findings`.
    pub errors: usize,
    /// Warning findings, including those left out of `findings`.
    pub warnings: usize,
    /// Findings by line (file-level first), at most [`StreamValidator::with_max_findings`](crate::stream::StreamValidator::with_max_findings):
    /// the errors first, then the warnings of the lines that come first.
    pub findings: Vec<Finding>,
    /// Findings counted but not kept because of that limit.
    pub findings_left_out: usize,
    /// Every finding code with how many times it was found.
    pub codes: BTreeMap<String, usize>,
    /// Label → rows, for text/label data; empty for chat.
    pub labels: BTreeMap<String, usize>,
    /// The token estimate for each model of [`tokens::MODELS`] at its list price; empty when
    /// there are no valid rows.
    pub tokens: Vec<TokenReport>,
}

/// What the lines read so far add up to (shared with the CSV stream).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub(crate) bytes: u64,
    pub(crate) lines: usize,
    pub(super) rows: usize,
    pub(super) findings: Vec<Finding>,
    /// Errors and warnings among `findings`: each kind is kept up to the limit while the
    /// lines go by, so that warnings never take the place of a later error.
    pub(super) kept: [usize; 2],
    pub(super) codes: BTreeMap<String, usize>,
    pub(super) severities: [usize; 2],
    pub(super) labels: BTreeMap<String, usize>,
    pub(super) tokens: TokenCounts,
    /// Hash of each distinct valid line → the first line it is on.
    pub(super) first_seen: HashMap<u64, usize>,
    /// Valid lines that repeat an earlier one, with their hash (at most the findings limit);
    /// their findings are written at the end, when the first line of each is known.
    pub(super) repeats: Vec<(usize, u64)>,
    /// Repeated lines beyond that limit.
    pub(super) repeats_left_out: usize,
    /// Text/label lines without a label; reported at the end with the most common label.
    pub(super) missing_label_lines: Vec<usize>,
}

impl Tally {
    /// Counts a valid row's label and tokens.
    pub(crate) fn content(&mut self, content: &RowContent) {
        if let RowContent::TextLabel { label, .. } = content {
            *self.labels.entry(label.clone()).or_insert(0) += 1;
        }
        self.tokens.push(tokens::row_tokens(content));
    }

    /// The most common label so far, quoted in the missing-label message.
    pub(crate) fn example_label(&self) -> (String, String) {
        crate::read::parsed::most_common_label(
            self.labels
                .iter()
                .map(|(label, count)| (label.as_str(), *count)),
        )
    }

    /// Counts `finding`, keeping it while fewer than `max_findings` of its kind (errors or
    /// warnings) are kept.
    pub(crate) fn add(&mut self, finding: Finding, max_findings: usize) {
        *self.codes.entry(finding.code.clone()).or_insert(0) += 1;
        let slot = usize::from(finding.severity == Severity::Warning);
        self.severities[slot] += 1;
        if self.kept[slot] < max_findings {
            self.kept[slot] += 1;
            self.findings.push(finding);
        }
    }

    /// Joins the findings kept by another part of the file, keeping what
    /// [`kept_findings`] would.
    pub(crate) fn keep_with(&mut self, other: Vec<Finding>, max_findings: usize) {
        let mut findings = std::mem::take(&mut self.findings);
        findings.extend(other);
        self.findings = kept_findings(findings, max_findings);
        self.kept = [0, 0];
        for finding in &self.findings {
            self.kept[usize::from(finding.severity == Severity::Warning)] += 1;
        }
    }

    /// Counts a valid row whose duplicates the quality passes look for.
    pub(crate) fn count_row(&mut self) {
        self.rows += 1;
    }

    /// Counts every finding of `findings` and keeps them all; [`Tally::report`] keeps the
    /// first by line up to the limit.
    pub(crate) fn add_all(&mut self, findings: Vec<Finding>) {
        for finding in &findings {
            *self.codes.entry(finding.code.clone()).or_insert(0) += 1;
            let slot = usize::from(finding.severity == Severity::Warning);
            self.severities[slot] += 1;
        }
        self.findings.extend(findings);
    }

    /// Counts a valid row on line `number` whose content hashes to `hash`, and notes it when
    /// an earlier row had the same.
    pub(crate) fn valid_row(&mut self, number: usize, hash: u64, max_findings: usize) {
        self.rows += 1;
        match self.first_seen.entry(hash) {
            Entry::Occupied(_) => {
                if self.repeats.len() < max_findings {
                    self.repeats.push((number, hash));
                } else {
                    self.repeats_left_out += 1;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(number);
            }
        }
    }

    /// The report: the repeated rows become findings (now that the first of each is known),
    /// findings are sorted by line and cut to `max_findings`, tokens priced.
    pub(crate) fn report(
        mut self,
        file: String,
        format: Format,
        schema: Schema,
        encoding: &str,
        max_findings: usize,
    ) -> StreamReport {
        let repeats = std::mem::take(&mut self.repeats);
        for (line, hash) in repeats {
            let first_line = self.first_seen.get(&hash).copied().unwrap_or(line);
            self.findings
                .push(crate::quality::duplicates::duplicate_row(
                    &file, line, first_line,
                ));
            self.severities[1] += 1;
            *self.codes.entry("duplicate_row".to_owned()).or_insert(0) += 1;
        }
        if self.repeats_left_out > 0 {
            self.severities[1] += self.repeats_left_out;
            *self.codes.entry("duplicate_row".to_owned()).or_insert(0) += self.repeats_left_out;
        }
        let findings = kept_findings(self.findings, max_findings);
        let counted: usize = self.codes.values().sum();
        let tokens = self.tokens.reports(
            MODELS
                .iter()
                .map(|model| (*model, model.usd_per_million_training_tokens)),
        );
        StreamReport {
            file_name: file,
            format,
            schema,
            encoding: encoding.to_owned(),
            bytes: self.bytes,
            lines: self.lines,
            rows: self.rows,
            errors: self.severities[0],
            warnings: self.severities[1],
            findings_left_out: counted.saturating_sub(findings.len()),
            findings,
            codes: self.codes,
            labels: self.labels,
            tokens,
        }
    }
}

/// At most `max_findings` of `findings`, by line (file-level first): errors before warnings,
/// so that the warnings of the quality report never push out a line that breaks the file.
fn kept_findings(findings: Vec<Finding>, max_findings: usize) -> Vec<Finding> {
    let (mut kept, mut warnings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|finding| finding.severity == Severity::Error);
    kept.sort_by_key(|finding| finding.line);
    kept.truncate(max_findings);
    warnings.sort_by_key(|finding| finding.line);
    warnings.truncate(max_findings - kept.len());
    kept.extend(warnings);
    kept.sort_by_key(|finding| finding.line);
    kept
}

/// The encoding's name and the text of a file's head (its last character may be cut short),
/// or why the file cannot be read as a stream: a workbook, not UTF-8, UTF-16 or binary.
pub(crate) fn head_text<'head>(
    file_name: &str,
    head: &'head [u8],
) -> Result<(&'static str, &'head str), NotStreamable> {
    if container::detect(file_name, head).is_some() {
        return Err(NotStreamable::Other("a workbook or other document"));
    }
    let (encoding, text) = match head.strip_prefix(UTF8_BOM) {
        Some(rest) => ("UTF-8 (BOM)", rest),
        None => ("UTF-8", head),
    };
    let text = match std::str::from_utf8(text) {
        Ok(text) => text,
        // A chunk boundary may split the last character; only that is allowed.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&text[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Err(NotStreamable::Other("not UTF-8")),
    };
    if text.starts_with(['\u{feff}', '\u{fffe}']) || text.contains('\0') {
        return Err(NotStreamable::Other("UTF-16 or binary"));
    }
    Ok((encoding, text))
}
