//! Compute stage, after the numbers: indicators that read rows but got none,
//! and the coverage gaps of SPEC §10 (what is measured and acted on).
//!
//! Input: the project and its computed results. Output: a warning for each
//! indicator on a dataset that has rows but whose own n is 0 — a `where` that
//! matches nothing (a value spelt differently in the data) or a column blank
//! in every row. The build goes on (an empty result is not wrong in itself:
//! a new touchpoint may have no answers yet), but it must not pass unseen.

use super::actions::red_without_action;
use super::computed::{Computed, IndicatorResult};
use super::computed_actions::{CoverageKind, CoverageWarning};
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

/// The coverage gaps of SPEC §10, in a stable order (journeys by id, their
/// stages and touchpoints in order, then indicators in definition order): a
/// stage none of whose touchpoints lists an indicator, a moment of truth with
/// no indicator, and a red indicator (on the window) with no open action.
pub fn coverage(project: &Project, results: &[IndicatorResult]) -> Vec<CoverageWarning> {
    let mut out = Vec::new();
    for j in &project.journeys {
        for stage in &j.stages {
            if stage.touchpoints.iter().all(|t| t.indicators.is_empty()) {
                out.push(CoverageWarning {
                    kind: CoverageKind::Stage,
                    id: format!("{}/{}", j.id, stage.id),
                    message: format!(
                        "stage `{}` of journey `{}` has no indicator on any of its touchpoints",
                        stage.id, j.id
                    ),
                });
            }
            for t in stage.touchpoints.iter().filter(|t| t.moment_of_truth) {
                if t.indicators.is_empty() {
                    out.push(CoverageWarning {
                        kind: CoverageKind::MomentOfTruth,
                        id: format!("{}/{}", j.id, t.id),
                        message: format!(
                            "moment of truth `{}` of journey `{}` has no indicator",
                            t.id, j.id
                        ),
                    });
                }
            }
        }
    }
    for r in red_without_action(project, results) {
        out.push(CoverageWarning {
            kind: CoverageKind::RedWithoutAction,
            id: r.id.clone(),
            message: format!(
                "indicator `{}` is red on the window {} and has no open action",
                r.id, r.window.label
            ),
        });
    }
    out
}

/// Reports each coverage gap as a warning: stages and moments of truth at
/// their journey's id, red indicators at their definition.
pub fn warn_coverage(project: &Project, computed: &Computed, diags: &mut Diagnostics) {
    for c in &computed.coverage {
        let (location, hint) = match c.kind {
            CoverageKind::Stage | CoverageKind::MomentOfTruth => {
                let journey = c.id.split('/').next().unwrap_or_default();
                let at = (project.journeys.iter())
                    .find(|j| j.id == journey)
                    .map(|j| j.location.clone());
                (
                    at,
                    "list the indicator that measures it under the touchpoint's `indicators:`",
                )
            }
            CoverageKind::RedWithoutAction => {
                let at = (project.indicators.iter())
                    .find(|i| i.id == c.id)
                    .map(|i| i.location.clone());
                (at, "add a planned or in-progress action for it in actions/")
            }
        };
        if let Some(location) = location {
            diags.warning_hint(location, c.message.clone(), hint);
        }
    }
}
