//! The reporting window on an indicator page (SPEC §6): the comparison table
//! (window, previous, year ago), the window's band over the trend, and the
//! "by segment over time" charts.
//!
//! Everything here formats what compute published in `IndicatorResult`
//! (`window`, `previous`, `year_ago`, each group's `periods`); nothing is
//! computed but the choice of which keys to draw.

use serde::Serialize;

use crate::charts::{self, Line, LinesView, WindowBand, MAX_LINES};
use crate::metrics::computed::{GroupResult, IndicatorResult, WindowComparison};
use crate::metrics::periods::PeriodKey;
use crate::project::model::Indicator;
use crate::site::format::{self, decimals, period_label};
use crate::site::i18n::Catalog;
use crate::site::timing;
use crate::site::views::{change_arrow, chart_words, ChartView};

/// One row of the comparison table: the window itself, or a window it is compared with.
#[derive(Debug, Serialize)]
pub struct CompareRow {
    /// "This window", "Previous window", "Year ago".
    pub name: String,
    /// The window's periods in words ("Nov 2025").
    pub window_text: String,
    /// Its value, rounded.
    pub value_text: String,
    /// Its interval.
    pub ci_text: String,
    /// Its answered rows.
    pub n_text: String,
    /// The headline minus this window's value, signed; "" on the window's own row.
    pub change_text: String,
    /// The p-value, or the dash.
    pub p_text: String,
    /// The q-value, or the dash.
    pub q_text: String,
    /// Whether the change is flagged.
    pub significant: bool,
    /// Whether a test was made (a row says "not significant" only then).
    pub tested: bool,
    /// "▲"/"▼" when significant.
    pub arrow: String,
}

/// The comparison table: the window's row, then each comparison compute published; empty
/// when there is none (an undated dataset, `compare: []`, a window without a previous one).
pub fn comparison_rows(ind: &Indicator, res: &IndicatorResult, t: &Catalog) -> Vec<CompareRow> {
    let d = decimals(&ind.metric);
    let others: Vec<(&str, &WindowComparison)> = [
        ("compare_previous", &res.previous),
        ("compare_year_ago", &res.year_ago),
    ]
    .into_iter()
    .filter_map(|(key, c)| Some((key, c.as_ref()?)))
    .collect();
    if others.is_empty() {
        return Vec::new();
    }
    let e = &res.estimate;
    let own = CompareRow {
        name: t.get("compare_window"),
        window_text: format::window_label(&res.window, t),
        value_text: format::maybe(e.value, d),
        ci_text: format::interval(e.ci_low, e.ci_high, d),
        n_text: format::number(e.n as f64, 0),
        change_text: String::new(),
        p_text: String::new(),
        q_text: String::new(),
        significant: false,
        tested: false,
        arrow: String::new(),
    };
    let rows = others.into_iter().map(|(key, c)| {
        let significant = c.significant == Some(true);
        CompareRow {
            name: t.get(key),
            window_text: format::window_words("rolling", Some(c.from), Some(c.to), t),
            value_text: format::maybe(c.value, d),
            ci_text: format::interval(c.ci_low, c.ci_high, d),
            n_text: format::number(c.n as f64, 0),
            change_text: format::signed(c.change, d),
            p_text: format::p_value(c.p_value),
            q_text: format::p_value(c.q_value),
            significant,
            tested: c.significant.is_some(),
            arrow: change_arrow(c.change, significant).into(),
        }
    });
    std::iter::once(own).chain(rows).collect()
}

/// Whether `period` is in the indicator's window (always false for `all`:
/// there is nothing to mark when every period is in).
pub fn in_window(res: &IndicatorResult, period: &PeriodKey) -> bool {
    let w = &res.window;
    w.kind != "all"
        && matches!((w.from, w.to), (Some(from), Some(to)) if from <= *period && *period <= to)
}

/// The window's band over the trend: the indices of its first and last periods.
pub fn window_band(res: &IndicatorResult, t: &Catalog) -> Option<WindowBand> {
    let inside = |p: &&crate::metrics::computed::PeriodResult| in_window(res, &p.period);
    let first = res.periods.iter().position(|p| inside(&p))?;
    let last = res.periods.iter().rposition(|p| inside(&p))?;
    Some(WindowBand {
        first,
        last,
        label: format::window_label(&res.window, t),
        header: t.get("window"),
    })
}

/// The keys a segment-over-time chart draws: the [`MAX_LINES`] largest by n
/// (ties by table order), in table order, among those with a trend.
pub fn largest(groups: &[GroupResult]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..groups.len())
        .filter(|&i| groups[i].periods.iter().any(|p| p.estimate.value.is_some()))
        .collect();
    ranked.sort_by(|&a, &b| {
        groups[b]
            .estimate
            .n
            .cmp(&groups[a].estimate.n)
            .then(a.cmp(&b))
    });
    ranked.truncate(MAX_LINES);
    ranked.sort_unstable();
    ranked
}

/// "By segment over time" for one segment column: a line per key (the
/// [`MAX_LINES`] largest by n, as the title says when it leaves some out),
/// over every period of the indicator's trend; `None` without a trend.
pub fn segment_trend(
    ind: &Indicator,
    res: &IndicatorResult,
    column: &str,
    groups: &[GroupResult],
    t: &Catalog,
) -> Option<ChartView> {
    let shown = largest(groups);
    if res.periods.len() < 2 || shown.is_empty() {
        return None;
    }
    let title = if shown.len() < groups.len() {
        let (k, n) = (
            shown.len().to_string(),
            format::number(groups.len() as f64, 0),
        );
        t.fill(
            "segment_trend_largest",
            &[
                ("name", &ind.name),
                ("column", column),
                ("k", &k),
                ("n", &n),
            ],
        )
    } else {
        t.fill(
            "segment_trend_title",
            &[("name", &ind.name), ("column", column)],
        )
    };
    let lines = shown
        .iter()
        .map(|&i| Line {
            label: groups[i].key.clone(),
            values: (res.periods.iter())
                .map(|p| {
                    let found = groups[i].periods.iter().find(|g| g.period == p.period);
                    found.and_then(|g| g.estimate.value)
                })
                .collect(),
        })
        .collect();
    let view = LinesView {
        title,
        y_label: ind
            .unit
            .clone()
            .unwrap_or_else(|| t.get(ind.metric.catalogue().name)),
        periods: res
            .periods
            .iter()
            .map(|p| period_label(&p.period, t))
            .collect(),
        lines,
        period_header: t.get("period"),
        y_range: None,
        words: chart_words("lines", t).with_decimals(decimals(&ind.metric)),
    };
    Some(ChartView {
        svg_html: timing::chart(|| charts::lines_svg(&view)),
        table: view.table(),
    })
}

/// A group's values aligned with the indicator's periods (a gap where the group had no rows),
/// for its sparkline: the same x positions as the indicator's own trend.
pub fn aligned(res: &IndicatorResult, group: &GroupResult) -> Vec<Option<f64>> {
    (res.periods.iter())
        .map(|p| {
            let found = group.periods.iter().find(|g| g.period == p.period);
            found.and_then(|g| g.estimate.value)
        })
        .collect()
}
