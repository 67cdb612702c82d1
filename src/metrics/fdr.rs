//! Compute stage: p-values of differences, and their control for multiple
//! tests (SPEC §6).
//!
//! Input: two independent estimates (value, variance, effective n); later, a
//! family of p-values. Output: the two-sided p-value of their difference
//! (normal for NPS and proportions, Welch's t for means — the same tests as
//! Part I §2's `significant`), and Benjamini–Hochberg q-values for a family.
//! A site that flags 22 of 132 month-to-month changes with no control of
//! multiple tests tells a client about noise; the q-value keeps the expected
//! share of false discoveries among the flagged ones at 1 − confidence.

use statrs::distribution::{ContinuousCDF, Normal};

use super::computed::Estimate;

/// The two-sided p-value of `b − a` for independent samples: z = (b − a) /
/// √(Var₁ + Var₂) against the standard normal, or against Student's t with
/// the Welch–Satterthwaite df (n = effective n) when `welch`. `None` where
/// Part I's test does not apply (no variance, zero standard error, or a
/// Welch df that is not positive).
pub fn p_value(a: &Estimate, b: &Estimate, welch: bool) -> Option<f64> {
    let (va, vb) = (a.variance?, b.variance?);
    let diff = b.value? - a.value?;
    let se = (va + vb).sqrt();
    if se.is_nan() || se <= 0.0 || se.is_infinite() {
        return None;
    }
    let stat = (diff / se).abs();
    let tail = if welch {
        let (na, nb) = (a.effective_n - 1.0, b.effective_n - 1.0);
        if na <= 0.0 || nb <= 0.0 {
            return None;
        }
        let df = (va + vb).powi(2) / (va * va / na + vb * vb / nb);
        if df.is_nan() || df <= 0.0 || df.is_infinite() {
            return None;
        }
        super::student_t::upper_tail(stat, df)?
    } else {
        Normal::new(0.0, 1.0).ok()?.sf(stat)
    };
    Some((2.0 * tail).min(1.0))
}

/// Benjamini–Hochberg adjusted p-values (q-values) of one family, in the
/// order given: with the m defined p-values sorted ascending, q₍ᵢ₎ =
/// min over j ≥ i of (m · p₍ⱼ₎ / j), capped at 1 — R's
/// `p.adjust(p, "BH")`. Tests that could not be run (`None`) are not part of
/// the family and stay `None`. Ties keep their input order, so the result is
/// deterministic.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    let m = order.len();
    let mut q = vec![None; p.len()];
    if m == 0 {
        return q;
    }
    // Stable sort: ties keep their input order.
    order.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)));
    let mut running = 1.0_f64;
    for (rank0, &i) in order.iter().enumerate().rev() {
        let raw = p[i].unwrap_or(1.0) * m as f64 / (rank0 + 1) as f64;
        running = running.min(raw);
        q[i] = Some(running.min(1.0));
    }
    q
}

/// The q-values of a family under the project's `multiple_testing`: BH, or
/// the p-values themselves with `none`.
pub fn adjust(p: &[Option<f64>], bh: bool) -> Vec<Option<f64>> {
    if bh {
        benjamini_hochberg(p)
    } else {
        p.to_vec()
    }
}

