//! Compute stage: mergeable accumulators, one closed enum for every metric.
//!
//! Input: one observation per answered row ([`Obs`], made by
//! [`super::measure::Measure::observe`]) with its weight. Output: the weighted
//! sums each metric's estimate is finished from (see [`super::estimate`]).
//! `merge(a, b)` equals scanning a's rows then b's (up to floating-point
//! rounding), so partial results of files or chunks can be combined in a fixed
//! order. Memory is constant per accumulator, except that a percentile keeps
//! its values — up to [`PCT_EXACT_MAX`] per group, past which they are folded
//! into a DDSketch of relative accuracy [`SKETCH_ALPHA`] ([`Sketch`]).

use serde::{Deserialize, Serialize};
use sketches_ddsketch::{Config, DDSketch};

pub use super::calibration::Cal;

/// Values a percentile group keeps exactly (8 MB of f64): past this, the
/// group switches to a sketch, so memory no longer grows with rows.
pub const PCT_EXACT_MAX: usize = 1_000_000;

/// The sketch's relative accuracy: a reported percentile is within 1 % of
/// the value of the rank it stands for.
pub const SKETCH_ALPHA: f64 = 0.01;

/// How `metrics.json` names the sketch (`percentile_method`).
pub const SKETCH_METHOD: &str = "ddsketch(alpha=0.01)";

/// A DDSketch (Masson, Rim & Lee, VLDB 2019) of a percentile group's values.
#[derive(Clone, Serialize, Deserialize)]
pub struct Sketch(pub DDSketch);

impl Sketch {
    fn of(values: &[f64]) -> Sketch {
        // 4096 bins cover values from 1e-9 to beyond 1e25 at α = 1 %.
        let mut d = DDSketch::new(Config::new(SKETCH_ALPHA, 4096, 1e-9));
        for &x in values {
            d.add(x);
        }
        Sketch(d)
    }

    /// Values added.
    pub fn count(&self) -> u64 {
        self.0.count() as u64
    }

    /// The `p`-th percentile (0–100); `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        self.0.quantile((p / 100.0).clamp(0.0, 1.0)).ok().flatten()
    }

    fn merge(&mut self, other: &Sketch) {
        // Same configuration on both sides, so merging cannot fail.
        let _ = self.0.merge(&other.0);
    }
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(n = {})", self.count())
    }
}

impl PartialEq for Sketch {
    /// Same count, extremes and quartiles: what a test can compare.
    fn eq(&self, other: &Sketch) -> bool {
        self.count() == other.count()
            && self.0.min() == other.0.min()
            && self.0.max() == other.0.max()
            && [25.0, 50.0, 75.0]
                .iter()
                .all(|&p| self.percentile(p) == other.percentile(p))
    }
}

/// What one answered row contributes, already classified by the metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Obs {
    /// A net metric's class: +1 promoter, 0 passive, −1 detractor.
    Net(i8),
    /// A proportion's outcome: in the box (or equal to a value) or not.
    Hit(bool),
    /// A number, for means and percentiles.
    Num(f64),
    /// A row that counts (the `count` metric).
    Row,
}

/// Counts and weight sums of the answered rows; every accumulator has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Base {
    /// Answered rows.
    pub n: u64,
    /// Σw.
    pub sw: f64,
    /// Σw², for Kish's effective n and the design-based variance.
    pub sw2: f64,
    /// Σw²y of the row's value y (NPS: +1/0/−1; proportions: 1/0; means:
    /// the number), for the design-based variance (SPEC §11; see
    /// [`super::design`]).
    pub sw2y: f64,
    /// Σw²y².
    pub sw2yy: f64,
}

impl Base {
    /// Counts one row of weight `w` (with no value: y = 0).
    pub fn add(&mut self, w: f64) {
        self.n += 1;
        self.sw += w;
        self.sw2 += w * w;
    }

    /// Counts one row of weight `w` and value `y`.
    #[inline]
    pub fn add_y(&mut self, w: f64, y: f64) {
        self.add(w);
        let w2y = w * w * y;
        self.sw2y += w2y;
        self.sw2yy += w2y * y;
    }

    /// Adds another's rows.
    pub fn merge(&mut self, o: &Base) {
        self.n += o.n;
        self.sw += o.sw;
        self.sw2 += o.sw2;
        self.sw2y += o.sw2y;
        self.sw2yy += o.sw2yy;
    }

    /// The rows of `self` that are not in `part` (a subset of them).
    pub fn minus(&self, part: &Base) -> Base {
        Base {
            n: self.n.saturating_sub(part.n),
            sw: self.sw - part.sw,
            sw2: self.sw2 - part.sw2,
            sw2y: self.sw2y - part.sw2y,
            sw2yy: self.sw2yy - part.sw2yy,
        }
    }

