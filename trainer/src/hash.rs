//! 64-bit FNV-1a, used for feature buckets and data fingerprints.
//!
//! Written here rather than taken from a crate because the hash is part of the model file
//! format: it must never change with a dependency update, and it is a dozen lines.

/// An incremental FNV-1a hasher.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// A hasher in its initial state.
    pub(crate) fn new() -> Self {
        Self(Self::OFFSET)
    }

    /// Feeds `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(Self::PRIME);
        }
    }

    /// The hash of everything fed so far.
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// The hash of the parts joined by a 0x1f separator byte.
pub(crate) fn hash_parts(parts: &[&[u8]]) -> u64 {
    let mut hasher = Fnv1a::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            hasher.write(&[0x1f]);
        }
        hasher.write(part);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vector() {
        // The model file depends on this exact function: a change here breaks saved models.
        assert_eq!(hash_parts(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash_parts(&[]), 0xcbf2_9ce4_8422_2325);
    }
}