/// Whether a difference is flagged: q ≤ 1 − confidence and |change| at
/// least the indicator's `min_change` (SPEC §6). `None` when no test ran.
pub fn flagged(
    q: Option<f64>,
    change: Option<f64>,
    confidence: f64,
    min_change: f64,
) -> Option<bool> {
    let q = q?;
    let change = change?;
    Some(q <= 1.0 - confidence && change.abs() >= min_change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testkit::est;

    /// statrs' normal tail agrees with SciPy's to about 1e-11; nothing shown
    /// or tested depends on digits past 1e-9.
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn bh_by_hand() {
        // m = 5. Sorted: .005 .01 .03 .04 .2 → m·p/rank: .025 .025 .05 .05 .2;
        // the running minimum from the top leaves them so.
        let p = [Some(0.01), Some(0.04), Some(0.03), Some(0.005), Some(0.2)];
        let q = benjamini_hochberg(&p);
        let want = [0.025, 0.05, 0.05, 0.025, 0.2];
        for (q, w) in q.iter().zip(want) {
            close(q.unwrap(), w);
        }
    }

    #[test]
    fn bh_takes_the_minimum_from_above_caps_at_one_and_skips_untested() {
        // Sorted .02 .03 .04 (m = 3): 3·.02/1 = .06, 3·.03/2 = .045, 3·.04/3 = .04;
        // running minimum from the top: .04 .04 .04.
        let q = benjamini_hochberg(&[Some(0.04), None, Some(0.02), Some(0.03)]);
        assert_eq!(q[1], None);
        for i in [0, 2, 3] {
            close(q[i].unwrap(), 0.04);
        }
        let q = benjamini_hochberg(&[Some(0.9), Some(0.8)]);
        close(q[0].unwrap(), 0.9);
        close(q[1].unwrap(), 0.9);
        assert_eq!(benjamini_hochberg(&[None, None]), vec![None, None]);
        assert!(benjamini_hochberg(&[]).is_empty());
        let q = benjamini_hochberg(&[Some(1.0), Some(1.0)]);
        assert!(q.iter().all(|q| q.unwrap() <= 1.0));
    }

    #[test]
    fn none_leaves_p_values_as_they_are() {
        let p = [Some(0.01), None, Some(0.3)];
        assert_eq!(adjust(&p, false), p.to_vec());
    }

    #[test]
    fn p_value_of_the_normal_test_by_hand() {
        // Difference 3.92 with se 2 → z = 1.96 → p = 0.0499958 (two-sided normal).
        let (a, b) = (est(10.0, 1000.0, 2.0), est(13.92, 1000.0, 2.0));
        close(p_value(&a, &b, false).unwrap(), 0.049_995_790_296_440_9);
        // Symmetric in the sign of the change.
        close(
            p_value(&b, &a, false).unwrap(),
            p_value(&a, &b, false).unwrap(),
        );
        // No change: p = 1.
        close(p_value(&a, &a, false).unwrap(), 1.0);
    }

    #[test]
    fn p_value_of_welch_uses_its_df() {
        // Equal variances 1 and n 11 each: df = 20; t = 2.085963 is t(0.975, 20)
        // (SciPy: 2.085963447265864), so p = 0.05 to the quantile's precision.
        let (a, b) = (
            est(0.0, 11.0, 1.0),
            est(2.085_963_447_265_864 * 2f64.sqrt(), 11.0, 1.0),
        );
        close((p_value(&a, &b, true).unwrap() * 1e6).round() / 1e6, 0.05);
        // Without variance or with n ≤ 1 there is no test.
        let mut none = a.clone();
        none.variance = None;
        assert_eq!(p_value(&none, &b, true), None);
        assert_eq!(p_value(&est(1.0, 1.0, 1.0), &b, true), None);
    }

    /// SciPy's values (tests/reference/fdr_reference.py), computed independently.
    #[test]
    fn agrees_with_scipy() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/reference/fdr.json")).unwrap();
        let numbers = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let families = reference["bh"].as_array().unwrap();
        assert!(families.len() >= 5);
        for family in families {
            let p: Vec<Option<f64>> = numbers(&family["p"]).into_iter().map(Some).collect();
            let q = benjamini_hochberg(&p);
            for (got, want) in q.iter().zip(numbers(&family["q"])) {
                assert!((got.unwrap() - want).abs() < 1e-12, "{got:?} vs {want}");
            }
        }
        for case in reference["normal"].as_array().unwrap() {
            let (a, b) = (numbers(&case["a"]), numbers(&case["b"]));
            let p = p_value(&est(a[0], 1e6, a[1]), &est(b[0], 1e6, b[1]), false).unwrap();
            let want = case["p"].as_f64().unwrap();
            assert!((p - want).abs() < 1e-9, "normal {p} vs {want}");
        }
        for case in reference["welch"].as_array().unwrap() {
            let (a, b) = (numbers(&case["a"]), numbers(&case["b"]));
            let p = p_value(&est(a[0], a[2], a[1]), &est(b[0], b[2], b[1]), true).unwrap();
            let want = case["p"].as_f64().unwrap();
            assert!((p - want).abs() < 1e-9, "welch {p} vs {want}");
        }
    }

    #[test]
    fn flagged_needs_both_q_and_min_change() {
        assert_eq!(flagged(Some(0.01), Some(2.0), 0.95, 0.0), Some(true));
        assert_eq!(flagged(Some(0.01), Some(-2.0), 0.95, 3.0), Some(false));
        assert_eq!(flagged(Some(0.06), Some(9.0), 0.95, 0.0), Some(false));
        assert_eq!(flagged(None, Some(9.0), 0.95, 0.0), None);
    }
}
