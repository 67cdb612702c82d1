//! Compute stage: composite indicators, after every dataset's pass.
//!
//! Input: the finished results of the components. Output: each composite's
//! result — overall, per period, per segment key and per persona — as the
//! weighted mean of the components that have a value there, each normalised
//! to 0–100 (SPEC §2).
//!
//! Choices where SPEC is silent: a composite's `n` and `effective_n` are the
//! minimum over the components that contributed; it has no interval and no
//! variance (so its periods show a change but no significance); it is
//! suppressed like any value when that effective n is below `min_n`. Every
//! component with `direction: lower` is flipped (100 − x) after normalising,
//! percentages and NPS included, so that higher is always better inside a
//! composite. A component with no known range (`mean` or `percentile` without
//! `scale`, `count`) cannot be normalised: it is left out, with a warning.

use std::collections::BTreeMap;

use super::computed::{
    Estimate, GroupPeriod, GroupResult, IndicatorResult, PeriodResult, WindowComparison,
};
use super::estimate::Settings;
use super::period_key::PeriodKey;
use super::periods::{fill_changes, Flagging};
use super::results::{goal_of, shell};
use super::status::status;
use crate::diag::Diagnostics;
use crate::project::model::{Indicator, Project};

/// Normalises a component's value to 0–100 where higher is better; `None`
/// when the metric has no known range (the metric table's reading, SPEC §2).
pub fn normalise(ind: &Indicator, v: f64) -> Option<f64> {
    ind.metric.normalise(v, ind.direction)
}

/// One contribution: (weight, normalised value, n, effective n).
type Part = (f64, f64, u64, f64);

/// Fills the result of every composite in `results` (indexed like
/// `project.indicators`), components first, whatever the definition order.
pub fn compute_composites(
    project: &Project,
    results: &mut [IndicatorResult],
    s: &Settings,
    diags: &mut Diagnostics,
) {
    let inds = &project.indicators;
    let index: BTreeMap<&str, usize> = inds
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut done: Vec<bool> = inds
        .iter()
        .map(|d| d.metric.components().is_none())
        .collect();
    for ind in inds {
        if let Some(components) = ind.metric.components() {
            for (id, _) in components {
                if let Some(&c) = index.get(id.as_str()) {
                    if normalise(&inds[c], 0.0).is_none() {
                        diags.warning(
                            ind.location.clone(),
                            format!("component `{id}` of composite `{}` has no known range to normalise to 0–100 (metric `{}` without `scale`), so it is left out", ind.id, inds[c].metric.name()),
                        );
                    }
                }
            }
        }
    }
    // Resolve in dependency order; a cycle (rejected by validation) just stays empty.
    loop {
        let ready = (0..inds.len()).find(|&i| {
            !done[i]
                && inds[i].metric.components().is_none_or(|components| {
                    components
                        .iter()
                        .all(|(id, _)| index.get(id.as_str()).is_none_or(|&c| done[c]))
                })
        });
        let Some(i) = ready else { break };
        results[i] = composite(project, &inds[i], &index, results, s);
        done[i] = true;
    }
}

