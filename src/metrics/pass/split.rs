//! Compute stage, across threads and files: a pass forked, merged and sealed.
//!
//! Input: a planned [`DatasetPass`], or forks of it that have read pieces of
//! the data. Output: empty forks with the same plan; one pass holding the
//! merged accumulators, ours before the later piece's; and the build cache's
//! save and load (`cache.rs` holds the format). It exists so
//! [`crate::data::scan`] can read a file's pieces on several threads and skip
//! files the cache already holds, through [`SplitSink`].

use std::collections::BTreeMap;

use super::rollup::merge_periods;
use super::row::CellCache;
use super::{DatasetPass, SegmentKeys};
use crate::data::scan::SplitSink;
use crate::metrics::drivers::bootstrap::RowStore;
use crate::metrics::drivers::sums::DriverSums;
use crate::metrics::groups::Groups;
use crate::metrics::periods::PeriodKey;
use crate::metrics::topics::pass::TopicPass;
use crate::metrics::verbatims::VerbatimPass;

impl SplitSink for DatasetPass<'_> {
    fn part(&self) -> Self {
        let mut part = self.fork();
        for d in &mut part.drivers {
            d.rows = d.rows.as_ref().map(RowStore::relative_like);
        }
        part
    }

    fn fork(&self) -> Self {
        let mut fork = self.clone();
        for ind in &mut fork.indicators {
            ind.overall = ind.measure.new_acc();
            ind.dist = ind.dist.as_ref().and_then(|_| ind.measure.new_dist());
            ind.periods.clear();
            ind.dist_periods.clear();
            ind.segments.iter_mut().for_each(BTreeMap::clear);
            ind.seg_accs.iter_mut().for_each(Vec::clear);
            ind.personas.fill(ind.measure.new_acc());
            ind.segment_periods.iter_mut().for_each(BTreeMap::clear);
            ind.seg_periods.iter_mut().for_each(Vec::clear);
            ind.persona_periods.iter_mut().for_each(BTreeMap::clear);
            ind.cells.clear();
        }
        fork.groups = Groups::default();
        for d in &mut fork.drivers {
            let empty = d.acc.empty_like();
            d.personas.fill(empty.clone());
            d.acc = empty;
            d.periods.clear();
            d.persona_periods.iter_mut().for_each(BTreeMap::clear);
            d.rows = d.rows.as_ref().map(RowStore::empty_like);
            d.cells.clear();
        }
        fork.verbatims = self.verbatims.as_ref().map(VerbatimPass::fork);
        fork.topics = self.topics.as_ref().map(TopicPass::fork);
        fork.value = self
            .value
            .as_ref()
            .map(crate::metrics::value::ValuePass::fork);
        fork.keys = vec![SegmentKeys::default(); self.keys.len()];
        fork.cells = CellCache::new(self.names.len());
        fork.lookup_counts = [0; 2];
        if let Some(r) = &mut fork.rake {
            r.reset();
        }
        fork
    }

    fn merge(&mut self, mut later: Self) {
        // Our rows first, then later's: both rolled up, in that order.
        self.roll_up();
        later.roll_up();
        if let (Some(a), Some(b)) = (&mut self.rake, &later.rake) {
            a.merge(b);
        }
        self.lookup_counts[0] += later.lookup_counts[0];
        self.lookup_counts[1] += later.lookup_counts[1];
        let DatasetPass {
            indicators,
            drivers,
            verbatims,
            keys,
            topics,
            value,
            ..
        } = later;
        for (a, b) in self.indicators.iter_mut().zip(indicators) {
            a.overall.merge(&b.overall);
            if let (Some(d), Some(e)) = (a.dist.as_mut(), b.dist.as_ref()) {
                d.merge(e);
            }
            merge_periods(&mut a.periods, b.periods);
            for (k, d) in b.dist_periods {
                match a.dist_periods.iter_mut().find(|(m, _)| *m == k) {
                    Some((_, mine)) => mine.merge(&d),
                    None => a.dist_periods.push((k, d)),
                }
            }
            for ((col, accs), names) in b.seg_accs.into_iter().enumerate().zip(&keys) {
                for (id, acc) in accs.into_iter().enumerate() {
                    let Some(acc) = acc else { continue };
                    let mine = self.keys[col].id(&names.names[id]);
                    let slots = &mut a.seg_accs[col];
                    if slots.len() <= mine {
                        slots.resize(mine + 1, None);
                    }
                    match &mut slots[mine] {
                        Some(m) => m.merge(&acc),
                        slot => *slot = Some(acc),
                    }
                }
            }
            for ((col, by_id), names) in b.seg_periods.into_iter().enumerate().zip(&keys) {
                for (id, periods) in by_id.into_iter().enumerate() {
                    if periods.is_empty() {
                        continue;
                    }
                    let mine = self.keys[col].id(&names.names[id]);
                    let slots = &mut a.seg_periods[col];
                    if slots.len() <= mine {
                        slots.resize(mine + 1, BTreeMap::new());
                    }
                    merge_periods(&mut slots[mine], periods);
                }
            }
            for (m, p) in a.personas.iter_mut().zip(&b.personas) {
                m.merge(p);
            }
            for (m, p) in a.persona_periods.iter_mut().zip(b.persona_periods) {
                merge_periods(m, p);
            }
        }
        for (a, b) in self.drivers.iter_mut().zip(drivers) {
            a.acc.merge(&b.acc);
            for (m, p) in a.personas.iter_mut().zip(&b.personas) {
                m.merge(p);
            }
            merge_driver_periods(&mut a.periods, b.periods);
            for (m, p) in a.persona_periods.iter_mut().zip(b.persona_periods) {
                merge_driver_periods(m, p);
            }
            if let (Some(m), Some(r)) = (a.rows.as_mut(), b.rows.as_ref()) {
                m.merge(r);
            }
        }
        if let (Some(a), Some(b)) = (self.verbatims.as_mut(), verbatims.as_ref()) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (self.topics.as_mut(), topics.as_ref()) {
            a.merge(&b.slots);
        }
        if let (Some(a), Some(b)) = (self.value.as_mut(), value.as_ref()) {
            a.merge(b);
        }
    }

    fn seal(&mut self) {
        self.roll_up();
    }

    fn save(&mut self) -> Vec<u8> {
        self.roll_up();
        self.encode_state()
    }

    fn load(&self, bytes: &[u8]) -> Option<Self> {
        self.decode_state(bytes)
    }
}

/// Merges `later`'s per-period driver sums into `mine`, ours first.
fn merge_driver_periods(
    mine: &mut BTreeMap<PeriodKey, DriverSums>,
    later: BTreeMap<PeriodKey, DriverSums>,
) {
    for (k, sums) in later {
        match mine.get_mut(&k) {
            Some(m) => m.merge(&sums),
            None => {
                mine.insert(k, sums);
            }
        }
    }
}
