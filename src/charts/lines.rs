//! Lines chart: several groups (segment keys) over the same periods, one line each.
//!
//! Used on indicator pages for "by segment over time" (SPEC §6). The site picks the groups (the
//! largest by n); this chart draws at most [`MAX_LINES`] of them, whatever it is given, because
//! past that the lines cannot be told apart. Lines differ by colour *and* dash pattern, and each
//! is labelled with its name at its last value, so no line is told by colour alone; the data
//! table (periods × groups) is the text alternative.

use super::frame::{self, Crowded, Drawn, Root};
use super::svg::{Mark, WINDOW_MARK};
use super::WindowBand;
use super::{axis_range, clean_text, finite, text_style, ChartWords, DataTable, SMALL, WINDOW};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The most lines a chart draws.
pub const MAX_LINES: usize = 8;

/// One group's line: its name and a value per period (aligned with [`LinesView::periods`]).
pub struct Line {
    /// The group's name (a segment key: hostile text, escaped here).
    pub label: String,
    /// One value per period; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
}

/// Everything a lines chart shows, built by the site from `Computed`.
pub struct LinesView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// Y-axis description, e.g. "NPS".
    pub y_label: String,
    /// Period labels, oldest first.
    pub periods: Vec<String>,
    /// The lines, in the order the site ranks them; those past [`MAX_LINES`] are not drawn.
    pub lines: Vec<Line>,
    /// The first column's header ("Period"); the other headers are the lines' labels.
    pub period_header: String,
    /// Fixed scale (e.g. −100..100 for NPS); widened if data falls outside.
    pub y_range: Option<(f64, f64)>,
    /// The chart's own words, localised by the caller.
    pub words: ChartWords,
    /// The reporting window, shaded as on the trend chart (its table is the trend's).
    pub window: Option<WindowBand>,
}

impl LinesView {
    /// The lines drawn: the first [`MAX_LINES`].
    fn drawn(&self) -> &[Line] {
        &self.lines[..self.lines.len().min(MAX_LINES)]
    }

    /// The text alternative: one row per period, one column per line drawn.
    pub fn table(&self) -> DataTable {
        let lines = self.drawn();
        let headers = std::iter::once(self.period_header.clone())
            .chain(lines.iter().map(|l| l.label.clone()))
            .collect();
        let rows = (self.periods.iter().enumerate())
            .map(|(i, p)| {
                let cells = lines
                    .iter()
                    .map(|l| self.words.value(l.values.get(i).copied().flatten()));
                std::iter::once(p.clone()).chain(cells).collect()
            })
            .collect();
        DataTable {
            caption: self.title.clone(),
            headers,
            rows,
        }
    }
}

const KIND: &str = "lines";
const SIZE: (u32, u32) = (640, 340);

/// Eight colours told apart by most colour-blind readers (Okabe–Ito, darkened for contrast on
/// white), each paired with its own dash pattern in [`MARKS`].
const COLOURS: [RGBColor; MAX_LINES] = [
    RGBColor(0x00, 0x5a, 0x9c),
    RGBColor(0xc2, 0x5e, 0x00),
    RGBColor(0x00, 0x7a, 0x5e),
    RGBColor(0xa8, 0x3a, 0x7a),
    RGBColor(0x4b, 0x4b, 0x4b),
    RGBColor(0x8a, 0x6d, 0x00),
    RGBColor(0x3c, 0x8d, 0xc4),
    RGBColor(0x7a, 0x2e, 0x0e),
];

