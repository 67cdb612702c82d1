//! The topic numbers, as published (SPEC §7): part of `metrics.json`.
//!
//! A leaf of `metrics` like [`super::computed`] (which re-exports these
//! types): the schema of what compute hands the site about the codebook.
//! Every share is a weighted % of *answered comments* (a comment that is not
//! blank once trimmed); every NPS is of commenting rows with an answered NPS
//! (the dataset's first NPS indicator's column, as the verbatims).

use std::collections::BTreeMap;

use serde::Serialize;

use super::period_key::{self, PeriodKey};

/// One topic — or one group's roll-up — on one dataset, on the report window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicResult {
    /// The topic id (for a group: the group's name).
    pub id: String,
    /// The display name (for a group: the group's name).
    pub name: String,
    /// The group the topic rolls up into (null for groups and ungrouped topics).
    pub group: Option<String>,
    /// The dataset whose comments were coded.
    pub dataset: String,
    /// Answered comments in the window carrying the topic (a comment counts
    /// once per group, however many of the group's topics it carries).
    pub mentions: u64,
    /// Answered comments in the window (the share's denominator).
    pub answered: u64,
    /// Weighted % of answered comments with the topic; null when the answered
    /// comments' effective n is below `min_n`, or there are none.
    pub share: Option<f64>,
    /// Wilson interval of `share`: on Kish's effective n of the answered
    /// comments (unweighted data: their n), or on n* = p(1 − p)/se² with the
    /// design-based se of a weighted dataset (SPEC §11).
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// Standard error of `share`, in percentage points: design-based for a
    /// weighted dataset (the calibration's for a raked one), Part I's
    /// √(p(1 − p)/n) otherwise.
    pub se: Option<f64>,
    /// The share within each NPS group's answered comments; null when the
    /// dataset has no NPS indicator.
    pub by_group: Option<TopicByGroup>,
    /// NPS of the commenting rows with the topic (null when suppressed by
    /// `min_n`, or no NPS).
    pub nps_with: Option<f64>,
    /// NPS of the commenting rows without the topic.
    pub nps_without: Option<f64>,
    /// `nps_with − nps_without`.
    pub difference: Option<f64>,
    /// Standard error of `difference`: √(se_with² + se_without²), the two
    /// NPS taken as independent (as every test of Part I §2 takes its two
    /// estimates), each design-based on a weighted dataset.
    pub difference_se: Option<f64>,
    /// Two-sided p-value of `difference`: the unpooled z test of two
    /// independent NPS estimates (Part I §2).
    pub p_value: Option<f64>,
    /// `p_value` adjusted within family (e): all topics of the dataset (a
    /// group's within all groups of the dataset).
    pub q_value: Option<f64>,
    /// q ≤ 1 − confidence.
    pub significant: Option<bool>,
    /// NPS of all commenting rows − `nps_without`: the points the topic adds
    /// (positive) or costs (negative) overall.
    pub impact: Option<f64>,
    /// The trend: every period of the dataset with answered comments, ascending.
    pub periods: Vec<TopicPeriod>,
    /// Per segment column, per key (sorted by key text): the share among the
    /// key's answered comments in the window.
    pub segments: BTreeMap<String, Vec<TopicShare>>,
    /// Per persona that applies to the dataset (sorted by id): the share among
    /// its answered comments in the window.
    pub personas: Vec<TopicShare>,
    /// Sampled comments carrying the topic (masked, seeded by the topic id),
    /// for the site only.
    #[serde(skip)]
    pub comments: Vec<String>,
}

/// A topic's share within each NPS group's answered comments, in %.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicByGroup {
    /// Among promoters' comments (null: no promoter commented).
    pub promoters: Option<f64>,
    /// Among passives' comments.
    pub passives: Option<f64>,
    /// Among detractors' comments.
    pub detractors: Option<f64>,
}

/// One period of a topic's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicPeriod {
    /// The period key.
    #[serde(serialize_with = "period_key::as_text")]
    pub period: PeriodKey,
    /// Answered comments in the period.
    pub answered: u64,
    /// Of which with the topic.
    pub mentions: u64,
    /// Weighted % (null below `min_n`).
    pub share: Option<f64>,
}

/// A topic's share among one segment key's (or persona's) answered comments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicShare {
    /// The segment value, or the persona id.
    pub key: String,
    /// Answered comments of the key in the window.
    pub answered: u64,
    /// Of which with the topic.
    pub mentions: u64,
    /// Weighted % (null below `min_n`).
    pub share: Option<f64>,
}

/// A dataset's comments that no topic codes: the codebook's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncoded {
    /// Answered comments in the window with no topic.
    pub count: u64,
    /// Their weighted % of the answered comments (null when there are none).
    pub share: Option<f64>,
}
