//! Compute stage: a segment against all other rows (SPEC §2).
//!
//! Input: an indicator's overall accumulator and one segment key's. Output:
//! the accumulator of every *other* row (the complement), so the segment can
//! be tested against the rest with the same significance test as periods.
//! Rows whose segment cell is blank belong to "the rest" of every key.

use super::acc::{Acc, Base, Cal};

/// The rows of `total` that are not in `part` (`part` being a subset of
/// `total`'s rows); `None` for mismatched kinds.
///
/// Exact for counts and weight sums; for means it reverses the pairwise
/// merge (Chan et al.), so `rest(total, part)` merged with `part` gives
/// `total` back up to rounding.
pub fn rest(total: &Acc, part: &Acc) -> Option<Acc> {
    let base = |t: &Base, p: &Base| t.minus(p);
    let mut rest = match (total, part) {
        (
            Acc::Net {
                base: t,
                w_pos,
                w_neg,
                counts,
                ..
            },
            Acc::Net {
                base: p,
                w_pos: pp,
                w_neg: pn,
                counts: pc,
                ..
            },
        ) => Acc::Net {
            base: base(t, p),
            w_pos: w_pos - pp,
            w_neg: w_neg - pn,
            counts: [0, 1, 2].map(|i| counts[i].saturating_sub(pc[i])),
            cal: Cal::default(),
        },
        (
            Acc::Prop { base: t, w_hit, .. },
            Acc::Prop {
                base: p, w_hit: ph, ..
            },
        ) => Acc::Prop {
            base: base(t, p),
            w_hit: w_hit - ph,
            cal: Cal::default(),
        },
        (
            Acc::Mean {
                base: t, mean, m2, ..
            },
            Acc::Mean {
                base: p,
                mean: pm,
                m2: pm2,
                ..
            },
        ) => {
            let b = base(t, p);
            if b.sw <= 0.0 || t.sw <= 0.0 {
                Acc::Mean {
                    base: b,
                    mean: 0.0,
                    m2: 0.0,
                    cal: Cal::default(),
                }
            } else {
                let rest_mean = (t.sw * mean - p.sw * pm) / b.sw;
                let delta = pm - rest_mean;
                let rest_m2 = m2 - pm2 - delta * delta * b.sw * p.sw / t.sw;
                Acc::Mean {
                    base: b,
                    mean: rest_mean,
                    m2: rest_m2.max(0.0),
                    cal: Cal::default(),
                }
            }
        }
        (Acc::Count { base: t }, Acc::Count { base: p }) => Acc::Count { base: base(t, p) },
        (Acc::Pct { values: t }, Acc::Pct { values: p }) => Acc::Pct {
            values: multiset_difference(t, p),
        },
        // A sketch keeps no values, so it has no exact complement.
        (Acc::Sketched { .. }, _) | (_, Acc::Sketched { .. }) => return None,
        // Mismatched kinds: the part is not rows of the total.
        (
            Acc::Net { .. }
            | Acc::Prop { .. }
            | Acc::Mean { .. }
            | Acc::Count { .. }
            | Acc::Pct { .. },
            _,
        ) => return None,
    };
    // The calibration sums of the other rows, for a raked dataset's test.
    if let (Some(t), Some(p)) = (total.cal(), part.cal()) {
        rest.set_cal(t.minus(p));
    }
    Some(rest)
}

/// The values of `total` with one occurrence of each value of `part` removed
/// (a percentile keeps its values, so its rest is exact). Values come from
/// parsing the same cells, so equal values are bit-identical.
fn multiset_difference(total: &[f64], part: &[f64]) -> Vec<f64> {
    let mut left = total.to_vec();
    let mut out_of = part.to_vec();
    left.sort_by(f64::total_cmp);
    out_of.sort_by(f64::total_cmp);
    let mut rest = Vec::with_capacity(left.len().saturating_sub(out_of.len()));
    let mut j = 0;
    for x in left {
        while j < out_of.len() && out_of[j].total_cmp(&x).is_lt() {
            j += 1;
        }
        if j < out_of.len() && out_of[j].total_cmp(&x).is_eq() {
            j += 1;
        } else {
            rest.push(x);
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::acc::Obs;

    #[test]
    fn rest_is_the_scan_of_the_other_rows() {
        let rows = [
            (3.0, 1.0, true),
            (7.0, 2.5, false),
            (1.0, 0.5, true),
            (4.0, 1.0, false),
            (6.0, 3.0, false),
        ];
        let empty = Acc::Mean {
            base: Base::default(),
            mean: 0.0,
            m2: 0.0,
            cal: Cal::default(),
        };
        let (mut total, mut part, mut other) = (empty.clone(), empty.clone(), empty);
        for (x, w, in_part) in rows {
            total.add(Obs::Num(x), w);
            if in_part {
                part.add(Obs::Num(x), w)
            } else {
                other.add(Obs::Num(x), w)
            }
        }
        let (
            Some(Acc::Mean { base, mean, m2, .. }),
            Acc::Mean {
                base: b,
                mean: m,
                m2: s,
                ..
            },
        ) = (rest(&total, &part), other)
        else {
            panic!("mean accumulators")
        };
        assert_eq!(base.n, b.n);
        assert!(
            (base.sw - b.sw).abs() < 1e-12 && (mean - m).abs() < 1e-12 && (m2 - s).abs() < 1e-9
        );
        assert_eq!(
            rest(
                &Acc::Pct { values: vec![1.0] },
                &Acc::Count {
                    base: Base::default()
                }
            ),
            None
        );
    }

    #[test]
    fn percentile_rest_removes_one_occurrence_per_value() {
        // total 5, 1, 3, 3, 9, 3 minus part 3, 9 leaves 1, 3, 3, 5 (sorted).
        let total = Acc::Pct {
            values: vec![5.0, 1.0, 3.0, 3.0, 9.0, 3.0],
        };
        let part = Acc::Pct {
            values: vec![3.0, 9.0],
        };
        assert_eq!(
            rest(&total, &part),
            Some(Acc::Pct {
                values: vec![1.0, 3.0, 3.0, 5.0]
            })
        );
    }
}
