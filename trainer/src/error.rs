//! Errors the trainer returns.

use afina_dataset::Message;

use crate::encoder::EncoderError;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// The bytes do not start with Afina's magic number.
    #[error(
        "this is not an Afina model file (it does not start with AFINAMDL): choose a .afina file saved by Afina"
    )]
    NotAModel,
    /// The file was written by a newer Afina.
    #[error(
        "this model file has format version {found}, but this Afina reads version {supported}: update Afina to open it"
    )]
    NewerVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The file ends early or its parts do not fit together.
    #[error("the model file is damaged: {0}; save the model again")]
    Damaged(String),
    /// The model stands on a pretrained encoder that was not given.
    #[error(
        "this model was trained on the pretrained encoder {name}, which is not loaded: give its model file (sha256 {sha256}; scripts/setup.sh downloads it)"
    )]
    NeedsBaseModel {
        /// The base model's name.
        name: String,
        /// SHA-256 of its file.
        sha256: String,
    },
    /// The encoder given is not the one the model was trained on.
    #[error(
        "this model was trained on {name} with sha256 {expected}, but the encoder given has sha256 {found}: give the model file it was trained with"
    )]
    DifferentBaseModel {
        /// The base model's name.
        name: String,
        /// SHA-256 the model file names.
        expected: String,
        /// SHA-256 of the encoder given.
        found: String,
    },
}

/// Why training or prediction could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// There were no labelled examples to learn from.
    #[error("there are no labelled rows to train on: load a file with a text and a label column")]
    NoExamples,
    /// All examples share one label, so there is nothing to tell apart.
    #[error(
        "every row has the label \"{label}\": a classifier needs at least two different labels"
    )]
    SingleLabel {
        /// The only label present.
        label: String,
    },
    /// The validation rows carry labels the training rows do not have.
    #[error(
        "the validation rows have labels the training rows lack: {}; the model could never predict them — fix the labels or add training rows with them",
        labels.join(", ")
    )]
    UnknownValidationLabels {
        /// The labels only the validation rows have.
        labels: Vec<String>,
    },
    /// A setting is out of its allowed range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The device failed to run or read back a computation.
    #[error("the device failed: {0}")]
    Device(String),
    /// Training was stopped by the user before the first epoch finished.
    #[error("training was stopped before the first epoch finished")]
    Cancelled,
    /// A model file could not be read or written.
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
    /// The pretrained encoder could not load or embed.
    #[error(transparent)]
    Encoder(#[from] EncoderError),
}

impl TrainError {
    /// Wraps any device-side error (execution or readback) into [`TrainError::Device`].
    pub(crate) fn device(error: impl std::fmt::Display) -> Self {
        Self::Device(error.to_string())
    }
}

impl TrainError {
    /// What went wrong and what to do, in English and Spanish, for the app to show in the
    /// user's language (the English text is the error's `Display`).
    pub fn message(&self) -> Message {
        let es = match self {
            Self::NoExamples => {
                "no hay filas con etiqueta para entrenar: carga un archivo con una \
                                 columna de texto y otra de etiqueta"
                    .to_owned()
            }
            Self::SingleLabel { label } => format!(
                "todas las filas tienen la etiqueta «{label}»: un clasificador necesita al menos \
                 dos etiquetas distintas"
            ),
            Self::UnknownValidationLabels { labels } => format!(
                "las filas de validación tienen etiquetas que no están en las de entrenamiento: \
                 {}; el modelo nunca podría predecirlas: corrige las etiquetas o añade filas de \
                 entrenamiento con ellas",
                labels.join(", ")
            ),
            Self::InvalidSetting { name, reason } => {
                format!("el ajuste {name} no es válido: {reason}")
            }
            Self::Device(detail) => format!("falló el dispositivo: {detail}"),
            Self::Cancelled => {
                "el entrenamiento se detuvo antes de terminar la primera época".to_owned()
            }
            Self::ModelFile(error) => return error.message(),
            Self::Encoder(error) => return error.message(),
        };
        Message::new(self.to_string(), es)
    }
}

impl ModelFileError {
    /// What went wrong and what to do, in English and Spanish.
    pub fn message(&self) -> Message {
        let es = match self {
            Self::NotAModel => "no es un archivo de modelo de Afina (no empieza por AFINAMDL): \
                                elige un archivo .afina guardado por Afina"
                .to_owned(),
            Self::NewerVersion { found, supported } => format!(
                "este archivo de modelo tiene la versión de formato {found}, pero este Afina lee \
                 la versión {supported}: actualiza Afina para abrirlo"
            ),
            Self::Damaged(detail) => {
                format!("el archivo de modelo está dañado: {detail}; guarda el modelo otra vez")
            }
            Self::NeedsBaseModel { name, sha256 } => format!(
                "este modelo se entrenó sobre el codificador preentrenado {name}, que no está \
                 cargado: indica su archivo de modelo (sha256 {sha256}; scripts/setup.sh lo \
                 descarga)"
            ),
            Self::DifferentBaseModel {
                name,
                expected,
                found,
            } => format!(
                "este modelo se entrenó sobre {name} con sha256 {expected}, pero el codificador \
                 indicado tiene sha256 {found}: usa el archivo de modelo con el que se entrenó"
            ),
        };
        Message::new(self.to_string(), es)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_both_languages() {
        let errors = [
            TrainError::NoExamples,
            TrainError::SingleLabel {
                label: "pos".into(),
            },
            TrainError::UnknownValidationLabels {
                labels: vec!["a".into(), "b".into()],
            },
            TrainError::InvalidSetting {
                name: "epochs",
                reason: "must be at least 1".into(),
            },
            TrainError::Device("lost".into()),
            TrainError::Cancelled,
            TrainError::ModelFile(ModelFileError::NotAModel),
            TrainError::ModelFile(ModelFileError::NewerVersion {
                found: 9,
                supported: 2,
            }),
            TrainError::ModelFile(ModelFileError::Damaged("short".into())),
            TrainError::ModelFile(ModelFileError::NeedsBaseModel {
                name: "e5".into(),
                sha256: "ab".into(),
            }),
            TrainError::ModelFile(ModelFileError::DifferentBaseModel {
                name: "e5".into(),
                expected: "ab".into(),
                found: "cd".into(),
            }),
            TrainError::Encoder(EncoderError::Device("lost".into())),
            TrainError::Encoder(EncoderError::TooLong {
                tokens: 600,
                max: 512,
            }),
            TrainError::Encoder(EncoderError::File(crate::encoder::E5FileError::NotE5)),
        ];
        for error in errors {
            let message = error.message();
            assert_eq!(message.en, error.to_string());
            assert!(
                !message.es.is_empty() && message.es != message.en,
                "{message:?}"
            );
        }
        let single = TrainError::SingleLabel {
            label: "pos".into(),
        }
        .message();
        assert!(single.es.contains("«pos»"), "{}", single.es);
    }
}
