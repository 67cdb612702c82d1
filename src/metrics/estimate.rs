//! Compute stage: finishing an accumulator into a published [`Estimate`].
//!
//! Input: an [`Acc`], its indicator's [`Measure`] and [`Goal`], and the
//! project's confidence settings. Output: value, n, effective n, interval,
//! variance and status — one code path for overall, periods, segments and
//! personas (SPEC §2).

use std::sync::Arc;

use super::acc::{Acc, Base, Cal};
use super::calibration::Calibration;
use super::computed::Estimate;
use super::design::mean_variance;
use super::distribution::percentile_inc;
use super::intervals::{net_interval, net_variance, t_critical, t_interval, wilson, z_critical};
use super::measure::Measure;
use super::status::{status, Goal};
use crate::project::model::{Config, NpsInterval};

/// The project-wide settings every estimate needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Confidence level of intervals and tests.
    pub confidence: f64,
    /// The two-sided normal critical value at `confidence`.
    pub z: f64,
    /// Adjusted Wald for NPS-style (net) intervals.
    pub adjusted_wald: bool,
    /// Below this effective n a value is suppressed.
    pub min_n: f64,
    /// A weighted dataset's design: its estimates take the design-based
    /// variance (SPEC §11); `None`: unweighted, Part I's formulas.
    pub design: Option<Design>,
}

/// What the design-based variance of a weighted dataset needs beyond an
/// accumulator's sums.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The dataset's rows: the n of n/(n − 1), whatever the domain.
    pub rows: f64,
    /// A raked dataset's calibration ([`super::calibration`]); `None`: the
    /// weights are design weights ([`super::design`]).
    pub calibration: Option<Arc<Calibration>>,
}

impl Design {
    /// The variance of the weighted mean `mean` of y over a domain with sums
    /// `b` and (raked datasets) calibration sums `cal`.
    pub fn variance(&self, b: &Base, cal: Option<&Cal>, mean: f64) -> Option<f64> {
        match (&self.calibration, cal) {
            (Some(c), Some(cal)) => c.variance(cal, b, mean),
            _ => mean_variance(b, mean, self.rows),
        }
    }
}

impl Settings {
    /// The settings of a project's configuration.
    pub fn of(config: &Config) -> Settings {
        Settings {
            confidence: config.confidence,
            z: z_critical(config.confidence),
            adjusted_wald: config.nps_interval == NpsInterval::AdjustedWald,
            min_n: config.min_n,
            design: None,
        }
    }
}

