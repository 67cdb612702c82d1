//! Validation of `report:` in `cxscore.yaml` (SPEC §6): the reporting window,
//! `as_of`, the comparisons and the multiple-testing correction.
//!
//! What can be checked without data is checked here, located: the window's
//! word, a `rolling` below 1, the syntax of `as_of` for the project's
//! period, the comparison words, `year_ago` on a yearly project (it would
//! repeat `previous`), a window on a project without any dated dataset.
//! Whether `as_of` has data, and whether a rolling window is longer than the
//! data, is checked by the compute stage, which knows the periods.

use std::collections::BTreeMap;
use std::path::Path;

use super::checks::{one_of, one_of_or_default};
use super::model::{Dataset, Period};
use super::raw::{RawReport, RawWindow};
use super::vocabulary::Vocabulary;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

crate::vocabulary! {
    /// What the headline window is compared with (`report.compare`).
    pub enum Comparison as "comparison" {
        /// The window of the same length just before.
        Previous = "previous",
        /// The same window one year earlier.
        YearAgo = "year_ago",
    }
}

crate::vocabulary! {
    /// How a family of tests is corrected (`report.multiple_testing`).
    pub enum MultipleTesting as "multiple_testing" {
        /// Benjamini–Hochberg q-values (the default).
        Bh = "bh",
        /// No correction: q = p.
        None = "none",
    }
}

crate::vocabulary! {
    /// The windows written as a word (`report.window`); `{ rolling: N }` is the other form.
    pub enum WindowWord as "window" {
        /// The one period `as_of` (the default).
        Latest = "latest",
        /// `as_of`'s calendar year up to it.
        Ytd = "ytd",
        /// Every row.
        All = "all",
    }
}

/// How the headline window is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// The one period `as_of`.
    Latest,
    /// The N periods ending at `as_of` (N ≥ 1).
    Rolling(u32),
    /// The periods of `as_of`'s calendar year up to it.
    Ytd,
    /// Every row (v0.1's behaviour).
    All,
}

/// `as_of`, checked against the project's period: a year and the number of
/// the month, quarter or ISO week within it (0 for `period: year`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsOf {
    /// The (ISO, for weeks) year.
    pub year: i32,
    /// The month 1–12, quarter 1–4, week 1–53, or 0 for a year.
    pub number: u32,
    /// Where it was written (blamed when it has no data).
    pub location: Location,
}

/// `report:`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// How the window is chosen.
    pub window: WindowKind,
    /// Where `window` was written, to blame a rolling window longer than the data.
    pub window_at: Option<Location>,
    /// The window's last period; `None`: the latest period with data.
    pub as_of: Option<AsOf>,
    /// The comparisons, in the order written, without repeats.
    pub compare: Vec<Comparison>,
    /// The correction of each family of tests.
    pub multiple_testing: MultipleTesting,
}

impl Report {
    /// The report when `report:` is not written (SPEC §6 defaults), for `period`.
    pub fn default_for(period: Period) -> Report {
        Report {
            window: WindowKind::Latest,
            window_at: None,
            as_of: None,
            compare: default_compare(period),
            multiple_testing: MultipleTesting::Bh,
        }
    }
}

/// Both comparisons, except `year_ago` on a yearly project, where it would be `previous`.
fn default_compare(period: Period) -> Vec<Comparison> {
    match period {
        Period::Year => vec![Comparison::Previous],
        Period::Month | Period::Week | Period::Quarter => {
            vec![Comparison::Previous, Comparison::YearAgo]
        }
    }
}

/// Checks `report:` for a project of `period` with these datasets.
pub fn validate_report(
    file: &Path,
    raw: Option<&Spanned<RawReport>>,
    period: Period,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Report {
    let mut report = Report::default_for(period);
    let Some(raw) = raw else {
        return report;
    };
    let raw_report = &raw.value;
    if let Some(w) = &raw_report.window {
        report.window_at = Some(location(file, w));
        report.window = window(file, w, diags);
        if datasets.values().all(|d| d.date.is_none()) {
            diags.warning_hint(
                location(file, w),
                "`window` has no effect: no dataset has a `date`, so every number uses all data",
                "declare the date column of a dataset, e.g. `date: { column: submitted_at }`",
            );
        }
    }
    if let Some(a) = &raw_report.as_of {
        report.as_of = as_of(file, a, period, diags);
    }
    if let Some(c) = &raw_report.compare {
        report.compare = compare(file, c, period, diags);
    }
    report.multiple_testing = one_of_or_default(
        file,
        raw_report.multiple_testing.as_ref(),
        "multiple_testing",
        diags,
    );
    report
}

/// A window as written (`report.window`, a driver analysis' `window`),
/// checked with a located error and a hint; `latest` after an error.
pub(super) fn window(file: &Path, w: &Spanned<RawWindow>, diags: &mut Diagnostics) -> WindowKind {
    match &w.value {
        RawWindow::Word(word) => {
            let Some(known) = WindowWord::from_word(word) else {
                let choices = "use one of: latest, ytd, all, or `{ rolling: N }`";
                let hint = match did_you_mean(word, WindowWord::words()) {
                    Some(guess) => format!("{guess} ({choices})"),
                    None => choices.to_string(),
                };
                diags.error_hint(
                    location(file, w),
                    format!("`window` is `{word}`, which is not a known window"),
                    hint,
                );
                return WindowKind::Latest;
            };
            match known {
                WindowWord::Latest => WindowKind::Latest,
                WindowWord::Ytd => WindowKind::Ytd,
                WindowWord::All => WindowKind::All,
            }
        }
        RawWindow::Rolling(n) => match u32::try_from(*n) {
            Ok(n) if n >= 1 => WindowKind::Rolling(n),
            _ => {
                diags.error_hint(
                    location(file, w),
                    format!("`rolling` is {n}, but a window has at least one period"),
                    "write e.g. `window: { rolling: 3 }` for the last three periods",
                );
                WindowKind::Latest
            }
        },
    }
}

/// The syntax of a period key of `period`, for the hint.
pub(crate) fn key_example(period: Period) -> &'static str {
    match period {
        Period::Month => "`2025-12`",
        Period::Quarter => "`2025-Q4`",
        Period::Week => "`2025-W05`",
        Period::Year => "`2025`",
    }
}

