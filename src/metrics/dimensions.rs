//! Compute stage: the roll-up of indicators per experience dimension (`dimension:`).
//!
//! Input: the project's indicators (their `dimension`) and their finished results (the
//! headline status). Output: one [`DimensionResult`] per dimension that has an indicator, in
//! the vocabulary's order (brand, product, service, employee), then one for the indicators
//! without a dimension. A project where no indicator declares a dimension gets none, and its
//! scorecard groups by kind as before.

use super::computed::{IndicatorResult, Status};
use super::computed_dimensions::{DimensionResult, StatusCounts};
use crate::project::model::{Dimension, Project};
use crate::project::vocabulary::Vocabulary;

/// The roll-ups, `results` being in the project's indicator order (as compute keeps them).
pub fn dimensions(project: &Project, results: &[IndicatorResult]) -> Vec<DimensionResult> {
    let tagged: Vec<(Option<Dimension>, &IndicatorResult)> = (project.indicators.iter())
        .zip(results)
        .map(|(ind, r)| (ind.dimension, r))
        .collect();
    if tagged.iter().all(|(d, _)| d.is_none()) {
        return Vec::new();
    }
    let groups = Dimension::variants().into_iter().map(Some).chain([None]);
    groups
        .filter_map(|dimension| {
            let members: Vec<&IndicatorResult> = (tagged.iter())
                .filter(|(d, _)| *d == dimension)
                .map(|(_, r)| *r)
                .collect();
            (!members.is_empty()).then(|| roll_up(dimension, &members))
        })
        .collect()
}

/// Counts the members' statuses; the share on target is green over judged (green, amber, red).
fn roll_up(dimension: Option<Dimension>, members: &[&IndicatorResult]) -> DimensionResult {
    let mut statuses = StatusCounts::default();
    for r in members {
        let slot = match r.estimate.status {
            Status::Green => &mut statuses.green,
            Status::Amber => &mut statuses.amber,
            Status::Red => &mut statuses.red,
            Status::Suppressed => &mut statuses.suppressed,
            Status::None => &mut statuses.none,
        };
        *slot += 1;
    }
    let judged = statuses.green + statuses.amber + statuses.red;
    DimensionResult {
        dimension,
        indicators: members.iter().map(|r| r.id.clone()).collect(),
        count: members.len(),
        statuses,
        judged,
        on_target_share: (judged > 0).then(|| 100.0 * statuses.green as f64 / judged as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testkit::Kit;
    use crate::project::model::{Direction, Metric};

    /// x = 1, 2, 3 (mean 2, n 3); y answered once (n 1, suppressed under min_n 2).
    const CSV: &str = "x,y\n1,\n2,\n3,5\n";

    fn add(
        kit: &mut Kit,
        id: &str,
        column: &str,
        dimension: Option<Dimension>,
        goal: (Option<f64>, Option<f64>, Direction),
    ) {
        let ind = kit.indicator(id, Metric::Mean { scale: None }, Some(column), 10);
        ind.dimension = dimension;
        (ind.target, ind.amber, ind.direction) = goal;
    }

    #[test]
    fn statuses_are_counted_per_dimension_in_the_vocabularys_order() {
        use Dimension::*;
        use Direction::*;
        let mut kit = Kit::new(&[("a.csv", CSV.as_bytes())]);
        kit.project.config.min_n = 2.0;
        // Each status by hand from the mean 2 (y: suppressed).
        // 2 ≥ 1: green
        add(&mut kit, "u1", "x", None, (Some(1.0), None, Higher));
        // 2 > 1.5: red
        add(
            &mut kit,
            "s1",
            "x",
            Some(Service),
            (Some(1.0), Some(1.5), Lower),
        );
        // green
        add(&mut kit, "b1", "x", Some(Brand), (Some(1.5), None, Higher));
        // at target: green
        add(
            &mut kit,
            "p1",
            "x",
            Some(Product),
            (Some(2.0), None, Higher),
        );
        // at amber: amber
        add(
            &mut kit,
            "b2",
            "x",
            Some(Brand),
            (Some(3.0), Some(2.0), Higher),
        );
        // no target: none
        add(&mut kit, "p2", "x", Some(Product), (None, None, Higher));
        // red
        add(&mut kit, "b3", "x", Some(Brand), (Some(3.0), None, Higher));
        // n 1: suppressed
        add(
            &mut kit,
            "p3",
            "y",
            Some(Product),
            (Some(1.0), None, Higher),
        );
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<_> = (c.dimensions.iter())
            .map(|d| (d.dimension, d.indicators.join(" "), d.count, d.judged))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(Brand), "b1 b2 b3".into(), 3, 3),
                (Some(Product), "p1 p2 p3".into(), 3, 1),
                (Some(Service), "s1".into(), 1, 1),
                (None, "u1".into(), 1, 1),
            ]
        );
        let counts = |s: &StatusCounts| (s.green, s.amber, s.red, s.suppressed, s.none);
        assert_eq!(counts(&c.dimensions[0].statuses), (1, 1, 1, 0, 0));
        assert_eq!(counts(&c.dimensions[1].statuses), (1, 0, 0, 1, 1));
        assert_eq!(counts(&c.dimensions[2].statuses), (0, 0, 1, 0, 0));
        assert_eq!(counts(&c.dimensions[3].statuses), (1, 0, 0, 0, 0));
        // Green over judged: 1/3, 1/1, 0/1, 1/1.
        let shares: Vec<_> = c.dimensions.iter().map(|d| d.on_target_share).collect();
        assert_eq!(
            shares,
            vec![Some(100.0 / 3.0), Some(100.0), Some(0.0), Some(100.0)]
        );
        // The indicator carries its word into metrics.json; one without leaves it out.
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["indicators"][1]["dimension"], "service");
        assert!(json["indicators"][0].get("dimension").is_none());
        assert_eq!(json["dimensions"][3]["dimension"], serde_json::Value::Null);
        assert_eq!(json["dimensions"][0]["statuses"]["amber"], 1);
    }

    #[test]
    fn no_dimension_anywhere_means_no_roll_up() {
        let mut kit = Kit::new(&[("a.csv", CSV.as_bytes())]);
        add(
            &mut kit,
            "a",
            "x",
            None,
            (Some(1.0), None, Direction::Higher),
        );
        let (c, _) = kit.run();
        assert!(c.dimensions.is_empty());
        // Only a target-less indicator: nothing judged, so no share (not 0 %).
        add(&mut kit, "b", "x", None, (None, None, Direction::Higher));
        let (c, _) = kit.run();
        let r = roll_up(Some(Dimension::Employee), &[&c.indicators[1]]);
        assert_eq!((r.count, r.statuses.none, r.judged), (1, 1, 0));
        assert_eq!(r.on_target_share, None);
    }
}
