//! Compute stage: what each metric reads from a cell.
//!
//! Input: an indicator's [`Metric`] (once) and the text of its column's cell
//! (per row). Output: an [`Obs`] for the accumulator, nothing for a blank, or
//! the data error to report. The metric's scale is checked here, so a value
//! outside it is a data error wherever it is read (SPEC §1).

use super::acc::{Acc, Base, Cal, Obs};
use super::distribution::Dist;
use crate::data::cell::Cell;
use crate::project::model::{Metric, Range};

/// An indicator's metric, reduced to how rows are classified: the metric
/// table's statistic ([`Metric::measure`]); its reading of cells is here.
pub use crate::project::metric::Measure;

impl Measure {
    /// How `metric`'s rows are classified (the metric table decides).
    pub fn of(metric: &Metric) -> Measure {
        metric.measure()
    }

    /// Whether the value is a mean (Student-t interval, Welch's test).
    pub fn is_mean(&self) -> bool {
        matches!(self, Measure::Mean { .. } | Measure::Gap { .. })
    }

    /// An empty accumulator of the right kind.
    pub fn new_acc(&self) -> Acc {
        let base = Base::default();
        match self {
            Measure::Net { .. } => Acc::Net {
                base,
                w_pos: 0.0,
                w_neg: 0.0,
                counts: [0; 3],
                cal: Cal::default(),
            },
            Measure::Boxed { .. } | Measure::Share { .. } => Acc::Prop {
                base,
                w_hit: 0.0,
                cal: Cal::default(),
            },
            Measure::Mean { .. } | Measure::Gap { .. } => Acc::Mean {
                base,
                mean: 0.0,
                m2: 0.0,
                cal: Cal::default(),
            },
            Measure::Percentile { .. } => Acc::Pct { values: Vec::new() },
            Measure::Count | Measure::Composite => Acc::Count { base },
        }
    }

    /// A distribution accumulator when the scale is small and integer.
    pub fn new_dist(&self) -> Option<Dist> {
        match self {
            Measure::Net { scale, .. } | Measure::Boxed { scale, .. } => {
                Dist::for_scale(scale.lo, scale.hi)
            }
            Measure::Mean { scale: Some(s) } | Measure::Percentile { scale: Some(s), .. } => {
                Dist::for_scale(s.lo, s.hi)
            }
            Measure::Mean { scale: None }
            | Measure::Percentile { scale: None, .. }
            | Measure::Share { .. }
            | Measure::Gap { .. }
            | Measure::Count
            | Measure::Composite => None,
        }
    }

    /// Reads one cell's trimmed `text`: `Ok(None)` for a blank (not answered;
    /// for `count` without a column pass `None` as `text`: every row counts),
    /// `Ok(Some(obs))` for an answer, `Err(why)` for a data error, phrased to
    /// follow "`column` is `value`, ".
    pub fn observe(&self, text: Option<&str>) -> Result<Option<Obs>, String> {
        let Some(text) = text else {
            return Ok(Some(Obs::Row));
        };
        self.observe_cell(text, Cell::parse(text))
    }

    /// [`Measure::observe`] of a cell already parsed: `cell` is
    /// `Cell::parse(text)` (the pass parses each column once per row).
    ///
    /// Always inlined: it runs per indicator per row, and its `Result`,
    /// returned through memory, stalled the row loop on store forwarding
    /// (docs/PERFORMANCE.md, "The wide shape of 23 November, measured again").
    #[inline(always)]
    pub fn observe_cell(&self, text: &str, cell: Cell<'_>) -> Result<Option<Obs>, String> {
        if cell.is_blank() {
            return Ok(None);
        }
        let number = |scale: Option<Range>| scaled_number(cell, scale);
        let obs = match self {
            Measure::Net { scale, pos, neg } => {
                let x = number(Some(*scale))?;
                Obs::Net(if pos.contains(x) {
                    1
                } else if neg.contains(x) {
                    -1
                } else {
                    0
                })
            }
            Measure::Boxed { scale, hit } => Obs::Hit(hit.contains(number(Some(*scale))?)),
            Measure::Share { values } => Obs::Hit(values.iter().any(|v| v == text.trim())),
            Measure::Mean { scale } | Measure::Percentile { scale, .. } => {
                Obs::Num(number(*scale)?)
            }
            // A gap reads two cells: see `observe_gap`.
            Measure::Gap { scale } => Obs::Num(number(*scale)?),
            Measure::Count | Measure::Composite => Obs::Row,
        };
        Ok(Some(obs))
    }

