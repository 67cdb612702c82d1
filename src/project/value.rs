//! Validation of `value_at_stake:` (SPEC §9) and `followup:` (SPEC §10) in
//! `cxscore.yaml`.
//!
//! What the config alone decides is checked with the config (`customers` > 0,
//! the follow-up dataset, its `id` not a `pii` column, the group words);
//! what needs the indicators (the NPS indicator exists and is `metric: nps`)
//! is checked by [`link`] once they are loaded. Whether a column exists is
//! checked against the header by the compute stage's plan, like every
//! indicator's `column` (one resolver, located at the key that named it).

use std::collections::BTreeMap;
use std::path::Path;

use super::config::column;
use super::model::{ColumnRef, Config, Dataset, Indicator, Metric};
use super::raw::{RawFollowup, RawValueAtStake};
use super::vocabulary::Vocabulary;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

crate::vocabulary! {
    /// An NPS group (`followup.groups`), in the order the site shows them.
    pub enum NpsGroup as "nps_group" {
        /// Answers 9–10.
        Promoters = "promoters",
        /// Answers 7–8.
        Passives = "passives",
        /// Answers 0–6.
        Detractors = "detractors",
    }
}

impl NpsGroup {
    /// The group of an NPS indicator's observation class (+1, 0, −1), so the
    /// groups are exactly the indicator's own classification.
    pub fn of_class(class: i8) -> NpsGroup {
        match class {
            1 => NpsGroup::Promoters,
            -1 => NpsGroup::Detractors,
            _ => NpsGroup::Passives,
        }
    }

    /// The index of the group in arrays of three (promoters, passives, detractors).
    pub fn index(self) -> usize {
        match self {
            NpsGroup::Promoters => 0,
            NpsGroup::Passives => 1,
            NpsGroup::Detractors => 2,
        }
    }
}

/// `value_at_stake:`, checked.
#[derive(Debug, Clone)]
pub struct ValueAtStake {
    /// The NPS indicator's id.
    pub nps: String,
    /// Where `nps:` was written.
    pub nps_location: Location,
    /// The NPS indicator's dataset (set by [`link`]).
    pub dataset: String,
    /// The monthly revenue column.
    pub revenue: ColumnRef,
    /// The churn column.
    pub churn: ColumnRef,
    /// The (trimmed) value of a churned row.
    pub churned: String,
    /// The customer base the survey represents.
    pub customers: f64,
}

/// `followup:`, checked.
#[derive(Debug, Clone)]
pub struct Followup {
    /// The dataset listed.
    pub dataset: String,
    /// The id column.
    pub id: ColumnRef,
    /// The groups listed, in promoters–passives–detractors order, no repeats.
    pub groups: Vec<NpsGroup>,
    /// The NPS indicator whose classification picks the rows (set by [`link`]).
    pub nps: String,
    /// `nps:` as written, if it was.
    written_nps: Option<(String, Location)>,
    /// Where `followup:` was written.
    location: Location,
}

/// Checks what `value_at_stake:` can say alone; `None` when it cannot be used.
pub(super) fn validate_value(
    file: &Path,
    raw: Option<&Spanned<RawValueAtStake>>,
    diags: &mut Diagnostics,
) -> Option<ValueAtStake> {
    let v = &raw?.value;
    let customers = v.customers.value;
    let ok = customers.is_finite() && customers > 0.0;
    if !ok {
        diags.error_hint(
            location(file, &v.customers),
            format!("`customers` is {customers}, but the customer base must be more than 0"),
            "write how many customers the survey represents, e.g. `customers: 1200000`",
        );
    }
    let churned = v.churn.value.equals.value.0.trim().to_string();
    ok.then(|| ValueAtStake {
        nps: v.nps.value.trim().to_string(),
        nps_location: location(file, &v.nps),
        dataset: String::new(),
        revenue: column(file, &v.revenue),
        churn: column(file, &v.churn.value.column),
        churned,
        customers,
    })
}

