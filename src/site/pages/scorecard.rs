//! The scorecard (index) and one page per indicator.

use serde::Serialize;

use super::changes::{since, summary};
use super::segments::SegmentSection;
pub use super::segments::CHART_BARS;
use super::window::{comparison_rows, in_window, window_band, CompareRow};
use super::Built;
use crate::baseline::Changes;
use crate::charts::{self, Column, DistributionView, TrendPoint, TrendView};
use crate::metrics::computed::{Computed, IndicatorResult, Status};
use crate::metrics::periods::PeriodKey;
use crate::project::model::{Indicator, Kind, Metric, Project};
use crate::site::format::{self, decimals, period_label, window_label};
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};
use crate::site::rounding::round_to_total;
use crate::site::timing;
use crate::site::verbatims::{self, VerbatimsView};
use crate::site::views::{
    chart_words, headline_card, named_formula, pairs, status_icon, status_label, status_word,
    ChartView, IndicatorCard,
};

/// A group of tiles under one heading: a kind, or an experience dimension with its roll-up.
#[derive(Serialize)]
pub struct Group {
    /// The heading ("Customer perception (KCI)", "Brand experience (BX)").
    pub title: String,
    /// The tiles.
    pub indicators: Vec<IndicatorCard>,
    /// A dimension group's roll-up under its heading; `None` for a kind group.
    pub rollup: Option<super::dimensions::RollupView>,
}

/// How many indicators have one status: a badge of the summary line.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    /// The status word, for the CSS class.
    pub status: String,
    /// The status in words, translated.
    pub label: String,
    /// Its symbol, so status is never colour alone.
    pub icon: String,
    /// How many indicators.
    pub count: usize,
}

/// The scorecard: headline tiles grouped by kind, then the full table.
pub fn index(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    changes: Option<&Changes>,
) -> Result<Built, RenderError> {
    let t = r.t;
    let cards: Vec<(Kind, IndicatorCard)> = pairs(project, &computed.indicators)
        .map(|(ind, res)| {
            let mut c = headline_card(ind, res, true, t);
            c.since = (changes.and_then(|ch| ch.get(&ind.id))).map(|ch| since(project, ch, t));
            (ind.kind, c)
        })
        .collect();
    // Grouped by experience dimension when compute rolled any up, else by kind.
    let groups = if computed.dimensions.is_empty() {
        kind_groups(&cards, t)
    } else {
        super::dimensions::groups(computed, &cards, t)
    };
    let status_counts: Vec<StatusCount> = [
        Status::Green,
        Status::Amber,
        Status::Red,
        Status::Suppressed,
        Status::None,
    ]
    .into_iter()
    .map(|s| StatusCount {
        status: status_word(s).into(),
        label: status_label(s, t),
        icon: status_icon(s).into(),
        count: computed
            .indicators
            .iter()
            .filter(|i| i.estimate.status == s)
            .count(),
    })
    .filter(|c| c.count > 0)
    .collect();
    // The table repeats the tiles' sparklines: its copies get their own ids.
    let all: Vec<IndicatorCard> = cards
        .into_iter()
        .map(|(_, mut c)| {
            c.sparkline_html = charts::with_id_suffix(&c.sparkline_html, "row");
            c
        })
        .collect();
    let window = window_label(&computed.project.window, t);
    let view = IndexView {
        table_caption: t.fill("scorecard_table_caption", &[("window", &window)]),
        window_text: t.fill("reporting_window", &[("window", &window)]),
        has_dimensions: !computed.dimensions.is_empty(),
        groups,
        indicators: all,
        status_counts,
        coverage: coverage(computed, r),
        changes_summary: changes.map(|c| summary(c, t)),
    };
    r.page(Page::Index, &t.get("scorecard"), &view)
}

