//! Compute stage: design-based (Taylor linearisation) variances of weighted
//! estimates, as R's `survey` package gives them (Lumley 2004; SPEC §11).
//!
//! Input: an accumulator's [`Base`] sums over the rows of one domain (a
//! period, the window, a segment key, a persona, a `where`, the answered
//! cells) and `n`, the number of rows of the whole dataset. Output: the
//! variance of the domain's weighted mean ȳ_d = Σ_d w y / Σ_d w.
//!
//! The design is `svydesign(ids = ~1, weights = ~w)`: one stage, no strata,
//! no finite population correction. `svymean` linearises ȳ_d into the
//! influence values z_i = 1{i ∈ d} w_i (y_i − ȳ_d) / Σ_d w, and `svyrecvar`
//! takes n/(n − 1) · Σ_i (z_i − z̄)² over *every* row of the design (R's
//! `subset()` keeps the rows outside the domain with weight 0, so they add
//! zeros and n stays the dataset's row count). Σ_i z_i = 0, so z̄ = 0 and
//!
//!   Var(ȳ_d) = n/(n − 1) · Σ_{i∈d} w_i² (y_i − ȳ_d)² / (Σ_{i∈d} w_i)²
//!            = n/(n − 1) · (Σw²y² − 2ȳ_d Σw²y + ȳ_d² Σw²) / (Σw)²,
//!
//! which needs only the mergeable sums Σw, Σw², Σw²y and Σw²y² of the
//! domain's rows. A proportion is the mean of its 0/1 indicator; NPS is
//! `svycontrast(svymean(~promoter + detractor), c(100, −100))`, the mean of
//! y = +1/0/−1 times 100, whose linearisation is the same formula; a gap is
//! the mean of the perception − expectation difference.
//!
//! With every weight equal (to any c), Σw²(y − ȳ)²/(Σw)² = Σ_d (y − ȳ)²/m²
//! over the domain's m rows, so the design variance is n/(n − 1) · Σ_d (y −
//! ȳ)²/m². For a proportion (and NPS) that is Part I's p(1 − p)/m × n/(n − 1):
//! the design standard error is the unweighted one × √(n/(n − 1)), n the
//! dataset's rows. For a mean it is Part I's s²/m × n(m − 1)/((n − 1)m) —
//! exactly Part I's on the whole dataset (m = n). Unweighted datasets keep
//! Part I's formulas; this module serves weighted ones only.
//!
//! A raked dataset's estimates take [`super::calibration`]'s variance
//! instead (the calibration's residuals); this formula is what that one
//! becomes when nothing is raked.

use super::acc::Base;

/// The design-based variance of the weighted mean of a domain with sums
/// `b` and weighted mean `mean`, in a dataset of `n` rows (module docs);
/// `None` when it is not defined (no weight, or n ≤ 1).
pub fn mean_variance(b: &Base, mean: f64, n: f64) -> Option<f64> {
    // n ≤ 1: n/(n − 1) is undefined; no weight: no mean.
    if n <= 1.0 || b.sw <= 0.0 {
        return None;
    }
    let ss = b.sw2yy - 2.0 * mean * b.sw2y + mean * mean * b.sw2;
    Some(n / (n - 1.0) * above_residue(ss, b, mean) / (b.sw * b.sw))
}

/// `ss` — Σw²(y − ȳ)² expanded as Σw²y² − 2ȳΣw²y + ȳ²Σw² — or 0 when it is
/// within rounding of 0: when every y is equal the expansion leaves a
/// residue of its terms' last bits (≈ 1e-16 of them), which a Student-t
/// critical value on a small n would blow up into a visible interval.
pub fn above_residue(ss: f64, b: &Base, mean: f64) -> f64 {
    let scale = b.sw2yy.abs() + mean * mean * b.sw2;
    if ss <= 1e-12 * scale {
        0.0
    } else {
        ss
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // y = 2, 4, 6 with w = 1, 2, 3 in a dataset of n = 5 rows (two more
        // rows outside the domain): ȳ = 28/6 = 14/3; Σw²(y − ȳ)² =
        // 1·(8/3)² + 4·(2/3)² + 9·(4/3)² = (64 + 16 + 144)/9 = 224/9;
        // Var = 5/4 · (224/9) / 36 = 0.864197530864…
        let mut b = Base::default();
        for (y, w) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0)] {
            b.add_y(w, y);
        }
        let v = mean_variance(&b, 14.0 / 3.0, 5.0).unwrap();
        assert!((v - 5.0 / 4.0 * 224.0 / 9.0 / 36.0).abs() < 1e-12, "{v}");
        assert_eq!(mean_variance(&b, 14.0 / 3.0, 1.0), None);
        assert_eq!(mean_variance(&Base::default(), 0.0, 5.0), None);
    }
}
