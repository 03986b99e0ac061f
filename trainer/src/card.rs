//! Markdown model cards in English or Spanish, and a rough guess of the texts' language mix.

use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;
use crate::metrics::{Metrics, Misclassified};

/// Classes with less recall than this are named in "Known limits".
const LOW_RECALL: f32 = 0.7;
/// Classes with fewer validation rows than this get a "figures are uncertain" note.
const SMALL_SUPPORT: usize = 30;
/// Languages with at least this share count towards a mixed-language note.
const NOTABLE_LANGUAGE_SHARE: f32 = 0.1;
/// Accuracy less than this above the majority baseline is "barely better".
const BASELINE_MARGIN: f32 = 0.05;
/// Misclassified examples shown at most.
const SHOWN_MISTAKES: usize = 5;
/// Characters of an example text shown before it is cut with "…".
const SHOWN_TEXT_CHARS: usize = 120;

/// The language a model card is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    /// English.
    En,
    /// Spanish.
    Es,
}

/// What the model was trained on, as the caller counted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// Name of the file the rows came from.
    pub source: String,
    /// Rows used for training.
    pub training_rows: usize,
    /// Rows held out for validation.
    pub validation_rows: usize,
    /// Every label with its number of rows (training and validation together, or as the caller
    /// chooses), in the order to show them.
    pub label_counts: Vec<(String, usize)>,
    /// Fingerprint of the data, to tell which version of the file was used.
    pub fingerprint: String,
}

/// Everything a model card shows. It borrows the caller's values, so building one copies
/// nothing; the caller fills every field (the library reads no clock and no files).
#[derive(Debug, Clone, Copy)]
pub struct CardInput<'a> {
    /// The model's name, used as the card's title.
    pub title: &'a str,
    /// The date to print, as the caller wants it written (e.g. "2026-11-22").
    pub date: &'a str,
    /// The data the model was trained on.
    pub data: &'a DataSummary,
    /// Training settings as (name, value) pairs, in the order to show them.
    pub settings: &'a [(String, String)],
    /// Metrics on the validation split.
    pub validation: &'a Metrics,
    /// Temperature scaling and calibration error, if measured.
    pub calibration: Option<&'a Calibration>,
    /// The most confidently wrong validation rows (from
    /// [`misclassified`](crate::metrics::misclassified)); the first five are shown.
    pub misclassified: &'a [Misclassified],
    /// Share of each language in the texts (from [`language_mix`]), largest first.
    pub language_mix: &'a [(String, f32)],
}

/// The card's fixed wording in one language. Templates name their blanks in braces
/// (`{label}`), filled by [`fill`] in a single pass so user text is never re-read as a blank.
struct Texts {
    decimal_comma: bool,
    percent_space: bool,
    title: &'static str,
    generated_on: &'static str,
    data: &'static str,
    source: &'static str,
    training_rows: &'static str,
    validation_rows: &'static str,
    fingerprint: &'static str,
    label: &'static str,
    rows: &'static str,
    share: &'static str,
    no_labels: &'static str,
    settings: &'static str,
    setting: &'static str,
    value: &'static str,
    no_settings: &'static str,
    results: &'static str,
    no_validation: &'static str,
    measure: &'static str,
    before: &'static str,
    after: &'static str,
    accuracy: &'static str,
    macro_f1: &'static str,
    weighted_f1: &'static str,
    per_class: &'static str,
    precision: &'static str,
    recall: &'static str,
    f1: &'static str,
    support: &'static str,
    confusion: &'static str,
    confusion_note: &'static str,
    confusion_corner: &'static str,
    mistakes: &'static str,
    text: &'static str,
    true_label: &'static str,
    predicted: &'static str,
    confidence: &'static str,
    calibration: &'static str,
    temperature: &'static str,
    ece_before: &'static str,
    ece_after: &'static str,
    ece_explained: &'static str,
    over_confident: &'static str,
    under_confident: &'static str,
    no_calibration: &'static str,
    limits: &'static str,
    low_recall: &'static str,
    small_class: &'static str,
    mixed_languages: &'static str,
    barely_better: &'static str,
    not_better: &'static str,
    general_rows: &'static str,
    general_bag: &'static str,
    general_bias: &'static str,
    intended_use: &'static str,
    intended_use_text: &'static str,
    languages: &'static [(&'static str, &'static str)],
}

