//! Entry points for the fuzz targets in `fuzz/` (not part of the public API).
//!
//! Each function takes arbitrary bytes and drives one hostile-input path the
//! way the binary does, through the same library functions: the project
//! loader and validator, the CSV scan and metric engine, and the Markdown
//! sanitiser. A panic (or a sanitiser escape, for Markdown) is a finding.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use crate::diag::Diagnostics;
use crate::project::model::{BadRows, Encoding, Project};
use crate::{metrics, project, site};

/// Separates the files of a YAML fuzz input: `cxscore.yaml`, an indicators
/// file, a persona, a journey, a page and an actions file, in that order
/// (an input written before actions existed simply has no actions file).
pub const SEPARATOR: &str = "\n#~~~\n";

const FILES: [&str; 6] = [
    "cxscore.yaml",
    "indicators/fuzz.yaml",
    "personas/fuzz.yaml",
    "journeys/fuzz.yaml",
    "pages/fuzz.md",
    "actions/fuzz.yaml",
];

/// A small, valid data file so that configurations that validate also compute.
const SURVEY: &str = "date,channel,persona,w,nps,csat,minutes,ok,comment,email\n\
2026-01-05,web,new,1,10,5,12,yes,Great,a@example.com\n\
2026-01-06,app,old,2,6,2,30,no,\"Slow, but ok\",b@example.com\n\
2026-02-02,web,new,1,9,4,45,yes,,c@example.com\n";

fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder for fuzzing");
        for sub in [
            "indicators",
            "personas",
            "journeys",
            "pages",
            "data",
            "actions",
        ] {
            fs::create_dir_all(dir.path().join(sub)).expect("scratch folders");
        }
        fs::write(dir.path().join("data/survey.csv"), SURVEY).expect("scratch data");
        dir
    })
    .path()
}

/// Loads, validates and (when valid) computes a project whose definition
/// files are the [`SEPARATOR`]-separated parts of `data`.
pub fn project_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = scratch();
    let mut parts = text.split(SEPARATOR);
    for file in FILES {
        let path = root.join(file);
        match parts.next() {
            Some(part) => fs::write(&path, part).expect("scratch write"),
            None => {
                let _ = fs::remove_file(&path);
            }
        }
    }
    let mut diags = Diagnostics::new();
    if let Some(project) = project::load(root, &mut diags) {
        if !diags.has_errors() {
            let _ = metrics::compute(&project, &mut diags);
        }
    }
    for d in diags.sorted() {
        let _ = d.to_string();
    }
}

/// The project the CSV target scans with: every metric kind, a weight, a
/// date, a segment, a persona, a `where` and a driver analysis.
const CSV_PROJECT: &str = "title: Fuzz\nmin_n: 1\ndatasets:\n  survey:\n    path: data/survey.csv\n    date: { column: date }\n    weight: w\n    segments: [channel]\n    comments: comment\n    pii: [email]\ndrivers:\n  - dataset: survey\n    outcome: nps\n    attributes: { csat: Satisfaction, minutes: Speed }\n";
const CSV_INDICATORS: &str = "- { id: nps, name: N, kind: kci, dataset: survey, metric: nps, column: nps, target: 30 }\n- { id: csat, name: C, kind: kci, dataset: survey, metric: csat, column: csat, where: { channel: web } }\n- { id: p90, name: P, kind: kqi, dataset: survey, metric: percentile, p: 90, column: minutes }\n- { id: mean, name: M, kind: kpi, dataset: survey, metric: mean, column: minutes }\n- { id: ok, name: O, kind: kqi, dataset: survey, metric: share, column: ok, value: 'yes' }\n- { id: rows, name: R, kind: kpi, dataset: survey, metric: count }\n- { id: cx, name: X, kind: kci, metric: composite, components: { nps: 1, csat: 1 } }\n";
const CSV_PERSONA: &str = "id: newcomer\nname: Newcomer\nmatch: { column: persona, equals: new }\n";

