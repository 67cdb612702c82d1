//! Independent verification: cxscore's `metrics.json` for `tests/fixtures/reference` against
//! `tests/reference/expected.json`, which `tests/reference/reference.py` computed from first
//! principles with numpy/scipy and no cxscore code (see that script). No Python is needed here.
//!
//! Tolerances (issue 3): 1e-9 on values (value, n, effective n, change, vs_rest, r, importance,
//! performance, R²), 1e-6 on interval ends; statuses, significance flags, period and group
//! keys must match exactly, and nothing may be missing or extra.

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{Map, Value};

const VALUE_TOL: f64 = 1e-9;
const INTERVAL_TOL: f64 = 1e-6;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Value {
    let text = fs::read_to_string(repo().join("tests/reference/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Copies the fixture to a temporary folder, applies `edit` to its cxscore.yaml, builds it
/// with the real binary and returns metrics.json.
fn build(edit: Option<(&str, &str)>) -> Value {
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
    if let Some((from, to)) = edit {
        let path = root.join("cxscore.yaml");
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "cxscore.yaml has no {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    let out = Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(dir.path())
        .args(["build", "project"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build failed: {}",
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
        let as_num = |v: Option<&Value>| v.filter(|v| !v.is_null()).map(|v| v.as_f64());
        match (as_num(expected), as_num(actual)) {
            (None, None) => {}
            (Some(Some(e)), Some(Some(a))) if (e - a).abs() <= tol => {}
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

    /// An estimate with its optional change / vs_rest / significance.
    fn estimate(&mut self, path: &str, e: &Value, a: &Value) {
        for f in ["value", "n", "effective_n", "change", "vs_rest"] {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), VALUE_TOL);
        }
        for f in ["ci_low", "ci_high"] {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), INTERVAL_TOL);
        }
        for f in ["status", "significant"] {
            self.exact(&format!("{path}.{f}"), e.get(f), a.get(f));
        }
    }

    /// Lists of keyed entries (periods, segment keys, personas): same keys, in order.
    fn list(&mut self, path: &str, key: &str, e: &Value, a: &Value) {
        let (e, a) = (e.as_array().unwrap(), a.as_array().unwrap());
        let keys = |v: &[Value]| -> Vec<Value> { v.iter().map(|x| x[key].clone()).collect() };
        if keys(e) != keys(a) {
            self.0
                .push(format!("{path}: keys {:?} vs {:?}", keys(e), keys(a)));
            return;
        }
        for (x, y) in e.iter().zip(a) {
            self.estimate(&format!("{path}[{}]", x[key]), x, y);
        }
    }

    fn indicator(&mut self, id: &str, e: &Value, a: &Value) {
        self.estimate(id, &e["overall"], a);
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

/// Compares one configuration's indicators; returns the differences.
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

fn configuration<'a>(expected: &'a Value, name: &str) -> &'a Map<String, Value> {
    expected["configurations"][name]["indicators"]
        .as_object()
        .unwrap()
}

#[test]
fn wald_build_matches_the_independent_reference() {
    let expected = expected();
    let metrics = build(None);
    assert_eq!(
        metrics["data"]["survey"]["rows"], expected["rows"],
        "the fixture CSV changed: rerun tests/reference/reference.py"
    );
    assert_clean(
        "nps_interval: wald",
        compare_indicators(configuration(&expected, "wald"), &metrics),
    );
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
fn adjusted_wald_build_matches_the_independent_reference() {
    let expected = expected();
    let metrics = build(Some(("nps_interval: wald", "nps_interval: adjusted_wald")));
    assert_clean(
        "nps_interval: adjusted_wald",
        compare_indicators(configuration(&expected, "adjusted_wald"), &metrics),
    );
}

/// The comparison itself can fail: a reference shifted beyond each tolerance is caught, one
/// shifted within it is not.
#[test]
fn the_comparison_detects_differences() {
    let expected = expected();
    let wald = configuration(&expected, "wald");
    let nps = &wald["nps"];
    // A synthetic "actual" built from the reference itself.
    let mut actual = nps["overall"].clone();
    for k in ["id", "periods", "segments", "personas"] {
        let v = if k == "id" {
            Value::from("nps")
        } else {
            nps[k].clone()
        };
        actual.as_object_mut().unwrap().insert(k.into(), v);
    }
    let metrics = |ind: Value| serde_json::json!({ "indicators": [ind] });
    let only_nps: Map<String, Value> = wald
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
    assert_eq!(
        shifted(&["segments", "channel", "0", "vs_rest"], 1e-8).len(),
        1
    );
    let mut flipped = actual.clone();
    let sig = &mut flipped["periods"][1]["significant"];
    *sig = Value::from(!sig.as_bool().unwrap());
    assert_eq!(compare_indicators(&only_nps, &metrics(flipped)).len(), 1);
    let mut dropped = actual;
    dropped["periods"].as_array_mut().unwrap().pop();
    assert_eq!(compare_indicators(&only_nps, &metrics(dropped)).len(), 1);
}
