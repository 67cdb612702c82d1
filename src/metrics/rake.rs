//! Compute stage: raking a dataset's weights to its target margins (SPEC §11).
//!
//! Input: a [`CellTable`] — per cell of the cross-classification of the margin
//! columns, the rows' count and design-weight sums, gathered by a first pass
//! over every row of the dataset — and the dataset's [`Rake`]. Output: a
//! [`Fit`]: one factor per cell (a row's raked weight is its design weight
//! times its cell's factor), the iterations, and the achieved shares.
//!
//! Why cells: iterative proportional fitting multiplies the weights of every
//! row with key k of margin m by the same ratio, so after any number of sweeps
//! a row's weight is its design weight times a product of per-key factors —
//! a function of its cell alone. Fitting the cell table (a few dozen numbers)
//! is the same as fitting millions of rows, and the second pass looks each
//! row's factor up by its cell index. The solution is the unique one of the
//! raking family d·exp(x'λ) that meets the margins, which R's `survey`
//! `calibrate(..., calfun = "raking")` also finds.

use serde::{Deserialize, Serialize};

use super::computed::{MarginFit, Weighting};
use crate::diag::Diagnostics;
use crate::project::rake::Rake;

/// Per cell of the margins' cross-classification: what the first pass saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellTable {
    /// Rows.
    pub n: Vec<u64>,
    /// Σ design weight.
    pub d: Vec<f64>,
    /// Σ design weight², for the weights' spread (design effect).
    pub d2: Vec<f64>,
    /// The smallest design weight (+∞ when empty).
    pub min: Vec<f64>,
    /// The largest design weight (−∞ when empty).
    pub max: Vec<f64>,
}

impl CellTable {
    /// An empty table of `cells` cells.
    pub fn new(cells: usize) -> CellTable {
        CellTable {
            n: vec![0; cells],
            d: vec![0.0; cells],
            d2: vec![0.0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
        }
    }

    /// Adds a row of design weight `w` in `cell`.
    pub fn add(&mut self, cell: usize, w: f64) {
        self.n[cell] += 1;
        self.d[cell] += w;
        self.d2[cell] += w * w;
        self.min[cell] = self.min[cell].min(w);
        self.max[cell] = self.max[cell].max(w);
    }

    /// Adds another table's rows (read after ours).
    pub fn merge(&mut self, o: &CellTable) {
        for c in 0..self.n.len().min(o.n.len()) {
            self.n[c] += o.n[c];
            self.d[c] += o.d[c];
            self.d2[c] += o.d2[c];
            self.min[c] = self.min[c].min(o.min[c]);
            self.max[c] = self.max[c].max(o.max[c]);
        }
    }

    /// Rows in the table.
    pub fn rows(&self) -> u64 {
        self.n.iter().sum()
    }
}

/// The cell index of a row from its key index in each margin (row-major in
/// the order the margins are written: the last margin varies fastest).
pub fn cell_index(rake: &Rake, keys: impl Iterator<Item = usize>) -> usize {
    (rake.margins.iter().zip(keys)).fold(0, |c, (m, k)| c * m.targets.len() + k)
}

/// The key index of `cell` in margin `m`.
fn key_of(rake: &Rake, cell: usize, m: usize) -> usize {
    let after: usize = (rake.margins[m + 1..].iter())
        .map(|x| x.targets.len())
        .product();
    (cell / after) % rake.margins[m].targets.len()
}

/// The fitted weights and how the fitting went.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Per cell, the factor a row's design weight is multiplied by.
    pub factors: Vec<f64>,
    /// Sweeps over the margins done.
    pub iterations: u32,
    /// Whether every achieved share is within the tolerance of its target.
    pub converged: bool,
    /// Per margin, per key (as in [`Rake::margins`]), the achieved share.
    pub achieved: Vec<Vec<f64>>,
    /// The largest |achieved − target|: (margin, key, gap).
    pub worst: (usize, usize, f64),
}

