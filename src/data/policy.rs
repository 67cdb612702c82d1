//! Data stage: the `bad_rows` policy, applied to the data errors of a dataset.
//!
//! Input: each file's logged data errors, replayed in file order. Output:
//! under `bad_rows: fail`, the first [`MAX_ERRORS_SHOWN`] errors and one
//! more saying how many were not listed; under `bad_rows: skip`, the rows left
//! out counted and the first [`MAX_REJECTIONS_KEPT`] reasons kept for the
//! methodology page, with one warning.

use std::path::{Path, PathBuf};

use super::scan::{ScanStats, MAX_ERRORS_SHOWN, MAX_REJECTIONS_KEPT};
use super::source::RowProblem;
use crate::diag::{Diagnostics, Location};
use crate::project::model::{BadRows, Dataset};

/// Applies `bad_rows` to the rows with data errors (see [`MAX_ERRORS_SHOWN`]).
pub(crate) struct Policy {
    mode: BadRows,
    shown: usize,
    hidden: u64,
    first_hidden: Option<PathBuf>,
    hint: String,
}

impl Policy {
    pub(crate) fn new(dataset: &Dataset) -> Self {
        Policy {
            mode: dataset.bad_rows,
            shown: 0,
            hidden: 0,
            first_hidden: None,
            hint: format!(
                "fix the data, or set `bad_rows: skip` on dataset `{}` to leave such rows out",
                dataset.id
            ),
        }
    }

    pub(crate) fn bad_row(
        &mut self,
        file: &Path,
        line: u64,
        sheet: Option<&str>,
        problems: &[RowProblem],
        stats: &mut ScanStats,
        diags: &mut Diagnostics,
    ) {
        for p in problems {
            let location = match sheet {
                // A workbook's cell, `file:Sheet!C17`, in the file part (no line or column).
                Some(sheet) => Location::file(super::xlsx_source::sheet_cell(
                    file,
                    sheet,
                    line as u32,
                    p.field as u32,
                )),
                None => Location::at(file, line as u32, p.field as u32 + 1),
            };
            match self.mode {
                BadRows::Fail if self.shown < MAX_ERRORS_SHOWN => {
                    self.shown += 1;
                    diags.error_hint(location, p.message.clone(), self.hint.clone());
                }
                BadRows::Fail => {
                    self.hidden += 1;
                    self.first_hidden.get_or_insert_with(|| file.to_path_buf());
                }
                BadRows::Skip if stats.rejections.len() < MAX_REJECTIONS_KEPT => {
                    stats
                        .rejections
                        .push((location.to_string(), p.message.clone()));
                }
                BadRows::Skip => {}
            }
        }
        if self.mode == BadRows::Skip {
            stats.rejected += 1;
        }
    }

    /// Problems past a batch's kept ones ([`super::source::Batch`]): by then both lists are
    /// full, so they are only counted, as [`Policy::bad_row`] would.
    pub(crate) fn unlisted(
        &mut self,
        file: &Path,
        problems: u64,
        rows: u64,
        stats: &mut ScanStats,
    ) {
        if rows == 0 {
            return;
        }
        match self.mode {
            BadRows::Fail => {
                self.hidden += problems;
                self.first_hidden.get_or_insert_with(|| file.to_path_buf());
            }
            BadRows::Skip => stats.rejected += rows,
        }
    }

    pub(crate) fn finish(self, dataset: &Dataset, stats: &mut ScanStats, diags: &mut Diagnostics) {
        if let Some(file) = self.first_hidden {
            diags.error_hint(
                Location::file(file),
                format!(
                    "{} more data errors in dataset `{}` are not listed (only the first {MAX_ERRORS_SHOWN} are)",
                    self.hidden, dataset.id
                ),
                self.hint,
            );
        }
        if stats.rejected > 0 {
            diags.warning(
                dataset.location.clone(),
                format!(
                    "dataset `{}`: {} of {} rows have data errors and were left out (bad_rows: skip); the methodology page lists why",
                    dataset.id, stats.rejected, stats.rows
                ),
            );
        }
    }
}
