//! Compute stage, in the pass: each answered comment coded once, and tallied.
//!
//! Input: per accepted row, its comment, weight, period, NPS class, segment
//! keys and personas. Output: per period, [`TopicSlot`]s of weighted tallies
//! — every answered comment, and per topic and group: the comments carrying
//! it, their NPS, their split by NPS group, per segment key and persona —
//! plus a seeded sample of each topic's comments. The report window is not
//! known during the pass (it spans every dataset), so tallies are kept per
//! period and merged for the window afterwards ([`super::results`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::metrics::acc::{Acc, Base, Cal, Obs};
use crate::metrics::pass::CalRow;
use crate::metrics::periods::PeriodKey;
use crate::metrics::samples::{fnv1a, seeded, GroupSample};
use crate::project::model::Project;
use crate::project::topic_match::{Codebook, Rules, Scratch, TopicMatcher};

/// Which topics and groups code one dataset: the codes of its tallies are
/// its topics (`0..topics.len()`) then its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPlan {
    /// Indices into `project.topics`, in codebook order.
    pub topics: Vec<usize>,
    /// The groups of those topics, sorted by name.
    pub groups: Vec<String>,
    /// Per topic, its group's position in `groups`.
    group_of: Vec<Option<usize>>,
    /// Per code (topics then groups), the sampling seed: FNV-1a of its id.
    seeds: Vec<u64>,
}

impl TopicPlan {
    /// The codebook of dataset `id`; `None` when no topic codes it.
    pub fn of(project: &Project, id: &str) -> Option<TopicPlan> {
        let topics: Vec<usize> = (project.topics.iter().enumerate())
            .filter(|(_, t)| t.datasets.iter().any(|d| d == id))
            .map(|(i, _)| i)
            .collect();
        if topics.is_empty() {
            return None;
        }
        let mut groups: Vec<String> = (topics.iter())
            .filter_map(|&i| project.topics[i].group.clone())
            .collect();
        groups.sort();
        groups.dedup();
        let group_of = (topics.iter())
            .map(|&i| {
                let g = project.topics[i].group.as_ref()?;
                groups.binary_search(g).ok()
            })
            .collect();
        let seeds = (topics.iter().map(|&i| project.topics[i].id.as_str()))
            .chain(groups.iter().map(String::as_str))
            .map(fnv1a)
            .collect();
        Some(TopicPlan {
            topics,
            groups,
            group_of,
            seeds,
        })
    }

    /// Topics and groups together.
    pub fn codes(&self) -> usize {
        self.topics.len() + self.groups.len()
    }
}

/// The weighted tallies of a set of answered comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeAcc {
    /// The comments: n, Σw, Σw².
    pub base: Base,
    /// The NPS of those with an answered NPS.
    pub nps: Acc,
    /// The comments per NPS group: promoters, passives, detractors.
    pub by_group: [Base; 3],
    /// A raked dataset's calibration sums of the comments (each with y = 1),
    /// for the design-based variance of a topic's share (SPEC §11; empty
    /// otherwise).
    pub cal: Cal,
}

impl Default for CodeAcc {
    fn default() -> Self {
        CodeAcc {
            base: Base::default(),
            nps: Acc::Net {
                base: Base::default(),
                w_pos: 0.0,
                w_neg: 0.0,
                counts: [0; 3],
                cal: Default::default(),
            },
            by_group: [Base::default(); 3],
            cal: Cal::default(),
        }
    }
}

impl CodeAcc {
    fn add(&mut self, w: f64, group: Option<usize>, cal: Option<CalRow<'_>>) {
        self.base.add(w);
        if let Some((d, cols, p)) = cal {
            self.cal.add(1.0, w, d, cols, p);
        }
        if let Some(g) = group {
            let obs = Obs::Net(1 - g as i8);
            self.nps.add(obs, w);
            if let Some((d, cols, p)) = cal {
                self.nps.add_cal(obs, w, d, cols, p);
            }
            self.by_group[g].add(w);
        }
    }

