//! The drawing harness every plotters chart shares: a white canvas drawn into a `String`, the
//! cartesian frame (caption, axes, gridlines in the palette), category labels that never
//! overlap, and the hand-off to [`super::svg`] for post-processing.
//!
//! Kept apart from the charts so each chart file reads as "what is drawn", not "how plotters is
//! driven".

use super::svg::{self, Mark};
use super::{fmt_tick, font_ready, text_style, AXIS, CAPTION, GRID, LABEL, SMALL};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

/// The whole canvas, in pixels.
pub(super) type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with numeric axes both ways (categories sit at integer positions).
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// What drawing returns; any error becomes a message SVG, never a panic.
pub(super) type Drawn = Result<(), Box<dyn Error>>;

/// Draws with plotters onto a `size` canvas and post-processes the result.
///
/// `kind` names the chart in ids and classes; `marks` are the colour-keyed decorations.
pub(super) fn render(
    kind: &str,
    title: &str,
    desc: &str,
    unavailable: &str,
    size: (u32, u32),
    marks: &[Mark],
    draw: impl FnOnce(&Root<'_>) -> Drawn,
) -> String {
    if !font_ready() {
        return svg::message_svg(kind, title, unavailable);
    }
    let mut raw = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut raw, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(Box::<dyn Error>::from)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(Box::<dyn Error>::from))
    };
    match (drawn, svg::strip_root(&raw)) {
        (Ok(()), Some(body)) => svg::wrap(kind, title, desc, size, &svg::decorate(body, marks)),
        _ => svg::message_svg(kind, title, unavailable),
    }
}

/// Builds the cartesian frame: caption on top, label areas of the given sizes.
pub(super) fn build<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    x: (f64, f64),
    y: (f64, f64),
    left: u32,
    bottom: u32,
) -> Result<Chart<'a, 'b>, Box<dyn Error>> {
    let style = text_style(CAPTION);
    let caption = fit(
        root,
        title,
        &style,
        root.dim_in_pixel().0.saturating_sub(24),
    );
    let chart = ChartBuilder::on(root)
        .caption(caption, style)
        .margin(12)
        .margin_right(24)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    Ok(chart)
}

/// Draws axes and gridlines. Numeric axes get ticks and gridlines from plotters; a
/// categorical axis gets only its line (see [`category_labels`]).
pub(super) fn mesh(
    chart: &mut Chart<'_, '_>,
    x_desc: &str,
    y_desc: &str,
    x_numeric: bool,
    y_numeric: bool,
) -> Drawn {
    // Axis descriptions come from users too: keep them within the plot's extent.
    let area = chart.plotting_area();
    let (w, h) = area.dim_in_pixel();
    let x_desc = fit(area, x_desc, &text_style(LABEL), w);
    let y_desc = fit(area, y_desc, &text_style(LABEL), h);
    let mut mesh = chart.configure_mesh();
    mesh.axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .label_style(text_style(LABEL))
        .axis_desc_style(text_style(LABEL))
        .x_label_formatter(&|v| fmt_tick(*v))
        .y_label_formatter(&|v| fmt_tick(*v))
        .x_labels(if x_numeric { 8 } else { 0 })
        .y_labels(if y_numeric { 6 } else { 0 });
    if !x_numeric {
        mesh.disable_x_mesh();
    }
    if !y_numeric {
        mesh.disable_y_mesh();
    }
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    if !y_desc.is_empty() {
        mesh.y_desc(y_desc);
    }
    mesh.draw()?;
    Ok(())
}

