//! Numbers as a reader sees them, in one place for the pages and the charts'
//! data tables: the same value is rounded and written the same way in both
//! (thousands separators, a true minus sign, no "−0.0").

/// The dash shown where there is no number.
pub const NO_VALUE: &str = "—";

/// A number with thousands separators and `decimals` places (`12,345.6`).
///
/// en and zh-CN share these separators, so no language parameter is needed yet.
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return NO_VALUE.to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    // No "-0.0": a value that rounds to zero is shown unsigned.
    let is_zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if value < 0.0 && !is_zero { "−" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// An optional number, or the dash.
pub fn maybe(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| NO_VALUE.to_string(), |v| number(v, decimals))
}
