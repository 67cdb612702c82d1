//! Quadrant chart: drivers by importance (x) and performance (y), split into four quadrants.
//!
//! Used on the drivers page: a driver that matters a lot and performs poorly (bottom right)
//! is where to act. The page names the four parts (they need translating: fix first, keep up,
//! monitor, maintain); the chart writes each name in its part's outer corner, draws the split
//! lines and labels each point. Both axes are rounded out to whole ticks that cover every point
//! and split, so the last point never sits above the last labelled tick.

use super::frame::{self, Drawn, Root};
use super::svg::{message_svg, REFERENCE_MARK};
use super::{
    axis_range, clean_text, finite, fmt1, fmt_tick, ChartWords, DataTable, MAIN, REFERENCE,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One driver.
pub struct QuadrantPoint {
    /// Driver name.
    pub label: String,
    /// Importance (x), e.g. a correlation with the outcome.
    pub importance: f64,
    /// Performance (y), e.g. a mean score.
    pub performance: f64,
}

/// Everything a quadrant chart shows, built by the site from `Computed`.
pub struct QuadrantView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// X-axis description, e.g. "Importance".
    pub x_label: String,
    /// Y-axis description, e.g. "Performance".
    pub y_label: String,
    /// Drivers, in the order the table should list them.
    pub points: Vec<QuadrantPoint>,
    /// Importance at which the vertical split line is drawn (e.g. the mean importance).
    pub x_split: f64,
    /// Performance at which the horizontal split line is drawn.
    pub y_split: f64,
    /// Table headers, localised by the caller: e.g. `["Driver","Importance","Performance"]`.
    pub headers: [String; 3],
    /// The parts' names, localised by the caller: more important and below the performance
    /// split (bottom right), more important and above (top right), less important and below
    /// (bottom left), less important and above (top left). Empty names are not drawn.
    pub parts: [String; 4],
    /// The chart's own words ("No data", the description), localised by the caller.
    pub words: ChartWords,
}

impl QuadrantView {
    /// The text alternative: one row per driver.
    pub fn table(&self) -> DataTable {
        DataTable {
            caption: self.title.clone(),
            headers: self.headers.to_vec(),
            rows: self
                .points
                .iter()
                .map(|p| {
                    let (x, y) = (fmt1(Some(p.importance)), fmt1(Some(p.performance)));
                    vec![p.label.clone(), x, y]
                })
                .collect(),
        }
    }
}

const KIND: &str = "quadrant";
const SIZE: (u32, u32) = (640, 440);

/// Draws the quadrant as SVG: labelled points, dashed split lines.
///
/// Exists so the drivers page shows at a glance which drivers to fix first; see the module
/// docs of [`super`] for the shared guarantees. Points with a non-finite coordinate are left
/// out of the drawing (the table still lists them).
pub fn quadrant_svg(view: &QuadrantView) -> String {
    let title = clean_text(&view.title);
    let points: Vec<(String, f64, f64)> = view
        .points
        .iter()
        .filter_map(|p| {
            let (x, y) = (finite(Some(p.importance))?, finite(Some(p.performance))?);
            Some((clean_text(&p.label), x, y))
        })
        .collect();
    if points.is_empty() {
        return message_svg(KIND, &title, &view.words.no_data);
    }
    let (x_label, y_label) = (clean_text(&view.x_label), clean_text(&view.y_label));
    let splits = (finite(Some(view.x_split)), finite(Some(view.y_split)));
    let x = nice(axis_range(
        points.iter().map(|p| p.1).chain(splits.0),
        None,
        0.08,
    ));
    let y = nice(axis_range(
        points.iter().map(|p| p.2).chain(splits.1),
        None,
        0.12,
    ));
    let split_desc = |label: &str, split: Option<f64>| match split {
        Some(s) => format!(", {label} split at {}", fmt_tick(s)),
        None => String::new(),
    };
    let noun = if points.len() == 1 { "point" } else { "points" };
    let tick = |s: Option<f64>| s.map_or_else(|| "—".to_string(), fmt_tick);
    let desc = view.words.describe(
        || {
            format!(
                "{} {noun}{}{}",
                points.len(),
                split_desc(&x_label, splits.0),
                split_desc(&y_label, splits.1)
            )
        },
        &[
            ("n", &points.len().to_string()),
            ("x", &x_label),
            ("y", &y_label),
            ("x_split", &tick(splits.0)),
            ("y_split", &tick(splits.1)),
        ],
    );
    let unavailable = &view.words.unavailable;
    frame::render(
        KIND,
        &title,
        &desc,
        unavailable,
        SIZE,
        &[REFERENCE_MARK],
        |root| {
            let axes = (x_label.as_str(), y_label.as_str());
            let parts = view.parts.clone().map(|p| clean_text(&p));
            draw(root, &title, axes, &points, splits, x, y, &parts)
        },
    )
}