/// Draws numeric axes with exactly the given numbers of ticks (ends included), for ranges
/// already rounded to whole steps, so the first and last ticks sit on the range's ends.
///
/// `x_fmt` writes the x ticks (the penalty / reward chart writes both sides of zero as
/// positive points); with 0 y ticks the y axis is categorical (no gridlines).
pub(super) fn mesh_ticks(
    chart: &mut Chart<'_, '_>,
    x_desc: &str,
    y_desc: &str,
    (x_ticks, y_ticks): (usize, usize),
    x_fmt: &dyn Fn(&f64) -> String,
) -> Drawn {
    let area = chart.plotting_area();
    let (w, h) = area.dim_in_pixel();
    let x_desc = fit(area, x_desc, &text_style(LABEL), w);
    let y_desc = fit(area, y_desc, &text_style(LABEL), h);
    let mut mesh = chart.configure_mesh();
    mesh.axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .label_style(text_style(LABEL))
        .axis_desc_style(text_style(LABEL))
        .x_label_formatter(x_fmt)
        .y_label_formatter(&|v| fmt_tick(*v))
        .x_labels(x_ticks)
        .y_labels(y_ticks);
    if y_ticks == 0 {
        mesh.disable_y_mesh();
    }
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    if !y_desc.is_empty() {
        mesh.y_desc(y_desc);
    }
    mesh.draw()?;
    Ok(())
}

/// Shortens `text` with "…" until it fits `max_px` in `style` (labels stay whole in the table).
pub(super) fn fit<CT: CoordTranslate>(
    area: &DrawingArea<SVGBackend<'_>, CT>,
    text: &str,
    style: &TextStyle<'_>,
    max_px: u32,
) -> String {
    let width = |s: &str| area.estimate_text_size(s, style).map_or(0, |(w, _)| w);
    if width(text) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut keep = chars.len();
    while keep > 0 {
        keep -= 1;
        let candidate: String = chars[..keep].iter().chain(['…'].iter()).collect();
        if width(&candidate) <= max_px {
            return candidate;
        }
    }
    "…".to_string()
}

/// How category labels that do not fit their slot are handled.
#[derive(Clone, Copy)]
pub(super) enum Crowded {
    /// Skip labels: every k-th from the first period (so a monthly axis that starts in
    /// January labels every January), and always the last, the most recent (see
    /// [`labelled`]): for long series of short labels, where every k-th label is enough
    /// to read the axis.
    Skip,
    /// Wrap a label onto a second line at a space (or between characters for text without
    /// spaces, e.g. Chinese), shortening only what two lines cannot hold: for stage names,
    /// which are read whole. The x label area needs room for two lines ([`WRAP_BOTTOM`]).
    Wrap,
}

/// The x label area that two wrapped lines of category labels need, in px.
pub(super) const WRAP_BOTTOM: u32 = 52;

/// Splits `text` into at most two lines no wider than `max_px`: the first line takes as many
/// words (characters, for text without spaces) as fit, the second the rest, shortened with
/// "…" when it does not fit either.
pub(super) fn wrap<CT: CoordTranslate>(
    area: &DrawingArea<SVGBackend<'_>, CT>,
    text: &str,
    style: &TextStyle<'_>,
    max_px: u32,
) -> Vec<String> {
    let width = |s: &str| area.estimate_text_size(s, style).map_or(0, |(w, _)| w);
    if width(text) <= max_px {
        return vec![text.to_string()];
    }
    // Break points: after each space, or after each character when there is none.
    let breaks: Vec<usize> = if text.contains(' ') {
        (text.char_indices())
            .filter(|&(_, c)| c == ' ')
            .map(|(i, _)| i)
            .collect()
    } else {
        text.char_indices().map(|(i, _)| i).skip(1).collect()
    };
    let first = (breaks.iter().rev())
        .find(|&&i| width(text[..i].trim_end()) <= max_px)
        .copied();
    match first {
        Some(i) => {
            let rest = text[i..].trim_start();
            vec![
                text[..i].trim_end().to_string(),
                fit(area, rest, style, max_px),
            ]
        }
        None => vec![fit(area, text, style, max_px)],
    }
}

