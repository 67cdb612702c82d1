//! Validation of `actions/*.yaml` (SPEC §10): the changes made to close the loop.
//!
//! Input: each file's list of raw actions, the checked indicators, journeys
//! and datasets. Output: checked [`Action`]s, with located errors for a
//! duplicate id, an unknown indicator, journey, stage or touchpoint id, a
//! `start` / `due` that is neither a period key of the project's period nor a
//! date, an unknown status, an `expected` for an indicator the action does not
//! list, and a `control` column that is not a segment of a linked indicator's
//! dataset (the per-segment, per-period accumulators the difference-in-
//! differences needs exist only for segment columns). The evaluation itself
//! is [`crate::metrics::actions`].

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::checks::{check_id, one_of_or_default, IdRegistry};
use super::model::{Dataset, Indicator, Journey, Period};
use super::raw::{RawAction, Text};
use super::report::{key_example, parse_key};
use super::vocabulary::Vocabulary;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

crate::vocabulary! {
    /// Where an action stands (`status:` of an action).
    pub enum ActionStatus as "status" {
        /// Decided, not started (the default).
        Planned = "planned",
        /// Being rolled out.
        InProgress = "in_progress",
        /// Live everywhere it was meant to be.
        Done = "done",
        /// Abandoned.
        Dropped = "dropped",
    }
}

impl ActionStatus {
    /// Open actions (planned or in progress) count as an answer to a red
    /// indicator in the coverage warnings.
    pub fn is_open(self) -> bool {
        match self {
            ActionStatus::Planned | ActionStatus::InProgress => true,
            ActionStatus::Done | ActionStatus::Dropped => false,
        }
    }
}

/// A period of the project's `period`, as a year and the number within it
/// (0 for years); the metrics stage turns it into its period key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPeriod {
    /// The (ISO, for weeks) year.
    pub year: i32,
    /// The month 1–12, quarter 1–4, ISO week 1–53, or 0 for a year.
    pub number: u32,
    /// As written (a period key or a date).
    pub text: String,
}

/// The rows an action did not reach: `column` (a segment column) equal to `equals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The segment column.
    pub column: String,
    /// The control rows' value (trimmed).
    pub equals: String,
}

/// An action, checked.
#[derive(Debug, Clone)]
pub struct Action {
    /// Unique id.
    pub id: String,
    /// What is done.
    pub title: String,
    /// Who is accountable.
    pub owner: Option<String>,
    /// The indicator ids it should move, each known.
    pub indicators: Vec<String>,
    /// The journey of `stage` / `touchpoint`, resolved.
    pub journey: Option<String>,
    /// A stage id of `journey`.
    pub stage: Option<String>,
    /// A touchpoint id of `journey`.
    pub touchpoint: Option<String>,
    /// When the change went live.
    pub start: ActionPeriod,
    /// When it should be done.
    pub due: Option<ActionPeriod>,
    /// Where it stands.
    pub status: ActionStatus,
    /// The change hoped for, per indicator id (a subset of `indicators`).
    pub expected: BTreeMap<String, f64>,
    /// The rows the change did not reach.
    pub control: Option<Control>,
    /// Periods compared before and after `start` (≥ 1; default 3).
    pub periods: u32,
    /// Markdown.
    pub description: Option<String>,
    /// Where it was defined.
    pub location: Location,
}

/// What an action's references are checked against.
pub struct Known<'a> {
    /// The project's period.
    pub period: Period,
    /// Checked indicators.
    pub indicators: &'a [Indicator],
    /// Every indicator id defined (a definition with errors included, so an
    /// action on it is not blamed too).
    pub indicator_ids: &'a IdRegistry,
    /// Checked journeys.
    pub journeys: &'a [Journey],
    /// Checked datasets.
    pub datasets: &'a BTreeMap<String, Dataset>,
}

/// Checks one file's actions, registering their ids in `ids`.
pub fn validate_actions(
    file: &Path,
    raws: Vec<RawAction>,
    known: &Known<'_>,
    ids: &mut IdRegistry,
    diags: &mut Diagnostics,
) -> Vec<Action> {
    let mut out = Vec::new();
    for raw in raws {
        check_id(file, &raw.id, "action", diags);
        if !ids.register("action", &raw.id.value, location(file, &raw.id), diags) {
            continue;
        }
        if let Some(a) = validate_action(file, raw, known, diags) {
            out.push(a);
        }
    }
    out
}

