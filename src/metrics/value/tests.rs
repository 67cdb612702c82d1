//! Value at stake by hand: weighted sums, blanks, merging, and the figures
//! recomputed here from the rows with the textbook formulas.

use statrs::distribution::{ContinuousCDF, Normal};

use super::results::value_of;
use super::ValueSums;
use crate::metrics::estimate::{Design, Settings};
use crate::metrics::intervals::{t_critical, z_critical};

/// (group, weight, revenue, churned): promoters 0, passives 1, detractors 2.
type R = (usize, f64, Option<f64>, Option<bool>);

const ROWS: [R; 9] = [
    (0, 2.0, Some(10.0), Some(false)),
    (0, 1.0, Some(20.0), Some(true)),
    (0, 1.0, Some(30.0), Some(false)),
    (0, 1.5, None, Some(false)),
    (2, 1.0, Some(5.0), Some(true)),
    (2, 3.0, Some(15.0), Some(true)),
    (2, 2.0, Some(10.0), Some(false)),
    (2, 0.5, Some(8.0), None),
    (1, 1.0, Some(12.0), Some(false)),
];

fn sums(rows: &[R]) -> ValueSums {
    let mut s = ValueSums::default();
    for &(g, w, r, c) in rows {
        s.add(g, w, r, c, None);
    }
    s
}

fn settings(design: Option<Design>) -> Settings {
    Settings {
        confidence: 0.95,
        z: z_critical(0.95),
        adjusted_wald: false,
        min_n: 0.0,
        design,
    }
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} vs {b}");
}

/// Weighted mean, Kish n and Part I's variance of the mean, from (w, x).
fn mean_var(xs: &[(f64, f64)]) -> (f64, f64, f64) {
    let sw: f64 = xs.iter().map(|p| p.0).sum();
    let sw2: f64 = xs.iter().map(|p| p.0 * p.0).sum();
    let m = xs.iter().map(|p| p.0 * p.1).sum::<f64>() / sw;
    let n = sw * sw / sw2;
    let s2 = xs.iter().map(|p| p.0 * (p.1 - m).powi(2)).sum::<f64>() / sw * n / (n - 1.0);
    (m, n, s2 / n)
}

#[test]
fn figures_by_hand_with_weights_and_blanks() {
    let v = value_of(&sums(&ROWS), 1000.0, &settings(None), true);
    let rev = |g: usize| -> Vec<(f64, f64)> {
        (ROWS.iter())
            .filter(|r| r.0 == g)
            .filter_map(|r| Some((r.1, r.2?)))
            .collect()
    };
    let churn = |g: usize| -> Vec<(f64, f64)> {
        (ROWS.iter())
            .filter(|r| r.0 == g)
            .filter_map(|r| Some((r.1, if r.3? { 1.0 } else { 0.0 })))
            .collect()
    };
    // Customers: Σw of every row of the group, blanks included.
    assert_eq!(v.groups.promoters.customers, 5.5);
    assert_eq!(v.groups.detractors.customers, 6.5);
    assert_eq!(v.groups.passives.n, 1);
    close(v.groups.detractors.share, 6.5 / 13.0 * 100.0);
    // Blank revenue and churn cells are left out of that statistic only.
    assert_eq!(v.groups.promoters.revenue_n, 3);
    assert_eq!(v.groups.detractors.churn_n, 3);
    let (mp, np, vp) = mean_var(&rev(0));
    let (md, nd, vd) = mean_var(&rev(2));
    close(v.groups.promoters.revenue, mp);
    let half = t_critical(0.95, np - 1.0).unwrap() * vp.sqrt();
    close(v.groups.promoters.revenue_ci_low, mp - half);
    close(v.groups.detractors.revenue, md);
    let half = t_critical(0.95, nd - 1.0).unwrap() * vd.sqrt();
    close(v.groups.detractors.revenue_ci_high, md + half);
    // Spend ratio and the delta method on its log.
    let z = z_critical(0.95);
    let se = (vp / (mp * mp) + vd / (md * md)).sqrt();
    close(v.spend_ratio, mp / md);
    close(v.spend_ratio_ci_low, ((mp / md).ln() - z * se).exp());
    close(v.spend_ratio_ci_high, ((mp / md).ln() + z * se).exp());
    // Churn: weighted shares; the gap's unpooled Wald variance on Kish's n.
    let share = |xs: &[(f64, f64)]| {
        let sw: f64 = xs.iter().map(|p| p.0).sum();
        let sw2: f64 = xs.iter().map(|p| p.0 * p.0).sum();
        let p = xs.iter().map(|p| p.0 * p.1).sum::<f64>() / sw;
        (p, p * (1.0 - p) / (sw * sw / sw2))
    };
    let (cp, vcp) = share(&churn(0));
    let (cd, vcd) = share(&churn(2));
    close(v.groups.promoters.churn, cp * 100.0);
    let gap = (cd - cp) * 100.0;
    let se = (vcd + vcp).sqrt() * 100.0;
    close(v.churn_gap, gap);
    close(v.churn_gap_ci_low, gap - z * se);
    let p = 2.0 * (1.0 - Normal::new(0.0, 1.0).unwrap().cdf(gap.abs() / se));
    close(v.churn_gap_p_value, p);
    // One test in family (g): q = p.
    assert_eq!(v.churn_gap_q_value, v.churn_gap_p_value);
    let risk = |g: f64| 1000.0 * (6.5 / 13.0) * g / 100.0 * md * 12.0;
    close(v.revenue_at_risk, risk(gap));
    close(v.revenue_at_risk_ci_high, risk(gap + z * se));
}