fn composite(
    project: &Project,
    ind: &Indicator,
    index: &BTreeMap<&str, usize>,
    results: &[IndicatorResult],
    s: &Settings,
) -> IndicatorResult {
    let Some(components) = ind.metric.components() else {
        return shell(project, ind, combine(&[], ind, s));
    };
    let mut overall = Vec::new();
    let mut periods: BTreeMap<PeriodKey, Vec<Part>> = BTreeMap::new();
    let mut segments: BTreeMap<String, BTreeMap<String, GroupParts>> = BTreeMap::new();
    let mut personas: BTreeMap<String, GroupParts> = BTreeMap::new();
    // The other windows: their spans (the first component's) and parts.
    let mut previous: (Option<(PeriodKey, PeriodKey)>, Vec<Part>) = (None, Vec::new());
    let mut year_ago: (Option<(PeriodKey, PeriodKey)>, Vec<Part>) = (None, Vec::new());
    let mut window = None;
    for (id, weight) in components {
        let Some(&c) = index.get(id.as_str()) else {
            continue;
        };
        let (def, res) = (&project.indicators[c], &results[c]);
        let part = |value: Option<f64>, n: u64, n_eff: f64| {
            Some((*weight, normalise(def, value?)?, n, n_eff))
        };
        let of = |e: &Estimate| part(e.value, e.n, e.effective_n);
        window.get_or_insert_with(|| res.window.clone());
        overall.extend(of(&res.estimate));
        for p in &res.periods {
            periods.entry(p.period).or_default().extend(of(&p.estimate));
        }
        for (other, mine) in [
            (&res.previous, &mut previous),
            (&res.year_ago, &mut year_ago),
        ] {
            if let Some(o) = other {
                mine.0.get_or_insert((o.from, o.to));
                mine.1.extend(part(o.value, o.n, o.effective_n));
            }
        }
        let add = |into: &mut GroupParts, g: &GroupResult| {
            into.now.extend(of(&g.estimate));
            for p in &g.periods {
                into.periods
                    .entry(p.period)
                    .or_default()
                    .extend(of(&p.estimate));
            }
        };
        for (col, groups) in &res.segments {
            let keys = segments.entry(col.clone()).or_default();
            for g in groups {
                add(keys.entry(g.key.clone()).or_default(), g);
            }
        }
        for g in &res.personas {
            add(personas.entry(g.key.clone()).or_default(), g);
        }
    }
    let mut r = shell(project, ind, combine(&overall, ind, s));
    if let Some(w) = window {
        r.window = w;
    }
    // The other windows: the components' values combined, the change; no
    // test (a composite has no variance).
    let compare = |(span, parts): (Option<(PeriodKey, PeriodKey)>, Vec<Part>)| {
        let (from, to) = span?;
        let e = combine(&parts, ind, s);
        Some(WindowComparison::of(from, to, &e, &r.estimate, None))
    };
    r.previous = compare(previous);
    r.year_ago = compare(year_ago);
    r.periods = (periods.iter())
        .map(|(k, parts)| PeriodResult {
            period: *k,
            estimate: combine(parts, ind, s),
            change: None,
            p_value: None,
            q_value: None,
            significant: None,
        })
        .collect();
    // A composite has no variance: changes, but no tests.
    fill_changes(
        &mut r.periods,
        Flagging {
            confidence: s.confidence,
            welch: false,
            bh: false,
            min_change: ind.min_change,
        },
    );
    // Segments carry `vs_rest` as null (composites are not compared with the
    // rest); personas carry none.
    let groups = |m: &BTreeMap<String, GroupParts>, segment: bool| {
        m.iter()
            .map(|(k, g)| GroupResult {
                key: k.clone(),
                estimate: combine(&g.now, ind, s),
                vs_rest: segment.then_some(None),
                p_value: None,
                q_value: None,
                significant: None,
                periods: (g.periods.iter())
                    .map(|(p, parts)| GroupPeriod {
                        period: *p,
                        estimate: combine(parts, ind, s),
                    })
                    .collect(),
            })
            .collect::<Vec<_>>()
    };
    r.segments = segments
        .iter()
        .map(|(col, keys)| (col.clone(), groups(keys, true)))
        .collect();
    r.personas = groups(&personas, false);
    r
}

/// A segment key's or persona's contributions: on the window, and per period.
#[derive(Default)]
struct GroupParts {
    now: Vec<Part>,
    periods: BTreeMap<PeriodKey, Vec<Part>>,
}

/// The weighted mean of the contributing parts, as an estimate.
fn combine(parts: &[Part], ind: &Indicator, s: &Settings) -> Estimate {
    let sw: f64 = parts.iter().map(|p| p.0).sum();
    let n = parts.iter().map(|p| p.2).min().unwrap_or(0);
    let n_eff = parts
        .iter()
        .map(|p| p.3)
        .min_by(f64::total_cmp)
        .unwrap_or(0.0);
    let mut value = (sw > 0.0).then(|| parts.iter().map(|p| p.0 * p.1).sum::<f64>() / sw);
    let suppressed = n_eff < s.min_n;
    if suppressed {
        value = None;
    }
    Estimate {
        value,
        n,
        effective_n: n_eff,
        ci_low: None,
        ci_high: None,
        status: status(value, suppressed, goal_of(ind)),
        variance: None,
        se: None,
    }
}
