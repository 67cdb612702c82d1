//! SPEC §9 checked independently: cxscore's `metrics.json` for `tests/fixtures/lookup` (a
//! survey joining a CRM lookup table, with unmatched keys, numeric `where` conditions and a
//! banded segment) against `tests/reference/lookup_expected.json`, which
//! `tests/reference/lookup_reference.py` computed with the csv module and no cxscore code.
//! Values to 1e-9; n, keys and the match counts exactly; nothing missing or extra.
//!
//! Also: the match-rate warning, and the build cache invalidated when only the lookup
//! table's content changes.

use std::fs;

use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

const TOL: f64 = 1e-9;

fn expected() -> Value {
    let text = fs::read_to_string(repo().join("tests/reference/lookup_expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(what: &str, e: &Value, a: &Value) {
    match (e.as_f64(), a.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= TOL, "{what}: expected {x}, got {y}"),
        _ => assert_eq!(e, a, "{what}"),
    }
}

fn indicator<'a>(m: &'a Value, id: &str) -> &'a Value {
    (m["indicators"].as_array().unwrap().iter())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

#[test]
fn lookup_numeric_where_and_bands_match_the_reference() {
    let f = Fixture::copy("lookup");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    let e = expected();
    assert_eq!(m["data"]["survey"]["lookup"], e["lookup"]);
    // The methodology page states the join and its match rate in words.
    let (matched, unmatched) = (
        e["lookup"]["matched"].as_u64().unwrap(),
        e["lookup"]["unmatched"].as_u64().unwrap(),
    );
    let words = format!(
        "{matched} of {} rows found one ({:.1} %)",
        matched + unmatched,
        matched as f64 / (matched + unmatched) as f64 * 100.0
    );
    let page = std::fs::read_to_string(f.site().join("methodology.html")).unwrap();
    assert!(page.contains(&words), "methodology.html lacks {words:?}");
    assert_eq!(m["data"]["crm"]["rows"], e["crm_rows"]);
    assert!(m["data"]["crm"].get("lookup").is_none());
    let inds = e["indicators"].as_object().unwrap();
    assert_eq!(inds.len(), 7);
    for (id, want) in inds {
        let got = indicator(&m, id);
        close(&format!("{id}.value"), &want["value"], &got["value"]);
        assert_eq!(want["n"], got["n"], "{id}.n");
        let segs = want["segments"].as_object().unwrap();
        let got_segs = got["segments"].as_object().unwrap();
        assert_eq!(segs.len(), got_segs.len(), "{id}: segment columns");
        for (seg, keys) in segs {
            let keys = keys.as_object().unwrap();
            let groups = got_segs[seg].as_array().unwrap();
            let got_keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
            let mut want_keys: Vec<&str> = keys.keys().map(String::as_str).collect();
            want_keys.sort_unstable();
            let mut sorted = got_keys.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, want_keys, "{id}.{seg}: keys");
            for g in groups {
                let k = g["key"].as_str().unwrap();
                close(&format!("{id}.{seg}.{k}"), &keys[k]["value"], &g["value"]);
                assert_eq!(keys[k]["n"], g["n"], "{id}.{seg}.{k}.n");
            }
        }
        let persona = (got["personas"].as_array().unwrap().iter())
            .find(|p| p["key"] == "premium")
            .unwrap_or_else(|| panic!("{id}: no persona premium"));
        let want_p = &want["personas"]["premium"];
        close(
            &format!("{id}.premium"),
            &want_p["value"],
            &persona["value"],
        );
        assert_eq!(want_p["n"], persona["n"], "{id}.premium.n");
    }
    // Bands are listed from the lowest up, not in text order.
    let bands: Vec<&str> = (indicator(&m, "nps")["segments"]["Tenure"]
        .as_array()
        .unwrap()
        .iter())
    .map(|g| g["key"].as_str().unwrap())
    .collect();
    assert_eq!(bands, ["0–6", "6–12", "12–24", "24+"]);
    // The CRM is a dataset of its own too.
    close(
        "crm-customers",
        &Value::from(12.0),
        &indicator(&m, "crm-customers")["value"],
    );
    // 16 of 20 is below 90 %: warned.
    let err = stderr(&out);
    assert!(
        err.contains("only 16 of 20 rows of dataset `survey` (80.0 %)"),
        "{err}"
    );
}

