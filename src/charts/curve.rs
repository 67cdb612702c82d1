//! Journey curve: the emotion (or score) at each stage of a journey, as a smooth line with
//! points and a zero line.
//!
//! Used on journey pages under the map's stage columns. The line is smoothed (Catmull–Rom,
//! clamped to the scale) because a journey curve is read for its shape, not its slopes; the
//! points and the table carry the exact values. A stage without a value breaks the line.

use super::frame::{self, Crowded, Drawn, Root};
use super::svg::{message_svg, REFERENCE_MARK};
use super::ChartWords;
use super::{
    axis_range, clean_text, count, ends, finite, fmt1, span_desc, DataTable, MAIN, REFERENCE,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One stage of the curve.
pub struct CurvePoint {
    /// Stage name.
    pub label: String,
    /// The stage's value; `None` breaks the line.
    pub value: Option<f64>,
}

/// Everything a journey curve shows, built by the site from the journey and `Computed`.
pub struct CurveView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// Stages in journey order.
    pub points: Vec<CurvePoint>,
    /// The scale, e.g. (-2, 2) for an emotion scale; widened if data falls outside it.
    pub y_range: (f64, f64),
    /// Table headers, localised by the caller: e.g. `["Stage","Value"]`.
    pub headers: [String; 2],
    /// The chart's own words ("No data", the description), localised by the caller.
    pub words: ChartWords,
}

impl CurveView {
    /// The text alternative: one row per stage.
    pub fn table(&self) -> DataTable {
        DataTable {
            caption: self.title.clone(),
            headers: self.headers.to_vec(),
            rows: self
                .points
                .iter()
                .map(|p| vec![p.label.clone(), fmt1(p.value)])
                .collect(),
        }
    }
}

const KIND: &str = "curve";
const SIZE: (u32, u32) = (640, 300);
/// Line segments per stage-to-stage span: enough to look smooth, few enough to stay small.
const STEPS: usize = 12;

/// Draws the journey curve as SVG: smoothed line, a point and value at each stage, zero line.
///
/// Exists so a journey page shows where the experience dips and peaks; see the module docs of
/// [`super`] for the shared guarantees.
pub fn curve_svg(view: &CurveView) -> String {
    let title = clean_text(&view.title);
    let labels: Vec<String> = view.points.iter().map(|p| clean_text(&p.label)).collect();
    let values: Vec<Option<f64>> = view.points.iter().map(|p| finite(p.value)).collect();
    if values.iter().all(Option::is_none) {
        return message_svg(KIND, &title, &view.words.no_data);
    }
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let (first, last) = ends(&refs);
    let desc = view.words.describe(
        || format!("{}{}", count(labels.len(), "stage"), span_desc(&refs)),
        &[
            ("n", &labels.len().to_string()),
            ("first", first),
            ("last", last),
        ],
    );
    let y = axis_range(values.iter().flatten().copied(), Some(view.y_range), 0.1);
    let x = (-0.5, labels.len() as f64 - 0.5);
    let unavailable = &view.words.unavailable;
    frame::render(
        KIND,
        &title,
        &desc,
        unavailable,
        SIZE,
        &[REFERENCE_MARK],
        |root| draw(root, &title, &labels, &values, x, y),
    )
}

fn draw(
    root: &Root<'_>,
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn {
    let mut chart = frame::build(root, title, x, y, 56, 32)?;
    frame::mesh(&mut chart, "", "", false, true)?;
    frame::category_labels(root, &chart, labels, Crowded::Shorten)?;
    if y.0 < 0.0 && 0.0 < y.1 {
        let zero = [(x.0, 0.0), (x.1, 0.0)];
        chart.draw_series([PathElement::new(zero, REFERENCE.stroke_width(1))])?;
    }
    for run in runs(values) {
        let line = smooth(&run)
            .into_iter()
            .map(|(px, py)| (px, py.clamp(y.0, y.1)));
        chart.draw_series(LineSeries::new(line, MAIN.stroke_width(3)))?;
    }
    for (i, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        let xi = i as f64;
        chart.draw_series([Circle::new((xi, v), 5, MAIN.filled())])?;
        let (px, py) = chart.backend_coord(&(xi, v));
        frame::value_label(
            root,
            &fmt1(Some(v)),
            (px, py - 9),
            HPos::Center,
            VPos::Bottom,
        )?;
    }
    Ok(())
}

/// Splits the stages into runs of consecutive present values, as (x, value) points.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => out
                .last_mut()
                .into_iter()
                .for_each(|r| r.push((i as f64, *v))),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|run| !run.is_empty());
    out
}

