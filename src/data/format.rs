//! Data stage: which format a dataset's files are in (SPEC §12), by extension.
//!
//! Input: a [`Dataset`] (its resolved files and dialect keys). Output: its
//! [`Format`], with what does not fit it reported once per dataset: files of
//! two formats in one dataset (an error), CSV-only keys (`encoding:`,
//! `delimiter:`) on another format and workbook-only keys (`sheet:`,
//! `header_row:`) on another format (warnings: they change nothing).

use std::path::Path;

use crate::diag::Diagnostics;
use crate::project::model::{Dataset, Encoding};

/// A data format cxscore reads; the scan driver picks its [`super::source::RecordSource`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text: any extension that is not one of the others.
    Csv,
    /// Excel or OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`).
    Workbook,
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// SPSS Statistics data files (`.sav`, `.zsav`).
    Spss,
}

impl Format {
    /// The format of one file, by its extension (case ignored).
    pub fn of_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if super::xlsx_source::EXTENSIONS.contains(&ext.as_str()) {
            Format::Workbook
        } else if ext == "parquet" {
            Format::Parquet
        } else if super::spss_source::EXTENSIONS.contains(&ext.as_str()) {
            Format::Spss
        } else {
            Format::Csv
        }
    }

    /// The format of a dataset: its first file's (CSV when it has none).
    pub fn of(dataset: &Dataset) -> Format {
        dataset
            .files
            .first()
            .map_or(Format::Csv, |f| Format::of_path(f))
    }

    /// Its name in messages.
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Workbook => "a workbook",
            Format::Parquet => "Parquet",
            Format::Spss => "SPSS",
        }
    }
}

/// The dataset's format, after checking that it fits the dataset (see the
/// module docs); `None`, with an error recorded, when its files mix formats.
pub fn checked_format(dataset: &Dataset, root: &Path, diags: &mut Diagnostics) -> Option<Format> {
    let format = Format::of(dataset);
    if let Some(other) = (dataset.files.iter()).find(|f| Format::of_path(f) != format) {
        diags.error_hint(
            dataset.location.clone(),
            format!(
                "dataset `{}` mixes formats: `{}` is {} but `{}` is {}",
                dataset.id,
                crate::diag::display_path(root, &dataset.files[0]).display(),
                format.name(),
                crate::diag::display_path(root, other).display(),
                Format::of_path(other).name()
            ),
            "every file of a dataset must be in one format: make `path:` match one kind, e.g. `data/survey/*.xlsx`",
        );
        return None;
    }
    if format != Format::Csv && (dataset.encoding != Encoding::Utf8 || dataset.delimiter != b',') {
        diags.warning_hint(
            dataset.location.clone(),
            format!(
                "dataset `{}` is {}: `encoding:` and `delimiter:` apply to CSV files only and are ignored",
                dataset.id,
                format.name()
            ),
            "remove `encoding:` and `delimiter:` from the dataset",
        );
    }
    if format != Format::Workbook {
        if let Some(at) = &dataset.workbook.location {
            diags.warning_hint(
                at.clone(),
                format!(
                    "dataset `{}` is {}: `sheet:` and `header_row:` apply to workbooks only and are ignored",
                    dataset.id,
                    format.name()
                ),
                "remove `sheet:` and `header_row:` from the dataset",
            );
        }
    }
    Some(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_names_the_format() {
        assert_eq!(Format::of_path(Path::new("a/b.csv")), Format::Csv);
        assert_eq!(Format::of_path(Path::new("a/b.tsv")), Format::Csv);
        assert_eq!(Format::of_path(Path::new("a/b.XLSX")), Format::Workbook);
        assert_eq!(Format::of_path(Path::new("a/b.ods")), Format::Workbook);
        assert_eq!(Format::of_path(Path::new("a/b.xls")), Format::Workbook);
        assert_eq!(Format::of_path(Path::new("a/b.parquet")), Format::Parquet);
        assert_eq!(Format::of_path(Path::new("a/b.sav")), Format::Spss);
        assert_eq!(Format::of_path(Path::new("a/b.ZSAV")), Format::Spss);
    }
}
