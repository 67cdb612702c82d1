//! The statistics a metric can be, with the parameters that classify a row:
//! a net of two boxes, a proportion, a mean, a percentile, a count.
//!
//! A metric is one row of the metric table (`metric.rs`), which maps it to
//! one of these ([`crate::project::metric::Metric::measure`]); the compute
//! stage reads cells into the matching accumulator
//! (`crate::metrics::measure`). Few statistics, many metrics: a new metric
//! usually reuses one of them.

use super::model::Range;

/// How rows are classified into an accumulator: the statistic a metric is.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// NPS and CES `net`: positive box minus negative box.
    Net {
        /// Values must lie here.
        scale: Range,
        /// Promoters.
        pos: Range,
        /// Detractors.
        neg: Range,
    },
    /// The share of numeric answers in a box.
    Boxed {
        /// Values must lie here.
        scale: Range,
        /// The box counted as a hit.
        hit: Range,
    },
    /// The share of answers equal (as trimmed text) to one of the values.
    Share {
        /// Accepted values, trimmed.
        values: Vec<String>,
    },
    /// The weighted mean.
    Mean {
        /// Values must lie here, when given.
        scale: Option<Range>,
    },
    /// The unweighted `p`-th percentile.
    Percentile {
        /// 0–100.
        p: f64,
        /// Values must lie here, when given.
        scale: Option<Range>,
    },
    /// The weighted mean of perception − expectation (two cells per row).
    Gap {
        /// Both cells must lie here, when given.
        scale: Option<Range>,
    },
    /// Rows, or answered rows when the indicator has a column.
    Count,
    /// Computed from other indicators, reads no rows.
    Composite,
}
