//! cxscore turns a folder of customer-experience definitions and survey data
//! into a static site of scorecards and charts.
//!
//! The pipeline runs in one direction, one module per stage:
//!
//! 1. **load** and **validate** ([`project`]): `cxscore.yaml`, personas, journeys,
//!    indicators and pages become a checked [`project::model::Project`];
//! 2. **compute** ([`metrics`], reading CSV through [`data`]): one streaming pass
//!    per dataset feeds every indicator's accumulators, giving a
//!    [`metrics::computed::Computed`], which *is* `metrics.json`;
//! 3. **render** ([`site`], drawing with [`charts`]): view models and templates
//!    become an ordered map of output path to bytes;
//! 4. **write** ([`site::write`]): into a temporary folder beside the target, then
//!    swapped in, so a failed build never leaves half a site.
//!
//! Every stage records its problems in a [`diag::Diagnostics`] and keeps going;
//! [`pipeline`] stops between stages when there are errors.

pub mod baseline;
pub mod cache;
pub mod charts;
pub mod data;
pub mod diag;
pub mod followup;
pub mod init;
pub mod metrics;
pub mod numbers;
pub mod pipeline;
pub mod progress;
pub mod project;
pub mod schema;
pub mod site;
pub mod suggest;

pub mod cli;
pub mod serve;

/// Entry points for the cargo-fuzz targets in `fuzz/`; not a stable API.
///
/// Compiled only with the `fuzzing` feature (which `fuzz/Cargo.toml` turns on), and for
/// the library's own unit tests so its tests run with a plain `cargo test`.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
