//! The key drivers page: per analysis, the importance/performance quadrant, a
//! table with a plain-language reading of each attribute, and the same
//! analysis per persona.
//!
//! The reading places each attribute in a quadrant against the *average of the
//! attributes* (mean importance, mean performance: the chart's split lines,
//! published by compute as `mean_importance` / `mean_performance`), so the
//! words, the chart and metrics.json always agree.

use serde::Serialize;

use super::driver_views as dv;
use super::Built;
use crate::charts::{self, QuadrantPoint, QuadrantView};
use crate::metrics::computed::{Computed, DriverAttribute, DriverResult};
use crate::project::model::{DriverBands, Project};
use crate::site::format;
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};
use crate::site::timing;
use crate::site::views::{chart_words, ChartView};

#[derive(Serialize)]
struct AttributeRow {
    label: String,
    r_text: String,
    /// The importance with its bootstrap interval when there is one.
    importance_text: String,
    /// "not distinguishable from …", or "".
    tie_text: String,
    performance_text: String,
    /// Penalty and reward with their intervals ("" columns without `scale`).
    penalty_text: String,
    reward_text: String,
    /// The class's word, and the word itself for the CSS class.
    class_text: String,
    class: String,
    reading: String,
    /// The class in plain words ("Installation is a basic: …"), or "".
    class_reading: String,
}

#[derive(Serialize)]
struct PersonaRow {
    name: String,
    url: String,
    n_text: String,
    r2_text: String,
    /// Importance of each attribute, in the analysis's attribute order.
    importance_texts: Vec<String>,
    /// The reading of the persona's most important attribute.
    reading: String,
}

#[derive(Serialize)]
struct DriverView {
    title: String,
    summary: String,
    /// Which rows the analysis read ("Rows read: all data").
    window_text: String,
    chart: Option<ChartView>,
    /// Penalty / reward chart (with `scale`).
    effects_chart: Option<ChartView>,
    /// How penalty and reward are read, or "" without `scale`.
    effects_note: String,
    /// Whether the table has the penalty, reward and class columns.
    has_effects: bool,
    /// The bootstrap's note, or "" without `bootstrap`.
    bootstrap_note: String,
    /// Importance over time (two periods or more).
    trend_chart: Option<ChartView>,
    attributes: Vec<AttributeRow>,
    /// Attribute labels, the persona table's column headers.
    labels: Vec<String>,
    personas: Vec<PersonaRow>,
}

/// Where an attribute sits in the importance/performance quadrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    /// Important and performing below average: the first thing to fix.
    FixFirst,
    /// Important and performing well: keep it that way.
    KeepUp,
    /// Less important and performing below average: watch it.
    Monitor,
    /// Less important and performing well: no extra investment needed.
    Maintain,
}

/// The quadrant of an attribute against the splits (at a split counts as above).
pub fn quadrant(importance: f64, performance: f64, x_split: f64, y_split: f64) -> Quadrant {
    match (importance >= x_split, performance >= y_split) {
        (true, false) => Quadrant::FixFirst,
        (true, true) => Quadrant::KeepUp,
        (false, false) => Quadrant::Monitor,
        (false, true) => Quadrant::Maintain,
    }
}

/// The quadrant's splits compute published (mean importance, mean
/// performance); `None` when no attribute had both numbers.
fn splits(means: (Option<f64>, Option<f64>)) -> Option<(f64, f64)> {
    means.0.zip(means.1)
}

