//! SVG post-processing: turns plotters' fixed-size drawing into an accessible, responsive,
//! themeable chart.
//!
//! Plotters writes `<svg width=W height=H viewBox=…>` and one element per line, with no
//! `<title>`, `<desc>`, ARIA or classes. Here we replace that root tag, add the text
//! alternative with stable ids (see the module docs of [`super`]), and attach CSS classes and
//! dash patterns to marks identified by their palette colour — each chart gives every
//! decorated colour exactly one meaning, so the colour is a reliable key.

use plotters::style::RGBColor;

/// Attributes to add to every shape whose `fill` or `stroke` is a given palette colour.
///
/// Exists because plotters' SVG backend cannot attach classes; the theme needs them to restyle
/// statuses and answer groups (and print), and reference lines need a dash pattern.
#[derive(Clone, Copy)]
pub(super) struct Mark {
    /// Which paint attribute identifies the shape: `"fill"` or `"stroke"`.
    pub paint: &'static str,
    /// The palette colour that identifies it.
    pub color: RGBColor,
    /// Attributes inserted after the tag name, e.g. `class="bar status-green"`.
    pub attrs: &'static str,
}

/// The mark for reference lines (target, splits, zero): dashed, classed `reference`.
pub(super) const REFERENCE_MARK: Mark = Mark {
    paint: "stroke",
    color: super::REFERENCE,
    attrs: r#"class="reference" stroke-dasharray="6 4""#,
};

/// The mark for a benchmark line: dotted (not dashed like the target), classed `benchmark`,
/// so it is told apart by pattern as well as colour.
pub(super) const BENCHMARK_MARK: Mark = Mark {
    paint: "stroke",
    color: super::BENCHMARK,
    attrs: r#"class="benchmark" stroke-dasharray="2 3""#,
};

/// The mark for the reporting window's shading: classed `window-band` so a theme (or print)
/// may restyle it.
pub(super) const WINDOW_MARK: Mark = Mark {
    paint: "fill",
    color: super::WINDOW,
    attrs: r#"class="window-band""#,
};

/// XML-escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `#RRGGBB` as plotters writes it (upper case), for matching and hand-written SVG.
pub(super) fn hex(color: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
}