const ENGLISH: Texts = Texts {
    decimal_comma: false,
    percent_space: false,
    title: "Model card: {title}",
    generated_on: "Written on {date}.",
    data: "Data",
    source: "Source file",
    training_rows: "Rows used for training",
    validation_rows: "Rows used for validation",
    fingerprint: "Data fingerprint",
    label: "Label",
    rows: "Rows",
    share: "Share",
    no_labels: "No label counts were recorded.",
    settings: "Training settings",
    setting: "Setting",
    value: "Value",
    no_settings: "No settings were recorded.",
    results: "Results on the validation split",
    no_validation: "There were no validation rows, so there are no results to show.",
    measure: "Measure",
    before: "Before: always answering «{label}»",
    after: "After: this model",
    accuracy: "Accuracy",
    macro_f1: "Macro F1 (every class counts the same)",
    weighted_f1: "Weighted F1 (classes weighted by their rows)",
    per_class: "Per class",
    precision: "Precision",
    recall: "Recall",
    f1: "F1",
    support: "Rows",
    confusion: "Confusion matrix",
    confusion_note: "Rows are the true labels, columns the labels the model chose.",
    confusion_corner: "true ↓ / predicted →",
    mistakes: "Most confidently wrong examples",
    text: "Text",
    true_label: "True label",
    predicted: "Predicted",
    confidence: "Confidence",
    calibration: "Calibration",
    temperature: "Temperature",
    ece_before: "Expected calibration error before",
    ece_after: "Expected calibration error after",
    ece_explained: "The expected calibration error (ECE, over {bins} bins) is the average gap between \
        how sure the model says it is and how often it is right: at 0, answers given with 80% \
        confidence are right 80% of the time. Dividing the scores by the temperature changes only \
        the confidence, never the predicted label.",
    over_confident: "A temperature above 1 means the model was over-confident, so its scores are softened.",
    under_confident: "A temperature below 1 means the model was under-confident, so its scores are sharpened.",
    no_calibration: "Not measured.",
    limits: "Known limits",
    low_recall: "The model finds only {recall} of «{label}» rows (recall).",
    small_class: "Only {rows} validation rows are «{label}»: its figures are uncertain.",
    mixed_languages: "The texts mix languages ({mix}). Each language has fewer examples to learn \
        from, and a label that is more common in one language may be learnt from the language \
        rather than from the meaning.",
    barely_better: "Accuracy ({accuracy}) is barely better than always answering «{label}» ({baseline}).",
    not_better: "Accuracy ({accuracy}) is no better than always answering «{label}» ({baseline}).",
    general_rows: "It was trained on {rows} rows from one file ({source}); it knows only what those rows show.",
    general_bag: "It reads a bag of words: it ignores word order beyond neighbouring pairs of words.",
    general_bias: "It may inherit the biases present in the data.",
    intended_use: "Intended use",
    intended_use_text: "A small model for learning and for trying out text classification on your own \
        data. Check its answers before relying on them, and do not use it on its own for \
        decisions that affect people.",
    languages: &[
        ("es", "Spanish"),
        ("en", "English"),
        ("pt", "Portuguese"),
        ("fr", "French"),
        ("other", "other"),
    ],
};

