//! Compute stage, per row: the period of a date cell, remembered.
//!
//! Parsing a date with chrono's format machinery costs more than the rest of a
//! narrow row's fields together, and a file holds few distinct dates (a year of
//! daily answers is 365 texts) in whatever order the export wrote them. So the
//! period of every short date text is kept in a small direct-mapped table keyed
//! by the text's bytes themselves ([`super::short_text`]; exact: no false hit
//! is possible), and a long
//! text (a date-time) by the previous row's text, as exports sorted by time
//! repeat it. The answer is the parser's, only computed less often.

use super::short_text::{ShortKey, ShortTable};
use crate::metrics::periods::PeriodKey;

/// Slots of the table: a power of two, more than a year of days.
const SLOTS: usize = 1024;

/// The periods of date texts seen by one pass (each fork has its own).
#[derive(Clone, Default)]
pub(super) struct DateCache {
    /// Short texts (an ISO date, `3/4/2025`) and their periods.
    short: ShortTable<Option<PeriodKey>, SLOTS>,
    /// The last long text and its period.
    last: String,
    last_period: Option<PeriodKey>,
}

impl DateCache {
    /// The period of `text`: remembered, or `parse(text)` (remembered when it
    /// is a period; an unparsable text is an error the caller reports each time).
    #[inline]
    pub(super) fn period(
        &mut self,
        text: &str,
        parse: impl FnOnce(&str) -> Option<PeriodKey>,
    ) -> Option<PeriodKey> {
        match ShortKey::of(text) {
            Some(key) => {
                // Only periods are stored: a hit is always one.
                if let Some(period) = self.short.get(key) {
                    return period;
                }
                let period = parse(text);
                if period.is_some() {
                    self.short.set(key, period);
                }
                period
            }
            None => {
                if self.last_period.is_some() && self.last == text {
                    return self.last_period;
                }
                let period = parse(text);
                if period.is_some() {
                    self.last.clear();
                    self.last.push_str(text);
                    self.last_period = period;
                }
                period
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::date::parse_date;
    use crate::project::model::Period;
    use std::cell::Cell;

    fn month(text: &str) -> Option<PeriodKey> {
        parse_date(text, None).map(|d| PeriodKey::of(d, Period::Month))
    }

    #[test]
    fn every_answer_is_the_parsers_and_repeats_are_not_parsed_again() {
        let mut cache = DateCache::default();
        let parsed = Cell::new(0);
        let texts = [
            "2025-01-31",
            "2025-02-01",
            "2025-01-31",
            "2025-02-30",
            "2025-02-30",
            "2025-12-01T08:00:00",
            "2025-12-01T08:00:00",
            "2025-11-30T23:59:59",
            "",
            "2025-02-01",
        ];
        for t in texts {
            let got = cache.period(t, |t| {
                parsed.set(parsed.get() + 1);
                month(t)
            });
            assert_eq!(got, month(t), "{t}");
        }
        // Distinct valid texts once each; the invalid and blank ones every time.
        assert_eq!(parsed.get(), 2 + 2 + 2 + 1);
    }

    #[test]
    fn texts_that_share_a_slot_never_answer_for_each_other() {
        let mut cache = DateCache::default();
        // Every day of four years: far more texts than slots, so slots are shared.
        let days: Vec<String> = (0..4 * 365)
            .map(|i| {
                let d = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(i);
                d.format("%Y-%m-%d").to_string()
            })
            .collect();
        for _ in 0..2 {
            for t in &days {
                assert_eq!(cache.period(t, month), month(t), "{t}");
            }
        }
    }
}
