//! Stage 1, checking: the rules one row or one column of labels must follow, knowing nothing of
//! files. An OpenAI chat conversation (and its fast path over one JSON line), a
//! prompt/completion pair, label spellings and class sizes, chat style, and the token estimate.
//!
//! Imports only the shared types at the crate's top.
//!
//! - `chat`, `chat_fast`, `completion`: the format of one row.
//! - `labels`, `chat_style`: label variants and imbalance; answers' length, formality, emoji.
//! - [`tokens`]: tokens, epochs and cost per model.

pub(crate) mod chat;
pub(crate) mod chat_fast;
pub(crate) mod chat_style;
pub(crate) mod completion;
pub(crate) mod labels;
pub mod tokens;
