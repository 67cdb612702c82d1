//! The site a consultant publishes: verbatims, branding, the one-page report,
//! `--language`, `--pdf` and template overrides, on the real binary.

use std::fs;

use crate::harness::{stderr, Fixture};

fn page(f: &Fixture, rel: &str) -> String {
    fs::read_to_string(f.site().join(rel)).unwrap()
}

/// The text of the verbatims block (between its heading and the next section).
fn verbatims_block(html: &str) -> &str {
    let start = html.find("class=\"verbatims\"").expect("a verbatims block");
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn verbatims_are_sampled_per_nps_group_escaped_and_masked() {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        "min_n: 3\nmin_n_comments: 1\n",
    );
    f.edit(
        "data/survey.csv",
        ",Bad,",
        ",\"<script>alert(1)</script> call +86 138-0013-8000\",",
    );
    f.edit(
        "data/survey.csv",
        ",\"Slow, but ok\",",
        ",\"Slow, but ok; mail joe.bloggs@example.org\",",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let nps = page(&f, "indicators/nps.html");
    let block = verbatims_block(&nps);
    // nps answers: 10 9 9 8 7 6 3 10 9 (and a blank): promoters 5, passives 2, detractors 2.
    assert!(
        block.contains("5 responses") && block.contains("2 responses"),
        "{block}"
    );
    let promoters = &block[block.find("vg-promoter").unwrap()..block.find("vg-passive").unwrap()];
    assert!(promoters.contains("Great") && promoters.contains("Slow, but ok"));
    let detractors = &block[block.find("vg-detractor").unwrap()..];
    assert!(detractors.contains("&lt;script&gt;alert(1)&lt;/script&gt; call ••• •••• ••••"));
    assert!(!nps.contains("<script>") && !nps.contains("138-0013"));
    assert!(
        promoters.contains("Slow, but ok; mail •••@•••"),
        "{promoters}"
    );
    // Neither the address nor the number reaches any file of the site.
    for entry in walkdir::WalkDir::new(f.site()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            assert!(
                !text.contains("joe.bloggs") && !text.contains("138-0013"),
                "{}",
                entry.path().display()
            );
        }
    }
    // The persona holds only persona=new rows: 10 (Great), 9, 7, 3, 10.
    let persona = page(&f, "personas/newcomer.html");
    let block = verbatims_block(&persona);
    assert!(
        block.contains("Great") && !block.contains("Slow, but ok"),
        "{block}"
    );
    assert!(
        block.contains("3 responses") && block.contains("1 response<"),
        "{block}"
    );
}

#[test]
fn verbatims_of_small_groups_are_withheld() {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        "min_n: 3\nmin_n_comments: 3\n",
    );
    assert!(f.build().status.success());
    let nps = page(&f, "indicators/nps.html");
    let block = verbatims_block(&nps);
    // Promoters (5 rows) are shown; detractors (2 rows, one comment "Bad") are not.
    assert!(block.contains("Great"));
    assert!(!block.contains("Bad"));
    assert_eq!(
        block.matches("Fewer than 3 responses").count(),
        2,
        "{block}"
    );
}