/// Finishes `acc` into an estimate with its status.
///
/// Choices where SPEC is silent: `count` is never suppressed and has no
/// interval; `count` and `percentile` are unweighted, so their effective n is
/// n; a mean with effective n ≤ 1 has a value but no interval or variance; a
/// value that cannot be computed (nothing answered, or every weight zero) is
/// null with status `none` unless suppressed. The `adjusted_wald` setting
/// applies to every net metric (NPS and CES `net` share the trinomial).
pub fn finish(acc: &Acc, measure: &Measure, goal: Goal, s: &Settings) -> Estimate {
    let base = acc.base();
    let n_eff = match measure {
        Measure::Count | Measure::Percentile { .. } => base.n as f64,
        Measure::Net { .. }
        | Measure::Boxed { .. }
        | Measure::Share { .. }
        | Measure::Mean { .. }
        | Measure::Gap { .. }
        | Measure::Composite => base.effective_n(),
    };
    let mut e = Estimate {
        value: None,
        n: base.n,
        effective_n: n_eff,
        ci_low: None,
        ci_high: None,
        status: super::computed::Status::None,
        variance: None,
        se: None,
    };
    if let Measure::Count = measure {
        e.value = Some(base.n as f64);
        e.status = status(e.value, false, goal);
        return e;
    }
    // n = 0 (or only zero weights): nothing to estimate. Handled before any
    // division so no NaN can reach the JSON.
    if base.n == 0 || base.sw <= 0.0 {
        e.status = status(None, n_eff < s.min_n, goal);
        return e;
    }
    // A weighted dataset: the design-based variance of the mean of y (SPEC §11).
    let design = |b: &Base, mean: f64| (s.design.as_ref())?.variance(b, acc.cal(), mean);
    let ci = match (acc, measure) {
        (
            Acc::Net {
                base, w_pos, w_neg, ..
            },
            _,
        ) => {
            let (p, d) = (w_pos / base.sw, w_neg / base.sw);
            e.value = Some((p - d) * 100.0);
            if let Some(v) = design(base, p - d) {
                // svycontrast(c(100, −100)): NPS ± z·se, clamped.
                let (centre, half) = ((p - d) * 100.0, s.z * v.sqrt() * 100.0);
                e.variance = Some(v * 1e4);
                Some(((centre - half).max(-100.0), (centre + half).min(100.0)))
            } else {
                e.variance = Some(net_variance(p, d, n_eff) * 1e4);
                Some(net_interval(p, d, n_eff, s.z, s.adjusted_wald))
            }
        }
        (Acc::Prop { base, w_hit, .. }, _) => {
            let p = w_hit / base.sw;
            e.value = Some(p * 100.0);
            if let Some(v) = design(base, p) {
                // Wilson on n* = p(1 − p)/se² (Kish's n when p is 0 or 1 —
                // or within rounding of them: w_hit/Σw may land one ulp
                // short of 1, and n* would then be a ratio of residues).
                let pq = p * (1.0 - p);
                let n_star = if v > 0.0 && pq > 1e-12 { pq / v } else { n_eff };
                e.variance = Some(v * 1e4);
                Some(wilson(p, n_star, s.z))
            } else {
                e.variance = Some(p * (1.0 - p) / n_eff * 1e4);
                Some(wilson(p, n_eff, s.z))
            }
        }
        (Acc::Mean { base, mean, m2, .. }, _) => {
            e.value = Some(*mean);
            if let (Some(v), true) = (design(base, *mean), n_eff > 1.0) {
                // Student-t with df = n_eff − 1 on the design-based se.
                e.variance = Some(v);
                t_critical(s.confidence, n_eff - 1.0).map(|t| {
                    let half = t * v.sqrt();
                    (mean - half, mean + half)
                })
            } else if n_eff > 1.0 {
                // Σw(x − m)²/Σw · n_eff/(n_eff − 1) (SPEC §2).
                let s2 = m2 / base.sw * n_eff / (n_eff - 1.0);
                e.variance = Some(s2 / n_eff);
                t_interval(*mean, s2, n_eff, s.confidence)
            } else {
                None
            }
        }
        (Acc::Pct { values }, Measure::Percentile { p, .. }) => {
            e.value = percentile_inc(values, *p);
            None
        }
        (Acc::Sketched { sketch }, Measure::Percentile { p, .. }) => {
            e.value = sketch.percentile(*p);
            None
        }
        // Percentile values without a percentile to take: nothing to publish.
        (Acc::Pct { .. } | Acc::Sketched { .. }, _) => None,
        // Counts were finished above; they have no interval.
        (Acc::Count { .. }, _) => None,
    };
    if let Some((lo, hi)) = ci {
        e.ci_low = Some(lo);
        e.ci_high = Some(hi);
        e.se = e.variance.map(|v| v.max(0.0).sqrt());
    }
    let suppressed = n_eff < s.min_n;
    if suppressed {
        e.value = None;
        e.ci_low = None;
        e.ci_high = None;
        e.variance = None;
        e.se = None;
    }
    e.status = status(e.value, suppressed, goal);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::acc::Obs;
    use crate::metrics::computed::Status;
    use crate::project::model::{CesMode, Direction, Metric, Range};

    const S: Settings = Settings {
        confidence: 0.95,
        z: 1.959963984540054,
        adjusted_wald: false,
        min_n: 0.0,
        design: None,
    };
    const GOAL: Goal = Goal {
        target: Some(30.0),
        amber: Some(10.0),
        direction: Direction::Higher,
    };

    fn run(metric: &Metric, cells: &[&str], s: &Settings) -> Estimate {
        let m = Measure::of(metric);
        let mut acc = m.new_acc();
        for c in cells {
            if let Some(obs) = m.observe(Some(c)).unwrap() {
                acc.add(obs, 1.0);
            }
        }
        finish(&acc, &m, GOAL, s)
    }

    fn close(a: Option<f64>, b: f64, tol: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn nps_with_blanks_excluded() {
        // 5 promoters, 3 passives, 2 detractors and two blanks: n = 10, NPS 30.
        let cells = ["10", "9", "9", "10", "9", "8", "7", "7", "3", "0", "", " "];
        let e = run(&Metric::Nps, &cells, &S);
        assert_eq!(e.n, 10);
        close(e.value, 30.0, 1e-9);
        // Var = 0.061 (see intervals.rs); on the published scale ·100² = 610.
        close(e.variance, 610.0, 1e-9);
        close(e.ci_low, 30.0 - 48.4075, 1e-3);
        close(e.ci_high, 30.0 + 48.4075, 1e-3);
        assert_eq!(e.status, Status::Green);
    }

    #[test]
    fn csat_top_two_with_wilson() {
        // 8 of 10 answers are 4 or 5 → 80 %, Wilson [49.0162, 94.3318] (intervals.rs).
        let metric = Metric::Csat {
            scale: Range { lo: 1.0, hi: 5.0 },
            top_box: Range { lo: 4.0, hi: 5.0 },
        };
        let e = run(
            &metric,
            &["5", "4", "4", "5", "5", "4", "4", "5", "2", "3"],
            &S,
        );
        close(e.value, 80.0, 1e-9);
        close(e.ci_low, 49.0162, 1e-3);
        close(e.ci_high, 94.3318, 1e-3);
        close(e.variance, 0.8 * 0.2 / 10.0 * 1e4, 1e-9);
    }

    #[test]
    fn ces_mean_with_t_interval() {
        // 2, 3, 4, 5, 6: mean 4, Σ(x − 4)² = 10, s² = 10/4 = 2.5; t(0.975; 4) = 2.776445;
        // half = 2.776445·√(2.5/5) = 1.963243.
        let metric = Metric::Ces {
            scale: Range { lo: 1.0, hi: 7.0 },
            mode: CesMode::Mean,
        };
        let e = run(&metric, &["2", "3", "4", "5", "6"], &S);
        close(e.value, 4.0, 1e-12);
        close(e.ci_low, 4.0 - 1.963243, 1e-5);
        close(e.ci_high, 4.0 + 1.963243, 1e-5);
        close(e.variance, 0.5, 1e-12);
    }

    #[test]
    fn share_and_percentile_and_count() {
        let share = Metric::Share {
            values: vec!["web".into()],
        };
        let e = run(&share, &["web", "app", " web ", "", "shop"], &S);
        assert_eq!(e.n, 4);
        close(e.value, 50.0, 1e-12);
        let cells: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let e = run(
            &Metric::Percentile {
                p: 90.0,
                scale: None,
            },
            &refs,
            &S,
        );
        close(e.value, 9.1, 1e-12);
        assert_eq!((e.ci_low, e.variance), (None, None));
        let strict = Settings { min_n: 1000.0, ..S };
        let e = run(&Metric::Count, &["a", "", "b"], &strict);
        assert_eq!((e.value, e.n), (Some(2.0), 2));
        assert_ne!(e.status, Status::Suppressed);
    }

    #[test]
    fn suppressed_below_min_n_and_empty() {
        let strict = Settings { min_n: 11.0, ..S };
        let e = run(&Metric::Nps, &["10"; 10], &strict);
        assert_eq!(e.status, Status::Suppressed);
        assert_eq!((e.value, e.ci_low, e.ci_high, e.n), (None, None, None, 10));
        let e = run(&Metric::Nps, &["10"; 11], &strict);
        assert_eq!(e.status, Status::Green);
        let e = run(&Metric::Nps, &[], &S);
        assert_eq!((e.value, e.n, e.status), (None, 0, Status::None));
    }

    #[test]
    fn weights_of_one_equal_unweighted_and_kish_drives_intervals() {
        let m = Measure::of(&Metric::Mean { scale: None });
        let (mut ones, mut weighted) = (m.new_acc(), m.new_acc());
        for (x, w) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0)] {
            ones.add(Obs::Num(x), 1.0);
            weighted.add(Obs::Num(x), w);
        }
        let plain = run(&Metric::Mean { scale: None }, &["2", "4", "6"], &S);
        assert_eq!(finish(&ones, &m, GOAL, &S), plain);
        // Weighted: mean 14/3, Σw(x−m)²/Σw = (120/9)/6 = 2.2222, n_eff = 36/14 = 2.5714,
        // s² = 2.2222·2.5714/1.5714 = 3.6364; Var = s²/n_eff = 1.4141.
        let e = finish(&weighted, &m, GOAL, &S);
        close(e.value, 14.0 / 3.0, 1e-12);
        assert!((e.effective_n - 36.0 / 14.0).abs() < 1e-12);
        close(
            e.variance,
            (120.0 / 9.0 / 6.0) * (36.0 / 14.0) / (22.0 / 14.0) / (36.0 / 14.0),
            1e-12,
        );
    }
}
