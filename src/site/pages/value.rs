//! The Value page (SPEC §9): what the NPS groups are worth.
//!
//! Input: `Computed.value_at_stake` (every number is compute's). Output: the
//! three groups' customers, revenue and churn with their intervals, the
//! spend ratio, the churn gap with its test, the revenue at risk, one
//! sentence reading them in plain words, and the method. Only formats.

use serde::Serialize;

use super::Built;
use crate::metrics::computed::Computed;
use crate::metrics::computed_value::{ValueGroup, ValueResult};
use crate::project::model::Project;
use crate::project::report::MultipleTesting;
use crate::site::format::{self, window_label};
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};

/// One NPS group as a table row, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// "Promoters".
    pub name: String,
    /// Weighted customers (rows without weights).
    pub customers_text: String,
    /// % of the rows in any group.
    pub share_text: String,
    /// Mean monthly revenue, or the dash.
    pub revenue_text: String,
    /// Its interval, or the dash.
    pub revenue_ci_text: String,
    /// Churn rate in %, or the dash.
    pub churn_text: String,
    /// Its interval, or the dash.
    pub churn_ci_text: String,
}

/// What `value.html` receives.
#[derive(Debug, Clone, Serialize)]
pub struct ValueView {
    /// "Reporting window: Feb–Mar 2026".
    pub window_text: String,
    /// The NPS indicator's name and page.
    pub indicator_name: String,
    /// Its link from the root.
    pub indicator_url: String,
    /// The sentence that reads the numbers.
    pub reading: String,
    /// The groups table's caption.
    pub caption: String,
    /// Promoters, passives, detractors.
    pub groups: Vec<GroupRow>,
    /// The figures table's caption.
    pub figures_caption: String,
    /// Spend ratio, e.g. "1.25×".
    pub spend_ratio_text: String,
    /// Its interval.
    pub spend_ratio_ci_text: String,
    /// Churn gap in points, signed.
    pub churn_gap_text: String,
    /// Its interval.
    pub churn_gap_ci_text: String,
    /// Its p-value.
    pub p_text: String,
    /// Its q-value.
    pub q_text: String,
    /// "significant" / "not significant" / "" when untested.
    pub test_text: String,
    /// Revenue at risk a year.
    pub risk_text: String,
    /// Its interval.
    pub risk_ci_text: String,
    /// The method, in a note.
    pub method: String,
}

/// The Value page; only called when `value_at_stake` was computed.
pub fn page(r: &Renderer, project: &Project, computed: &Computed) -> Result<Built, RenderError> {
    let t = r.t;
    let Some(v) = &computed.value_at_stake else {
        return Err(RenderError::new(
            crate::site::paths::VALUE,
            "the Value page needs `value_at_stake`".to_string(),
        ));
    };
    r.page(Page::Value, &t.get("value_page"), &view(v, project, t))
}

/// The view of `v`, formatted in the catalogue's language.
pub fn view(v: &ValueResult, project: &Project, t: &Catalog) -> ValueView {
    let window = match &v.window {
        Some(w) => window_label(w, t),
        None => t.get("window_all"),
    };
    let name = (project.indicators.iter())
        .find(|i| i.id == v.indicator)
        .map_or_else(|| v.indicator.clone(), |i| i.name.clone());
    let g = &v.groups;
    let groups = [
        ("promoters", &g.promoters),
        ("passives", &g.passives),
        ("detractors", &g.detractors),
    ]
    .into_iter()
    .map(|(key, x)| row(t.get(key), x))
    .collect();
    let test_text = match v.churn_gap_significant {
        Some(true) => t.get("significant"),
        Some(false) => t.get("not_significant"),
        None => String::new(),
    };
    let alpha = format::number(1.0 - project.config.confidence, 2);
    let method_key = match project.config.report.multiple_testing {
        MultipleTesting::Bh => "value_method",
        MultipleTesting::None => "value_method_none",
    };
    ValueView {
        window_text: t.fill("reporting_window", &[("window", &window)]),
        indicator_url: Page::Indicator(&v.indicator).path(),
        reading: reading(v, t),
        caption: t.fill(
            "value_groups_caption",
            &[("name", &name), ("window", &window)],
        ),
        indicator_name: name,
        groups,
        figures_caption: t.fill("value_figures_caption", &[("window", &window)]),
        spend_ratio_text: ratio(v.spend_ratio),
        spend_ratio_ci_text: match (v.spend_ratio_ci_low, v.spend_ratio_ci_high) {
            (Some(l), Some(h)) => format!("{} – {}", ratio(Some(l)), ratio(Some(h))),
            _ => format::NO_VALUE.to_string(),
        },
        churn_gap_text: format::signed(v.churn_gap, 1),
        churn_gap_ci_text: format::interval(v.churn_gap_ci_low, v.churn_gap_ci_high, 1),
        p_text: format::p_value(v.churn_gap_p_value),
        q_text: format::p_value(v.churn_gap_q_value),
        test_text,
        risk_text: format::maybe(v.revenue_at_risk, 0),
        risk_ci_text: format::interval(v.revenue_at_risk_ci_low, v.revenue_at_risk_ci_high, 0),
        method: t.fill(
            method_key,
            &[
                ("alpha", &alpha),
                ("customers", &format::number(v.customer_base, 0)),
            ],
        ),
    }
}

fn row(name: String, g: &ValueGroup) -> GroupRow {
    GroupRow {
        name,
        customers_text: format::number(g.customers, 0),
        share_text: format::maybe(g.share, 1),
        revenue_text: format::maybe(g.revenue, 2),
        revenue_ci_text: format::interval(g.revenue_ci_low, g.revenue_ci_high, 2),
        churn_text: format::maybe(g.churn, 1),
        churn_ci_text: format::interval(g.churn_ci_low, g.churn_ci_high, 1),
    }
}

/// A ratio as "1.25×", or the dash.
fn ratio(x: Option<f64>) -> String {
    x.map_or_else(
        || format::NO_VALUE.to_string(),
        |x| format!("{}×", format::number(x, 2)),
    )
}

/// One plain sentence: what promoters spend against detractors, how much
/// more detractors churn, and the revenue that puts at risk — hedged when
/// the gap is not significant; a sentence saying why when a number is missing.
fn reading(v: &ValueResult, t: &Catalog) -> String {
    let (Some(ratio_x), Some(gap), Some(risk)) = (v.spend_ratio, v.churn_gap, v.revenue_at_risk)
    else {
        return t.get("value_reading_none");
    };
    let (Some(cd), Some(cp)) = (v.groups.detractors.churn, v.groups.promoters.churn) else {
        return t.get("value_reading_none");
    };
    let key = match v.churn_gap_significant {
        Some(true) => "value_reading",
        _ => "value_reading_unsure",
    };
    t.fill(
        key,
        &[
            ("ratio", &format::number(ratio_x, 2)),
            ("gap", &format::number(gap, 1)),
            ("detractors", &format::number(cd, 1)),
            ("promoters", &format::number(cp, 1)),
            ("risk", &format::number(risk, 0)),
        ],
    )
}
