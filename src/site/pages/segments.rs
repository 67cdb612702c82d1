//! The indicator page's breakdowns: one table (and bar chart) per segment
//! column and one for the personas, each on the indicator's window, with the
//! difference from the rest where it was tested.
//!
//! When the personas are the keys of a segment column (each persona matches
//! one value of that column, as `persona: new`), the two tables would repeat
//! the same numbers: the column's table shows the personas' names, linked,
//! and is the only one. A `count` has no difference from the rest and no
//! effective n (a number of rows is not a sample estimate): neither column
//! is shown for it.

use serde::Serialize;

use crate::charts::{self, Bar, BarsView};
use crate::metrics::computed::{GroupResult, IndicatorResult};
use crate::project::model::{Indicator, Metric, Project};
use crate::site::format::{self, decimals, window_label};
use crate::site::paths::Page;
use crate::site::render::Renderer;
use crate::site::timing;
use crate::site::views::{chart_words, status_icon, status_label, status_word, ChartView};

/// Bars a segment chart draws at most. Past this a chart is unreadable (a
/// bar per store of a 2,000-store chain is a 60,000-pixel-tall chart) and
/// costs more to draw than the rest of the page; the table keeps every key.
pub const CHART_BARS: usize = 30;

#[derive(Serialize)]
pub(super) struct GroupRow {
    pub(super) key: String,
    pub(super) url: String,
    pub(super) value_text: String,
    pub(super) ci_text: String,
    pub(super) n_text: String,
    pub(super) eff_n_text: String,
    /// Whether the key differs significantly from all other rows, and which way.
    pub(super) vs_rest: VsRest,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_icon: String,
}

/// A segment key against the rest of the rows (personas are not tested).
#[derive(Serialize)]
pub(super) struct VsRest {
    pub(super) tested: bool,
    pub(super) significant: bool,
    pub(super) arrow: String,
    /// The difference from the rest, signed ("+4.2"), or "" where there is none.
    pub(super) text: String,
}

#[derive(Serialize)]
pub(super) struct SegmentSection {
    pub(super) title: String,
    /// The table's caption: the title and the window its values are for.
    pub(super) caption: String,
    pub(super) key_header: String,
    pub(super) chart: Option<ChartView>,
    /// The keys' trends ("by segment over time"), segment columns only.
    pub(super) trend: Option<ChartView>,
    /// Whether any row was compared with the rest (a difference, a test or
    /// both): the column shows only then. Never for a `count`.
    pub(super) tested: bool,
    /// Whether the effective n column shows: not for a `count`.
    pub(super) show_eff_n: bool,
    pub(super) rows: Vec<GroupRow>,
}

/// Which groups a segment chart draws, as indices in table order: all of
/// them up to [`CHART_BARS`], else the `CHART_BARS / 2` highest and lowest
/// values (ties by table order; groups without a value are left out), from
/// highest to lowest — the best and worst performers, as CX reviews read them.
fn charted(groups: &[GroupResult]) -> Vec<usize> {
    if groups.len() <= CHART_BARS {
        return (0..groups.len()).collect();
    }
    let mut valued: Vec<(usize, f64)> = (groups.iter().enumerate())
        .filter_map(|(i, g)| Some((i, g.estimate.value?)))
        .collect();
    valued.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let half = CHART_BARS / 2;
    if valued.len() <= CHART_BARS {
        return valued.into_iter().map(|(i, _)| i).collect();
    }
    let low = valued.len() - half;
    (valued[..half].iter().chain(&valued[low..]))
        .map(|(i, _)| *i)
        .collect()
}

/// The column whose keys are the personas, when there is one: every persona
/// matches exactly one value of the same column, no two the same value. Its
/// segment table and the personas' table would hold the same numbers.
pub(super) fn persona_column(project: &Project) -> Option<&str> {
    let first = project.personas.first()?;
    let column = first.matcher.column.name.as_str();
    let mut values = std::collections::BTreeSet::new();
    for p in &project.personas {
        let m = &p.matcher;
        if m.column.name != column || m.values.len() != 1 || !values.insert(m.values[0].trim()) {
            return None;
        }
    }
    Some(column)
}

