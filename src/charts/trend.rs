//! Trend chart: an indicator over periods, with its interval band, target and benchmark.
//!
//! Used on indicator pages. Missing periods (suppressed or no data) leave gaps in the line and
//! the band rather than being interpolated, so a gap is never mistaken for a value.

use super::frame::{self, Crowded, Drawn, Root};
use super::svg::{BENCHMARK_MARK, REFERENCE_MARK, WINDOW_MARK};
use super::ChartWords;
use super::{axis_range, clean_text, count, ends, finite, span_desc, DataTable, BAND, MAIN};
use super::{text_style, BENCHMARK, REFERENCE, SMALL, WINDOW};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One period of a trend: the value and its interval, any of which may be missing.
pub struct TrendPoint {
    /// Period label, e.g. "2026-01" (used as given).
    pub label: String,
    /// The indicator's value; `None` leaves a gap.
    pub value: Option<f64>,
    /// Lower interval bound; the band is drawn where both bounds are present.
    pub low: Option<f64>,
    /// Upper interval bound.
    pub high: Option<f64>,
}

/// The reporting window over a trend (SPEC §6): the points it covers are shaded and
/// labelled, and the data table says which rows are in it.
pub struct WindowBand {
    /// Index of the window's first point in [`TrendView::points`].
    pub first: usize,
    /// Index of its last point (inclusive).
    pub last: usize,
    /// The window in words ("Dec 2025"), localised by the caller.
    pub label: String,
    /// The word for it ("Window"): the table's column header and the description's prefix.
    pub header: String,
}

/// A labelled vertical line on a trend: where an action went live (SPEC §10).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendMarker {
    /// Index of the first point at or after the event; the line is drawn
    /// just before it (between that period and the one before).
    pub index: usize,
    /// What happened, in words ("Started: Text before the visit (Jun 2025)").
    pub label: String,
}

/// Everything a trend chart shows, built by the site from `Computed`.
pub struct TrendView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// Y-axis description, e.g. "NPS".
    pub y_label: String,
    /// Periods in display order (oldest first).
    pub points: Vec<TrendPoint>,
    /// Target value, drawn as a dashed line.
    pub target: Option<f64>,
    /// External reference value (`benchmark:`), drawn as a dotted, labelled line and listed
    /// as the last row of the table.
    pub benchmark: Option<f64>,
    /// The word for the benchmark, localised ("Benchmark"): its line label and table row.
    pub benchmark_label: String,
    /// Fixed scale (e.g. -100..100 for NPS) so charts compare; widened if data falls outside.
    pub y_range: Option<(f64, f64)>,
    /// Table headers, localised by the caller: e.g. `["Period","Value","Low","High"]`.
    pub headers: [String; 4],
    /// The chart's own words ("No data", the description), localised by the caller.
    pub words: ChartWords,
    /// The reporting window, shaded; `None` when the points do not include it.
    pub window: Option<WindowBand>,
    /// Events marked by labelled vertical lines (actions' starts); those
    /// whose index is past the points are not drawn.
    pub markers: Vec<TrendMarker>,
}

impl TrendView {
    /// The window, when its indices fall within the points (a stale index draws nothing).
    fn band(&self) -> Option<&WindowBand> {
        (self.window.as_ref()).filter(|w| w.first <= w.last && w.last < self.points.len())
    }

    /// The text alternative: one row per period, then the benchmark (when there is one); with
    /// a window, a last column names it on the rows it covers.
    pub fn table(&self) -> DataTable {
        let w = &self.words;
        let band = self.band();
        let mut rows: Vec<Vec<String>> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = vec![
                    p.label.clone(),
                    w.value(p.value),
                    w.value(p.low),
                    w.value(p.high),
                ];
                if let Some(b) = band {
                    let inside = (b.first..=b.last).contains(&i);
                    row.push(if inside {
                        b.label.clone()
                    } else {
                        String::new()
                    });
                }
                row
            })
            .collect();
        if let Some(b) = finite(self.benchmark) {
            let dash = w.value(None);
            let mut row = vec![
                self.benchmark_label.clone(),
                w.value(Some(b)),
                dash.clone(),
                dash,
            ];
            if band.is_some() {
                row.push(String::new());
            }
            rows.push(row);
        }
        let mut headers = self.headers.to_vec();
        if let Some(b) = band {
            headers.push(b.header.clone());
        }
        DataTable {
            caption: self.title.clone(),
            headers,
            rows,
        }
    }
}

const KIND: &str = "trend";
const SIZE: (u32, u32) = (640, 320);

