//! The Chinese example project (`example-project-zh/`, issue 20 point 8): its
//! committed GBK survey is what the seeded generator writes, it builds, its
//! journey page shows the seven stages, its comments reach the site decoded,
//! and its numbers match a computation made here from the raw bytes.
//!
//! The independent computation decodes the GBK file with encoding_rs and
//! splits it by hand (no cxscore code, no csv crate), keeps the report window
//! (the last three months, `report.window: { rolling: 3 }`) and computes the
//! weighted NPS and a weighted share from the definitions (SPEC: promoters
//! 9–10, detractors 0–6; a share over the answered rows).

#[path = "../../examples/gen/zh.rs"]
mod zh;

use std::collections::HashMap;
use std::fs;

use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

const TOL: f64 = 1e-9;

/// One survey row: column name → cell text.
type Row = HashMap<String, String>;

/// The seven stages of the seed's journey, in order.
const STAGES: [&str; 7] = ["发现", "探索", "比较", "购买", "使用", "保留", "推荐"];

#[test]
fn committed_gbk_survey_is_what_the_generator_writes() {
    let committed = fs::read(repo().join("example-project-zh/data/survey.csv")).unwrap();
    let fresh = zh::survey_gbk(zh::ZH_SEED, zh::ZH_ROWS);
    assert!(
        committed == fresh,
        "example-project-zh/data/survey.csv differs from the generator's output: \
         run `cargo run --release --example gen -- --zh` and commit the file"
    );
    // It really is GBK: not valid UTF-8, and decoding it as GBK loses nothing.
    assert!(std::str::from_utf8(&committed).is_err());
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&committed);
    assert!(!had_errors);
    assert!(text.starts_with("response_id,submitted_at,客户类型,办理渠道,区域,"));
    assert!(text.contains("携转"));
}

/// The survey's rows as (header → cell) maps, decoded from GBK by hand.
fn rows() -> Vec<Row> {
    let bytes = fs::read(repo().join("example-project-zh/data/survey.csv")).unwrap();
    let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<String> = split_line(lines.next().unwrap());
    lines
        .map(|l| {
            let cells = split_line(l);
            assert_eq!(cells.len(), header.len(), "{l}");
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

/// One RFC 4180 line (the generator writes no line breaks inside cells).
fn split_line(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn indicator<'a>(metrics: &'a Value, id: &str) -> &'a Value {
    (metrics["indicators"].as_array().unwrap().iter())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

#[test]
fn the_chinese_example_builds_with_seven_stages_decoded_comments_and_checked_numbers() {
    // "./": a folder of the repository, not of tests/fixtures.
    let f = Fixture::copy("./example-project-zh");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let site = f.site();

    // The journey page: the seven stages, in order.
    let journey = fs::read_to_string(site.join("journeys/broadband-new-line.html")).unwrap();
    assert!(journey.contains("lang=\"zh-CN\""));
    let at: Vec<usize> = (STAGES.iter())
        .map(|s| (journey.find(&format!(">{s}<"))).unwrap_or_else(|| panic!("no stage {s}")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "stages out of order: {at:?}"
    );

    // A comment read from the GBK file is on the site as UTF-8 text, and the
    // phone numbers (pii) are nowhere.
    let data = rows();
    let comments: Vec<&str> = (data.iter())
        .map(|r| r["comment"].trim_end_matches('。'))
        .filter(|c| !c.is_empty())
        .collect();
    let mut pages = String::new();
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|x| x == "html") {
            pages.push_str(&fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(
        comments.iter().any(|c| pages.contains(c)),
        "no survey comment appears decoded on any page"
    );
    let phone = (data.iter().map(|r| r["phone"].as_str()))
        .find(|p| !p.is_empty())
        .unwrap();
    assert!(
        !pages.contains(phone),
        "a phone number (pii) reached the site"
    );

    // metrics.json: every indicator of the two files, each with a value.
    let metrics = f.metrics();
    let mut ids: Vec<&str> = (metrics["indicators"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![
        "ad-clarity",
        "package-clarity",
        "price-transparency",
        "purchase-ease",
        "install-csat",
        "speed-satisfaction",
        "service-ease",
        "nps-overall",
        "cx-index",
        "coverage-accuracy",
        "query-success",
        "quote-consistency",
        "one-stop-order",
        "install-on-time",
        "first-contact-resolution",
    ];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    for id in &ids {
        assert!(
            indicator(&metrics, id)["value"].is_number(),
            "{id} has no value"
        );
    }

    // The window: October to December 2025.
    let window: Vec<_> = (data.iter())
        .filter(|r| r["submitted_at"].as_str() >= "2025-10-01")
        .collect();
    assert_eq!(window.len(), 1500);
    let weight = |r: &&Row| -> f64 { r["weight"].parse().unwrap() };

    // NPS by hand: weighted promoters minus weighted detractors, over the window.
    let nps = |keep: &dyn Fn(&&Row) -> bool| {
        let (mut total, mut net) = (0.0, 0.0);
        for r in window.iter().filter(|r| keep(r)) {
            let score: u32 = r["q_recommend"].parse().unwrap();
            let w = weight(r);
            total += w;
            net += w * (f64::from(u8::from(score >= 9)) - f64::from(u8::from(score <= 6)));
        }
        100.0 * net / total
    };
    let ours = nps(&|_| true);
    let theirs = indicator(&metrics, "nps-overall")["value"]
        .as_f64()
        .unwrap();
    assert!(
        (ours - theirs).abs() < TOL,
        "NPS: by hand {ours}, metrics.json {theirs}"
    );

    // The struggling persona: number porters' NPS, by hand, far below the rest.
    let porters = nps(&|r| r["客户类型"] == "携转");
    let persona = (indicator(&metrics, "nps-overall")["personas"]
        .as_array()
        .unwrap()
        .iter())
    .find(|p| p["key"] == "porting-customer")
    .expect("porters' NPS in metrics.json");
    let theirs = persona["value"].as_f64().unwrap();
    assert!(
        (porters - theirs).abs() < TOL,
        "porters: by hand {porters}, metrics.json {theirs}"
    );
    assert!(
        porters < ours - 20.0,
        "porters {porters} should struggle against {ours}"
    );

    // The weak stage: on-time installation, a weighted share of 是 over the answered rows.
    let (mut total, mut yes) = (0.0, 0.0);
    for r in &window {
        let w = weight(r);
        total += w;
        if r["installed_on_time"] == "是" {
            yes += w;
        }
    }
    let ours = 100.0 * yes / total;
    let on_time = indicator(&metrics, "install-on-time");
    let theirs = on_time["value"].as_f64().unwrap();
    assert!(
        (ours - theirs).abs() < TOL,
        "on time: by hand {ours}, metrics.json {theirs}"
    );
    assert_eq!(
        on_time["status"], "red",
        "the weak stage's KQI should be off target"
    );
}
