//! Tests of key driver analysis. Expected numbers come from a published example
//! or from independent computations written here (two-pass Pearson, ordinary
//! least squares by Gaussian elimination), never from the code under test.

// Index loops read like the formulas they check.
#![allow(clippy::needless_range_loop)]

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `mtcars` (R `datasets`; Henderson & Velleman 1981, Biometrics 37, 391–411):
/// the columns mpg, cyl, disp, hp, gear of its 32 rows, in R's row order.
const MTCARS: [[f64; 5]; 32] = [
    [21.0, 6.0, 160.0, 110.0, 4.0], // Mazda RX4
    [21.0, 6.0, 160.0, 110.0, 4.0], // Mazda RX4 Wag
    [22.8, 4.0, 108.0, 93.0, 4.0],  // Datsun 710
    [21.4, 6.0, 258.0, 110.0, 3.0], // Hornet 4 Drive
    [18.7, 8.0, 360.0, 175.0, 3.0], // Hornet Sportabout
    [18.1, 6.0, 225.0, 105.0, 3.0], // Valiant
    [14.3, 8.0, 360.0, 245.0, 3.0], // Duster 360
    [24.4, 4.0, 146.7, 62.0, 4.0],  // Merc 240D
    [22.8, 4.0, 140.8, 95.0, 4.0],  // Merc 230
    [19.2, 6.0, 167.6, 123.0, 4.0], // Merc 280
    [17.8, 6.0, 167.6, 123.0, 4.0], // Merc 280C
    [16.4, 8.0, 275.8, 180.0, 3.0], // Merc 450SE
    [17.3, 8.0, 275.8, 180.0, 3.0], // Merc 450SL
    [15.2, 8.0, 275.8, 180.0, 3.0], // Merc 450SLC
    [10.4, 8.0, 472.0, 205.0, 3.0], // Cadillac Fleetwood
    [10.4, 8.0, 460.0, 215.0, 3.0], // Lincoln Continental
    [14.7, 8.0, 440.0, 230.0, 3.0], // Chrysler Imperial
    [32.4, 4.0, 78.7, 66.0, 4.0],   // Fiat 128
    [30.4, 4.0, 75.7, 52.0, 4.0],   // Honda Civic
    [33.9, 4.0, 71.1, 65.0, 4.0],   // Toyota Corolla
    [21.5, 4.0, 120.1, 97.0, 3.0],  // Toyota Corona
    [15.5, 8.0, 318.0, 150.0, 3.0], // Dodge Challenger
    [15.2, 8.0, 304.0, 150.0, 3.0], // AMC Javelin
    [13.3, 8.0, 350.0, 245.0, 3.0], // Camaro Z28
    [19.2, 8.0, 400.0, 175.0, 3.0], // Pontiac Firebird
    [27.3, 4.0, 79.0, 66.0, 4.0],   // Fiat X1-9
    [26.0, 4.0, 120.3, 91.0, 5.0],  // Porsche 914-2
    [30.4, 4.0, 95.1, 113.0, 5.0],  // Lotus Europa
    [15.8, 8.0, 351.0, 264.0, 5.0], // Ford Pantera L
    [19.7, 6.0, 145.0, 175.0, 5.0], // Ferrari Dino
    [15.0, 8.0, 301.0, 335.0, 5.0], // Maserati Bora
    [21.4, 4.0, 121.0, 109.0, 4.0], // Volvo 142E
];

/// A data set: outcome, attribute rows, weights.
struct Data {
    y: Vec<f64>,
    x: Vec<Vec<f64>>,
    w: Vec<f64>,
}

impl Data {
    fn acc(&self) -> DriverAcc {
        let mut acc = DriverAcc::new(self.x.first().map_or(0, Vec::len));
        for ((y, x), w) in self.y.iter().zip(&self.x).zip(&self.w) {
            acc.add(*y, x, *w);
        }
        acc
    }

