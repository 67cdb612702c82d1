//! Compute stage: the design-based variance of a raked dataset's estimates,
//! with the calibration's residuals, as R's `survey` gives it for
//! `calibrate(design, ~m1 + m2 + …, population, calfun = "raking")`
//! (Lumley 2004; Deville & Särndal 1992; SPEC §11).
//!
//! Input: per accumulator (one domain), the [`Cal`] sums of its rows; per
//! dataset, the raking's cell table and factors ([`Calibration::new`]).
//! Output: the variance of the domain's weighted mean.
//!
//! ## The derivation
//! `calibrate` keeps, beside the raked weights w_i = d_i g_i (d the design
//! weights, g the raking factors), the QR decomposition of X̃ = diag(√d) X,
//! X the model matrix of `~m1 + m2 + …` (an intercept and a dummy for every
//! key of every margin but the first), and `svyrecvar` replaces the influence
//! values x_i = w_i e_i of an estimate (for a domain mean,
//! e_i = 1{i ∈ dom}(y_i − ȳ)/W, W = Σ_dom w) by
//! `qr.resid(qr, x / (g √d)) · g √d`. With u_i = x_i/(g_i √d_i) = √d_i e_i,
//! the residual of u on X̃ is √d_i (e_i − x_i'B) where B = (X'DX)⁻¹ X'De is the
//! weighted (by d) least-squares fit of e on X; so the new values are
//!
//!   x̃_i = w_i (e_i − x_i'B)          for *every* row i of the dataset,
//!
//! rows outside the domain included (e_i = 0 there, but x_i'B is not).
//! `onestage` then takes n/(n − 1) · Σ (x̃_i − mean x̃)² over the n rows.
//! Expanding the squares, everything is a sum the pass can keep:
//! - X'De = (U₁ − ȳ U₀)/W with U₀ = Σ_dom d x, U₁ = Σ_dom d x y (per domain);
//! - Σ w²e² = (Σ_dom w²y² − 2ȳ Σ_dom w²y + ȳ² Σ_dom w²)/W² (the accumulator's base);
//! - Σ w² e x'B = B'(V₁ − ȳ V₀)/W with V₀ = Σ_dom w² x, V₁ = Σ_dom w² x y (per domain);
//! - Σ w² (x'B)² = B'HB, H = Σ_all w² x x' (per dataset: from the cells,
//!   Σ_c g_c² Σ_{i∈c} d_i² x_c x_c', x being constant in a cell);
//! - Σ x̃ = Σ w e − Σ w x'B = −h'B, h = Σ_all w x (per dataset; Σ w e = 0);
//! - X'DX = Σ_c (Σ_{i∈c} d_i) x_c x_c' (per dataset).
//!
//! So Var = n/(n − 1) · [Σw²e² − 2B'(V₁ − ȳV₀)/W + B'HB − (h'B)²/n]. Each
//! accumulator keeps 4p sums (p = 1 + Σ (keys − 1)), mergeable like the rest.
//! Without raking B would be 0 and this is [`super::design`]'s formula.
//! Columns of X that are linear combinations of earlier ones (margins that
//! coincide in the data) are left out, as R's pivoting QR leaves them out:
//! the residuals are the same.

use serde::{Deserialize, Serialize};

use super::acc::{Acc, Base, Obs};
use super::rake::CellTable;
use crate::project::rake::Rake;

/// Marks "no column" in a cell's list (the first key of a margin has no dummy).
pub const NO_COLUMN: u32 = u32::MAX;

/// Per accumulator: U₀, U₁, V₀, V₁ (module docs), each of the dataset's p
/// calibration columns, one after the other; empty until a raked row is added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cal(pub Vec<f64>);

impl Cal {
    /// Adds a row of value `y`, raked weight `w`, design weight `d` whose
    /// calibration columns are `cols` (entries [`NO_COLUMN`] skipped).
    #[inline]
    pub fn add(&mut self, y: f64, w: f64, d: f64, cols: &[u32], p: usize) {
        if self.0.len() != 4 * p {
            // Empty until the first raked row (a loaded partial is only merged).
            self.0.resize(4 * p, 0.0);
        }
        let w2 = w * w;
        for &j in cols {
            if j == NO_COLUMN {
                continue;
            }
            let j = j as usize;
            self.0[j] += d;
            self.0[p + j] += d * y;
            self.0[2 * p + j] += w2;
            self.0[3 * p + j] += w2 * y;
        }
    }

