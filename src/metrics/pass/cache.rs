//! Compute stage, build cache: one file's accumulators as bytes and back.
//!
//! Input: a pass that has read one file (rolled up, not finished), or the
//! bytes the cache stored for that file. Output: those bytes (postcard), or a
//! fork of the pass holding them — `None` when they do not decode or do not
//! fit this plan's shape, so a stale or damaged entry is never merged. It
//! exists so the format is in one place: the field order of [`StateRef`] and
//! [`State`] is the stored layout, and changing it means bumping `FORMAT` in
//! [`crate::cache`].

use std::collections::BTreeMap;

use super::DatasetPass;
use crate::data::scan::SplitSink;
use crate::metrics::acc::Acc;
use crate::metrics::distribution::Dist;
use crate::metrics::drivers::bootstrap::RowStore;
use crate::metrics::drivers::sums::DriverSums;
use crate::metrics::measure::Measure;
use crate::metrics::periods::PeriodKey;
use crate::metrics::rake::CellTable;
use crate::metrics::topics::pass::TopicSlot;
use crate::metrics::value::ValueSums;
use crate::metrics::verbatims::VerbatimPass;

/// The accumulating state of a pass, as stored in the build cache (borrowed
/// to write it; see [`State`] to read it back).
#[derive(serde::Serialize)]
struct StateRef<'a> {
    indicators: Vec<IndicatorStateRef<'a>>,
    drivers: Vec<DriverStateRef<'a>>,
    verbatims: Option<&'a VerbatimPass>,
    keys: Vec<&'a [String]>,
    topics: Option<&'a [TopicSlot]>,
    /// A raked dataset's first pass: the file's cell table.
    rake: Option<&'a CellTable>,
    /// The value at stake's sums: per period, and undated.
    value: Option<(&'a BTreeMap<PeriodKey, ValueSums>, &'a ValueSums)>,
    /// Rows that matched the lookup table, and did not (SPEC §9).
    lookup_counts: [u64; 2],
}

#[derive(serde::Serialize)]
struct DriverStateRef<'a> {
    acc: &'a DriverSums,
    personas: &'a [DriverSums],
    periods: &'a BTreeMap<PeriodKey, DriverSums>,
    persona_periods: &'a [BTreeMap<PeriodKey, DriverSums>],
    rows: Option<&'a RowStore>,
}

/// [`DriverStateRef`] read back.
#[derive(serde::Deserialize)]
struct DriverState {
    acc: DriverSums,
    personas: Vec<DriverSums>,
    periods: BTreeMap<PeriodKey, DriverSums>,
    persona_periods: Vec<BTreeMap<PeriodKey, DriverSums>>,
    rows: Option<RowStore>,
}

#[derive(serde::Serialize)]
struct IndicatorStateRef<'a> {
    overall: &'a Acc,
    dist: Option<&'a Dist>,
    dist_periods: &'a [(PeriodKey, Dist)],
    periods: &'a BTreeMap<PeriodKey, Acc>,
    seg_accs: &'a [Vec<Option<Acc>>],
    personas: &'a [Acc],
    seg_periods: &'a [Vec<BTreeMap<PeriodKey, Acc>>],
    persona_periods: &'a [BTreeMap<PeriodKey, Acc>],
}

/// [`StateRef`] read back.
#[derive(serde::Deserialize)]
struct State {
    indicators: Vec<IndicatorState>,
    drivers: Vec<DriverState>,
    verbatims: Option<VerbatimPass>,
    keys: Vec<Vec<String>>,
    topics: Option<Vec<TopicSlot>>,
    rake: Option<CellTable>,
    value: Option<(BTreeMap<PeriodKey, ValueSums>, ValueSums)>,
    lookup_counts: [u64; 2],
}

#[derive(serde::Deserialize)]
struct IndicatorState {
    overall: Acc,
    dist: Option<Dist>,
    dist_periods: Vec<(PeriodKey, Dist)>,
    periods: BTreeMap<PeriodKey, Acc>,
    seg_accs: Vec<Vec<Option<Acc>>>,
    personas: Vec<Acc>,
    seg_periods: Vec<Vec<BTreeMap<PeriodKey, Acc>>>,
    persona_periods: Vec<BTreeMap<PeriodKey, Acc>>,
}

/// True when a stored accumulator is of the kind `measure` makes (a
/// percentile may have switched to its sketch).
fn fits(measure: &Measure, acc: &Acc) -> bool {
    let fresh = measure.new_acc();
    let kind = |a: &Acc| match a {
        Acc::Pct { .. } | Acc::Sketched { .. } => 0,
        Acc::Net { .. } => 1,
        Acc::Prop { .. } => 2,
        Acc::Mean { .. } => 3,
        Acc::Count { .. } => 4,
    };
    kind(&fresh) == kind(acc)
}

