//! Data stage: date cells to calendar dates.
//!
//! Input: the trimmed text of a date cell and the dataset's optional chrono
//! strftime `format`. Output: a [`NaiveDate`] or `None` when it does not parse.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// The ISO 8601 forms accepted when a dataset's date has no `format`.
const ISO_DATETIMES: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];

/// Parses a date cell into the calendar date it names.
///
/// With a `format`, it is tried as a date-time, then as a date, then as a
/// date-time with an offset (`%z`). Without one, the ISO 8601 forms
/// `%Y-%m-%d`, `%Y-%m-%dT%H:%M:%S` (optionally with fractional seconds and an
/// offset or `Z`) and `%Y-%m-%d %H:%M:%S` are accepted. A time with an offset
/// keeps the date *as written* (it is not converted to UTC): the respondent's
/// own calendar day decides the period.
pub fn parse_date(text: &str, format: Option<&str>) -> Option<NaiveDate> {
    match format {
        Some(f) => NaiveDateTime::parse_from_str(text, f)
            .map(|dt| dt.date())
            .or_else(|_| NaiveDate::parse_from_str(text, f))
            .or_else(|_| DateTime::parse_from_str(text, f).map(|dt| dt.date_naive()))
            .ok(),
        None => parse_iso(text),
    }
}

fn parse_iso(text: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d);
    }
    for f in ISO_DATETIMES {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, f) {
            return Some(dt.date());
        }
    }
    // With an offset or `Z` (RFC 3339), and the space-separated variant.
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|dt| dt.date_naive())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn iso_forms_are_accepted_without_a_format() {
        assert_eq!(parse_date("2026-01-31", None), d(2026, 1, 31));
        assert_eq!(parse_date("2026-01-31T23:59:59", None), d(2026, 1, 31));
        assert_eq!(parse_date("2026-01-31T23:59:59.250", None), d(2026, 1, 31));
        assert_eq!(parse_date("2026-01-31 08:00:00", None), d(2026, 1, 31));
        assert_eq!(parse_date("2026-01-31T23:30:00Z", None), d(2026, 1, 31));
        // The date as written, not converted to UTC.
        assert_eq!(parse_date("2026-02-01T01:00:00+08:00", None), d(2026, 2, 1));
        assert_eq!(parse_date("31/01/2026", None), None);
        assert_eq!(parse_date("2026-02-30", None), None);
    }

    #[test]
    fn a_format_is_honoured() {
        assert_eq!(parse_date("31/01/2026", Some("%d/%m/%Y")), d(2026, 1, 31));
        assert_eq!(
            parse_date("31/01/2026 10:15", Some("%d/%m/%Y %H:%M")),
            d(2026, 1, 31)
        );
        assert_eq!(parse_date("2026-01-31", Some("%d/%m/%Y")), None);
    }
}
