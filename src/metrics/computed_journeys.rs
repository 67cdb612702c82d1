//! The journeys' part of `metrics.json`: per stage, its indicators' statuses
//! and the stage score, overall and per persona (issue 20).
//!
//! A leaf like [`super::computed`]: types only; [`super::journey`] fills them.

use serde::Serialize;

use super::computed::Status;

/// One journey map's numbers: each stage's standing against targets.
#[derive(Debug, Clone, Serialize)]
pub struct JourneyResult {
    /// The journey id.
    pub id: String,
    /// One entry per stage, in the map's order.
    pub stages: Vec<StageResult>,
}

/// One stage of a journey map.
#[derive(Debug, Clone, Serialize)]
pub struct StageResult {
    /// The stage id.
    pub id: String,
    /// The statuses of the indicators on the stage's touchpoints (each once),
    /// on their overall (window) estimates, and the stage score.
    #[serde(flatten)]
    pub tally: Tally,
    /// The same tally on each persona's estimates: the journey's `personas:`
    /// in their written order, or every persona (by id) when it lists none.
    pub personas: Vec<StagePersona>,
}

/// One persona's standing on one stage (a cell of the persona × stage grid).
#[derive(Debug, Clone, Serialize)]
pub struct StagePersona {
    /// The persona id.
    pub persona: String,
    /// Its indicators' statuses on the persona's rows, and the score.
    #[serde(flatten)]
    pub tally: Tally,
}

/// How a set of indicators stands against its targets, and the score that
/// follows: so the number on the chart and the statuses beside it agree.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Indicators on target (status `green`).
    pub on_target: u32,
    /// Indicators on watch (status `amber`).
    pub watch: u32,
    /// Indicators off target (status `red`).
    pub off_target: u32,
    /// Indicators without a status: no target, suppressed (n below `min_n`),
    /// no value, or no estimate for the persona.
    pub unrated: u32,
    /// 100 × (on_target + ½ watch) / (on_target + watch + off_target): 100
    /// when every rated indicator is on target, 0 when every one is off
    /// target; null when none is rated.
    pub score: Option<f64>,
}

impl Tally {
    /// Counts `statuses` (one per indicator, `None` when it has no estimate)
    /// and scores them.
    pub fn of(statuses: impl IntoIterator<Item = Option<Status>>) -> Tally {
        let mut t = Tally::default();
        for s in statuses {
            match s {
                Some(Status::Green) => t.on_target += 1,
                Some(Status::Amber) => t.watch += 1,
                Some(Status::Red) => t.off_target += 1,
                Some(Status::Suppressed | Status::None) | None => t.unrated += 1,
            }
        }
        let rated = t.on_target + t.watch + t.off_target;
        t.score = (rated > 0).then(|| {
            100.0 * (f64::from(t.on_target) + 0.5 * f64::from(t.watch)) / f64::from(rated)
        });
        t
    }
}
