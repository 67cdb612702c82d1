//! Compute stage: the reporting window and the windows it is compared with
//! (SPEC §6).
//!
//! Input: the project's `report:` (window kind, `as_of`) and the latest
//! period with data. Output: the run of periods the headline covers, and the
//! `previous` and `year_ago` windows of the same length. A window is a closed
//! run of calendar periods `from..=to` (or every row, for `all`). `previous`
//! never overlaps the headline; `year_ago` does only for a rolling window
//! longer than a year, and then its change is published without a test (the
//! samples share rows, SPEC §6's test assumes independent ones).
//!
//! Choices where SPEC is silent: `rolling: N` counts calendar periods, with
//! or without data; a week-53 window has no `year_ago` when the year before
//! has 52 ISO weeks (there is no same week to compare with).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

use super::acc::Acc;
use super::computed::WindowInfo;
use super::measure::Measure;
use crate::diag::Diagnostics;
use crate::project::model::Period;
use crate::project::report::{Comparison, Report};

use super::periods::PeriodKey;
pub use crate::project::report::WindowKind;

/// A run of periods: the rows whose period key lies in `from..=to`, or every
/// row when `span` is `None` (`all`, or a dataset without dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// How it was chosen.
    pub kind: WindowKind,
    /// First and last period, inclusive; `None`: every row.
    pub span: Option<(PeriodKey, PeriodKey)>,
}

impl Window {
    /// Every row.
    pub const ALL: Window = Window {
        kind: WindowKind::All,
        span: None,
    };

    /// The headline window of `kind` ending at `as_of`; every row when there
    /// is no period to end at (no dated data) or the kind is `all`.
    pub fn ending(kind: WindowKind, as_of: Option<PeriodKey>) -> Window {
        let Some(to) = as_of else {
            return Window { kind, span: None };
        };
        let from = match kind {
            WindowKind::Latest => to,
            WindowKind::Rolling(n) => to.step(1 - i64::from(n.max(1))),
            WindowKind::Ytd => to.first_of_year(),
            WindowKind::All => return Window::ALL,
        };
        Window {
            kind,
            span: Some((from, to)),
        }
    }

    /// Whether rows of period `key` are in the window (every row is in `all`).
    pub fn contains(&self, key: PeriodKey) -> bool {
        self.span.is_none_or(|(from, to)| from <= key && key <= to)
    }

    /// Whether rows without a period (no date) are in the window: only in `all`.
    pub fn takes_undated(&self) -> bool {
        self.span.is_none()
    }

    /// The number of calendar periods in the window (`None` for every row).
    pub fn periods(&self) -> Option<i64> {
        let (from, to) = self.span?;
        Some(from.steps_to(to) + 1)
    }

    /// The window of the same length just before (SPEC §6 `previous`): the
    /// period before for `latest`, the N before for `rolling`; not defined
    /// for `ytd` and `all`.
    pub fn previous(&self) -> Option<Window> {
        match self.kind {
            WindowKind::Latest | WindowKind::Rolling(_) => {
                let (from, to) = self.span?;
                let n = self.periods()?;
                Some(Window {
                    kind: self.kind,
                    span: Some((from.step(-n), to.step(-n))),
                })
            }
            WindowKind::Ytd | WindowKind::All => None,
        }
    }

    /// The same window one year earlier (SPEC §6 `year_ago`): 2025-12 →
    /// 2024-12, 2025-Q4 → 2024-Q4, 2025-W05 → 2024-W05, ytd → the same span
    /// of the year before; not defined for `all`.
    pub fn year_ago(&self) -> Option<Window> {
        let (from, to) = self.span?;
        Some(Window {
            kind: self.kind,
            span: Some((from.year_earlier()?, to.year_earlier()?)),
        })
    }

