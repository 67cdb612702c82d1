//! Penalty / reward chart (SPEC §8): one row per attribute, its penalty as a bar to the
//! left of zero and its reward as a bar to the right, each with its interval.
//!
//! Used on the drivers page: a long left bar with a short right one is a *basic* (failures
//! make detractors, excellence adds little), the reverse a *delighter*. The class is written
//! into the row's label by the caller (it needs translating); the chart draws, it does not
//! judge. The penalty is drawn at −penalty so both bars grow away from the attribute's zero.

use super::frame::{self, Drawn, Root};
use super::svg::{message_svg, Mark};
use super::{axis_range, clean_text, finite, text_style, ChartWords, DataTable, LABEL};
use super::{GREEN, INK, RED};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One attribute: its penalty and reward in points, each with its interval.
pub struct EffectRow {
    /// The attribute's label (with its class, written by the caller).
    pub label: String,
    /// Points of detractors the low ratings add (drawn to the left); `None`: not computed.
    pub penalty: Option<(f64, f64, f64)>,
    /// Points of promoters the high ratings add (drawn to the right); `None`: not computed.
    pub reward: Option<(f64, f64, f64)>,
}

/// Everything a penalty / reward chart shows, built by the site from `Computed`.
pub struct EffectsView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// The axis description, e.g. "← penalty (points of detractors) | reward (points of promoters) →".
    pub axis: String,
    /// One row per attribute, top to bottom.
    pub rows: Vec<EffectRow>,
    /// Table headers: attribute, penalty, its interval, reward, its interval.
    pub headers: [String; 5],
    /// The chart's own words, localised by the caller.
    pub words: ChartWords,
}

impl EffectsView {
    /// The text alternative: one row per attribute, penalties as positive points.
    pub fn table(&self) -> DataTable {
        let w = &self.words;
        let interval = |e: Option<(f64, f64, f64)>| match e {
            Some((_, lo, hi)) => format!("{} – {}", w.value(Some(lo)), w.value(Some(hi))),
            None => w.value(None),
        };
        DataTable {
            caption: self.title.clone(),
            headers: self.headers.to_vec(),
            rows: (self.rows.iter())
                .map(|r| {
                    vec![
                        r.label.clone(),
                        w.value(r.penalty.map(|e| e.0)),
                        interval(r.penalty),
                        w.value(r.reward.map(|e| e.0)),
                        interval(r.reward),
                    ]
                })
                .collect(),
        }
    }
}

const KIND: &str = "effects";
const WIDTH: u32 = 640;
const ROW: u32 = 34;

/// Draws the chart as SVG; see the module docs of [`super`] for the shared guarantees.
pub fn effects_svg(view: &EffectsView) -> String {
    let title = clean_text(&view.title);
    // Penalties drawn to the left: negated, their interval flipped.
    let clean = |e: Option<(f64, f64, f64)>, sign: f64| {
        let (v, lo, hi) = e?;
        let (v, a, b) = (finite(Some(v))?, finite(Some(lo)), finite(Some(hi)));
        let whisker = a.zip(b).map(|(a, b)| {
            let (a, b) = (sign * a, sign * b);
            (a.min(b), a.max(b))
        });
        Some((sign * v, whisker))
    };
    let rows: Vec<Row> = (view.rows.iter())
        .map(|r| Row {
            label: clean_text(&r.label),
            penalty: clean(r.penalty, -1.0),
            reward: clean(r.reward, 1.0),
        })
        .collect();
    let drawn = rows
        .iter()
        .filter(|r| r.penalty.is_some() || r.reward.is_some());
    if drawn.count() == 0 {
        return message_svg(KIND, &title, &view.words.no_data);
    }
    let extent = rows.iter().flat_map(|r| {
        [r.penalty, r.reward]
            .into_iter()
            .flatten()
            .flat_map(|(v, w)| std::iter::once(v).chain(w.into_iter().flat_map(|(a, b)| [a, b])))
    });
    let x = axis_range(extent.chain([0.0]), None, 0.12);
    // Symmetric about zero, so left and right read on one scale.
    let half = x.0.abs().max(x.1.abs());
    let x = (-half, half);
    let desc = view.words.describe(
        || {
            format!(
                "{} attributes: penalty to the left, reward to the right",
                rows.len()
            )
        },
        &[("n", &rows.len().to_string())],
    );
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX).min(1000);
    let size = (WIDTH, 110 + ROW * n);
    let marks = [
        Mark {
            paint: "fill",
            color: RED,
            attrs: r#"class="bar penalty""#,
        },
        Mark {
            paint: "fill",
            color: GREEN,
            attrs: r#"class="bar reward""#,
        },
        Mark {
            paint: "stroke",
            color: INK,
            attrs: r#"class="interval""#,
        },
    ];
    let axis = clean_text(&view.axis);
    frame::render(
        KIND,
        &title,
        &desc,
        &view.words.unavailable,
        size,
        &marks,
        |root| draw(root, &title, &axis, &rows, x, &view.words),
    )
}

