//! Data stage: the one streaming pass over a dataset's files.
//!
//! Input: a [`Dataset`], its checked [`Header`] and a [`SplitSink`] (the
//! compute stage's per-row work). Output: every well-formed row handed to the
//! sink once, in file then line order; ragged rows, bad bytes and the sink's
//! own data errors turned into diagnostics or rejections according to
//! `bad_rows` ([`super::policy`]), and the dataset's [`ScanStats`].
//!
//! The driver is the same for every format: [`scan_with`] takes any
//! [`RecordSource`]; [`scan`] and [`read_header`] pick the source of the
//! dataset's format ([`super::format`]). The compute stage's vocabulary is defined in
//! [`super::source`] and re-exported here.

use std::path::Path;

use super::cached::read_cached;
use super::csv_source::CsvSource;
use super::format::{checked_format, Format};
use super::header::{names_of, read_header_with, same_header};
use super::parquet_source::ParquetSource;
use super::policy::Policy;
use super::spss_source::SpssSource;
use super::xlsx_source::WorkbookSource;
use crate::diag::{display_path, Diagnostics};
use crate::project::model::Dataset;

pub use super::cached::FileCache;
pub use super::csv_source::{PARALLEL_MIN_BYTES, PIECE_BYTES};
pub use super::source::{
    DataFile, Header, RecordSource, Row, RowProblem, RowSink, SplitSink, MAX_FIELD_BYTES,
};

/// At most this many data-error diagnostics per dataset under `bad_rows: fail`;
/// past it, one last diagnostic says how many more were found. Two hundred
/// lines are enough to see a pattern, and a broken export can hold millions.
pub const MAX_ERRORS_SHOWN: usize = 200;

/// At most this many rejections are kept per dataset under `bad_rows: skip`
/// (for the methodology page); the `rejected` count is always exact.
pub const MAX_REJECTIONS_KEPT: usize = 1000;

/// What a scan read of a dataset (the compute stage publishes it as `ScanStats`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanStats {
    /// Files of the dataset.
    pub files: usize,
    /// Data rows read (header excluded), accepted or not.
    pub rows: u64,
    /// Rows left out under `bad_rows: skip`.
    pub rejected: u64,
    /// Each data error of a left-out row: (`file:line:column`, reason); one
    /// entry per error, at most [`MAX_REJECTIONS_KEPT`].
    pub rejections: Vec<(String, String)>,
}

/// Reads the header of a dataset's first file, with the [`RecordSource`] of
/// its format ([`super::format`]). `None` (with an error recorded) when the
/// dataset has no file, mixes formats or the header cannot be read.
///
/// Also checks what needs the dataset alone or its header (see
/// [`super::header`]). This and [`scan`] pick the source (a `match` per
/// dataset); the compute stage's two calls stay as they are.
pub fn read_header(dataset: &Dataset, root: &Path, diags: &mut Diagnostics) -> Option<Header> {
    if let Some(query) = &dataset.sql {
        return super::sql::read_header(query, dataset, root, diags);
    }
    match checked_format(dataset, root, diags)? {
        Format::Csv => read_header_with(&CsvSource::new(), dataset, root, diags),
        Format::Workbook => read_header_with(&WorkbookSource, dataset, root, diags),
        Format::Parquet => read_header_with(&ParquetSource, dataset, root, diags),
        Format::Spss => read_header_with(&SpssSource, dataset, root, diags),
    }
}

/// Streams every file of a dataset through `sink`: [`scan_with`] the source of its format.
pub fn scan<S: SplitSink>(
    dataset: &Dataset,
    root: &Path,
    header: &Header,
    sink: &mut S,
    cache: Option<&FileCache<'_>>,
    diags: &mut Diagnostics,
) -> ScanStats {
    let scan = Scan {
        dataset,
        root,
        header,
        cache,
    };
    if let Some(query) = &dataset.sql {
        return super::sql::scan(query, scan, sink, diags);
    }
    match Format::of(dataset) {
        Format::Csv => scan_with(&CsvSource::new(), scan, sink, diags),
        Format::Workbook => scan_with(&WorkbookSource, scan, sink, diags),
        Format::Parquet => scan_with(&ParquetSource, scan, sink, diags),
        Format::Spss => scan_with(&SpssSource, scan, sink, diags),
    }
}

/// What a scan reads: a dataset, whose `header` (read from its first file by
/// [`read_header`] or [`read_header_with`]) every file must share.
pub struct Scan<'a> {
    /// The dataset.
    pub dataset: &'a Dataset,
    /// The project root, which messages name files relative to.
    pub root: &'a Path,
    /// The header of the dataset's first file, already read and checked.
    pub header: &'a Header,
    /// The build cache, if the build uses it.
    pub cache: Option<&'a FileCache<'a>>,
}

/// Streams every file of a dataset through `sink` with `source`; see the
/// module docs.
///
/// Locations are `file:line:column` where *column is the 1-based field number*
/// (not a character offset): spreadsheet users count fields, and a field is
/// what they must fix.
pub fn scan_with<Src: RecordSource, S: SplitSink>(
    source: &Src,
    scan: Scan<'_>,
    sink: &mut S,
    diags: &mut Diagnostics,
) -> ScanStats {
    let Scan {
        dataset,
        root,
        header,
        cache,
    } = scan;
    let errors_before = diags.error_count();
    let mut policy = Policy::new(dataset);
    let mut stats = ScanStats {
        files: dataset.files.len(),
        ..ScanStats::default()
    };
    for (i, path) in dataset.files.iter().enumerate() {
        let file = display_path(root, path);
        let file = DataFile {
            path,
            file: &file,
            dataset,
        };
        // The first file's header is `header`, read and checked once.
        if i > 0 {
            let Some(names) = names_of(source, &file, diags) else {
                continue;
            };
            if !same_header(&names, header, &file, diags) {
                continue;
            }
        }
        // Every file is read into its own fork and merged in file order, so
        // a file's partial is the same whether it was read or loaded.
        let read = read_cached(source, &file, header, sink.fork(), cache);
        let sheet = (read.has_bad_rows())
            .then(|| source.sheet_name(&file))
            .flatten();
        read.replay(
            sink,
            &file,
            sheet.as_deref(),
            &mut policy,
            &mut stats,
            diags,
        );
    }
    policy.finish(dataset, &mut stats, diags);
    if stats.rows == 0 && diags.error_count() == errors_before {
        diags.warning_hint(
            dataset.location.clone(),
            format!(
                "dataset `{}` has a header but no data rows ({} file(s)); its indicators have no value",
                dataset.id, stats.files
            ),
            "check the export: the files hold only the header line",
        );
    }
    stats
}