const SPANISH: Texts = Texts {
    decimal_comma: true,
    percent_space: true,
    title: "Ficha del modelo: {title}",
    generated_on: "Redactada el {date}.",
    data: "Datos",
    source: "Archivo de origen",
    training_rows: "Filas para entrenar",
    validation_rows: "Filas para validar",
    fingerprint: "Huella de los datos",
    label: "Etiqueta",
    rows: "Filas",
    share: "Proporción",
    no_labels: "No se registró el recuento de etiquetas.",
    settings: "Ajustes del entrenamiento",
    setting: "Ajuste",
    value: "Valor",
    no_settings: "No se registraron ajustes.",
    results: "Resultados en la partición de validación",
    no_validation: "No había filas de validación, así que no hay resultados que mostrar.",
    measure: "Medida",
    before: "Antes: responder siempre «{label}»",
    after: "Después: este modelo",
    accuracy: "Exactitud",
    macro_f1: "F1 macro (todas las clases cuentan igual)",
    weighted_f1: "F1 ponderado (cada clase pesa según sus filas)",
    per_class: "Por clase",
    precision: "Precisión",
    recall: "Exhaustividad",
    f1: "F1",
    support: "Filas",
    confusion: "Matriz de confusión",
    confusion_note: "Las filas son las etiquetas reales; las columnas, las que eligió el modelo.",
    confusion_corner: "real ↓ / predicha →",
    mistakes: "Errores con más confianza",
    text: "Texto",
    true_label: "Etiqueta real",
    predicted: "Predicha",
    confidence: "Confianza",
    calibration: "Calibración",
    temperature: "Temperatura",
    ece_before: "Error de calibración esperado antes",
    ece_after: "Error de calibración esperado después",
    ece_explained: "El error de calibración esperado (ECE, en {bins} intervalos) es la diferencia \
        media entre la seguridad que declara el modelo y la frecuencia con la que acierta: con 0, \
        las respuestas dadas con un 80 % de confianza aciertan el 80 % de las veces. Dividir las \
        puntuaciones entre la temperatura solo cambia la confianza, nunca la etiqueta predicha.",
    over_confident: "Una temperatura mayor que 1 indica que el modelo se confiaba demasiado, así que sus puntuaciones se suavizan.",
    under_confident: "Una temperatura menor que 1 indica que el modelo se confiaba demasiado poco, así que sus puntuaciones se agudizan.",
    no_calibration: "No se ha medido.",
    limits: "Límites conocidos",
    low_recall: "El modelo solo encuentra el {recall} de las filas «{label}» (exhaustividad).",
    small_class: "Solo {rows} filas de validación son «{label}»: sus cifras son poco fiables.",
    mixed_languages: "Los textos mezclan idiomas ({mix}). Cada idioma tiene menos ejemplos de los \
        que aprender, y una etiqueta más frecuente en un idioma puede aprenderse por el idioma y no \
        por el significado.",
    barely_better: "La exactitud ({accuracy}) apenas mejora la de responder siempre «{label}» ({baseline}).",
    not_better: "La exactitud ({accuracy}) no mejora la de responder siempre «{label}» ({baseline}).",
    general_rows: "Se entrenó con {rows} filas de un solo archivo ({source}); solo sabe lo que muestran esas filas.",
    general_bag: "Lee una bolsa de palabras: no tiene en cuenta el orden de las palabras más allá de pares vecinos.",
    general_bias: "Puede heredar los sesgos presentes en los datos.",
    intended_use: "Uso previsto",
    intended_use_text: "Un modelo pequeño para aprender y para probar la clasificación de textos con \
        tus propios datos. Revisa sus respuestas antes de fiarte de ellas y no lo uses por sí solo \
        para decisiones que afecten a personas.",
    languages: &[
        ("es", "español"),
        ("en", "inglés"),
        ("pt", "portugués"),
        ("fr", "francés"),
        ("other", "otros"),
    ],
};

impl Language {
    fn texts(self) -> &'static Texts {
        match self {
            Self::En => &ENGLISH,
            Self::Es => &SPANISH,
        }
    }
}

/// Writes a Markdown model card (GitHub tables) in `language`: title and date, data, training
/// settings, validation results (accuracy beside the majority baseline, F1 scores, per-class
/// table, confusion matrix, the most confidently wrong examples), calibration, known limits
/// (generated from the figures) and intended use.
///
/// Every value that comes from the user (labels, texts, file name, settings) is escaped, so it
/// shows as text and cannot break a table.
pub fn model_card(input: &CardInput<'_>, language: Language) -> String {
    let texts = language.texts();
    let mut card = Card {
        out: String::new(),
        texts,
    };
    card.line(&format!(
        "# {}",
        fill(texts.title, &[("title", escape(input.title))])
    ));
    card.blank();
    card.line(&fill(texts.generated_on, &[("date", escape(input.date))]));
    card.data(input.data);
    card.settings(input.settings);
    card.results(input.validation, input.misclassified);
    card.calibration(input.calibration);
    card.limits(input);
    card.heading(texts.intended_use);
    card.line(texts.intended_use_text);
    card.out
}

/// The card being written, with the wording of its language.
struct Card {
    out: String,
    texts: &'static Texts,
}