/// A row with its numbers made safe to draw: (value, whisker), signed for drawing.
struct Row {
    label: String,
    penalty: Option<(f64, Option<(f64, f64)>)>,
    reward: Option<(f64, Option<(f64, f64)>)>,
}

fn draw(
    root: &Root<'_>,
    title: &str,
    axis: &str,
    rows: &[Row],
    x: (f64, f64),
    words: &ChartWords,
) -> Drawn {
    let style = text_style(LABEL);
    let labels: Vec<String> = (rows.iter())
        .map(|r| frame::fit(root, &r.label, &style, 200))
        .collect();
    let widest = (labels.iter())
        .map(|l| root.estimate_text_size(l, &style).map_or(0, |(w, _)| w))
        .max()
        .unwrap_or(0);
    let n = rows.len() as f64;
    let mut chart = frame::build(root, title, x, (-0.5, n - 0.5), widest + 16, 44)?;
    // Both sides read as points: a penalty of 20 sits at −20 but is written 20.
    frame::mesh_ticks(&mut chart, axis, "", (9, 0), &|v| super::fmt_tick(v.abs()))?;
    let left = style.pos(Pos::new(HPos::Right, VPos::Center));
    for (i, (row, label)) in rows.iter().zip(&labels).enumerate() {
        let y = n - 1.0 - i as f64;
        let (px, py) = chart.backend_coord(&(x.0, y));
        root.draw(&Text::new(label.as_str(), (px - 8, py), left.clone()))?;
        for (bar, color) in [(row.penalty, RED), (row.reward, GREEN)] {
            let Some((v, whisker)) = bar else { continue };
            chart.draw_series([Rectangle::new(
                [(0.0, y - 0.3), (v, y + 0.3)],
                color.filled(),
            )])?;
            if let Some((lo, hi)) = whisker {
                let caps = [lo, hi].map(|e| [(e, y - 0.14), (e, y + 0.14)]);
                let lines = std::iter::once([(lo, y), (hi, y)]).chain(caps);
                chart.draw_series(lines.map(|l| PathElement::new(l, INK.stroke_width(2))))?;
            }
            let end = whisker.map_or(v, |(lo, hi)| if v < 0.0 { v.min(lo) } else { v.max(hi) });
            let (h, shift) = if v < 0.0 {
                (HPos::Right, -5)
            } else {
                (HPos::Left, 5)
            };
            let at = chart.backend_coord(&(end, y));
            // Written as points, a penalty positive like the table.
            let text = words.value(Some(v.abs()));
            frame::value_label(root, &text, (at.0 + shift, at.1), h, VPos::Center)?;
        }
    }
    chart.draw_series([PathElement::new(
        [(0.0, -0.5), (0.0, n - 0.5)],
        INK.stroke_width(1),
    )])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::assert_valid;

    fn view(rows: Vec<EffectRow>) -> EffectsView {
        EffectsView {
            title: "Penalty and reward".into(),
            axis: "points".into(),
            rows,
            headers: ["Attribute", "Penalty", "Interval", "Reward", "Interval"].map(String::from),
            words: ChartWords::default(),
        }
    }

    fn row(label: &str, penalty: Option<f64>, reward: Option<f64>) -> EffectRow {
        EffectRow {
            label: label.into(),
            penalty: penalty.map(|p| (p, p - 5.0, p + 5.0)),
            reward: reward.map(|r| (r, r - 5.0, r + 5.0)),
        }
    }

    #[test]
    fn penalty_left_reward_right() {
        let v = view(vec![
            row("Installation (basic)", Some(23.0), Some(2.0)),
            row("Speed (delighter)", Some(3.0), Some(19.0)),
            row("Price", None, None),
        ]);
        let svg = effects_svg(&v);
        assert_valid(&svg);
        assert_eq!(svg.matches(r#"class="bar penalty""#).count(), 2);
        assert_eq!(svg.matches(r#"class="bar reward""#).count(), 2);
        assert!(svg.contains(">3 attributes: penalty to the left, reward to the right</desc>"));
        let t = v.table();
        assert_eq!(
            t.rows[0],
            [
                "Installation (basic)",
                "23.0",
                "18.0 – 28.0",
                "2.0",
                "−3.0 – 7.0"
            ]
        );
        assert_eq!(t.rows[2][1], "—");
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(effects_svg(&view(vec![])).contains("No data"));
        assert!(effects_svg(&view(vec![row("a", None, None)])).contains("No data"));
        for (p, r) in [(f64::NAN, 1.0), (0.0, 0.0), (1e300, -1e300)] {
            assert_valid(&effects_svg(&view(vec![row("<b>&", Some(p), Some(r))])));
        }
    }
}
