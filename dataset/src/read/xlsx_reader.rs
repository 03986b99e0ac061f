//! Reading Excel workbooks (`.xlsx`): listing their sheets and reading one sheet as a table
//! (through [`crate::read::table`]) whose row numbers are the sheet's.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use crate::format::Format;
use crate::read::file_error::FileError;
use crate::read::parse_options::ParseOptions;
use crate::read::parsed::Parsed;
use crate::read::table::{Origin, Record, Table};

/// Seconds in a day, to turn the fraction of a date serial number into a time.
const SECONDS_PER_DAY: f64 = 86_400.0;
/// Days from 1899-12-30 (day 0 of Excel's 1900 date system, after its leap-year bug) to
/// 1970-01-01.
const DAYS_1900_TO_UNIX: i64 = 25_569;
/// Days from 1904-01-01 (day 0 of Excel's 1904 date system) to 1970-01-01.
const DAYS_1904_TO_UNIX: i64 = 24_107;

/// An opened workbook.
type Workbook = Xlsx<Cursor<Vec<u8>>>;

/// The names of the worksheets of an `.xlsx` file, in workbook order (chart sheets left out).
pub(crate) fn sheet_names(file: &str, bytes: &[u8]) -> Result<Vec<String>, FileError> {
    let workbook = open(file, bytes)?;
    Ok(worksheets(&workbook)
        .into_iter()
        .map(|(name, _)| name)
        .collect())
}

/// Reads one sheet of an `.xlsx` file: `sheet`, or the first visible worksheet when `None`,
/// with its columns chosen as `options` say.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: &ParseOptions,
) -> Result<Parsed, FileError> {
    let mut workbook = open(file, bytes)?;
    let sheets = worksheets(&workbook);
    let names: Vec<String> = sheets.iter().map(|(name, _)| name.clone()).collect();
    let chosen = match sheet {
        Some(wanted) => names.iter().find(|name| *name == wanted).cloned(),
        None => sheets
            .iter()
            .find(|(_, visible)| *visible)
            .or(sheets.first())
            .map(|(name, _)| name.clone()),
    };
    let Some(chosen) = chosen else {
        return Err(match sheet {
            Some(wanted) => FileError::UnknownSheet {
                file: file.to_owned(),
                sheet: wanted.to_owned(),
                sheets: names,
            },
            None => FileError::Empty {
                file: file.to_owned(),
            },
        });
    };
    let cells = read_cells(&mut workbook, &chosen).map_err(|error| corrupt(file, &error))?;
    let Some((_, header_cells)) = cells.first_key_value() else {
        return Err(FileError::EmptySheet {
            file: file.to_owned(),
            sheet: chosen,
            sheets: names,
        });
    };
    // The table spans the header row's cells; cells left or right of it have no column name.
    let first_column = header_cells.keys().next().copied().unwrap_or(0);
    let last_column = header_cells.keys().next_back().copied().unwrap_or(0);
    let records: Vec<Record> = cells
        .iter()
        .map(|(&row, row_cells)| Record {
            line: line_of(row),
            values: (first_column..=last_column)
                .map(|column| row_cells.get(&column).cloned().unwrap_or_default())
                .collect(),
        })
        .filter(|record| !Record::is_blank(&record.values))
        .collect();
    let Some((first, rest)) = records.split_first() else {
        return Err(FileError::EmptySheet {
            file: file.to_owned(),
            sheet: chosen,
            sheets: names,
        });
    };
    let origin = Origin::Sheet {
        name: chosen.clone(),
        first_column,
    };
    let mut table = Table::start(file, origin, first, rest, options)?;
    for record in rest {
        table.add(record);
    }
    table.finish(Format::Xlsx { sheet: chosen })
}

/// Opens the workbook, or says it is damaged.
fn open(file: &str, bytes: &[u8]) -> Result<Workbook, FileError> {
    Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|error| corrupt(file, &error))
}

