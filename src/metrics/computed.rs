//! The numbers, as published: this *is* `metrics.json` (SPEC §4).
//!
//! The compute stage produces a [`Computed`]; the site renders from it and
//! writes it verbatim as `metrics.json`, so the page and the JSON can never
//! disagree. Numbers are not rounded here: the site rounds for display.
//! Fields marked `serde(skip)` feed the site (e.g. the methodology page's list
//! of rejected rows) without changing the JSON contract.
//!
//! Every number the site shows is here: the site formats and rounds, it never
//! computes. The module is a leaf of `metrics` — it imports only the leaf
//! modules of its own types ([`super::period_key`], [`super::samples`]) — so
//! the schema can be read, and depended on, without the engine.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::computed_drivers::{
    BootstrapInfo, DriverAttribute, DriverClass, DriverEffect, DriverPeriod, DriverPersona,
    DriverResult,
};
pub use super::computed_journeys::{JourneyResult, StagePersona, StageResult, Tally};
pub use super::computed_topics::{TopicByGroup, TopicPeriod, TopicResult, TopicShare, Uncoded};
use super::period_key::{self, PeriodKey};
use super::samples::Verbatims;
use crate::project::model::{Dimension, Direction, Kind, Language, Period};

/// Everything computed from a project.
#[derive(Debug, Clone, Serialize)]
pub struct Computed {
    /// Who made the file.
    pub generator: Generator,
    /// The project's headline settings.
    pub project: ProjectInfo,
    /// One entry per indicator, in definition order.
    pub indicators: Vec<IndicatorResult>,
    /// Key driver analyses, in definition order.
    pub drivers: Vec<DriverResult>,
    /// One entry per journey map, in definition order: each stage's score.
    pub journeys: Vec<JourneyResult>,
    /// Per dataset: files, rows, rejected rows.
    pub data: BTreeMap<String, DataStats>,
    /// One entry per topic of the codebook and dataset it codes (SPEC §7),
    /// in codebook order then dataset id.
    pub topics: Vec<TopicResult>,
    /// The groups' roll-ups, same fields (a comment counts once per group),
    /// sorted by group name then dataset id.
    pub topic_groups: Vec<TopicResult>,
    /// Sampled comments per group of each page's own metric, masked, with
    /// each group's top topics; for the site only (not in the JSON).
    #[serde(skip)]
    pub verbatims: Verbatims,
    /// `actions/*.yaml` with their evaluations (SPEC §10).
    pub actions: Vec<super::computed_actions::ActionResult>,
    /// What the scorecard does not measure or act on (SPEC §10).
    pub coverage: Vec<super::computed_actions::CoverageWarning>,
    /// The NPS groups' revenue and churn (SPEC §9), when `value_at_stake:`
    /// is configured (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_at_stake: Option<super::computed_value::ValueResult>,
    /// The roll-up per experience dimension (`dimension:` of the indicators): brand,
    /// product, service, employee, then the indicators without one; empty when no
    /// indicator declares a dimension.
    pub dimensions: Vec<super::computed_dimensions::DimensionResult>,
    /// Each persona's weighted share of each dataset's respondents on the
    /// report window (issue 20), by persona then dataset.
    pub persona_sizes: Vec<super::computed_personas::PersonaSize>,
}

/// The generator block.
#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    /// Always "cxscore".
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The project block.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectInfo {
    /// The title.
    pub title: String,
    /// The site's language (`en` or `zh-CN` in JSON), after `build --language`.
    pub language: Language,
    /// The trend bucket (`week`, `month`, `quarter` or `year` in JSON).
    pub period: Period,
    /// The confidence level used.
    pub confidence: f64,
    /// The reporting window of the headline numbers (SPEC §6).
    pub window: WindowInfo,
}

/// Which periods a set of numbers is for (SPEC §6): `kind` is `latest`,
/// `rolling`, `ytd` or `all`; `from` and `to` the first and last period
/// (null for `all`, or a dataset without dates); `label` the span as period
/// keys (`2025-12`, `2025-10..2025-12`, or `all`) — the site words it in its
/// language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowInfo {
    /// `latest`, `rolling`, `ytd` or `all`.
    pub kind: &'static str,
    /// The first period, inclusive.
    #[serde(serialize_with = "period_key::option_as_text")]
    pub from: Option<PeriodKey>,
    /// The last period, inclusive.
    #[serde(serialize_with = "period_key::option_as_text")]
    pub to: Option<PeriodKey>,
    /// The span as period keys.
    pub label: String,
}

/// The headline window compared with another window (`previous`, `year_ago`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowComparison {
    /// The other window's first period.
    #[serde(serialize_with = "period_key::as_text")]
    pub from: PeriodKey,
    /// The other window's last period.
    #[serde(serialize_with = "period_key::as_text")]
    pub to: PeriodKey,
    /// The value on the other window (null when suppressed or nothing answered).
    pub value: Option<f64>,
    /// Answered rows in the other window.
    pub n: u64,
    /// Kish's effective n in the other window.
    pub effective_n: f64,
    /// Lower end of the other window's interval.
    pub ci_low: Option<f64>,
    /// Upper end of the other window's interval.
    pub ci_high: Option<f64>,
    /// The other window's standard error (see [`Estimate::se`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// The headline value minus the other window's.
    pub change: Option<f64>,
    /// Two-sided p-value of the change (Part I's test; null where none applies).
    pub p_value: Option<f64>,
    /// The p-value adjusted within its family (all indicators' comparisons of this kind).
    pub q_value: Option<f64>,
    /// q ≤ 1 − confidence and |change| ≥ the indicator's `min_change`.
    pub significant: Option<bool>,
}

