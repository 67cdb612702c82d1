//! Independent verification of the action evaluations (SPEC §10): cxscore's `metrics.json`
//! for `tests/fixtures/actions` against `tests/reference/actions.json`, which
//! `tests/reference/actions_reference.py` computed with the Python standard library and no
//! cxscore code (pooled before/after estimates with the design-based variance, change, z test,
//! difference-in-differences with the variance of its four parts, Benjamini–Hochberg over
//! every evaluation). No Python is needed here.
//!
//! The fixture: 501 weighted survey rows over 2025-01..10 (a few with a blank region, blank
//! answers), NPS, CSAT, a mean where lower is better and a composite; four actions: one done
//! with a control region and an expectation, one in progress and overdue whose `start` is a
//! date and whose `periods` is 2, one planned after `as_of`, one dropped whose "after" is cut
//! at `as_of` and that links a composite. Also: the coverage warnings of the fixture (by hand)
//! in metrics.json and from `check` in every format, and `--fail-on coverage`.

use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

const TOL: f64 = 1e-9;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn expected() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/reference/actions.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Compares `a` with `e`: every field of `e` present in `a`; numbers within 1e-9 (absolute,
/// or relative when looser), everything else exactly. With `all_fields`, objects must have
/// the same fields (an evaluation may not carry a field the reference does not know).
fn compare(path: &str, e: &Value, a: &Value, all_fields: bool, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > TOL.max(TOL * x.abs()) {
                out.push(format!("{path}: expected {x:?}, got {y:?}"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            if all_fields {
                let (mut kx, mut ky): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
                kx.sort();
                ky.sort();
                if kx != ky {
                    out.push(format!("{path}: fields {kx:?} vs {ky:?}"));
                }
            }
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => compare(&format!("{path}.{k}"), v, w, all_fields, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} items vs {}", x.len(), y.len()));
                return;
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                compare(&format!("{path}[{i}]"), v, w, all_fields, out);
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(format!("{path}: expected {x}, got {y}")),
    }
}

#[test]
fn action_evaluations_match_the_reference() {
    let fx = Fixture::copy("actions");
    let out = fx.build();
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    let m = fx.metrics();
    let e = expected();
    assert_eq!(m["data"]["survey"]["rows"], e["rows"]);
    let (ea, aa) = (
        e["actions"].as_array().unwrap(),
        m["actions"].as_array().unwrap(),
    );
    assert_eq!(ea.len(), aa.len());
    let mut diffs = Vec::new();
    for (x, y) in ea.iter().zip(aa) {
        let path = format!("actions[{}]", x["id"]);
        for k in ["id", "status", "start", "due", "overdue"] {
            compare(&format!("{path}.{k}"), &x[k], &y[k], false, &mut diffs);
        }
        compare(
            &format!("{path}.evaluations"),
            &x["evaluations"],
            &y["evaluations"],
            true,
            &mut diffs,
        );
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // The reference's numbers are not degenerate: a control, a test that
    // passes BH and one that does not, a met and an unmet expectation.
    let evals: Vec<&Value> = aa
        .iter()
        .flat_map(|a| a["evaluations"].as_array().unwrap())
        .collect();
    assert_eq!(evals.len(), 5);
    assert!(evals.iter().any(|e| e["significant"] == true));
    assert!(evals.iter().any(|e| e["significant"] == false));
    assert!(evals.iter().any(|e| e["met"] == true));
    assert!(evals.iter().any(|e| e["met"] == false));
    assert!(evals.iter().any(|e| e["control"].is_object()));
    // What the reader is told beside the numbers.
    assert_eq!(aa[0]["control"]["column"], "region");
    assert_eq!(aa[0]["control"]["equals"], "North");
    assert_eq!(aa[0]["touchpoint"], "engineer-visit");
    assert_eq!(aa[0]["journey"], "home");
    assert_eq!(aa[0]["owner"], "Field operations");
}

/// The fixture's gaps, by hand: stage `support` has no indicator on its only touchpoint,
/// which is also a moment of truth without one; `csat` is red (target 95) and its actions
/// are done or dropped. `wait` is answered by an in-progress action, `nps` is not red.
const GAPS: [(&str, &str); 3] = [
    ("stage", "home/support"),
    ("moment_of_truth", "home/callback"),
    ("red_without_action", "csat"),
];

#[test]
fn coverage_gaps_are_in_metrics_json_and_warned_by_check_in_every_format() {
    let fx = Fixture::copy("actions");
    let out = fx.build();
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    let m = fx.metrics();
    let got: Vec<(&str, &str)> = (m["coverage"].as_array().unwrap().iter())
        .map(|c| (c["kind"].as_str().unwrap(), c["id"].as_str().unwrap()))
        .collect();
    assert_eq!(got, GAPS);
    let build_err = stderr(&out);
    assert!(
        build_err.contains("warning: stage `support` of journey `home` has no indicator"),
        "{build_err}"
    );

    let text = fx.run(&["check", "project"]);
    assert!(text.status.success(), "{}", stderr(&text));
    let err = stderr(&text);
    assert!(
        err.contains("journeys/home.yaml:1:5: warning: moment of truth `callback`"),
        "{err}"
    );
    assert!(
        err.contains("indicators/core.yaml:9:7: warning: indicator `csat` is red"),
        "{err}"
    );

    let json = fx.run(&["check", "project", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let messages: Vec<String> = (report["findings"].as_array().unwrap().iter())
        .map(|f| f.to_string())
        .collect();
    for (_, id) in GAPS {
        let name = id.rsplit('/').next().unwrap();
        assert!(
            messages.iter().any(|m| m.contains(&format!("`{name}`"))),
            "{messages:?}"
        );
    }

    let github = stdout(&fx.run(&["check", "project", "--format", "github"]));
    assert_eq!(github.matches("::warning").count(), 3, "{github}");
    assert!(github.contains("journeys/home.yaml,line=1"), "{github}");

    // The gate: coverage warnings trip `--fail-on coverage` (exit 3), not `--fail-on red`'s
    // own rule (csat is red, so that trips too, for its own reason).
    let gate = fx.run(&["check", "project", "--fail-on", "coverage"]);
    assert_eq!(gate.status.code(), Some(3), "{}", stderr(&gate));
    assert!(stderr(&gate).contains("gate: coverage gap `home/support`"));
    // Close every gap: the gate passes.
    fx.edit(
        "journeys/home.yaml",
        "        owner: Contact centre\n",
        "        owner: Contact centre\n        indicators: [wait]\n",
    );
    fx.edit("actions/ops.yaml", "  status: dropped", "  status: planned");
    let closed = fx.run(&["check", "project", "--fail-on", "coverage"]);
    assert_eq!(closed.status.code(), Some(0), "{}", stderr(&closed));
}

#[test]
fn without_bh_q_is_p_and_an_earlier_as_of_cuts_the_after_periods() {
    let fx = Fixture::copy("actions");
    fx.edit(
        "cxscore.yaml",
        "report: { window: latest, as_of: 2025-10 }",
        "report: { window: latest, as_of: 2025-07, multiple_testing: none }",
    );
    let out = fx.build();
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    let m = fx.metrics();
    let actions = m["actions"].as_array().unwrap();
    for e in actions
        .iter()
        .flat_map(|a| a["evaluations"].as_array().unwrap())
    {
        assert_eq!(e["q_value"], e["p_value"], "{e}");
    }
    // as_of 2025-07: install-sms (from 2025-06) has two "after" months; the callback action
    // (from 2025-07) one; the chat bot (2025-09) is not evaluated yet; nothing is overdue
    // (the callback is due 2025-08, after as_of).
    let span = |a: usize| actions[a]["evaluations"][0]["after_periods"].clone();
    assert_eq!(
        span(0),
        serde_json::json!({ "from": "2025-06", "to": "2025-07" })
    );
    assert_eq!(
        span(1),
        serde_json::json!({ "from": "2025-07", "to": "2025-07" })
    );
    assert_eq!(actions[3]["evaluations"], serde_json::json!([]));
    assert!(actions.iter().all(|a| a["overdue"] == false));
}
