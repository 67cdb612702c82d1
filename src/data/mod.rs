//! Data stage: reading a dataset's files and turning them into rows.
//!
//! Input: a validated [`crate::project::model::Dataset`] (resolved files,
//! encoding, delimiter, `bad_rows`). Output: a checked header, then each
//! well-formed row streamed once to the compute stage's [`source::RowSink`],
//! with data errors reported by `file:line:field`. Nothing here knows what a
//! metric is, and the compute stage never sees how a format stores its rows.
//!
//! Module map, from the compute stage down:
//!
//! - [`scan`]: the scan driver, the same for every format ([`scan::scan_with`]),
//!   and its CSV entry points ([`scan::read_header`], [`scan::scan`]); re-exports
//!   the compute stage's vocabulary.
//! - [`source`]: the seam. What the compute stage sees ([`source::Header`],
//!   [`source::Row`], [`source::RowSink`], [`source::SplitSink`]) and what a
//!   format implements ([`source::RecordSource`]), with the per-row shape
//!   checks every format shares ([`source::Batch`]).
//! - [`header`]: the dataset's header, read once from its first file; roles,
//!   duplicate names, undeclared personal columns.
//! - [`cached`]: a file's partial result from the build cache, or read and stored.
//! - [`read`]: one file read into a fork: its parts on every core, merged in
//!   file order, or the whole file in one pass.
//! - [`policy`]: `bad_rows` (fail: the first errors shown; skip: rows left out).
//! - CSV, the only format today: [`csv_source`] (the [`source::RecordSource`]),
//!   [`open`] (a file in its encoding), [`chunk`] (where a large file may be
//!   cut), [`csv_split`] (a CSV text's records split in place), [`sniff`] (what encoding a file looks like).
//! - SQL sources (SPEC §12): [`sql`] (the query, aggregated on the server).
//! - Other formats (SPEC §12): [`format`] (which one, by extension),
//!   [`xlsx_source`] (Excel and OpenDocument workbooks), [`parquet_source`], [`spss_source`] (SPSS `.sav`, `.zsav`).
//! - Cells and columns: [`cell`] (a field's value), [`date`] (date columns),
//!   [`roles`] (one role per column), [`privacy`] (personal columns), [`plan`]
//!   (every column name to a field index, a lookup table's columns included).
//! - [`lookup`]: a lookup table (SPEC §9) read at most once into memory, joined per row.

pub mod cached;
pub mod cell;
pub mod chunk;
pub mod csv_source;
pub mod csv_split;
pub mod date;
pub mod format;
pub mod header;
pub mod lookup;
pub mod open;
pub mod parquet_source;
pub mod plan;
pub mod policy;
pub mod privacy;
pub mod read;
pub mod roles;
pub mod scan;
#[cfg(test)]
mod seam_tests;
pub mod sniff;
pub mod source;
pub mod spss_source;
pub mod sql;
pub mod xlsx_source;
