//! Sparkline: a tiny trend for the scorecard, one per indicator row.
//!
//! Hand-written SVG rather than plotters: at 120×32 there are no axes or labels to lay out,
//! and a few lines of path data are smaller and easier to keep deterministic than a plotters
//! drawing. It follows the same accessibility rules as the other charts.

use super::svg::{escape, hex, wrap_sized};
use super::{axis_range, clean_text, finite, ChartWords, GREY, MAIN, WINDOW};
use std::fmt::Write;

const KIND: &str = "sparkline";
const W: f64 = 120.0;
const H: f64 = 32.0;
/// Room for the last-point marker and the stroke at the edges.
const PAD: f64 = 4.0;

/// Draws a sparkline of `values` (oldest first) as a 120×32 SVG; `None` leaves a gap and the
/// last present value is marked with a dot.
///
/// Exists so the scorecard shows each indicator's direction at a glance. `title` (e.g. the
/// indicator name) becomes the `<title>`; the `<desc>` gives the count and the last value.
/// Unlike the other charts the root keeps `width="120" height="32"` (see
/// `svg::wrap_sized`); CSS may override it.
pub fn sparkline_svg(values: &[Option<f64>], title: &str, words: &ChartWords) -> String {
    sparkline_window_svg(values, None, title, words)
}

/// [`sparkline_svg`] with the reporting window's periods (`first..=last`, indices in `values`)
/// shaded behind the line (`class="window-band"`), as the trend chart marks them; an index out
/// of range shades nothing.
pub fn sparkline_window_svg(
    values: &[Option<f64>],
    window: Option<(usize, usize)>,
    title: &str,
    words: &ChartWords,
) -> String {
    let title = clean_text(title);
    let values: Vec<Option<f64>> = values.iter().map(|v| finite(*v)).collect();
    let last = values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)));
    let Some((last_i, last_v)) = last else {
        let body = format!(
            concat!(
                "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" dominant-baseline=\"middle\" ",
                "font-size=\"10\" fill=\"{fill}\">{msg}</text>\n</svg>\n"
            ),
            x = W / 2.0,
            y = H / 2.0,
            fill = hex(GREY),
            msg = escape(&words.no_data),
        );
        return wrap(&title, &words.no_data, &body);
    };
    let (lo, hi) = axis_range(values.iter().flatten().copied(), None, 0.0);
    let n = values.len();
    let x_of = |i: usize| {
        if n == 1 {
            W / 2.0
        } else {
            PAD + (W - 2.0 * PAD) * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| H - PAD - (H - 2.0 * PAD) * (v - lo) / (hi - lo);
    let main = hex(MAIN);
    let mut body = String::new();
    if let Some((first, last)) = window.filter(|&(a, b)| a <= b && b < n && n > 1) {
        let half = (W - 2.0 * PAD) / (n - 1) as f64 / 2.0;
        let (left, right) = ((x_of(first) - half).max(0.0), (x_of(last) + half).min(W));
        let _ = writeln!(
            body,
            "<rect class=\"window-band\" x=\"{left:.1}\" y=\"0\" width=\"{:.1}\" height=\"{H}\" fill=\"{}\"/>",
            right - left,
            hex(WINDOW)
        );
    }
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (i, v) in values.iter().enumerate().chain([(n, &None)]) {
        match v {
            Some(v) => run.push((x_of(i), y_of(*v))),
            None if run.len() > 1 => {
                let points: Vec<String> =
                    run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = writeln!(
                    body,
                    "<polyline fill=\"none\" stroke=\"{main}\" stroke-width=\"1.5\" \
                     stroke-linejoin=\"round\" points=\"{}\"/>",
                    points.join(" ")
                );
                run.clear();
            }
            None => {
                // A lone value between gaps has no line: give it a small dot.
                for (x, y) in run.drain(..) {
                    let _ = writeln!(
                        body,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.5\" fill=\"{main}\"/>"
                    );
                }
            }
        }
    }
    let _ = writeln!(
        body,
        "<circle class=\"last\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{main}\"/>\n</svg>",
        x_of(last_i),
        y_of(last_v)
    );
    let count = values.iter().flatten().count();
    let noun = if count == 1 { "value" } else { "values" };
    let last_value = words.value(Some(last_v));
    let desc = words.describe(
        || format!("{count} {noun}, last {last_value}"),
        &[("n", &count.to_string()), ("last_value", &last_value)],
    );
    wrap(&title, &desc, &body)
}

fn wrap(title: &str, desc: &str, body: &str) -> String {
    let sizing = format!(r#"width="{W}" height="{H}""#);
    wrap_sized(KIND, title, desc, (W as u32, H as u32), body, &sizing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_valid(svg: &str) {
        crate::charts::assert_valid(svg);
        assert!(svg.contains(r#"viewBox="0 0 120 32" width="120" height="32""#));
    }

    #[test]
    fn renders_with_gap_and_last_point() {
        let svg = sparkline_svg(
            &[Some(1.0), Some(3.0), None, Some(2.0), Some(4.0)],
            "NPS",
            &ChartWords::default(),
        );
        assert_valid(&svg);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("class=\"last\" cx=\"116.0\""));
        assert!(svg.contains(">4 values, last 4.0</desc>"));
        std::fs::write("/tmp/spark.svg", &svg).ok();
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        for values in [
            vec![],
            vec![Some(5.0)],
            vec![None, None],
            vec![Some(f64::NAN), Some(f64::NEG_INFINITY)],
            vec![Some(2.0), Some(2.0), Some(2.0)],
            vec![Some(1e300), Some(-1e300)],
            vec![Some(1.0), None, Some(2.0)],
        ] {
            assert_valid(&sparkline_svg(&values, "x", &ChartWords::default()));
        }
        assert!(sparkline_svg(&[], "x", &ChartWords::default()).contains("No data"));
    }

    #[test]
    fn escapes_hostile_title_and_keeps_chinese() {
        let svg = sparkline_svg(
            &[Some(1.0)],
            r#"<script>alert(1)</script> & "x""#,
            &ChartWords::default(),
        );
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(
            sparkline_svg(&[Some(1.0)], "净推荐值", &ChartWords::default())
                .contains(">净推荐值</title>")
        );
    }

    #[test]
    fn deterministic() {
        let v = [Some(1.0), Some(2.5), None, Some(0.5)];
        assert_eq!(
            sparkline_svg(&v, "a", &ChartWords::default()),
            sparkline_svg(&v, "a", &ChartWords::default())
        );
    }

    #[test]
    fn the_window_is_shaded_behind_the_line() {
        let v = [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0)];
        let words = ChartWords::default();
        let svg = sparkline_window_svg(&v, Some((3, 4)), "a", &words);
        assert_valid(&svg);
        let band = svg.find("class=\"window-band\"").expect("a band");
        assert!(band < svg.find("<polyline").unwrap(), "behind the line");
        assert!(svg.contains("x=\"74.0\" y=\"0\" width=\"46.0\""), "{svg}");
        for outside in [None, Some((2, 5)), Some((3, 2))] {
            let svg = sparkline_window_svg(&v, outside, "a", &words);
            assert!(!svg.contains("window-band"));
        }
    }
}
