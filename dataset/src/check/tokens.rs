//! Tokens per example and OpenAI's fine-tuning estimate from the cookbook: examples over the
//! model's limit, default epochs, billed tokens and their cost at a price the user can change.
//!
//! The counts are estimates: about four characters per token, OpenAI's rule of thumb, plus
//! the cookbook's fixed cost per message. No cl100k/o200k tokenizer is used: the ones on
//! crates.io embed several megabytes of vocabulary and would slow validation down, and the
//! figure is meant for a budget, not for billing.

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::row::RowContent;

/// Characters per token in OpenAI's rule of thumb.
pub const CHARS_PER_TOKEN: usize = 4;

/// Tokens the cookbook adds for every message (its framing).
const TOKENS_PER_MESSAGE: u64 = 3;
/// Tokens for a message's role.
const TOKENS_PER_ROLE: u64 = 1;
/// Tokens the cookbook adds for a message's `name`.
const TOKENS_PER_NAME: u64 = 1;
/// Tokens that prime the reply, once per conversation.
const TOKENS_PER_REPLY: u64 = 3;

/// The cookbook's epoch heuristic: aim at this many epochs…
const TARGET_EPOCHS: u64 = 3;
/// …but see at least this many examples in total…
const MIN_TARGET_EXAMPLES: u64 = 100;
/// …and at most this many.
const MAX_TARGET_EXAMPLES: u64 = 25_000;
/// Bounds of the default number of epochs.
const MIN_DEFAULT_EPOCHS: u64 = 1;
const MAX_DEFAULT_EPOCHS: u64 = 25;

/// A model that can be fine-tuned, with its per-example token limit and a list price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelLimit {
    /// OpenAI's model name.
    pub name: &'static str,
    /// The most tokens one training example may have; longer ones are cut.
    pub max_tokens_per_example: u64,
    /// Training price in US dollars per million tokens when this table was written (2025);
    /// prices change, so the app and the CLI let the user set their own.
    pub usd_per_million_training_tokens: f64,
}

/// The models the estimate knows, the default first.
pub const MODELS: [ModelLimit; 5] = [
    ModelLimit {
        name: "gpt-4o-mini-2024-07-18",
        max_tokens_per_example: 65_536,
        usd_per_million_training_tokens: 3.0,
    },
    ModelLimit {
        name: "gpt-4o-2024-08-06",
        max_tokens_per_example: 65_536,
        usd_per_million_training_tokens: 25.0,
    },
    ModelLimit {
        name: "gpt-4.1-mini-2025-04-14",
        max_tokens_per_example: 65_536,
        usd_per_million_training_tokens: 5.0,
    },
    ModelLimit {
        name: "gpt-4.1-2025-04-14",
        max_tokens_per_example: 65_536,
        usd_per_million_training_tokens: 25.0,
    },
    ModelLimit {
        name: "gpt-3.5-turbo-0125",
        max_tokens_per_example: 16_385,
        usd_per_million_training_tokens: 8.0,
    },
];

/// The model with `name`, if [`MODELS`] has it.
pub fn model(name: &str) -> Option<ModelLimit> {
    MODELS.into_iter().find(|model| model.name == name)
}

/// Estimated tokens of a text of `chars` characters.
pub fn text_tokens(chars: usize) -> u64 {
    chars.div_ceil(CHARS_PER_TOKEN) as u64
}

/// Estimated tokens of one conversation, counted as the cookbook's
/// `num_tokens_from_messages`: `messages` messages whose contents have `content_chars`
/// characters in all, `names` of them with a `name`.
pub fn conversation_tokens(messages: usize, content_chars: usize, names: usize) -> u64 {
    let framing = messages as u64 * (TOKENS_PER_MESSAGE + TOKENS_PER_ROLE);
    framing + text_tokens(content_chars) + names as u64 * TOKENS_PER_NAME + TOKENS_PER_REPLY
}

