//! Value at stake (SPEC §9) and the follow-up list (SPEC §10) on `tests/fixtures/value`.
//!
//! The numbers: metrics.json's `value_at_stake` against `tests/reference/value_expected.json`
//! (the fixture's window, rolling 2 months, and the window `all` with the undated rows),
//! which `tests/reference/value_reference.py` computed in plain Python (no cxscore code, its
//! own Student-t quantile): every group's customers, n, share, mean revenue and t interval,
//! churn and Wilson interval; the spend ratio and its delta-method interval; the churn gap,
//! its Wald interval, p and q; the revenue at risk and its interval — at 1e-9, absolute or
//! relative (the looser: the revenue at risk is in the tens of millions).
//!
//! The list: `_followup/followup.csv` against the rows picked here by hand from the CSV
//! (passives and detractors of the first NPS indicator, every channel, in the window), its
//! topics by the fixture's two-topic codebook; and no file of the published site holds any of
//! its ids.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

fn expected() -> Value {
    let path = repo().join("tests/reference/value_expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every number and count of `e` found in `a` within 1e-9 (absolute or relative).
fn compare(path: &str, e: &Value, a: &Value, bad: &mut Vec<String>) {
    match e {
        Value::Object(o) => {
            for (k, v) in o {
                compare(&format!("{path}.{k}"), v, &a[k], bad);
            }
        }
        Value::Number(n) => {
            let (e, got) = (n.as_f64().unwrap(), a.as_f64());
            match got {
                Some(g) if (e - g).abs() <= 1e-9_f64.max(1e-9 * e.abs()) => {}
                _ => bad.push(format!("{path}: expected {e}, got {a}")),
            }
        }
        _ => {
            if e != a {
                bad.push(format!("{path}: expected {e}, got {a}"));
            }
        }
    }
}

#[test]
fn value_at_stake_agrees_with_the_python_reference() {
    let fx = Fixture::copy("value");
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let v = fx.metrics()["value_at_stake"].clone();
    let e = expected()["rolling2"].clone();
    let mut bad = Vec::new();
    compare("value_at_stake", &e, &v, &mut bad);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The reference has the numbers that matter; these are the rest of the contract.
    assert_eq!(v["indicator"], "nps-digital");
    assert_eq!(v["window"]["from"], "2026-02");
    assert_eq!(v["window"]["to"], "2026-03");
    assert_eq!(v["churn_gap_significant"], true);
    assert_eq!(v["customer_base"], 1_200_000.0);
    // A second build reads every file from the build cache: the same numbers.
    let again = fx.build();
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(fx.metrics()["value_at_stake"], v);
}

#[test]
fn the_window_all_takes_every_row_undated_ones_included() {
    let fx = Fixture::copy("value");
    fx.edit(
        "cxscore.yaml",
        "report: { window: { rolling: 2 }, as_of: 2026-03 }",
        "report: { window: all }",
    );
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let v = fx.metrics()["value_at_stake"].clone();
    let mut bad = Vec::new();
    compare("value_at_stake", &expected()["all"], &v, &mut bad);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(v["window"]["kind"], "all");
}

#[test]
fn a_dataset_without_dates_uses_every_row_and_has_no_window() {
    let fx = Fixture::copy("value");
    fx.edit("cxscore.yaml", "    date: { column: submitted_at }\n", "");
    fx.edit(
        "cxscore.yaml",
        "report: { window: { rolling: 2 }, as_of: 2026-03 }\n",
        "",
    );
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let v = fx.metrics()["value_at_stake"].clone();
    // Every row: the same rows as the window `all` of the dated fixture.
    let mut bad = Vec::new();
    compare("value_at_stake", &expected()["all"], &v, &mut bad);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(v["window"], Value::Null);
    // Without dates the list's period column is empty.
    let text = std::fs::read_to_string(fx.root.join("_followup/followup.csv")).unwrap();
    assert!(text
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(1) == Some("")));
}

#[test]
fn multiple_testing_none_keeps_q_equal_to_p_and_no_config_means_no_field() {
    let fx = Fixture::copy("value");
    fx.edit(
        "cxscore.yaml",
        "report: { window: { rolling: 2 }, as_of: 2026-03 }",
        "report: { window: { rolling: 2 }, as_of: 2026-03, multiple_testing: none }",
    );
    assert!(fx.build().status.success());
    let v = fx.metrics()["value_at_stake"].clone();
    assert_eq!(v["churn_gap_q_value"], v["churn_gap_p_value"]);
    // Without `value_at_stake:` metrics.json has no such field.
    let fx = Fixture::copy("value");
    fx.edit(
        "cxscore.yaml",
        "value_at_stake:\n  nps: nps-digital\n  revenue: monthly_revenue\n  churn: { column: churned, equals: \"yes\" }\n  customers: 1200000\n",
        "",
    );
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fx.metrics().get("value_at_stake").is_none());
}

