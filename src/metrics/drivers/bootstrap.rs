//! Compute stage, key drivers: bootstrap percentile intervals on each
//! importance (SPEC §8), and the rows they resample.
//!
//! # What is kept, and the cap
//! An analysis with `bootstrap:` keeps its complete rows in a [`RowStore`]:
//! per row the outcome, the attributes and the weight as `f32` (ratings and
//! 0–10 scores are exact in `f32`; a weight keeps 7 significant digits, far
//! below the bootstrap's own noise), plus its period, the personas it
//! belongs to (a 64-bit mask: the first 64 personas) and a 64-bit sampling
//! key — `4·(attributes + 2) + 24` bytes a row (48 bytes with 4 attributes).
//! Up to [`ROW_CAP`] rows (250,000: 12 MB with 4 attributes) every row is
//! kept, in file order. Above it the store keeps the [`ROW_CAP`] rows with the
//! smallest keys — a seeded hash of the row's *ordinal* (its position among
//! the analysis' complete rows of its file) and values, so a uniform random
//! sample that depends only on the data and the rows' order in their file:
//! never on how a file is cut into pieces (CSV pieces, Parquet row groups),
//! on the number of threads, or on the format (a CSV line number would not
//! do: a comment spanning lines moves every later line, while a Parquet
//! file numbers rows). It is a mergeable bottom-k sample, the deterministic
//! form of a reservoir.
//!
//! A piece read in parallel does not know how many rows come before it in
//! its file, so its store is *relative* ([`RowStore::relative_like`]): it
//! keeps every row with its ordinal within the piece and computes no key;
//! merged in file order into the file's store, its ordinals are shifted by
//! the rows before it and the keys computed then. Only a store that starts
//! at its file's first row (the file's own, and the dataset's) is cut: while
//! reading it grows to at most twice the cap before it is cut back, so the
//! memory bound is 2 × [`ROW_CAP`] rows plus the pieces waiting to be merged
//! (each at most a piece's complete rows: a Parquet row group, a CSV piece).
//!
//! # The intervals
//! Replicate b draws as many rows as the window (or persona) has, with
//! replacement, weights kept (the draws are counted, then each drawn row is
//! added once with its count, in store order, to weighted sums about the
//! rows' mean), from a ChaCha8 generator seeded by the fixed
//! [`SEED`] mixed with the analysis' name and b: each replicate is the same on
//! every run and thread count, and replicates run in parallel but are
//! collected in order. Each replicate's importances come from the same
//! Johnson computation as the estimate ([`DriverAcc`]); the interval is
//! their (1 − confidence)/2 and (1 + confidence)/2 percentiles (linear
//! interpolation, R's type 7) over the replicates where the importance
//! exists (at least half of them, else no interval). When the store holds a
//! sample of m of the window's N rows, the replicates' spread is that of an
//! m-row sample; it is scaled by √(m/N) around the estimate.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::DriverAcc;
use crate::metrics::periods::PeriodKey;
use crate::metrics::samples::seeded;

/// The most rows kept for the bootstrap of one analysis (see the module docs).
pub const ROW_CAP: usize = 250_000;

/// The fixed seed of every bootstrap ("cxscore" in ASCII).
pub const SEED: u64 = 0x0063_7873_636f_7265;

/// Where a kept row belongs, and its sampling key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RowMeta {
    /// The row's period (`None`: no date).
    pub period: Option<PeriodKey>,
    /// Bit i: the row matches persona i of the pass (i < 64).
    pub personas: u64,
    /// The sampling key (smallest kept above the cap).
    pub key: u64,
}

/// The complete rows of one analysis, for the bootstrap (see the module docs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RowStore {
    /// Numbers per row: outcome, attributes, weight.
    width: usize,
    /// The rows' numbers, `width` per row.
    values: Vec<f32>,
    /// Per row, its period, personas and key.
    meta: Vec<RowMeta>,
    /// Rows offered, kept or not.
    seen: u64,
    /// The most rows kept at the end ([`ROW_CAP`]; smaller in tests).
    cap: usize,
    /// A piece's store: each row's `key` holds its ordinal within the piece
    /// until it is merged (never cached: a file's store starts at its first row).
    #[serde(skip)]
    relative: bool,
}

