//! Issue 20, points 2–4: the printable report carries every page type a
//! reader sees; a count shows no "against the rest" or effective n; one
//! persona table, with names; a composite's formula by names; a labelled
//! target line and the first period's axis label; a methodology of what the
//! project uses, in the site's words.

use std::fs;
use std::path::Path;

use crate::harness::{stderr, Fixture};

fn page(f: &Fixture, rel: &str) -> String {
    fs::read_to_string(f.site().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The inside of a page's `<main id="main">`.
fn main_of(html: &str) -> &str {
    let open = "<main id=\"main\">";
    let start = html.find(open).expect("a main element") + open.len();
    html[start..html.rfind("</main>").expect("main ends")].trim()
}

/// The report with each chart id's section suffix (`cx-trend-<hash>-s3`)
/// taken off, so a page's own markup can be looked for in it.
fn unscoped(report: &str) -> String {
    let id = regex::Regex::new(r"\b(cx-[a-z]+-[0-9a-f]{16})-s[0-9]+\b").unwrap();
    id.replace_all(report, "$1").into_owned()
}

/// The table of contents' anchors, in order.
fn toc(report: &str) -> Vec<String> {
    let start = report
        .find("<nav class=\"report-toc\"")
        .expect("a contents");
    let nav = &report[start..start + report[start..].find("</nav>").unwrap()];
    (nav.split("href=\"#").skip(1))
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// Every page of the built site but the report, as paths from the site root.
fn site_pages(site: &Path) -> Vec<String> {
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(site).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        let rel = path
            .strip_prefix(site)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".html") && rel != "report.html" {
            pages.push(rel);
        }
    }
    pages
}

/// The anchor a page of the site has in the report: its kind, and its id
/// for the kinds with many pages (`indicators/nps.html` → `indicator-nps`).
fn anchor_of(rel: &str) -> String {
    let stem = rel.trim_end_matches(".html");
    match stem.split_once('/') {
        None if stem == "index" => "scorecard".into(),
        None => stem.into(),
        Some(("personas", "index")) => "personas".into(),
        Some(("pages", slug)) => format!("page-{slug}"),
        Some((folder, id)) => format!("{}-{id}", folder.trim_end_matches('s')),
    }
}

#[test]
fn the_report_has_a_section_for_every_page_of_the_site_narrative_first() {
    // The example has every page type but "what changed": a second build
    // against the first one's metrics.json adds it.
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    fs::copy(f.site().join("metrics.json"), f.root.join("baseline.json")).unwrap();
    let out = f.run(&["build", "project", "--baseline", "project/baseline.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = unscoped(&page(&f, "report.html"));
    let anchors = toc(&report);
    let pages = site_pages(&f.site());
    // Every kind of page the example builds, so no kind is missed silently.
    for kind in [
        "index.html",
        "pages/",
        "personas/index.html",
        "personas/",
        "journeys/",
        "indicators/",
        "drivers.html",
        "topics.html",
        "value.html",
        "actions.html",
        "owners.html",
        "whats-changed.html",
        "methodology.html",
    ] {
        assert!(pages.iter().any(|p| p.starts_with(kind)), "no {kind} built");
    }
    for rel in &pages {
        let anchor = anchor_of(rel);
        assert!(anchors.contains(&anchor), "no contents entry for {rel}");
        assert!(
            report.contains(&format!(
                "<section class=\"report-section\" id=\"{anchor}\">"
            )),
            "no section for {rel}"
        );
        // The section is the page itself, its links written from the root.
        let html = page(&f, rel);
        let inner = main_of(&html);
        let flat = if rel.contains('/') {
            inner.replace("=\"../", "=\"")
        } else {
            inner.to_string()
        };
        assert!(
            report.contains(&flat),
            "{rel} is not in the report as the site shows it"
        );
    }
    assert_eq!(anchors.len(), pages.len(), "{anchors:?}");
    // Reading order: the narrative first, then the scorecard; the methodology last.
    assert_eq!(anchors[0], "page-about");
    assert_eq!(anchors[1], "scorecard");
    assert_eq!(anchors.last().map(String::as_str), Some("methodology"));
    let at = |a: &str| anchors.iter().position(|x| x == a).unwrap();
    assert!(at("personas") < at("persona-new-subscriber"));
    assert!(at("persona-number-porter") < at("journey-broadband-new-line"));
    assert!(at("journey-broadband-new-line") < at("indicator-nps-overall"));
    // Every persona card and ladder is there.
    for persona in [
        "enterprise-customer",
        "home-mover",
        "new-subscriber",
        "number-porter",
    ] {
        assert!(anchors.contains(&format!("persona-{persona}")), "{persona}");
    }
    assert!(report.contains("Settle into the new home and work from it straight away"));
    // The report links nowhere outside the site root.
    assert!(!report.contains("href=\"../"));
}

#[test]
fn a_count_shows_no_difference_from_the_rest_nor_an_effective_n() {
    let f = Fixture::copy("tiny");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    // compute did publish a difference for the count's segments (0: five rows
    // per channel); the page leaves it out, as the report does.
    let m = f.metrics();
    let rows = (m["indicators"].as_array().unwrap().iter())
        .find(|i| i["id"] == "rows")
        .unwrap();
    assert_eq!(rows["segments"]["channel"][0]["vs_rest"], 0.0);
    let count = page(&f, "indicators/rows.html");
    assert!(
        count.contains("Responses by channel"),
        "the count has its segment table"
    );
    for absent in ["Against the rest", "Effective n"] {
        assert!(!count.contains(absent), "the count page shows {absent}");
    }
    // The same template on a share keeps both: the test could fail.
    let share = page(&f, "indicators/ok-share.html");
    assert!(share.contains("Against the rest") && share.contains("Effective n"));
    let report = page(&f, "report.html");
    let start = report.find("id=\"indicator-rows\"").unwrap();
    let end = report[start..]
        .find("<section class=\"report-section\"")
        .map_or(report.len(), |e| start + e);
    let section = &report[start..end];
    assert!(section.contains("Responses by channel"));
    assert!(!section.contains("Against the rest") && !section.contains("Effective n"));
}

#[test]
fn personas_that_are_a_segment_columns_keys_get_one_table_with_names() {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "segments: [channel]",
        "segments: [channel, persona]",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let nps = page(&f, "indicators/nps.html");
    // One table for the personas, named so; none by the raw column.
    assert_eq!(
        nps.matches("<h2>Net Promoter Score by Personas</h2>")
            .count(),
        1
    );
    assert!(
        !nps.contains("Net Promoter Score by persona"),
        "a codes table is left"
    );
    // By hand from data/survey.csv (weights 1): persona new answered 10, 9, 7,
    // 3, 10 → (3 promoters − 1 detractor) / 5 = 40.0; old answered 9, 8, 6, 9
    // (one blank) → (2 − 1) / 4 = 25.0. The persona's row has its name and
    // links its page; a key no persona matches keeps its code.
    let newcomer = "<th scope=\"row\"><a href=\"../personas/newcomer.html\">Newcomer</a></th><td class=\"num\">40.0</td>";
    assert!(nps.contains(newcomer), "{nps}");
    assert!(nps.contains("<th scope=\"row\">old</th><td class=\"num\">25.0</td>"));
    // The merged table keeps the segment's test against the rest.
    // The segment table follows its bar chart, whose data table has the same caption.
    let start = nps
        .rfind("<caption>Net Promoter Score by Personas,")
        .unwrap();
    let table = &nps[start..start + nps[start..].find("</table>").unwrap()];
    assert!(table.contains("Against the rest"));
    // Without the column among the segments, the personas keep their own table.
    let g = Fixture::copy("tiny");
    assert!(g.build().status.success());
    let nps = page(&g, "indicators/nps.html");
    assert_eq!(
        nps.matches("<h2>Net Promoter Score by Personas</h2>")
            .count(),
        1
    );
    assert!(nps.contains(
        "<a href=\"../personas/newcomer.html\">Newcomer</a></th><td class=\"num\">40.0</td>"
    ));
}

#[test]
fn the_composite_formula_names_its_components() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    // tiny's cx-index: components { nps: 1, csat: 1 }, named as the scorecard names them.
    let words =
        "Weighted mean of Satisfaction ×1.0, Net Promoter Score ×1.0, each normalised to 0–100";
    for rel in ["indicators/cx-index.html", "methodology.html"] {
        let html = page(&f, rel);
        assert!(html.contains(words), "{rel}");
        assert!(
            !html.contains("nps ×1.0") && !html.contains("csat ×1.0"),
            "{rel}"
        );
    }
}

/// The texts of the indicator page's trend chart.
fn trend_texts(html: &str) -> Vec<String> {
    let at = html
        .find("class=\"cx-chart cx-trend\"")
        .expect("a trend chart");
    let svg = &html[at..at + html[at..].find("</svg>").unwrap()];
    (svg.split("<text").skip(1))
        .map(|t| {
            let t = &t[t.find('>').unwrap() + 1..];
            t[..t.find("</text>").unwrap()].trim().to_string()
        })
        .collect()
}

#[test]
fn the_trend_labels_its_target_line_and_every_january() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    // nps-overall: 24 months, Jan 2024 – Dec 2025, target 20 (its YAML).
    let yaml = fs::read_to_string(f.root.join("indicators/relationship.yaml")).unwrap();
    let at = yaml.find("id: nps-overall").unwrap();
    assert!(
        yaml[at..].contains("target: 20"),
        "the example's target moved"
    );
    let texts = trend_texts(&page(&f, "indicators/nps-overall.html"));
    assert!(texts.iter().any(|t| t == "Target 20.0"), "{texts:?}");
    for month in ["Jan 2024", "Jan 2025", "Dec 2025"] {
        assert!(texts.iter().any(|t| t == month), "no {month} in {texts:?}");
    }
    // An indicator without a target has no target label.
    let no_target = trend_texts(&page(&f, "indicators/ticket-volume.html"));
    assert!(
        !no_target.iter().any(|t| t.starts_with("Target")),
        "{no_target:?}"
    );
}

/// The labels of the methodology's formulas list, and the whole page.
fn methodology(f: &Fixture) -> (Vec<String>, String) {
    let html = page(f, "methodology.html");
    let start = html.find("<dl class=\"formulas\">").unwrap();
    let list = &html[start..start + html[start..].find("</dl>").unwrap()];
    let labels = (list.split("<dt>").skip(1))
        .map(|s| s[..s.find("</dt>").unwrap()].to_string())
        .collect();
    (labels, html)
}

#[test]
fn the_methodology_shows_only_what_the_project_uses_in_the_sites_words() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let (labels, html) = methodology(&f);
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "a label repeats: {labels:?}");
    // tiny: NPS (Wald, the default), CSAT, a percentile, a share, a mean, a
    // count and a composite; no gap, no benchmark, no drivers.
    for label in [
        "Net Promoter Score",
        "Percentile",
        "Count",
        "Composite index",
        "Intervals",
    ] {
        assert!(labels.iter().any(|l| l == label), "no {label}: {labels:?}");
    }
    assert!(html.contains("NPS interval (Wald)"));
    for absent in [
        "adjusted Wald",
        "not used here",
        "Gap",
        "Benchmark",
        "Key drivers",
    ] {
        assert!(!html.contains(absent), "the methodology mentions {absent}");
    }
    // Status in the badges' words.
    assert!(html.contains("“On target” at or beyond the target; “Watch” between"));
    assert!(html.contains("“Off target” beyond"));
    assert!(!html.contains("green at or beyond"));

    // What a project uses appears: the adjusted interval, a gap, a benchmark.
    let g = Fixture::copy("tiny");
    g.edit(
        "cxscore.yaml",
        "min_n: 3",
        "min_n: 3\nnps_interval: adjusted_wald",
    );
    g.edit(
        "indicators/core.yaml",
        "  target: 30\n",
        "  target: 30\n  benchmark: 20\n",
    );
    let gap = "- id: gap\n  name: Gap\n  kind: kci\n  dataset: survey\n  metric: gap\n  column: csat\n  expectation: csat\n  target: 0\n";
    let core = fs::read_to_string(g.root.join("indicators/core.yaml")).unwrap();
    g.write("indicators/core.yaml", &format!("{core}{gap}"));
    let out = g.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let (labels, html) = methodology(&g);
    assert!(html.contains("NPS interval (adjusted Wald"));
    assert!(!html.contains("NPS interval (Wald)"));
    for label in ["Gap (perception − expectation)", "Benchmark"] {
        assert!(labels.iter().any(|l| l == label), "no {label}: {labels:?}");
    }
}

#[test]
fn the_chinese_methodology_names_statuses_as_the_badges_do() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (labels, html) = methodology(&f);
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "a label repeats: {labels:?}");
    assert!(html.contains("达到或超过目标为“达标”"), "status words");
    assert!(html.contains("“关注”") && html.contains("“未达标”"));
    assert!(!html.contains("为绿灯"));
    // The badges say the same words.
    assert!(page(&f, "index.html").contains("达标"));
}
