//! View models: what templates receive, already formatted and translated.
//!
//! Templates only lay out; every number is rounded and every word looked up
//! here. Fields holding trusted HTML (sanitised Markdown, chart SVG) end in
//! `_html` and are the only ones templates mark `safe`; everything else is
//! autoescaped.

use serde::Serialize;

use crate::charts::{self, DataTable};
use crate::metrics::computed::{Estimate, IndicatorResult, Status, WindowComparison};
use crate::metrics::periods::PeriodKey;
use crate::project::model::{Direction, Indicator, Kind, Metric, Project};
use crate::project::vocabulary::Vocabulary;
use crate::site::format::{self, decimals};
use crate::site::i18n::Catalog;
use crate::site::markdown::to_safe_html;
use crate::site::paths::{Links, Page};

/// The words a chart of `kind` writes itself, from the catalog (`chart_desc_<kind>`).
pub fn chart_words(kind: &str, t: &Catalog) -> charts::ChartWords {
    charts::ChartWords {
        no_data: t.get("no_data"),
        unavailable: t.get("chart_unavailable"),
        desc: t.get(&format!("chart_desc_{kind}")),
        target: t.get("target"),
        ..charts::ChartWords::default()
    }
}

/// A chart and its text alternative.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// The SVG (trusted: drawn by our charts module, labels escaped there).
    pub svg_html: String,
    /// The data table beside it.
    pub table: DataTable,
}

/// An indicator as a tile, a table row, or a page headline.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorCard {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Relative URL of its page from the site root.
    pub url: String,
    /// "KQI", "KCI"…, translated.
    pub kind_label: String,
    /// "Net Promoter Score"…, translated.
    pub metric_label: String,
    /// Display unit, or "".
    pub unit: String,
    /// The value, rounded, or the dash.
    pub value_text: String,
    /// The interval, or the dash.
    pub ci_text: String,
    /// Answered rows.
    pub n_text: String,
    /// Kish's effective n; "" for a `count` (a number of rows, not an estimate).
    pub eff_n_text: String,
    /// The target, or the dash.
    pub target_text: String,
    /// The amber threshold, or the dash.
    pub amber_text: String,
    /// Status word for CSS classes: green, amber, red, suppressed, none.
    pub status: String,
    /// Status in words, translated.
    pub status_label: String,
    /// A status symbol, so status is never colour alone.
    pub status_icon: String,
    /// Trend sparkline SVG, or "".
    pub sparkline_html: String,
    /// The formula in words.
    pub formula: String,
    /// Dataset and column it reads.
    pub source: String,
    /// "higher" / "lower", translated.
    pub direction_label: String,
    /// How it is measured, or "".
    pub measurement: String,
    /// Its standard, or "".
    pub basis: String,
    /// Its owner, or "".
    pub owner: String,
    /// The description, sanitised.
    pub description_html: String,
    /// The benchmark and this value's difference to it ("35.0 (difference +2.1)"),
    /// or "" when the indicator has no benchmark.
    pub benchmark_text: String,
    /// The change since the baseline run, when the build has one (tiles only).
    pub since: Option<SinceView>,
    /// Which window the value is for ("Dec 2025", "all data"), so no number
    /// reads as all-time (SPEC §6).
    pub window_text: String,
    /// The smallest change the indicator's tests flag (`min_change`), in its unit.
    pub min_change_text: String,
    /// The headline against the previous and year-ago windows, each only when
    /// compute published it; empty on persona tiles (not compared).
    pub comparisons: Vec<ComparisonView>,
    /// Its experience dimension ("Brand experience (BX)"), or "" when it declares none.
    pub dimension_label: String,
}

/// One comparison of the headline window with another, as a tile writes it.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonView {
    /// "vs Nov 2025 −3.3", translated; the change in the indicator's decimals.
    pub text: String,
    /// Whether the change is flagged (q and `min_change`, SPEC §6).
    pub significant: bool,
    /// "▲" or "▼" by the change's sign, shown only when significant.
    pub arrow: String,
}

/// An indicator's change since the baseline run, as its tile shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SinceView {
    /// "+2.3 since baseline", "New since baseline"…, translated.
    pub text: String,
    /// "significant", "not significant", "no test" or "".
    pub significance: String,
    /// True when the change is significant (for emphasis).
    pub significant: bool,
    /// same, unverified, redefined or added (for CSS classes).
    pub kind: String,
}

