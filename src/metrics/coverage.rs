//! Compute stage, after the numbers: indicators that read rows but got none.
//!
//! Input: the project and its computed results. Output: a warning for each
//! indicator on a dataset that has rows but whose own n is 0 — a `where` that
//! matches nothing (a value spelt differently in the data) or a column blank
//! in every row. The build goes on (an empty result is not wrong in itself:
//! a new touchpoint may have no answers yet), but it must not pass unseen.

use super::computed::Computed;
use crate::diag::Diagnostics;
use crate::project::model::{Metric, Project};

/// Warns about each data-reading indicator with n = 0 on a dataset with rows.
pub fn warn_empty_indicators(project: &Project, computed: &Computed, diags: &mut Diagnostics) {
    for (ind, result) in project.indicators.iter().zip(&computed.indicators) {
        if matches!(ind.metric, Metric::Composite { .. }) || result.estimate.n > 0 {
            continue;
        }
        let Some(ds) = ind.dataset.as_deref() else {
            continue;
        };
        let Some(stats) = computed.data.get(ds) else {
            continue;
        };
        let usable = stats.rows - stats.rejected;
        if usable == 0 {
            continue; // the dataset's own warning says it is empty
        }
        let id = &ind.id;
        if let Some(first) = ind.filter.first() {
            let what = match &ind.column {
                Some(c) => format!(" and has a value in `{}`", c.name),
                None => String::new(),
            };
            diags.warning_hint(
                first.column.location.clone(),
                format!(
                    "indicator `{id}` has no rows: none of the {usable} rows of dataset `{ds}` matches its `where`{what}"
                ),
                "check the `where` values against the data: they are compared as text, exactly (after trimming spaces)",
            );
        } else if let Some(first) = ind.numeric.first() {
            // Only numeric tests in `where` (SPEC §9).
            diags.warning_hint(
                first.column.location.clone(),
                format!(
                    "indicator `{id}` has no rows: none of the {usable} rows of dataset `{ds}` passes its numeric `where`"
                ),
                "check the bounds against the data (a blank cell never passes a numeric test)",
            );
        } else if let Some(c) = &ind.column {
            diags.warning_hint(
                c.location.clone(),
                format!(
                    "column `{}` is blank in all {usable} rows of dataset `{ds}`, so indicator `{id}` has no value",
                    c.name
                ),
                "check that the export filled this column",
            );
        }
    }
}
