//! A metric is one row of one table: everything cxscore knows about a
//! metric lives here.
//!
//! [`MetricName`] is the word table (`metric: nps`); [`MetricName::row`] the
//! static facts of each metric (the YAML keys it takes, what it reads, its
//! catalogue keys); [`Metric`] a checked metric with its parameters, whose
//! methods give the facts that depend on them (scale, reachable values, the
//! 0–100 reading used by composites and journey scores, display decimals,
//! how rows are classified). Every match over a metric here is exhaustive
//! and there is no `_ =>` arm anywhere over a metric, so adding a variant
//! makes the compiler list each place to fill; docs/developing.md has the
//! recipe.

use serde::Serialize;

use super::model::{ColumnRef, Direction, Range};
pub use super::statistic::Measure;
use super::vocabulary::Vocabulary;

crate::vocabulary! {
    /// How a CES score is summarised (`mode:` of a `ces` indicator).
    pub enum CesMode as "mode" {
        /// The weighted mean on the scale (the default).
        Mean = "mean",
        /// % of the top three points (5–7 on 1–7).
        Agree = "agree",
        /// % of the top two points − % of the bottom three (6–7 − 1–3 on 1–7).
        Net = "net",
    }
}

crate::vocabulary! {
    /// The word of a metric (`metric:` of an indicator), without its parameters.
    pub enum MetricName as "metric" {
        /// Net Promoter Score.
        Nps = "nps",
        /// Customer satisfaction: % in the top box.
        Csat = "csat",
        /// Customer effort score.
        Ces = "ces",
        /// Weighted mean.
        Mean = "mean",
        /// % in a top box.
        TopBox = "top_box",
        /// % in a bottom box.
        BottomBox = "bottom_box",
        /// % of answers equal to given values.
        Share = "share",
        /// A percentile.
        Percentile = "percentile",
        /// Rows.
        Count = "count",
        /// Weighted mean of other indicators on 0–100.
        Composite = "composite",
        /// Perception − expectation.
        Gap = "gap",
    }
}

crate::vocabulary! {
    /// The metric-specific keys of an indicator: each applies to some metrics
    /// only ([`MetricRow::keys`]), and any other is an error.
    pub enum Param as "parameter" {
        /// `scale: [low, high]`.
        Scale = "scale",
        /// `top_box: [low, high]` (csat).
        TopBox = "top_box",
        /// `mode:` (ces).
        Mode = "mode",
        /// `box: [low, high]` (top_box, bottom_box).
        Box = "box",
        /// `value:` (share).
        Value = "value",
        /// `p:` (percentile).
        P = "p",
        /// `components:` (composite).
        Components = "components",
        /// `expectation:` (gap).
        Expectation = "expectation",
    }
}

/// What an indicator of a metric reads from its dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// One column (`column:` required) of a dataset.
    Column,
    /// A dataset's rows; a `column:` is optional (then: the rows where it is answered).
    Rows,
    /// No dataset: other indicators (`components:`).
    Indicators,
}

/// The site's catalogue keys for a metric's words (themes/*/i18n/*.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalogue {
    /// The metric's display name (`metric_nps`).
    pub name: &'static str,
    /// The methodology page's formula (`formula_nps`), with `{scale}`, `{box}`… to fill.
    pub formula: &'static str,
    /// The methodology page's note on how the metric is treated, where one is needed.
    pub rule: Option<&'static str>,
}

/// The static facts of a metric: one row of the metric table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricRow {
    /// The metric-specific YAML keys it takes; any other is an error.
    pub keys: &'static [Param],
    /// What it reads.
    pub reads: Reads,
    /// Its words on the site.
    pub catalogue: Catalogue,
}

const fn words(name: &'static str, formula: &'static str, rule: Option<&'static str>) -> Catalogue {
    Catalogue {
        name,
        formula,
        rule,
    }
}

