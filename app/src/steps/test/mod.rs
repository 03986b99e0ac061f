//! The "Test" step: classify a sentence as it is typed (a confidence bar per class), classify a
//! batch (pasted lines or a CSV file) into a table that downloads as CSV, and compare two
//! versions on the same input side by side.

pub(crate) mod state;

use afina_dataset::{FileError, ParseOptions, RowContent, parse_with, table_to_csv};
use afina_trainer::Prediction;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{blob_bytes, download, picked_files, text_blob};
use crate::i18n::{Lang, PageLang};
use crate::steps::versions::state::Versions;
use state::{Answer, Batch, Playground};

/// Texts classified at most in one batch.
const BATCH_LIMIT: usize = 5_000;

/// Why a batch of `count` texts is refused, and what to do.
fn too_many(count: usize, lang: Lang) -> String {
    match lang {
        Lang::Es => format!(
            "{count} textos son demasiados para probarlos de una vez: como mucho {BATCH_LIMIT}. \
             Divídelos en partes más pequeñas."
        ),
        Lang::En => format!(
            "{count} texts are too many to test at once: {BATCH_LIMIT} at most. Split them into \
             smaller parts."
        ),
    }
}

/// The texts of a dropped file: its rows (with their labels, to compare with) when it reads as
/// a dataset, or one text per line after the header when it has a text column only.
fn batch_from_file(name: &str, bytes: &[u8], lang: Lang) -> Result<Batch, String> {
    match parse_with(name, bytes, &ParseOptions::default()) {
        Ok(dataset) => {
            let mut batch = Batch {
                texts: Vec::new(),
                expected: Vec::new(),
            };
            for row in &dataset.rows {
                if let RowContent::TextLabel { text, label } = &row.content {
                    batch.texts.push(text.clone());
                    batch.expected.push(Some(label.clone()));
                }
            }
            if batch.texts.is_empty() {
                return Err(format!(
                    "{name}: {}",
                    lang.pick(
                        "no tiene filas de texto y etiqueta (¿es una conversación?)",
                        "it has no text-and-label rows (is it a chat file?)"
                    )
                ));
            }
            Ok(batch)
        }
        Err(FileError::NoLabelColumn { .. }) => {
            let text = String::from_utf8_lossy(bytes);
            Ok(batch_from_lines(text.lines().skip(1)))
        }
        Err(error) => Err(lang.message(&error.message())),
    }
}

/// One text per non-blank line (a CSV cell's surrounding quotes taken off).
fn batch_from_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Batch {
    let texts: Vec<String> = lines
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.strip_prefix('"')
                .and_then(|inner| inner.strip_suffix('"'))
                .map_or_else(|| line.to_owned(), |inner| inner.replace("\"\"", "\""))
        })
        .collect();
    Batch {
        expected: vec![None; texts.len()],
        texts,
    }
}

/// The predicted label and its confidence, in the page's words.
fn top(prediction: &Prediction) -> (String, f32) {
    prediction.top().map_or((String::new(), 0.0), |score| {
        (score.label.clone(), score.probability)
    })
}

/// The bars of one version's answer for the typed sentence.
fn score_list(
    answer: Answer,
    about: String,
    side: &'static str,
    latency: Option<f64>,
    lang: Lang,
) -> impl IntoView {
    match answer {
        None => None,
        Some(Err(error)) => {
            Some(view! { <p class="error" data-testid="prediction-error">{error}</p> }.into_any())
        }
        Some(Ok(predictions)) => {
            let items = predictions
                .into_iter()
                .next()
                .map(|prediction| prediction.scores)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(index, score)| {
                    let percent = (score.probability * 100.0).round();
                    let width = format!("width: {percent}%");
                    view! {
                        <li
                            data-testid="prediction"
                            data-side=side
                            data-rank=index + 1
                            data-label=score.label.clone()
                            data-confidence=score.probability
                        >
                            <span class="label">
                                {format!("{} ({percent:.0} % {})", score.label, lang.pick("confianza", "confidence"))}
                            </span>
                            <span class="bar" aria-hidden="true"><span class="fill" style=width></span></span>
                        </li>
                    }
                })
                .collect_view();
            let latency = latency.map(|ms| {
                view! {
                    <p class="help" data-testid="latency" data-side=side data-ms=ms>
                        {format!("{} {ms:.0} ms", lang.pick("Respuesta en", "Answered in"))}
                    </p>
                }
            });
            Some(
                view! {
                    <ul class="predictions" data-side=side data-for=about>{items}</ul>
                    {latency}
                }
                .into_any(),
            )
        }
    }
}