fn validate_action(
    file: &Path,
    raw: RawAction,
    known: &Known<'_>,
    diags: &mut Diagnostics,
) -> Option<Action> {
    let mut ok = true;
    let mut indicators = Vec::new();
    for i in &raw.indicators {
        if known.indicator_ids.contains(&i.value) {
            if !indicators.contains(&i.value) {
                indicators.push(i.value.clone());
            }
        } else {
            let hint = did_you_mean(&i.value, known.indicator_ids.ids())
                .unwrap_or_else(|| "use the id of an indicator in indicators/".to_string());
            diags.error_hint(
                location(file, i),
                format!("unknown indicator `{}`", i.value),
                hint,
            );
            ok = false;
        }
    }
    if raw.indicators.is_empty() {
        diags.error_hint(
            location(file, &raw.id),
            format!("action `{}` lists no indicators", raw.id.value),
            "list the indicators it should move, e.g. `indicators: [nps-overall]`",
        );
    }
    let place = place(file, &raw, known.journeys, diags);
    let start = period(file, &raw.start, "start", known.period, diags);
    let due = (raw.due.as_ref()).and_then(|d| period(file, d, "due", known.period, diags));
    let status = one_of_or_default::<ActionStatus>(file, raw.status.as_ref(), "status", diags);
    let mut expected = BTreeMap::new();
    if let Some(e) = &raw.expected {
        for (id, v) in &e.value {
            if !raw.indicators.iter().any(|i| &i.value == id) {
                diags.error_hint(
                    location(file, e),
                    format!(
                        "`expected` names `{id}`, which is not one of the action's `indicators`"
                    ),
                    "add it to `indicators`, or remove it from `expected`",
                );
            } else if !v.is_finite() {
                diags.error_hint(
                    location(file, e),
                    format!("`expected` of `{id}` is not a number"),
                    "write the change hoped for in the indicator's unit, e.g. `5`",
                );
            } else {
                expected.insert(id.clone(), *v);
            }
        }
    }
    let control = raw.control.as_ref().and_then(|c| {
        let column = &c.value.column;
        let mut fine = true;
        for id in &indicators {
            let Some(ind) = known.indicators.iter().find(|i| &i.id == id) else {
                continue;
            };
            let Some(ds) = ind.dataset.as_ref().and_then(|d| known.datasets.get(d)) else {
                diags.error_hint(
                    location(file, column),
                    format!("`control` needs rows, but indicator `{id}` reads no dataset"),
                    "remove `control`, or link only indicators on a dataset",
                );
                fine = false;
                continue;
            };
            if !ds.segments.iter().any(|s| s.name == column.value) {
                let names = ds.segments.iter().map(|s| s.name.as_str());
                let hint = did_you_mean(&column.value, names).unwrap_or_else(|| {
                    format!(
                        "the control column must be one of the `segments` of dataset `{}`: add it there",
                        ds.id
                    )
                });
                diags.error_hint(
                    location(file, column),
                    format!(
                        "control column `{}` is not a segment of dataset `{}` (of indicator `{id}`)",
                        column.value, ds.id
                    ),
                    hint,
                );
                fine = false;
            }
        }
        fine.then(|| Control {
            column: column.value.clone(),
            equals: c.value.equals.value.0.trim().to_string(),
        })
    });
    let periods = match &raw.periods {
        Some(p) if p.value == 0 => {
            diags.error_hint(
                location(file, p),
                "`periods` is 0",
                "compare at least 1 period before and after `start` (default 3)",
            );
            3
        }
        Some(p) => p.value,
        None => 3,
    };
    let (journey, stage, touchpoint) = place.unwrap_or_default();
    let start = start?;
    ok.then_some(Action {
        id: raw.id.value.clone(),
        title: raw.title,
        owner: raw.owner,
        indicators,
        journey,
        stage,
        touchpoint,
        start,
        due,
        status,
        expected,
        control,
        periods,
        description: raw.description,
        location: location(file, &raw.id),
    })
}

