//! Data formats (SPEC §12): the same data as CSV and as a workbook or a
//! Parquet file gives the same `metrics.json` (values to 1e-9), and bad
//! cells are located the way a user of the format names them.
//!
//! The fixtures are generated here from the committed CSV fixtures (no binary
//! fixture is committed): each CSV column becomes numbers when every
//! non-blank value is a number, dates for the dataset's date column, text
//! otherwise; a blank CSV field becomes an empty cell (workbooks) or a null
//! (Parquet).

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::harness::{snapshot_tree, stderr, Fixture};

// The comparer parallel.rs loads; loaded once per test binary.
use crate::parallel::json_close;

/// A CSV file's columns, typed as the converters write them.
struct Table {
    names: Vec<String>,
    kinds: Vec<Kind>,
    rows: Vec<Vec<String>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Date,
    Text,
}

/// Reads a CSV fixture; `date` names its date column (ISO dates).
fn table(csv_path: &Path, date: &str) -> Table {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = (reader.records())
        .map(|r| r.unwrap().iter().map(|f| f.trim().to_string()).collect())
        .collect();
    let kinds = (0..names.len())
        .map(|c| {
            let values = || rows.iter().map(|r| r[c].as_str()).filter(|v| !v.is_empty());
            if names[c] == date {
                Kind::Date
            } else if values().all(|v| v.parse::<f64>().is_ok()) {
                Kind::Number
            } else {
                Kind::Text
            }
        })
        .collect();
    Table { names, kinds, rows }
}

