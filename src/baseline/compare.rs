//! The comparison itself: a baseline and this run's results in, [`Changes`] out.
//!
//! Significance uses only what both `metrics.json` files publish — each
//! value's interval — so anyone can recompute it from the two files: the
//! standard error of each side is its interval's width / (2·z) at that run's
//! confidence, and the change is significant when |Δ| / √(SE₁² + SE₂²)
//! exceeds the two-sided normal critical value at this run's confidence.
//! (For a Wald interval this is exactly √Var; for Wilson and Student-t
//! intervals, and NPS intervals clamped at ±100, a close approximation.) Where either side has no
//! interval (percentiles, counts, composites, suppressed values) there is a
//! delta but no test.
//!
//! Samples must be independent for that test (SPEC §6): the headline values
//! are tested only when their windows share no period (December against
//! November). Overlapping windows (every row, or a rolling window moved by a
//! month) are *revised*: the delta is shown, with no test. Likewise every
//! period present in both trends whose value changed is a [`Revision`] (late
//! answers, corrected data), never a tested change.

use serde::Serialize;

use super::{Baseline, BaselineIndicator};
use crate::metrics::computed::{Computed, IndicatorResult, Status};
use crate::metrics::intervals::z_critical;
use crate::metrics::period_key::PeriodKey;

/// How an indicator relates to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Same definition: the delta is a real change.
    Same,
    /// The baseline has no definition hash (an older cxscore): compared, but unverified.
    Unverified,
    /// The definition changed: the numbers measure different things; no delta.
    Redefined,
    /// Not in the baseline.
    Added,
}

/// One indicator of this run against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorChange {
    /// Its id.
    pub id: String,
    /// Its name now.
    pub name: String,
    /// Same, unverified, redefined or added.
    pub kind: ChangeKind,
    /// The baseline value.
    pub before: Option<f64>,
    /// This run's value.
    pub after: Option<f64>,
    /// after − before (only when comparable and both have a value).
    pub delta: Option<f64>,
    /// Whether `delta` is significant (see the module docs); null where no
    /// test applies, including when the windows overlap.
    pub significant: Option<bool>,
    /// The two values' windows share periods: the delta is a revision of
    /// overlapping samples, not a tested change.
    pub revised: bool,
    /// The baseline value's window (`2025-11`, `2025-09..2025-11`, `all`).
    pub window_before: String,
    /// This run's window.
    pub window_after: String,
    /// Periods of the trend present in both runs whose value changed.
    pub revisions: Vec<Revision>,
    /// The baseline status ("" when added).
    pub status_before: String,
    /// This run's status.
    pub status_after: Status,
    /// The target changed since the baseline (status changes may come from that).
    pub target_changed: bool,
}

/// A period whose value changed between the runs (its samples overlap: no test).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// The period.
    #[serde(serialize_with = "crate::metrics::period_key::as_text")]
    pub period: PeriodKey,
    /// Its value in the baseline.
    pub before: Option<f64>,
    /// Its value now.
    pub after: Option<f64>,
}

/// An indicator of the baseline that this run no longer has.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedIndicator {
    /// Its id.
    pub id: String,
    /// Its name then.
    pub name: String,
    /// Its value then.
    pub value: Option<f64>,
}

/// Everything that changed since the baseline; written as `changes.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// Where the baseline was read from.
    pub baseline: String,
    /// The cxscore version that wrote the baseline.
    pub baseline_version: String,
    /// The confidence of the significance tests (this run's).
    pub confidence: f64,
    /// One entry per indicator of this run, in definition order.
    pub indicators: Vec<IndicatorChange>,
    /// Indicators of the baseline missing from this run, in the baseline's order.
    pub removed: Vec<RemovedIndicator>,
}

impl Changes {
    /// The change of indicator `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<&IndicatorChange> {
        self.indicators.iter().find(|c| c.id == id)
    }
}

/// Compares this run with the baseline.
pub fn compare(baseline: &Baseline, now: &Computed) -> Changes {
    let confidence = now.project.confidence;
    let indicators = now
        .indicators
        .iter()
        .map(|r| {
            let old = baseline.indicators.iter().find(|b| b.id == r.id);
            change(r, old, baseline.project.confidence, confidence)
        })
        .collect();
    let removed = baseline
        .indicators
        .iter()
        .filter(|b| !now.indicators.iter().any(|r| r.id == b.id))
        .map(|b| RemovedIndicator {
            id: b.id.clone(),
            name: b.name.clone(),
            value: b.value,
        })
        .collect();
    Changes {
        baseline: baseline.origin.clone(),
        baseline_version: baseline.generator.version.clone(),
        confidence,
        indicators,
        removed,
    }
}