impl WindowComparison {
    /// The other window `from..=to` with its estimate `then`, against the
    /// headline estimate `now`: the change and its p-value (q and the flag
    /// are a family's, filled later).
    pub fn of(
        from: PeriodKey,
        to: PeriodKey,
        then: &Estimate,
        now: &Estimate,
        p_value: Option<f64>,
    ) -> WindowComparison {
        WindowComparison {
            from,
            to,
            value: then.value,
            n: then.n,
            effective_n: then.effective_n,
            ci_low: then.ci_low,
            ci_high: then.ci_high,
            se: then.se,
            change: now.value.zip(then.value).map(|(a, b)| a - b),
            p_value,
            q_value: None,
            significant: None,
        }
    }
}

/// One period of a segment key's or persona's trend (no change tests).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPeriod {
    /// The period key.
    #[serde(serialize_with = "period_key::as_text")]
    pub period: PeriodKey,
    /// The estimate on the group's rows of that period.
    #[serde(flatten)]
    pub estimate: Estimate,
}

crate::vocabulary! {
    /// Traffic-light status of a value against its target (SPEC §2); its
    /// word is the one metrics.json writes and the site's catalogue key
    /// (`status_green`) and CSS class are built from.
    pub enum Status as "status" {
        /// At or beyond target.
        Green = "green",
        /// Between target and the amber threshold.
        Amber = "amber",
        /// Beyond the amber threshold (or no amber threshold and short of target).
        Red = "red",
        /// Effective n below `min_n`: no value shown, no status.
        Suppressed = "suppressed",
        /// No target.
        None = "none",
    }
}

/// One estimate: a value with its sample size and interval.
///
/// Shared by the overall value, each period, segment and persona, so every
/// number on the site comes from one code path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The value (null when suppressed or when nothing was answered).
    pub value: Option<f64>,
    /// Answered rows (the denominator).
    pub n: u64,
    /// Kish's effective n, (Σw)²/Σw²; equals n without weights.
    pub effective_n: f64,
    /// Lower end of the interval (null when suppressed or no interval applies).
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// The standard error of `value`, in its unit (percentage points for
    /// NPS and proportions): design-based for weighted datasets (SPEC §11),
    /// Part I's otherwise; absent where there is no interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// Status against target and thresholds.
    pub status: Status,
    /// The sampling variance of `value` on the published scale, for significance
    /// tests (SPEC §2); `None` where no test applies (percentile, count, composite).
    #[serde(skip)]
    pub variance: Option<f64>,
}

/// Promoters / passives / detractors (NPS) as answered-row counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Rows scoring 9–10.
    pub promoters: u64,
    /// Rows scoring 7–8.
    pub passives: u64,
    /// Rows scoring 0–6.
    pub detractors: u64,
}

/// Promoters / passives / detractors (NPS) as weighted shares of the answered rows, in %.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownShares {
    /// Weighted % scoring 9–10.
    pub promoters: f64,
    /// Weighted % scoring 7–8.
    pub passives: f64,
    /// Weighted % scoring 0–6.
    pub detractors: f64,
}

/// One period of an indicator's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodResult {
    /// The period, typed so the site formats it without parsing text;
    /// written as its key: `2026`, `2026-Q1`, `2026-01`, `2026-W05`.
    #[serde(serialize_with = "period_key::as_text")]
    pub period: PeriodKey,
    /// The estimate for the period.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Value minus the previous period's value; null for the first period or
    /// when either value is null. Always present, so every period has one shape.
    pub change: Option<f64>,
    /// Two-sided p-value of `change` (SPEC §6); null where no test applies.
    pub p_value: Option<f64>,
    /// `p_value` adjusted within the indicator's trend (family (a)).
    pub q_value: Option<f64>,
    /// Whether `change` is flagged (SPEC §6: q ≤ 1 − confidence and |change| ≥
    /// `min_change`); null where no test applies (first period, counts,
    /// percentiles, composites).
    pub significant: Option<bool>,
}

/// One segment key's (or persona's) estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// The segment value, or the persona id.
    pub key: String,
    /// The estimate on the group's rows.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Segments only: the key's value minus the value of all other rows of
    /// the indicator (blank keys included in "the rest"); `Some(None)` (null in
    /// JSON) where either value is missing (suppressed, nothing answered);
    /// `None` (absent) for personas and composites, which are not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_rest: Option<Option<f64>>,
    /// Segments only: the two-sided p-value of `vs_rest`; absent where no test applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Segments only: `p_value` adjusted within the indicator's vs-the-rest
    /// tests (family (b): every segment column together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q_value: Option<f64>,
    /// Segments only: whether the key's difference from the rest is flagged
    /// (SPEC §6); absent for personas, composites, and where no test applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub significant: Option<bool>,
    /// The group's trend: every period with rows (dated datasets).
    pub periods: Vec<GroupPeriod>,
}