fn date_of(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Excel's 1900-system serial of a date (1899-12-30 is serial 0 after February 1900).
fn serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

/// How the date column is written in a workbook.
#[derive(Clone, Copy)]
enum Dates {
    /// Date cells (a number with a date format), as Excel stores typed dates.
    Cells,
    /// Bare serial numbers, no format: a date column holding serials.
    Serials,
}

/// Writes `t` as an .xlsx: the table on sheet `sheet` from row `header_row`,
/// after a first sheet `Notes` when `sheet` is not `Sheet1`.
fn write_xlsx(t: &Table, path: &Path, sheet: &str, header_row: u32, dates: Dates) {
    let mut book = Workbook::new();
    if sheet != "Sheet1" {
        let notes = book.add_worksheet().set_name("Notes").unwrap();
        notes.write_string(0, 0, "not the data").unwrap();
    }
    write_sheet(&mut book, t, sheet, header_row, dates);
    book.save(path).unwrap();
}

/// Adds sheet `sheet` holding `t` from row `header_row` to `book`.
fn write_sheet(book: &mut Workbook, t: &Table, sheet: &str, header_row: u32, dates: Dates) {
    let ws = book.add_worksheet().set_name(sheet).unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let top = header_row - 1;
    if top > 0 {
        ws.write_string(0, 0, "Exported from the survey tool")
            .unwrap();
    }
    for (c, name) in t.names.iter().enumerate() {
        ws.write_string(top, c as u16, name).unwrap();
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = top + 1 + r as u32;
        for (c, v) in row.iter().enumerate() {
            let c16 = c as u16;
            if v.is_empty() {
                continue;
            }
            match (t.kinds[c], dates) {
                (Kind::Number, _) => {
                    ws.write_number(r, c16, v.parse::<f64>().unwrap()).unwrap();
                }
                (Kind::Date, Dates::Cells) => {
                    let d = date_of(v);
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .unwrap();
                    ws.write_datetime_with_format(r, c16, &dt, &date_format)
                        .unwrap();
                }
                (Kind::Date, Dates::Serials) => {
                    ws.write_number(r, c16, serial(date_of(v))).unwrap();
                }
                (Kind::Text, _) => {
                    ws.write_string(r, c16, v).unwrap();
                }
            }
        }
    }
}

/// Writes `t` as a snappy-compressed Parquet file of row groups of `group_rows` rows:
/// numbers DOUBLE, the date column DATE, text UTF8, every column optional.
fn write_parquet(t: &Table, path: &Path, group_rows: usize) {
    write_parquet_with(t, path, group_rows, false);
}

/// [`write_parquet`], the date column a TIMESTAMP(MILLIS) at midnight UTC when
/// `timestamps` (a type the column-wise path leaves to the record API).
fn write_parquet_with(t: &Table, path: &Path, group_rows: usize, timestamps: bool) {
    let fields: Vec<String> = (t.names.iter().zip(&t.kinds))
        .map(|(n, k)| match k {
            Kind::Number => format!("OPTIONAL DOUBLE {n};"),
            Kind::Date if timestamps => format!("OPTIONAL INT64 {n} (TIMESTAMP(MILLIS,true));"),
            Kind::Date => format!("OPTIONAL INT32 {n} (DATE);"),
            Kind::Text => format!("OPTIONAL BYTE_ARRAY {n} (UTF8);"),
        })
        .collect();
    let schema =
        Arc::new(parse_message_type(&format!("message t {{ {} }}", fields.join(" "))).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    for rows in t.rows.chunks(group_rows) {
        let mut group = writer.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            let values: Vec<&str> = rows.iter().map(|r| r[c].as_str()).collect();
            let defs: Vec<i16> = values.iter().map(|v| i16::from(!v.is_empty())).collect();
            let present = values.iter().filter(|v| !v.is_empty());
            match col.untyped() {
                ColumnWriter::DoubleColumnWriter(w) => {
                    let xs: Vec<f64> = present.map(|v| v.parse().unwrap()).collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                ColumnWriter::Int32ColumnWriter(w) => {
                    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
                    let xs: Vec<i32> = present
                        .map(|v| (date_of(v) - epoch).num_days() as i32)
                        .collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                ColumnWriter::Int64ColumnWriter(w) => {
                    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
                    let xs: Vec<i64> = present
                        .map(|v| (date_of(v) - epoch).num_days() * 86_400_000)
                        .collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                ColumnWriter::ByteArrayColumnWriter(w) => {
                    let xs: Vec<ByteArray> = present.map(|v| ByteArray::from(*v)).collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                _ => unreachable!("only the three types above are written"),
            }
            col.close().unwrap();
            c += 1;
        }
        group.close().unwrap();
    }
    writer.close().unwrap();
}

/// Builds `f` and returns its `metrics.json`, with the build's success checked.
fn built(f: &Fixture) -> serde_json::Value {
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    f.metrics()
}

/// Builds fixture `name` from its CSV, then again after `convert` wrote the
/// same data in another format and `yaml_edits` pointed the project at it; the
/// two `metrics.json` must agree to 1e-9.
fn same_as_csv(name: &str, yaml_edits: &[(&str, &str)], convert: impl Fn(&Fixture)) {
    let csv = Fixture::copy(name);
    let from_csv = built(&csv);
    let other = Fixture::copy(name);
    convert(&other);
    fs::remove_file(other.root.join("data/survey.csv")).unwrap();
    for (from, to) in yaml_edits {
        other.edit("cxscore.yaml", from, to);
    }
    let from_other = built(&other);
    json_close::assert_json_close(&from_csv, &from_other, 1e-9, "metrics");
    // A check that could fail: the data was read at all.
    assert!(from_csv["data"].to_string().contains("\"rows\""));
}

#[test]
fn an_xlsx_workbook_gives_the_metrics_of_its_csv() {
    // The raked and design-weighted survey fixture: decimals, blanks, dates as date cells,
    // on a second sheet below a title row.
    same_as_csv(
        "survey",
        &[
            (
                "path: data/survey.csv\n    date",
                "path: data/survey.xlsx\n    sheet: Data\n    header_row: 3\n    date",
            ),
            (
                "path: data/survey.csv\n    date",
                "path: data/survey.xlsx\n    sheet: Data\n    header_row: 3\n    date",
            ),
        ],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "submitted_at");
            write_xlsx(
                &t,
                &f.root.join("data/survey.xlsx"),
                "Data",
                3,
                Dates::Cells,
            );
        },
    );
}

#[test]
fn a_workbook_date_column_of_serial_numbers_is_read_as_dates() {
    // Every indicator kind of the tiny fixture (percentiles, shares of text, comments).
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.xlsx")],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "date");
            write_xlsx(
                &t,
                &f.root.join("data/survey.xlsx"),
                "Sheet1",
                1,
                Dates::Serials,
            );
        },
    );
}

/// Rewrites workbook `path` with the first `<row>` of its sheet `sheet_xml`
/// (the header row) moved to the end of the sheet's data: rows out of file
/// order, which a spreadsheet places by their numbers, and so must cxscore.
fn header_row_last(path: &Path, sheet_xml: &str) {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        entries.push((entry.name().unwrap().to_string(), bytes));
    }
    drop(zip);
    let mut moved = 0;
    let mut out = zip::ZipWriter::new(File::create(path).unwrap());
    for (name, mut bytes) in entries {
        if name == sheet_xml {
            let xml = String::from_utf8(bytes).unwrap();
            let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
            let end = xml.find("</sheetData>").unwrap();
            let mut rows: Vec<&str> = xml[start..end].split_inclusive("</row>").collect();
            assert!(rows[0].starts_with("<row r=\"1\""), "{}", rows[0]);
            assert!(rows.len() > 2, "data rows after the header");
            let header = rows.remove(0);
            rows.push(header);
            bytes = format!("{}{}{}", &xml[..start], rows.concat(), &xml[end..]).into_bytes();
            moved += 1;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
    assert_eq!(moved, 1, "the workbook has {sheet_xml}");
}

#[test]
fn a_workbook_whose_rows_are_out_of_file_order_gives_the_metrics_of_its_csv() {
    // The header row last in the file: every data row is streamed before the
    // reader meets a row above them, gives them up and reads the sheet whole.
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.xlsx")],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "date");
            let path = f.root.join("data/survey.xlsx");
            write_xlsx(&t, &path, "Sheet1", 1, Dates::Cells);
            header_row_last(&path, "xl/worksheets/sheet1.xml");
        },
    );
}

