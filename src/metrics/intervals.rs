//! Compute stage: interval formulas (SPEC §2).
//!
//! Input: weighted sums an accumulator finished with, the effective n and the
//! confidence level. Output: the published interval and the sampling variance
//! used by significance tests. Pure functions, so each is tested by hand.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The two-sided normal critical value at `confidence` (1.959964 at 0.95).
pub fn z_critical(confidence: f64) -> f64 {
    let q = 1.0 - (1.0 - confidence) / 2.0;
    Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(q))
}

/// The two-sided Student-t critical value at `confidence` with `df` degrees of
/// freedom (fractional df allowed, for Welch); `None` when df is not positive.
pub fn t_critical(confidence: f64, df: f64) -> Option<f64> {
    if df.is_nan() || df <= 0.0 || df.is_infinite() {
        return None;
    }
    let q = 1.0 - (1.0 - confidence) / 2.0;
    StudentsT::new(0.0, 1.0, df).ok().map(|t| t.inverse_cdf(q))
}

/// The variance of p − d for a trinomial sample of (effective) size `n`, on
/// the proportion scale: (p + d − (p − d)²) / n (SPEC §2, NPS).
pub fn net_variance(p: f64, d: f64, n: f64) -> f64 {
    (p + d - (p - d).powi(2)) / n
}

/// The NPS-style interval in points, clamped to −100..100: the Wald interval
/// around (p − d)·100, or with `adjusted` the adjusted Wald interval (Rocks
/// 2016): 3/4 added to the promoter and detractor counts (here p·n and d·n,
/// which with weights are the weighted counts rescaled to n = n_eff) and 3 to
/// n, centred on the adjusted difference.
pub fn net_interval(p: f64, d: f64, n: f64, z: f64, adjusted: bool) -> (f64, f64) {
    let (p, d, n) = if adjusted {
        let n_adj = n + 3.0;
        ((p * n + 0.75) / n_adj, (d * n + 0.75) / n_adj, n_adj)
    } else {
        (p, d, n)
    };
    let centre = (p - d) * 100.0;
    let half = z * net_variance(p, d, n).max(0.0).sqrt() * 100.0;
    ((centre - half).max(-100.0), (centre + half).min(100.0))
}

/// The Wilson score interval for a proportion `p` of (effective) size `n`, in %.
pub fn wilson(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    (
        ((centre - half) * 100.0).max(0.0),
        ((centre + half) * 100.0).min(100.0),
    )
}

/// The Student-t interval for a mean with sample variance `s2` and effective
/// size `n` (df = n − 1); `None` when n ≤ 1 (no spread can be estimated).
pub fn t_interval(mean: f64, s2: f64, n: f64, confidence: f64) -> Option<(f64, f64)> {
    if n <= 1.0 {
        return None;
    }
    let t = t_critical(confidence, n - 1.0)?;
    let half = t * (s2.max(0.0) / n).sqrt();
    Some((mean - half, mean + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn critical_values_match_tables() {
        close(z_critical(0.95), 1.959964, 1e-6);
        close(z_critical(0.90), 1.644854, 1e-6);
        // t table: t(0.975; 9) = 2.262157, t(0.975; 29) = 2.045230.
        close(t_critical(0.95, 9.0).unwrap(), 2.262157, 1e-5);
        close(t_critical(0.95, 29.0).unwrap(), 2.045230, 1e-5);
        assert_eq!(t_critical(0.95, 0.0), None);
    }

    #[test]
    fn nps_wald_by_hand() {
        // 10 answers: 5 promoters, 3 passives, 2 detractors → NPS 30.
        // Var = (0.5 + 0.2 − 0.3²)/10 = 0.061; half = 1.959964·√0.061·100 = 48.4077.
        let (lo, hi) = net_interval(0.5, 0.2, 10.0, z_critical(0.95), false);
        close(lo, 30.0 - 48.4077, 1e-3);
        close(hi, 30.0 + 48.4077, 1e-3);
        close(net_variance(0.5, 0.2, 10.0), 0.061, 1e-12);
    }

    #[test]
    fn nps_adjusted_wald_by_hand() {
        // Same sample: p' = 5.75/13 = 0.4423077, d' = 2.75/13 = 0.2115385, n' = 13.
        // centre = 23.0769; Var = (0.6538462 − 0.2307692²)/13 = 0.6005917/13 = 0.04619936;
        // half = 1.959964·√0.04619936·100 = 1.959964·0.2149404·100 = 42.1276.
        let (lo, hi) = net_interval(0.5, 0.2, 10.0, z_critical(0.95), true);
        close(lo, 23.0769 - 42.1276, 1e-3);
        close(hi, 23.0769 + 42.1276, 1e-3);
    }

    #[test]
    fn nps_interval_is_clamped() {
        // All promoters, n = 3, adjusted: p' = 3.75/6, d' = 0.75/6 → upper end under 100 anyway;
        // plain Wald with p = 1: Var = 0 → [100, 100].
        assert_eq!(net_interval(1.0, 0.0, 3.0, 1.96, false), (100.0, 100.0));
        let (_, hi) = net_interval(0.9, 0.0, 2.0, 1.96, false);
        assert_eq!(hi, 100.0);
    }

    #[test]
    fn wilson_by_hand() {
        // 8 of 10 satisfied, z = 1.959964: z² = 3.841459; denom = 1.3841459;
        // centre = (0.8 + 0.1920729)/1.3841459 = 0.7167402;
        // half = 1.959964/1.3841459 · √(0.016 + 0.0096036) = 1.4160097 · 0.1600112 = 0.2265777;
        // → [49.0162 %, 94.3318 %] (checked again with Python's math module).
        let (lo, hi) = wilson(0.8, 10.0, z_critical(0.95));
        close(lo, 49.0162, 1e-3);
        close(hi, 94.3318, 1e-3);
    }

    #[test]
    fn t_interval_by_hand() {
        // mean 4, s² = 2.5, n = 5: t(0.975; 4) = 2.776445; half = 2.776445·√0.5 = 1.963243.
        let (lo, hi) = t_interval(4.0, 2.5, 5.0, 0.95).unwrap();
        close(lo, 4.0 - 1.963243, 1e-5);
        close(hi, 4.0 + 1.963243, 1e-5);
        assert_eq!(t_interval(4.0, 0.0, 1.0, 0.95), None);
    }
}
