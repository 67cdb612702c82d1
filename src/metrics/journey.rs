//! Compute stage: journey maps' stage scores, after every indicator is final.
//!
//! Input: the journeys of the project and the finished indicator results
//! (composites included), indexed like `project.indicators`. Output: per
//! journey, per stage, the score the journey page draws as its curve: the
//! plain mean of the stage's indicators' overall values, each normalised to
//! 0–100 with higher better ([`normalise`], as for a composite's components).
//!
//! Choices where SPEC is silent: an indicator on several touchpoints of one
//! stage counts once; indicators are unweighted (a stage has no weights to
//! give); an indicator without a value, or whose metric has no known range
//! (`count`, `gap`, a `mean` without `scale`), is left out; a stage with none
//! left has no score (null).

use super::composite::normalise;
use super::computed::{IndicatorResult, JourneyResult, StageResult};
use crate::project::model::{Journey, Project, Stage};

/// Every journey's stage scores, in definition order.
pub fn journeys(project: &Project, results: &[IndicatorResult]) -> Vec<JourneyResult> {
    (project.journeys.iter())
        .map(|j| journey(project, results, j))
        .collect()
}

fn journey(project: &Project, results: &[IndicatorResult], j: &Journey) -> JourneyResult {
    JourneyResult {
        id: j.id.clone(),
        stages: (j.stages.iter())
            .map(|s| StageResult {
                id: s.id.clone(),
                score: stage_score(project, results, s),
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

/// The mean of the normalised values, summed in the stage's order.
fn stage_score(project: &Project, results: &[IndicatorResult], stage: &Stage) -> Option<f64> {
    let normalised: Vec<f64> = stage_indicators(stage)
        .into_iter()
        .filter_map(|id| {
            let i = project.indicators.iter().position(|ind| ind.id == id)?;
            let (ind, res) = (&project.indicators[i], results.get(i)?);
            normalise(ind, res.estimate.value?)
        })
        .collect();
    (!normalised.is_empty()).then(|| normalised.iter().sum::<f64>() / normalised.len() as f64)
}

#[cfg(test)]
mod tests {
    use crate::metrics::testkit::Kit;
    use crate::project::model::{Direction, Journey, Metric, Range, Stage, Touchpoint};

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

    #[test]
    fn a_stage_scores_the_mean_of_its_normalised_indicators_each_once() {
        // NPS: 10, 10, 0, 8 → (2 − 1)/4 = 25 → (25 + 100)/2 = 62.5 on 0–100.
        // Mean on 1–5, lower is better: 2, 2, 4, 4 → 3 → 50 → flipped 50.
        // Count has no range: left out. Stage a: (62.5 + 50) / 2 = 56.25, the NPS
        // named twice counting once; stage b: only the count, so no score.
        let csv = "s,m\n10,2\n10,2\n0,4\n8,4\n";
        let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
        kit.indicator("nps", Metric::Nps, Some("s"), 10);
        let scale = Some(Range { lo: 1.0, hi: 5.0 });
        kit.indicator("wait", Metric::Mean { scale }, Some("m"), 20)
            .direction = Direction::Lower;
        kit.indicator("rows", Metric::Count, None, 30);
        kit.project.journeys.push(Journey {
            id: "j".into(),
            name: "J".into(),
            personas: Vec::new(),
            stages: vec![
                stage(
                    "a",
                    vec![touchpoint(&["nps", "wait"]), touchpoint(&["nps", "rows"])],
                ),
                stage("b", vec![touchpoint(&["rows"])]),
            ],
            location: crate::diag::Location::file("journeys/j.yaml"),
        });
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let j = &c.journeys[0];
        assert_eq!(j.id, "j");
        let scores: Vec<_> = j.stages.iter().map(|s| (s.id.as_str(), s.score)).collect();
        assert_eq!(scores, [("a", Some(56.25)), ("b", None)]);
    }
}
