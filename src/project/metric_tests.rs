//! Tests of the metric table: keys, catalogue words, readings, decimals.

use super::*;

#[test]
fn every_metric_takes_only_its_own_keys_and_reads_what_it_says() {
    for name in MetricName::variants() {
        let row = name.row();
        let mut keys = row.keys.to_vec();
        keys.dedup();
        assert_eq!(keys.len(), row.keys.len(), "{name:?} lists a key twice");
        assert!(row.catalogue.name.starts_with("metric_"));
        assert!(row
            .catalogue
            .formula
            .starts_with(&format!("formula_{}", name.word())));
    }
    assert_eq!(MetricName::Composite.row().reads, Reads::Indicators);
    assert_eq!(MetricName::Count.row().reads, Reads::Rows);
    assert_eq!(MetricName::Nps.row().keys, &[] as &[Param]);
}

/// The keys a catalogue file defines (top-level `key:` lines).
fn catalogue_keys(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/i18n")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[test]
fn every_metric_has_its_words_in_every_catalogue() {
    let scale = range(1.0, 7.0);
    let modes = CesMode::variants()
        .into_iter()
        .map(|mode| Metric::Ces { scale, mode });
    for file in ["en.yaml", "zh-CN.yaml"] {
        let keys = catalogue_keys(file);
        let has = |key: &str| keys.iter().any(|k| k == key);
        for name in MetricName::variants() {
            let c = name.row().catalogue;
            for key in [c.name, c.formula].into_iter().chain(c.rule) {
                assert!(has(key), "{file} has no `{key}` ({})", name.word());
            }
        }
        for ces in modes.clone() {
            let key = ces.catalogue().formula;
            assert!(has(key), "{file} has no `{key}`");
        }
    }
}

#[test]
fn readings_put_values_on_0_to_100() {
    let nps = Metric::Nps;
    assert_eq!(nps.normalise(-100.0, Direction::Higher), Some(0.0));
    assert_eq!(nps.normalise(20.0, Direction::Higher), Some(60.0));
    let ces = Metric::Ces {
        scale: range(1.0, 7.0),
        mode: CesMode::Mean,
    };
    // 2.5 on 1–7 is 25 %; lower effort is better, so 75.
    assert_eq!(ces.normalise(2.5, Direction::Lower), Some(75.0));
    assert_eq!(Metric::Count.normalise(3.0, Direction::Higher), None);
    let flat = Metric::Mean {
        scale: Some(range(3.0, 3.0)),
    };
    assert_eq!(flat.normalise(3.0, Direction::Higher), None);
}

#[test]
fn decimals_follow_the_statistic() {
    assert_eq!(Metric::Count.decimals(), 0);
    assert_eq!(Metric::Nps.decimals(), 1);
    let ces = |mode| Metric::Ces {
        scale: range(1.0, 7.0),
        mode,
    };
    assert_eq!(ces(CesMode::Mean).decimals(), 2);
    assert_eq!(ces(CesMode::Net).decimals(), 1);
}