/// Every breakdown of an indicator's page, in order: each segment column
/// (with its trend by key), then the personas — unless the personas are a
/// segment column's keys ([`persona_column`]): that column's table then
/// names them, links their pages, and stands for both.
pub(super) fn sections(
    r: &Renderer,
    project: &Project,
    ind: &Indicator,
    res: &IndicatorResult,
) -> Vec<SegmentSection> {
    let t = r.t;
    let personas = t.get("personas");
    let merged = persona_column(project)
        .filter(|c| !res.personas.is_empty() && res.segments.contains_key(*c));
    let persona_of = |key: &str| {
        (project.personas.iter()).find(|p| p.matcher.values.iter().any(|v| v.trim() == key))
    };
    let mut sections: Vec<SegmentSection> = (res.segments.iter())
        .map(|(column, groups)| {
            let is_personas = merged == Some(column.as_str());
            // An SPSS variable label is the segment's default label (docs/reference.md).
            let shown = if is_personas {
                personas.clone()
            } else {
                (ind.dataset.as_ref())
                    .and_then(|id| project.config.datasets.get(id))
                    .and_then(|ds| crate::data::spss_source::variable_label(ds, column))
                    .unwrap_or_else(|| column.clone())
            };
            let title = t.fill("segment_title", &[("name", &ind.name), ("column", &shown)]);
            let name_and_url = |g: &GroupResult| match persona_of(&g.key).filter(|_| is_personas) {
                Some(p) => (p.name.clone(), Page::Persona(&p.id).path()),
                None => (g.key.clone(), String::new()),
            };
            let name = |g: &GroupResult| name_and_url(g).0;
            let trend = super::window::segment_trend(ind, res, &shown, groups, &name, t);
            let mut section = segment_section(r, ind, res, title, shown, groups, name_and_url);
            section.trend = trend;
            section
        })
        .collect();
    if !res.personas.is_empty() && merged.is_none() {
        let title = t.fill(
            "segment_title",
            &[("name", &ind.name), ("column", &personas)],
        );
        let names = |g: &GroupResult| {
            (project.personas.iter())
                .find(|p| p.id == g.key)
                .map_or_else(|| g.key.clone(), |p| p.name.clone())
        };
        sections.push(segment_section(
            r,
            ind,
            res,
            title,
            personas,
            &res.personas,
            |g| (names(g), Page::Persona(&g.key).path()),
        ));
    }
    sections
}

