//! Independent verification of the topic numbers (SPEC §7, issue 14): cxscore's
//! `metrics.json` for `tests/fixtures/topics` against `tests/reference/topics.json`, which
//! `tests/reference/topics_reference.py` computed with the Python standard library and no
//! cxscore code (its own matcher, statistics and Benjamini–Hochberg). No Python is needed
//! here.
//!
//! The fixture: 421 weighted survey rows over 2026-01..06 (three undated) with hand-written
//! comments for every matching trap (lately / chocolate / translate, CJK substrings, `网络很slow`,
//! kana either side of a Latin word, a Hangul letter that is no boundary, exclusions, patterns
//! (one anchored, so it must see the trimmed comment; `.` not crossing a line end), several
//! topics in one comment, emoji, whitespace-only comments, Greek and German capitals, a
//! multi-line comment), CSAT then two NPS indicators (the first one's column is the topics'
//! NPS), four personas (one rare, one with no row), two segment columns (one with Chinese keys,
//! one key only before the window, a rare key, a key of zero weights, blanks), and 48 undated, unweighted tickets
//! without NPS or persona column; a codebook of 8 topics in two files, two groups, topics on
//! one dataset only, a topic mentioned only before the window; `report:` the latest 2 months.
//!
//! Every field of every topic, group roll-up and `data.<dataset>.uncoded` is compared, for
//! the fixture as written, with `multiple_testing: none`, with an earlier `as_of` and with
//! `window: all` (undated rows included): ids, names, groups, datasets,
//! counts, period and segment keys and `significant` exactly, null against null; 1e-9 on
//! values (shares, NPS, difference, impact, by-group shares), 1e-6 on interval ends and 1e-9
//! absolute or relative (the looser) on p and q, as `tests/cli/reference.rs` (issue 3);
//! nothing may be missing, extra or out of order.

use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

const VALUE_TOL: f64 = 1e-9;
const INTERVAL_TOL: f64 = 1e-6;
const P_TOL: f64 = 1e-9;

fn expected() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/reference/topics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn variant<'a>(expected: &'a Value, name: &str) -> &'a Value {
    let v = &expected["variants"][name];
    assert!(v.is_object(), "topics.json has no variant {name}");
    v
}

/// Builds the fixture with its `report:` line replaced by `report`; returns metrics.json.
fn build(report: &str) -> Value {
    let fx = Fixture::copy("topics");
    let text = std::fs::read_to_string(fx.root.join("cxscore.yaml")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("report:"))
        .expect("cxscore.yaml has a `report:` line");
    fx.edit("cxscore.yaml", line, report);
    let out = fx.build();
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    fx.metrics()
}

/// A string value as it reads (JSON text otherwise).
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// Every difference between the reference and metrics.json.
struct Diff(Vec<String>);

impl Diff {
    fn push(&mut self, msg: String) {
        self.0.push(msg);
    }

    /// A number or null within `abs`, or `rel` × |expected| when that is looser.
    fn number(&mut self, path: &str, e: Option<&Value>, a: Option<&Value>, abs: f64, rel: f64) {
        match (e, a) {
            (Some(Value::Null), Some(Value::Null)) => {}
            (Some(e), Some(a)) if e.is_number() && a.is_number() => {
                let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
                if (e - a).abs() > abs.max(rel * e.abs()) {
                    self.push(format!("{path}: expected {e:?}, got {a:?}"));
                }
            }
            (e, a) => self.push(format!("{path}: expected {e:?}, got {a:?}")),
        }
    }

    /// Compared exactly: text, counts, flags, null.
    fn exact(&mut self, path: &str, e: Option<&Value>, a: Option<&Value>) {
        if e != a {
            self.push(format!("{path}: expected {e:?}, got {a:?}"));
        }
    }

