//! Compute stage: the comment samples as published to the site.
//!
//! Input: the samples each dataset's pass took ([`super::verbatims`] does the
//! sampling). Output: [`Verbatims`], per indicator and per persona, for the
//! groups of the page's own metric ([`VoiceSplit`]: promoters, passives and
//! detractors for NPS; in the box or not; low or high effort; top or bottom
//! third of the scale): rows in the group, up to [`PER_GROUP`] masked
//! comments, and the group's top topics. A leaf module (nothing from `metrics`), so
//! [`super::computed`], the schema of what compute hands on, does not depend
//! on the streaming pass.

use std::collections::{BTreeMap, BTreeSet};

use super::period_key::PeriodKey;

/// 64-bit FNV-1a: defined by its algorithm, so the sample is the same on every
/// build and platform (std's hasher is not).
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A comment's sampling key for one page: its hash mixed with the page's
/// seed (the FNV-1a of the page's id) by the SplitMix64 finaliser, so each
/// page keeps a different smallest few — one comment no longer fronts every
/// page — while each page's sample still depends only on which comments exist.
pub fn seeded(hash: u64, seed: u64) -> u64 {
    let mut z = hash ^ seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Comments kept per group: enough to give a voice, few enough to read.
pub const PER_GROUP: usize = 3;

/// The NPS groups, in display order.
pub const GROUPS: [&str; 3] = ["promoter", "passive", "detractor"];

/// One group's rows, sampled comments and topic counts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupSample {
    /// Rows in the group (answered), with or without a comment.
    pub rows: u64,
    /// Answered comments in the group (not blank once trimmed).
    pub comments: u64,
    /// Their weight, Σw: the denominator of each topic's share in the group.
    pub comments_w: f64,
    /// Per topic of the project's codebook (by index into `project.topics`),
    /// Σw of the group's comments carrying it; shorter than the codebook
    /// when the last topics were never seen (missing entries are 0).
    pub topic_w: Vec<f64>,
    /// (hash, masked comment), the [`PER_GROUP`] smallest.
    kept: BTreeSet<(u64, String)>,
    /// [`GroupSample::bar`], kept beside the counts: a row's comment is
    /// offered to every page's sample of its group, and most are turned
    /// away by this one comparison, without reading `kept` (a separate heap
    /// node per sample, read for every comment row before).
    bar: u64,
}

impl Default for GroupSample {
    fn default() -> Self {
        GroupSample {
            rows: 0,
            comments: 0,
            comments_w: 0.0,
            topic_w: Vec::new(),
            kept: BTreeSet::new(),
            bar: u64::MAX,
        }
    }
}

impl GroupSample {
    /// Counts a row; offers its comment with the comment's FNV-1a hash
    /// (hashed once per row, not once per group the row is in).
    #[cfg(test)]
    pub(super) fn add(&mut self, comment: Option<(u64, &str)>) {
        self.rows += 1;
        if let Some((hash, text)) = comment {
            self.offer(hash, text);
        }
    }

    /// Keeps the comment if it is among the [`PER_GROUP`] smallest; true when kept.
    pub(super) fn offer(&mut self, hash: u64, text: &str) -> bool {
        let worst = self.kept.last().map(|(h, t)| (*h, t.as_str()));
        if self.kept.len() == PER_GROUP && worst.is_some_and(|w| (hash, text) >= w) {
            return false;
        }
        let kept = self.kept.insert((hash, text.to_string()));
        if self.kept.len() > PER_GROUP {
            self.kept.pop_last();
        }
        self.bar = match self.kept.last() {
            Some((h, _)) if self.kept.len() == PER_GROUP => *h,
            _ => u64::MAX,
        };
        kept
    }

    /// A hash above this can never be kept: the largest kept hash once the
    /// sample is full, else `u64::MAX`.
    #[inline]
    pub(super) fn bar(&self) -> u64 {
        self.bar
    }

    /// Counts an answered comment of weight `w` carrying the topics `codes`
    /// (indices into `project.topics`).
    pub(super) fn count_comment(&mut self, w: f64, codes: &[usize]) {
        self.comments += 1;
        self.comments_w += w;
        for &c in codes {
            if self.topic_w.len() <= c {
                self.topic_w.resize(c + 1, 0.0);
            }
            self.topic_w[c] += w;
        }
    }

    /// Adds `other`'s rows and keeps the smallest comments of both.
    pub fn merge(&mut self, other: &GroupSample) {
        self.rows += other.rows;
        self.comments += other.comments;
        self.comments_w += other.comments_w;
        if self.topic_w.len() < other.topic_w.len() {
            self.topic_w.resize(other.topic_w.len(), 0.0);
        }
        for (a, b) in self.topic_w.iter_mut().zip(&other.topic_w) {
            *a += b;
        }
        for (h, t) in &other.kept {
            self.offer(*h, t);
        }
    }

