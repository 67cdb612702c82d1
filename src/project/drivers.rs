//! Validation of a key driver analysis under `drivers:` in `cxscore.yaml`
//! (SPEC §2 "Key drivers", §8): its dataset and attributes, and the keys that
//! turn on penalty / reward (`scale`, `low`, `high`), its own window and the
//! bootstrap of its importances.
//!
//! Every problem is reported at the key that causes it, with a hint, and all
//! of them at once; an analysis with a bad optional key is still built (with
//! that key left at its default) so later stages check the rest.

use std::collections::BTreeMap;
use std::path::Path;

use super::checks::range;
use super::config::column;
use super::model::{ColumnRef, Dataset, Driver, DriverBands, Range};
use super::raw::RawDriver;
use super::report::{window, WindowKind};
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics};

/// The fewest bootstrap replicates: below 50 the ends of a 95 % percentile
/// interval rest on one or two replicates each.
pub const MIN_BOOTSTRAP: i64 = 50;
/// The most bootstrap replicates: past 10,000 the interval's ends no longer
/// move at the precision shown, while the time grows with each one.
pub const MAX_BOOTSTRAP: i64 = 10_000;

/// Checks one analysis; `None` when it cannot be computed at all (unknown
/// dataset, no attributes).
pub(super) fn driver(
    file: &Path,
    raw: &Spanned<RawDriver>,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Option<Driver> {
    let d = &raw.value;
    let bands = bands(file, d, diags);
    let bootstrap = d.bootstrap.as_ref().and_then(|b| {
        if (MIN_BOOTSTRAP..=MAX_BOOTSTRAP).contains(&b.value) {
            u32::try_from(b.value).ok()
        } else {
            diags.error_hint(
                location(file, b),
                format!(
                    "`bootstrap` is {}, but it must be between {MIN_BOOTSTRAP} and 10,000 replicates",
                    b.value
                ),
                "write e.g. `bootstrap: 200`: fewer cannot place an interval's ends, more add time but no precision",
            );
            None
        }
    });
    let window = d
        .window
        .as_ref()
        .map_or(WindowKind::All, |w| window(file, w, diags));
    let label = d.label.as_ref().and_then(|l| {
        let text = l.value.trim();
        if text.is_empty() {
            diags.error_hint(
                location(file, l),
                "`label` is blank",
                "name the outcome, e.g. `label: Likelihood to recommend`, or leave `label` out",
            );
            None
        } else {
            Some(text.to_string())
        }
    });
    if !datasets.contains_key(&d.dataset.value) {
        let hint = did_you_mean(&d.dataset.value, datasets.keys().map(String::as_str))
            .unwrap_or_else(|| "name a dataset declared under `datasets:`".into());
        diags.error_hint(
            location(file, &d.dataset),
            format!(
                "driver analysis names unknown dataset `{}`",
                d.dataset.value
            ),
            hint,
        );
        return None;
    }
    if d.attributes.value.is_empty() {
        diags.error_hint(
            location(file, &d.attributes),
            "driver analysis has no attributes",
            "list attribute columns with their labels, e.g. `{ a_price: Price }`",
        );
        return None;
    }
    let at = location(file, &d.attributes);
    Some(Driver {
        dataset: d.dataset.value.clone(),
        outcome: column(file, &d.outcome),
        attributes: (d.attributes.value.iter())
            .map(|(col, label)| {
                let c = ColumnRef {
                    name: col.clone(),
                    location: at.clone(),
                };
                (c, label.clone())
            })
            .collect(),
        location: location(file, raw),
        label,
        bands,
        window,
        bootstrap,
    })
}

/// `scale`, `low` and `high`, checked: the scale two increasing numbers; low
/// and high one number or an inclusive `[from, to]`, inside the scale, low
/// entirely below high. `None` without a scale (or with a bad one).
fn bands(file: &Path, d: &RawDriver, diags: &mut Diagnostics) -> Option<DriverBands> {
    let Some(raw_scale) = &d.scale else {
        for (key, v) in [("low", &d.low), ("high", &d.high)] {
            if let Some(v) = v {
                diags.error_hint(
                    location(file, v),
                    format!("`{key}` needs the attributes' `scale`"),
                    "add e.g. `scale: [1, 5]` to the analysis",
                );
            }
        }
        return None;
    };
    let scale = range(file, raw_scale, "scale", diags)?;
    let band =
        |key: &str, v: &Option<Spanned<Vec<f64>>>, default: Range, diags: &mut Diagnostics| {
            let Some(v) = v else { return Some(default) };
            let r = match v.value.as_slice() {
                [x] if x.is_finite() => Range { lo: *x, hi: *x },
                [a, b] if a.is_finite() && b.is_finite() && a <= b => Range { lo: *a, hi: *b },
                _ => {
                    diags.error_hint(
                        location(file, v),
                        format!("`{key}` must be one rating or two [from, to] with from ≤ to"),
                        format!("write e.g. `{key}: [{}]`", shown(&default)),
                    );
                    return None;
                }
            };
            if r.lo < scale.lo || r.hi > scale.hi {
                diags.error_hint(
                    location(file, v),
                    format!(
                        "`{key}` [{}] lies outside the scale [{}, {}]",
                        shown(&r),
                        scale.lo,
                        scale.hi
                    ),
                    format!(
                        "write ratings of the scale, e.g. `{key}: [{}]`",
                        shown(&default)
                    ),
                );
                return None;
            }
            Some(r)
        };
    let low = band(
        "low",
        &d.low,
        Range {
            lo: scale.lo,
            hi: scale.lo + 1.0,
        },
        diags,
    );
    let high = band(
        "high",
        &d.high,
        Range {
            lo: scale.hi,
            hi: scale.hi,
        },
        diags,
    );
    let (low, high) = (low?, high?);
    if low.hi >= high.lo {
        // Blame the key written last (or the scale, when both are defaults).
        let at = match (&d.high, &d.low) {
            (Some(h), _) => location(file, h),
            (None, Some(l)) => location(file, l),
            (None, None) => location(file, raw_scale),
        };
        diags.error_hint(
            at,
            format!(
                "`low` [{}] and `high` [{}] overlap or are in the wrong order: every low rating must be below every high one",
                shown(&low),
                shown(&high)
            ),
            format!(
                "write e.g. `low: [{}]` and `high: [{}]` on the scale [{}, {}]",
                shown(&Range {
                    lo: scale.lo,
                    hi: if scale.hi - scale.lo >= 2.0 { scale.lo + 1.0 } else { scale.lo },
                }),
                scale.hi,
                scale.lo,
                scale.hi
            ),
        );
        return None;
    }
    Some(DriverBands { scale, low, high })
}

/// A band as written back in a message: `2` or `1, 2`.
fn shown(r: &Range) -> String {
    if r.lo == r.hi {
        format!("{}", r.lo)
    } else {
        format!("{}, {}", r.lo, r.hi)
    }
}