    /// The same fields, no more and no fewer.
    fn keys(&mut self, path: &str, e: &Value, a: &Value) -> bool {
        let names = |v: &Value| -> Option<Vec<String>> {
            v.as_object().map(|o| {
                let mut k: Vec<String> = o.keys().cloned().collect();
                k.sort();
                k
            })
        };
        if names(e) != names(a) {
            self.push(format!("{path}: fields {:?} vs {:?}", names(e), names(a)));
            return false;
        }
        true
    }

    /// `{key|period, answered, mentions, share}` lists: same keys in the same order.
    fn shares(&mut self, path: &str, key: &str, e: &Value, a: &Value) {
        let (Some(e), Some(a)) = (e.as_array(), a.as_array()) else {
            self.push(format!("{path}: expected {e:?}, got {a:?}"));
            return;
        };
        let ids = |v: &[Value]| -> Vec<Value> { v.iter().map(|x| x[key].clone()).collect() };
        if ids(e) != ids(a) {
            self.push(format!("{path}: keys {:?} vs {:?}", ids(e), ids(a)));
            return;
        }
        for (x, y) in e.iter().zip(a) {
            let p = format!("{path}[{}]", x[key]);
            if self.keys(&p, x, y) {
                for f in [key, "answered", "mentions"] {
                    self.exact(&format!("{p}.{f}"), x.get(f), y.get(f));
                }
                self.number(
                    &format!("{p}.share"),
                    x.get("share"),
                    y.get("share"),
                    VALUE_TOL,
                    0.0,
                );
            }
        }
    }

    fn entry(&mut self, path: &str, e: &Value, a: &Value) {
        if !self.keys(path, e, a) {
            return;
        }
        for f in [
            "id",
            "name",
            "group",
            "dataset",
            "mentions",
            "answered",
            "significant",
        ] {
            self.exact(&format!("{path}.{f}"), e.get(f), a.get(f));
        }
        for f in ["share", "nps_with", "nps_without", "difference", "impact"] {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), VALUE_TOL, 0.0);
        }
        for f in ["ci_low", "ci_high"] {
            self.number(
                &format!("{path}.{f}"),
                e.get(f),
                a.get(f),
                INTERVAL_TOL,
                0.0,
            );
        }
        for f in ["p_value", "q_value"] {
            self.number(&format!("{path}.{f}"), e.get(f), a.get(f), P_TOL, P_TOL);
        }
        let (eg, ag) = (&e["by_group"], &a["by_group"]);
        if eg.is_null() || ag.is_null() {
            self.exact(&format!("{path}.by_group"), Some(eg), Some(ag));
        } else if self.keys(&format!("{path}.by_group"), eg, ag) {
            for g in ["promoters", "passives", "detractors"] {
                let p = format!("{path}.by_group.{g}");
                self.number(&p, eg.get(g), ag.get(g), VALUE_TOL, 0.0);
            }
        }
        self.shares(
            &format!("{path}.periods"),
            "period",
            &e["periods"],
            &a["periods"],
        );
        let (es, as_) = (&e["segments"], &a["segments"]);
        if self.keys(&format!("{path}.segments"), es, as_) {
            for (col, list) in es.as_object().unwrap() {
                self.shares(&format!("{path}.segments.{col}"), "key", list, &as_[col]);
            }
        }
        self.shares(
            &format!("{path}.personas"),
            "key",
            &e["personas"],
            &a["personas"],
        );
    }

    /// `topics` or `topic_groups`: the same entries (id, dataset) in the same order.
    fn entries(&mut self, what: &str, e: &Value, a: Option<&Value>) {
        let Some(a) = a.and_then(Value::as_array) else {
            self.push(format!("{what}: missing"));
            return;
        };
        let e = e.as_array().unwrap();
        let ids = |v: &[Value]| -> Vec<String> {
            v.iter()
                .map(|x| format!("{}@{}", text(&x["id"]), text(&x["dataset"])))
                .collect()
        };
        if ids(e) != ids(a) {
            self.push(format!("{what}: entries {:?} vs {:?}", ids(e), ids(a)));
            return;
        }
        for (x, y) in e.iter().zip(a) {
            let path = format!("{what}[{}@{}]", text(&x["id"]), text(&x["dataset"]));
            self.entry(&path, x, y);
        }
    }
}

