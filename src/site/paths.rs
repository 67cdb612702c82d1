//! Render stage: where every page and file of the site is written, and so how
//! it is linked.
//!
//! The one place that knows the site's layout. A page's output path is also
//! its link from the site root (templates prefix links with `root`, the way
//! back from the current page), so page builders, view models, the navigation
//! and the report all take paths from here and a page can move in one edit.
//! Adding a page is one [`Page`] variant; the compiler then points at every
//! `match` that must learn about it.

use serde::Serialize;

/// The scorecard: the site's front page.
pub const INDEX: &str = "index.html";
/// The list of personas.
pub const PERSONAS: &str = "personas/index.html";
/// The key drivers page.
pub const DRIVERS: &str = "drivers.html";
/// The methodology page.
pub const METHODOLOGY: &str = "methodology.html";
/// The printable report (also what `build --pdf` prints).
pub const REPORT: &str = "report.html";
/// The topics found in the comments (SPEC §7), when the project has a codebook.
pub const TOPICS: &str = "topics.html";
/// What the NPS groups are worth (SPEC §9), when `value_at_stake:` is set.
pub const VALUE: &str = "value.html";
/// The comparison with the baseline.
pub const WHATS_CHANGED: &str = "whats-changed.html";
/// The action register (SPEC §10), when the project has actions.
pub const ACTIONS: &str = "actions.html";
/// Each owner's indicators, touchpoints and actions (SPEC §10).
pub const OWNERS: &str = "owners.html";
/// `metrics.json`, at the root (SPEC §4).
pub const METRICS_JSON: &str = "metrics.json";
/// `changes.json`, beside `whats-changed.html` when there is a baseline.
pub const CHANGES_JSON: &str = "changes.json";
/// Every table of the site as an Excel workbook, beside report.html (`workbook: false` turns it off).
pub const REPORT_XLSX: &str = "report.xlsx";

/// A page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page<'a> {
    /// The scorecard.
    Index,
    /// One indicator, by id.
    Indicator(&'a str),
    /// The list of personas.
    Personas,
    /// One persona, by id.
    Persona(&'a str),
    /// One journey map, by id.
    Journey(&'a str),
    /// The key drivers.
    Drivers,
    /// What customers' comments are about: the codebook's topics.
    Topics,
    /// Definitions, formulas and data quality.
    Methodology,
    /// A narrative page from `pages/`, by slug.
    Narrative(&'a str),
    /// The whole scorecard in one printable page.
    Report,
    /// The comparison with the baseline.
    WhatsChanged,
    /// The action register.
    Actions,
    /// Each owner's share of the scorecard.
    Owners,
    /// Value at stake: the NPS groups' revenue and churn.
    Value,
}

impl Page<'_> {
    /// The page's path in the site, which is also its link from the root.
    pub fn path(self) -> String {
        match self {
            Page::Index => INDEX.into(),
            Page::Indicator(id) => format!("indicators/{id}.html"),
            Page::Personas => PERSONAS.into(),
            Page::Persona(id) => format!("personas/{id}.html"),
            Page::Journey(id) => format!("journeys/{id}.html"),
            Page::Drivers => DRIVERS.into(),
            Page::Topics => TOPICS.into(),
            Page::Methodology => METHODOLOGY.into(),
            Page::Narrative(slug) => format!("pages/{slug}.html"),
            Page::Report => REPORT.into(),
            Page::WhatsChanged => WHATS_CHANGED.into(),
            Page::Actions => ACTIONS.into(),
            Page::Owners => OWNERS.into(),
            Page::Value => VALUE.into(),
        }
    }

    /// The kind templates see as `page_kind` (`<body class="page-…">`, the
    /// navigation's current item): a persona page counts as "personas".
    pub fn kind(self) -> &'static str {
        match self {
            Page::Index => "index",
            Page::Indicator(_) => "indicator",
            Page::Personas | Page::Persona(_) => "personas",
            Page::Journey(_) => "journey",
            Page::Drivers => "drivers",
            Page::Topics => "topics",
            Page::Methodology => "methodology",
            Page::Narrative(_) => "page",
            Page::Report => "report",
            Page::WhatsChanged => "whats-changed",
            Page::Actions => "actions",
            Page::Owners => "owners",
            Page::Value => "value",
        }
    }

    /// The theme template that lays the page out.
    pub fn template(self) -> &'static str {
        match self {
            Page::Index => "index.html",
            Page::Indicator(_) => "indicator.html",
            Page::Personas => "personas.html",
            Page::Persona(_) => "persona.html",
            Page::Journey(_) => "journey.html",
            Page::Drivers => "drivers.html",
            Page::Topics => "topics.html",
            Page::Methodology => "methodology.html",
            Page::Narrative(_) => "page.html",
            Page::Report => "report.html",
            Page::WhatsChanged => "whats-changed.html",
            Page::Actions => "actions.html",
            Page::Owners => "owners.html",
            Page::Value => "value.html",
        }
    }
}

/// The links of the pages every page may point at, from the root, for
/// templates (`{{ root }}{{ links.methodology }}`): templates name no path.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// The scorecard.
    pub index: String,
    /// The list of personas.
    pub personas: String,
    /// The key drivers.
    pub drivers: String,
    /// The topics.
    pub topics: String,
    /// The methodology.
    pub methodology: String,
    /// The printable report.
    pub report: String,
    /// The comparison with the baseline.
    pub whats_changed: String,
    /// The action register.
    pub actions: String,
    /// The owners.
    pub owners: String,
    /// Value at stake.
    pub value: String,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            index: Page::Index.path(),
            personas: Page::Personas.path(),
            drivers: Page::Drivers.path(),
            topics: Page::Topics.path(),
            methodology: Page::Methodology.path(),
            report: Page::Report.path(),
            whats_changed: Page::WhatsChanged.path(),
            actions: Page::Actions.path(),
            owners: Page::Owners.path(),
            value: Page::Value.path(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_v0_1_path() {
        // These paths are published (bookmarks, links into the site): a change
        // here is a behaviour change.
        let paths = [
            (Page::Index, "index.html"),
            (Page::Indicator("nps"), "indicators/nps.html"),
            (Page::Personas, "personas/index.html"),
            (Page::Persona("mover"), "personas/mover.html"),
            (Page::Journey("j"), "journeys/j.html"),
            (Page::Drivers, "drivers.html"),
            (Page::Topics, "topics.html"),
            (Page::Methodology, "methodology.html"),
            (Page::Narrative("about"), "pages/about.html"),
            (Page::Report, "report.html"),
            (Page::WhatsChanged, "whats-changed.html"),
            (Page::Actions, "actions.html"),
            (Page::Owners, "owners.html"),
            (Page::Value, "value.html"),
        ];
        for (page, path) in paths {
            assert_eq!(page.path(), path);
        }
        assert_eq!(Links::default().methodology, "methodology.html");
    }
}