#[test]
fn a_change_in_the_lookup_table_alone_invalidates_the_cache() {
    let f = Fixture::copy("lookup");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = indicator(&f.metrics(), "revenue")["value"]
        .as_f64()
        .unwrap();
    // Only crm.csv changes (C01's revenue 30 → 46): the survey file's cache entry must not be
    // reused; its mean revenue over the 16 matched rows rises by 16/16 = 1.
    f.edit("data/crm.csv", "C01,basic,2,30,", "C01,basic,2,46,");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let after = indicator(&f.metrics(), "revenue")["value"]
        .as_f64()
        .unwrap();
    assert!((after - before - 1.0).abs() < TOL, "{before} → {after}");
}

#[test]
fn a_bad_looked_up_value_is_blamed_on_the_key_cell_and_skipped_under_skip() {
    // C09's tenure below the first band (0): the survey row that joins C09 (line 10) is bad.
    let f = Fixture::copy("lookup");
    f.edit("data/crm.csv", "C09,basic,0,", "C09,basic,-1,");
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "data/survey.csv:10:1: error: `crm.tenure_months` is `-1`, below the first band (0)"
        ),
        "{err}"
    );
    assert!(err.contains("looked up in `crm` by `customer_id`"), "{err}");
    // Under skip the row is left out of everything: 19 NPS answers, 15 matched rows.
    f.edit(
        "cxscore.yaml",
        "    lookup: { crm: customer_id }",
        "    lookup: { crm: customer_id }\n    bad_rows: skip",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    assert_eq!(m["data"]["survey"]["rejected"], 1);
    assert_eq!(indicator(&m, "nps")["n"], 19);
    assert_eq!(m["data"]["survey"]["lookup"]["matched"], 15);
    assert_eq!(m["data"]["survey"]["lookup"]["unmatched"], 4);
}

#[test]
fn a_text_in_a_numerically_tested_column_is_a_data_error_on_every_row() {
    // Line 2 (C01) waits "soon": an error even for indicators whose other conditions drop it.
    let f = Fixture::copy("lookup");
    f.edit("data/survey.csv", "C01,web,10,5,12", "C01,web,10,5,soon");
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("data/survey.csv:2:5: error: `wait_minutes` is `soon`, not a number"),
        "{err}"
    );
    assert_eq!(
        err.matches(": error: ").count(),
        1,
        "one error per cell: {err}"
    );
}

#[test]
fn a_key_repeated_across_files_is_located_in_both() {
    // The CRM split in two files; C03 is in both: the error is at its second file's line,
    // the hint at its first.
    let f = Fixture::copy("lookup");
    let crm = fs::read_to_string(f.root.join("data/crm.csv")).unwrap();
    let (head, rest) = crm.split_once('\n').unwrap();
    let rows: Vec<&str> = rest.lines().collect();
    f.write(
        "data/crm/a.csv",
        &format!("{head}\n{}\n", rows[..6].join("\n")),
    );
    f.write(
        "data/crm/b.csv",
        &format!("{head}\n{}\n{}\n", rows[6..].join("\n"), rows[2]),
    );
    fs::remove_file(f.root.join("data/crm.csv")).unwrap();
    f.edit("cxscore.yaml", "path: data/crm.csv", "path: data/crm/*.csv");
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("data/crm/b.csv:8:1: error: the key `customer_id` of lookup table `crm` is `C03` again; a lookup key must be unique; it is first at data/crm/a.csv:4:1"),
        "{err}"
    );
    assert_eq!(err.matches(": error: ").count(), 1, "{err}");
}