fn change(
    now: &IndicatorResult,
    old: Option<&BaselineIndicator>,
    old_confidence: f64,
    confidence: f64,
) -> IndicatorChange {
    let e = &now.estimate;
    let mut c = IndicatorChange {
        id: now.id.clone(),
        name: now.name.clone(),
        kind: ChangeKind::Added,
        before: None,
        after: e.value,
        delta: None,
        significant: None,
        revised: false,
        window_before: String::new(),
        window_after: now.window.label.clone(),
        revisions: Vec::new(),
        status_before: String::new(),
        status_after: e.status,
        target_changed: false,
    };
    let Some(old) = old else { return c };
    c.before = old.value;
    c.status_before = old.status.clone();
    c.target_changed = old.target != now.target;
    c.kind = match &old.definition_hash {
        None => ChangeKind::Unverified,
        Some(h) if *h == now.definition_hash => ChangeKind::Same,
        Some(_) => ChangeKind::Redefined,
    };
    if c.kind == ChangeKind::Redefined {
        return c;
    }
    let old_span = old
        .window
        .as_ref()
        .and_then(|w| w.from.clone().zip(w.to.clone()));
    let now_span = now
        .window
        .from
        .map(|f| f.to_string())
        .zip(now.window.to.map(|t| t.to_string()));
    // Files from before windows were on every row.
    c.window_before = (old.window.as_ref())
        .and_then(|w| w.label.clone())
        .unwrap_or_else(|| "all".into());
    c.revised = overlap(old_span.as_ref(), now_span.as_ref());
    if let (Some(a), Some(b)) = (old.value, e.value) {
        c.delta = Some(b - a);
        if !c.revised {
            let se_old = standard_error(old.ci_low, old.ci_high, old_confidence);
            let se_now = standard_error(e.ci_low, e.ci_high, confidence);
            c.significant = significant(b - a, se_old, se_now, confidence);
        }
    }
    c.revisions = (now.periods.iter())
        .filter_map(|p| {
            let key = p.period.to_string();
            let before = old.periods.iter().find(|o| o.period == key)?;
            let key = p.period;
            let after = p.estimate.value;
            let same = match (before.value, after) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
                (None, None) => true,
                _ => false,
            };
            (!same).then_some(Revision {
                period: key,
                before: before.value,
                after,
            })
        })
        .collect();
    c
}

/// Whether two windows (first and last period key; `None`: every row) share
/// a period. Keys of one project sort as text in period order.
fn overlap(a: Option<&(String, String)>, b: Option<&(String, String)>) -> bool {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
        _ => true,
    }
}

/// The standard error implied by an interval: its width / (2·z).
pub fn standard_error(low: Option<f64>, high: Option<f64>, confidence: f64) -> Option<f64> {
    let width = high? - low?;
    let z = z_critical(confidence);
    (width.is_finite() && width >= 0.0 && z > 0.0).then(|| width / (2.0 * z))
}

/// |Δ| / √(SE₁² + SE₂²) against the two-sided normal critical value; `None` when the SEs are unusable.
pub fn significant(
    delta: f64,
    se_a: Option<f64>,
    se_b: Option<f64>,
    confidence: f64,
) -> Option<bool> {
    let se = (se_a?.powi(2) + se_b?.powi(2)).sqrt();
    (se > 0.0 && se.is_finite()).then(|| delta.abs() / se > z_critical(confidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_error_from_an_interval() {
        // A 95 % interval 40 ± 1.959964·2 has SE 2.
        let se = standard_error(Some(40.0 - 3.919928), Some(40.0 + 3.919928), 0.95).unwrap();
        assert!((se - 2.0).abs() < 1e-5, "{se}");
        assert_eq!(standard_error(None, Some(1.0), 0.95), None);
    }

    #[test]
    fn windows_overlap_unless_disjoint() {
        let w = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert!(!overlap(
            Some(&w("2025-11", "2025-11")),
            Some(&w("2025-12", "2025-12"))
        ));
        assert!(overlap(
            Some(&w("2025-09", "2025-11")),
            Some(&w("2025-10", "2025-12"))
        ));
        // Every row overlaps everything.
        assert!(overlap(None, Some(&w("2025-12", "2025-12"))));
    }

    #[test]
    fn significance_edges() {
        // SEs 3 and 4 → combined 5; the critical |Δ| at 95 % is 5·1.959964 = 9.79982.
        assert_eq!(significant(9.79, Some(3.0), Some(4.0), 0.95), Some(false));
        assert_eq!(significant(-9.81, Some(3.0), Some(4.0), 0.95), Some(true));
        assert_eq!(significant(1.0, Some(0.0), Some(0.0), 0.95), None);
        assert_eq!(significant(1.0, None, Some(1.0), 0.95), None);
    }
}