/// The tiles by kind (KCI, KQI, KPI), empty kinds left out.
fn kind_groups(cards: &[(Kind, IndicatorCard)], t: &Catalog) -> Vec<Group> {
    [
        (Kind::Kci, "group_kci"),
        (Kind::Kqi, "group_kqi"),
        (Kind::Kpi, "group_kpi"),
    ]
    .into_iter()
    .map(|(kind, key)| Group {
        title: t.get(key),
        indicators: (cards.iter())
            .filter(|(k, _)| *k == kind)
            .map(|(_, c)| c.clone())
            .collect(),
        rollup: None,
    })
    .filter(|g| !g.indicators.is_empty())
    .collect()
}

/// What `index.html` receives.
#[derive(Serialize)]
struct IndexView {
    /// The tiles, by experience dimension when any indicator has one, else by kind (KCI,
    /// KQI, KPI); empty groups left out.
    groups: Vec<Group>,
    /// Whether the groups are dimensions (the table then has a dimension column).
    has_dimensions: bool,
    /// Every indicator, for the table.
    indicators: Vec<IndicatorCard>,
    /// How many indicators have each status, for the summary line.
    status_counts: Vec<StatusCount>,
    /// "12,000 rows of data in 2 datasets, Jan 2025 to Dec 2025".
    coverage: String,
    /// The baseline comparison in one line, when there is one.
    changes_summary: Option<String>,
    /// "Reporting window: Dec 2025" — the project's window; an undated
    /// indicator's tile says "all data" itself.
    window_text: String,
    /// The table's caption, naming the window its values are for.
    table_caption: String,
}

/// What `indicator.html` receives.
#[derive(Serialize)]
struct IndicatorView {
    /// The headline and definition.
    ind: IndicatorCard,
    /// The trend chart, when there are periods.
    trend: Option<ChartView>,
    /// The trend table.
    periods: Vec<PeriodRow>,
    /// The trend table's caption, naming the window.
    periods_caption: String,
    /// The window against the previous and year-ago windows; empty without comparisons.
    comparisons: Vec<CompareRow>,
    /// The comparison table's caption.
    comparisons_caption: String,
    /// How a comparison is tested and corrected, for the "significant" marks' tooltip.
    comparison_test: String,
    /// The distribution chart, when meaningful.
    distribution: Option<ChartView>,
    /// One section per segment column, then the personas.
    segments: Vec<SegmentSection>,
    /// NPS: promoter / passive / detractor shares, rounded to 100.
    breakdown: Vec<BreakdownShare>,
    /// The comment sample, when the dataset has comments.
    verbatims: Option<VerbatimsView>,
    /// The actions linked to the indicator (SPEC §10).
    actions: Vec<super::actions::ActionView>,
    /// The Value page's link, on the page of the NPS indicator
    /// `value_at_stake:` names ("" elsewhere).
    value_url: String,
}

/// "12,000 rows of data in 2 datasets, Jan 2025 to Dec 2025".
fn coverage(computed: &Computed, r: &Renderer) -> String {
    let t = r.t;
    let rows: u64 = computed.data.values().map(|d| d.rows).sum();
    let rows = format::number(rows as f64, 0);
    let datasets = computed.data.len().to_string();
    let periods = computed
        .indicators
        .iter()
        .flat_map(|i| i.periods.iter().map(|p| p.period));
    let (from, to) = (periods.clone().min(), periods.max());
    match (from, to) {
        (Some(from), Some(to)) => t.fill(
            "coverage",
            &[
                ("rows", &rows),
                ("datasets", &datasets),
                ("from", &period_label(&from, t)),
                ("to", &period_label(&to, t)),
            ],
        ),
        _ => t.fill(
            "coverage_undated",
            &[("rows", &rows), ("datasets", &datasets)],
        ),
    }
}

#[derive(Serialize)]
struct PeriodRow {
    label: String,
    value_text: String,
    ci_text: String,
    n_text: String,
    change_text: String,
    change_arrow: String,
    significant: bool,
    /// Whether the change was tested (the row says "not significant" only then).
    tested: bool,
    p_text: String,
    q_text: String,
    /// Whether the period is in the reporting window (marked in the table).
    in_window: bool,
    status: String,
    status_label: String,
    status_icon: String,
}

