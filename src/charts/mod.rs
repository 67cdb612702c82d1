//! Charts: pure functions from a view struct to SVG text.
//!
//! Stage: **render** (called by [`crate::site`]). Input: a view struct the site builds from
//! `Computed` (labels already localised, numbers already computed). Output: an SVG string to
//! inline in a page, plus a [`DataTable`] text alternative from the same view. Charts read
//! nothing from disk and compute no statistics — they only draw, so a chart can never disagree
//! with the table beside it.
//!
//! Drawing goes through `plotters`' SVG backend into a `String`. Plotters needs a font to lay
//! out text (label widths, axis areas); we embed DejaVu Sans and register it with the `ab_glyph`
//! backend, so charts render identically on a machine with no fonts installed. The SVG itself
//! only names `font-family="sans-serif"`: the browser draws the text with its own fonts, which
//! is how Chinese labels display even though DejaVu has no CJK glyphs.
//!
//! Every chart is then post-processed (module `svg`): a responsive root tag (`viewBox`,
//! `width="100%"`), `role="img"` with `aria-labelledby` pointing at a `<title>` and `<desc>`,
//! and CSS classes on the marks the theme may restyle.
//!
//! **Ids.** The `<title>`/`<desc>` ids are `cx-<kind>-<16 hex digits>-t` / `-d`, where the hex
//! digits are a 64-bit FNV-1a hash of the chart kind, its title, its description and its drawn
//! body. They are stable across builds and machines; two charts on one page share ids only if
//! they are byte-identical.
//!
//! **Never panics.** Non-finite numbers are treated as missing, magnitudes are pinned to
//! ±[`MAX_MAGNITUDE`], degenerate ranges are widened, and a view with nothing to draw becomes a
//! small "No data" SVG.

mod bars;
mod curve;
mod distribution;
mod effects;
mod frame;
mod lines;
mod quadrant;
mod sparkline;
mod svg;
mod trend;

pub use bars::{bars_svg, Bar, BarsView};
pub use curve::{curve_svg, CurvePoint, CurveView};
pub use distribution::{distribution_svg, Column, DistributionView};
pub use effects::{effects_svg, EffectRow, EffectsView};
pub use lines::{lines_svg, Line, LinesView, MAX_LINES};
pub use quadrant::{quadrant_svg, QuadrantPoint, QuadrantView};
pub use sparkline::{sparkline_svg, sparkline_window_svg};
pub use svg::with_id_suffix;
// (ChartWords is defined below and used by every view.)
pub use trend::{trend_svg, TrendMarker, TrendPoint, TrendView, WindowBand};

use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle};
use std::sync::OnceLock;

/// A text alternative for a chart: caption + data table.
///
/// Exists because an SVG alone is not accessible and cannot be copied from: the site renders
/// this as an HTML `<table>` beside the chart, built from the same view so both always agree.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataTable {
    /// The chart's title, used as the table's `<caption>`.
    pub caption: String,
    /// Column headers, localised by the caller.
    pub headers: Vec<String>,
    /// One row per data point, every cell already formatted for display.
    pub rows: Vec<Vec<String>>,
}

/// The words a chart writes on its own — the "No data" message and the `<desc>` sentence — in
/// the reader's language.
///
/// Exists because charts compute their descriptions from the data, where the site cannot
/// translate them afterwards: the site fills these from its catalog. [`ChartWords::default`] is
/// English, for tests and callers without a catalog. `desc` is a template in which the chart
/// replaces `{n}` (items drawn), `{present}` (bars with a value), `{first}` and `{last}` (the
/// first and last label), `{x}`, `{y}`, `{x_split}` and `{y_split}` (quadrant) and
/// `{last_value}` (sparkline); an empty `desc` keeps the chart's own English sentence.
#[derive(Debug, Clone)]
pub struct ChartWords {
    /// Shown, and described, when there is nothing to draw.
    pub no_data: String,
    /// Shown when drawing failed (a packaging bug; never a panic).
    pub unavailable: String,
    /// The `<desc>` template; "" for the English default.
    pub desc: String,
    /// How many decimals the chart writes its values with (labels and data table): the
    /// indicator's, so a chart's table agrees with the page's (a count is `823`, not `823.0`).
    pub decimals: usize,
    /// The word that labels a target line on the chart ("Target 40"), so the
    /// line is read in words, not by its dash alone.
    pub target: String,
}

impl Default for ChartWords {
    fn default() -> Self {
        ChartWords {
            no_data: "No data".into(),
            unavailable: "Chart unavailable".into(),
            desc: String::new(),
            decimals: 1,
            target: "Target".into(),
        }
    }
}

