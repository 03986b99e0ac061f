//! The distinct labels of a file, each kept once under a small id, with how many rows have it:
//! what the label passes need, without a copy per row.

use foldhash::HashMap;

use crate::normalize::{hash128, label_key};

/// Seeds of the 128-bit hashes of labels.
const LABEL_SEEDS: [u64; 2] = [0x1AB3_0001, 0x1AB3_0002];

/// The id of a label in its [`LabelIds`]: ids count up in the order labels are first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LabelId(u32);

/// One distinct label.
#[derive(Debug, Clone)]
struct Label {
    text: Box<str>,
    rows: usize,
}

/// An interner of labels: each distinct label once, found by a 128-bit hash of its text.
#[derive(Debug, Clone, Default)]
pub(crate) struct LabelIds {
    ids: HashMap<u128, u32>,
    labels: Vec<Label>,
}

impl LabelIds {
    /// The id of `label`, counting one more row with it.
    pub(crate) fn intern(&mut self, label: &str) -> LabelId {
        let hash = hash128(label, LABEL_SEEDS);
        let next = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(hash).or_insert(next);
        match self.labels.get_mut(id as usize) {
            Some(known) => known.rows += 1,
            None => self.labels.push(Label {
                text: label.into(),
                rows: 1,
            }),
        }
        LabelId(id)
    }

    /// The text of the label with `id` (empty for an id from another interner).
    pub(crate) fn text(&self, id: LabelId) -> &str {
        self.labels
            .get(id.0 as usize)
            .map_or("", |label| &label.text)
    }

    /// Whether two labels have the same [`label_key`] (they differ at most in case, spacing
    /// or accents). Keys are made here, only for the labels of two texts that meet: making
    /// one for every distinct label (every free-form answer of a chat file) cost more.
    pub(crate) fn same_key(&self, first: LabelId, second: LabelId) -> bool {
        first == second || label_key(self.text(first)) == label_key(self.text(second))
    }

    /// How many distinct labels there are.
    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// Each distinct label with its number of rows, in the order first seen.
    pub(crate) fn counts(&self) -> Vec<(&str, usize)> {
        self.labels
            .iter()
            .map(|label| (&*label.text, label.rows))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_up_and_rows_are_counted() {
        let mut ids = LabelIds::default();
        let positive = ids.intern("positivo");
        let negative = ids.intern("negativo");
        assert_eq!(ids.intern("positivo"), positive);
        let variant = ids.intern(" Positivo");
        assert_ne!(variant, positive);
        assert!(ids.same_key(positive, variant));
        assert!(!ids.same_key(positive, negative));
        assert_eq!(ids.text(negative), "negativo");
        assert_eq!(ids.len(), 3);
        assert_eq!(
            ids.counts(),
            [("positivo", 2), ("negativo", 1), (" Positivo", 1)]
        );
    }
}
