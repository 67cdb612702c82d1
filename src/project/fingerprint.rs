//! The definition hash of an indicator: did its *measurement* change between two runs?
//!
//! A baseline comparison must not report a "change" that only reflects a new
//! definition (another column, filter, box or dataset weight). Each indicator
//! gets a SHA-256 of the parts of its definition that decide its number,
//! normalised (filter values and composite components sorted, numbers in one
//! format) and serialised from a struct with a fixed field order, so the hash
//! is stable across runs, platforms and releases. A composite's hash includes
//! its components' hashes: redefining a component redefines the composite. Names, descriptions,
//! owners, targets and thresholds are left out: they change how a number is
//! judged or shown, not the number (target changes are reported separately).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::metric::Param;
use super::model::{Direction, Indicator, Metric, Project, Range};
use super::vocabulary::Vocabulary;

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

fn params(metric: &Metric, project: &Project) -> Vec<(&'static str, String)> {
    match metric {
        Metric::Nps | Metric::Count => vec![],
        Metric::Csat { scale, top_box } => {
            vec![
                (Param::Scale.word(), range(scale)),
                (Param::TopBox.word(), range(top_box)),
            ]
        }
        Metric::Ces { scale, mode } => {
            vec![
                (Param::Scale.word(), range(scale)),
                (Param::Mode.word(), mode.word().into()),
            ]
        }
        Metric::Mean { scale } => scale
            .iter()
            .map(|s| (Param::Scale.word(), range(s)))
            .collect(),
        Metric::TopBox { scale, range: b } | Metric::BottomBox { scale, range: b } => {
            vec![
                (Param::Scale.word(), range(scale)),
                (Param::Box.word(), range(b)),
            ]
        }
        Metric::Share { values } => {
            let mut v: Vec<&str> = values.iter().map(String::as_str).collect();
            v.sort_unstable();
            v.dedup();
            vec![(Param::Value.word(), v.join("\u{1f}"))]
        }
        Metric::Gap { expectation, scale } => {
            std::iter::once((Param::Expectation.word(), expectation.name.clone()))
                .chain(scale.iter().map(|s| (Param::Scale.word(), range(s))))
                .collect()
        }
        Metric::Percentile { p, scale } => std::iter::once((Param::P.word(), p.to_string()))
            .chain(scale.iter().map(|s| (Param::Scale.word(), range(s))))
            .collect(),
        Metric::Composite { components } => {
            // A redefined component redefines the composite: include each one's own
            // hash (components are never composites, so this is one level deep), and
            // its direction (a `lower` component is flipped inside the index).
            let component = |id: &str| {
                (project.indicators.iter())
                    .find(|i| i.id == id)
                    .map(|i| {
                        let flipped = matches!(i.direction, Direction::Lower);
                        format!("{}:{flipped}", definition_hash(i, project))
                    })
                    .unwrap_or_default()
            };
            let mut c: Vec<String> = (components.iter())
                .map(|(id, w)| format!("{id}={w}={}", component(id)))
                .collect();
            c.sort_unstable();
            vec![(Param::Components.word(), c.join("\u{1f}"))]
        }
    }
}

/// The lowercase hex SHA-256 of the indicator's normalised definition.
pub fn definition_hash(ind: &Indicator, project: &Project) -> String {
    let config = &project.config;
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
    // Numeric tests of `where` (SPEC §9) as `(column, ["gt 60", …])` entries:
    // an indicator without them keeps the hash it always had.
    let numeric: Vec<(&str, Vec<String>)> = (ind.numeric.iter())
        .map(|m| {
            let t = &m.test;
            let bounds = [("gt", t.gt), ("ge", t.ge), ("lt", t.lt), ("le", t.le)];
            let words = (bounds.iter())
                .filter_map(|(w, b)| b.map(|b| format!("{w} {b}")))
                .collect();
            (m.column.name.as_str(), words)
        })
        .collect();
    filter.extend(
        numeric
            .iter()
            .map(|(c, w)| (*c, w.iter().map(String::as_str).collect())),
    );
    filter.sort();
    let definition = Definition {
        dataset,
        weight,
        metric: ind.metric.name(),
        column: ind.column.as_ref().map(|c| c.name.as_str()),
        params: params(&ind.metric, project),
        filter,
    };
    // A struct of strings and vectors always serialises.
    let text = serde_json::to_string(&definition).unwrap_or_default();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::project::model::RowMatch;

    fn tiny() -> Project {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        crate::project::load(&root, &mut Diagnostics::new()).unwrap()
    }

    fn hash_of(project: &Project, id: &str) -> String {
        let ind = project.indicators.iter().find(|i| i.id == id).unwrap();
        definition_hash(ind, project)
    }

    #[test]
    fn the_hash_is_of_the_normalised_definition_text() {
        // sha256 of {"dataset":"survey","weight":"w","metric":"nps","column":"nps","params":[],"filter":[]},
        // computed with Python's hashlib: pins the normalisation across releases.
        assert_eq!(
            hash_of(&tiny(), "nps"),
            "0ceaaedb9c60763ba4af43b62b5c486a55dd4364212201109e0e4f7befa28666"
        );
    }

    #[test]
    fn words_and_targets_do_not_change_it_measurement_does() {
        let base = tiny();
        let before = hash_of(&base, "csat");
        let composite = hash_of(&base, "cx-index");
        let edit = |f: &dyn Fn(&mut Indicator)| {
            let mut p = base.clone();
            f(p.indicators.iter_mut().find(|i| i.id == "csat").unwrap());
            (hash_of(&p, "csat"), hash_of(&p, "cx-index"))
        };
        let same = edit(&|i| {
            i.name = "Renamed".into();
            i.target = Some(99.0);
            i.description = Some("new words".into());
        });
        assert_eq!(same, (before.clone(), composite.clone()));
        let filtered = |values: [&str; 2]| {
            let values = values.map(String::from).to_vec();
            move |i: &mut Indicator| {
                let column = i.column.clone().unwrap();
                i.filter = vec![RowMatch {
                    column,
                    values: values.clone(),
                }];
            }
        };
        // The order of OR-ed filter values does not matter; the filter does.
        let a = edit(&filtered(["web", "app"]));
        let b = edit(&filtered(["app", "web"]));
        assert_eq!(a, b);
        assert_ne!(a.0, before);
        // A redefined component redefines its composite.
        assert_ne!(a.1, composite);
    }

    #[test]
    fn a_numeric_where_test_is_part_of_the_definition() {
        use crate::project::model::{NumericMatch, NumericTest};
        let base = tiny();
        let before = hash_of(&base, "csat");
        let with = |test: NumericTest| {
            let mut p = base.clone();
            let i = p.indicators.iter_mut().find(|i| i.id == "csat").unwrap();
            let column = i.column.clone().unwrap();
            i.numeric = vec![NumericMatch { column, test }];
            hash_of(&p, "csat")
        };
        let gt60 = with(NumericTest {
            gt: Some(60.0),
            ..NumericTest::default()
        });
        let gt30 = with(NumericTest {
            gt: Some(30.0),
            ..NumericTest::default()
        });
        let ge60 = with(NumericTest {
            ge: Some(60.0),
            ..NumericTest::default()
        });
        assert_ne!(gt60, before);
        assert_ne!(gt60, gt30);
        assert_ne!(gt60, ge60);
    }
}
