//! Writing a dataset in another format (chat JSONL, text/label JSONL, prompt/completion JSONL,
//! CSV) or in its own, and turning a JSON list or multi-line JSON into JSON Lines.
//!
//! Every output is UTF-8 without escaping non-ASCII characters (ñ and emoji stay as they
//! are), one row per line for JSONL, `\n` line endings and a final newline.

use serde::Serialize;

use crate::dataset::Dataset;
use crate::finding::Message;
use crate::format::{Format, Schema};
use crate::read::json_stream;
use crate::row::{ChatMessage, Role, Row, RowContent};

/// The CSV delimiters [`to_csv`] can write, as the reader recognises them.
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// First characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection
/// list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Options of [`to_chat_jsonl`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatOptions {
    /// A system message put first in every conversation that has none (conversations that
    /// already have one keep theirs). `None` or blank adds nothing.
    pub system_prompt: Option<String>,
}

/// A converted file and what the conversion had to leave out or change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// The file's text: UTF-8, `\n` line endings and a final newline.
    pub text: String,
    /// How many rows were written (not counting a CSV header).
    pub rows: usize,
    /// Source lines of the rows that could not be written in the target format: a
    /// conversation without a user message, or whose last answer is blank.
    pub skipped_lines: Vec<usize>,
    /// Source lines of conversations reduced to one input and one answer: their system
    /// message, or all but the last answer, are not in the output.
    pub flattened_lines: Vec<usize>,
    /// CSV cells given a leading `'` so spreadsheets show them as text instead of running them
    /// as formulas (cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return).
    pub neutralized_cells: usize,
}

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The JSON text is not valid JSON.
    InvalidJson {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based character column of the problem.
        column: usize,
        /// What is wrong there, in plain words.
        problem: Message,
    },
    /// A value of the JSON list or stream is not an object.
    NotAnObject {
        /// 1-based line where the value starts.
        line: usize,
    },
    /// The JSON text holds no values at all.
    NoObjects,
    /// No row could be written: the dataset has no valid rows, or none fit the format.
    NoRows,
    /// [`to_csv`] was asked for a delimiter other than `,`, `;`, tab or `|`.
    UnsupportedDelimiter {
        /// The delimiter asked for.
        delimiter: char,
    },
    /// Writing the output failed (a bug: writing to memory does not fail).
    Write {
        /// What the writer said.
        detail: String,
    },
}

impl ConvertError {
    /// A stable snake_case code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson { .. } => "invalid_json_document",
            Self::NotAnObject { .. } => "not_an_object",
            Self::NoObjects => "no_objects",
            Self::NoRows => "no_rows",
            Self::UnsupportedDelimiter { .. } => "unsupported_delimiter",
            Self::Write { .. } => "write_failed",
        }
    }

    /// What is wrong and what to do, in English and Spanish.
    pub fn message(&self) -> Message {
        match self {
            Self::InvalidJson {
                line,
                column,
                problem,
            } => Message::new(
                format!(
                    "The JSON is not valid at line {line}, column {column}: {}. Fix it there and convert again.",
                    problem.en
                ),
                format!(
                    "El JSON no es válido en la línea {line}, columna {column}: {}. Corrígelo ahí y vuelve a convertirlo.",
                    problem.es
                ),
            ),
            Self::NotAnObject { line } => Message::new(
                format!(
                    "The value that starts on line {line} is not a JSON object. Each example must be an object between \
                     braces, like {{\"text\": \"I love it\", \"label\": \"positive\"}}."
                ),
                format!(
                    "El valor que empieza en la línea {line} no es un objeto JSON. Cada ejemplo debe ser un objeto entre \
                     llaves, como {{\"text\": \"Me encanta\", \"label\": \"positivo\"}}."
                ),
            ),
            Self::NoObjects => Message::new(
                "The JSON holds no objects, so there is nothing to convert.",
                "El JSON no contiene ningún objeto, así que no hay nada que convertir.",
            ),
            Self::NoRows => Message::new(
                "There are no rows to write: the dataset has no valid rows, or none of them can be written in this format.",
                "No hay filas que escribir: el conjunto de datos no tiene filas válidas, o ninguna se puede escribir en este formato.",
            ),
            Self::UnsupportedDelimiter { delimiter } => Message::new(
                format!(
                    "{delimiter:?} cannot separate CSV columns here. Use a comma, a semicolon, a tab or a vertical bar (|)."
                ),
                format!(
                    "{delimiter:?} no puede separar columnas CSV aquí. Usa una coma, un punto y coma, un tabulador o una barra vertical (|)."
                ),
            ),
            Self::Write { detail } => Message::new(
                format!("The converted file could not be written ({detail})."),
                format!("No se ha podido escribir el archivo convertido ({detail})."),
            ),
        }
    }
}

impl std::fmt::Display for ConvertError {
    /// The English message.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message().en)
    }
}

impl From<serde_json::Error> for ConvertError {
    fn from(error: serde_json::Error) -> Self {
        Self::Write {
            detail: error.to_string(),
        }
    }
}

impl From<csv::Error> for ConvertError {
    fn from(error: csv::Error) -> Self {
        Self::Write {
            detail: error.to_string(),
        }
    }
}

