//! The journey page's numbers against targets (issue 20): the indicator
//! chips, each stage's score with its statuses, the persona × stage grid and
//! the map's indicators for one persona at a time.
//!
//! Everything here formats what compute published (`journeys[].stages[]` and
//! the indicators' persona estimates); a status is always written in words
//! beside its colour and icon.

use serde::Serialize;

use crate::metrics::computed::{Computed, Estimate, JourneyResult, Tally};
use crate::metrics::journey::stage_indicators;
use crate::project::model::{Indicator, Journey, Project, Stage};
use crate::site::format::{self, decimals};
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::views::{pairs, status_icon, status_label, status_word, NavLink};

/// One indicator on a stage: its value with its unit, and its status.
#[derive(Serialize)]
pub struct Chip {
    name: String,
    url: String,
    /// The value as the scorecard writes it, with the indicator's unit
    /// ("50.8%", "12.3 points").
    value_text: String,
    status: String,
    status_label: String,
    status_icon: String,
}

/// The chip of `ind` for `estimate` (overall, or a persona's).
pub fn chip(ind: &Indicator, estimate: &Estimate, t: &Catalog) -> Chip {
    let value = format::maybe(estimate.value, decimals(&ind.metric));
    Chip {
        name: ind.name.clone(),
        url: Page::Indicator(&ind.id).path(),
        value_text: with_unit(value, ind.unit.as_deref(), estimate.value.is_some()),
        status: status_word(estimate.status).into(),
        status_label: status_label(estimate.status, t),
        status_icon: status_icon(estimate.status).into(),
    }
}

/// `value` followed by `unit` as the scorecard's tiles show it (a space
/// between), except "%", written against the number; no unit after the dash
/// of a missing value.
fn with_unit(value: String, unit: Option<&str>, present: bool) -> String {
    match unit.map(str::trim).filter(|u| present && !u.is_empty()) {
        Some("%") => format!("{value}%"),
        Some(u) => format!("{value} {u}"),
        None => value,
    }
}

/// A stage's (or a persona's) standing: the score and the counts, in words.
#[derive(Serialize)]
pub struct TallyView {
    /// The score on 0–100, one decimal, or the dash.
    score_text: String,
    /// Counts on target / watch / off target, e.g. "2 on target, 1 watch, 0 off target".
    words: String,
    /// "1 without a status", empty when every indicator has one.
    unrated_text: String,
    /// The counts for the compact visible form (icons beside numbers).
    on_target: u32,
    watch: u32,
    off_target: u32,
}

/// Formats a tally.
pub fn tally_view(tally: &Tally, t: &Catalog) -> TallyView {
    let n = |x: u32| x.to_string();
    TallyView {
        score_text: format::maybe(tally.score, 1),
        words: t.fill(
            "stage_tally",
            &[
                ("on", &n(tally.on_target)),
                ("watch", &n(tally.watch)),
                ("off", &n(tally.off_target)),
            ],
        ),
        unrated_text: match tally.unrated {
            0 => String::new(),
            u => t.fill("stage_unrated", &[("n", &n(u))]),
        },
        on_target: tally.on_target,
        watch: tally.watch,
        off_target: tally.off_target,
    }
}

/// The tally compute published for stage `stage` of `journey`, overall
/// (`persona` `None`) or for one persona.
pub fn published<'c>(
    scored: Option<&'c JourneyResult>,
    stage: &Stage,
    persona: Option<&str>,
) -> Option<&'c Tally> {
    let sr = scored?.stages.iter().find(|sr| sr.id == stage.id)?;
    match persona {
        None => Some(&sr.tally),
        Some(p) => (sr.personas.iter().find(|sp| sp.persona == p)).map(|sp| &sp.tally),
    }
}

/// One row of the grid: a persona's standing on every stage, and its map.
#[derive(Serialize)]
pub struct PersonaRow {
    persona: NavLink,
    /// One cell per stage, in the map's order.
    cells: Vec<TallyView>,
    /// Per stage, the chips of the stage's indicators on the persona's rows.
    chips: Vec<Vec<Chip>>,
}

/// The persona × stage grid, with each persona's map; empty without personas
/// or without stage results.
pub fn persona_rows(
    project: &Project,
    computed: &Computed,
    j: &Journey,
    t: &Catalog,
) -> Vec<PersonaRow> {
    let scored = computed.journeys.iter().find(|jr| jr.id == j.id);
    let Some(first) = scored.and_then(|jr| jr.stages.first()) else {
        return Vec::new();
    };
    (first.personas.iter())
        .filter_map(|sp| project.personas.iter().find(|p| p.id == sp.persona))
        .map(|p| PersonaRow {
            persona: NavLink {
                name: p.name.clone(),
                url: Page::Persona(&p.id).path(),
            },
            cells: (j.stages.iter())
                .map(|s| {
                    let tally = published(scored, s, Some(&p.id)).cloned();
                    tally_view(&tally.unwrap_or_default(), t)
                })
                .collect(),
            chips: (j.stages.iter())
                .map(|s| {
                    (stage_indicators(s).into_iter())
                        .filter_map(|id| {
                            let (ind, res) =
                                pairs(project, &computed.indicators).find(|(i, _)| i.id == id)?;
                            let group = res.personas.iter().find(|g| g.key == p.id)?;
                            Some(chip(ind, &group.estimate, t))
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_the_number_as_on_the_scorecard() {
        let v = |s: &str| s.to_string();
        assert_eq!(with_unit(v("50.8"), Some("%"), true), "50.8%");
        assert_eq!(with_unit(v("12.3"), Some("points"), true), "12.3 points");
        assert_eq!(
            with_unit(v("4.1"), Some(" out of 5 "), true),
            "4.1 out of 5"
        );
        assert_eq!(with_unit(v("—"), Some("%"), false), "—");
        assert_eq!(with_unit(v("7"), None, true), "7");
        assert_eq!(with_unit(v("7"), Some(""), true), "7");
    }
}