/// One indicator, computed.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorResult {
    /// The id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// KQI / KCI / KPI.
    pub kind: Kind,
    /// The experience it measures (`dimension:`), absent when not declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    /// The metric's name.
    pub metric: String,
    /// SHA-256 of the normalised definition (`project::fingerprint`): a baseline
    /// comparison tells a new measurement from a changed number. Set by compute,
    /// when the result is made ([`super::results::shell`]).
    pub definition_hash: String,
    /// Which periods the headline estimate is for: the project's window, or
    /// `all` for a dataset without dates (and for composites, their
    /// components' windows).
    pub window: WindowInfo,
    /// The headline estimate on the window (value, n, effective_n, ci_low,
    /// ci_high, status) — what tiles, statuses and `check` judge.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// The window of the same length just before, compared (null when not
    /// asked for, not defined for the window, or the dataset has no dates).
    pub previous: Option<WindowComparison>,
    /// The same window a year earlier, compared (null likewise).
    pub year_ago: Option<WindowComparison>,
    /// The smallest change worth flagging (`min_change`), for the site.
    #[serde(skip)]
    pub min_change: f64,
    /// The target, if any.
    pub target: Option<f64>,
    /// An external reference value (`benchmark:`), absent when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<f64>,
    /// Which way is better (not in SPEC's example; the site needs it for arrows).
    #[serde(skip)]
    pub direction: Direction,
    /// NPS only: the group counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
    /// NPS only: the weighted shares of promoters, passives and detractors in
    /// %, unrounded (the site rounds them to a visible total of 100, SPEC §1);
    /// null where the value is (suppressed, nothing answered), absent for
    /// other metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown_shares: Option<Option<BreakdownShares>>,
    /// `percentile` only: `exact` (PERCENTILE.INC on every value), or the
    /// sketch used when a group of the indicator passed the exact-value budget
    /// (`ddsketch(alpha=0.01)`; see `metrics::acc::PCT_EXACT_MAX`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile_method: Option<String>,
    /// The trend, ascending by period key.
    pub periods: Vec<PeriodResult>,
    /// Per segment column, one entry per key, sorted by key text.
    pub segments: BTreeMap<String, Vec<GroupResult>>,
    /// One entry per persona (its `match` applied), sorted by persona id.
    pub personas: Vec<GroupResult>,
    /// Value distribution for the distribution chart: (label, weighted share in %),
    /// e.g. each answer 0..10 for NPS. Empty when not meaningful (share, count, composite).
    #[serde(skip)]
    pub distribution: Vec<(String, f64)>,
}

/// What was read of a dataset.
#[derive(Debug, Clone, Serialize)]
pub struct DataStats {
    /// Files read.
    pub files: usize,
    /// Data rows read (header excluded), accepted or not.
    pub rows: u64,
    /// Rows left out under `bad_rows: skip`.
    pub rejected: u64,
    /// Answered comments no topic codes (datasets with comments that a topic
    /// codes; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncoded: Option<Uncoded>,
    /// Why rows were rejected (for the methodology page; capped, see the engine).
    #[serde(skip)]
    pub rejections: Vec<Rejection>,
    /// How the rows were weighted to the target margins (datasets with `rake:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighting: Option<Weighting>,
    /// How the rows matched the lookup table (datasets with `lookup:`, SPEC §9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<LookupStats>,
}

/// The match of a dataset's rows with its lookup table (SPEC §9), over the
/// accepted rows: a row whose key is blank or not in the table is unmatched
/// (its looked-up columns are blank).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupStats {
    /// The lookup table's dataset id.
    pub dataset: String,
    /// Accepted rows whose key is in the table.
    pub matched: u64,
    /// Accepted rows whose key is blank or not in the table.
    pub unmatched: u64,
}

/// The weighting report of a raked dataset (SPEC §11): how the fitting went
/// and how far the weights spread, so a reader can judge the price of raking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weighting {
    /// Always `raking` (iterative proportional fitting).
    pub method: String,
    /// Sweeps over the margins done.
    pub iterations: u32,
    /// Whether every achieved share met its target within the tolerance.
    pub converged: bool,
    /// Kish's design effect of the weights, n·Σw²/(Σw)²: the factor by which
    /// the weighting alone inflates variances.
    pub design_effect: f64,
    /// The smallest raked weight of a row.
    pub min_weight: f64,
    /// The largest raked weight of a row.
    pub max_weight: f64,
    /// Per margin column, per key: the target share and the achieved one.
    pub margins: BTreeMap<String, BTreeMap<String, MarginFit>>,
}

/// One key of a margin: target and achieved weighted share (0–1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginFit {
    /// The share asked for.
    pub target: f64,
    /// The share the raked weights give.
    pub achieved: f64,
}

/// One rejected row and why.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// `file:line:column`.
    pub location: String,
    /// The reason.
    pub reason: String,
}