/// The index of the most important attribute (ties: the first in definition order).
fn top(attributes: &[DriverAttribute]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, a) in attributes.iter().enumerate() {
        if let (Some(imp), Some(_)) = (a.importance, a.performance) {
            if best.is_none_or(|(_, b)| imp > b) {
                best = Some((i, imp));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// One attribute's reading against `splits` (the analysis' mean importance
/// and mean performance), e.g. "Speed matters most and performs below the
/// average of the attributes: fix first." — or that it cannot be judged.
pub fn reading(
    attributes: &[DriverAttribute],
    splits: Option<(f64, f64)>,
    i: usize,
    t: &Catalog,
) -> String {
    let a = &attributes[i];
    let (Some((xs, ys)), Some(imp), Some(perf)) = (splits, a.importance, a.performance) else {
        return t.fill("drivers_reading_unknown", &[("attribute", &a.label)]);
    };
    let side = |above: bool| t.get(if above { "above" } else { "below" });
    let q = quadrant(imp, perf, xs, ys);
    let advice = t.get(match q {
        Quadrant::FixFirst => "advice_fix",
        Quadrant::KeepUp => "advice_keep",
        Quadrant::Monitor => "advice_monitor",
        Quadrant::Maintain => "advice_maintain",
    });
    if top(attributes) == Some(i) {
        t.fill(
            "drivers_reading",
            &[
                ("top", &a.label),
                ("side", &side(perf >= ys)),
                ("advice", &advice),
            ],
        )
    } else {
        t.fill(
            "drivers_reading_other",
            &[
                ("attribute", &a.label),
                ("importance_side", &side(imp >= xs)),
                ("side", &side(perf >= ys)),
                ("advice", &advice),
            ],
        )
    }
}

/// The key driver analyses: quadrant, table with readings, per-persona table.
pub fn page(r: &Renderer, project: &Project, computed: &Computed) -> Result<Built, RenderError> {
    let t = r.t;
    // compute publishes the analyses in definition order.
    let views: Vec<DriverView> = (computed.drivers.iter().enumerate())
        .map(|(i, d)| {
            let bands = project.config.drivers.get(i).and_then(|x| x.bands.as_ref());
            driver_view(t, project, d, bands)
        })
        .collect();
    r.page(
        Page::Drivers,
        &t.get("drivers"),
        &DriversView { drivers: views },
    )
}

/// What `drivers.html` receives.
#[derive(Serialize)]
struct DriversView {
    /// One view per analysis, in definition order.
    drivers: Vec<DriverView>,
}

fn driver_view(
    t: &Catalog,
    project: &Project,
    d: &DriverResult,
    bands: Option<&DriverBands>,
) -> DriverView {
    let split = splits((d.mean_importance, d.mean_performance));
    let has_effects = bands.is_some();
    let attributes: Vec<AttributeRow> = (d.attributes.iter().enumerate())
        .map(|(i, a)| AttributeRow {
            label: a.label.clone(),
            r_text: format::maybe(a.r, 2),
            importance_text: dv::importance_text(a),
            tie_text: dv::tie_text(&d.attributes, a, t),
            performance_text: format::maybe(a.performance, 2),
            penalty_text: dv::effect_text(a.penalty.as_ref()),
            reward_text: dv::effect_text(a.reward.as_ref()),
            class_text: dv::class_text(a.class, t),
            class: a.class.map_or("", |c| c.word()).to_string(),
            reading: reading(&d.attributes, split, i, t),
            class_reading: dv::class_reading(a, bands, t),
        })
        .collect();
    let summary = t.fill(
        "drivers_summary",
        &[
            ("n", &format::number(d.n as f64, 0)),
            ("r2", &format::maybe(d.r2, 2)),
            ("outcome", &d.label),
        ],
    );
    let title = t.fill(
        "drivers_for",
        &[("outcome", &d.label), ("dataset", &d.dataset)],
    );
    let confidence = format::number(project.config.confidence * 100.0, 0);
    let effects_note = bands.map_or_else(String::new, |b| {
        t.fill(
            "effects_note",
            &[
                ("low", &dv::band_text(&b.low)),
                ("high", &dv::band_text(&b.high)),
                ("confidence", &confidence),
            ],
        )
    });
    let bootstrap_note = d.bootstrap.as_ref().map_or_else(String::new, |b| {
        t.fill(
            "drivers_bootstrap_note",
            &[
                ("confidence", &confidence),
                ("replicates", &format::number(f64::from(b.replicates), 0)),
                ("rows", &format::number(b.rows as f64, 0)),
            ],
        )
    });
    let points: Vec<QuadrantPoint> = (d.attributes.iter())
        .filter_map(|a| {
            Some(QuadrantPoint {
                label: a.label.clone(),
                importance: a.importance?,
                performance: a.performance?,
            })
        })
        .collect();
    let chart = split.map(|(x_split, y_split)| {
        let view = QuadrantView {
            title: t.fill("quadrant_title", &[("outcome", &d.label)]),
            x_label: t.get("importance"),
            y_label: t.get("performance"),
            points,
            x_split,
            y_split,
            headers: [
                t.get("attribute"),
                t.get("importance"),
                t.get("performance"),
            ],
            parts: [
                t.get("quadrant_fix_first"),
                t.get("quadrant_keep_up"),
                t.get("quadrant_monitor"),
                t.get("quadrant_maintain"),
            ],
            words: chart_words("quadrant", t),
        };
        ChartView {
            svg_html: timing::chart(|| charts::quadrant_svg(&view)),
            table: view.table(),
        }
    });
    let personas = (d.personas.iter())
        .map(|p| {
            let name = (project.personas.iter())
                .find(|x| x.id == p.key)
                .map_or_else(|| p.key.clone(), |x| x.name.clone());
            PersonaRow {
                name,
                url: Page::Persona(&p.key).path(),
                n_text: format::number(p.n as f64, 0),
                r2_text: format::maybe(p.r2, 2),
                importance_texts: p.attributes.iter().map(dv::importance_text).collect(),
                reading: top(&p.attributes).map_or_else(
                    || t.get("drivers_persona_unknown"),
                    |i| {
                        let split = splits((p.mean_importance, p.mean_performance));
                        reading(&p.attributes, split, i, t)
                    },
                ),
            }
        })
        .collect();
    DriverView {
        title,
        summary,
        window_text: t.fill(
            "drivers_window",
            &[("window", &format::window_label(&d.window, t))],
        ),
        chart,
        effects_chart: dv::effects_chart(d, t),
        effects_note,
        has_effects,
        bootstrap_note,
        trend_chart: dv::trend_chart(d, t),
        labels: d.attributes.iter().map(|a| a.label.clone()).collect(),
        attributes,
        personas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::metrics::quadrant::attribute_means;

    /// The splits compute publishes for `a`.
    fn split_of(a: &[DriverAttribute]) -> Option<(f64, f64)> {
        splits(attribute_means(a))
    }

    fn attr(label: &str, importance: Option<f64>, performance: Option<f64>) -> DriverAttribute {
        DriverAttribute {
            importance,
            performance,
            ..DriverAttribute::new(&label.to_lowercase(), label)
        }
    }

    fn catalog(lang: &str) -> Catalog {
        let text = std::fs::read_to_string(format!(
            "{}/themes/default/i18n/{lang}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut diags = Diagnostics::default();
        Catalog::parse(&text, lang, &mut diags)
    }

    #[test]
    fn quadrants_split_at_the_mean_of_the_attributes() {
        // Importance 40, 30, 20, 10 → mean 25; performance 3.0, 4.5, 3.5, 4.0 → mean 3.75.
        let a = [
            attr("Speed", Some(40.0), Some(3.0)),
            attr("Support", Some(30.0), Some(4.5)),
            attr("Price", Some(20.0), Some(3.5)),
            attr("Install", Some(10.0), Some(4.0)),
        ];
        assert_eq!(split_of(&a), Some((25.0, 3.75)));
        let s = split_of(&a);
        assert_eq!(quadrant(40.0, 3.0, 25.0, 3.75), Quadrant::FixFirst);
        assert_eq!(quadrant(30.0, 4.5, 25.0, 3.75), Quadrant::KeepUp);
        assert_eq!(quadrant(20.0, 3.5, 25.0, 3.75), Quadrant::Monitor);
        assert_eq!(quadrant(10.0, 4.0, 25.0, 3.75), Quadrant::Maintain);
        let t = catalog("en");
        assert_eq!(
            reading(&a, s, 0, &t),
            "Speed matters most and performs below the average of the attributes: fix first."
        );
        assert_eq!(
            reading(&a, s, 1, &t),
            "Support is above average in importance and performs above average: keep it up."
        );
        assert_eq!(
            reading(&a, s, 2, &t),
            "Price is below average in importance and performs below average: lower priority, monitor."
        );
        assert!(reading(&a, s, 3, &t).ends_with("no extra investment needed."));
        assert!(t.missing().is_empty(), "{:?}", t.missing());
    }

    #[test]
    fn unknown_attributes_are_said_so_and_chinese_has_no_english() {
        let a = [
            attr("速度", Some(60.0), Some(3.0)),
            attr("价格", None, Some(4.0)),
            attr("安装", Some(40.0), Some(4.0)),
        ];
        let t = catalog("zh-CN");
        let s = split_of(&a);
        for i in 0..a.len() {
            let text = reading(&a, s, i, &t);
            assert!(
                !text.chars().any(|c| c.is_ascii_alphabetic()),
                "English in zh-CN reading: {text}"
            );
        }
        assert!(reading(&a, s, 0, &t).starts_with("速度 最重要"));
        assert!(reading(&a, s, 1, &t).contains("价格"));
        assert!(t.missing().is_empty(), "{:?}", t.missing());
        assert_eq!(top(&a), Some(0));
        assert_eq!(top(&[attr("x", None, None)]), None);
    }
}