pub(super) fn segment_section(
    r: &Renderer,
    ind: &Indicator,
    res: &IndicatorResult,
    title: String,
    key_header: String,
    groups: &[GroupResult],
    name_and_url: impl Fn(&GroupResult) -> (String, String),
) -> SegmentSection {
    let t = r.t;
    let d = decimals(&ind.metric);
    let rows: Vec<GroupRow> = groups
        .iter()
        .map(|g| {
            let (key, url) = name_and_url(g);
            let e = &g.estimate;
            GroupRow {
                key,
                url,
                value_text: format::maybe(e.value, d),
                ci_text: format::interval(e.ci_low, e.ci_high, d),
                n_text: format::number(e.n as f64, 0),
                eff_n_text: format::number(e.effective_n, 1),
                vs_rest: VsRest {
                    tested: g.significant.is_some(),
                    significant: g.significant == Some(true),
                    arrow: match (e.value, res.estimate.value) {
                        (Some(v), Some(all)) if v > all => "▲".into(),
                        (Some(v), Some(all)) if v < all => "▼".into(),
                        _ => String::new(),
                    },
                    text: match g.vs_rest {
                        Some(Some(diff)) => format::signed(Some(diff), d),
                        _ => String::new(),
                    },
                },
                status: status_word(e.status).into(),
                status_label: status_label(e.status, t),
                status_icon: status_icon(e.status).into(),
            }
        })
        .collect();
    let window = window_label(&res.window, t);
    let caption = t.fill("segment_caption", &[("title", &title), ("window", &window)]);
    let is_count = matches!(ind.metric, Metric::Count);
    let tested =
        !is_count && (rows.iter()).any(|row| row.vs_rest.tested || !row.vs_rest.text.is_empty());
    let chart = (!groups.is_empty()).then(|| {
        let shown = charted(groups);
        let n = format::number(groups.len() as f64, 0);
        let note = if shown.len() == CHART_BARS && groups.len() > CHART_BARS {
            let half = (CHART_BARS / 2).to_string();
            Some(t.fill("chart_extremes", &[("half", &half), ("n", &n)]))
        } else if shown.len() < groups.len() {
            let k = shown.len().to_string();
            Some(t.fill("chart_valued", &[("k", &k), ("n", &n)]))
        } else {
            None
        };
        let chart_title = match note {
            Some(note) => format!("{caption} — {note}"),
            None => caption.clone(),
        };
        let view = BarsView {
            title: chart_title,
            unit: ind.unit.clone().unwrap_or_default(),
            bars: shown
                .iter()
                .map(|&i| (&groups[i], &rows[i]))
                .map(|(g, row)| Bar {
                    label: row.key.clone(),
                    value: g.estimate.value,
                    low: g.estimate.ci_low,
                    high: g.estimate.ci_high,
                    status: status_word(g.estimate.status).into(),
                })
                .collect(),
            target: ind.target,
            x_range: None,
            headers: [
                key_header.clone(),
                t.get("value"),
                t.get("low"),
                t.get("high"),
            ],
            words: chart_words("bars", t).with_decimals(d),
        };
        ChartView {
            svg_html: timing::chart(|| charts::bars_svg(&view)),
            table: view.table(),
        }
    });
    SegmentSection {
        caption,
        title,
        key_header,
        chart,
        trend: None,
        tested,
        show_eff_n: !is_count,
        rows,
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;
    use crate::metrics::computed::{Estimate, Status};

    fn group(key: usize, value: Option<f64>) -> GroupResult {
        GroupResult {
            key: format!("k{key}"),
            estimate: Estimate {
                value,
                n: 10,
                effective_n: 10.0,
                ci_low: None,
                ci_high: None,
                status: Status::None,
                variance: None,
                se: None,
            },
            vs_rest: None,
            p_value: None,
            q_value: None,
            significant: None,
            periods: Vec::new(),
        }
    }

    #[test]
    fn a_long_segment_chart_draws_the_highest_and_lowest_only() {
        // Up to CHART_BARS: every group, in table order, blanks included.
        let few: Vec<_> = (0..CHART_BARS).map(|i| group(i, None)).collect();
        assert_eq!(charted(&few), (0..CHART_BARS).collect::<Vec<_>>());
        // 100 groups valued (i·37) mod 100 — a permutation of 0..99 — and
        // every 10th without a value: the 15 highest values are 99..85 and
        // the 15 lowest 14..0, minus the blanks' values.
        let many: Vec<_> = (0..100)
            .map(|i| group(i, (i % 10 != 3).then_some((i * 37 % 100) as f64)))
            .collect();
        let values: Vec<f64> = charted(&many)
            .iter()
            .map(|&i| many[i].estimate.value.unwrap())
            .collect();
        let blank: Vec<f64> = (0..100)
            .filter(|i| i % 10 == 3)
            .map(|i| (i * 37 % 100) as f64)
            .collect();
        let mut expected: Vec<f64> = (0..100).rev().map(f64::from).collect();
        expected.retain(|v| !blank.contains(v));
        let (top, bottom) = (&expected[..15], &expected[expected.len() - 15..]);
        assert_eq!(values, [top, bottom].concat());
        assert_eq!(values.len(), CHART_BARS);
    }
}