    /// The kept comments, in sample order (smallest hash first).
    pub fn comments(&self) -> impl Iterator<Item = &str> {
        self.kept.iter().map(|(_, t)| t.as_str())
    }
}

/// Promoters, passives, detractors (in [`GROUPS`] order).
pub type Sample = [GroupSample; 3];

/// How a page's comments are grouped: by the page's own metric (SPEC §7).
/// Group 0 is the first shown, 2 the last; 1 is used by `Nps` only.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum VoiceSplit {
    /// Promoters (0), passives (1), detractors (2): NPS-style classes
    /// (NPS, CES `net`) and persona pages (by the dataset's NPS column).
    Nps,
    /// In the box (0) or not (2): csat, top/bottom box, share, CES `agree`.
    Boxed,
    /// Low effort (0) or high effort (2): CES `mean`, by the thirds of its
    /// scale read in the indicator's direction.
    Effort,
    /// The top third of the scale (0: values ≥ `top`) or the bottom third
    /// (2: values ≤ `bottom`): mean, gap and percentile with a scale.
    Thirds {
        /// The smallest value in the top third.
        top: f64,
        /// The largest value in the bottom third.
        bottom: f64,
    },
    /// One group (0) of every answered row: metrics without a natural split.
    All,
}

/// A topic among a group's comments.
#[derive(Debug, Clone, PartialEq)]
pub struct TopTopic {
    /// The topic id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Weighted % of the group's answered comments carrying it.
    pub share: f64,
}

/// One page's comments: the groups of its own metric, each with its sample
/// and top topics.
#[derive(Debug, Clone, PartialEq)]
pub struct Voices {
    /// How rows are grouped.
    pub split: VoiceSplit,
    /// Per group (see [`VoiceSplit`]): rows, comments, the sample.
    pub groups: Sample,
    /// Per group, the topics most of its comments carry (at most
    /// [`TOP_TOPICS`], largest share first, ties by codebook order).
    pub top_topics: [Vec<TopTopic>; 3],
}

/// Topics listed per group beside its comments.
pub const TOP_TOPICS: usize = 3;

/// Every sample of the project (not in `metrics.json`: verbatims are for the site).
#[derive(Debug, Clone, Default)]
pub struct Verbatims {
    /// By indicator id.
    pub indicators: BTreeMap<String, Voices>,
    /// By persona id, merged over the datasets the persona applies to.
    pub personas: BTreeMap<String, Voices>,
}

impl Verbatims {
    /// Adds one dataset's samples of the periods `in_window` takes (nothing
    /// when the dataset had none): the comments shown beside a number are
    /// from its window.
    pub fn absorb(
        &mut self,
        tagged: Option<Tagged>,
        in_window: impl Fn(Option<PeriodKey>) -> bool,
    ) {
        let Some(tagged) = tagged else { return };
        for (period, indicators, personas) in tagged.periods {
            if !in_window(period) {
                continue;
            }
            for (id, sample) in indicators {
                let split = tagged.splits.get(&id).copied().unwrap_or(VoiceSplit::All);
                merge_into(
                    &mut Voices::entry(&mut self.indicators, id, split).groups,
                    &sample,
                );
            }
            for (id, sample) in personas {
                merge_into(
                    &mut Voices::entry(&mut self.personas, id, VoiceSplit::Nps).groups,
                    &sample,
                );
            }
        }
    }
}

impl Voices {
    fn entry(map: &mut BTreeMap<String, Voices>, id: String, split: VoiceSplit) -> &mut Voices {
        map.entry(id).or_insert_with(|| Voices {
            split,
            groups: Sample::default(),
            top_topics: Default::default(),
        })
    }
}

/// One period's samples (`None`: rows without a date), by indicator and persona id.
pub type PeriodSamples = (
    Option<PeriodKey>,
    Vec<(String, Sample)>,
    Vec<(String, Sample)>,
);

/// One dataset's samples, per period, keyed by indicator and persona id.
#[derive(Debug)]
pub struct Tagged {
    /// In period order (rows without a date first).
    pub(super) periods: Vec<PeriodSamples>,
    /// How each indicator's rows are grouped, by indicator id.
    pub(super) splits: BTreeMap<String, VoiceSplit>,
}

pub(super) fn merge_into(into: &mut Sample, from: &Sample) {
    for (a, b) in into.iter_mut().zip(from) {
        a.merge(b);
    }
}