/// Iterative proportional fitting (Deming & Stephan 1940) of `table` to the
/// margins of `rake`, with the weights summing to `total`.
///
/// One sweep scales, margin after margin, every cell of key k so that the
/// key's weight is `total × share`; after each sweep the achieved shares are
/// compared with the targets, and the fitting stops when the largest gap is
/// at most `rake.tolerance` or after `rake.max_iterations` sweeps. A key
/// without rows gets no factor (the caller reports it); cells without rows
/// keep factor 1 (no row reads them).
pub fn fit(rake: &Rake, table: &CellTable, total: f64) -> Fit {
    let cells = table.n.len();
    let mut g = vec![1.0; cells];
    let margins = rake.margins.len();
    let keys: Vec<Vec<usize>> = (0..margins)
        .map(|m| (0..cells).map(|c| key_of(rake, c, m)).collect())
        .collect();
    let sums = |g: &[f64], m: usize| {
        let mut s = vec![0.0; rake.margins[m].targets.len()];
        for c in 0..cells {
            s[keys[m][c]] += table.d[c] * g[c];
        }
        s
    };
    let measure = |g: &[f64]| {
        let mut achieved = Vec::with_capacity(margins);
        let mut worst = (0, 0, 0.0_f64);
        for m in 0..margins {
            let s = sums(g, m);
            let all: f64 = s.iter().sum();
            let shares: Vec<f64> = s.iter().map(|x| x / all).collect();
            for (k, (share, (_, target, _))) in
                shares.iter().zip(&rake.margins[m].targets).enumerate()
            {
                let gap = (share - target).abs();
                if gap > worst.2 || gap.is_nan() {
                    worst = (m, k, gap);
                }
            }
            achieved.push(shares);
        }
        (achieved, worst)
    };
    let mut iterations = 0;
    let (mut achieved, mut worst) = measure(&g);
    while iterations < rake.max_iterations {
        iterations += 1;
        for m in 0..margins {
            let s = sums(&g, m);
            let ratio: Vec<f64> = (s.iter().zip(&rake.margins[m].targets))
                .map(|(x, (_, share, _))| if *x > 0.0 { total * share / x } else { 1.0 })
                .collect();
            for c in 0..cells {
                g[c] *= ratio[keys[m][c]];
            }
        }
        (achieved, worst) = measure(&g);
        if worst.2 <= rake.tolerance {
            break;
        }
    }
    Fit {
        converged: worst.2 <= rake.tolerance,
        factors: g,
        iterations,
        achieved,
        worst,
    }
}

/// The weighting report's numbers over rows: Kish's design effect n·Σw²/(Σw)²
/// and the smallest and largest raked weight.
pub fn spread(table: &CellTable, factors: &[f64]) -> (f64, f64, f64) {
    let (mut sw, mut sw2, mut lo, mut hi) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for (c, &f) in factors.iter().enumerate() {
        if table.n[c] == 0 {
            continue;
        }
        sw += table.d[c] * f;
        sw2 += table.d2[c] * f * f;
        lo = lo.min(table.min[c] * f);
        hi = hi.max(table.max[c] * f);
    }
    let n = table.rows() as f64;
    let deff = if sw > 0.0 { n * sw2 / (sw * sw) } else { 0.0 };
    (deff, lo, hi)
}

