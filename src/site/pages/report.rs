//! `report.html`: the whole scorecard in one page, paginated for print.
//!
//! Input: the renderer and the copies the pages left while they were rendered.
//! Output: one page with a cover (logo, client, title, period), a table of
//! contents, then the `<main>` of the scorecard, every indicator page, every
//! journey map, the key drivers, the topics and the methodology, each starting a new
//! printed page. The sections are the pages themselves, rendered by the same
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
/// [`Renderer::copying`] renderer into [`crate::site::copies::Copies`]): the
/// scorecard, every indicator, every
/// journey, the drivers when computed, the topics when the project
/// codes its comments, the actions when it has some, the methodology.
pub fn report(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    mut copies: BTreeMap<String, String>,
) -> Result<Built, RenderError> {
    let t = r.t;
    let mut wanted = vec![("scorecard".to_string(), t.get("scorecard"), Page::Index)];
    for (ind, _) in pairs(project, &computed.indicators) {
        wanted.push((
            format!("indicator-{}", ind.id),
            ind.name.clone(),
            Page::Indicator(&ind.id),
        ));
    }
    for j in &project.journeys {
        wanted.push((
            format!("journey-{}", j.id),
            j.name.clone(),
            Page::Journey(&j.id),
        ));
    }
    if !computed.drivers.is_empty() {
        wanted.push(("drivers".into(), t.get("drivers"), Page::Drivers));
    }
    if !computed.topics.is_empty() {
        wanted.push(("topics".into(), t.get("topics"), Page::Topics));
    }
    if !project.actions.is_empty() {
        wanted.push(("actions".into(), t.get("actions"), Page::Actions));
    }
    if computed.value_at_stake.is_some() {
        wanted.push(("value".into(), t.get("value_page"), Page::Value));
    }
    wanted.push((
        "methodology".into(),
        t.get("methodology"),
        Page::Methodology,
    ));
    let sections = wanted
        .into_iter()
        .map(|(anchor, title, page)| {
            let path = page.path();
            let body_html = copies.remove(&path).ok_or_else(|| {
                RenderError::new(
                    PATH,
                    format!("the page {path} was not rendered for the report"),
                )
            })?;
            Ok(Section {
                anchor,
                title,
                body_html,
            })
        })
        .collect::<Result<Vec<_>, RenderError>>()?;
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
