//! Compute stage: the comment samples as published to the site.
//!
//! Input: the samples each dataset's pass took ([`super::verbatims`] does the
//! sampling). Output: [`Verbatims`], per indicator and per persona, for
//! promoters, passives and detractors: rows in the group and up to
//! [`PER_GROUP`] masked comments. A leaf module (nothing from `metrics`), so
//! [`super::computed`], the schema of what compute hands on, does not depend
//! on the streaming pass.

use std::collections::{BTreeMap, BTreeSet};

use super::period_key::PeriodKey;

/// Comments kept per group: enough to give a voice, few enough to read.
pub const PER_GROUP: usize = 3;

/// The NPS groups, in display order.
pub const GROUPS: [&str; 3] = ["promoter", "passive", "detractor"];

/// One NPS group's rows and sampled comments.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupSample {
    /// Rows in the group (answered NPS), with or without a comment.
    pub rows: u64,
    /// (hash, masked comment), the [`PER_GROUP`] smallest.
    kept: BTreeSet<(u64, String)>,
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
        kept
    }

    /// A hash above this can never be kept: the largest kept hash once the
    /// sample is full, else `u64::MAX`.
    pub(super) fn bar(&self) -> u64 {
        match self.kept.last() {
            Some((h, _)) if self.kept.len() == PER_GROUP => *h,
            _ => u64::MAX,
        }
    }

    /// Adds `other`'s rows and keeps the smallest comments of both.
    pub fn merge(&mut self, other: &GroupSample) {
        self.rows += other.rows;
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

/// Every sample of the project (not in `metrics.json`: verbatims are for the site).
#[derive(Debug, Clone, Default)]
pub struct Verbatims {
    /// By indicator id.
    pub indicators: BTreeMap<String, Sample>,
    /// By persona id, merged over the datasets the persona applies to.
    pub personas: BTreeMap<String, Sample>,
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
                merge_into(self.indicators.entry(id).or_default(), &sample);
            }
            for (id, sample) in personas {
                merge_into(self.personas.entry(id).or_default(), &sample);
            }
        }
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
}

pub(super) fn merge_into(into: &mut Sample, from: &Sample) {
    for (a, b) in into.iter_mut().zip(from) {
        a.merge(b);
    }
}