/// Every difference between a variant of the reference and a metrics.json.
fn compare(expected: &Value, metrics: &Value) -> Vec<String> {
    let mut diff = Diff(Vec::new());
    diff.entries("topics", &expected["topics"], metrics.get("topics"));
    diff.entries(
        "topic_groups",
        &expected["topic_groups"],
        metrics.get("topic_groups"),
    );
    for (ds, e) in expected["uncoded"].as_object().unwrap() {
        let path = format!("data.{ds}.uncoded");
        let a = &metrics["data"][ds]["uncoded"];
        if diff.keys(&path, e, a) {
            diff.exact(&format!("{path}.count"), e.get("count"), a.get("count"));
            diff.number(
                &format!("{path}.share"),
                e.get("share"),
                a.get("share"),
                VALUE_TOL,
                0.0,
            );
        }
    }
    diff.0
}

fn check_variant(name: &str) {
    let expected = expected();
    let v = variant(&expected, name);
    let metrics = build(v["report"].as_str().unwrap());
    for (ds, rows) in expected["rows"].as_object().unwrap() {
        assert_eq!(
            &metrics["data"][ds]["rows"], rows,
            "the fixture's {ds} CSV changed: rerun tests/reference/topics_reference.py"
        );
    }
    let diffs = compare(v, &metrics);
    assert!(
        diffs.is_empty(),
        "{name}: {} differences from the reference:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn topic_numbers_match_the_independent_reference() {
    check_variant("default");
}

#[test]
fn unadjusted_topic_numbers_match_the_independent_reference() {
    check_variant("unadjusted");
}

/// A window ending before the latest month (`as_of`): later comments are outside it, a city
/// that answers only early is among its keys.
#[test]
fn as_of_window_topic_numbers_match_the_independent_reference() {
    check_variant("as-of");
}

/// `window: all`: every row, the undated ones too.
#[test]
fn all_rows_topic_numbers_match_the_independent_reference() {
    check_variant("all");
}

#[test]
fn every_reference_variant_is_checked() {
    let expected = expected();
    let mut names: Vec<&String> = expected["variants"].as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(names, ["all", "as-of", "default", "unadjusted"]);
}

/// The reference exercises what the comparison is for: published and suppressed shares, NPS
/// tests that do and do not run, BH moving a q-value past 1 − confidence, a dataset without
/// NPS or date, a topic and a group on one dataset only.
#[test]
fn the_reference_exercises_every_rule() {
    let expected = expected();
    let v = variant(&expected, "default");
    let topics = v["topics"].as_array().unwrap();
    let groups = v["topic_groups"].as_array().unwrap();
    let ids: Vec<String> = topics
        .iter()
        .map(|t| {
            format!(
                "{}@{}",
                t["id"].as_str().unwrap(),
                t["dataset"].as_str().unwrap()
            )
        })
        .collect();
    assert!(ids.contains(&"install-quality@survey".into()));
    assert!(!ids.contains(&"install-quality@tickets".into()));
    assert!(!ids.contains(&"app-login@survey".into()));
    let survey: Vec<&Value> = topics.iter().filter(|t| t["dataset"] == "survey").collect();
    let p = |t: &Value| t["p_value"].as_f64();
    let q = |t: &Value| t["q_value"].as_f64();
    assert!(survey.iter().any(|t| t["significant"] == true));
    assert!(survey.iter().any(|t| t["significant"] == false));
    assert!(survey
        .iter()
        .any(|t| p(t).is_none() && !t["share"].is_null()));
    assert!(survey
        .iter()
        .any(|t| p(t).is_some_and(|p| p <= 0.05) && q(t).is_some_and(|q| q > 0.05)));
    let nonzero = |t: &Value, f: &str| t[f].as_f64().is_some_and(|x| x != 0.0);
    assert!(survey
        .iter()
        .any(|t| t["impact"].as_f64().is_some_and(|x| x > 0.0)));
    assert!(survey
        .iter()
        .any(|t| t["impact"].as_f64().is_some_and(|x| x < 0.0)));
    assert!(survey.iter().all(|t| !t["by_group"].is_null()));
    assert!(v["uncoded"]["chat"]["share"].is_null() && v["uncoded"]["chat"]["count"] == 1);
    assert!(survey.iter().any(|t| nonzero(&t["by_group"], "promoters")));
    for t in topics.iter().chain(groups) {
        // Three answered comments: mentions counted, every share suppressed.
        // Its NPS indicator has no answer: by_group is three nulls, not null.
        if t["dataset"] == "chat" {
            assert!(t["answered"] == 3 && t["share"].is_null() && t["ci_high"].is_null());
            let groups = t["by_group"].as_object().unwrap();
            assert!(groups.len() == 3 && groups.values().all(Value::is_null));
        }
        if t["dataset"] == "tickets" {
            assert!(t["by_group"].is_null());
        }
        if t["dataset"] != "survey" {
            assert!(t["nps_with"].is_null() && t["impact"].is_null());
            assert_eq!(t["periods"], Value::Array(vec![]));
            assert_eq!(t["personas"], Value::Array(vec![]));
        }
    }
    // Shares below min_n with comments behind them: a thin month, a rare channel.
    let late = &topics[ids.iter().position(|i| i == "late-install@survey").unwrap()];
    let thin = &late["periods"][0];
    assert!(thin["share"].is_null() && thin["answered"].as_u64() > Some(0));
    let rare = late["segments"]["channel"].as_array().unwrap();
    assert!(rare
        .iter()
        .any(|s| s["share"].is_null() && s["answered"].as_u64() > Some(0)));
    // Weights of 0 count in `answered` and `mentions` but leave no effective n.
    let kiosk = rare.iter().find(|s| s["key"] == "kiosk").unwrap();
    assert!(kiosk["answered"] == 2 && kiosk["mentions"] == 1 && kiosk["share"].is_null());
    // A persona with no row is listed, empty; a topic mentioned only before the window has
    // a share of 0 in it and no NPS of its own.
    let vip = late["personas"].as_array().unwrap().last().unwrap();
    assert!(vip["key"] == "vip" && vip["answered"] == 0 && vip["share"].is_null());
    let cancel = &topics[ids.iter().position(|i| i == "cancellation@survey").unwrap()];
    assert!(cancel["mentions"] == 0 && cancel["share"] == 0.0 && cancel["nps_with"].is_null());
    assert!(cancel["periods"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["mentions"] == 1));
    // 成都 answers only before the window: not among the window's keys.
    let cities: Vec<&Value> = late["segments"]["city"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["key"])
        .collect();
    assert!(cities.len() == 4 && !cities.contains(&&Value::from("成都")));
    // A group counts a comment once: Installation < late-install + install-quality.
    let mentions = |id: &str, list: &[Value]| {
        list.iter()
            .find(|t| t["id"] == id && t["dataset"] == "survey")
            .unwrap()["mentions"]
            .as_u64()
            .unwrap()
    };
    assert!(
        mentions("Installation", groups)
            < mentions("late-install", topics) + mentions("install-quality", topics)
    );
    // Without adjustment q is p.
    let none = variant(&expected, "unadjusted");
    for t in none["topics"].as_array().unwrap() {
        assert_eq!(t["q_value"], t["p_value"]);
    }
}

/// The comparison itself can fail: each kind of departure from the reference is caught once,
/// one within the tolerance is not.
#[test]
fn the_comparison_detects_differences() {
    let expected = expected();
    let v = variant(&expected, "default");
    let mut uncoded = serde_json::Map::new();
    for (ds, u) in v["uncoded"].as_object().unwrap() {
        uncoded.insert(ds.clone(), serde_json::json!({ "rows": 1, "uncoded": u }));
    }
    let metrics = serde_json::json!({
        "topics": v["topics"], "topic_groups": v["topic_groups"], "data": uncoded,
    });
    assert!(compare(v, &metrics).is_empty());
    let changed = |edit: &dyn Fn(&mut Value)| {
        let mut m = metrics.clone();
        edit(&mut m);
        compare(v, &m).len()
    };
    let shift = |path: &'static [&'static str], by: f64| {
        changed(&move |m: &mut Value| {
            let mut x = m;
            for p in path {
                x = match p.parse::<usize>() {
                    Ok(i) => &mut x[i],
                    Err(_) => &mut x[*p],
                };
            }
            *x = Value::from(x.as_f64().unwrap() + by);
        })
    };
    // topics[7] is late-install on the survey: every number published; topics[2] is
    // slow-speed on the tickets (no NPS); topic_groups[1] is Installation on the survey.
    assert_eq!(v["topics"][7]["id"], "late-install");
    assert_eq!(v["topics"][7]["dataset"], "survey");
    assert_eq!(v["topics"][2]["dataset"], "tickets");
    assert_eq!(v["topic_groups"][1]["dataset"], "survey");
    assert_eq!(shift(&["topics", "7", "share"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "share"], 1e-11), 0);
    assert_eq!(shift(&["topics", "7", "ci_low"], 1e-5), 1);
    assert_eq!(shift(&["topics", "7", "ci_low"], 1e-8), 0);
    assert_eq!(shift(&["topics", "7", "nps_with"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "impact"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "p_value"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "q_value"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "by_group", "detractors"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "mentions"], 1.0), 1);
    assert_eq!(shift(&["topics", "7", "periods", "1", "share"], 1e-8), 1);
    assert_eq!(shift(&["topics", "7", "periods", "1", "answered"], 1.0), 1);
    assert_eq!(
        shift(&["topics", "7", "segments", "city", "0", "mentions"], 1.0),
        1
    );
    assert_eq!(shift(&["topics", "7", "personas", "2", "share"], 1e-8), 1);
    assert_eq!(shift(&["topic_groups", "1", "difference"], 1e-8), 1);
    assert_eq!(shift(&["data", "survey", "uncoded", "share"], 1e-8), 1);
    assert_eq!(shift(&["data", "tickets", "uncoded", "count"], 1.0), 1);
    // A value where the reference has null (and the reverse), a flag, a missing field, an
    // extra one, a missing period, two entries swapped.
    assert_eq!(
        changed(&|m| m["topics"][2]["nps_with"] = Value::from(0.0)),
        1
    );
    assert_eq!(changed(&|m| m["topics"][7]["difference"] = Value::Null), 1);
    assert_eq!(
        changed(&|m| m["topics"][7]["significant"] = Value::from(false)),
        1
    );
    assert_eq!(
        changed(&|m| m["topics"][2]["by_group"] = serde_json::json!({})),
        1
    );
    assert_eq!(
        changed(&|m| {
            m["topics"][7].as_object_mut().unwrap().remove("impact");
        }),
        1
    );
    assert_eq!(
        changed(&|m| {
            m["topics"][7]["periods"][0]
                .as_object_mut()
                .unwrap()
                .insert("change".into(), Value::from(1.0));
        }),
        1
    );
    assert_eq!(
        changed(&|m| {
            m["topics"][7]["periods"].as_array_mut().unwrap().remove(0);
        }),
        1
    );
    assert_eq!(
        changed(&|m| m["topics"].as_array_mut().unwrap().swap(0, 1)),
        1
    );
    assert_eq!(changed(&|m| m["topic_groups"] = Value::Array(vec![])), 1);
}