#[derive(Serialize)]
struct BreakdownShare {
    label: String,
    class: String,
    share: i64,
}

/// The comment sample of an indicator, when its dataset has comments.
fn verbatims_of(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    ind: &Indicator,
) -> Option<VerbatimsView> {
    let sample = computed.verbatims.indicators.get(&ind.id);
    let res = computed.indicators.iter().find(|i| i.id == ind.id)?;
    let window = window_label(&res.window, r.t);
    verbatims::view(
        sample,
        Some(&ind.metric),
        project.config.min_n_comments,
        window,
        r.t,
    )
}

/// One indicator's page: headline, definition, trend, distribution, segments, personas.
pub fn indicator(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    ind: &Indicator,
    res: &IndicatorResult,
) -> Result<Built, RenderError> {
    let t = r.t;
    let d = decimals(&ind.metric);
    let window = window_label(&res.window, t);
    let view = IndicatorView {
        ind: IndicatorCard {
            formula: named_formula(ind, project, t),
            ..headline_card(ind, res, false, t)
        },
        trend: trend_chart(r, ind, res, &action_markers(project, computed, ind, res, t)),
        periods: period_rows(r, res, d),
        periods_caption: match res.window.kind {
            "all" => t.get("periods_caption_all"),
            _ => t.fill("periods_caption", &[("window", &window)]),
        },
        comparisons: comparison_rows(ind, res, t),
        comparisons_caption: t.fill("comparisons_caption", &[("name", &ind.name)]),
        comparison_test: t.get(match project.config.report.multiple_testing {
            crate::project::report::MultipleTesting::Bh => "comparison_test",
            crate::project::report::MultipleTesting::None => "comparison_test_none",
        }),
        distribution: distribution_chart(r, ind, res),
        segments: super::segments::sections(r, project, ind, res),
        breakdown: breakdown(r, res),
        verbatims: verbatims_of(r, project, computed, ind),
        actions: super::actions::of_indicator(project, computed, &ind.id, t),
        value_url: (computed.value_at_stake.as_ref())
            .filter(|v| v.indicator == ind.id)
            .map(|_| Page::Value.path())
            .unwrap_or_default(),
    };
    r.page(Page::Indicator(&ind.id), &ind.name, &view)
}

/// The linked actions' starts on the trend (SPEC §10): a labelled marker
/// before the first period from each start that the trend shows.
fn action_markers(
    project: &Project,
    computed: &Computed,
    ind: &Indicator,
    res: &IndicatorResult,
    t: &Catalog,
) -> Vec<charts::TrendMarker> {
    (project.actions.iter().zip(&computed.actions))
        .filter(|(a, _)| a.indicators.contains(&ind.id))
        .filter_map(|(a, ar)| {
            let index = res.periods.iter().position(|p| p.period >= ar.start)?;
            Some(charts::TrendMarker {
                index,
                label: t.fill(
                    "action_marker",
                    &[("title", &a.title), ("period", &period_label(&ar.start, t))],
                ),
            })
        })
        .collect()
}

fn trend_chart(
    r: &Renderer,
    ind: &Indicator,
    res: &IndicatorResult,
    markers: &[charts::TrendMarker],
) -> Option<ChartView> {
    if res.periods.is_empty() {
        return None;
    }
    let t = r.t;
    let period_word = t.get(&format!("period_word_{}", project_period(res)));
    let view = TrendView {
        title: t.fill(
            "trend_title",
            &[("name", &ind.name), ("period", &period_word)],
        ),
        y_label: ind
            .unit
            .clone()
            .unwrap_or_else(|| t.get(&format!("metric_{}", ind.metric.name()))),
        points: res
            .periods
            .iter()
            .map(|p| TrendPoint {
                label: period_label(&p.period, t),
                value: p.estimate.value,
                low: p.estimate.ci_low,
                high: p.estimate.ci_high,
            })
            .collect(),
        target: ind.target,
        benchmark: ind.benchmark,
        benchmark_label: t.get("benchmark"),
        y_range: None,
        headers: [t.get("period"), t.get("value"), t.get("low"), t.get("high")],
        words: chart_words("trend", t).with_decimals(decimals(&ind.metric)),
        window: window_band(res, t),
        markers: markers.to_vec(),
    };
    Some(ChartView {
        svg_html: timing::chart(|| charts::trend_svg(&view)),
        table: view.table(),
    })
}

