//! The methodology page, the key drivers page and the narrative pages.

use serde::Serialize;

use super::Built;
use crate::charts::{self, QuadrantPoint, QuadrantView};
use crate::diag::{did_you_mean, Diagnostics, Location};
use crate::metrics::computed::{Computed, Rejection};
use crate::project::model::{NpsInterval, Page, Project};
use crate::site::format;
use crate::site::markdown::{extract_shortcodes, insert_shortcodes, to_safe_html};
use crate::site::render::{RenderError, Renderer};
use crate::site::views::{card, chart_words, pairs, ChartView};

#[derive(Serialize)]
struct Formula {
    name: String,
    text: String,
}

#[derive(Serialize)]
struct DatasetRow {
    id: String,
    files: usize,
    rows: String,
    rejected: String,
    rejections: Vec<Rejection>,
}

/// Every definition and formula, and what was read of the data.
pub fn methodology(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
) -> Result<Built, RenderError> {
    let t = r.t;
    let nps_interval = match project.config.nps_interval {
        NpsInterval::Wald => "formula_nps_interval_wald",
        NpsInterval::AdjustedWald => "formula_nps_interval_adjusted",
    };
    let formulas: Vec<Formula> = [
        ("metric_nps", "formula_nps"),
        ("interval", nps_interval),
        ("interval", "formula_wilson"),
        ("interval", "formula_t_interval"),
        ("metric_percentile", "formula_percentile_rule"),
        ("metric_composite", "formula_composite_rule"),
        ("effective_n", "formula_kish"),
        ("significant", "formula_significance"),
    ]
    .into_iter()
    .map(|(name, text)| Formula {
        name: t.get(name),
        text: t.get(text),
    })
    .collect();
    let indicators: Vec<_> = pairs(project, &computed.indicators)
        .map(|(ind, res)| card(ind, res, &res.estimate, false, t))
        .collect();
    let datasets: Vec<DatasetRow> = computed
        .data
        .iter()
        .map(|(id, d)| DatasetRow {
            id: id.clone(),
            files: d.files,
            rows: format::number(d.rows as f64, 0),
            rejected: format::number(d.rejected as f64, 0),
            rejections: d.rejections.clone(),
        })
        .collect();
    let mut ctx = r.context("methodology.html", "methodology");
    ctx.insert("formulas", &formulas);
    ctx.insert("indicators", &indicators);
    ctx.insert("datasets", &datasets);
    ctx.insert("min_n_text", &format::number(project.config.min_n, 0));
    ctx.insert(
        "confidence_text",
        &format!("{}%", format::number(project.config.confidence * 100.0, 0)),
    );
    r.page(
        "methodology.html",
        "methodology.html",
        &t.get("methodology"),
        ctx,
    )
}

#[derive(Serialize)]
struct AttributeRow {
    label: String,
    r_text: String,
    importance_text: String,
    performance_text: String,
}

#[derive(Serialize)]
struct DriverView {
    title: String,
    summary: String,
    chart: Option<ChartView>,
    attributes: Vec<AttributeRow>,
}

/// The key driver analyses: quadrant, table and a plain-language reading.
pub fn drivers(r: &Renderer, computed: &Computed) -> Result<Built, RenderError> {
    let t = r.t;
    let views: Vec<DriverView> = computed
        .drivers
        .iter()
        .map(|d| {
            let attributes: Vec<AttributeRow> = d
                .attributes
                .iter()
                .map(|a| AttributeRow {
                    label: a.label.clone(),
                    r_text: format::maybe(a.r, 2),
                    importance_text: format::maybe(a.importance, 1),
                    performance_text: format::maybe(a.performance, 2),
                })
                .collect();
            let points: Vec<QuadrantPoint> = d
                .attributes
                .iter()
                .filter_map(|a| {
                    Some(QuadrantPoint {
                        label: a.label.clone(),
                        importance: a.importance?,
                        performance: a.performance?,
                    })
                })
                .collect();
            let mean = |f: fn(&QuadrantPoint) -> f64| {
                points.iter().map(f).sum::<f64>() / points.len().max(1) as f64
            };
            let (x_split, y_split) = (mean(|p| p.importance), mean(|p| p.performance));
            let mut summary = t.fill(
                "drivers_summary",
                &[
                    ("n", &format::number(d.n as f64, 0)),
                    ("r2", &format::maybe(d.r2, 2)),
                    ("outcome", &d.outcome),
                ],
            );
            if let Some(top) = points.iter().max_by(|a, b| {
                a.importance
                    .total_cmp(&b.importance)
                    .then(b.label.cmp(&a.label))
            }) {
                let above = top.performance >= y_split;
                summary.push(' ');
                summary.push_str(&t.fill(
                    "drivers_reading",
                    &[
                        ("top", &top.label),
                        ("side", &t.get(if above { "above" } else { "below" })),
                        (
                            "advice",
                            &t.get(if above { "advice_keep" } else { "advice_fix" }),
                        ),
                    ],
                ));
            }
            let title = t.fill(
                "drivers_for",
                &[("outcome", &d.outcome), ("dataset", &d.dataset)],
            );
            let chart = (!points.is_empty()).then(|| {
                let view = QuadrantView {
                    title: t.fill("quadrant_title", &[("outcome", &d.outcome)]),
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
                    words: chart_words("quadrant", t),
                };
                ChartView {
                    svg_html: charts::quadrant_svg(&view),
                    table: view.table(),
                }
            });
            DriverView {
                title,
                summary,
                chart,
                attributes,
            }
        })
        .collect();
    let mut ctx = r.context("drivers.html", "drivers");
    ctx.insert("drivers", &views);
    r.page("drivers.html", "drivers.html", &t.get("drivers"), ctx)
}

#[derive(Serialize)]
struct PageView {
    title: String,
    body_html: String,
}

/// A narrative page; `{{ indicator("id") }}` shortcodes become live tiles.
pub fn narrative(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    page: &Page,
    diags: &mut Diagnostics,
) -> Result<Built, RenderError> {
    let path = format!("pages/{}.html", page.slug);
    let (text, codes) = extract_shortcodes(&page.markdown);
    let mut tiles = Vec::new();
    for code in &codes {
        let found = pairs(project, &computed.indicators).find(|(i, _)| i.id == code.id);
        let Some((ind, res)) = found else {
            // The body starts after the front matter; its line numbers are relative to the body.
            diags.error_maybe_hint(
                Location {
                    line: code.line + page.body_line - 1,
                    column: code.column,
                    ..page.location.clone()
                },
                format!("shortcode names unknown indicator `{}`", code.id),
                did_you_mean(&code.id, project.indicators.iter().map(|i| i.id.as_str())),
            );
            tiles.push(String::new());
            continue;
        };
        let mut ctx = r.context(&path, "page");
        ctx.insert("ind", &card(ind, res, &res.estimate, true, r.t));
        tiles.push(format!(
            "<div class=\"tiles shortcode\">{}</div>",
            r.render("partials/tile.html", &ctx)?
        ));
    }
    let body_html = insert_shortcodes(&to_safe_html(&text), &tiles);
    let mut ctx = r.context(&path, "page");
    ctx.insert(
        "page",
        &PageView {
            title: page.title.clone(),
            body_html,
        },
    );
    r.page(&path, "page.html", &page.title, ctx)
}
