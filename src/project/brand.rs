//! Validation of `brand:` in `cxscore.yaml`: a consultant's white label.
//!
//! Input: the raw `brand: { logo, primary, accent, footer }`. Output: a checked
//! [`Brand`]: the logo resolved inside the project (copied into the site by the
//! render stage), colours as lower-case `#rrggbb`, the footer as plain text
//! (templates escape it). A primary colour too light for white text (below
//! WCAG AA's 4.5:1) is a warning, not an error: the consultant may have no say
//! over the client's colours, but should know the header will be hard to read.

use std::path::{Component, Path, PathBuf};

use super::paths::{confined, PathProblem};
use super::raw::RawBrand;
use super::yaml::{location, Spanned};
use crate::diag::Diagnostics;

/// Image types a logo may be: what every browser shows in an `<img>`.
const LOGO_TYPES: [&str; 6] = ["png", "svg", "jpg", "jpeg", "webp", "gif"];

/// WCAG 2.1 AA contrast for normal text (success criterion 1.4.3).
pub const AA_TEXT: f64 = 4.5;
/// WCAG 2.1 AA contrast for graphical objects such as focus rings (1.4.11).
pub const AA_GRAPHICS: f64 = 3.0;

/// The white label, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    /// The logo file, canonical, inside the project.
    pub logo: Option<PathBuf>,
    /// Header background and link colour, `#rrggbb`.
    pub primary: Option<String>,
    /// Focus rings, moments of truth, ladder rungs, `#rrggbb`.
    pub accent: Option<String>,
    /// A line of text for every page's footer.
    pub footer: Option<String>,
}

impl Brand {
    /// Where the logo is copied in the site (`brand/<file name>`), if there is one.
    pub fn logo_site_path(&self) -> Option<String> {
        let name = self.logo.as_ref()?.file_name()?.to_string_lossy();
        Some(format!("brand/{name}"))
    }
}

/// Checks `brand:` of `file` (cxscore.yaml) against the project at `root`.
pub fn validate_brand(
    root: &Path,
    file: &Path,
    raw: Option<&RawBrand>,
    diags: &mut Diagnostics,
) -> Brand {
    let Some(raw) = raw else {
        return Brand::default();
    };
    let primary = raw
        .primary
        .as_ref()
        .and_then(|c| colour(file, "primary", c, diags));
    if let (Some(hex), Some(at)) = (&primary, &raw.primary) {
        warn_contrast(file, "primary", hex, at, AA_TEXT, "white text on it", diags);
    }
    let accent = raw
        .accent
        .as_ref()
        .and_then(|c| colour(file, "accent", c, diags));
    if let (Some(hex), Some(at)) = (&accent, &raw.accent) {
        warn_contrast(file, "accent", hex, at, AA_GRAPHICS, "a white page", diags);
    }
    Brand {
        logo: raw.logo.as_ref().and_then(|l| logo(root, file, l, diags)),
        primary,
        accent,
        footer: raw
            .footer
            .as_ref()
            .map(|f| f.value.trim().to_string())
            .filter(|f| !f.is_empty()),
    }
}

fn logo(
    root: &Path,
    file: &Path,
    written: &Spanned<String>,
    diags: &mut Diagnostics,
) -> Option<PathBuf> {
    let at = location(file, written);
    let text = written.value.trim();
    let ext = Path::new(text)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !LOGO_TYPES.contains(&ext.as_str()) {
        diags.error_hint(
            at,
            format!("`logo` is `{text}`, which is not an image type browsers show"),
            format!("use one of: {}", LOGO_TYPES.join(", ")),
        );
        return None;
    }
    let rel = Path::new(text);
    let climbs = rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir));
    let outside = |diags: &mut Diagnostics| {
        diags.error_hint(
            location(file, written),
            format!("`logo` `{text}` is outside the project folder"),
            "copy the logo into the project (e.g. `static/logo.png`) and name it relative to cxscore.yaml",
        );
    };
    if climbs {
        outside(diags);
        return None;
    }
    match confined(root, &root.join(rel)) {
        Ok(real) if real.is_file() => Some(real),
        Err(PathProblem::OutsideAfterLinks(_)) => {
            outside(diags);
            None
        }
        _ => {
            diags.error_hint(
                at,
                format!("`logo` `{text}` is not a file"),
                "the path is relative to the folder holding cxscore.yaml",
            );
            None
        }
    }
}

/// A `#rrggbb` colour, lower-cased; anything else is an error at its place.
fn colour(file: &Path, key: &str, c: &Spanned<String>, diags: &mut Diagnostics) -> Option<String> {
    let v = c.value.trim();
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        return Some(v.to_ascii_lowercase());
    }
    diags.error_hint(
        location(file, c),
        format!("`{key}` is `{v}`, but it must be a colour written #rrggbb"),
        format!("write e.g. `{key}: \"#1f5fa8\"` (quoted: YAML reads # as a comment)"),
    );
    None
}

fn warn_contrast(
    file: &Path,
    key: &str,
    hex: &str,
    at: &Spanned<String>,
    needed: f64,
    against: &str,
    diags: &mut Diagnostics,
) {
    let ratio = contrast_with_white(hex);
    if ratio < needed {
        diags.warning(
            location(file, at),
            format!(
                "`{key}` {hex} has a contrast of {ratio:.2}:1 with {against}, below WCAG AA's {needed}:1; \
                 some readers will struggle to read it (a darker shade fixes it)"
            ),
        );
    }
}

/// WCAG 2.1 relative luminance of `#rrggbb` (sRGB, linearised).
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/// The contrast ratio of `#rrggbb` against white, (1 + 0.05) / (L + 0.05).
pub fn contrast_with_white(hex: &str) -> f64 {
    1.05 / (luminance(hex) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_known_wcag_values() {
        // Black on white is 21:1; #777 is the classic just-fails grey (4.48:1)
        // and #767676 the lightest grey that passes (4.54:1), both as published by
        // WebAIM's contrast checker.
        assert!((contrast_with_white("#000000") - 21.0).abs() < 1e-9);
        assert!((contrast_with_white("#ffffff") - 1.0).abs() < 1e-9);
        assert!((contrast_with_white("#777777") - 4.48).abs() < 0.005);
        assert!((contrast_with_white("#767676") - 4.54).abs() < 0.005);
    }
}