impl ChartWords {
    /// The same words for a chart whose values have `decimals` places.
    pub fn with_decimals(self, decimals: usize) -> Self {
        ChartWords { decimals, ..self }
    }

    /// A value as the chart writes it: the site's number format at [`Self::decimals`].
    pub(crate) fn value(&self, value: Option<f64>) -> String {
        crate::numbers::maybe(finite(value), self.decimals)
    }

    /// The description: `desc` with `facts` filled in, or `english` when `desc` is empty.
    fn describe(&self, english: impl FnOnce() -> String, facts: &[(&str, &str)]) -> String {
        if self.desc.is_empty() {
            return english();
        }
        facts.iter().fold(self.desc.clone(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
    }
}

/// The first and last of `labels`, for description templates.
fn ends<'a>(labels: &[&'a str]) -> (&'a str, &'a str) {
    (
        labels.first().copied().unwrap_or(""),
        labels.last().copied().unwrap_or(""),
    )
}

/// Main series colour (lines, points, neutral bars): a blue readable on white.
pub const MAIN: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// Interval band fill: a light tint of [`MAIN`] so the line stays on top visually.
pub const BAND: RGBColor = RGBColor(0xc6, 0xd7, 0xee);
/// The reporting window's shading behind a trend: a pale tint distinct from [`BAND`], so the
/// interval band stays readable on top of it (and a labelled edge says what it is).
pub const WINDOW: RGBColor = RGBColor(0xee, 0xf1, 0xe4);
/// Gridlines: light grey so they guide without competing with data.
pub const GRID: RGBColor = RGBColor(0xd8, 0xde, 0xe4);
/// Axis lines and interval whiskers.
pub const AXIS: RGBColor = RGBColor(0x57, 0x60, 0x6a);
/// Text colour: near-black for contrast.
pub const INK: RGBColor = RGBColor(0x24, 0x29, 0x2f);
/// Reference lines (target, quadrant splits, zero line); drawn dashed.
pub const REFERENCE: RGBColor = RGBColor(0x3d, 0x44, 0x4d);
/// Benchmark line (an external reference): dotted, a violet distinct from the target's grey.
pub const BENCHMARK: RGBColor = RGBColor(0x82, 0x50, 0xdf);
/// Status "green" (on target), also NPS promoters.
pub const GREEN: RGBColor = RGBColor(0x1a, 0x7f, 0x37);
/// Status "amber" (near target), also NPS passives.
pub const AMBER: RGBColor = RGBColor(0x9a, 0x67, 0x00);
/// Status "red" (off target), also NPS detractors.
pub const RED: RGBColor = RGBColor(0xcf, 0x22, 0x2e);
/// Status "suppressed" (too few responses to show).
pub const GREY: RGBColor = RGBColor(0x6e, 0x77, 0x81);

/// Largest magnitude drawn; beyond it values are pinned so ranges never overflow to infinity.
/// No CX number gets near it; tables still show the real value.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// The family every chart asks for; registered with the embedded font.
const FAMILY: &str = "sans-serif";

/// DejaVu Sans, embedded so layout never depends on the machine's fonts.
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// Registers the embedded font with plotters once per process; `false` if it was rejected
/// (which would be a packaging bug — charts then degrade to a text-only SVG, never a panic).
fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
    })
}

/// Text sizes. Plotters writes `font-size = size / 1.24`; these constants are chosen so the
/// SVG gets whole pixels (11, 12, 16) instead of long decimals.
const SMALL: f64 = 13.64;
/// Axis labels and descriptions: 12px.
const LABEL: f64 = 14.88;
/// Captions: 16px.
const CAPTION: f64 = 19.84;

/// Text style in the chart family at one of the sizes above.
fn text_style(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&INK)
}

/// Formats a share or score that is always written with one decimal (distribution shares,
/// driver importance): the site's number format, "—" for missing or non-finite values.
pub(crate) fn fmt1(value: Option<f64>) -> String {
    crate::numbers::maybe(finite(value), 1)
}

/// Formats an axis tick: up to three decimals with trailing zeros trimmed (ticks like 0.25 stay
/// exact), scientific notation for very large magnitudes.
fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.abs() >= 1e6 {
        return format!("{v:.1e}");
    }
    let s = format!("{:.3}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Keeps only finite values, pinned to ±[`MAX_MAGNITUDE`]: the one gate numbers pass before
/// they reach plotters.
fn finite(value: Option<f64>) -> Option<f64> {
    value
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE))
}