/// Turns a JSON list (`[{…}, {…}]`) or JSON objects written one after another over any number
/// of lines into JSON Lines: one compact object per line, keys in their order, numbers as
/// written, strings re-escaped only where JSON requires (so `\u00f1` becomes `ñ`).
///
/// Commas between the objects are tolerated. Every value must be an object.
///
/// # Errors
/// [`ConvertError::InvalidJson`] with the line and column of a syntax error,
/// [`ConvertError::NotAnObject`] for a value that is not an object, and
/// [`ConvertError::NoObjects`] when there is nothing in the text.
pub fn json_to_jsonl(text: &str) -> Result<String, ConvertError> {
    let values = json_stream::values(text).map_err(|error| ConvertError::InvalidJson {
        line: error.line,
        column: error.column,
        problem: error.problem,
    })?;
    if values.is_empty() {
        return Err(ConvertError::NoObjects);
    }
    let mut jsonl = String::with_capacity(text.len());
    for value in values {
        if !value.value.is_object() {
            return Err(ConvertError::NotAnObject { line: value.line });
        }
        jsonl.push_str(&compact(value.raw));
        jsonl.push('\n');
    }
    Ok(jsonl)
}

/// Chat JSONL: `{"messages": [{"role": …, "content": …}, …]}` per row.
///
/// A text/label row becomes a user message with the text and an assistant message with the
/// label; conversations (and prompt/completion rows) are written as they are. The system
/// prompt of `options` goes first in every conversation without one.
///
/// # Errors
/// [`ConvertError::NoRows`] when the dataset has no rows.
pub fn to_chat_jsonl(dataset: &Dataset, options: &ChatOptions) -> Result<Converted, ConvertError> {
    let system_prompt = options
        .system_prompt
        .as_deref()
        .filter(|prompt| !prompt.trim().is_empty());
    let mut output = Output::default();
    for row in &dataset.rows {
        let mut messages = conversation(&row.content);
        if let Some(prompt) = system_prompt
            && !messages.iter().any(|message| message.role == Role::System)
        {
            messages.insert(
                0,
                ChatMessage {
                    role: Role::System,
                    content: prompt.to_owned(),
                },
            );
        }
        output.line(serde_json::to_string(&ChatLine {
            messages: &messages,
        })?);
    }
    output.finish()
}

/// Text/label JSONL: `{"text": …, "label": …}` per row.
///
/// A conversation gives its user messages joined with a line break as the text and its last
/// assistant message, trimmed, as the label (see [`Row::example`]); conversations without
/// either are skipped.
///
/// # Errors
/// [`ConvertError::NoRows`] when no row can be written.
pub fn to_text_label_jsonl(dataset: &Dataset) -> Result<Converted, ConvertError> {
    let mut output = Output::default();
    for row in &dataset.rows {
        let Some(example) = row.example() else {
            output.skipped_lines.push(row.line);
            continue;
        };
        output.note_flattened(row);
        output.line(serde_json::to_string(&TextLabelLine {
            text: &example.text,
            label: &example.label,
        })?);
    }
    output.finish()
}

/// Prompt/completion JSONL: `{"prompt": …, "completion": …}` per row.
///
/// A text/label row gives its text as the prompt and its label as the completion; a
/// conversation gives its user messages joined with a line break and its last assistant
/// message as written. Conversations without either are skipped.
///
/// # Errors
/// [`ConvertError::NoRows`] when no row can be written.
pub fn to_prompt_completion_jsonl(dataset: &Dataset) -> Result<Converted, ConvertError> {
    let mut output = Output::default();
    for row in &dataset.rows {
        let Some((prompt, completion)) = output.pair(row) else {
            continue;
        };
        output.line(serde_json::to_string(&PromptCompletionLine {
            prompt: &prompt,
            completion: &completion,
        })?);
    }
    output.finish()
}

/// CSV (or TSV with a tab) with a header row: `text,label` for a text/label dataset,
/// `prompt,completion` for a prompt/completion one and `user,assistant` for conversations,
/// whose rows are flattened as in [`to_prompt_completion_jsonl`].
///
/// Fields are quoted as RFC 4180 says. Cells that a spreadsheet would run as a formula get a
/// leading `'` (OWASP's advice against CSV injection), counted in
/// [`Converted::neutralized_cells`]; that changes those cells when the file is read back.
///
/// # Errors
/// [`ConvertError::UnsupportedDelimiter`] unless the delimiter is `,`, `;`, tab or `|`;
/// [`ConvertError::NoRows`] when no row can be written.
pub fn to_csv(dataset: &Dataset, delimiter: char) -> Result<Converted, ConvertError> {
    let header = match &dataset.schema {
        Schema::TextLabel { .. } => ["text", "label"],
        Schema::PromptCompletion { .. } => ["prompt", "completion"],
        Schema::Chat => ["user", "assistant"],
    };
    write_csv(dataset, delimiter, header, true)
}

/// The dataset in its own format, with its own column (or key) names: CSV stays CSV with its
/// delimiter, JSON Lines stays JSON Lines (a JSON list read with
/// [`crate::ParseOptions::convert_json`] is written as JSON Lines), and a sheet of an Excel
/// workbook is written as comma-separated CSV. Used to write the parts of
/// [`crate::split_dataset`].
///
/// CSV cells are written as they are, without the formula guard of [`to_csv`]: they come from
/// the user's own file. Cells of a workbook sheet do get the guard, since text that was only
/// text in the sheet would become a formula in CSV.
///
/// # Errors
/// [`ConvertError::NoRows`] when no row can be written.
pub fn to_own_format(dataset: &Dataset) -> Result<Converted, ConvertError> {
    let own_header = own_header(&dataset.schema);
    match dataset.format {
        Format::Csv { delimiter } => write_csv(dataset, delimiter, own_header, false),
        Format::Xlsx { .. } => write_csv(dataset, ',', own_header, true),
        Format::Jsonl => match &dataset.schema {
            Schema::Chat => to_chat_jsonl(dataset, &ChatOptions::default()),
            Schema::TextLabel {
                text_column,
                label_column,
            } => {
                let mut output = Output::default();
                for row in &dataset.rows {
                    let Some(example) = row.example() else {
                        output.skipped_lines.push(row.line);
                        continue;
                    };
                    output.note_flattened(row);
                    output.line(two_key_object(
                        text_column,
                        &example.text,
                        label_column,
                        &example.label,
                    )?);
                }
                output.finish()
            }
            Schema::PromptCompletion {
                prompt_column,
                completion_column,
            } => {
                let mut output = Output::default();
                for row in &dataset.rows {
                    let Some((prompt, completion)) = output.pair(row) else {
                        continue;
                    };
                    output.line(two_key_object(
                        prompt_column,
                        &prompt,
                        completion_column,
                        &completion,
                    )?);
                }
                output.finish()
            }
        },
    }
}

