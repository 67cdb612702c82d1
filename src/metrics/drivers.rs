//! Key driver analysis (SPEC §2 "Key drivers"): which attribute ratings move
//! the outcome (e.g. likelihood to recommend), and how well each one performs.
//!
//! For each attribute the site shows its weighted Pearson `r` with the outcome,
//! its *importance* — Johnson's relative weight as a percentage of the model's
//! R² — and its *performance* (its weighted mean): the importance/performance
//! quadrant.
//!
//! # Method
//! Johnson, J. W. (2000). *A heuristic method for estimating the relative weight
//! of predictor variables in multiple regression.* Multivariate Behavioral
//! Research, 35(1), 1–19.
//!
//! With `R_xx` the correlation matrix of the attributes and `r_xy` their
//! correlations with the outcome:
//! 1. eigendecompose `R_xx = Q Λ Qᵀ` and form `Λ½ = Q Λ^{1/2} Qᵀ` (the
//!    correlations between the attributes and their closest orthogonal
//!    counterparts);
//! 2. regress the outcome on those orthogonal counterparts: `β = Λ½⁻¹ r_xy`;
//! 3. the raw weight of attribute `j` is `ε_j = Σ_k Λ½[j][k]² β_k²`; the
//!    weights add up to the R² of the ordinary least-squares regression of the
//!    outcome on all attributes, and `importance_j = 100 · ε_j / R²`.
//!
//! Correlations are weighted (survey weights; every weight 1 when the dataset
//! has none), so the same numbers result whatever the weights' scale.
//!
//! # Streaming and merging
//! [`DriverAcc`] keeps only the weighted means and the weighted co-moment
//! matrix `C = Σ w (x − x̄)(x − x̄)ᵀ` of (outcome, attributes), updated one row
//! at a time with West's (1979) weighted form of Welford's update, and combined
//! across partial results with the pairwise formula of Chan, Golub & LeVeque
//! (1979). It never forms `Σx² − (Σx)²/n`, which loses every significant digit
//! when ratings sit far from zero relative to their spread.
//!
//! # Degenerate cases
//! Nothing here panics on data or returns NaN; a number that cannot be
//! estimated is `None`:
//! - rows with a non-finite outcome, attribute or weight, or a negative weight,
//!   are skipped: not counted in `n`, not used (counted by
//!   [`DriverAcc::skipped`]). The engine validates cells before they reach us,
//!   so this is a last line of defence, not a data-quality report;
//! - a row with weight 0 is counted in `n` (it was answered) but carries no
//!   information; the thresholds below count only rows with positive weight;
//! - `performance` needs a positive total weight;
//! - `r[j]` needs at least 3 positively weighted rows (with 2, r is always ±1)
//!   and non-zero variance in both the outcome and attribute `j`;
//! - `r2` and `importance` need at least `attributes + 2` positively weighted
//!   rows (a regression with at least one residual degree of freedom), non-zero
//!   variance in the outcome and every attribute, and a well-conditioned
//!   `R_xx` (smallest eigenvalue above [`MIN_EIGEN_RATIO`] times the largest):
//!   a duplicated or linearly dependent attribute makes the split of R²
//!   between attributes arbitrary, so none is reported;
//! - `importance` additionally needs R² > 0 (there is nothing to share out
//!   when every `r` is exactly 0);
//! - 0 attributes: empty vectors and `r2` `None`.

use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Smallest eigenvalue of the attributes' correlation matrix, relative to the
/// largest, below which the matrix is treated as singular (condition number
/// 10⁸). Why: `β = Λ½⁻¹ r_xy` amplifies rounding error by `1/√λ_min`; past this
/// the weights would reflect rounding, not data. Real survey attributes, even
/// strongly correlated ones (r = 0.999), stay well above it; an exact or
/// rounding-level duplicate falls far below.
pub const MIN_EIGEN_RATIO: f64 = 1e-8;

