//! Key drivers of SPEC §8 against an independent computation: cxscore's `metrics.json` for
//! `tests/fixtures/reference`, its driver analysis given `scale: [1, 5]` and `bootstrap: 1000`
//! (and `window: { rolling: 3 }` in one variant), against `tests/reference/drivers_expected.json`,
//! which `tests/reference/drivers_reference.py` computed with the Python standard library and
//! no cxscore code.
//!
//! Compared: penalty and reward of every attribute, overall and per persona (value and
//! interval to 1e-9, p and BH q of family (f) to 1e-9 relative, significance and class
//! exactly, null where a group is below `min_n`); the window's n, effective n, R² and
//! importances; every period's. The bootstrap intervals must contain the estimate, be
//! byte-identical across builds, thread counts, piece sizes and the build cache, and their
//! widths must lie within 25 % of the script's own bootstrap (its docstring says why 25 %).

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Value {
    let path = repo().join("tests/reference/drivers_expected.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

const ATTRIBUTES: &str = "    attributes: { a_speed: Speed, a_price: Price, a_support: Support }";

/// The fixture copied into `dir/project` with `extra` lines added to its driver analysis.
fn project(dir: &Path, extra: &str) -> PathBuf {
    let root = dir.join("project");
    let from = repo().join("tests/fixtures/reference");
    for entry in walkdir::WalkDir::new(&from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&from).unwrap();
        if rel.starts_with("_site") || rel.starts_with(".cxscore") {
            continue;
        }
        let to = root.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
    let path = root.join("cxscore.yaml");
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(ATTRIBUTES).count(),
        1,
        "the fixture's analysis moved"
    );
    fs::write(
        &path,
        text.replace(ATTRIBUTES, &format!("{ATTRIBUTES}\n{extra}")),
    )
    .unwrap();
    root
}

/// Builds `root` into `out` (relative to its parent) and returns metrics.json as text.
fn build(root: &Path, out: &str, threads: &str, piece: Option<&str>, cache: bool) -> String {
    let mut cmd = Command::cargo_bin("cxscore").unwrap();
    cmd.current_dir(root.parent().unwrap())
        .args(["build", "project", "--out", out])
        .env("RAYON_NUM_THREADS", threads);
    if !cache {
        cmd.arg("--no-cache");
    }
    match piece {
        Some(p) => cmd.env("CXSCORE_PIECE_BYTES", p),
        None => cmd.env_remove("CXSCORE_PIECE_BYTES"),
    };
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    fs::read_to_string(root.parent().unwrap().join(out).join("metrics.json")).unwrap()
}

const WITH_KEYS: &str = "    scale: [1, 5]\n    bootstrap: 1000";

fn close(path: &str, e: &Value, a: &Value, abs: f64, rel: f64, diffs: &mut Vec<String>) {
    match (e.as_f64(), a.as_f64()) {
        (Some(x), Some(y)) if (x - y).abs() <= abs.max(rel * x.abs()) => {}
        (None, None) if e.is_null() && a.is_null() => {}
        _ => diffs.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// Penalty, reward and class of each attribute in `e` (the script's) against `a` (cxscore's).
fn effects(path: &str, e: &Value, a: &Value, diffs: &mut Vec<String>) {
    let (ea, aa) = (e.as_array().unwrap(), a.as_array().unwrap());
    assert_eq!(ea.len(), aa.len(), "{path}: attributes");
    for (x, y) in ea.iter().zip(aa) {
        let p = format!("{path}.{}", x["column"]);
        if x["column"] != y["column"] || x["class"] != y["class"] {
            diffs.push(format!("{p}: {x} vs {y}"));
        }
        for f in ["penalty", "reward"] {
            let (ef, af) = (&x[f], &y[f]);
            if ef.is_null() || af.is_null() {
                if ef.is_null() != af.is_null() {
                    diffs.push(format!("{p}.{f}: expected {ef}, got {af}"));
                }
                continue;
            }
            for g in ["value", "ci_low", "ci_high"] {
                close(&format!("{p}.{f}.{g}"), &ef[g], &af[g], 1e-9, 0.0, diffs);
            }
            for g in ["p_value", "q_value"] {
                close(&format!("{p}.{f}.{g}"), &ef[g], &af[g], 1e-12, 1e-9, diffs);
            }
            if ef["significant"] != af["significant"] {
                diffs.push(format!("{p}.{f}.significant: {ef} vs {af}"));
            }
        }
    }
}

#[test]
fn penalty_reward_classes_and_periods_match_the_reference() {
    let expected = expected();
    for (name, extra) in [
        ("all", WITH_KEYS.to_string()),
        (
            "rolling-3",
            format!("{WITH_KEYS}\n    window: {{ rolling: 3 }}"),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path(), &extra);
        let m: Value = serde_json::from_str(&build(&root, "site", "2", None, true)).unwrap();
        let (e, a) = (&expected["variants"][name], &m["drivers"][0]);
        let mut diffs = Vec::new();
        close("n", &e["n"], &a["n"], 0.0, 0.0, &mut diffs);
        close(
            "n_eff",
            &e["effective_n"],
            &a["effective_n"],
            1e-9,
            0.0,
            &mut diffs,
        );
        close("r2", &e["r2"], &a["r2"], 1e-9, 0.0, &mut diffs);
        for (j, x) in e["importance"].as_array().unwrap().iter().enumerate() {
            let y = &a["attributes"][j]["importance"];
            close(&format!("importance[{j}]"), x, y, 1e-9, 0.0, &mut diffs);
        }
        effects(name, &e["attributes"], &a["attributes"], &mut diffs);
        for (ep, ap) in
            (e["personas"].as_array().unwrap().iter()).zip(a["personas"].as_array().unwrap())
        {
            assert_eq!(ep["key"], ap["key"]);
            let path = format!("{name}.personas[{}]", ep["key"]);
            effects(&path, &ep["attributes"], &ap["attributes"], &mut diffs);
        }
        assert_eq!(a["label"], "NPS", "the NPS indicator on q_nps names it");
        let kind = if name == "all" { "all" } else { "rolling" };
        assert_eq!(a["window"]["kind"], kind);
        // Every period with effective n ≥ min_n, whatever the window (the trend).
        let (eps, aps) = (
            expected["periods"].as_array().unwrap(),
            a["periods"].as_array().unwrap(),
        );
        assert_eq!(eps.len(), aps.len(), "{name}: periods");
        for (x, y) in eps.iter().zip(aps) {
            assert_eq!(x["period"], y["period"]);
            close("period n", &x["n"], &y["n"], 0.0, 0.0, &mut diffs);
            close("period r2", &x["r2"], &y["r2"], 1e-9, 0.0, &mut diffs);
            for (c, v) in x["importance"].as_object().unwrap() {
                let path = format!("period {} {c}", x["period"]);
                close(&path, v, &y["importance"][c], 1e-9, 0.0, &mut diffs);
            }
        }
        assert!(
            diffs.is_empty(),
            "{name}: {} differences:\n{}",
            diffs.len(),
            diffs.join("\n")
        );
    }
    // The fixture must exercise every outcome the test can tell apart: a basic, a
    // performance attribute, a delighter (a persona's), and a difference below min_n.
    let all = &expected["variants"]["all"];
    let classes: Vec<&Value> = (all["attributes"].as_array().unwrap().iter())
        .chain(
            all["personas"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["attributes"].as_array().unwrap()),
        )
        .map(|a| &a["class"])
        .collect();
    for c in ["basic", "delighter", "performance"] {
        assert!(classes.iter().any(|x| *x == c), "no {c} in the fixture");
    }
    let r3 = &expected["variants"]["rolling-3"]["attributes"];
    assert!(r3
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["penalty"].is_null()));
}

#[test]
fn bootstrap_intervals_contain_the_estimate_match_an_independent_bootstrap_and_never_vary() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path(), WITH_KEYS);
    // Tiny pieces on one thread, then on two; then the build cache (stored rows) on two.
    let one = build(&root, "one", "1", Some("2048"), false);
    let two = build(&root, "two", "2", Some("2048"), true);
    let cached = build(&root, "cached", "2", Some("2048"), true);
    assert_eq!(one, two, "the thread count changed metrics.json");
    assert_eq!(two, cached, "the build cache changed metrics.json");
    // In one piece the moments may differ in the last bits (summing order); the
    // bootstrap, which resamples the rows in file order, not at all.
    let whole: Value = serde_json::from_str(&build(&root, "whole", "2", None, false)).unwrap();
    let m: Value = serde_json::from_str(&one).unwrap();
    let d = &m["drivers"][0];
    assert_eq!(d["bootstrap"]["replicates"], 1000);
    assert_eq!(d["bootstrap"]["rows"], 295);
    assert_eq!(d["bootstrap"]["sampled"], false);
    let expected = expected();
    let widths = expected["bootstrap"]["widths"].as_array().unwrap();
    for (j, a) in d["attributes"].as_array().unwrap().iter().enumerate() {
        let (v, lo, hi) = (
            a["importance"].as_f64().unwrap(),
            a["importance_ci_low"].as_f64().unwrap(),
            a["importance_ci_high"].as_f64().unwrap(),
        );
        assert!(lo < v && v < hi, "{}: {lo} {v} {hi}", a["column"]);
        let w = widths[j].as_f64().unwrap();
        let ratio = (hi - lo) / w;
        assert!(
            (0.75..=1.25).contains(&ratio),
            "{}: width {} vs {w}",
            a["column"],
            hi - lo
        );
        for f in ["importance_ci_low", "importance_ci_high"] {
            assert_eq!(
                a[f], whole["drivers"][0]["attributes"][j][f],
                "{f} in one piece"
            );
        }
    }
    // Speed (≈55 %) and Support (≈35 %) are told apart; Price's interval is far below both.
    let ties: Vec<&Value> = (d["attributes"].as_array().unwrap().iter())
        .map(|a| &a["not_distinguishable_from"])
        .collect();
    assert!(
        ties.iter().all(|t| t.as_array().unwrap().is_empty()),
        "{ties:?}"
    );
    // Personas are resampled on their own rows.
    for p in d["personas"].as_array().unwrap() {
        for a in p["attributes"].as_array().unwrap() {
            let (lo, hi) = (&a["importance_ci_low"], &a["importance_ci_high"]);
            assert!(lo.as_f64().unwrap() < hi.as_f64().unwrap(), "{}", p["key"]);
        }
    }
}