impl MetricName {
    /// The metric table.
    pub const fn row(self) -> MetricRow {
        use Param as K;
        let (keys, reads, catalogue): (&'static [Param], Reads, Catalogue) = match self {
            MetricName::Nps => (&[], Reads::Column, words("metric_nps", "formula_nps", None)),
            MetricName::Csat => (
                &[K::Scale, K::TopBox],
                Reads::Column,
                words("metric_csat", "formula_csat", None),
            ),
            // The formula depends on the mode: see [`Metric::catalogue`].
            MetricName::Ces => (
                &[K::Scale, K::Mode],
                Reads::Column,
                words("metric_ces", "formula_ces_mean", None),
            ),
            MetricName::Mean => (
                &[K::Scale],
                Reads::Column,
                words("metric_mean", "formula_mean", None),
            ),
            MetricName::TopBox => (
                &[K::Scale, K::Box],
                Reads::Column,
                words("metric_top_box", "formula_top_box", None),
            ),
            MetricName::BottomBox => (
                &[K::Scale, K::Box],
                Reads::Column,
                words("metric_bottom_box", "formula_bottom_box", None),
            ),
            MetricName::Share => (
                &[K::Value],
                Reads::Column,
                words("metric_share", "formula_share", None),
            ),
            MetricName::Percentile => (
                &[K::P, K::Scale],
                Reads::Column,
                words(
                    "metric_percentile",
                    "formula_percentile",
                    Some("formula_percentile_rule"),
                ),
            ),
            MetricName::Count => (
                &[],
                Reads::Rows,
                words("metric_count", "formula_count", None),
            ),
            MetricName::Composite => (
                &[K::Components],
                Reads::Indicators,
                words(
                    "metric_composite",
                    "formula_composite",
                    Some("formula_composite_rule"),
                ),
            ),
            MetricName::Gap => (
                &[K::Expectation, K::Scale],
                Reads::Column,
                words("metric_gap", "formula_gap", Some("formula_gap_rule")),
            ),
        };
        MetricRow {
            keys,
            reads,
            catalogue,
        }
    }
}

/// What an indicator computes, with the parameters each metric needs.
///
/// Adding a metric: see docs/developing.md; a variant here and one in
/// [`MetricName`], then the compiler's exhaustive matches point at every
/// other place to fill.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// % promoters (9–10) − % detractors (0–6), on 0–10.
    Nps,
    /// % of answers in `top_box` on `scale` (default 1–5, top two).
    Csat {
        /// The answer scale.
        scale: Range,
        /// The satisfied box.
        top_box: Range,
    },
    /// Customer effort on `scale` (default 1–7).
    Ces {
        /// The answer scale.
        scale: Range,
        /// Mean, agree or net.
        mode: CesMode,
    },
    /// Weighted mean of a number.
    Mean {
        /// Optional scale: values outside it are data errors.
        scale: Option<Range>,
    },
    /// % of answers in `range` (default the top two of the scale).
    TopBox {
        /// The answer scale.
        scale: Range,
        /// The box.
        range: Range,
    },
    /// % of answers in `range` (default the bottom two of the scale).
    BottomBox {
        /// The answer scale.
        scale: Range,
        /// The box.
        range: Range,
    },
    /// % of answered rows whose text equals one of `values`.
    Share {
        /// Accepted values (compared as trimmed text).
        values: Vec<String>,
    },
    /// The `p`-th percentile (0–100), unweighted, PERCENTILE.INC.
    Percentile {
        /// Which percentile.
        p: f64,
        /// Optional scale: values outside it are data errors.
        scale: Option<Range>,
    },
    /// Number of rows (after `where`); with a column, the rows where it is answered.
    Count,
    /// SERVQUAL-style gap: weighted mean of `column − expectation` over the
    /// rows where both are answered.
    Gap {
        /// The expectation column (`column` is the perception).
        expectation: ColumnRef,
        /// Optional scale of both columns: values outside it are data errors.
        scale: Option<Range>,
    },
    /// Weighted mean of other indicators, each normalised to 0–100.
    Composite {
        /// Component indicator ids with their weights, in the order written.
        components: Vec<(String, f64)>,
    },
}

/// The values a metric can take, when bounded (a target outside can never be reached).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Lowest value.
    pub lo: f64,
    /// Highest value (infinite for counts).
    pub hi: f64,
    /// What the value is, for the message ("a percentage").
    pub what: &'static str,
}

/// How a metric's value is put on 0–100 (higher better before `direction`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// Already a percentage.
    Percent,
    /// A net score on −100..100: (v + 100) / 2.
    Net,
    /// A value on a scale: (v − lo) / (hi − lo) · 100.
    Scale(Range),
}