/// Extra columns (CSV) or keys (JSONL) written after the two of every row, with one list of
/// values per row of the dataset: the marks of augmented rows.
pub(crate) struct ExtraColumns<'a> {
    /// The column names, or JSON keys.
    pub(crate) names: &'a [&'a str],
    /// The values of each row, in `names` order, indexed like the dataset's rows.
    pub(crate) values: &'a [Vec<serde_json::Value>],
}

/// [`to_own_format`] with extra columns after the two of every row: for CSV (and a workbook
/// sheet, written as CSV) and text/label JSON Lines. `None` for chat and prompt/completion
/// JSON Lines, where OpenAI refuses unknown keys.
///
/// In CSV a string is written as it is, `null` as an empty cell, a list as its items joined
/// with `+`, anything else as JSON; in JSON Lines every value is written as JSON.
pub(crate) fn to_own_format_with_extra(
    dataset: &Dataset,
    extra: &ExtraColumns<'_>,
) -> Option<Result<Converted, ConvertError>> {
    let own_header = own_header(&dataset.schema);
    match (&dataset.format, &dataset.schema) {
        (Format::Csv { delimiter }, _) => Some(write_csv_with(
            dataset,
            *delimiter,
            own_header,
            false,
            Some(extra),
        )),
        (Format::Xlsx { .. }, _) => {
            Some(write_csv_with(dataset, ',', own_header, true, Some(extra)))
        }
        (Format::Jsonl, Schema::TextLabel { .. }) => {
            Some(text_label_with_extra(dataset, own_header, extra))
        }
        (Format::Jsonl, Schema::Chat | Schema::PromptCompletion { .. }) => None,
    }
}

/// Text/label JSON Lines with the dataset's own keys followed by the extra ones.
fn text_label_with_extra(
    dataset: &Dataset,
    own_header: [&str; 2],
    extra: &ExtraColumns<'_>,
) -> Result<Converted, ConvertError> {
    let [text_key, label_key] = own_header;
    let mut output = Output::default();
    for (index, row) in dataset.rows.iter().enumerate() {
        let Some(example) = row.example() else {
            output.skipped_lines.push(row.line);
            continue;
        };
        output.note_flattened(row);
        let text = serde_json::Value::String(example.text);
        let label = serde_json::Value::String(example.label);
        let mut pairs: Vec<(&str, &serde_json::Value)> =
            vec![(text_key, &text), (label_key, &label)];
        if let Some(values) = extra.values.get(index) {
            pairs.extend(extra.names.iter().copied().zip(values));
        }
        output.line(keyed_object(&pairs)?);
    }
    output.finish()
}

/// A JSON object with `pairs` as its keys and values, in that order.
fn keyed_object(pairs: &[(&str, &serde_json::Value)]) -> Result<String, serde_json::Error> {
    let mut object = String::from("{");
    for (position, (key, value)) in pairs.iter().enumerate() {
        if position > 0 {
            object.push(',');
        }
        object.push_str(&serde_json::to_string(key)?);
        object.push(':');
        object.push_str(&serde_json::to_string(value)?);
    }
    object.push('}');
    Ok(object)
}

/// How an extra value is written in a CSV cell.
fn csv_cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items.iter().map(csv_cell).collect::<Vec<_>>().join("+"),
        other => other.to_string(),
    }
}

/// The dataset's own names for its two columns.
fn own_header(schema: &Schema) -> [&str; 2] {
    match schema {
        Schema::TextLabel {
            text_column,
            label_column,
        } => [text_column.as_str(), label_column.as_str()],
        Schema::PromptCompletion {
            prompt_column,
            completion_column,
        } => [prompt_column.as_str(), completion_column.as_str()],
        Schema::Chat => ["user", "assistant"],
    }
}

/// Writes the rows as two-column CSV under `header`, guarding formula cells when `guard`.
fn write_csv(
    dataset: &Dataset,
    delimiter: char,
    header: [&str; 2],
    guard: bool,
) -> Result<Converted, ConvertError> {
    write_csv_with(dataset, delimiter, header, guard, None)
}

