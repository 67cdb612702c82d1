//! Whole-pipeline numbers on `tests/fixtures/tiny`, checked against values
//! computed by hand from its 10 rows (the arithmetic is in each comment).

use serde_json::Value;

use crate::harness::{stderr, Fixture};

fn close(actual: &Value, expected: f64, tolerance: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() <= tolerance, "{a} != {expected}");
}

fn indicator<'a>(metrics: &'a Value, id: &str) -> &'a Value {
    metrics["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

fn built_tiny() -> Value {
    let f = Fixture::copy("tiny");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    f.metrics()
}

#[test]
fn nps_value_interval_breakdown_periods_segments_and_personas() {
    let m = built_tiny();
    let nps = indicator(&m, "nps");
    // Answers (one blank, excluded): 10 9 9 8 7 6 3 10 9 → n = 9,
    // promoters 5 (10,9,9,10,9), passives 2 (8,7), detractors 2 (6,3).
    // NPS = (5 − 2)/9·100 = 33.333…
    close(&nps["value"], 100.0 / 3.0, 1e-9);
    assert_eq!(nps["n"], 9);
    close(&nps["effective_n"], 9.0, 1e-12);
    assert_eq!(nps["breakdown"]["promoters"], 5);
    assert_eq!(nps["breakdown"]["passives"], 2);
    assert_eq!(nps["breakdown"]["detractors"], 2);
    // tiny has a weight column (all 1), so it is a survey design (SPEC §11): the
    // design-based variance n/(n − 1)·Σ(y − ȳ)²/m² over the dataset's n = 10 rows, m = 9
    // answered, y = +1/0/−1, ȳ = 1/3: Σ(y − ȳ)² = 7 − 9/9 = 6 → Var = 10/9 · 6/81 =
    // 0.0823045 (Part I's (p + d − (p − d)²)/m = 0.0740741, × 10/9); z(0.975) = 1.959964;
    // half-width = 1.959964·√0.0823045·100 = 56.22895 → [−22.89561, 89.56228].
    close(&nps["ci_low"], -22.895_613_861, 1e-6);
    close(&nps["ci_high"], 89.562_280_528, 1e-6);
    close(&nps["se"], 0.0823045267489712_f64.sqrt() * 100.0, 1e-9);
    // Target 30, amber 10, higher is better: 33.3 ≥ 30 → green.
    assert_eq!(nps["status"], "green");

    // January: 10 9 9 8 7 → P 3, D 0, n 5 → 60. February: 6 3 10 9 (blank) → P 2, D 2 → 0.
    let periods = nps["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0]["period"], "2026-01");
    close(&periods[0]["value"], 60.0, 1e-9);
    assert_eq!(periods[1]["period"], "2026-02");
    close(&periods[1]["value"], 0.0, 1e-9);
    // Change −60; Var₁ = (0.6 − 0.36)/5·100² = 480, Var₂ = (1 − 0)/4·100² = 2500;
    // |−60|/√2980 = 1.099 < 1.96 → not significant.
    close(&periods[1]["change"], -60.0, 1e-9);
    assert_eq!(periods[1]["significant"], false);

    // Channel web: rows 1,2,5,7,9 → 10 9 7 3 9 → (3 − 1)/5 = 40.
    // Channel app: rows 3,4,6,8 (10th blank) → 9 8 6 10 → (2 − 1)/4 = 25.
    let channel = nps["segments"]["channel"].as_array().unwrap();
    assert_eq!(channel[0]["key"], "app");
    close(&channel[0]["value"], 25.0, 1e-9);
    assert_eq!(channel[1]["key"], "web");
    close(&channel[1]["value"], 40.0, 1e-9);
    // Persona newcomer (persona = new): rows 1,2,5,7,8 → 10 9 7 3 10 → (3 − 1)/5 = 40.
    let personas = nps["personas"].as_array().unwrap();
    assert_eq!(personas[0]["key"], "newcomer");
    close(&personas[0]["value"], 40.0, 1e-9);
}

#[test]
fn csat_share_percentile_mean_count_and_composite() {
    let m = built_tiny();
    // CSAT answers (row 4 blank): 5 4 3 2 1 5 4 4 3 → top box (4–5): 5 of 9 = 55.556 %.
    // Weighted (all 1) → design-based (SPEC §11): Var = 10/9 · p(1 − p)/9 = 200/6561, so
    // Wilson on n* = p(1 − p)/Var = 8.1: z = 1.959964, centre (p + z²/2n*)/(1 + z²/n*),
    // half z·√(p(1−p)/n* + z²/4n*²)/(1 + z²/n*) → [25.52847, 82.00829] %.
    let csat = indicator(&m, "csat");
    close(&csat["value"], 500.0 / 9.0, 1e-9);
    close(&csat["ci_low"], 25.528_473_397, 1e-6);
    close(&csat["ci_high"], 82.008_294_208, 1e-6);
    close(&csat["se"], (200.0_f64 / 6561.0).sqrt() * 100.0, 1e-9);
    // Target 60, amber 50: 50 ≤ 55.6 < 60 → amber.
    assert_eq!(csat["status"], "amber");

    // ok = yes among 9 answered (row 10 blank): rows 1,2,4,6,8,9 → 6/9 = 66.667 %.
    close(&indicator(&m, "ok-share")["value"], 200.0 / 3.0, 1e-9);

    // Minutes sorted: 12 15 20 25 30 35 40 45 60 90; PERCENTILE.INC(0.9):
    // rank 0.9·9 = 8.1 → 60 + 0.1·(90 − 60) = 63. Lower is better, target 60, amber 70 → amber.
    let p90 = indicator(&m, "p90-minutes");
    close(&p90["value"], 63.0, 1e-9);
    assert!(p90["ci_low"].is_null());
    assert_eq!(p90["status"], "amber");

    // Mean minutes: 372/10 = 37.2; no target → status none.
    let mean = indicator(&m, "mean-minutes");
    close(&mean["value"], 37.2, 1e-9);
    assert_eq!(mean["status"], "none");

    // Count: 10 rows.
    close(&indicator(&m, "rows")["value"], 10.0, 1e-12);

    // Composite of NPS and CSAT, weights 1:1: NPS → (33.333 + 100)/2 = 66.667,
    // CSAT 55.556 as is → (66.667 + 55.556)/2 = 61.111; target 70, no amber → red.
    let cx = indicator(&m, "cx-index");
    close(&cx["value"], (200.0 / 3.0 + 500.0 / 9.0) / 2.0, 1e-9);
    assert_eq!(cx["status"], "red");
}

#[test]
fn min_n_suppresses_values_and_status() {
    let f = Fixture::copy("tiny");
    f.edit("cxscore.yaml", "min_n: 3", "min_n: 5");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    let nps = indicator(&m, "nps");
    // February has n = 4 < 5: suppressed, value and interval null. January has n = 5: shown.
    let feb = &nps["periods"][1];
    assert_eq!(feb["status"], "suppressed");
    assert!(feb["value"].is_null() && feb["ci_low"].is_null() && feb["ci_high"].is_null());
    assert_eq!(feb["n"], 4);
    assert_eq!(nps["periods"][0]["status"], "green");
    // Channel app has n = 4: suppressed; web has 5: shown.
    assert_eq!(nps["segments"]["channel"][0]["status"], "suppressed");
    assert_eq!(nps["segments"]["channel"][1]["status"], "green");
}

#[test]
fn metrics_json_has_the_shape_of_the_spec() {
    let m = built_tiny();
    for key in ["generator", "project", "indicators", "drivers", "data"] {
        assert!(m.get(key).is_some(), "missing {key}");
    }
    assert_eq!(m["generator"]["name"], "cxscore");
    assert_eq!(m["project"]["language"], "en");
    assert_eq!(m["project"]["period"], "month");
    assert_eq!(m["data"]["survey"]["files"], 1);
    assert_eq!(m["data"]["survey"]["rows"], 10);
    assert_eq!(m["data"]["survey"]["rejected"], 0);
    let nps = indicator(&m, "nps");
    for key in [
        "id",
        "name",
        "kind",
        "metric",
        "value",
        "n",
        "effective_n",
        "ci_low",
        "ci_high",
        "target",
        "status",
        "breakdown",
        "periods",
        "segments",
        "personas",
    ] {
        assert!(nps.get(key).is_some(), "indicator lacks {key}");
    }
}
