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
#[derive(Debug, Clone)]
pub(crate) struct SimilarityIndex {
    seeds: [u64; HASHES],
    /// Band key → indices into `entries`, in insertion order.
    buckets: HashMap<u64, Vec<usize>>,
    entries: Vec<Entry>,
}

/// A word set with its band keys and bits, ready to be searched for and indexed.
#[derive(Debug)]
pub(crate) struct Prepared {
    keys: Vec<u64>,
    bits: WordBits,
    words: Vec<u64>,
}

#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    words: Vec<u64>,
    /// One bit per word hash (modulo 256): a cheap exact bound on the shared words.
    bits: WordBits,
}

/// A 256-bit set of word-hash bits. A bit set in one text's bits and not in the other's stands
/// for at least one word of the first text that the second lacks, which bounds the Jaccard
/// similarity from above without comparing the word lists.
#[derive(Debug, Clone, Copy, Default)]
struct WordBits([u64; 4]);

impl WordBits {
    fn of(words: &[u64]) -> Self {
        let mut bits = [0_u64; 4];
        for word in words {
            // The high bits: FNV-1a mixes its low bits least.
            let bit = (word >> 56) as usize;
            if let Some(slot) = bits.get_mut(bit / 64) {
                *slot |= 1 << (bit % 64);
            }
        }
        Self(bits)
    }

    /// How many bits are in `self` and not in `other`: at least that many words of the first
    /// set are missing from the second.
    fn missing_from(&self, other: &Self) -> usize {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(mine, theirs)| (mine & !theirs).count_ones() as usize)
            .sum()
    }
}

/// Whether two word sets may have Jaccard ≥ [`SIMILAR`], from their sizes and bits alone. Never
/// false for a pair that has it, so filtering with it changes no result.
fn could_share_enough(first: &Entry, second_size: usize, second_bits: &WordBits) -> bool {
    let first_size = first.words.len();
    let first_only = first.bits.missing_from(second_bits);
    let second_only = second_bits.missing_from(&first.bits);
    let shared_at_most = first_size
        .saturating_sub(first_only)
        .min(second_size.saturating_sub(second_only));
    let union_at_least = first_size + second_size - shared_at_most;
    // Jaccard grows with the shared count, so its bound is the bound's Jaccard.
    union_at_least > 0 && shared_at_most as f64 / union_at_least as f64 >= SIMILAR
}

impl Default for SimilarityIndex {
    fn default() -> Self {
        Self::new()
    }
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
    #[cfg(test)]
    pub(crate) fn find_then_insert(&mut self, line: usize, words: Vec<u64>) -> Option<usize> {
        let prepared = self.prepare(words);
        self.find_then_insert_prepared(line, prepared)
    }

    /// What [`SimilarityIndex::find_then_insert_prepared`] needs of a word set, computed
    /// without touching the index (so many texts can be prepared at once, on several threads).
    pub(crate) fn prepare(&self, words: Vec<u64>) -> Prepared {
        if words.is_empty() {
            return Prepared {
                keys: Vec::new(),
                bits: WordBits::default(),
                words,
            };
        }
        Prepared {
            keys: self.band_keys(&words),
            bits: WordBits::of(&words),
            words,
        }
    }

    /// The search as it was before the candidates were gathered and filtered: bucket by
    /// bucket, each earlier text compared once with the exact Jaccard. Tests check that
    /// [`SimilarityIndex::find_then_insert`] always agrees.
    #[cfg(test)]
    pub(crate) fn find_then_insert_reference(
        &mut self,
        line: usize,
        words: Vec<u64>,
    ) -> Option<usize> {
        if words.is_empty() {
            return None;
        }
        let keys = self.band_keys(&words);
        let mut similar: Option<usize> = None;
        let mut compared: Vec<usize> = Vec::new();
        for key in &keys {
            let Some(bucket) = self.buckets.get(key) else {
                continue;
            };
            for index in bucket {
                let Some(entry) = self.entries.get(*index) else {
                    continue;
                };
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
        let bits = WordBits::of(&words);
        self.entries.push(Entry { line, words, bits });
        for key in keys {
            let bucket = self.buckets.entry(key).or_default();
            if bucket.len() < BUCKET_CAPACITY {
                bucket.push(index);
            }
        }
        similar
    }

    /// [`SimilarityIndex::find_then_insert`] for a prepared word set.
    pub(crate) fn find_then_insert_prepared(
        &mut self,
        line: usize,
        prepared: Prepared,
    ) -> Option<usize> {
        let Prepared { keys, bits, words } = prepared;
        if words.is_empty() {
            return None;
        }
        // Every earlier text sharing a bucket, each once, in index order (the order lines came
        // in): the first similar one is the earliest line, as if each bucket were searched.
        let mut candidates: Vec<usize> = keys
            .iter()
            .filter_map(|key| self.buckets.get(key))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let similar = candidates
            .into_iter()
            .filter_map(|index| self.entries.get(index))
            .find(|entry| {
                could_be_similar(entry.words.len(), words.len())
                    && could_share_enough(entry, words.len(), &bits)
                    && jaccard(&entry.words, &words) >= SIMILAR
            })
            .map(|entry| entry.line);
        let index = self.entries.len();
        self.entries.push(Entry { line, words, bits });
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
        // Word by word, all hash functions at once: the same minima, in one walk of the words.
        let mut signature = [u64::MAX; HASHES];
        for word in words {
            for (minimum, seed) in signature.iter_mut().zip(self.seeds.iter()) {
                *minimum = (*minimum).min(mix(word ^ seed));
            }
        }
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

    /// Random texts over a small vocabulary (many shared buckets, many similar pairs, full
    /// buckets): the gathered, filtered search finds what the bucket-by-bucket one found.
    #[test]
    fn the_filtered_search_agrees_with_the_reference() {
        let mut rng = crate::test_support::XorShift(0x5EED);
        for vocabulary in [8, 20, 60] {
            let mut fast = SimilarityIndex::new();
            let mut reference = SimilarityIndex::new();
            let mut earlier: Vec<Vec<u64>> = Vec::new();
            let mut found = 0;
            for line in 0..3_000 {
                let words = if !earlier.is_empty() && rng.below(3) == 0 {
                    // A near copy of an earlier text: one word more or less.
                    let mut words = earlier[rng.below(earlier.len())].clone();
                    if rng.below(2) == 0 && words.len() > 1 {
                        words.remove(rng.below(words.len()));
                    } else {
                        words.push(crate::normalize::fnv1a(&rng.next().to_le_bytes()));
                    }
                    words.sort_unstable();
                    words.dedup();
                    words
                } else {
                    let count = 1 + rng.below(12);
                    let mut words: Vec<u64> = (0..count)
                        .map(|_| crate::normalize::fnv1a(&rng.below(vocabulary).to_le_bytes()))
                        .collect();
                    words.sort_unstable();
                    words.dedup();
                    words
                };
                earlier.push(words.clone());
                let expected = reference.find_then_insert_reference(line, words.clone());
                assert_eq!(fast.find_then_insert(line, words), expected, "line {line}");
                found += usize::from(expected.is_some());
            }
            assert!(found > 100, "the test finds similar texts ({found})");
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