    /// Reads a gap's two cells (trimmed text): `Ok(None)` unless both are
    /// answered, `Ok(Some(perception − expectation))`, or the data error with
    /// `true` when it is the expectation cell's (else the perception's).
    /// Both cells are checked even when one is blank: a bad cell is an error
    /// wherever it is.
    pub fn observe_gap(
        &self,
        perception: &str,
        expectation: &str,
    ) -> Result<Option<Obs>, (bool, String)> {
        let scale = match self {
            Measure::Gap { scale } => *scale,
            Measure::Net { .. }
            | Measure::Boxed { .. }
            | Measure::Share { .. }
            | Measure::Mean { .. }
            | Measure::Percentile { .. }
            | Measure::Count
            | Measure::Composite => None,
        };
        let read = |text: &str| {
            let cell = Cell::parse(text);
            if cell.is_blank() {
                Ok(None)
            } else {
                scaled_number(cell, scale).map(Some)
            }
        };
        let p = read(perception).map_err(|why| (false, why))?;
        let e = read(expectation).map_err(|why| (true, why))?;
        Ok(p.zip(e).map(|(p, e)| Obs::Num(p - e)))
    }

    /// The numeric value of an already accepted, non-blank cell (for the distribution).
    pub fn number(text: &str) -> Option<f64> {
        Cell::parse(text).number()
    }
}

/// A non-blank cell as a number within `scale`, or why not.
#[inline(always)]
fn scaled_number(cell: Cell<'_>, scale: Option<Range>) -> Result<f64, String> {
    let x = cell.number().ok_or_else(not_a_number)?;
    match scale {
        Some(s) if !s.contains(x) => Err(outside(s)),
        _ => Ok(x),
    }
}

/// The data error of a text cell where a number is read (out of line: rare).
#[cold]
fn not_a_number() -> String {
    "not a number".to_string()
}

/// The data error of a number outside its scale (out of line: rare).
#[cold]
fn outside(s: Range) -> String {
    format!("outside the scale {}–{}", s.lo, s.hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::model::CesMode;

    #[test]
    fn nps_classes_blanks_and_scale() {
        let m = Measure::of(&Metric::Nps);
        assert_eq!(m.observe(Some("9")), Ok(Some(Obs::Net(1))));
        assert_eq!(m.observe(Some("10")), Ok(Some(Obs::Net(1))));
        assert_eq!(m.observe(Some("8")), Ok(Some(Obs::Net(0))));
        assert_eq!(m.observe(Some("7")), Ok(Some(Obs::Net(0))));
        assert_eq!(m.observe(Some("6")), Ok(Some(Obs::Net(-1))));
        assert_eq!(m.observe(Some("0")), Ok(Some(Obs::Net(-1))));
        assert_eq!(m.observe(Some("  ")), Ok(None));
        assert_eq!(
            m.observe(Some("11")),
            Err("outside the scale 0–10".to_string())
        );
        assert_eq!(m.observe(Some("ten")), Err("not a number".to_string()));
    }

    #[test]
    fn ces_modes_on_one_to_seven() {
        let scale = Range { lo: 1.0, hi: 7.0 };
        let agree = Measure::of(&Metric::Ces {
            scale,
            mode: CesMode::Agree,
        });
        assert_eq!(agree.observe(Some("5")), Ok(Some(Obs::Hit(true))));
        assert_eq!(agree.observe(Some("4")), Ok(Some(Obs::Hit(false))));
        let net = Measure::of(&Metric::Ces {
            scale,
            mode: CesMode::Net,
        });
        assert_eq!(net.observe(Some("6")), Ok(Some(Obs::Net(1))));
        assert_eq!(net.observe(Some("5")), Ok(Some(Obs::Net(0))));
        assert_eq!(net.observe(Some("3")), Ok(Some(Obs::Net(-1))));
        assert!(net.observe(Some("0")).is_err());
    }

    #[test]
    fn gap_needs_both_cells_and_checks_each() {
        let m = Measure::of(&Metric::Gap {
            expectation: crate::project::model::ColumnRef {
                name: "e".into(),
                location: crate::diag::Location::at("i.yaml", 1, 1),
            },
            scale: Some(Range { lo: 1.0, hi: 7.0 }),
        });
        assert!(m.is_mean());
        assert_eq!(m.observe_gap("5", "7"), Ok(Some(Obs::Num(-2.0))));
        assert_eq!(m.observe_gap("6", " 2 "), Ok(Some(Obs::Num(4.0))));
        assert_eq!(m.observe_gap("", "7"), Ok(None));
        assert_eq!(m.observe_gap("5", ""), Ok(None));
        assert_eq!(
            m.observe_gap("", "9"),
            Err((true, "outside the scale 1–7".to_string()))
        );
        assert_eq!(
            m.observe_gap("x", "3"),
            Err((false, "not a number".to_string()))
        );
    }

    #[test]
    fn share_compares_trimmed_text_and_count_counts_rows() {
        let m = Measure::of(&Metric::Share {
            values: vec![" yes".into(), "y".into()],
        });
        assert_eq!(m.observe(Some("yes")), Ok(Some(Obs::Hit(true))));
        assert_eq!(m.observe(Some("no")), Ok(Some(Obs::Hit(false))));
        assert_eq!(m.observe(Some("")), Ok(None));
        let c = Measure::of(&Metric::Count);
        assert_eq!(c.observe(None), Ok(Some(Obs::Row)));
        assert_eq!(c.observe(Some("")), Ok(None));
        assert_eq!(c.observe(Some("anything")), Ok(Some(Obs::Row)));
    }
}