impl RowStore {
    /// An empty store for `attributes` attributes.
    pub fn new(attributes: usize) -> Self {
        RowStore::with_cap(attributes, ROW_CAP)
    }

    /// An empty store keeping at most `cap` rows (tests use a small one).
    pub fn with_cap(attributes: usize, cap: usize) -> Self {
        RowStore {
            width: attributes + 2,
            cap: cap.max(1),
            ..RowStore::default()
        }
    }

    /// An empty store of the same shape.
    pub fn empty_like(&self) -> Self {
        RowStore::with_cap(self.width.saturating_sub(2), self.cap)
    }

    /// An empty store of the same shape for one piece of a file, whose rows'
    /// keys wait for the merge that tells how many rows came before them.
    pub fn relative_like(&self) -> Self {
        RowStore {
            relative: true,
            ..self.empty_like()
        }
    }

    /// Whether `other` has this shape (a cache entry must, to be merged).
    pub fn same_shape(&self, other: &RowStore) -> bool {
        self.width == other.width
            && self.cap == other.cap
            && other.values.len() == other.width * other.meta.len()
            && other.meta.len() <= 2 * other.cap
    }

    /// Rows kept.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// Whether no row is kept.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Rows offered, kept or not.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Whether the store holds a sample rather than every row.
    pub fn sampled(&self) -> bool {
        self.seen > self.meta.len() as u64
    }

    /// Row i's numbers: outcome, attributes, weight.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// Row i's period, personas and key.
    pub fn meta(&self, i: usize) -> &RowMeta {
        &self.meta[i]
    }

    /// Keeps one complete row (the next one of the store's file).
    pub fn push(
        &mut self,
        outcome: f64,
        attributes: &[f64],
        w: f64,
        period: Option<PeriodKey>,
        personas: u64,
    ) {
        if attributes.len() + 2 != self.width {
            return;
        }
        let ordinal = self.seen;
        self.seen += 1;
        let start = self.values.len();
        self.values.push(outcome as f32);
        self.values.extend(attributes.iter().map(|&x| x as f32));
        self.values.push(w as f32);
        let key = match self.relative {
            true => ordinal,
            false => key_of(ordinal, &self.values[start..]),
        };
        self.meta.push(RowMeta {
            period,
            personas,
            key,
        });
        self.trim();
    }

    /// Adds `other`'s rows after ours: a relative store's ordinals are
    /// shifted by the rows we saw (and keyed, unless we are relative too).
    pub fn merge(&mut self, other: &RowStore) {
        if other.width != self.width {
            return;
        }
        let before = self.meta.len();
        self.values.extend_from_slice(&other.values);
        self.meta.extend_from_slice(&other.meta);
        if other.relative {
            for i in before..self.meta.len() {
                let ordinal = self.seen + self.meta[i].key;
                self.meta[i].key = match self.relative {
                    true => ordinal,
                    false => key_of(ordinal, self.row(i)),
                };
            }
        }
        self.seen += other.seen;
        self.trim();
    }

    /// Cuts back to the cap above twice it (never a relative store: its keys
    /// are not known yet).
    fn trim(&mut self) {
        if !self.relative && self.meta.len() > 2 * self.cap {
            self.cut(self.cap);
        }
    }

    /// Ends the pass: above the cap, the cap's rows of smallest key, in key
    /// order (a canonical order, whatever the merges were).
    pub fn seal(&mut self) {
        if !self.relative && (self.sampled() || self.meta.len() > self.cap) {
            self.cut(self.cap);
        }
    }

