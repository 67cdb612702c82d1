//! `report.html`: the whole scorecard in one page, paginated for print.
//!
//! Input: the renderer and the copies the pages left while they were rendered.
//! Output: one page with a cover (logo, client, title, period), a table of
//! contents, then the `<main>` of the scorecard, every indicator page, every
//! journey map, the key drivers and the methodology, each starting a new
//! printed page. The sections are the pages themselves, rendered by the same
//! builders and templates from the same views (a second time with links
//! written from the site root, see [`Renderer::copying`]), so the report can
//! never disagree with the site, a project's template override shows in both,
//! and no chart is drawn twice.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use super::Built;
use crate::metrics::computed::Computed;
use crate::project::model::Project;
use crate::site::format::period_label;
use crate::site::render::{RenderError, Renderer};
use crate::site::views::pairs;

/// Where the report is written in the site.
pub const PATH: &str = "report.html";

/// The `<main>` of each page the report embeds, by the page's path, with
/// links written from the site root: filled by [`Renderer::copying`] while
/// the pages render (in parallel), read once by [`report`].
#[derive(Debug, Default)]
pub struct Copies(Mutex<BTreeMap<String, String>>);

impl Copies {
    /// Keeps the content of `html`, the page at `path` rendered from the root.
    pub fn keep(&self, path: &str, html: &str) {
        let main = main_of(html);
        // A poisoned lock only means another page panicked; the map is still sound.
        let mut copies = self.0.lock().unwrap_or_else(|e| e.into_inner());
        copies.insert(path.to_string(), main);
    }

    /// Every copy kept, by path.
    pub fn into_inner(self) -> BTreeMap<String, String> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

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
fn main_of(html: &str) -> String {
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

/// The report page, from the `copies` of the pages it embeds (made by a
/// [`Renderer::copying`] renderer): the scorecard, every indicator, every
/// journey, the drivers when computed, the methodology.
pub fn report(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    mut copies: BTreeMap<String, String>,
) -> Result<Built, RenderError> {
    let t = r.t;
    let mut wanted = vec![(
        "scorecard".to_string(),
        t.get("scorecard"),
        "index.html".to_string(),
    )];
    for (ind, _) in pairs(project, &computed.indicators) {
        wanted.push((
            format!("indicator-{}", ind.id),
            ind.name.clone(),
            format!("indicators/{}.html", ind.id),
        ));
    }
    for j in &project.journeys {
        wanted.push((
            format!("journey-{}", j.id),
            j.name.clone(),
            format!("journeys/{}.html", j.id),
        ));
    }
    if !computed.drivers.is_empty() {
        wanted.push(("drivers".into(), t.get("drivers"), "drivers.html".into()));
    }
    wanted.push((
        "methodology".into(),
        t.get("methodology"),
        "methodology.html".into(),
    ));
    let sections = wanted
        .into_iter()
        .map(|(anchor, title, path)| {
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
        .flat_map(|i| i.periods.iter().map(|p| p.period));
    match (periods.clone().min(), periods.max()) {
        (Some(a), Some(b)) if a == b => period_label(&a, r.t),
        (Some(a), Some(b)) => format!("{} – {}", period_label(&a, r.t), period_label(&b, r.t)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::main_of;

    #[test]
    fn main_of_takes_the_main_element_or_else_the_body() {
        let page = "<html><body><header>h</header><main id=\"main\">\n<h1>X</h1>\n</main><footer/></body></html>";
        assert_eq!(main_of(page), "<h1>X</h1>");
        assert_eq!(
            main_of("<html><body class=\"a\"><p>only</p></body></html>"),
            "<p>only</p>"
        );
        assert_eq!(main_of("no html at all"), "");
    }
}
