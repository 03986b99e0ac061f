//! Step 1, "Load": files dropped, picked, pasted or sampled, read by the reader worker; big
//! files validated as a stream.

pub(crate) mod loader;
pub(crate) mod stream;
pub(crate) mod validation;

use leptos::prelude::*;

use crate::browser::{now_ms, picked_files};
use loader::{Loader, Reading};

/// A built-in sample, served from `public/samples/`.
struct Sample {
    /// File name under `samples/`.
    file: &'static str,
    /// Test id of its button.
    testid: &'static str,
    /// Its button, in Spanish and English.
    title: (&'static str, &'static str),
}

/// The built-in samples, the first one the main button.
const SAMPLES: [Sample; 4] = [
    Sample {
        file: "resenas.csv",
        testid: "sample-button",
        title: (
            "Probar con el ejemplo (reseñas de restaurantes)",
            "Try the sample (restaurant reviews, Spanish)",
        ),
    },
    Sample {
        file: "urgencia.csv",
        testid: "sample-urgencia",
        title: (
            "Correos: urgente / normal",
            "E-mails: urgent / normal (Spanish)",
        ),
    },
    Sample {
        file: "faq.jsonl",
        testid: "sample-faq",
        title: (
            "Chat de preguntas frecuentes (JSONL)",
            "FAQ chat (JSONL, Spanish)",
        ),
    },
    Sample {
        file: "reviews-en.csv",
        testid: "sample-reviews-en",
        title: ("Opiniones en inglés", "English reviews"),
    },
];

/// Below this share done, an ETA would be a guess.
const ETA_FROM: f64 = 0.05;

/// The file types the file inputs offer for a dataset.
const DATASET_FILES: &str = ".csv,.tsv,.jsonl,.json,.txt,.xlsx";

