//! Compute stage: the finest grouping of a dataset's rows, for one-add-per-row
//! accumulation.
//!
//! Every indicator reports the same rows several ways at once: overall, per
//! period, per key of each segment column, per persona (a `GROUPING SETS`
//! query, in SQL terms). Adding each row to all of those accumulators costs
//! one add per grouping per indicator (about nine per indicator on the
//! example's survey). Instead a row is added once, to the accumulator of its
//! *group* — the combination of its period, its key in every segment column
//! and the personas it matches — and groups are rolled up into the reported
//! accumulators at the end ([`super::pass::DatasetPass`] does the roll-up).
//! Rows of one combination are many (a few thousand groups for millions of
//! rows), so the roll-up is cheap.
//!
//! Memory stays bounded whatever the data: past [`MAX_GROUPS`] distinct
//! combinations the pass rolls up what it has and starts a new table, which
//! gives the same sums (accumulators are mergeable) at a lower speed.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::periods::PeriodKey;

/// Distinct groups held before a roll-up: 4,096 groups × 15 indicators of
/// ~80-byte accumulators is ~5 MB per thread.
pub const MAX_GROUPS: usize = 4096;

#[cfg(test)]
thread_local! {
    /// Tests lower the limit (1: a roll-up before every row, which is the
    /// plain one-accumulator-per-grouping scan) to check both ways agree.
    pub static TEST_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_GROUPS) };
}

fn limit() -> usize {
    #[cfg(test)]
    return TEST_LIMIT.with(std::cell::Cell::get);
    #[cfg(not(test))]
    MAX_GROUPS
}

/// What a group stands for: the groupings its rows are reported in.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The rows' period (`None`: no date column, or a blank date).
    pub period: Option<PeriodKey>,
    /// Per segment column, the rows' interned key id (`None`: blank cell).
    pub keys: Box<[Option<usize>]>,
    /// Per applicable persona, whether the rows match it.
    pub matched: Box<[bool]>,
}

/// The groups seen since the last roll-up, each with a small id.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    ids: HashMap<Box<[u32]>, usize, FixedState>,
    groups: Vec<Group>,
    /// The row's encoded combination, reused so a lookup allocates nothing.
    scratch: Vec<u32>,
}

impl Groups {
    /// The id of the group of a row with this period, segment keys and
    /// persona matches; a new id (the next integer) for a new combination.
    pub fn id(
        &mut self,
        period: Option<PeriodKey>,
        keys: &[Option<usize>],
        matched: &[bool],
    ) -> usize {
        encode(&mut self.scratch, period, keys, matched);
        if let Some(&id) = self.ids.get(self.scratch.as_slice()) {
            return id;
        }
        let id = self.groups.len();
        self.groups.push(Group {
            period,
            keys: keys.into(),
            matched: matched.into(),
        });
        self.ids.insert(self.scratch.as_slice().into(), id);
        id
    }

    /// The groups in id order.
    pub fn all(&self) -> &[Group] {
        &self.groups
    }

    /// True when a roll-up is due before the next row (see [`MAX_GROUPS`]).
    pub fn is_full(&self) -> bool {
        self.groups.len() >= limit()
    }

    /// Forgets every group (after a roll-up).
    pub fn clear(&mut self) {
        self.ids.clear();
        self.groups.clear();
    }
}

/// Writes the combination as integers: the period (tag, year, sub), each
/// key id (`u32::MAX` for blank), then the persona matches 32 to a word.
fn encode(out: &mut Vec<u32>, period: Option<PeriodKey>, keys: &[Option<usize>], matched: &[bool]) {
    out.clear();
    let (tag, year, sub) = match period {
        None => (0, 0, 0),
        Some(PeriodKey::Year(y)) => (1, y, 0),
        Some(PeriodKey::Quarter(y, q)) => (2, y, q),
        Some(PeriodKey::Month(y, m)) => (3, y, m),
        Some(PeriodKey::Week(y, w)) => (4, y, w),
    };
    out.extend([tag, year as u32, sub]);
    // Ids are below the number of distinct keys, far below u32::MAX.
    out.extend(keys.iter().map(|k| k.map_or(u32::MAX, |id| id as u32)));
    out.extend(matched.chunks(32).map(|bits| {
        (bits.iter().enumerate()).fold(0u32, |word, (i, &m)| word | (u32::from(m) << i))
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_combination_same_id_and_every_part_tells_groups_apart() {
        let mut g = Groups::default();
        let m = Some(PeriodKey::Month(2026, 1));
        let a = g.id(m, &[Some(0), None], &[true, false]);
        assert_eq!(a, 0);
        assert_eq!(g.id(m, &[Some(0), None], &[true, false]), a);
        // Another period kind with the same numbers, another key, a blank
        // instead of key 0, another persona match: four new groups.
        assert_eq!(
            g.id(
                Some(PeriodKey::Quarter(2026, 1)),
                &[Some(0), None],
                &[true, false]
            ),
            1
        );
        assert_eq!(g.id(m, &[Some(1), None], &[true, false]), 2);
        assert_eq!(g.id(m, &[None, Some(0)], &[true, false]), 3);
        assert_eq!(g.id(m, &[Some(0), None], &[false, true]), 4);
        assert_eq!(g.id(None, &[Some(0), None], &[true, false]), 5);
        assert_eq!(g.all()[2].keys.as_ref(), &[Some(1), None]);
        assert_eq!(g.all()[4].matched.as_ref(), &[false, true]);
        g.clear();
        assert_eq!(g.id(m, &[Some(1), None], &[true, false]), 0);
    }

    #[test]
    fn more_than_32_personas_are_told_apart() {
        let mut g = Groups::default();
        let mut matched = vec![false; 40];
        let none = g.id(None, &[], &matched);
        matched[35] = true;
        assert_ne!(g.id(None, &[], &matched), none);
        matched[35] = false;
        matched[3] = true;
        assert_eq!(g.id(None, &[], &matched), 2);
    }
}
