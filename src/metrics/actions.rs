//! Compute stage: did an action move its indicators? (SPEC §10)
//!
//! Input: the checked actions, every dataset's finished pass (its indicators'
//! per-period accumulators, and per segment key per period) and the
//! reporting windows (`as_of`). Output: each action's [`ActionResult`] with
//! one [`Evaluation`] per linked indicator once `start` ≤ `as_of`.
//!
//! The "before" periods are the `periods` periods just before `start`; the
//! "after" periods run from `start` for up to as many periods, never past
//! `as_of`. Each side pools its periods by merging their accumulators (in
//! period order, so every run sums alike) and finishing the merged one, as a
//! window is: the pooled value is the value of all those rows together, not
//! the mean of the periods' values. `change` = after − before, tested with
//! the unpooled z test, √(Var_before + Var_after), and the normal
//! two-sided p-value for every metric (pooled over several periods the
//! samples are large; Welch's t of Part I is kept for single-period
//! changes). With `control`, the other rows (every row of the indicator but
//! the control rows: blank keys included) and the control rows are finished
//! apart, and the change is (after − before) of the others − (after −
//! before) of the control, its variance the sum of the four. The p-values of
//! every evaluation of the project are one family (h) for BH.

use std::collections::BTreeMap;

use statrs::distribution::{ContinuousCDF, Normal};

use super::acc::Acc;
use super::compare::rest;
use super::computed::{Estimate, IndicatorResult};
use super::computed_actions::{
    ActionResult, ControlInfo, ControlSide, Evaluation, Span as PeriodSpan,
};
use super::estimate::{finish, Settings};
use super::fdr::{adjust, flagged};
use super::intervals::z_critical;
use super::pass::{DatasetPass, IndicatorPass};
use super::periods::PeriodKey;
use super::results::goal_of;
use super::window::{Window, WindowKind, Windows};
use crate::project::actions::{Action, ActionPeriod, ActionStatus};
use crate::project::model::{Direction, Period, Project};
use crate::project::report::MultipleTesting;