/// Adds each matching [`Mark`]'s attributes to shape elements of plotters' output.
///
/// Plotters writes one tag per line and escapes `<` in text, so a line starting with `<rect`
/// (etc.) is always a real element, never user text.
pub(super) fn decorate(body: &str, marks: &[Mark]) -> String {
    const SHAPES: [&str; 6] = [
        "<rect",
        "<line",
        "<polyline",
        "<polygon",
        "<circle",
        "<path",
    ];
    let keys: Vec<(String, &str)> = marks
        .iter()
        .map(|m| (format!(r#"{}="{}""#, m.paint, hex(m.color)), m.attrs))
        .collect();
    let mut out = String::with_capacity(body.len() + 64);
    for line in body.split_inclusive('\n') {
        let tag = SHAPES.iter().find(|t| {
            line.strip_prefix(**t)
                .is_some_and(|rest| rest.starts_with(' '))
        });
        let attrs = tag.and_then(|_| keys.iter().find(|(key, _)| line.contains(key.as_str())));
        match (tag, attrs) {
            (Some(tag), Some((_, attrs))) => {
                out.push_str(tag);
                out.push(' ');
                out.push_str(attrs);
                out.push_str(&line[tag.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Wraps a drawing body (everything after plotters' root tag, ending in `</svg>`) in the
/// accessible, responsive root tag with `<title>` and `<desc>`.
pub(super) fn wrap(kind: &str, title: &str, desc: &str, size: (u32, u32), body: &str) -> String {
    wrap_sized(kind, title, desc, size, body, r#"width="100%""#)
}

/// [`wrap`] with explicit sizing attributes: sparklines keep an intrinsic size because a
/// percentage width inside an auto-sized table cell has no width to take a share of.
pub(super) fn wrap_sized(
    kind: &str,
    title: &str,
    desc: &str,
    size: (u32, u32),
    body: &str,
    sizing: &str,
) -> String {
    let title = escape(title);
    let desc = escape(desc);
    let id = format!("cx-{kind}-{:016x}", fnv1a(&[kind, &title, &desc, body]));
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" {sizing} "#,
            r#"role="img" aria-labelledby="{id}-t {id}-d" class="cx-chart cx-{kind}" "#,
            r#"font-family="sans-serif">"#,
            "\n<title id=\"{id}-t\">{title}</title>\n<desc id=\"{id}-d\">{desc}</desc>\n{body}"
        ),
        w = size.0,
        h = size.1,
        sizing = sizing,
        id = id,
        kind = kind,
        title = title,
        desc = desc,
        body = body,
    )
}

/// Gives a chart's `<title>` and `<desc>` ids (and the `aria-labelledby` naming them) a
/// suffix. Exists so one drawing can stand twice in a page, as a tile's sparkline and again in
/// the table row, without two elements sharing an id: a repeated id lets a screen reader
/// announce the wrong chart. Text that is not one of `wrap`'s charts is returned unchanged.
pub fn with_id_suffix(svg: &str, suffix: &str) -> String {
    let Some(id) = svg
        .split_once("aria-labelledby=\"")
        .and_then(|(_, rest)| rest.split_once("-t "))
        .map(|(id, _)| id)
    else {
        return svg.to_string();
    };
    svg.replace(&format!("{id}-"), &format!("{id}-{suffix}-"))
}

/// Drops plotters' own root tag (the first line), keeping the body and its closing tag.
pub(super) fn strip_root(plotters_svg: &str) -> Option<&str> {
    let (first, rest) = plotters_svg.split_once('\n')?;
    first.starts_with("<svg ").then_some(rest)
}

/// A small chart-shaped SVG carrying only a message ("No data"): what an empty view becomes.
pub(super) fn message_svg(kind: &str, title: &str, message: &str) -> String {
    let (w, h) = (400, 60);
    let body = format!(
        concat!(
            "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\"/>\n",
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" dominant-baseline=\"middle\" ",
            "font-size=\"14\" fill=\"{fill}\">{msg}</text>\n</svg>\n"
        ),
        w = w,
        h = h,
        x = w / 2,
        y = h / 2,
        fill = hex(super::GREY),
        msg = escape(message),
    );
    wrap(kind, title, message, (w, h), &body)
}

/// 64-bit FNV-1a over the parts (with separators): a hash defined by its algorithm, unlike
/// `std`'s, so ids are the same on every build and platform.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert(1)</script> & "x" 'y'"#),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &apos;y&apos;"
        );
    }

    #[test]
    fn decorates_only_matching_shapes() {
        let body = "<rect x=\"1\" fill=\"#1A7F37\"/>\n<text fill=\"#1A7F37\">x</text>\n";
        let marks = [Mark {
            paint: "fill",
            color: super::super::GREEN,
            attrs: r#"class="g""#,
        }];
        assert_eq!(
            decorate(body, &marks),
            "<rect class=\"g\" x=\"1\" fill=\"#1A7F37\"/>\n<text fill=\"#1A7F37\">x</text>\n"
        );
    }

    #[test]
    fn message_svg_is_accessible() {
        let svg = message_svg("trend", "A & B", "No data");
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"cx-trend-"));
        assert!(svg.contains(">A &amp; B</title>"));
        assert!(svg.contains("No data</text>"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn a_suffix_renames_every_id_and_its_references_only() {
        let svg = wrap(
            "sparkline",
            "A",
            "d",
            (1, 1),
            "<path d=\"M0 0\"/>\n</svg>\n",
        );
        let id = svg.split("aria-labelledby=\"").nth(1).unwrap()[..29].to_string();
        let renamed = with_id_suffix(&svg, "row");
        assert!(renamed.contains(&format!("aria-labelledby=\"{id}-row-t {id}-row-d\"")));
        assert!(renamed.contains(&format!("<title id=\"{id}-row-t\">A</title>")));
        assert!(renamed.contains(&format!("<desc id=\"{id}-row-d\">d</desc>")));
        assert_eq!(renamed.replace("-row-", "-"), svg);
        assert_eq!(with_id_suffix("", "row"), "");
    }

    #[test]
    fn ids_depend_on_kind_and_title() {
        let a = wrap("trend", "A", "d", (1, 1), "</svg>\n");
        let b = wrap("trend", "B", "d", (1, 1), "</svg>\n");
        let c = wrap("bars", "A", "d", (1, 1), "</svg>\n");
        let id = |s: &str| s.split("aria-labelledby=\"").nth(1).unwrap()[..27].to_string();
        assert_ne!(id(&a), id(&b));
        assert_ne!(id(&a), id(&c));
        assert_eq!(a, wrap("trend", "A", "d", (1, 1), "</svg>\n"));
    }
}