    /// Adds another's sums.
    pub fn merge(&mut self, o: &Cal) {
        if o.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0 = o.0.clone();
            return;
        }
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a += b;
        }
    }

    /// Takes out the sums of `part` (a subset of our rows).
    pub fn subtract(&mut self, part: &Cal) {
        if part.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0 = vec![0.0; part.0.len()];
        }
        for (a, b) in self.0.iter_mut().zip(&part.0) {
            *a -= b;
        }
    }

    /// Our sums minus `part`'s.
    pub fn minus(&self, part: &Cal) -> Cal {
        let mut c = self.clone();
        c.subtract(part);
        c
    }
}

/// An accumulator's calibration sums (the net, proportion and mean kinds
/// carry them; they are here, with the variance that reads them).
impl Acc {
    /// A raked dataset's calibration sums of the rows (`None` for kinds
    /// that have no design-based variance).
    pub fn cal(&self) -> Option<&Cal> {
        match self {
            Acc::Net { cal, .. } | Acc::Prop { cal, .. } | Acc::Mean { cal, .. } => Some(cal),
            Acc::Pct { .. } | Acc::Sketched { .. } | Acc::Count { .. } => None,
        }
    }

    /// Adds one row's calibration terms (see [`Cal::add`]): its value `y`
    /// read from `obs`, raked weight `w`, design weight `d` and calibration
    /// columns `cols`, in a dataset of `p` calibration columns.
    #[inline]
    pub fn add_cal(&mut self, obs: Obs, w: f64, d: f64, cols: &[u32], p: usize) {
        let y = match obs {
            Obs::Net(class) => f64::from(class),
            Obs::Hit(hit) => f64::from(u8::from(hit)),
            Obs::Num(x) => x,
            Obs::Row => return,
        };
        if let Acc::Net { cal, .. } | Acc::Prop { cal, .. } | Acc::Mean { cal, .. } = self {
            cal.add(y, w, d, cols, p);
        }
    }

    /// Replaces the calibration sums (the complement of a segment, see
    /// [`crate::metrics::compare::rest`]).
    pub fn set_cal(&mut self, sums: Cal) {
        if let Acc::Net { cal, .. } | Acc::Prop { cal, .. } | Acc::Mean { cal, .. } = self {
            *cal = sums;
        }
    }
}

/// The calibration columns of every cell: `1 + margins` entries per cell —
/// the intercept (0), then per margin its key's dummy or [`NO_COLUMN`] —
/// and p, the number of columns.
pub fn cell_columns(rake: &Rake) -> (Vec<u32>, usize) {
    let sizes: Vec<usize> = rake.margins.iter().map(|m| m.targets.len()).collect();
    let p = 1 + sizes.iter().map(|k| k.saturating_sub(1)).sum::<usize>();
    let cells = rake.cells();
    let mut cols = Vec::with_capacity(cells * (1 + sizes.len()));
    for c in 0..cells {
        cols.push(0);
        // Keys from the cell index: the last margin varies fastest.
        let mut keys = vec![0; sizes.len()];
        let mut rest = c;
        for (m, &k) in sizes.iter().enumerate().rev() {
            keys[m] = rest % k.max(1);
            rest /= k.max(1);
        }
        let mut offset = 1;
        for (m, &k) in sizes.iter().enumerate() {
            cols.push(if keys[m] == 0 {
                NO_COLUMN
            } else {
                (offset + keys[m] - 1) as u32
            });
            offset += k.saturating_sub(1);
        }
    }
    (cols, p)
}

/// A raked dataset's constants of the calibration's variance (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Rows of the dataset.
    n: f64,
    /// Calibration columns.
    p: usize,
    /// The columns kept (independent in X'DX), in order.
    kept: Vec<usize>,
    /// The Cholesky factor of X'DX on the kept columns (row-major, lower).
    chol: Vec<f64>,
    /// H = Σ w² x x' (p × p, row-major).
    h2: Vec<f64>,
    /// h = Σ w x.
    h1: Vec<f64>,
}