/// A standard deviation at or below this fraction of the variable's mean
/// magnitude is treated as zero variance. Why: centring loses about `ε·|mean|`
/// to rounding, so a spread that small is indistinguishable from a constant.
const MIN_REL_SD: f64 = 1e-12;

/// Streaming, mergeable accumulator of weighted first and second moments of
/// (outcome, attributes).
///
/// Why this shape: the engine reads each dataset in one streaming pass, possibly
/// in parallel chunks, so a key driver analysis must be fed row by row and be
/// combinable, while holding only O(attributes²) numbers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DriverAcc {
    /// Number of attributes (the outcome is variable 0, attribute j is j + 1).
    p: usize,
    /// Rows accepted (finite values, weight ≥ 0).
    n: u64,
    /// Rows accepted with a positive weight: the ones that carry information.
    n_pos: u64,
    /// Rows refused (non-finite value or weight, negative weight, wrong length).
    skipped: u64,
    /// Total weight Σw.
    w: f64,
    /// Weighted means, length p + 1.
    mean: Vec<f64>,
    /// Weighted co-moments Σw(xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ), (p + 1)² row-major; only the
    /// upper triangle (i ≤ j) is maintained.
    com: Vec<f64>,
    /// The deviation vector's room when it is longer than
    /// [`STACK_VARIABLES`] (empty otherwise, and never stored): scratch of one
    /// row, grown once, so `add` does not allocate.
    #[serde(skip)]
    spill: Vec<f64>,
}

/// Variables (outcome and attributes) whose deviation vector [`DriverAcc::add`]
/// keeps on the stack; more use the accumulator's `spill`. The deviations are
/// scratch of one row: kept in every group's accumulator they were one more
/// heap block per group, touched by every row, and stored in the cache.
const STACK_VARIABLES: usize = 32;

/// Runs `f` on a scratch slice of `k` numbers: on the stack up to
/// [`STACK_VARIABLES`], else in `spill` (grown to `k` the first time).
#[inline]
fn with_scratch<R>(k: usize, spill: &mut Vec<f64>, f: impl FnOnce(&mut [f64]) -> R) -> R {
    let mut stack = [0.0f64; STACK_VARIABLES];
    match stack.get_mut(..k) {
        Some(scratch) => f(scratch),
        None => {
            spill.resize(k, 0.0);
            f(spill)
        }
    }
}

/// The result of a key driver analysis, one entry per attribute in the order
/// they were given.
///
/// Why `Option`s: a number that cannot be estimated from the data (see the
/// module docs) must show as "not available", never as NaN or a made-up 0.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverStats {
    /// Rows used (accepted by [`DriverAcc::add`], including weight-0 rows).
    pub n: u64,
    /// R² of the regression of the outcome on all attributes (= Σ raw relative
    /// weights).
    pub r2: Option<f64>,
    /// Weighted Pearson correlation of each attribute with the outcome.
    pub r: Vec<Option<f64>>,
    /// Johnson's relative weight of each attribute, as % of R² (they sum to 100).
    pub importance: Vec<Option<f64>>,
    /// Weighted mean of each attribute.
    pub performance: Vec<Option<f64>>,
}

impl DriverAcc {
    /// An empty accumulator for `attributes` attribute columns.
    ///
    /// Why the count up front: every row and every merged partial must have
    /// the same shape.
    pub fn new(attributes: usize) -> Self {
        let k = attributes + 1;
        DriverAcc {
            p: attributes,
            n: 0,
            n_pos: 0,
            skipped: 0,
            w: 0.0,
            mean: vec![0.0; k],
            com: vec![0.0; k * k],
            spill: Vec::new(),
        }
    }

