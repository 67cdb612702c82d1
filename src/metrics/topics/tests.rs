//! The topic numbers on a dataset small enough to work by hand.

use crate::metrics::computed::TopicResult;
use crate::metrics::testkit::{col, Kit};
use crate::project::model::Metric;

/// Six rows, weights 1 2 1 1 1 1 and 1:
///
/// | nps | w | comment          | topics           |
/// |-----|---|------------------|------------------|
/// | 10  | 1 | slow wifi        | slow             |
/// | 9   | 2 | great            | praise           |
/// | 3   | 1 | Slow and LATE    | slow, late       |
/// | 5   | 1 | late again       | late             |
/// | 8   | 1 | (blank)          | —                |
/// | 7   | 1 | ok, not late     | — (late excluded)|
/// | 10  | 1 | chocolate lately | — (no whole word)|
fn run() -> crate::metrics::computed::Computed {
    let csv = "nps,w,region,comment\n\
               10,1,north,slow wifi\n\
               9,2,south,great\n\
               3,1,north,Slow and LATE\n\
               5,1,south,late again\n\
               8,1,north,\n\
               7,1,south,\"ok, not late\"\n\
               10,1,north,chocolate lately\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().comments = Some(col("comment", 4));
    kit.dataset().weight = Some(col("w", 5));
    kit.dataset().segments = vec![col("region", 6)];
    kit.indicator("nps", Metric::Nps, Some("nps"), 10);
    kit.topic("slow", Some("Network"), &["slow"], &[]);
    kit.topic("late", Some("Install"), &["late"], &["not late"]);
    kit.topic("praise", None, &["great"], &[]);
    kit.persona("northern", "region", &["north"]);
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    c
}

fn topic<'a>(c: &'a crate::metrics::computed::Computed, id: &str) -> &'a TopicResult {
    c.topics.iter().find(|t| t.id == id).expect("topic")
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

#[test]
fn shares_and_by_group_by_hand() {
    let c = run();
    // Answered comments: rows 1–4, 6, 7: Σw = 1+2+1+1+1+1 = 7.
    let slow = topic(&c, "slow");
    assert_eq!((slow.mentions, slow.answered), (2, 6));
    close(slow.share, 2.0 / 7.0 * 100.0);
    // Its design-based se: y = 1 on rows 1 and 3 among the answered rows 1–4,
    // 6, 7 (w 1 2 1 1 1 1), ȳ = 2/7: Σw²(y − ȳ)² = 2·(5/7)² + 4·(2/7)² +
    // 3·(2/7)² = 78/49, over (Σw)² = 49, × n/(n − 1) = 7/6 (n = 7 rows).
    close(slow.se, (7.0_f64 / 6.0 * 78.0 / 49.0 / 49.0).sqrt() * 100.0);
    // Promoters' comments: rows 1, 2, 7 (Σw 4), slow in row 1 → 25 %;
    // detractors': rows 3, 4 (Σw 2), slow in row 3 → 50 %; passives': row 6 → 0 %.
    let g = slow.by_group.as_ref().expect("by group");
    close(g.promoters, 25.0);
    close(g.detractors, 50.0);
    close(g.passives, 0.0);
    // The exclusion and the whole-word rule: rows 6 and 7 carry no topic.
    let late = topic(&c, "late");
    assert_eq!(late.mentions, 2);
    let uncoded = (c.data.values().next())
        .and_then(|d| d.uncoded.as_ref())
        .expect("uncoded");
    assert_eq!(uncoded.count, 2);
    close(uncoded.share, 2.0 / 7.0 * 100.0);
}

#[test]
fn nps_with_without_difference_and_impact_by_hand() {
    let c = run();
    let slow = topic(&c, "slow");
    // With: row 1 (promoter, w 1), row 3 (detractor, w 1) → (1 − 1)/2 = 0.
    close(slow.nps_with, 0.0);
    // Without: rows 2 (P, 2), 4 (D, 1), 6 (passive, 1), 7 (P, 1) → (3 − 1)/5 = 40.
    close(slow.nps_without, 40.0);
    close(slow.difference, -40.0);
    // All commenting rows: P 1+2+1 = 4, D 2, Σw 7 → 200/7; impact = 200/7 − 40.
    close(slow.impact, 200.0 / 7.0 - 40.0);
    // The test, on a weighted dataset: design-based variances (SPEC §11),
    // Var = n/(n − 1) · Σw²(y − ȳ)²/(Σw)² × 10⁴ with y = +1/0/−1 and n = 7
    // rows. With: rows 1 (+1, w 1), 3 (−1, w 1), ȳ = 0 → 2/4.
    let design = |ss: f64, sw: f64| -> f64 { 7.0 / 6.0 * ss / (sw * sw) * 1e4 };
    let v_with = design(2.0, 2.0);
    // Without: rows 2 (+1, w 2), 4 (−1), 6 (0), 7 (+1), ȳ = 2/5:
    // 4·0.6² + 1.4² + 0.4² + 0.6² = 3.92 over (Σw)² = 25.
    let v_without = design(3.92, 5.0);
    close(slow.difference_se, (v_with + v_without).sqrt());
    let z: f64 = 40.0 / (v_with + v_without).sqrt();
    let normal = statrs::distribution::Normal::new(0.0, 1.0).expect("normal");
    let p = 2.0 * statrs::distribution::ContinuousCDF::sf(&normal, z);
    close(slow.p_value, p);
    // Late: with rows 3, 4 (both detractors) → −100.
    close(topic(&c, "late").nps_with, -100.0);
}

#[test]
fn groups_segments_personas_and_bh() {
    let c = run();
    // Groups: Install (late), Network (slow), sorted by name; praise has none.
    let names: Vec<&str> = c.topic_groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(names, ["Install", "Network"]);
    assert_eq!(c.topic_groups[1].mentions, 2);
    // Segments: north answered rows 1, 3, 7 (Σw 3), slow in 1 and 3.
    let slow = topic(&c, "slow");
    let north = &slow.segments["region"][0];
    assert_eq!(
        (north.key.as_str(), north.answered, north.mentions),
        ("north", 3, 2)
    );
    close(north.share, 200.0 / 3.0);
    assert_eq!(slow.personas[0].key, "northern");
    assert_eq!(slow.personas[0].mentions, 2);
    // BH within the three topics: q = min over j ≥ i of m·p₍ⱼ₎/j.
    let mut p: Vec<f64> = c.topics.iter().filter_map(|t| t.p_value).collect();
    assert_eq!(p.len(), 3);
    p.sort_by(f64::total_cmp);
    let q_smallest = (0..3)
        .map(|j| 3.0 * p[j] / (j + 1) as f64)
        .fold(f64::INFINITY, f64::min)
        .min(1.0);
    let got = (c.topics.iter().filter_map(|t| t.q_value)).fold(f64::INFINITY, f64::min);
    assert!((got - q_smallest).abs() < 1e-12, "{got} vs {q_smallest}");
}

#[test]
fn each_page_has_its_own_topic_counts_and_top_topics() {
    let c = run();
    let nps = &c.verbatims.indicators["nps"];
    // Detractors' comments (rows 3, 4) all carry late; half carry slow.
    let top: Vec<(&str, f64)> = (nps.top_topics[2].iter())
        .map(|t| (t.id.as_str(), t.share))
        .collect();
    assert_eq!(top, [("late", 100.0), ("slow", 50.0)]);
}