    /// Keeps the `cap` rows of smallest (key, numbers), sorted so.
    fn cut(&mut self, cap: usize) {
        let mut order: Vec<usize> = (0..self.meta.len()).collect();
        order.sort_by(|&a, &b| {
            (self.meta[a].key.cmp(&self.meta[b].key))
                .then_with(|| {
                    let (ra, rb) = (self.row(a), self.row(b));
                    (ra.iter().zip(rb))
                        .map(|(x, y)| x.total_cmp(y))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                // Equal keys and numbers (the same ordinal in two files): by where
                // the row belongs, so the kept set never depends on merge order.
                .then_with(|| {
                    let (ma, mb) = (&self.meta[a], &self.meta[b]);
                    (ma.period, ma.personas).cmp(&(mb.period, mb.personas))
                })
        });
        order.truncate(cap);
        let values = order.iter().flat_map(|&i| self.row(i).to_vec()).collect();
        let meta = order.iter().map(|&i| self.meta[i]).collect();
        self.values = values;
        self.meta = meta;
    }
}

/// The sampling key of the row of `ordinal` in its file with these numbers.
fn key_of(ordinal: u64, numbers: &[f32]) -> u64 {
    (numbers.iter()).fold(seeded(ordinal, SEED), |h, v| {
        seeded(h ^ u64::from(v.to_bits()), SEED)
    })
}

/// A bootstrap's settings: replicates, confidence, and the stream's name
/// (the analysis' dataset and outcome, a persona's id).
#[derive(Debug, Clone, Copy)]
pub struct Bootstrap<'a> {
    /// Replicates.
    pub replicates: u32,
    /// For the percentiles.
    pub confidence: f64,
    /// Mixed into the seed, so each analysis has its own stream.
    pub name: &'a str,
}

/// What [`importance_intervals`] reads, digested: every number of the
/// rows it resamples, their count, the store's width and whether it is a
/// sample, the estimate, the window's total and the settings — so a build
/// whose stored rows and settings are unchanged can take the intervals a
/// previous build computed ([`crate::cache::Cache::memo`]) instead of
/// running the replicates again (most of an unchanged rebuild's time).
pub fn intervals_digest(
    store: &RowStore,
    rows: &[usize],
    estimate: &[Option<f64>],
    total: u64,
    b: Bootstrap<'_>,
) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    let mut head = Vec::new();
    head.extend_from_slice(b"importance_intervals 1");
    for n in [
        store.width as u64,
        u64::from(store.sampled()),
        total,
        rows.len() as u64,
    ] {
        head.extend_from_slice(&n.to_le_bytes());
    }
    head.extend_from_slice(&u64::from(b.replicates).to_le_bytes());
    head.extend_from_slice(&b.confidence.to_bits().to_le_bytes());
    head.extend_from_slice(&(b.name.len() as u64).to_le_bytes());
    head.extend_from_slice(b.name.as_bytes());
    head.extend_from_slice(&(estimate.len() as u64).to_le_bytes());
    for e in estimate {
        head.push(u8::from(e.is_some()));
        head.extend_from_slice(&e.unwrap_or(0.0).to_bits().to_le_bytes());
    }
    h.update(&head);
    // The rows' numbers, a block at a time (one update per number is slow).
    let mut block = Vec::with_capacity(64 * 1024);
    for &i in rows {
        for v in store.row(i) {
            block.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        if block.len() >= 60 * 1024 {
            h.update(&block);
            block.clear();
        }
    }
    h.update(&block);
    *h.finalize().as_bytes()
}

/// Percentile intervals of each importance from resampling the kept rows
/// `rows` (indices into `store`, in store order). `estimate` is the
/// importance computed on every row of the window; `total` the window's
/// complete rows (more than `rows.len()` when the store holds a sample).
pub fn importance_intervals(
    store: &RowStore,
    rows: &[usize],
    estimate: &[Option<f64>],
    total: u64,
    b: Bootstrap<'_>,
) -> Vec<Option<(f64, f64)>> {
    let p = store.width.saturating_sub(2);
    let m = rows.len();
    if m == 0 || b.replicates == 0 || p == 0 {
        return vec![None; p];
    }
    let base = seeded(crate::metrics::samples::fnv1a(b.name), SEED);
    let centre = centre_of(store, rows);
    let patterns = Patterns::of(store, rows);
    let replicate = |r: u32| -> Vec<Option<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seeded(base, u64::from(r)));
        // The draws are counted first, then each drawn row is added once
        // with its count, in store order: the same multiset of rows as
        // adding them as drawn, read sequentially (drawn at random, the
        // rows of a 250,000-row store miss the cache on almost every draw).
        let mut times = vec![0u32; m];
        for _ in 0..m {
            // Lemire's multiply-shift: an index below m, bias below m / 2⁶⁴.
            let i = ((u128::from(rng.next_u64()) * m as u128) >> 64) as usize;
            times[i] += 1;
        }
        let mut sums = CentredSums::new(&centre);
        match &patterns {
            Some(patterns) => patterns.add_draws(&mut sums, &times),
            None => {
                for (&row, &t) in rows.iter().zip(&times) {
                    if t > 0 {
                        sums.add(store.row(row), u64::from(t));
                    }
                }
            }
        }
        sums.into_acc().finish().importance
    };
    let reps: Vec<Vec<Option<f64>>> = (0..b.replicates).into_par_iter().map(replicate).collect();
    // The sample's own estimate, the centre of the scaled spread (sampled stores only).
    let scale = (store.sampled() && total > m as u64).then(|| {
        let mut acc = DriverAcc::new(p);
        let mut attrs = vec![0.0; p];
        for &i in rows {
            let row = store.row(i);
            for (a, x) in attrs.iter_mut().zip(&row[1..=p]) {
                *a = f64::from(*x);
            }
            acc.add(f64::from(row[0]), &attrs, f64::from(row[p + 1]));
        }
        (acc.finish().importance, (m as f64 / total as f64).sqrt())
    });
    let alpha = 1.0 - b.confidence;
    (0..p)
        .map(|j| {
            let mut values: Vec<f64> = reps.iter().filter_map(|r| r[j]).collect();
            if values.len() * 2 < b.replicates as usize {
                return None;
            }
            values.sort_by(f64::total_cmp);
            let (lo, hi) = (
                quantile(&values, alpha / 2.0),
                quantile(&values, 1.0 - alpha / 2.0),
            );
            match &scale {
                None => Some((lo, hi)),
                Some((sub, f)) => {
                    let (est, centre) = (estimate.get(j).copied().flatten()?, sub[j]?);
                    Some((est + f * (lo - centre), est + f * (hi - centre)))
                }
            }
        })
        .collect()
}

