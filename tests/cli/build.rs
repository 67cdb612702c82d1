//! Whole builds: determinism, the previous site surviving a failure, the
//! example project's pages and links, and `check` writing nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::harness::{snapshot_tree, stderr, Fixture};

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let first = snapshot_tree(&f.site());
    let out = f.run(&["build", "project", "--out", "second"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = snapshot_tree(&f.root.parent().unwrap().join("second"));
    assert!(first.len() > 5);
    assert_eq!(first, second);
}

#[test]
fn a_failed_build_leaves_the_previous_site_exactly_as_it_was() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let before = snapshot_tree(&f.site());
    f.edit("indicators/core.yaml", "  metric: nps", "  metric: nsp");
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the previous site is untouched"));
    assert_eq!(snapshot_tree(&f.site()), before);
    // And a good build replaces it completely, leaving no temporary folders behind.
    f.edit("indicators/core.yaml", "  metric: nsp", "  metric: nps");
    assert!(f.build().status.success());
    let entries: BTreeSet<String> = fs::read_dir(&f.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        entries.iter().all(|e| !e.starts_with(".cxscore-")),
        "{entries:?}"
    );
}

#[test]
fn out_refuses_the_project_folder_and_a_foreign_folder() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--out", "project"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(f.root.join("cxscore.yaml").exists());
    let out = f.run(&["build", "project", "--out", "project/indicators"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a cxscore site"),
        "{}",
        stderr(&out)
    );
    assert!(f.root.join("indicators/core.yaml").exists());
}