    /// One listwise-complete row (the caller has already dropped rows with any
    /// blank).
    ///
    /// Why it may refuse a row: a non-finite value or weight, or a negative
    /// weight, would poison every moment; such a row is skipped and counted in
    /// [`DriverAcc::skipped`], not in `n`. A slice whose length differs from
    /// the attribute count is a caller bug: it fails a debug assertion, and in
    /// release builds is skipped the same way.
    pub fn add(&mut self, outcome: f64, attributes: &[f64], weight: f64) {
        debug_assert_eq!(
            attributes.len(),
            self.p,
            "DriverAcc::add: wrong number of attributes"
        );
        if attributes.len() != self.p
            || !weight.is_finite()
            || weight < 0.0
            || !outcome.is_finite()
            || attributes.iter().any(|v| !v.is_finite())
        {
            self.skipped += 1;
            return;
        }
        self.n += 1;
        if weight == 0.0 {
            return;
        }
        self.n_pos += 1;
        let k = self.p + 1;
        let w_new = self.w + weight;
        // West (1979): with d = x − x̄_old,
        //   x̄_new = x̄_old + (w / W_new) d,
        //   C_new = C_old + w · (W_old / W_new) · d dᵀ.
        let frac = weight / w_new;
        let coef = weight * (self.w / w_new);
        with_scratch(k, &mut self.spill, |delta| {
            delta[0] = outcome - self.mean[0];
            for (d, (x, m)) in delta[1..]
                .iter_mut()
                .zip(attributes.iter().zip(&self.mean[1..]))
            {
                *d = x - m;
            }
            for (m, d) in self.mean.iter_mut().zip(delta.iter()) {
                *m += frac * d;
            }
            for i in 0..k {
                let di = coef * delta[i];
                let row = &mut self.com[i * k + i..(i + 1) * k];
                for (c, dj) in row.iter_mut().zip(&delta[i..]) {
                    *c += di * dj;
                }
            }
        });
        self.w = w_new;
    }

    /// Combine partial results; `merge(a, b)` equals feeding a's rows then b's
    /// (to floating-point tolerance).
    ///
    /// Why: the engine may accumulate chunks, segments or files separately.
    /// Uses the pairwise update (Chan, Golub & LeVeque 1979), weighted:
    /// `C = C_a + C_b + (W_a W_b / W) δ δᵀ` with `δ = x̄_b − x̄_a`. Merging
    /// accumulators of different attribute counts is a caller bug: it fails a
    /// debug assertion, and in release builds the other side's rows are
    /// counted as skipped.
    pub fn merge(&mut self, other: &DriverAcc) {
        debug_assert_eq!(self.p, other.p, "DriverAcc::merge: different shapes");
        if self.p != other.p {
            self.skipped += other.n + other.skipped;
            return;
        }
        self.n += other.n;
        self.n_pos += other.n_pos;
        self.skipped += other.skipped;
        let w = self.w + other.w;
        if other.w == 0.0 || w == 0.0 {
            return;
        }
        let k = self.p + 1;
        let frac = other.w / w;
        let coef = self.w * (other.w / w);
        with_scratch(k, &mut self.spill, |delta| {
            for (d, (theirs, mine)) in delta.iter_mut().zip(other.mean.iter().zip(&self.mean)) {
                *d = theirs - mine;
            }
            for (m, d) in self.mean.iter_mut().zip(delta.iter()) {
                *m += frac * d;
            }
            for i in 0..k {
                let di = coef * delta[i];
                let upper = i * k + i..(i + 1) * k;
                let (mine, theirs) = (&mut self.com[upper.clone()], &other.com[upper]);
                for ((c, t), dj) in mine.iter_mut().zip(theirs).zip(&delta[i..]) {
                    *c += t + di * dj;
                }
            }
        });
        self.w = w;
    }

    /// Attribute columns (the outcome excluded): the shape a stored partial must have.
    pub fn attributes(&self) -> usize {
        self.p
    }

    /// Σw of the rows taken (with [`sums::DriverSums`]'s Σw², Kish's effective n).
    pub fn total_weight(&self) -> f64 {
        self.w
    }