/// The period word (month, week…) from the kind of the first period key.
fn project_period(res: &IndicatorResult) -> &'static str {
    match res.periods.first().map(|p| p.period) {
        Some(PeriodKey::Week(..)) => "week",
        Some(PeriodKey::Quarter(..)) => "quarter",
        Some(PeriodKey::Month(..)) => "month",
        Some(PeriodKey::Year(..)) | None => "year",
    }
}

fn period_rows(r: &Renderer, res: &IndicatorResult, d: usize) -> Vec<PeriodRow> {
    let t = r.t;
    res.periods
        .iter()
        .map(|p| {
            let e = &p.estimate;
            let arrow = crate::site::views::change_arrow(p.change, p.significant == Some(true));
            PeriodRow {
                label: period_label(&p.period, t),
                value_text: format::maybe(e.value, d),
                ci_text: format::interval(e.ci_low, e.ci_high, d),
                n_text: format::number(e.n as f64, 0),
                change_text: format::signed(p.change, d),
                change_arrow: arrow.into(),
                significant: p.significant.unwrap_or(false),
                tested: p.significant.is_some(),
                p_text: format::p_value(p.p_value),
                q_text: format::p_value(p.q_value),
                in_window: in_window(res, &p.period),
                status: status_word(e.status).into(),
                status_label: status_label(e.status, t),
                status_icon: status_icon(e.status).into(),
            }
        })
        .collect()
}

/// The NPS group of an answer 0–10, for colouring and the breakdown.
fn nps_group(label: &str) -> &'static str {
    match label.parse::<f64>() {
        Ok(v) if v >= 9.0 => "promoter",
        Ok(v) if v >= 7.0 => "passive",
        Ok(_) => "detractor",
        Err(_) => "neutral",
    }
}

fn distribution_chart(r: &Renderer, ind: &Indicator, res: &IndicatorResult) -> Option<ChartView> {
    if res.distribution.is_empty() {
        return None;
    }
    let t = r.t;
    let nps = matches!(ind.metric, Metric::Nps);
    let view = DistributionView {
        // The distribution is the indicator's window's, as its value is.
        title: t.fill(
            "segment_caption",
            &[
                (
                    "title",
                    &t.fill("distribution_title", &[("name", &ind.name)]),
                ),
                ("window", &format::window_label(&res.window, t)),
            ],
        ),
        columns: res
            .distribution
            .iter()
            .map(|(label, share)| Column {
                label: label.clone(),
                share: *share,
                group: if nps { nps_group(label) } else { "neutral" }.into(),
            })
            .collect(),
        headers: [t.get("answer"), t.get("share_pct")],
        words: chart_words("distribution", t),
    };
    Some(ChartView {
        svg_html: timing::chart(|| charts::distribution_svg(&view)),
        table: view.table(),
    })
}

/// Promoter / passive / detractor shares as compute published them
/// (weighted), rounded to sum to 100; none where there are none (other
/// metrics, a suppressed value).
fn breakdown(r: &Renderer, res: &IndicatorResult) -> Vec<BreakdownShare> {
    let Some(Some(s)) = &res.breakdown_shares else {
        return Vec::new();
    };
    let groups = ["promoter", "passive", "detractor"];
    let rounded = round_to_total(&[s.promoters, s.passives, s.detractors], 100);
    groups
        .iter()
        .zip(rounded)
        .map(|(g, share)| BreakdownShare {
            label: r.t.get(&format!("{g}s")),
            class: (*g).into(),
            share,
        })
        .collect()
}