#[test]
fn a_parquet_file_of_several_row_groups_gives_the_metrics_of_its_csv() {
    same_as_csv(
        "survey",
        &[
            ("path: data/survey.csv", "path: data/survey.parquet"),
            ("path: data/survey.csv", "path: data/survey.parquet"),
        ],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "submitted_at");
            // 240 rows in row groups of 70: four parts, read in parallel.
            write_parquet(&t, &f.root.join("data/survey.parquet"), 70);
        },
    );
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.parquet")],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "date");
            write_parquet(&t, &f.root.join("data/survey.parquet"), 4);
        },
    );
}

#[test]
fn a_parquet_column_the_project_does_not_read_is_never_decoded() {
    // Every row's `notes` holds more than a spreadsheet cell: a data error wherever it is
    // read. The project never names it, so the Parquet build reads the columns it uses only
    // and gives the metrics of the CSV without it.
    let long = "n".repeat(140_000);
    let with_notes = |csv: &Path| {
        let mut t = table(csv, "submitted_at");
        t.names.push("notes".into());
        t.kinds.push(Kind::Text);
        for r in &mut t.rows {
            r.push(long.clone());
        }
        t
    };
    same_as_csv(
        "survey",
        &[
            ("path: data/survey.csv", "path: data/survey.parquet"),
            ("path: data/survey.csv", "path: data/survey.parquet"),
        ],
        |f| {
            let t = with_notes(&f.root.join("data/survey.csv"));
            write_parquet(&t, &f.root.join("data/survey.parquet"), 70);
        },
    );
    // The same column in the CSV is read, and stops the build: the test can fail.
    let f = Fixture::copy("survey");
    let t = with_notes(&f.root.join("data/survey.csv"));
    let mut w = csv::Writer::from_path(f.root.join("data/survey.csv")).unwrap();
    w.write_record(&t.names).unwrap();
    for r in &t.rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let out = f.build();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("field `notes` is 140000 bytes long"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_parquet_site_is_byte_identical_whatever_the_number_of_threads() {
    // Four row groups read in parallel on 1 and on 3 threads, merged in file order.
    let f = Fixture::copy("survey");
    let t = table(&f.root.join("data/survey.csv"), "submitted_at");
    write_parquet(&t, &f.root.join("data/survey.parquet"), 70);
    fs::remove_file(f.root.join("data/survey.csv")).unwrap();
    // Two datasets read the file (weighted and raked).
    for _ in 0..2 {
        f.edit(
            "cxscore.yaml",
            "path: data/survey.csv",
            "path: data/survey.parquet",
        );
    }
    let base = f.root.parent().unwrap();
    let build = |out: &str, threads: &str| {
        let out_dir = base.join(out);
        let o = assert_cmd::Command::cargo_bin("cxscore")
            .unwrap()
            .args(["build"])
            .arg(&f.root)
            .arg("--out")
            .arg(&out_dir)
            .arg("--no-cache")
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        snapshot_tree(&out_dir)
    };
    let (one, three) = (build("one", "1"), build("three", "3"));
    assert!(one.iter().any(|(p, _)| p.ends_with("metrics.json")));
    assert_eq!(one.len(), three.len());
    for ((pa, ba), (pb, bb)) in one.iter().zip(&three) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between 1 and 3 threads");
    }
}

#[test]
fn a_parquet_lookup_table_is_read_whole_for_the_datasets_that_join_it() {
    // The joining dataset reads the table's columns (plan, tenure bands) through the join,
    // never by the table's own header: a table in Parquet must still be read whole.
    let csv = Fixture::copy("lookup");
    let from_csv = built(&csv);
    let other = Fixture::copy("lookup");
    let t = table(&other.root.join("data/crm.csv"), "");
    write_parquet(&t, &other.root.join("data/crm.parquet"), 4);
    fs::remove_file(other.root.join("data/crm.csv")).unwrap();
    other.edit(
        "cxscore.yaml",
        "path: data/crm.csv",
        "path: data/crm.parquet",
    );
    let from_other = built(&other);
    json_close::assert_json_close(&from_csv, &from_other, 1e-9, "metrics");
    // A check that could fail: the CRM's plans became segment keys.
    assert!(from_csv.to_string().contains("\"basic\""));
}

#[test]
fn a_parquet_file_of_timestamps_is_read_row_by_row_with_the_same_metrics() {
    // Dates as TIMESTAMP(MILLIS) at midnight UTC: the record API's path.
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.parquet")],
        |f| {
            let t = table(&f.root.join("data/survey.csv"), "date");
            write_parquet_with(&t, &f.root.join("data/survey.parquet"), 3, true);
        },
    );
}

