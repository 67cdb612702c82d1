//! `topics suggest`, the pass: each comment's terms counted by NPS group.
//!
//! Input: the rows of one dataset, streamed by the data stage's scan driver
//! ([`crate::data::scan::scan`]) — its encodings, parallel pieces merged in
//! file order, and `bad_rows` policy, not a reader of our own. Output: a
//! [`Tally`]: per term, the summed weight of detractors' and of promoters'
//! comments that use it (each comment counts a term once), and how many
//! comments each group wrote.
//!
//! A row is counted only when the compute stage's own pass for the dataset
//! ([`DatasetPass`]) accepts it, so under `bad_rows: skip` this command
//! leaves out exactly the rows `check` and `build` leave out.

use std::collections::HashMap;

use super::tokens::terms;
use crate::data::cell::Cell;
use crate::data::scan::{Row, RowProblem, RowSink, SplitSink};
use crate::metrics::pass::DatasetPass;
use crate::metrics::redact::mask_contacts_cow;

/// Index of the detractors in every pair of this module.
pub const DETRACTORS: usize = 0;
/// Index of the promoters.
pub const PROMOTERS: usize = 1;

/// The fields a row is read from (0-based, resolved from the header).
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    /// The dataset's `comments:` column.
    pub comment: usize,
    /// The column of its first `metric: nps` indicator (as the verbatims use).
    pub nps: usize,
    /// Its `weight:` column, if it has one.
    pub weight: Option<usize>,
}

/// What the pass counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Per term: summed weights of the comments that use it, by group.
    pub terms: HashMap<String, [f64; 2]>,
    /// Answered comments, by group.
    pub comments: [u64; 2],
    /// Summed weights of those comments, by group.
    pub weights: [f64; 2],
}

impl Tally {
    /// Adds `later`'s counts to ours. Each sum is `ours + theirs`, whatever
    /// order the map is walked in, so merging in file order is reproducible.
    fn merge(&mut self, later: Tally) {
        for (term, [d, p]) in later.terms {
            let mine = self.terms.entry(term).or_default();
            mine[DETRACTORS] += d;
            mine[PROMOTERS] += p;
        }
        for g in [DETRACTORS, PROMOTERS] {
            self.comments[g] += later.comments[g];
            self.weights[g] += later.weights[g];
        }
    }

    /// Counts one comment of `group` with weight `w`.
    pub fn add(&mut self, group: usize, comment: &str, w: f64) {
        self.comments[group] += 1;
        self.weights[group] += w;
        // Masked before it is cut into terms: no contact detail becomes a term.
        for term in terms(&mask_contacts_cow(comment)) {
            self.terms.entry(term).or_default()[group] += w;
        }
    }
}

/// The scan's sink: the compute stage's pass (which decides what a good row
/// is) and the tally of the rows it accepted.
#[derive(Clone)]
pub struct TermSink<'p> {
    pass: DatasetPass<'p>,
    columns: Columns,
    /// The counts so far.
    pub tally: Tally,
}

impl<'p> TermSink<'p> {
    /// A sink reading `columns`, accepting the rows `pass` accepts.
    pub fn new(pass: DatasetPass<'p>, columns: Columns) -> Self {
        TermSink {
            pass,
            columns,
            tally: Tally::default(),
        }
    }
}

/// The group of an NPS answer: detractors 0–6, promoters 9–10; passives,
/// blanks and anything else are in neither (the verbatims' bounds).
pub fn group_of(nps: &str) -> Option<usize> {
    match Cell::parse(nps).number()? {
        x if (9.0..=10.0).contains(&x) => Some(PROMOTERS),
        x if (0.0..7.0).contains(&x) => Some(DETRACTORS),
        _ => None,
    }
}

impl RowSink for TermSink<'_> {
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        let before = problems.len();
        self.pass.row(row, problems);
        if problems.len() > before {
            return;
        }
        let Some(group) = group_of(row.text(self.columns.nps)) else {
            return;
        };
        let comment = row.text(self.columns.comment);
        if comment.is_empty() {
            return;
        }
        // The pass accepted the row, so its weight is a number of 0 or more.
        let w = (self.columns.weight)
            .map_or(Some(1.0), |i| Cell::parse(row.text(i)).number())
            .unwrap_or(0.0);
        self.tally.add(group, comment, w);
    }
}

impl SplitSink for TermSink<'_> {
    fn fork(&self) -> Self {
        TermSink::new(self.pass.fork(), self.columns)
    }

    fn merge(&mut self, later: Self) {
        self.pass.merge(later.pass);
        self.tally.merge(later.tally);
    }

    fn seal(&mut self) {
        self.pass.seal();
    }

    // This command reads without the build cache (it writes nothing), so
    // these are never called; they store nothing and load nothing.
    fn save(&mut self) -> Vec<u8> {
        Vec::new()
    }

    fn load(&self, _bytes: &[u8]) -> Option<Self> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_groups_follow_the_verbatims_bounds() {
        assert_eq!(group_of("0"), Some(DETRACTORS));
        assert_eq!(group_of("6"), Some(DETRACTORS));
        assert_eq!(group_of("7"), None);
        assert_eq!(group_of("8"), None);
        assert_eq!(group_of("9"), Some(PROMOTERS));
        assert_eq!(group_of("10"), Some(PROMOTERS));
        assert_eq!(group_of("11"), None);
        assert_eq!(group_of("-1"), None);
        assert_eq!(group_of(""), None);
        assert_eq!(group_of("n/a"), None);
    }

    #[test]
    fn a_tally_counts_each_term_once_per_comment_by_weight_and_masks_contacts() {
        let mut t = Tally::default();
        t.add(DETRACTORS, "Modem modem dead, mail x@example.com", 2.0);
        t.add(PROMOTERS, "modem fine", 0.5);
        assert_eq!(t.terms["modem"], [2.0, 0.5]);
        assert_eq!(t.terms["modem modem"], [2.0, 0.0]);
        assert_eq!(t.comments, [1, 1]);
        assert_eq!(t.weights, [2.0, 0.5]);
        assert!(t.terms.keys().all(|k| !k.contains("example")), "{t:?}");
    }

    #[test]
    fn merging_two_halves_equals_one_tally() {
        let rows = [
            (DETRACTORS, "slow modem", 1.0),
            (PROMOTERS, "fast", 2.0),
            (DETRACTORS, "slow", 0.5),
        ];
        let mut whole = Tally::default();
        rows.iter().for_each(|(g, c, w)| whole.add(*g, c, *w));
        let (mut a, mut b) = (Tally::default(), Tally::default());
        rows[..1].iter().for_each(|(g, c, w)| a.add(*g, c, *w));
        rows[1..].iter().for_each(|(g, c, w)| b.add(*g, c, *w));
        a.merge(b);
        assert_eq!(a, whole);
    }
}
