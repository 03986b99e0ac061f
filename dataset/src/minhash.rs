//! Near-duplicate search: MinHash signatures of word sets, banded into buckets (LSH), so each
//! text is compared only with the few earlier texts that share a bucket.

use foldhash::HashMap;

use crate::normalize::jaccard;

/// Word-set Jaccard similarity from which two texts count as near-duplicates.
pub(crate) const SIMILAR: f64 = 0.8;

/// Bands × rows per band = hash functions. With 10 bands of 4, a pair with Jaccard 0.8 shares
/// a bucket with probability 1 − (1 − 0.8⁴)¹⁰ ≈ 0.995, a pair at 0.5 with about 0.48.
const BANDS: usize = 10;
const ROWS_PER_BAND: usize = 4;
const HASHES: usize = BANDS * ROWS_PER_BAND;

/// A bucket keeps at most this many texts, so a huge cluster of similar texts still costs a
/// bounded number of comparisons per text.
const BUCKET_CAPACITY: usize = 8;

/// SplitMix64's finalizer: a fast, well-mixed permutation of `u64`.
fn mix(value: u64) -> u64 {
    let mut mixed = value;
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}

/// Jaccard is at most the ratio of the smaller set size to the larger one: a cheap first test.
fn could_be_similar(first_size: usize, second_size: usize) -> bool {
    let (small, large) = (first_size.min(second_size), first_size.max(second_size));
    small as f64 >= SIMILAR * large as f64
}

/// Earlier texts, findable by similarity.
#[derive(Debug)]
pub(crate) struct SimilarityIndex {
    seeds: [u64; HASHES],
    /// Band key → indices into `entries`, in insertion order.
    buckets: HashMap<u64, Vec<usize>>,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    line: usize,
    words: Vec<u64>,
}

impl SimilarityIndex {
    pub(crate) fn new() -> Self {
        let mut seeds = [0; HASHES];
        for (index, seed) in (1_u64..).zip(seeds.iter_mut()) {
            *seed = mix(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        Self {
            seeds,
            buckets: HashMap::default(),
            entries: Vec::new(),
        }
    }

    /// The earliest line among the indexed texts whose word set has Jaccard ≥ [`SIMILAR`]
    /// with `words` (sorted, deduplicated word hashes); then indexes `words` under `line`.
    /// Lines must come in ascending order.
    pub(crate) fn find_then_insert(&mut self, line: usize, words: Vec<u64>) -> Option<usize> {
        if words.is_empty() {
            return None;
        }
        let keys = self.band_keys(&words);
        let mut similar: Option<usize> = None;
        // A text often shares several buckets with the same earlier text: compare it once.
        let mut compared: Vec<usize> = Vec::new();
        for key in &keys {
            let Some(bucket) = self.buckets.get(key) else {
                continue;
            };
            for index in bucket {
                let Some(entry) = self.entries.get(*index) else {
                    continue;
                };
                // Buckets are in line order: nothing further on can beat a match found already.
                if similar.is_some_and(|line| entry.line >= line) {
                    break;
                }
                if compared.contains(index) {
                    continue;
                }
                compared.push(*index);
                if could_be_similar(entry.words.len(), words.len())
                    && jaccard(&entry.words, &words) >= SIMILAR
                {
                    similar = Some(entry.line);
                    break;
                }
            }
        }
        let index = self.entries.len();
        self.entries.push(Entry { line, words });
        for key in keys {
            let bucket = self.buckets.entry(key).or_default();
            if bucket.len() < BUCKET_CAPACITY {
                bucket.push(index);
            }
        }
        similar
    }

    /// One key per band: a hash of the band's minimum hashes and of the band number.
    fn band_keys(&self, words: &[u64]) -> Vec<u64> {
        let signature: Vec<u64> = self
            .seeds
            .iter()
            .map(|seed| {
                words
                    .iter()
                    .map(|word| mix(word ^ seed))
                    .min()
                    .unwrap_or(u64::MAX)
            })
            .collect();
        signature
            .chunks(ROWS_PER_BAND)
            .zip(0_u64..)
            .map(|(band, band_number)| {
                band.iter()
                    .fold(mix(band_number), |key, minimum| mix(key ^ minimum))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{text_key, word_set};

    fn words(text: &str) -> Vec<u64> {
        word_set(&text_key(text))
    }

    #[test]
    fn finds_similar_and_ignores_different() {
        let mut index = SimilarityIndex::new();
        assert_eq!(
            index.find_then_insert(2, words("me encanta este producto, lo recomiendo")),
            None
        );
        assert_eq!(
            index.find_then_insert(3, words("el envío llegó tarde y roto")),
            None
        );
        assert_eq!(
            index.find_then_insert(4, words("me encanta este producto, lo recomiendo mucho")),
            Some(2)
        );
        assert_eq!(
            index.find_then_insert(5, words("el producto no funciona")),
            None
        );
        assert_eq!(index.find_then_insert(6, Vec::new()), None);
    }

    #[test]
    fn many_distinct_texts_stay_apart_and_fast() {
        let mut index = SimilarityIndex::new();
        for line in 0..20_000_usize {
            let text = format!(
                "w{} w{} w{} w{} w{}",
                line,
                line * 7 + 1,
                line * 13 + 2,
                line * 17 + 3,
                line % 10
            );
            assert_eq!(index.find_then_insert(line, words(&text)), None, "{text}");
        }
    }

    #[test]
    fn a_large_cluster_keeps_matching_its_first_member() {
        let mut index = SimilarityIndex::new();
        let base = "uno dos tres cuatro cinco seis siete ocho nueve diez once doce";
        assert_eq!(index.find_then_insert(1, words(base)), None);
        for line in 2..200 {
            let text = format!("{base} extra{line}");
            assert_eq!(index.find_then_insert(line, words(&text)), Some(1));
        }
    }
}
