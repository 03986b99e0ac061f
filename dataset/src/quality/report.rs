//! A Markdown quality report of a dataset, in Spanish or English, written for someone on their
//! first fine-tuning course: what the file is, a summary, every finding grouped by its code
//! with the lines it is on, what to do next, and a token estimate.
//!
//! Everything that comes from the user (the file name, column names, labels, the texts quoted
//! in finding messages, the date) is escaped, so it cannot break the Markdown around it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::check::tokens::{self, TokenReport};
use crate::dataset::Dataset;
use crate::finding::{Finding, Severity};
use crate::format::Schema;
use crate::quality;
use crate::row::RowContent;

/// How many labels the label table shows before it says "and N more".
const SHOWN_LABELS: usize = 50;
/// A class smaller than a third of the largest one is "small" (the same rule as the
/// `class_imbalance` warning).
const MIN_CLASS_RATIO: usize = 3;
/// The number of valid rows the quality checks recommend.
const RECOMMENDED_ROWS: usize = 50;

/// The language a report is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportLanguage {
    /// Spanish (the default).
    #[default]
    Es,
    /// English.
    En,
}

/// How [`quality_report`] writes its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// The language of every text the report writes (finding messages included).
    pub language: ReportLanguage,
    /// The date to print under the title, as the caller wants it written (e.g. `2026-05-01`);
    /// not shown when `None`. The library reads no clock.
    pub date: Option<String>,
    /// How many occurrences of each finding are listed before "… and N more" (default 20).
    pub max_lines_per_finding: usize,
}

impl Default for ReportOptions {
    /// Spanish, no date, 20 occurrences per finding.
    fn default() -> Self {
        Self {
            language: ReportLanguage::Es,
            date: None,
            max_lines_per_finding: 20,
        }
    }
}

/// The quality report of `dataset` as a Markdown document.
///
/// It has, in `options.language`:
/// - a title with the file name, the date if given, the format, encoding and schema;
/// - a summary table: valid rows, errors, warnings, repeated rows when the findings report
///   them, and text lengths in characters (min / median / p90 / max; per conversation, with
///   the number of messages, for chat files);
/// - the rows per label with their share, and a note when the smallest class has less than a
///   third of the rows of the largest (classification data only);
/// - the findings grouped by code, errors first and then warnings, the largest groups first:
///   each group with its count and severity and each occurrence with its line and its message
///   (what is wrong and how to fix it), the first `options.max_lines_per_finding` of them and
///   then "… and N more";
/// - a short "what to do next" list derived from the findings;
/// - the token estimate of [`crate::check::tokens`] for each model it knows, at the list price.
pub fn quality_report(dataset: &Dataset, options: &ReportOptions) -> String {
    let mut report = Report {
        out: String::new(),
        language: options.language,
    };
    report.header(dataset, options.date.as_deref());
    let labels = label_counts(dataset);
    report.summary(dataset);
    if let Some(labels) = &labels {
        report.labels(labels);
    }
    report.findings(&dataset.findings, options.max_lines_per_finding);
    report.next_steps(dataset, labels.as_ref());
    report.tokens(dataset);
    report.out
}

/// Escapes `text` for Markdown: the characters that start emphasis, code, links, HTML,
/// headings, quotes and table cells get a backslash, and line breaks become spaces, so user
/// text shows as written and stays on its line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    let mut previous = None;
    while let Some(character) = characters.next() {
        let next = characters.peek().copied();
        match character {
            '\r' => {
                if next != Some('\n') {
                    out.push(' ');
                }
            }
            '\n' => out.push(' '),
            // Between two letters or digits (`file_name`) `_` cannot start or end emphasis.
            '_' if previous.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric) =>
            {
                out.push('_');
            }
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' | '&' | '~' => {
                out.push('\\');
                out.push(character);
            }
            _ if character.is_control() => out.push(' '),
            _ => out.push(character),
        }
        previous = Some(character);
    }
    out
}

/// Whether `dataset` has a finding with one of `codes`; if so, adds them to `covered`.
fn covers(dataset: &Dataset, covered: &mut Vec<&'static str>, codes: &[&'static str]) -> bool {
    let found = dataset
        .findings
        .iter()
        .any(|finding| codes.contains(&finding.code.as_str()));
    if found {
        covered.extend_from_slice(codes);
    }
    found
}

/// The rows per label, largest first (then by name), when the labels are classes.
fn label_counts(dataset: &Dataset) -> Option<Vec<(String, usize)>> {
    let labelled = quality::classification_labels(dataset)?;
    if labelled.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, label) in labelled {
        *counts.entry(label).or_insert(0) += 1;
    }
    let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
    sorted.sort_by(|first, second| second.1.cmp(&first.1).then(first.0.cmp(&second.0)));
    Some(sorted)
}

/// The labels with fewer than a third of the rows of the largest.
fn small_classes(labels: &[(String, usize)]) -> Vec<&(String, usize)> {
    let largest = labels.iter().map(|(_, count)| *count).max().unwrap_or(0);
    labels
        .iter()
        .filter(|(_, count)| count * MIN_CLASS_RATIO < largest)
        .collect()
}

/// Minimum, median, 90th percentile and maximum of some values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spread {
    min: usize,
    median: usize,
    p90: usize,
    max: usize,
}

impl Spread {
    fn of(mut values: Vec<usize>) -> Option<Self> {
        values.sort_unstable();
        let (&min, &max) = (values.first()?, values.last()?);
        let percentile = |share: f64| {
            let index = ((values.len() - 1) as f64 * share).round() as usize;
            values.get(index).copied().unwrap_or(max)
        };
        Some(Self {
            min,
            median: percentile(0.5),
            p90: percentile(0.9),
            max,
        })
    }
}

