//! Hostile input: every encoding and dialect of one dataset gives the same
//! numbers; an undeclared non-UTF-8 file is refused with the encoding to
//! declare; personal data never reaches the site.
//!
//! The variants are made here from one UTF-8 source with `encoding_rs` and
//! `csv`, so no binary file is committed and each variant provably holds the
//! same rows.

use std::fs;

use crate::harness::{snapshot_tree, stderr, Fixture};

/// The tiny survey with Chinese segment values (so a wrong decoding shows in
/// the segment keys) and a quoted comment spanning two lines.
fn source() -> String {
    let f = Fixture::copy("tiny");
    let text = fs::read_to_string(f.root.join("data/survey.csv")).unwrap();
    text.replace(",web,", ",网上营业厅,")
        .replace(",app,", ",手机应用,")
        .replace("\"Slow, but ok\"", "\"慢，但是\n还可以\"")
}

/// The same rows written with another delimiter (quoting redone by the csv crate).
fn with_delimiter(text: &str, delimiter: u8) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    for record in reader.records() {
        writer.write_record(&record.unwrap()).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// Builds the tiny project with `survey.csv` replaced by `bytes` and the
/// dataset's `extra` YAML keys; returns metrics.json as text.
fn metrics_of(bytes: &[u8], extra: &str) -> String {
    let f = Fixture::copy("tiny");
    fs::write(f.root.join("data/survey.csv"), bytes).unwrap();
    if !extra.is_empty() {
        f.edit(
            "cxscore.yaml",
            "    pii: [email]\n",
            &format!("    pii: [email]\n{extra}"),
        );
    }
    let out = f.build();
    assert!(out.status.success(), "{extra}: {}", stderr(&out));
    fs::read_to_string(f.site().join("metrics.json")).unwrap()
}

#[test]
fn every_encoding_and_dialect_gives_the_same_numbers() {
    let text = source();
    let reference = metrics_of(text.as_bytes(), "");
    // Independent checks on the reference: 10 data rows in the source (11
    // lines, one of them the header, plus one embedded newline inside a
    // quoted field that must not count as a row), and the decoded keys.
    let json: serde_json::Value = serde_json::from_str(&reference).unwrap();
    assert_eq!(json["data"]["survey"]["rows"], 10);
    let keys: Vec<&str> = json["indicators"][0]["segments"]["channel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["手机应用", "网上营业厅"]);

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(text.as_bytes());
    let crlf = text.replace('\n', "\r\n");
    let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
    let gb18030 = encoding_rs::GB18030.encode(&text).0.into_owned();
    let crlf_gbk = encoding_rs::GBK.encode(&crlf).0.into_owned();
    let semicolons = with_delimiter(&text, b';');
    let tabs = with_delimiter(&text, b'\t');
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let variants: [(&str, Vec<u8>, &str); 10] = [
        ("utf-8 + BOM", bom, ""),
        ("CRLF", crlf.clone().into_bytes(), ""),
        ("GBK declared", gbk, "    encoding: gbk\n"),
        ("GB18030 declared", gb18030, "    encoding: gb18030\n"),
        ("GBK + CRLF", crlf_gbk, "    encoding: gbk\n"),
        (
            "UTF-16 LE",
            utf16le_with_bom(&text),
            "    encoding: utf-16\n",
        ),
        (
            "UTF-16 + CRLF",
            utf16le_with_bom(&crlf),
            "    encoding: utf-16\n",
        ),
        ("UTF-16 BE", utf16be, "    encoding: utf-16\n"),
        (
            "semicolons",
            semicolons.into_bytes(),
            "    delimiter: \";\"\n",
        ),
        ("tabs", tabs.into_bytes(), "    delimiter: tab\n"),
    ];
    for (name, bytes, extra) in variants {
        assert_ne!(bytes, text.as_bytes(), "{name} is not a variant");
        assert_eq!(metrics_of(&bytes, extra), reference, "{name}");
    }
}

/// `file:line` of the first line of `text` containing `needle` (1-based).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn undeclared_gbk_fails_naming_file_line_and_the_encoding_to_declare() {
    let text = source();
    let f = Fixture::copy("tiny");
    fs::write(
        f.root.join("data/survey.csv"),
        encoding_rs::GBK.encode(&text).0,
    )
    .unwrap();
    let out = f.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!f.site().exists());
    // The header is ASCII; the first Chinese value is on the first data row,
    // in field 2 (channel).
    let line = line_of(&text, "网上营业厅");
    assert_eq!(line, 2);
    let expected = format!("data/survey.csv:{line}:2: error: line {line} of `data/survey.csv` (dataset `survey`) is not valid UTF-8");
    assert!(err.contains(&expected), "{err}");
    assert!(
        err.contains("declare `encoding: gbk` on dataset `survey`"),
        "{err}"
    );
}