/// The status word used in CSS classes and JSON (the status's vocabulary word).
pub fn status_word(status: Status) -> &'static str {
    status.word()
}

/// A symbol per status: a tick, a triangle, a cross; status is never colour alone.
pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Green => "✔",
        Status::Amber => "▲",
        Status::Red => "✖",
        Status::Suppressed => "…",
        Status::None => "–",
    }
}

/// The translated word for a status.
pub fn status_label(status: Status, t: &Catalog) -> String {
    t.get(&format!("status_{}", status_word(status)))
}

/// The translated label of an indicator kind (`kind_kqi`…, from its word).
pub fn kind_label(kind: Kind, t: &Catalog) -> String {
    t.get(&format!("kind_{}", kind.word()))
}

/// The formula of an indicator in words, with its parameters.
pub fn formula(ind: &Indicator, t: &Catalog) -> String {
    let column = ind.column.as_ref().map(|c| c.name.as_str()).unwrap_or("");
    let range = |r: &crate::project::model::Range| {
        format!("{}–{}", format::number(r.lo, 0), format::number(r.hi, 0))
    };
    // The catalogue key comes from the metric table; the parameters from the metric.
    let key = ind.metric.catalogue().formula;
    match &ind.metric {
        Metric::Nps => t.get(key),
        Metric::Csat { scale, top_box } => {
            t.fill(key, &[("box", &range(top_box)), ("scale", &range(scale))])
        }
        Metric::Ces { scale, .. } => t.fill(key, &[("scale", &range(scale))]),
        Metric::Mean { .. } => t.fill(key, &[("column", column)]),
        Metric::TopBox { scale, range: b } => {
            t.fill(key, &[("box", &range(b)), ("scale", &range(scale))])
        }
        Metric::BottomBox { scale, range: b } => {
            t.fill(key, &[("box", &range(b)), ("scale", &range(scale))])
        }
        Metric::Share { values } => {
            t.fill(key, &[("column", column), ("values", &values.join(" / "))])
        }
        Metric::Percentile { p, .. } => {
            t.fill(key, &[("p", &format::number(*p, 0)), ("column", column)])
        }
        Metric::Count => t.get(key),
        Metric::Gap { expectation, .. } => t.fill(
            key,
            &[("column", column), ("expectation", &expectation.name)],
        ),
        Metric::Composite { components } => {
            let list: Vec<String> = components
                .iter()
                .map(|(id, w)| format!("{id} ×{}", format::number(*w, 1)))
                .collect();
            t.fill(key, &[("components", &list.join(", "))])
        }
    }
}

/// [`formula`] as a reader sees it: a composite's components by their names
/// (as the scorecard shows them), not by their ids.
pub fn named_formula(ind: &Indicator, project: &Project, t: &Catalog) -> String {
    let Metric::Composite { components } = &ind.metric else {
        return formula(ind, t);
    };
    let list: Vec<String> = (components.iter())
        .map(|(id, w)| {
            let name = (project.indicators.iter())
                .find(|i| &i.id == id)
                .map_or(id.as_str(), |i| i.name.as_str());
            format!("{name} ×{}", format::number(*w, 1))
        })
        .collect();
    t.fill(
        ind.metric.catalogue().formula,
        &[("components", &list.join(", "))],
    )
}

