//! Compute stage, between the rows and the results: the groups rolled up.
//!
//! Input: the per-group accumulators the rows filled (`row.rs`). Output: the
//! accumulators the results read — overall, per period, per interned segment
//! key, per persona, and the key drivers' sums — and, at the end of the pass
//! ([`DatasetPass::finish`]), the segment accumulators keyed by their text. It
//! exists because a row adds to one group rather than to every accumulator it
//! counts in: this is where each group's sum reaches them all, in group order.

use std::collections::BTreeMap;

use super::{DatasetPass, IndicatorPass};
use crate::metrics::acc::Acc;
use crate::metrics::measure::Measure;
use crate::metrics::periods::PeriodKey;

/// Adds `acc` to period `p` of `periods`.
fn add_to_period(
    periods: &mut BTreeMap<PeriodKey, Acc>,
    p: PeriodKey,
    measure: &Measure,
    acc: &Acc,
) {
    periods
        .entry(p)
        .or_insert_with(|| measure.new_acc())
        .merge(acc);
}

/// Merges `later`'s periods into `mine`, ours first.
pub(super) fn merge_periods(mine: &mut BTreeMap<PeriodKey, Acc>, later: BTreeMap<PeriodKey, Acc>) {
    for (k, acc) in later {
        match mine.get_mut(&k) {
            Some(m) => m.merge(&acc),
            None => {
                mine.insert(k, acc);
            }
        }
    }
}

impl DatasetPass<'_> {
    /// Ends the pass: the interned segment accumulators become
    /// [`IndicatorPass::segments`], keyed by text.
    pub fn finish(&mut self) {
        self.roll_up();
        for d in &mut self.drivers {
            if let Some(rows) = &mut d.rows {
                rows.seal();
            }
        }
        for ind in &mut self.indicators {
            for ((accs, keys), map) in
                (ind.seg_accs.iter_mut().zip(&self.keys)).zip(ind.segments.iter_mut())
            {
                for (id, acc) in std::mem::take(accs).into_iter().enumerate() {
                    if let Some(acc) = acc {
                        map.insert(keys.names[id].clone(), acc);
                    }
                }
            }
            for ((by_id, keys), map) in
                (ind.seg_periods.iter_mut().zip(&self.keys)).zip(ind.segment_periods.iter_mut())
            {
                for (id, periods) in std::mem::take(by_id).into_iter().enumerate() {
                    if !periods.is_empty() {
                        map.insert(keys.names[id].clone(), periods);
                    }
                }
            }
        }
    }

    /// Adds every group's accumulator to the overall, period, segment and
    /// persona accumulators it stands for, in group order, and forgets the
    /// groups. Called before anything reads those accumulators (finish,
    /// merge, save) and when the group table is full.
    pub(super) fn roll_up(&mut self) {
        let groups = self.groups.all();
        for ind in &mut self.indicators {
            let IndicatorPass {
                measure,
                overall,
                periods,
                seg_accs,
                personas,
                seg_periods,
                persona_periods,
                cells,
                ..
            } = ind;
            // Taken one by one and cleared, so the vector keeps its
            // capacity for the next groups (no reallocation per roll-up).
            for (cell, group) in cells.iter_mut().zip(groups) {
                let Some(acc) = cell.take() else { continue };
                overall.merge(&acc);
                if let Some(p) = group.period {
                    periods
                        .entry(p)
                        .or_insert_with(|| measure.new_acc())
                        .merge(&acc);
                }
                for ((id, accs), by_id) in
                    (group.keys.iter().zip(seg_accs.iter_mut())).zip(seg_periods.iter_mut())
                {
                    let Some(id) = *id else { continue };
                    if accs.len() <= id {
                        accs.resize(id + 1, None);
                    }
                    accs[id]
                        .get_or_insert_with(|| measure.new_acc())
                        .merge(&acc);
                    if let Some(p) = group.period {
                        if by_id.len() <= id {
                            by_id.resize(id + 1, BTreeMap::new());
                        }
                        add_to_period(&mut by_id[id], p, measure, &acc);
                    }
                }
                for ((p, by_period), _) in (personas.iter_mut().zip(persona_periods.iter_mut()))
                    .zip(&group.matched)
                    .filter(|(_, m)| **m)
                {
                    p.merge(&acc);
                    if let Some(period) = group.period {
                        add_to_period(by_period, period, measure, &acc);
                    }
                }
            }
        }
        for d in &mut self.drivers {
            let empty = d.acc.empty_like();
            for (cell, group) in d.cells.iter_mut().zip(groups) {
                let Some(sums) = cell.take() else { continue };
                d.acc.merge(&sums);
                if let Some(p) = group.period {
                    (d.periods.entry(p))
                        .or_insert_with(|| empty.clone())
                        .merge(&sums);
                }
                for ((p, by_period), _) in (d.personas.iter_mut().zip(&mut d.persona_periods))
                    .zip(&group.matched)
                    .filter(|(_, m)| **m)
                {
                    p.merge(&sums);
                    if let Some(period) = group.period {
                        (by_period.entry(period))
                            .or_insert_with(|| empty.clone())
                            .merge(&sums);
                    }
                }
            }
        }
        self.groups.clear();
        if let Some(topics) = &mut self.topics {
            let names: Vec<&[String]> = self.keys.iter().map(|k| k.names.as_slice()).collect();
            topics.settle(&names);
        }
    }
}
