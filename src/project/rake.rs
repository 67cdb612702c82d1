//! Validate stage: a dataset's `rake:` block, checked into a [`Rake`].
//!
//! Input: the raw `rake:` of one dataset ([`RawRake`]). Output: the margins
//! with their target shares, each share and column remembering where it was
//! written so the compute stage can blame a target that has no rows, and the
//! fitting's settings with their defaults (SPEC §11). It exists apart from
//! `config.rs` because raking is a statistic of its own, not a data role.

use std::path::Path;

use super::config::column;
use super::model::ColumnRef;
use super::raw::RawRake;
use super::yaml::{location, Spanned};
use crate::diag::{Diagnostics, Location};

/// How far a column's shares may be from summing to 1 (SPEC §11).
pub const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// The default number of sweeps over the margins.
pub const DEFAULT_MAX_ITERATIONS: u32 = 100;

/// The default largest |achieved share − target| at convergence.
pub const DEFAULT_TOLERANCE: f64 = 1e-10;

/// At most this many cells (the product of the margins' key counts): the
/// fitting works on the cross-classification, which must stay small.
pub const MAX_CELLS: usize = 1_000_000;

/// A dataset's raking: the weights are fitted so that each margin column's
/// weighted shares meet its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Rake {
    /// The margins, in the order written.
    pub margins: Vec<Margin>,
    /// What the weights sum to; `None`: the number of rows.
    pub total: Option<f64>,
    /// At most this many sweeps.
    pub max_iterations: u32,
    /// Converged when every |achieved share − target| ≤ this.
    pub tolerance: f64,
    /// Where `rake:` was written (blamed when the fitting does not converge).
    pub location: Location,
}

/// One margin: a column and the target share of each of its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// The column.
    pub column: ColumnRef,
    /// Keys (trimmed) with their target shares and where each was written,
    /// in the order written.
    pub targets: Vec<(String, f64, Location)>,
}

impl Rake {
    /// The number of cells of the cross-classification (the product of the
    /// margins' key counts).
    pub fn cells(&self) -> usize {
        (self.margins.iter()).fold(1usize, |n, m| n.saturating_mul(m.targets.len()))
    }
}

/// Checks a dataset's `rake:`: at least one margin, every share a number in
/// 0..=1, each column's shares summing to 1 (±[`SHARE_SUM_TOLERANCE`]), a
/// positive total, a positive tolerance, at least one iteration, and a
/// cross-classification of at most [`MAX_CELLS`] cells. Every problem is
/// recorded; `None` when there was one.
pub fn validate_rake(file: &Path, raw: &Spanned<RawRake>, diags: &mut Diagnostics) -> Option<Rake> {
    let before = diags.error_count();
    let r = &raw.value;
    let mut margins = Vec::new();
    if r.margins.value.is_empty() {
        diags.error_hint(
            location(file, &r.margins),
            "`rake.margins` names no column",
            "give at least one column with its target shares, e.g. `region: { north: 0.6, south: 0.4 }`",
        );
    }
    for (name, keys) in &r.margins.value {
        let at = location(file, keys);
        let col = column(
            file,
            &Spanned::new(name.clone(), keys.referenced, keys.defined),
        );
        let mut targets: Vec<(String, f64, Location)> = Vec::new();
        let mut sum = 0.0;
        for (key, share) in &keys.value.0 {
            let share_at = location(file, share);
            let v = share.value;
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                diags.error_hint(
                    share_at.clone(),
                    format!("the target share of `{key}` in `{name}` is {v}, not between 0 and 1"),
                    "write a share such as 0.25 (a quarter of the weight)",
                );
            } else if v == 0.0 {
                diags.error_hint(
                    share_at.clone(),
                    format!("the target share of `{key}` in `{name}` is 0: raking cannot give rows no weight"),
                    "remove the key (and its rows), or give it a positive share",
                );
            }
            sum += v;
            let key = key.trim().to_string();
            if targets.iter().any(|(k, _, _)| *k == key) {
                diags.error(
                    share_at.clone(),
                    format!("`{key}` is listed twice in `{name}`"),
                );
            }
            targets.push((key, v, share_at));
        }
        if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
            diags.error_hint(
                at,
                // Rounded: 0.6 + 0.3 is 0.8999999999999999 in binary.
                format!(
                    "the target shares of `{name}` sum to {}, not 1",
                    (sum * 1e9).round() / 1e9
                ),
                "shares are fractions of the whole: make them add up to 1 (±1e-6)",
            );
        }
        margins.push(Margin {
            column: col,
            targets,
        });
    }
    let total = r.total.as_ref().map(|t| {
        if !(t.value.is_finite() && t.value > 0.0) {
            diags.error_hint(
                location(file, t),
                format!("`rake.total` is {}, but it must be a positive number", t.value),
                "the weights sum to it, e.g. the number of customers; leave it out for the row count",
            );
        }
        t.value
    });
    let max_iterations = r
        .max_iterations
        .as_ref()
        .map_or(DEFAULT_MAX_ITERATIONS, |m| {
            if m.value == 0 {
                diags.error(
                    location(file, m),
                    "`rake.max_iterations` must be at least 1",
                );
            }
            m.value
        });
    let tolerance = r.tolerance.as_ref().map_or(DEFAULT_TOLERANCE, |t| {
        if !(t.value.is_finite() && t.value > 0.0) {
            diags.error_hint(
                location(file, t),
                format!(
                    "`rake.tolerance` is {}, but it must be a positive number",
                    t.value
                ),
                "e.g. `tolerance: 1.0e-10`",
            );
        }
        t.value
    });
    let rake = Rake {
        margins,
        total,
        max_iterations,
        tolerance,
        location: location(file, raw),
    };
    if rake.cells() > MAX_CELLS {
        diags.error_hint(
            rake.location.clone(),
            format!(
                "the margins cross-classify into {} cells, more than {MAX_CELLS}",
                rake.cells()
            ),
            "rake on fewer columns, or on columns with fewer keys",
        );
    }
    (diags.error_count() == before).then_some(rake)
}
