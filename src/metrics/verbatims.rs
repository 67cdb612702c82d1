//! Compute stage: a small, deterministic sample of comments per NPS group.
//!
//! Input: during a dataset's streaming pass, each accepted row's comment (the
//! dataset's `comments:` column), its NPS answer, which indicators counted the
//! row and which personas it matches. Output: [`Verbatims`](super::samples::Verbatims), per indicator and
//! per persona, for promoters, passives and detractors: how many rows the group
//! holds and up to [`PER_GROUP`](super::samples::PER_GROUP) comments, masked ([`super::redact`]).
//!
//! **Grouping.** Rows are grouped by the dataset's *NPS column*: the column of
//! the first `metric: nps` indicator on the dataset, in definition order (9–10
//! promoter, 7–8 passive, 0–6 detractor). A row with a blank or non-0–10 NPS
//! answer is in no group. A dataset without an NPS indicator shows no
//! verbatims. An indicator's groups hold the rows that indicator counted (its
//! `where` applied, its column answered); a persona's, the rows it matches.
//!
//! **Sampling.** Each group keeps the comments with the smallest 64-bit
//! FNV-1a hash of their text (ties: by text), identical comments once. The
//! sample therefore depends only on *which* comments exist, not on file or row
//! order; memory is bounded by [`PER_GROUP`](super::samples::PER_GROUP) per group however large the data;
//! and two samples merge by keeping the smallest of both (personas seen on two
//! datasets). Comments are masked before they are hashed or kept.
//!
//! The samples themselves ([`super::samples`]) live in a leaf module: they
//! are part of [`super::computed::Computed`], which must not depend on this
//! module's pass machinery.

use super::pass::DatasetPass;
use super::periods::PeriodKey;
use super::redact::mask_contacts_cow;
pub use super::samples::Tagged;
use super::samples::{merge_into, Sample, VoiceSplit};
#[cfg(test)]
use super::samples::{GroupSample, PER_GROUP};
use crate::data::cell::Cell;
use crate::data::scan::Row;
use crate::project::model::Project;

impl Tagged {
    /// Takes the finished samples out of a dataset's pass, per period.
    pub fn of(project: &Project, pass: &mut DatasetPass<'_>) -> Option<Tagged> {
        let v = pass.verbatims.take()?;
        let ind_ids: Vec<String> = (pass.indicators.iter())
            .map(|ip| project.indicators[ip.index].id.clone())
            .collect();
        let persona_ids: Vec<String> = (pass.personas.iter())
            .map(|pc| project.personas[pc.index].id.clone())
            .collect();
        let mut slots = v.slots;
        slots.sort_by_key(|s| s.period);
        let periods = slots
            .into_iter()
            .map(|s| {
                let indicators = ind_ids.iter().cloned().zip(s.indicators).collect();
                let personas = persona_ids.iter().cloned().zip(s.personas).collect();
                (s.period, indicators, personas)
            })
            .collect();
        let splits = ind_ids
            .iter()
            .map(|id| (id.clone(), VoiceSplit::Nps))
            .collect();
        Some(Tagged { periods, splits })
    }
}

/// The samples of the rows of one period (`None`: rows without a date).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Slot {
    period: Option<PeriodKey>,
    /// Parallel to the pass's indicators.
    indicators: Vec<Sample>,
    /// Parallel to the pass's personas.
    personas: Vec<Sample>,
    /// Per NPS group, a hash above which no sample of that group would keep
    /// a comment (the largest [`GroupSample::bar`]): most comments are
    /// turned away with one comparison instead of one per sample. Only ever
    /// too high, never too low (samples only get stricter), so it may start
    /// at `u64::MAX` (as when read back from the build cache).
    #[serde(skip, default = "no_bar")]
    bars: [u64; 3],
}

/// The sampling state of one dataset's pass: samples per period, so that
/// the comments shown beside a number are from its reporting window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VerbatimPass {
    comment: usize,
    nps: usize,
    indicators: usize,
    personas: usize,
    /// In the order periods were first seen.
    slots: Vec<Slot>,
    /// The slot the last row went to (rows come sorted by date).
    #[serde(skip)]
    last: usize,
}

fn no_bar() -> [u64; 3] {
    [u64::MAX; 3]
}

impl VerbatimPass {
    /// A pass reading comments from field `comment` and grouping by field `nps`.
    pub fn new(comment: usize, nps: usize, indicators: usize, personas: usize) -> Self {
        VerbatimPass {
            comment,
            nps,
            indicators,
            personas,
            slots: Vec::new(),
            last: 0,
        }
    }