/// Builds the card of an indicator from one of its estimates (overall, or a persona's).
pub fn card(
    ind: &Indicator,
    result: &IndicatorResult,
    estimate: &Estimate,
    with_sparkline: bool,
    t: &Catalog,
) -> IndicatorCard {
    let d = decimals(&ind.metric);
    let source = match (&ind.dataset, &ind.column) {
        (Some(ds), Some(c)) => format!("{ds} · {}", c.name),
        (Some(ds), None) => ds.clone(),
        _ => String::new(),
    };
    let sparkline_html = if with_sparkline {
        let values: Vec<Option<f64>> = result.periods.iter().map(|p| p.estimate.value).collect();
        let title = t.fill("trend_title", &[("name", &ind.name), ("period", "")]);
        sparkline(&values, window_span(result), &title, d, t)
    } else {
        String::new()
    };
    IndicatorCard {
        id: ind.id.clone(),
        name: ind.name.clone(),
        url: Page::Indicator(&ind.id).path(),
        kind_label: kind_label(ind.kind, t),
        metric_label: t.get(ind.metric.catalogue().name),
        unit: ind.unit.clone().unwrap_or_default(),
        value_text: format::maybe(estimate.value, d),
        ci_text: format::interval(estimate.ci_low, estimate.ci_high, d),
        n_text: format::number(estimate.n as f64, 0),
        // A count is not a sample estimate: no effective n.
        eff_n_text: if matches!(ind.metric, Metric::Count) {
            String::new()
        } else {
            format::number(estimate.effective_n, 1)
        },
        target_text: format::maybe(ind.target, d),
        amber_text: format::maybe(ind.amber, d),
        status: status_word(estimate.status).to_string(),
        status_label: status_label(estimate.status, t),
        status_icon: status_icon(estimate.status).to_string(),
        sparkline_html,
        formula: formula(ind, t),
        source,
        direction_label: t.get(match ind.direction {
            Direction::Higher => "direction_higher",
            Direction::Lower => "direction_lower",
        }),
        measurement: ind.measurement.clone().unwrap_or_default(),
        basis: ind.basis.clone().unwrap_or_default(),
        owner: ind.owner.clone().unwrap_or_default(),
        description_html: ind
            .description
            .as_deref()
            .map(to_safe_html)
            .unwrap_or_default(),
        since: None,
        window_text: format::window_label(&result.window, t),
        comparisons: Vec::new(),
        min_change_text: format::number(result.min_change, d),
        dimension_label: (ind.dimension)
            .map(|d| super::pages::dimensions::dimension_label(Some(d), t))
            .unwrap_or_default(),
        benchmark_text: ind.benchmark.map_or_else(String::new, |b| {
            let diff = estimate.value.map(|v| v - b);
            t.fill(
                "benchmark_compare",
                &[
                    ("benchmark", &format::number(b, d)),
                    ("difference", &format::signed(diff, d)),
                ],
            )
        }),
    }
}

/// The card of an indicator's headline: [`card`] on the window's estimate,
/// with its comparisons (previous, year ago) as compute published them.
pub fn headline_card(
    ind: &Indicator,
    result: &IndicatorResult,
    with_sparkline: bool,
    t: &Catalog,
) -> IndicatorCard {
    let mut c = card(ind, result, &result.estimate, with_sparkline, t);
    c.comparisons = comparisons(ind, result, t);
    c
}

/// The previous and year-ago comparisons present in `result` with a change,
/// in that order: "vs {window} {change}", flagged when significant.
pub fn comparisons(ind: &Indicator, result: &IndicatorResult, t: &Catalog) -> Vec<ComparisonView> {
    let d = decimals(&ind.metric);
    [&result.previous, &result.year_ago]
        .into_iter()
        .flatten()
        // A window without a value (no data a year ago) has nothing to say on a tile.
        .filter(|c| c.change.is_some())
        .map(|c| comparison(c, d, t))
        .collect()
}

/// One comparison in words.
fn comparison(c: &WindowComparison, d: usize, t: &Catalog) -> ComparisonView {
    let window = format::window_words("rolling", Some(c.from), Some(c.to), t);
    let significant = c.significant == Some(true);
    ComparisonView {
        text: t.fill(
            "compare_vs",
            &[
                ("window", &window),
                ("change", &format::signed(c.change, d)),
            ],
        ),
        significant,
        arrow: change_arrow(c.change, significant).into(),
    }
}

/// "▲" / "▼" for a significant change by its sign; "" otherwise (an arrow
/// means "significant", never just "up").
pub fn change_arrow(change: Option<f64>, significant: bool) -> &'static str {
    match change {
        Some(c) if significant && c > 0.0 => "▲",
        Some(c) if significant && c < 0.0 => "▼",
        _ => "",
    }
}

/// Whether `period` is in the indicator's window (always false for `all`:
/// there is nothing to mark when every period is in).
pub fn in_window(result: &IndicatorResult, period: &PeriodKey) -> bool {
    let w = &result.window;
    let inside = |from: PeriodKey, to: PeriodKey| from <= *period && *period <= to;
    w.kind != "all" && matches!((w.from, w.to), (Some(from), Some(to)) if inside(from, to))
}

/// The indices of the first and last of the indicator's periods in its window, to mark them.
pub fn window_span(result: &IndicatorResult) -> Option<(usize, usize)> {
    let first = (result.periods.iter()).position(|p| in_window(result, &p.period))?;
    let last = (result.periods.iter()).rposition(|p| in_window(result, &p.period))?;
    Some((first, last))
}