/// The default number of epochs OpenAI picks for `examples` training examples.
pub fn default_epochs(examples: u64) -> u64 {
    if examples == 0 {
        return TARGET_EPOCHS;
    }
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES {
        MAX_DEFAULT_EPOCHS.min(MIN_TARGET_EXAMPLES / examples)
    } else if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES {
        MIN_DEFAULT_EPOCHS.max(MAX_TARGET_EXAMPLES / examples)
    } else {
        TARGET_EPOCHS
    }
}

/// The token figures of a dataset for one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenReport {
    /// Always true: the counts are estimates (see the module documentation).
    pub estimated: bool,
    /// The model the limit and the price are for.
    pub model: String,
    /// Examples counted.
    pub examples: u64,
    /// Tokens in all examples.
    pub total: u64,
    /// Fewest tokens in an example.
    pub min: u64,
    /// Most tokens in an example.
    pub max: u64,
    /// Mean tokens per example.
    pub mean: f64,
    /// Median tokens per example.
    pub median: u64,
    /// 90th percentile of tokens per example.
    pub p90: u64,
    /// The model's per-example limit.
    pub limit: u64,
    /// Examples over the limit (they would be cut).
    pub over_limit: u64,
    /// The default epochs (cookbook heuristic).
    pub epochs: u64,
    /// Tokens charged per epoch: each example counted up to the limit.
    pub billed_tokens_per_epoch: u64,
    /// Tokens charged for the default epochs.
    pub billed_tokens: u64,
    /// The price used, US dollars per million training tokens.
    pub usd_per_million: f64,
    /// `billed_tokens` at that price, in US dollars.
    pub cost_usd: f64,
}

/// Token counts of examples, collected one at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenCounts {
    counts: Vec<u32>,
}

impl TokenCounts {
    /// No examples yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an example of `tokens` tokens.
    pub fn push(&mut self, tokens: u64) {
        self.counts.push(u32::try_from(tokens).unwrap_or(u32::MAX));
    }

    /// Adds the examples of `other` after these.
    pub fn append(&mut self, other: &mut Self) {
        self.counts.append(&mut other.counts);
    }

    /// Number of examples counted.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no example was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The report for `model` at `usd_per_million` dollars per million training tokens;
    /// `None` when no example was counted.
    pub fn report(&self, model: &ModelLimit, usd_per_million: f64) -> Option<TokenReport> {
        self.reports([(*model, usd_per_million)]).pop()
    }

    /// [`report`](Self::report) for each model and price; empty when no example was counted.
    pub fn reports(
        &self,
        choices: impl IntoIterator<Item = (ModelLimit, f64)>,
    ) -> Vec<TokenReport> {
        let mut sorted = self.counts.clone();
        sorted.sort_unstable();
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Vec::new();
        };
        let examples = sorted.len() as u64;
        let total: u64 = sorted.iter().map(|&count| u64::from(count)).sum();
        let percentile = |share: f64| {
            let index = ((sorted.len() - 1) as f64 * share).round() as usize;
            sorted.get(index).map_or(0, |&count| u64::from(count))
        };
        let (median, p90) = (percentile(0.5), percentile(0.9));
        let epochs = default_epochs(examples);
        choices
            .into_iter()
            .map(|(model, usd_per_million)| {
                let limit = model.max_tokens_per_example;
                // Sorted: the examples over the limit are at the end.
                let within = sorted.partition_point(|&count| u64::from(count) <= limit);
                let over_limit = (sorted.len() - within) as u64;
                let billed_tokens_per_epoch: u64 = sorted[..within]
                    .iter()
                    .map(|&count| u64::from(count))
                    .sum::<u64>()
                    + over_limit * limit;
                let billed_tokens = billed_tokens_per_epoch * epochs;
                TokenReport {
                    estimated: true,
                    model: model.name.to_owned(),
                    examples,
                    total,
                    min: u64::from(min),
                    max: u64::from(max),
                    mean: total as f64 / examples as f64,
                    median,
                    p90,
                    limit,
                    over_limit,
                    epochs,
                    billed_tokens_per_epoch,
                    billed_tokens,
                    usd_per_million,
                    cost_usd: billed_tokens as f64 / 1e6 * usd_per_million,
                }
            })
            .collect()
    }
}

