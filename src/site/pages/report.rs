//! `report.html`: the whole scorecard in one page, paginated for print.
//!
//! Input: the renderer and the pages' builders. Output: one page with a cover
//! (logo, client, title, period), a table of contents, then the `<main>` of the
//! scorecard, every indicator page, every journey map, the key drivers and the
//! methodology, each starting a new printed page. The sections are rendered by
//! the same builders and templates as the pages themselves (with links written
//! from the site root), so the report can never disagree with the site and a
//! project's template override shows in both.

use serde::Serialize;

use super::{drivers, people, reports, scorecard, Built};
use crate::baseline::Changes;
use crate::metrics::computed::Computed;
use crate::project::model::Project;
use crate::site::format::period_label;
use crate::site::render::{RenderError, Renderer};
use crate::site::views::pairs;

/// Where the report is written in the site.
pub const PATH: &str = "report.html";

#[derive(Serialize)]
struct Section {
    anchor: String,
    title: String,
    body_html: String,
}

/// The inside of a page's `<main id="main">`: the part the report embeds.
///
/// A custom `base.html` without that element contributes its whole body
/// instead, so an override never silently empties the report.
fn main_of(page: &[u8]) -> String {
    let html = String::from_utf8_lossy(page);
    let open = "<main id=\"main\">";
    let inner = html
        .find(open)
        .map(|i| i + open.len())
        .zip(html.rfind("</main>"))
        .filter(|(a, b)| a <= b)
        .or_else(|| {
            let start = html
                .find("<body")
                .and_then(|i| html[i..].find('>').map(|j| i + j + 1))?;
            Some((start, html.rfind("</body>")?))
        });
    inner.map_or_else(String::new, |(a, b)| html[a..b].trim().to_string())
}

/// The report page; `r` is the site's renderer (a flat copy is made here).
pub fn report(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    changes: Option<&Changes>,
) -> Result<Built, RenderError> {
    let flat = r.flat();
    let t = r.t;
    let mut sections = Vec::new();
    let mut push = |anchor: String, title: String, built: Built| {
        sections.push(Section {
            anchor,
            title,
            body_html: main_of(&built.1),
        });
    };
    push(
        "scorecard".into(),
        t.get("scorecard"),
        scorecard::index(&flat, project, computed, changes)?,
    );
    for (ind, res) in pairs(project, &computed.indicators) {
        let page = scorecard::indicator(&flat, project, computed, ind, res)?;
        push(format!("indicator-{}", ind.id), ind.name.clone(), page);
    }
    for j in &project.journeys {
        let page = people::journey(&flat, project, computed, j)?;
        push(format!("journey-{}", j.id), j.name.clone(), page);
    }
    if !computed.drivers.is_empty() {
        push(
            "drivers".into(),
            t.get("drivers"),
            drivers::page(&flat, project, computed)?,
        );
    }
    push(
        "methodology".into(),
        t.get("methodology"),
        reports::methodology(&flat, project, computed)?,
    );
    let mut ctx = r.context(PATH, "report");
    let period = period_text(computed, r);
    let period_line = if period.is_empty() {
        period
    } else {
        t.fill("report_period", &[("period", &period)])
    };
    ctx.insert("period_text", &period_line);
    ctx.insert("sections", &sections);
    r.page(PATH, "report.html", &t.get("report"), ctx)
}

/// "Jan 2025 – Dec 2025": the first and last period with data, or "".
fn period_text(computed: &Computed, r: &Renderer) -> String {
    let periods = computed
        .indicators
        .iter()
        .flat_map(|i| i.periods.iter().map(|p| p.period.as_str()));
    match (periods.clone().min(), periods.max()) {
        (Some(a), Some(b)) if a == b => period_label(a, r.t),
        (Some(a), Some(b)) => format!("{} – {}", period_label(a, r.t), period_label(b, r.t)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::main_of;

    #[test]
    fn main_of_takes_the_main_element_or_else_the_body() {
        let page = b"<html><body><header>h</header><main id=\"main\">\n<h1>X</h1>\n</main><footer/></body></html>";
        assert_eq!(main_of(page), "<h1>X</h1>");
        assert_eq!(
            main_of(b"<html><body class=\"a\"><p>only</p></body></html>"),
            "<p>only</p>"
        );
        assert_eq!(main_of(b"no html at all"), "");
    }
}