/// Every action of the project, evaluated on the passes' per-period
/// accumulators; q-values over every evaluation together (family (h)).
pub fn evaluate(
    project: &Project,
    passes: &[DatasetPass<'_>],
    windows: &Windows,
    s: &Settings,
) -> Vec<ActionResult> {
    let period = project.config.period;
    let as_of = windows.as_of;
    let mut out: Vec<ActionResult> = (project.actions.iter())
        .map(|a| evaluate_action(project, a, passes, as_of, period, s))
        .collect();
    let bh = project.config.report.multiple_testing == MultipleTesting::Bh;
    let p: Vec<Option<f64>> = (out.iter())
        .flat_map(|a| a.evaluations.iter().map(|e| e.p_value))
        .collect();
    let mut q = adjust(&p, bh).into_iter();
    for e in out.iter_mut().flat_map(|a| a.evaluations.iter_mut()) {
        e.q_value = q.next().flatten();
        let min_change = (project.indicators.iter())
            .find(|i| i.id == e.indicator)
            .map_or(0.0, |i| i.min_change);
        e.significant = flagged(e.q_value, e.change, s.confidence, min_change);
    }
    out
}

/// The period key of an action's `start` or `due`.
pub fn key_of(p: &ActionPeriod, period: Period) -> PeriodKey {
    PeriodKey::from_parts(period, p.year, p.number)
}

/// Overdue: `due` before `as_of` (in periods: due in the `as_of` period is
/// not yet late), and neither done nor dropped. Nothing is overdue without
/// dated data (no `as_of`).
pub fn is_overdue(due: Option<PeriodKey>, as_of: Option<PeriodKey>, status: ActionStatus) -> bool {
    status.is_open() && due.zip(as_of).is_some_and(|(d, a)| d < a)
}

/// Whether `change` reaches `expected` in the better `direction`: the
/// expectation is a size (its sign ignored), counted up for `higher` and
/// down for `lower`. `None` without an expectation or a change.
pub fn is_met(change: Option<f64>, expected: Option<f64>, direction: Direction) -> Option<bool> {
    let (c, e) = (change?, expected?.abs());
    Some(match direction {
        Direction::Higher => c >= e,
        Direction::Lower => c <= -e,
    })
}

fn evaluate_action(
    project: &Project,
    a: &Action,
    passes: &[DatasetPass<'_>],
    as_of: Option<PeriodKey>,
    period: Period,
    s: &Settings,
) -> ActionResult {
    let start = key_of(&a.start, period);
    let due = a.due.as_ref().map(|d| key_of(d, period));
    let started = as_of.is_some_and(|t| start <= t);
    let evaluations = match (started, as_of) {
        (true, Some(as_of)) => (a.indicators.iter())
            .map(|id| evaluate_indicator(project, a, id, passes, start, as_of, s))
            .collect(),
        _ => Vec::new(),
    };
    ActionResult {
        id: a.id.clone(),
        title: a.title.clone(),
        owner: a.owner.clone(),
        status: a.status,
        start,
        due,
        overdue: is_overdue(due, as_of, a.status),
        journey: a.journey.clone(),
        stage: a.stage.clone(),
        touchpoint: a.touchpoint.clone(),
        periods: a.periods,
        control: (a.control.as_ref()).map(|c| ControlInfo {
            column: c.column.clone(),
            equals: c.equals.clone(),
        }),
        evaluations,
    }
}

/// A change and its variance, tested: (ci_low, ci_high, se, p).
struct Tested {
    ci: Option<(f64, f64)>,
    se: Option<f64>,
    p: Option<f64>,
}

fn z_test(change: Option<f64>, variance: Option<f64>, confidence: f64) -> Tested {
    let none = Tested {
        ci: None,
        se: None,
        p: None,
    };
    let (Some(c), Some(v)) = (change, variance) else {
        return none;
    };
    let se = v.sqrt();
    if !se.is_finite() || se <= 0.0 {
        return none;
    }
    let z = z_critical(confidence);
    let p = Normal::new(0.0, 1.0)
        .ok()
        .map(|n| (2.0 * n.sf((c / se).abs())).min(1.0));
    Tested {
        ci: Some((c - z * se, c + z * se)),
        se: Some(se),
        p,
    }
}

fn evaluate_indicator(
    project: &Project,
    a: &Action,
    id: &str,
    passes: &[DatasetPass<'_>],
    start: PeriodKey,
    as_of: PeriodKey,
    s: &Settings,
) -> Evaluation {
    let n = i64::from(a.periods.max(1));
    let before_span = (start.step(-n), start.step(-1));
    let after_span = (start, start.step(n - 1).min(as_of));
    let ind = project.indicators.iter().find(|i| i.id == id);
    let expected = a.expected.get(id).copied();
    let mut e = Evaluation {
        indicator: id.to_string(),
        before: None,
        after: None,
        change: None,
        ci_low: None,
        ci_high: None,
        se: None,
        p_value: None,
        q_value: None,
        significant: None,
        met: None,
        expected,
        before_periods: None,
        after_periods: None,
        before_n: 0,
        after_n: 0,
        control: None,
    };
    let Some(ind) = ind else { return e };
    let found = passes.iter().find_map(|dp| {
        (dp.indicators.iter())
            .find(|ip| project.indicators[ip.index].id == id)
            .map(|ip| (dp, ip))
    });
    // Composites read no rows and undated datasets have no periods: nothing
    // to pool, so the evaluation stays empty.
    let Some((dp, ip)) = found.filter(|(dp, _)| dp.is_dated()) else {
        return e;
    };
    e.before_periods = Some(PeriodSpan {
        from: before_span.0,
        to: before_span.1,
    });
    e.after_periods = Some(PeriodSpan {
        from: after_span.0,
        to: after_span.1,
    });
    let s = &Settings {
        design: dp.design.clone(),
        ..s.clone()
    };
    let est = |acc: &Acc| finish(acc, &ip.measure, goal_of(ind), s);
    let window = |span: (PeriodKey, PeriodKey)| Window {
        kind: WindowKind::All,
        span: Some(span),
    };
    let pooled =
        |periods: &BTreeMap<PeriodKey, Acc>, span| window(span).merged(periods, &ip.measure);
    let (all_before, all_after) = (
        pooled(&ip.periods, before_span),
        pooled(&ip.periods, after_span),
    );
    let control_periods = a
        .control
        .as_ref()
        .map(|c| control_accs(dp, ip, &c.column, &c.equals));
    let (b, af, variance, change) = match control_periods {
        None => {
            let (b, af) = (est(&all_before), est(&all_after));
            let change = diff(&af, &b);
            let var = sum_var(&[&b, &af]);
            (b, af, var, change)
        }
        Some(ctrl) => {
            let cb = pooled(&ctrl, before_span);
            let ca = pooled(&ctrl, after_span);
            let others = |all: &Acc, c: &Acc| rest(all, c).unwrap_or_else(|| all.clone());
            let (ob, oa) = (
                est(&others(&all_before, &cb)),
                est(&others(&all_after, &ca)),
            );
            let (cb, ca) = (est(&cb), est(&ca));
            let treated = diff(&oa, &ob);
            let control = diff(&ca, &cb);
            let change = treated.zip(control).map(|(t, c)| t - c);
            let var = sum_var(&[&ob, &oa, &cb, &ca]);
            e.control = Some(ControlSide {
                before: cb.value,
                after: ca.value,
                change: control,
                before_n: cb.n,
                after_n: ca.n,
            });
            (ob, oa, var, change)
        }
    };
    let t = z_test(change, variance, s.confidence);
    e.before = b.value;
    e.after = af.value;
    e.before_n = b.n;
    e.after_n = af.n;
    e.change = change;
    e.ci_low = t.ci.map(|c| c.0);
    e.ci_high = t.ci.map(|c| c.1);
    e.se = t.se;
    e.p_value = t.p;
    e.met = is_met(change, expected, ind.direction);
    e
}

/// The control rows' per-period accumulators (empty when no row has the key).
fn control_accs(
    dp: &DatasetPass<'_>,
    ip: &IndicatorPass<'_>,
    column: &str,
    equals: &str,
) -> BTreeMap<PeriodKey, Acc> {
    (dp.segments.iter().position(|(name, _)| name == column))
        .and_then(|col| ip.segment_periods.get(col))
        .and_then(|keys| keys.get(equals))
        .cloned()
        .unwrap_or_default()
}

fn diff(after: &Estimate, before: &Estimate) -> Option<f64> {
    after.value.zip(before.value).map(|(a, b)| a - b)
}

fn sum_var(parts: &[&Estimate]) -> Option<f64> {
    parts.iter().map(|e| e.variance).sum()
}

/// The open actions (planned or in progress) of an indicator.
pub fn open_actions<'a>(project: &'a Project, id: &'a str) -> impl Iterator<Item = &'a Action> {
    (project.actions.iter())
        .filter(move |a| a.status.is_open() && a.indicators.iter().any(|i| i == id))
}

/// The indicator results a red-without-action warning looks at.
pub fn red_without_action<'a>(
    project: &'a Project,
    results: &'a [IndicatorResult],
) -> impl Iterator<Item = &'a IndicatorResult> {
    (results.iter()).filter(move |r| {
        r.estimate.status == super::computed::Status::Red
            && open_actions(project, &r.id).next().is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn met_counts_the_expectation_in_the_better_direction() {
        use Direction::{Higher, Lower};
        // Exactly reaching the expectation meets it.
        assert_eq!(is_met(Some(5.0), Some(5.0), Higher), Some(true));
        assert_eq!(is_met(Some(4.999), Some(5.0), Higher), Some(false));
        // The sign of `expected` is ignored: a size in the better direction.
        assert_eq!(is_met(Some(6.0), Some(-5.0), Higher), Some(true));
        assert_eq!(is_met(Some(-5.0), Some(5.0), Lower), Some(true));
        assert_eq!(is_met(Some(-5.0), Some(-5.0), Lower), Some(true));
        assert_eq!(is_met(Some(5.0), Some(5.0), Lower), Some(false));
        assert_eq!(is_met(Some(-4.0), Some(5.0), Lower), Some(false));
        // A zero expectation: any change that is not worse.
        assert_eq!(is_met(Some(0.0), Some(0.0), Higher), Some(true));
        assert_eq!(is_met(Some(-0.1), Some(0.0), Higher), Some(false));
        // Nothing to meet, or nothing measured.
        assert_eq!(is_met(Some(5.0), None, Higher), None);
        assert_eq!(is_met(None, Some(5.0), Higher), None);
    }

    #[test]
    fn overdue_is_a_due_period_before_as_of_on_an_open_action() {
        let (m9, m10) = (PeriodKey::Month(2025, 9), PeriodKey::Month(2025, 10));
        use ActionStatus::{Done, Dropped, InProgress, Planned};
        assert!(is_overdue(Some(m9), Some(m10), Planned));
        assert!(is_overdue(Some(m9), Some(m10), InProgress));
        // Due in the as_of period itself: not yet late.
        assert!(!is_overdue(Some(m10), Some(m10), InProgress));
        assert!(!is_overdue(Some(m10), Some(m9), Planned));
        // Closed actions are never overdue.
        assert!(!is_overdue(Some(m9), Some(m10), Done));
        assert!(!is_overdue(Some(m9), Some(m10), Dropped));
        // No due date, or no dated data.
        assert!(!is_overdue(None, Some(m10), Planned));
        assert!(!is_overdue(Some(m9), None, Planned));
    }

    #[test]
    fn the_change_interval_is_normal_at_the_confidence() {
        // change 4, variance 4 → se 2; 95 %: 4 ± 1.959964·2; z = 2 → p = 0.0455003.
        let t = z_test(Some(4.0), Some(4.0), 0.95);
        let (lo, hi) = t.ci.unwrap();
        assert!((lo - (4.0 - 3.919928)).abs() < 1e-5, "{lo}");
        assert!((hi - (4.0 + 3.919928)).abs() < 1e-5, "{hi}");
        assert!((t.p.unwrap() - 0.0455003).abs() < 1e-6);
        assert!(z_test(Some(1.0), Some(0.0), 0.95).p.is_none());
        assert!(z_test(None, Some(1.0), 0.95).p.is_none());
    }
}