fn csv_project() -> &'static (tempfile::TempDir, Project) {
    static PROJECT: OnceLock<(tempfile::TempDir, Project)> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder for fuzzing");
        let root = dir.path();
        for (file, text) in [
            ("cxscore.yaml", CSV_PROJECT),
            ("indicators/core.yaml", CSV_INDICATORS),
            ("personas/new.yaml", CSV_PERSONA),
            ("data/survey.csv", SURVEY),
        ] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().expect("a parent")).expect("scratch folders");
            fs::write(path, text).expect("scratch write");
        }
        let mut diags = Diagnostics::new();
        let project = project::load(root, &mut diags).expect("the fuzz project loads");
        assert!(!diags.has_errors(), "{:?}", diags.sorted());
        (dir, project)
    })
}

/// Scans `data[1..]` as the data file of a project with every metric kind; the
/// first byte picks the encoding, delimiter and `bad_rows` policy.
pub fn csv_scan(data: &[u8]) {
    let Some((&dialect, bytes)) = data.split_first() else {
        return;
    };
    let (dir, project) = csv_project();
    fs::write(dir.path().join("data/survey.csv"), bytes).expect("scratch write");
    let mut project = project.clone();
    let ds = project
        .config
        .datasets
        .get_mut("survey")
        .expect("the fuzz dataset");
    ds.encoding = [
        Encoding::Utf8,
        Encoding::Gbk,
        Encoding::Gb18030,
        Encoding::Utf16,
    ][usize::from(dialect & 3)];
    ds.delimiter = [b',', b';', b'\t', b'|'][usize::from((dialect >> 2) & 3)];
    ds.bad_rows = if dialect & 16 == 0 {
        BadRows::Fail
    } else {
        BadRows::Skip
    };
    let mut diags = Diagnostics::new();
    let computed = metrics::compute(&project, &mut diags);
    let _ = serde_json::to_string(&computed);
}

/// Renders `data` as page Markdown (shortcodes cut out and put back as the
/// site does) and panics if anything executable survives the sanitiser.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (body, codes) = site::markdown::extract_shortcodes(text);
    let html = site::markdown::to_safe_html(&body);
    let tiles: Vec<String> = codes.iter().map(|_| "<div></div>".to_string()).collect();
    let html = site::markdown::insert_shortcodes(&html, &tiles);
    if let Some(bad) = executable(&html) {
        panic!("sanitiser let through {bad:?} in {html:?}");
    }
}

/// The first executable construct in `html`, if any: a script, iframe,
/// object or embed element, an `on…=` handler, or a `javascript:` /
/// `data:` / `vbscript:` URL in an attribute. Text outside tags is escaped by
/// the renderer (`<` is `&lt;`), so only real tags are examined.
pub fn executable(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let tag_end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if [
            "script", "iframe", "object", "embed", "style", "base", "meta", "form",
        ]
        .contains(&name.as_str())
        {
            return Some(tag.to_string());
        }
        let attrs = &tag[1 + name.len()..];
        for (i, _) in attrs.match_indices("on") {
            let before = attrs[..i].chars().last();
            let after: String = attrs[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let next = attrs[i + 2 + after.len()..].trim_start().starts_with('=');
            if before.is_some_and(|c| c.is_whitespace() || c == '/' || c == '"')
                && !after.is_empty()
                && next
                && !inside_quotes(attrs, i)
            {
                return Some(tag.to_string());
            }
        }
        for scheme in ["javascript:", "vbscript:", "data:"] {
            for (i, _) in attrs.match_indices(scheme) {
                // Only a scheme at the start of an attribute's value runs:
                // `href="c=javascript:x"` is a harmless relative link.
                let before =
                    attrs[..i].trim_end_matches(|c: char| c.is_whitespace() || c.is_control());
                let before = if inside_quotes(attrs, i) {
                    before.strip_suffix(['"', '\''])
                } else {
                    Some(before)
                };
                // ... of an attribute that holds a URL: `title="javascript:x"`
                // is a tooltip's text.
                let name = before
                    .and_then(|b| b.trim_end().strip_suffix('='))
                    .map(|b| {
                        let b = b.trim_end();
                        let from = b
                            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-'))
                            .map_or(0, |j| j + 1);
                        &b[from..]
                    });
                if name.is_some_and(|n| URL_ATTRIBUTES.contains(&n)) {
                    return Some(tag.to_string());
                }
            }
        }
        rest = &rest[tag_end..];
    }
    None
}

