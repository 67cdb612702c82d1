//! Invalid input: each class of mistake gives exit code 1 and a message at the
//! right `file:line:column`, with every error of a run reported together.
//!
//! Expected positions are found in the fixture text itself (where the edited
//! words stand), independently of cxscore.

use std::fs;

use crate::harness::{stderr, Fixture};

/// `file:line:column` of the first occurrence of `needle` in the project's file.
fn at(f: &Fixture, file: &str, needle: &str) -> String {
    let text = fs::read_to_string(f.root.join(file)).unwrap();
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    let line = text[..offset].matches('\n').count() + 1;
    let column = text[..offset]
        .rfind('\n')
        .map_or(offset, |nl| offset - nl - 1)
        + 1;
    format!("{file}:{line}:{column}")
}

/// Builds, expects exit 1, an untouched (absent) site, and returns stderr.
fn fails(f: &Fixture) -> String {
    let out = f.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!f.site().exists(), "a failed build wrote a site");
    err
}

/// Asserts one line of stderr starts with `location` and contains every part.
fn has_line(stderr: &str, location: &str, parts: &[&str]) {
    let found = stderr.lines().any(|l| {
        l.starts_with(&format!("{location}: error: ")) && parts.iter().all(|p| l.contains(p))
    });
    assert!(found, "no line at {location} with {parts:?} in:\n{stderr}");
}

#[test]
fn unknown_key_is_located_with_a_did_you_mean() {
    let f = Fixture::copy("tiny");
    f.edit(
        "indicators/core.yaml",
        "  target: 30\n  thresholds: { amber: 10 }",
        "  tagret: 30\n  thresholds: { amber: 10 }",
    );
    let err = fails(&f);
    let loc = at(&f, "indicators/core.yaml", "tagret");
    has_line(
        &err,
        &loc,
        &["unknown field `tagret`", "did you mean `target`?"],
    );
}

#[test]
fn bad_id_is_located_with_a_suggestion() {
    let f = Fixture::copy("tiny");
    f.edit("indicators/core.yaml", "- id: rows", "- id: All_Rows");
    let err = fails(&f);
    let loc = at(&f, "indicators/core.yaml", "All_Rows");
    has_line(
        &err,
        &loc,
        &["indicator id `All_Rows` is not valid", "e.g. `all-rows`"],
    );
}

#[test]
fn duplicate_id_names_both_places() {
    let f = Fixture::copy("tiny");
    f.edit("indicators/core.yaml", "- id: mean-minutes", "- id: csat");
    let err = fails(&f);
    let first = at(&f, "indicators/core.yaml", "csat\n");
    let text = fs::read_to_string(f.root.join("indicators/core.yaml")).unwrap();
    let second_offset = text.rfind("- id: csat").unwrap() + 6;
    let line = text[..second_offset].matches('\n').count() + 1;
    let loc = format!("indicators/core.yaml:{line}:7");
    has_line(
        &err,
        &loc,
        &[
            "duplicate indicator id `csat`",
            &format!("already defined at {first}"),
        ],
    );
}

#[test]
fn journey_to_persona_and_touchpoint_to_indicator_references_are_checked() {
    let f = Fixture::copy("tiny");
    f.edit(
        "journeys/j.yaml",
        "personas: [newcomer]",
        "personas: [newcommer]",
    );
    f.edit(
        "journeys/j.yaml",
        "indicators: [csat]",
        "indicators: [csatt]",
    );
    let err = fails(&f);
    has_line(
        &err,
        &at(&f, "journeys/j.yaml", "newcommer"),
        &["unknown persona `newcommer`", "did you mean `newcomer`?"],
    );
    has_line(
        &err,
        &at(&f, "journeys/j.yaml", "csatt"),
        &["unknown indicator `csatt`", "did you mean `csat`?"],
    );
}

