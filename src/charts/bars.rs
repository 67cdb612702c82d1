//! Bars chart: one indicator across segments or personas, as horizontal bars with interval
//! whiskers and the target line.
//!
//! Horizontal because segment and persona names are long and read best on the left. Each bar
//! carries its status as a CSS class (`bar status-<status>`) so the theme and the print
//! stylesheet can restyle it; the fill colour is the same status palette the scorecard uses.

use super::frame::{self, Drawn, Root};
use super::svg::{message_svg, Mark, REFERENCE_MARK};
use super::{axis_range, clean_text, count, finite, text_style, ChartWords, DataTable, LABEL};
use super::{AMBER, GREEN, GREY, INK, MAIN, RED, REFERENCE};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: a segment's value, interval and status.
pub struct Bar {
    /// Segment or persona name.
    pub label: String,
    /// The value; `None` (e.g. suppressed) draws no bar, only "—".
    pub value: Option<f64>,
    /// Lower interval bound; the whisker is drawn where both bounds are present.
    pub low: Option<f64>,
    /// Upper interval bound.
    pub high: Option<f64>,
    /// `"green"`, `"amber"`, `"red"`, `"suppressed"` or `"none"`: the bar's colour and CSS
    /// class. Anything else is treated as `"none"`.
    pub status: String,
}

/// Everything a bars chart shows, built by the site from `Computed`.
pub struct BarsView {
    /// Chart title; also the `<title>` and the table caption.
    pub title: String,
    /// Unit of the value axis, e.g. "%" or "NPS"; written under the axis.
    pub unit: String,
    /// Bars in display order, top to bottom.
    pub bars: Vec<Bar>,
    /// Target value, drawn as a dashed vertical line.
    pub target: Option<f64>,
    /// Fixed value scale so charts compare; widened if data falls outside.
    pub x_range: Option<(f64, f64)>,
    /// Table headers, localised by the caller: e.g. `["Segment","Value","Low","High"]`.
    pub headers: [String; 4],
    /// The chart's own words ("No data", the description), localised by the caller.
    pub words: ChartWords,
}

impl BarsView {
    /// The text alternative: one row per bar.
    pub fn table(&self) -> DataTable {
        DataTable {
            caption: self.title.clone(),
            headers: self.headers.to_vec(),
            rows: self
                .bars
                .iter()
                .map(|b| {
                    let w = &self.words;
                    vec![
                        b.label.clone(),
                        w.value(b.value),
                        w.value(b.low),
                        w.value(b.high),
                    ]
                })
                .collect(),
        }
    }
}

const KIND: &str = "bars";
const WIDTH: u32 = 640;
/// Vertical space per bar, in pixels.
const ROW: u32 = 30;