    /// Kish's effective n, (Σw)²/Σw² (SPEC §2); n itself without weights; 0 when empty.
    pub fn effective_n(&self) -> f64 {
        if self.sw2 > 0.0 {
            self.sw * self.sw / self.sw2
        } else {
            0.0
        }
    }
}

/// One accumulator. The variant is chosen once per indicator from its metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Acc {
    /// NPS and CES `net`: weighted shares of the positive and negative classes.
    Net {
        /// Answered rows and weights.
        base: Base,
        /// Σw of promoters.
        w_pos: f64,
        /// Σw of detractors.
        w_neg: f64,
        /// Unweighted counts: promoters, passives, detractors (for the breakdown).
        counts: [u64; 3],
        /// A raked dataset's calibration sums (empty otherwise).
        cal: Cal,
    },
    /// CSAT, top/bottom box, CES `agree`, share: the weighted share of hits.
    Prop {
        /// Answered rows and weights.
        base: Base,
        /// Σw of hits.
        w_hit: f64,
        /// A raked dataset's calibration sums (empty otherwise).
        cal: Cal,
    },
    /// Means: West's weighted incremental mean and sum of squared deviations,
    /// numerically stable and mergeable (Chan et al.'s pairwise update).
    Mean {
        /// Answered rows and weights.
        base: Base,
        /// The weighted mean so far.
        mean: f64,
        /// Σw(x − mean)².
        m2: f64,
        /// A raked dataset's calibration sums (empty otherwise).
        cal: Cal,
    },
    /// Percentiles keep their values (unweighted, SPEC §2).
    Pct {
        /// The answered values, in arrival order.
        values: Vec<f64>,
    },
    /// A percentile group past [`PCT_EXACT_MAX`] values.
    Sketched {
        /// The values, sketched.
        sketch: Sketch,
    },
    /// `count`: rows (and weights, for effective n).
    Count {
        /// Counted rows and weights.
        base: Base,
    },
}

impl Acc {
    /// Adds one observation with weight `w` (1 without a weight column).
    pub fn add(&mut self, obs: Obs, w: f64) {
        self.add_within(obs, w, PCT_EXACT_MAX);
    }

    /// [`Acc::add`] with the exact-value budget as a parameter (tests use a small one).
    pub fn add_within(&mut self, obs: Obs, w: f64, budget: usize) {
        if let (Acc::Pct { values }, Obs::Num(x)) = (&mut *self, obs) {
            values.push(x);
            if values.len() > budget {
                *self = Acc::Sketched {
                    sketch: Sketch::of(values),
                };
            }
            return;
        }
        match (self, obs) {
            (
                Acc::Net {
                    base,
                    w_pos,
                    w_neg,
                    counts,
                    ..
                },
                Obs::Net(class),
            ) => {
                base.add_y(w, f64::from(class));
                match class {
                    1 => {
                        *w_pos += w;
                        counts[0] += 1;
                    }
                    -1 => {
                        *w_neg += w;
                        counts[2] += 1;
                    }
                    _ => counts[1] += 1,
                }
            }
            (Acc::Prop { base, w_hit, .. }, Obs::Hit(hit)) => {
                base.add_y(w, if hit { 1.0 } else { 0.0 });
                if hit {
                    *w_hit += w;
                }
            }
            (Acc::Mean { base, mean, m2, .. }, Obs::Num(x)) => {
                base.add_y(w, x);
                if w > 0.0 {
                    // West (1979): the weight-aware Welford update.
                    let delta = x - *mean;
                    // w / Σw first: it is exactly 1 on the first weighted
                    // row, so the mean starts at x exactly and a column of
                    // identical values keeps a variance of exactly 0 (not a
                    // rounding residue that a tiny effective n's t quantile
                    // would blow up into a huge interval).
                    *mean += delta * (w / base.sw);
                    *m2 += w * delta * (x - *mean);
                }
            }
            (Acc::Sketched { sketch }, Obs::Num(x)) => sketch.0.add(x),
            (Acc::Count { base }, Obs::Row) => base.add(w),
            (acc, obs) => debug_assert!(false, "observation {obs:?} does not fit {acc:?}"),
        }
    }