/// A version picker.
fn version_select(
    signal: RwSignal<Option<u32>>,
    versions: Versions,
    playground: Playground,
    allow_none: bool,
    testid: &'static str,
    lang: Lang,
) -> impl IntoView {
    let options = move || {
        let chosen = signal.get();
        let mut options: Vec<_> = versions
            .list
            .get()
            .into_iter()
            .rev()
            .map(|version| {
                let selected = chosen == Some(version.id);
                let accuracy = version
                    .info
                    .metrics
                    .as_ref()
                    .map(|metrics| format!(" · {}", lang.percent(metrics.accuracy)))
                    .unwrap_or_default();
                view! {
                    <option value=version.id.to_string() selected=selected>
                        {format!("{}{accuracy}", version.name())}
                    </option>
                }
                .into_any()
            })
            .collect();
        if allow_none {
            options.insert(
                0,
                view! { <option value="" selected=chosen.is_none()>{lang.pick("(ninguna)", "(none)")}</option> }
                    .into_any(),
            );
        }
        options
    };
    view! {
        <select
            data-testid=testid
            on:change=move |event| {
                let value = event_target_value(&event).parse::<u32>().ok();
                signal.set(value);
                playground.refresh();
            }
        >
            {options}
        </select>
    }
}

/// The "Test" step.
#[component]
pub(crate) fn PlaygroundPanel() -> impl IntoView {
    let state = expect_context::<PageLang>();
    let playground = expect_context::<Playground>();
    let versions = expect_context::<Versions>();
    let has_versions = move || !versions.list.with(Vec::is_empty);
    let batch_input = NodeRef::<leptos::html::Textarea>::new();
    let on_batch_file = move |event: leptos::ev::Event| {
        let lang = state.lang.get_untracked();
        let Some(file) = picked_files(&event).and_then(|(_, files)| files.get(0)) else {
            return;
        };
        spawn_local(async move {
            let result = blob_bytes(&file)
                .await
                .and_then(|bytes| batch_from_file(&file.name(), &bytes, lang));
            match result {
                Ok(batch) if batch.texts.len() > BATCH_LIMIT => playground.batch_error.set(Some(
                    format!("{}: {}", file.name(), too_many(batch.texts.len(), lang)),
                )),
                Ok(batch) => playground.set_batch(batch),
                Err(error) => playground.batch_error.set(Some(error)),
            }
        });
    };
    let classify_pasted = move |_| {
        if let Some(input) = batch_input.get() {
            let value = input.value();
            let batch = batch_from_lines(value.lines());
            if batch.texts.len() > BATCH_LIMIT {
                let lang = state.lang.get_untracked();
                playground
                    .batch_error
                    .set(Some(too_many(batch.texts.len(), lang)));
            } else {
                playground.set_batch(batch);
            }
        }
    };
    let download_batch = move |_| {
        let lang = state.lang.get_untracked();
        let Some(batch) = playground.batch.get_untracked() else {
            return;
        };
        let name = |id: Option<u32>| id.map(|id| format!("v{id}"));
        let sides: Vec<(String, Vec<Prediction>)> = [
            (
                name(playground.chosen.get_untracked()),
                playground.batch_answers[0].get_untracked(),
            ),
            (
                name(playground.compare.get_untracked()),
                playground.batch_answers[1].get_untracked(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, answer)| Some((name?, answer?.ok()?)))
        .collect();
        let with_expected = batch.expected.iter().any(Option::is_some);
        let mut header = vec!["text".to_string()];
        if with_expected {
            header.push("expected".into());
        }
        for (name, _) in &sides {
            header.push(format!("label_{name}"));
            header.push(format!("confidence_{name}"));
        }
        let rows: Vec<Vec<String>> = batch
            .texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let mut row = vec![text.clone()];
                if with_expected {
                    row.push(batch.expected[index].clone().unwrap_or_default());
                }
                for (_, predictions) in &sides {
                    let (label, confidence) = predictions.get(index).map(top).unwrap_or_default();
                    row.push(label);
                    row.push(format!("{confidence:.4}"));
                }
                row
            })
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let saved = table_to_csv(&header, &rows)
            .map_err(|error| lang.message(&error.message()))
            .and_then(|csv| text_blob(&csv, "text/csv"))
            .and_then(|blob| download(&blob, lang.pick("predicciones.csv", "predictions.csv")));
        if let Err(error) = saved {
            playground.batch_error.set(Some(error));
        }
    };
    let batch_table = move || {
        let lang = state.lang.get();
        let batch = playground.batch.get()?;
        let answers = [
            playground.batch_answers[0].get(),
            playground.batch_answers[1].get(),
        ];
        let compare = playground.compare.get().is_some();
        let with_expected = batch.expected.iter().any(Option::is_some);
        let error = answers.iter().find_map(|answer| {
            answer
                .as_ref()
                .and_then(|answer| answer.as_ref().err().cloned())
        });
        let predictions: Vec<Vec<Prediction>> = answers
            .iter()
            .map(|answer| answer.clone().and_then(Result::ok).unwrap_or_default())
            .collect();
        let agree = with_expected.then(|| {
            let right = batch
                .expected
                .iter()
                .zip(&predictions[0])
                .filter(|(expected, prediction)| {
                    expected.as_deref() == Some(top(prediction).0.as_str())
                })
                .count();
            format!(
                "{}: {right} / {}",
                lang.pick(
                    "Aciertos frente a la etiqueta del archivo",
                    "Matches with the file's label"
                ),
                batch.texts.len()
            )
        });
        let rows = batch
            .texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let cell = |side: usize| {
                    predictions[side].get(index).map(|prediction| {
                        let (label, confidence) = top(prediction);
                        let expected = batch.expected[index].as_deref();
                        let wrong = expected.is_some_and(|expected| expected != label);
                        view! {
                            <td class:wrong=wrong data-testid="batch-label" data-label=label.clone() data-confidence=confidence>
                                {format!("{label} ({:.0} %)", confidence * 100.0)}
                            </td>
                        }
                    })
                };
                view! {
                    <tr data-testid="batch-row">
                        <td>{text.clone()}</td>
                        {with_expected.then(|| view! { <td>{batch.expected[index].clone().unwrap_or_default()}</td> })}
                        {cell(0)}
                        {compare.then(|| cell(1))}
                    </tr>
                }
            })
            .collect_view();
        let name = |signal: RwSignal<Option<u32>>| {
            signal.get().map(|id| format!("v{id}")).unwrap_or_default()
        };
        Some(view! {
            {error.map(|error| view! { <p class="error">{error}</p> })}
            {agree.map(|agree| view! { <p data-testid="batch-agree">{agree}</p> })}
            <div class="table-wrap">
                <table data-testid="batch-table">
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("Texto", "Text")}</th>
                            {with_expected.then(|| view! { <th scope="col">{lang.pick("Etiqueta del archivo", "File's label")}</th> })}
                            <th scope="col">{name(playground.chosen)}</th>
                            {compare.then(|| view! { <th scope="col">{name(playground.compare)}</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <button data-testid="batch-download" on:click=download_batch>
                {lang.pick("Descargar las predicciones (.csv)", "Download the predictions (.csv)")}
            </button>
        })
    };
    view! {
        <section class="panel" data-testid="playground">
            <h2>{move || state.text("5. Probar", "5. Test")}</h2>
            {move || (!has_versions()).then(|| view! {
                <p class="note">{state.text("Entrena un modelo (o carga uno) para probarlo aquí.", "Train a model (or load one) to try it here.")}</p>
            })}
            <div class="versions-pick">
                <label>
                    {move || state.text("Versión ", "Version ")}
                    {move || version_select(playground.chosen, versions, playground, false, "version-select", state.lang.get())}
                </label>
                <label>
                    {move || state.text(" Comparar con ", " Compare with ")}
                    {move || version_select(playground.compare, versions, playground, true, "compare-select", state.lang.get())}
                </label>
            </div>
            <label for="predict-input">
                {move || state.text("Escribe una frase para clasificarla", "Type a sentence to classify it")}
            </label>
            <input
                id="predict-input"
                type="text"
                data-testid="predict-input"
                disabled=move || !has_versions()
                placeholder=move || state.text("La comida estaba deliciosa", "The food was delicious")
                on:input=move |event| {
                    playground.text.set(event_target_value(&event));
                    playground.refresh_sentence();
                }
            />
            <div class="compare" class:two=move || playground.compare.get().is_some()>
                <div>
                    {move || playground.chosen.get().map(|id| view! { <h3>{format!("v{id}")}</h3> })}
                    {move || score_list(playground.single[0].get(), playground.single_for[0].get(), "a", playground.latency[0].get(), state.lang.get())}
                </div>
                {move || playground.compare.get().map(|id| view! {
                    <div>
                        <h3>{format!("v{id}")}</h3>
                        {move || score_list(playground.single[1].get(), playground.single_for[1].get(), "b", playground.latency[1].get(), state.lang.get())}
                    </div>
                })}
            </div>
            <details class="batch" data-testid="batch">
                <summary>{move || state.text("Clasificar muchas frases a la vez", "Classify many sentences at once")}</summary>
                <label for="batch-input">
                    {move || state.text("Una frase por línea", "One sentence per line")}
                </label>
                <textarea id="batch-input" data-testid="batch-input" rows="5" node_ref=batch_input></textarea>
                <button data-testid="batch-button" disabled=move || !has_versions() on:click=classify_pasted>
                    {move || state.text("Clasificar las líneas", "Classify the lines")}
                </button>
                <label class="button">
                    {move || state.text("…o elige un CSV", "…or choose a CSV")}
                    <input type="file" accept=".csv,.tsv,.jsonl,.txt,.xlsx" data-testid="batch-file" on:change=on_batch_file/>
                </label>
                {move || playground.batch_error.get().map(|error| view! { <p class="error" role="alert" data-testid="batch-error">{error}</p> })}
                {batch_table}
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_lines_drop_blanks_and_quotes() {
        let batch = batch_from_lines("\"dijo \"\"hola\"\"\"\n\n  muy bueno  \n".lines());
        assert_eq!(batch.texts, vec!["dijo \"hola\"", "muy bueno"]);
        assert_eq!(batch.expected, vec![None, None]);
    }

    #[test]
    fn labelled_files_keep_their_labels() {
        let csv = "text,label\nmuy bueno,positivo\nmalo,negativo\n";
        let batch = batch_from_file("b.csv", csv.as_bytes(), Lang::En).unwrap();
        assert_eq!(batch.texts, vec!["muy bueno", "malo"]);
        assert_eq!(
            batch.expected,
            vec![Some("positivo".into()), Some("negativo".into())]
        );
    }

    #[test]
    fn text_only_files_read_line_by_line() {
        let csv = "text\nhola\n\"adiós, amigo\"\n";
        let batch = batch_from_file("b.csv", csv.as_bytes(), Lang::En).unwrap();
        assert_eq!(batch.texts, vec!["hola", "adiós, amigo"]);
    }
}
