//! Compute stage, key drivers: penalty and reward per attribute (SPEC §8),
//! from the band tallies of [`DriverSums`].
//!
//! With the outcome on 0–10 (promoters 9–10, detractors 0–6) and each
//! attribute's raters split into low, middle and high:
//! - penalty = % detractors among the low raters − % detractors in the middle;
//! - reward = % promoters among the high raters − % promoters in the middle.
//!
//! Each share is weighted; its variance p(1 − p)/n_eff with Kish's effective
//! n, as every proportion of Part I §2; the difference has the unpooled Wald
//! interval d ± z·√(V₁ + V₂) and the two-sided normal p-value, and the
//! analysis' penalties and rewards form one family of tests (family (f)),
//! adjusted by Benjamini–Hochberg under `multiple_testing: bh`. A difference
//! whose groups are not both at `min_n` effective answers is not computed.
//!
//! The class reads the two tests: a significant positive penalty alone is a
//! `basic` (must be right: failures make detractors, success adds little); a
//! significant positive reward alone a `delighter`; both a `performance`
//! attribute; neither `unclear`. A significant *negative* difference (low
//! raters with fewer detractors than the middle) is published with its test
//! but does not count towards a class: it is not a penalty.

use statrs::distribution::{ContinuousCDF, Normal};

use super::sums::{BandTally, DriverSums};
use crate::metrics::computed::{DriverClass, DriverEffect};
use crate::metrics::fdr;

/// Penalty, reward and class of every attribute of one analysis (or one
/// persona's), in attribute order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effects {
    /// Penalty per attribute; `None` when a group is below `min_n`.
    pub penalty: Vec<Option<DriverEffect>>,
    /// Reward per attribute; `None` when a group is below `min_n`.
    pub reward: Vec<Option<DriverEffect>>,
    /// Class per attribute; `None` unless both were computed.
    pub class: Vec<Option<DriverClass>>,
}

/// The penalties, rewards and classes; `None` when the analysis has no
/// `scale` or some complete row's outcome is outside 0–10 (not an NPS question).
pub fn effects(sums: &DriverSums, min_n: f64, confidence: f64, bh: bool) -> Option<Effects> {
    if sums.bands.is_empty() || sums.off_scale > 0 {
        return None;
    }
    let z = Normal::new(0.0, 1.0)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let detractors = |t: &BandTally| t.detractors;
    let promoters = |t: &BandTally| t.promoters;
    let mut penalty: Vec<Option<DriverEffect>> = (sums.bands.iter())
        .map(|b| difference(&b[0], &b[1], detractors, z, min_n))
        .collect();
    let mut reward: Vec<Option<DriverEffect>> = (sums.bands.iter())
        .map(|b| difference(&b[2], &b[1], promoters, z, min_n))
        .collect();
    // Family (f): every penalty and reward of the analysis.
    let p: Vec<Option<f64>> = (penalty.iter().chain(&reward))
        .map(|e| e.as_ref().and_then(|e| e.p_value))
        .collect();
    let q = fdr::adjust(&p, bh);
    for (e, q) in penalty.iter_mut().chain(reward.iter_mut()).zip(q) {
        if let Some(e) = e {
            e.q_value = q;
            e.significant = q.map(|q| q <= 1.0 - confidence);
        }
    }
    let counts = |e: &DriverEffect| e.significant == Some(true) && e.value > 0.0;
    let class = (penalty.iter().zip(&reward))
        .map(|(pen, rew)| {
            let (pen, rew) = (pen.as_ref()?, rew.as_ref()?);
            Some(match (counts(pen), counts(rew)) {
                (true, false) => DriverClass::Basic,
                (false, true) => DriverClass::Delighter,
                (true, true) => DriverClass::Performance,
                (false, false) => DriverClass::Unclear,
            })
        })
        .collect();
    Some(Effects {
        penalty,
        reward,
        class,
    })
}

/// share(group) − share(middle), in points, with its unpooled Wald interval
/// and two-sided p; `None` when either group's effective n is below `min_n`
/// (or zero). With no spread at all (both shares 0 or 100) there is no test.
pub fn difference(
    group: &BandTally,
    middle: &BandTally,
    share: impl Fn(&BandTally) -> f64,
    z: f64,
    min_n: f64,
) -> Option<DriverEffect> {
    let part = |t: &BandTally| -> Option<(f64, f64)> {
        let n = t.effective_n();
        if !(t.w > 0.0 && n > 0.0 && n >= min_n) {
            return None;
        }
        let p = (share(t) / t.w).clamp(0.0, 1.0);
        Some((p, p * (1.0 - p) / n))
    };
    let ((pa, va), (pb, vb)) = (part(group)?, part(middle)?);
    let value = (pa - pb) * 100.0;
    let se = (va + vb).sqrt() * 100.0;
    let p_value = (se > 0.0 && se.is_finite()).then(|| {
        let tail = Normal::new(0.0, 1.0).map_or(0.5, |n| n.sf((value / se).abs()));
        (2.0 * tail).min(1.0)
    });
    Some(DriverEffect {
        value,
        ci_low: value - z * se,
        ci_high: value + z * se,
        p_value,
        q_value: None,
        significant: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(n: u64, w: f64, w2: f64, promoters: f64, detractors: f64) -> BandTally {
        BandTally {
            n,
            w,
            w2,
            promoters,
            detractors,
        }
    }

    #[test]
    fn a_difference_by_hand() {
        // Low: 40 rows, 20 detractors (50 %); middle: 100 rows, 10 detractors (10 %).
        // d = 40 points; V = .25/40 + .09/100 = .00715; se = 8.45577 points;
        // z(0.975) = 1.959964 → 40 ± 16.5730; |d|/se = 4.7305 → p = 2.2397e-6.
        let low = tally(40, 40.0, 40.0, 5.0, 20.0);
        let mid = tally(100, 100.0, 100.0, 30.0, 10.0);
        let d = difference(&low, &mid, |t| t.detractors, 1.959_963_984_540_054, 30.0).unwrap();
        assert!((d.value - 40.0).abs() < 1e-12);
        assert!((d.ci_low - (40.0 - 16.573_00)).abs() < 1e-4, "{d:?}");
        assert!((d.ci_high - (40.0 + 16.573_00)).abs() < 1e-4);
        let p = d.p_value.unwrap();
        assert!((p / 2.2397e-6 - 1.0).abs() < 1e-3, "{p}");
        // Below min_n in either group: not computed.
        assert!(difference(&low, &mid, |t| t.detractors, 1.96, 41.0).is_none());
        // Weighted: Σw = 40 over Σw² = 80 → n_eff 20 < 30.
        let heavy = tally(40, 40.0, 80.0, 5.0, 20.0);
        assert!(difference(&heavy, &mid, |t| t.detractors, 1.96, 30.0).is_none());
        // No spread: no test.
        let none = tally(40, 40.0, 40.0, 0.0, 0.0);
        let flat = difference(&none, &none, |t| t.detractors, 1.96, 1.0).unwrap();
        assert_eq!((flat.value, flat.p_value), (0.0, None));
    }
}
