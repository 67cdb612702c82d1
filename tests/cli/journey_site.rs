//! The journey page against targets (issue 20), on the example: each stage's
//! counts and score recomputed here from the journey YAML and the statuses
//! metrics.json publishes for its indicators, then found on the page.

use std::collections::BTreeMap;
use std::fs;

use crate::harness::{stderr, Fixture};
use serde_json::Value;

/// Per stage of the example's journey: its id and indicator ids (each once).
fn stages(f: &Fixture) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let text = fs::read_to_string(f.root.join("journeys/broadband.yaml")).unwrap();
    let yaml: Value = serde_saphyr::from_str(&text).unwrap();
    let personas = (yaml["personas"].as_array().unwrap().iter())
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let stages = (yaml["stages"].as_array().unwrap().iter())
        .map(|s| {
            let mut ids: Vec<String> = Vec::new();
            for tp in s["touchpoints"].as_array().unwrap() {
                for i in tp["indicators"].as_array().into_iter().flatten() {
                    let i = i.as_str().unwrap().to_string();
                    if !ids.contains(&i) {
                        ids.push(i);
                    }
                }
            }
            (s["id"].as_str().unwrap().to_string(), ids)
        })
        .collect();
    (personas, stages)
}

/// (on target, watch, off target, unrated, score) of a list of statuses.
fn tally(statuses: &[&str]) -> (u64, u64, u64, u64, Option<f64>) {
    let count = |w: &str| statuses.iter().filter(|s| **s == w).count() as u64;
    let (on, watch, off) = (count("green"), count("amber"), count("red"));
    let rated = on + watch + off;
    let score = (rated > 0).then(|| (on as f64 + watch as f64 / 2.0) / rated as f64 * 100.0);
    (on, watch, off, statuses.len() as u64 - rated, score)
}

/// Asserts a published tally equals the recomputed one (scores to 1e-9).
fn same(
    got: (u64, u64, u64, u64, Option<f64>),
    want: (u64, u64, u64, u64, Option<f64>),
    what: &str,
) {
    assert_eq!(
        (got.0, got.1, got.2, got.3),
        (want.0, want.1, want.2, want.3),
        "{what}"
    );
    match (got.4, want.4) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

fn published(v: &Value) -> (u64, u64, u64, u64, Option<f64>) {
    let n = |k: &str| v[k].as_u64().unwrap();
    let (on, watch, off, unrated) = (n("on_target"), n("watch"), n("off_target"), n("unrated"));
    (on, watch, off, unrated, v["score"].as_f64())
}

#[test]
fn stage_scores_follow_the_statuses_of_their_indicators() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = f.metrics();
    let (personas, stages) = stages(&f);
    let indicators: BTreeMap<&str, &Value> = (m["indicators"].as_array().unwrap().iter())
        .map(|i| (i["id"].as_str().unwrap(), i))
        .collect();
    let journey = &m["journeys"][0];
    assert_eq!(journey["id"], "broadband-new-line");
    let html = fs::read_to_string(f.site().join("journeys/broadband-new-line.html")).unwrap();
    let mut scores = Vec::new();
    for (k, (id, ids)) in stages.iter().enumerate() {
        let got = &journey["stages"][k];
        assert_eq!(got["id"], id.as_str());
        let statuses: Vec<&str> = (ids.iter())
            .map(|i| indicators[i.as_str()]["status"].as_str().unwrap())
            .collect();
        let want = tally(&statuses);
        same(published(got), want, &format!("stage {id}: {statuses:?}"));
        scores.push((id.clone(), want.2, want.4));
        // The stage's row on the map: score and counts in words.
        let words = format!(
            "{} on target, {} watch, {} off target",
            want.0, want.1, want.2
        );
        assert!(html.contains(&words), "stage {id}: {words}");
        // Each persona of the journey, in its written order.
        for (p, persona) in personas.iter().enumerate() {
            let cell = &got["personas"][p];
            assert_eq!(cell["persona"], persona.as_str());
            let statuses: Vec<&str> = (ids.iter())
                .map(|i| {
                    let groups = indicators[i.as_str()]["personas"].as_array().unwrap();
                    (groups.iter().find(|g| g["key"] == persona.as_str()))
                        .map_or("absent", |g| g["status"].as_str().unwrap())
                })
                .collect();
            same(
                published(cell),
                tally(&statuses),
                &format!("{id} × {persona}"),
            );
        }
    }
    // A stage with three indicators off target cannot rank first.
    let best = (scores.iter().filter_map(|s| s.2)).fold(f64::MIN, f64::max);
    for (id, off, score) in &scores {
        if *off >= 3 {
            assert!(
                score.unwrap() < best,
                "{id} ranks first with {off} off target"
            );
        }
    }
    // The grid names every persona; the chart says what the score is.
    assert!(html.contains("Each persona, stage by stage"));
    assert!(html.contains("<summary>Home mover</summary>"));
    assert!(html.contains("stage score against targets"));
    assert!(!html.contains("green is good"));
}

#[test]
fn chips_carry_the_indicators_units() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = f.metrics();
    let price = (m["indicators"].as_array().unwrap().iter())
        .find(|i| i["id"] == "price-clarity")
        .unwrap();
    // A share in % with one decimal, the "%" against the number.
    let text = format!("Price clarity: {:.1}%", price["value"].as_f64().unwrap());
    let html = fs::read_to_string(f.site().join("journeys/broadband-new-line.html")).unwrap();
    assert!(html.contains(&text), "{text}");
}

#[test]
fn persona_sizes_add_up_and_follow_the_raking_targets() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = f.metrics();
    let sizes = m["persona_sizes"].as_array().unwrap();
    assert_eq!(sizes.len(), 4, "four personas on the survey");
    // The personas split the survey: their shares add up to 100 %.
    let total: f64 = sizes.iter().map(|s| s["share"].as_f64().unwrap()).sum();
    assert!((total - 100.0).abs() < 1e-9, "{total}");
    // The example rakes persona to new 0.40, mover 0.30, porter 0.15,
    // enterprise 0.15, and value_at_stake.customers is 16 000.
    let size = |id: &str| sizes.iter().find(|s| s["persona"] == id).unwrap();
    for (id, base) in [
        ("new-subscriber", 40.0),
        ("home-mover", 30.0),
        ("number-porter", 15.0),
        ("enterprise-customer", 15.0),
    ] {
        let s = size(id);
        assert_eq!(s["dataset"], "survey");
        assert!(
            (s["base_share"].as_f64().unwrap() - base).abs() < 1e-9,
            "{id}"
        );
        let customers = s["customers"].as_f64().unwrap();
        assert!((customers - 16_000.0 * base / 100.0).abs() < 1e-6, "{id}");
    }
    // The persona page writes the share with one decimal.
    let mover = size("home-mover")["share"].as_f64().unwrap();
    let html = fs::read_to_string(f.site().join("personas/home-mover.html")).unwrap();
    let text = format!("{mover:.1}% of the survey respondents, Dec 2025 (weighted)");
    assert!(html.contains(&text), "{text}");
    assert!(html.contains("30.0% of the customer base") && html.contains("about 4,800 customers"));
    let index = fs::read_to_string(f.site().join("personas/index.html")).unwrap();
    assert!(index.contains(&text));
}
