//! Compute stage: journey maps' stage scores, after every indicator is final.
//!
//! Input: the journeys of the project and the finished indicator results
//! (composites included), indexed like `project.indicators`. Output: per
//! journey, per stage, how its indicators stand against their targets — how
//! many are on target, on watch, off target, or without a status — and the
//! stage score drawn on the journey page: points for each indicator with a
//! status (on target 1, watch ½, off target 0), as a percentage of the
//! points possible ([`Tally::score`]). The same tally for each persona of the
//! journey, from the indicators' persona estimates, fills the persona × stage
//! grid.
//!
//! Why targets and not raw values: a stage's score must agree with the
//! statuses beside it. An average of normalised raw values once ranked first
//! a stage with three indicators off target (issue 20); with this score a
//! stage whose indicators are all off target scores 0, whatever their values.
//!
//! Choices where SPEC is silent: an indicator on several touchpoints of one
//! stage counts once; indicators are unweighted (a stage has no weights to
//! give); an indicator without a target, suppressed or without a value counts
//! as `unrated` and not in the score; a stage with none rated has no score
//! (null). The personas tallied are the journey's `personas:`, or every
//! persona of the project when the journey lists none; a persona on no
//! dataset of an indicator is unrated on it.

use super::computed::{IndicatorResult, JourneyResult, StagePersona, StageResult, Status, Tally};
use crate::project::model::{Journey, Project, Stage};

/// Every journey's stage tallies, in definition order.
pub fn journeys(project: &Project, results: &[IndicatorResult]) -> Vec<JourneyResult> {
    (project.journeys.iter())
        .map(|j| journey(project, results, j))
        .collect()
}

/// The personas a journey's grid has rows for: its `personas:` as written,
/// or every persona of the project (sorted by id) when it lists none.
pub fn journey_personas<'p>(project: &'p Project, j: &'p Journey) -> Vec<&'p str> {
    if j.personas.is_empty() {
        project.personas.iter().map(|p| p.id.as_str()).collect()
    } else {
        j.personas.iter().map(String::as_str).collect()
    }
}