impl Calibration {
    /// The constants of a dataset raked by `rake`, whose first pass gathered
    /// `table`, fitted into `factors`.
    pub fn new(rake: &Rake, table: &CellTable, factors: &[f64]) -> Calibration {
        let (cols, p) = cell_columns(rake);
        let width = 1 + rake.margins.len();
        let (mut g, mut h2, mut h1) = (vec![0.0; p * p], vec![0.0; p * p], vec![0.0; p]);
        for c in 0..table.n.len() {
            if table.n[c] == 0 {
                continue;
            }
            let f = factors.get(c).copied().unwrap_or(1.0);
            let xs: Vec<usize> = (cols[c * width..(c + 1) * width].iter())
                .filter(|&&j| j != NO_COLUMN)
                .map(|&j| j as usize)
                .collect();
            for &a in &xs {
                h1[a] += f * table.d[c];
                for &b in &xs {
                    g[a * p + b] += table.d[c];
                    h2[a * p + b] += f * f * table.d2[c];
                }
            }
        }
        // Incremental Cholesky: a column whose remaining pivot is negligible
        // is a combination of the kept ones and is left out.
        let mut kept: Vec<usize> = Vec::new();
        let mut chol: Vec<f64> = Vec::new();
        for j in 0..p {
            let k = kept.len();
            let mut row = vec![0.0; k + 1];
            for (a, &i) in kept.iter().enumerate() {
                let mut s = g[i * p + j];
                for b in 0..a {
                    s -= chol[a * (a + 1) / 2 + b] * row[b];
                }
                row[a] = s / chol[a * (a + 1) / 2 + a];
            }
            let pivot = g[j * p + j] - row[..k].iter().map(|x| x * x).sum::<f64>();
            if pivot > 1e-10 * g[j * p + j].max(f64::MIN_POSITIVE) {
                row[k] = pivot.sqrt();
                chol.extend_from_slice(&row);
                kept.push(j);
            }
        }
        Calibration {
            n: table.rows() as f64,
            p,
            kept,
            chol,
            h2,
            h1,
        }
    }

    /// Solves (X'DX) B = r on the kept columns (packed lower Cholesky).
    fn solve(&self, r: &[f64]) -> Vec<f64> {
        let k = self.kept.len();
        let l = |a: usize, b: usize| self.chol[a * (a + 1) / 2 + b];
        let mut z = vec![0.0; k];
        for a in 0..k {
            let s = r[a] - (0..a).map(|b| l(a, b) * z[b]).sum::<f64>();
            z[a] = s / l(a, a);
        }
        for a in (0..k).rev() {
            let s = z[a] - (a + 1..k).map(|b| l(b, a) * z[b]).sum::<f64>();
            z[a] = s / l(a, a);
        }
        z
    }

    /// The variance of the weighted mean `mean` of a domain with sums `b`
    /// and calibration sums `cal` (module docs); `None` when undefined (no
    /// weight, or a dataset of one row).
    pub fn variance(&self, cal: &Cal, b: &Base, mean: f64) -> Option<f64> {
        let n = self.n;
        if n <= 1.0 || b.sw <= 0.0 {
            return None;
        }
        let (p, w) = (self.p, b.sw);
        let at = |part: usize, j: usize| cal.0.get(part * p + j).copied().unwrap_or(0.0);
        let rhs: Vec<f64> = (self.kept.iter())
            .map(|&j| (at(1, j) - mean * at(0, j)) / w)
            .collect();
        let beta = self.solve(&rhs);
        let ss = (b.sw2yy - 2.0 * mean * b.sw2y + mean * mean * b.sw2) / (w * w);
        let mut cross = 0.0;
        let mut quad = 0.0;
        let mut sum = 0.0;
        for (a, &i) in self.kept.iter().enumerate() {
            cross += beta[a] * (at(3, i) - mean * at(2, i)) / w;
            sum -= beta[a] * self.h1[i];
            for (c, &j) in self.kept.iter().enumerate() {
                quad += beta[a] * self.h2[i * p + j] * beta[c];
            }
        }
        let total = ss - 2.0 * cross + quad - sum * sum / n;
        let total = super::design::above_residue(total * w * w, b, mean) / (w * w);
        Some(n / (n - 1.0) * total)
    }
}