/// The unweighted mean of each number of `rows` but the weight (outcome,
/// attributes): the point [`CentredSums`] measure from.
fn centre_of(store: &RowStore, rows: &[usize]) -> Vec<f64> {
    let k = store.width.saturating_sub(1);
    let mut c = vec![0.0; k];
    for &i in rows {
        for (c, x) in c.iter_mut().zip(store.row(i)) {
            *c += f64::from(*x);
        }
    }
    let m = rows.len().max(1) as f64;
    c.iter_mut().for_each(|c| *c /= m);
    c
}

/// The kept rows grouped by their numbers but the weight (outcome and
/// attributes). Ratings take few values — the example's 0–10 outcome and
/// four 1–5 attributes at most 11 × 5⁴ = 6,875 patterns for 250,000 rows —
/// and Σw·d dᵀ over rows is Σ over patterns of (Σw of its rows)·d dᵀ: a
/// replicate adds each drawn row's weight to its pattern (one addition),
/// then each pattern's d dᵀ once, instead of d dᵀ per drawn row.
struct Patterns {
    /// Per kept row (parallel to `rows`): its pattern, or [`SKIPPED`] for a
    /// row [`DriverAcc::add`] refuses (a weight or number not finite, a
    /// negative weight).
    of_row: Vec<u32>,
    /// Per kept row: its weight.
    weight: Vec<f64>,
    /// Each pattern's numbers, `width` at a time, in first-seen order.
    values: Vec<f32>,
    width: usize,
}