/// The list as picked by hand: rows dated 2026-02..2026-03 whose q_nps is a number of at
/// most 8 (passives and detractors of `nps-all`, every channel), sorted by period then id.
fn hand_list() -> Vec<[String; 4]> {
    let path = repo().join("tests/fixtures/value/data/survey.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let (id, date, nps, comment) = (&rec[0], &rec[1], rec[4].trim(), &rec[7]);
        let Ok(score) = nps.parse::<f64>() else {
            continue;
        };
        if date.len() < 7 || !("2026-02"..="2026-03").contains(&&date[..7]) || score > 8.0 {
            continue;
        }
        let lower = comment.to_lowercase();
        let mut topics = Vec::new();
        if lower.contains("expensive") || lower.contains("price") {
            topics.push("price");
        }
        if lower.contains("outage") || lower.contains("no signal") {
            topics.push("outage");
        }
        rows.push([
            id.to_string(),
            date[..7].to_string(),
            nps.to_string(),
            topics.join(";"),
        ]);
    }
    rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    rows
}

#[test]
fn the_followup_list_holds_the_window_rows_of_its_groups_and_never_reaches_the_site() {
    let fx = Fixture::copy("value");
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let path = fx.root.join("_followup/followup.csv");
    let mut r = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "period", "score", "topics"]
    );
    let got: Vec<[String; 4]> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            [0, 1, 2, 3].map(|i| rec[i].to_string())
        })
        .collect();
    let want = hand_list();
    assert!(want.len() > 100, "the fixture lists {} rows", want.len());
    assert_eq!(got, want);
    // No e-mail (the pii column) anywhere in the list.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains('@'), "{text}");
    // No file of the published site contains any listed id.
    let ids: BTreeSet<&str> = got.iter().map(|l| l[0].as_str()).collect();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(fx.site()) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(entry.path()).unwrap();
        let body = String::from_utf8_lossy(&bytes);
        for id in &ids {
            assert!(
                !body.contains(id),
                "{} contains {id}",
                entry.path().display()
            );
        }
    }
    assert!(files > 5, "the site has {files} files");
    // Written outside the site folder.
    assert!(!fx.site().join("_followup").exists());
    // Deterministic: a second build writes the same bytes.
    assert!(fx.build().status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn followup_groups_and_indicator_can_be_chosen() {
    let fx = Fixture::copy("value");
    fx.edit(
        "cxscore.yaml",
        "  groups: [detractors, passives]",
        "  groups: [promoters]\n  nps: nps-digital",
    );
    let out = fx.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(fx.root.join("_followup/followup.csv")).unwrap();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    // nps-digital's promoters: the reference's count.
    let promoters = expected()["rolling2"]["groups"]["promoters"]["n"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(lines.len(), promoters);
    assert!(lines.iter().all(|l| {
        let score: f64 = l.split(',').nth(2).unwrap().parse().unwrap();
        score >= 9.0
    }));
}

#[test]
fn the_value_page_is_linked_from_its_nps_indicator_and_the_navigation_in_both_languages() {
    let fx = Fixture::copy("value");
    for (lang, title, link) in [
        ("en", "Value at stake", "What these groups are worth"),
        ("zh-CN", "价值风险", "这些群体价值几何"),
    ] {
        let out = fx.run(&["build", "project", "--language", lang]);
        assert!(out.status.success(), "{}", stderr(&out));
        let read = |rel: &str| std::fs::read_to_string(fx.site().join(rel)).unwrap();
        let page = read("value.html");
        assert!(page.contains(&format!("<h1>{title}</h1>")), "{lang}");
        // The figures as compute published them, formatted: 3 groups, the three figures.
        assert_eq!(page.matches("<th scope=\"row\">").count(), 6, "{lang}");
        assert!(page.contains("1.25×"), "{lang}: the spend ratio");
        assert!(page.contains("68,169,803"), "{lang}: the revenue at risk");
        // Linked from the NPS indicator `value_at_stake` names, not from the other one.
        assert!(read("indicators/nps-digital.html").contains(link), "{lang}");
        assert!(!read("indicators/nps-all.html").contains(link), "{lang}");
        // In the navigation and in the printable report.
        assert!(read("index.html").contains("href=\"value.html\""), "{lang}");
        assert!(read("report.html").contains("id=\"value\""), "{lang}");
    }
}

#[test]
fn pieces_and_threads_change_neither_the_value_nor_the_list() {
    let fx = Fixture::copy("value");
    let run = |threads: &str, piece: Option<&str>| {
        let mut cmd = assert_cmd::Command::cargo_bin("cxscore").unwrap();
        cmd.current_dir(fx.root.parent().unwrap())
            .args(["build", "project", "--no-cache"])
            .env("RAYON_NUM_THREADS", threads);
        match piece {
            Some(p) => cmd.env("CXSCORE_PIECE_BYTES", p),
            None => cmd.env_remove("CXSCORE_PIECE_BYTES"),
        };
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        (
            std::fs::read(fx.site().join("metrics.json")).unwrap(),
            std::fs::read(fx.root.join("_followup/followup.csv")).unwrap(),
        )
    };
    // Pieces of about 2 KB: the 300-row file is read in a dozen parts, merged in order.
    let one = run("1", Some("2048"));
    let two = run("2", Some("2048"));
    assert!(one == two, "the build depends on the thread count");
    let whole = run("1", None);
    assert_eq!(whole.1, one.1, "the follow-up list depends on the pieces");
    let v =
        |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap()["value_at_stake"].clone();
    let mut bad = Vec::new();
    compare("value_at_stake", &v(&whole.0), &v(&one.0), &mut bad);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn an_unchanged_rebuild_keeps_the_followup_list_and_any_change_writes_it_again() {
    let fx = Fixture::copy("value");
    let path = fx.root.join("_followup/followup.csv");
    // `build -v` with the build cache on; true when the list was kept unread.
    let build = |extra: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("cxscore")
            .unwrap()
            .current_dir(fx.root.parent().unwrap())
            .args(["build", "project", "-v"])
            .args(extra)
            .env_remove("CXSCORE_NO_CACHE")
            .env_remove("CXSCORE_CACHE_VERSION_SALT")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out).contains("follow-up list unchanged, not read again")
    };
    let read = || std::fs::read(&path).unwrap();
    assert!(!build(&[]), "the first build lists");
    let listed = read();
    assert!(build(&[]), "an unchanged rebuild reads the survey again");
    assert_eq!(read(), listed);
    // The state names no listed id: the list is not copied into the cache.
    let state = std::fs::read_to_string(fx.root.join(".cxscore/cache/followup")).unwrap();
    assert!(!state.contains(&hand_list()[0][0]), "{state}");
    // An edited or deleted list is written again, the same.
    std::fs::write(&path, "id,period,score,topics\n").unwrap();
    assert!(!build(&[]));
    assert_eq!(read(), listed);
    std::fs::remove_file(&path).unwrap();
    assert!(!build(&[]));
    assert_eq!(read(), listed);
    // A changed data cell: a listed row's id.
    let id = hand_list()[0][0].clone();
    fx.edit("data/survey.csv", &format!("{id},"), &format!("{id}X,"));
    assert!(!build(&[]));
    let renamed = read();
    assert!(String::from_utf8_lossy(&renamed).contains(&format!("{id}X,")));
    // A changed `followup:`: other groups, another indicator.
    fx.edit(
        "cxscore.yaml",
        "  groups: [detractors, passives]",
        "  groups: [promoters]\n  nps: nps-digital",
    );
    assert!(!build(&[]));
    let promoters = read();
    assert_ne!(promoters, renamed);
    // Each list is the one a build without the cache writes.
    assert!(!build(&["--no-cache"]));
    assert_eq!(read(), promoters);
}
