//! The drivers page's SPEC §8 parts: the penalty / reward chart and each
//! attribute's class in words, the importance intervals and "not
//! distinguishable" marks, and the importance-over-time chart.
//!
//! Everything here formats what compute published in `DriverResult`
//! (penalty, reward, class, intervals, overlaps, periods); the only choice
//! made here is the wording.

use crate::charts::{self, EffectRow, EffectsView, Line, LinesView, WindowBand};
use crate::metrics::computed::{DriverAttribute, DriverClass, DriverEffect, DriverResult};
use crate::project::model::{DriverBands, Range};
use crate::site::format::{self, period_label};
use crate::site::i18n::Catalog;
use crate::site::timing;
use crate::site::views::{chart_words, ChartView};

/// A band of ratings as a reader writes it: `5`, `1–2`.
pub fn band_text(r: &Range) -> String {
    let n = |x: f64| format::number(x, if x.fract() == 0.0 { 0 } else { 1 });
    if r.lo == r.hi {
        n(r.lo)
    } else {
        format!("{}–{}", n(r.lo), n(r.hi))
    }
}

/// The class's word, or "" when there is none.
pub fn class_text(class: Option<DriverClass>, t: &Catalog) -> String {
    class.map_or_else(String::new, |c| t.get(&format!("class_{}", c.word())))
}

/// A penalty or reward as the table shows it: "23.4 (19.1–27.7)", marked
/// "*" when significant; "—" when not computed.
pub fn effect_text(e: Option<&DriverEffect>) -> String {
    let Some(e) = e else { return "—".into() };
    let mark = if e.significant == Some(true) {
        " *"
    } else {
        ""
    };
    format!(
        "{} ({}–{}){mark}",
        format::number(e.value, 1),
        format::number(e.ci_low, 1),
        format::number(e.ci_high, 1)
    )
}

/// An importance with its interval when there is one: "39.7 (37.7–41.4)".
pub fn importance_text(a: &DriverAttribute) -> String {
    match (a.importance, a.importance_ci_low, a.importance_ci_high) {
        (Some(v), Some(lo), Some(hi)) => format!(
            "{} ({}–{})",
            format::number(v, 1),
            format::number(lo, 1),
            format::number(hi, 1)
        ),
        (v, _, _) => format::maybe(v, 1),
    }
}

/// "not distinguishable from Speed, Support", or "" when its interval
/// overlaps none (or there are no intervals).
pub fn tie_text(attributes: &[DriverAttribute], a: &DriverAttribute, t: &Catalog) -> String {
    let others: Vec<&str> = (a.not_distinguishable_from.iter())
        .filter_map(|c| attributes.iter().find(|x| &x.column == c))
        .map(|x| x.label.as_str())
        .collect();
    if others.is_empty() {
        return String::new();
    }
    t.fill("not_distinguishable", &[("others", &others.join(", "))])
}

/// The plain-language reading of an attribute's class, e.g. "Installation
/// is a basic: rated 1–2 it adds 23 points of detractors; rated 5 it adds
/// few promoters — fix the failures first."; "" without penalty / reward.
pub fn class_reading(a: &DriverAttribute, bands: Option<&DriverBands>, t: &Catalog) -> String {
    let Some(b) = bands else {
        return String::new();
    };
    let points = |e: &Option<DriverEffect>| {
        e.as_ref()
            .map_or_else(String::new, |e| format::number(e.value, 0))
    };
    let key = match a.class {
        None => "class_reading_none",
        Some(c) => match c {
            DriverClass::Basic => "class_reading_basic",
            DriverClass::Delighter => "class_reading_delighter",
            DriverClass::Performance => "class_reading_performance",
            DriverClass::Unclear => "class_reading_unclear",
        },
    };
    t.fill(
        key,
        &[
            ("attribute", &a.label),
            ("low", &band_text(&b.low)),
            ("high", &band_text(&b.high)),
            ("penalty", &points(&a.penalty)),
            ("reward", &points(&a.reward)),
        ],
    )
}

/// The penalty / reward chart, when an attribute has either.
pub fn effects_chart(d: &DriverResult, t: &Catalog) -> Option<ChartView> {
    let triple = |e: &Option<DriverEffect>| e.as_ref().map(|e| (e.value, e.ci_low, e.ci_high));
    let rows: Vec<EffectRow> = (d.attributes.iter())
        .map(|a| {
            let class = class_text(a.class, t);
            EffectRow {
                label: if class.is_empty() {
                    a.label.clone()
                } else {
                    format!("{} ({class})", a.label)
                },
                penalty: triple(&a.penalty),
                reward: triple(&a.reward),
            }
        })
        .collect();
    if rows
        .iter()
        .all(|r| r.penalty.is_none() && r.reward.is_none())
    {
        return None;
    }
    let view = EffectsView {
        title: t.fill("effects_title", &[("outcome", &d.label)]),
        axis: t.get("effects_axis"),
        rows,
        headers: [
            t.get("attribute"),
            t.get("penalty"),
            t.get("interval"),
            t.get("reward"),
            t.get("interval"),
        ],
        words: chart_words("effects", t),
    };
    Some(ChartView {
        svg_html: timing::chart(|| charts::effects_svg(&view)),
        table: view.table(),
    })
}

/// Importance over time: one line per attribute, the analysis' window
/// shaded; `None` with fewer than two periods.
pub fn trend_chart(d: &DriverResult, t: &Catalog) -> Option<ChartView> {
    if d.periods.len() < 2 {
        return None;
    }
    let lines = (d.attributes.iter())
        .map(|a| Line {
            label: a.label.clone(),
            values: (d.periods.iter())
                .map(|p| p.importance.get(&a.column).copied().flatten())
                .collect(),
        })
        .collect();
    let inside =
        |k| matches!((d.window.from, d.window.to), (Some(f), Some(to)) if f <= k && k <= to);
    let first = d.periods.iter().position(|p| inside(p.period));
    let last = d.periods.iter().rposition(|p| inside(p.period));
    let window = first.zip(last).map(|(first, last)| WindowBand {
        first,
        last,
        label: format::window_label(&d.window, t),
        header: t.get("window"),
    });
    let view = LinesView {
        title: t.fill("drivers_trend_title", &[("outcome", &d.label)]),
        y_label: t.get("importance"),
        periods: d
            .periods
            .iter()
            .map(|p| period_label(&p.period, t))
            .collect(),
        lines,
        period_header: t.get("period"),
        y_range: None,
        words: chart_words("lines", t),
        window,
    };
    Some(ChartView {
        svg_html: timing::chart(|| charts::lines_svg(&view)),
        table: view.table(),
    })
}