/// Each status's colour and class. Colours are distinct, so post-processing can find a bar by
/// its fill (see [`super::svg::Mark`]).
const STATUSES: [(&str, RGBColor, &str); 5] = [
    ("green", GREEN, r#"class="bar status-green""#),
    ("amber", AMBER, r#"class="bar status-amber""#),
    ("red", RED, r#"class="bar status-red""#),
    ("suppressed", GREY, r#"class="bar status-suppressed""#),
    ("none", MAIN, r#"class="bar status-none""#),
];

/// The colour for a status string; unknown statuses fall back to "none".
fn status_color(status: &str) -> RGBColor {
    let known = STATUSES.iter().find(|(name, _, _)| *name == status);
    known.map_or(MAIN, |(_, color, _)| *color)
}

/// Draws the bars as SVG: one row per bar, whiskers for intervals, a dashed target line.
///
/// Exists so indicator and persona pages compare segments side by side with their
/// uncertainty; see the module docs of [`super`] for the shared guarantees.
pub fn bars_svg(view: &BarsView) -> String {
    let title = clean_text(&view.title);
    if view.bars.is_empty() {
        return message_svg(KIND, &title, &view.words.no_data);
    }
    let bars: Vec<Clean> = view.bars.iter().map(Clean::new).collect();
    let target = finite(view.target);
    let extent = bars.iter().flat_map(|b| {
        let whisker = b.whisker.map(|(lo, hi)| [lo, hi]);
        b.value.into_iter().chain(whisker.into_iter().flatten())
    });
    let x = axis_range(extent.chain(target).chain([0.0]), view.x_range, 0.1);
    let present = bars.iter().filter(|b| b.value.is_some()).count();
    let desc = view.words.describe(
        || format!("{}, {present} with a value", count(bars.len(), "bar")),
        &[
            ("n", &bars.len().to_string()),
            ("present", &present.to_string()),
        ],
    );
    let n = u32::try_from(bars.len()).unwrap_or(u32::MAX).min(1000);
    let size = (WIDTH, 110 + ROW * n);
    let mut marks: Vec<Mark> = STATUSES
        .iter()
        .map(|&(_, color, attrs)| Mark {
            paint: "fill",
            color,
            attrs,
        })
        .collect();
    marks.push(REFERENCE_MARK);
    marks.push(Mark {
        paint: "stroke",
        color: INK,
        attrs: r#"class="interval""#,
    });
    frame::render(
        KIND,
        &title,
        &desc,
        &view.words.unavailable,
        size,
        &marks,
        |root| {
            let unit = clean_text(&view.unit);
            draw(root, &title, &unit, &bars, target, x, &view.words)
        },
    )
}

/// A bar with its numbers made safe to draw.
struct Clean {
    label: String,
    value: Option<f64>,
    whisker: Option<(f64, f64)>,
    color: RGBColor,
}

impl Clean {
    fn new(bar: &Bar) -> Self {
        let whisker = match (finite(bar.low), finite(bar.high)) {
            (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
            _ => None,
        };
        Clean {
            label: clean_text(&bar.label),
            value: finite(bar.value),
            whisker,
            color: status_color(&bar.status),
        }
    }
}

fn draw(
    root: &Root<'_>,
    title: &str,
    unit: &str,
    bars: &[Clean],
    target: Option<f64>,
    x: (f64, f64),
    words: &ChartWords,
) -> Drawn {
    let style = text_style(LABEL);
    let labels: Vec<String> = bars
        .iter()
        .map(|b| frame::fit(root, &b.label, &style, 180))
        .collect();
    let widest = labels
        .iter()
        .map(|l| root.estimate_text_size(l, &style).map_or(0, |(w, _)| w))
        .max()
        .unwrap_or(0);
    let n = bars.len() as f64;
    let mut chart = frame::build(root, title, x, (-0.5, n - 0.5), widest + 16, 44)?;
    frame::mesh(&mut chart, unit, "", true, false)?;
    let base = 0.0_f64.clamp(x.0, x.1);
    // Bar i sits at y = n-1-i so the first bar is on top.
    let row_y = |i: usize| n - 1.0 - i as f64;
    let left = style.pos(Pos::new(HPos::Right, VPos::Center));
    for (i, (bar, label)) in bars.iter().zip(&labels).enumerate() {
        let y = row_y(i);
        let (px, py) = chart.backend_coord(&(x.0, y));
        root.draw(&Text::new(label.as_str(), (px - 8, py), left.clone()))?;
        let Some(v) = bar.value else {
            let at = chart.backend_coord(&(base, y));
            frame::value_label(root, "—", (at.0 + 4, at.1), HPos::Left, VPos::Center)?;
            continue;
        };
        chart.draw_series([Rectangle::new(
            [(base, y - 0.32), (v, y + 0.32)],
            bar.color.filled(),
        )])?;
        if let Some((lo, hi)) = bar.whisker {
            let whisker = [(lo, y), (hi, y)];
            let caps = [lo, hi].map(|e| [(e, y - 0.15), (e, y + 0.15)]);
            let lines = std::iter::once(whisker).chain(caps);
            chart.draw_series(lines.map(|l| PathElement::new(l, INK.stroke_width(2))))?;
        }
        // The value sits past the far end of bar and whisker, on the side away from zero.
        let (end, h) = match bar.whisker {
            Some((lo, _)) if v < base => (v.min(lo), HPos::Right),
            Some((_, hi)) => (v.max(hi), HPos::Left),
            None if v < base => (v, HPos::Right),
            None => (v, HPos::Left),
        };
        let at = chart.backend_coord(&(end, y));
        let shift = if matches!(h, HPos::Left) { 5 } else { -5 };
        frame::value_label(
            root,
            &words.value(Some(v)),
            (at.0 + shift, at.1),
            h,
            VPos::Center,
        )?;
    }
    if let Some(t) = target {
        let line = [(t, -0.5), (t, n - 0.5)];
        chart.draw_series([PathElement::new(line, REFERENCE.stroke_width(2))])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: Option<f64>, status: &str) -> Bar {
        Bar {
            label: label.to_string(),
            value,
            low: value.map(|v| v - 4.0),
            high: value.map(|v| v + 4.0),
            status: status.to_string(),
        }
    }

    fn view(title: &str, bars: Vec<Bar>) -> BarsView {
        BarsView {
            title: title.to_string(),
            unit: "NPS".to_string(),
            bars,
            target: Some(30.0),
            x_range: None,
            headers: ["Segment", "Value", "Low", "High"].map(String::from),
            words: ChartWords::default(),
        }
    }

    fn segments() -> Vec<Bar> {
        vec![
            bar(
                "Enterprise customers in the northern region",
                Some(42.5),
                "green",
            ),
            bar("SMB", Some(27.0), "amber"),
            bar("Consumers", Some(-12.3), "red"),
            bar("Partners", None, "suppressed"),
            bar("Other", Some(10.0), "none"),
        ]
    }

    use crate::charts::assert_valid;

    #[test]
    fn renders_segments_with_status_classes() {
        let svg = bars_svg(&view("NPS by segment", segments()));
        assert_valid(&svg);
        for status in ["green", "amber", "red", "none"] {
            let class = format!(r#"<rect class="bar status-{status}""#);
            assert_eq!(svg.matches(&class).count(), 1, "{status}");
        }
        assert!(svg.contains(r#"class="interval""#));
        assert!(svg.contains(r#"class="reference""#));
        assert!(svg.contains(">5 bars, 4 with a value</desc>"));
        std::fs::write("/tmp/bars.svg", &svg).ok();
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases = vec![
            vec![],
            vec![bar("one", Some(3.0), "green")],
            vec![bar("a", None, "none"), bar("b", None, "bogus")],
            vec![
                bar("a", Some(f64::NAN), "red"),
                bar("b", Some(f64::INFINITY), "red"),
            ],
            vec![bar("a", Some(0.0), "red"), bar("b", Some(0.0), "red")],
            vec![bar("a", Some(1e300), "red"), bar("b", Some(-1e300), "red")],
        ];
        for bars in cases {
            let mut v = view("t", bars);
            assert_valid(&bars_svg(&v));
            v.x_range = Some((f64::NAN, 5.0));
            v.target = Some(f64::NEG_INFINITY);
            assert_valid(&bars_svg(&v));
            v.x_range = Some((50.0, 100.0));
            assert_valid(&bars_svg(&v));
        }
        assert!(bars_svg(&view("t", vec![])).contains("No data"));
    }

    #[test]
    fn escapes_hostile_labels() {
        let evil = r#"<script>alert(1)</script> & "x""#;
        let mut b = bar(evil, Some(1.0), evil);
        b.label = format!("{evil}\u{7}");
        let svg = bars_svg(&view(evil, vec![b]));
        assert_valid(&svg);
        assert!(!svg.contains("<script") && !svg.contains('\u{7}'));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn chinese_labels_render_as_text() {
        let svg = bars_svg(&view("净推荐值", vec![bar("一月", Some(10.0), "green")]));
        assert_valid(&svg);
        assert!(svg.contains(">净推荐值</title>") && svg.contains("一月\n</text>"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(
            bars_svg(&view("a", segments())),
            bars_svg(&view("a", segments()))
        );
    }

    #[test]
    fn table_rows() {
        let t = view("a", segments()).table();
        assert_eq!(t.headers, ["Segment", "Value", "Low", "High"]);
        assert_eq!(t.rows.len(), 5);
        // A true minus sign, as on the page's own table.
        assert_eq!(t.rows[2], ["Consumers", "−12.3", "−16.3", "−8.3"]);
        assert_eq!(t.rows[3], ["Partners", "—", "—", "—"]);
        // A count's chart writes counts: no decimals, thousands separated.
        let mut counts = view("a", vec![bar("Phone", Some(1582.0), "none")]);
        counts.words = counts.words.with_decimals(0);
        assert_eq!(counts.table().rows[0], ["Phone", "1,582", "1,578", "1,586"]);
        let svg = bars_svg(&counts);
        assert!(svg.contains(">\n1,582\n</text>"), "{svg}");
    }
}
