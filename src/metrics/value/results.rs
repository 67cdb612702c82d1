//! Compute stage: value at stake finished on the reporting window (SPEC §9).
//!
//! Input: the NPS indicator's dataset pass with its [`super::ValuePass`], the
//! windows and the settings. Output: [`ValueResult`] — per group the weighted
//! customers, mean revenue (Student-t) and churn (Wilson) through the same
//! [`finish`] every indicator uses (so weights, Kish's n, `min_n` and the
//! design-based variance apply alike); then the spend ratio (delta method on
//! its log), the churn gap (unpooled Wald, z test, family (g)) and the revenue
//! at risk (interval carried from the churn gap's).

use statrs::distribution::{ContinuousCDF, Normal};

use super::ValueSums;
use crate::metrics::computed::Estimate;
use crate::metrics::computed_value::{ValueGroup, ValueGroups, ValueResult};
use crate::metrics::estimate::{finish, Settings};
use crate::metrics::fdr::adjust;
use crate::metrics::measure::Measure;
use crate::metrics::pass::DatasetPass;
use crate::metrics::status::Goal;
use crate::metrics::window::Windows;
use crate::project::model::Project;
use crate::project::report::MultipleTesting;

/// Months in the year the revenue at risk is counted over.
const MONTHS: f64 = 12.0;

/// The value at stake of `pass` on the headline window; `None` when the
/// project has none or `pass` is not its dataset's.
pub fn finish_value(
    project: &Project,
    pass: &DatasetPass<'_>,
    windows: &Windows,
    s: &Settings,
) -> Option<ValueResult> {
    let config = project.config.value_at_stake.as_ref()?;
    let vp = pass.value.as_ref()?;
    let headline = windows.headline;
    let dated = pass.is_dated();
    let mut sums = ValueSums::default();
    for (k, period) in &vp.periods {
        if !dated || headline.contains(*k) {
            sums.merge(period);
        }
    }
    if !dated || headline.takes_undated() {
        sums.merge(&vp.undated);
    }
    // A weighted dataset's figures take its design-based variance; a raked
    // one's, the calibration's (SPEC §11).
    let s = Settings {
        design: pass.design.clone(),
        ..s.clone()
    };
    let bh = project.config.report.multiple_testing == MultipleTesting::Bh;
    let mut result = value_of(&sums, config.customers, &s, bh);
    result.indicator = config.nps.clone();
    result.dataset = config.dataset.clone();
    result.window = dated.then(|| headline.info());
    Some(result)
}

/// The numbers of one set of sums (the window's), `customers` the base.
pub fn value_of(sums: &ValueSums, customers: f64, s: &Settings, bh: bool) -> ValueResult {
    let mut all = crate::metrics::acc::Base::default();
    for g in &sums.0 {
        all.merge(&g.people);
    }
    let mean = Measure::Mean { scale: None };
    let share = Measure::Share { values: Vec::new() };
    let finished: Vec<(Estimate, Estimate)> = (sums.0.iter())
        .map(|g| {
            (
                finish(&g.revenue, &mean, Goal::NONE, s),
                finish(&g.churn, &share, Goal::NONE, s),
            )
        })
        .collect();
    let group = |i: usize| {
        let g = &sums.0[i];
        let (rev, churn) = &finished[i];
        ValueGroup {
            customers: g.people.sw,
            n: g.people.n,
            effective_n: g.people.effective_n(),
            share: (all.sw > 0.0).then(|| g.people.sw / all.sw * 100.0),
            revenue: rev.value,
            revenue_ci_low: rev.ci_low,
            revenue_ci_high: rev.ci_high,
            revenue_n: rev.n,
            churn: churn.value,
            churn_ci_low: churn.ci_low,
            churn_ci_high: churn.ci_high,
            churn_n: churn.n,
        }
    };
    let groups = ValueGroups {
        promoters: group(0),
        passives: group(1),
        detractors: group(2),
    };
    let ((rev_p, churn_p), (rev_d, churn_d)) = (&finished[0], &finished[2]);
    let ratio = spend_ratio(rev_p, rev_d, s.z);
    let gap = churn_gap(churn_p, churn_d, s.z);
    let p = gap.map(|g| g.3);
    let q = adjust(&[p], bh)[0];
    // customers × detractor share × gap × detractors' revenue × 12.
    let at_risk = |gap_pp: f64| -> Option<f64> {
        let share = groups.detractors.share? / 100.0;
        Some(customers * share * gap_pp / 100.0 * rev_d.value? * MONTHS)
    };
    ValueResult {
        indicator: String::new(),
        dataset: String::new(),
        window: None,
        customer_base: customers,
        n: all.n,
        effective_n: all.effective_n(),
        spend_ratio: ratio.map(|r| r.0),
        spend_ratio_ci_low: ratio.map(|r| r.1),
        spend_ratio_ci_high: ratio.map(|r| r.2),
        churn_gap: gap.map(|g| g.0),
        churn_gap_ci_low: gap.map(|g| g.1),
        churn_gap_ci_high: gap.map(|g| g.2),
        churn_gap_p_value: p,
        churn_gap_q_value: q,
        churn_gap_significant: q.map(|q| q <= 1.0 - s.confidence),
        revenue_at_risk: gap.and_then(|g| at_risk(g.0)),
        revenue_at_risk_ci_low: gap.and_then(|g| at_risk(g.1)),
        revenue_at_risk_ci_high: gap.and_then(|g| at_risk(g.2)),
        groups,
    }
}

/// R = m_p / m_d with the interval exp(ln R ± z·√(V_p/m_p² + V_d/m_d²)) (the
/// delta method on ln R; V the means' sampling variances). `None` unless
/// both means are positive with variances.
fn spend_ratio(p: &Estimate, d: &Estimate, z: f64) -> Option<(f64, f64, f64)> {
    let (mp, md) = (p.value?, d.value?);
    if mp <= 0.0 || md <= 0.0 {
        return None;
    }
    let ratio = mp / md;
    let se = (p.variance? / (mp * mp) + d.variance? / (md * md)).sqrt();
    let ln = ratio.ln();
    Some((ratio, (ln - z * se).exp(), (ln + z * se).exp()))
}

/// g = churn_d − churn_p (points) with g ± z·√(V_d + V_p) and the two-sided
/// normal p-value of g / √(V_d + V_p). The interval exists when both churn
/// rates have variances; the p-value when the standard error is above 0.
fn churn_gap(p: &Estimate, d: &Estimate, z: f64) -> Option<(f64, f64, f64, f64)> {
    let gap = d.value? - p.value?;
    let se = (d.variance? + p.variance?).max(0.0).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let tail = Normal::new(0.0, 1.0).ok()?.sf((gap / se).abs());
    Some((gap, gap - z * se, gap + z * se, (2.0 * tail).min(1.0)))
}