    /// Takes out the rows of `part`, a subset of ours (a net metric's: the
    /// NPS of the rows *without* a topic is that of all rows minus those
    /// with it). Other kinds are left as they are: nothing subtracts them.
    pub fn subtract(&mut self, part: &Acc) {
        if let (
            Acc::Net {
                base,
                w_pos,
                w_neg,
                counts,
                cal,
            },
            Acc::Net {
                base: b,
                w_pos: p,
                w_neg: d,
                counts: c,
                cal: cal_b,
            },
        ) = (self, part)
        {
            *base = base.minus(b);
            cal.subtract(cal_b);
            *w_pos -= p;
            *w_neg -= d;
            for (a, b) in counts.iter_mut().zip(c) {
                *a -= (*b).min(*a);
            }
            if base.n == 0 {
                // Nothing left: no rounding residue may pass for weight.
                *base = Base::default();
                (*w_pos, *w_neg) = (0.0, 0.0);
            }
        }
    }

    /// Adds every row of `other`, as if they had been scanned after ours.
    pub fn merge(&mut self, other: &Acc) {
        self.merge_within(other, PCT_EXACT_MAX);
    }

    /// [`Acc::merge`] with the exact-value budget as a parameter.
    pub fn merge_within(&mut self, other: &Acc, budget: usize) {
        match (&mut *self, other) {
            (Acc::Pct { values }, Acc::Pct { values: v }) => {
                values.extend_from_slice(v);
                if values.len() > budget {
                    *self = Acc::Sketched {
                        sketch: Sketch::of(values),
                    };
                }
                return;
            }
            (Acc::Pct { values }, Acc::Sketched { sketch }) => {
                let mut mine = Sketch::of(values);
                mine.merge(sketch);
                *self = Acc::Sketched { sketch: mine };
                return;
            }
            (Acc::Sketched { sketch }, Acc::Pct { values }) => {
                sketch.merge(&Sketch::of(values));
                return;
            }
            (Acc::Sketched { sketch }, Acc::Sketched { sketch: s }) => {
                sketch.merge(s);
                return;
            }
            _ => {}
        }
        match (self, other) {
            (
                Acc::Net {
                    base,
                    w_pos,
                    w_neg,
                    counts,
                    cal,
                },
                Acc::Net {
                    base: b,
                    w_pos: p,
                    w_neg: d,
                    counts: c,
                    cal: cal_b,
                },
            ) => {
                base.merge(b);
                cal.merge(cal_b);
                *w_pos += p;
                *w_neg += d;
                for (mine, theirs) in counts.iter_mut().zip(c) {
                    *mine += theirs;
                }
            }
            (
                Acc::Prop { base, w_hit, cal },
                Acc::Prop {
                    base: b,
                    w_hit: h,
                    cal: cal_b,
                },
            ) => {
                base.merge(b);
                cal.merge(cal_b);
                *w_hit += h;
            }
            (
                Acc::Mean {
                    base,
                    mean,
                    m2,
                    cal,
                },
                Acc::Mean {
                    base: b,
                    mean: mb,
                    m2: m2b,
                    cal: cal_b,
                },
            ) => {
                cal.merge(cal_b);
                let (wa, wb) = (base.sw, b.sw);
                base.merge(b);
                if wa == 0.0 {
                    // Into an empty (or all-zero-weight) side: take the other's
                    // moments as they are, so a file merged into an empty pass
                    // keeps its last bits (m2 is 0 on a side with no weight).
                    *mean = *mb;
                    *m2 += m2b;
                } else if wb > 0.0 {
                    let delta = mb - *mean;
                    *mean += delta * (wb / base.sw);
                    *m2 += m2b + delta * delta * wa * wb / base.sw;
                }
            }
            (Acc::Count { base }, Acc::Count { base: b }) => base.merge(b),
            (acc, other) => debug_assert!(false, "cannot merge {other:?} into {acc:?}"),
        }
    }

