//! Data stage: the one place where a CSV field's text becomes a [`Cell`].
//!
//! Input: the UTF-8 text of one field. Output: blank, number or text — as a
//! [`Cell`] (with the text), or as a [`Parsed`] (without it, for a memo that
//! outlives the row). Every reader of data goes through [`Cell::parse`], so
//! "blank is never zero" and "numbers are trimmed" hold everywhere at once
//! (SPEC §1). It is also the engine's hottest path: plain decimals take a fast
//! path (`short_decimal`) that is bit for bit the standard parser.

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
    #[inline]
    pub fn parse(field: &'a str) -> Cell<'a> {
        let t = trim_field(field);
        if t.is_empty() {
            return Cell::Blank;
        }
        if let Some(x) = short_decimal(t.as_bytes()) {
            return Cell::Number(x);
        }
        general(t)
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

/// The standard parser, for the non-blank trimmed text [`short_decimal`]
/// leaves to it (exponents, long or signed numbers, `inf`, text). Kept out of
/// line so the common path of [`Cell::parse`] stays small enough to inline.
#[inline(never)]
fn general(t: &str) -> Cell<'_> {
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Cell::Number(x),
        _ => Cell::Text(t),
    }
}

/// A [`Cell`] without its text: what a per-row memo can keep once the row is
/// gone (the compute stage reads a column for several indicators, the
/// distribution, the comments and the key drivers, and parses it once).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parsed {
    /// [`Cell::Blank`].
    Blank,
    /// [`Cell::Number`].
    Number(f64),
    /// [`Cell::Text`], the text left behind.
    Text,
}

impl Parsed {
    /// [`Cell::parse`] of `field` without the text, so it can be kept past the
    /// row: the same class and number, by construction.
    #[inline]
    pub fn of(field: &str) -> Parsed {
        match Cell::parse(field) {
            Cell::Blank => Parsed::Blank,
            Cell::Number(x) => Parsed::Number(x),
            Cell::Text(_) => Parsed::Text,
        }
    }

    /// The number of a number cell (as [`Cell::number`], without the text).
    #[inline]
    pub fn number(self) -> Option<f64> {
        match self {
            Parsed::Number(x) => Some(x),
            _ => None,
        }
    }

    /// Back to a [`Cell`], with the row's trimmed `text` for text cells: the
    /// readers that need the text (messages, comments) still hold the row.
    #[inline]
    pub fn cell(self, text: &str) -> Cell<'_> {
        match self {
            Parsed::Blank => Cell::Blank,
            Parsed::Number(x) => Cell::Number(x),
            Parsed::Text => Cell::Text(text),
        }
    }
}

/// Powers of ten that are exact in f64 (all up to 10^22 are).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The value of a plain decimal of at most 15 digits (`7`, `0.87`, `-12.5`),
/// bit for bit what `str::parse::<f64>` gives, without its general
/// algorithm: the digits form an integer m < 2^53 and the point a power of
/// ten 10^k ≤ 10^15, both exact in f64, and IEEE division rounds m / 10^k
/// correctly — the result is the correctly rounded value of the decimal,
/// which is what `parse` returns (Clinger's fast path). Anything else
/// (exponents, a leading `+` or `.`, more digits) is `None`: the general
/// parser decides.
#[inline]
fn short_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, b),
    };
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &[][..]),
    };
    let dotted = int.len() < digits.len();
    if int.is_empty() || (dotted && frac.is_empty()) || int.len() + frac.len() > 15 {
        return None;
    }
    let mut m = 0u64;
    for &c in int.iter().chain(frac) {
        if !c.is_ascii_digit() {
            return None;
        }
        m = m * 10 + u64::from(c - b'0');
    }
    // An integer needs no division (the most common cell: a rating).
    let x = match frac.len() {
        0 => m as f64,
        k => m as f64 / POW10[k],
    };
    Some(if negative { -x } else { x })
}