    /// Rows refused by [`DriverAcc::add`] (non-finite value or weight, negative
    /// weight), so the caller can report them if it wants to.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The statistics; see the module docs for when each is `None`.
    ///
    /// Why `&self`: finishing does not consume, so a caller may report an
    /// intermediate result and keep merging.
    pub fn finish(&self) -> DriverStats {
        let p = self.p;
        let k = p + 1;
        let mut stats = DriverStats {
            n: self.n,
            r2: None,
            r: vec![None; p],
            importance: vec![None; p],
            performance: vec![None; p],
        };
        if !(self.w > 0.0 && self.w.is_finite()) {
            return stats;
        }
        for (perf, m) in stats.performance.iter_mut().zip(&self.mean[1..]) {
            *perf = finite(*m);
        }
        if self.n_pos < 3 {
            return stats;
        }

        // √C_ii, or None when the variable is (numerically) constant.
        let root: Vec<Option<f64>> = (0..k)
            .map(|i| {
                let c = self.com[i * k + i];
                let sd = (c / self.w).sqrt();
                (c.is_finite() && c > 0.0 && sd > MIN_REL_SD * self.mean[i].abs())
                    .then(|| c.sqrt())
                    .and_then(finite)
            })
            .collect();
        let corr = |i: usize, j: usize| -> Option<f64> {
            let (a, b) = if i <= j { (i, j) } else { (j, i) };
            let c = self.com[a * k + b] / (root[a]? * root[b]?);
            finite(c).map(|c| c.clamp(-1.0, 1.0))
        };
        for (j, r) in stats.r.iter_mut().enumerate() {
            *r = corr(0, j + 1);
        }

        if p == 0 || self.n_pos < p as u64 + 2 || root.iter().any(Option::is_none) {
            return stats;
        }
        let mut rxx = DMatrix::<f64>::identity(p, p);
        let mut rxy = DVector::<f64>::zeros(p);
        for i in 0..p {
            let Some(r) = stats.r[i] else { return stats };
            rxy[i] = r;
            for j in (i + 1)..p {
                let Some(c) = corr(i + 1, j + 1) else {
                    return stats;
                };
                rxx[(i, j)] = c;
                rxx[(j, i)] = c;
            }
        }
        if let Some((sum, eps)) = relative_weights(rxx, &rxy) {
            if sum > 0.0 {
                for (imp, e) in stats.importance.iter_mut().zip(&eps) {
                    *imp = finite(100.0 * e / sum);
                }
            }
            // R² of a least-squares fit cannot exceed 1; clip rounding overshoot only.
            stats.r2 = Some(sum.min(1.0));
        }
        stats
    }
}

/// Johnson's (2000) raw relative weights from a correlation matrix of the
/// attributes and their correlations with the outcome: `(Σε, ε)`, or `None`
/// when `rxx` is singular or near-singular.
fn relative_weights(rxx: DMatrix<f64>, rxy: &DVector<f64>) -> Option<(f64, Vec<f64>)> {
    let p = rxy.len();
    let eig = SymmetricEigen::new(rxx);
    let max = eig.eigenvalues.max();
    let min = eig.eigenvalues.min();
    if !(max.is_finite() && min.is_finite() && max > 0.0 && min > MIN_EIGEN_RATIO * max) {
        return None;
    }
    let q = &eig.eigenvectors;
    let sqrt_l = eig.eigenvalues.map(f64::sqrt);
    // Λ½ = Q diag(√λ) Qᵀ; Λ½⁻¹ = Q diag(1/√λ) Qᵀ (same eigenvectors).
    let half = q * DMatrix::from_diagonal(&sqrt_l) * q.transpose();
    let half_inv = q * DMatrix::from_diagonal(&sqrt_l.map(|s| 1.0 / s)) * q.transpose();
    let beta = half_inv * rxy;
    let eps: Vec<f64> = (0..p)
        .map(|j| (0..p).map(|m| (half[(j, m)] * beta[m]).powi(2)).sum())
        .collect();
    let r2: f64 = eps.iter().sum();
    if !r2.is_finite() || eps.iter().any(|e| !e.is_finite()) {
        return None;
    }
    Some((r2, eps))
}

/// `Some(x)` when `x` is finite: no NaN or infinity ever reaches the report.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

pub mod bootstrap;
pub mod penalty;
pub mod sums;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_intervals;
