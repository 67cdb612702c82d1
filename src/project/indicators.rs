//! Validation of `indicators/*.yaml`: kinds, metrics and their parameters, targets.
//!
//! Cross-references that need every indicator (composite components) are
//! checked in a second pass, [`check_components`], once all ids are known.

use std::collections::BTreeMap;
use std::path::Path;

use super::checks::{one_of, one_of_or_default, range, IdRegistry};
use super::config::column;
use super::metric::{MetricName, Param, Reach, Reads};
use super::model::{
    Dataset, Direction, Indicator, Kind, Metric, NumericMatch, NumericTest, Range, RowMatch,
};
use super::raw::{RawCondition, RawIndicator};
use super::vocabulary::Vocabulary;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

/// Checks one raw indicator; `None` when it is too broken to compute.
pub fn validate_indicator(
    file: &Path,
    raw: RawIndicator,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Option<Indicator> {
    let kind = one_of(file, &raw.kind, "kind", diags).unwrap_or(Kind::Kqi);
    let direction = one_of_or_default(file, raw.direction.as_ref(), "direction", diags);
    let dimension = (raw.dimension.as_ref()).and_then(|d| one_of(file, d, "dimension", diags));
    // The dataset is checked before the metric so a bad metric does not hide
    // a bad dataset: the user sees every mistake of the file in one run.
    let name = MetricName::from_word(&raw.metric.value);
    let composite = name.map(|n| n.row().reads) == Some(Reads::Indicators);
    let dataset = dataset_ref(file, &raw, composite, datasets, diags);
    let name = one_of::<MetricName>(file, &raw.metric, "metric", diags)?;
    let metric = metric(file, &raw, name, diags)?;
    match (&raw.column, name.row().reads) {
        (None, Reads::Column) => diags.error_hint(
            location(file, &raw.id),
            format!(
                "indicator `{}` (metric {}) has no `column`",
                raw.id.value,
                metric.name()
            ),
            "name the CSV column it reads, e.g. `column: q_recommend`",
        ),
        (Some(c), Reads::Indicators) => diags.error_hint(
            location(file, c),
            format!(
                "composite indicator `{}` does not read a column",
                raw.id.value
            ),
            "remove `column`; list the indicators it combines under `components`",
        ),
        (Some(_), Reads::Column | Reads::Rows) | (None, Reads::Rows | Reads::Indicators) => {}
    }
    let amber = raw.thresholds.as_ref().and_then(|t| t.amber.as_ref());
    check_thresholds(file, &raw, amber, direction, diags);
    check_reachable(file, &raw, &metric, amber, diags);
    let (filter, numeric) = where_conditions(file, &raw, diags);
    let benchmark = benchmark(file, &raw, diags);
    let min_change = min_change(file, &raw, diags);
    Some(Indicator {
        id: raw.id.value.clone(),
        name: raw.name.clone(),
        kind,
        dataset,
        column: if composite {
            None
        } else {
            raw.column.as_ref().map(|c| column(file, c))
        },
        metric,
        filter,
        numeric,
        target: raw.target.as_ref().map(|t| t.value),
        amber: amber.map(|a| a.value),
        direction,
        unit: raw.unit,
        measurement: raw.measurement,
        basis: raw.basis,
        owner: raw.owner,
        description: raw.description,
        location: location(file, &raw.id),
        benchmark,
        min_change,
        dimension,
    })
}

/// The text and numeric tests of `where` (SPEC §9): a numeric test needs at
/// least one bound, and `between: [a, b]` two numbers with a ≤ b.
fn where_conditions(
    file: &Path,
    raw: &RawIndicator,
    diags: &mut Diagnostics,
) -> (Vec<RowMatch>, Vec<NumericMatch>) {
    let (mut filter, mut numeric) = (Vec::new(), Vec::new());
    let Some(f) = raw.filter.as_ref() else {
        return (filter, numeric);
    };
    for (col, condition) in &f.value {
        let column = column(file, &Spanned::new(col.clone(), f.referenced, f.defined));
        match condition {
            RawCondition::Values(values) => filter.push(RowMatch {
                column,
                values: values.iter().map(|v| v.trim().to_string()).collect(),
            }),
            RawCondition::Numeric(n) => {
                let mut test = NumericTest {
                    gt: n.gt,
                    ge: n.ge,
                    lt: n.lt,
                    le: n.le,
                };
                let mut problem = None;
                match n.between.as_deref() {
                    Some(&[a, b]) if a <= b => {
                        test.ge = Some(test.ge.map_or(a, |g| g.max(a)));
                        test.le = Some(test.le.map_or(b, |l| l.min(b)));
                    }
                    Some(_) => problem = Some("`between` takes two numbers `[a, b]` with a ≤ b"),
                    None => {}
                }
                let bounds = [test.gt, test.ge, test.lt, test.le];
                if bounds.iter().all(Option::is_none) && problem.is_none() {
                    problem = Some("a numeric test needs `gt`, `ge`, `lt`, `le` or `between`");
                }
                if bounds.iter().flatten().any(|b| !b.is_finite()) {
                    problem = Some("the bounds of a numeric test must be finite numbers");
                }
                if let Some(problem) = problem {
                    diags.error_hint(
                        location(file, f),
                        format!(
                            "`where` of indicator `{}` tests `{}`: {problem}",
                            raw.id.value, column.name
                        ),
                        "write e.g. `{ gt: 60 }` or `{ between: [1, 5] }`",
                    );
                    continue;
                }
                numeric.push(NumericMatch { column, test });
            }
        }
    }
    (filter, numeric)
}

/// The optional `benchmark:`, which must be a finite number.
fn benchmark(file: &Path, raw: &RawIndicator, diags: &mut Diagnostics) -> Option<f64> {
    let b = raw.benchmark.as_ref()?;
    if b.value.is_finite() {
        return Some(b.value);
    }
    diags.error_hint(
        location(file, b),
        format!("`benchmark` of `{}` is not a finite number", raw.id.value),
        "write the reference value as a number, e.g. `benchmark: 35`",
    );
    None
}

/// The optional `min_change:`, a finite number ≥ 0 (default 0).
fn min_change(file: &Path, raw: &RawIndicator, diags: &mut Diagnostics) -> f64 {
    let Some(m) = raw.min_change.as_ref() else {
        return 0.0;
    };
    if m.value.is_finite() && m.value >= 0.0 {
        return m.value;
    }
    diags.error_hint(
        location(file, m),
        format!(
            "`min_change` of `{}` is {}, but it must be zero or more",
            raw.id.value, m.value
        ),
        "write the smallest change worth flagging in the indicator's unit, e.g. `min_change: 2`",
    );
    0.0
}

fn dataset_ref(
    file: &Path,
    raw: &RawIndicator,
    composite: bool,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Option<String> {
    match (&raw.dataset, composite) {
        (None, false) => {
            diags.error_hint(
                location(file, &raw.id),
                format!("indicator `{}` has no `dataset`", raw.id.value),
                format!(
                    "name one of the datasets in cxscore.yaml: {}",
                    datasets.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
            None
        }
        (Some(d), false) if !datasets.contains_key(&d.value) => {
            let hint = did_you_mean(&d.value, datasets.keys().map(String::as_str))
                .unwrap_or_else(|| "declare it under `datasets:` in cxscore.yaml".into());
            diags.error_hint(
                location(file, d),
                format!(
                    "indicator `{}` names unknown dataset `{}`",
                    raw.id.value, d.value
                ),
                hint,
            );
            None
        }
        (Some(d), false) => Some(d.value.clone()),
        (Some(d), true) => {
            diags.error_hint(
                location(file, d),
                format!(
                    "composite indicator `{}` does not read a dataset",
                    raw.id.value
                ),
                "remove `dataset`; a composite combines other indicators",
            );
            None
        }
        (None, true) => None,
    }
}

/// Builds the metric with its parameters, rejecting parameters that do not apply.
fn metric(
    file: &Path,
    raw: &RawIndicator,
    name: MetricName,
    diags: &mut Diagnostics,
) -> Option<Metric> {
    reject_foreign_keys(file, raw, name, diags);
    let scale = |default: Option<Range>, diags: &mut Diagnostics| match &raw.scale {
        Some(s) => range(file, s, "scale", diags),
        None => default,
    };
    let boxed = |key: &str,
                 value: Option<&Spanned<Vec<f64>>>,
                 scale: Range,
                 default: Range,
                 diags: &mut Diagnostics| {
        let Some(v) = value else { return default };
        match range(file, v, key, diags) {
            Some(r) if r.lo >= scale.lo && r.hi <= scale.hi => r,
            Some(_) => {
                diags.error_hint(
                    location(file, v),
                    format!(
                        "`{key}` must lie within the scale [{}, {}]",
                        scale.lo, scale.hi
                    ),
                    "change the box or declare the scale with `scale: [low, high]`",
                );
                default
            }
            None => default,
        }
    };
    let r = |lo: f64, hi: f64| Range { lo, hi };
    Some(match name {
        MetricName::Nps => Metric::Nps,
        MetricName::Csat => {
            let s = scale(Some(r(1.0, 5.0)), diags)?;
            let top = boxed(
                "top_box",
                raw.top_box.as_ref(),
                s,
                r(s.hi - 1.0, s.hi),
                diags,
            );
            Metric::Csat {
                scale: s,
                top_box: top,
            }
        }
        MetricName::Ces => Metric::Ces {
            scale: scale(Some(r(1.0, 7.0)), diags)?,
            mode: one_of_or_default(file, raw.mode.as_ref(), "mode", diags),
        },
        MetricName::Mean => Metric::Mean {
            scale: scale(None, diags),
        },
        MetricName::TopBox | MetricName::BottomBox => {
            let Some(s) = scale(None, diags) else {
                diags.error_hint(
                    location(file, &raw.metric),
                    format!("metric {} needs the answer scale", name.word()),
                    "add e.g. `scale: [1, 5]`",
                );
                return None;
            };
            if name == MetricName::TopBox {
                let range = boxed("box", raw.range.as_ref(), s, r(s.hi - 1.0, s.hi), diags);
                Metric::TopBox { scale: s, range }
            } else {
                let range = boxed("box", raw.range.as_ref(), s, r(s.lo, s.lo + 1.0), diags);
                Metric::BottomBox { scale: s, range }
            }
        }
        MetricName::Share => {
            let Some(v) = raw.value.as_ref().filter(|v| !v.value.0.is_empty()) else {
                diags.error_hint(
                    location(file, &raw.metric),
                    "metric share needs the `value` to count",
                    "add e.g. `value: yes` or `value: [yes, partly]`",
                );
                return None;
            };
            Metric::Share {
                values: v.value.0.iter().map(|s| s.trim().to_string()).collect(),
            }
        }
        MetricName::Percentile => {
            let p = match &raw.p {
                Some(p) if (0.0..=100.0).contains(&p.value) => p.value,
                Some(p) => {
                    diags.error_hint(
                        location(file, p),
                        format!(
                            "`p` is {}, but a percentile lies between 0 and 100",
                            p.value
                        ),
                        "write e.g. `p: 90` for the 90th percentile",
                    );
                    return None;
                }
                None => {
                    diags.error_hint(
                        location(file, &raw.metric),
                        "metric percentile needs `p`",
                        "add e.g. `p: 90` for the 90th percentile",
                    );
                    return None;
                }
            };
            Metric::Percentile {
                p,
                scale: scale(None, diags),
            }
        }
        MetricName::Count => Metric::Count,
        MetricName::Gap => {
            let Some(e) = &raw.expectation else {
                diags.error_hint(
                    location(file, &raw.metric),
                    "metric gap needs the `expectation` column",
                    "add e.g. `expectation: e_speed` (and `column:` the perception, e.g. `p_speed`)",
                );
                return None;
            };
            Metric::Gap {
                expectation: column(file, e),
                scale: scale(None, diags),
            }
        }
        MetricName::Composite => {
            let Some(c) = raw.components.as_ref().filter(|c| !c.value.is_empty()) else {
                diags.error_hint(
                    location(file, &raw.metric),
                    "metric composite needs `components`",
                    "add e.g. `components: { nps-overall: 2, csat-installation: 1 }`",
                );
                return None;
            };
            for (id, w) in &c.value {
                if !(w.is_finite() && *w > 0.0) {
                    diags.error_hint(
                        location(file, c),
                        format!("component `{id}` has weight {w}, but weights must be positive"),
                        "use a positive number, e.g. 1",
                    );
                }
            }
            Metric::Composite {
                components: c.value.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            }
        }
    })
}

/// Parameters of other metrics are errors: `p: 90` on an NPS is surely a mistake.
fn reject_foreign_keys(
    file: &Path,
    raw: &RawIndicator,
    metric: MetricName,
    diags: &mut Diagnostics,
) {
    let allowed = metric.row().keys;
    for key in Param::variants() {
        let Some(at) = written(file, raw, key) else {
            continue;
        };
        if allowed.contains(&key) {
            continue;
        }
        let hint = if allowed.is_empty() {
            "remove it".to_string()
        } else {
            let words: Vec<&str> = allowed.iter().map(|k| k.word()).collect();
            format!(
                "remove it; metric {} takes: {}",
                metric.word(),
                words.join(", ")
            )
        };
        diags.error_hint(
            at,
            format!(
                "`{}` does not apply to metric {}",
                key.word(),
                metric.word()
            ),
            hint,
        );
    }
}

/// Where a metric-specific key was written, if it was.
fn written(file: &Path, raw: &RawIndicator, key: Param) -> Option<Location> {
    match key {
        Param::Scale => raw.scale.as_ref().map(|v| location(file, v)),
        Param::TopBox => raw.top_box.as_ref().map(|v| location(file, v)),
        Param::Mode => raw.mode.as_ref().map(|v| location(file, v)),
        Param::Box => raw.range.as_ref().map(|v| location(file, v)),
        Param::Value => raw.value.as_ref().map(|v| location(file, v)),
        Param::P => raw.p.as_ref().map(|v| location(file, v)),
        Param::Components => raw.components.as_ref().map(|v| location(file, v)),
        Param::Expectation => raw.expectation.as_ref().map(|v| location(file, v)),
    }
}

fn check_thresholds(
    file: &Path,
    raw: &RawIndicator,
    amber: Option<&Spanned<f64>>,
    direction: Direction,
    diags: &mut Diagnostics,
) {
    let Some(amber) = amber else { return };
    let Some(target) = &raw.target else {
        diags.error_hint(
            location(file, amber),
            format!(
                "indicator `{}` has an amber threshold but no target",
                raw.id.value
            ),
            "add a `target`, or remove `thresholds`",
        );
        return;
    };
    let wrong_side = match direction {
        Direction::Higher => amber.value > target.value,
        Direction::Lower => amber.value < target.value,
    };
    if wrong_side {
        let (word, side) = match direction {
            Direction::Higher => ("higher", "below"),
            Direction::Lower => ("lower", "above"),
        };
        diags.error_hint(
            location(file, amber),
            format!(
                "amber threshold {} is on the wrong side of target {} (direction {word})",
                amber.value, target.value
            ),
            format!("amber must lie {side} the target; or set `direction` to the other way"),
        );
    }
}

/// Reports a target, amber threshold or benchmark the metric can never reach.
fn check_reachable(
    file: &Path,
    raw: &RawIndicator,
    metric: &Metric,
    amber: Option<&Spanned<f64>>,
    diags: &mut Diagnostics,
) {
    let Some(Reach { lo, hi, what }) = metric.reach() else {
        return;
    };
    let values = [
        ("target", raw.target.as_ref()),
        ("amber threshold", amber),
        ("benchmark", raw.benchmark.as_ref()),
    ];
    for (key, value) in values {
        let Some(v) = value else { continue };
        if !v.value.is_finite() || (lo..=hi).contains(&v.value) {
            continue;
        }
        let bounds = if hi.is_infinite() {
            format!("{lo} or more")
        } else {
            format!("{lo} to {hi}")
        };
        diags.error_hint(
            location(file, v),
            format!(
                "{key} {} of `{}` is out of reach: {} is {what}, from {bounds}",
                v.value,
                raw.id.value,
                metric.name()
            ),
            if what == "a percentage" {
                format!("use a value from {bounds}; percentages are written as 85, not 0.85")
            } else {
                format!("use a value from {bounds}")
            },
        );
    }
}

/// Checks composite components once every indicator is known: they must exist,
/// not be composites themselves, and be normalisable to 0–100.
pub fn check_components(indicators: &[Indicator], ids: &IdRegistry, diags: &mut Diagnostics) {
    let by_id: BTreeMap<&str, &Indicator> = indicators.iter().map(|i| (i.id.as_str(), i)).collect();
    for ind in indicators {
        let Metric::Composite { components } = &ind.metric else {
            continue;
        };
        for (id, _) in components {
            let at = ind.location.clone();
            match by_id.get(id.as_str()) {
                // Defined but invalid: its own error is already reported.
                None if ids.ids().any(|known| known == id) => {}
                None => {
                    let hint = did_you_mean(id, ids.ids())
                        .unwrap_or_else(|| "name an indicator defined in indicators/".into());
                    diags.error_hint(
                        at,
                        format!("composite `{}` names unknown component `{id}`", ind.id),
                        hint,
                    );
                }
                Some(c) if c.metric.kind() == MetricName::Composite => diags.error_hint(
                    at,
                    format!(
                        "composite `{}` has component `{id}`, which is itself composite",
                        ind.id
                    ),
                    "list that composite's own components instead",
                ),
                Some(c) if c.metric.reading().is_none() => diags.error_hint(
                    at,
                    format!(
                        "composite `{}` has component `{id}` (metric {}), which has no 0–100 scale",
                        ind.id,
                        c.metric.name()
                    ),
                    if c.metric.kind() == MetricName::Gap {
                        "leave it out: a gap (perception − expectation) has no 0–100 reading"
                    } else {
                        "give the component a `scale: [low, high]`, or leave it out"
                    },
                ),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::model::Dimension;

    /// Validates one indicator written as YAML; returns it and every diagnostic as printed.
    fn check(text: &str) -> (Option<Indicator>, Vec<String>) {
        let file = Path::new("indicators/a.yaml");
        let mut diags = Diagnostics::new();
        let raw: RawIndicator = super::super::yaml::parse(file, text, &mut diags).expect("parses");
        let ind = validate_indicator(file, raw, &BTreeMap::new(), &mut diags);
        (
            ind,
            diags.sorted().iter().map(ToString::to_string).collect(),
        )
    }

    const HEAD: &str = "id: x\nname: X\nkind: kci\nmetric: composite\ncomponents: { a: 1 }\n";

    #[test]
    fn a_dimension_is_read_into_its_variant() {
        let (ind, diags) = check(&format!("{HEAD}dimension: service\n"));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(ind.unwrap().dimension, Some(Dimension::Service));
        let (ind, _) = check(HEAD);
        assert_eq!(ind.unwrap().dimension, None, "optional");
    }

    #[test]
    fn an_unknown_dimension_is_located_with_a_did_you_mean() {
        let (ind, diags) = check(&format!("{HEAD}dimension: servce\n"));
        assert_eq!(
            diags,
            [
                "indicators/a.yaml:6:12: error: `dimension` is `servce`, which is not a known \
              dimension; did you mean `service`? (use one of: brand, product, service, employee)"
            ]
        );
        // The rest of the indicator is still checked and kept, without a dimension.
        assert_eq!(ind.unwrap().dimension, None);
        // Reported beside a bad metric too: every mistake of the file in one run.
        let (ind, diags) = check("id: x\nname: X\nkind: kci\nmetric: nope\ndimension: bx\n");
        assert!(ind.is_none());
        let last = diags.last().expect("diagnostics");
        assert!(
            last.starts_with("indicators/a.yaml:5:12: error: `dimension` is `bx`"),
            "{diags:?}"
        );
    }
}