/// The findings of one code and severity, in file order.
struct Group<'finding> {
    severity: Severity,
    code: &'finding str,
    findings: Vec<&'finding Finding>,
}

/// The findings grouped by severity and code: errors first, then warnings; the largest groups
/// first, then by code.
fn groups(findings: &[Finding]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for finding in findings {
        let existing = groups
            .iter_mut()
            .find(|group| group.severity == finding.severity && group.code == finding.code);
        match existing {
            Some(group) => group.findings.push(finding),
            None => groups.push(Group {
                severity: finding.severity,
                code: &finding.code,
                findings: vec![finding],
            }),
        }
    }
    groups.sort_by(|first, second| {
        severity_rank(first.severity)
            .cmp(&severity_rank(second.severity))
            .then(second.findings.len().cmp(&first.findings.len()))
            .then(first.code.cmp(second.code))
    });
    groups
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

/// A short title for a finding code, as (English, Spanish); `None` for codes it does not know.
/// The app heads its groups of findings with it.
pub fn code_title(code: &str) -> Option<(&'static str, &'static str)> {
    let title = match code {
        // Rows left out or guessed while reading.
        "missing_label" => ("Missing label", "Falta la etiqueta"),
        "empty_text" => ("Empty text", "Texto vacío"),
        "invalid_text" => ("Text that is not text", "Texto mal escrito"),
        "invalid_label" => (
            "Label that is not a single value",
            "Etiqueta que no es un solo valor",
        ),
        "schema_mismatch" => ("Row of another kind", "Fila de otro tipo"),
        "data_type" => (
            "Line that is not a JSON object",
            "Línea que no es un objeto JSON",
        ),
        "invalid_json" => ("Broken JSON", "JSON roto"),
        "trailing_comma" => ("Comma after the object", "Coma después del objeto"),
        "blank_line" => ("Empty line", "Línea vacía"),
        "columns_guessed" => ("Columns guessed", "Columnas adivinadas"),
        "converted_json" => ("JSON read as JSON Lines", "JSON leído como JSON Lines"),
        "no_header_row" => ("No header row", "Sin fila de cabecera"),
        "ragged_row" => ("Wrong number of cells", "Número de celdas incorrecto"),
        "unclosed_quote" => ("Unclosed quote", "Comillas sin cerrar"),
        "encoding_fallback" => ("Encoding guessed", "Codificación adivinada"),
        "invalid_characters" => ("Unreadable characters", "Caracteres ilegibles"),
        "invalid_utf8" => ("Line that is not UTF-8", "Línea que no es UTF-8"),
        "missing_messages_list" => ("No messages list", "Falta la lista de mensajes"),
        "message_missing_key" => (
            "Message without role or content",
            "Mensaje sin rol o contenido",
        ),
        "message_unrecognized_key" => (
            "Unknown key in a message",
            "Clave desconocida en un mensaje",
        ),
        "missing_content" => ("Message without content", "Mensaje sin contenido"),
        "unrecognized_role" => ("Unknown role", "Rol desconocido"),
        "function_call" => ("Function call", "Llamada a función"),
        "example_missing_assistant_message" => (
            "Conversation without an assistant answer",
            "Conversación sin respuesta del asistente",
        ),
        "empty_prompt" => ("Empty prompt", "Pregunta vacía"),
        "empty_completion" => ("Empty completion", "Respuesta vacía"),
        "invalid_prompt" => ("Prompt that is not text", "Pregunta mal escrita"),
        "invalid_completion" => ("Completion that is not text", "Respuesta mal escrita"),
        // Quality warnings.
        "too_few_rows" => ("Far too few rows", "Muy pocas filas"),
        "few_rows" => ("Few rows", "Pocas filas"),
        "below_recommended_rows" => (
            "Fewer rows than recommended",
            "Menos filas de las recomendadas",
        ),
        "duplicate_row" => ("Repeated row", "Fila repetida"),
        "near_duplicate_text" => ("Nearly repeated text", "Texto casi repetido"),
        "similar_text" => ("Very similar text", "Texto muy parecido"),
        "conflicting_labels" => (
            "Same text, different labels",
            "Mismo texto, etiquetas distintas",
        ),
        "class_imbalance" => ("Unbalanced classes", "Clases desequilibradas"),
        "low_diversity" => ("Little variety", "Poca variedad"),
        "label_variants" => (
            "Label written in several ways",
            "Etiqueta escrita de varias formas",
        ),
        "short_assistant_answers" => ("Very short answers", "Respuestas muy cortas"),
        "missing_system_message" => ("No system message", "Sin mensaje de sistema"),
        "missing_user_message" => ("No user message", "Sin mensaje del usuario"),
        "inconsistent_answer_length" => (
            "Answers of very different lengths",
            "Respuestas de longitud muy distinta",
        ),
        "mixed_formality" => ("Mixed tú and usted", "Mezcla de tú y usted"),
        "inconsistent_emoji" => (
            "Emoji in some answers only",
            "Emojis solo en algunas respuestas",
        ),
        "personal_data" => ("Personal data", "Datos personales"),
        "mojibake" => ("Garbled characters", "Caracteres estropeados"),
        _ => return None,
    };
    Some(title)
}

/// The report being written, in one language.
struct Report {
    out: String,
    language: ReportLanguage,
}

impl Report {
    /// `en` or `es`, by the report's language.
    fn pick<'text>(&self, en: &'text str, es: &'text str) -> &'text str {
        match self.language {
            ReportLanguage::En => en,
            ReportLanguage::Es => es,
        }
    }

    /// The English or the Spanish one of two owned texts.
    fn choose(&self, en: String, es: String) -> String {
        match self.language {
            ReportLanguage::En => en,
            ReportLanguage::Es => es,
        }
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    /// A table row from already escaped cells.
    fn row(&mut self, cells: &[String]) {
        let line = format!("| {} |", cells.join(" | "));
        self.line(&line);
    }

    fn percent(&self, part: usize, whole: usize) -> String {
        let value = if whole == 0 {
            0.0
        } else {
            part as f64 * 100.0 / whole as f64
        };
        match self.language {
            ReportLanguage::En => format!("{value:.1}%"),
            ReportLanguage::Es => format!("{value:.1} %").replace('.', ","),
        }
    }

    fn money(&self, dollars: f64) -> String {
        match self.language {
            ReportLanguage::En => format!("${dollars:.2}"),
            ReportLanguage::Es => format!("{dollars:.2} US$").replace('.', ","),
        }
    }

    /// `"1 error"` / `"3 avisos"` in the report's language.
    fn severity_count(&self, severity: Severity, count: usize) -> String {
        let (en_one, en_many, es_one, es_many) = match severity {
            Severity::Error => ("error", "errors", "error", "errores"),
            Severity::Warning => ("warning", "warnings", "aviso", "avisos"),
        };
        let word = if count == 1 {
            self.pick(en_one, es_one)
        } else {
            self.pick(en_many, es_many)
        };
        format!("{count} {word}")
    }

    fn header(&mut self, dataset: &Dataset, date: Option<&str>) {
        let name = escape_markdown(&dataset.file_name);
        let title = self.choose(
            format!("# Quality report: {name}"),
            format!("# Informe de calidad: {name}"),
        );
        self.line(&title);
        self.blank();
        if let Some(date) = date {
            let date = escape_markdown(date);
            let line = self.choose(format!("Date: {date}"), format!("Fecha: {date}"));
            self.line(&line);
            self.blank();
        }
        let format = escape_markdown(&dataset.format.to_string());
        let encoding = escape_markdown(&dataset.encoding);
        let schema = self.schema(&dataset.schema);
        let lines = [
            self.choose(
                format!("- Format: {format}"),
                format!("- Formato: {format}"),
            ),
            self.choose(
                format!("- Encoding: {encoding}"),
                format!("- Codificación: {encoding}"),
            ),
            self.choose(
                format!("- Content: {schema}"),
                format!("- Contenido: {schema}"),
            ),
        ];
        for line in lines {
            self.line(&line);
        }
        self.blank();
    }

    fn schema(&self, schema: &Schema) -> String {
        match schema {
            Schema::TextLabel {
                text_column,
                label_column,
            } => {
                let (text, label) = (escape_markdown(text_column), escape_markdown(label_column));
                self.choose(
                    format!("texts with a label (text column “{text}”, label column “{label}”)"),
                    format!(
                        "textos con su etiqueta (columna de texto «{text}», columna de etiqueta «{label}»)"
                    ),
                )
            }
            Schema::Chat => self
                .pick(
                    "chat conversations (\"messages\")",
                    "conversaciones de chat (\"messages\")",
                )
                .to_owned(),
            Schema::PromptCompletion {
                prompt_column,
                completion_column,
            } => {
                let (prompt, completion) = (
                    escape_markdown(prompt_column),
                    escape_markdown(completion_column),
                );
                self.choose(
                    format!(
                        "prompts with their answer (prompt column “{prompt}”, answer column “{completion}”)"
                    ),
                    format!(
                        "preguntas con su respuesta (columna de pregunta «{prompt}», columna de respuesta «{completion}»)"
                    ),
                )
            }
        }
    }

    fn summary(&mut self, dataset: &Dataset) {
        let heading = self.pick("## Summary", "## Resumen");
        self.line(heading);
        self.blank();
        let header = [
            self.pick("Measure", "Dato").to_owned(),
            self.pick("Value", "Valor").to_owned(),
        ];
        self.row(&header);
        self.line("| --- | --- |");
        let rows = [
            (
                self.pick("Valid rows", "Filas válidas"),
                dataset.rows.len().to_string(),
            ),
            (
                self.pick("Errors (rows left out)", "Errores (filas que se descartan)"),
                dataset.error_count().to_string(),
            ),
            (
                self.pick("Warnings", "Avisos"),
                dataset.warning_count().to_string(),
            ),
        ];
        for (name, value) in rows {
            self.row(&[name.to_owned(), value]);
        }
        let count_code = |code: &str| {
            dataset
                .findings
                .iter()
                .filter(|finding| finding.code == code)
                .count()
        };
        let exact = count_code("duplicate_row");
        let near = count_code("near_duplicate_text") + count_code("similar_text");
        if exact > 0 {
            let name = self.pick("Exact repeated rows", "Filas repetidas exactas");
            self.row(&[name.to_owned(), exact.to_string()]);
        }
        if near > 0 {
            let name = self.pick(
                "Nearly repeated or very similar rows",
                "Filas casi repetidas o muy parecidas",
            );
            self.row(&[name.to_owned(), near.to_string()]);
        }
        self.lengths(dataset);
        self.blank();
    }

    /// The length rows of the summary table.
    fn lengths(&mut self, dataset: &Dataset) {
        let chat = !matches!(dataset.schema, Schema::TextLabel { .. });
        let (characters, messages): (Vec<usize>, Vec<usize>) = dataset
            .rows
            .iter()
            .map(|row| match &row.content {
                RowContent::TextLabel { text, .. } => (text.chars().count(), 1),
                RowContent::Chat { messages } => (
                    messages
                        .iter()
                        .map(|message| message.content.chars().count())
                        .sum(),
                    messages.len(),
                ),
            })
            .unzip();
        let name = if chat {
            self.pick(
                "Conversation length in characters (min / median / p90 / max)",
                "Longitud de cada conversación en caracteres (mín. / mediana / p90 / máx.)",
            )
        } else {
            self.pick(
                "Text length in characters (min / median / p90 / max)",
                "Longitud del texto en caracteres (mín. / mediana / p90 / máx.)",
            )
        };
        let value = Spread::of(characters).map_or_else(|| "—".to_owned(), spread_text);
        self.row(&[name.to_owned(), value]);
        if matches!(dataset.schema, Schema::Chat) {
            let name = self.pick(
                "Messages per conversation (min / median / p90 / max)",
                "Mensajes por conversación (mín. / mediana / p90 / máx.)",
            );
            let value = Spread::of(messages).map_or_else(|| "—".to_owned(), spread_text);
            self.row(&[name.to_owned(), value]);
        }
    }

    fn labels(&mut self, labels: &[(String, usize)]) {
        let heading = self.pick("## Labels", "## Etiquetas");
        self.line(heading);
        self.blank();
        let total: usize = labels.iter().map(|(_, count)| count).sum();
        let header = [
            self.pick("Label", "Etiqueta").to_owned(),
            self.pick("Rows", "Filas").to_owned(),
            self.pick("Share", "Porcentaje").to_owned(),
        ];
        self.row(&header);
        self.line("| --- | ---: | ---: |");
        for (label, count) in labels.iter().take(SHOWN_LABELS) {
            let cells = [
                escape_markdown(label),
                count.to_string(),
                self.percent(*count, total),
            ];
            self.row(&cells);
        }
        let hidden = labels.len().saturating_sub(SHOWN_LABELS);
        if hidden > 0 {
            let more = self.choose(
                format!("… and {hidden} more labels"),
                format!("… y {hidden} etiquetas más"),
            );
            self.row(&[more, String::new(), String::new()]);
        }
        self.blank();
        let distinct = self.choose(
            format!("{} different labels.", labels.len()),
            format!("{} etiquetas distintas.", labels.len()),
        );
        self.line(&distinct);
        let small = small_classes(labels);
        if let (false, Some((largest, largest_count))) = (small.is_empty(), labels.first()) {
            let listed = small
                .iter()
                .map(|(label, count)| format!("{} ({count})", escape_markdown(label)))
                .collect::<Vec<_>>()
                .join(", ");
            let largest = escape_markdown(largest);
            let note = self.choose(
                format!(
                    "> **Note: the classes are unbalanced.** {listed} {} less than a third of the \
                     rows of {largest} ({largest_count}). The model will tend to guess the big \
                     classes: add examples of the small ones.",
                    if small.len() == 1 { "has" } else { "have" }
                ),
                format!(
                    "> **Nota: las clases están desequilibradas.** {listed} {} menos de un tercio \
                     de las filas de {largest} ({largest_count}). El modelo tenderá a adivinar las \
                     clases grandes: añade ejemplos de las pequeñas.",
                    if small.len() == 1 { "tiene" } else { "tienen" }
                ),
            );
            self.blank();
            self.line(&note);
        }
        self.blank();
    }

    fn findings(&mut self, findings: &[Finding], max_lines: usize) {
        let heading = self.pick("## Findings", "## Problemas encontrados");
        self.line(heading);
        self.blank();
        if findings.is_empty() {
            let none = self.pick(
                "No problems were found.",
                "No se ha encontrado ningún problema.",
            );
            self.line(none);
            self.blank();
            return;
        }
        let intro = self.pick(
            "Errors first (those rows are left out of training), then warnings (the rows are kept, \
             but something looks wrong). Each entry says what is wrong and how to fix it.",
            "Primero los errores (esas filas se quedan fuera del entrenamiento) y después los avisos \
             (las filas se usan, pero algo parece estar mal). Cada entrada explica qué pasa y cómo \
             arreglarlo.",
        );
        self.line(intro);
        self.blank();
        for group in groups(findings) {
            self.group(&group, max_lines);
        }
    }

    fn group(&mut self, group: &Group<'_>, max_lines: usize) {
        let title = code_title(group.code).map_or_else(
            || escape_markdown(group.code),
            |(en, es)| self.pick(en, es).to_owned(),
        );
        let count = self.severity_count(group.severity, group.findings.len());
        // Codes are the crate's own snake_case words; keep the backticks safe anyway.
        let code = group.code.replace('`', "'");
        self.line(&format!("### {title} · {count} · `{code}`"));
        self.blank();
        for finding in group.findings.iter().take(max_lines) {
            let place = self.place(finding);
            let message = match self.language {
                ReportLanguage::En => &finding.message.en,
                ReportLanguage::Es => &finding.message.es,
            };
            self.line(&format!("- {place}: {}", escape_markdown(message)));
        }
        let hidden = group.findings.len().saturating_sub(max_lines);
        if hidden > 0 {
            let more = self.choose(
                format!("- … and {hidden} more"),
                format!("- … y {hidden} más"),
            );
            self.line(&more);
        }
        self.blank();
    }

    /// `**Line 12** (text)` / `**Whole file**`.
    fn place(&self, finding: &Finding) -> String {
        let mut place = match (finding.line, finding.column) {
            (Some(line), Some(column)) => self.choose(
                format!("**Line {line}, column {column}**"),
                format!("**Línea {line}, columna {column}**"),
            ),
            (Some(line), None) => {
                self.choose(format!("**Line {line}**"), format!("**Línea {line}**"))
            }
            (None, _) => self
                .pick("**Whole file**", "**Todo el archivo**")
                .to_owned(),
        };
        if let Some(field) = &finding.field {
            place.push_str(&format!(" ({})", escape_markdown(field)));
        }
        place
    }

    fn next_steps(&mut self, dataset: &Dataset, labels: Option<&Vec<(String, usize)>>) {
        let heading = self.pick("## What to do next", "## Qué hacer ahora");
        self.line(heading);
        self.blank();
        // The codes that got a step of their own.
        let mut covered: Vec<&str> = Vec::new();

        let mut steps: Vec<String> = Vec::new();
        let errors = dataset.error_count();
        if errors > 0 {
            steps.push(self.choose(
                format!(
                    "Fix the {} first: those rows are left out of training. Each one above says its \
                     line and what to change.",
                    self.severity_count(Severity::Error, errors)
                ),
                format!(
                    "Corrige primero {}: esas filas se quedan fuera del entrenamiento. Arriba cada \
                     uno dice su línea y qué cambiar.",
                    match errors {
                        1 => "el error".to_owned(),
                        _ => format!("los {errors} errores"),
                    }
                ),
            ));
        }
        if covers(
            dataset,
            &mut covered,
            &["too_few_rows", "few_rows", "below_recommended_rows"],
        ) {
            let rows = dataset.rows.len();
            steps.push(self.choose(
                format!(
                    "Add examples: there are {rows} valid rows and at least {RECOMMENDED_ROWS} are \
                     recommended."
                ),
                format!(
                    "Añade ejemplos: hay {rows} filas válidas y se recomiendan al menos \
                     {RECOMMENDED_ROWS}."
                ),
            ));
        }
        if covers(dataset, &mut covered, &["label_variants"]) {
            steps.push(
                self.pick(
                    "Write each label always the same way (same capitals, accents and spaces), or \
                     use the merge-labels fix.",
                    "Escribe cada etiqueta siempre igual (mismas mayúsculas, tildes y espacios), o \
                     usa la corrección de unir etiquetas.",
                )
                .to_owned(),
            );
        }
        if let Some(labels) = labels {
            let small = small_classes(labels);
            if !small.is_empty() {
                covered.push("class_imbalance");
                let listed = small
                    .iter()
                    .map(|(label, count)| format!("{} ({count})", escape_markdown(label)))
                    .collect::<Vec<_>>()
                    .join(", ");
                steps.push(self.choose(
                    format!(
                        "Add rows to the small classes: {listed}. Each should have at least a third \
                         of the rows of the largest."
                    ),
                    format!(
                        "Añade filas a las clases pequeñas: {listed}. Cada una debería tener al \
                         menos un tercio de las filas de la mayor."
                    ),
                ));
            }
        }
        if covers(dataset, &mut covered, &["conflicting_labels"]) {
            steps.push(
                self.pick(
                    "Decide the right label for the texts that appear with two different labels.",
                    "Decide la etiqueta correcta de los textos que aparecen con dos etiquetas \
                     distintas.",
                )
                .to_owned(),
            );
        }
        if covers(
            dataset,
            &mut covered,
            &[
                "duplicate_row",
                "near_duplicate_text",
                "similar_text",
                "low_diversity",
            ],
        ) {
            steps.push(
                self.pick(
                    "Delete repeated rows and replace near copies with really different examples.",
                    "Borra las filas repetidas y cambia las casi copias por ejemplos realmente \
                     distintos.",
                )
                .to_owned(),
            );
        }
        if covers(dataset, &mut covered, &["personal_data"]) {
            steps.push(
                self.pick(
                    "Remove or mask the personal data (emails, phone numbers, IDs, keys) before \
                     training or sharing the file.",
                    "Quita o tapa los datos personales (correos, teléfonos, documentos, claves) \
                     antes de entrenar o compartir el archivo.",
                )
                .to_owned(),
            );
        }
        if covers(
            dataset,
            &mut covered,
            &[
                "mojibake",
                "encoding_fallback",
                "invalid_characters",
                "invalid_utf8",
            ],
        ) {
            steps.push(
                self.pick(
                    "Repair the garbled characters and save the file as UTF-8.",
                    "Repara los caracteres estropeados y guarda el archivo en UTF-8.",
                )
                .to_owned(),
            );
        }
        if covers(
            dataset,
            &mut covered,
            &[
                "short_assistant_answers",
                "missing_system_message",
                "missing_user_message",
                "inconsistent_answer_length",
                "mixed_formality",
                "inconsistent_emoji",
            ],
        ) {
            steps.push(
                self.pick(
                    "Make the conversations consistent: the same system message, a user message in \
                     each, and answers of a similar length and tone.",
                    "Haz que las conversaciones sean coherentes: el mismo mensaje de sistema, un \
                     mensaje del usuario en cada una y respuestas de longitud y tono parecidos.",
                )
                .to_owned(),
            );
        }
        let over_limit = tokens::MODELS.first().and_then(|model| {
            let report = tokens::dataset_token_counts(dataset)
                .report(model, model.usd_per_million_training_tokens)?;
            (report.over_limit > 0).then_some(report)
        });
        if let Some(report) = over_limit {
            let (over, limit, model) = (report.over_limit, report.limit, &report.model);
            steps.push(self.choose(
                format!(
                    "Shorten the {over} examples over the {limit}-token limit of {model}: they \
                     would be cut."
                ),
                format!(
                    "Acorta los {over} ejemplos que pasan del límite de {limit} tokens de {model}: \
                     se cortarían."
                ),
            ));
        }
        let other_warnings = dataset.findings.iter().any(|finding| {
            finding.severity == Severity::Warning && !covered.contains(&finding.code.as_str())
        });
        if other_warnings {
            steps.push(
                self.pick(
                    "Read the other warnings above: they do not stop training, but fixing them \
                     makes a better model.",
                    "Lee los demás avisos de arriba: no impiden entrenar, pero arreglarlos da un \
                     modelo mejor.",
                )
                .to_owned(),
            );
        }
        if errors == 0 && !dataset.rows.is_empty() {
            steps.push(
                self.pick(
                    "When you are happy with the data, split it into training and validation and \
                     train a model.",
                    "Cuando los datos te convenzan, sepáralos en entrenamiento y validación y \
                     entrena un modelo.",
                )
                .to_owned(),
            );
        }
        if dataset.findings.is_empty() && !dataset.rows.is_empty() {
            let ready = self.pick(
                "No problems found: the file is ready to use.",
                "No hay problemas: el archivo está listo para usarse.",
            );
            steps.insert(0, ready.to_owned());
        }
        for (number, step) in steps.iter().enumerate() {
            self.line(&format!("{}. {step}", number + 1));
        }
        self.blank();
    }

    fn tokens(&mut self, dataset: &Dataset) {
        let choices = tokens::MODELS
            .iter()
            .map(|model| (*model, model.usd_per_million_training_tokens));
        let reports = tokens::dataset_token_counts(dataset).reports(choices);
        let Some(first) = reports.first() else {
            return;
        };
        let heading = self.pick("## Tokens (estimate)", "## Tokens (estimación)");
        self.line(heading);
        self.blank();
        let intro = self.choose(
            format!(
                "About {} characters per token, counting each row as the chat conversation it \
                 becomes: {} tokens in {} examples ({} to {} per example, median {}). OpenAI picks \
                 {} epochs by default for this many examples. Prices are the 2025 list prices: \
                 check the current ones.",
                tokens::CHARS_PER_TOKEN,
                first.total,
                first.examples,
                first.min,
                first.max,
                first.median,
                first.epochs
            ),
            format!(
                "Unos {} caracteres por token, contando cada fila como la conversación de chat en \
                 que se convierte: {} tokens en {} ejemplos (de {} a {} por ejemplo, mediana {}). \
                 OpenAI elige {} épocas por defecto para tantos ejemplos. Los precios son los de \
                 lista de 2025: comprueba los actuales.",
                tokens::CHARS_PER_TOKEN,
                first.total,
                first.examples,
                first.min,
                first.max,
                first.median,
                first.epochs
            ),
        );
        self.line(&intro);
        self.blank();
        let header = [
            self.pick("Model", "Modelo").to_owned(),
            self.pick("Over the limit", "Pasan del límite").to_owned(),
            self.pick("Billed tokens", "Tokens facturados").to_owned(),
            self.pick("Approx. cost", "Coste aprox.").to_owned(),
        ];
        self.row(&header);
        self.line("| --- | ---: | ---: | ---: |");
        for report in &reports {
            self.token_row(report);
        }
        self.blank();
    }

    fn token_row(&mut self, report: &TokenReport) {
        let cells = [
            escape_markdown(&report.model),
            report.over_limit.to_string(),
            report.billed_tokens.to_string(),
            self.money(report.cost_usd),
        ];
        self.row(&cells);
    }
}

/// `"12 / 40 / 85 / 120"`.
fn spread_text(spread: Spread) -> String {
    format!(
        "{} / {} / {} / {}",
        spread.min, spread.median, spread.p90, spread.max
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Message;
    use crate::format::Format;
    use crate::test_support::parse;
    use crate::test_support::text_row;

    fn report(text: &str, file: &str, language: ReportLanguage) -> String {
        let dataset = parse(file, text.as_bytes()).unwrap();
        quality_report(
            &dataset,
            &ReportOptions {
                language,
                ..ReportOptions::default()
            },
        )
    }

    /// `count` distinct rows alternating two labels, `ratio` positives per negative.
    fn reviews(count: usize, ratio: usize) -> String {
        let mut csv = String::from("texto,etiqueta\n");
        for index in 0..count {
            let label = if index % (ratio + 1) == 0 {
                "negativo"
            } else {
                "positivo"
            };
            csv.push_str(&format!(
                "reseña número {index} con {} palabras distintas,{label}\n",
                "muchas ".repeat(index % 5)
            ));
        }
        csv
    }

    #[test]
    fn defaults() {
        let options = ReportOptions::default();
        assert_eq!(options.language, ReportLanguage::Es);
        assert_eq!(options.date, None);
        assert_eq!(options.max_lines_per_finding, 20);
    }

    #[test]
    fn both_languages_have_the_same_sections() {
        let csv = "texto,etiqueta\nme encanta,positivo\n,positivo\nlo odio,negativo\n";
        let es = report(csv, "a.csv", ReportLanguage::Es);
        let en = report(csv, "a.csv", ReportLanguage::En);
        for heading in [
            "# Informe de calidad: a.csv",
            "## Resumen",
            "## Etiquetas",
            "## Problemas encontrados",
            "## Qué hacer ahora",
            "## Tokens (estimación)",
            "| Filas válidas | 2 |",
            "| Errores (filas que se descartan) | 1 |",
            "### Texto vacío · 1 error · `empty_text`",
            "- **Línea 3** (texto): ",
            "columna de texto «texto»",
        ] {
            assert!(es.contains(heading), "{heading}\n{es}");
        }
        for heading in [
            "# Quality report: a.csv",
            "## Summary",
            "## Labels",
            "## Findings",
            "## What to do next",
            "## Tokens (estimate)",
            "| Valid rows | 2 |",
            "| Errors (rows left out) | 1 |",
            "### Empty text · 1 error · `empty_text`",
            "- **Line 3** (texto): ",
        ] {
            assert!(en.contains(heading), "{heading}\n{en}");
        }
        assert!(es.contains("| positivo | 1 | 50,0 % |"), "{es}");
        assert!(en.contains("| positivo | 1 | 50.0% |"), "{en}");
        // The finding messages are the ones of the chosen language.
        let dataset = parse("a.csv", csv.as_bytes()).unwrap();
        let finding = &dataset.findings[0];
        assert!(es.contains(&escape_markdown(&finding.message.es)));
        assert!(en.contains(&escape_markdown(&finding.message.en)));
        assert!(!es.contains(&escape_markdown(&finding.message.en)));
        assert!(es.starts_with("# Informe"));
        assert!(!es.contains("Fecha:"), "no date unless given");
    }

    #[test]
    fn date_format_encoding_and_schema() {
        let dataset = parse("a.csv", "texto;etiqueta\nhola;a\nadiós;b\n".as_bytes()).unwrap();
        let options = ReportOptions {
            language: ReportLanguage::En,
            date: Some("2026-05-01".into()),
            max_lines_per_finding: 20,
        };
        let text = quality_report(&dataset, &options);
        assert!(text.contains("Date: 2026-05-01"), "{text}");
        assert!(text.contains("- Format: CSV (;)"), "{text}");
        assert!(text.contains("- Encoding: UTF-8"), "{text}");
        assert!(text.contains("text column “texto”, label column “etiqueta”"));
    }

    fn finding(severity: Severity, line: Option<usize>, code: &str) -> Finding {
        let message = Message::new(format!("en {code} {line:?}"), format!("es {code} {line:?}"));
        match (severity, line) {
            (Severity::Error, Some(line)) => Finding::error("a.csv", line, code, message),
            _ => Finding::warning("a.csv", line, code, message),
        }
    }

    fn hand_made(findings: Vec<Finding>) -> Dataset {
        Dataset {
            file_name: "a.csv".into(),
            format: Format::Csv { delimiter: ',' },
            schema: Schema::TextLabel {
                text_column: "text".into(),
                label_column: "label".into(),
            },
            encoding: "UTF-8".into(),
            rows: (0..60)
                .map(|index| {
                    let label = if index % 2 == 0 { "pos" } else { "neg" };
                    text_row(index + 2, &format!("row {index}"), label)
                })
                .collect(),
            findings,
        }
    }

    #[test]
    fn groups_errors_first_then_by_size_and_caps_the_lines() {
        let mut findings = vec![
            finding(Severity::Warning, None, "low_diversity"),
            finding(Severity::Warning, Some(3), "duplicate_row"),
            finding(Severity::Warning, Some(4), "duplicate_row"),
        ];
        findings.extend((10..40).map(|line| finding(Severity::Error, Some(line), "missing_label")));
        findings.push(finding(Severity::Error, Some(50), "ragged_row"));
        findings.push(finding(Severity::Warning, Some(5), "duplicate_row"));
        let dataset = hand_made(findings);
        let options = ReportOptions {
            language: ReportLanguage::En,
            date: None,
            max_lines_per_finding: 4,
        };
        let text = quality_report(&dataset, &options);
        let headings: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("### "))
            .collect();
        assert_eq!(
            headings,
            [
                "### Missing label · 30 errors · `missing_label`",
                "### Wrong number of cells · 1 error · `ragged_row`",
                "### Repeated row · 3 warnings · `duplicate_row`",
                "### Little variety · 1 warning · `low_diversity`",
            ]
        );
        // Capped at 4 lines, in file order, then "… and N more".
        let missing: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.contains("`missing_label`"))
            .skip(2)
            .take_while(|line| !line.is_empty())
            .collect();
        assert_eq!(
            missing,
            [
                "- **Line 10**: en missing_label Some(10)",
                "- **Line 11**: en missing_label Some(11)",
                "- **Line 12**: en missing_label Some(12)",
                "- **Line 13**: en missing_label Some(13)",
                "- … and 26 more",
            ]
        );
        assert!(text.contains("- **Whole file**: en low_diversity None"));
        assert!(text.contains("| Exact repeated rows | 3 |"), "{text}");
        let steps = text
            .split("## What to do next")
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        assert!(
            steps.starts_with("\n\n1. Fix the 31 errors first"),
            "{steps}"
        );
        assert!(steps.contains("Delete repeated rows"), "{steps}");

        let spanish = quality_report(
            &dataset,
            &ReportOptions {
                max_lines_per_finding: 0,
                ..ReportOptions::default()
            },
        );
        assert!(spanish.contains("### Falta la etiqueta · 30 errores · `missing_label`"));
        assert!(spanish.contains("- … y 30 más"), "{spanish}");
        assert!(spanish.contains("### Fila repetida · 3 avisos · `duplicate_row`"));
        assert!(
            spanish.contains("1. Corrige primero los 31 errores"),
            "{spanish}"
        );
    }

    #[test]
    fn unknown_codes_are_titled_by_the_code() {
        let dataset = hand_made(vec![finding(Severity::Warning, Some(2), "brand_new")]);
        let text = quality_report(&dataset, &ReportOptions::default());
        assert!(
            text.contains("### brand_new · 1 aviso · `brand_new`"),
            "{text}"
        );
    }

    #[test]
    fn a_clean_dataset_says_so() {
        let text = report(&reviews(60, 1), "limpio.csv", ReportLanguage::Es);
        assert!(
            text.contains("No se ha encontrado ningún problema."),
            "{text}"
        );
        assert!(
            text.contains("1. No hay problemas: el archivo está listo"),
            "{text}"
        );
        assert!(text.contains("| Errores (filas que se descartan) | 0 |"));
        assert!(text.contains("| Avisos | 0 |"));
        assert!(!text.contains("###"), "no finding groups: {text}");
        assert!(!text.contains("desequilibradas"), "{text}");
        assert!(!text.contains("repetidas"), "no duplicate row: {text}");
        assert!(text.contains("| gpt-4o-mini-2024-07-18 | 0 |"), "{text}");
    }

    #[test]
    fn imbalance_gets_a_note_and_a_step() {
        let text = report(&reviews(80, 4), "a.csv", ReportLanguage::En);
        assert!(text.contains("| positivo | 64 | 80.0% |"), "{text}");
        assert!(text.contains("| negativo | 16 | 20.0% |"), "{text}");
        assert!(text.contains("**Note: the classes are unbalanced.** negativo (16) has"));
        assert!(text.contains("Add rows to the small classes: negativo (16)."));
        // A ratio of 2 to 1 is not imbalance.
        let text = report(&reviews(90, 2), "a.csv", ReportLanguage::En);
        assert!(!text.contains("unbalanced"), "{text}");
    }

    #[test]
    fn text_lengths_are_min_median_p90_max() {
        let csv = "text,label\na,x\nbb,y\nccc,x\ndddd,y\neeeeeeeeee,x\n";
        let text = report(csv, "a.csv", ReportLanguage::En);
        assert!(
            text.contains(
                "| Text length in characters (min / median / p90 / max) | 1 / 3 / 10 / 10 |"
            ),
            "{text}"
        );
        assert_eq!(
            Spread::of((1..=100).collect()),
            Some(Spread {
                min: 1,
                median: 51,
                p90: 90,
                max: 100
            })
        );
        assert_eq!(Spread::of(Vec::new()), None);
    }

    #[test]
    fn a_chat_dataset_counts_conversations_and_messages() {
        let conversation = |question: &str, answer: &str, system: bool| {
            let system = if system {
                r#"{"role": "system", "content": "Eres amable."}, "#
            } else {
                ""
            };
            format!(
                "{{\"messages\": [{system}{{\"role\": \"user\", \"content\": \"{question}\"}}, {{\"role\": \"assistant\", \"content\": \"{answer}\"}}]}}\n"
            )
        };
        let jsonl = [
            conversation("¿Abrís el domingo?", "Sí, de diez a dos.", true),
            conversation("¿Hacéis envíos?", "Sí, a toda España en 48 horas.", true),
            conversation("¿Aceptáis tarjeta?", "Sí, todas.", false),
        ]
        .concat();
        let text = report(&jsonl, "faq.jsonl", ReportLanguage::Es);
        assert!(text.contains("- Formato: JSONL"), "{text}");
        assert!(text.contains("conversaciones de chat"), "{text}");
        assert!(
            text.contains("| Longitud de cada conversación en caracteres (mín. / mediana / p90 / máx.) | 28 / 48 / 57 / 57 |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| Mensajes por conversación (mín. / mediana / p90 / máx.) | 2 / 3 / 3 / 3 |"
            ),
            "{text}"
        );
        // Free-form answers are not classes: no label table.
        assert!(!text.contains("## Etiquetas"), "{text}");
        assert!(text.contains("`missing_system_message`"), "{text}");
        assert!(
            text.contains("Haz que las conversaciones sean coherentes"),
            "{text}"
        );
        assert!(text.contains("`too_few_rows`"), "{text}");
        assert!(
            text.contains("Añade ejemplos: hay 3 filas válidas"),
            "{text}"
        );
    }

    #[test]
    fn user_text_cannot_break_the_markdown() {
        let csv = "texto,etiqueta\n\
                   uno,\"a|b\"\n\
                   dos,# título\n\
                   tres,`code`\n\
                   cuatro,<script>alert(1)</script>\n\
                   cinco,[x](http://e.invalid)\n";
        let text = report(csv, "#<b>mal|nombre`.csv", ReportLanguage::Es);
        assert!(
            text.starts_with("# Informe de calidad: \\#\\<b\\>mal\\|nombre\\`.csv\n"),
            "{text}"
        );
        for escaped in [
            "| a\\|b | 1 |",
            "| \\# título | 1 |",
            "| \\`code\\` | 1 |",
            "| \\<script\\>alert(1)\\</script\\> | 1 |",
            "| \\[x\\](http://e.invalid) | 1 |",
        ] {
            assert!(text.contains(escaped), "{escaped}\n{text}");
        }
        assert!(!text.contains("<script>"), "{text}");
        for line in text.lines() {
            // Every table row has as many unescaped pipes as its table's header.
            if line.starts_with("| ") && line.contains("%") {
                assert_eq!(unescaped_pipes(line), 4, "{line}");
            }
        }
        // Line breaks and dates from the caller are flattened and escaped too.
        assert_eq!(escape_markdown("a\r\nb\nc\rd\u{0}e"), "a b c d e");
        assert_eq!(escape_markdown("mi_archivo_2.csv"), "mi_archivo_2.csv");
        assert_eq!(escape_markdown("_hola_ *sí*"), "\\_hola\\_ \\*sí\\*");
        assert_eq!(escape_markdown("a_ _b"), "a\\_ \\_b");
        let dataset = parse("a.csv", "t,l\nx,y\n".as_bytes()).unwrap();
        let options = ReportOptions {
            date: Some("2026\n# hack".into()),
            ..ReportOptions::default()
        };
        let text = quality_report(&dataset, &options);
        assert!(text.contains("Fecha: 2026 \\# hack\n"), "{text}");
        assert!(!text.lines().any(|line| line.starts_with("# hack")));
    }

    fn unescaped_pipes(line: &str) -> usize {
        let mut count = 0;
        let mut escaped = false;
        for character in line.chars() {
            match character {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count
    }

    #[test]
    fn an_empty_dataset_still_makes_a_report() {
        let text = report("texto,etiqueta\n,positivo\n", "a.csv", ReportLanguage::En);
        assert!(text.contains("| Valid rows | 0 |"), "{text}");
        assert!(text.contains("| Text length in characters (min / median / p90 / max) | — |"));
        assert!(!text.contains("## Labels"), "{text}");
        assert!(!text.contains("## Tokens"), "{text}");
        assert!(!text.contains("split it into training"), "{text}");
    }

    #[test]
    fn many_labels_are_capped() {
        let mut csv = String::from("text,label\n");
        for index in 0..(SHOWN_LABELS + 5) {
            csv.push_str(&format!("text {index},label{index}\n"));
        }
        let text = report(&csv, "a.csv", ReportLanguage::En);
        assert!(text.contains("| … and 5 more labels |  |  |"), "{text}");
        assert!(text.contains(&format!("{} different labels.", SHOWN_LABELS + 5)));
    }
}
