//! Compute stage, between the rows and the results: the groups rolled up.
//!
//! Input: the per-group accumulators the rows filled (`row.rs`). Output: the
//! accumulators the results read — overall, per period, per interned segment
//! key, per persona, and the key drivers' sums — and, at the end of the pass
//! ([`DatasetPass::finish`]), the segment accumulators keyed by their text. It
//! exists because a row adds to one group rather than to every accumulator it
//! counts in: this is where each group's sum reaches them all, in group order.

use super::{DatasetPass, IndicatorPass};

impl DatasetPass<'_> {
    /// Ends the pass: the interned segment accumulators become
    /// [`IndicatorPass::segments`], keyed by text.
    pub fn finish(&mut self) {
        self.roll_up();
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
                for (id, accs) in group.keys.iter().zip(seg_accs.iter_mut()) {
                    let Some(id) = *id else { continue };
                    if accs.len() <= id {
                        accs.resize(id + 1, None);
                    }
                    accs[id]
                        .get_or_insert_with(|| measure.new_acc())
                        .merge(&acc);
                }
                for (p, _) in personas.iter_mut().zip(&group.matched).filter(|(_, m)| **m) {
                    p.merge(&acc);
                }
            }
        }
        for d in &mut self.drivers {
            for (cell, group) in d.cells.iter_mut().zip(groups) {
                let Some(sums) = cell.take() else { continue };
                d.acc.merge(&sums);
                for (p, _) in (d.personas.iter_mut().zip(&group.matched)).filter(|(_, m)| **m) {
                    p.merge(&sums);
                }
            }
        }
        self.groups.clear();
    }
}
