//! The Actions and Owners pages (SPEC §10): they exist, are linked, show the register and the
//! evaluations, mark the actions on indicator pages, trend charts and journey maps, work in
//! both catalogues, and escape everything a user wrote (hostile titles, owners, Markdown).

use std::fs;

use crate::harness::{stderr, Fixture};

fn page(f: &Fixture, rel: &str) -> String {
    fs::read_to_string(f.site().join(rel)).unwrap()
}

/// The `<main>` of a page: what the page itself says (not the navigation).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap();
    let end = html.find("</main>").unwrap();
    &html[start..end]
}

#[test]
fn actions_and_owners_pages_exist_and_are_linked() {
    let f = Fixture::copy("actions");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let actions = page(&f, "actions.html");
    let owners = page(&f, "owners.html");
    let index = page(&f, "index.html");
    assert!(
        index.contains("href=\"actions.html\""),
        "no nav link to actions"
    );
    assert!(
        index.contains("href=\"owners.html\""),
        "no nav link to owners"
    );
    let body = main_of(&actions);
    // Grouped by status (in progress first) then owner; the overdue one marked.
    let (p, d) = (
        body.find("id=\"status-in_progress\"").unwrap(),
        body.find("id=\"status-done\"").unwrap(),
    );
    assert!(p < d);
    assert!(body.contains("1 overdue"));
    assert!(body.contains("class=\"overdue\">overdue</strong>"));
    // The evaluation of the overdue action: its numbers as metrics.json has them, rounded.
    let m = f.metrics();
    let wait = &m["actions"][1]["evaluations"][0];
    let change = wait["change"].as_f64().unwrap();
    assert!(
        body.contains(&format!("−{:.2}", change.abs())),
        "change {change} not shown"
    );
    assert!(body.contains("▼</span> significant"));
    assert!(body.contains("Met (hoped for −2.00)"));
    // The planned action after as_of is not evaluated yet; the control is explained.
    assert!(body.contains("Not evaluated yet: it starts in Jan 2026"));
    assert!(body.contains("the rows where region is North"));
    // The control's own values beside the difference-in-differences (NPS of the North:
    // −8.26 → 10.16, tests/reference/actions.json), rounded to the metric's decimal.
    assert!(
        body.contains("Control: −8.3 → 10.2 (+18.4)"),
        "control values not shown"
    );
    // Owners: csat (red) before nps in Field operations? csat is Field operations' only
    // indicator; Customer service owns nps. Every owner named anywhere has a section.
    let owners = main_of(&owners);
    for name in [
        "Contact centre",
        "Customer service",
        "Digital sales",
        "Field operations",
    ] {
        assert!(owners.contains(&format!("<h2>{name}</h2>")), "{name}");
    }
    assert!(owners.contains("Installation satisfaction"));
    // The indicator page lists its actions and the trend marks their start.
    let nps = page(&f, "indicators/nps.html");
    assert!(main_of(&nps).contains("Text the customer 30 minutes before the engineer arrives"));
    assert!(nps.contains("Text the customer 30 minutes before the engineer arrives (Jun 2025)"));
    // The journey map shows the actions on their touchpoints.
    let journey = main_of(&page(&f, "journeys/home.html")).to_string();
    assert!(
        journey.contains("Engineer visit:</span> <a href=\"../actions.html#action-install-sms\"")
    );
    assert!(journey.contains("Callback:</span> <a href=\"../actions.html#action-faster-callback\""));
    // The report has the actions section; the methodology explains family (h).
    assert!(page(&f, "report.html").contains("id=\"actions\""));
    assert!(page(&f, "methodology.html").contains("family (h)"));
}

#[test]
fn action_pages_speak_chinese() {
    let f = Fixture::copy("actions");
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let actions = page(&f, "actions.html");
    assert!(main_of(&actions).contains("<h1>改进行动</h1>"));
    assert!(main_of(&actions).contains("进行中"));
    assert!(main_of(&page(&f, "owners.html")).contains("<h1>负责人</h1>"));
}

#[test]
fn hostile_action_text_is_escaped_everywhere() {
    let f = Fixture::copy("actions");
    let title = "Text the customer 30 minutes before the engineer arrives";
    f.edit(
        "actions/ops.yaml",
        title,
        "\"<script>alert('t')</script> & <b>bold</b>\"",
    );
    f.edit(
        "actions/ops.yaml",
        "owner: Field operations",
        "owner: \"<img src=x onerror=alert(1)>\"",
    );
    f.edit(
        "actions/ops.yaml",
        "    Rolled out everywhere **but the North**, which kept the old letters.",
        "    <script>alert('d')</script> [x](javascript:alert(2)) <img src=y onerror=alert(3)>",
    );
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    for rel in [
        "actions.html",
        "owners.html",
        "indicators/nps.html",
        "indicators/csat.html",
        "journeys/home.html",
        "report.html",
    ] {
        let html = page(&f, rel);
        assert!(
            !html.contains("<script>alert"),
            "{rel}: a script got through"
        );
        assert!(
            !html.contains("<img src=x"),
            "{rel}: an owner's tag got through"
        );
        assert!(
            !html.contains("<img src=y"),
            "{rel}: a description's tag got through"
        );
        assert!(
            !html.contains("href=\"javascript"),
            "{rel}: a javascript: link got through"
        );
        assert!(
            !html.contains("<b>bold</b>"),
            "{rel}: markup in a title got through"
        );
    }
    let actions = page(&f, "actions.html");
    assert!(
        actions.contains("&lt;script&gt;alert("),
        "the title is not shown escaped"
    );
    assert!(
        actions.contains("&amp; &lt;b&gt;bold"),
        "the title is not shown escaped"
    );
    assert!(page(&f, "owners.html").contains("&lt;img src=x onerror=alert(1)&gt;"));
}