#[test]
fn a_bad_workbook_cell_is_located_by_sheet_and_cell() {
    let f = Fixture::copy("tiny");
    let mut t = table(&f.root.join("data/survey.csv"), "date");
    // Row 3 of the data is spreadsheet row 4; `nps` is the fifth column, E.
    let nps = t.names.iter().position(|n| n == "nps").unwrap();
    t.kinds[nps] = Kind::Text;
    t.rows[2][nps] = "ten".into();
    write_xlsx(
        &t,
        &f.root.join("data/survey.xlsx"),
        "Answers",
        1,
        Dates::Cells,
    );
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.xlsx\n    sheet: Answers",
    );
    let out = f.build();
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("data/survey.xlsx:Answers!E4"), "{err}");
    assert!(err.contains("ten"), "{err}");
}

#[test]
fn a_missing_sheet_is_an_error_at_the_sheet_key_with_the_sheets_named() {
    let f = Fixture::copy("tiny");
    let t = table(&f.root.join("data/survey.csv"), "date");
    write_xlsx(
        &t,
        &f.root.join("data/survey.xlsx"),
        "Answers",
        1,
        Dates::Cells,
    );
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.xlsx\n    sheet: Answer",
    );
    let out = f.run(&["check", "project"]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("cxscore.yaml:10"), "{err}");
    assert!(err.contains("no sheet `Answer`"), "{err}");
    assert!(err.contains("Answers"), "{err}");
}

#[test]
fn check_reads_a_parquet_dataset_and_warns_about_csv_only_keys() {
    let f = Fixture::copy("tiny");
    let t = table(&f.root.join("data/survey.csv"), "date");
    write_parquet(&t, &f.root.join("data/survey.parquet"), 100);
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.parquet\n    delimiter: \";\"",
    );
    let out = f.run(&["check", "project"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("apply to CSV files only"), "{err}");
}

#[test]
fn a_bad_parquet_value_is_located_by_row_and_column() {
    let f = Fixture::copy("tiny");
    let mut t = table(&f.root.join("data/survey.csv"), "date");
    let csat = t.names.iter().position(|n| n == "csat").unwrap();
    t.kinds[csat] = Kind::Text;
    t.rows[6][csat] = "great".into();
    write_parquet(&t, &f.root.join("data/survey.parquet"), 3);
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.parquet",
    );
    let out = f.build();
    let err = stderr(&out);
    assert!(!out.status.success());
    // Data row 7 is line 8 (the header is line 1, as in the CSV export); csat is field 6.
    assert!(err.contains("data/survey.parquet:8:6"), "{err}");
}

