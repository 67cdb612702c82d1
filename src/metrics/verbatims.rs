//! Compute stage: a small, deterministic sample of comments per page, grouped
//! by the page's own metric.
//!
//! Input: during a dataset's streaming pass, each accepted row's observation
//! for every indicator, its comment (the dataset's `comments:` column) and
//! the topics it carries, its NPS group and which personas it matches.
//! Output: [`Verbatims`](super::samples::Verbatims), per indicator and per
//! persona: per group, how many rows it holds, its answered comments and
//! their weight per topic, and up to [`PER_GROUP`](super::samples::PER_GROUP)
//! comments, masked ([`super::redact`]).
//!
//! **Grouping (SPEC §7).** An indicator page's rows are grouped by *its own
//! metric* ([`VoiceRule`]): NPS by promoters / passives / detractors; csat,
//! box and share metrics in the box or not; CES by low or high effort (the
//! thirds of its scale, or its boxes, read in the indicator's direction);
//! mean and gap by the top or bottom third of the scale; anything else in one
//! group. An indicator's groups hold the rows it counted (its `where`
//! applied, its column answered). A persona page's rows are grouped by the
//! dataset's *NPS column* — the first `metric: nps` indicator's, in definition
//! order (9–10, 7–8, 0–6; a blank or out-of-scale answer is in no group) — or
//! form one group when the dataset has no NPS indicator.
//!
//! **Sampling.** Each group keeps the comments with the smallest sampling
//! keys: the comment's 64-bit FNV-1a hash mixed with the page's seed (the
//! FNV-1a of its id, [`super::samples::seeded`]), ties by text, identical
//! comments once. So each page shows its own few comments (one comment no
//! longer fronts every page), and a sample still depends only on *which*
//! comments exist, not on file or row order; memory is bounded by
//! [`PER_GROUP`](super::samples::PER_GROUP) per group however large the data;
//! two samples merge by keeping the smallest of both. Comments are masked
//! before they are hashed or kept.
//!
//! The samples themselves ([`super::samples`]) live in a leaf module: they
//! are part of [`super::computed::Computed`], which must not depend on this
//! module's pass machinery.

use super::acc::Obs;
use super::pass::DatasetPass;
use super::periods::PeriodKey;
pub use super::samples::Tagged;
use super::samples::{fnv1a, merge_into, seeded, Sample, VoiceSplit};
#[cfg(test)]
use super::samples::{GroupSample, PER_GROUP};
use crate::project::model::{Direction, Indicator, Metric, Project};

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
        let splits = (ind_ids.iter().zip(&v.rules))
            .map(|(id, r)| (id.clone(), r.split))
            .chain(persona_ids.iter().map(|id| (id.clone(), v.persona_split)))
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
        Some(Tagged { periods, splits })
    }
}

/// How an indicator's rows are grouped: its [`VoiceSplit`], and for scales
/// the cut points and which side is "good" (CES read in its direction).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VoiceRule {
    /// The published split.
    pub split: VoiceSplit,
    /// The smallest value in the top third (scales only).
    top: f64,
    /// The largest value in the bottom third (scales only).
    bottom: f64,
    /// CES with `direction: lower`: the top of the scale is high effort.
    flip: bool,
}

impl VoiceRule {
    /// The rule of `ind`'s metric.
    pub fn of(ind: &Indicator) -> VoiceRule {
        let thirds = |lo: f64, hi: f64| {
            let third = (hi - lo) / 3.0;
            (hi - third, lo + third)
        };
        let rule = |split, (top, bottom): (f64, f64)| VoiceRule {
            split,
            top,
            bottom,
            flip: false,
        };
        let none = (f64::INFINITY, f64::NEG_INFINITY);
        match &ind.metric {
            Metric::Nps => rule(VoiceSplit::Nps, none),
            Metric::Ces { scale, .. } => VoiceRule {
                flip: ind.direction == Direction::Lower,
                ..rule(VoiceSplit::Effort, thirds(scale.lo, scale.hi))
            },
            Metric::Csat { .. }
            | Metric::TopBox { .. }
            | Metric::BottomBox { .. }
            | Metric::Share { .. } => rule(VoiceSplit::Boxed, none),
            Metric::Mean { scale: Some(s) } | Metric::Percentile { scale: Some(s), .. } => {
                let (top, bottom) = thirds(s.lo, s.hi);
                rule(VoiceSplit::Thirds { top, bottom }, (top, bottom))
            }
            Metric::Gap { scale: Some(s), .. } => {
                let span = s.hi - s.lo;
                let (top, bottom) = thirds(-span, span);
                rule(VoiceSplit::Thirds { top, bottom }, (top, bottom))
            }
            Metric::Mean { scale: None }
            | Metric::Percentile { scale: None, .. }
            | Metric::Gap { scale: None, .. }
            | Metric::Count
            | Metric::Composite { .. } => rule(VoiceSplit::All, none),
        }
    }