type Place = (Option<String>, Option<String>, Option<String>);

/// Resolves `journey` / `stage` / `touchpoint`: the journey named, or the
/// only journey holding the stage (else the touchpoint) id.
fn place(
    file: &Path,
    raw: &RawAction,
    journeys: &[Journey],
    diags: &mut Diagnostics,
) -> Option<Place> {
    if raw.stage.is_none() && raw.touchpoint.is_none() {
        if let Some(j) = &raw.journey {
            let found = journeys.iter().any(|x| x.id == j.value);
            if !found {
                unknown(
                    file,
                    j,
                    "journey",
                    journeys.iter().map(|x| x.id.as_str()),
                    diags,
                );
                return None;
            }
        }
        return Some((raw.journey.as_ref().map(|j| j.value.clone()), None, None));
    }
    let holds = |j: &Journey| {
        let stage_ok =
            (raw.stage.as_ref()).is_none_or(|s| j.stages.iter().any(|x| x.id == s.value));
        let tp_ok = (raw.touchpoint.as_ref()).is_none_or(|t| {
            (j.stages.iter())
                .flat_map(|s| &s.touchpoints)
                .any(|x| x.id == t.value)
        });
        stage_ok && tp_ok
    };
    let journey = match &raw.journey {
        Some(j) => match journeys.iter().find(|x| x.id == j.value) {
            Some(found) => found,
            None => {
                unknown(
                    file,
                    j,
                    "journey",
                    journeys.iter().map(|x| x.id.as_str()),
                    diags,
                );
                return None;
            }
        },
        None => {
            let candidates: Vec<&Journey> = journeys.iter().filter(|j| holds(j)).collect();
            match candidates.as_slice() {
                [one] => *one,
                [] => {
                    // No journey holds both: blame the stage (else the touchpoint)
                    // against every journey's ids.
                    let all_stages = journeys.iter().flat_map(|j| &j.stages);
                    match (&raw.stage, &raw.touchpoint) {
                        (Some(s), _) if !all_stages.clone().any(|x| x.id == s.value) => {
                            let ids = all_stages.map(|x| x.id.as_str());
                            unknown(file, s, "stage", ids, diags);
                        }
                        (_, Some(t)) => {
                            let ids = all_stages
                                .flat_map(|s| &s.touchpoints)
                                .map(|x| x.id.as_str());
                            unknown(file, t, "touchpoint", ids, diags);
                        }
                        (Some(s), None) => unknown(file, s, "stage", std::iter::empty(), diags),
                        (None, None) => {}
                    }
                    return None;
                }
                [first, ..] => {
                    let at = (raw.stage.as_ref()).or(raw.touchpoint.as_ref());
                    if let Some(at) = at {
                        diags.error_hint(
                            location(file, at),
                            format!("`{}` is in several journeys", at.value),
                            format!("say which with `journey:`, e.g. `journey: {}`", first.id),
                        );
                    }
                    return None;
                }
            }
        }
    };
    let mut fine = true;
    let stage = match &raw.stage {
        Some(s) => match journey.stages.iter().find(|x| x.id == s.value) {
            Some(found) => Some(found),
            None => {
                unknown(
                    file,
                    s,
                    "stage",
                    journey.stages.iter().map(|x| x.id.as_str()),
                    diags,
                );
                fine = false;
                None
            }
        },
        None => None,
    };
    if let Some(t) = &raw.touchpoint {
        let mut in_scope = (journey.stages.iter())
            .filter(|s| stage.is_none_or(|st| st.id == s.id))
            .flat_map(|s| &s.touchpoints)
            .map(|x| x.id.as_str());
        if !in_scope.any(|x| x == t.value) {
            // In the journey but another stage: say which.
            let elsewhere =
                (journey.stages.iter()).find(|s| s.touchpoints.iter().any(|x| x.id == t.value));
            match (elsewhere, stage) {
                (Some(other), Some(st)) => diags.error_hint(
                    location(file, t),
                    format!("touchpoint `{}` is not in stage `{}`", t.value, st.id),
                    format!(
                        "it is in stage `{}`: fix `stage`, or leave it out",
                        other.id
                    ),
                ),
                _ => {
                    let scope: Vec<&str> = (journey.stages.iter())
                        .filter(|s| stage.is_none_or(|st| st.id == s.id))
                        .flat_map(|s| &s.touchpoints)
                        .map(|x| x.id.as_str())
                        .collect();
                    unknown(file, t, "touchpoint", scope.into_iter(), diags);
                }
            }
            fine = false;
        }
    }
    fine.then(|| {
        (
            Some(journey.id.clone()),
            raw.stage.as_ref().map(|s| s.value.clone()),
            raw.touchpoint.as_ref().map(|t| t.value.clone()),
        )
    })
}