/// Fits a dataset's gathered `table` to its `rake`, recording what keeps the
/// fitting from being trusted: a target key no row has (at the share's place
/// in `cxscore.yaml`), and no convergence (at `rake:`, naming the margin key
/// furthest from its target and the gap). Returns the cells' factors (all 1
/// when the fitting could not run) and the weighting report.
pub fn settle(
    dataset: &str,
    rake: &Rake,
    table: &CellTable,
    diags: &mut Diagnostics,
) -> (Vec<f64>, Option<Weighting>) {
    let cells = table.n.len();
    let mut missing = false;
    for (m, margin) in rake.margins.iter().enumerate() {
        for (k, (key, share, at)) in margin.targets.iter().enumerate() {
            let rows: u64 = (0..cells)
                .filter(|&c| key_of(rake, c, m) == k)
                .map(|c| table.n[c])
                .sum();
            if rows == 0 {
                missing = true;
                diags.error_hint(
                    at.clone(),
                    format!(
                        "`{}: {key}` has a target share of {share}, but no row of dataset `{dataset}` has it",
                        margin.column.name
                    ),
                    "remove the key (and give its share to the others), or check the data's spelling",
                );
            }
        }
    }
    if missing || table.rows() == 0 {
        return (vec![1.0; cells], None);
    }
    let total = rake.total.unwrap_or(table.rows() as f64);
    let f = fit(rake, table, total);
    if !f.converged {
        let (m, k, gap) = f.worst;
        let margin = &rake.margins[m];
        let (key, target, _) = &margin.targets[k];
        diags.error_hint(
            rake.location.clone(),
            format!(
                "raking dataset `{dataset}` did not converge in {} iteration(s): `{}: {key}` is at {:.6} against its target {target} (gap {gap:.1e}, tolerance {:e})",
                f.iterations, margin.column.name, f.achieved[m][k], rake.tolerance
            ),
            "raise `max_iterations`, loosen `tolerance`, or merge sparse keys (a key with very few rows can make the margins impossible to meet together)",
        );
    }
    let (design_effect, min_weight, max_weight) = spread(table, &f.factors);
    let margins = (rake.margins.iter().zip(&f.achieved))
        .map(|(m, achieved)| {
            let keys = (m.targets.iter().zip(achieved))
                .map(|((key, target, _), &achieved)| {
                    (
                        key.clone(),
                        MarginFit {
                            target: *target,
                            achieved,
                        },
                    )
                })
                .collect();
            (m.column.name.clone(), keys)
        })
        .collect();
    let report = Weighting {
        method: "raking".into(),
        iterations: f.iterations,
        converged: f.converged,
        design_effect,
        min_weight,
        max_weight,
        margins,
    };
    (f.factors, Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;
    use crate::project::model::ColumnRef;
    use crate::project::rake::Margin;

    fn margin(name: &str, targets: &[(&str, f64)]) -> Margin {
        Margin {
            column: ColumnRef {
                name: name.into(),
                location: Location::default(),
            },
            targets: (targets.iter())
                .map(|(k, s)| (k.to_string(), *s, Location::default()))
                .collect(),
        }
    }

    #[test]
    fn two_by_two_by_hand() {
        // Cells (a,x) (a,y) (b,x) (b,y) with 1, 2, 3, 4 rows of weight 1;
        // every target 0.5, total 10: each margin key weighs 5, so the cells
        // are (p, 5 − p, 5 − p, p). Raking keeps the data's odds ratio
        // 1·4/(2·3) = 2/3, so p²/(5 − p)² = 2/3 and p = 5r/(1 + r), r = √(2/3).
        let rake = Rake {
            margins: vec![
                margin("ab", &[("a", 0.5), ("b", 0.5)]),
                margin("xy", &[("x", 0.5), ("y", 0.5)]),
            ],
            total: Some(10.0),
            max_iterations: 200,
            tolerance: 1e-13,
            location: Location::default(),
        };
        let mut t = CellTable::new(4);
        for (c, rows) in [1, 2, 3, 4].iter().enumerate() {
            for _ in 0..*rows {
                t.add(c, 1.0);
            }
        }
        let f = fit(&rake, &t, 10.0);
        assert!(f.converged, "{f:?}");
        let w: Vec<f64> = (0..4).map(|c| t.d[c] * f.factors[c]).collect();
        assert!((w[0] + w[1] - 5.0).abs() < 1e-10 && (w[0] + w[2] - 5.0).abs() < 1e-10);
        // The odds ratio of the data, 1·4/(2·3) = 2/3, is what raking keeps.
        assert!((w[0] * w[3] / (w[1] * w[2]) - 4.0 / 6.0).abs() < 1e-9);
        // Symmetric margins: w_ax = w_by = p, w_ay = w_bx = 5 − p, p²/(5−p)² = 2/3.
        let r = (2.0_f64 / 3.0).sqrt();
        let p = 5.0 * r / (1.0 + r);
        assert!((w[0] - p).abs() < 1e-9, "{w:?} vs {p}");
        assert_eq!(cell_index(&rake, [1, 0].into_iter()), 2);
    }

    #[test]
    fn no_convergence_names_the_worst_margin() {
        // One sweep only, from a skewed table: the first margin is off after it.
        let rake = Rake {
            margins: vec![
                margin("ab", &[("a", 0.5), ("b", 0.5)]),
                margin("xy", &[("x", 0.2), ("y", 0.8)]),
            ],
            total: None,
            max_iterations: 1,
            tolerance: 1e-12,
            location: Location::default(),
        };
        let mut t = CellTable::new(4);
        for (c, rows) in [9, 1, 1, 9].iter().enumerate() {
            for _ in 0..*rows {
                t.add(c, 1.0);
            }
        }
        let f = fit(&rake, &t, 20.0);
        assert!(!f.converged);
        assert_eq!(f.iterations, 1);
        assert_eq!(f.worst.0, 0, "the last margin fitted is exact: {f:?}");
        assert!(f.worst.2 > 0.01);
    }
}
