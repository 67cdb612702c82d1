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
    Breakdown, BreakdownShares, Estimate, GroupPeriod, GroupResult, IndicatorResult, PeriodResult,
    WindowComparison,
};
use super::distribution::Dist;
use super::estimate::{finish, Settings};
use super::fdr::{adjust, flagged, p_value};
use super::measure::Measure;
use super::pass::{DatasetPass, IndicatorPass};
use super::periods::{fill_changes, Flagging, PeriodKey};
use super::status::Goal;
use super::window::{Window, Windows};
use crate::project::fingerprint::definition_hash;
use crate::project::model::{Indicator, Metric, Project};
use crate::project::report::MultipleTesting;

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
            (0..ds.segments.len())
                .map(|i| (ds.segment_name(i).to_string(), Vec::new()))
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

/// The result of an indicator fed by a dataset's pass, on the reporting
/// windows `w` (SPEC §6): the headline, segments and personas on the
/// window, every period in the trend, and the comparisons with `previous`
/// and `year_ago` (their q-values are filled across indicators later, by
/// [`adjust_comparisons`]). A dataset without dates has every row as its
/// window and nothing to compare.
pub fn indicator_result(
    project: &Project,
    dp: &DatasetPass<'_>,
    ip: &IndicatorPass<'_>,
    s: &Settings,
    w: &Windows,
) -> IndicatorResult {
    let ind = &project.indicators[ip.index];
    let goal = goal_of(ind);
    // A weighted dataset's estimates take the design-based variance (SPEC §11).
    let s = &Settings {
        design: dp.design.clone(),
        ..s.clone()
    };
    let est = |acc: &Acc| finish(acc, &ip.measure, goal, s);
    let w = if dp.is_dated() { *w } else { Windows::ALL };
    let windowed = w.headline.span.is_some();
    let on_window = |all: &Acc, periods: &BTreeMap<PeriodKey, Acc>| {
        if windowed {
            w.headline.merged(periods, &ip.measure)
        } else {
            all.clone()
        }
    };
    let headline = on_window(&ip.overall, &ip.periods);
    let mut r = shell(project, ind, est(&headline));
    r.window = w.headline.info();
    if let (Metric::Nps, Acc::Net { counts, .. }) = (&ind.metric, &headline) {
        r.breakdown = Some(Breakdown {
            promoters: counts[0],
            passives: counts[1],
            detractors: counts[2],
        });
    }
    let welch = ip.measure.is_mean();
    let compare = |other: Option<Window>| {
        let other = other?;
        let (from, to) = other.span?;
        let e = est(&other.merged(&ip.periods, &ip.measure));
        // Overlapping windows (a rolling window longer than a year and its
        // year ago) share rows: not independent, so a change but no test.
        let p = (!other.overlaps(&w.headline))
            .then(|| p_value(&e, &r.estimate, welch))
            .flatten();
        Some(WindowComparison::of(from, to, &e, &r.estimate, p))
    };
    r.previous = compare(w.previous);
    r.year_ago = compare(w.year_ago);
    r.periods = (ip.periods.iter())
        .map(|(k, acc)| PeriodResult {
            period: *k,
            estimate: est(acc),
            change: None,
            p_value: None,
            q_value: None,
            significant: None,
        })
        .collect();
    let bh = project.config.report.multiple_testing == MultipleTesting::Bh;
    fill_changes(
        &mut r.periods,
        Flagging {
            confidence: s.confidence,
            welch,
            bh,
            min_change: ind.min_change,
        },
    );
    // Each segment key against every other row of the window (blank keys
    // included): the difference and its p-value; q-values over every key of
    // every segment column together (family (b)).
    let versus_rest = |acc: &Acc, estimate: &Estimate| {
        let Some(others) = rest(&headline, acc).map(|a| est(&a)) else {
            return (None, None);
        };
        let diff = estimate.value.zip(others.value).map(|(a, b)| a - b);
        (diff, p_value(&others, estimate, welch))
    };
    let trend = |periods: Option<&BTreeMap<PeriodKey, Acc>>| -> Vec<GroupPeriod> {
        (periods.into_iter().flatten())
            .map(|(k, acc)| GroupPeriod {
                period: *k,
                estimate: est(acc),
            })
            .collect()
    };
    r.segments = (dp.segments.iter().enumerate().zip(&ip.segments))
        .map(|((col, (name, _)), accs)| {
            let by_period = &ip.segment_periods[col];
            let groups = accs.iter().map(|(key, all)| {
                let periods = by_period.get(key);
                let acc = on_window(all, periods.unwrap_or(&BTreeMap::new()));
                let estimate = est(&acc);
                let (diff, p) = versus_rest(&acc, &estimate);
                GroupResult {
                    key: key.clone(),
                    estimate,
                    vs_rest: Some(diff),
                    p_value: p,
                    q_value: None,
                    significant: None,
                    periods: trend(periods),
                }
            });
            let mut groups: Vec<GroupResult> = groups.collect();
            // A banded segment's keys in band order (`6–12` before `12–24`).
            if let Some(labels) = dp.band_labels(col) {
                groups.sort_by_key(|g| labels.iter().position(|l| *l == g.key));
            }
            (name.clone(), groups)
        })
        .collect::<BTreeMap<_, _>>();
    flag_vs_rest(&mut r.segments, s.confidence, bh, ind.min_change);
    r.personas = (dp.personas.iter().enumerate().zip(&ip.personas))
        .map(|((i, p), all)| GroupResult {
            key: project.personas[p.index].id.clone(),
            estimate: est(&on_window(all, &ip.persona_periods[i])),
            vs_rest: None,
            p_value: None,
            q_value: None,
            significant: None,
            periods: trend(Some(&ip.persona_periods[i])),
        })
        .collect();
    // The distribution of the window's rows (periods merged in key order).
    r.distribution = match (windowed, ip.dist.as_ref()) {
        (true, Some(all)) => {
            let mut periods: Vec<&(PeriodKey, Dist)> = (ip.dist_periods.iter())
                .filter(|(k, _)| w.headline.contains(*k))
                .collect();
            periods.sort_by_key(|(k, _)| *k);
            let mut d = all.empty_like();
            for (_, p) in periods {
                d.merge(p);
            }
            d.shares()
        }
        (false, Some(all)) => all.shares(),
        (_, None) => Vec::new(),
    };
    if ind.metric == Metric::Nps {
        r.breakdown_shares = Some(r.estimate.value.and_then(|_| net_shares(&headline)));
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

/// Flags the segment keys' differences from the rest: BH over every key of
/// every segment column of the indicator (family (b)), then q and `min_change`.
fn flag_vs_rest(
    segments: &mut BTreeMap<String, Vec<GroupResult>>,
    confidence: f64,
    bh: bool,
    min_change: f64,
) {
    let p: Vec<Option<f64>> = segments.values().flatten().map(|g| g.p_value).collect();
    let q = adjust(&p, bh);
    for (g, q) in segments.values_mut().flatten().zip(q) {
        g.q_value = q;
        g.significant = flagged(q, g.vs_rest.flatten(), confidence, min_change);
    }
}

/// Fills q-values and flags of every indicator's `previous` comparisons as
/// one family (c), and of every `year_ago` comparison as another (d).
pub fn adjust_comparisons(results: &mut [IndicatorResult], project: &Project) {
    let bh = project.config.report.multiple_testing == MultipleTesting::Bh;
    let confidence = project.config.confidence;
    fn previous(r: &mut IndicatorResult) -> Option<&mut WindowComparison> {
        r.previous.as_mut()
    }
    fn year_ago(r: &mut IndicatorResult) -> Option<&mut WindowComparison> {
        r.year_ago.as_mut()
    }
    let picks: [fn(&mut IndicatorResult) -> Option<&mut WindowComparison>; 2] =
        [previous, year_ago];
    for pick in picks {
        let p: Vec<Option<f64>> = results
            .iter_mut()
            .map(|r| pick(r).and_then(|c| c.p_value))
            .collect();
        let q = adjust(&p, bh);
        for (r, q) in results.iter_mut().zip(q) {
            let min_change = r.min_change;
            if let Some(c) = pick(r) {
                c.q_value = q;
                c.significant = flagged(q, c.change, confidence, min_change);
            }
        }
    }
}

/// Promoter, passive and detractor shares (weighted %) of a net accumulator;
/// `None` when it has no weight.
fn net_shares(acc: &Acc) -> Option<BreakdownShares> {
    let Acc::Net {
        base, w_pos, w_neg, ..
    } = acc
    else {
        return None;
    };
    (base.sw > 0.0).then(|| BreakdownShares {
        promoters: w_pos / base.sw * 100.0,
        passives: (base.sw - w_pos - w_neg) / base.sw * 100.0,
        detractors: w_neg / base.sw * 100.0,
    })
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
        dimension: ind.dimension,
        metric: ind.metric.name().to_string(),
        definition_hash: definition_hash(ind, project),
        window: super::window::Window::ALL.info(),
        estimate,
        previous: None,
        year_ago: None,
        min_change: ind.min_change,
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
    fn net_shares_are_the_weighted_boxes() {
        use crate::metrics::acc::Base;
        let acc = Acc::Net {
            base: Base {
                n: 10,
                sw: 8.0,
                sw2: 8.0,
                ..Base::default()
            },
            w_pos: 4.0,
            w_neg: 1.0,
            counts: [5, 3, 2],
            cal: Default::default(),
        };
        let s = net_shares(&acc).unwrap();
        // 4 / 8, (8 − 4 − 1) / 8, 1 / 8.
        assert_eq!((s.promoters, s.passives, s.detractors), (50.0, 37.5, 12.5));
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
