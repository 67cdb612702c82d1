//! Parallel parsing (issue 6): a large file is cut into pieces parsed on every
//! core and merged in file order. The pieces depend only on the bytes, so the
//! site must not depend on the number of threads; and a file read in pieces
//! must give the same numbers, rows and data errors as one read in one piece.
//! `CXSCORE_PIECE_BYTES` makes pieces tiny so the small fixtures use them.

use std::fs;

use assert_cmd::Command;

use super::harness::{snapshot_tree, stderr, Fixture};

#[path = "../support/json_close.rs"]
pub(crate) mod json_close;

/// Builds the fixture into `out` with the given piece size and thread count.
fn build(f: &Fixture, out: &str, piece: Option<&str>, threads: &str) -> std::process::Output {
    let mut cmd = Command::cargo_bin("cxscore").unwrap();
    cmd.current_dir(f.root.parent().unwrap())
        .args(["build", "project", "--out", out])
        .env("RAYON_NUM_THREADS", threads);
    match piece {
        Some(p) => cmd.env("CXSCORE_PIECE_BYTES", p),
        None => cmd.env_remove("CXSCORE_PIECE_BYTES"),
    };
    cmd.output().unwrap()
}

fn metrics(f: &Fixture, out: &str) -> serde_json::Value {
    let text = fs::read_to_string(f.root.parent().unwrap().join(out).join("metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Equal JSON, floats within 1e-9 relative (a merge adds the same terms in
/// another order); integers, strings and structure exactly.
fn assert_close(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    json_close::assert_json_close(a, b, 1e-9, path);
}

#[test]
fn the_site_is_byte_identical_whatever_the_number_of_threads() {
    // The example's monthly files (~100 kB, comments with quoted newlines) in
    // 4 kB pieces: dozens of pieces per file.
    let f = Fixture::copy("example-project");
    let one = build(&f, "one", Some("4096"), "1");
    assert!(one.status.success(), "{}", stderr(&one));
    let two = build(&f, "two", Some("4096"), "2");
    assert!(two.status.success(), "{}", stderr(&two));
    let base = f.root.parent().unwrap();
    let (a, b) = (
        snapshot_tree(&base.join("one")),
        snapshot_tree(&base.join("two")),
    );
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between 1 and 2 threads");
    }
}

#[test]
fn pieces_give_the_numbers_of_one_piece() {
    let f = Fixture::copy("example-project");
    let whole = build(&f, "whole", None, "2");
    assert!(whole.status.success(), "{}", stderr(&whole));
    let pieces = build(&f, "pieces", Some("4096"), "2");
    assert!(pieces.status.success(), "{}", stderr(&pieces));
    let (a, b) = (metrics(&f, "pieces"), metrics(&f, "whole"));
    // Every survey row is read once: 14,400 rows in the committed example.
    assert_eq!(a["data"]["survey"]["rows"], 14400);
    assert_close(&a, &b, "");
}

/// 3,000 rows; every 7th has an NPS of 11 (outside 0–10). Every 5th row's
/// comment spans two lines, so row i starts at line 1 + i + ⌊(i − 1)/5⌋:
/// the first bad row (i = 7) at line 9.
fn bad_rows_csv() -> String {
    let mut csv = String::from("date,channel,persona,w,nps,csat,minutes,ok,comment,email\n");
    for i in 1..=3000 {
        let nps = if i % 7 == 0 { 11 } else { i % 11 };
        // A quoted comment with a newline every 5th row: pieces must not cut there.
        let comment = if i % 5 == 0 {
            "\"two\nlines, really\""
        } else {
            ""
        };
        csv.push_str(&format!(
            "2026-01-{:02},web,new,1,{nps},4,{},yes,{comment},x@example.com\n",
            i % 28 + 1,
            i % 60
        ));
    }
    csv
}

#[test]
fn data_errors_are_the_same_in_pieces_under_fail_and_skip() {
    for skip in [false, true] {
        let f = Fixture::copy("tiny");
        f.write("data/survey.csv", &bad_rows_csv());
        if skip {
            f.edit(
                "cxscore.yaml",
                "pii: [email]",
                "pii: [email]\n    bad_rows: skip",
            );
        }
        let whole = build(&f, "whole", None, "2");
        let pieces = build(&f, "pieces", Some("1000"), "2");
        assert_eq!(whole.status.code(), pieces.status.code(), "skip {skip}");
        // Every diagnostic the same, in the same order (the summary line holds the time).
        let diagnostics = |o: &std::process::Output| {
            let text = stderr(o);
            text.lines()
                .filter(|l| !l.starts_with("built "))
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(diagnostics(&whole), diagnostics(&pieces), "skip {skip}");
        if skip {
            assert!(pieces.status.success(), "{}", stderr(&pieces));
            // 3000 / 7 = 428 bad rows (7, 14, …, 2996).
            assert_eq!(metrics(&f, "pieces")["data"]["survey"]["rejected"], 428);
            assert_close(&metrics(&f, "pieces"), &metrics(&f, "whole"), "");
        } else {
            // 428 errors: the first 200 listed (line 9 first), then one line for the rest.
            let err = stderr(&pieces);
            assert!(err.contains("survey.csv:9:5:"), "{err}");
            assert!(err.contains("228 more data errors"), "{err}");
        }
    }
}

/// Windows line ends (`\r\n`, inside the quoted comments too) and a blank
/// line after row 3: row i starts at line 1 + i + ⌊(i − 1)/5⌋ + 1 for i > 3,
/// so the first bad row (i = 7) is at line 10, in one piece and in pieces.
/// (The csv crate's reader gave the line where the previous record ended.)
#[test]
fn crlf_files_report_the_line_a_bad_row_starts_on() {
    let mut csv = bad_rows_csv().replace('\n', "\r\n");
    let third = csv.match_indices("\r\n").nth(3).map(|(i, _)| i).unwrap();
    csv.insert_str(third, "\r\n");
    for piece in [None, Some("1000")] {
        // A fixture each: the second build must not replay the first's cache.
        let f = Fixture::copy("tiny");
        f.write("data/survey.csv", &csv);
        let out = build(&f, "out", piece, "2");
        let err = stderr(&out);
        assert!(!out.status.success(), "{err}");
        assert!(err.contains("survey.csv:10:5:"), "pieces {piece:?}: {err}");
        assert!(!err.contains("survey.csv:9:5:"), "pieces {piece:?}: {err}");
        // Row 14 (line 1 + 14 + 2 + 1).
        assert!(err.contains("survey.csv:18:5:"), "pieces {piece:?}: {err}");
    }
}

/// 3,000 rows of a GBK export: Windows line ends, a Chinese channel, a quoted
/// Chinese comment over two lines every 5th row, a blank line after the header.
fn gbk_rows() -> String {
    let mut csv = String::from("date,channel,persona,w,nps,csat,minutes,ok,comment,email\r\n\r\n");
    for i in 1..=3000 {
        let comment = match i % 5 {
            0 => "\"慢，但是\r\n还可以\"",
            1 => "网络很好",
            _ => "",
        };
        let channel = if i % 3 == 0 {
            "网上营业厅"
        } else {
            "手机应用"
        };
        csv.push_str(&format!(
            "2026-01-{:02},{channel},new,1,{},4,{},yes,{comment},x@example.com\r\n",
            i % 28 + 1,
            i % 11,
            i % 60
        ));
    }
    csv
}

/// A GBK file is cut in pieces and each decoded on its own (its quotes and
/// line ends never occur inside a character): the numbers of one piece, and a
/// bad byte reported on the line its row starts on in both (the csv crate's
/// stream, which read large GBK files before, gave the line where the
/// previous row ended after a `\r\n`).
#[test]
fn a_gbk_file_read_in_pieces_gives_the_numbers_and_lines_of_one_piece() {
    let text = gbk_rows();
    let f = Fixture::copy("tiny");
    f.write_gbk_survey(&text, None);
    let pieces = build(&f, "pieces", Some("1000"), "2");
    assert!(pieces.status.success(), "{}", stderr(&pieces));
    let whole = build(&f, "whole", None, "2");
    assert!(whole.status.success(), "{}", stderr(&whole));
    let m = metrics(&f, "pieces");
    assert_close(&m, &metrics(&f, "whole"), "");
    let survey = &m["data"]["survey"];
    assert_eq!(survey["rows"], 3000, "{survey}");
    // Row 2,001 (the 401st `网络很好` comment) starts on line 2 + 2,001 + 400
    // (header, blank line, rows; 400 comments over two lines before it).
    let at = text.match_indices("网络很好").nth(400).unwrap().0;
    let line = text[..at].matches('\n').count() + 1;
    assert_eq!(line, 2 + 2001 + 400);
    for piece in [Some("1000"), None] {
        let f = Fixture::copy("tiny");
        f.write_gbk_survey(&text, Some(at));
        let out = build(&f, "out", piece, "2");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        let expected = format!("data/survey.csv:{line}:9: error: line {line} of `data/survey.csv` (dataset `survey`) is not valid GBK");
        assert!(err.contains(&expected), "pieces {piece:?}: {err}");
    }
}

#[test]
fn metrics_json_says_how_each_percentile_was_computed() {
    // The tiny fixture's percentile has 10 values, far under the exact budget
    // (the sketch side of the switch is tested on the accumulator, acc.rs).
    let f = Fixture::copy("tiny");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    for ind in m["indicators"].as_array().unwrap() {
        let method = &ind["percentile_method"];
        if ind["metric"] == "percentile" {
            assert_eq!(method, "exact", "{}", ind["id"]);
        } else {
            assert!(method.is_null(), "{}", ind["id"]);
        }
    }
    assert!(m["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["metric"] == "percentile"));
}

#[test]
fn a_stray_quote_late_in_a_file_falls_back_to_one_piece_without_counting_twice() {
    // 2,000 rows of the tiny shape; row 1,900's comment holds a quote in an
    // unquoted field (`5" tall`), which the piece cutter refuses after many
    // pieces were already handed out: those must be thrown away and the file
    // read once, from the start.
    let f = Fixture::copy("tiny");
    let mut csv = String::from("date,channel,persona,w,nps,csat,minutes,ok,comment,email\n");
    for i in 1..=2000u32 {
        let comment = if i == 1900 { "5\" tall" } else { "fine" };
        // NPS 10 on even rows, 0 on odd rows: (1000 − 1000)/2000 = 0 overall.
        let nps = if i % 2 == 0 { 10 } else { 0 };
        csv += &format!("2026-01-05,web,new,1,{nps},5,12,yes,{comment},x@example.com\n");
    }
    f.write("data/survey.csv", &csv);
    let pieces = build(&f, "pieces", Some("512"), "2");
    assert!(pieces.status.success(), "{}", stderr(&pieces));
    let whole = build(&f, "whole", None, "2");
    assert!(whole.status.success(), "{}", stderr(&whole));
    let m = metrics(&f, "pieces");
    assert_eq!(m["data"]["survey"]["rows"], 2000);
    assert_close(&m, &metrics(&f, "whole"), "");
}
