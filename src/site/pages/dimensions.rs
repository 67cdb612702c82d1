//! The scorecard's tile groups by experience dimension (`dimension:` of the indicators):
//! one group per roll-up compute published under `dimensions`, headed by its counts.
//!
//! The site computes nothing here: the counts and the share on target are
//! `metrics.json`'s; this module only orders the tiles and words the heading.

use serde::Serialize;

use super::scorecard::{Group, StatusCount};
use crate::metrics::computed::{Computed, Status};
use crate::metrics::computed_dimensions::{DimensionResult, StatusCounts};
use crate::project::model::{Dimension, Kind};
use crate::project::vocabulary::Vocabulary;
use crate::site::format;
use crate::site::i18n::Catalog;
use crate::site::views::{status_icon, status_label, status_word, IndicatorCard};

/// A dimension group's heading line and status badges, from its roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct RollupView {
    /// "Indicators: 3 · on target: 33 % (1 of 3 with a target and a value)".
    pub text: String,
    /// The badges of the statuses present, in the status vocabulary's order.
    pub status_counts: Vec<StatusCount>,
    /// The badges' list label ("Statuses in Brand experience (BX)").
    pub statuses_label: String,
}

/// The translated name of a dimension, or of the group without one ("Other indicators").
pub fn dimension_label(dimension: Option<Dimension>, t: &Catalog) -> String {
    match dimension {
        Some(d) => t.get(&format!("dimension_{}", d.word())),
        None => t.get("dimension_none"),
    }
}

/// One group per published roll-up, in its order; inside a group the tiles go by kind
/// (KCI, KQI, KPI, as the kind groups do), then in definition order. `cards` are the
/// scorecard's tiles with each indicator's id.
pub fn groups(computed: &Computed, cards: &[(Kind, IndicatorCard)], t: &Catalog) -> Vec<Group> {
    (computed.dimensions.iter())
        .map(|d| {
            let mut members: Vec<&(Kind, IndicatorCard)> = (cards.iter())
                .filter(|(_, c)| d.indicators.contains(&c.id))
                .collect();
            members.sort_by_key(|(kind, _)| kind_rank(*kind));
            let title = dimension_label(d.dimension, t);
            Group {
                rollup: Some(rollup(d, &title, t)),
                title,
                indicators: members.into_iter().map(|(_, c)| c.clone()).collect(),
            }
        })
        .collect()
}

/// The kind groups' order: customer perception, quality, performance.
fn kind_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Kci => 0,
        Kind::Kqi => 1,
        Kind::Kpi => 2,
    }
}

/// The heading line and badges of one roll-up.
fn rollup(d: &DimensionResult, title: &str, t: &Catalog) -> RollupView {
    let count = d.count.to_string();
    let text = match d.on_target_share {
        Some(share) => t.fill(
            "dimension_rollup",
            &[
                ("count", &count),
                ("share", &format!("{} %", format::number(share, 0))),
                ("green", &d.statuses.green.to_string()),
                ("judged", &d.judged.to_string()),
            ],
        ),
        None => t.fill("dimension_rollup_unjudged", &[("count", &count)]),
    };
    RollupView {
        text,
        status_counts: badges(&d.statuses, t),
        statuses_label: t.fill("dimension_statuses", &[("dimension", title)]),
    }
}

/// The statuses present, as the scorecard's summary shows them.
fn badges(s: &StatusCounts, t: &Catalog) -> Vec<StatusCount> {
    [
        (Status::Green, s.green),
        (Status::Amber, s.amber),
        (Status::Red, s.red),
        (Status::Suppressed, s.suppressed),
        (Status::None, s.none),
    ]
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .map(|(status, count)| StatusCount {
        status: status_word(status).into(),
        label: status_label(status, t),
        icon: status_icon(status).into(),
        count,
    })
    .collect()
}