#[test]
fn check_writes_nothing_and_the_gate_trips_on_amber_but_not_red() {
    let f = Fixture::copy("tiny");
    // The tiny project's worst status is red (cx-index): gate red trips (3).
    let out = f.run(&["check", "project", "--fail-on", "red"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // Remove the red composite: the worst is amber (csat, p90): red passes, amber trips.
    f.edit("indicators/core.yaml", "  target: 70\n", "\n");
    assert_eq!(
        f.run(&["check", "project", "--fail-on", "red"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        f.run(&["check", "project", "--fail-on", "amber"])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(f.run(&["check", "project"]).status.code(), Some(0));
    assert!(!f.site().exists(), "check wrote a site");
}

/// Every `href` and `src` of an HTML file.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Builds a project and checks every local link of every page resolves and nothing is remote.
fn check_links(site: &Path) -> usize {
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = fs::read_to_string(entry.path()).unwrap();
        assert!(!html.contains("<script"), "{:?} has a script", entry.path());
        for link in links(&html) {
            assert!(
                !link.starts_with("http:")
                    && !link.starts_with("https:")
                    && !link.starts_with("//"),
                "{:?} links outside: {link}",
                entry.path()
            );
            if link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let target = link.split('#').next().unwrap();
            let resolved = entry.path().parent().unwrap().join(target);
            assert!(resolved.exists(), "{:?}: broken link {link}", entry.path());
        }
    }
    pages
}

#[test]
fn the_tiny_site_has_every_page_and_its_links_resolve() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let site = f.site();
    for page in [
        "index.html",
        "indicators/nps.html",
        "indicators/cx-index.html",
        "personas/index.html",
        "personas/newcomer.html",
        "journeys/join.html",
        "methodology.html",
        "pages/about.html",
        "style.css",
        "metrics.json",
    ] {
        assert!(site.join(page).exists(), "missing {page}");
    }
    assert!(check_links(&site) >= 8);
    // The shortcode became the NPS tile; PII never reaches the site.
    let about = fs::read_to_string(site.join("pages/about.html")).unwrap();
    assert!(about.contains("tile status-green") && about.contains("indicators/nps.html"));
    // Segments are tested against the rest; personas are not, so their table has no such column.
    let nps = fs::read_to_string(site.join("indicators/nps.html")).unwrap();
    assert_eq!(nps.matches("Against the rest").count(), 1, "{nps}");
    for file in snapshot_tree(&site) {
        assert!(
            !String::from_utf8_lossy(&file.1).contains("@example.com"),
            "PII in {}",
            file.0
        );
    }
}

#[test]
fn the_example_project_builds_with_every_page() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = f.metrics();
    let indicators = m["indicators"].as_array().unwrap();
    assert!(indicators.len() >= 12);
    for ind in indicators {
        let id = ind["id"].as_str().unwrap();
        assert!(
            f.site().join(format!("indicators/{id}.html")).exists(),
            "no page for {id}"
        );
    }
    assert!(f.site().join("drivers.html").exists());
    assert!(check_links(&f.site()) >= 20);
}

#[test]
fn hostile_markdown_in_a_page_is_sanitised() {
    let f = Fixture::copy("tiny");
    f.write(
        "pages/about.md",
        "---\ntitle: \"<script>alert(1)</script>About\"\n---\n\
         # Hi\n\n<script>alert(2)</script>\n\n<img src=x onerror=\"alert(3)\">\n\n\
         [click](javascript:alert(4))\n\n<b>bold stays</b>\n",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let about = fs::read_to_string(f.site().join("pages/about.html")).unwrap();
    for bad in ["<script>alert", "onerror", "javascript:"] {
        assert!(!about.contains(bad), "{bad} survived in:\n{about}");
    }
    assert!(about.contains("<b>bold stays</b>"));
    assert!(about.contains("&lt;script&gt;alert(1)&lt;/script&gt;About"));
}

/// Writes a one-indicator project: NPS (target 0, amber −10); January has 35
/// promoters and 5 detractors (+75), February 2 and 8 (−60). Pooled: (37 −
/// 13) / 50 = +48, green; February alone is red.
fn green_all_time_red_last_month(report: &str) -> Fixture {
    let f = Fixture::copy("tiny");
    let mut csv = String::from("date,nps\n");
    csv.push_str(&"2026-01-10,10\n".repeat(35));
    csv.push_str(&"2026-01-11,0\n".repeat(5));
    csv.push_str(&"2026-02-10,10\n".repeat(2));
    csv.push_str(&"2026-02-11,0\n".repeat(8));
    f.write("data/survey.csv", &csv);
    f.write(
        "cxscore.yaml",
        &format!(
            "title: Gate\nperiod: month\nmin_n: 5\ndatasets:\n  survey:\n    path: data/survey.csv\n    date: {{ column: date }}\n{report}"
        ),
    );
    f.write(
        "indicators/core.yaml",
        "- id: nps\n  name: NPS\n  kind: kci\n  dataset: survey\n  metric: nps\n  column: nps\n  target: 0\n  thresholds: { amber: -10 }\n",
    );
    for extra in ["journeys", "personas", "pages"] {
        fs::remove_dir_all(f.root.join(extra)).unwrap();
    }
    f
}

#[test]
fn the_gate_judges_the_reporting_window() {
    // Every row: +48, green — the gate passes.
    let all = green_all_time_red_last_month("report: { window: all }\n");
    let out = all.run(&["check", "project", "--fail-on", "red"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The default window is the latest month, February: −60, red — exit 3.
    let latest = green_all_time_red_last_month("");
    let out = latest.run(&["check", "project", "--fail-on", "red", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = latest.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = latest.metrics();
    assert_eq!(m["project"]["window"]["label"], "2026-02");
    let nps = &m["indicators"][0];
    assert!((nps["value"].as_f64().unwrap() + 60.0).abs() < 1e-9);
    assert_eq!(nps["status"], "red");
    // Compared with January (+75): −135 points. Variances (SPEC §2, ×10⁴):
    // (0.2 + 0.8 − 0.36) / 10 = 640 and (0.875 + 0.125 − 0.5625) / 40 =
    // 109.375; z = 135 / √749.375 = 4.932, p = 8.158e-7 (SciPy); one test, so q = p.
    let previous = &nps["previous"];
    assert_eq!(previous["from"], "2026-01");
    assert!((previous["change"].as_f64().unwrap() + 135.0).abs() < 1e-9);
    let p = previous["p_value"].as_f64().unwrap();
    assert!((p - 8.158e-7).abs() < 0.001e-7, "{p}");
    assert_eq!(previous["q_value"], previous["p_value"]);
    assert_eq!(previous["significant"], true);
    // 2025-02 has no rows: the year-ago comparison exists, without a value.
    assert_eq!(nps["year_ago"]["from"], "2025-02");
    assert_eq!(nps["year_ago"]["value"], serde_json::Value::Null);
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_a_panic() {
    // `cxscore check --format json | head -c 1`: the reader is gone before
    // the report is written; the exit code still tells the gate.
    let f = green_all_time_red_last_month("");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cxscore"))
        .current_dir(f.root.parent().unwrap())
        .args(["check", "project", "--fail-on", "red", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(3), "{err}");
}