    /// The group of a row the indicator counted as `obs`; `None` when the
    /// row is in no shown group (the middle third of a scale).
    #[inline]
    fn group(&self, obs: Obs) -> Option<usize> {
        // For CES, "good" is the agreeing / top side, low effort unless flipped.
        let good_bad = |good: Option<bool>| good.map(|g| if g != self.flip { 0 } else { 2 });
        match (self.split, obs) {
            (VoiceSplit::Nps, Obs::Net(c)) => Some((1 - c.clamp(-1, 1)) as usize),
            (VoiceSplit::Boxed, Obs::Hit(h)) => Some(if h { 0 } else { 2 }),
            (VoiceSplit::Effort, Obs::Net(c)) => good_bad((c != 0).then_some(c > 0)),
            (VoiceSplit::Effort, Obs::Hit(h)) => good_bad(Some(h)),
            (VoiceSplit::Effort | VoiceSplit::Thirds { .. }, Obs::Num(x)) => {
                good_bad(if x >= self.top {
                    Some(true)
                } else if x <= self.bottom {
                    Some(false)
                } else {
                    None
                })
            }
            (VoiceSplit::All, _) => Some(0),
            _ => None,
        }
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
}

/// The sampling state of one dataset's pass: samples per period, so that
/// the comments shown beside a number are from its reporting window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VerbatimPass {
    /// Per indicator of the pass, how its rows are grouped.
    rules: Vec<VoiceRule>,
    /// How persona pages group rows (`Nps`, or `All` without an NPS column).
    persona_split: VoiceSplit,
    /// Per indicator, then per persona: the page's sampling seed.
    seeds: Vec<u64>,
    personas: usize,
    /// In the order periods were first seen.
    slots: Vec<Slot>,
    /// The slot the last row went to (rows come sorted by date).
    #[serde(skip)]
    last: usize,
}

/// A row as the samples see it.
pub struct Voice<'a> {
    /// The masked comment and its FNV-1a hash, when answered.
    pub comment: Option<(&'a str, u64)>,
    /// The row's weight.
    pub weight: f64,
    /// Its NPS group (0 promoter, 1 passive, 2 detractor), when answered.
    pub nps: Option<usize>,
    /// The topics its comment carries (indices into `project.topics`).
    pub topics: &'a [usize],
}

impl VerbatimPass {
    /// A pass for the indicators `rules` (in the pass's order) and
    /// `persona_ids`; `has_nps`: persona pages group by NPS.
    pub fn new(
        rules: Vec<VoiceRule>,
        indicator_ids: &[&str],
        persona_ids: &[&str],
        has_nps: bool,
    ) -> Self {
        VerbatimPass {
            rules,
            persona_split: if has_nps {
                VoiceSplit::Nps
            } else {
                VoiceSplit::All
            },
            seeds: (indicator_ids.iter().chain(persona_ids))
                .map(|id| fnv1a(id))
                .collect(),
            personas: persona_ids.len(),
            slots: Vec::new(),
            last: 0,
        }
    }

    /// An empty pass with the same plan (for a piece of a large file).
    pub fn fork(&self) -> Self {
        VerbatimPass {
            slots: Vec::new(),
            last: 0,
            ..self.clone()
        }
    }

    /// True when `other` has the same plan (a stored sample must fit the
    /// pass it is loaded into).
    pub fn same_shape(&self, other: &VerbatimPass) -> bool {
        self.rules == other.rules
            && self.persona_split == other.persona_split
            && self.seeds == other.seeds
            && self.personas == other.personas
            && (other.slots.iter()).all(|s| {
                s.indicators.len() == self.rules.len() && s.personas.len() == self.personas
            })
    }

