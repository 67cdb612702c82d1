//! The methodology page and the narrative pages (the drivers page is `drivers.rs`).

use serde::Serialize;

use super::Built;
use crate::diag::{did_you_mean, Diagnostics, Location};
use crate::metrics::computed::{Computed, Rejection};
use crate::project::model::{Page, Project};
use crate::site::format;
use crate::site::markdown::{extract_shortcodes, insert_shortcodes, to_safe_html};
use crate::site::paths;
use crate::site::render::{RenderError, Renderer};
use crate::site::views::{card, headline_card, named_formula, pairs, IndicatorCard};

#[derive(Serialize)]
struct DatasetRow {
    id: String,
    files: usize,
    rows: String,
    rejected: String,
    rejections: Vec<Rejection>,
    /// The raking report, formatted (datasets with `rake:`).
    weighting: Option<WeightingView>,
}

/// A raked dataset's weighting report, in the site's words (SPEC §11).
#[derive(Serialize)]
struct WeightingView {
    heading: String,
    summary: String,
    margins: Vec<MarginRow>,
}

/// One key of a margin: target and achieved share, as percentages.
#[derive(Serialize)]
struct MarginRow {
    column: String,
    key: String,
    target: String,
    achieved: String,
}

/// The weighting report of dataset `id`, formatted: what compute published.
fn weighting_view(
    id: &str,
    w: &crate::metrics::computed::Weighting,
    t: &crate::site::i18n::Catalog,
) -> WeightingView {
    let converged = t.get(if w.converged {
        "weighting_converged"
    } else {
        "weighting_not_converged"
    });
    let summary = t.fill(
        "weighting_summary",
        &[
            ("iterations", &format::number(f64::from(w.iterations), 0)),
            ("converged", &converged),
            ("min", &format::number(w.min_weight, 3)),
            ("max", &format::number(w.max_weight, 3)),
            ("deff", &format::number(w.design_effect, 2)),
        ],
    );
    let share = |x: f64| format!("{}%", format::number(x * 100.0, 2));
    let margins = (w.margins.iter())
        .flat_map(|(column, keys)| {
            keys.iter().map(move |(key, m)| MarginRow {
                column: column.clone(),
                key: key.clone(),
                target: share(m.target),
                achieved: share(m.achieved),
            })
        })
        .collect();
    WeightingView {
        heading: t.fill("weighting_heading", &[("dataset", id)]),
        summary,
        margins,
    }
}

/// Every definition and formula, and what was read of the data.
pub fn methodology(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
) -> Result<Built, RenderError> {
    let t = r.t;
    let formulas = super::methods::formulas(project, computed, t);
    let indicators: Vec<_> = pairs(project, &computed.indicators)
        .map(|(ind, res)| IndicatorCard {
            formula: named_formula(ind, project, t),
            ..card(ind, res, &res.estimate, false, t)
        })
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
            weighting: (d.weighting.as_ref()).map(|w| weighting_view(id, w, t)),
        })
        .collect();
    let view = MethodologyView {
        window: window_words(project, computed, t),
        topics: topic_words(project, t),
        actions: !project.actions.is_empty(),
        value: (computed.value_at_stake.as_ref())
            .map(|v| super::value::view(v, project, t).method)
            .unwrap_or_default(),
        lookups: lookup_words(project, computed, t),
        formulas,
        status_text: super::methods::status_words(t),
        indicators,
        datasets,
        min_n_text: format::number(project.config.min_n, 0),
        confidence_text: format!("{}%", format::number(project.config.confidence * 100.0, 0)),
    };
    r.page(paths::Page::Methodology, &t.get("methodology"), &view)
}

/// Each join of a lookup table (SPEC §9) in the site's words: which table,
/// by which column, and how many rows found their key — a reader judges the
/// joined numbers by that rate.
fn lookup_words(
    project: &Project,
    computed: &Computed,
    t: &crate::site::i18n::Catalog,
) -> Vec<String> {
    (project.config.datasets.values())
        .filter_map(|ds| {
            let join = ds.lookup.as_ref()?;
            let stats = computed.data.get(&ds.id)?.lookup.as_ref()?;
            let rows = stats.matched + stats.unmatched;
            let rate = if rows > 0 {
                format!(
                    "{} %",
                    format::number(stats.matched as f64 / rows as f64 * 100.0, 1)
                )
            } else {
                "–".to_string()
            };
            Some(t.fill(
                "method_lookup",
                &[
                    ("dataset", &ds.id),
                    ("table", &join.dataset),
                    ("key", &join.on.name),
                    ("matched", &format::number(stats.matched as f64, 0)),
                    ("rows", &format::number(rows as f64, 0)),
                    ("rate", &rate),
                ],
            ))
        })
        .collect()
}