/// Draws the trend as SVG: line with points, interval band, dashed target line.
///
/// Exists so indicator pages show direction over time with its uncertainty; see the module
/// docs of [`super`] for the accessibility and robustness guarantees.
pub fn trend_svg(view: &TrendView) -> String {
    let title = clean_text(&view.title);
    let labels: Vec<String> = view.points.iter().map(|p| clean_text(&p.label)).collect();
    let values: Vec<Option<f64>> = view.points.iter().map(|p| finite(p.value)).collect();
    let bands: Vec<Option<(f64, f64)>> = view
        .points
        .iter()
        .map(|p| match (finite(p.low), finite(p.high)) {
            (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
            _ => None,
        })
        .collect();
    if values.iter().all(Option::is_none) && bands.iter().all(Option::is_none) {
        return super::svg::message_svg(KIND, &title, &view.words.no_data);
    }
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let benchmark = finite(view.benchmark);
    let (first, last) = ends(&refs);
    let mut desc = view.words.describe(
        || format!("{}{}", count(labels.len(), "point"), span_desc(&refs)),
        &[
            ("n", &labels.len().to_string()),
            ("first", first),
            ("last", last),
        ],
    );
    if let Some(b) = benchmark {
        // The benchmark label comes translated from the site; the English default reads as before.
        if view.words.desc.is_empty() {
            desc.push_str(&format!(
                "; benchmark line at {}",
                view.words.value(Some(b))
            ));
        } else {
            desc.push_str(&format!(
                "; {} {}",
                clean_text(&view.benchmark_label),
                view.words.value(Some(b))
            ));
        }
    }
    let band = view.band().map(|b| {
        desc.push_str(&format!(
            "; {}: {}",
            clean_text(&b.header),
            clean_text(&b.label)
        ));
        (b.first, b.last, clean_text(&b.label))
    });
    let markers: Vec<(f64, String)> = (view.markers.iter())
        .filter(|m| m.index < labels.len())
        .map(|m| (m.index as f64 - 0.5, clean_text(&m.label)))
        .collect();
    for (_, label) in &markers {
        desc.push_str(&format!("; {label}"));
    }
    let target = finite(view.target);
    let y = axis_range(
        values
            .iter()
            .flatten()
            .copied()
            .chain(bands.iter().flatten().flat_map(|&(a, b)| [a, b]))
            .chain(target)
            .chain(benchmark),
        view.y_range,
        0.1,
    );
    let x = (-0.5, labels.len() as f64 - 0.5);
    let marks = [REFERENCE_MARK, BENCHMARK_MARK, WINDOW_MARK];
    let benchmark = benchmark.map(|b| (b, clean_text(&view.benchmark_label)));
    let words = &view.words;
    let target = target.map(|t| {
        (
            t,
            clean_text(&format!("{} {}", words.target, words.value(Some(t)))),
        )
    });
    frame::render(
        KIND,
        &title,
        &desc,
        &view.words.unavailable,
        SIZE,
        &marks,
        |root| {
            draw(
                root,
                &title,
                &clean_text(&view.y_label),
                &labels,
                &values,
                &bands,
                (target.as_ref(), benchmark.as_ref()),
                band.as_ref(),
                &markers,
                x,
                y,
            )
        },
    )
}

/// A horizontal reference line's value and its words ("Target 20.0", "Benchmark").
type Labelled = (f64, String);

#[allow(clippy::too_many_arguments)]
fn draw(
    root: &Root<'_>,
    title: &str,
    y_label: &str,
    labels: &[String],
    values: &[Option<f64>],
    bands: &[Option<(f64, f64)>],
    (target, benchmark): (Option<&Labelled>, Option<&Labelled>),
    window: Option<&(usize, usize, String)>,
    markers: &[(f64, String)],
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn {
    let mut chart = frame::build(root, title, x, y, 64, 40)?;
    if let Some((first, last, label)) = window {
        // Behind everything else: the window is context, the values stay on top.
        let (left, right) = (*first as f64 - 0.5, *last as f64 + 0.5);
        chart.draw_series([Rectangle::new([(left, y.0), (right, y.1)], WINDOW.filled())])?;
        let style = text_style(SMALL).pos(Pos::new(HPos::Right, VPos::Top));
        chart.draw_series([Text::new(label.clone(), (right, y.1), style)])?;
    }
    frame::mesh(&mut chart, "", y_label, false, true)?;
    frame::category_labels(root, &chart, labels, Crowded::Skip)?;
    for run in runs(bands) {
        let (first, last) = (run[0].0, run[run.len() - 1].0);
        if first == last {
            // A lone interval cannot be a band: show it as a whisker.
            let (lo, hi) = run[0].1;
            chart.draw_series([PathElement::new(
                [(first, lo), (first, hi)],
                BAND.stroke_width(6),
            )])?;
            continue;
        }
        let upper = run.iter().map(|&(i, (_, hi))| (i, hi));
        let lower = run.iter().rev().map(|&(i, (lo, _))| (i, lo));
        let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
        chart.draw_series([Polygon::new(outline, BAND.filled())])?;
    }
    if let Some(&(t, ref label)) = target {
        chart.draw_series([PathElement::new(
            [(x.0, t), (x.1, t)],
            REFERENCE.stroke_width(2),
        )])?;
        // Labelled in words ("Target 40") at the right end, above the line:
        // a dashed line alone says nothing to a reader new to the chart.
        let style = text_style(SMALL)
            .color(&REFERENCE)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        chart.draw_series([Text::new(label.clone(), (x.1 - 0.05, t), style)])?;
    }
    if let Some((b, label)) = benchmark {
        chart.draw_series([PathElement::new(
            [(x.0, *b), (x.1, *b)],
            BENCHMARK.stroke_width(2),
        )])?;
        // Labelled in words at the left end, so the line is not colour and pattern alone.
        let style = text_style(SMALL)
            .color(&BENCHMARK)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        chart.draw_series([Text::new(label.clone(), (x.0 + 0.05, *b), style)])?;
    }
    for (at, label) in markers {
        // A vertical line where the action went live, labelled in words at
        // its top so it is not a line alone.
        chart.draw_series([PathElement::new(
            [(*at, y.0), (*at, y.1)],
            BENCHMARK.stroke_width(1),
        )])?;
        let style = text_style(SMALL)
            .color(&BENCHMARK)
            .pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series([Text::new(label.clone(), (*at + 0.05, y.1), style)])?;
    }
    for run in runs(values) {
        let line = run.iter().copied();
        chart.draw_series(LineSeries::new(line, MAIN.stroke_width(2)))?;
    }
    let dots = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| Circle::new((i as f64, v), 3, MAIN.filled())));
    chart.draw_series(dots)?;
    // The latest value is what readers look for: ring it.
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))
    {
        chart.draw_series([Circle::new((i as f64, v), 6, MAIN.stroke_width(2))])?;
    }
    Ok(())
}