    /// Adds another's comments.
    pub fn merge(&mut self, o: &CodeAcc) {
        self.base.merge(&o.base);
        self.nps.merge(&o.nps);
        self.cal.merge(&o.cal);
        for (a, b) in self.by_group.iter_mut().zip(&o.by_group) {
            a.merge(b);
        }
    }
}

/// One segment key's (or persona's) answered comments, and per code those
/// carrying it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyAcc {
    /// Every answered comment of the key.
    pub all: Base,
    /// Per code (missing entries: none seen).
    pub codes: Vec<Base>,
}

impl KeyAcc {
    fn add(&mut self, w: f64, hits: &[usize]) {
        self.all.add(w);
        for &c in hits {
            if self.codes.len() <= c {
                self.codes.resize(c + 1, Base::default());
            }
            self.codes[c].add(w);
        }
    }

    /// Adds another's comments.
    pub fn merge(&mut self, o: &KeyAcc) {
        self.all.merge(&o.all);
        if self.codes.len() < o.codes.len() {
            self.codes.resize(o.codes.len(), Base::default());
        }
        for (a, b) in self.codes.iter_mut().zip(&o.codes) {
            a.merge(b);
        }
    }

    /// Code `c`'s tally (empty when never seen).
    pub fn code(&self, c: usize) -> Base {
        self.codes.get(c).copied().unwrap_or_default()
    }
}

/// The tallies of the comments of one period (`None`: rows without a date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSlot {
    /// The period.
    pub period: Option<PeriodKey>,
    /// Every answered comment.
    pub all: CodeAcc,
    /// Per code (topics then groups).
    pub codes: Vec<CodeAcc>,
    /// Answered comments with no topic.
    pub uncoded: Base,
    /// Per segment column, per key.
    pub segments: Vec<BTreeMap<String, KeyAcc>>,
    /// Per segment column, per key id interned by the pass: the tallies of
    /// the rows since [`TopicPass::settle`] moved them into `segments` (a
    /// row's key found by its id, not its text); empty once settled.
    #[serde(skip)]
    by_id: Vec<Vec<Option<KeyAcc>>>,
    /// Per applicable persona (parallel to the pass's personas).
    pub personas: Vec<KeyAcc>,
    /// Per code, a sample of the comments carrying it (seeded by its id).
    pub samples: Vec<GroupSample>,
}

impl TopicSlot {
    fn new(period: Option<PeriodKey>, codes: usize, segments: usize, personas: usize) -> Self {
        TopicSlot {
            period,
            all: CodeAcc::default(),
            codes: vec![CodeAcc::default(); codes],
            uncoded: Base::default(),
            segments: vec![BTreeMap::new(); segments],
            by_id: Vec::new(),
            personas: vec![KeyAcc::default(); personas],
            samples: vec![GroupSample::default(); codes],
        }
    }

    fn merge(&mut self, o: &TopicSlot) {
        self.all.merge(&o.all);
        for (a, b) in self.codes.iter_mut().zip(&o.codes) {
            a.merge(b);
        }
        self.uncoded.merge(&o.uncoded);
        for (a, b) in self.segments.iter_mut().zip(&o.segments) {
            for (key, acc) in b {
                a.entry(key.clone()).or_default().merge(acc);
            }
        }
        for (a, b) in self.personas.iter_mut().zip(&o.personas) {
            a.merge(b);
        }
        for (a, b) in self.samples.iter_mut().zip(&o.samples) {
            a.merge(b);
        }
    }
}

/// How comments are coded: the compiled codebook, or (when the combined
/// sets pass the regex crate's size limits) each topic alone.
#[derive(Debug, Clone)]
enum Coder {
    /// Shared by every fork: one set of regex caches, not one per piece.
    Set(Arc<Codebook>, Box<Scratch>),
    Each(Arc<Vec<TopicMatcher>>),
}