/// Estimated tokens of a valid row; a text/label row is counted as the chat conversation it
/// converts to (the text as the user message, the label as the answer).
pub fn row_tokens(content: &RowContent) -> u64 {
    match content {
        RowContent::TextLabel { text, label } => {
            conversation_tokens(2, text.chars().count() + label.chars().count(), 0)
        }
        RowContent::Chat { messages } => {
            let chars = messages
                .iter()
                .map(|message| message.content.chars().count())
                .sum();
            conversation_tokens(messages.len(), chars, 0)
        }
    }
}

/// The token counts of the valid rows of `dataset` (see [`row_tokens`]).
pub fn dataset_token_counts(dataset: &Dataset) -> TokenCounts {
    let mut counts = TokenCounts::new();
    for row in &dataset.rows {
        counts.push(row_tokens(&row.content));
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_characters_per_token_rounded_up() {
        assert_eq!(text_tokens(0), 0);
        assert_eq!(text_tokens(1), 1);
        assert_eq!(text_tokens(8), 2);
        assert_eq!(text_tokens(9), 3);
    }

    #[test]
    fn conversation_adds_the_cookbook_framing() {
        // Two messages of 8 characters each: 2 × (3 + 1) + 4 + 3.
        assert_eq!(conversation_tokens(2, 16, 0), 15);
        assert_eq!(conversation_tokens(2, 16, 1), 16);
    }

    #[test]
    fn default_epochs_follow_the_cookbook() {
        assert_eq!(default_epochs(10), 10);
        assert_eq!(default_epochs(3), 25);
        assert_eq!(default_epochs(100), 3);
        assert_eq!(default_epochs(8_333), 3);
        assert_eq!(default_epochs(10_000), 2);
        assert_eq!(default_epochs(50_000), 1);
    }

    #[test]
    fn report_caps_long_examples_and_prices_them() {
        let mut counts = TokenCounts::new();
        for tokens in [10, 20, 30, 100_000] {
            counts.push(tokens);
        }
        let model = MODELS[0];
        let report = counts.report(&model, 2.0).unwrap();
        assert_eq!(report.examples, 4);
        assert_eq!(report.total, 100_060);
        assert_eq!((report.min, report.max), (10, 100_000));
        assert_eq!(report.over_limit, 1);
        assert_eq!(report.billed_tokens_per_epoch, 60 + 65_536);
        assert_eq!(report.epochs, 25);
        assert_eq!(report.billed_tokens, (60 + 65_536) * 25);
        assert!((report.cost_usd - report.billed_tokens as f64 / 1e6 * 2.0).abs() < 1e-9);
        assert_eq!(report.median, 30);
        assert!(report.estimated);
    }

    #[test]
    fn no_examples_no_report() {
        assert!(TokenCounts::new().report(&MODELS[0], 3.0).is_none());
    }

    #[test]
    fn models_are_found_by_name() {
        assert_eq!(
            model("gpt-3.5-turbo-0125").unwrap().max_tokens_per_example,
            16_385
        );
        assert!(model("gpt-9").is_none());
    }

    #[test]
    fn dataset_rows_are_counted_as_conversations() {
        let dataset =
            crate::test_support::parse("d.csv", "text,label\nhola que tal,positivo\n".as_bytes())
                .unwrap();
        let counts = dataset_token_counts(&dataset);
        let report = counts.report(&MODELS[0], 3.0).unwrap();
        assert_eq!(report.total, conversation_tokens(2, 12 + 8, 0));
    }
}