    /// Adds the samples of a later piece: samples are order-free (smallest
    /// keys), so this equals one pass over both.
    pub fn merge(&mut self, later: &VerbatimPass) {
        for theirs in &later.slots {
            let mine = self.slot(theirs.period);
            for (a, b) in (mine.indicators.iter_mut().zip(&theirs.indicators))
                .chain(mine.personas.iter_mut().zip(&theirs.personas))
            {
                merge_into(a, b);
            }
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
                        indicators: vec![Sample::default(); self.rules.len()],
                        personas: vec![Sample::default(); self.personas],
                    });
                    self.slots.len() - 1
                }
            };
        }
        &mut self.slots[self.last]
    }

    /// Feeds one accepted row of `period`: `counted[k]` is indicator k's
    /// observation of it (`None`: not counted), `matched[p]` whether persona
    /// p matches it.
    pub fn feed(
        &mut self,
        row: &Voice<'_>,
        counted: &[Option<Obs>],
        matched: &[bool],
        period: Option<PeriodKey>,
    ) {
        let persona_group = match self.persona_split {
            VoiceSplit::Nps => row.nps,
            _ => Some(0),
        };
        // The slot first: a new one is sized from the rules.
        self.slot(period);
        let (rules, seeds) = (&self.rules, &self.seeds);
        let slot = &mut self.slots[self.last];
        let indicators = (slot.indicators.iter_mut().zip(rules).zip(counted))
            .map(|((sample, rule), obs)| (sample, obs.and_then(|o| rule.group(o))));
        let personas = (slot.personas.iter_mut().zip(matched))
            .map(|(sample, &m)| (sample, persona_group.filter(|_| m)));
        for ((sample, group), &seed) in indicators.chain(personas).zip(seeds) {
            let Some(g) = group else { continue };
            let g = &mut sample[g];
            g.rows += 1;
            if let Some((text, hash)) = row.comment {
                g.count_comment(row.weight, row.topics);
                let key = seeded(hash, seed);
                if key <= g.bar() {
                    g.offer(key, text);
                }
            }
        }
    }
}

