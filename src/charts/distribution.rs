//! Distribution chart: the share of each answer, as vertical columns (e.g. NPS 0–10 coloured
//! as detractors, passives and promoters).
//!
//! Used on indicator pages to show what lies behind a single score. Each column carries its
//! group as a CSS class (`column group-<group>`) for the theme.

use super::frame::{self, Crowded, Drawn, Root};
use super::svg::{message_svg, Mark};
use super::{clean_text, count, ends, finite, fmt1, span_desc, widen, ChartWords, DataTable};
use super::{AMBER, GREEN, MAIN, RED};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One answer's column.
pub struct Column {
    /// The answer, e.g. "9" or "Very satisfied".
    pub label: String,
    /// Share of responses, in percent.
    pub share: f64,
    /// `"detractor"`, `"passive"`, `"promoter"` or `"neutral"`: the column's colour and CSS
    /// class. Anything else is treated as `"neutral"`.
    pub group: String,
}

/// Everything a distribution chart shows, built by the site from `Computed`.
pub struct DistributionView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// Columns in answer order.
    pub columns: Vec<Column>,
    /// Table headers, localised by the caller: e.g. `["Answer","Share %"]`. They also label
    /// the chart's axes.
    pub headers: [String; 2],
    /// The chart's own words ("No data", the description), localised by the caller.
    pub words: ChartWords,
}

impl DistributionView {
    /// The text alternative: one row per answer.
    pub fn table(&self) -> DataTable {
        DataTable {
            caption: self.title.clone(),
            headers: self.headers.to_vec(),
            rows: self
                .columns
                .iter()
                .map(|c| vec![c.label.clone(), fmt1(Some(c.share))])
                .collect(),
        }
    }
}

const KIND: &str = "distribution";
const SIZE: (u32, u32) = (640, 300);
/// Above this many columns, value labels would collide; the table still has every number.
const MAX_VALUE_LABELS: usize = 16;

