//! Validation of SPEC §9 in `cxscore.yaml`: a dataset's banded segments,
//! its `key:` and its `lookup:`.
//!
//! Input: the raw dataset (segments, key, lookup) and, once every dataset is
//! built, all of them. Output: the checked [`SegmentBands`], [`LookupRef`],
//! and located errors: bands not strictly increasing, a lookup of an unknown
//! dataset, of a dataset without `key:`, of itself, or a chain of lookups.

use std::collections::BTreeMap;
use std::path::Path;

use super::config::column;
use super::model::{ColumnRef, Dataset, LookupRef, SegmentBands};
use super::raw::{RawDataset, RawSegment};
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics};

/// The segments of a raw dataset: each one's column, and its bands when banded.
pub fn segments(
    file: &Path,
    raw: &RawDataset,
    diags: &mut Diagnostics,
) -> (Vec<ColumnRef>, Vec<Option<SegmentBands>>) {
    let mut columns = Vec::new();
    let mut bands = Vec::new();
    for s in &raw.segments {
        let at = |name: &str| Spanned::new(name.to_string(), s.referenced, s.defined);
        match &s.value {
            RawSegment::Column(c) => {
                columns.push(column(file, &at(c)));
                bands.push(None);
            }
            RawSegment::Banded {
                column: c,
                name,
                bands: bounds,
            } => {
                let col = column(file, &at(c));
                let increasing = bounds.windows(2).all(|w| w[0] < w[1]);
                if bounds.is_empty() || !increasing || bounds.iter().any(|b| !b.is_finite()) {
                    let shown: Vec<String> = bounds.iter().map(f64::to_string).collect();
                    diags.error_hint(
                        location(file, s),
                        format!(
                            "the bands of segment `{}` are [{}], but they must be finite and strictly increasing",
                            col.name,
                            shown.join(", ")
                        ),
                        "list each band's lower bound once, smallest first, e.g. `bands: [0, 6, 12, 24]`",
                    );
                }
                bands.push(Some(SegmentBands {
                    name: name
                        .as_deref()
                        .map_or(col.name.clone(), |n| n.trim().to_string()),
                    bounds: bounds.clone(),
                }));
                columns.push(col);
            }
        }
    }
    (columns, bands)
}

/// `key:` and `lookup:` of a raw dataset, as written (checked across
/// datasets by [`check_lookups`]).
pub fn key_and_lookup(
    file: &Path,
    raw: &RawDataset,
    diags: &mut Diagnostics,
) -> (Option<ColumnRef>, Option<LookupRef>) {
    let key = raw.key.as_ref().map(|k| column(file, k));
    let lookup = raw.lookup.as_ref().and_then(|l| {
        let mut joins = l.value.iter();
        let Some((dataset, join)) = joins.next() else {
            diags.error_hint(
                location(file, l),
                "`lookup` is empty",
                "name one lookup table and this dataset's key column, e.g. `lookup: { crm: customer_id }`",
            );
            return None;
        };
        if joins.next().is_some() {
            diags.error_hint(
                location(file, l),
                "`lookup` names more than one lookup table",
                "join one lookup table per dataset, e.g. `lookup: { crm: customer_id }`",
            );
        }
        Some(LookupRef {
            dataset: dataset.clone(),
            on: column(file, &Spanned::new(join.on.clone(), l.referenced, l.defined)),
            location: location(file, l),
        })
    });
    (key, lookup)
}

/// Checks every `lookup:` names another dataset that has a `key:` and does
/// not itself look up a table (lookups do not chain).
pub fn check_lookups(datasets: &BTreeMap<String, Dataset>, diags: &mut Diagnostics) {
    for ds in datasets.values() {
        let Some(l) = &ds.lookup else { continue };
        let Some(table) = datasets.get(&l.dataset) else {
            let hint = did_you_mean(&l.dataset, datasets.keys().map(String::as_str))
                .unwrap_or_else(|| "name a dataset declared under `datasets:`".to_string());
            diags.error_hint(
                l.location.clone(),
                format!(
                    "dataset `{}` looks up `{}`, which is not a dataset",
                    ds.id, l.dataset
                ),
                hint,
            );
            continue;
        };
        let problem = if table.id == ds.id {
            Some("itself")
        } else if table.key.is_none() {
            Some("a dataset without `key:`")
        } else if table.lookup.is_some() {
            Some("a dataset that looks up another (lookups do not chain)")
        } else {
            None
        };
        if let Some(problem) = problem {
            diags.error_hint(
                l.location.clone(),
                format!(
                    "dataset `{}` looks up `{}`, {problem}",
                    ds.id, l.dataset
                ),
                format!(
                    "a lookup table declares its unique key column, e.g. `key: customer_id` under `{}`",
                    l.dataset
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::project::model::SegmentBands;

    #[test]
    fn bands_include_their_lower_bound_and_name_themselves_with_an_en_dash() {
        let b = SegmentBands {
            name: "Tenure".into(),
            bounds: vec![0.0, 6.0, 12.0, 24.0],
        };
        assert_eq!(b.labels(), ["0–6", "6–12", "12–24", "24+"]);
        assert_eq!(b.band(-0.5), None);
        assert_eq!(b.band(0.0), Some(0));
        assert_eq!(b.band(5.99), Some(0));
        assert_eq!(b.band(6.0), Some(1));
        assert_eq!(b.band(23.5), Some(2));
        assert_eq!(b.band(24.0), Some(3));
        assert_eq!(b.band(1e9), Some(3));
        let half = SegmentBands {
            name: "x".into(),
            bounds: vec![0.5, 1.0],
        };
        assert_eq!(half.labels(), ["0.5–1", "1+"]);
    }
}
