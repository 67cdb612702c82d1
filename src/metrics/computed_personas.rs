//! The personas' part of `metrics.json`: how big each one is (issue 20).
//!
//! A leaf like [`super::computed`]: types only; [`super::persona_size`] fills them.

use serde::Serialize;

/// One persona's share of one dataset's respondents on the report window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaSize {
    /// The persona id.
    pub persona: String,
    /// The dataset.
    pub dataset: String,
    /// The indicator whose answered rows are the dataset's respondents (its
    /// unfiltered indicator with the largest weight in the window).
    pub indicator: String,
    /// The persona's answered rows of that indicator in the window.
    pub n: u64,
    /// Its weighted share of them, in % (null when the window has no rows).
    pub share: Option<f64>,
    /// Its share of the customer base, in %, where the dataset's `rake:` has
    /// a margin on the persona's match column: the targets of its values over
    /// the margin's total (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_share: Option<f64>,
    /// Customers it stands for, when `value_at_stake` reads this dataset:
    /// `customers` × `base_share` (or `share` without one) / 100 (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<f64>,
}
