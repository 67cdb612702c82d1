//! Data stage: one column, one role.
//!
//! Input: a dataset's `weight`, `date`, `comments` and `segments`. Output: an
//! error for each column named in two of those roles (or twice as a segment).
//! A weight used as a segment would publish a breakdown by weight values, a
//! comment column as a segment one group per comment: never what was meant,
//! so it is an error, not a warning.

use crate::diag::Diagnostics;
use crate::project::model::{ColumnRef, Dataset};

/// Records an error for each column of `dataset` that has two roles.
pub fn check_roles(dataset: &Dataset, diags: &mut Diagnostics) {
    let mut roles: Vec<(&str, &ColumnRef)> = Vec::new();
    if let Some(w) = &dataset.weight {
        roles.push(("the weight", w));
    }
    if let Some(d) = &dataset.date {
        roles.push(("the date", &d.column));
    }
    if let Some(c) = &dataset.comments {
        roles.push(("the comments", c));
    }
    roles.extend(dataset.segments.iter().map(|s| ("a segment", s)));
    for (i, (role, column)) in roles.iter().enumerate() {
        let Some((first_role, first)) = roles[..i].iter().find(|(_, c)| c.name == column.name)
        else {
            continue;
        };
        let (message, hint) = if *first_role == "a segment" && *role == "a segment" {
            (
                format!(
                    "column `{}` is listed twice under `segments` of dataset `{}`",
                    column.name, dataset.id
                ),
                format!(
                    "list each segment once (it is first listed at {})",
                    first.location
                ),
            )
        } else {
            (
                format!(
                    "column `{}` is both {first_role} and {role} of dataset `{}`",
                    column.name, dataset.id
                ),
                format!(
                    "give each role its own column: remove `{}` from one of them (first used at {})",
                    column.name, first.location
                ),
            )
        };
        diags.error_hint(column.location.clone(), message, hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;
    use crate::project::model::Dataset;

    fn col(name: &str, line: u32) -> ColumnRef {
        ColumnRef {
            name: name.into(),
            location: Location::at("cxscore.yaml", line, 5),
        }
    }

    fn dataset(weight: &str, segments: &[&str]) -> Dataset {
        Dataset {
            weight: Some(col(weight, 3)),
            segments: (segments.iter().enumerate())
                .map(|(i, s)| col(s, 10 + i as u32))
                .collect(),
            ..Dataset::plain("survey", vec![], Location::at("cxscore.yaml", 2, 3))
        }
    }

    #[test]
    fn a_weight_used_as_a_segment_is_an_error_at_the_segment() {
        let mut d = Diagnostics::new();
        check_roles(&dataset("w", &["channel", "w"]), &mut d);
        let items = d.sorted();
        assert_eq!(items.len(), 1);
        let text = items[0].to_string();
        assert!(
            text.starts_with(
                "cxscore.yaml:11:5: error: column `w` is both the weight and a segment"
            ),
            "{text}"
        );
        assert!(text.contains("first used at cxscore.yaml:3:5"), "{text}");
    }

    #[test]
    fn a_segment_listed_twice_is_an_error_and_distinct_roles_are_fine() {
        let mut d = Diagnostics::new();
        check_roles(&dataset("w", &["channel", "region", "channel"]), &mut d);
        assert_eq!(d.error_count(), 1);
        assert!(d.sorted()[0]
            .message
            .contains("listed twice under `segments`"));
        let mut d = Diagnostics::new();
        check_roles(&dataset("w", &["channel", "region"]), &mut d);
        assert!(d.is_empty());
    }
}
