//! Compute stage, per row: the value at stake's share of the single pass
//! (SPEC §9; the sums are in [`crate::metrics::value`]).
//!
//! Input: the plan's resolver (its columns, once) and each accepted row with
//! the NPS indicator's observation already made. Output: the row added to its
//! period's [`ValueSums`](crate::metrics::value::ValueSums). Apart from
//! `row.rs` so the hot loop gains two calls, not the logic.

use super::{DatasetPass, IndicatorPass};
use crate::data::cell::Parsed;
use crate::data::plan::Resolver;
use crate::data::scan::{Row, RowProblem};
use crate::diag::Diagnostics;
use crate::metrics::acc::Obs;
use crate::metrics::periods::PeriodKey;
use crate::metrics::value::ValuePass;
use crate::project::model::{Dataset, Project};
use crate::project::value::NpsGroup;

/// The value pass of `dataset` when `value_at_stake:` reads it: its columns
/// resolved by the same resolver as the indicators' (a missing or `pii`
/// column is an error at the key that named it).
pub(super) fn plan_value(
    project: &Project,
    dataset: &Dataset,
    indicators: &[IndicatorPass<'_>],
    r: &mut Resolver<'_>,
    diags: &mut Diagnostics,
) -> Option<ValuePass> {
    let v = project.config.value_at_stake.as_ref()?;
    if v.dataset != dataset.id {
        return None;
    }
    let indicator = indicators.iter().position(|i| i.id == v.nps)?;
    let revenue = r.require(&v.revenue, "`value_at_stake` revenue", diags);
    let churn = r.require(&v.churn, "`value_at_stake` churn", diags);
    Some(ValuePass {
        indicator,
        revenue: revenue?,
        churn: churn?,
        churned: v.churned.clone(),
        periods: Default::default(),
        undated: Default::default(),
    })
}

/// Checks the follow-up list's `id` column is in the header of its dataset
/// (the list is written by `build`; `check` must fail on it first).
pub(super) fn check_followup_id(
    project: &Project,
    dataset: &Dataset,
    r: &mut Resolver<'_>,
    diags: &mut Diagnostics,
) {
    if let Some(f) = (project.config.followup.as_ref()).filter(|f| f.dataset == dataset.id) {
        r.require(&f.id, "`followup` id", diags);
    }
}

impl DatasetPass<'_> {
    /// A revenue cell must be a number or blank: text is a data error.
    pub(super) fn check_value(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        let Some(i) = self.value.as_ref().map(|v| v.revenue) else {
            return;
        };
        if let Parsed::Text = Parsed::of(row.text(i)) {
            let message = format!(
                "`{}` is `{}`, not a number (`value_at_stake` reads it as revenue)",
                self.names[i],
                row.text(i)
            );
            self.problem(problems, i, message);
        }
    }

    /// Adds an accepted row in one of the NPS indicator's groups to the value
    /// sums of its period.
    pub(super) fn feed_value(
        &mut self,
        row: &Row<'_>,
        w: f64,
        period: Option<PeriodKey>,
        (design_w, cell): (f64, Option<usize>),
    ) {
        let Some(v) = self.value.as_mut() else { return };
        // A raked dataset's calibration terms: the value figures take the
        // calibration's variance, as every indicator does (SPEC §11).
        let cal = (self.rake.as_ref()).and_then(|r| r.cal_row(design_w, cell));
        let Some(Some(Obs::Net(class))) = self.obs.get(v.indicator) else {
            return;
        };
        let revenue = match Parsed::of(row.text(v.revenue)) {
            Parsed::Number(x) => Some(x),
            Parsed::Blank | Parsed::Text => None,
        };
        let text = row.text(v.churn).trim();
        let churned = (!text.is_empty()).then(|| text == v.churned);
        let group = NpsGroup::of_class(*class).index();
        v.add(period, group, w, revenue, churned, cal);
    }
}

impl DatasetPass<'_> {
    /// The observation the last row gave the `k`-th indicator of this pass
    /// (`None`: blank, outside its `where`, or no such indicator): the
    /// follow-up list reads the NPS indicator's own class from it.
    pub fn observation(&self, k: usize) -> Option<Obs> {
        self.obs.get(k).copied().flatten()
    }
}

impl IndicatorPass<'_> {
    /// The indicator's column in this dataset (the follow-up list's score).
    pub fn column(&self) -> Option<usize> {
        self.column
    }
}