#[test]
fn undeclared_utf16_fails_suggesting_utf16() {
    let f = Fixture::copy("tiny");
    let text = fs::read_to_string(f.root.join("data/survey.csv")).unwrap();
    fs::write(f.root.join("data/survey.csv"), utf16le_with_bom(&text)).unwrap();
    let out = f.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("data/survey.csv:1:1: error: the header of `data/survey.csv` (dataset `survey`) is not valid UTF-8"), "{err}");
    assert!(err.contains("declare `encoding: utf-16`"), "{err}");
}

/// Builds `text` encoded in GBK with 0xFF (never valid in GBK: it would
/// silently become U+FFFD) in place of the first byte of `word`, declared
/// `encoding: gbk`; the build's stderr, after checking it failed.
fn build_gbk_with_a_bad_byte(text: &str, word: &str) -> String {
    let f = Fixture::copy("tiny");
    f.write_gbk_survey(text, Some(text.find(word).unwrap()));
    let out = f.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

#[test]
fn bytes_that_are_not_gbk_in_a_gbk_file_are_an_error_not_a_replacement_character() {
    let err = build_gbk_with_a_bad_byte(&source(), "Great");
    assert!(
        err.contains("data/survey.csv:2:9: error: line 2 of `data/survey.csv` (dataset `survey`) is not valid GBK (field 9, column `comment`)"),
        "{err}"
    );
}

/// A GBK export with Windows line ends, a blank line after the header and a
/// comment over two lines: the bad byte is reported on the line its row
/// starts on, counted here from the text (the csv crate's reader, which
/// read such files before, gave the line where the previous row ended).
#[test]
fn a_bad_byte_in_a_crlf_gbk_file_is_reported_at_the_line_its_row_starts_on() {
    let text = source().replacen('\n', "\n\n", 1).replace('\n', "\r\n");
    let line = text[..text.find("Bad").unwrap()].matches('\n').count() + 1;
    // Header, blank, three rows (the third over two lines), two more: line 9.
    assert_eq!(line, 9);
    let err = build_gbk_with_a_bad_byte(&text, "Bad");
    let expected = format!("data/survey.csv:{line}:9: error: line {line} of `data/survey.csv` (dataset `survey`) is not valid GBK (field 9, column `comment`)");
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn a_pii_column_reaches_no_file_of_the_site() {
    let f = Fixture::copy("tiny");
    let canary = "leak.canary+42@example.org";
    f.edit("data/survey.csv", "a@example.com", canary);
    // A phone-like number too, in the same pii column on another row.
    f.edit("data/survey.csv", "b@example.com", "+86 138 0013 8000");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = snapshot_tree(&f.site());
    assert!(files.len() > 5);
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [canary, "leak.canary", "138 0013 8000", "@example.com"] {
            assert!(!text.contains(secret), "{secret} leaked into {path}");
        }
    }
}

#[test]
fn a_personal_looking_column_not_declared_pii_draws_a_located_warning() {
    let f = Fixture::copy("tiny");
    f.edit("data/survey.csv", ",comment,email\n", ",comment,手机号\n");
    f.edit("cxscore.yaml", "    pii: [email]\n", "");
    let out = f.build();
    let err = stderr(&out);
    assert!(
        out.status.success(),
        "a warning must not fail the build: {err}"
    );
    // The dataset's `path:` is on line 9, column 11 of the fixture's cxscore.yaml.
    let yaml = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    assert_eq!(line_of(&yaml, "path: data/survey.csv"), 9);
    assert!(
        err.contains("cxscore.yaml:9:11: warning: column `手机号` of dataset `survey` (data/survey.csv) looks like it holds phone numbers, but it is not declared `pii`"),
        "{err}"
    );
    assert!(err.contains("pii: [手机号]"), "{err}");
}