const fn range(lo: f64, hi: f64) -> Range {
    Range { lo, hi }
}

impl Metric {
    /// The word of the metric.
    pub fn kind(&self) -> MetricName {
        match self {
            Metric::Nps => MetricName::Nps,
            Metric::Csat { .. } => MetricName::Csat,
            Metric::Ces { .. } => MetricName::Ces,
            Metric::Mean { .. } => MetricName::Mean,
            Metric::TopBox { .. } => MetricName::TopBox,
            Metric::BottomBox { .. } => MetricName::BottomBox,
            Metric::Share { .. } => MetricName::Share,
            Metric::Percentile { .. } => MetricName::Percentile,
            Metric::Count => MetricName::Count,
            Metric::Gap { .. } => MetricName::Gap,
            Metric::Composite { .. } => MetricName::Composite,
        }
    }

    /// The name as written in YAML and metrics.json.
    pub fn name(&self) -> &'static str {
        self.kind().word()
    }

    /// The static facts of the metric.
    pub fn row(&self) -> MetricRow {
        self.kind().row()
    }

    /// The numeric scale values must lie in, if any (NPS is always 0–10).
    pub fn scale(&self) -> Option<Range> {
        match self {
            Metric::Nps => Some(range(0.0, 10.0)),
            Metric::Csat { scale, .. }
            | Metric::Ces { scale, .. }
            | Metric::TopBox { scale, .. }
            | Metric::BottomBox { scale, .. } => Some(*scale),
            Metric::Mean { scale }
            | Metric::Percentile { scale, .. }
            | Metric::Gap { scale, .. } => *scale,
            Metric::Share { .. } | Metric::Count | Metric::Composite { .. } => None,
        }
    }

    /// The expectation column of a gap (the second column it reads); `None`
    /// for every other metric.
    pub fn expectation(&self) -> Option<&ColumnRef> {
        match self {
            Metric::Gap { expectation, .. } => Some(expectation),
            Metric::Nps
            | Metric::Csat { .. }
            | Metric::Ces { .. }
            | Metric::Mean { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Percentile { .. }
            | Metric::Count
            | Metric::Composite { .. } => None,
        }
    }

    /// The site's catalogue keys for the metric's words (a CES formula
    /// depends on its mode).
    pub fn catalogue(&self) -> Catalogue {
        let row = self.row().catalogue;
        match self {
            Metric::Ces { mode, .. } => Catalogue {
                formula: match mode {
                    CesMode::Mean => "formula_ces_mean",
                    CesMode::Agree => "formula_ces_agree",
                    CesMode::Net => "formula_ces_net",
                },
                ..row
            },
            Metric::Nps
            | Metric::Csat { .. }
            | Metric::Mean { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Percentile { .. }
            | Metric::Count
            | Metric::Gap { .. }
            | Metric::Composite { .. } => row,
        }
    }

    /// The components of a composite; `None` for every other metric.
    pub fn components(&self) -> Option<&[(String, f64)]> {
        match self {
            Metric::Composite { components } => Some(components),
            Metric::Nps
            | Metric::Csat { .. }
            | Metric::Ces { .. }
            | Metric::Mean { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Percentile { .. }
            | Metric::Count
            | Metric::Gap { .. } => None,
        }
    }

    /// The values the metric can take, when bounded: a target, amber
    /// threshold or benchmark outside them is surely a typo (130 for an NPS)
    /// or a unit mix-up (0.85 for 85 %).
    pub fn reach(&self) -> Option<Reach> {
        let percent = Reach {
            lo: 0.0,
            hi: 100.0,
            what: "a percentage",
        };
        let net = Reach {
            lo: -100.0,
            hi: 100.0,
            what: "a net score",
        };
        let on = |s: Range, what| Reach {
            lo: s.lo,
            hi: s.hi,
            what,
        };
        match self {
            Metric::Nps => Some(net),
            Metric::Csat { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Composite { .. } => Some(percent),
            Metric::Ces { scale, mode } => match mode {
                CesMode::Mean => Some(on(*scale, "a mean on its scale")),
                CesMode::Agree => Some(percent),
                CesMode::Net => Some(net),
            },
            Metric::Mean { scale } | Metric::Percentile { scale, .. } => {
                scale.map(|s| on(s, "a value on its scale"))
            }
            Metric::Gap { scale, .. } => scale.map(|s| {
                let width = s.hi - s.lo;
                on(range(-width, width), "a difference on its scale")
            }),
            Metric::Count => Some(Reach {
                lo: 0.0,
                hi: f64::INFINITY,
                what: "a count",
            }),
        }
    }

    /// How the value is put on 0–100 (SPEC §2, composite); `None` when the
    /// metric has no known range: a count, a gap (−(hi − lo)..(hi − lo) has
    /// no natural 0–100 reading), a mean or percentile without `scale`.
    pub fn reading(&self) -> Option<Reading> {
        match self {
            Metric::Nps
            | Metric::Ces {
                mode: CesMode::Net, ..
            } => Some(Reading::Net),
            Metric::Csat { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Composite { .. }
            | Metric::Ces {
                mode: CesMode::Agree,
                ..
            } => Some(Reading::Percent),
            Metric::Ces {
                scale,
                mode: CesMode::Mean,
            } => Some(Reading::Scale(*scale)),
            Metric::Mean { scale } | Metric::Percentile { scale, .. } => scale.map(Reading::Scale),
            Metric::Count | Metric::Gap { .. } => None,
        }
    }

    /// `v` on 0–100 where higher is better (a `lower` indicator is flipped,
    /// 100 − x); `None` without a reading or on a scale of no width.
    pub fn normalise(&self, v: f64, direction: Direction) -> Option<f64> {
        let x = match self.reading()? {
            Reading::Percent => v,
            Reading::Net => (v + 100.0) / 2.0,
            Reading::Scale(s) => (s.hi > s.lo).then(|| (v - s.lo) / (s.hi - s.lo) * 100.0)?,
        };
        Some(match direction {
            Direction::Higher => x,
            Direction::Lower => 100.0 - x,
        })
    }

    /// How many decimals its values are shown with (means two, counts none).
    pub fn decimals(&self) -> usize {
        match self {
            Metric::Mean { .. } | Metric::Gap { .. } => 2,
            Metric::Ces { mode, .. } => match mode {
                CesMode::Mean => 2,
                CesMode::Agree | CesMode::Net => 1,
            },
            Metric::Count => 0,
            Metric::Nps
            | Metric::Csat { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. }
            | Metric::Percentile { .. }
            | Metric::Composite { .. } => 1,
        }
    }

    /// How rows are classified. CES on a scale other than 1–7 uses the same
    /// rule as on 1–7: `agree` is the top three points, `net` the top two
    /// minus the bottom three (on 1–7: 5–7, and 6–7 − 1–3).
    pub fn measure(&self) -> Measure {
        match self {
            Metric::Nps => Measure::Net {
                scale: range(0.0, 10.0),
                pos: range(9.0, 10.0),
                neg: range(0.0, 6.0),
            },
            Metric::Csat { scale, top_box } => Measure::Boxed {
                scale: *scale,
                hit: *top_box,
            },
            Metric::TopBox { scale, range } | Metric::BottomBox { scale, range } => {
                Measure::Boxed {
                    scale: *scale,
                    hit: *range,
                }
            }
            Metric::Ces { scale, mode } => match mode {
                CesMode::Mean => Measure::Mean {
                    scale: Some(*scale),
                },
                CesMode::Agree => Measure::Boxed {
                    scale: *scale,
                    hit: range(scale.hi - 2.0, scale.hi),
                },
                CesMode::Net => Measure::Net {
                    scale: *scale,
                    pos: range(scale.hi - 1.0, scale.hi),
                    neg: range(scale.lo, scale.lo + 2.0),
                },
            },
            Metric::Mean { scale } => Measure::Mean { scale: *scale },
            Metric::Share { values } => Measure::Share {
                values: values.iter().map(|v| v.trim().to_string()).collect(),
            },
            Metric::Percentile { p, scale } => Measure::Percentile {
                p: *p,
                scale: *scale,
            },
            Metric::Count => Measure::Count,
            Metric::Gap { scale, .. } => Measure::Gap { scale: *scale },
            Metric::Composite { .. } => Measure::Composite,
        }
    }
}

/// Serialises as its word, as metrics.json writes it.
impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
#[path = "metric_tests.rs"]
mod tests;