impl DatasetPass<'_> {
    /// The accumulators of a pass that has read one file (a fork, before
    /// [`DatasetPass::finish`]), encoded for the build cache.
    pub(super) fn encode_state(&self) -> Vec<u8> {
        let state = StateRef {
            indicators: (self.indicators.iter())
                .map(|i| IndicatorStateRef {
                    overall: &i.overall,
                    dist: i.dist.as_ref(),
                    dist_periods: &i.dist_periods,
                    periods: &i.periods,
                    seg_accs: &i.seg_accs,
                    personas: &i.personas,
                    seg_periods: &i.seg_periods,
                    persona_periods: &i.persona_periods,
                })
                .collect(),
            drivers: (self.drivers.iter())
                .map(|d| DriverStateRef {
                    acc: &d.acc,
                    personas: &d.personas,
                    periods: &d.periods,
                    persona_periods: &d.persona_periods,
                    rows: d.rows.as_ref(),
                })
                .collect(),
            verbatims: self.verbatims.as_ref(),
            keys: self.keys.iter().map(|k| k.names.as_slice()).collect(),
            topics: self.topics.as_ref().map(|t| t.slots.as_slice()),
            rake: self.gathering(),
            value: self.value.as_ref().map(|v| (&v.periods, &v.undated)),
            lookup_counts: self.lookup_counts,
        };
        // Serialising plain data to a Vec cannot fail; an empty entry would be refused on load.
        postcard::to_stdvec(&state).unwrap_or_default()
    }

    /// A fork of this pass holding the accumulators [`DatasetPass::save`]
    /// wrote; `None` when they do not decode or do not have this plan's shape
    /// (so a bad cache entry is never merged).
    pub(super) fn decode_state(&self, bytes: &[u8]) -> Option<Self> {
        let state: State = postcard::from_bytes(bytes).ok()?;
        let mut fork = self.fork();
        let shaped = state.indicators.len() == fork.indicators.len()
            && state.drivers.len() == fork.drivers.len()
            && state.keys.len() == fork.keys.len()
            && state.verbatims.is_some() == fork.verbatims.is_some()
            && state.topics.is_some() == fork.topics.is_some()
            && state.value.is_some() == fork.value.is_some();
        if !shaped || !fork.load_gathered(state.rake) {
            return None;
        }
        fork.lookup_counts = state.lookup_counts;
        for (ind, s) in fork.indicators.iter_mut().zip(state.indicators) {
            let m = &ind.measure;
            let ok = fits(m, &s.overall)
                && s.dist.is_some() == ind.dist.is_some()
                && s.dist
                    .as_ref()
                    .zip(ind.dist.as_ref())
                    .is_none_or(|(a, b)| a.lo == b.lo && a.weights.len() == b.weights.len())
                && s.periods.values().all(|a| fits(m, a))
                && (s.dist_periods.is_empty() || ind.dist.is_some())
                && (s.dist_periods.iter()).all(|(_, d)| {
                    ind.dist
                        .as_ref()
                        .is_some_and(|b| d.lo == b.lo && d.weights.len() == b.weights.len())
                })
                && s.seg_accs.len() == ind.seg_accs.len()
                && (s.seg_accs.iter().zip(&state.keys))
                    .all(|(accs, names)| accs.len() <= names.len())
                && s.seg_accs.iter().flatten().flatten().all(|a| fits(m, a))
                && s.personas.len() == ind.personas.len()
                && s.personas.iter().all(|a| fits(m, a))
                && s.seg_periods.len() == ind.seg_periods.len()
                && (s.seg_periods.iter().zip(&state.keys))
                    .all(|(by_id, names)| by_id.len() <= names.len())
                && (s.seg_periods.iter().flatten().flat_map(|p| p.values())).all(|a| fits(m, a))
                && s.persona_periods.len() == ind.persona_periods.len()
                && (s.persona_periods.iter().flat_map(|p| p.values())).all(|a| fits(m, a));
            if !ok {
                return None;
            }
            ind.overall = s.overall;
            ind.dist = s.dist;
            ind.dist_periods = s.dist_periods;
            ind.dist_last = 0;
            ind.periods = s.periods;
            ind.seg_accs = s.seg_accs;
            ind.personas = s.personas;
            ind.seg_periods = s.seg_periods;
            ind.persona_periods = s.persona_periods;
        }
        for (d, s) in fork.drivers.iter_mut().zip(state.drivers) {
            let fits = |x: &DriverSums| d.acc.same_shape(x);
            let ok = fits(&s.acc)
                && s.personas.len() == d.personas.len()
                && s.personas.iter().all(fits)
                && s.periods.values().all(fits)
                && s.persona_periods.len() == d.persona_periods.len()
                && (s.persona_periods.iter().flat_map(|p| p.values())).all(fits)
                && match (&d.rows, &s.rows) {
                    (Some(mine), Some(stored)) => mine.same_shape(stored),
                    (None, None) => true,
                    _ => false,
                };
            if !ok {
                return None;
            }
            d.acc = s.acc;
            d.personas = s.personas;
            d.periods = s.periods;
            d.persona_periods = s.persona_periods;
            d.rows = s.rows;
        }
        if let (Some(mine), Some(stored)) = (fork.verbatims.as_ref(), state.verbatims.as_ref()) {
            if !mine.same_shape(stored) {
                return None;
            }
        }
        fork.verbatims = state.verbatims;
        if let (Some(mine), Some(stored)) = (fork.topics.as_mut(), state.topics) {
            if !mine.fits(&stored) {
                return None;
            }
            mine.merge(&stored);
        }
        if let (Some(mine), Some((periods, undated))) = (fork.value.as_mut(), &state.value) {
            mine.absorb(periods, undated);
        }
        for (keys, names) in fork.keys.iter_mut().zip(state.keys) {
            for name in &names {
                keys.id(name);
            }
            if keys.names != names {
                // Duplicate names: not something save() writes.
                return None;
            }
        }
        Some(fork)
    }
}