/// Splits a series into contiguous runs of present values, keyed by x position.
fn runs<T: Copy>(items: &[Option<T>]) -> Vec<Vec<(f64, T)>> {
    let mut out: Vec<Vec<(f64, T)>> = Vec::new();
    let mut current = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Some(v) => current.push((i as f64, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: Option<f64>) -> TrendPoint {
        TrendPoint {
            label: label.to_string(),
            value,
            low: value.map(|v| v - 5.0),
            high: value.map(|v| v + 5.0),
        }
    }

    fn view(title: &str, points: Vec<TrendPoint>) -> TrendView {
        TrendView {
            title: title.to_string(),
            y_label: "NPS".to_string(),
            points,
            target: Some(30.0),
            benchmark: None,
            markers: Vec::new(),
            benchmark_label: "Benchmark".to_string(),
            y_range: Some((-100.0, 100.0)),
            headers: ["Period", "Value", "Low", "High"].map(String::from),
            words: ChartWords::default(),
            window: None,
        }
    }

    fn year() -> Vec<TrendPoint> {
        (1..=12)
            .map(|m| {
                let v = (m != 5).then_some(20.0 + f64::from(m) * 1.3);
                point(&format!("2026-{m:02}"), v)
            })
            .collect()
    }

    use crate::charts::assert_valid;

    #[test]
    fn renders_a_year() {
        let svg = trend_svg(&view("NPS by month", year()));
        assert_valid(&svg);
        assert!(svg.contains("12 points from 2026-01 to 2026-12"));
        assert!(svg.contains(r#"viewBox="0 0 640 320" width="100%""#));
        assert!(svg.contains(r#"class="reference" stroke-dasharray="6 4""#));
        assert!(svg.contains("2026-12"));
        std::fs::write("/tmp/trend.svg", &svg).ok();
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases = vec![
            vec![],
            vec![point("only", Some(3.0))],
            vec![point("a", None), point("b", None)],
            vec![point("a", Some(f64::NAN)), point("b", Some(f64::INFINITY))],
            vec![point("a", Some(7.0)), point("b", Some(7.0))],
            vec![point("a", Some(1e300)), point("b", Some(-1e300))],
        ];
        for points in cases {
            let mut v = view("t", points);
            assert_valid(&trend_svg(&v));
            v.y_range = None;
            v.target = Some(f64::NAN);
            assert_valid(&trend_svg(&v));
        }
        assert!(trend_svg(&view("t", vec![])).contains("No data"));
    }

    #[test]
    fn escapes_hostile_labels() {
        let evil = r#"<script>alert(1)</script> & "x""#;
        let svg = trend_svg(&view(
            evil,
            vec![point(evil, Some(1.0)), point("b", Some(2.0))],
        ));
        assert_valid(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn chinese_labels_render_as_text() {
        let points = vec![point("一月", Some(10.0)), point("二月", Some(12.0))];
        let svg = trend_svg(&view("净推荐值", points));
        assert_valid(&svg);
        assert!(svg.contains(">净推荐值</title>"));
        assert!(svg.contains("一月\n</text>") && svg.contains("二月\n</text>"));
        assert!(svg.contains(r#"font-family="sans-serif""#));
    }

    #[test]
    fn long_series_and_long_texts() {
        let points = (1..=60).map(|w| point(&format!("2026-W{w:02}"), Some(f64::from(w % 7))));
        let mut v = view(&"A very long title ".repeat(10), points.collect());
        v.y_label = "Net promoter score, rolling ".repeat(5);
        let svg = trend_svg(&v);
        assert_valid(&svg);
        assert!(
            svg.contains("2026-W60\n</text>"),
            "the latest period is always labelled"
        );
        assert!(
            svg.contains("…\n</text>"),
            "long texts are shortened in the drawing"
        );
        std::fs::write("/tmp/trend_long.svg", &svg).ok();
    }

    #[test]
    fn deterministic() {
        assert_eq!(trend_svg(&view("a", year())), trend_svg(&view("a", year())));
    }

    #[test]
    fn benchmark_is_a_dotted_labelled_line_and_a_table_row() {
        let mut v = view("NPS by month", year());
        let plain = trend_svg(&v);
        assert!(!plain.contains(r#"class="benchmark""#));
        v.benchmark = Some(12.5);
        v.benchmark_label = "<b>Industry</b>".to_string();
        let svg = trend_svg(&v);
        assert_valid(&svg);
        assert!(svg.contains(r#"class="benchmark" stroke-dasharray="2 3""#));
        assert!(svg.contains(r#"class="reference" stroke-dasharray="6 4""#));
        assert!(svg.contains("benchmark line at 12.5"));
        assert!(svg.contains("&lt;b&gt;Industry&lt;/b&gt;") && !svg.contains("<b>"));
        let t = v.table();
        assert_eq!(t.rows.len(), 13);
        assert_eq!(t.rows[12], ["<b>Industry</b>", "12.5", "—", "—"]);
        // Outside the data's range, the axis widens to show it.
        v.y_range = None;
        v.benchmark = Some(-80.0);
        assert!(trend_svg(&v).contains(r#"class="benchmark""#));
        v.benchmark = Some(f64::NAN);
        assert_eq!(v.table().rows.len(), 12);
        assert_valid(&trend_svg(&v));
    }

    #[test]
    fn table_rows() {
        let t = view(
            "a",
            vec![point("2026-01", Some(31.44)), point("2026-02", None)],
        )
        .table();
        assert_eq!(t.caption, "a");
        assert_eq!(t.headers, ["Period", "Value", "Low", "High"]);
        assert_eq!(t.rows[0], ["2026-01", "31.4", "26.4", "36.4"]);
        assert_eq!(t.rows[1], ["2026-02", "—", "—", "—"]);
    }

    #[test]
    fn the_window_is_shaded_labelled_and_named_in_the_table() {
        let mut v = view("NPS by month", year());
        assert!(!trend_svg(&v).contains("window-band"));
        v.window = Some(WindowBand {
            first: 9,
            last: 11,
            label: "Oct–Dec <2026>".into(),
            header: "Window".into(),
        });
        let svg = trend_svg(&v);
        assert_valid(&svg);
        assert_eq!(svg.matches(r#"class="window-band""#).count(), 1, "{svg}");
        assert!(
            svg.contains("; Window: Oct–Dec &lt;2026&gt;</desc>"),
            "{svg}"
        );
        assert!(svg.contains("Oct–Dec &lt;2026&gt;\n</text>"), "{svg}");
        let t = v.table();
        assert_eq!(t.headers.last().map(String::as_str), Some("Window"));
        let marked: Vec<&str> = t.rows.iter().map(|r| r[4].as_str()).collect();
        let mut expected = vec![""; 9];
        expected.extend(["Oct–Dec <2026>"; 3]);
        assert_eq!(marked, expected);
        // An index past the points draws no band and adds no column.
        v.window = Some(WindowBand {
            first: 3,
            last: 12,
            label: "x".into(),
            header: "Window".into(),
        });
        assert!(!trend_svg(&v).contains("window-band"));
        assert_eq!(v.table().headers.len(), 4);
    }
}
