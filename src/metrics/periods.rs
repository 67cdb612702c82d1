//! Compute stage: trend buckets and the change between them (SPEC §2).
//!
//! Input: the finished estimates of consecutive periods. Output: each
//! period's `change` and `significant`. The bucket a row falls in,
//! [`PeriodKey`], is defined in the leaf [`super::period_key`] (re-exported
//! here) so that the schema in [`super::computed`] can use it.

use super::computed::{Estimate, PeriodResult};
use super::fdr::{adjust, flagged, p_value};
use super::intervals::{t_critical, z_critical};
pub use super::period_key::PeriodKey;

/// How an indicator's changes are tested and flagged (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flagging {
    /// The project's confidence: flagged when q ≤ 1 − confidence.
    pub confidence: f64,
    /// Welch's t test (means) instead of the normal test.
    pub welch: bool,
    /// Benjamini–Hochberg within the trend (else q = p).
    pub bh: bool,
    /// The indicator's `min_change`.
    pub min_change: f64,
}

/// Fills `change`, `p_value`, `q_value` and `significant` of each period
/// after the first, against the period before it in the list (the previous
/// period *with data*, not necessarily the previous calendar period). The
/// trend's tests are one family (SPEC §6 (a)).
pub fn fill_changes(periods: &mut [PeriodResult], f: Flagging) {
    for i in 1..periods.len() {
        let (before, after) = periods.split_at_mut(i);
        let (prev, cur) = (&before[i - 1].estimate, &mut after[0]);
        if let (Some(a), Some(b)) = (prev.value, cur.estimate.value) {
            cur.change = Some(b - a);
            cur.p_value = p_value(prev, &cur.estimate, f.welch);
        }
    }
    let p: Vec<Option<f64>> = periods.iter().map(|p| p.p_value).collect();
    for (period, q) in periods.iter_mut().zip(adjust(&p, f.bh)) {
        period.q_value = q;
        period.significant = flagged(q, period.change, f.confidence, f.min_change);
    }
}

/// Whether the difference between two estimates is significant at
/// `confidence`: |b − a| / √(Var₁ + Var₂) above the two-sided critical value,
/// normal, or Student-t with the Welch–Satterthwaite df when `welch`
/// (n = effective n). `None` when either has no variance or both are zero.
pub fn significant(a: &Estimate, b: &Estimate, confidence: f64, welch: bool) -> Option<bool> {
    let (va, vb) = (a.variance?, b.variance?);
    let diff = b.value? - a.value?;
    let se = (va + vb).sqrt();
    if se.is_nan() || se <= 0.0 || se.is_infinite() {
        return None;
    }
    let critical = if welch {
        let (na, nb) = (a.effective_n - 1.0, b.effective_n - 1.0);
        if na <= 0.0 || nb <= 0.0 {
            return None;
        }
        let df = (va + vb).powi(2) / (va * va / na + vb * vb / nb);
        t_critical(confidence, df)?
    } else {
        z_critical(confidence)
    };
    Some(diff.abs() / se > critical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testkit::est;
    use crate::project::model::Period;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn period_keys() {
        let d = date(2026, 2, 3);
        assert_eq!(PeriodKey::of(d, Period::Year).to_string(), "2026");
        assert_eq!(PeriodKey::of(d, Period::Quarter).to_string(), "2026-Q1");
        assert_eq!(
            PeriodKey::of(date(2026, 12, 31), Period::Quarter).to_string(),
            "2026-Q4"
        );
        assert_eq!(PeriodKey::of(d, Period::Month).to_string(), "2026-02");
        assert_eq!(PeriodKey::of(d, Period::Week).to_string(), "2026-W06");
        // ISO weeks across a year boundary: Sunday 2021-01-03 closes 2020-W53,
        // Monday 2024-12-30 opens 2025-W01.
        assert_eq!(
            PeriodKey::of(date(2021, 1, 3), Period::Week).to_string(),
            "2020-W53"
        );
        assert_eq!(
            PeriodKey::of(date(2021, 1, 4), Period::Week).to_string(),
            "2021-W01"
        );
        assert_eq!(
            PeriodKey::of(date(2024, 12, 30), Period::Week).to_string(),
            "2025-W01"
        );
        assert!(
            PeriodKey::of(date(2020, 12, 31), Period::Week)
                < PeriodKey::of(date(2021, 1, 4), Period::Week)
        );
        assert!(PeriodKey::Month(2025, 12) < PeriodKey::Month(2026, 1));
    }

    #[test]
    fn proportion_change_by_hand() {
        // 40 % of 100 → Var = 0.4·0.6/100·100² = 24; 55 % of 100 → 0.55·0.45/100·100² = 24.75.
        // |15| / √48.75 = 15 / 6.9821 = 2.148 > 1.96: significant.
        assert_eq!(
            significant(
                &est(40.0, 100.0, 24.0),
                &est(55.0, 100.0, 24.75),
                0.95,
                false
            ),
            Some(true)
        );
        // 40 % → 50 %: Var 24 + 25, 10 / 7 = 1.429 < 1.96: not significant.
        assert_eq!(
            significant(
                &est(40.0, 100.0, 24.0),
                &est(50.0, 100.0, 25.0),
                0.95,
                false
            ),
            Some(false)
        );
    }

    #[test]
    fn welch_uses_t_not_z() {
        // Means 4 and 6, s² = 2.5, n = 5 each: Var = 0.5 + 0.5, |2| / 1 = 2.
        // df = 1² / (0.25/4 + 0.25/4) = 8; t(0.975; 8) = 2.306 > 2: not significant,
        // although z = 1.96 < 2 would call it significant.
        let (a, b) = (est(4.0, 5.0, 0.5), est(6.0, 5.0, 0.5));
        assert_eq!(significant(&a, &b, 0.95, true), Some(false));
        assert_eq!(significant(&a, &b, 0.95, false), Some(true));
    }

    #[test]
    fn changes_follow_the_list_and_skip_nulls() {
        let p = |k: PeriodKey, e: Estimate| PeriodResult {
            period: k,
            estimate: e,
            change: None,
            p_value: None,
            q_value: None,
            significant: None,
        };
        let mut null = est(0.0, 5.0, 1.0);
        null.value = None;
        let mut list = vec![
            p(PeriodKey::Month(2026, 1), est(40.0, 100.0, 24.0)),
            p(PeriodKey::Month(2026, 2), est(55.0, 100.0, 24.75)),
            p(PeriodKey::Month(2026, 3), null),
        ];
        let flagging = Flagging {
            confidence: 0.95,
            welch: false,
            bh: true,
            min_change: 0.0,
        };
        fill_changes(&mut list, flagging);
        assert_eq!(list[0].change, None);
        assert_eq!(list[1].change, Some(15.0));
        // z = 15 / √48.75 = 2.148 → p = 0.0317 (one test in the family: q = p).
        let p = list[1].p_value.unwrap();
        assert!((p - 0.031_686).abs() < 1e-5, "{p}");
        assert_eq!(list[1].q_value, list[1].p_value);
        assert_eq!(list[1].significant, Some(true));
        assert_eq!(list[2].change, None);
        assert_eq!(list[2].significant, None);
        // A min_change above the change keeps it unflagged, however small p is.
        let strict = Flagging {
            min_change: 20.0,
            ..flagging
        };
        fill_changes(&mut list, strict);
        assert_eq!(list[1].significant, Some(false));
    }
}
