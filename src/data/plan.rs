//! Data stage: column names to field indices, once per dataset.
//!
//! Input: a dataset's [`Header`] and the columns the project references.
//! Output: each column's 0-based index, or an error at the YAML place that
//! named a missing column, with a "did you mean" over the header.

use std::path::Path;

use super::scan::Header;
use crate::diag::{did_you_mean, Diagnostics};
use crate::project::model::{ColumnRef, Dataset};

/// Resolves the columns of one dataset, counting the ones that failed.
pub struct Resolver<'a> {
    header: &'a Header,
    dataset: &'a Dataset,
    /// How many required columns could not be resolved.
    pub failures: usize,
}

impl<'a> Resolver<'a> {
    /// A resolver over `header` of `dataset`.
    pub fn new(header: &'a Header, dataset: &'a Dataset) -> Self {
        Resolver {
            header,
            dataset,
            failures: 0,
        }
    }

    /// The index of a column the project needs. `role` says who needs it
    /// ("indicator `nps-overall`"). A missing column, or one listed under
    /// `pii` (never read into anything), is an error at `column.location`.
    pub fn require(
        &mut self,
        column: &ColumnRef,
        role: &str,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        if self.is_pii(&column.name) {
            self.failures += 1;
            diags.error_hint(
                column.location.clone(),
                format!(
                    "column `{}` ({role}) is listed under `pii` of dataset `{}`, so it is never read",
                    column.name, self.dataset.id
                ),
                "remove it from `pii`, or use another column",
            );
            return None;
        }
        let found = self.header.index(&column.name);
        if found.is_none() {
            self.failures += 1;
            let hint = did_you_mean(&column.name, self.header.names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the columns are: {}", self.header.names.join(", ")));
            diags.error_hint(
                column.location.clone(),
                format!(
                    "column `{}` ({role}) is not in the header of dataset `{}` ({})",
                    column.name,
                    self.dataset.id,
                    display(&self.header.file)
                ),
                hint,
            );
        }
        found
    }

    /// The index of a column that may be absent (a persona's match column):
    /// `None`, silently, when absent or `pii`.
    pub fn optional(&self, name: &str) -> Option<usize> {
        if self.is_pii(name) {
            None
        } else {
            self.header.index(name)
        }
    }

    fn is_pii(&self, name: &str) -> bool {
        self.dataset.pii.iter().any(|p| p.name == name)
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