/// [`Patterns::of_row`] of a refused row.
const SKIPPED: u32 = u32::MAX;

/// Whether [`DriverAcc::add`] refuses stored `row` (its `k` numbers, then
/// its weight): a weight or number not finite, or a negative weight.
#[inline]
fn refused(row: &[f32], k: usize) -> bool {
    let weight = row[k];
    !weight.is_finite() || weight < 0.0 || row[..k].iter().any(|x| !x.is_finite())
}

impl Patterns {
    /// The patterns of `rows`; `None` when they are not few (more than a
    /// quarter of the rows: continuous numbers), where grouping saves nothing.
    fn of(store: &RowStore, rows: &[usize]) -> Option<Patterns> {
        let k = store.width.checked_sub(1)?;
        let mut ids: std::collections::HashMap<Vec<u32>, u32, foldhash::fast::FixedState> =
            Default::default();
        let mut p = Patterns {
            of_row: Vec::with_capacity(rows.len()),
            weight: Vec::with_capacity(rows.len()),
            values: Vec::new(),
            width: k,
        };
        let mut key = Vec::with_capacity(k);
        for &i in rows {
            let row = store.row(i);
            p.weight.push(f64::from(row[k]));
            if refused(row, k) {
                p.of_row.push(SKIPPED);
                continue;
            }
            key.clear();
            key.extend(row[..k].iter().map(|x| x.to_bits()));
            // Looked up by the scratch key: a new one is copied only when new.
            let id = match ids.get(key.as_slice()) {
                Some(&id) => id,
                None => {
                    let id = ids.len() as u32;
                    ids.insert(key.clone(), id);
                    p.values.extend_from_slice(&row[..k]);
                    if ids.len() * 4 > rows.len().max(64) {
                        return None;
                    }
                    id
                }
            };
            p.of_row.push(id);
        }
        Some(p)
    }

    /// Adds the rows drawn `times[j]` times (parallel to the kept rows) to
    /// `sums`: the same counts and sums as [`CentredSums::add`] per row, the
    /// products added per pattern.
    fn add_draws(&self, sums: &mut CentredSums<'_>, times: &[u32]) {
        let patterns = self.values.len() / self.width.max(1);
        let mut w = vec![0.0f64; patterns];
        for ((&t, &id), &weight) in times.iter().zip(&self.of_row).zip(&self.weight) {
            if t == 0 {
                continue;
            }
            let t = u64::from(t);
            if sums.count(id == SKIPPED, weight, t) {
                w[id as usize] += weight * t as f64;
            }
        }
        for (values, &w) in self.values.chunks_exact(self.width).zip(&w) {
            if w != 0.0 {
                sums.add_weighted(values, w);
            }
        }
    }
}

/// A replicate's weighted sums about a fixed centre c: Σw, Σw·d and the
/// upper triangle of Σw·d dᵀ with d = x − c. The same moments as
/// [`DriverAcc::add`]'s running update (mean = c + Σw·d / Σw, co-moments
/// Σw·d dᵀ − (Σw·d)(Σw·d)ᵀ / Σw) without its division per row: rows of
/// ratings measured from their mean keep the sums small, so nothing
/// cancels (tested against row-by-row replicates to 1e-9).
struct CentredSums<'c> {
    centre: &'c [f64],
    n: u64,
    n_pos: u64,
    skipped: u64,
    w: f64,
    wd: Vec<f64>,
    /// Upper triangle, row-major: (0,0), (0,1), …, (0,k−1), (1,1), …
    wdd: Vec<f64>,
    d: Vec<f64>,
}

impl<'c> CentredSums<'c> {
    fn new(centre: &'c [f64]) -> Self {
        let k = centre.len();
        CentredSums {
            centre,
            n: 0,
            n_pos: 0,
            skipped: 0,
            w: 0.0,
            wd: vec![0.0; k],
            wdd: vec![0.0; k * (k + 1) / 2],
            d: vec![0.0; k],
        }
    }