fn unknown<'a>(
    file: &Path,
    value: &Spanned<String>,
    what: &str,
    candidates: impl Iterator<Item = &'a str>,
    diags: &mut Diagnostics,
) {
    let hint = did_you_mean(&value.value, candidates)
        .unwrap_or_else(|| format!("use the id of a {what} in journeys/"));
    diags.error_hint(
        location(file, value),
        format!("unknown {what} `{}`", value.value),
        hint,
    );
}

/// A period key of `period`, or a date `YYYY-MM-DD` read as its period.
fn period(
    file: &Path,
    value: &Spanned<Text>,
    key: &str,
    period: Period,
    diags: &mut Diagnostics,
) -> Option<ActionPeriod> {
    let text = value.value.0.trim();
    let parts = parts_of(text, period);
    if parts.is_none() {
        diags.error_hint(
            location(file, value),
            format!(
                "`{key}` is `{text}`, which is neither a {} period key nor a date",
                period.word()
            ),
            format!(
                "write a period key such as {} or a date such as `2025-06-15`",
                key_example(period)
            ),
        );
    }
    parts.map(|(year, number)| ActionPeriod {
        year,
        number,
        text: text.to_string(),
    })
}

/// A period key of `period`, or a date `YYYY-MM-DD` read as its period: the
/// year and the number within it (the ISO week's year for weeks).
fn parts_of(text: &str, period: Period) -> Option<(i32, u32)> {
    parse_key(text, period).or_else(|| {
        let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        Some(match period {
            Period::Year => (d.year(), 0),
            Period::Quarter => (d.year(), d.month0() / 3 + 1),
            Period::Month => (d.year(), d.month()),
            Period::Week => {
                let w = d.iso_week();
                (w.year(), w.week())
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_is_a_period_key_or_a_date_read_as_its_period() {
        assert_eq!(parts_of("2025-06", Period::Month), Some((2025, 6)));
        assert_eq!(parts_of("2025-06-15", Period::Month), Some((2025, 6)));
        assert_eq!(parts_of("2025-06-15", Period::Quarter), Some((2025, 2)));
        assert_eq!(parts_of("2025-Q2", Period::Quarter), Some((2025, 2)));
        assert_eq!(parts_of("2025-06-15", Period::Year), Some((2025, 0)));
        // 2021-01-03 is a Sunday of ISO week 2020-W53.
        assert_eq!(parts_of("2021-01-03", Period::Week), Some((2020, 53)));
        assert_eq!(parts_of("2025-W05", Period::Week), Some((2025, 5)));
        // Another period's key, a month 13, a day 31 of a 30-day month, words: errors.
        assert_eq!(parts_of("2025-06", Period::Quarter), None);
        assert_eq!(parts_of("2025-13", Period::Month), None);
        assert_eq!(parts_of("2025-06-31", Period::Month), None);
        assert_eq!(parts_of("next spring", Period::Month), None);
    }

    #[test]
    fn open_actions_are_planned_or_in_progress() {
        assert!(ActionStatus::Planned.is_open());
        assert!(ActionStatus::InProgress.is_open());
        assert!(!ActionStatus::Done.is_open());
        assert!(!ActionStatus::Dropped.is_open());
        assert_eq!(ActionStatus::default_variant(), ActionStatus::Planned);
    }
}