/// `str::trim`, answered without scanning when the field starts and ends with
/// a visible ASCII byte (almost every cell): a Unicode whitespace character
/// cannot be there, so the result is the same. Fields are trimmed on every
/// read, several times a row, so this is on the hottest path.
#[inline]
pub fn trim_field(field: &str) -> &str {
    match (field.as_bytes().first(), field.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => field,
        _ => field.trim(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The fast path against the standard library's parser, bit for bit.
    fn same_as_std(text: &str) {
        let std = text.parse::<f64>().ok();
        if let Some(fast) = short_decimal(text.as_bytes()) {
            let std = std.unwrap_or_else(|| panic!("{text:?}: std refuses it"));
            assert_eq!(fast.to_bits(), std.to_bits(), "{text:?}");
        }
    }

    /// What [`Cell::parse`] must give, by its definition: trim, blank, the
    /// standard parser's finite numbers, text. Numbers are compared by bits
    /// (`-0` is not `0`).
    fn reference(field: &str) -> (u8, u64, &str) {
        let t = field.trim();
        match t.parse::<f64>() {
            _ if t.is_empty() => (0, 0, ""),
            Ok(x) if x.is_finite() => (1, x.to_bits(), ""),
            _ => (2, 0, t),
        }
    }

    fn bits(cell: Cell<'_>) -> (u8, u64, &str) {
        match cell {
            Cell::Blank => (0, 0, ""),
            Cell::Number(x) => (1, x.to_bits(), ""),
            Cell::Text(t) => (2, 0, t),
        }
    }

    /// `Cell::parse` is its definition and `Parsed::of` is `Cell::parse`.
    fn agrees(field: &str) {
        let cell = Cell::parse(field);
        assert_eq!(bits(cell), reference(field), "{field:?}");
        let t = trim_field(field);
        assert_eq!(bits(Parsed::of(field).cell(t)), bits(cell), "{field:?}");
    }

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
        for field in [
            "",
            " ",
            "7",
            " 7 ",
            "-0",
            "-0.0",
            "+5",
            ".5",
            "5.",
            "1e3",
            "1E-2",
            "-",
            "1.2.3",
            "9007199254740993",
            "1e400",
            "-inf",
            "infinity",
            "nan",
            "0x10",
            "\u{a0}3\u{a0}",
        ] {
            agrees(field);
        }
    }

    #[test]
    fn short_decimals_are_parsed_exactly_like_std() {
        for text in [
            "0",
            "-0",
            "7",
            "10",
            "0.87",
            "-12.5",
            "0.1",
            "0.3",
            "2.675",
            "1.005",
            "999999999999999",
            "0.000000000000001",
            "123456789.012345",
            "-0.0",
            "9007199254740993",
            "1e3",
            "+5",
            ".5",
            "5.",
            "1.2.3",
            "",
            "-",
            "1,5",
            " 7",
        ] {
            same_as_std(text);
        }
        // Taken by the fast path, not left to the general parser.
        assert_eq!(short_decimal(b"0.87"), Some(0.87));
        assert_eq!(short_decimal(b"-12.5"), Some(-12.5));
        // Left to the general parser: 16 digits, exponent, sign, bare point.
        for text in [
            "9007199254740993",
            "1e3",
            "+5",
            ".5",
            "5.",
            "1.2.3",
            "-",
            "",
        ] {
            assert_eq!(short_decimal(text.as_bytes()), None, "{text:?}");
        }
        // A million pseudo-random decimals of 1 to 15 digits, the point anywhere.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..1_000_000 {
            let r = next();
            let len = (r % 15 + 1) as usize;
            let digits: String = (0..len)
                .map(|i| char::from(b'0' + ((r >> (8 + 3 * i)) % 10) as u8))
                .collect();
            let dot = (next() % (len as u64 + 1)) as usize;
            let text = match dot {
                0 => digits,
                d if d == len => digits,
                d => format!("{}.{}", &digits[..d], &digits[d..]),
            };
            same_as_std(&text);
            same_as_std(&format!("-{text}"));
            assert!(short_decimal(text.as_bytes()).is_some(), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Every decimal the fast path takes is the standard parser's value,
        /// and every plain decimal of at most 15 digits is taken.
        #[test]
        fn the_fast_path_is_std_on_decimals(text in "-?[0-9]{1,15}(\\.[0-9]{0,14})?") {
            let digits = text.bytes().filter(u8::is_ascii_digit).count();
            let fast = short_decimal(text.as_bytes());
            if let Some(x) = fast {
                prop_assert_eq!(x.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{:?}", text);
            }
            prop_assert_eq!(fast.is_some(), digits <= 15 && !text.ends_with('.'), "{:?}", text);
            agrees(&text);
        }

        /// Near-decimals (signs, points, exponents, padding, letters) and
        /// arbitrary text: `Cell::parse` is still its definition, fast path
        /// or not.
        #[test]
        fn cell_parse_is_its_definition(
            text in "[ \t\u{a0}]{0,2}[-+]?[0-9]{0,18}\\.?[0-9]{0,18}([eE][-+]?[0-9]{1,3})?[a-z]?[ \t\u{a0}]{0,2}",
            other in any::<String>(),
        ) {
            agrees(&text);
            agrees(&other);
        }
    }
}