    /// A stored row (outcome, attributes, weight) drawn `times` times; a
    /// row [`DriverAcc::add`] would refuse is skipped the same way.
    #[inline]
    fn add(&mut self, row: &[f32], times: u64) {
        let k = self.centre.len();
        let weight = f64::from(row[k]);
        if self.count(refused(row, k), weight, times) {
            self.add_weighted(&row[..k], weight * times as f64);
        }
    }

    /// Counts a row drawn `times` times as [`DriverAcc::add`] counts it: a
    /// refused row as skipped, any other in n and, weighted, in n_pos. True
    /// when its weight is to be added to the sums.
    #[inline]
    fn count(&mut self, refused: bool, weight: f64, times: u64) -> bool {
        if refused {
            self.skipped += times;
            return false;
        }
        self.n += times;
        if weight == 0.0 {
            return false;
        }
        self.n_pos += times;
        true
    }

    /// Adds numbers `values` (outcome, attributes) with total weight `w`
    /// to the sums of the products (not to the counts).
    #[inline]
    fn add_weighted(&mut self, values: &[f32], w: f64) {
        let k = self.centre.len();
        self.w += w;
        for ((d, x), c) in self.d.iter_mut().zip(values).zip(self.centre) {
            *d = f64::from(*x) - c;
        }
        let mut at = 0;
        for i in 0..k {
            let wdi = w * self.d[i];
            self.wd[i] += wdi;
            for (s, dj) in self.wdd[at..at + k - i].iter_mut().zip(&self.d[i..]) {
                *s += wdi * dj;
            }
            at += k - i;
        }
    }

    /// The accumulator [`DriverAcc::add`] would have built from the same rows.
    fn into_acc(self) -> DriverAcc {
        let k = self.centre.len();
        let mut acc = DriverAcc::new(k.saturating_sub(1));
        acc.n = self.n;
        acc.n_pos = self.n_pos;
        acc.skipped = self.skipped;
        acc.w = self.w;
        if self.w > 0.0 {
            let mut at = 0;
            for i in 0..k {
                acc.mean[i] = self.centre[i] + self.wd[i] / self.w;
                for j in i..k {
                    acc.com[i * k + j] = self.wdd[at] - self.wd[i] * self.wd[j] / self.w;
                    at += 1;
                }
            }
        }
        acc
    }
}