/// Checks what `followup:` can say alone; `None` when it cannot be used.
pub(super) fn validate_followup(
    file: &Path,
    raw: Option<&Spanned<RawFollowup>>,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Option<Followup> {
    let f = &raw?.value;
    let Some(ds) = datasets.get(&f.dataset.value) else {
        let hint = did_you_mean(&f.dataset.value, datasets.keys().map(String::as_str))
            .unwrap_or_else(|| "name a dataset declared under `datasets:`".into());
        diags.error_hint(
            location(file, &f.dataset),
            format!("`followup` names unknown dataset `{}`", f.dataset.value),
            hint,
        );
        return None;
    };
    let id = column(file, &f.id);
    if ds.pii.iter().any(|p| p.name == id.name) {
        diags.error_hint(
            id.location.clone(),
            format!(
                "`followup` id `{}` is a `pii` column of dataset `{}`",
                id.name, ds.id
            ),
            "name a column that identifies the response without personal data, e.g. `response_id`; the team looks the person up in its own system",
        );
        return None;
    }
    let mut groups = Vec::new();
    match &f.groups {
        None => groups.push(NpsGroup::Detractors),
        Some(list) => {
            for g in &list.value {
                match NpsGroup::from_word(g.value.trim()) {
                    Some(g) => groups.push(g),
                    None => diags.error_hint(
                        location(file, g),
                        format!(
                            "`followup.groups` names `{}`, which is not an NPS group",
                            g.value
                        ),
                        format!("use {}", NpsGroup::words().join(", ")),
                    ),
                }
            }
            if list.value.is_empty() {
                diags.error_hint(
                    location(file, list),
                    "`followup.groups` is empty",
                    "list at least one group, e.g. `groups: [detractors]`",
                );
                return None;
            }
        }
    }
    groups.sort_by_key(|g| g.index());
    groups.dedup();
    Some(Followup {
        dataset: ds.id.clone(),
        id,
        groups,
        nps: String::new(),
        written_nps: (f.nps.as_ref()).map(|n| (n.value.trim().to_string(), location(file, n))),
        location: location(file, &f.dataset),
    })
}

/// Resolves the NPS indicators `value_at_stake` and `followup` name, once
/// the indicators are loaded; drops either when its indicator is unknown or
/// not `metric: nps` (a located error).
pub(super) fn link(config: &mut Config, indicators: &[Indicator], diags: &mut Diagnostics) {
    if let Some(v) = config.value_at_stake.as_mut() {
        match nps_indicator(&v.nps, &v.nps_location, "value_at_stake", indicators, diags) {
            Some(ind) => v.dataset = ind.dataset.clone().unwrap_or_default(),
            None => config.value_at_stake = None,
        }
    }
    if let Some(f) = config.followup.as_mut() {
        let found = match &f.written_nps {
            Some((id, at)) => nps_indicator(id, at, "followup", indicators, diags).and_then(|ind| {
                if ind.dataset.as_deref() == Some(f.dataset.as_str()) {
                    return Some(ind);
                }
                diags.error_hint(
                    at.clone(),
                    format!(
                        "`followup.nps` names `{id}`, an NPS indicator on another dataset than `{}`",
                        f.dataset
                    ),
                    "name an NPS indicator of the follow-up dataset, or leave `nps` out",
                );
                None
            }),
            None => {
                let first = indicators.iter().find(|i| {
                    matches!(i.metric, Metric::Nps) && i.dataset.as_deref() == Some(&f.dataset)
                });
                if first.is_none() {
                    diags.error_hint(
                        f.location.clone(),
                        format!("`followup` dataset `{}` has no NPS indicator", f.dataset),
                        "define a `metric: nps` indicator on this dataset: its groups pick the rows",
                    );
                }
                first
            }
        };
        match found {
            Some(ind) => f.nps = ind.id.clone(),
            None => config.followup = None,
        }
    }
}

/// The `metric: nps` indicator `id`, or a located error.
fn nps_indicator<'a>(
    id: &str,
    at: &Location,
    key: &str,
    indicators: &'a [Indicator],
    diags: &mut Diagnostics,
) -> Option<&'a Indicator> {
    let Some(ind) = indicators.iter().find(|i| i.id == id) else {
        let hint = did_you_mean(id, indicators.iter().map(|i| i.id.as_str()))
            .unwrap_or_else(|| "name a `metric: nps` indicator of indicators/".into());
        diags.error_hint(
            at.clone(),
            format!("`{key}.nps` names unknown indicator `{id}`"),
            hint,
        );
        return None;
    };
    if !matches!(ind.metric, Metric::Nps) || ind.dataset.is_none() {
        diags.error_hint(
            at.clone(),
            format!("`{key}.nps` names `{id}`, which is not an NPS indicator"),
            "name an indicator with `metric: nps`: its promoters, passives and detractors are the groups",
        );
        return None;
    }
    Some(ind)
}