    fn column(&self, j: usize) -> Vec<f64> {
        self.x.iter().map(|row| row[j]).collect()
    }
}

fn mtcars() -> Data {
    Data {
        y: MTCARS.iter().map(|r| r[0]).collect(),
        x: MTCARS.iter().map(|r| r[1..].to_vec()).collect(),
        w: vec![1.0; MTCARS.len()],
    }
}

/// Correlated attributes (a common factor plus noise), an outcome driven by
/// them unequally, and weights in [0.2, 3): deterministic from `seed`.
fn synthetic(seed: u64, n: usize, p: usize, weighted: bool) -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut d = Data {
        y: vec![],
        x: vec![],
        w: vec![],
    };
    for _ in 0..n {
        let common: f64 = rng.random_range(-1.0..1.0);
        let row: Vec<f64> = (0..p)
            .map(|j| 3.0 + common * (0.5 + 0.2 * j as f64) + rng.random_range(-1.0..1.0))
            .collect();
        let y = row
            .iter()
            .enumerate()
            .map(|(j, v)| v * (j as f64 + 1.0) * 0.7)
            .sum::<f64>()
            + 2.0 * rng.random_range(-1.0..1.0);
        d.y.push(y);
        d.x.push(row);
        d.w.push(if weighted {
            rng.random_range(0.2..3.0)
        } else {
            1.0
        });
    }
    d
}

/// Weighted Pearson r by the textbook two-pass formula.
fn pearson(x: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let sw: f64 = w.iter().sum();
    let mx = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let my = y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..x.len() {
        sxy += w[i] * (x[i] - mx) * (y[i] - my);
        sxx += w[i] * (x[i] - mx).powi(2);
        syy += w[i] * (y[i] - my).powi(2);
    }
    sxy / (sxx * syy).sqrt()
}

