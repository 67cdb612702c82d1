//! Compute stage: one indicator's accumulators to its published result.
//!
//! Input: an indicator's [`IndicatorPass`] after its dataset's pass (or none,
//! when the dataset could not be read). Output: the [`IndicatorResult`] of
//! metrics.json — definition hash, overall, periods with changes, segments,
//! personas, breakdown (counts and weighted shares) and distribution.

use std::collections::BTreeMap;

use super::acc::{Acc, SKETCH_METHOD};
use super::compare::rest;
use super::computed::{
    Breakdown, BreakdownShares, Estimate, GroupResult, IndicatorResult, PeriodResult,
};
use super::estimate::{finish, Settings};
use super::measure::Measure;
use super::pass::{DatasetPass, IndicatorPass};
use super::periods::{fill_changes, significant};
use super::status::Goal;
use crate::project::fingerprint::definition_hash;
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
    let mut r = shell(
        project,
        ind,
        finish(&measure.new_acc(), &measure, goal_of(ind), s),
    );
    r.segments = segments;
    if ind.metric == Metric::Nps {
        r.breakdown = Some(Breakdown {
            promoters: 0,
            passives: 0,
            detractors: 0,
        });
        r.breakdown_shares = Some(None);
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
    let mut r = shell(project, ind, est(&ip.overall));
    if let (Metric::Nps, Acc::Net { counts, .. }) = (&ind.metric, &ip.overall) {
        r.breakdown = Some(Breakdown {
            promoters: counts[0],
            passives: counts[1],
            detractors: counts[2],
        });
    }
    r.periods = (ip.periods.iter())
        .map(|(k, acc)| PeriodResult {
            period: *k,
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
    if ind.metric == Metric::Nps {
        r.breakdown_shares = Some(r.estimate.value.map(|_| nps_shares(&r.distribution)));
    }
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

/// Promoter, passive and detractor shares (weighted %) from an NPS
/// distribution of (answer, weighted %): each group's answers summed in
/// answer order. Labels that are not numbers belong to no group.
fn nps_shares(distribution: &[(String, f64)]) -> BreakdownShares {
    let share = |group: usize| {
        (distribution.iter())
            .filter(|(label, _)| nps_group(label) == Some(group))
            .map(|(_, s)| s)
            .sum()
    };
    BreakdownShares {
        promoters: share(0),
        passives: share(1),
        detractors: share(2),
    }
}

/// The NPS group of an answer label: 0 promoter (9–10), 1 passive (7–8),
/// 2 detractor (below 7); `None` when the label is not a number.
fn nps_group(label: &str) -> Option<usize> {
    match label.parse::<f64>() {
        Ok(v) if v >= 9.0 => Some(0),
        Ok(v) if v >= 7.0 => Some(1),
        Ok(_) => Some(2),
        Err(_) => None,
    }
}

/// The definition fields (and their hash) and the overall estimate; groups empty.
pub fn shell(
    project: &Project,
    ind: &Indicator,
    estimate: super::computed::Estimate,
) -> IndicatorResult {
    IndicatorResult {
        id: ind.id.clone(),
        name: ind.name.clone(),
        kind: ind.kind,
        metric: ind.metric.name().to_string(),
        definition_hash: definition_hash(ind, project),
        estimate,
        target: ind.target,
        benchmark: ind.benchmark,
        direction: ind.direction,
        breakdown: None,
        breakdown_shares: None,
        percentile_method: None,
        periods: Vec::new(),
        segments: BTreeMap::new(),
        personas: Vec::new(),
        distribution: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_shares_sum_each_groups_answers() {
        let d: Vec<(String, f64)> = (0..=10)
            .map(|a| (a.to_string(), if a == 10 { 40.0 } else { 6.0 }))
            .collect();
        let s = nps_shares(&d);
        // 9–10: 6 + 40; 7–8: 6 + 6; 0–6: 7 × 6.
        assert_eq!((s.promoters, s.passives, s.detractors), (46.0, 12.0, 42.0));
        assert_eq!(nps_group("x"), None);
    }

    #[test]
    fn breakdown_shares_are_weighted_and_follow_the_value() {
        use crate::metrics::testkit::{col, result, Kit};
        // Weights 3 (a 10) and 1 (a 0): 75 % promoters, 25 % detractors.
        let mut kit = Kit::new(&[("a.csv", b"s,w\n10,3\n0,1\n,5\n")]);
        kit.dataset().weight = Some(col("w", 4));
        kit.indicator("nps", Metric::Nps, Some("s"), 10);
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let s = result(&c, "nps")
            .breakdown_shares
            .clone()
            .flatten()
            .unwrap();
        assert_eq!((s.promoters, s.passives, s.detractors), (75.0, 0.0, 25.0));
        // Suppressed: no value, no shares.
        kit.project.config.min_n = 10.0;
        let (c, _) = kit.run();
        assert_eq!(result(&c, "nps").breakdown_shares, Some(None));
    }
}