/// Writes category labels under the x axis at integer positions `0..labels.len()`, never
/// overlapping (see [`Crowded`]).
pub(super) fn category_labels(
    root: &Root<'_>,
    chart: &Chart<'_, '_>,
    labels: &[String],
    crowded: Crowded,
) -> Drawn {
    let n = labels.len();
    if n == 0 {
        return Ok(());
    }
    let style = text_style(LABEL);
    let plot_px = f64::from(chart.plotting_area().dim_in_pixel().0);
    let slot = plot_px / n as f64;
    let max_px = match crowded {
        Crowded::Skip => 110,
        Crowded::Wrap => (slot - 8.0).clamp(12.0, 110.0) as u32,
    };
    if let Crowded::Wrap = crowded {
        let y_min = chart.y_range().start;
        let anchored = style.pos(Pos::new(HPos::Center, VPos::Top));
        let line_px = (LABEL * 1.2).round() as i32;
        for (i, label) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64, y_min));
            for (k, line) in wrap(root, label, &style, max_px).iter().enumerate() {
                let at = (x, y + 6 + k as i32 * line_px);
                root.draw(&Text::new(line.as_str(), at, anchored.clone()))?;
            }
        }
        return Ok(());
    }
    let fitted: Vec<String> = labels
        .iter()
        .map(|l| fit(root, l, &style, max_px))
        .collect();
    let widest = fitted
        .iter()
        .map(|l| root.estimate_text_size(l, &style).map_or(0, |(w, _)| w))
        .max()
        .unwrap_or(0);
    let step = match crowded {
        Crowded::Skip => ((f64::from(widest) + 8.0) / slot.max(1.0)).ceil().max(1.0) as usize,
        Crowded::Wrap => 1,
    };
    let y_min = chart.y_range().start;
    let anchored = style.pos(Pos::new(HPos::Center, VPos::Top));
    let shown = labelled(n, step);
    for (i, label) in fitted.iter().enumerate() {
        if !shown[i] {
            continue;
        }
        let (x, y) = chart.backend_coord(&(i as f64, y_min));
        root.draw(&Text::new(label.as_str(), (x, y + 6), anchored.clone()))?;
    }
    Ok(())
}

/// Which of `n` category labels are written when only one in `step` fits: every
/// `step`-th from the first, and the last; the regular label before the last is
/// dropped when it is less than `step` slots from it (they would overlap), so the
/// first stays whenever the last is at least `step` slots from it.
pub(super) fn labelled(n: usize, step: usize) -> Vec<bool> {
    let step = step.max(1);
    let mut shown: Vec<bool> = (0..n).map(|i| i.is_multiple_of(step)).collect();
    if let Some(last) = n.checked_sub(1) {
        shown[last] = true;
        // The regular label before the last is less than `step` slots from it:
        // dropped (the first too, when the whole axis is shorter than `step`).
        let regular = last - last % step;
        if regular != last {
            shown[regular] = false;
        }
    }
    shown
}

/// Writes a number beside a mark (value labels on bars and columns).
pub(super) fn value_label(root: &Root<'_>, text: &str, at: (i32, i32), h: HPos, v: VPos) -> Drawn {
    let style = text_style(SMALL).pos(Pos::new(h, v));
    root.draw(&Text::new(text, at, style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::labelled;

    fn shown(n: usize, step: usize) -> Vec<usize> {
        let flags = labelled(n, step);
        (0..n).filter(|&i| flags[i]).collect()
    }

    #[test]
    fn thinned_labels_keep_the_first_and_the_last_never_closer_than_step() {
        // 24 months Jan 2024 – Dec 2025, one label in three fits: Jan, Apr, Jul,
        // Oct of each year, and Dec 2025 (Oct 2025, two slots before it, goes).
        assert_eq!(shown(24, 3), [0, 3, 6, 9, 12, 15, 18, 23]);
        // One in two: every odd month from January, then Dec (Nov goes).
        assert_eq!(shown(24, 2), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 23]);
        // The last on a regular step: nothing dropped.
        assert_eq!(shown(13, 3), [0, 3, 6, 9, 12]);
        // Everything fits.
        assert_eq!(shown(4, 1), [0, 1, 2, 3]);
        // An axis shorter than one step: the latest only.
        assert_eq!(shown(2, 3), [1]);
        assert_eq!(shown(1, 5), [0]);
        assert!(shown(0, 2).is_empty());
        for n in 1..40 {
            for step in 1..8 {
                let s = shown(n, step);
                assert_eq!(s.last(), Some(&(n - 1)), "n {n} step {step}");
                assert!(
                    s.windows(2).all(|w| w[1] - w[0] >= step),
                    "n {n} step {step}"
                );
                if n > step {
                    assert_eq!(s[0], 0, "n {n} step {step}");
                }
            }
        }
    }
}