/// Writes the rows as CSV under `header` and the names of `extra`, guarding formula cells
/// when `guard`.
fn write_csv_with(
    dataset: &Dataset,
    delimiter: char,
    header: [&str; 2],
    guard: bool,
    extra: Option<&ExtraColumns<'_>>,
) -> Result<Converted, ConvertError> {
    let delimiter_byte = DELIMITERS
        .contains(&delimiter)
        .then(|| u8::try_from(delimiter).ok())
        .flatten()
        .ok_or(ConvertError::UnsupportedDelimiter { delimiter })?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter_byte)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header_cells: Vec<&str> = header.to_vec();
    if let Some(extra) = extra {
        header_cells.extend_from_slice(extra.names);
    }
    writer.write_record(&header_cells)?;
    let mut output = Output::default();
    for (index, row) in dataset.rows.iter().enumerate() {
        let Some((first, second)) = output.pair(row) else {
            continue;
        };
        let mut cells = vec![first, second];
        if let Some(values) = extra.and_then(|extra| extra.values.get(index)) {
            cells.extend(values.iter().map(csv_cell));
        }
        if guard {
            for cell in &mut cells {
                if cell.starts_with(FORMULA_STARTS) {
                    cell.insert(0, '\'');
                    output.neutralized_cells += 1;
                }
            }
        }
        writer.write_record(&cells)?;
        output.rows += 1;
    }
    let bytes = writer.into_inner().map_err(|error| ConvertError::Write {
        detail: error.to_string(),
    })?;
    output.text = String::from_utf8(bytes).map_err(|error| ConvertError::Write {
        detail: error.to_string(),
    })?;
    output.finish()
}

/// Any table as comma-separated CSV: RFC 4180 quoting, `\n` line ends, and a leading `'` on
/// every cell a spreadsheet would run as a formula (OWASP's advice against CSV injection).
/// Used for tables the app builds itself, such as a batch of predictions.
///
/// # Errors
/// [`ConvertError::Write`] if the CSV writer fails (it writes to memory, so only on a bug).
pub fn table_to_csv(header: &[&str], rows: &[Vec<String>]) -> Result<String, ConvertError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        let cells = row.iter().map(|cell| {
            if cell.starts_with(FORMULA_STARTS) {
                format!("'{cell}")
            } else {
                cell.clone()
            }
        });
        writer.write_record(cells)?;
    }
    let bytes = writer.into_inner().map_err(|error| ConvertError::Write {
        detail: error.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|error| ConvertError::Write {
        detail: error.to_string(),
    })
}

/// The rows written so far and what was left out.
#[derive(Debug, Default)]
struct Output {
    text: String,
    rows: usize,
    skipped_lines: Vec<usize>,
    flattened_lines: Vec<usize>,
    neutralized_cells: usize,
}

impl Output {
    /// Adds one JSONL line.
    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
        self.rows += 1;
    }

    /// Records the row as flattened if it is a conversation that loses messages as one pair.
    fn note_flattened(&mut self, row: &Row) {
        if let RowContent::Chat { messages } = &row.content {
            let count = |role: Role| {
                messages
                    .iter()
                    .filter(|message| message.role == role)
                    .count()
            };
            if count(Role::System) > 0 || count(Role::User) > 1 || count(Role::Assistant) > 1 {
                self.flattened_lines.push(row.line);
            }
        }
    }

    /// The row as (input, answer) kept as written: a text/label row as it is, a conversation
    /// as its user messages and last answer. Records skipped and flattened rows.
    fn pair(&mut self, row: &Row) -> Option<(String, String)> {
        let pair = match &row.content {
            RowContent::TextLabel { text, label } => Some((text.clone(), label.clone())),
            RowContent::Chat { messages } => {
                let user = messages
                    .iter()
                    .filter(|message| message.role == Role::User)
                    .map(|message| message.content.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                let answer = messages
                    .iter()
                    .rev()
                    .find(|message| message.role == Role::Assistant)
                    .map(|message| message.content.clone())
                    .unwrap_or_default();
                (!user.trim().is_empty() && !answer.trim().is_empty()).then_some((user, answer))
            }
        };
        if pair.is_some() {
            self.note_flattened(row);
        } else {
            self.skipped_lines.push(row.line);
        }
        pair
    }

    /// The converted file, or [`ConvertError::NoRows`] when nothing was written.
    fn finish(self) -> Result<Converted, ConvertError> {
        if self.rows == 0 {
            return Err(ConvertError::NoRows);
        }
        Ok(Converted {
            text: self.text,
            rows: self.rows,
            skipped_lines: self.skipped_lines,
            flattened_lines: self.flattened_lines,
            neutralized_cells: self.neutralized_cells,
        })
    }
}

/// The messages of a row as a conversation: a text/label row is a question and its answer.
fn conversation(content: &RowContent) -> Vec<ChatMessage> {
    match content {
        RowContent::TextLabel { text, label } => vec![
            ChatMessage {
                role: Role::User,
                content: text.clone(),
            },
            ChatMessage {
                role: Role::Assistant,
                content: label.clone(),
            },
        ],
        RowContent::Chat { messages } => messages.clone(),
    }
}

/// `{"first_key": first, "second_key": second}` with the keys in that order.
fn two_key_object(
    first_key: &str,
    first: &str,
    second_key: &str,
    second: &str,
) -> Result<String, serde_json::Error> {
    Ok(format!(
        "{{{}:{},{}:{}}}",
        serde_json::to_string(first_key)?,
        serde_json::to_string(first)?,
        serde_json::to_string(second_key)?,
        serde_json::to_string(second)?
    ))
}

/// One line of chat JSONL.
#[derive(Serialize)]
struct ChatLine<'row> {
    messages: &'row [ChatMessage],
}

/// One line of text/label JSONL.
#[derive(Serialize)]
struct TextLabelLine<'row> {
    text: &'row str,
    label: &'row str,
}

/// One line of prompt/completion JSONL.
#[derive(Serialize)]
struct PromptCompletionLine<'row> {
    prompt: &'row str,
    completion: &'row str,
}

