//! Data stage: column names to field indices, once per dataset.
//!
//! Input: a dataset's [`Header`], its lookup table if it joins one (SPEC §9),
//! and the columns the project references. Output: each column's 0-based
//! index, or an error at the YAML place that named a missing column, with a
//! "did you mean" over the header.
//!
//! This is the ONE place a column name becomes a field index: `crm.COLUMN`
//! (a column of the lookup table `crm`) resolves to an index past the
//! header's, which [`super::source::Row::text`] reads from the joined row.
//! Every role that names a column (`where`, segments, persona `match`,
//! indicator `column`, drivers, weights, dates, value at stake) resolves it
//! here, so all of them accept lookup columns alike.

use std::path::Path;

use super::lookup::LookupTable;
use super::scan::Header;
use crate::diag::{did_you_mean, Diagnostics};
use crate::project::model::{ColumnRef, Dataset};

/// Resolves the columns of one dataset, counting the ones that failed.
pub struct Resolver<'a> {
    header: &'a Header,
    dataset: &'a Dataset,
    /// The lookup table joined to each row, with its dataset (for `pii`).
    lookup: Option<(&'a LookupTable, &'a Dataset)>,
    /// How many required columns could not be resolved.
    pub failures: usize,
}

impl<'a> Resolver<'a> {
    /// A resolver over `header` of `dataset`.
    pub fn new(header: &'a Header, dataset: &'a Dataset) -> Self {
        Resolver {
            header,
            dataset,
            lookup: None,
            failures: 0,
        }
    }

    /// A resolver over `header` of `dataset` that joins `table` (the dataset
    /// `table_ds`): `table_ds.id + "." + COLUMN` names its columns.
    pub fn with_lookup(
        header: &'a Header,
        dataset: &'a Dataset,
        table: &'a LookupTable,
        table_ds: &'a Dataset,
    ) -> Self {
        Resolver {
            lookup: Some((table, table_ds)),
            ..Resolver::new(header, dataset)
        }
    }

    /// The index of `name`: a column of the header, else `TABLE.COLUMN` of
    /// the joined lookup table (index past the header's); `None` when neither.
    /// A header column whose name has a dot wins over a lookup column.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.header.index(name).or_else(|| self.in_lookup(name))
    }

    /// The index of `TABLE.COLUMN` of the joined lookup table (past the header's).
    fn in_lookup(&self, name: &str) -> Option<usize> {
        let (table, _) = self.lookup?;
        let column = name
            .strip_prefix(table.dataset.as_str())?
            .strip_prefix('.')?;
        let j = table.names.iter().position(|n| n == column)?;
        Some(self.header.names.len() + j)
    }

    /// The lookup table named by the prefix of `name` (`crm.x`), if it is
    /// this dataset's, and the column part.
    fn qualified<'n>(&self, name: &'n str) -> Option<(&'a Dataset, &'n str)> {
        let (_, table_ds) = self.lookup?;
        let column = name.strip_prefix(table_ds.id.as_str())?.strip_prefix('.')?;
        Some((table_ds, column))
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
        self.require_with(column, role, diags, Header::index)
    }

    /// [`Resolver::require`] for a column of which a bounded sample of values
    /// is enough ([`Header::index_for_samples`]): a comment column no topic codes.
    pub fn require_for_samples(
        &mut self,
        column: &ColumnRef,
        role: &str,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        self.require_with(column, role, diags, Header::index_for_samples)
    }

    fn require_with(
        &mut self,
        column: &ColumnRef,
        role: &str,
        diags: &mut Diagnostics,
        in_header: fn(&Header, &str) -> Option<usize>,
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
        let found = in_header(self.header, &column.name).or_else(|| self.in_lookup(&column.name));
        if found.is_none() {
            self.failures += 1;
            let (message, hint) = self.missing(&column.name, role);
            diags.error_hint(column.location.clone(), message, hint);
        }
        found
    }

    /// Why `name` does not resolve, and the hint.
    fn missing(&self, name: &str, role: &str) -> (String, String) {
        if let Some((table_ds, col)) = self.qualified(name) {
            let names = self.lookup.map_or(&[][..], |(t, _)| t.names.as_slice());
            let hint = did_you_mean(col, names.iter().map(String::as_str)).unwrap_or_else(|| {
                format!("the columns of `{}` are: {}", table_ds.id, names.join(", "))
            });
            return (
                format!(
                    "column `{name}` ({role}) is not in the header of lookup table `{}`",
                    table_ds.id
                ),
                hint,
            );
        }
        if let Some((prefix, _)) = name.split_once('.') {
            let joined = self.lookup.map(|(_, d)| d.id.as_str());
            if joined != Some(prefix) {
                return (
                    format!(
                        "column `{name}` ({role}) is not in the header of dataset `{}`, and `{prefix}` is not a lookup table it joins",
                        self.dataset.id
                    ),
                    format!(
                        "to read a column of dataset `{prefix}`, give it `key:` and add `lookup: {{ {prefix}: KEY_COLUMN }}` to dataset `{}`",
                        self.dataset.id
                    ),
                );
            }
        }
        let hint = did_you_mean(name, self.header.names.iter().map(String::as_str))
            .unwrap_or_else(|| format!("the columns are: {}", self.header.names.join(", ")));
        (
            format!(
                "column `{name}` ({role}) is not in the header of dataset `{}` ({})",
                self.dataset.id,
                display(&self.header.file)
            ),
            hint,
        )
    }

    /// The index of a column that may be absent (a persona's match column):
    /// `None`, silently, when absent or `pii`.
    pub fn optional(&self, name: &str) -> Option<usize> {
        if self.is_pii(name) {
            None
        } else {
            self.index(name)
        }
    }

    /// Whether `name` is listed under `pii` of this dataset, or (`crm.x`)
    /// of the lookup table.
    fn is_pii(&self, name: &str) -> bool {
        if self.header.position(name).is_none() {
            if let Some((table_ds, col)) = self.qualified(name) {
                return table_ds.pii.iter().any(|p| p.name == col);
            }
        }
        self.dataset.pii.iter().any(|p| p.name == name)
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