fn as_of(
    file: &Path,
    a: &Spanned<super::raw::Text>,
    period: Period,
    diags: &mut Diagnostics,
) -> Option<AsOf> {
    let text = a.value.0.trim();
    let parsed = parse_key(text, period);
    if parsed.is_none() {
        diags.error_hint(
            location(file, a),
            format!(
                "`as_of` is `{text}`, which is not a {} period key",
                period.word()
            ),
            format!(
                "the project's period is `{}`: write e.g. `as_of: {}`, or leave `as_of` out for the latest period with data",
                period.word(),
                key_example(period).trim_matches('`')
            ),
        );
    }
    parsed.map(|(year, number)| AsOf {
        year,
        number,
        location: location(file, a),
    })
}

/// Parses `2025-12`, `2025-Q4`, `2025-W05` or `2025` as the key of `period`.
pub(crate) fn parse_key(text: &str, period: Period) -> Option<(i32, u32)> {
    let year = |y: &str| -> Option<i32> {
        (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            .then(|| y.parse().ok())
            .flatten()
    };
    let number = |n: &str, max: u32| -> Option<u32> {
        let v: u32 = n.parse().ok()?;
        (n.len() <= 2 && (1..=max).contains(&v)).then_some(v)
    };
    match period {
        Period::Year => Some((year(text)?, 0)),
        Period::Month => {
            let (y, m) = text.split_once('-')?;
            (m.len() == 2).then_some(())?;
            Some((year(y)?, number(m, 12)?))
        }
        Period::Quarter => {
            let (y, q) = text.split_once("-Q")?;
            Some((year(y)?, number(q, 4)?))
        }
        Period::Week => {
            let (y, w) = text.split_once("-W")?;
            (w.len() == 2).then_some(())?;
            let (y, w) = (year(y)?, number(w, 53)?);
            // Week 53 exists only in long ISO years.
            chrono::NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)?;
            Some((y, w))
        }
    }
}

fn compare(
    file: &Path,
    c: &Spanned<Vec<Spanned<String>>>,
    period: Period,
    diags: &mut Diagnostics,
) -> Vec<Comparison> {
    let mut out = Vec::new();
    for word in &c.value {
        let Some(comparison) = one_of::<Comparison>(file, word, "compare", diags) else {
            continue;
        };
        if comparison == Comparison::YearAgo && period == Period::Year {
            diags.warning_hint(
                location(file, word),
                "`year_ago` on a yearly project is the same window as `previous`; it is left out",
                "remove `year_ago`, or set a shorter `period`",
            );
            continue;
        }
        if !out.contains(&comparison) {
            out.push(comparison);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_keys_are_read_for_the_projects_period_only() {
        assert_eq!(parse_key("2025-12", Period::Month), Some((2025, 12)));
        assert_eq!(parse_key("2025-13", Period::Month), None);
        assert_eq!(parse_key("2025-1", Period::Month), None);
        assert_eq!(parse_key("2025-Q4", Period::Month), None);
        assert_eq!(parse_key("2025-Q4", Period::Quarter), Some((2025, 4)));
        assert_eq!(parse_key("2025-Q5", Period::Quarter), None);
        assert_eq!(parse_key("2026-W53", Period::Week), Some((2026, 53)));
        // 2025 has 52 ISO weeks.
        assert_eq!(parse_key("2025-W53", Period::Week), None);
        assert_eq!(parse_key("2025", Period::Year), Some((2025, 0)));
        assert_eq!(parse_key("25", Period::Year), None);
    }

    #[test]
    fn yearly_projects_compare_with_the_previous_year_only() {
        assert_eq!(
            Report::default_for(Period::Year).compare,
            [Comparison::Previous]
        );
        assert_eq!(
            Report::default_for(Period::Month).compare,
            [Comparison::Previous, Comparison::YearAgo]
        );
    }
}
