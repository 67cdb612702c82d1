//! Data stage: opening CSV datasets and turning bytes into cells.
//!
//! Input: a validated [`crate::project::model::Dataset`] (resolved files,
//! encoding, delimiter, `bad_rows`). Output: a checked header, then each
//! well-formed row streamed once to the compute stage's [`scan::RowSink`], with
//! data errors reported by `file:line:field`. Nothing here knows what a metric is.

pub mod cell;
pub mod chunk;
pub mod date;
pub mod open;
pub mod plan;
pub mod privacy;
pub mod roles;
pub mod scan;
pub mod sniff;