#[test]
fn indicator_to_dataset_and_bad_metric_are_checked() {
    let f = Fixture::copy("tiny");
    f.edit(
        "indicators/core.yaml",
        "  dataset: survey\n  metric: nps",
        "  dataset: surveys\n  metric: nsp",
    );
    let err = fails(&f);
    has_line(
        &err,
        &at(&f, "indicators/core.yaml", "surveys"),
        &["unknown dataset `surveys`", "did you mean `survey`?"],
    );
    has_line(
        &err,
        &at(&f, "indicators/core.yaml", "nsp"),
        &["`metric` is `nsp`", "did you mean `nps`?"],
    );
}

#[test]
fn indicator_column_segment_and_weight_must_be_in_the_csv_header() {
    let f = Fixture::copy("tiny");
    f.edit("indicators/core.yaml", "  column: nps", "  column: npss");
    f.edit("cxscore.yaml", "segments: [channel]", "segments: [chanel]");
    f.edit("cxscore.yaml", "weight: w", "weight: wt");
    let err = fails(&f);
    has_line(
        &err,
        &at(&f, "indicators/core.yaml", "npss"),
        &["npss", "did you mean `nps`?"],
    );
    has_line(
        &err,
        &at(&f, "cxscore.yaml", "chanel"),
        &["chanel", "did you mean `channel`?"],
    );
    has_line(&err, &at(&f, "cxscore.yaml", "wt\n"), &["wt"]);
}

#[test]
fn data_errors_are_all_reported_with_line_and_field() {
    let f = Fixture::copy("tiny");
    let csv = "data/survey.csv";
    // Row on line 2: nps 10 → 11 (field 5, outside 0–10).
    f.edit(csv, "2026-01-05,web,new,1,10,", "2026-01-05,web,new,1,11,");
    // Line 3: an impossible month in the date (field 1).
    f.edit(csv, "2026-01-06,", "2026-13-06,");
    // Line 4: a ragged row (one field short).
    f.edit(
        csv,
        "2026-01-07,app,old,1,9,3,45,no,\"Slow, but ok\",c@example.com",
        "2026-01-07,app,old,1,9,3,45,no",
    );
    let err = fails(&f);
    has_line(&err, "data/survey.csv:2:5", &["11"]);
    has_line(&err, "data/survey.csv:3:1", &["2026-13-06"]);
    assert!(
        err.lines()
            .any(|l| l.starts_with("data/survey.csv:4") && l.contains("error")),
        "{err}"
    );
}

#[test]
fn several_mistakes_in_several_files_are_reported_in_one_run() {
    let f = Fixture::copy("tiny");
    f.edit("cxscore.yaml", "period: month", "period: montly");
    f.edit("personas/new.yaml", "id: newcomer", "id: New Comer");
    f.edit(
        "journeys/j.yaml",
        "indicators: [csat]",
        "indicators: [csatt]",
    );
    f.edit("indicators/core.yaml", "  metric: csat", "  metric: cstat");
    let err = fails(&f);
    has_line(
        &err,
        &at(&f, "cxscore.yaml", "montly"),
        &["`period` is `montly`", "did you mean `month`?"],
    );
    has_line(
        &err,
        &at(&f, "personas/new.yaml", "New Comer"),
        &["persona id `New Comer` is not valid"],
    );
    has_line(
        &err,
        &at(&f, "journeys/j.yaml", "csatt"),
        &["unknown indicator `csatt`"],
    );
    has_line(
        &err,
        &at(&f, "indicators/core.yaml", "cstat"),
        &["`metric` is `cstat`"],
    );
    assert!(err.contains("problem(s) found"), "{err}");
}

#[test]
fn a_dataset_path_outside_the_project_is_refused() {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "path: data/survey.csv",
        "path: ../survey.csv",
    );
    let err = fails(&f);
    has_line(
        &err,
        &at(&f, "cxscore.yaml", "../survey.csv"),
        &["leaves the project folder"],
    );
}

#[test]
fn a_missing_project_is_a_clear_error() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("project folder not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_with_code_2() {
    let f = Fixture::copy("tiny");
    assert_eq!(
        f.run(&["build", "project", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(f.run(&["frobnicate"]).status.code(), Some(2));
}