fn journey(project: &Project, results: &[IndicatorResult], j: &Journey) -> JourneyResult {
    let personas = journey_personas(project, j);
    JourneyResult {
        id: j.id.clone(),
        stages: (j.stages.iter())
            .map(|s| {
                let on_stage = stage_results(project, results, s);
                StageResult {
                    id: s.id.clone(),
                    tally: Tally::of(on_stage.iter().map(|r| r.map(|r| r.estimate.status))),
                    personas: (personas.iter())
                        .map(|&p| StagePersona {
                            persona: p.to_string(),
                            tally: Tally::of(on_stage.iter().map(|r| persona_status(*r, p))),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The ids of the indicators on a stage's touchpoints, each once, in the
/// order the touchpoints first name them.
pub fn stage_indicators(stage: &Stage) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for id in (stage.touchpoints.iter()).flat_map(|tp| tp.indicators.iter()) {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    ids
}

/// The results of a stage's indicators, in [`stage_indicators`] order
/// (`None` for an id without a result, which validation does not let through).
fn stage_results<'r>(
    project: &Project,
    results: &'r [IndicatorResult],
    stage: &Stage,
) -> Vec<Option<&'r IndicatorResult>> {
    (stage_indicators(stage).into_iter())
        .map(|id| {
            let i = project.indicators.iter().position(|ind| ind.id == id)?;
            results.get(i)
        })
        .collect()
}

/// A persona's status on one indicator; `None` when it has no estimate there.
fn persona_status(result: Option<&IndicatorResult>, persona: &str) -> Option<Status> {
    let group = result?.personas.iter().find(|g| g.key == persona)?;
    Some(group.estimate.status)
}

#[cfg(test)]
mod tests {
    use crate::metrics::computed::{StageResult, Status, Tally};
    use crate::metrics::testkit::Kit;
    use crate::project::model::{Journey, Metric, Range, Stage, Touchpoint};

    fn touchpoint(indicators: &[&str]) -> Touchpoint {
        Touchpoint {
            id: "tp".into(),
            name: "tp".into(),
            channel: None,
            indicators: indicators.iter().map(|s| s.to_string()).collect(),
            owner: None,
            moment_of_truth: false,
            pain_points: Vec::new(),
            opportunities: Vec::new(),
        }
    }

    fn stage(id: &str, touchpoints: Vec<Touchpoint>) -> Stage {
        Stage {
            id: id.into(),
            name: id.into(),
            goals: Vec::new(),
            behaviors: Vec::new(),
            thoughts: Vec::new(),
            emotion: None,
            touchpoints,
        }
    }

    /// A `mean` on 1–5, higher better, with `target` and optional `amber`.
    fn on_1_to_5(kit: &mut Kit, id: &str, column: &str, target: Option<f64>, amber: Option<f64>) {
        let scale = Some(Range { lo: 1.0, hi: 5.0 });
        let ind = kit.indicator(id, Metric::Mean { scale }, Some(column), 10);
        ind.target = target;
        ind.amber = amber;
    }

    fn journey(id: &str, personas: &[&str], stages: Vec<Stage>) -> Journey {
        Journey {
            id: id.into(),
            name: id.into(),
            personas: personas.iter().map(|p| p.to_string()).collect(),
            stages,
            location: crate::diag::Location::file("journeys/j.yaml"),
        }
    }

    #[test]
    fn three_red_indicators_with_high_values_score_below_a_stage_on_target() {
        // Overall means: a = b = c = (5+5+3+3)/4 = 4.0, each short of its
        // target 4.8 with no amber: three off target, though 4.0 on 1–5 is
        // 75 normalised, above d's 3.0 (50) — the old mean ranked `install` first.
        // d = 3.0 meets its target 3.0: on target; e = 3.0 is below 3.5 but
        // above its amber 2.5: watch; f has no target, `rows` is a count: unrated.
        // install: 0 on, 3 off → 100 × 0 / 3 = 0.
        // buy: 1 on, 1 watch, 0 off, 2 unrated → 100 × (1 + ½) / 2 = 75.
        // Persona x (rows 1–2): a = b = c = 5 ≥ 4.8 on target → install 100;
        // d = 2 < 3 off, e = 2 < 2.5 off → buy 0. Persona y (rows 3–4):
        // a = b = c = 3 off → 0; d = 4, e = 4 on → 100.
        let csv = "p,a,b,c,d\nx,5,5,5,2\nx,5,5,5,2\ny,3,3,3,4\ny,3,3,3,4\n";
        let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
        for id in ["a", "b", "c"] {
            on_1_to_5(&mut kit, id, id, Some(4.8), None);
        }
        on_1_to_5(&mut kit, "d", "d", Some(3.0), None);
        on_1_to_5(&mut kit, "e", "d", Some(3.5), Some(2.5));
        on_1_to_5(&mut kit, "f", "d", None, None);
        kit.indicator("rows", Metric::Count, None, 30);
        kit.persona("x", "p", &["x"]);
        kit.persona("y", "p", &["y"]);
        let stages = || {
            vec![
                stage(
                    "install",
                    vec![touchpoint(&["a", "b"]), touchpoint(&["c", "a"])],
                ),
                stage("buy", vec![touchpoint(&["d", "e", "f", "rows"])]),
                stage("empty", vec![touchpoint(&[])]),
            ]
        };
        kit.project
            .journeys
            .push(journey("listed", &["y", "x"], stages()));
        kit.project.journeys.push(journey("all", &[], stages()));
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let tally = |on, watch, off, unrated, score| Tally {
            on_target: on,
            watch,
            off_target: off,
            unrated,
            score,
        };
        let j = &c.journeys[0];
        let (install, buy, empty) = (&j.stages[0], &j.stages[1], &j.stages[2]);
        assert_eq!(install.tally, tally(0, 0, 3, 0, Some(0.0)));
        assert_eq!(buy.tally, tally(1, 1, 0, 2, Some(75.0)));
        assert_eq!(empty.tally, tally(0, 0, 0, 0, None));
        assert!(buy.tally.score > install.tally.score);
        // The journey's own persona order, as written.
        let cells = |s: &StageResult| -> Vec<(String, Tally)> {
            (s.personas.iter())
                .map(|p| (p.persona.clone(), p.tally.clone()))
                .collect()
        };
        assert_eq!(
            cells(install),
            [
                ("y".to_string(), tally(0, 0, 3, 0, Some(0.0))),
                ("x".to_string(), tally(3, 0, 0, 0, Some(100.0))),
            ]
        );
        assert_eq!(
            cells(buy),
            [
                ("y".to_string(), tally(2, 0, 0, 2, Some(100.0))),
                ("x".to_string(), tally(0, 0, 2, 2, Some(0.0))),
            ]
        );
        // Without `personas:`, every persona, by id.
        let all: Vec<_> = cells(&c.journeys[1].stages[1]);
        assert_eq!(all[0].0, "x");
        assert_eq!(all[1].0, "y");
        // metrics.json: the tally sits flat on the stage.
        let json = serde_json::to_value(buy).expect("json");
        assert_eq!(json["on_target"], 1);
        assert_eq!(json["watch"], 1);
        assert_eq!(json["off_target"], 0);
        assert_eq!(json["unrated"], 2);
        assert_eq!(json["score"], 75.0);
        assert_eq!(json["personas"][1]["persona"], "x");
        assert_eq!(json["personas"][1]["off_target"], 2);
    }

    #[test]
    fn tally_counts_suppressed_and_missing_as_unrated() {
        // 2 on, 1 watch, 1 off: 100 × 2.5 / 4 = 62.5.
        let t = Tally::of([
            Some(Status::Green),
            Some(Status::Amber),
            Some(Status::Suppressed),
            None,
            Some(Status::Red),
            Some(Status::Green),
            Some(Status::None),
        ]);
        assert_eq!(
            (t.on_target, t.watch, t.off_target, t.unrated),
            (2, 1, 1, 3)
        );
        assert_eq!(t.score, Some(62.5));
        assert_eq!(Tally::of([Some(Status::None)]).score, None);
    }
}