/// The `q` quantile of sorted `v` by linear interpolation (R's type 7).
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// For each attribute, the others whose interval overlaps its own: their
/// ranks cannot be told apart. Empty for an attribute without an interval.
pub fn overlaps(intervals: &[Option<(f64, f64)>]) -> Vec<Vec<usize>> {
    (intervals.iter().enumerate())
        .map(|(i, a)| {
            let Some((alo, ahi)) = a else {
                return Vec::new();
            };
            (intervals.iter().enumerate())
                .filter(|(j, b)| *j != i && b.is_some_and(|(blo, bhi)| *alo <= bhi && blo <= *ahi))
                .map(|(j, _)| j)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_sums_with_counts_equal_adding_each_draw() {
        // Rows of (outcome, two ratings, weight), each drawn 0–3 times.
        let mut store = RowStore::with_cap(2, 100);
        let rows: Vec<(f64, [f64; 2], f64)> = (0..40)
            .map(|i| {
                let (a, b) = (f64::from(1 + i % 5), f64::from(1 + (i * 7) % 5));
                (
                    ((2.0 * a + b + f64::from(i % 3)) % 11.0),
                    [a, b],
                    0.5 + f64::from(i % 4) * 0.25,
                )
            })
            .collect();
        for (y, x, w) in &rows {
            store.push(*y, x, *w, None, 0);
        }
        store.seal();
        let all: Vec<usize> = (0..store.len()).collect();
        let centre = centre_of(&store, &all);
        let (mut sums, mut each) = (CentredSums::new(&centre), DriverAcc::new(2));
        for (i, (y, x, w)) in rows.iter().enumerate() {
            let times = (i % 4) as u64;
            sums.add(store.row(i), times);
            for _ in 0..times {
                each.add(*y, x, *w);
            }
        }
        let (a, b) = (sums.into_acc(), each);
        assert_eq!((a.n, a.n_pos, a.skipped), (b.n, b.n_pos, b.skipped));
        assert_eq!(a.n, 60, "0 + 1 + 2 + 3 draws per four rows");
        assert!((a.w - b.w).abs() < 1e-12);
        for (u, v) in a.mean.iter().zip(&b.mean) {
            assert!((u - v).abs() < 1e-12, "mean {u} {v}");
        }
        for i in 0..3 {
            for j in i..3 {
                let (u, v) = (a.com[i * 3 + j], b.com[i * 3 + j]);
                assert!(
                    (u - v).abs() < 1e-9 * v.abs().max(1.0),
                    "com {i}{j}: {u} {v}"
                );
            }
        }
        // A row the accumulator refuses (negative weight) is skipped per draw.
        let mut refused = CentredSums::new(&centre);
        refused.add(&[5.0, 1.0, 2.0, -1.0], 3);
        assert_eq!((refused.skipped, refused.n), (3, 0));
    }

    #[test]
    fn draws_summed_by_pattern_equal_draws_summed_row_by_row() {
        // 3,000 rows of a 0–10 outcome and three 1–5 ratings (at most 11 × 125
        // patterns), weights of several sizes, zero weights and refused rows.
        let mut store = RowStore::with_cap(3, 10_000);
        let mut x = 7u64;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        for i in 0..3000 {
            let a = [1 + next(5), 1 + next(5), 1 + next(5)].map(|v| v as f64);
            let y = ((a[0] + a[1] * 2.0) as u64 + next(3)) % 11;
            let w = match i % 50 {
                0 => 0.0,
                2 => -1.0,
                _ => 0.25 + next(400) as f64 / 100.0,
            };
            store.push(y as f64, &a, w, None, 0);
        }
        store.seal();
        let rows: Vec<usize> = (0..store.len()).step_by(2).collect();
        let centre = centre_of(&store, &rows);
        let patterns = Patterns::of(&store, &rows).expect("ratings make few patterns");
        assert!(patterns.values.len() / 4 <= 11 * 125);
        let times: Vec<u32> = (0..rows.len()).map(|_| next(4) as u32).collect();
        let (mut by_row, mut grouped) = (CentredSums::new(&centre), CentredSums::new(&centre));
        for (&row, &t) in rows.iter().zip(&times) {
            by_row.add(store.row(row), u64::from(t));
        }
        patterns.add_draws(&mut grouped, &times);
        let (a, b) = (grouped.into_acc(), by_row.into_acc());
        assert_eq!((a.n, a.n_pos, a.skipped), (b.n, b.n_pos, b.skipped));
        assert!(
            a.skipped > 0 && a.n > a.n_pos,
            "refused and zero-weight rows drawn"
        );
        assert!((a.w - b.w).abs() < 1e-9 * b.w);
        for (u, v) in a.mean.iter().zip(&b.mean) {
            assert!((u - v).abs() < 1e-12, "mean {u} {v}");
        }
        for (u, v) in a.com.iter().zip(&b.com) {
            assert!((u - v).abs() < 1e-9 * v.abs().max(1.0), "com {u} {v}");
        }
        // Continuous numbers are not grouped.
        let mut smooth = RowStore::with_cap(1, 1000);
        for i in 0..400 {
            smooth.push(f64::from(i) / 7.0, &[f64::from(i) / 3.0], 1.0, None, 0);
        }
        smooth.seal();
        let all: Vec<usize> = (0..smooth.len()).collect();
        assert!(Patterns::of(&smooth, &all).is_none());
    }
}
