//! `metrics.json`: `value_at_stake` (SPEC §9) — the NPS groups' revenue and
//! churn, the spend ratio, the churn gap and the revenue at risk. Plain data,
//! like the rest of [`super::computed`]: nothing here computes.

use serde::Serialize;

use super::computed::WindowInfo;

/// The value at stake of the project's `value_at_stake:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueResult {
    /// The NPS indicator whose groups these are.
    pub indicator: String,
    /// Its dataset.
    pub dataset: String,
    /// The reporting window the numbers are for; null for a dataset without
    /// dates (every row).
    pub window: Option<WindowInfo>,
    /// `customers:` as configured: the base the survey represents.
    pub customer_base: f64,
    /// Rows in any group (answered the NPS question, inside its `where`).
    pub n: u64,
    /// Kish's effective n of those rows.
    pub effective_n: f64,
    /// Per group.
    pub groups: ValueGroups,
    /// Mean revenue of promoters ÷ of detractors.
    pub spend_ratio: Option<f64>,
    /// Lower end of its interval (delta method on its log).
    pub spend_ratio_ci_low: Option<f64>,
    /// Upper end.
    pub spend_ratio_ci_high: Option<f64>,
    /// Churn of detractors − churn of promoters, in percentage points.
    pub churn_gap: Option<f64>,
    /// Lower end of its unpooled Wald interval.
    pub churn_gap_ci_low: Option<f64>,
    /// Upper end.
    pub churn_gap_ci_high: Option<f64>,
    /// The two-sided p-value of the z test of the gap against 0.
    pub churn_gap_p_value: Option<f64>,
    /// Adjusted within family (g) (the project's churn gap tests; q = p with
    /// `multiple_testing: none`).
    pub churn_gap_q_value: Option<f64>,
    /// Whether q ≤ 1 − confidence.
    pub churn_gap_significant: Option<bool>,
    /// customers × detractor share × churn gap × detractors' mean revenue ×
    /// 12: the yearly revenue the detractors' extra churn costs.
    pub revenue_at_risk: Option<f64>,
    /// Lower end, carried from the churn gap's interval.
    pub revenue_at_risk_ci_low: Option<f64>,
    /// Upper end.
    pub revenue_at_risk_ci_high: Option<f64>,
}

/// The three NPS groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueGroups {
    /// Answers 9–10.
    pub promoters: ValueGroup,
    /// Answers 7–8.
    pub passives: ValueGroup,
    /// Answers 0–6.
    pub detractors: ValueGroup,
}

/// One NPS group on the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueGroup {
    /// Weighted customers: Σw of the group's rows (its rows without weights).
    pub customers: f64,
    /// Its rows.
    pub n: u64,
    /// Kish's effective n.
    pub effective_n: f64,
    /// Its weighted share of the rows in any group, in %.
    pub share: Option<f64>,
    /// Mean monthly revenue (rows with a revenue number).
    pub revenue: Option<f64>,
    /// Lower end of its Student-t interval.
    pub revenue_ci_low: Option<f64>,
    /// Upper end.
    pub revenue_ci_high: Option<f64>,
    /// Rows with a revenue number.
    pub revenue_n: u64,
    /// Churn rate in % (rows with a churn cell).
    pub churn: Option<f64>,
    /// Lower end of its Wilson interval.
    pub churn_ci_low: Option<f64>,
    /// Upper end.
    pub churn_ci_high: Option<f64>,
    /// Rows with a churn cell.
    pub churn_n: u64,
}