fn corrupt(file: &str, error: &XlsxError) -> FileError {
    FileError::CorruptXlsx {
        file: file.to_owned(),
        detail: error.to_string(),
    }
}

/// The worksheets in workbook order, each with whether it is visible.
fn worksheets(workbook: &Workbook) -> Vec<(String, bool)> {
    workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| (sheet.name.clone(), sheet.visible == SheetVisible::Visible))
        .collect()
}

/// The display text of the cells of a sheet that are not blank, by 0-based row and then
/// column.
///
/// Cells are streamed rather than loaded as a dense range, so a stray cell far from the data
/// costs nothing.
fn read_cells(
    workbook: &mut Workbook,
    sheet: &str,
) -> Result<BTreeMap<u32, BTreeMap<u32, String>>, XlsxError> {
    let is_1904 = workbook.has_1904_epoch();
    let mut reader = workbook.worksheet_cells_reader(sheet)?;
    let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell()? {
        let text = display_text(cell.get_value(), is_1904);
        if !text.trim().is_empty() {
            let (row, column) = cell.get_position();
            cells.entry(row).or_default().insert(column, text);
        }
    }
    Ok(cells)
}

/// The 1-based row number of a 0-based row.
fn line_of(row: u32) -> usize {
    usize::try_from(row).map_or(usize::MAX, |row| row.saturating_add(1))
}

