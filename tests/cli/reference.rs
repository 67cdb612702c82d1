//! Independent verification: cxscore's `metrics.json` for `tests/fixtures/reference` against
//! `tests/reference/expected.json`, which `tests/reference/reference.py` computed from first
//! principles with numpy/scipy and no cxscore code (see that script). No Python is needed here.
//!
//! The script computes several *variants* of the fixture: its `report:` line replaced (every
//! row as in Part I with both NPS intervals; the default latest period; rolling 3; ytd; an
//! explicit `as_of`; no multiple-testing adjustment), some with quarters or ISO weeks for
//! `period:`. Each is built once with the real binary and every published field compared: the
//! window, the headline estimate, `previous` and `year_ago`, every period (change, p, BH q,
//! significant), every segment key (vs the rest, p, q, significant, its trend) and persona
//! (its trend), and, on every row, the key drivers.
//!
//! The fixture's `survey` dataset is weighted, so its standard errors and intervals are the
//! design-based ones of SPEC §11 (the script states the formula; `tests/cli/survey_numbers.rs`
//! checks the same formula against R's `survey` package); `ops` is unweighted (Part I's).
//!
//! Tolerances (issue 3): 1e-9 on values (value, n, effective n, change, vs_rest, r, importance,
//! performance, R²), 1e-6 on interval ends and standard errors, 1e-9 relative or absolute (the looser) on p- and
//! q-values; statuses, significance flags, windows, period and group keys must match exactly,
//! and nothing may be missing or extra.

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{Map, Value};