#[test]
fn a_weighted_dataset_takes_the_design_based_variance() {
    let rows = 40.0;
    let v = value_of(
        &sums(&ROWS),
        1000.0,
        &settings(Some(Design {
            rows,
            calibration: None,
        })),
        true,
    );
    // n/(n − 1) · Σw²(y − ȳ)² / (Σw)², y the churn indicator.
    let var = |g: usize| {
        let xs: Vec<(f64, f64)> = (ROWS.iter())
            .filter(|r| r.0 == g)
            .filter_map(|r| Some((r.1, if r.3? { 1.0 } else { 0.0 })))
            .collect();
        let sw: f64 = xs.iter().map(|p| p.0).sum();
        let m = xs.iter().map(|p| p.0 * p.1).sum::<f64>() / sw;
        let ss: f64 = xs.iter().map(|p| p.0 * p.0 * (p.1 - m).powi(2)).sum();
        (m, rows / (rows - 1.0) * ss / (sw * sw))
    };
    let ((cp, vp), (cd, vd)) = (var(0), var(2));
    let se = (vp + vd).sqrt() * 100.0;
    let z = z_critical(0.95);
    close(v.churn_gap_ci_high, (cd - cp) * 100.0 + z * se);
}

#[test]
fn merging_two_halves_equals_one_pass_and_suppression_empties_the_figures() {
    let whole = sums(&ROWS);
    let mut a = sums(&ROWS[..4]);
    a.merge(&sums(&ROWS[4..]));
    for (x, y) in a.0.iter().zip(&whole.0) {
        assert_eq!(x.people, y.people);
        assert_eq!(x.churn, y.churn);
        assert_eq!(x.revenue.base(), y.revenue.base());
    }
    // min_n above every group's effective n: nothing but counts is published.
    let mut s = settings(None);
    s.min_n = 100.0;
    let v = value_of(&whole, 1000.0, &s, true);
    assert_eq!(v.groups.promoters.revenue, None);
    assert_eq!(v.spend_ratio, None);
    assert_eq!(v.churn_gap, None);
    assert_eq!(v.revenue_at_risk, None);
    assert_eq!(v.groups.promoters.customers, 5.5);
}

#[test]
fn no_spend_ratio_without_positive_means() {
    let rows: [R; 4] = [
        (0, 1.0, Some(10.0), Some(false)),
        (0, 1.0, Some(12.0), Some(true)),
        (2, 1.0, Some(-3.0), Some(true)),
        (2, 1.0, Some(-1.0), Some(false)),
    ];
    let v = value_of(&sums(&rows), 10.0, &settings(None), true);
    assert_eq!(v.spend_ratio, None);
    assert!(v.churn_gap.is_some());
}
