//! Experience dimensions (`dimension:`) on the built site: the scorecard's groups and their
//! roll-ups, checked against the indicators' own statuses in `metrics.json`.

use std::fs;

use crate::harness::{stderr, Fixture};

/// The tiny fixture with nps as brand, csat and p90-minutes as service; the rest without.
fn with_dimensions() -> Fixture {
    let f = Fixture::copy("tiny");
    let file = "indicators/core.yaml";
    f.edit(
        file,
        "  name: Net Promoter Score\n",
        "  name: Net Promoter Score\n  dimension: brand\n",
    )
    .edit(
        file,
        "  name: Satisfaction\n",
        "  name: Satisfaction\n  dimension: service\n",
    )
    .edit(
        file,
        "  name: Response time p90\n",
        "  name: Response time p90\n  dimension: service\n",
    );
    f
}

#[test]
fn the_scorecard_groups_tiles_by_dimension_with_each_roll_up() {
    let f = with_dimensions();
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    // The roll-up, recounted from the indicators' own headline statuses.
    let status = |id: &str| {
        let ind = m["indicators"].as_array().unwrap().iter();
        ind.clone().find(|i| i["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let groups = [
        (Some("brand"), vec!["nps"]),
        (Some("service"), vec!["csat", "p90-minutes"]),
        (None, vec!["ok-share", "mean-minutes", "rows", "cx-index"]),
    ];
    let dims = m["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 3, "{dims:#?}");
    let index = fs::read_to_string(f.site().join("index.html")).unwrap();
    let mut last_heading = 0;
    for ((word, ids), d) in groups.iter().zip(dims) {
        assert_eq!(d["dimension"].as_str(), *word);
        assert_eq!(d["indicators"], serde_json::json!(ids));
        let statuses: Vec<String> = ids.iter().map(|id| status(id)).collect();
        let green = statuses.iter().filter(|s| *s == "green").count();
        let judged = (statuses.iter())
            .filter(|s| ["green", "amber", "red"].contains(&s.as_str()))
            .count();
        assert_eq!(d["statuses"]["green"], green);
        assert_eq!(d["judged"], judged);
        // The heading, in the vocabulary's order, then its roll-up line.
        let title = match *word {
            Some("brand") => "Brand experience (BX)",
            Some("service") => "Service experience (SX)",
            _ => "Other indicators",
        };
        let at = index.find(&format!("<h2>{title}</h2>")).expect(title);
        assert!(at > last_heading, "{title} out of order");
        last_heading = at;
        let line = if judged > 0 {
            let share = (100.0 * green as f64 / judged as f64).round();
            format!(
                "Indicators: {} · on target: {share} % ({green} of the {judged} with",
                ids.len()
            )
        } else {
            format!("Indicators: {} · none has", ids.len())
        };
        assert!(index[at..].contains(&line), "{line}");
    }
    // No kind headings; the table names each indicator's dimension.
    assert!(!index.contains("<h2>Customer perception (KCI)</h2>"));
    assert!(index.contains("<th scope=\"col\">Experience dimension</th>"));
    let nps = fs::read_to_string(f.site().join("indicators/nps.html")).unwrap();
    assert!(nps.contains("<dd>Brand experience (BX)</dd>"));
    // In Chinese too.
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = fs::read_to_string(f.site().join("index.html")).unwrap();
    for heading in ["品牌体验（BX）", "服务体验（SX）", "其他指标"] {
        assert!(index.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
}

#[test]
fn without_dimensions_the_scorecard_groups_by_kind_as_before() {
    let f = Fixture::copy("tiny");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(f.metrics()["dimensions"], serde_json::json!([]));
    let index = fs::read_to_string(f.site().join("index.html")).unwrap();
    assert!(index.contains("<h2>Customer perception (KCI)</h2>"));
    assert!(!index.contains("dimension-group"));
    assert!(!index.contains("Experience dimension"));
}