/// The reporting window, its comparisons, the correction and `min_change`,
/// in the site's words (SPEC §6), from the project's `report:` and the
/// window compute resolved.
fn window_words(
    project: &Project,
    computed: &Computed,
    t: &crate::site::i18n::Catalog,
) -> WindowWords {
    use crate::project::report::{Comparison, MultipleTesting};
    let report = &project.config.report;
    let window = format::window_label(&computed.project.window, t);
    let names: Vec<String> = (report.compare.iter())
        .map(|c| {
            t.get(match c {
                Comparison::Previous => "method_compare_previous",
                Comparison::YearAgo => "method_compare_year_ago",
            })
        })
        .collect();
    let alpha = format::number(1.0 - project.config.confidence, 2);
    let correction = match report.multiple_testing {
        MultipleTesting::Bh => "method_bh",
        MultipleTesting::None => "method_bh_none",
    };
    WindowWords {
        window: t.fill("method_window", &[("window", &window)]),
        compare: if names.is_empty() {
            t.get("method_compare_none")
        } else {
            t.fill(
                "method_compare",
                &[("comparisons", &names.join(&t.get("list_separator")))],
            )
        },
        correction: t.fill(correction, &[("alpha", &alpha)]),
        min_change: t.get("method_min_change"),
    }
}

/// How comments are coded and what a topic's impact means (SPEC §7), in
/// paragraphs; none when the project has no codebook (nothing to explain).
fn topic_words(project: &Project, t: &crate::site::i18n::Catalog) -> Vec<String> {
    if project.topics.is_empty() {
        return Vec::new();
    }
    let alpha = format::number(1.0 - project.config.confidence, 2);
    let tests = match project.config.report.multiple_testing {
        crate::project::report::MultipleTesting::Bh => "method_topics_tests",
        crate::project::report::MultipleTesting::None => "method_topics_tests_none",
    };
    vec![
        t.get("method_topics_matching"),
        t.get("method_topics_measures"),
        t.get("method_topics_impact"),
        t.fill(tests, &[("alpha", &alpha)]),
        t.fill(
            "method_topics_comments",
            &[(
                "min",
                &format::number(project.config.min_n_comments as f64, 0),
            )],
        ),
    ]
}

/// The methodology page's paragraphs on the window (SPEC §6).
#[derive(Serialize)]
struct WindowWords {
    /// The window: its label and how it is chosen.
    window: String,
    /// The comparisons made, and which windows they are.
    compare: String,
    /// Benjamini–Hochberg (or none) and its families.
    correction: String,
    /// What `min_change` does.
    min_change: String,
}

/// What `methodology.html` receives.
#[derive(Serialize)]
struct MethodologyView {
    /// The reporting window, comparisons, correction and `min_change`, in words.
    window: WindowWords,
    /// How topics are matched and read (SPEC §7); empty without topics.
    topics: Vec<String>,
    /// Whether the project has actions: their evaluation is explained (SPEC §10, family (h)).
    actions: bool,
    /// How the value at stake is computed (SPEC §9); "" without it.
    value: String,
    /// Per dataset that joins a lookup table, the join and its match rate (SPEC §9).
    lookups: Vec<String>,
    /// The formulas this project uses, in words (see `methods`).
    formulas: Vec<super::methods::Formula>,
    /// The status rule, in the badges' words.
    status_text: String,
    /// Every indicator's definition.
    indicators: Vec<IndicatorCard>,
    /// Data quality per dataset.
    datasets: Vec<DatasetRow>,
    /// `min_n`, formatted.
    min_n_text: String,
    /// The confidence level, as a percentage.
    confidence_text: String,
}

/// What `partials/tile.html` receives on a narrative page.
#[derive(Serialize)]
struct TileView {
    /// The indicator's tile.
    ind: IndicatorCard,
}

/// What `page.html` receives.
#[derive(Serialize)]
struct NarrativeView {
    /// The page.
    page: PageView,
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
    let at = paths::Page::Narrative(&page.slug);
    let (text, codes) = extract_shortcodes(&page.markdown);
    // The tiles as the page shows them, and as the report's copy (links
    // from the site root) shows them.
    let (mut tiles, mut root_tiles) = (Vec::new(), Vec::new());
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
            root_tiles.push(String::new());
            continue;
        };
        let tile = TileView {
            ind: headline_card(ind, res, true, r.t),
        };
        let wrap = |html: String| format!("<div class=\"tiles shortcode\">{html}</div>");
        tiles.push(wrap(r.partial(at, "partials/tile.html", &tile)?));
        if r.is_copying() {
            // The scorecard is at the site root, as report.html is.
            let html = r.partial(paths::Page::Index, "partials/tile.html", &tile)?;
            root_tiles.push(wrap(html));
        }
    }
    let body = to_safe_html(&text);
    let view = |tiles: &[String]| NarrativeView {
        page: PageView {
            title: page.title.clone(),
            body_html: insert_shortcodes(&body, tiles),
        },
    };
    if r.is_copying() {
        r.page_with_copy(at, &page.title, &view(&tiles), &view(&root_tiles))
    } else {
        r.page(at, &page.title, &view(&tiles))
    }
}
