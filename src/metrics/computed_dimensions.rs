//! The roll-up of indicators per experience dimension, as `metrics.json` publishes it under
//! `dimensions` (issue 20 point 7): a leaf of [`super::computed`], types only.

use serde::Serialize;

use crate::project::model::Dimension;

/// One dimension's roll-up: which indicators it holds and how their headline statuses
/// (on the reporting window) split, so the scorecard's group heading only formats it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    /// The dimension's word (`brand`, `product`, `service`, `employee`); null for the
    /// indicators that declare none, listed last and only when some other indicator
    /// declares one.
    pub dimension: Option<Dimension>,
    /// The indicators' ids, in definition order.
    pub indicators: Vec<String>,
    /// How many indicators (the length of `indicators`).
    pub count: usize,
    /// How many have each headline status.
    pub statuses: StatusCounts,
    /// Indicators with a green, amber or red status: those judged against a target
    /// (suppressed values and indicators without a target are not).
    pub judged: usize,
    /// Green ones as a % of `judged` (0–100, unrounded); null when none is judged.
    pub on_target_share: Option<f64>,
}

/// Indicators per headline status, in the status vocabulary's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// On target.
    pub green: usize,
    /// Watch: between the target and the amber threshold.
    pub amber: usize,
    /// Off target.
    pub red: usize,
    /// Effective n below `min_n`: no value, no status.
    pub suppressed: usize,
    /// No target (or no value).
    pub none: usize,
}