/// `cxscore build project --out OUT` with the build cache on.
fn build_cached(f: &Fixture, out: &str) -> serde_json::Value {
    let out_dir = f.root.parent().unwrap().join(out);
    let run = assert_cmd::Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(f.root.parent().unwrap())
        .args(["build", "project", "--out", out])
        .env_remove("CXSCORE_NO_CACHE")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    serde_json::from_str(&fs::read_to_string(out_dir.join("metrics.json")).unwrap()).unwrap()
}

#[test]
fn the_build_cache_keys_a_workbook_on_its_content_and_its_sheet() {
    let f = Fixture::copy("tiny");
    let t = table(&f.root.join("data/survey.csv"), "date");
    // The same table with every NPS answer 10 on sheet `Promoters`: NPS 100 there.
    let mut promoters = table(&f.root.join("data/survey.csv"), "date");
    let nps = t.names.iter().position(|n| n == "nps").unwrap();
    for row in &mut promoters.rows {
        if !row[nps].is_empty() {
            row[nps] = "10".into();
        }
    }
    let mut book = Workbook::new();
    write_sheet(&mut book, &t, "Sheet1", 1, Dates::Cells);
    write_sheet(&mut book, &promoters, "Promoters", 1, Dates::Cells);
    book.save(f.root.join("data/survey.xlsx")).unwrap();
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.xlsx",
    );
    let cold = build_cached(&f, "cold");
    let cache = f.root.join(".cxscore/cache");
    assert!(
        fs::read_dir(&cache).unwrap().count() > 0,
        "the workbook's partial is stored"
    );
    let warm = build_cached(&f, "warm");
    assert_eq!(cold, warm);
    // The same bytes, another sheet: never the first sheet's stored partial.
    f.edit(
        "cxscore.yaml",
        "path: data/survey.xlsx",
        "path: data/survey.xlsx\n    sheet: Promoters",
    );
    let other = build_cached(&f, "other");
    assert_eq!(other["indicators"][0]["id"], "nps");
    assert_eq!(
        other["indicators"][0]["value"], 100.0,
        "{}",
        other["indicators"][0]
    );
    assert_ne!(cold["indicators"][0]["value"], 100.0);
    // Back to the first sheet: served from the cache, the first numbers again.
    f.edit("cxscore.yaml", "\n    sheet: Promoters", "");
    assert_eq!(build_cached(&f, "back"), cold);
}

#[test]
fn a_blank_header_row_is_an_error_at_its_first_cell() {
    let f = Fixture::copy("tiny");
    let t = table(&f.root.join("data/survey.csv"), "date");
    // Row 1 holds a title, row 2 is blank, the names are on row 3.
    write_xlsx(
        &t,
        &f.root.join("data/survey.xlsx"),
        "Data",
        3,
        Dates::Cells,
    );
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.xlsx\n    sheet: Data\n    header_row: 2",
    );
    let out = f.run(&["check", "project"]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("data/survey.xlsx:Data!A2: error"), "{err}");
    assert!(err.contains("row 2 of sheet `Data`"), "{err}");
}