impl Card {
    /// A bullet line "- name: value".
    fn bullet(&mut self, name: &str, value: &str) {
        self.line(&format!("- {name}: {value}"));
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn heading(&mut self, title: &str) {
        self.blank();
        self.line(&format!("## {title}"));
        self.blank();
    }

    fn subheading(&mut self, title: &str) {
        self.blank();
        self.line(&format!("### {title}"));
        self.blank();
    }

    /// A table row from already escaped cells.
    fn row(&mut self, cells: &[String]) {
        self.line(&format!("| {} |", cells.join(" | ")));
    }

    /// A header row and its separator; `numeric` columns are right-aligned.
    fn header(&mut self, cells: &[String], numeric: &[bool]) {
        self.row(cells);
        let separator: Vec<String> = (0..cells.len())
            .map(|column| {
                if numeric.get(column).copied().unwrap_or(false) {
                    "---:".to_string()
                } else {
                    "---".to_string()
                }
            })
            .collect();
        self.line(&format!("|{}|", separator.join("|")));
    }

    fn percent(&self, value: f32) -> String {
        let number = self.decimal(value * 100.0, 1);
        if self.texts.percent_space {
            format!("{number} %")
        } else {
            format!("{number}%")
        }
    }

    fn decimal(&self, value: f32, digits: usize) -> String {
        let written = format!("{value:.digits$}");
        if self.texts.decimal_comma {
            written.replace('.', ",")
        } else {
            written
        }
    }

    fn language_name(&self, code: &str) -> String {
        self.texts
            .languages
            .iter()
            .find(|(known, _)| *known == code)
            .map_or_else(|| escape(code), |(_, name)| (*name).to_string())
    }

    fn data(&mut self, data: &DataSummary) {
        let texts = self.texts;
        self.heading(texts.data);
        self.line(&format!("- {}: {}", texts.source, escape(&data.source)));
        self.line(&format!(
            "- {}: {}",
            texts.training_rows, data.training_rows
        ));
        self.line(&format!(
            "- {}: {}",
            texts.validation_rows, data.validation_rows
        ));
        self.line(&format!(
            "- {}: {}",
            texts.fingerprint,
            escape(&data.fingerprint)
        ));
        self.blank();
        if data.label_counts.is_empty() {
            self.line(texts.no_labels);
            return;
        }
        let total: usize = data.label_counts.iter().map(|(_, count)| count).sum();
        self.header(
            &[
                texts.label.to_string(),
                texts.rows.to_string(),
                texts.share.to_string(),
            ],
            &[false, true, true],
        );
        for (label, count) in &data.label_counts {
            let share = if total == 0 {
                0.0
            } else {
                *count as f32 / total as f32
            };
            self.row(&[escape(label), count.to_string(), self.percent(share)]);
        }
    }

    fn settings(&mut self, settings: &[(String, String)]) {
        let texts = self.texts;
        self.heading(texts.settings);
        if settings.is_empty() {
            self.line(texts.no_settings);
            return;
        }
        self.header(
            &[texts.setting.to_string(), texts.value.to_string()],
            &[false, false],
        );
        for (name, value) in settings {
            self.row(&[escape(name), escape(value)]);
        }
    }

    fn results(&mut self, metrics: &Metrics, mistakes: &[Misclassified]) {
        let texts = self.texts;
        self.heading(texts.results);
        if metrics.rows == 0 {
            self.line(texts.no_validation);
            return;
        }
        let majority = escape(majority_label(metrics).unwrap_or("?"));
        self.header(
            &[
                texts.measure.to_string(),
                fill(texts.before, &[("label", majority)]),
                texts.after.to_string(),
            ],
            &[false, true, true],
        );
        self.row(&[
            texts.accuracy.to_string(),
            self.percent(metrics.majority_baseline),
            self.percent(metrics.accuracy),
        ]);
        self.blank();
        self.bullet(texts.macro_f1, &self.percent(metrics.macro_f1));
        self.bullet(texts.weighted_f1, &self.percent(metrics.weighted_f1));

        self.subheading(texts.per_class);
        self.header(
            &[
                texts.label.to_string(),
                texts.precision.to_string(),
                texts.recall.to_string(),
                texts.f1.to_string(),
                texts.support.to_string(),
            ],
            &[false, true, true, true, true],
        );
        for class in &metrics.per_class {
            self.row(&[
                escape(&class.label),
                self.percent(class.precision),
                self.percent(class.recall),
                self.percent(class.f1),
                class.support.to_string(),
            ]);
        }

        self.subheading(texts.confusion);
        self.line(texts.confusion_note);
        self.blank();
        let mut header = vec![texts.confusion_corner.to_string()];
        header.extend(metrics.per_class.iter().map(|class| escape(&class.label)));
        let mut numeric = vec![false];
        numeric.extend(metrics.per_class.iter().map(|_| true));
        self.header(&header, &numeric);
        for (class, counts) in metrics.per_class.iter().zip(&metrics.confusion) {
            let mut cells = vec![format!("**{}**", escape(&class.label))];
            cells.extend(counts.iter().map(usize::to_string));
            self.row(&cells);
        }

        if mistakes.is_empty() {
            return;
        }
        self.subheading(texts.mistakes);
        self.header(
            &[
                texts.text.to_string(),
                texts.true_label.to_string(),
                texts.predicted.to_string(),
                texts.confidence.to_string(),
            ],
            &[false, false, false, true],
        );
        for mistake in mistakes.iter().take(SHOWN_MISTAKES) {
            self.row(&[
                escape(&truncate(&mistake.text, SHOWN_TEXT_CHARS)),
                escape(&mistake.actual),
                escape(&mistake.predicted),
                self.percent(mistake.confidence),
            ]);
        }
    }

    fn calibration(&mut self, calibration: Option<&Calibration>) {
        let texts = self.texts;
        self.heading(texts.calibration);
        let Some(calibration) = calibration else {
            self.line(texts.no_calibration);
            return;
        };
        self.bullet(texts.temperature, &self.decimal(calibration.temperature, 2));
        self.bullet(texts.ece_before, &self.percent(calibration.ece_before));
        self.bullet(texts.ece_after, &self.percent(calibration.ece_after));
        self.blank();
        let mut explanation = fill(
            texts.ece_explained,
            &[("bins", calibration.bins.to_string())],
        );
        // Within 5 % of 1 the direction is noise, not worth a sentence.
        if calibration.temperature > 1.05 {
            explanation.push(' ');
            explanation.push_str(texts.over_confident);
        } else if calibration.temperature < 0.95 {
            explanation.push(' ');
            explanation.push_str(texts.under_confident);
        }
        self.line(&explanation);
    }

    fn limits(&mut self, input: &CardInput<'_>) {
        let texts = self.texts;
        self.heading(texts.limits);
        let metrics = input.validation;
        for class in &metrics.per_class {
            if class.support > 0 && class.recall < LOW_RECALL {
                self.line(&format!(
                    "- {}",
                    fill(
                        texts.low_recall,
                        &[
                            ("recall", self.percent(class.recall)),
                            ("label", escape(&class.label)),
                        ],
                    )
                ));
            }
        }
        for class in &metrics.per_class {
            if class.support < SMALL_SUPPORT {
                self.line(&format!(
                    "- {}",
                    fill(
                        texts.small_class,
                        &[
                            ("rows", class.support.to_string()),
                            ("label", escape(&class.label)),
                        ],
                    )
                ));
            }
        }
        let notable: Vec<&(String, f32)> = input
            .language_mix
            .iter()
            .filter(|(_, share)| *share >= NOTABLE_LANGUAGE_SHARE)
            .collect();
        if notable.len() > 1 {
            let mix: Vec<String> = notable
                .iter()
                .map(|(code, share)| {
                    format!("{} {}", self.language_name(code), self.percent(*share))
                })
                .collect();
            self.line(&format!(
                "- {}",
                fill(texts.mixed_languages, &[("mix", mix.join(", "))])
            ));
        }
        if metrics.rows > 0 {
            let margin = metrics.accuracy - metrics.majority_baseline;
            let template = if margin <= 0.0 {
                Some(texts.not_better)
            } else if margin < BASELINE_MARGIN {
                Some(texts.barely_better)
            } else {
                None
            };
            if let Some(template) = template {
                self.line(&format!(
                    "- {}",
                    fill(
                        template,
                        &[
                            ("accuracy", self.percent(metrics.accuracy)),
                            ("baseline", self.percent(metrics.majority_baseline)),
                            ("label", escape(majority_label(metrics).unwrap_or("?"))),
                        ],
                    )
                ));
            }
        }
        self.line(&format!(
            "- {}",
            fill(
                texts.general_rows,
                &[
                    ("rows", input.data.training_rows.to_string()),
                    ("source", escape(&input.data.source)),
                ],
            )
        ));
        self.line(&format!("- {}", texts.general_bag));
        self.line(&format!("- {}", texts.general_bias));
    }
}

/// The label with the most validation rows (the first of equals): the majority baseline's answer.
fn majority_label(metrics: &Metrics) -> Option<&str> {
    metrics
        .per_class
        .iter()
        .rev()
        .max_by_key(|class| class.support)
        .map(|class| class.label.as_str())
}

/// Fills `{name}` blanks of `template` from `values` in one pass; unknown blanks stay as written.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_open) = rest.split_at(open);
        out.push_str(before);
        let value = from_open.find('}').and_then(|close| {
            let name = from_open.get(1..close)?;
            let (_, value) = values.iter().find(|(known, _)| *known == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = from_open.get(close + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = from_open.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first `limit` characters of `text`, with "…" when something was cut.
fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text).trim_end()),
        None => text.to_string(),
    }
}

/// Escapes user text for Markdown, table cells included: Markdown's special characters get a
/// backslash and line breaks become spaces, so the text shows as written on one line.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\r' => {
                if characters.peek() != Some(&'\n') {
                    out.push(' ');
                }
            }
            '\n' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' | '&' | '~' => {
                out.push('\\');
                out.push(character);
            }
            _ => out.push(character),
        }
    }
    out
}

