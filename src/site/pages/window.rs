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
use crate::project::model::Indicator;
use crate::site::format::{self, decimals, period_label};
use crate::site::i18n::Catalog;
use crate::site::timing;
pub use crate::site::views::in_window;
use crate::site::views::{change_arrow, chart_words, window_span, ChartView};

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

/// The window's band over the trend: the indices of its first and last periods.
pub fn window_band(res: &IndicatorResult, t: &Catalog) -> Option<WindowBand> {
    let (first, last) = window_span(res)?;
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

/// "By segment over time" for one segment column, named `column` as the
/// page names it: a line per key (the [`MAX_LINES`] largest by n, as the
/// title says when it leaves some out), labelled by `name` (the key, or the
/// persona it stands for), over every period of the indicator's trend;
/// `None` without a trend.
pub fn segment_trend(
    ind: &Indicator,
    res: &IndicatorResult,
    column: &str,
    groups: &[GroupResult],
    name: &dyn Fn(&GroupResult) -> String,
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
            label: name(&groups[i]),
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
        window: window_band(res, t),
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::diag::Diagnostics;
    use crate::metrics::computed::{Computed, Estimate, GroupPeriod, Status, WindowInfo};
    use crate::metrics::periods::PeriodKey;

    fn estimate(value: Option<f64>, n: u64) -> Estimate {
        Estimate {
            value,
            n,
            effective_n: n as f64,
            ci_low: value.map(|v| v - 1.0),
            ci_high: value.map(|v| v + 1.0),
            status: Status::None,
            variance: None,
            se: None,
        }
    }

    fn compared(
        from: PeriodKey,
        change: Option<f64>,
        significant: Option<bool>,
    ) -> WindowComparison {
        WindowComparison {
            from,
            to: from,
            value: Some(10.0),
            n: 40,
            effective_n: 40.0,
            ci_low: Some(8.0),
            ci_high: Some(12.0),
            se: None,
            change,
            p_value: Some(0.0001),
            q_value: Some(0.02),
            significant,
        }
    }

    /// The tiny fixture on a "latest" window (Feb 2026), its first indicator compared
    /// (previous significant, year ago not), its second with a previous only, the third
    /// undated (window `all`), the rest without comparisons; a hostile segment key.
    fn site() -> BTreeMap<String, String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        let mut diags = Diagnostics::new();
        let project = crate::project::load(&dir, &mut diags).expect("the tiny fixture loads");
        let mut computed: Computed = crate::metrics::compute(&project, &mut diags);
        let feb = PeriodKey::Month(2026, 2);
        let window = WindowInfo {
            kind: "latest",
            from: Some(feb),
            to: Some(feb),
            label: "2026-02".into(),
        };
        computed.project.window = window.clone();
        for (i, res) in computed.indicators.iter_mut().enumerate() {
            res.window = window.clone();
            res.previous = None;
            res.year_ago = None;
            if i == 0 {
                res.previous = Some(compared(PeriodKey::Month(2026, 1), Some(-3.25), Some(true)));
                res.year_ago = Some(compared(PeriodKey::Month(2025, 2), Some(5.1), Some(false)));
                let groups = res.segments.values_mut().next().expect("a segment column");
                groups[0].key = "<b>hostile</b>".into();
            } else if i == 1 {
                res.previous = Some(compared(PeriodKey::Month(2026, 1), Some(1.0), Some(false)));
            } else if i == 2 {
                // As compute publishes an indicator of a dataset without dates.
                res.window = WindowInfo {
                    kind: "all",
                    from: None,
                    to: None,
                    label: "all".into(),
                };
            }
        }
        let (files, _) = crate::site::render_site_timed(&project, &computed, None, &mut diags)
            .expect("the site renders");
        assert!(!diags.has_errors(), "{:?}", diags.sorted());
        (files.into_iter())
            .filter(|(path, _)| path.ends_with(".html"))
            .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
            .collect()
    }

    /// The tile of the indicator whose page is `id`, from the scorecard.
    fn tile<'a>(index: &'a str, id: &str) -> &'a str {
        let link = format!("indicators/{id}.html\">");
        let at = index.find(&link).expect("a tile links its page");
        let end = index[at..].find("</article>").expect("the tile ends") + at;
        &index[at..end]
    }

    #[test]
    fn tiles_name_the_window_and_show_each_comparison_computed() {
        let site = site();
        let index = &site["index.html"];
        let first = tile(index, "nps");
        assert!(
            first.contains(concat!(
                r#"class="tile-window">Feb 2026 · <span class="cmp sig">vs Jan 2026 −3.2"#,
                r#" <span aria-hidden="true" title="significant">▼</span>"#,
                r#"<span class="sr-only"> (significant)</span></span>"#,
                r#" · <span class="cmp">vs Feb 2025 +5.1</span></p>"#
            )),
            "{first}"
        );
        let second = tile(index, "csat");
        assert!(
            second.contains(
                r#"class="tile-window">Feb 2026 · <span class="cmp">vs Jan 2026 +1.0</span></p>"#
            ),
            "{second}"
        );
        assert!(!second.contains("sr-only"), "no significance, no marker");
        let third = tile(index, "p90-minutes");
        assert!(
            third.contains(r#"class="tile-window">all data</p>"#),
            "{third}"
        );
        let fourth = tile(index, "ok-share");
        assert!(
            fourth.contains(r#"class="tile-window">Feb 2026</p>"#),
            "{fourth}"
        );
        assert!(index.contains("(the reporting window is Feb 2026)"));
        assert!(
            index.contains("<td>Feb 2026</td>"),
            "the table names each row's window"
        );
        assert!(index.contains("Reporting window: Feb 2026"));
    }

    #[test]
    fn the_indicator_page_tables_the_comparisons_and_names_the_window() {
        let site = site();
        let page = &site["indicators/nps.html"];
        assert!(
            page.contains("<th scope=\"row\">Previous window</th><td>Jan 2026</td>"),
            "{page}"
        );
        assert!(page.contains("<th scope=\"row\">Year ago</th><td>Feb 2025</td>"));
        assert!(page.contains("< 0.001") || page.contains("&lt; 0.001"));
        assert!(page.contains("<td class=\"num\">0.020</td>"));
        // Segment tables and charts say which window they are for; keys are escaped.
        assert!(
            page.contains("<caption>Net Promoter Score by channel, Feb 2026</caption>"),
            "{page}"
        );
        assert!(
            page.contains("&lt;b&gt;hostile&lt;&#x2F;b&gt;")
                || page.contains("&lt;b&gt;hostile&lt;/b&gt;")
        );
        assert!(!page.contains("<b>hostile</b>"));
        // The trend marks the window's period, in the table and the chart.
        assert!(page.contains("<tr class=\"in-window\"><th scope=\"row\">Feb 2026"));
        assert!(page.contains("class=\"window-band\""));
        // A page without comparisons has no comparison table.
        assert!(!site["indicators/p90-minutes.html"].contains("class=\"comparisons\""));
        let methodology = &site["methodology.html"];
        assert!(methodology.contains("for the reporting window: Feb 2026."));
        assert!(methodology.contains("Benjamini–Hochberg"));
    }

    #[test]
    fn no_page_repeats_an_element_id() {
        for (path, html) in site() {
            let mut seen = BTreeSet::new();
            for id in html
                .split(" id=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
            {
                assert!(seen.insert(id.to_string()), "{path} repeats id {id}");
            }
        }
    }

    fn group(key: &str, n: u64, trend: bool) -> GroupResult {
        GroupResult {
            key: key.into(),
            estimate: estimate(Some(1.0), n),
            vs_rest: None,
            p_value: None,
            q_value: None,
            significant: None,
            periods: if trend {
                vec![GroupPeriod {
                    period: PeriodKey::Month(2026, 1),
                    estimate: estimate(Some(1.0), n),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn segment_trends_draw_the_largest_eight_in_table_order() {
        // Twelve keys with n 10, 20, … 120, the last without a trend, and a
        // 13th tying the 5th's n: ties keep table order.
        let mut groups: Vec<GroupResult> = (0..12)
            .map(|i| group(&format!("k{i}"), 10 * (i as u64 + 1), i != 11))
            .collect();
        groups.push(group("tie", 50, true));
        assert_eq!(largest(&groups), vec![4, 5, 6, 7, 8, 9, 10, 12]);
        groups[10].estimate.n = 1;
        assert_eq!(largest(&groups), vec![3, 4, 5, 6, 7, 8, 9, 12]);
        assert_eq!(largest(&groups[..3]), vec![0, 1, 2]);
        assert!(largest(&[group("none", 5, false)]).is_empty());
    }
}
