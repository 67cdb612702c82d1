//! Compute stage: the traffic light of a value (SPEC §2).
//!
//! Input: a finished value, whether it is suppressed, and the indicator's
//! target, amber threshold and direction. Output: a [`Status`].

use super::computed::Status;
use crate::project::model::Direction;

/// What a value is judged against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// The target; `None` means no status.
    pub target: Option<f64>,
    /// The amber threshold; `None` means short of target is red.
    pub amber: Option<f64>,
    /// Which way is better.
    pub direction: Direction,
}

impl Goal {
    /// No target: numbers without a status (a topic's NPS with and without it).
    pub const NONE: Goal = Goal {
        target: None,
        amber: None,
        direction: Direction::Higher,
    };
}

/// The status of `value`: `suppressed` first (effective n below `min_n`), then
/// `none` without a target (or without a value), else direction-aware: for
/// `higher`, value ≥ target → green, value ≥ amber → amber, else red; for
/// `lower` the same with ≤. Exactly at the target is green, exactly at the
/// amber threshold is amber.
pub fn status(value: Option<f64>, suppressed: bool, goal: Goal) -> Status {
    if suppressed {
        return Status::Suppressed;
    }
    let (Some(v), Some(target)) = (value, goal.target) else {
        return Status::None;
    };
    let at_least = |limit: f64| match goal.direction {
        Direction::Higher => v >= limit,
        Direction::Lower => v <= limit,
    };
    if at_least(target) {
        Status::Green
    } else if goal.amber.is_some_and(at_least) {
        Status::Amber
    } else {
        Status::Red
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HIGHER: Goal = Goal {
        target: Some(30.0),
        amber: Some(10.0),
        direction: Direction::Higher,
    };
    const LOWER: Goal = Goal {
        target: Some(5.0),
        amber: Some(8.0),
        direction: Direction::Lower,
    };

    #[test]
    fn higher_is_better_edges() {
        assert_eq!(status(Some(30.0), false, HIGHER), Status::Green);
        assert_eq!(status(Some(29.999), false, HIGHER), Status::Amber);
        assert_eq!(status(Some(10.0), false, HIGHER), Status::Amber);
        assert_eq!(status(Some(9.999), false, HIGHER), Status::Red);
        let no_amber = Goal {
            amber: None,
            ..HIGHER
        };
        assert_eq!(status(Some(29.0), false, no_amber), Status::Red);
    }

    #[test]
    fn lower_is_better_edges() {
        assert_eq!(status(Some(5.0), false, LOWER), Status::Green);
        assert_eq!(status(Some(4.0), false, LOWER), Status::Green);
        assert_eq!(status(Some(8.0), false, LOWER), Status::Amber);
        assert_eq!(status(Some(8.5), false, LOWER), Status::Red);
    }

    #[test]
    fn no_target_no_value_and_suppressed() {
        let none = Goal {
            target: None,
            ..HIGHER
        };
        assert_eq!(status(Some(50.0), false, none), Status::None);
        assert_eq!(status(None, false, HIGHER), Status::None);
        assert_eq!(status(Some(50.0), true, HIGHER), Status::Suppressed);
    }
}
