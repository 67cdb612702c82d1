//! `build -v`: per-stage timings, and under the render stage one line per
//! template with its page count, checked against the pages actually written.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::harness::{snapshot_tree, stderr, Fixture};

/// The per-template lines of `-v`: template → (count, unit, seconds).
fn template_lines(err: &str) -> BTreeMap<String, (usize, String, f64)> {
    let mut lines = BTreeMap::new();
    let mut in_render = false;
    for line in err.lines() {
        if line.starts_with("  ") && !line.starts_with("    ") {
            in_render = line.starts_with("  render: ");
            continue;
        }
        let Some(rest) = line.strip_prefix("    ").filter(|_| in_render) else {
            continue;
        };
        if rest.starts_with("per template") {
            continue;
        }
        // "indicator.html: 7 pages, 0.004 s (charts 0.001 s)"
        let (name, rest) = rest.split_once(": ").expect("name: count");
        let mut words = rest.split([' ', ',']).filter(|w| !w.is_empty());
        let count: usize = words.next().unwrap().parse().expect("a count");
        let unit = words.next().unwrap().to_string();
        let seconds: f64 = words.next().unwrap().parse().expect("seconds");
        assert_eq!(words.next(), Some("s"), "{line}");
        let old = lines.insert(name.to_string(), (count, unit, seconds));
        assert!(old.is_none(), "{name} listed twice");
    }
    lines
}

/// `.html` files directly in `dir` of the site, except `skip`.
fn html_in(site: &Path, dir: &str, skip: &str) -> usize {
    fs::read_dir(site.join(dir)).map_or(0, |entries| {
        entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".html") && n != skip)
            .count()
    })
}

/// Every page kind's count, from the written site: what `-v` must report.
fn pages_of_each_kind(site: &Path) -> BTreeMap<String, usize> {
    let one = |file: &str| usize::from(site.join(file).is_file());
    [
        ("index.html", one("index.html")),
        ("indicator.html", html_in(site, "indicators", "")),
        ("personas.html", one("personas/index.html")),
        ("persona.html", html_in(site, "personas", "index.html")),
        ("journey.html", html_in(site, "journeys", "")),
        ("page.html", html_in(site, "pages", "")),
        ("drivers.html", one("drivers.html")),
        ("methodology.html", one("methodology.html")),
        ("report.html", one("report.html")),
        ("whats-changed.html", one("whats-changed.html")),
        ("changes.json", one("changes.json")),
        ("metrics.json", one("metrics.json")),
        ("report.xlsx", one("report.xlsx")),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| (k.to_string(), n))
    .collect()
}

fn all_html(site: &Path) -> usize {
    snapshot_tree(site)
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .count()
}

#[test]
fn verbose_lists_every_template_with_the_pages_it_made() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "-v", "project"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let listed = template_lines(&err);
    let site = f.site();
    let expected = pages_of_each_kind(&site);
    // The tiny site: 7 indicators, a persona, a journey, a narrative page.
    assert_eq!(expected["indicator.html"], 7);
    assert_eq!(expected["persona.html"], 1);
    let counts: BTreeMap<String, usize> = listed.iter().map(|(k, v)| (k.clone(), v.0)).collect();
    assert_eq!(counts, expected, "{err}");
    // The HTML templates' pages add up to every HTML file written.
    let html: usize = (listed.iter())
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| v.0)
        .sum();
    assert_eq!(html, all_html(&site));
    assert!(err.contains(&format!("built {html} pages")), "{err}");
    for (name, (count, unit, seconds)) in &listed {
        let want = match (name.ends_with(".html"), *count == 1) {
            (true, true) => "page",
            (true, false) => "pages",
            (false, true) => "file",
            (false, false) => "files",
        };
        assert_eq!(unit, want, "{name}");
        assert!(*seconds >= 0.0 && *seconds < 60.0, "{name}: {seconds}");
    }
    assert!(err.contains("per template, CPU time summed across threads"));
    // The lines sit under the render stage, before the write stage.
    let render = err.find("  render: ").unwrap();
    let write = err.find("  write: ").unwrap();
    let first = err.find("    indicator.html: ").unwrap();
    assert!(render < first && first < write, "{err}");
}

#[test]
fn verbose_with_a_baseline_lists_the_changes_page_and_json() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    fs::copy(f.site().join("metrics.json"), f.root.join("old.json")).unwrap();
    let out = f.run(&["build", "-v", "project", "--baseline", "project/old.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = template_lines(&stderr(&out));
    let counts: BTreeMap<String, usize> = listed.iter().map(|(k, v)| (k.clone(), v.0)).collect();
    assert_eq!(counts, pages_of_each_kind(&f.site()));
    assert_eq!(counts["whats-changed.html"], 1);
    assert_eq!(counts["changes.json"], 1);
}

#[test]
fn without_verbose_no_timing_is_printed_and_the_site_is_the_same() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for word in [
        "per template",
        "indicator.html:",
        "  render:",
        "metrics.json:",
    ] {
        assert!(!err.contains(word), "{word} printed without -v:\n{err}");
    }
    let quiet = snapshot_tree(&f.site());
    let out = f.run(&["build", "-v", "project", "--out", "verbose"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("per template"));
    let verbose = snapshot_tree(&f.root.parent().unwrap().join("verbose"));
    assert_eq!(quiet, verbose, "timings must never reach the site");
}