/// Writes `t` as an SPSS file with ambers (`.zsav`, zlib-compressed, when
/// `zsav`): numbers as numeric variables, the date column as DATE11, text as
/// strings. Each column of `coded` (text in the CSV) is written as numeric codes
/// 1, 2, … in order of first appearance, its text as their value labels;
/// `labelled` numeric columns get value labels on the given codes (which the
/// reader must leave as numbers); `var_labels` are variable labels.
fn write_sav(
    t: &Table,
    path: &Path,
    coded: &[&str],
    labelled: &[(&str, &[(f64, &str)])],
    var_labels: &[(&str, &str)],
    zsav: bool,
) {
    use ambers::{Compression as SavCompression, SpssMetadata, Value};
    use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray};
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut arrays: Vec<(String, ArrayRef)> = Vec::new();
    let mut value_labels = Vec::new();
    for (c, (name, kind)) in t.names.iter().zip(&t.kinds).enumerate() {
        let cells = || t.rows.iter().map(|r| r[c].as_str());
        let array: ArrayRef = if coded.contains(&name.as_str()) {
            let mut codes: Vec<&str> = Vec::new();
            for v in cells().filter(|v| !v.is_empty()) {
                if !codes.contains(&v) {
                    codes.push(v);
                }
            }
            let labels: indexmap::IndexMap<Value, String> = (codes.iter().enumerate())
                .map(|(i, v)| (Value::Numeric(i as f64 + 1.0), v.to_string()))
                .collect();
            value_labels.push((name.clone(), labels));
            Arc::new(Float64Array::from_iter(cells().map(|v| {
                (!v.is_empty()).then(|| codes.iter().position(|x| *x == v).unwrap() as f64 + 1.0)
            })))
        } else {
            match kind {
                Kind::Number => Arc::new(Float64Array::from_iter(
                    cells().map(|v| v.parse::<f64>().ok()),
                )),
                Kind::Date => {
                    Arc::new(Date32Array::from_iter(cells().map(|v| {
                        (!v.is_empty()).then(|| (date_of(v) - epoch).num_days() as i32)
                    })))
                }
                Kind::Text => Arc::new(StringArray::from_iter(
                    cells().map(|v| (!v.is_empty()).then_some(v)),
                )),
            }
        };
        arrays.push((name.clone(), array));
    }
    let batch = RecordBatch::try_from_iter(arrays).unwrap();
    let mut meta = SpssMetadata::from_arrow_schema(&batch.schema());
    for (name, labels) in value_labels {
        meta.variable_value_labels.insert(name, labels);
    }
    for (name, codes) in labelled {
        let labels = (codes.iter())
            .map(|(code, label)| (Value::Numeric(*code), label.to_string()))
            .collect();
        meta.variable_value_labels.insert(name.to_string(), labels);
    }
    for (name, label) in var_labels {
        meta.variable_labels
            .insert(name.to_string(), label.to_string());
    }
    let compression = if zsav {
        SavCompression::Zlib
    } else {
        SavCompression::Bytecode
    };
    ambers::write_sav(path, &batch, &meta, compression, None).unwrap();
}

/// The tiny fixture as SPSS: `channel` (a segment) and `persona` (a persona's
/// match column) as labelled codes, `nps` with labels on 0 and 10 only.
fn write_tiny_sav(f: &Fixture, file: &str, zsav: bool) {
    let t = table(&f.root.join("data/survey.csv"), "date");
    write_sav(
        &t,
        &f.root.join("data").join(file),
        &["channel", "persona"],
        &[(
            "nps",
            &[(0.0, "Not at all likely"), (10.0, "Extremely likely")],
        )],
        &[("channel", "Contact channel")],
        zsav,
    );
}

#[test]
fn an_spss_file_of_labelled_codes_gives_the_metrics_of_its_csv() {
    // Numbers, strings (ok, comment), a date, labelled codes as a segment and as a
    // persona's column (persona `equals: new`, the label), labels on an NPS item.
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.sav")],
        |f| write_tiny_sav(f, "survey.sav", false),
    );
}

#[test]
fn a_zsav_file_gives_the_metrics_of_its_csv() {
    same_as_csv(
        "tiny",
        &[("path: data/survey.csv", "path: data/survey.zsav")],
        |f| write_tiny_sav(f, "survey.zsav", true),
    );
}

#[test]
fn spss_value_labels_are_the_segment_keys_and_a_persona_may_match_the_code() {
    let f = Fixture::copy("tiny");
    write_tiny_sav(&f, "survey.sav", false);
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.sav",
    );
    let by_label = built(&f);
    let text = by_label.to_string();
    // The segment's keys are the labels, never the codes.
    assert!(text.contains("\"web\""), "{text}");
    assert!(text.contains("\"app\""), "{text}");
    // The variable label of `channel` is the segment's default label on the site.
    let page = fs::read_to_string(f.site().join("indicators/nps.html")).unwrap();
    assert!(page.contains("by Contact channel"), "{page}");
    // `new` is code 1 (first seen on the first row): `equals: 1` picks the same rows.
    f.edit(
        "personas/new.yaml",
        "match: { column: persona, equals: new }",
        "match: { column: persona, equals: \"1\" }",
    );
    let by_code = built(&f);
    // (Had the code matched no row, the persona's figures would differ.)
    json_close::assert_json_close(&by_label, &by_code, 1e-9, "metrics");
}