    /// Answered rows and weights (percentiles: every weight counted as 1).
    pub fn base(&self) -> Base {
        match self {
            Acc::Net { base, .. }
            | Acc::Prop { base, .. }
            | Acc::Mean { base, .. }
            | Acc::Count { base } => *base,
            Acc::Pct { values } => Base {
                n: values.len() as u64,
                sw: values.len() as f64,
                sw2: values.len() as f64,
                ..Base::default()
            },
            Acc::Sketched { sketch } => Base {
                n: sketch.count(),
                sw: sketch.count() as f64,
                sw2: sketch.count() as f64,
                ..Base::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_acc() -> Acc {
        Acc::Mean {
            base: Base::default(),
            mean: 0.0,
            m2: 0.0,
            cal: Cal::default(),
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn merge_equals_a_sequential_scan() {
        let rows = [
            (3.0, 1.0),
            (7.0, 2.5),
            (1.0, 0.5),
            (4.0, 1.0),
            (6.0, 3.0),
            (2.0, 0.0),
            (5.0, 1.5),
        ];
        let empties = [
            mean_acc(),
            Acc::Net {
                base: Base::default(),
                w_pos: 0.0,
                w_neg: 0.0,
                counts: [0; 3],
                cal: Cal::default(),
            },
            Acc::Prop {
                base: Base::default(),
                w_hit: 0.0,
                cal: Cal::default(),
            },
            Acc::Pct { values: Vec::new() },
            Acc::Count {
                base: Base::default(),
            },
        ];
        let obs = |acc: &Acc, x: f64| match acc {
            Acc::Net { .. } => Obs::Net(if x >= 5.0 {
                1
            } else if x <= 2.0 {
                -1
            } else {
                0
            }),
            Acc::Prop { .. } => Obs::Hit(x >= 4.0),
            Acc::Count { .. } => Obs::Row,
            _ => Obs::Num(x),
        };
        for empty in empties {
            for split in 0..=rows.len() {
                let (mut all, mut a, mut b) = (empty.clone(), empty.clone(), empty.clone());
                for (i, &(x, w)) in rows.iter().enumerate() {
                    all.add(obs(&all, x), w);
                    if i < split {
                        a.add(obs(&a, x), w)
                    } else {
                        b.add(obs(&b, x), w)
                    }
                }
                a.merge(&b);
                match (&a, &all) {
                    (
                        Acc::Mean { base, mean, m2, .. },
                        Acc::Mean {
                            base: b2,
                            mean: m,
                            m2: s,
                            ..
                        },
                    ) => {
                        assert_eq!(base.n, b2.n);
                        close(base.sw, b2.sw);
                        close(*mean, *m);
                        close(*m2, *s);
                    }
                    _ => assert_eq!(a, all, "split {split}"),
                }
            }
        }
    }

    #[test]
    fn past_the_budget_a_percentile_is_sketched_within_its_error_bound() {
        use crate::metrics::distribution::percentile_inc;
        // 1..=10,000: the exact 90th percentile (PERCENTILE.INC) is
        // 1 + 0.9 · 9999 = 9000.1. With a budget of 100 the group is sketched;
        // DDSketch answers within α = 1 % of the value at that rank.
        let (mut exact, mut sketched) = (
            Acc::Pct { values: Vec::new() },
            Acc::Pct { values: Vec::new() },
        );
        for i in 1..=10_000 {
            exact.add_within(Obs::Num(f64::from(i)), 1.0, usize::MAX);
            sketched.add_within(Obs::Num(f64::from(i)), 1.0, 100);
        }
        let Acc::Pct { values } = &exact else {
            panic!("stays exact under its budget")
        };
        close(percentile_inc(values, 90.0).unwrap(), 9000.1);
        let Acc::Sketched { sketch } = &sketched else {
            panic!("sketched past its budget")
        };
        assert_eq!(sketched.base().n, 10_000);
        let p90 = sketch.percentile(90.0).unwrap();
        assert!((p90 - 9000.1).abs() <= 0.01 * 9000.1 + 1.0, "p90 {p90}");
        // Merging: two exact halves over the budget become a sketch; a sketch
        // and an exact part merge into a sketch holding every value.
        let (mut a, mut b) = (
            Acc::Pct { values: Vec::new() },
            Acc::Pct { values: Vec::new() },
        );
        for i in 1..=80 {
            a.add_within(Obs::Num(f64::from(i)), 1.0, 100);
            b.add_within(Obs::Num(f64::from(i + 80)), 1.0, 100);
        }
        a.merge_within(&b, 100);
        assert!(matches!(a, Acc::Sketched { .. }), "{a:?}");
        assert_eq!(a.base().n, 160);
        let mut s = sketched.clone();
        s.merge_within(&b, 100);
        assert_eq!(s.base().n, 10_080);
        let mut e = b.clone();
        e.merge_within(&sketched, 100);
        assert_eq!(e.base().n, 10_080);
    }

    #[test]
    fn weighted_mean_and_kish_by_hand() {
        // x = 2, 4, 6 with w = 1, 2, 3: Σw = 6, Σwx = 2 + 8 + 18 = 28 → mean 14/3;
        // Σw(x − m)² = (8/3)² + 2(2/3)² + 3(4/3)² = 64/9 + 8/9 + 48/9 = 120/9;
        // Kish: 36 / (1 + 4 + 9) = 36/14 = 2.5714.
        let mut acc = mean_acc();
        for (x, w) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0)] {
            acc.add(Obs::Num(x), w);
        }
        let Acc::Mean { base, mean, m2, .. } = acc else {
            unreachable!()
        };
        close(mean, 14.0 / 3.0);
        close(m2, 120.0 / 9.0);
        close(base.effective_n(), 36.0 / 14.0);
        assert_eq!(base.n, 3);
    }
}