/// The topic state of one dataset's pass.
#[derive(Debug, Clone)]
pub struct TopicPass {
    /// The dataset's codebook.
    pub plan: TopicPlan,
    coder: Coder,
    /// Segment columns (parallel to the pass's segments).
    segments: Vec<usize>,
    personas: usize,
    /// In the order periods were first seen.
    pub slots: Vec<TopicSlot>,
    last: usize,
    /// The current row's codes: its topics, then its groups, ascending.
    hits: Vec<usize>,
    topics_of_row: Vec<usize>,
    /// The same topics as indices into `project.topics`.
    project_topics_of_row: Vec<usize>,
    in_group: Vec<bool>,
}

impl TopicPass {
    /// The pass of `plan` over a dataset whose segment columns are `segments`
    /// and with `personas` applicable personas.
    pub fn new(project: &Project, plan: TopicPlan, segments: Vec<usize>, personas: usize) -> Self {
        let topics: Vec<_> = plan.topics.iter().map(|&i| &project.topics[i]).collect();
        let rules: Vec<Rules<'_>> = topics.iter().map(|&t| Rules::from(t)).collect();
        let coder = match Codebook::new(&rules) {
            Some(book) => Coder::Set(Arc::new(book), Box::default()),
            None => Coder::Each(Arc::new(
                (topics.iter())
                    // Each compiled at validation, so this keeps every topic.
                    .filter_map(|t| TopicMatcher::new(&t.keywords, &t.patterns, &t.exclude).ok())
                    .collect(),
            )),
        };
        let groups = plan.groups.len();
        TopicPass {
            plan,
            coder,
            segments,
            personas,
            slots: Vec::new(),
            last: 0,
            hits: Vec::new(),
            topics_of_row: Vec::new(),
            project_topics_of_row: Vec::new(),
            in_group: vec![false; groups],
        }
    }

    /// An empty pass with the same plan (for a piece of a large file).
    pub fn fork(&self) -> Self {
        let mut fork = self.clone();
        fork.slots.clear();
        fork.last = 0;
        fork
    }

    /// Adds the tallies of a later piece (every tally is a sum; samples keep
    /// the smallest keys): equals one pass over both.
    pub fn merge(&mut self, later: &[TopicSlot]) {
        for theirs in later {
            self.slot(theirs.period).merge(theirs);
        }
    }

    /// Stored slots fit this plan: as many codes, segments and personas.
    pub fn fits(&self, slots: &[TopicSlot]) -> bool {
        slots.iter().all(|s| {
            s.codes.len() == self.plan.codes()
                && s.samples.len() == self.plan.codes()
                && s.segments.len() == self.segments.len()
                && s.personas.len() == self.personas
        })
    }

    fn slot(&mut self, period: Option<PeriodKey>) -> &mut TopicSlot {
        let hit = (self.slots.get(self.last)).is_some_and(|s| s.period == period);
        if !hit {
            self.last = match self.slots.iter().position(|s| s.period == period) {
                Some(i) => i,
                None => {
                    let s = TopicSlot::new(
                        period,
                        self.plan.codes(),
                        self.segments.len(),
                        self.personas,
                    );
                    self.slots.push(s);
                    self.slots.len() - 1
                }
            };
        }
        &mut self.slots[self.last]
    }