/// Each group's colour and class; colours are distinct so post-processing finds columns by
/// fill (see [`super::svg::Mark`]).
const GROUPS: [(&str, RGBColor, &str); 4] = [
    ("detractor", RED, r#"class="column group-detractor""#),
    ("passive", AMBER, r#"class="column group-passive""#),
    ("promoter", GREEN, r#"class="column group-promoter""#),
    ("neutral", MAIN, r#"class="column group-neutral""#),
];

/// The colour for a group string; unknown groups fall back to "neutral".
fn group_color(group: &str) -> RGBColor {
    let known = GROUPS.iter().find(|(name, _, _)| *name == group);
    known.map_or(MAIN, |(_, color, _)| *color)
}

/// Draws the distribution as SVG: one column per answer, its share written above it.
///
/// Exists so readers see the shape behind a score (a polarised NPS and a lukewarm one can
/// share a value); see the module docs of [`super`] for the shared guarantees.
pub fn distribution_svg(view: &DistributionView) -> String {
    let title = clean_text(&view.title);
    if view.columns.is_empty() {
        return message_svg(KIND, &title, &view.words.no_data);
    }
    let labels: Vec<String> = view.columns.iter().map(|c| clean_text(&c.label)).collect();
    let shares: Vec<Option<f64>> = view.columns.iter().map(|c| finite(Some(c.share))).collect();
    let colors: Vec<RGBColor> = view.columns.iter().map(|c| group_color(&c.group)).collect();
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let (first, last) = ends(&refs);
    let desc = view.words.describe(
        || format!("{}{}", count(labels.len(), "column"), span_desc(&refs)),
        &[
            ("n", &labels.len().to_string()),
            ("first", first),
            ("last", last),
        ],
    );
    // Columns grow from zero; headroom above (and below, for a negative share) fits labels.
    let lo = shares.iter().flatten().fold(0.0_f64, |a, &b| a.min(b));
    let hi = shares.iter().flatten().fold(0.0_f64, |a, &b| a.max(b));
    let y = widen(lo * 1.15, hi * 1.15);
    let x = (-0.5, labels.len() as f64 - 0.5);
    let marks: Vec<Mark> = GROUPS
        .iter()
        .map(|&(_, color, attrs)| Mark {
            paint: "fill",
            color,
            attrs,
        })
        .collect();
    let axes = view.headers.clone().map(|h| clean_text(&h));
    frame::render(
        KIND,
        &title,
        &desc,
        &view.words.unavailable,
        SIZE,
        &marks,
        |root| draw(root, &title, &axes, &labels, &shares, &colors, x, y),
    )
}

#[allow(clippy::too_many_arguments)]
fn draw(
    root: &Root<'_>,
    title: &str,
    axes: &[String; 2],
    labels: &[String],
    shares: &[Option<f64>],
    colors: &[RGBColor],
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn {
    let bottom = if axes[0].is_empty() { 30 } else { 48 };
    let mut chart = frame::build(root, title, x, y, 60, bottom)?;
    frame::mesh(&mut chart, &axes[0], &axes[1], false, true)?;
    frame::category_labels(root, &chart, labels, Crowded::Skip)?;
    for (i, (share, color)) in shares.iter().zip(colors).enumerate() {
        let Some(s) = *share else { continue };
        let xi = i as f64;
        chart.draw_series([Rectangle::new(
            [(xi - 0.4, 0.0), (xi + 0.4, s)],
            color.filled(),
        )])?;
        if labels.len() <= MAX_VALUE_LABELS {
            let (px, py) = chart.backend_coord(&(xi, s));
            let (dy, v) = if s < 0.0 {
                (4, VPos::Top)
            } else {
                (-4, VPos::Bottom)
            };
            frame::value_label(root, &fmt1(Some(s)), (px, py + dy), HPos::Center, v)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(title: &str, columns: Vec<Column>) -> DistributionView {
        DistributionView {
            title: title.to_string(),
            columns,
            headers: ["Answer", "Share %"].map(String::from),
            words: ChartWords::default(),
        }
    }

    fn col(label: &str, share: f64, group: &str) -> Column {
        Column {
            label: label.to_string(),
            share,
            group: group.to_string(),
        }
    }

    fn nps() -> Vec<Column> {
        let shares = [2.0, 1.5, 2.5, 3.0, 4.0, 6.0, 7.5, 12.0, 18.5, 22.0, 21.0];
        (0..=10)
            .map(|i| {
                let group = match i {
                    0..=6 => "detractor",
                    7 | 8 => "passive",
                    _ => "promoter",
                };
                col(&i.to_string(), shares[i], group)
            })
            .collect()
    }

    use crate::charts::assert_valid;

    #[test]
    fn renders_nps_groups() {
        let svg = distribution_svg(&view("NPS answers", nps()));
        assert_valid(&svg);
        assert_eq!(svg.matches(r#"class="column group-detractor""#).count(), 7);
        assert_eq!(svg.matches(r#"class="column group-passive""#).count(), 2);
        assert_eq!(svg.matches(r#"class="column group-promoter""#).count(), 2);
        assert!(svg.contains(">11 columns from 0 to 10</desc>"));
        assert!(svg.contains("22.0\n</text>"));
        std::fs::write("/tmp/distribution.svg", &svg).ok();
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases = vec![
            vec![],
            vec![col("only", 100.0, "neutral")],
            vec![col("a", 0.0, "x"), col("b", 0.0, "y")],
            vec![col("a", f64::NAN, "promoter"), col("b", f64::INFINITY, "")],
            vec![col("a", 1e300, "promoter"), col("b", -5.0, "detractor")],
            (0..200)
                .map(|i| col(&i.to_string(), 0.5, "neutral"))
                .collect(),
        ];
        for columns in cases {
            assert_valid(&distribution_svg(&view("t", columns)));
        }
        assert!(distribution_svg(&view("t", vec![])).contains("No data"));
    }

    #[test]
    fn escapes_hostile_labels() {
        let evil = r#"<script>alert(1)</script> & "x""#;
        let svg = distribution_svg(&view(evil, vec![col(evil, 50.0, evil)]));
        assert_valid(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn chinese_labels_render_as_text() {
        let svg = distribution_svg(&view("净推荐值", vec![col("一月", 40.0, "promoter")]));
        assert_valid(&svg);
        assert!(svg.contains(">净推荐值</title>") && svg.contains("一月\n</text>"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(
            distribution_svg(&view("a", nps())),
            distribution_svg(&view("a", nps()))
        );
    }

    #[test]
    fn table_rows() {
        let t = view(
            "a",
            vec![col("9", 18.54, "promoter"), col("x", f64::NAN, "")],
        )
        .table();
        assert_eq!(t.headers, ["Answer", "Share %"]);
        assert_eq!(t.rows, [["9", "18.5"], ["x", "—"]]);
    }
}
