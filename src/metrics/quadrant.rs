//! Compute stage: where the key drivers' importance/performance quadrant splits.
//!
//! Input: one finished analysis' attributes (all rows, or a persona's).
//! Output: the mean importance and the mean performance of the attributes
//! that have both — the quadrant chart's cross-hair, and the line the drivers
//! page reads each attribute against ("above the average of the attributes"),
//! published so the chart, the words and metrics.json agree.

use super::computed::DriverAttribute;

/// (mean importance, mean performance) over the attributes with both
/// numbers, summed in the written order; `(None, None)` when none has both.
pub fn attribute_means(attributes: &[DriverAttribute]) -> (Option<f64>, Option<f64>) {
    let known: Vec<(f64, f64)> = (attributes.iter())
        .filter_map(|a| Some((a.importance?, a.performance?)))
        .collect();
    // No attribute with both numbers: there is no quadrant to split.
    if known.is_empty() {
        return (None, None);
    }
    let n = known.len() as f64;
    let x = known.iter().map(|k| k.0).sum::<f64>() / n;
    let y = known.iter().map(|k| k.1).sum::<f64>() / n;
    (Some(x), Some(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(importance: Option<f64>, performance: Option<f64>) -> DriverAttribute {
        DriverAttribute {
            importance,
            performance,
            ..DriverAttribute::new("a", "A")
        }
    }

    #[test]
    fn the_means_of_the_attributes_with_both_numbers() {
        // Importance 40, 30, 20, 10 → mean 25; performance 3.0, 4.5, 3.5, 4.0 → mean 3.75.
        let a = [
            attr(Some(40.0), Some(3.0)),
            attr(Some(30.0), Some(4.5)),
            attr(Some(20.0), Some(3.5)),
            attr(Some(10.0), Some(4.0)),
        ];
        assert_eq!(attribute_means(&a), (Some(25.0), Some(3.75)));
        // An attribute missing either number is left out of both means.
        let b = [
            attr(Some(60.0), Some(3.0)),
            attr(None, Some(4.0)),
            attr(Some(40.0), None),
        ];
        assert_eq!(attribute_means(&b), (Some(60.0), Some(3.0)));
        assert_eq!(attribute_means(&[attr(None, None)]), (None, None));
        assert_eq!(attribute_means(&[]), (None, None));
    }
}
