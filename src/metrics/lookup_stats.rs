//! Compute stage, SPEC §9: the lookup tables of a build, read once, and each
//! joining dataset's match rate.
//!
//! Input: the project. Output: every dataset named by some `lookup:` read
//! into a [`LookupTable`] (before any dataset is passed over), the table a
//! dataset joins, and `data.<dataset>.lookup` of `metrics.json` with a
//! warning when fewer than [`MIN_MATCH`] of the rows matched.

use std::collections::BTreeMap;

use super::computed::LookupStats;
use super::pass::DatasetPass;
use crate::data::lookup::{load_table, LookupTable};
use crate::diag::Diagnostics;
use crate::project::model::{Dataset, Project};

/// Below this share of matched rows, a build and `check` warn.
pub const MIN_MATCH: f64 = 0.9;

/// Reads the lookup table `dataset` joins (SPEC §9), as `build` reads it:
/// for a pass beside the build that plans one dataset alone (`topics
/// suggest`; the follow-up list joins the table the build read). `None` without `lookup:`.
pub fn load_joined(
    project: &Project,
    dataset: &crate::project::model::Dataset,
    diags: &mut Diagnostics,
) -> Option<LookupTable> {
    let table = project
        .config
        .datasets
        .get(&dataset.lookup.as_ref()?.dataset)?;
    load_table(table, &project.root, diags)
}

/// Reads every dataset some `lookup:` names (and that has `key:`), once.
/// A table that cannot be read is absent (its errors are recorded).
pub fn load_tables(project: &Project, diags: &mut Diagnostics) -> BTreeMap<String, LookupTable> {
    let mut tables = BTreeMap::new();
    let datasets = &project.config.datasets;
    for ds in datasets.values() {
        let Some(l) = &ds.lookup else { continue };
        if tables.contains_key(&l.dataset) {
            continue;
        }
        let Some(table_ds) = datasets.get(&l.dataset).filter(|t| t.key.is_some()) else {
            continue;
        };
        if let Some(t) = load_table(table_ds, &project.root, diags) {
            tables.insert(l.dataset.clone(), t);
        }
    }
    tables
}

/// The table `ds` joins: `Some(None)` when it joins none, `Some(Some(t))`
/// when it joins `t`, `None` when its table could not be read (the dataset
/// is then not read either; an error says why).
pub fn table_of<'t>(
    project: &Project,
    ds: &Dataset,
    tables: &'t BTreeMap<String, LookupTable>,
    diags: &mut Diagnostics,
) -> Option<Option<&'t LookupTable>> {
    let Some(l) = &ds.lookup else {
        return Some(None);
    };
    if let Some(t) = tables.get(&l.dataset) {
        return Some(Some(t));
    }
    // An unknown table or one without `key:` is reported by the validator.
    if (project.config.datasets.get(&l.dataset)).is_some_and(|t| t.key.is_some()) {
        diags.error_hint(
            l.location.clone(),
            format!(
                "dataset `{}` is not read: its lookup table `{}` could not be read",
                ds.id, l.dataset
            ),
            format!("fix the errors of dataset `{}` first", l.dataset),
        );
    }
    None
}

/// `data.<dataset>.lookup` of a joining dataset, and a warning when fewer
/// than 90 % of its accepted rows matched.
pub fn report(
    ds: &Dataset,
    pass: &DatasetPass<'_>,
    diags: &mut Diagnostics,
) -> Option<LookupStats> {
    let l = ds.lookup.as_ref()?;
    let [matched, unmatched] = pass.lookup_counts;
    let total = matched + unmatched;
    if total > 0 && (matched as f64) < MIN_MATCH * total as f64 {
        diags.warning_hint(
            l.location.clone(),
            format!(
                "only {matched} of {total} rows of dataset `{}` ({:.1} %) found their key in lookup table `{}`",
                ds.id,
                100.0 * matched as f64 / total as f64,
                l.dataset
            ),
            "check that both files hold the same kind of key (e.g. leading zeros, prefixes) and that the lookup export is complete",
        );
    }
    Some(LookupStats {
        dataset: l.dataset.clone(),
        matched,
        unmatched,
    })
}
