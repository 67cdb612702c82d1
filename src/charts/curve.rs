//! Journey curve: the emotion (or score) at each stage of a journey, as a line with points
//! and a zero line.
//!
//! Used on journey pages under the map's stage columns. Stages are joined by straight
//! segments: a smoothed curve (it was Catmull–Rom) overshoots between stages and draws values
//! no stage has (issue 20); the points and the table carry the exact values. A stage without a
//! value breaks the line. Stage names wrap onto two lines under the axis, and the table gives
//! each in full.

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
/// The chart's size for `stages` stages: 640 × 320, wider when more than five stages need
/// room (about 110 px each) for a word of a stage name on each line.
fn size(stages: usize) -> (u32, u32) {
    let wide = 110 * u32::try_from(stages).unwrap_or(u32::MAX / 220) + 92;
    (wide.clamp(640, 1400), 320)
}

/// Draws the journey curve as SVG: straight segments, a point and value at each stage, zero line.
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
        size(labels.len()),
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
    let mut chart = frame::build(root, title, x, y, 56, frame::WRAP_BOTTOM)?;
    frame::mesh(&mut chart, "", "", false, true)?;
    frame::category_labels(root, &chart, labels, Crowded::Wrap)?;
    if y.0 < 0.0 && 0.0 < y.1 {
        let zero = [(x.0, 0.0), (x.1, 0.0)];
        chart.draw_series([PathElement::new(zero, REFERENCE.stroke_width(1))])?;
    }
    for run in runs(values) {
        chart.draw_series(LineSeries::new(run, MAIN.stroke_width(3)))?;
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

    /// The vertices of every `<polyline>` in `svg`, as (x, y) pixels.
    fn polylines(svg: &str) -> Vec<Vec<(f64, f64)>> {
        (svg.split("<polyline").skip(1))
            .filter_map(|rest| {
                let pts = rest.split("points=\"").nth(1)?.split('"').next()?;
                let xy = |p: &str| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                };
                pts.split_whitespace().map(xy).collect()
            })
            .collect()
    }

    #[test]
    fn stages_are_joined_by_straight_segments_that_never_overshoot() {
        // 3 stages, 0 → 2 → −2: a spline swings past −2 after the last dip and above 2
        // before it; straight segments have one vertex per stage, so no point of the line
        // is above the highest stage or below the lowest.
        let svg = curve_svg(&view(
            "t",
            &[("a", Some(0.0)), ("b", Some(2.0)), ("c", Some(-2.0))],
        ));
        let lines = polylines(&svg);
        let line = (lines.iter().find(|l| l.len() == 3)).expect("a 3-vertex line");
        let (top, bottom) = (line[1].1, line[2].1);
        assert!(top < bottom, "SVG y grows downwards");
        assert!(line.iter().all(|&(_, y)| (top..=bottom).contains(&y)));
        assert!(lines.iter().all(|l| l.len() <= 3), "{lines:?}");
    }

    #[test]
    fn long_stage_names_wrap_instead_of_being_cut() {
        let names = [
            "Discover the offer",
            "Explore plans",
            "Compare prices",
            "Buy online",
            "Use / install",
            "Keep the line",
            "Recommend to friends",
        ];
        let points: Vec<_> = names.iter().map(|&n| (n, Some(1.0))).collect();
        let svg = curve_svg(&view("t", &points));
        assert_valid(&svg);
        let texts: Vec<_> = svg
            .split("<text")
            .skip(1)
            .map(|t| t.split(">").nth(1).unwrap_or(""))
            .collect();
        assert!(!svg.contains('…'), "no label shortened: {texts:?}");
        // "Recommend to friends" does not fit one ~70 px slot: its words go on two lines.
        assert!(svg.contains(">\nRecommend to\n</text>") || svg.contains(">\nRecommend\n</text>"));
        assert!(svg.contains(" friends\n</text>") || svg.contains(">\nfriends\n</text>"));
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
