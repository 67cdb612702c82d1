//! Display helper: shares rounded so that they visibly sum to a total.
//!
//! Input: shares compute published (e.g. promoters / passives / detractors in
//! %, `breakdown_shares`). Output: whole numbers summing exactly to the total
//! (SPEC §1: shown side by side they must read 100). Rounding is display, so
//! it lives in the site; metrics.json keeps the unrounded shares.

/// Rounds `shares` to integers that sum to `total` (largest remainder, Hamilton).
///
/// The shares are first scaled to sum to `total` (so 33.3 + 33.3 + 33.3 becomes
/// 100); each is floored, and the units still missing go to the largest
/// remainders, ties to the lower index, so the result is deterministic.
/// Negative or non-finite shares count as 0; when all are 0, all are 0.
pub fn round_to_total(shares: &[f64], total: i64) -> Vec<i64> {
    let clean: Vec<f64> = shares
        .iter()
        .map(|&s| if s.is_finite() && s > 0.0 { s } else { 0.0 })
        .collect();
    let sum: f64 = clean.iter().sum();
    if sum <= 0.0 || total <= 0 {
        return vec![0; shares.len()];
    }
    let scaled: Vec<f64> = clean.iter().map(|s| s / sum * total as f64).collect();
    let mut out: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let missing = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..scaled.len()).collect();
    // Largest remainder first; the stable sort keeps lower indices first on ties.
    order.sort_by(|&a, &b| {
        (scaled[b] - scaled[b].floor()).total_cmp(&(scaled[a] - scaled[a].floor()))
    });
    for &i in order.iter().take(missing.max(0) as usize) {
        out[i] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_to_total_by_largest_remainder() {
        // 45.5 + 36.4 + 18.1 = 100: floors 45 + 36 + 18 = 99; the largest remainder (.5) gets +1.
        assert_eq!(round_to_total(&[45.5, 36.4, 18.1], 100), vec![46, 36, 18]);
        // Thirds: floors 33 each, one unit missing; tie → lowest index.
        assert_eq!(round_to_total(&[100.0 / 3.0; 3], 100), vec![34, 33, 33]);
        // 2/7 5/7 as % = 28.571 / 71.429: plain rounding gives 29 + 71 = 100 as well.
        assert_eq!(
            round_to_total(&[200.0 / 7.0, 500.0 / 7.0], 100),
            vec![29, 71]
        );
        // Naive rounding would give 17 + 17 + 67 = 101.
        assert_eq!(round_to_total(&[16.6, 16.6, 66.8], 100), vec![17, 16, 67]);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(round_to_total(&[0.0, 0.0], 100), vec![0, 0]);
        assert_eq!(round_to_total(&[], 100), Vec::<i64>::new());
        assert_eq!(
            round_to_total(&[f64::NAN, 50.0, -3.0], 100),
            vec![0, 100, 0]
        );
        assert_eq!(round_to_total(&[1.0, 1.0, 1.0], 10), vec![4, 3, 3]);
        let r = round_to_total(&[12.345, 0.001, 87.654], 100);
        assert_eq!(r.iter().sum::<i64>(), 100);
    }
}