/// Each line's class and dash pattern, keyed by its colour.
const MARKS: [Mark; MAX_LINES] = [
    mark(0, r#"class="line line-1""#),
    mark(1, r#"class="line line-2" stroke-dasharray="8 3""#),
    mark(2, r#"class="line line-3" stroke-dasharray="2 2""#),
    mark(3, r#"class="line line-4" stroke-dasharray="8 3 2 3""#),
    mark(4, r#"class="line line-5" stroke-dasharray="12 4""#),
    mark(5, r#"class="line line-6" stroke-dasharray="4 4""#),
    mark(6, r#"class="line line-7" stroke-dasharray="1 3""#),
    mark(7, r#"class="line line-8" stroke-dasharray="10 3 2 3 2 3""#),
];

const fn mark(i: usize, attrs: &'static str) -> Mark {
    Mark {
        paint: "stroke",
        color: COLOURS[i],
        attrs,
    }
}

/// Draws up to [`MAX_LINES`] lines over the periods as SVG, each labelled at its last value.
///
/// Exists so an indicator page shows how its segments moved, not only where they stand in the
/// window; see the module docs of [`super`] for the accessibility and robustness guarantees.
pub fn lines_svg(view: &LinesView) -> String {
    let title = clean_text(&view.title);
    let periods: Vec<String> = view.periods.iter().map(|p| clean_text(p)).collect();
    let lines: Vec<(String, Vec<Option<f64>>)> = (view.drawn().iter())
        .map(|l| {
            let values = (0..periods.len())
                .map(|i| finite(l.values.get(i).copied().flatten()))
                .collect();
            (clean_text(&l.label), values)
        })
        .collect();
    let all = || lines.iter().flat_map(|(_, v)| v.iter().flatten().copied());
    if periods.is_empty() || all().next().is_none() {
        return super::svg::message_svg(KIND, &title, &view.words.no_data);
    }
    let (first, last) = (periods[0].as_str(), periods[periods.len() - 1].as_str());
    let mut desc = view.words.describe(
        || {
            format!(
                "{} lines over {} periods, from {first} to {last}",
                lines.len(),
                periods.len()
            )
        },
        &[
            ("n", &lines.len().to_string()),
            ("periods", &periods.len().to_string()),
            ("first", first),
            ("last", last),
        ],
    );
    let band = (view.window.as_ref())
        .filter(|b| b.first <= b.last && b.last < periods.len())
        .map(|b| {
            desc.push_str(&format!(
                "; {}: {}",
                clean_text(&b.header),
                clean_text(&b.label)
            ));
            (b.first, b.last)
        });
    let y = axis_range(all(), view.y_range, 0.1);
    let mut marks: Vec<Mark> = MARKS.to_vec();
    marks.push(WINDOW_MARK);
    // Room on the right for the end labels: a fifth of the periods, at least one slot.
    let x = (
        -0.5,
        periods.len() as f64 - 0.5 + (periods.len() as f64 / 5.0).max(1.0),
    );
    frame::render(
        KIND,
        &title,
        &desc,
        &view.words.unavailable,
        SIZE,
        &marks,
        |root| {
            let y_label = clean_text(&view.y_label);
            draw(root, &title, &y_label, &periods, &lines, band, x, y)
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn draw(
    root: &Root<'_>,
    title: &str,
    y_label: &str,
    periods: &[String],
    lines: &[(String, Vec<Option<f64>>)],
    band: Option<(usize, usize)>,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn {
    let mut chart = frame::build(root, title, x, y, 64, 40)?;
    if let Some((first, last)) = band {
        let (left, right) = (first as f64 - 0.5, last as f64 + 0.5);
        chart.draw_series([Rectangle::new([(left, y.0), (right, y.1)], WINDOW.filled())])?;
    }
    frame::mesh(&mut chart, "", y_label, false, true)?;
    frame::category_labels(root, &chart, periods, Crowded::Skip)?;
    let mut ends: Vec<((i32, i32), &str, RGBColor)> = Vec::new();
    for ((label, values), colour) in lines.iter().zip(COLOURS) {
        let mut run: Vec<(f64, f64)> = Vec::new();
        for item in values
            .iter()
            .enumerate()
            .map(|(i, v)| v.map(|v| (i as f64, v)))
        {
            match item {
                Some(point) => run.push(point),
                None => draw_run(&mut chart, &mut run, colour)?,
            }
        }
        draw_run(&mut chart, &mut run, colour)?;
        if let Some((i, v)) = (values.iter().enumerate().rev()).find_map(|(i, v)| v.map(|v| (i, v)))
        {
            ends.push((chart.backend_coord(&(i as f64 + 0.15, v)), label, colour));
        }
    }
    // End labels of close values would overprint: push them apart, top to bottom.
    ends.sort_by_key(|((_, y), _, _)| *y);
    let mut floor = i32::MIN;
    for ((x, y), label, colour) in ends {
        let y = y.max(floor);
        floor = y + LABEL_GAP;
        let style = text_style(SMALL)
            .color(&colour)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let name = frame::fit(root, label, &style, 90);
        root.draw(&Text::new(name, (x, y), style))?;
    }
    Ok(())
}

/// Vertical pixels between two end labels.
const LABEL_GAP: i32 = 13;

/// Draws one contiguous run (a line, or a dot for a lone value) and empties it.
fn draw_run(
    chart: &mut frame::Chart<'_, '_>,
    run: &mut Vec<(f64, f64)>,
    colour: RGBColor,
) -> Drawn {
    if run.len() > 1 {
        chart.draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(2)))?;
    } else if let Some(&point) = run.first() {
        chart.draw_series([Circle::new(point, 3, colour.filled())])?;
    }
    run.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::assert_valid;

    fn view(lines: usize) -> LinesView {
        LinesView {
            title: "NPS by channel over time".into(),
            y_label: "NPS".into(),
            periods: (1..=12).map(|m| format!("2025-{m:02}")).collect(),
            lines: (0..lines)
                .map(|k| Line {
                    label: format!("<key {k}>"),
                    values: (0..12)
                        .map(|m| (m != 4).then_some((k * 5 + m) as f64))
                        .collect(),
                })
                .collect(),
            period_header: "Period".into(),
            y_range: None,
            words: ChartWords::default(),
            window: None,
        }
    }

    #[test]
    fn draws_at_most_eight_lines_and_tables_them() {
        let v = view(11);
        let svg = lines_svg(&v);
        assert_valid(&svg);
        for k in 1..=MAX_LINES {
            assert!(
                svg.contains(&format!("class=\"line line-{k}\"")),
                "line {k}"
            );
        }
        assert!(!svg.contains("line-9"));
        assert!(svg.contains("&lt;key 7&gt;") && !svg.contains("key 8"));
        assert!(!svg.contains("<key"), "labels are escaped");
        assert!(svg.contains("8 lines over 12 periods, from 2025-01 to 2025-12"));
        let t = v.table();
        assert_eq!(t.headers.len(), 1 + MAX_LINES);
        assert_eq!(t.headers[8], "<key 7>");
        assert_eq!(t.rows.len(), 12);
        assert_eq!(t.rows[4][1], "—", "a gap is a dash, never a zero");
        assert_eq!(t.rows[0][2], "5.0");
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(lines_svg(&view(0)).contains("No data"));
        let mut v = view(2);
        v.window = Some(WindowBand {
            first: 11,
            last: 11,
            label: "Dec 2025".into(),
            header: "Window".into(),
        });
        let svg = lines_svg(&v);
        assert_eq!(svg.matches(r#"class="window-band""#).count(), 1);
        assert!(svg.contains("; Window: Dec 2025</desc>"));
        v.window.as_mut().unwrap().last = 12;
        assert!(!lines_svg(&v).contains("window-band"));
        let mut v = view(2);
        v.periods.clear();
        assert_valid(&lines_svg(&v));
        let mut v = view(1);
        v.lines[0].values = vec![Some(f64::NAN), None, Some(3.0)];
        assert_valid(&lines_svg(&v));
        assert_eq!(lines_svg(&view(3)), lines_svg(&view(3)));
    }
}
