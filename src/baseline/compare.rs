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

use serde::Serialize;

use super::{Baseline, BaselineIndicator};
use crate::metrics::computed::{Computed, IndicatorResult, Status};
use crate::metrics::intervals::z_critical;

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
    /// Whether `delta` is significant (see the module docs); null where no test applies.
    pub significant: Option<bool>,
    /// The baseline status ("" when added).
    pub status_before: String,
    /// This run's status.
    pub status_after: Status,
    /// The target changed since the baseline (status changes may come from that).
    pub target_changed: bool,
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
    if let (Some(a), Some(b)) = (old.value, e.value) {
        c.delta = Some(b - a);
        let se_old = standard_error(old.ci_low, old.ci_high, old_confidence);
        let se_now = standard_error(e.ci_low, e.ci_high, confidence);
        c.significant = significant(b - a, se_old, se_now, confidence);
    }
    c
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
    fn significance_edges() {
        // SEs 3 and 4 → combined 5; the critical |Δ| at 95 % is 5·1.959964 = 9.79982.
        assert_eq!(significant(9.79, Some(3.0), Some(4.0), 0.95), Some(false));
        assert_eq!(significant(-9.81, Some(3.0), Some(4.0), 0.95), Some(true));
        assert_eq!(significant(1.0, Some(0.0), Some(0.0), 0.95), None);
        assert_eq!(significant(1.0, None, Some(1.0), 0.95), None);
    }
}