/// Weighted OLS R² of y on x (with intercept): normal equations on centred
/// data, solved by Gaussian elimination with partial pivoting; R² = 1 − SSE/SST.
fn ols_r2(d: &Data) -> f64 {
    let p = d.x[0].len();
    let sw: f64 = d.w.iter().sum();
    let my = d.y.iter().zip(&d.w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let mx: Vec<f64> = (0..p)
        .map(|j| d.x.iter().zip(&d.w).map(|(r, w)| r[j] * w).sum::<f64>() / sw)
        .collect();
    // Augmented matrix [XᵀWX | XᵀWy].
    let mut a = vec![vec![0.0; p + 1]; p];
    for ((row, y), w) in d.x.iter().zip(&d.y).zip(&d.w) {
        for i in 0..p {
            for j in 0..p {
                a[i][j] += w * (row[i] - mx[i]) * (row[j] - mx[j]);
            }
            a[i][p] += w * (row[i] - mx[i]) * (y - my);
        }
    }
    for c in 0..p {
        let piv = (c..p)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, piv);
        for r in 0..p {
            if r != c {
                let f = a[r][c] / a[c][c];
                for k in c..=p {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    let b: Vec<f64> = (0..p).map(|i| a[i][p] / a[i][i]).collect();
    let (mut sse, mut sst) = (0.0, 0.0);
    for ((row, y), w) in d.x.iter().zip(&d.y).zip(&d.w) {
        let fit: f64 = (0..p).map(|j| b[j] * (row[j] - mx[j])).sum();
        sse += w * (y - my - fit).powi(2);
        sst += w * (y - my).powi(2);
    }
    1.0 - sse / sst
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn assert_stats_close(a: &DriverStats, b: &DriverStats, tol: f64) {
    assert_eq!(a.n, b.n);
    let pairs = |x: &[Option<f64>], y: &[Option<f64>], what: &str| {
        assert_eq!(x.len(), y.len());
        for (u, v) in x.iter().zip(y) {
            match (u, v) {
                (Some(u), Some(v)) => assert!(close(*u, *v, tol), "{what}: {u} vs {v}"),
                (None, None) => {}
                _ => panic!("{what}: {u:?} vs {v:?}"),
            }
        }
    };
    pairs(&[a.r2], &[b.r2], "r2");
    pairs(&a.r, &b.r, "r");
    pairs(&a.importance, &b.importance, "importance");
    pairs(&a.performance, &b.performance, "performance");
}

fn raw_weights(s: &DriverStats) -> Vec<f64> {
    let r2 = s.r2.unwrap();
    s.importance
        .iter()
        .map(|i| i.unwrap() * r2 / 100.0)
        .collect()
}

/// `mtcars$wt` (1000 lbs), same rows and order as [`MTCARS`].
const MTCARS_WT: [f64; 32] = [
    2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730,
    3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935,
    2.140, 1.513, 3.170, 2.770, 3.570, 2.780,
];

/// Published example: Martin Chan, R package `rwa` (CRAN; Chan M, "rwa: Perform a Relative
/// Weights Analysis", <https://martinctc.github.io/rwa/>), README "Basic example",
/// `rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp",
/// "gear"))`, which prints `$rsquare 0.7791896`, `$n 32` and
///
/// | Variables | Raw.RelWeight | Rescaled.RelWeight |
/// |---|---|---|
/// | cyl  | 0.2284797 | 29.32274 |
/// | disp | 0.2221469 | 28.50999 |
/// | hp   | 0.2321744 | 29.79691 |
/// | gear | 0.0963886 | 12.37037 |
///
/// Checked here to the printed precision (well within 3 decimals).
#[test]
fn mtcars_matches_rwa_package_readme() {
    let s = mtcars().acc().finish();
    assert_eq!(s.n, 32);
    let r2 = s.r2.unwrap();
    assert!((r2 - 0.7791896).abs() < 1e-7, "r2 {r2}");
    assert_published(
        &s,
        [0.2284797, 0.2221469, 0.2321744, 0.0963886],
        [29.32274, 28.50999, 29.79691, 12.37037],
    );
    // Performance: column means of mtcars (exact sums / 32).
    let means = [198.0 / 32.0, 7383.1 / 32.0, 4694.0 / 32.0, 118.0 / 32.0];
    for j in 0..4 {
        assert!(close(s.performance[j].unwrap(), means[j], 1e-12));
    }
    // Signs of r as printed in rwa's `Sign` column: −, −, −, +.
    let signs: Vec<bool> = s.r.iter().map(|r| r.unwrap() > 0.0).collect();
    assert_eq!(signs, [false, false, false, true]);
}

/// Raw relative weights and their % of R² equal the published ones to the
/// printed precision (7 decimals raw, 5 rescaled).
fn assert_published(s: &DriverStats, raw: [f64; 4], pct: [f64; 4]) {
    let ours = raw_weights(s);
    for j in 0..4 {
        assert!((ours[j] - raw[j]).abs() < 1e-7, "raw {j}: {}", ours[j]);
        let p = s.importance[j].unwrap();
        assert!((p - pct[j]).abs() < 1e-5, "pct {j}: {p}");
    }
}

/// Second published example, same package: vignette "Regression Methods: Multiple and
/// Logistic RWA" (<https://martinctc.github.io/rwa/articles/regression-methods.html>),
/// `rwa_multiregress(df = mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp",
/// "wt"))`, which prints
///
/// | Variables | Raw.RelWeight | Rescaled.RelWeight |
/// |---|---|---|
/// | cyl  | 0.2096904 | 24.70914 |
/// | disp | 0.1883043 | 22.18908 |
/// | hp   | 0.1799590 | 21.20570 |
/// | wt   | 0.2706812 | 31.89607 |
///
/// R² is the sum of the raw weights: 0.8486349 (to the printed rounding).
#[test]
fn mtcars_with_weight_matches_rwa_vignette() {
    let d = Data {
        y: MTCARS.iter().map(|r| r[0]).collect(),
        x: MTCARS
            .iter()
            .zip(MTCARS_WT)
            .map(|(r, wt)| vec![r[1], r[2], r[3], wt])
            .collect(),
        w: vec![1.0; MTCARS.len()],
    };
    let s = d.acc().finish();
    assert!((s.r2.unwrap() - 0.8486349).abs() < 3e-7, "r2 {:?}", s.r2);
    assert_published(
        &s,
        [0.2096904, 0.1883043, 0.1799590, 0.2706812],
        [24.70914, 22.18908, 21.20570, 31.89607],
    );
}

#[test]
fn mtcars_r_and_r2_match_independent_computations() {
    let d = mtcars();
    let s = d.acc().finish();
    for j in 0..4 {
        let want = pearson(&d.column(j), &d.y, &d.w);
        assert!(close(s.r[j].unwrap(), want, 1e-12), "r {j}");
    }
    assert!(close(s.r2.unwrap(), ols_r2(&d), 1e-10));
}

#[test]
fn importance_sums_to_100_and_r2_is_ols_r2_weighted() {
    for seed in 0..20 {
        let p = 1 + (seed as usize % 6);
        let d = synthetic(seed, 40 + 10 * seed as usize, p, true);
        let s = d.acc().finish();
        let total: f64 = s.importance.iter().map(|i| i.unwrap()).sum();
        assert!((total - 100.0).abs() < 1e-9, "seed {seed}: {total}");
        assert!(s.importance.iter().all(|i| i.unwrap() >= 0.0));
        let want = ols_r2(&d);
        assert!(
            close(s.r2.unwrap(), want, 1e-9),
            "seed {seed}: {:?} vs {want}",
            s.r2
        );
        for j in 0..p {
            let want = pearson(&d.column(j), &d.y, &d.w);
            assert!(close(s.r[j].unwrap(), want, 1e-10), "seed {seed} r {j}");
            let sw: f64 = d.w.iter().sum();
            let mean = d
                .column(j)
                .iter()
                .zip(&d.w)
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / sw;
            assert!(close(s.performance[j].unwrap(), mean, 1e-12));
        }
    }
}

#[test]
fn single_attribute_weight_is_r_squared() {
    let d = synthetic(7, 50, 1, true);
    let s = d.acc().finish();
    let r = pearson(&d.column(0), &d.y, &d.w);
    assert!(close(s.r2.unwrap(), r * r, 1e-12));
    assert_eq!(s.importance, vec![Some(100.0)]);
}

/// A 2³ full factorial (two replicates): the three ±1 attributes are mutually
/// uncorrelated, so each raw weight must be that attribute's r².
#[test]
fn orthogonal_attributes_raw_weight_is_r_squared() {
    let mut d = Data {
        y: vec![],
        x: vec![],
        w: vec![],
    };
    let noise = [0.3, -0.2, 0.5, 0.1, -0.4, 0.0, 0.25, -0.35];
    for rep in 0..2 {
        for i in 0..8 {
            let a = if i & 1 == 0 { -1.0 } else { 1.0 };
            let b = if i & 2 == 0 { -1.0 } else { 1.0 };
            let c = if i & 4 == 0 { -1.0 } else { 1.0 };
            let e = noise[(i + 3 * rep) % 8];
            d.y.push(5.0 + 2.0 * a + 1.0 * b - 0.5 * c + e);
            d.x.push(vec![a + 3.0, b + 3.0, c + 3.0]);
            d.w.push(1.0);
        }
    }
    for j in 0..3 {
        for k in 0..j {
            assert!(pearson(&d.column(j), &d.column(k), &d.w).abs() < 1e-15);
        }
    }
    let s = d.acc().finish();
    let raw = raw_weights(&s);
    for j in 0..3 {
        let r = pearson(&d.column(j), &d.y, &d.w);
        assert!(close(raw[j], r * r, 1e-12), "{j}: {} vs {}", raw[j], r * r);
    }
    assert!(close(s.r2.unwrap(), ols_r2(&d), 1e-12));
}

#[test]
fn weights_of_one_equal_unweighted_computation() {
    let d = synthetic(3, 60, 4, false);
    let s = d.acc().finish();
    let ones = vec![1.0; d.y.len()];
    for j in 0..4 {
        let xs = d.column(j);
        // Unweighted textbook Pearson, no weights anywhere.
        let n = xs.len() as f64;
        let mx = xs.iter().sum::<f64>() / n;
        let my = d.y.iter().sum::<f64>() / n;
        let sxy: f64 = xs.iter().zip(&d.y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = xs.iter().map(|a| (a - mx).powi(2)).sum();
        let syy: f64 = d.y.iter().map(|b| (b - my).powi(2)).sum();
        assert!(close(s.r[j].unwrap(), sxy / (sxx * syy).sqrt(), 1e-12));
        assert!(close(s.performance[j].unwrap(), mx, 1e-12));
        assert!(close(s.r[j].unwrap(), pearson(&xs, &d.y, &ones), 1e-12));
    }
    assert!(close(s.r2.unwrap(), ols_r2(&d), 1e-10));
}

/// Integer weights behave as frequency weights: weight 3 equals the row three times.
#[test]
fn integer_weights_equal_replicated_rows() {
    let d = synthetic(11, 30, 3, false);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut weighted = DriverAcc::new(3);
    let mut replicated = DriverAcc::new(3);
    let mut rows = 0;
    for (y, x) in d.y.iter().zip(&d.x) {
        let k: u32 = rng.random_range(1..4);
        weighted.add(*y, x, k as f64);
        for _ in 0..k {
            replicated.add(*y, x, 1.0);
        }
        rows += k as u64;
    }
    let (a, b) = (weighted.finish(), replicated.finish());
    assert_eq!(a.n, 30);
    assert_eq!(b.n, rows);
    assert_stats_close(&a, &DriverStats { n: 30, ..b }, 1e-10);
}

#[test]
fn scaling_all_weights_changes_nothing() {
    let d = synthetic(5, 80, 4, true);
    let base = d.acc().finish();
    for c in [1e-6, 0.37, 12.5, 1e8] {
        let scaled = Data {
            y: d.y.clone(),
            x: d.x.clone(),
            w: d.w.iter().map(|w| w * c).collect(),
        };
        assert_stats_close(&scaled.acc().finish(), &base, 1e-10);
    }
}

#[test]
fn merge_equals_sequential() {
    let d = synthetic(21, 101, 5, true);
    let sequential = d.acc().finish();
    for cuts in [[0, 50], [1, 100], [33, 67], [101, 101], [0, 0]] {
        let mut parts = [DriverAcc::new(5), DriverAcc::new(5), DriverAcc::new(5)];
        for (i, ((y, x), w)) in d.y.iter().zip(&d.x).zip(&d.w).enumerate() {
            let part = if i < cuts[0] {
                0
            } else if i < cuts[1] {
                1
            } else {
                2
            };
            parts[part].add(*y, x, *w);
        }
        // Left to right, and right to left into an empty accumulator.
        let mut left = parts[0].clone();
        left.merge(&parts[1]);
        left.merge(&parts[2]);
        assert_stats_close(&left.finish(), &sequential, 1e-10);
        let mut right = DriverAcc::new(5);
        right.merge(&parts[2]);
        right.merge(&parts[1]);
        right.merge(&parts[0]);
        assert_stats_close(&right.finish(), &sequential, 1e-10);
    }
}

#[test]
fn duplicated_attribute_is_singular_not_a_panic() {
    let d = synthetic(8, 50, 2, true);
    let mut acc = DriverAcc::new(3);
    for ((y, x), w) in d.y.iter().zip(&d.x).zip(&d.w) {
        acc.add(*y, &[x[0], x[1], x[0]], *w);
    }
    let s = acc.finish();
    assert_eq!(s.r2, None);
    assert_eq!(s.importance, vec![None; 3]);
    // Correlations and means are still well defined.
    assert!(s.r.iter().all(Option::is_some));
    assert_eq!(s.r[0], s.r[2]);
    assert!(s.performance.iter().all(Option::is_some));

    // An exact linear combination (a rescaled copy, or a sum) is singular too.
    let mut acc = DriverAcc::new(3);
    for ((y, x), w) in d.y.iter().zip(&d.x).zip(&d.w) {
        acc.add(*y, &[x[0], x[1], 0.1 * x[0] + 2.0 * x[1] + 1.0], *w);
    }
    assert_eq!(acc.finish().r2, None);
}

#[test]
fn zero_variance_gives_none() {
    let d = synthetic(9, 40, 2, true);
    // Constant attribute 1.
    let mut acc = DriverAcc::new(2);
    for ((y, x), w) in d.y.iter().zip(&d.x).zip(&d.w) {
        acc.add(*y, &[x[0], 4.1], *w);
    }
    let s = acc.finish();
    assert_eq!(s.r2, None);
    assert_eq!(s.importance, vec![None, None]);
    assert!(s.r[0].is_some());
    assert_eq!(s.r[1], None);
    assert!(close(s.performance[1].unwrap(), 4.1, 1e-12));
    // Constant outcome.
    let mut acc = DriverAcc::new(2);
    for (x, w) in d.x.iter().zip(&d.w) {
        acc.add(9.0, x, *w);
    }
    let s = acc.finish();
    assert_eq!(s.r2, None);
    assert_eq!(s.r, vec![None, None]);
    assert_eq!(s.importance, vec![None, None]);
}

#[test]
fn too_few_rows_for_the_regression() {
    let d = synthetic(4, 5, 3, true);
    // p + 2 = 5 rows needed.
    let mut acc = DriverAcc::new(3);
    for i in 0..4 {
        acc.add(d.y[i], &d.x[i], d.w[i]);
    }
    let s = acc.finish();
    assert_eq!(s.n, 4);
    assert_eq!(s.r2, None);
    assert_eq!(s.importance, vec![None; 3]);
    assert!(s.r.iter().all(Option::is_some));
    acc.add(d.y[4], &d.x[4], d.w[4]);
    assert!(acc.finish().r2.is_some());
    // Two rows: r would be ±1 by construction, so it is not reported.
    let mut acc = DriverAcc::new(1);
    acc.add(1.0, &[2.0], 1.0);
    acc.add(3.0, &[5.0], 1.0);
    let s = acc.finish();
    assert_eq!(s.r, vec![None]);
    assert_eq!(s.performance, vec![Some(3.5)]);
}

#[test]
fn non_finite_and_negative_weight_rows_are_skipped() {
    let d = synthetic(12, 40, 2, true);
    let clean = d.acc().finish();
    let mut acc = d.acc();
    acc.add(f64::NAN, &[1.0, 2.0], 1.0);
    acc.add(1.0, &[f64::INFINITY, 2.0], 1.0);
    acc.add(1.0, &[1.0, 2.0], f64::NAN);
    acc.add(1.0, &[1.0, 2.0], f64::INFINITY);
    acc.add(1.0, &[1.0, 2.0], -1.0);
    assert_eq!(acc.skipped(), 5);
    assert_eq!(acc.finish(), clean);
    // Weight-0 rows count in n but change no number.
    acc.add(1e6, &[-1e6, 7.0], 0.0);
    let s = acc.finish();
    assert_eq!(s.n, 41);
    assert_stats_close(&s, &DriverStats { n: 41, ..clean }, 0.0);
}

#[test]
fn zero_total_weight_and_empty() {
    let mut acc = DriverAcc::new(2);
    let empty = acc.finish();
    assert_eq!(
        empty,
        DriverStats {
            n: 0,
            r2: None,
            r: vec![None; 2],
            importance: vec![None; 2],
            performance: vec![None; 2],
        }
    );
    for i in 0..10 {
        acc.add(i as f64, &[i as f64 * 2.0, (i * i) as f64], 0.0);
    }
    let s = acc.finish();
    assert_eq!(s, DriverStats { n: 10, ..empty });
    let mut other = DriverAcc::new(2);
    other.merge(&acc);
    assert_eq!(other.finish(), s);
}

#[test]
fn no_attributes() {
    let mut acc = DriverAcc::new(0);
    for i in 0..10 {
        acc.add(i as f64, &[], 1.0);
    }
    let s = acc.finish();
    assert_eq!(
        s,
        DriverStats {
            n: 10,
            r2: None,
            r: vec![],
            importance: vec![],
            performance: vec![],
        }
    );
}

/// A large common offset must not change correlations or weights: the naive
/// Σx² − (Σx)²/n formula would lose nearly every digit at 1e9.
#[test]
fn stable_under_large_offsets() {
    let d = synthetic(30, 200, 3, true);
    let base = d.acc().finish();
    let shifted = Data {
        y: d.y.iter().map(|v| v + 1e9).collect(),
        x: d.x
            .iter()
            .map(|r| r.iter().map(|v| v + 1e9).collect())
            .collect(),
        w: d.w.clone(),
    };
    let s = shifted.acc().finish();
    for j in 0..3 {
        assert!(close(s.r[j].unwrap(), base.r[j].unwrap(), 1e-6));
        assert!(close(
            s.importance[j].unwrap(),
            base.importance[j].unwrap(),
            1e-5
        ));
        assert!(close(
            s.performance[j].unwrap() - 1e9,
            base.performance[j].unwrap(),
            1e-5
        ));
    }
    assert!(close(s.r2.unwrap(), base.r2.unwrap(), 1e-6));
}

/// Overflowing values give `None`s, not NaN or infinity.
#[test]
fn overflow_gives_none_not_nan() {
    let mut acc = DriverAcc::new(2);
    for i in 0..10 {
        let v = if i % 2 == 0 { 1e300 } else { -1e300 };
        acc.add(v * (i as f64), &[v, (i as f64) * 1e300], 1.0);
    }
    let s = acc.finish();
    for x in
        s.r.iter()
            .chain(&s.importance)
            .chain(&s.performance)
            .chain([&s.r2])
            .flatten()
    {
        assert!(x.is_finite());
    }
}

/// Attribute counts around the deviations' stack buffer (32 variables, the
/// outcome included): 31 attributes fill it, 32 and 40 use the accumulator's
/// own room. Correlations and means against the two-pass formulas, and a
/// merge of two halves against the whole, on either side.
#[test]
fn many_attributes_past_the_stack_buffer_give_the_same_answers() {
    for p in [31, 32, 40] {
        let d = synthetic(40 + p as u64, 120, p, true);
        let s = d.acc().finish();
        let sw: f64 = d.w.iter().sum();
        for j in 0..p {
            let want = pearson(&d.column(j), &d.y, &d.w);
            assert!(close(s.r[j].unwrap(), want, 1e-10), "p {p} r {j}");
            let mean = (d.column(j).iter().zip(&d.w))
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / sw;
            assert!(
                close(s.performance[j].unwrap(), mean, 1e-12),
                "p {p} mean {j}"
            );
        }
        let (mut first, mut second) = (DriverAcc::new(p), DriverAcc::new(p));
        for (i, ((y, x), w)) in d.y.iter().zip(&d.x).zip(&d.w).enumerate() {
            if i < 50 { &mut first } else { &mut second }.add(*y, x, *w);
        }
        first.merge(&second);
        assert_stats_close(&first.finish(), &s, 1e-10);
    }
}
