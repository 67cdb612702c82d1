//! Compute stage, per row: the period of a date cell, remembered.
//!
//! Parsing a date with chrono's format machinery costs more than the rest of a
//! narrow row's fields together, and a file holds few distinct dates (a year of
//! daily answers is 365 texts) in whatever order the export wrote them. So the
//! period of every short date text is kept in a small direct-mapped table keyed
//! by the text's bytes themselves (exact: no false hit is possible), and a long
//! text (a date-time) by the previous row's text, as exports sorted by time
//! repeat it. The answer is the parser's, only computed less often.

use crate::metrics::periods::PeriodKey;

/// Slots of the table: a power of two, more than a year of days.
const SLOTS: usize = 1024;

/// Texts up to this many bytes are keyed exactly in a `u128` (with their length).
const SHORT: usize = 15;

/// The periods of date texts seen by one pass (each fork has its own).
#[derive(Clone)]
pub(super) struct DateCache {
    /// (packed text, its period); a packed key is never 0 (its length byte is not).
    slots: Vec<(u128, Option<PeriodKey>)>,
    /// The last long text and its period.
    last: String,
    last_period: Option<PeriodKey>,
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache {
            slots: vec![(0, None); SLOTS],
            last: String::new(),
            last_period: None,
        }
    }
}

/// The bytes of a short text and its length, packed into one exact key.
#[inline]
fn pack(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > SHORT {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(buf))
}

#[inline]
fn slot_of(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
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
        match pack(text) {
            Some(key) => {
                let slot = &mut self.slots[slot_of(key)];
                if slot.0 == key {
                    return slot.1;
                }
                let period = parse(text);
                if period.is_some() {
                    *slot = (key, period);
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
