//! `report.html`: the whole site in one page, paginated for print.
//!
//! Input: the renderer and the copies the pages left while they were rendered.
//! Output: one page with a cover (logo, client, title, period), a table of
//! contents, then the `<main>` of every page a reader of the site sees — the
//! narrative pages, the scorecard, the personas, the journeys, every
//! indicator, the drivers, the topics, the value at stake, the actions and
//! owners, what changed and the methodology — each starting a new printed
//! page. The sections are the pages themselves, rendered by the same
//! builders and templates from the same views (a second time with links
//! written from the site root, see [`Renderer::copying`]), so the report can
//! never disagree with the site, a project's template override shows in both,
//! and no chart is drawn twice.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Built;
use crate::metrics::computed::Computed;
use crate::project::model::Project;
use crate::site::format::period_label;
use crate::site::paths::{self, Page};
use crate::site::render::{RenderError, Renderer};
use crate::site::views::pairs;

/// Where the report is written in the site (kept for `build --pdf`).
pub const PATH: &str = paths::REPORT;

#[derive(Serialize)]
struct Section {
    anchor: String,
    title: String,
    body_html: String,
}

/// The report page, from the `copies` of the pages it embeds (made by a
/// [`Renderer::copying`] renderer into [`crate::site::copies::Copies`]).
///
/// Every page type a reader of the site sees, in reading order: the
/// narrative pages first (the consultant's story), then the scorecard, the
/// personas (their list, then each persona's card and ladder), the journeys,
/// every indicator, the drivers, the topics, the value at stake, the actions
/// and their owners, what changed since the baseline (`has_changes`), and the
/// methodology. A page the site does not build (no drivers, no actions…) has
/// no section.
pub fn report(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    has_changes: bool,
    mut copies: BTreeMap<String, String>,
) -> Result<Built, RenderError> {
    let sections = wanted(r, project, computed, has_changes)
        .into_iter()
        .map(|(anchor, title, page)| {
            let path = page.path();
            let body_html = copies.remove(&path).ok_or_else(|| {
                RenderError::new(
                    PATH,
                    format!("the page {path} was not rendered for the report"),
                )
            })?;
            Ok((anchor, title, body_html))
        })
        .collect::<Result<Vec<_>, RenderError>>()?;
    let sections = (sections.into_iter().enumerate())
        .map(|(i, (anchor, title, body_html))| Section {
            anchor,
            title,
            body_html: scoped_chart_ids(&body_html, i),
        })
        .collect();
    let t = r.t;
    let period = period_text(computed, r);
    let period_line = if period.is_empty() {
        period
    } else {
        t.fill("report_period", &[("period", &period)])
    };
    let window = crate::site::format::window_label(&computed.project.window, t);
    let view = ReportView {
        window_text: t.fill("reporting_window", &[("window", &window)]),
        period_text: period_line,
        sections,
    };
    r.page(Page::Report, &t.get("report"), &view)
}

/// The sections of the report, in reading order: anchor, title, and the page
/// whose copy is the body. Anchors are the page's kind, with its id for the
/// pages of which there are many ("indicator-nps").
fn wanted<'a>(
    r: &Renderer,
    project: &'a Project,
    computed: &'a Computed,
    has_changes: bool,
) -> Vec<(String, String, Page<'a>)> {
    let t = r.t;
    let mut wanted = Vec::new();
    for p in &project.pages {
        let page = Page::Narrative(&p.slug);
        wanted.push((format!("page-{}", p.slug), p.title.clone(), page));
    }
    wanted.push(("scorecard".into(), t.get("scorecard"), Page::Index));
    if !project.personas.is_empty() {
        wanted.push(("personas".into(), t.get("personas"), Page::Personas));
    }
    for p in &project.personas {
        let page = Page::Persona(&p.id);
        wanted.push((format!("persona-{}", p.id), p.name.clone(), page));
    }
    for j in &project.journeys {
        let page = Page::Journey(&j.id);
        wanted.push((format!("journey-{}", j.id), j.name.clone(), page));
    }
    for (ind, _) in pairs(project, &computed.indicators) {
        let page = Page::Indicator(&ind.id);
        wanted.push((format!("indicator-{}", ind.id), ind.name.clone(), page));
    }
    let singles = [
        (!computed.drivers.is_empty(), "drivers", Page::Drivers),
        (!computed.topics.is_empty(), "topics", Page::Topics),
        (computed.value_at_stake.is_some(), "value_page", Page::Value),
        (!project.actions.is_empty(), "actions", Page::Actions),
        (super::actions::has_owners(project), "owners", Page::Owners),
        (has_changes, "whats_changed", Page::WhatsChanged),
        (true, "methodology", Page::Methodology),
    ];
    for (built, title, page) in singles {
        if built {
            wanted.push((page.kind().to_string(), t.get(title), page));
        }
    }
    wanted
}

/// The page's chart ids (`cx-<kind>-<hash>`, named after the chart's
/// content) made unique to section `i`: the same chart on two pages (a
/// narrative page's tile and the scorecard's) would otherwise repeat an id
/// in the report, and its `aria-labelledby` would name the wrong element.
/// Every use of an id is inside its chart's SVG, so each is renamed alike.
fn scoped_chart_ids(html: &str, i: usize) -> String {
    static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\bcx-[a-z]+-[0-9a-f]{16}\b").expect("a valid pattern")
    });
    ID.replace_all(html, |c: &regex::Captures<'_>| format!("{}-s{i}", &c[0]))
        .into_owned()
}

/// What `report.html` receives.
#[derive(Serialize)]
struct ReportView {
    /// "Period: Jan 2025 – Dec 2025", or "" without dated data.
    period_text: String,
    /// "Reporting window: Dec 2025": what the headline numbers are for.
    window_text: String,
    /// The embedded pages, in reading order.
    sections: Vec<Section>,
}

/// "Jan 2025 – Dec 2025": the first and last period with data, or "".
fn period_text(computed: &Computed, r: &Renderer) -> String {
    let periods = computed
        .indicators
        .iter()
        .flat_map(|i| i.periods.iter().map(|p| p.period));
    match (periods.clone().min(), periods.max()) {
        (Some(a), Some(b)) if a == b => period_label(&a, r.t),
        (Some(a), Some(b)) => format!("{} – {}", period_label(&a, r.t), period_label(&b, r.t)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::scoped_chart_ids;

    #[test]
    fn chart_ids_are_renamed_per_section_and_class_names_kept() {
        let svg = r#"<svg aria-labelledby="cx-trend-00ff00ff00ff00ff-t cx-trend-00ff00ff00ff00ff-d" class="cx-chart cx-trend"><title id="cx-trend-00ff00ff00ff00ff-t">T</title></svg>"#;
        assert_eq!(
            scoped_chart_ids(svg, 3),
            r#"<svg aria-labelledby="cx-trend-00ff00ff00ff00ff-s3-t cx-trend-00ff00ff00ff00ff-s3-d" class="cx-chart cx-trend"><title id="cx-trend-00ff00ff00ff00ff-s3-t">T</title></svg>"#
        );
        // Text that only looks like an id (15 hex digits, or upper case) is left alone.
        let text = "cx-trend-00ff00ff00ff00f cx-trend-00FF00FF00FF00FF";
        assert_eq!(scoped_chart_ids(text, 1), text);
    }
}