/// A drawable axis range covering `values` (and `fixed`, when it is a valid range), padded by
/// `pad` of its span on each side and widened when degenerate (no values, or all equal).
fn axis_range(
    values: impl IntoIterator<Item = f64>,
    fixed: Option<(f64, f64)>,
    pad: f64,
) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter_map(|v| finite(Some(v))) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let fixed = fixed.and_then(|(a, b)| match (finite(Some(a)), finite(Some(b))) {
        (Some(a), Some(b)) if a < b => Some((a, b)),
        _ => None,
    });
    if let Some((a, b)) = fixed {
        // A caller-fixed scale is kept exactly unless data falls outside it.
        return widen(lo.min(a), hi.max(b));
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    widen(lo - span * pad, hi + span * pad)
}

/// Widens a range whose span is too small to divide into ticks.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let scale = lo.abs().max(hi.abs()).max(1.0);
    if hi - lo > scale * 1e-9 {
        return (lo, hi);
    }
    let mid = (lo + hi) / 2.0;
    let half = (mid.abs() * 0.1).max(1.0);
    (mid - half, mid + half)
}

/// Makes user text safe to hand to plotters: XML forbids most control characters (plotters
/// escapes markup but passes those through), and a bounded length keeps layout cheap.
fn clean_text(text: &str) -> String {
    text.chars()
        .take(300)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// "first to last" label range for descriptions.
fn span_desc(labels: &[&str]) -> String {
    match labels {
        [] => String::new(),
        [only] => format!(": {only}"),
        [first, .., last] => format!(" from {first} to {last}"),
    }
}

/// English plural for descriptions ("1 point", "12 points").
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// What every chart's SVG must be, whatever it draws: one accessible `<svg>`
/// (role, title, description) with no NaN or infinity leaking into coordinates.
#[cfg(test)]
pub(crate) fn assert_valid(svg: &str) {
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains("<title id=") && svg.contains("<desc id="));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal_and_dash() {
        assert_eq!(fmt1(Some(31.44)), "31.4");
        assert_eq!(fmt1(Some(-0.04)), "0.0");
        assert_eq!(fmt1(Some(2.0)), "2.0");
        assert_eq!(fmt1(Some(-56.25)), "−56.2");
        assert_eq!(fmt1(Some(1582.0)), "1,582.0");
        let counts = ChartWords::default().with_decimals(0);
        assert_eq!(counts.value(Some(1582.0)), "1,582");
        assert_eq!(counts.value(Some(f64::NAN)), "—");
        assert_eq!(fmt1(None), "—");
        assert_eq!(fmt1(Some(f64::NAN)), "—");
        assert_eq!(fmt1(Some(f64::INFINITY)), "—");
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(fmt_tick(0.30000000000000004), "0.3");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(fmt_tick(10.0), "10");
        assert_eq!(fmt_tick(-0.0001), "0");
        assert_eq!(fmt_tick(2e9), "2.0e9");
    }

    #[test]
    fn ranges_never_degenerate() {
        assert_eq!(axis_range([], None, 0.1), (0.0, 1.0));
        let (lo, hi) = axis_range([5.0, 5.0], None, 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = axis_range([f64::NAN, f64::INFINITY, 1e300, -1e300], None, 0.1);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        assert_eq!(
            axis_range([10.0, 20.0], Some((0.0, 100.0)), 0.1),
            (0.0, 100.0)
        );
        assert_eq!(axis_range([], Some((1.0, 1.0)), 0.1), (0.0, 1.0));
        assert_eq!(axis_range([150.0], Some((0.0, 100.0)), 0.1), (0.0, 150.0));
    }

    #[test]
    fn embedded_font_registers() {
        // ab_glyph only knows fonts registered with it, never system fonts, so this passing
        // is what makes charts work on a machine with none installed.
        assert!(font_ready());
    }

    #[test]
    fn chart_words_fill_the_template_or_keep_the_english_default() {
        let zh = ChartWords {
            no_data: "无数据".into(),
            unavailable: "图表不可用".into(),
            desc: "{n} 个阶段，从 {first} 到 {last}".into(),
            decimals: 1,
            target: "目标".into(),
        };
        let facts = [("n", "3"), ("first", "了解"), ("last", "推荐")];
        assert_eq!(
            zh.describe(|| "unused".into(), &facts),
            "3 个阶段，从 了解 到 推荐"
        );
        let en = ChartWords::default();
        assert_eq!(en.describe(|| "3 stages".into(), &facts), "3 stages");
        let view = CurveView {
            title: "旅程".into(),
            points: Vec::new(),
            y_range: (-2.0, 2.0),
            headers: ["阶段".into(), "情绪".into()],
            words: zh,
        };
        let svg = curve_svg(&view);
        assert!(
            svg.contains(">无数据</text>") && !svg.contains("No data"),
            "{svg}"
        );
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean_text("a\u{0}b\nc"), "a b c");
    }
}
