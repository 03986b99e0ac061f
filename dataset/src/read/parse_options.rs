//! Choices the caller can make about how a file is read: which columns to use, and whether to
//! read a JSON list or multi-line JSON as if it were JSON Lines.

use serde::{Deserialize, Serialize};

/// How [`crate::parse_with`] reads a file; the default is what [`crate::parse()`] does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOptions {
    /// The column (or JSON key) holding the text, instead of recognising it by name.
    ///
    /// Matched ignoring case and whitespace. Naming a column that does not exist is a
    /// [`crate::FileError::UnknownColumn`]. Setting this or [`ParseOptions::label_column`]
    /// reads the file as text/label pairs; the other column is then recognised by name, or
    /// is the remaining one of a two-column file. Ignored for chat files.
    pub text_column: Option<String>,
    /// The column (or JSON key) holding the label; see [`ParseOptions::text_column`].
    pub label_column: Option<String>,
    /// Read a JSON list (`[{…}, {…}]`) or JSON objects written over several lines as if each
    /// object were one line of JSON Lines, with a `converted_json` warning, instead of
    /// failing with [`crate::FileError::JsonArray`] or [`crate::FileError::MultiLineJson`].
    /// Rows and findings then name the line where each object starts.
    pub convert_json: bool,
}

impl ParseOptions {
    /// Whether the caller named the text or the label column.
    pub(crate) fn names_columns(&self) -> bool {
        self.text_column.is_some() || self.label_column.is_some()
    }
}
