//! Compute stage: the trend bucket a row falls in, as a value.
//!
//! Input: a row's date and the project's `period`. Output: its [`PeriodKey`],
//! which the passes group rows by and metrics.json publishes as text
//! (`2026-01`). A leaf module (it imports nothing from `metrics`), so the
//! schema of metrics.json ([`super::computed`]) can use the typed key without
//! depending on the code that computes changes between periods.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::project::model::Period;

/// A trend bucket. Keys of one dataset are all of one kind, so the derived
/// order (year, then the number within it) is the ascending order of their text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PeriodKey {
    /// `2026`.
    Year(i32),
    /// `2026-Q1`.
    Quarter(i32, u32),
    /// `2026-01`.
    Month(i32, u32),
    /// `2026-W05`: the ISO week with its ISO year (2021-01-03 is in 2020-W53).
    Week(i32, u32),
}

impl PeriodKey {
    /// The bucket of `date`.
    pub fn of(date: NaiveDate, period: Period) -> PeriodKey {
        match period {
            Period::Year => PeriodKey::Year(date.year()),
            Period::Quarter => PeriodKey::Quarter(date.year(), date.month0() / 3 + 1),
            Period::Month => PeriodKey::Month(date.year(), date.month()),
            Period::Week => {
                let w = date.iso_week();
                PeriodKey::Week(w.year(), w.week())
            }
        }
    }
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodKey::Year(y) => write!(f, "{y}"),
            PeriodKey::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            PeriodKey::Month(y, m) => write!(f, "{y}-{m:02}"),
            PeriodKey::Week(y, w) => write!(f, "{y}-W{w:02}"),
        }
    }
}

/// Serialises a key as its text (`2026-Q1`), as metrics.json has always
/// written it. `PeriodKey`'s own derived serde form is kept for the build
/// cache, whose stored entries must stay readable.
pub fn as_text<S: serde::Serializer>(key: &PeriodKey, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(key)
}

/// [`as_text`] for an optional key (null when absent).
pub fn option_as_text<S: serde::Serializer>(
    key: &Option<PeriodKey>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match key {
        Some(k) => serializer.collect_str(k),
        None => serializer.serialize_none(),
    }
}