    /// Whether two windows share a period (then their samples overlap and are
    /// not compared with a test).
    pub fn overlaps(&self, other: &Window) -> bool {
        match (self.span, other.span) {
            (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
            _ => true,
        }
    }
}

impl Window {
    /// The window as metrics.json publishes it.
    pub fn info(&self) -> WindowInfo {
        let kind = match self.kind {
            WindowKind::Latest => "latest",
            WindowKind::Rolling(_) => "rolling",
            WindowKind::Ytd => "ytd",
            WindowKind::All => "all",
        };
        let label = match self.span {
            None => "all".to_string(),
            Some((from, to)) if from == to => to.to_string(),
            Some((from, to)) => format!("{from}..{to}"),
        };
        WindowInfo {
            kind,
            from: self.span.map(|(f, _)| f),
            to: self.span.map(|(_, t)| t),
            label,
        }
    }

    /// The accumulator of the rows of `periods` in the window, merged in
    /// period order (so the sum is the same on every run).
    pub fn merged(&self, periods: &BTreeMap<PeriodKey, Acc>, measure: &Measure) -> Acc {
        let mut acc = measure.new_acc();
        for (_, a) in periods.iter().filter(|(k, _)| self.contains(**k)) {
            acc.merge(a);
        }
        acc
    }
}

/// The headline window and the windows it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// The headline window.
    pub headline: Window,
    /// `previous`, when asked for and defined.
    pub previous: Option<Window>,
    /// `year_ago`, when asked for and defined.
    pub year_ago: Option<Window>,
    /// The period the windows end at (`as_of`, checked; else the latest with
    /// data); `None` without dated data. Key driver analyses end their own
    /// window here, whatever the headline's kind.
    pub as_of: Option<PeriodKey>,
}

impl Windows {
    /// Every row, nothing compared (a dataset without dates).
    pub const ALL: Windows = Windows {
        headline: Window::ALL,
        previous: None,
        year_ago: None,
        as_of: None,
    };
}

/// The windows of a project whose dated datasets have data in the periods
/// `with_data` (SPEC §6): `as_of` (default: the latest period with data),
/// the headline window ending there, and the comparisons asked for. An
/// `as_of` without data is an error at `as_of`; a rolling window reaching
/// before the first period with data is a warning at `window`. Without any
/// dated data, every row is the window and nothing is compared.
pub fn resolve(
    report: &Report,
    period: Period,
    with_data: &BTreeSet<PeriodKey>,
    diags: &mut Diagnostics,
) -> Windows {
    let (Some(&first), Some(&latest)) = (with_data.first(), with_data.last()) else {
        return Windows::ALL;
    };
    let as_of = match &report.as_of {
        None => latest,
        Some(a) => {
            let key = PeriodKey::from_parts(period, a.year, a.number);
            if with_data.contains(&key) {
                key
            } else {
                diags.error_hint(
                    a.location.clone(),
                    format!("`as_of` is {key}, a period without data"),
                    format!(
                        "periods with data run from {first} to {latest}; write one of them, or leave `as_of` out for {latest}"
                    ),
                );
                latest
            }
        }
    };
    let headline = Window::ending(report.window, Some(as_of));
    if let (WindowKind::Rolling(n), Some((from, _)), Some(at)) =
        (report.window, headline.span, &report.window_at)
    {
        if from < first {
            let held = with_data.iter().filter(|k| headline.contains(**k)).count();
            diags.warning_hint(
                at.clone(),
                format!(
                    "the rolling window of {n} periods starts at {from}, before the first period with data ({first}): it holds {held} period(s) with data"
                ),
                "shorten `rolling`, or add the earlier data",
            );
        }
    }
    let asked = |c: Comparison| report.compare.contains(&c);
    Windows {
        headline,
        previous: headline.previous().filter(|_| asked(Comparison::Previous)),
        year_ago: headline.year_ago().filter(|_| asked(Comparison::YearAgo)),
        as_of: Some(as_of),
    }
}