const VALUE_TOL: f64 = 1e-9;
const INTERVAL_TOL: f64 = 1e-6;
const P_TOL: f64 = 1e-9;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Value {
    let text = fs::read_to_string(repo().join("tests/reference/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Copies the fixture to a temporary folder, replaces its `report:` line with `report` (or
/// removes it: the defaults), its NPS interval with `nps_interval` and its trend bucket with
/// `period`, builds it with the real binary and returns metrics.json.
fn build(report: Option<&str>, nps_interval: &str, period: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let from = repo().join("tests/fixtures/reference");
    for entry in walkdir::WalkDir::new(&from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&from).unwrap();
        // Neither a built site nor a build cache left by a hand-run build.
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
    let reports = text.lines().filter(|l| l.starts_with("report:")).count();
    assert_eq!(reports, 1, "cxscore.yaml must have one `report:` line");
    assert!(text.contains("nps_interval: wald\n") && text.contains("period: month\n"));
    let mut edited = String::new();
    for line in text.lines() {
        if line.starts_with("report:") {
            if let Some(r) = report {
                edited.push_str(r);
                edited.push('\n');
            }
        } else if line == "nps_interval: wald" {
            edited.push_str(&format!("nps_interval: {nps_interval}\n"));
        } else if line == "period: month" {
            edited.push_str(&format!("period: {period}\n"));
        } else {
            edited.push_str(line);
            edited.push('\n');
        }
    }
    fs::write(&path, edited).unwrap();
    let out = Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(dir.path())
        .args(["build", "project"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build failed ({report:?}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = fs::read_to_string(root.join("_site/metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Collects every difference between `expected` and `actual` under `path`.
struct Diff(Vec<String>);

impl Diff {
    /// A number (or null) within `tol`; `None` for an absent field.
    fn number(&mut self, path: &str, expected: Option<&Value>, actual: Option<&Value>, tol: f64) {
        self.number_rel(path, expected, actual, tol, 0.0);
    }

    /// A number (or null) within `abs` or `rel` × |expected|, whichever is looser.
    fn number_rel(
        &mut self,
        path: &str,
        expected: Option<&Value>,
        actual: Option<&Value>,
        abs: f64,
        rel: f64,
    ) {
        let as_num = |v: Option<&Value>| v.filter(|v| !v.is_null()).map(|v| v.as_f64());
        match (as_num(expected), as_num(actual)) {
            (None, None) => {}
            (Some(Some(e)), Some(Some(a))) if (e - a).abs() <= abs.max(rel * e.abs()) => {}
            (e, a) => self.0.push(format!("{path}: expected {e:?}, got {a:?}")),
        }
    }

    /// A value compared exactly (status, keys, flags); null and absent are the same.
    fn exact(&mut self, path: &str, expected: Option<&Value>, actual: Option<&Value>) {
        let norm = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
        if norm(expected) != norm(actual) {
            self.0.push(format!(
                "{path}: expected {:?}, got {:?}",
                norm(expected),
                norm(actual)
            ));
        }
    }

    /// An estimate with its optional change / vs_rest / test. Fields the reference lists in
    /// `unchecked` (a composite's n, effective n and vs_rest, which SPEC does not define) are
    /// left out.
    fn estimate(&mut self, path: &str, e: &Value, a: &Value) {
        let unchecked: Vec<&str> = e
            .get("unchecked")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = |list: &'static [&'static str]| {
            list.iter()
                .copied()
                .filter(|f| !unchecked.contains(f))
                .collect::<Vec<_>>()
        };
        for f in fields(&["value", "n", "effective_n", "change", "vs_rest"]) {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), VALUE_TOL);
        }
        for f in fields(&["ci_low", "ci_high", "se"]) {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), INTERVAL_TOL);
        }
        for f in fields(&["p_value", "q_value"]) {
            self.number_rel(&format!("{path}.{f}"), e.get(f), a.get(f), P_TOL, P_TOL);
        }
        for f in fields(&["status", "significant"]) {
            self.exact(&format!("{path}.{f}"), e.get(f), a.get(f));
        }
    }

    /// A window `{kind, from, to, label}`: kind and ends exactly; the label is the site's
    /// wording (not derived independently), so only present.
    fn window(&mut self, path: &str, e: &Value, a: &Value) {
        for f in ["kind", "from", "to"] {
            self.exact(&format!("{path}.{f}"), e.get(f), a.get(f));
        }
        if a.get("label")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            self.0.push(format!("{path}.label: missing"));
        }
    }

    /// `previous` / `year_ago`: null, or the comparison window with its estimate and test.
    fn comparison(&mut self, path: &str, e: Option<&Value>, a: Option<&Value>) {
        let (e, a) = (e.filter(|v| !v.is_null()), a.filter(|v| !v.is_null()));
        match (e, a) {
            (None, None) => {}
            (Some(e), Some(a)) => {
                for f in ["from", "to"] {
                    self.exact(&format!("{path}.{f}"), e.get(f), a.get(f));
                }
                self.estimate(path, e, a);
            }
            (e, a) => self.0.push(format!("{path}: expected {e:?}, got {a:?}")),
        }
    }

    /// Lists of keyed entries (periods, segment keys, personas): same keys, in order; each
    /// entry's own `periods` (segment keys, personas) compared the same way.
    fn list(&mut self, path: &str, key: &str, e: &Value, a: &Value) {
        let Some(a) = a.as_array() else {
            self.0.push(format!("{path}: missing"));
            return;
        };
        let e = e.as_array().unwrap();
        let keys = |v: &[Value]| -> Vec<Value> { v.iter().map(|x| x[key].clone()).collect() };
        if keys(e) != keys(a) {
            self.0
                .push(format!("{path}: keys {:?} vs {:?}", keys(e), keys(a)));
            return;
        }
        for (x, y) in e.iter().zip(a) {
            let p = format!("{path}[{}]", x[key]);
            self.estimate(&p, x, y);
            // A segment key's or persona's trend carries no change tests: the reference has no
            // change, p, q or significant there, so any published one is a difference.
            if let Some(periods) = x.get("periods") {
                let actual = y.get("periods").cloned().unwrap_or(Value::Null);
                self.list(&format!("{p}.periods"), "period", periods, &actual);
            }
        }
    }

    fn indicator(&mut self, id: &str, e: &Value, a: &Value) {
        self.window(&format!("{id}.window"), &e["window"], &a["window"]);
        self.estimate(id, &e["overall"], a);
        for c in ["previous", "year_ago"] {
            self.comparison(&format!("{id}.{c}"), e.get(c), a.get(c));
        }
        self.list(
            &format!("{id}.periods"),
            "period",
            &e["periods"],
            &a["periods"],
        );
        let (es, as_) = (
            e["segments"].as_object().unwrap(),
            a["segments"].as_object().unwrap(),
        );
        if es.keys().collect::<Vec<_>>() != as_.keys().collect::<Vec<_>>() {
            self.0.push(format!("{id}.segments: different columns"));
        }
        for (col, groups) in es {
            let actual = as_.get(col).cloned().unwrap_or(Value::Array(vec![]));
            self.list(&format!("{id}.segments.{col}"), "key", groups, &actual);
        }
        self.list(
            &format!("{id}.personas"),
            "key",
            &e["personas"],
            &a["personas"],
        );
        // Personas are not compared with the rest: no vs_rest there.
        for p in a["personas"].as_array().unwrap() {
            if p.get("vs_rest").is_some() {
                self.0.push(format!("{id}.personas: unexpected vs_rest"));
            }
        }
    }

    fn driver_block(&mut self, path: &str, e: &Value, a: &Value) {
        self.number(&format!("{path}.n"), e.get("n"), a.get("n"), 0.0);
        self.number(&format!("{path}.r2"), e.get("r2"), a.get("r2"), VALUE_TOL);
        let (ea, aa) = (
            e["attributes"].as_array().unwrap(),
            a["attributes"].as_array().unwrap(),
        );
        if ea.len() != aa.len() {
            self.0.push(format!("{path}.attributes: different lengths"));
        }
        for (x, y) in ea.iter().zip(aa) {
            let p = format!("{path}.{}", x["column"]);
            self.exact(&format!("{p}.column"), x.get("column"), y.get("column"));
            for f in ["r", "importance", "performance"] {
                self.number(&format!("{p}.{f}"), x.get(f), y.get(f), VALUE_TOL);
            }
        }
    }
}

/// Compares one variant's indicators; returns the differences.
fn compare_indicators(expected: &Map<String, Value>, metrics: &Value) -> Vec<String> {
    let mut diff = Diff(Vec::new());
    let actual = metrics["indicators"].as_array().unwrap();
    let ids: Vec<&str> = actual.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = expected.keys().map(String::as_str).collect();
    let mut got = ids.clone();
    want.sort_unstable();
    got.sort_unstable();
    if want != got {
        diff.0.push(format!("indicator ids {want:?} vs {got:?}"));
    }
    for ind in actual {
        let id = ind["id"].as_str().unwrap();
        if let Some(e) = expected.get(id) {
            diff.indicator(id, e, ind);
        }
    }
    diff.0
}

fn compare_drivers(expected: &Value, metrics: &Value) -> Vec<String> {
    let mut diff = Diff(Vec::new());
    let (e, a) = (&expected["drivers"][0], &metrics["drivers"][0]);
    diff.exact("drivers.outcome", e.get("outcome"), a.get("outcome"));
    diff.driver_block("drivers", e, a);
    let (ep, ap) = (
        e["personas"].as_array().unwrap(),
        a["personas"].as_array().unwrap(),
    );
    let keys = |v: &[Value]| -> Vec<Value> { v.iter().map(|x| x["key"].clone()).collect() };
    if keys(ep) != keys(ap) {
        diff.0.push(format!(
            "drivers.personas: {:?} vs {:?}",
            keys(ep),
            keys(ap)
        ));
    }
    for (x, y) in ep.iter().zip(ap) {
        diff.driver_block(&format!("drivers.personas[{}]", x["key"]), x, y);
    }
    diff.0
}

fn assert_clean(what: &str, diffs: Vec<String>) {
    assert!(
        diffs.is_empty(),
        "{what}: {} differences from the reference:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

fn variant<'a>(expected: &'a Value, name: &str) -> &'a Value {
    let v = &expected["variants"][name];
    assert!(v.is_object(), "expected.json has no variant {name}");
    v
}

fn indicators<'a>(expected: &'a Value, name: &str) -> &'a Map<String, Value> {
    variant(expected, name)["indicators"].as_object().unwrap()
}

/// Builds variant `name` of the fixture and compares everything it publishes; returns
/// metrics.json for further checks.
fn check_variant(name: &str) -> Value {
    let expected = expected();
    let v = variant(&expected, name);
    let metrics = build(
        v["report"].as_str(),
        v["nps_interval"].as_str().unwrap(),
        v["period"].as_str().unwrap(),
    );
    assert_eq!(
        metrics["data"]["survey"]["rows"], expected["rows"],
        "the fixture CSV changed: rerun tests/reference/reference.py"
    );
    assert_eq!(
        metrics["data"]["ops"]["rows"], expected["ops_rows"],
        "the fixture's ops.csv changed: rerun tests/reference/reference.py"
    );
    let mut diff = Diff(Vec::new());
    diff.window(
        "project.window",
        &v["window"],
        &metrics["project"]["window"],
    );
    diff.0
        .extend(compare_indicators(indicators(&expected, name), &metrics));
    assert_clean(name, diff.0);
    metrics
}

#[test]
fn all_rows_wald_build_matches_the_independent_reference() {
    let expected = expected();
    let metrics = check_variant("all");
    assert_clean("drivers", compare_drivers(&expected, &metrics));
    // The benchmark is carried as written, only where given.
    let by_id = |id: &str| {
        metrics["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("nps")["benchmark"], 12.5);
    assert_eq!(by_id("speed-gap")["benchmark"], -0.5);
    assert!(by_id("csat").get("benchmark").is_none());
    assert_eq!(by_id("speed-gap")["metric"], "gap");
}

#[test]
fn all_rows_adjusted_wald_build_matches_the_independent_reference() {
    check_variant("all-adjusted-wald");
}

#[test]
fn default_window_build_matches_the_independent_reference() {
    check_variant("default");
}

#[test]
fn rolling_window_build_matches_the_independent_reference() {
    check_variant("rolling-3");
    check_variant("rolling-2-no-compare");
}

/// SPEC §6 tests `previous` and `year_ago` because "windows never overlap, so the samples are
/// independent"; the year ago of a 13-month window shares its first month, so the reference
/// has no test there (p, q and significant null, as `--baseline` for overlapping windows).
#[test]
fn rolling_window_longer_than_a_year_has_no_test_on_its_overlapping_year_ago() {
    check_variant("rolling-13");
}

#[test]
fn ytd_window_build_matches_the_independent_reference() {
    check_variant("ytd");
}

#[test]
fn as_of_windows_build_matches_the_independent_reference() {
    check_variant("rolling-3-as-of");
    check_variant("latest-as-of");
}

#[test]
fn quarterly_builds_match_the_independent_reference() {
    check_variant("quarter");
    check_variant("quarter-ytd-as-of");
}

#[test]
fn weekly_build_matches_the_independent_reference() {
    check_variant("week-rolling-3-as-of");
}

#[test]
fn unadjusted_build_matches_the_independent_reference() {
    check_variant("ytd-unadjusted");
}

/// Every variant the script wrote is built by one of the tests above.
#[test]
fn every_reference_variant_is_checked() {
    let expected = expected();
    let mut names: Vec<&str> = expected["variants"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "all",
            "all-adjusted-wald",
            "default",
            "latest-as-of",
            "quarter",
            "quarter-ytd-as-of",
            "rolling-13",
            "rolling-2-no-compare",
            "rolling-3",
            "rolling-3-as-of",
            "week-rolling-3-as-of",
            "ytd",
            "ytd-unadjusted"
        ]
    );
}

/// The reference itself exercises what it is meant to: some tests significant, `min_change`
/// turning a flag off that the q-value alone would raise, and BH making q differ from p.
#[test]
fn the_reference_exercises_significance_and_min_change() {
    let expected = expected();
    let mut significant = 0;
    let mut by_min_change = 0;
    let mut adjusted = 0;
    let mut visit = |e: &Value, diff: &str| {
        let (Some(p), Some(q)) = (e["p_value"].as_f64(), e["q_value"].as_f64()) else {
            return;
        };
        if q > p {
            adjusted += 1;
        }
        if e["significant"] == true {
            significant += 1;
        } else if q <= 0.05 {
            assert!(e[diff].as_f64().unwrap().abs() > 0.0);
            by_min_change += 1;
        }
    };
    for v in expected["variants"].as_object().unwrap().values() {
        for ind in v["indicators"].as_object().unwrap().values() {
            for p in ind["periods"].as_array().unwrap() {
                visit(p, "change");
            }
            for groups in ind["segments"].as_object().unwrap().values() {
                for g in groups.as_array().unwrap() {
                    visit(g, "vs_rest");
                }
            }
            for c in ["previous", "year_ago"] {
                if ind[c].is_object() {
                    visit(&ind[c], "change");
                }
            }
        }
    }
    assert!(significant > 0 && by_min_change > 0 && adjusted > 0);
}

/// The comparison itself can fail: a reference shifted beyond each tolerance is caught, one
/// shifted within it is not.
#[test]
fn the_comparison_detects_differences() {
    let expected = expected();
    let variant = indicators(&expected, "rolling-3");
    let nps = &variant["nps"];
    // A synthetic "actual" built from the reference itself.
    let mut actual = nps["overall"].clone();
    for k in [
        "id", "window", "previous", "year_ago", "periods", "segments", "personas",
    ] {
        let v = if k == "id" {
            Value::from("nps")
        } else {
            nps[k].clone()
        };
        actual.as_object_mut().unwrap().insert(k.into(), v);
    }
    actual["window"]["label"] = Value::from("Jan–Mar 2026");
    let metrics = |ind: Value| serde_json::json!({ "indicators": [ind] });
    let only_nps: Map<String, Value> = variant
        .iter()
        .filter(|(k, _)| *k == "nps")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(compare_indicators(&only_nps, &metrics(actual.clone())).is_empty());

    let shifted = |path: &[&str], by: f64| {
        let mut a = actual.clone();
        let mut v = &mut a;
        for p in path {
            v = match p.parse::<usize>() {
                Ok(i) => &mut v[i],
                Err(_) => &mut v[*p],
            };
        }
        *v = Value::from(v.as_f64().unwrap() + by);
        compare_indicators(&only_nps, &metrics(a))
    };
    assert_eq!(shifted(&["value"], 1e-8).len(), 1);
    assert!(shifted(&["value"], 1e-11).is_empty());
    assert_eq!(shifted(&["ci_low"], 1e-5).len(), 1);
    assert!(shifted(&["ci_low"], 1e-8).is_empty());
    assert_eq!(shifted(&["periods", "1", "change"], 1e-8).len(), 1);
    assert_eq!(shifted(&["periods", "1", "p_value"], 1e-8).len(), 1);
    assert!(shifted(&["periods", "1", "p_value"], 1e-11).is_empty());
    assert_eq!(shifted(&["periods", "1", "q_value"], 1e-8).len(), 1);
    assert_eq!(shifted(&["previous", "value"], 1e-8).len(), 1);
    assert_eq!(shifted(&["previous", "change"], 1e-8).len(), 1);
    assert_eq!(shifted(&["previous", "p_value"], 1e-8).len(), 1);
    assert_eq!(shifted(&["year_ago", "q_value"], 1e-8).len(), 1);
    assert_eq!(
        shifted(&["segments", "channel", "0", "vs_rest"], 1e-8).len(),
        1
    );
    assert_eq!(
        shifted(&["segments", "channel", "0", "p_value"], 1e-8).len(),
        1
    );
    // The first period of a segment key's and of a persona's trend that has a value.
    let with_value = |path: &[&str]| {
        let mut v = &actual;
        for p in path {
            v = match p.parse::<usize>() {
                Ok(i) => &v[i],
                Err(_) => &v[*p],
            };
        }
        let list = v["periods"].as_array().unwrap();
        list.iter()
            .position(|p| !p["value"].is_null())
            .unwrap()
            .to_string()
    };
    let i = with_value(&["segments", "region", "0"]);
    assert_eq!(
        shifted(&["segments", "region", "0", "periods", &i, "value"], 1e-8).len(),
        1
    );
    let i = with_value(&["personas", "0"]);
    assert_eq!(
        shifted(&["personas", "0", "periods", &i, "ci_high"], 1e-5).len(),
        1
    );
    // p and q: relative tolerance on a small p-value.
    let mut tiny = actual.clone();
    tiny["previous"]["p_value"] = Value::from(1e-12);
    let mut only_tiny = only_nps.clone();
    only_tiny["nps"]["previous"]["p_value"] = Value::from(1e-12 * (1.0 + 1e-10));
    assert!(compare_indicators(&only_tiny, &metrics(tiny.clone())).is_empty());
    only_tiny["nps"]["previous"]["p_value"] = Value::from(2e-12);
    assert!(compare_indicators(&only_tiny, &metrics(tiny)).is_empty()); // within 1e-9 absolute
    let flip = |path: &[&str]| {
        let mut a = actual.clone();
        let mut v = &mut a;
        for p in path {
            v = match p.parse::<usize>() {
                Ok(i) => &mut v[i],
                Err(_) => &mut v[*p],
            };
        }
        *v = Value::from(!v.as_bool().unwrap());
        compare_indicators(&only_nps, &metrics(a))
    };
    assert_eq!(flip(&["periods", "1", "significant"]).len(), 1);
    assert_eq!(flip(&["previous", "significant"]).len(), 1);
    assert_eq!(flip(&["segments", "channel", "0", "significant"]).len(), 1);
    let mut moved = actual.clone();
    moved["previous"]["from"] = Value::from("2025-09");
    assert_eq!(compare_indicators(&only_nps, &metrics(moved)).len(), 1);
    let mut gone = actual.clone();
    gone["year_ago"] = Value::Null;
    assert_eq!(compare_indicators(&only_nps, &metrics(gone)).len(), 1);
    let mut window = actual.clone();
    window["window"]["kind"] = Value::from("ytd");
    assert_eq!(compare_indicators(&only_nps, &metrics(window)).len(), 1);
    let mut tested = actual.clone();
    tested["personas"][0]["periods"][1]["change"] = Value::from(1.0);
    assert_eq!(compare_indicators(&only_nps, &metrics(tested)).len(), 1);
    let mut dropped = actual;
    dropped["periods"].as_array_mut().unwrap().pop();
    assert_eq!(compare_indicators(&only_nps, &metrics(dropped)).len(), 1);
}