/// A Catmull–Rom spline through `points` (uniform, ends duplicated), sampled [`STEPS`] times
/// per span. It passes through every point exactly; one or two points stay as they are.
fn smooth(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let at = |i: isize| points[i.clamp(0, points.len() as isize - 1) as usize];
    let mut out = Vec::with_capacity(points.len() * STEPS);
    for i in 0..points.len() as isize - 1 {
        let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
        for step in 0..STEPS {
            let t = step as f64 / STEPS as f64;
            let f = |a: f64, b: f64, c: f64, d: f64| {
                let t2 = t * t;
                0.5 * (2.0 * b
                    + (c - a) * t
                    + (2.0 * a - 5.0 * b + 4.0 * c - d) * t2
                    + (3.0 * b - a - 3.0 * c + d) * t2 * t)
            };
            out.push((f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1)));
        }
    }
    out.push(points[points.len() - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(title: &str, points: &[(&str, Option<f64>)]) -> CurveView {
        CurveView {
            title: title.to_string(),
            points: points
                .iter()
                .map(|&(label, value)| CurvePoint {
                    label: label.to_string(),
                    value,
                })
                .collect(),
            y_range: (-2.0, 2.0),
            headers: ["Stage", "Value"].map(String::from),
            words: ChartWords::default(),
        }
    }

    const JOURNEY: [(&str, Option<f64>); 6] = [
        ("Awareness", Some(0.5)),
        ("Consideration", Some(1.2)),
        ("Purchase", Some(-0.8)),
        ("Delivery", Some(-1.5)),
        ("Support", None),
        ("Advocacy", Some(1.6)),
    ];

    use crate::charts::assert_valid;

    #[test]
    fn renders_a_journey() {
        let svg = curve_svg(&view("Onboarding", &JOURNEY));
        assert_valid(&svg);
        assert!(svg.contains(">6 stages from Awareness to Advocacy</desc>"));
        assert!(svg.contains(r#"class="reference""#), "zero line");
        assert!(svg.contains("−1.5\n</text>"));
    }

    #[test]
    fn spline_passes_through_points() {
        let pts = [(0.0, 1.0), (1.0, -1.0), (2.0, 2.0)];
        let s = smooth(&pts);
        assert_eq!(s.len(), 2 * STEPS + 1);
        assert_eq!(s[0], pts[0]);
        assert_eq!(s[STEPS], pts[1]);
        assert_eq!(s[2 * STEPS], pts[2]);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases: Vec<Vec<(&str, Option<f64>)>> = vec![
            vec![],
            vec![("only", Some(1.0))],
            vec![("a", None), ("b", None)],
            vec![
                ("a", Some(f64::NAN)),
                ("b", Some(f64::INFINITY)),
                ("c", Some(1.0)),
            ],
            vec![("a", Some(0.0)), ("b", Some(0.0)), ("c", Some(0.0))],
            vec![("a", Some(1e300)), ("b", Some(-1e300)), ("c", Some(5.0))],
        ];
        for points in cases {
            let mut v = view("t", &points);
            assert_valid(&curve_svg(&v));
            v.y_range = (f64::NAN, f64::NAN);
            assert_valid(&curve_svg(&v));
            v.y_range = (3.0, -3.0);
            assert_valid(&curve_svg(&v));
        }
        assert!(curve_svg(&view("t", &[])).contains("No data"));
    }

    #[test]
    fn escapes_hostile_labels() {
        let evil = r#"<script>alert(1)</script> & "x""#;
        let svg = curve_svg(&view(evil, &[(evil, Some(1.0))]));
        assert_valid(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn chinese_labels_render_as_text() {
        let svg = curve_svg(&view(
            "净推荐值",
            &[("一月", Some(1.0)), ("二月", Some(-1.0))],
        ));
        assert_valid(&svg);
        assert!(svg.contains(">净推荐值</title>") && svg.contains("一月\n</text>"));
    }

    #[test]
    fn deterministic() {
        let a = curve_svg(&view("a", &JOURNEY));
        assert_eq!(a, curve_svg(&view("a", &JOURNEY)));
    }

    #[test]
    fn table_rows() {
        let t = view("a", &JOURNEY).table();
        assert_eq!(t.headers, ["Stage", "Value"]);
        assert_eq!(t.rows[3], ["Delivery", "−1.5"]);
        assert_eq!(t.rows[4], ["Support", "—"]);
    }
}
