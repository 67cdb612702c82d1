//! Compute stage: the value distribution and the percentile, the two
//! summaries that look at individual answers rather than sums.
//!
//! Input: answered values (with weights for the distribution). Output: each
//! scale point's weighted share for the distribution chart, and
//! PERCENTILE.INC for the `percentile` metric.

/// The `p`-th percentile (0–100) of `values` by linear interpolation between
/// closest ranks, as Excel's PERCENTILE.INC: h = (N − 1)·p/100, then
/// x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋) on the sorted values. `None` when empty.
pub fn percentile_inc(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * (p / 100.0).clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Weighted counts of each point of an integer scale, for the distribution chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dist {
    /// The scale's lowest point.
    pub lo: i64,
    /// Σw per point, lo..=hi.
    pub weights: Vec<f64>,
    /// Σw of every answered row (non-integer answers count here, at no point).
    pub total: f64,
}

impl Dist {
    /// The largest scale (in points) that gets a distribution.
    pub const MAX_POINTS: usize = 21;

    /// A distribution for an integer scale of at most [`Dist::MAX_POINTS`] points.
    pub fn for_scale(lo: f64, hi: f64) -> Option<Dist> {
        let integer = lo.fract() == 0.0 && hi.fract() == 0.0 && hi >= lo;
        let points = hi - lo + 1.0;
        (integer && points <= Self::MAX_POINTS as f64).then(|| Dist {
            lo: lo as i64,
            weights: vec![0.0; points as usize],
            total: 0.0,
        })
    }

    /// An empty distribution on the same scale.
    pub fn empty_like(&self) -> Dist {
        Dist {
            lo: self.lo,
            weights: vec![0.0; self.weights.len()],
            total: 0.0,
        }
    }

    /// Adds one answered value with weight `w`.
    pub fn add(&mut self, x: f64, w: f64) {
        self.total += w;
        // `x as i64` saturates, so a value beyond i64 can equal its cast only
        // when it is an integer far outside any scale: the slot lookup misses.
        // (One conversion instead of a call to `trunc`: this runs per row.)
        let i = x as i64;
        if i as f64 == x {
            if let Some(slot) = (i.checked_sub(self.lo))
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| self.weights.get_mut(i))
            {
                *slot += w;
            }
        }
    }

    /// Adds `other`'s answers (same scale).
    pub fn merge(&mut self, other: &Dist) {
        self.total += other.total;
        for (mine, theirs) in self.weights.iter_mut().zip(&other.weights) {
            *mine += theirs;
        }
    }

    /// (label, weighted share in %) per point; shares are 0 when nothing was answered.
    pub fn shares(&self) -> Vec<(String, f64)> {
        self.weights
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let share = if self.total > 0.0 {
                    w / self.total * 100.0
                } else {
                    0.0
                };
                ((self.lo + i as i64).to_string(), share)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn percentile_inc_by_hand() {
        let v: Vec<f64> = (1..=10).map(f64::from).rev().collect();
        // h = 9·0.9 = 8.1 → x8 + 0.1·(x9 − x8) = 9 + 0.1 = 9.1.
        close(percentile_inc(&v, 90.0).unwrap(), 9.1);
        // h = 9·0.5 = 4.5 → 5 + 0.5 = 5.5 (the median).
        close(percentile_inc(&v, 50.0).unwrap(), 5.5);
        close(percentile_inc(&v, 0.0).unwrap(), 1.0);
        close(percentile_inc(&v, 100.0).unwrap(), 10.0);
        assert_eq!(percentile_inc(&[], 50.0), None);
        close(percentile_inc(&[4.0], 90.0).unwrap(), 4.0);
    }

    #[test]
    fn distribution_only_for_small_integer_scales() {
        assert!(Dist::for_scale(0.0, 10.0).is_some());
        assert!(Dist::for_scale(0.0, 20.0).is_some());
        assert!(Dist::for_scale(0.0, 21.0).is_none());
        assert!(Dist::for_scale(0.0, 1.5).is_none());
        let mut d = Dist::for_scale(1.0, 3.0).unwrap();
        d.add(1.0, 1.0);
        d.add(3.0, 3.0);
        let s = d.shares();
        assert_eq!(s[0], ("1".to_string(), 25.0));
        assert_eq!(s[1], ("2".to_string(), 0.0));
        assert_eq!(s[2], ("3".to_string(), 75.0));
    }

    #[test]
    fn non_integers_and_far_values_count_in_the_total_at_no_point() {
        let mut d = Dist::for_scale(-2.0, 2.0).unwrap();
        for x in [2.5, -0.5, 1e300, -1e300, 9.3e18, -9.3e18, 3.0, -3.0] {
            d.add(x, 1.0);
        }
        assert_eq!(d.weights, vec![0.0; 5]);
        assert_eq!(d.total, 8.0);
        d.add(-2.0, 2.0);
        d.add(-0.0, 1.0);
        assert_eq!(d.weights, vec![2.0, 0.0, 1.0, 0.0, 0.0]);
    }
}