/// A sparkline of `values` (oldest first), the window's periods shaded, titled `title`, or "" with fewer
/// than two periods (one point is not a trend).
pub fn sparkline(
    values: &[Option<f64>],
    window: Option<(usize, usize)>,
    title: &str,
    decimals: usize,
    t: &Catalog,
) -> String {
    if values.len() < 2 {
        return String::new();
    }
    crate::site::timing::chart(|| {
        charts::sparkline_window_svg(
            values,
            window,
            title,
            &chart_words("sparkline", t).with_decimals(decimals),
        )
    })
}

/// Pairs each indicator definition with its result, in definition order.
pub fn pairs<'a>(
    project: &'a Project,
    results: &'a [IndicatorResult],
) -> impl Iterator<Item = (&'a Indicator, &'a IndicatorResult)> {
    // `compute` keeps the project's order, so the result at the same index is
    // the one (linear in indicators); a search covers any other order.
    project
        .indicators
        .iter()
        .enumerate()
        .filter_map(move |(i, ind)| {
            let same = results.get(i).filter(|r| r.id == ind.id);
            same.or_else(|| results.iter().find(|r| r.id == ind.id))
                .map(|r| (ind, r))
        })
}

/// A link in the navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    /// Display name.
    pub name: String,
    /// URL relative to the site root.
    pub url: String,
}

/// The navigation, computed once per build.
#[derive(Debug, Clone, Serialize)]
pub struct NavView {
    /// Journey pages.
    pub journeys: Vec<NavLink>,
    /// Whether to link the personas page.
    pub has_personas: bool,
    /// The personas index URL.
    pub personas_url: String,
    /// Whether to link the drivers page.
    pub has_drivers: bool,
    /// Whether to link the topics page (the project codes its comments).
    pub has_topics: bool,
    /// Whether to link the Actions page (the project has actions).
    pub has_actions: bool,
    /// Whether to link the Owners page (something names an owner).
    pub has_owners: bool,
    /// Whether to link the Value page (`value_at_stake:` is set).
    pub has_value: bool,
    /// The links of the site's fixed pages (scorecard, methodology, report…).
    pub links: Links,
    /// Narrative pages.
    pub pages: Vec<NavLink>,
}

/// Site-wide facts every template receives.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// The report's title.
    pub title: String,
    /// The client, or "".
    pub client: String,
    /// `en` / `zh-CN`.
    pub lang: String,
    /// cxscore's version.
    pub version: String,
    /// The footer line.
    pub footer: String,
    /// The brand's footer text (plain, autoescaped), or "".
    pub brand_footer: String,
    /// The logo's URL from the site root (`brand/logo.png`), or "".
    pub logo_url: String,
    /// The logo's text alternative: the client, else the title.
    pub logo_alt: String,
    /// CSS custom properties from `brand:` (`:root{--primary:#rrggbb}`), or "".
    /// Trusted: built only from colours validated as `#rrggbb`.
    pub brand_css_html: String,
}

#[cfg(test)]
mod tests {
    use super::pairs;
    use crate::diag::Diagnostics;

    #[test]
    fn pairs_follow_the_definitions_whatever_the_order_of_results() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        let mut diags = Diagnostics::new();
        let project = crate::project::load(&dir, &mut diags).expect("the tiny fixture loads");
        let computed = crate::metrics::compute(&project, &mut diags);
        let ids: Vec<&str> = project.indicators.iter().map(|i| i.id.as_str()).collect();
        assert!(ids.len() > 2, "the fixture has several indicators");
        let paired = |results: &[_]| -> Vec<(String, String)> {
            pairs(&project, results)
                .map(|(ind, res)| (ind.id.clone(), res.id.clone()))
                .collect()
        };
        let expected: Vec<(String, String)> = ids
            .iter()
            .map(|id| (id.to_string(), id.to_string()))
            .collect();
        // In order (the fast path), reversed (the search), and with the first
        // result missing (its indicator is left out, the rest still pair up).
        assert_eq!(paired(&computed.indicators), expected);
        let mut reversed = computed.indicators.clone();
        reversed.reverse();
        assert_eq!(paired(&reversed), expected);
        assert_eq!(paired(&computed.indicators[1..]), expected[1..].to_vec());
    }
}