    /// An empty pass with the same columns (for a piece of a large file).
    pub fn fork(&self) -> Self {
        VerbatimPass::new(self.comment, self.nps, self.indicators, self.personas)
    }

    /// True when `other` reads the same columns for as many indicators and
    /// personas (a stored sample must fit the pass it is loaded into).
    pub fn same_shape(&self, other: &VerbatimPass) -> bool {
        self.comment == other.comment
            && self.nps == other.nps
            && self.indicators == other.indicators
            && self.personas == other.personas
            && (other.slots.iter())
                .all(|s| s.indicators.len() == self.indicators && s.personas.len() == self.personas)
    }

    /// Adds the samples of a later piece: samples are order-free (smallest
    /// hashes), so this equals one pass over both.
    pub fn merge(&mut self, later: &VerbatimPass) {
        for theirs in &later.slots {
            let mine = self.slot(theirs.period);
            for (a, b) in (mine.indicators.iter_mut().zip(&theirs.indicators))
                .chain(mine.personas.iter_mut().zip(&theirs.personas))
            {
                merge_into(a, b);
            }
            mine.bars = no_bar();
        }
    }

    /// The slot of `period`, added when new.
    fn slot(&mut self, period: Option<PeriodKey>) -> &mut Slot {
        let hit = (self.slots.get(self.last)).is_some_and(|s| s.period == period);
        if !hit {
            self.last = match self.slots.iter().position(|s| s.period == period) {
                Some(i) => i,
                None => {
                    self.slots.push(Slot {
                        period,
                        indicators: vec![Sample::default(); self.indicators],
                        personas: vec![Sample::default(); self.personas],
                        bars: no_bar(),
                    });
                    self.slots.len() - 1
                }
            };
        }
        &mut self.slots[self.last]
    }

    /// The field grouped by (the dataset's NPS column).
    pub fn nps_column(&self) -> usize {
        self.nps
    }

    /// Feeds one accepted row of `period` whose NPS cell is `nps` (the field
    /// [`VerbatimPass::nps_column`], already parsed by the pass):
    /// `counted[k]` is `Some` when indicator k counted it (its observation),
    /// `matched[p]` says whether persona p matches it.
    pub fn feed<T>(
        &mut self,
        row: &Row<'_>,
        nps: Cell<'_>,
        counted: &[Option<T>],
        matched: &[bool],
        period: Option<PeriodKey>,
    ) {
        let Some(group) = nps_group(nps) else {
            return;
        };
        let comment = self.comment;
        let slot = self.slot(period);
        // Branch-free: whether an indicator counted a row is unpredictable.
        let mut in_scope = 0;
        for (sample, c) in slot.indicators.iter_mut().zip(counted) {
            let yes = u64::from(c.is_some());
            sample[group].rows += yes;
            in_scope += yes;
        }
        for (sample, &m) in slot.personas.iter_mut().zip(matched) {
            sample[group].rows += u64::from(m);
            in_scope += u64::from(m);
        }
        let text = row.text(comment);
        if text.is_empty() || in_scope == 0 {
            return;
        }
        let comment = mask_contacts_cow(text);
        let hash = fnv1a(&comment);
        if hash > slot.bars[group] {
            return;
        }
        let mut kept = false;
        for sample in slot.in_scope(counted, matched) {
            kept |= sample[group].offer(hash, &comment);
        }
        if kept {
            let samples = slot.indicators.iter().chain(&slot.personas);
            slot.bars[group] = samples.map(|s| s[group].bar()).max().unwrap_or(u64::MAX);
        }
    }
}

impl Slot {
    /// The samples a row is in: the indicators that counted it, the personas it matches.
    fn in_scope<'s, T>(
        &'s mut self,
        counted: &'s [Option<T>],
        matched: &'s [bool],
    ) -> impl Iterator<Item = &'s mut Sample> {
        let counted = counted.iter().map(Option::is_some);
        (self.indicators.iter_mut().zip(counted))
            .chain(self.personas.iter_mut().zip(matched.iter().copied()))
            .filter_map(|(sample, yes)| yes.then_some(sample))
    }
}

/// The group index of an NPS answer: 0 promoter (9–10), 1 passive (7–8),
/// 2 detractor (0–6); `None` for a blank or an answer outside 0–10.
fn nps_group(cell: Cell<'_>) -> Option<usize> {
    match cell.number()? {
        x if (9.0..=10.0).contains(&x) => Some(0),
        x if (7.0..9.0).contains(&x) => Some(1),
        x if (0.0..7.0).contains(&x) => Some(2),
        _ => None,
    }
}

