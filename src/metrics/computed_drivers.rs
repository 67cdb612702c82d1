//! The key driver numbers, as published (SPEC §2 "Key drivers", §8): part of
//! `metrics.json`.
//!
//! A leaf of `metrics` like [`super::computed`] (which re-exports these
//! types): the schema of what compute hands the site about each analysis —
//! importances with their bootstrap intervals, penalty / reward with their
//! tests and classes, the analysis per persona and per period.

use indexmap::IndexMap;
use serde::Serialize;

use super::computed::WindowInfo;
use super::period_key::{self, PeriodKey};

/// A key driver analysis result.
#[derive(Debug, Clone, Serialize)]
pub struct DriverResult {
    /// The dataset id.
    pub dataset: String,
    /// The outcome column.
    pub outcome: String,
    /// The outcome's name on the site: `label:`, else the name of the NPS
    /// indicator on the outcome column, else the column.
    pub label: String,
    /// The rows the headline analysis read (`window:` of the analysis,
    /// ending at the report's `as_of`; `all` for a dataset without dates).
    pub window: WindowInfo,
    /// Rows used (listwise, in the window).
    pub n: u64,
    /// Kish's effective n of those rows.
    pub effective_n: f64,
    /// The model's R².
    pub r2: Option<f64>,
    /// One entry per attribute, in the order `cxscore.yaml` writes them (the
    /// author's order is the reading order; see docs/reference.md).
    pub attributes: Vec<DriverAttribute>,
    /// The mean importance of the attributes that have both an importance and
    /// a performance: where the quadrant splits "more" from "less important"
    /// (the chart's vertical line, and the page's reading of each attribute).
    pub mean_importance: Option<f64>,
    /// The mean performance of the same attributes: the quadrant's horizontal line.
    pub mean_performance: Option<f64>,
    /// What the importance intervals resampled; null without `bootstrap:`.
    pub bootstrap: Option<BootstrapInfo>,
    /// The analysis per period, every period with effective n ≥ `min_n`,
    /// ascending (the trend keeps every period, as indicators' trends do).
    pub periods: Vec<DriverPeriod>,
    /// The same analysis on each persona's rows (its `match` applied), sorted
    /// by persona id; only personas whose match column is in the dataset.
    pub personas: Vec<DriverPersona>,
}

/// How an analysis' importance intervals were made.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapInfo {
    /// Replicates drawn.
    pub replicates: u32,
    /// Complete rows in the window that were resampled.
    pub rows: u64,
    /// True when the dataset had more complete rows than the cap and a
    /// seeded sample of them was resampled (the spread then scaled to the
    /// window's n; see docs/reference.md).
    pub sampled: bool,
}

/// The analysis on one period's rows.
#[derive(Debug, Clone, Serialize)]
pub struct DriverPeriod {
    /// The period key.
    #[serde(serialize_with = "period_key::as_text")]
    pub period: PeriodKey,
    /// Complete rows in the period.
    pub n: u64,
    /// Kish's effective n.
    pub effective_n: f64,
    /// The model's R² in the period.
    pub r2: Option<f64>,
    /// Attribute column → importance (% of R²), in attribute order.
    pub importance: IndexMap<String, Option<f64>>,
}

/// A key driver analysis restricted to one persona's rows.
#[derive(Debug, Clone, Serialize)]
pub struct DriverPersona {
    /// The persona id.
    pub key: String,
    /// Rows used (listwise, within the persona).
    pub n: u64,
    /// Kish's effective n of those rows.
    pub effective_n: f64,
    /// The model's R² on the persona's rows.
    pub r2: Option<f64>,
    /// One entry per attribute, in the order `cxscore.yaml` writes them (the
    /// author's order is the reading order; see docs/reference.md).
    pub attributes: Vec<DriverAttribute>,
    /// The persona's own quadrant split (see [`DriverResult::mean_importance`]).
    pub mean_importance: Option<f64>,
    /// The persona's own quadrant split (see [`DriverResult::mean_performance`]).
    pub mean_performance: Option<f64>,
}

/// One attribute of a key driver analysis.
#[derive(Debug, Clone, Serialize)]
pub struct DriverAttribute {
    /// The attribute column.
    pub column: String,
    /// The display label (not in SPEC's example; the site shows it).
    #[serde(skip)]
    pub label: String,
    /// Weighted Pearson r with the outcome.
    pub r: Option<f64>,
    /// Johnson's relative weight as % of R².
    pub importance: Option<f64>,
    /// Bootstrap percentile interval of the importance (null without
    /// `bootstrap:` or when too few replicates had an importance).
    pub importance_ci_low: Option<f64>,
    /// Upper end of that interval.
    pub importance_ci_high: Option<f64>,
    /// The other attributes (columns) whose importance intervals overlap
    /// this one's: their ranks cannot be told apart ("not distinguishable").
    pub not_distinguishable_from: Vec<String>,
    /// Weighted mean of the attribute.
    pub performance: Option<f64>,
    /// Points of detractors the low ratings add over the middle ones (SPEC
    /// §8); null without `scale`, with an outcome off 0–10, or below `min_n`.
    pub penalty: Option<DriverEffect>,
    /// Points of promoters the high ratings add over the middle ones.
    pub reward: Option<DriverEffect>,
    /// basic / delighter / performance / unclear; null unless both penalty
    /// and reward were computed.
    pub class: Option<DriverClass>,
}

impl DriverAttribute {
    /// An attribute with no numbers yet (every estimate `None`), for
    /// analyses that read nothing and for tests.
    pub fn new(column: &str, label: &str) -> Self {
        DriverAttribute {
            column: column.into(),
            label: label.into(),
            r: None,
            importance: None,
            importance_ci_low: None,
            importance_ci_high: None,
            not_distinguishable_from: Vec::new(),
            performance: None,
            penalty: None,
            reward: None,
            class: None,
        }
    }
}

/// A penalty or a reward: a difference of two weighted shares in points,
/// with its unpooled Wald interval and test (family (f)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverEffect {
    /// The difference, in points.
    pub value: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
    /// Two-sided p-value; null when there is no spread to test.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg q within the analysis (family (f)), or p with
    /// `multiple_testing: none`.
    pub q_value: Option<f64>,
    /// q ≤ 1 − confidence; null when not tested.
    pub significant: Option<bool>,
}

/// What penalty and reward say an attribute is (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverClass {
    /// Penalty significant, reward not: must be right; fixes stop detractors.
    Basic,
    /// Reward significant, penalty not: makes promoters when excellent.
    Delighter,
    /// Both: every step up counts.
    Performance,
    /// Neither.
    Unclear,
}

impl DriverClass {
    /// The word in metrics.json, also the catalogue key's suffix (`class_basic`).
    pub fn word(self) -> &'static str {
        match self {
            DriverClass::Basic => "basic",
            DriverClass::Delighter => "delighter",
            DriverClass::Performance => "performance",
            DriverClass::Unclear => "unclear",
        }
    }
}