/// Very common words of each language [`language_mix`] tells apart, lower-case.
const STOPWORDS: [(&str, &[&str]); 4] = [
    (
        "es",
        &[
            "de", "la", "que", "el", "en", "y", "los", "del", "se", "las", "por", "un", "para",
            "con", "no", "una", "su", "al", "es", "lo", "como", "más", "pero", "sus", "le", "ya",
            "este", "sí", "porque", "esta", "muy", "también", "yo", "está", "hay", "me",
        ],
    ),
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on",
            "are", "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "had",
            "by", "but", "not", "what", "all", "were", "we", "my", "very", "i", "she",
        ],
    ),
    (
        "pt",
        &[
            "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "é", "com", "não", "uma",
            "os", "no", "se", "na", "por", "mais", "as", "dos", "como", "mas", "foi", "ao", "ele",
            "das", "tem", "à", "seu", "sua", "ou", "muito", "também", "você", "isso", "eu",
        ],
    ),
    (
        "fr",
        &[
            "de", "la", "le", "et", "les", "des", "en", "un", "du", "une", "que", "est", "pour",
            "qui", "dans", "par", "plus", "pas", "au", "sur", "ne", "se", "ce", "il", "sont",
            "avec", "je", "mais", "nous", "vous", "très", "cette", "elle", "ou", "aussi", "être",
        ],
    ),
];