#[test]
fn the_join_is_the_same_in_tiny_pieces_and_on_any_number_of_threads() {
    // 64-byte pieces: the CRM (and the survey) are read in many parallel pieces, merged in
    // file order. The pieces depend on the bytes only: byte-identical on 1 or 2 threads, and
    // the numbers of a one-piece build (within 1e-9: a merge adds the terms in another order).
    let f = Fixture::copy("lookup");
    let build = |out: &str, piece: Option<&str>, threads: &str| {
        let mut cmd = assert_cmd::Command::cargo_bin("cxscore").unwrap();
        cmd.current_dir(f.root.parent().unwrap())
            .args(["build", "project", "--no-cache", "--out", out])
            .env("RAYON_NUM_THREADS", threads);
        match piece {
            Some(p) => cmd.env("CXSCORE_PIECE_BYTES", p),
            None => cmd.env_remove("CXSCORE_PIECE_BYTES"),
        };
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        fs::read(f.root.parent().unwrap().join(out).join("metrics.json")).unwrap()
    };
    let whole = build("whole", None, "1");
    let one = build("one", Some("64"), "1");
    let two = build("two", Some("64"), "2");
    assert!(one == two, "metrics.json depends on the number of threads");
    let json = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap();
    same_within(&json(&whole), &json(&two), "");
    assert_eq!(json(&two)["data"]["survey"]["lookup"]["matched"], 16);
}

