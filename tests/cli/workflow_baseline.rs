//! Since the last drop: `build --baseline` and `baseline:` on two data drops of the example.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::harness::{stderr, Fixture};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

/// The z-test of the docs, recomputed from the two published intervals.
fn expected_significance(old: &Value, new: &Value) -> Option<bool> {
    const Z95: f64 = 1.959_963_984_540_054;
    let se = |i: &Value| Some((i["ci_high"].as_f64()? - i["ci_low"].as_f64()?) / (2.0 * Z95));
    let delta = new["value"].as_f64()? - old["value"].as_f64()?;
    let pooled = (se(old)?.powi(2) + se(new)?.powi(2)).sqrt();
    Some(delta.abs() / pooled > Z95)
}

#[test]
fn two_data_drops_of_the_example_compare_indicator_by_indicator() {
    let f = Fixture::copy("example-project");
    // Drop 1: January 2024 to November 2025 (the December 2025 survey file
    // and the December tickets held back).
    let december = f.root.join("data/survey/2025-12.csv");
    let aside = f.root.parent().unwrap().join("2025-12.csv");
    fs::rename(&december, &aside).unwrap();
    let tickets_path = f.root.join("data/tickets.csv");
    let tickets = fs::read_to_string(&tickets_path).unwrap();
    let before_december: String = (tickets.lines())
        .filter(|l| !l.split(',').nth(1).unwrap_or("").starts_with("2025-12"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        before_december.len() < tickets.len(),
        "no December tickets to hold back"
    );
    fs::write(&tickets_path, before_december).unwrap();
    let out = f.run(&["build", "project", "--out", "drop1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let drop1 = f.root.parent().unwrap().join("drop1");
    assert!(!drop1.join("whats-changed.html").exists());
    // Drop 2: all 24 months, compared with drop 1.
    fs::rename(&aside, &december).unwrap();
    fs::write(&tickets_path, &tickets).unwrap();
    let out = f.run(&["build", "project", "--baseline", "drop1/metrics.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("since drop1/metrics.json:"),
        "{}",
        stderr(&out)
    );

    let old = read_json(&drop1.join("metrics.json"));
    let new = f.metrics();
    let changes = read_json(&f.site().join("changes.json"));
    assert_eq!(changes["baseline"], "drop1/metrics.json");
    assert!(changes["removed"].as_array().unwrap().is_empty());
    let mut significant = 0;
    for ind in new["indicators"].as_array().unwrap() {
        let id = ind["id"].as_str().unwrap();
        let (before, c) = (
            by_id(&old["indicators"], id),
            by_id(&changes["indicators"], id),
        );
        // Same definitions in both drops: the hashes match, nothing is "redefined".
        assert_eq!(before["definition_hash"], ind["definition_hash"], "{id}");
        assert_eq!(ind["definition_hash"].as_str().unwrap().len(), 64);
        assert_eq!(c["kind"], "same", "{id}");
        // The headline windows are November (drop 1) and December (drop 2):
        // disjoint samples, so the change is tested, not "revised".
        assert_eq!(before["window"]["label"], "2025-11", "{id}");
        assert_eq!(ind["window"]["label"], "2025-12", "{id}");
        assert_eq!(c["revised"], false, "{id}");
        assert_eq!(
            c["significant"].as_bool(),
            expected_significance(before, ind),
            "{id}"
        );
        // Adding December revised no earlier period of the tickets. The survey is raked
        // over all its rows (SPEC §11): December's rows move every survey weight a little,
        // so its earlier periods are revised, each by far less than a point.
        let tickets = [
            "first-contact-resolution",
            "first-response-p90",
            "ticket-volume",
            "installation-tickets",
            "sales-enquiry-fcr",
        ];
        if tickets.contains(&id) {
            assert_eq!(c["revisions"], serde_json::json!([]), "{id}");
        }
        for r in c["revisions"].as_array().unwrap() {
            let moved = r["after"].as_f64().unwrap() - r["before"].as_f64().unwrap();
            assert!(moved.abs() < 0.5, "{id}: {r}");
        }
        let (Some(now), Some(then)) = (ind["value"].as_f64(), before["value"].as_f64()) else {
            assert_eq!(c["delta"], Value::Null, "{id}");
            continue;
        };
        assert!(
            (c["delta"].as_f64().unwrap() - (now - then)).abs() < 1e-9,
            "{id}"
        );
        significant += usize::from(c["significant"] == true);
    }
    // The survey grew by one month: its n grew, so at least its NPS moved.
    let nps = by_id(&changes["indicators"], "nps-overall");
    assert_ne!(nps["delta"].as_f64(), Some(0.0));
    assert!(
        by_id(&new["indicators"], "nps-overall")["n"].as_u64()
            > by_id(&old["indicators"], "nps-overall")["n"].as_u64()
    );
    // The site shows it: the tiles and the What changed page.
    let index = fs::read_to_string(f.site().join("index.html")).unwrap();
    assert!(index.contains("since baseline"));
    assert!(index.contains("whats-changed.html"));
    let page = fs::read_to_string(f.site().join("whats-changed.html")).unwrap();
    assert!(page.contains("What changed"));
    assert!(
        page.contains(&format!("{significant} significant changes")),
        "{significant}"
    );
}

#[test]
fn added_removed_and_redefined_indicators_are_told_apart() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--out", "before"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Redefine csat (another box), remove ok-share, add a count.
    f.edit(
        "indicators/core.yaml",
        "  column: csat\n",
        "  column: csat\n  top_box: [3, 5]\n",
    );
    let text = fs::read_to_string(f.root.join("indicators/core.yaml")).unwrap();
    let start = text.find("- id: ok-share").unwrap();
    let end = text[start + 1..]
        .find("\n- id:")
        .map_or(text.len(), |e| start + 1 + e + 1);
    let mut edited = format!("{}{}", &text[..start], &text[end..]);
    edited.push_str(
        "\n- id: responses\n  name: Responses\n  kind: kpi\n  dataset: survey\n  metric: count\n",
    );
    // Composites naming ok-share would now fail validation: drop it from them.
    edited = edited
        .replace(", ok-share: 1", "")
        .replace("ok-share: 1, ", "");
    f.write("indicators/core.yaml", &edited);
    // `baseline:` in cxscore.yaml, project-relative; the language of the page follows the project.
    fs::create_dir_all(f.root.join("previous")).unwrap();
    fs::copy(
        f.root.parent().unwrap().join("before/metrics.json"),
        f.root.join("previous/metrics.json"),
    )
    .unwrap();
    let config = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    f.write(
        "cxscore.yaml",
        &format!("{config}\nbaseline: previous/metrics.json\n"),
    );
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = read_json(&f.site().join("changes.json"));
    let csat = by_id(&changes["indicators"], "csat");
    assert_eq!(csat["kind"], "redefined");
    assert!(csat["delta"].is_null());
    // Its composite is redefined with it (a component changed); the NPS is not.
    assert_eq!(
        by_id(&changes["indicators"], "cx-index")["kind"],
        "redefined"
    );
    assert_eq!(by_id(&changes["indicators"], "responses")["kind"], "added");
    assert_eq!(by_id(&changes["indicators"], "nps")["kind"], "same");
    assert_eq!(by_id(&changes["indicators"], "nps")["delta"], 0.0);
    assert_eq!(by_id(&changes["removed"], "ok-share")["name"], "Resolved");
    let page = fs::read_to_string(f.site().join("whats-changed.html")).unwrap();
    assert!(page.contains("Redefined: not comparable"));
    assert!(page.contains("Removed since the baseline"));

    // The same in Chinese.
    f.edit("cxscore.yaml", "language: en", "language: zh-CN");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = fs::read_to_string(f.site().join("whats-changed.html")).unwrap();
    assert!(page.contains("变化概览"));
    assert!(page.contains("口径已变，不可比"));
}

#[test]
fn a_missing_baseline_is_an_error_when_asked_for_and_a_warning_when_configured() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--baseline", "nowhere/metrics.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read the baseline nowhere/metrics.json"));
    assert!(!f.site().exists());
    let config = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    f.write(
        "cxscore.yaml",
        &format!("{config}\nbaseline: previous/metrics.json\n"),
    );
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does not exist yet"),
        "{}",
        stderr(&out)
    );
    assert!(!f.site().join("whats-changed.html").exists());
    // A file that is not a metrics.json: located error.
    f.write("previous/metrics.json", "{\n  \"indicators\": 3\n}\n");
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("previous/metrics.json:2:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn overlapping_windows_and_changed_periods_are_revisions_not_tested_changes() {
    let f = Fixture::copy("example-project");
    f.edit(
        "cxscore.yaml",
        "\nperiod: month\n",
        "\nperiod: month\nreport: { window: { rolling: 3 } }\n",
    );
    let out = f.run(&["build", "project", "--out", "drop1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A late correction in November: one detractor (6) becomes a promoter (10).
    f.edit(
        "data/survey/2025-11.csv",
        "R013211,C0009286,2025-11-01,mover,phone,east,1.13,6,",
        "R013211,C0009286,2025-11-01,mover,phone,east,1.13,10,",
    );
    let out = f.run(&["build", "project", "--baseline", "drop1/metrics.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = read_json(&f.site().join("changes.json"));
    let nps = by_id(&changes["indicators"], "nps-overall");
    // Both runs' windows are Oct–Dec 2025: the same rows but one, so no test.
    assert_eq!(nps["window_before"], "2025-10..2025-12");
    assert_eq!(nps["window_after"], "2025-10..2025-12");
    assert_eq!(nps["revised"], true);
    assert_eq!(nps["significant"], Value::Null);
    assert!(nps["delta"].as_f64().unwrap() > 0.0);
    // November is revised, and only November.
    let revisions = nps["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    assert_eq!(revisions[0]["period"], "2025-11");
    assert!(revisions[0]["after"].as_f64() > revisions[0]["before"].as_f64());
    // An indicator that does not read q_recommend has nothing revised.
    let tickets = by_id(&changes["indicators"], "ticket-volume");
    assert_eq!(tickets["revisions"], serde_json::json!([]));
    // The page says so: the revised row has no test, November is listed.
    let page = fs::read_to_string(f.site().join("whats-changed.html")).unwrap();
    assert!(page.contains("revised (the windows overlap; no test)"));
    assert!(page.contains("Revised periods"));
    let nov = format!(
        "Nov 2025: {:.1} → {:.1}",
        revisions[0]["before"].as_f64().unwrap(),
        revisions[0]["after"].as_f64().unwrap()
    );
    assert!(page.contains(&nov), "{nov}");
    assert_eq!(tickets["delta"].as_f64(), Some(0.0));
}
