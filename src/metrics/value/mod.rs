//! Compute stage: value at stake (SPEC §9) — what each NPS group spends and
//! how many of it churn.
//!
//! Input: per row of the NPS indicator's dataset, the indicator's own class
//! (its `where` included), the revenue cell and whether the churn cell equals
//! the churned value, fed by the dataset's single pass (`pass/value.rs`).
//! Output: [`ValueSums`] per period (and for undated rows), mergeable and
//! cached like every other accumulator, finished on the reporting window by
//! [`results::finish_value`]. It exists apart from the indicators because it
//! crosses one indicator's classes with two other columns.

pub mod results;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::acc::{Acc, Base, Cal, Obs};
use super::pass::CalRow;
use super::periods::PeriodKey;

/// What one NPS group's rows add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSums {
    /// Every row of the group (its weighted count and Kish's n).
    pub people: Base,
    /// The rows with a revenue number: a weighted mean.
    pub revenue: Acc,
    /// The rows with a churn cell: a weighted proportion churned.
    pub churn: Acc,
}

impl GroupSums {
    fn new() -> GroupSums {
        GroupSums {
            people: Base::default(),
            revenue: Acc::Mean {
                base: Base::default(),
                mean: 0.0,
                m2: 0.0,
                cal: Cal::default(),
            },
            churn: Acc::Prop {
                base: Base::default(),
                w_hit: 0.0,
                cal: Cal::default(),
            },
        }
    }

    fn merge(&mut self, o: &GroupSums) {
        self.people.merge(&o.people);
        self.revenue.merge(&o.revenue);
        self.churn.merge(&o.churn);
    }
}

/// The three groups' sums: promoters, passives, detractors (in that order,
/// see [`crate::project::value::NpsGroup::index`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueSums(pub [GroupSums; 3]);

impl Default for ValueSums {
    fn default() -> Self {
        ValueSums([GroupSums::new(), GroupSums::new(), GroupSums::new()])
    }
}

impl ValueSums {
    /// Adds a row of `group` with weight `w`; a blank revenue or churn cell
    /// (`None`) leaves the row out of that statistic only.
    /// `cal` the row's calibration terms (raked datasets).
    pub fn add(
        &mut self,
        group: usize,
        w: f64,
        revenue: Option<f64>,
        churned: Option<bool>,
        cal: Option<CalRow<'_>>,
    ) {
        let g = &mut self.0[group];
        g.people.add(w);
        let observed = [
            (&mut g.revenue, revenue.map(Obs::Num)),
            (&mut g.churn, churned.map(Obs::Hit)),
        ];
        for (acc, obs) in observed {
            let Some(obs) = obs else { continue };
            acc.add(obs, w);
            if let Some((d, cols, p)) = cal {
                acc.add_cal(obs, w, d, cols, p);
            }
        }
    }

    /// Adds another's rows, as if scanned after ours.
    pub fn merge(&mut self, o: &ValueSums) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            a.merge(b);
        }
    }
}

/// The value sums of one dataset's pass: the plan (columns resolved once)
/// and the sums per period.
#[derive(Debug, Clone)]
pub struct ValuePass {
    /// The NPS indicator's position among the pass's indicators.
    pub indicator: usize,
    /// The revenue column.
    pub revenue: usize,
    /// The churn column.
    pub churn: usize,
    /// The churned value, trimmed.
    pub churned: String,
    /// Per period (dated rows).
    pub periods: BTreeMap<PeriodKey, ValueSums>,
    /// Rows without a period (a dataset without dates, or a blank date).
    pub undated: ValueSums,
}

impl ValuePass {
    /// An empty pass with the same plan (a fork).
    pub fn fork(&self) -> ValuePass {
        ValuePass {
            periods: BTreeMap::new(),
            undated: ValueSums::default(),
            churned: self.churned.clone(),
            ..*self
        }
    }

    /// Adds a row to its period's sums.
    pub fn add(
        &mut self,
        period: Option<PeriodKey>,
        group: usize,
        w: f64,
        revenue: Option<f64>,
        churned: Option<bool>,
        cal: Option<CalRow<'_>>,
    ) {
        let sums = match period {
            Some(p) => self.periods.entry(p).or_default(),
            None => &mut self.undated,
        };
        sums.add(group, w, revenue, churned, cal);
    }

    /// Adds `later`'s sums to ours.
    pub fn merge(&mut self, later: &ValuePass) {
        self.absorb(&later.periods, &later.undated);
    }

    /// Adds stored sums (the build cache's) to ours.
    pub fn absorb(&mut self, periods: &BTreeMap<PeriodKey, ValueSums>, undated: &ValueSums) {
        for (k, s) in periods {
            self.periods.entry(*k).or_default().merge(s);
        }
        self.undated.merge(undated);
    }
}

#[cfg(test)]
mod tests;