/// A valid JSON value without the whitespace between tokens, strings re-escaped the way
/// serde_json writes them (only `"`, `\` and control characters).
fn compact(raw: &str) -> String {
    let mut compacted = String::with_capacity(raw.len());
    let mut characters = raw.char_indices();
    while let Some((start, character)) = characters.next() {
        if character != '"' {
            if !matches!(character, ' ' | '\t' | '\n' | '\r') {
                compacted.push(character);
            }
            continue;
        }
        let mut escaped = false;
        let mut end = raw.len();
        for (index, inner) in characters.by_ref() {
            if escaped {
                escaped = false;
            } else if inner == '\\' {
                escaped = true;
            } else if inner == '"' {
                end = index + 1;
                break;
            }
        }
        let token = raw.get(start..end).unwrap_or_default();
        match serde_json::from_str::<String>(token).and_then(|text| serde_json::to_string(&text)) {
            Ok(rewritten) => compacted.push_str(&rewritten),
            Err(_) => compacted.push_str(token),
        }
    }
    compacted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::parse::parse;
    use crate::test_support::{XorShift, message, text_row};

    fn chat_row(line: usize, messages: Vec<ChatMessage>) -> Row {
        Row {
            line,
            content: RowContent::Chat { messages },
        }
    }

    fn dataset(format: Format, schema: Schema, rows: Vec<Row>) -> Dataset {
        Dataset {
            file_name: "in.csv".into(),
            format,
            schema,
            encoding: "UTF-8".into(),
            rows,
            findings: Vec::new(),
        }
    }

    fn text_label_dataset(rows: Vec<Row>) -> Dataset {
        dataset(
            Format::Csv { delimiter: ';' },
            Schema::TextLabel {
                text_column: "Texto".into(),
                label_column: "Etiqueta".into(),
            },
            rows,
        )
    }

    fn chat_dataset(rows: Vec<Row>) -> Dataset {
        dataset(Format::Jsonl, Schema::Chat, rows)
    }

    fn contents(dataset: &Dataset) -> Vec<RowContent> {
        dataset.rows.iter().map(|row| row.content.clone()).collect()
    }

    fn reparse(name: &str, converted: &Converted) -> Dataset {
        assert!(converted.text.ends_with('\n'));
        let parsed = parse(name, converted.text.as_bytes()).unwrap();
        assert_eq!(parsed.error_count(), 0, "{:?}", parsed.findings);
        parsed
    }

    fn sample_text_label() -> Dataset {
        text_label_dataset(vec![
            text_row(2, "Me encanta el ñandú 😀", "positivo"),
            text_row(3, "dijo \"no\", y se fue;\nadiós", "negativo"),
            text_row(4, "  espacios  ", "neutro"),
        ])
    }

    fn sample_chat() -> Dataset {
        chat_dataset(vec![
            chat_row(
                1,
                vec![
                    message(Role::User, "hola"),
                    message(Role::Assistant, "¡Hola! ¿Qué tal?"),
                ],
            ),
            chat_row(
                2,
                vec![
                    message(Role::System, "Eres amable"),
                    message(Role::User, "uno"),
                    message(Role::Assistant, "primero"),
                    message(Role::User, "dos"),
                    message(Role::Assistant, " segundo "),
                ],
            ),
            chat_row(3, vec![message(Role::Assistant, "sin pregunta")]),
        ])
    }

    #[test]
    fn text_label_to_chat_with_a_system_prompt() {
        let options = ChatOptions {
            system_prompt: Some("Clasifica la opinión".into()),
        };
        let converted = to_chat_jsonl(&sample_text_label(), &options).unwrap();
        assert_eq!(converted.rows, 3);
        assert!(converted.skipped_lines.is_empty());
        let first = converted.text.lines().next().unwrap();
        assert_eq!(
            first,
            r#"{"messages":[{"role":"system","content":"Clasifica la opinión"},{"role":"user","content":"Me encanta el ñandú 😀"},{"role":"assistant","content":"positivo"}]}"#
        );
        let parsed = reparse("out.jsonl", &converted);
        assert_eq!(parsed.schema, Schema::Chat);
        assert_eq!(
            parsed.rows[1].content,
            RowContent::Chat {
                messages: vec![
                    message(Role::System, "Clasifica la opinión"),
                    message(Role::User, "dijo \"no\", y se fue;\nadiós"),
                    message(Role::Assistant, "negativo"),
                ]
            }
        );
    }

    #[test]
    fn chat_rows_pass_through_and_keep_their_system_message() {
        let options = ChatOptions {
            system_prompt: Some("Nuevo".into()),
        };
        let source = sample_chat();
        let converted = to_chat_jsonl(&source, &options).unwrap();
        let parsed = reparse("out.jsonl", &converted);
        let RowContent::Chat { messages } = &parsed.rows[0].content else {
            panic!("expected a conversation");
        };
        assert_eq!(messages[0], message(Role::System, "Nuevo"));
        assert_eq!(parsed.rows[1].content, source.rows[1].content);
        let blank = ChatOptions {
            system_prompt: Some("  ".into()),
        };
        let converted = to_chat_jsonl(&source, &blank).unwrap();
        assert_eq!(
            contents(&reparse("out.jsonl", &converted)),
            contents(&source)
        );
    }

    #[test]
    fn chat_to_text_label_flattens_and_skips() {
        let converted = to_text_label_jsonl(&sample_chat()).unwrap();
        assert_eq!(converted.rows, 2);
        assert_eq!(converted.skipped_lines, [3]);
        assert_eq!(converted.flattened_lines, [2]);
        assert_eq!(
            converted.text,
            "{\"text\":\"hola\",\"label\":\"¡Hola! ¿Qué tal?\"}\n{\"text\":\"uno\\ndos\",\"label\":\"segundo\"}\n"
        );
        let parsed = reparse("out.jsonl", &converted);
        assert_eq!(parsed.examples(), sample_chat().examples());
    }

    #[test]
    fn text_label_round_trips_through_every_jsonl() {
        let source = sample_text_label();
        let converted = to_text_label_jsonl(&source).unwrap();
        assert_eq!(
            contents(&reparse("out.jsonl", &converted)),
            contents(&source)
        );

        let converted = to_prompt_completion_jsonl(&source).unwrap();
        assert!(converted.text.starts_with("{\"prompt\":\"Me encanta"));
        let parsed = reparse("out.jsonl", &converted);
        assert_eq!(
            parsed.schema,
            Schema::PromptCompletion {
                prompt_column: "prompt".into(),
                completion_column: "completion".into()
            }
        );
        assert_eq!(parsed.examples(), source.examples());
        // Back to text/label from the prompt/completion file.
        let again = to_text_label_jsonl(&parsed).unwrap();
        assert_eq!(contents(&reparse("again.jsonl", &again)), contents(&source));
    }

    #[test]
    fn chat_to_prompt_completion_keeps_the_answer_as_written() {
        let converted = to_prompt_completion_jsonl(&sample_chat()).unwrap();
        assert_eq!(converted.skipped_lines, [3]);
        assert_eq!(converted.flattened_lines, [2]);
        let parsed = reparse("out.jsonl", &converted);
        let RowContent::Chat { messages } = &parsed.rows[1].content else {
            panic!("expected a conversation");
        };
        assert_eq!(
            messages,
            &[
                message(Role::User, "uno\ndos"),
                message(Role::Assistant, " segundo ")
            ]
        );
    }

    #[test]
    fn csv_round_trips_with_quoting() {
        let source = sample_text_label();
        for (delimiter, name) in [
            (',', "out.csv"),
            (';', "out.csv"),
            ('\t', "out.tsv"),
            ('|', "out.csv"),
        ] {
            let converted = to_csv(&source, delimiter).unwrap();
            assert_eq!(converted.neutralized_cells, 0);
            assert!(
                converted
                    .text
                    .starts_with(&format!("text{delimiter}label\n"))
            );
            let parsed = reparse(name, &converted);
            assert_eq!(parsed.format, Format::Csv { delimiter });
            assert_eq!(contents(&parsed), contents(&source), "{delimiter:?}");
        }
        let converted = to_csv(&source, ',').unwrap();
        assert!(
            converted
                .text
                .contains("\"dijo \"\"no\"\", y se fue;\nadiós\",negativo\n")
        );
        assert!(matches!(
            to_csv(&source, 'x'),
            Err(ConvertError::UnsupportedDelimiter { delimiter: 'x' })
        ));
    }

    #[test]
    fn csv_neutralizes_formula_cells() {
        let source = text_label_dataset(vec![
            text_row(2, "=HYPERLINK(\"http://x\")", "+1"),
            text_row(3, "-2 grados", "@fin"),
            text_row(4, "\tcon tabulador", "a=b"),
            text_row(5, "normal", "ok"),
        ]);
        let converted = to_csv(&source, ',').unwrap();
        assert_eq!(converted.neutralized_cells, 5);
        let parsed = reparse("out.csv", &converted);
        assert_eq!(
            contents(&parsed),
            [
                RowContent::TextLabel {
                    text: "'=HYPERLINK(\"http://x\")".into(),
                    label: "'+1".into()
                },
                RowContent::TextLabel {
                    text: "'-2 grados".into(),
                    label: "'@fin".into()
                },
                RowContent::TextLabel {
                    text: "'\tcon tabulador".into(),
                    label: "a=b".into()
                },
                RowContent::TextLabel {
                    text: "normal".into(),
                    label: "ok".into()
                },
            ]
        );
        // A dataset's own format keeps its cells as they are.
        let own = to_own_format(&source).unwrap();
        assert_eq!(own.neutralized_cells, 0);
        assert!(
            own.text
                .starts_with("Texto;Etiqueta\n\"=HYPERLINK(\"\"http")
        );
    }

    #[test]
    fn chat_to_csv_reads_back_as_conversations() {
        let source = chat_dataset(vec![
            chat_row(
                1,
                vec![
                    message(Role::User, "hola"),
                    message(Role::Assistant, "adiós"),
                ],
            ),
            chat_row(
                2,
                vec![
                    message(Role::User, "¿qué,\ntal?"),
                    message(Role::Assistant, "bien"),
                ],
            ),
        ]);
        let converted = to_csv(&source, ',').unwrap();
        assert!(converted.text.starts_with("user,assistant\n"));
        let parsed = reparse("out.csv", &converted);
        assert_eq!(
            parsed.schema,
            Schema::PromptCompletion {
                prompt_column: "user".into(),
                completion_column: "assistant".into()
            }
        );
        assert_eq!(contents(&parsed), contents(&source));
    }

    #[test]
    fn own_format_keeps_names_and_key_order() {
        let source = sample_text_label();
        let converted = to_own_format(&source).unwrap();
        let parsed = reparse("in.csv", &converted);
        assert_eq!(parsed.schema, source.schema);
        assert_eq!(parsed.format, source.format);
        assert_eq!(contents(&parsed), contents(&source));

        let mut jsonl = source.clone();
        jsonl.format = Format::Jsonl;
        jsonl.schema = Schema::TextLabel {
            text_column: "texto".into(),
            label_column: "clase".into(),
        };
        let converted = to_own_format(&jsonl).unwrap();
        assert!(
            converted
                .text
                .starts_with("{\"texto\":\"Me encanta el ñandú 😀\",\"clase\":\"positivo\"}\n")
        );
        assert_eq!(
            contents(&reparse("in.jsonl", &converted)),
            contents(&source)
        );

        let mut prompts = chat_dataset(vec![chat_row(
            1,
            vec![message(Role::User, "p"), message(Role::Assistant, "c")],
        )]);
        prompts.schema = Schema::PromptCompletion {
            prompt_column: "input".into(),
            completion_column: "output".into(),
        };
        let converted = to_own_format(&prompts).unwrap();
        assert_eq!(converted.text, "{\"input\":\"p\",\"output\":\"c\"}\n");
        let parsed = reparse("in.jsonl", &converted);
        assert_eq!(parsed.schema, prompts.schema);
        assert_eq!(contents(&parsed), contents(&prompts));

        let chat = sample_chat();
        let converted = to_own_format(&chat).unwrap();
        assert_eq!(contents(&reparse("in.jsonl", &converted)), contents(&chat));
    }

    #[test]
    fn a_sheet_is_written_as_guarded_csv_with_its_own_names() {
        let mut source = text_label_dataset(vec![
            text_row(2, "=1+1 es dos", "positivo"),
            text_row(3, "dijo \"no\", y se fue", "negativo"),
        ]);
        source.format = Format::Xlsx {
            sheet: "Hoja1".into(),
        };
        let converted = to_own_format(&source).unwrap();
        assert_eq!(converted.neutralized_cells, 1);
        assert_eq!(
            converted.text,
            "Texto,Etiqueta\n'=1+1 es dos,positivo\n\"dijo \"\"no\"\", y se fue\",negativo\n"
        );
        let parsed = reparse("in.csv", &converted);
        assert_eq!(parsed.schema, source.schema);
        assert_eq!(parsed.format, Format::Csv { delimiter: ',' });
    }

    #[test]
    fn nothing_to_write_is_an_error() {
        let empty = text_label_dataset(Vec::new());
        assert!(matches!(to_csv(&empty, ','), Err(ConvertError::NoRows)));
        assert!(matches!(
            to_chat_jsonl(&empty, &ChatOptions::default()),
            Err(ConvertError::NoRows)
        ));
        let unanswerable = chat_dataset(vec![chat_row(1, vec![message(Role::Assistant, "x")])]);
        assert!(matches!(
            to_text_label_jsonl(&unanswerable),
            Err(ConvertError::NoRows)
        ));
        assert!(ConvertError::NoRows.message().es.contains("No hay filas"));
    }

    #[test]
    fn json_list_to_jsonl() {
        let text = "[\n  {\n    \"text\": \"caf\\u00e9 ñ 😀\",\n    \"label\": 1.50,\n    \"a\": [1, {\"b\": null}]\n  },\n  {\"text\": \"dijo \\\"sí\\\"\\n\", \"label\": \"x\"}\n]\n";
        let jsonl = json_to_jsonl(text).unwrap();
        assert_eq!(
            jsonl,
            "{\"text\":\"café ñ 😀\",\"label\":1.50,\"a\":[1,{\"b\":null}]}\n{\"text\":\"dijo \\\"sí\\\"\\n\",\"label\":\"x\"}\n"
        );
        let parsed = parse("out.jsonl", jsonl.as_bytes()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
    }

    #[test]
    fn pretty_printed_objects_to_jsonl() {
        let text = "{\n  \"prompt\": \"a\",\n  \"completion\": \"b\"\n}\n{\n  \"prompt\": \"c\",\n  \"completion\": \"d\"\n},\n";
        assert_eq!(
            json_to_jsonl(text).unwrap(),
            "{\"prompt\":\"a\",\"completion\":\"b\"}\n{\"prompt\":\"c\",\"completion\":\"d\"}\n"
        );
    }

    #[test]
    fn json_to_jsonl_errors() {
        assert!(matches!(json_to_jsonl(" \n"), Err(ConvertError::NoObjects)));
        assert!(matches!(json_to_jsonl("[]"), Err(ConvertError::NoObjects)));
        assert!(matches!(
            json_to_jsonl("[{\"a\": 1},\n 2]"),
            Err(ConvertError::NotAnObject { line: 2 })
        ));
        let error = json_to_jsonl("[\n{\"a\": 1}\n{\"b\": 2}]").unwrap_err();
        assert!(matches!(
            error,
            ConvertError::InvalidJson {
                line: 3,
                column: 1,
                ..
            }
        ));
        assert!(error.to_string().contains("line 3, column 1"));
        assert!(error.message().es.contains("línea 3, columna 1"));
    }

    impl XorShift {
        fn text(&mut self) -> String {
            const PIECES: [&str; 20] = [
                "a", "ñ", "😀", ",", ";", "\t", "|", "\"", "\n", "\r\n", " ", "'", "=", "-", "+",
                "@", "{", "[", "\\", "texto",
            ];
            let mut text = String::new();
            for _ in 0..1 + self.below(8) {
                text.push_str(PIECES[self.below(PIECES.len())]);
            }
            if text.trim().is_empty() {
                text.push('x');
            }
            text
        }
    }

    fn guarded(cell: &str) -> String {
        if cell.starts_with(FORMULA_STARTS) {
            format!("'{cell}")
        } else {
            cell.to_owned()
        }
    }

    #[test]
    fn tables_are_quoted_and_guarded() {
        let rows = vec![
            vec!["hola, \"amigo\"".to_string(), "=1+1".to_string()],
            vec!["línea\nnueva".to_string(), "positivo".to_string()],
        ];
        let csv = table_to_csv(&["text", "label"], &rows).unwrap();
        assert_eq!(
            csv,
            "text,label\n\"hola, \"\"amigo\"\"\",'=1+1\n\"línea\nnueva\",positivo\n"
        );
    }

    #[test]
    fn random_rows_round_trip() {
        let mut rng = XorShift(0x5EED_1234_ABCD_0001);
        for _ in 0..300 {
            let rows: Vec<Row> = (0..1 + rng.below(6))
                .map(|index| text_row(index + 2, &rng.text(), rng.text().trim()))
                .collect();
            let source = text_label_dataset(rows);
            let delimiter = DELIMITERS[rng.below(DELIMITERS.len())];
            let name = if delimiter == '\t' { "r.tsv" } else { "r.csv" };

            let converted = to_csv(&source, delimiter).unwrap();
            let parsed = reparse(name, &converted);
            let expected: Vec<RowContent> = source
                .rows
                .iter()
                .map(|row| match &row.content {
                    RowContent::TextLabel { text, label } => RowContent::TextLabel {
                        text: guarded(text),
                        label: guarded(label),
                    },
                    RowContent::Chat { .. } => unreachable!(),
                })
                .collect();
            assert_eq!(contents(&parsed), expected, "{:?}", converted.text);

            let mut own = source.clone();
            own.format = Format::Csv { delimiter };
            let converted = to_own_format(&own).unwrap();
            assert_eq!(contents(&reparse(name, &converted)), contents(&source));

            for converted in [
                to_text_label_jsonl(&source).unwrap(),
                to_chat_jsonl(&source, &ChatOptions::default()).unwrap(),
                to_prompt_completion_jsonl(&source).unwrap(),
            ] {
                assert_eq!(converted.text.lines().count(), source.rows.len());
                let parsed = reparse("r.jsonl", &converted);
                assert_eq!(parsed.examples(), source.examples());
            }
        }
    }

    #[test]
    fn random_json_never_panics() {
        const PIECES: [&str; 24] = [
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "\"text\"",
            "\"label\"",
            "\"prompt\"",
            "\"completion\"",
            "\"messages\"",
            "\"role\"",
            "\"user\"",
            "\"assistant\"",
            "\"content\"",
            "\"ñ 😀\"",
            "\"\\u00f1\"",
            "1.5",
            "null",
            "\n",
            "  ",
            "\"",
            "\\",
            "\u{feff}",
        ];
        const SEEDS: [&str; 3] = [
            "[\n  {\"text\": \"a\", \"label\": \"x\"},\n  {\"text\": \"b\", \"label\": \"y\"}\n]",
            "{\n  \"prompt\": \"a\",\n  \"completion\": \"b\"\n}\n{\n  \"prompt\": \"c\",\n  \"completion\": \"d\"\n}\n",
            "[{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}]",
        ];
        let options = crate::ParseOptions {
            convert_json: true,
            ..crate::ParseOptions::default()
        };
        let mut rng = XorShift(0xC0FF_EE00_1234_5678);
        for case in 0..5_000 {
            let mut text = SEEDS[case % SEEDS.len()].to_owned();
            for _ in 0..rng.below(4) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, PIECES[rng.below(PIECES.len())]);
            }
            if let Ok(jsonl) = json_to_jsonl(&text) {
                for line in jsonl.lines() {
                    let value: serde_json::Value = serde_json::from_str(line).unwrap();
                    assert!(value.is_object(), "{line}");
                }
            }
            let name = if case % 2 == 0 { "r.json" } else { "r.jsonl" };
            if let Ok(dataset) = crate::parse_with(name, text.as_bytes(), &options) {
                let _ = to_chat_jsonl(&dataset, &ChatOptions::default());
                let _ = to_text_label_jsonl(&dataset);
                let _ = to_prompt_completion_jsonl(&dataset);
                let _ = to_csv(&dataset, ';');
                let _ = to_own_format(&dataset);
                let _ = crate::split_dataset(&dataset, 0.3, 1);
            }
        }
    }

    #[test]
    fn json_list_file_converts_end_to_end() {
        let bytes = "[\n  {\"texto\": \"me encanta\", \"etiqueta\": \"pos\"},\n  {\"texto\": \"lo odio\", \"etiqueta\": \"neg\"}\n]\n";
        assert!(matches!(
            parse("opiniones.json", bytes.as_bytes()),
            Err(crate::FileError::JsonArray { .. })
        ));
        let options = crate::ParseOptions {
            convert_json: true,
            ..crate::ParseOptions::default()
        };
        let dataset = crate::parse_with("opiniones.json", bytes.as_bytes(), &options).unwrap();
        assert_eq!(dataset.format, Format::Jsonl);
        assert!(
            dataset
                .findings
                .iter()
                .any(|finding| finding.code == "converted_json")
        );
        assert_eq!(
            dataset.rows.iter().map(|row| row.line).collect::<Vec<_>>(),
            [2, 3]
        );
        let converted = to_own_format(&dataset).unwrap();
        assert_eq!(
            converted.text,
            "{\"texto\":\"me encanta\",\"etiqueta\":\"pos\"}\n{\"texto\":\"lo odio\",\"etiqueta\":\"neg\"}\n"
        );
    }
}
