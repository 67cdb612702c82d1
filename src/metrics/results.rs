//! Compute stage: one indicator's accumulators to its published result.
//!
//! Input: an indicator's [`IndicatorPass`] after its dataset's pass (or none,
//! when the dataset could not be read). Output: the [`IndicatorResult`] of
//! metrics.json — overall, periods with changes, segments, personas,
//! breakdown and distribution.

use std::collections::BTreeMap;

use super::acc::{Acc, SKETCH_METHOD};
use super::compare::rest;
use super::computed::{Breakdown, Estimate, GroupResult, IndicatorResult, PeriodResult};
use super::estimate::{finish, Settings};
use super::measure::Measure;
use super::pass::{DatasetPass, IndicatorPass};
use super::periods::{fill_changes, significant};
use super::status::Goal;
use crate::project::model::{Indicator, Metric, Project};

/// The goal an indicator's values are judged against.
pub fn goal_of(ind: &Indicator) -> Goal {
    Goal {
        target: ind.target,
        amber: ind.amber,
        direction: ind.direction,
    }
}

/// A result with no rows: what an indicator shows when its dataset could not
/// be read (the build fails then, but every indicator still has an entry).
pub fn empty_result(project: &Project, ind: &Indicator, s: &Settings) -> IndicatorResult {
    let measure = Measure::of(&ind.metric);
    let segments = (ind.dataset.as_ref())
        .and_then(|id| project.config.datasets.get(id))
        .map(|ds| {
            ds.segments
                .iter()
                .map(|c| (c.name.clone(), Vec::new()))
                .collect()
        })
        .unwrap_or_default();
    let mut r = shell(ind, finish(&measure.new_acc(), &measure, goal_of(ind), s));
    r.segments = segments;
    if ind.metric == Metric::Nps {
        r.breakdown = Some(Breakdown {
            promoters: 0,
            passives: 0,
            detractors: 0,
        });
    }
    r
}

/// The result of an indicator fed by a dataset's pass.
pub fn indicator_result(
    project: &Project,
    dp: &DatasetPass<'_>,
    ip: &IndicatorPass<'_>,
    s: &Settings,
) -> IndicatorResult {
    let ind = &project.indicators[ip.index];
    let goal = goal_of(ind);
    let est = |acc: &Acc| finish(acc, &ip.measure, goal, s);
    let mut r = shell(ind, est(&ip.overall));
    if let (Metric::Nps, Acc::Net { counts, .. }) = (&ind.metric, &ip.overall) {
        r.breakdown = Some(Breakdown {
            promoters: counts[0],
            passives: counts[1],
            detractors: counts[2],
        });
    }
    r.periods = (ip.periods.iter())
        .map(|(k, acc)| PeriodResult {
            period: k.to_string(),
            estimate: est(acc),
            change: None,
            significant: None,
        })
        .collect();
    let welch = ip.measure.is_mean();
    fill_changes(&mut r.periods, s.confidence, welch);
    // Each segment key against every other row (blank keys included): the
    // difference and whether it is significant.
    let versus_rest = |acc: &Acc, estimate: &Estimate| {
        let Some(others) = rest(&ip.overall, acc).map(|a| est(&a)) else {
            return (None, None);
        };
        let diff = estimate.value.zip(others.value).map(|(a, b)| a - b);
        (diff, significant(&others, estimate, s.confidence, welch))
    };
    r.segments = (dp.segments.iter().zip(&ip.segments))
        .map(|((name, _), accs)| {
            let groups = accs.iter().map(|(key, acc)| {
                let estimate = est(acc);
                let (diff, significant) = versus_rest(acc, &estimate);
                GroupResult {
                    key: key.clone(),
                    estimate,
                    vs_rest: Some(diff),
                    significant,
                }
            });
            (name.clone(), groups.collect())
        })
        .collect::<BTreeMap<_, _>>();
    r.personas = (dp.personas.iter().zip(&ip.personas))
        .map(|(p, acc)| GroupResult {
            key: project.personas[p.index].id.clone(),
            estimate: est(acc),
            vs_rest: None,
            significant: None,
        })
        .collect();
    r.distribution = ip.dist.as_ref().map(|d| d.shares()).unwrap_or_default();
    if matches!(ip.measure, Measure::Percentile { .. }) {
        let sketched = std::iter::once(&ip.overall)
            .chain(ip.periods.values())
            .chain(ip.segments.iter().flat_map(|m| m.values()))
            .chain(&ip.personas)
            .any(|a| matches!(a, Acc::Sketched { .. }));
        r.percentile_method = Some(if sketched { SKETCH_METHOD } else { "exact" }.to_string());
    }
    r
}

/// The definition fields and the overall estimate; groups empty.
pub fn shell(ind: &Indicator, estimate: super::computed::Estimate) -> IndicatorResult {
    IndicatorResult {
        id: ind.id.clone(),
        name: ind.name.clone(),
        kind: ind.kind,
        metric: ind.metric.name().to_string(),
        definition_hash: String::new(),
        estimate,
        target: ind.target,
        benchmark: ind.benchmark,
        direction: ind.direction,
        breakdown: None,
        percentile_method: None,
        periods: Vec::new(),
        segments: BTreeMap::new(),
        personas: Vec::new(),
        distribution: Vec::new(),
    }
}
