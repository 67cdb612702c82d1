//! The actions' and coverage part of `metrics.json` (SPEC §10), as published.
//!
//! A leaf like [`super::computed`]: types only, so the schema can be read
//! without the engine. The numbers are made by [`super::actions`] and the
//! warnings by [`super::coverage`]; the site formats both.

use serde::Serialize;

use super::period_key::{self, PeriodKey};
use crate::project::actions::ActionStatus;

/// One action of `actions/*.yaml` with its evaluations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionResult {
    /// The action's id.
    pub id: String,
    /// What is done.
    pub title: String,
    /// Who is accountable.
    pub owner: Option<String>,
    /// Where it stands.
    pub status: ActionStatus,
    /// The period the change went live.
    #[serde(serialize_with = "period_key::as_text")]
    pub start: PeriodKey,
    /// The period it should be done by.
    #[serde(serialize_with = "period_key::option_as_text")]
    pub due: Option<PeriodKey>,
    /// `due` is before `as_of` and the status is neither done nor dropped.
    pub overdue: bool,
    /// The journey of its stage or touchpoint.
    pub journey: Option<String>,
    /// Its stage id.
    pub stage: Option<String>,
    /// Its touchpoint id.
    pub touchpoint: Option<String>,
    /// Periods compared on each side of `start`.
    pub periods: u32,
    /// The rows the change did not reach.
    pub control: Option<ControlInfo>,
    /// One per linked indicator once `start` ≤ `as_of`; empty before.
    pub evaluations: Vec<Evaluation>,
}

/// `control:` as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlInfo {
    /// The segment column.
    pub column: String,
    /// The control rows' value.
    pub equals: String,
}

/// One indicator's change around an action's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The indicator's id.
    pub indicator: String,
    /// The value on the periods before `start` (with `control`: of the other rows).
    pub before: Option<f64>,
    /// The value on the periods from `start` (with `control`: of the other rows).
    pub after: Option<f64>,
    /// `after − before`; with `control`, the difference-in-differences.
    pub change: Option<f64>,
    /// Lower end of the change's interval (normal, at the project's confidence).
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// The change's standard error: √ of the sum of the two (four) variances.
    pub se: Option<f64>,
    /// Two-sided p-value of the z test of `change`.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg q over every evaluation of the project (family (h)).
    pub q_value: Option<f64>,
    /// q ≤ 1 − confidence and |change| ≥ the indicator's `min_change`.
    pub significant: Option<bool>,
    /// The change reaches `expected` in the indicator's better direction;
    /// null without `expected` or without a change.
    pub met: Option<bool>,
    /// The change hoped for (from the action's `expected`).
    pub expected: Option<f64>,
    /// The "before" periods, first and last.
    pub before_periods: Option<Span>,
    /// The "after" periods, first and last (up to `as_of`).
    pub after_periods: Option<Span>,
    /// Answered rows before (with `control`: the other rows).
    pub before_n: u64,
    /// Answered rows after (with `control`: the other rows).
    pub after_n: u64,
    /// With `control`: the control rows' side of the difference-in-differences.
    pub control: Option<ControlSide>,
}

/// A run of periods, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First period.
    #[serde(serialize_with = "period_key::as_text")]
    pub from: PeriodKey,
    /// Last period.
    #[serde(serialize_with = "period_key::as_text")]
    pub to: PeriodKey,
}

/// The control rows' values before and after, and their change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlSide {
    /// The control rows' value before `start`.
    pub before: Option<f64>,
    /// The control rows' value from `start`.
    pub after: Option<f64>,
    /// `after − before` of the control rows.
    pub change: Option<f64>,
    /// Answered control rows before.
    pub before_n: u64,
    /// Answered control rows after.
    pub after_n: u64,
}

crate::vocabulary! {
    /// What a coverage warning is about (SPEC §10).
    pub enum CoverageKind as "coverage kind" {
        /// A journey stage none of whose touchpoints has an indicator.
        Stage = "stage",
        /// A moment of truth with no indicator.
        MomentOfTruth = "moment_of_truth",
        /// A red indicator with no open (planned or in progress) action.
        RedWithoutAction = "red_without_action",
    }
}

/// One gap in what the scorecard measures or acts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageWarning {
    /// What kind of gap.
    pub kind: CoverageKind,
    /// The stage (`journey/stage`), touchpoint (`journey/touchpoint`) or indicator id.
    pub id: String,
    /// The warning, in English (as `build` and `check` print it).
    pub message: String,
}
