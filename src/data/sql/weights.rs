//! Data stage, SQL sources: a group's positive weights, rebuilt from their sums.
//!
//! Input: a group of n rows that agree on every column the project reads except the weight,
//! and the server's Σw and Σw² over them. Output: n weights with the same Σw and Σw² — one
//! row weighs `a`, the n − 1 others `b` — which is all any estimate of the group reads: within
//! the group every other value is the same, so the weighted sums of the accumulators (Σw,
//! Σw², Σwy, Σw²y, Σw²y², the design-based variance's terms) depend on the weights only
//! through Σw and Σw² (`src/metrics/design.rs`). What does read single weights (the key
//! drivers' bootstrap store) sees these two values (docs/reference.md, *SQL sources*).
//!
//! With m = Σw/n and a = m + δ, b = m − δ/(n − 1): Σ = nm, and Σ² = nm² + δ²·n/(n − 1),
//! so δ² = (n − 1)/n · (Σw² − nm²). b ≥ 0 because Σw² ≤ (Σw)² for weights ≥ 0.

/// The weights `(a, b)` of a group of `n` ≥ 1 positive-weight rows with sums `s1`, `s2`:
/// one row weighs `a`, the other `n − 1` weigh `b`.
pub fn two_weights(n: u64, s1: f64, s2: f64) -> (f64, f64) {
    if n <= 1 {
        return (s1, s1);
    }
    let n = n as f64;
    let m = s1 / n;
    let spread = (s2 - s1 * s1 / n).max(0.0);
    let delta = ((n - 1.0) / n * spread).sqrt();
    (m + delta, (m - delta / (n - 1.0)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σw and Σw² of the rebuilt weights, by hand, against the originals'.
    fn check(weights: &[f64]) {
        let n = weights.len() as u64;
        let s1: f64 = weights.iter().sum();
        let s2: f64 = weights.iter().map(|w| w * w).sum();
        let (a, b) = two_weights(n, s1, s2);
        let r1 = a + (n - 1) as f64 * b;
        let r2 = a * a + (n - 1) as f64 * b * b;
        assert!((r1 - s1).abs() < 1e-12 * s1, "{weights:?}: Σw {r1} vs {s1}");
        assert!(
            (r2 - s2).abs() < 1e-12 * s2,
            "{weights:?}: Σw² {r2} vs {s2}"
        );
        assert!(a > 0.0 && b >= 0.0);
    }

    #[test]
    fn the_sums_are_kept() {
        check(&[1.0]);
        check(&[0.8, 1.25]);
        check(&[0.8, 1.0, 1.25, 1.6, 1.6, 0.8]);
        // Very uneven: one large weight and many small ones (b stays ≥ 0).
        check(&[100.0, 0.01, 0.01, 0.01]);
        check(&[2.0, 2.0, 2.0]);
    }

    #[test]
    fn equal_weights_stay_equal() {
        let (a, b) = two_weights(4, 5.0, 6.25);
        assert_eq!((a, b), (1.25, 1.25));
    }
}