#[test]
fn brand_sets_logo_colours_and_an_escaped_footer() {
    let f = Fixture::copy("tiny");
    f.write(
        "static/acme.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        "min_n: 3\nbrand:\n  logo: static/acme.svg\n  primary: \"#0B3D91\"\n  accent: \"#C2410C\"\n  footer: \"<b>ACME</b> & partners\"\n",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    // No warning but the red composite's coverage gap (no open action).
    let warnings = stderr(&out);
    let other =
        (warnings.lines()).filter(|l| l.contains("warning") && !l.contains("has no open action"));
    assert_eq!(other.count(), 0, "{warnings}");
    assert!(f.site().join("brand/acme.svg").is_file());
    let index = page(&f, "index.html");
    assert!(index.contains(":root{--primary:#0b3d91;--accent:#c2410c}"));
    assert!(index.contains("src=\"brand/acme.svg\" alt=\"Test client\""));
    assert!(
        index.contains("&lt;b&gt;ACME&lt;&#x2F;b&gt; &amp; partners")
            || index.contains("&lt;b&gt;ACME&lt;/b&gt; &amp; partners"),
        "{index}"
    );
    let nested = page(&f, "indicators/nps.html");
    assert!(nested.contains("src=\"../brand/acme.svg\""));
}

#[test]
fn brand_errors_name_the_place_and_a_light_primary_is_a_warning() {
    let f = Fixture::copy("tiny");
    f.write("../outside.png", "x");
    // Line 7 is `brand:` after this edit; values start at column 12 / 11.
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        "min_n: 3\nbrand:\n  primary: blue\n  logo: ../outside.png\n",
    );
    let out = f.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cxscore.yaml:8:12: error: `primary` is `blue`, but it must be a colour written #rrggbb"),
        "{err}"
    );
    assert!(
        err.contains(
            "cxscore.yaml:9:9: error: `logo` `../outside.png` is outside the project folder"
        ),
        "{err}"
    );

    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        "min_n: 3\nbrand: { primary: \"#ffcc00\" }\n",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    // #ffcc00: L = 0.2126·1 + 0.7152·0.6038 + 0 = 0.6445 → 1.05 / 0.6945 = 1.51.
    assert!(
        stderr(&out).contains("warning: `primary` #ffcc00 has a contrast of 1.51:1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn report_holds_the_whole_scorecard_in_one_page() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let report = page(&f, "report.html");
    assert!(report.contains("<p class=\"cover-client\">Test client</p>"));
    assert!(report.contains("Period: Jan 2026 – Feb 2026"), "{report}");
    for anchor in [
        "scorecard",
        "indicator-nps",
        "indicator-cx-index",
        "journey-join",
        "methodology",
    ] {
        assert!(report.contains(&format!("id=\"{anchor}\"")), "no {anchor}");
        assert!(
            report.contains(&format!("href=\"#{anchor}\"")),
            "no toc entry {anchor}"
        );
    }
    // Sections link from the site root, where the report lives.
    assert!(report.contains("href=\"indicators/nps.html\""));
    assert!(!report.contains("href=\"../"));
}

#[test]
fn report_sections_are_the_pages_with_links_from_the_root() {
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    // Chart ids carry their section's suffix in the report (`cx-trend-<hash>-s3`).
    let id = regex::Regex::new(r"\b(cx-[a-z]+-[0-9a-f]{16})-s[0-9]+\b").unwrap();
    let report = id.replace_all(&page(&f, "report.html"), "$1").into_owned();
    let main = |html: &str| {
        let open = "<main id=\"main\">";
        let start = html.find(open).unwrap() + open.len();
        html[start..html.rfind("</main>").unwrap()]
            .trim()
            .to_string()
    };
    // Pages one folder down link with "../"; in the report the same links start at the root.
    for path in [
        "indicators/nps.html",
        "indicators/cx-index.html",
        "journeys/join.html",
    ] {
        let inner = main(&page(&f, path));
        assert!(inner.contains("=\"../"), "{path} has relative links");
        let flat = inner.replace("=\"../", "=\"");
        assert!(report.contains(&flat), "{path} differs in the report");
    }
    for path in ["index.html", "methodology.html"] {
        assert!(report.contains(&main(&page(&f, path))), "{path}");
    }
}

#[test]
fn language_flag_builds_the_site_in_chinese() {
    let f = Fixture::copy("tiny");
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = page(&f, "index.html");
    assert!(index.contains("<html lang=\"zh-CN\">"));
    assert!(index.contains("计分卡"));
    assert_eq!(f.metrics()["project"]["language"], "zh-CN");
    let nps = page(&f, "indicators/nps.html");
    assert!(nps.contains("2026年1月"), "period labels in Chinese");
    for english in [
        "No data",
        "Scorecard",
        " bars, ",
        "periods, from",
        "Show the data",
    ] {
        assert!(
            !nps.contains(english) && !index.contains(english),
            "{english}"
        );
    }
    let bad = f.run(&["build", "project", "--language", "fr"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn pdf_without_a_browser_says_how_to_install_one_and_keeps_the_site() {
    let f = Fixture::copy("tiny");
    let out = assert_cmd::Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(f.root.parent().unwrap())
        .env("CXSCORE_CHROMIUM", "/nonexistent/chromium")
        .args(["build", "project", "--pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("apt-get install chromium"), "{err}");
    assert!(err.contains("the site itself was written"), "{err}");
    assert!(f.site().join("report.html").is_file());
    assert!(!f.site().join("report.pdf").exists());
}

#[test]
fn a_project_template_overrides_the_theme() {
    let f = Fixture::copy("tiny");
    f.write(
        "templates/partials/tile.html",
        "<article class=\"house-tile\">{{ ind.name }}: {{ ind.value_text }}</article>",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let index = page(&f, "index.html");
    assert!(index.contains("<article class=\"house-tile\">Net Promoter Score: "));
    assert!(
        !index.contains("<dl class=\"tile-facts\">"),
        "the theme's tile is gone"
    );
    // Pages that include the partial use the override too, others keep the theme.
    assert!(page(&f, "personas/newcomer.html").contains("house-tile"));
    assert!(page(&f, "methodology.html").contains("class=\"site-header\""));
}

#[test]
fn no_page_repeats_an_element_id() {
    // A repeated id breaks `aria-labelledby` (a screen reader may read the
    // wrong chart's title) and `#anchor` links. The index shows each
    // sparkline twice (tile and table row), the report holds every page.
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(f.site()).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = fs::read_to_string(&path).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for piece in html.split(" id=\"").skip(1) {
            let id = &piece[..piece.find('"').unwrap()];
            assert!(seen.insert(id), "{}: id {id:?} twice", path.display());
        }
    }
    assert!(pages > 20, "{pages} pages");
}

#[test]
fn chart_tables_write_numbers_as_the_page_does() {
    // tiny's `rows` count: 5 rows in January, 5 in February (by hand). The
    // trend chart's data table writes a count as the page does ("5", not
    // "5.0"), and a negative interval end in the segment chart's
    // table has the page's minus sign.
    let f = Fixture::copy("tiny");
    assert!(f.build().status.success());
    let rows = page(&f, "indicators/rows.html");
    assert!(
        rows.contains("<th scope=\"row\">Jan 2026</th><td>5</td>"),
        "{rows}"
    );
    let nps = page(&f, "indicators/nps.html");
    // app's NPS interval starts below zero: −60.7 on the page and in the chart's table
    // (tiny has a weight column, so the se is the design-based one, SPEC §11: app's answers
    // 9 8 6 10 → y = 1 0 −1 1, ȳ = 0.25, Σ(y − ȳ)² = 2.75; Var = 10/9 · 2.75/4² = 0.190972;
    // 25 − 1.959964·√0.190972·100 = −60.651).
    assert!(
        nps.contains("<th scope=\"row\">app</th><td>25.0</td><td>−60.7</td>"),
        "{nps}"
    );
    assert!(!nps.contains("<td>-"));
}

/// The example built with `report:` set to `window`, in `language`: its scorecard.
fn scorecard_with_window(window: &str, language: &str) -> String {
    let f = Fixture::copy("example-project");
    f.edit(
        "cxscore.yaml",
        "\nperiod: month\n",
        &format!("\nperiod: month\nreport: {{ window: {window} }}\n"),
    );
    let out = f.run(&["build", "project", "--language", language]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    page(&f, "index.html")
}

#[test]
fn the_site_names_ytd_and_rolling_windows_in_english_and_chinese() {
    // The example's data ends in December 2025.
    let ytd = scorecard_with_window("ytd", "en");
    assert!(ytd.contains("2025 to date"), "ytd en");
    // ytd's year ago is January–December 2024.
    assert!(ytd.contains("vs Jan–Dec 2024"), "ytd en comparison");
    let ytd_zh = scorecard_with_window("ytd", "zh-CN");
    assert!(ytd_zh.contains("2025年至今"), "ytd zh-CN");
    let rolling = scorecard_with_window("{ rolling: 3 }", "en");
    assert!(rolling.contains("Oct–Dec 2025"), "rolling en");
    // The previous three months: July–September.
    assert!(rolling.contains("vs Jul–Sep 2025"), "rolling en previous");
    let rolling_zh = scorecard_with_window("{ rolling: 3 }", "zh-CN");
    assert!(rolling_zh.contains("2025年10月–12月"), "rolling zh-CN");
    // Neither says the default latest month as the window.
    assert!(!rolling.contains("Reporting window: Dec 2025"));
}

#[test]
fn the_comments_beside_a_number_name_its_window() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let nps = page(&f, "indicators/nps-overall.html");
    assert!(
        nps.contains(r#"What customers say <span class="window-label">Dec 2025</span>"#),
        "no window on the comments"
    );
    let metrics = f.metrics();
    assert_eq!(metrics["project"]["window"]["label"], "2025-12");
    // The journey's stage scores are its indicators' window values; a key
    // driver analysis reads its own window (default every row): both say so.
    let journey = page(&f, "journeys/broadband-new-line.html");
    assert!(journey.contains("Reporting window: Dec 2025"));
    let drivers = page(&f, "drivers.html");
    assert!(drivers.contains("Rows read: all data"));
    assert_eq!(metrics["drivers"][0]["window"]["kind"], "all");
}