/// A rough guess of the languages in `texts`: each text goes to the language ("es", "en",
/// "pt", "fr") whose ~35 most common words it contains most often, or to "other" when it
/// contains none; the result is each language's share of the texts, largest first, without
/// zero shares. Ties go to the earlier language in that list.
///
/// It is a heuristic for a warning, not a language detector: short texts, names and languages
/// that share words (Spanish and Portuguese) are often misjudged.
pub fn language_mix(texts: &[&str]) -> Vec<(String, f32)> {
    let mut counts = [0usize; STOPWORDS.len() + 1];
    for text in texts {
        let lowered = text.to_lowercase();
        let mut hits = [0usize; STOPWORDS.len()];
        for word in lowered.split(|character: char| !character.is_alphanumeric()) {
            for (language_hits, (_, words)) in hits.iter_mut().zip(&STOPWORDS) {
                if words.contains(&word) {
                    *language_hits += 1;
                }
            }
        }
        let mut best: Option<(usize, usize)> = None;
        for (language_index, language_hits) in hits.iter().enumerate() {
            if *language_hits > 0 && best.is_none_or(|(_, most)| *language_hits > most) {
                best = Some((language_index, *language_hits));
            }
        }
        let slot = best.map_or(STOPWORDS.len(), |(language_index, _)| language_index);
        if let Some(count) = counts.get_mut(slot) {
            *count += 1;
        }
    }
    let codes = STOPWORDS.iter().map(|(code, _)| *code).chain(["other"]);
    let mut shares: Vec<(String, f32)> = codes
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .map(|(code, count)| (code.to_string(), count as f32 / texts.len() as f32))
        .collect();
    // Stable: equal shares keep the list's order.
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    /// 100 validation rows: 60 "neg" (54 right), 35 "pos" (30 right), 5 "mixed" (1 right).
    fn example_metrics() -> Metrics {
        let mut actual = Vec::new();
        let mut predicted = Vec::new();
        let mut push = |truth: usize, guess: usize, times: usize| {
            actual.extend(std::iter::repeat_n(truth, times));
            predicted.extend(std::iter::repeat_n(guess, times));
        };
        push(0, 0, 54);
        push(0, 1, 6);
        push(1, 1, 30);
        push(1, 0, 5);
        push(2, 2, 1);
        push(2, 0, 4);
        Metrics::compute(&labels(&["neg", "pos", "mixed"]), &actual, &predicted)
    }

    fn example_data() -> DataSummary {
        DataSummary {
            source: "reviews.csv".to_string(),
            training_rows: 400,
            validation_rows: 100,
            label_counts: vec![
                ("neg".to_string(), 300),
                ("pos".to_string(), 175),
                ("mixed".to_string(), 25),
            ],
            fingerprint: "fnv1a:0123abcd".to_string(),
        }
    }

    fn example_mistakes() -> Vec<Misclassified> {
        vec![Misclassified {
            text: "good | bad *both* <b>\nsecond line".to_string(),
            actual: "mixed".to_string(),
            predicted: "neg".to_string(),
            confidence: 0.91,
        }]
    }

    fn card(language: Language, calibration: Option<&Calibration>) -> String {
        let data = example_data();
        let metrics = example_metrics();
        let mistakes = example_mistakes();
        let settings = vec![
            ("epochs".to_string(), "10".to_string()),
            ("learning rate".to_string(), "0.01".to_string()),
        ];
        let mix = vec![("es".to_string(), 0.7), ("en".to_string(), 0.3)];
        model_card(
            &CardInput {
                title: "Reviews",
                date: "2026-11-22",
                data: &data,
                settings: &settings,
                validation: &metrics,
                calibration,
                misclassified: &mistakes,
                language_mix: &mix,
            },
            language,
        )
    }

    /// The text of a `## heading` section, up to the next `## ` heading.
    fn section<'a>(card: &'a str, heading: &str) -> &'a str {
        let start = card.find(&format!("## {heading}\n")).unwrap();
        let rest = &card[start + 3..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        &rest[..end]
    }

    /// Cell separators of a table line: pipes without a backslash before them.
    fn unescaped_pipes(line: &str) -> usize {
        let bytes = line.as_bytes();
        (0..bytes.len())
            .filter(|&index| bytes[index] == b'|' && (index == 0 || bytes[index - 1] != b'\\'))
            .count()
    }

    #[test]
    fn accuracy_is_shown_beside_the_majority_baseline() {
        let card = card(Language::En, None);
        assert!(card.starts_with("# Model card: Reviews\n"));
        assert!(card.contains("Written on 2026-11-22."));
        assert!(card.contains("| Measure | Before: always answering «neg» | After: this model |"));
        assert!(card.contains("| Accuracy | 60.0% | 85.0% |"), "{card}");
        assert!(card.contains("Weighted F1"));
        assert!(card.contains("| neg | 300 | 60.0% |"));
        assert!(card.contains("| **pos** | 5 | 30 | 0 |"));
        assert!(section(&card, "Calibration").contains("Not measured."));
    }

    #[test]
    fn known_limits_name_low_recall_and_small_classes() {
        let card = card(Language::En, None);
        let limits = section(&card, "Known limits");
        assert!(
            limits.contains("The model finds only 20.0% of «mixed» rows"),
            "{limits}"
        );
        assert!(!limits.contains("of «neg» rows"));
        assert!(!limits.contains("of «pos» rows"));
        assert!(limits.contains("Only 5 validation rows are «mixed»"));
        assert!(limits.contains("Spanish 70.0%, English 30.0%"));
        assert!(limits.contains("trained on 400 rows from one file (reviews.csv)"));
        assert!(limits.contains("bag of words"));
        assert!(limits.contains("biases"));
        // 85 % against a 60 % baseline is well clear of it.
        assert!(!limits.contains("always answering"));
    }

    #[test]
    fn near_baseline_accuracy_is_flagged() {
        let metrics = Metrics::compute(
            &labels(&["a", "b"]),
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        let data = example_data();
        let input = CardInput {
            title: "t",
            date: "d",
            data: &data,
            settings: &[],
            validation: &metrics,
            calibration: None,
            misclassified: &[],
            language_mix: &[],
        };
        let card = model_card(&input, Language::En);
        let limits = section(&card, "Known limits");
        assert!(
            limits.contains("no better than always answering «a» (90.0%)"),
            "{limits}"
        );
        assert!(!limits.contains("mix languages"));
        assert!(card.contains("No settings were recorded."));
    }

    #[test]
    fn example_texts_are_escaped_and_keep_the_table_whole() {
        let card = card(Language::En, None);
        let table = section(&card, "Results on the validation split");
        let rows: Vec<&str> = table
            .lines()
            .skip_while(|line| !line.starts_with("| Text |"))
            .take_while(|line| line.starts_with('|'))
            .collect();
        assert_eq!(rows.len(), 3, "{table}");
        assert!(rows[2].contains(r"good \| bad \*both\* \<b\> second line"));
        assert!(rows.iter().all(|row| unescaped_pipes(row) == 5), "{rows:?}");
    }

    #[test]
    fn long_texts_are_cut_and_only_five_mistakes_shown() {
        let mistakes: Vec<Misclassified> = (0..8)
            .map(|index| Misclassified {
                text: format!("{index}{}", "é".repeat(200)),
                actual: "pos".to_string(),
                predicted: "neg".to_string(),
                confidence: 0.9,
            })
            .collect();
        let data = example_data();
        let metrics = example_metrics();
        let input = CardInput {
            title: "t",
            date: "d",
            data: &data,
            settings: &[],
            validation: &metrics,
            calibration: None,
            misclassified: &mistakes,
            language_mix: &[],
        };
        let card = model_card(&input, Language::En);
        let shown: Vec<&str> = card.lines().filter(|line| line.contains("éé")).collect();
        assert_eq!(shown.len(), 5);
        assert!(shown[0].starts_with(&format!("| 0{}… |", "é".repeat(119))));
    }

    #[test]
    fn spanish_card_translates_headings_and_numbers() {
        let calibration = Calibration {
            temperature: 2.5,
            ece_before: 0.123,
            ece_after: 0.021,
            bins: 15,
        };
        let card = card(Language::Es, Some(&calibration));
        assert!(card.starts_with("# Ficha del modelo: Reviews\n"));
        assert!(card.contains("## Límites conocidos\n"));
        assert!(card.contains("## Uso previsto\n"));
        assert!(card.contains("| Exactitud | 60,0 % | 85,0 % |"), "{card}");
        let limits = section(&card, "Límites conocidos");
        assert!(limits.contains("solo encuentra el 20,0 % de las filas «mixed»"));
        assert!(limits.contains("español 70,0 %, inglés 30,0 %"));
        let calibration_text = section(&card, "Calibración");
        assert!(calibration_text.contains("- Temperatura: 2,50"));
        assert!(calibration_text.contains("12,3 %"));
        assert!(calibration_text.contains("en 15 intervalos"));
        assert!(calibration_text.contains("se confiaba demasiado,"));
    }

    #[test]
    fn calibration_section_explains_the_figures() {
        let calibration = Calibration {
            temperature: 0.8,
            ece_before: 0.05,
            ece_after: 0.01,
            bins: 15,
        };
        let card = card(Language::En, Some(&calibration));
        let text = section(&card, "Calibration");
        assert!(text.contains("- Temperature: 0.80"));
        assert!(text.contains("- Expected calibration error before: 5.0%"));
        assert!(text.contains("- Expected calibration error after: 1.0%"));
        assert!(text.contains("under-confident"));
        assert!(!text.contains("  "), "{text}");
    }

    #[test]
    fn escape_covers_markdown_and_line_breaks() {
        assert_eq!(
            escape("a|b*c_d`e<f>g[h]i#j\r\nk\nl\\m"),
            r"a\|b\*c\_d\`e\<f\>g\[h\]i\#j k l\\m"
        );
        assert_eq!(truncate("short", 120), "short");
        assert_eq!(truncate("abcdef", 3), "abc…");
    }

    #[test]
    fn fill_is_single_pass() {
        assert_eq!(
            fill(
                "{a} and {b} {unknown}",
                &[("a", "{b}".to_string()), ("b", "x".to_string())]
            ),
            "{b} and x {unknown}"
        );
        assert_eq!(fill("{open", &[]), "{open");
    }

    #[test]
    fn language_mix_of_spanish_and_english_sentences() {
        let mix = language_mix(&[
            "El producto llegó tarde y la caja estaba rota",
            "Me encanta, es muy bueno para el precio",
            "No funciona como dice la descripción",
            "The delivery was fast and the quality is great",
            "12345",
        ]);
        assert_eq!(mix.len(), 3, "{mix:?}");
        assert_eq!(mix[0].0, "es");
        assert!((mix[0].1 - 0.6).abs() < 1e-6);
        assert_eq!(mix[1].0, "en");
        assert!((mix[1].1 - 0.2).abs() < 1e-6);
        assert_eq!(mix[2].0, "other");
        assert!((mix[2].1 - 0.2).abs() < 1e-6);
        assert!(language_mix(&[]).is_empty());
        let others = language_mix(&["Je ne sais pas, c'est très bien", "Isso não é bom"]);
        assert_eq!(others.len(), 2);
        assert!(others.iter().any(|(code, _)| code == "fr"));
        assert!(others.iter().any(|(code, _)| code == "pt"));
    }
}