/// The group index of an NPS answer (a cell's number): 0 promoter (9–10),
/// 1 passive (7–8), 2 detractor (0–6); `None` for no number (a blank or a
/// text) or an answer outside 0–10.
pub fn nps_group(answer: Option<f64>) -> Option<usize> {
    match answer? {
        x if (9.0..=10.0).contains(&x) => Some(0),
        x if (7.0..9.0).contains(&x) => Some(1),
        x if (0.0..7.0).contains(&x) => Some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::cell::Cell;

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
        // The bar is the largest hash kept once full (u64::MAX before), and
        // a merge of two halves has the same bar and the same sample.
        let mut hashes: Vec<u64> = refs.iter().map(|c| fnv1a(c)).collect();
        hashes.sort_unstable();
        assert_eq!(forward.bar(), hashes[PER_GROUP - 1]);
        assert_eq!(sample_of(&refs[..PER_GROUP - 1]).bar(), u64::MAX);
        let mut merged = sample_of(&refs[..25]);
        merged.merge(&sample_of(&refs[25..]));
        assert_eq!(merged.bar(), forward.bar());
        assert_eq!(merged, forward);
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
        assert_eq!(nps_group(Some(10.0)), Some(0));
        assert_eq!(nps_group(Some(9.0)), Some(0));
        assert_eq!(nps_group(Some(8.0)), Some(1));
        assert_eq!(nps_group(Some(7.0)), Some(1));
        assert_eq!(nps_group(Some(6.0)), Some(2));
        assert_eq!(nps_group(Some(0.0)), Some(2));
        assert_eq!(nps_group(Some(11.0)), None);
        assert_eq!(nps_group(Some(-1.0)), None);
        assert_eq!(nps_group(Cell::Blank.number()), None);
        assert_eq!(nps_group(Cell::Text("n/a").number()), None);
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
        // csat counts who = a with csat answered: rows 1 (5), 4 (1) and 5 (2);
        // row 3 has a blank csat. Grouped by its own box (4–5), not by NPS:
        // row 5 has no NPS answer and is still in "not in the box".
        let csat = &c.verbatims.indicators["csat"];
        assert_eq!(csat.split, VoiceSplit::Boxed);
        let csat = &csat.groups;
        assert_eq!([csat[0].rows, csat[1].rows, csat[2].rows], [1, 0, 2]);
        assert_eq!(texts(&csat[0]), ["Great! Call ••• •••• ••••"]);
        let mut not_in_box = texts(&csat[2]);
        not_in_box.sort();
        assert_eq!(not_in_box, ["mail me at •••@•••", "no score so no group"]);
        // The persona holds rows 1, 3, 4 (and 5, which has no NPS answer).
        let pa = &c.verbatims.personas["pa"].groups;
        assert_eq!([pa[0].rows, pa[1].rows, pa[2].rows], [1, 1, 1]);
        assert!(c.verbatims.personas.keys().eq(["pa"]));
    }

    fn indicator(metric: Metric, direction: Direction) -> Indicator {
        use crate::metrics::testkit::Kit;
        let mut kit = Kit::new(&[]);
        let ind = kit.indicator("x", metric, Some("x"), 1);
        ind.direction = direction;
        ind.clone()
    }

    #[test]
    fn each_metric_groups_by_its_own_scale() {
        use crate::project::model::Range;
        let r = |lo, hi| Range { lo, hi };
        let ces = |d| {
            let m = Metric::Ces {
                scale: r(1.0, 7.0),
                mode: crate::project::metric::CesMode::Mean,
            };
            VoiceRule::of(&indicator(m, d))
        };
        // CES 2.0 (7 = easy, higher is better): 5–7 low effort, 1–3 high, 4 neither.
        let easy = ces(Direction::Higher);
        assert_eq!(easy.split, VoiceSplit::Effort);
        assert_eq!(easy.group(Obs::Num(6.0)), Some(0));
        assert_eq!(easy.group(Obs::Num(5.0)), Some(0));
        assert_eq!(easy.group(Obs::Num(4.0)), None);
        assert_eq!(easy.group(Obs::Num(3.0)), Some(2));
        // CES 1.0 (1 = low effort, lower is better): the same cells, read the other way.
        let effort = ces(Direction::Lower);
        assert_eq!(effort.group(Obs::Num(6.0)), Some(2));
        assert_eq!(effort.group(Obs::Num(2.0)), Some(0));
        // A gap on 1–5 spans −4..4: thirds cut at ±4/3.
        let gap = VoiceRule::of(&indicator(
            Metric::Gap {
                scale: Some(r(1.0, 5.0)),
                expectation: crate::metrics::testkit::col("e", 1),
            },
            Direction::Higher,
        ));
        assert_eq!(gap.group(Obs::Num(2.0)), Some(0));
        assert_eq!(gap.group(Obs::Num(1.0)), None);
        assert_eq!(gap.group(Obs::Num(-1.5)), Some(2));
        let mean = VoiceRule::of(&indicator(Metric::Mean { scale: None }, Direction::Higher));
        assert_eq!(mean.split, VoiceSplit::All);
        assert_eq!(mean.group(Obs::Num(123.0)), Some(0));
        let nps = VoiceRule::of(&indicator(Metric::Nps, Direction::Higher));
        let classes = [Obs::Net(1), Obs::Net(0), Obs::Net(-1)].map(|o| nps.group(o));
        assert_eq!(classes, [Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn two_pages_keep_different_samples_of_the_same_comments() {
        let comments: Vec<String> = (0..200).map(|i| format!("comment number {i}")).collect();
        let sample = |page: &str| {
            let mut g = GroupSample::default();
            for c in &comments {
                g.offer(seeded(fnv1a(c), fnv1a(page)), c);
            }
            g.comments().map(str::to_string).collect::<Vec<_>>()
        };
        let (a, b) = (sample("nps"), sample("csat"));
        assert_eq!(a.len(), PER_GROUP);
        assert_ne!(a, b);
        // Still a function of the comments alone: the same page, the same sample.
        assert_eq!(a, sample("nps"));
    }
}