/// Equal JSON, numbers within 1e-9 relative (at least 1e-9 absolute); all else exactly.
fn same_within(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: lengths");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_within(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}: keys"
            );
            for (k, x) in x {
                same_within(x, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn a_numeric_where_that_keeps_no_row_is_warned_about() {
    let f = Fixture::copy("lookup");
    f.edit(
        "indicators/core.yaml",
        "{ wait_minutes: { gt: 60 } }",
        "{ wait_minutes: { gt: 600 } }",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("indicator `nps-long-wait` has no rows: none of the 20 rows of dataset `survey` passes its numeric `where`"),
        "{err}"
    );
}

#[test]
fn a_key_driver_analysis_reads_looked_up_attributes() {
    // Attributes from the CRM: listwise, the 15 rows with a match and a tenure (C11's is
    // blank). R² by hand (plain Python, statistics.correlation over those 15 rows):
    // (r₁² + r₂² − 2·r₁·r₂·r₁₂) / (1 − r₁₂²) = 0.08083094306863933.
    let f = Fixture::copy("lookup");
    let yaml = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    f.write(
        "cxscore.yaml",
        &format!("{yaml}drivers:\n  - dataset: survey\n    outcome: nps\n    attributes: {{ crm.monthly_revenue: Revenue, crm.tenure_months: Tenure }}\n"),
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let d = &f.metrics()["drivers"][0];
    assert_eq!(d["n"], 15);
    close("r2", &Value::from(0.08083094306863933), &d["r2"]);
}

/// The rows of `data/NAME.csv` of the fixture, as maps of column to cell.
fn rows_of(f: &Fixture, name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = fs::read_to_string(f.root.join(format!("data/{name}.csv"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            (header.iter().zip(l.split(',')))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// The lookup fixture with a follow-up list of `groups` on an NPS indicator that keeps
/// premium customers only (a CRM column); and the list's lines expected by hand from
/// the two files (`detractors` only: scores 0–6).
fn premium_followup(groups: &str) -> (Fixture, Vec<String>) {
    let f = Fixture::copy("lookup");
    let yaml = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    f.write(
        "cxscore.yaml",
        &format!("{yaml}followup: {{ dataset: survey, id: customer_id, nps: nps-premium, groups: [{groups}] }}\n"),
    );
    let inds = fs::read_to_string(f.root.join("indicators/core.yaml")).unwrap();
    f.write(
        "indicators/core.yaml",
        &format!("{inds}- id: nps-premium\n  name: NPS of premium customers\n  kind: kci\n  dataset: survey\n  metric: nps\n  column: nps\n  where: {{ crm.plan: premium }}\n"),
    );
    let premium: std::collections::HashSet<String> = (rows_of(&f, "crm").into_iter())
        .filter(|r| r["plan"] == "premium")
        .map(|r| r["customer_id"].clone())
        .collect();
    let mut rows: Vec<_> = (rows_of(&f, "survey").into_iter())
        .filter(|r| premium.contains(&r["customer_id"]) && !r["nps"].is_empty())
        .filter(|r| groups.contains("passives") || r["nps"].parse::<f64>().unwrap() < 7.0)
        .collect();
    // Sorted by period (the fixture has none) then id; a stable sort keeps file order.
    rows.sort_by(|a, b| a["customer_id"].cmp(&b["customer_id"]));
    let want = (rows.iter())
        .map(|r| format!("{},,{},", r["customer_id"], r["nps"]))
        .collect();
    (f, want)
}

fn followup_lines(f: &Fixture) -> Vec<String> {
    let text = fs::read_to_string(f.root.join("_followup/followup.csv")).unwrap();
    text.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn the_followup_list_joins_the_lookup_table_when_its_indicator_reads_it() {
    // The list's NPS indicator keeps premium customers only, a CRM column: the list's
    // read must join the table like the build does (it skips the join only when the
    // columns it reads are all the survey's).
    let (f, want) = premium_followup("detractors, passives, promoters");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(want.len(), 10, "the fixture's premium answers");
    assert_eq!(followup_lines(&f), want);
}

#[test]
fn a_list_read_again_after_a_cached_compute_reads_the_lookup_rows_it_needs() {
    // Compute takes every file from the cache and leaves the table's rows unread; the
    // list, whose groups changed, must read them to keep premium customers.
    let (f, all) = premium_followup("detractors, passives, promoters");
    assert!(f.build().status.success());
    assert_eq!(followup_lines(&f), all);
    let (_, detractors) = premium_followup("detractors");
    assert!(!detractors.is_empty() && detractors.len() < all.len());
    f.edit(
        "cxscore.yaml",
        "groups: [detractors, passives, promoters]",
        "groups: [detractors]",
    );
    let (ok, err) = verbose_build(&f);
    assert!(ok && err.contains(NOT_READ), "{err}");
    assert!(!err.contains("follow-up list unchanged"), "{err}");
    assert_eq!(followup_lines(&f), detractors);
}

#[test]
fn raking_a_joined_survey_reads_the_same_rows_whether_or_not_it_checks_every_column() {
    // Under `bad_rows: fail` the raking's first pass reads only its margin column (the
    // survey's `channel`) and leaves the CRM unjoined; under `skip` it reads every
    // column, the CRM's included. On clean data both see the same rows: the same numbers.
    let build = |bad_rows: &str| {
        let f = Fixture::copy("lookup");
        f.edit(
            "cxscore.yaml",
            "    lookup: { crm: customer_id }\n",
            &format!("    lookup: {{ crm: customer_id }}\n    bad_rows: {bad_rows}\n    rake: {{ margins: {{ channel: {{ web: 0.5, app: 0.3, phone: 0.2 }} }} }}\n"),
        );
        let out = f.build();
        assert!(out.status.success(), "{bad_rows}: {}", stderr(&out));
        f.metrics()
    };
    let (fail, skip) = (build("fail"), build("skip"));
    let value = |m: &Value| indicator(m, "csat-loyal")["value"].clone();
    assert!(
        value(&fail).as_f64().is_some(),
        "the raked CRM indicator has a value"
    );
    assert_eq!(fail["indicators"], skip["indicators"]);
    assert_eq!(
        fail["data"]["survey"]["lookup"],
        skip["data"]["survey"]["lookup"]
    );
}

/// `cxscore build -v project`: its stderr.
fn verbose_build(f: &Fixture) -> (bool, String) {
    let out = f.run(&["build", "-v", "project"]);
    (out.status.success(), stderr(&out))
}

const NOT_READ: &str = "compute (lookup table not read: every joining file from the cache)";

#[test]
fn an_unchanged_rebuild_reads_no_lookup_rows_and_never_hides_their_errors() {
    let f = Fixture::copy("lookup");
    let (ok, err) = verbose_build(&f);
    assert!(
        ok && !err.contains(NOT_READ),
        "the first build joins the rows\n{err}"
    );
    let first = fs::read_to_string(f.site().join("metrics.json")).unwrap();
    // Unchanged: every joining file comes from the cache, so the table's rows are not
    // read, and the numbers are the same bytes.
    let (ok, err) = verbose_build(&f);
    assert!(ok && err.contains(NOT_READ), "{err}");
    assert_eq!(
        fs::read_to_string(f.site().join("metrics.json")).unwrap(),
        first
    );
    // A new indicator on the table's own dataset reads that dataset again (its own pass),
    // not the joining survey, nor the table's rows.
    let inds = fs::read_to_string(f.root.join("indicators/core.yaml")).unwrap();
    f.write(
        "indicators/core.yaml",
        &format!("{inds}- {{ id: customers, name: Customers, kind: kpi, dataset: crm, metric: count }}\n"),
    );
    let (ok, err) = verbose_build(&f);
    assert!(ok && err.contains(NOT_READ), "{err}");
    assert_eq!(indicator(&f.metrics(), "customers")["value"], 12.0);
    f.write("indicators/core.yaml", &inds);
    assert!(verbose_build(&f).0);
    // Every entry damaged but the table's "read without an error" memo: the survey's
    // entry is missing when the pass runs on the header alone, so it runs again on the
    // rows, with the same numbers.
    let dir = f.root.join(".cxscore/cache");
    let mut damaged = 0;
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let memo = bytes.ends_with(b"read without an error");
        if name.len() == 64 && !memo {
            fs::write(&path, b"damaged").unwrap();
            damaged += 1;
        }
    }
    assert!(damaged >= 2, "the survey's and the table's entries");
    let (ok, err) = verbose_build(&f);
    assert!(ok && !err.contains(NOT_READ), "{err}");
    assert_eq!(
        fs::read_to_string(f.site().join("metrics.json")).unwrap(),
        first
    );
    // A repeated key is an error on every build, though the survey is unchanged and its
    // entries (written by the failed build) match the table's files.
    let crm = fs::read_to_string(f.root.join("data/crm.csv")).unwrap();
    f.write(
        "data/crm.csv",
        &format!("{crm}C03,basic,1,1,no,x@example.com\n"),
    );
    for _ in 0..2 {
        let (ok, err) = verbose_build(&f);
        assert!(!ok, "{err}");
        assert!(
            err.contains("the key `customer_id` of lookup table `crm` is `C03` again"),
            "{err}"
        );
    }
    // Mended as it was: a failed build prunes nothing, so the entries of that content
    // serve again. Another content is read, then remembered.
    f.write("data/crm.csv", &crm);
    let (ok, err) = verbose_build(&f);
    assert!(ok && err.contains(NOT_READ), "{err}");
    assert_eq!(
        fs::read_to_string(f.site().join("metrics.json")).unwrap(),
        first
    );
    f.edit("data/crm.csv", "C01,basic,2,30,", "C01,basic,2,46,");
    let (ok, err) = verbose_build(&f);
    assert!(ok && !err.contains(NOT_READ), "{err}");
    assert_ne!(
        fs::read_to_string(f.site().join("metrics.json")).unwrap(),
        first
    );
    let (ok, err) = verbose_build(&f);
    assert!(ok && err.contains(NOT_READ), "{err}");
}

#[test]
fn a_list_dated_by_the_lookup_table_keeps_the_rows_of_the_window() {
    // The survey's date is a CRM column: the list must date its rows as the build does
    // (through the join), not by the survey's own header.
    let f = Fixture::copy("lookup");
    let crm = fs::read_to_string(f.root.join("data/crm.csv")).unwrap();
    let mut dated = String::new();
    for (i, line) in crm.lines().enumerate() {
        let since = match i {
            0 => "since",
            1..=6 => "2026-01-15",
            _ => "2026-02-10",
        };
        dated.push_str(&format!("{line},{since}\n"));
    }
    f.write("data/crm.csv", &dated);
    f.edit(
        "cxscore.yaml",
        "    lookup: { crm: customer_id }\n",
        "    lookup: { crm: customer_id }\n    date: { column: crm.since }\n",
    );
    let yaml = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    f.write(
        "cxscore.yaml",
        &format!("{yaml}report: {{ window: {{ rolling: 1 }}, as_of: 2026-02 }}\nfollowup: {{ dataset: survey, id: customer_id, nps: nps, groups: [detractors, passives, promoters] }}\n"),
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    // By hand: the survey rows whose customer joined in February, NPS answered.
    let february: std::collections::HashSet<String> = (rows_of(&f, "crm").into_iter())
        .filter(|r| r["since"] == "2026-02-10")
        .map(|r| r["customer_id"].clone())
        .collect();
    let mut rows: Vec<_> = (rows_of(&f, "survey").into_iter())
        .filter(|r| february.contains(&r["customer_id"]) && !r["nps"].is_empty())
        .collect();
    rows.sort_by(|a, b| a["customer_id"].cmp(&b["customer_id"]));
    let want: Vec<String> = (rows.iter())
        .map(|r| format!("{},2026-02,{},", r["customer_id"], r["nps"]))
        .collect();
    assert!(want.len() >= 5, "the fixture's February answers: {want:?}");
    assert_eq!(followup_lines(&f), want);
}
