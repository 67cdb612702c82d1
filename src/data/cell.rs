//! Data stage: the one place where a CSV field's text becomes a [`Cell`].
//!
//! Input: the UTF-8 text of one field. Output: blank, number or text. Every
//! reader of data goes through [`Cell::parse`], so "blank is never zero" and
//! "numbers are trimmed" hold everywhere at once (SPEC §1).

/// One field of a data row, classified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty or whitespace only: "not answered", never zero.
    Blank,
    /// A finite number (surrounding whitespace ignored).
    Number(f64),
    /// Anything else, trimmed.
    Text(&'a str),
}

impl<'a> Cell<'a> {
    /// Classifies a field's text: blank, a finite decimal number, or text.
    ///
    /// `inf` and `NaN` are text, not numbers: no survey answer is infinite, and
    /// letting them through would poison every sum downstream.
    pub fn parse(field: &'a str) -> Cell<'a> {
        let t = trim_field(field);
        if t.is_empty() {
            return Cell::Blank;
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Cell::Number(x),
            _ => Cell::Text(t),
        }
    }

    /// The number, if the cell holds one.
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Number(x) => Some(x),
            _ => None,
        }
    }

    /// True for a blank cell.
    pub fn is_blank(self) -> bool {
        matches!(self, Cell::Blank)
    }
}

/// `str::trim`, answered without scanning when the field starts and ends with
/// a visible ASCII byte (almost every cell): a Unicode whitespace character
/// cannot be there, so the result is the same. Fields are trimmed on every
/// read, several times a row, so this is on the hottest path.
pub fn trim_field(field: &str) -> &str {
    match (field.as_bytes().first(), field.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => field,
        _ => field.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{a0}",
            "\u{3000}值\u{3000}",
            "\ta\n",
            "é",
            "a b",
            "\u{2003}",
            "9",
            "x\u{85}",
        ] {
            assert_eq!(trim_field(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn blank_is_not_zero_and_numbers_are_trimmed() {
        assert_eq!(Cell::parse(""), Cell::Blank);
        assert_eq!(Cell::parse("  \t"), Cell::Blank);
        assert_eq!(Cell::parse(" 7 "), Cell::Number(7.0));
        assert_eq!(Cell::parse("0"), Cell::Number(0.0));
        assert_eq!(Cell::parse("-2.5"), Cell::Number(-2.5));
        assert_eq!(Cell::parse(" web "), Cell::Text("web"));
        assert_eq!(Cell::parse("inf"), Cell::Text("inf"));
        assert_eq!(Cell::parse("NaN"), Cell::Text("NaN"));
        assert_eq!(Cell::parse("1,5"), Cell::Text("1,5"));
    }
}
