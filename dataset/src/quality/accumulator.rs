//! The whole quality report computed incrementally: valid rows are pushed in file order, in
//! batches of any size, and dropped by the caller; [`QualityAccumulator::finish`] gives the
//! findings [`crate::quality_findings`] gives for the same rows. What is kept between batches
//! is digests of the rows, not the rows, so a file can be streamed through it.
//!
//! # Memory kept per row
//!
//! - every row: a 128-bit content hash and its line in a map (exact copies, ~40 bytes with
//!   the map's overhead); a 128-bit hash of its normalized input in a set (distinct inputs,
//!   ~20 bytes per distinct input);
//! - each distinct normalized labelled text: a 128-bit hash with its first line and label id
//!   (~40 bytes), and its entry in the MinHash similarity index: its word hashes (8 bytes a
//!   distinct word), 32 bytes of word bits, its line and up to 10 bucket slots (~140 bytes
//!   plus 8 a word). **This index is the one part whose memory grows with the length of the
//!   texts**: the exact similarity test compares word sets;
//! - each distinct label, once, with its count and a key hash (label ids are 4 bytes). For
//!   text/label files these are the classes; for chat files the "label" is the final
//!   answer, and whether answers are classes is only known at the end, so **each distinct
//!   final answer is kept once** (free-form answers: their text);
//! - each conversation: 4 bytes per assistant answer (its length), 8 bytes for a line
//!   without a user message or with a form of address (tú/usted, a set of lines);
//! - findings: every finding found (as the whole-file report keeps them), conflicting
//!   labels included until it is known whether the labels are classes.

use crate::check::chat_style::{ChatStyle, ConversationDigest};
use crate::check::labels;
use crate::finding::Finding;
use crate::format::Schema;
use crate::parallel;
use crate::quality::duplicates::{Duplicates, PROGRESS_EVERY};
use crate::quality::fields::{FieldNames, Item};
use crate::quality::label_ids::LabelIds;
use crate::quality::passes::size_finding;
use crate::quality::{mojibake, personal_data};
use crate::row::Row;

/// The quality passes over rows pushed in file order. See the module documentation.
#[derive(Debug, Clone)]
pub struct QualityAccumulator {
    file: String,
    is_text_label: bool,
    fields: FieldNames,
    rows: usize,
    /// Rows with a label (for chat, a final answer and a user message).
    labelled: usize,
    labels: LabelIds,
    duplicates: Duplicates,
    chat: ChatStyle,
    /// Personal data and mojibake findings, in file order.
    row_findings: Vec<Finding>,
}

impl QualityAccumulator {
    /// Prepares the passes for the rows of `file_name`, whose rows follow `schema`.
    pub fn new(file_name: &str, schema: &Schema) -> Self {
        Self {
            file: file_name.to_owned(),
            is_text_label: matches!(schema, Schema::TextLabel { .. }),
            fields: FieldNames::of(schema),
            rows: 0,
            labelled: 0,
            labels: LabelIds::default(),
            duplicates: Duplicates::default(),
            chat: ChatStyle::default(),
            row_findings: Vec::new(),
        }
    }

    /// Runs the passes over the next valid rows of the file (in file order, after those
    /// pushed before). What each row needs on its own is computed on every core natively.
    pub fn push(&mut self, rows: &[Row]) {
        self.push_reporting(rows, &mut |_| {});
    }

    /// [`QualityAccumulator::push`], telling `progress` the number of rows pushed so far
    /// before every [`PROGRESS_EVERY`]th row.
    pub(crate) fn push_reporting(&mut self, rows: &[Row], progress: &mut dyn FnMut(usize)) {
        let (file, fields, duplicates) = (&self.file, &self.fields, &self.duplicates);
        // By reference, so that the items may borrow from the rows.
        let rows: Vec<&Row> = rows.iter().collect();
        let prepared = parallel::map(&rows, |row| {
            let row: &Row = row;
            let item = Item::of(row);
            let keys = duplicates.keys(&item);
            let conversation = ConversationDigest::of(row);
            let mut found = personal_data::finding(file, fields, row);
            found.extend(mojibake::finding(file, fields, row));
            (item, keys, conversation, found)
        });
        for (item, keys, conversation, found) in prepared {
            if self.rows.is_multiple_of(PROGRESS_EVERY) {
                progress(self.rows);
            }
            self.rows += 1;
            let label = item.label.as_deref().map(|label| {
                self.labelled += 1;
                self.labels.intern(label)
            });
            self.duplicates
                .add(&self.file, &self.fields, &self.labels, &item, label, keys);
            if let Some(conversation) = conversation {
                self.chat.add(conversation);
            }
            self.row_findings.extend(found);
        }
    }

    /// How many rows were pushed.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The quality findings of the rows pushed: file-level ones first, then by line, as
    /// [`crate::quality_findings`] gives them.
    pub fn finish(self) -> Vec<Finding> {
        let file = self.file.as_str();
        // Labels are classes for text/label files, and for conversations whose final answers
        // repeat (at most half as many distinct answers as conversations).
        let classification =
            self.is_text_label || (self.labelled > 0 && self.labels.len() * 2 <= self.labelled);
        let mut findings = Vec::new();
        findings.extend(size_finding(file, self.rows));
        findings.extend(self.duplicates.finish(file, classification));
        if classification {
            findings.extend(labels::findings_of_counts(
                file,
                &self.fields.label,
                &self.labels.counts(),
            ));
        }
        findings.extend(self.chat.finish(file));
        findings.extend(self.row_findings);
        // Stable: file-level findings (no line) first, then by line, in the order found.
        findings.sort_by_key(|finding| finding.line);
        findings
    }
}