/// The attributes whose value a browser follows or loads as a URL.
const URL_ATTRIBUTES: [&str; 16] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcset",
    "poster",
    "background",
    "cite",
    "data",
    "codebase",
    "ping",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "manifest",
];

/// True when byte `at` of a tag's attribute text lies inside a quoted value.
fn inside_quotes(attrs: &str, at: usize) -> bool {
    let mut quote = None;
    for (i, c) in attrs.char_indices() {
        if i >= at {
            break;
        }
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    quote.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_detector_sees_what_it_must() {
        assert!(executable("<p>hi</p>").is_none());
        assert!(executable("<p>&lt;script&gt; onerror=x javascript:</p>").is_none());
        assert!(executable("<a href=\"https://x\" title=\"on=1\">a</a>").is_none());
        assert!(executable("<script>x</script>").is_some());
        assert!(executable("<img src=x onerror=alert(1)>").is_some());
        assert!(executable("<img src=x\nonerror = \"a\">").is_some());
        assert!(executable("<a href=\"javascript:alert(1)\">a</a>").is_some());
        assert!(executable("<IFRAME src=x>").is_some());
        assert!(executable("<a href= ' javascript:x'>a</a>").is_some());
        assert!(executable("<a href=javascript:x>a</a>").is_some());
        // Found by the 60 s smoke run: a relative link whose path holds `javascript:`
        // is not executable (the detector, not the sanitiser, was wrong).
        assert!(executable("<a href=\"c=javascript:alert(1)\" rel=\"noopener\">x</a>").is_none());
        // Found by CI's smoke run of 3 December: a link's title is text, not a URL.
        assert!(executable("<a href=\"i\" title=\"javascript:charoff\">x</a>").is_none());
        assert!(executable("<a title=\"t\" href=\"JavaScript:x\">x</a>").is_some());
        assert!(executable("<img alt=\"a\" src = 'data:text/html,x'>").is_some());
        assert!(executable("<svg><a xlink:href=\"javascript:x\">x</a></svg>").is_some());
    }

    #[test]
    fn every_entry_point_runs_on_its_seed_and_on_garbage() {
        project_yaml(CSV_PROJECT.as_bytes());
        project_yaml(b"title: [\n#~~~\n- id: x\n");
        // An actions file (the sixth part) with every key wrong at once.
        let actions = "\n#~~~\n".repeat(5)
            + "- id: A\n  title: t\n  indicators: [nope]\n  stage: s\n  start: 2026-99\n  status: x\n  periods: 0\n  expected: { z: .nan }\n  control: { column: c, equals: [1] }\n";
        project_yaml(format!("{CSV_PROJECT}{actions}").as_bytes());
        let mut seed = vec![0u8];
        seed.extend(SURVEY.as_bytes());
        csv_scan(&seed);
        csv_scan(b"\x05\xff\xfe\x00\"\n\n,,,");
        markdown(b"# Title\n\n<img src=x onerror=alert(1)> {{ indicator(\"nps\") }}");
        // The smoke run's finding, verbatim (fuzz/artifacts/markdown/crash-58a3fb49…).
        markdown(b"# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](c=javascript:alert(1))\n\n<iframe src=\"https:6/evil\"-|---|\n| 1 | {{ indicator(\"nps\") }} |\n");
        // CI's smoke run of 3 December (crash-0837ed48…): `[x](i\n(javascript:charoff))`
        // is a link whose title is `javascript:charoff`.
        markdown(b"# Hi\n(javascript:a1)>\n\n[x](i\n(javascript:charoff))\n\n\nlt(1))\n\n\nlert(1)|\n\n[x](i\n(javascript:alert(0))\n\n\nlt(1))\n\n\nlert(1)| <a/sc");
    }
}
