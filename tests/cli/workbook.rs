//! `report.xlsx` (issue 20, point 9): read back with calamine, its numbers
//! are metrics.json's (parsed here with serde_json, on its own); two builds
//! give the same bytes; `workbook: false` writes none; a wrong type is a
//! located error.

use std::fs;
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde_json::Value;

use crate::harness::{stderr, Fixture};

/// Opens a workbook and returns its sheet names and the named sheet's cells.
fn sheet(path: &Path, name: &str) -> (Vec<String>, Range<Data>) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("no sheet {name} in {names:?}: {e}"));
    (names, range)
}

/// The index of the column whose header (first row) is `header`.
fn column(range: &Range<Data>, header: &str) -> usize {
    let first = range.rows().next().expect("a header row");
    first
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("no column {header} in {first:?}"))
}

/// A cell as a number, `None` for an empty cell; panics on text.
fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        Data::Empty => None,
        other => panic!("expected a number, found {other:?}"),
    }
}

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(s) => s,
        Data::Empty => "",
        other => panic!("expected text, found {other:?}"),
    }
}

/// What the English site calls each status word of metrics.json (SPEC §2,
/// and themes/default/i18n/en.yaml), written out here on purpose.
fn english_status(word: &str) -> &'static str {
    match word {
        "green" => "On target",
        "amber" => "Watch",
        "red" => "Off target",
        "suppressed" => "Too few answers",
        "none" => "No target",
        other => panic!("unknown status {other}"),
    }
}