/// An axis range rounded out to a whole number of "nice" steps (1, 2 or 5 × 10ᵏ, four to
/// eight of them) and the number of ticks that labels every step, ends included.
fn nice((lo, hi): (f64, f64)) -> ((f64, f64), usize) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return ((lo, hi), 6);
    }
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 8.0)
        .unwrap_or(10.0 * mag);
    let (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let ticks = ((b - a) / step).round() as usize + 1;
    if !(a.is_finite() && b.is_finite() && a < b) || ticks > 12 {
        return ((lo, hi), 6);
    }
    ((a, b), ticks)
}

#[allow(clippy::too_many_arguments)]
fn draw(
    root: &Root<'_>,
    title: &str,
    (x_label, y_label): (&str, &str),
    points: &[(String, f64, f64)],
    (x_split, y_split): (Option<f64>, Option<f64>),
    (x, x_ticks): ((f64, f64), usize),
    (y, y_ticks): ((f64, f64), usize),
    parts: &[String; 4],
) -> Drawn {
    let mut chart = frame::build(root, title, x, y, 64, 48)?;
    frame::mesh_ticks(&mut chart, x_label, y_label, (x_ticks, y_ticks), &|v| {
        super::fmt_tick(*v)
    })?;
    // Each part's name in its outer corner, in the reference colour, under the points.
    let corner = super::text_style(super::SMALL).color(&REFERENCE);
    let [fix, keep, monitor, maintain] = parts;
    for (name, (px, py), h, v) in [
        (fix, (x.1, y.0), HPos::Right, VPos::Bottom),
        (keep, (x.1, y.1), HPos::Right, VPos::Top),
        (monitor, (x.0, y.0), HPos::Left, VPos::Bottom),
        (maintain, (x.0, y.1), HPos::Left, VPos::Top),
    ] {
        if name.is_empty() {
            continue;
        }
        let (bx, by) = chart.backend_coord(&(px, py));
        let dx = if matches!(h, HPos::Right) { -6 } else { 6 };
        let dy = if matches!(v, VPos::Bottom) { -6 } else { 6 };
        let style = corner.pos(plotters::style::text_anchor::Pos::new(h, v));
        root.draw(&Text::new(name.as_str(), (bx + dx, by + dy), style))?;
    }
    if let Some(s) = x_split {
        chart.draw_series([PathElement::new(
            [(s, y.0), (s, y.1)],
            REFERENCE.stroke_width(2),
        )])?;
    }
    if let Some(s) = y_split {
        chart.draw_series([PathElement::new(
            [(x.0, s), (x.1, s)],
            REFERENCE.stroke_width(2),
        )])?;
    }
    let style = super::text_style(super::SMALL);
    for (label, px, py) in points {
        chart.draw_series([Circle::new((*px, *py), 5, MAIN.filled())])?;
        let (bx, by) = chart.backend_coord(&(*px, *py));
        // Labels go right of the point, or left when that would leave the plot.
        let right_room = chart.backend_coord(&(x.1, *py)).0 - bx;
        let short = frame::fit(root, label, &style, 140);
        let width = root
            .estimate_text_size(&short, &style)
            .map_or(0, |(w, _)| w);
        let (at, h) = if i64::from(width) + 8 <= i64::from(right_room) {
            ((bx + 8, by), HPos::Left)
        } else {
            ((bx - 8, by), HPos::Right)
        };
        frame::value_label(root, &short, at, h, VPos::Center)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(title: &str, points: &[(&str, f64, f64)]) -> QuadrantView {
        QuadrantView {
            title: title.to_string(),
            x_label: "Importance".to_string(),
            y_label: "Performance".to_string(),
            points: points
                .iter()
                .map(|&(label, importance, performance)| QuadrantPoint {
                    label: label.to_string(),
                    importance,
                    performance,
                })
                .collect(),
            x_split: 0.35,
            y_split: 70.0,
            headers: ["Driver", "Importance", "Performance"].map(String::from),
            parts: ["Fix first", "Keep up", "Monitor", "Maintain"].map(String::from),
            words: ChartWords::default(),
        }
    }

    const DRIVERS: [(&str, f64, f64); 5] = [
        ("Delivery speed", 0.62, 58.0),
        ("Price", 0.48, 74.0),
        ("Staff friendliness", 0.21, 86.0),
        ("App usability", 0.33, 61.5),
        ("Returns", 0.12, 66.0),
    ];

    use crate::charts::assert_valid;

    #[test]
    fn renders_drivers() {
        let svg = quadrant_svg(&view("Drivers of NPS", &DRIVERS));
        assert_valid(&svg);
        assert!(svg.contains(">5 points, Importance split at 0.35, Performance split at 70</desc>"));
        assert_eq!(svg.matches(r#"class="reference""#).count(), 2);
        assert!(svg.contains("Staff friendliness\n</text>"));
        std::fs::write("/tmp/quadrant.svg", &svg).ok();
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases: Vec<Vec<(&str, f64, f64)>> = vec![
            vec![],
            vec![("only", 0.5, 50.0)],
            vec![("a", f64::NAN, 1.0), ("b", 1.0, f64::INFINITY)],
            vec![("a", 1.0, 1.0), ("b", 1.0, 1.0)],
            vec![("a", 1e300, -1e300), ("b", -1e300, 1e300)],
        ];
        for points in cases {
            let mut v = view("t", &points);
            assert_valid(&quadrant_svg(&v));
            v.x_split = f64::NAN;
            v.y_split = f64::INFINITY;
            assert_valid(&quadrant_svg(&v));
        }
        let all_nan = view("t", &[("a", f64::NAN, f64::NAN)]);
        assert!(quadrant_svg(&all_nan).contains("No data"));
    }

    #[test]
    fn escapes_hostile_labels() {
        let evil = r#"<script>alert(1)</script> & "x""#;
        let mut v = view(evil, &[(evil, 0.5, 50.0)]);
        v.x_label = evil.to_string();
        let svg = quadrant_svg(&v);
        assert_valid(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn chinese_labels_render_as_text() {
        let mut v = view("净推荐值", &[("一月", 0.5, 50.0)]);
        v.y_label = "表现".to_string();
        let svg = quadrant_svg(&v);
        assert_valid(&svg);
        assert!(svg.contains(">净推荐值</title>") && svg.contains("一月\n</text>"));
        assert!(svg.contains("表现\n</text>"));
    }

    #[test]
    fn parts_are_named_and_the_axes_cover_every_point() {
        // The issue's case: performances up to 3.66 once labelled only 3.4 and 3.5.
        let points = [
            ("Price", 11.5, 3.36),
            ("Speed", 39.7, 3.66),
            ("Installation", 12.2, 3.65),
            ("Support", 36.6, 3.50),
        ];
        let mut v = view("q", &points);
        (v.x_split, v.y_split) = (25.0, 3.54);
        let svg = quadrant_svg(&v);
        assert_valid(&svg);
        for part in ["Fix first", "Keep up", "Monitor", "Maintain"] {
            assert!(svg.contains(&format!("{part}\n</text>")), "{part}");
        }
        let ticks: Vec<f64> = (svg.split("</text>"))
            .filter_map(|t| t.rsplit('>').next()?.trim().parse().ok())
            .collect();
        let (ys, xs): (Vec<f64>, Vec<f64>) = ticks.iter().partition(|t| **t < 5.0);
        let top = ys.iter().copied().fold(f64::MIN, f64::max);
        let bottom = ys.iter().copied().fold(f64::MAX, f64::min);
        assert!(top >= 3.66 && bottom <= 3.36, "y ticks {ys:?}");
        assert!(ys.len() >= 3, "y ticks {ys:?}");
        assert!(
            xs.iter().copied().fold(f64::MIN, f64::max) >= 39.7,
            "x ticks {xs:?}"
        );
        let ((lo, hi), ticks) = nice((3.32, 3.70));
        assert!((lo - 3.3).abs() < 1e-9 && (hi - 3.7).abs() < 1e-9 && ticks == 9);
        let ((lo, hi), ticks) = nice((8.3, 42.9));
        assert!((lo - 5.0).abs() < 1e-9 && (hi - 45.0).abs() < 1e-9 && ticks == 9);
    }

    #[test]
    fn deterministic() {
        let a = quadrant_svg(&view("a", &DRIVERS));
        assert_eq!(a, quadrant_svg(&view("a", &DRIVERS)));
    }

    #[test]
    fn table_rows() {
        let t = view("a", &[("Price", 0.48, 74.04), ("x", f64::NAN, 1.0)]).table();
        assert_eq!(t.headers, ["Driver", "Importance", "Performance"]);
        assert_eq!(t.rows, [["Price", "0.5", "74.0"], ["x", "—", "1.0"]]);
    }
}
