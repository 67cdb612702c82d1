//! The definition hash of an indicator: did its *measurement* change between two runs?
//!
//! A baseline comparison must not report a "change" that only reflects a new
//! definition (another column, filter, box or dataset weight). Each indicator
//! gets a SHA-256 of the parts of its definition that decide its number,
//! normalised (filter values and composite components sorted, numbers in one
//! format) and serialised from a struct with a fixed field order, so the hash
//! is stable across runs, platforms and releases. Names, descriptions,
//! owners, targets and thresholds are left out: they change how a number is
//! judged or shown, not the number (target changes are reported separately).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::model::{CesMode, Config, Indicator, Metric, Range};

#[derive(Serialize)]
struct Definition<'a> {
    dataset: Option<&'a str>,
    weight: Option<&'a str>,
    metric: &'static str,
    column: Option<&'a str>,
    params: Vec<(&'static str, String)>,
    filter: Vec<(&'a str, Vec<&'a str>)>,
}

fn range(r: &Range) -> String {
    format!("{}..{}", r.lo, r.hi)
}

fn ces_mode(mode: CesMode) -> &'static str {
    match mode {
        CesMode::Mean => "mean",
        CesMode::Agree => "agree",
        CesMode::Net => "net",
    }
}

fn params(metric: &Metric) -> Vec<(&'static str, String)> {
    match metric {
        Metric::Nps | Metric::Count => vec![],
        Metric::Csat { scale, top_box } => {
            vec![("scale", range(scale)), ("top_box", range(top_box))]
        }
        Metric::Ces { scale, mode } => {
            vec![("scale", range(scale)), ("mode", ces_mode(*mode).into())]
        }
        Metric::Mean { scale } => scale.iter().map(|s| ("scale", range(s))).collect(),
        Metric::TopBox { scale, range: b } | Metric::BottomBox { scale, range: b } => {
            vec![("scale", range(scale)), ("box", range(b))]
        }
        Metric::Share { values } => {
            let mut v: Vec<&str> = values.iter().map(String::as_str).collect();
            v.sort_unstable();
            v.dedup();
            vec![("value", v.join("\u{1f}"))]
        }
        Metric::Percentile { p, scale } => std::iter::once(("p", p.to_string()))
            .chain(scale.iter().map(|s| ("scale", range(s))))
            .collect(),
        Metric::Composite { components } => {
            let mut c: Vec<String> = components
                .iter()
                .map(|(id, w)| format!("{id}={w}"))
                .collect();
            c.sort_unstable();
            vec![("components", c.join("\u{1f}"))]
        }
    }
}

/// The lowercase hex SHA-256 of the indicator's normalised definition.
pub fn definition_hash(ind: &Indicator, config: &Config) -> String {
    let dataset = ind.dataset.as_deref();
    let weight = dataset
        .and_then(|d| config.datasets.get(d))
        .and_then(|d| d.weight.as_ref())
        .map(|w| w.name.as_str());
    let mut filter: Vec<(&str, Vec<&str>)> = ind
        .filter
        .iter()
        .map(|m| {
            let mut values: Vec<&str> = m.values.iter().map(String::as_str).collect();
            values.sort_unstable();
            values.dedup();
            (m.column.name.as_str(), values)
        })
        .collect();
    filter.sort();
    let definition = Definition {
        dataset,
        weight,
        metric: ind.metric.name(),
        column: ind.column.as_ref().map(|c| c.name.as_str()),
        params: params(&ind.metric),
        filter,
    };
    // A struct of strings and vectors always serialises.
    let text = serde_json::to_string(&definition).unwrap_or_default();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