/// Drop zone, file input and the sample button.
#[component]
pub(crate) fn LoadPanel() -> impl IntoView {
    let state = expect_context::<Loader>();
    let dragging = RwSignal::new(false);
    let paste_input = NodeRef::<leptos::html::Textarea>::new();
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if let Some(files) = event.data_transfer().and_then(|transfer| transfer.files()) {
            state.load_files(&files);
        }
    };
    let on_pick = move |event: leptos::ev::Event| {
        if let Some((_, files)) = picked_files(&event) {
            state.load_files(&files);
        }
    };
    let on_pick_validation = move |event: leptos::ev::Event| {
        if let Some(file) = picked_files(&event).and_then(|(_, files)| files.get(0)) {
            state.validation.load(&state.work, file);
        }
    };
    view! {
        <section class="panel">
            <h2>{move || state.text("1. Cargar", "1. Load")}</h2>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                data-testid="drop-zone"
                on:dragenter=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragover=move |event: leptos::ev::DragEvent| event.prevent_default()
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>
                    {move || state.text(
                        "Suelta aquí un archivo CSV, TSV, JSONL o Excel (.xlsx), o dos: entrenamiento y validación",
                        "Drop a CSV, TSV, JSONL or Excel (.xlsx) file here, or two: training and validation",
                    )}
                </p>
                <label class="button">
                    {move || state.text("Elegir archivo", "Choose a file")}
                    <input
                        type="file"
                        accept=DATASET_FILES
                        data-testid="file-input"
                        multiple
                        on:change=on_pick
                    />
                </label>
            </div>
            <label class="button">
                {move || state.text("Archivo de validación (opcional)", "Validation file (optional)")}
                <input
                    type="file"
                    accept=DATASET_FILES
                    data-testid="validation-input"
                    on:change=on_pick_validation
                />
            </label>
            {move || state.validation.file.get().map(|validation| {
                let rows = validation.examples().len();
                view! {
                    <p class="note" data-testid="validation-file" data-rows=rows>
                        {format!(
                            "{}: {} · {rows} {}",
                            state.text("Validación", "Validation"),
                            validation.file_name,
                            state.text(
                                "filas; el modelo se medirá con ellas en vez de apartar una parte del entrenamiento.",
                                "rows; the model is measured on them instead of a share of the training rows.",
                            )
                        )}
                        " "
                        <button class="link" data-testid="validation-remove" on:click=move |_| state.validation.file.set(None)>
                            {state.text("quitar", "remove")}
                        </button>
                    </p>
                }
            })}
            {move || state.validation.error.get().map(|error| view! {
                <p class="error" role="alert" data-testid="validation-error">{error}</p>
            })}
            <div class="samples">
                {SAMPLES
                    .iter()
                    .map(|sample| {
                        let Sample { file, testid, title } = *sample;
                        view! {
                            <button data-testid=testid on:click=move |_| state.load_sample(file)>
                                {move || state.text(title.0, title.1)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {move || {
                state.reading.get().map(|reading| reading_note(state, reading))
            }}
            {move || {
                state
                    .load_error
                    .get()
                    .map(|error| view! { <p class="error" role="alert" data-testid="load-error">{error}</p> })
            }}
            {move || {
                state.json_offer.get().then(|| view! {
                    <button data-testid="convert-json" on:click=move |_| state.read_source(true)>
                        {state.text(
                            "Leerlo como JSON Lines (un objeto por línea)",
                            "Read it as JSON Lines (one object per line)",
                        )}
                    </button>
                })
            }}
            {move || {
                let sheets = state.sheets.get();
                (!sheets.is_empty()).then(|| {
                    let chosen = state.sheet.get().or_else(|| sheets.first().cloned()).unwrap_or_default();
                    let options = sheets
                        .into_iter()
                        .map(|sheet| {
                            let selected = sheet == chosen;
                            view! { <option value=sheet.clone() selected=selected>{sheet.clone()}</option> }
                        })
                        .collect_view();
                    view! {
                        <label class="sheet">
                            {state.text("Hoja del libro: ", "Workbook sheet: ")}
                            <select
                                data-testid="sheet-select"
                                on:change=move |event| {
                                    state.sheet.set(Some(event_target_value(&event)));
                                    state.read_source(false);
                                }
                            >
                                {options}
                            </select>
                        </label>
                    }
                })
            }}
            {move || {
                let loaded = state.work.dataset.get().is_some()
                    || (state.load_error.get().is_some() && state.source.with_value(Option::is_some));
                loaded.then(|| view! { <ColumnChoice/> })
            }}
            <details class="paste">
                <summary>{move || state.text("…o pega el texto aquí", "…or paste the text here")}</summary>
                <label for="paste-input">
                    {move || state.text(
                        "CSV con cabecera (texto,etiqueta) o JSON Lines",
                        "CSV with a header (text,label) or JSON Lines",
                    )}
                </label>
                <textarea id="paste-input" data-testid="paste-input" rows="6" node_ref=paste_input></textarea>
                <button
                    data-testid="paste-button"
                    on:click=move |_| {
                        if let Some(input) = paste_input.get() {
                            let text = input.value();
                            if !text.trim().is_empty() {
                                state.load_bytes(state.text("texto-pegado.txt", "pasted-text.txt"), text.as_bytes());
                            }
                        }
                    }
                >
                    {move || state.text("Validar el texto pegado", "Check the pasted text")}
                </button>
            </details>
        </section>
    }
}

/// Name the text and label columns (or JSON keys) when the detected ones are wrong.
#[component]
fn ColumnChoice() -> impl IntoView {
    let state = expect_context::<Loader>();
    let text_input = NodeRef::<leptos::html::Input>::new();
    let label_input = NodeRef::<leptos::html::Input>::new();
    let (text_now, label_now) = state.columns.get_untracked();
    let apply = move |_| {
        let value = |input: NodeRef<leptos::html::Input>| {
            input
                .get()
                .map(|input| input.value().trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        state.columns.set((value(text_input), value(label_input)));
        state.read_source(false);
    };
    view! {
        <details class="columns">
            <summary>{move || state.text("Elegir las columnas", "Choose the columns")}</summary>
            <label>
                {move || state.text("Columna del texto ", "Text column ")}
                <input type="text" data-testid="column-text" node_ref=text_input value=text_now.unwrap_or_default()/>
            </label>
            <label>
                {move || state.text(" Columna de la etiqueta ", " Label column ")}
                <input type="text" data-testid="column-label" node_ref=label_input value=label_now.unwrap_or_default()/>
            </label>
            <button data-testid="columns-apply" on:click=apply>
                {move || state.text("Leer con estas columnas", "Read with these columns")}
            </button>
        </details>
    }
}

/// "Reading and validating reviews.csv…" with a bar (indeterminate until the reader says how
/// far it has got), the share done and the time left.
fn reading_note(state: Loader, reading: Reading) -> impl IntoView {
    let Reading {
        name,
        started,
        done,
        ..
    } = reading;
    let label = state.text("Leyendo", "Reading");
    let bar = if done > 0.0 {
        view! { <progress aria-label=label max="1" value=done></progress> }.into_any()
    } else {
        view! { <progress aria-label=label></progress> }.into_any()
    };
    let eta = (done >= ETA_FROM).then(|| {
        let seconds = (now_ms() - started) / done * (1.0 - done) / 1000.0;
        format!(
            " {:.0} % · {} {:.0} s",
            done * 100.0,
            state.text("quedan unos", "about"),
            seconds.ceil(),
        ) + state.text("", " left")
    });
    view! {
        <p class="note reading" data-testid="reading" data-done=done>
            {bar}
            " "
            <span role="status">
                {format!("{} {name}…", state.text("Leyendo y validando", "Reading and validating"))}
            </span>
            <span data-testid="reading-eta">{eta}</span>
        </p>
    }
}