#[test]
fn the_page_names_quadrants_classes_and_intervals_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path(), WITH_KEYS);
    build(&root, "site", "2", None, false);
    let page = fs::read_to_string(dir.path().join("site/drivers.html")).unwrap();
    // The label, not the column, in the titles; the four parts of the quadrant.
    assert!(page.contains("Drivers of NPS (survey)") && !page.contains("Drivers of q_nps"));
    for part in ["Fix first", "Keep up", "Monitor", "Maintain"] {
        assert!(page.contains(&format!("{part}\n</text>")), "{part}");
    }
    // The penalty / reward chart with its classes, the class column and its reading
    // (Price is a basic in the reference: a penalty of 21 points, no reward).
    assert!(page.contains("cx-effects-") && page.contains("Price (basic)"));
    assert!(page.contains(
        "Price is a basic: rated 1–2 it adds 21 points of detractors; rated 5 it adds few promoters — fix the failures first."
    ));
    // Importance intervals, in the table and per persona; the trend of importance.
    assert!(page.contains("55.3 ("), "no interval on Speed's importance");
    assert!(page.contains("bootstrap percentile intervals from 1,000 resamples of 295"));
    assert!(page.contains("NPS: importance of each attribute by period"));
    // Chinese: the same parts in Chinese, no English words of ours.
    let zh = project(&dir.path().join("zh"), WITH_KEYS);
    let yaml = zh.join("cxscore.yaml");
    let text = fs::read_to_string(&yaml)
        .unwrap()
        .replace("language: en", "language: zh-CN");
    fs::write(&yaml, text).unwrap();
    build(&zh, "site", "2", None, false);
    let page = fs::read_to_string(dir.path().join("zh/site/drivers.html")).unwrap();
    for words in [
        "优先改进",
        "保持优势",
        "基本要素",
        "先消除失误",
        "惩罚",
        "奖励",
    ] {
        assert!(page.contains(words), "{words}");
    }
    // What a reader sees: the text outside tags (CSS classes may be English words).
    let mut seen = String::new();
    for part in page.split('<') {
        seen.push_str(part.split_once('>').map_or(part, |(_, text)| text));
    }
    for english in [
        "basic",
        "delighter",
        "Penalty",
        "Reward",
        "Fix first",
        "few promoters",
    ] {
        assert!(!seen.contains(english), "English {english:?} in zh-CN");
    }
}