    /// Codes `comment` (trimmed; not blank): its topics into the row's hits,
    /// then its groups ([`TopicPass::row_topics`]: its topics alone, for the
    /// verbatims' per-group counts).
    pub fn code(&mut self, comment: &str) {
        match &mut self.coder {
            Coder::Set(book, scratch) => book.code(comment, scratch, &mut self.topics_of_row),
            Coder::Each(each) => {
                self.topics_of_row.clear();
                for (i, m) in each.iter().enumerate() {
                    if m.matches(comment) {
                        self.topics_of_row.push(i);
                    }
                }
            }
        }
        self.hits.clear();
        self.hits.extend_from_slice(&self.topics_of_row);
        self.project_topics_of_row.clear();
        (self.project_topics_of_row)
            .extend(self.topics_of_row.iter().map(|&t| self.plan.topics[t]));
        self.in_group.fill(false);
        for &t in &self.topics_of_row {
            if let Some(g) = self.plan.group_of[t] {
                self.in_group[g] = true;
            }
        }
        let first_group = self.plan.topics.len();
        for (g, &yes) in self.in_group.iter().enumerate() {
            if yes {
                self.hits.push(first_group + g);
            }
        }
    }

    /// The topics of the row last given to [`TopicPass::code`], as indices
    /// into `project.topics` (so samples of personas that span datasets with
    /// different codebooks still add up topic by topic).
    pub fn row_topics(&self) -> &[usize] {
        &self.project_topics_of_row
    }

    /// Moves the tallies kept by interned key id into the slots' maps by
    /// key text, `names[s][id]` being the text of segment `s`'s key `id`:
    /// before the slots are merged, saved or read.
    pub fn settle(&mut self, names: &[&[String]]) {
        for slot in &mut self.slots {
            for ((map, by_id), names) in slot.segments.iter_mut().zip(&mut slot.by_id).zip(names) {
                for (id, acc) in by_id.drain(..).enumerate() {
                    let (Some(acc), Some(name)) = (acc, names.get(id)) else {
                        continue;
                    };
                    match map.get_mut(name.as_str()) {
                        Some(mine) => mine.merge(&acc),
                        None => {
                            map.insert(name.clone(), acc);
                        }
                    }
                }
            }
            // As a new or a decoded slot has it: compared and stored alike.
            slot.by_id.clear();
        }
    }

    /// Tallies the row last given to [`TopicPass::code`]: `masked` its
    /// comment as the site may show it, with its [`fnv1a`] hash (the
    /// verbatims sample by the same one), `w` its weight, `group` its NPS
    /// group (0 promoter, 1 passive, 2 detractor; `None` unanswered),
    /// `matched` its personas, `key_of(s)` the interned id of its key of
    /// segment `s` (`None`: in none; a banded segment's key is its band,
    /// SPEC §9; see [`TopicPass::settle`]), `cal` its
    /// calibration terms (raked datasets).
    #[allow(clippy::too_many_arguments)]
    pub fn tally(
        &mut self,
        key_of: impl Fn(usize) -> Option<usize>,
        (masked, hash): (&str, u64),
        w: f64,
        period: Option<PeriodKey>,
        group: Option<usize>,
        matched: &[bool],
        cal: Option<CalRow<'_>>,
    ) {
        self.slot(period);
        let (hits, segments, seeds) = (&self.hits, &self.segments, &self.plan.seeds);
        let slot = &mut self.slots[self.last];
        slot.all.add(w, group, cal);
        if hits.is_empty() {
            slot.uncoded.add(w);
        }
        for &c in hits {
            slot.codes[c].add(w, group, cal);
            let sample = &mut slot.samples[c];
            sample.rows += 1;
            let key = seeded(hash, seeds[c]);
            if key <= sample.bar() {
                sample.offer(key, masked);
            }
        }
        if slot.by_id.len() < segments.len() {
            slot.by_id.resize(segments.len(), Vec::new());
        }
        for (s, (by_id, _)) in slot.by_id.iter_mut().zip(segments).enumerate() {
            let Some(id) = key_of(s) else { continue };
            if by_id.len() <= id {
                by_id.resize(id + 1, None);
            }
            by_id[id].get_or_insert_with(KeyAcc::default).add(w, hits);
        }
        for (acc, &m) in slot.personas.iter_mut().zip(matched) {
            if m {
                acc.add(w, hits);
            }
        }
    }
}