/// 64-bit FNV-1a: defined by its algorithm, so the sample is the same on every
/// build and platform (std's hasher is not).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_of(comments: &[&str]) -> GroupSample {
        let mut g = GroupSample::default();
        for c in comments {
            g.add(Some((fnv1a(c), c)));
        }
        g
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference (isthe.com/chongo/tech/comp/fnv): "" and "a".
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn the_sample_keeps_the_smallest_hashes_whatever_the_order() {
        let all: Vec<String> = (0..50).map(|i| format!("comment {i}")).collect();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut expected: Vec<(u64, &str)> = refs.iter().map(|c| (fnv1a(c), *c)).collect();
        expected.sort();
        let expected: Vec<&str> = expected[..PER_GROUP].iter().map(|(_, c)| *c).collect();
        let forward = sample_of(&refs);
        let mut reversed = refs.clone();
        reversed.reverse();
        let backward = sample_of(&reversed);
        assert_eq!(forward.comments().collect::<Vec<_>>(), expected);
        assert_eq!(forward, backward);
        assert_eq!(forward.rows, 50);
    }

    #[test]
    fn merging_two_halves_equals_one_pass_and_duplicates_count_once() {
        let all: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut merged = sample_of(&refs[..7]);
        merged.merge(&sample_of(&refs[7..]));
        assert_eq!(merged, sample_of(&refs));
        let dup = sample_of(&["same", "same", "same"]);
        assert_eq!(dup.comments().collect::<Vec<_>>(), ["same"]);
        assert_eq!(dup.rows, 3);
    }

    #[test]
    fn nps_groups_follow_the_spec_bounds() {
        assert_eq!(nps_group(Cell::Number(10.0)), Some(0));
        assert_eq!(nps_group(Cell::Number(9.0)), Some(0));
        assert_eq!(nps_group(Cell::Number(8.0)), Some(1));
        assert_eq!(nps_group(Cell::Number(7.0)), Some(1));
        assert_eq!(nps_group(Cell::Number(6.0)), Some(2));
        assert_eq!(nps_group(Cell::Number(0.0)), Some(2));
        assert_eq!(nps_group(Cell::Number(11.0)), None);
        assert_eq!(nps_group(Cell::Number(-1.0)), None);
        assert_eq!(nps_group(Cell::Blank), None);
        assert_eq!(nps_group(Cell::Text("n/a")), None);
    }

    #[test]
    fn one_pass_samples_per_indicator_and_persona_masked() {
        use crate::metrics::testkit::{col, Kit};
        use crate::project::model::{Metric, RowMatch};
        let csv = "score,csat,who,comment,email\n\
                   10,5,a,Great! Call 138 0013 8000,x@y.com\n\
                   9,4,b,,x@y.com\n\
                   8,,a,ok,secret\n\
                   3,1,a,mail me at li@example.cn,<b>\n\
                   ,2,a,no score so no group,\n";
        let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
        kit.dataset().comments = Some(col("comment", 4));
        kit.dataset().pii = vec![col("email", 5)];
        kit.indicator("nps", Metric::Nps, Some("score"), 10);
        kit.indicator(
            "csat",
            Metric::Csat {
                scale: crate::project::model::Range { lo: 1.0, hi: 5.0 },
                top_box: crate::project::model::Range { lo: 4.0, hi: 5.0 },
            },
            Some("csat"),
            20,
        )
        .filter = vec![RowMatch {
            column: col("who", 21),
            values: vec!["a".into()],
        }];
        kit.persona("pa", "who", &["a"]);
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let texts = |s: &GroupSample| s.comments().map(str::to_string).collect::<Vec<_>>();
        let nps = &c.verbatims.indicators["nps"].groups;
        // Answered NPS: 10, 9 promoters; 8 passive; 3 detractor (the blank is in no group).
        assert_eq!([nps[0].rows, nps[1].rows, nps[2].rows], [2, 1, 1]);
        assert_eq!(texts(&nps[0]), ["Great! Call ••• •••• ••••"]);
        assert_eq!(texts(&nps[1]), ["ok"]);
        assert_eq!(texts(&nps[2]), ["mail me at •••@•••"]);
        // csat counts who = a with csat answered: rows 1 (10) and 4 (3); row 3 has a blank csat.
        let csat = &c.verbatims.indicators["csat"].groups;
        assert_eq!([csat[0].rows, csat[1].rows, csat[2].rows], [1, 0, 1]);
        // The persona holds rows 1, 3, 4 (and 5, which has no NPS answer).
        let pa = &c.verbatims.personas["pa"].groups;
        assert_eq!([pa[0].rows, pa[1].rows, pa[2].rows], [1, 1, 1]);
        assert!(c.verbatims.personas.keys().eq(["pa"]));
    }
}