#[test]
fn a_bad_spss_value_is_located_by_case_and_variable() {
    let f = Fixture::copy("tiny");
    let mut t = table(&f.root.join("data/survey.csv"), "date");
    let csat = t.names.iter().position(|n| n == "csat").unwrap();
    t.kinds[csat] = Kind::Text;
    t.rows[6][csat] = "great".into();
    write_sav(&t, &f.root.join("data/survey.sav"), &[], &[], &[], false);
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.sav",
    );
    let out = f.build();
    let err = stderr(&out);
    assert!(!out.status.success());
    // Case 7 is line 8 (the header is line 1, as in the CSV export); csat is field 6.
    assert!(err.contains("data/survey.sav:8:6"), "{err}");
    assert!(err.contains("great"), "{err}");
}

#[test]
fn check_reads_an_spss_dataset_and_a_broken_one_is_an_error() {
    let f = Fixture::copy("tiny");
    write_tiny_sav(&f, "survey.sav", false);
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.sav",
    );
    let out = f.run(&["check", "project"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fs::write(f.root.join("data/survey.sav"), b"date,channel\n").unwrap();
    let out = f.run(&["check", "project"]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("data/survey.sav") && err.contains("SPSS"),
        "{err}"
    );
}

#[test]
fn the_reference_fixture_as_spss_gives_its_metrics_and_a_blank_attribute_label_defaults() {
    // Weighted, with key drivers, personas and two segments (one as labelled codes).
    let write = |f: &Fixture| {
        let t = table(&f.root.join("data/survey.csv"), "date");
        write_sav(
            &t,
            &f.root.join("data/survey.sav"),
            &["region"],
            &[],
            &[("a_speed", "Speed of service")],
            false,
        );
    };
    same_as_csv(
        "reference",
        &[("path: data/survey.csv", "path: data/survey.sav")],
        write,
    );
    // `a_speed: ""`: the SPSS variable label; without one (CSV), the column name.
    let blank = "attributes: { a_speed: \"\", a_price: Price, a_support: Support }";
    let spss = Fixture::copy("reference");
    write(&spss);
    spss.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.sav",
    );
    spss.edit(
        "cxscore.yaml",
        "attributes: { a_speed: Speed, a_price: Price, a_support: Support }",
        blank,
    );
    built(&spss);
    let page = fs::read_to_string(spss.site().join("drivers.html")).unwrap();
    assert!(page.contains("Speed of service"), "{page}");
    assert!(page.contains("Price"), "{page}");
    let csv = Fixture::copy("reference");
    csv.edit(
        "cxscore.yaml",
        "attributes: { a_speed: Speed, a_price: Price, a_support: Support }",
        blank,
    );
    built(&csv);
    let page = fs::read_to_string(csv.site().join("drivers.html")).unwrap();
    assert!(!page.contains("Speed of service"), "{page}");
    assert!(page.contains("a_speed"), "{page}");
}

#[test]
fn the_follow_up_list_of_a_parquet_file_reading_only_its_columns_is_the_csvs() {
    // Under `bad_rows: fail` (the fixture's) the list's read asks a projecting source for
    // its own columns only (id, date, the NPS indicator's score and `where` column, the
    // comment for topics): the Parquet read decodes nothing else, the CSV read splits every
    // field, and both lists must be byte-identical.
    let csv = Fixture::copy("value");
    let from_csv = built(&csv);
    let list = |f: &Fixture| fs::read_to_string(f.root.join("_followup/followup.csv")).unwrap();
    let pq = Fixture::copy("value");
    let t = table(&pq.root.join("data/survey.csv"), "submitted_at");
    write_parquet(&t, &pq.root.join("data/survey.parquet"), 7);
    fs::remove_file(pq.root.join("data/survey.csv")).unwrap();
    pq.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: data/survey.parquet",
    );
    let from_pq = built(&pq);
    json_close::assert_json_close(&from_csv, &from_pq, 1e-9, "metrics");
    let (a, b) = (list(&csv), list(&pq));
    assert_eq!(a, b);
    // A list that could be wrong: rows listed, with their periods and coded topics.
    assert!(a.lines().count() > 3, "{a}");
    assert!(
        a.lines()
            .skip(1)
            .any(|l| l.contains("2026-0") && !l.ends_with(',')),
        "{a}"
    );
}