/// The Monday of ISO week `week` of ISO year `year`.
fn monday(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

impl PeriodKey {
    /// The key `n` periods later (earlier when negative), in calendar periods.
    pub fn step(self, n: i64) -> PeriodKey {
        let split =
            |index: i64, per_year: i64| (index.div_euclid(per_year), index.rem_euclid(per_year));
        match self {
            PeriodKey::Year(y) => PeriodKey::Year((i64::from(y) + n) as i32),
            PeriodKey::Quarter(y, q) => {
                let (y, q) = split(i64::from(y) * 4 + i64::from(q) - 1 + n, 4);
                PeriodKey::Quarter(y as i32, q as u32 + 1)
            }
            PeriodKey::Month(y, m) => {
                let (y, m) = split(i64::from(y) * 12 + i64::from(m) - 1 + n, 12);
                PeriodKey::Month(y as i32, m as u32 + 1)
            }
            PeriodKey::Week(y, w) => match monday(y, w) {
                Some(d) => {
                    let iso = (d + chrono::Duration::weeks(n)).iso_week();
                    PeriodKey::Week(iso.year(), iso.week())
                }
                None => self,
            },
        }
    }

    /// The key of `period` with its year and number (month, quarter or ISO
    /// week; ignored for years), as `as_of` writes it.
    pub fn from_parts(period: Period, year: i32, number: u32) -> PeriodKey {
        match period {
            Period::Year => PeriodKey::Year(year),
            Period::Quarter => PeriodKey::Quarter(year, number),
            Period::Month => PeriodKey::Month(year, number),
            Period::Week => PeriodKey::Week(year, number),
        }
    }

    /// How many periods from `self` to `later` (negative when `later` is earlier).
    pub fn steps_to(self, later: PeriodKey) -> i64 {
        let index = |k: PeriodKey| -> i64 {
            match k {
                PeriodKey::Year(y) => i64::from(y),
                PeriodKey::Quarter(y, q) => i64::from(y) * 4 + i64::from(q),
                PeriodKey::Month(y, m) => i64::from(y) * 12 + i64::from(m),
                PeriodKey::Week(y, w) => {
                    monday(y, w).map_or(0, |d| i64::from(d.num_days_from_ce()).div_euclid(7))
                }
            }
        };
        index(later) - index(self)
    }

    /// The first period of the key's calendar year (ISO year for weeks).
    pub fn first_of_year(self) -> PeriodKey {
        match self {
            PeriodKey::Year(y) => PeriodKey::Year(y),
            PeriodKey::Quarter(y, _) => PeriodKey::Quarter(y, 1),
            PeriodKey::Month(y, _) => PeriodKey::Month(y, 1),
            PeriodKey::Week(y, _) => PeriodKey::Week(y, 1),
        }
    }

    /// The same period a year earlier; `None` for a week 53 whose year before
    /// has only 52 ISO weeks.
    pub fn year_earlier(self) -> Option<PeriodKey> {
        Some(match self {
            PeriodKey::Year(y) => PeriodKey::Year(y - 1),
            PeriodKey::Quarter(y, q) => PeriodKey::Quarter(y - 1, q),
            PeriodKey::Month(y, m) => PeriodKey::Month(y - 1, m),
            PeriodKey::Week(y, w) => {
                monday(y - 1, w)?;
                PeriodKey::Week(y - 1, w)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC: PeriodKey = PeriodKey::Month(2025, 12);

    #[test]
    fn steps_cross_years_both_ways() {
        assert_eq!(DEC.step(1), PeriodKey::Month(2026, 1));
        assert_eq!(
            PeriodKey::Month(2025, 1).step(-1),
            PeriodKey::Month(2024, 12)
        );
        assert_eq!(DEC.step(-12), PeriodKey::Month(2024, 12));
        assert_eq!(
            PeriodKey::Quarter(2025, 1).step(-1),
            PeriodKey::Quarter(2024, 4)
        );
        // 2020 has 53 ISO weeks: the week after 2020-W52 is 2020-W53, then 2021-W01.
        assert_eq!(PeriodKey::Week(2020, 52).step(1), PeriodKey::Week(2020, 53));
        assert_eq!(PeriodKey::Week(2020, 53).step(1), PeriodKey::Week(2021, 1));
        assert_eq!(PeriodKey::Week(2021, 1).step(-2), PeriodKey::Week(2020, 52));
        assert_eq!(PeriodKey::Month(2024, 11).steps_to(DEC), 13);
        assert_eq!(
            PeriodKey::Week(2020, 52).steps_to(PeriodKey::Week(2021, 1)),
            2
        );
        assert_eq!(DEC.steps_to(PeriodKey::Month(2025, 10)), -2);
    }

    #[test]
    fn windows_end_at_as_of() {
        let latest = Window::ending(WindowKind::Latest, Some(DEC));
        assert_eq!(latest.span, Some((DEC, DEC)));
        let rolling = Window::ending(WindowKind::Rolling(3), Some(DEC));
        assert_eq!(rolling.span, Some((PeriodKey::Month(2025, 10), DEC)));
        assert_eq!(rolling.periods(), Some(3));
        let ytd = Window::ending(WindowKind::Ytd, Some(PeriodKey::Quarter(2025, 3)));
        assert_eq!(
            ytd.span,
            Some((PeriodKey::Quarter(2025, 1), PeriodKey::Quarter(2025, 3)))
        );
        assert_eq!(Window::ending(WindowKind::All, Some(DEC)), Window::ALL);
        assert!(Window::ending(WindowKind::Latest, None).takes_undated());
        assert!(rolling.contains(PeriodKey::Month(2025, 11)));
        assert!(!rolling.contains(PeriodKey::Month(2025, 9)));
        assert!(!rolling.takes_undated());
    }

    #[test]
    fn previous_is_the_same_length_just_before_and_never_overlaps() {
        let rolling = Window::ending(WindowKind::Rolling(3), Some(DEC));
        let prev = rolling.previous().unwrap();
        assert_eq!(
            prev.span,
            Some((PeriodKey::Month(2025, 7), PeriodKey::Month(2025, 9)))
        );
        assert!(!prev.overlaps(&rolling));
        let latest = Window::ending(WindowKind::Latest, Some(PeriodKey::Month(2025, 1)));
        assert_eq!(
            latest.previous().unwrap().span,
            Some((PeriodKey::Month(2024, 12), PeriodKey::Month(2024, 12)))
        );
        assert_eq!(Window::ending(WindowKind::Ytd, Some(DEC)).previous(), None);
        assert_eq!(Window::ALL.previous(), None);
    }

    #[test]
    fn year_ago_is_the_same_span_a_year_earlier() {
        let ytd = Window::ending(WindowKind::Ytd, Some(PeriodKey::Month(2025, 5)));
        assert_eq!(
            ytd.year_ago().unwrap().span,
            Some((PeriodKey::Month(2024, 1), PeriodKey::Month(2024, 5)))
        );
        let week = Window::ending(WindowKind::Latest, Some(PeriodKey::Week(2025, 5)));
        assert_eq!(
            week.year_ago().unwrap().span,
            Some((PeriodKey::Week(2024, 5), PeriodKey::Week(2024, 5)))
        );
        // 2026 has 53 ISO weeks, 2025 has 52.
        let w53 = Window::ending(WindowKind::Latest, Some(PeriodKey::Week(2026, 53)));
        assert_eq!(w53.year_ago(), None);
        assert_eq!(Window::ALL.year_ago(), None);
        assert!(!ytd.year_ago().unwrap().overlaps(&ytd));
    }
}

#[cfg(test)]
mod engine {
    use crate::metrics::testkit::{col, result, Kit};
    use crate::project::model::{DateColumn, Metric};
    use crate::project::report::WindowKind;

    /// January: two 10s and a 0 in segment a; February: a 10 and three 0s,
    /// split over segments a and b. Small enough to check by hand.
    fn kit() -> Kit {
        let csv = b"d,s,seg\n\
            2026-01-05,10,a\n2026-01-06,10,a\n2026-01-07,0,a\n\
            2026-02-02,10,a\n2026-02-03,0,a\n2026-02-04,0,b\n2026-02-05,0,b\n";
        let mut kit = Kit::new(&[("a.csv", csv)]);
        kit.dataset().date = Some(DateColumn {
            column: col("d", 2),
            format: None,
        });
        kit.dataset().segments = vec![col("seg", 3)];
        kit.indicator("nps", Metric::Nps, Some("s"), 10);
        kit
    }

    #[test]
    fn the_headline_segments_and_distribution_are_the_windows() {
        let mut kit = kit();
        kit.project.config.report.window = WindowKind::Latest;
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let r = result(&c, "nps");
        assert_eq!(r.window.label, "2026-02");
        // February: 1 promoter, 3 detractors of 4 → −50.
        assert_eq!(r.estimate.value, Some(-50.0));
        assert_eq!(r.estimate.n, 4);
        let b = r.breakdown.as_ref().unwrap();
        assert_eq!((b.promoters, b.passives, b.detractors), (1, 0, 3));
        // Distribution of February only: 0 → 75 %, 10 → 25 %.
        let share = |label: &str| r.distribution.iter().find(|(l, _)| l == label).unwrap().1;
        assert_eq!((share("0"), share("10")), (75.0, 25.0));
        // Segment a in February: a 10 and a 0 → 0; b: two 0s → −100.
        let seg = &r.segments["seg"];
        assert_eq!(seg[0].estimate.value, Some(0.0));
        assert_eq!(seg[1].estimate.value, Some(-100.0));
        // a's trend keeps January (2 of 3 promoters, 1 detractor → +33.3).
        assert_eq!(seg[0].periods.len(), 2);
        let jan = seg[0].periods[0].estimate.value.unwrap();
        assert!((jan - 100.0 / 3.0).abs() < 1e-9, "{jan}");
        // previous = January overall: +33.3; change −83.3.
        let prev = r.previous.as_ref().unwrap();
        assert_eq!(prev.n, 3);
        assert!((prev.change.unwrap() + 50.0 + 100.0 / 3.0).abs() < 1e-9);
        // No rows a year earlier.
        assert_eq!(r.year_ago.as_ref().unwrap().value, None);
    }

    #[test]
    fn window_all_is_every_row() {
        let mut kit = kit();
        kit.project.config.report.window = WindowKind::All;
        let (c, _) = kit.run();
        let r = result(&c, "nps");
        // 3 promoters, 4 detractors of 7.
        let v = r.estimate.value.unwrap();
        assert!((v + 100.0 / 7.0).abs() < 1e-9, "{v}");
        assert_eq!(r.previous, None);
        assert_eq!(r.window.label, "all");
    }
}

#[cfg(test)]
mod comments {
    use crate::metrics::testkit::{col, Kit};
    use crate::project::model::{DateColumn, Metric};
    use crate::project::report::WindowKind;

    /// The comments beside a number are from its window.
    #[test]
    fn verbatims_are_the_windows() {
        let csv = b"d,s,c\n2026-01-05,10,january praise\n2026-01-06,0,january complaint\n\
            2026-02-02,10,february praise\n,10,undated praise\n";
        let mut kit = Kit::new(&[("a.csv", csv)]);
        kit.dataset().date = Some(DateColumn {
            column: col("d", 2),
            format: None,
        });
        kit.dataset().comments = Some(col("c", 3));
        kit.indicator("nps", Metric::Nps, Some("s"), 10);
        let texts = |kit: &Kit| {
            let (c, diags) = kit.run();
            assert!(diags.is_empty(), "{diags:?}");
            let nps = &c.verbatims.indicators["nps"].groups;
            let rows = [nps[0].rows, nps[1].rows, nps[2].rows];
            let mut all: Vec<String> = nps
                .iter()
                .flat_map(|g| g.comments())
                .map(String::from)
                .collect();
            all.sort();
            (rows, all)
        };
        kit.project.config.report.window = WindowKind::Latest;
        let (rows, latest) = texts(&kit);
        assert_eq!(rows, [1, 0, 0]);
        assert_eq!(latest, ["february praise"]);
        // Every row, the undated one included.
        kit.project.config.report.window = WindowKind::All;
        let (rows, all) = texts(&kit);
        assert_eq!(rows, [3, 0, 1]);
        assert_eq!(all.len(), 4);
    }
}