/// A cell as a spreadsheet shows it with the general format: integers without `.0`, at most
/// 15 significant digits, `TRUE`/`FALSE`, dates as `2024-03-15` (with ` 14:30:00` when they
/// have a time), durations as `36:15:00`, errors as `#N/A`.
fn display_text(value: &DataRef<'_>, is_1904: bool) -> String {
    match value {
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => number_text(*number),
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Bool(true) => "TRUE".to_owned(),
        DataRef::Bool(false) => "FALSE".to_owned(),
        DataRef::DateTime(date_time) => date_time_text(date_time, is_1904),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(error) => error.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A number rounded to the 15 significant digits spreadsheets keep, without a trailing `.0`.
fn number_text(number: f64) -> String {
    let rounded: f64 = format!("{number:.14e}").parse().unwrap_or(number);
    // `-0` is shown as `0`.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    rounded.to_string()
}

/// A date, date-time or duration cell as text; the serial number itself if it is out of range.
fn date_time_text(date_time: &ExcelDateTime, is_1904: bool) -> String {
    let serial = date_time.as_f64();
    if !serial.is_finite() || serial.abs() > 3.0e6 {
        return number_text(serial);
    }
    // Whole seconds, so 0.99999 of a day is the next midnight rather than 23:59:60.
    let total_seconds = (serial * SECONDS_PER_DAY).round();
    // In range: |serial| ≤ 3e6 days is far below i64::MAX seconds.
    let total_seconds = total_seconds as i64;
    let days = total_seconds.div_euclid(86_400);
    let seconds = total_seconds.rem_euclid(86_400);
    let time = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60
    );
    if date_time.is_duration() {
        let hours = total_seconds / 3_600;
        let rest = total_seconds.rem_euclid(3_600);
        return format!("{hours}:{:02}:{:02}", rest / 60, rest % 60);
    }
    if !is_1904 && days == 0 {
        // Serial numbers below 1 are times of day without a date.
        return time;
    }
    let unix_days = if is_1904 {
        days - DAYS_1904_TO_UNIX
    } else if days < 61 {
        // Excel counts a 29 February 1900 that did not exist: before it, days start a day later.
        days - DAYS_1900_TO_UNIX + 1
    } else {
        days - DAYS_1900_TO_UNIX
    };
    let (year, month, day) = civil_from_days(unix_days);
    let date = format!("{year:04}-{month:02}-{day:02}");
    if seconds == 0 {
        date
    } else {
        format!("{date} {time}")
    }
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::read::parse::{parse, parse_xlsx, sheet_names};
    use crate::row::RowContent;
    use crate::test_support::XorShift;
    use crate::{Dataset, DocumentKind};
    use calamine::ExcelDateTimeType;

    /// A cell to write with `rust_xlsxwriter`.
    enum Value {
        Text(&'static str),
        Number(f64),
        Bool(bool),
        Date(u16, u8, u8),
        Blank,
    }
    use Value::{Blank, Bool, Date, Number, Text};

    /// An `.xlsx` file with the given sheets, each a list of rows starting at `A1`.
    fn workbook(sheets: &[(&str, &[&[Value]])]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        for (name, rows) in sheets {
            let sheet = workbook.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (row_index, row) in rows.iter().enumerate() {
                let row_number = u32::try_from(row_index).unwrap();
                for (column_index, value) in row.iter().enumerate() {
                    let column = u16::try_from(column_index).unwrap();
                    match value {
                        Text(text) => {
                            sheet.write_string(row_number, column, *text).unwrap();
                        }
                        Number(number) => {
                            sheet.write_number(row_number, column, *number).unwrap();
                        }
                        Bool(value) => {
                            sheet.write_boolean(row_number, column, *value).unwrap();
                        }
                        Date(year, month, day) => {
                            let date =
                                rust_xlsxwriter::ExcelDateTime::from_ymd(*year, *month, *day)
                                    .unwrap();
                            sheet
                                .write_datetime_with_format(row_number, column, &date, &date_format)
                                .unwrap();
                        }
                        Blank => {}
                    }
                }
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    fn opinions() -> Vec<u8> {
        workbook(&[
            (
                "Opiniones",
                &[
                    &[Text("texto"), Text("etiqueta")],
                    &[Text("Me encanta"), Text("positivo")],
                    &[Text("Lo odio"), Text("negativo")],
                    &[Blank, Text("positivo")],
                    &[Text("Genial"), Blank],
                    &[Text("Muy bien"), Text("positivo")],
                    &[Blank, Blank],
                ],
            ),
            (
                "Notas",
                &[
                    &[Text("comentario"), Text("nota")],
                    &[Number(42.0), Number(1.0)],
                    &[Text("regular"), Number(2.5)],
                    &[Bool(true), Date(2024, 3, 15)],
                ],
            ),
        ])
    }

    fn text_labels(dataset: &Dataset) -> Vec<(usize, String, String)> {
        dataset
            .rows
            .iter()
            .map(|row| match &row.content {
                RowContent::TextLabel { text, label } => (row.line, text.clone(), label.clone()),
                RowContent::Chat { .. } => panic!("expected text/label"),
            })
            .collect()
    }

    fn located(dataset: &Dataset) -> Vec<(Option<usize>, &str, Option<&str>)> {
        dataset
            .findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .map(|finding| {
                (
                    finding.line,
                    finding.code.as_str(),
                    finding.field.as_deref(),
                )
            })
            .collect()
    }

    #[test]
    fn reads_the_first_sheet_by_default() {
        let dataset = parse("opiniones.xlsx", &opinions()).unwrap();
        assert_eq!(
            dataset.format,
            Format::Xlsx {
                sheet: "Opiniones".into()
            }
        );
        assert_eq!(dataset.format.to_string(), "XLSX (Opiniones)");
        assert_eq!(dataset.encoding, "XLSX");
        let rows = text_labels(&dataset);
        assert_eq!(rows.iter().map(|row| row.0).collect::<Vec<_>>(), [2, 3, 6]);
        assert_eq!(rows[0], (2, "Me encanta".into(), "positivo".into()));
        // Recognised by content, whatever the name says.
        let renamed = parse("opiniones.csv", &opinions()).unwrap();
        assert_eq!(renamed.format, dataset.format);
        assert_eq!(renamed.rows, dataset.rows);
    }

    #[test]
    fn empty_cells_are_located_by_row_and_cell() {
        let dataset = parse("opiniones.xlsx", &opinions()).unwrap();
        assert_eq!(
            located(&dataset),
            [
                (Some(4), "empty_text", Some("A4")),
                (Some(5), "missing_label", Some("B5"))
            ]
        );
        let message = &dataset
            .findings
            .iter()
            .find(|f| f.code == "empty_text")
            .unwrap()
            .message;
        assert!(
            message
                .en
                .starts_with("Sheet \"Opiniones\", row 4: the text (cell A4, column \"texto\")")
        );
        assert!(
            message
                .es
                .starts_with("Hoja \"Opiniones\", fila 4: el texto (celda A4, columna \"texto\")")
        );
    }

    #[test]
    fn reads_a_chosen_sheet_with_numbers_booleans_and_dates_as_text() {
        let bytes = opinions();
        assert_eq!(
            sheet_names("libro.xlsx", &bytes).unwrap(),
            ["Opiniones", "Notas"]
        );
        let dataset = parse_xlsx(
            "libro.xlsx",
            &bytes,
            Some("Notas"),
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(dataset.format.to_string(), "XLSX (Notas)");
        assert_eq!(
            text_labels(&dataset),
            [
                (2, "42".into(), "1".into()),
                (3, "regular".into(), "2.5".into()),
                (4, "TRUE".into(), "2024-03-15".into()),
            ]
        );
        assert_eq!(
            dataset.schema,
            crate::Schema::TextLabel {
                text_column: "comentario".into(),
                label_column: "nota".into()
            }
        );
    }

    fn questions() -> Vec<u8> {
        workbook(&[(
            "Hoja1",
            &[
                &[Text("id"), Text("Pregunta"), Text("Respuesta")],
                &[Number(1.0), Text("¿Capital de Francia?"), Text("París")],
                &[Number(2.0), Text("¿Y de Italia?"), Blank],
                &[Number(3.0), Blank, Text("Madrid")],
            ],
        )])
    }

    #[test]
    fn prompt_and_completion_columns_give_conversations() {
        let dataset = parse("preguntas.xlsx", &questions()).unwrap();
        assert_eq!(
            dataset.schema,
            crate::Schema::PromptCompletion {
                prompt_column: "Pregunta".into(),
                completion_column: "Respuesta".into()
            }
        );
        assert_eq!(dataset.rows.len(), 1);
        let RowContent::Chat { messages } = &dataset.rows[0].content else {
            panic!("expected a conversation");
        };
        assert_eq!(messages[0].content, "¿Capital de Francia?");
        assert_eq!(messages[1].content, "París");
        assert_eq!(
            located(&dataset),
            [
                (Some(3), "empty_completion", Some("C3")),
                (Some(4), "empty_prompt", Some("B4"))
            ]
        );
        let message = &dataset
            .findings
            .iter()
            .find(|finding| finding.code == "empty_completion")
            .unwrap()
            .message;
        assert_eq!(
            message.en,
            "Sheet \"Hoja1\", row 3: the completion (cell C3, column \"Respuesta\") is missing or empty. \
             Write the answer the model should give, or delete the row."
        );
        assert!(
            message.es.starts_with(
                "Hoja \"Hoja1\", fila 3: la respuesta (celda C3, columna \"Respuesta\")"
            )
        );
    }

    #[test]
    fn chosen_columns_apply_to_sheets() {
        let options = ParseOptions {
            text_column: Some("respuesta".into()),
            label_column: Some("ID".into()),
            ..ParseOptions::default()
        };
        let dataset = crate::parse_with("preguntas.xlsx", &questions(), &options).unwrap();
        assert_eq!(
            text_labels(&dataset),
            [
                (2, "París".into(), "1".into()),
                (4, "Madrid".into(), "3".into())
            ]
        );
        assert_eq!(located(&dataset), [(Some(3), "empty_text", Some("C3"))]);
        let chosen = parse_xlsx("preguntas.xlsx", &questions(), Some("Hoja1"), &options).unwrap();
        assert_eq!(chosen.rows, dataset.rows);
        let unknown = ParseOptions {
            text_column: Some("cuerpo".into()),
            ..ParseOptions::default()
        };
        match crate::parse_with("preguntas.xlsx", &questions(), &unknown) {
            Err(FileError::UnknownColumn { column, header, .. }) => {
                assert_eq!(column, "cuerpo");
                assert_eq!(header, ["id", "Pregunta", "Respuesta"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_unknown_sheet_lists_the_sheets() {
        match parse_xlsx(
            "libro.xlsx",
            &opinions(),
            Some("Datos"),
            &ParseOptions::default(),
        ) {
            Err(FileError::UnknownSheet { sheet, sheets, .. }) => {
                assert_eq!(sheet, "Datos");
                assert_eq!(sheets, ["Opiniones", "Notas"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_table_away_from_a1_keeps_sheet_rows_and_cells() {
        let bytes = workbook(&[(
            "Hoja1",
            &[
                &[],
                &[],
                &[Blank, Text("Texto"), Text("Etiqueta")],
                &[Text("nota suelta"), Text("bien"), Text("pos")],
                &[Blank, Text("mal"), Blank],
            ],
        )]);
        let dataset = parse("a.xlsx", &bytes).unwrap();
        assert_eq!(text_labels(&dataset), [(4, "bien".into(), "pos".into())]);
        assert_eq!(located(&dataset), [(Some(5), "missing_label", Some("C5"))]);
    }

    #[test]
    fn a_sheet_without_header_row_is_read_from_row_one() {
        let bytes = workbook(&[(
            "Hoja1",
            &[
                &[Text("Me encanta"), Text("positivo")],
                &[Text("Lo odio"), Text("negativo")],
                &[Text("Genial"), Text("positivo")],
            ],
        )]);
        let dataset = parse("a.xlsx", &bytes).unwrap();
        assert_eq!(dataset.rows.len(), 3);
        let warning = dataset
            .findings
            .iter()
            .find(|finding| finding.code == "no_header_row")
            .unwrap();
        assert_eq!(warning.line, Some(1));
        assert!(warning.message.en.starts_with("Row 1 of sheet \"Hoja1\""));
    }

    #[test]
    fn empty_sheets_and_workbooks() {
        let bytes = workbook(&[("Vacía", &[]), ("Datos", &[&[Text("text"), Text("label")]])]);
        match parse("a.xlsx", &bytes) {
            Err(FileError::EmptySheet { sheet, sheets, .. }) => {
                assert_eq!(sheet, "Vacía");
                assert_eq!(sheets, ["Vacía", "Datos"]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse_xlsx("a.xlsx", &bytes, Some("Datos"), &ParseOptions::default()),
            Err(FileError::NoRows { .. })
        ));
    }

    #[test]
    fn hidden_sheets_are_listed_but_not_read_by_default() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let hidden = workbook.add_worksheet();
        hidden.set_name("Oculta").unwrap();
        hidden.set_hidden(true);
        let visible = workbook.add_worksheet();
        visible.set_name("Visible").unwrap();
        visible.write_string(0, 0, "text").unwrap();
        visible.write_string(0, 1, "label").unwrap();
        visible.write_string(1, 0, "hola").unwrap();
        visible.write_string(1, 1, "saludo").unwrap();
        visible.set_active(true);
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(
            sheet_names("a.xlsx", &bytes).unwrap(),
            ["Oculta", "Visible"]
        );
        let dataset = parse("a.xlsx", &bytes).unwrap();
        assert_eq!(dataset.format.to_string(), "XLSX (Visible)");
    }

    #[test]
    fn other_documents_are_refused_with_what_they_are() {
        let docx = stored_zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        let error = parse("informe.docx", &docx).unwrap_err();
        assert!(matches!(
            error,
            FileError::OtherDocument {
                kind: DocumentKind::Word,
                ..
            }
        ));
        assert!(error.to_string().contains("Word document"));
        let zip = stored_zip(&[("datos.csv", b"text,label\nhola,saludo\n")]);
        assert!(matches!(
            parse("datos.zip", &zip),
            Err(FileError::OtherDocument {
                kind: DocumentKind::Zip,
                ..
            })
        ));
        let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        xls.resize(4096, 0);
        let error = parse("viejo.xls", &xls).unwrap_err();
        assert!(matches!(
            error,
            FileError::OtherDocument {
                kind: DocumentKind::OldExcel,
                ..
            }
        ));
        assert!(error.message().es.contains("Libro de Excel (.xlsx)"));
        assert!(matches!(
            sheet_names("viejo.xls", &xls),
            Err(FileError::OtherDocument { .. })
        ));
        assert!(matches!(
            parse_xlsx(
                "datos.csv",
                b"text,label\nhola,saludo\n",
                None,
                &ParseOptions::default()
            ),
            Err(FileError::CorruptXlsx { .. })
        ));
    }

    #[test]
    fn truncated_workbooks_are_corrupt_not_a_panic() {
        let bytes = opinions();
        for length in (0..bytes.len()).step_by(97) {
            let cut = &bytes[..length];
            match parse("opiniones.xlsx", cut) {
                Err(FileError::CorruptXlsx { detail, .. }) => assert!(!detail.is_empty()),
                Err(FileError::Empty { .. } | FileError::NotText { .. }) => {
                    assert!(length < 4, "length {length}");
                }
                other => panic!("length {length}: unexpected {other:?}"),
            }
        }
        let error = parse("opiniones.xlsx", &bytes[..bytes.len() / 2]).unwrap_err();
        assert_eq!(error.code(), "corrupt_xlsx");
        assert!(error.message().en.contains("damaged or incomplete"));
    }

    /// A ZIP archive whose entries are stored without compression, so tests can write (and
    /// break) the XML of a workbook directly.
    fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0_u32;
            for &byte in bytes {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        fn header(out: &mut Vec<u8>, name: &str, data: &[u8]) {
            let size = u32::try_from(data.len()).unwrap();
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc32(data).to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        }
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = u32::try_from(out.len()).unwrap();
            out.extend_from_slice(b"PK\x03\x04");
            header(&mut out, name, data);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02\x14\x00");
            header(&mut central, name, data);
            central.extend_from_slice(&[0; 10]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let central_offset = u32::try_from(out.len()).unwrap();
        let central_size = u32::try_from(central.len()).unwrap();
        let count = u16::try_from(entries.len()).unwrap();
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&central_size.to_le_bytes());
        out.extend_from_slice(&central_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOCUMENT: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// The parts of a small hand-written workbook: shared and inline strings, numbers, a
    /// date style, a boolean, an error and rows without `r` attributes.
    fn workbook_parts() -> Vec<(&'static str, String)> {
        vec![
            (
                "_rels/.rels",
                format!(
                    "<Relationships xmlns=\"{RELATIONSHIPS}\"><Relationship Id=\"rId1\" \
                     Type=\"{DOCUMENT}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOCUMENT}\"><workbookPr date1904=\"0\"/>\
                     <sheets><sheet name=\"Hoja1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    "<Relationships xmlns=\"{RELATIONSHIPS}\"><Relationship Id=\"rId1\" \
                     Type=\"{DOCUMENT}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/sharedStrings.xml",
                format!(
                    "<sst xmlns=\"{MAIN}\" count=\"3\"><si><t>texto</t></si><si><t>hola</t></si>\
                     <si><r><t>adi</t></r><r><t>ós</t></r></si></sst>"
                ),
            ),
            (
                "xl/styles.xml",
                format!(
                    "<styleSheet xmlns=\"{MAIN}\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" \
                     formatCode=\"yyyy-mm-dd\"/></numFmts><cellXfs count=\"2\"><xf numFmtId=\"0\"/>\
                     <xf numFmtId=\"164\"/></cellXfs></styleSheet>"
                ),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    "<worksheet xmlns=\"{MAIN}\"><dimension ref=\"A1:B6\"/><sheetData>\
                     <row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"inlineStr\"><is><t>etiqueta</t></is></c></row>\
                     <row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\"><v>1</v></c></row>\
                     <row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c><c r=\"B3\" s=\"1\"><v>45366</v></c></row>\
                     <row><c t=\"b\"><v>0</v></c><c t=\"e\"><v>#N/A</v></c></row>\
                     <row r=\"6\"><c r=\"A6\" t=\"str\"><f>A2</f><v>hola</v></c><c r=\"B6\"><v>-0.5</v></c></row>\
                     </sheetData></worksheet>"
                ),
            ),
        ]
    }

    fn zip_parts(parts: &[(&str, String)]) -> Vec<u8> {
        let entries: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(name, xml)| (*name, xml.as_bytes()))
            .collect();
        stored_zip(&entries)
    }

    #[test]
    fn reads_a_hand_written_workbook() {
        let dataset = parse("a.xlsx", &zip_parts(&workbook_parts())).unwrap();
        assert_eq!(
            text_labels(&dataset),
            [
                (2, "hola".into(), "1".into()),
                (3, "adiós".into(), "2024-03-15".into()),
                (4, "FALSE".into(), "#N/A".into()),
                (6, "hola".into(), "-0.5".into()),
            ]
        );
    }

    /// Pieces that steer mutations into the workbook reader's interesting paths.
    const PIECES: [&str; 24] = [
        "<",
        ">",
        "/",
        "\"",
        "=",
        " r=\"XFD1048576\"",
        " r=\"A0\"",
        " r=\"4294967295\"",
        " t=\"s\"",
        " t=\"b\"",
        " t=\"e\"",
        " t=\"d\"",
        " s=\"1\"",
        " s=\"99\"",
        "<v>99</v>",
        "<v>1e308</v>",
        "<v>-1</v>",
        "<v>NaN</v>",
        "<row>",
        "</row>",
        "<c>",
        "</c>",
        "&amp;",
        "&#0;",
    ];

    #[test]
    fn broken_workbook_xml_never_panics() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let parts = workbook_parts();
        for _ in 0..3_000 {
            let mut parts = parts.clone();
            let part_index = rng.below(parts.len());
            let xml = &mut parts[part_index].1;
            for _ in 0..1 + rng.below(4) {
                let mut at = rng.below(xml.len() + 1);
                while !xml.is_char_boundary(at) {
                    at -= 1;
                }
                if rng.below(3) == 0 {
                    let mut end = (at + rng.below(12)).min(xml.len());
                    while !xml.is_char_boundary(end) {
                        end -= 1;
                    }
                    xml.replace_range(at..end, "");
                } else {
                    xml.insert_str(at, PIECES[rng.below(PIECES.len())]);
                }
            }
            let mut bytes = zip_parts(&parts);
            if rng.below(4) == 0 {
                let at = rng.below(bytes.len());
                bytes[at] = u8::try_from(rng.below(256)).unwrap();
            }
            if let Ok(dataset) = parse("f.xlsx", &bytes) {
                for row in &dataset.rows {
                    assert!(row.line >= 1);
                }
            }
            let _ = sheet_names("f.xlsx", &bytes);
        }
    }

    fn date(serial: f64) -> String {
        let value = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
        date_time_text(&value, false)
    }

    #[test]
    fn numbers_are_shown_like_a_spreadsheet() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(display_text(&DataRef::Int(42), false), "42");
        assert_eq!(display_text(&DataRef::Bool(true), false), "TRUE");
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(date(45_366.0), "2024-03-15");
        assert_eq!(date(45_366.604_166_666_7), "2024-03-15 14:30:00");
        assert_eq!(date(25_569.0), "1970-01-01");
        assert_eq!(date(1.0), "1900-01-01");
        assert_eq!(date(59.0), "1900-02-28");
        assert_eq!(date(61.0), "1900-03-01");
        assert_eq!(date(0.5), "12:00:00");
        assert_eq!(date(f64::NAN), "NaN");
        let value = ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(date_time_text(&value, true), "1904-01-01");
        let value = ExcelDateTime::new(1.510_416_666_7, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(date_time_text(&value, false), "36:15:00");
    }
}