#[test]
fn the_scorecard_sheet_holds_metrics_json_window_values() {
    let f = Fixture::copy("tiny");
    // A window with a previous one, so the change column has numbers to check.
    f.edit(
        "cxscore.yaml",
        "report: { window: all }",
        "report: { window: latest }",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = f.metrics();
    let (names, range) = sheet(&f.site().join("report.xlsx"), "Scorecard");
    assert_eq!(
        &names[..3],
        ["Scorecard", "Trends", "Segments and personas"]
    );
    let (id, value, low, high, n, status, target, change) = (
        column(&range, "ID"),
        column(&range, "Value"),
        column(&range, "Interval low"),
        column(&range, "Interval high"),
        column(&range, "n"),
        column(&range, "Status"),
        column(&range, "Target"),
        column(&range, "Change vs previous window"),
    );
    let rows: Vec<&[Data]> = range.rows().skip(1).collect();
    let indicators = metrics["indicators"].as_array().unwrap();
    assert_eq!(rows.len(), indicators.len());
    let mut valued = 0;
    let mut changed = 0;
    for ind in indicators {
        let row = rows
            .iter()
            .find(|r| text(&r[id]) == ind["id"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no row for {}", ind["id"]));
        let name = &ind["id"];
        // Exactly the published number: the sheet is never rounded or rescaled.
        assert_eq!(number(&row[value]), ind["value"].as_f64(), "{name} value");
        assert_eq!(number(&row[low]), ind["ci_low"].as_f64(), "{name} ci_low");
        assert_eq!(
            number(&row[high]),
            ind["ci_high"].as_f64(),
            "{name} ci_high"
        );
        assert_eq!(number(&row[n]), ind["n"].as_f64(), "{name} n");
        assert_eq!(
            number(&row[target]),
            ind["target"].as_f64(),
            "{name} target"
        );
        let previous = ind["previous"]["change"].as_f64();
        assert_eq!(number(&row[change]), previous, "{name} change");
        let word = ind["status"].as_str().unwrap();
        assert_eq!(text(&row[status]), english_status(word), "{name} status");
        valued += usize::from(ind["value"].is_number());
        changed += usize::from(previous.is_some());
    }
    assert!(valued >= 5, "the fixture has values to compare: {valued}");
    assert!(
        changed >= 1,
        "the fixture has changes to compare: {changed}"
    );
}

#[test]
fn the_trend_and_segment_sheets_hold_every_period_and_key() {
    let f = Fixture::copy("tiny");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = f.metrics();
    let path = f.site().join("report.xlsx");
    let (_, trends) = sheet(&path, "Trends");
    let (id, value, n) = (
        column(&trends, "ID"),
        column(&trends, "Value"),
        column(&trends, "n"),
    );
    let (_, segments) = sheet(&path, "Segments and personas");
    let (sid, sval, skey) = (
        column(&segments, "ID"),
        column(&segments, "Value"),
        column(&segments, "Key"),
    );
    for ind in metrics["indicators"].as_array().unwrap() {
        let this = ind["id"].as_str().unwrap();
        let rows: Vec<&[Data]> = (trends.rows().skip(1))
            .filter(|r| text(&r[id]) == this)
            .collect();
        let periods = ind["periods"].as_array().unwrap();
        assert_eq!(rows.len(), periods.len(), "{this}");
        for (row, p) in rows.iter().zip(periods) {
            assert_eq!(
                number(&row[value]),
                p["value"].as_f64(),
                "{this} {}",
                p["period"]
            );
            assert_eq!(number(&row[n]), p["n"].as_f64(), "{this} {}", p["period"]);
        }
        let groups: Vec<&[Data]> = (segments.rows().skip(1))
            .filter(|r| text(&r[sid]) == this)
            .collect();
        let keys: usize = ind["segments"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_array().unwrap().len())
            .sum();
        let personas = ind["personas"].as_array().unwrap();
        assert_eq!(groups.len(), keys + personas.len(), "{this}");
        for (column, list) in ind["segments"].as_object().unwrap() {
            for g in list.as_array().unwrap() {
                let row = groups
                    .iter()
                    .find(|r| text(&r[skey]) == g["key"].as_str().unwrap())
                    .unwrap_or_else(|| panic!("{this} {column} {}", g["key"]));
                assert_eq!(
                    number(&row[sval]),
                    g["value"].as_f64(),
                    "{this} {}",
                    g["key"]
                );
            }
        }
    }
}

#[test]
fn two_builds_give_identical_bytes_at_any_thread_count() {
    let f = Fixture::copy("tiny");
    let build = |out: &str, threads: &str| {
        let out = assert_cmd::Command::cargo_bin("cxscore")
            .unwrap()
            .current_dir(f.root.parent().unwrap())
            .args(["build", "project", "--out", out])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    build("one", "1");
    // A second apart at least, so a clock in the file would show.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build("two", "2");
    let parent = f.root.parent().unwrap();
    let a = fs::read(parent.join("one/report.xlsx")).unwrap();
    let b = fs::read(parent.join("two/report.xlsx")).unwrap();
    assert!(a.len() > 2000, "{}", a.len());
    assert!(a == b, "report.xlsx differs between two builds");
    // A zip: every local header's modification time and date are the fixed
    // 1980-01-01 00:00 (DOS time 0, date 0x21), never the build's.
    let mut headers = 0;
    for at in (0..a.len() - 14).filter(|&i| a[i..i + 4] == *b"PK\x03\x04") {
        assert_eq!(&a[at + 10..at + 14], [0, 0, 0x21, 0], "entry at {at}");
        headers += 1;
    }
    assert!(headers >= 8, "{headers} zip entries");
}

#[test]
fn workbook_false_writes_none_and_a_wrong_type_is_located() {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "language: en\n",
        "language: en\nworkbook: false\n",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(f.site().join("report.html").is_file());
    assert!(!f.site().join("report.xlsx").exists());

    f.edit("cxscore.yaml", "workbook: false", "workbook: 3");
    let out = f.build();
    assert!(!out.status.success());
    let err = stderr(&out);
    // Line 4, at the value (column 11), and what was expected.
    assert!(err.contains("cxscore.yaml:4:11: error:"), "{err}");
    assert!(err.contains("boolean"), "{err}");
}

#[test]
fn headers_and_sheet_names_follow_the_site_language() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (names, range) = sheet(&f.site().join("report.xlsx"), "计分卡");
    assert_eq!(&names[..3], ["计分卡", "趋势", "细分与画像"]);
    column(&range, "指标");
    column(&range, "区间下限");
}

#[test]
fn value_topics_and_actions_have_their_sheets() {
    let f = Fixture::copy("value");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = f.metrics();
    let path = f.site().join("report.xlsx");
    let (names, value) = sheet(&path, "Value at stake");
    assert!(names.iter().any(|n| n == "Topics"), "{names:?}");
    assert!(!names.iter().any(|n| n == "Actions"), "{names:?}");
    // The second table: figures under their own header, after a blank row.
    let rows: Vec<&[Data]> = value.rows().collect();
    let at = rows
        .iter()
        .position(|r| text(&r[0]) == "Spend ratio (promoters ÷ detractors)")
        .unwrap();
    let v = &metrics["value_at_stake"];
    assert_eq!(number(&rows[at][1]), v["spend_ratio"].as_f64());
    assert_eq!(number(&rows[at + 2][1]), v["revenue_at_risk"].as_f64());
    let detractors = rows.iter().find(|r| text(&r[0]) == "Detractors").unwrap();
    let d = &v["groups"]["detractors"];
    assert_eq!(number(&detractors[3]), d["revenue"].as_f64());
    assert_eq!(number(&detractors[6]), d["churn"].as_f64());

    let (_, topics) = sheet(&path, "Topics");
    let (topic, mentions) = (column(&topics, "Topic"), column(&topics, "Mentions"));
    for x in metrics["topics"].as_array().unwrap() {
        let row = (topics.rows().skip(1))
            .find(|r| text(&r[topic]) == x["name"].as_str().unwrap())
            .unwrap();
        assert_eq!(number(&row[mentions]), x["mentions"].as_f64());
    }

    let f = Fixture::copy("actions");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics = f.metrics();
    let (_, actions) = sheet(&f.site().join("report.xlsx"), "Actions");
    let (change, indicator) = (column(&actions, "Change"), column(&actions, "Indicator"));
    let evaluations: Vec<&Value> = (metrics["actions"].as_array().unwrap().iter())
        .flat_map(|a| a["evaluations"].as_array().unwrap())
        .collect();
    let evaluated: Vec<&[Data]> = (actions.rows().skip(1))
        .filter(|r| !matches!(r[indicator], Data::Empty))
        .collect();
    assert_eq!(evaluated.len(), evaluations.len());
    for (row, e) in evaluated.iter().zip(&evaluations) {
        assert_eq!(number(&row[change]), e["change"].as_f64());
    }
}
