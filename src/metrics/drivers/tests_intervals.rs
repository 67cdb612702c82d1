//! Tests of SPEC §8's additions to key drivers: the sums with their band tallies merge like
//! one scan; the bootstrap's row store keeps every row up to its cap and a split-independent
//! sample above it; the intervals are deterministic, contain the estimate, and widen when the
//! data say less. Expected numbers come from independent computations written here.

use super::bootstrap::{importance_intervals, overlaps, quantile, Bootstrap, RowStore};
use super::sums::DriverSums;
use crate::project::model::{Band, DriverBands, Range};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BANDS: DriverBands = DriverBands {
    scale: Range { lo: 1.0, hi: 5.0 },
    low: Range { lo: 1.0, hi: 2.0 },
    high: Range { lo: 5.0, hi: 5.0 },
};

/// Rows of (outcome 0–10, three ratings 1–5, weight), the outcome driven by the ratings.
fn rows(seed: u64, n: usize) -> Vec<(f64, Vec<f64>, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let base: f64 = rng.random_range(1.0..5.0);
            let x: Vec<f64> = (0..3)
                .map(|_| (base + rng.random_range(-1.5..1.5)).round().clamp(1.0, 5.0))
                .collect();
            let y = (1.6 * x[0] + 0.6 * x[1] + 0.2 * x[2] + rng.random_range(-2.0..2.0) - 1.0)
                .round()
                .clamp(0.0, 10.0);
            (y, x, rng.random_range(0.5..2.0))
        })
        .collect()
}

#[test]
fn bands_place_every_rating() {
    assert_eq!(BANDS.band(1.0), Band::Low);
    assert_eq!(BANDS.band(2.0), Band::Low);
    assert_eq!(BANDS.band(2.5), Band::Middle);
    assert_eq!(BANDS.band(4.0), Band::Middle);
    assert_eq!(BANDS.band(5.0), Band::High);
}

#[test]
fn sums_merge_like_one_scan_and_tally_by_hand() {
    let data = rows(7, 500);
    let mut one = DriverSums::new(3, true);
    let (mut a, mut b) = (DriverSums::new(3, true), DriverSums::new(3, true));
    for (i, (y, x, w)) in data.iter().enumerate() {
        one.add(*y, x, *w, Some(&BANDS));
        if i < 211 { &mut a } else { &mut b }.add(*y, x, *w, Some(&BANDS));
    }
    a.merge(&b);
    for (t1, t2) in one.bands.iter().flatten().zip(a.bands.iter().flatten()) {
        assert_eq!(t1.n, t2.n);
        for (u, v) in [
            (t1.w, t2.w),
            (t1.promoters, t2.promoters),
            (t1.detractors, t2.detractors),
        ] {
            assert!((u - v).abs() < 1e-9, "{u} {v}");
        }
    }
    assert!((one.w2 - a.w2).abs() < 1e-9);
    // By hand: attribute 0's low band, its detractors' weight.
    let hand: f64 = (data.iter())
        .filter(|(y, x, _)| x[0] <= 2.0 && *y <= 6.0)
        .map(|r| r.2)
        .sum();
    assert!((one.bands[0][0].detractors - hand).abs() < 1e-9);
    let n: u64 = one.bands[0].iter().map(|t| t.n).sum();
    assert_eq!(n, 500, "every row in exactly one band");
    // An outcome off 0–10 is counted, and no band takes it.
    let mut off = DriverSums::new(3, true);
    off.add(11.0, &[1.0, 2.0, 3.0], 1.0, Some(&BANDS));
    assert_eq!(off.off_scale, 1);
    assert_eq!(off.bands[0][0].n, 0);
    assert_eq!(off.moments.finish().n, 1);
}

fn store(data: &[(f64, Vec<f64>, f64)], cap: usize, split: usize) -> RowStore {
    let mut all = RowStore::with_cap(3, cap);
    let mut piece = all.relative_like();
    for (i, (y, x, w)) in data.iter().enumerate() {
        if i > 0 && i % split == 0 {
            all.merge(&piece);
            piece = all.relative_like();
        }
        piece.push(*y, x, *w, None, 0);
    }
    all.merge(&piece);
    all.seal();
    all
}

/// The same rows pushed straight into one store (a file read in one pass).
fn one_pass(data: &[(f64, Vec<f64>, f64)], cap: usize) -> RowStore {
    let mut all = RowStore::with_cap(3, cap);
    for (y, x, w) in data {
        all.push(*y, x, *w, None, 0);
    }
    all.seal();
    all
}

fn kept(s: &RowStore) -> Vec<Vec<f32>> {
    (0..s.len()).map(|i| s.row(i).to_vec()).collect()
}

#[test]
fn the_row_store_keeps_every_row_under_its_cap_and_the_same_sample_above_it() {
    let data = rows(11, 1000);
    // Under the cap: every row, in file order, however the rows were split.
    let whole = store(&data, 5000, 1000);
    assert_eq!((whole.len(), whole.sampled()), (1000, false));
    assert_eq!(kept(&whole), kept(&store(&data, 5000, 37)));
    assert_eq!(whole.row(0)[0], data[0].0 as f32);
    // Above it: `cap` rows, the same ones in the same order for every split (a
    // bottom-k sample by seeded key), never more than twice the cap in between.
    let a = store(&data, 100, 1000);
    assert_eq!((a.len(), a.seen(), a.sampled()), (100, 1000, true));
    for split in [1, 7, 64, 333] {
        assert_eq!(kept(&a), kept(&store(&data, 100, split)), "split {split}");
    }
    // The same sample when the file is read in one pass (a CSV file that
    // cannot be cut, a workbook) as when it is cut into pieces.
    assert_eq!(kept(&a), kept(&one_pass(&data, 100)));
    // A piece never cuts (its keys wait for its place in the file), so it
    // holds all its rows until merged.
    let mut piece = RowStore::with_cap(3, 10).relative_like();
    for (y, x, w) in &data[..100] {
        piece.push(*y, x, *w, None, 0);
    }
    piece.seal();
    assert_eq!((piece.len(), piece.seen()), (100, 100));
    // A uniform sample: its mean outcome near the data's (1000 rows, sd ≈ 2.2: the
    // sample mean's sd is about 0.2; 1.0 is five of them).
    let mean = |v: &[f32]| v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
    let sample: Vec<f32> = (0..a.len()).map(|i| a.row(i)[0]).collect();
    let all: Vec<f32> = data.iter().map(|r| r.0 as f32).collect();
    assert!((mean(&sample) - mean(&all)).abs() < 1.0);
}

fn intervals(s: &RowStore, replicates: u32) -> Vec<Option<(f64, f64)>> {
    let rows: Vec<usize> = (0..s.len()).collect();
    let mut acc = super::DriverAcc::new(3);
    for i in &rows {
        let r = s.row(*i);
        let x: Vec<f64> = r[1..4].iter().map(|v| f64::from(*v)).collect();
        acc.add(f64::from(r[0]), &x, f64::from(r[4]));
    }
    let est = acc.finish().importance;
    let b = Bootstrap {
        replicates,
        confidence: 0.95,
        name: "survey/q",
    };
    importance_intervals(s, &rows, &est, s.seen(), b)
}

#[test]
fn bootstrap_intervals_are_deterministic_contain_the_estimate_and_shrink_with_n() {
    let small = store(&rows(3, 200), 5000, 200);
    let first = intervals(&small, 200);
    assert_eq!(first, intervals(&small, 200), "same seed, same intervals");
    // Thread counts: replicates run on rayon but are collected in order.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(first, pool.install(|| intervals(&small, 200)));
    let big = store(&rows(3, 3200), 5000, 3200);
    let wide = intervals(&small, 200);
    let narrow = intervals(&big, 200);
    let mut acc = super::DriverAcc::new(3);
    for (y, x, w) in rows(3, 200) {
        acc.add(y, &x, w);
    }
    let est = acc.finish().importance;
    for j in 0..3 {
        let ((lo, hi), (blo, bhi)) = (wide[j].unwrap(), narrow[j].unwrap());
        let e = est[j].unwrap();
        assert!(lo < e && e < hi, "attribute {j}: {lo} {e} {hi}");
        // 16 times the rows: about a quarter of the width (√16); well under half.
        assert!(bhi - blo < 0.5 * (hi - lo), "attribute {j}");
    }
    // Another name is another stream: different replicates.
    let rows_all: Vec<usize> = (0..small.len()).collect();
    let other = Bootstrap {
        replicates: 200,
        confidence: 0.95,
        name: "survey/other",
    };
    assert_ne!(
        first,
        importance_intervals(&small, &rows_all, &est, 200, other)
    );
}

#[test]
fn a_sampled_store_scales_its_spread_to_every_row() {
    let data = rows(5, 4000);
    let full = intervals(&store(&data, 8000, 4000), 200);
    let sampled_store = store(&data, 1000, 4000);
    assert!(sampled_store.sampled());
    let sampled = intervals(&sampled_store, 200);
    for j in 0..3 {
        let ((a, b), (c, d)) = (full[j].unwrap(), sampled[j].unwrap());
        // Both estimate the spread of a 4000-row importance: within 35 % (the sample's
        // own Monte-Carlo and sampling error), where unscaled it would be twice as wide.
        let ratio = (d - c) / (b - a);
        assert!((0.65..1.35).contains(&ratio), "attribute {j}: {ratio}");
    }
}

#[test]
fn overlaps_and_quantiles() {
    let iv = [Some((1.0, 3.0)), Some((2.5, 4.0)), Some((5.0, 6.0)), None];
    assert_eq!(overlaps(&iv), vec![vec![1], vec![0], vec![], vec![]]);
    // R: quantile(c(1, 2, 3, 4), c(0.25, 0.975), type = 7) → 1.75, 3.925.
    assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.25) - 1.75).abs() < 1e-12);
    assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.975) - 3.925).abs() < 1e-12);
}

/// A replicate as the bootstrap first computed it: each draw added as drawn.
/// The intervals must be the ones the counted replicates give (same seeds,
/// same draws), up to the order of floating-point sums.
#[test]
fn counted_replicates_equal_replicates_added_draw_by_draw() {
    use crate::metrics::samples::{fnv1a, seeded};
    use rand_chacha::rand_core::RngCore;
    let s = store(&rows(17, 400), 5000, 400);
    let rows_all: Vec<usize> = (0..s.len()).collect();
    let m = rows_all.len();
    let name = "survey/q";
    let base = seeded(fnv1a(name), super::bootstrap::SEED);
    let replicates = 100u32;
    let mut by_draw: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for r in 0..replicates {
        let mut rng = ChaCha8Rng::seed_from_u64(seeded(base, u64::from(r)));
        let mut acc = super::DriverAcc::new(3);
        for _ in 0..m {
            let i = ((u128::from(rng.next_u64()) * m as u128) >> 64) as usize;
            let row = s.row(rows_all[i]);
            let x: Vec<f64> = row[1..4].iter().map(|v| f64::from(*v)).collect();
            acc.add(f64::from(row[0]), &x, f64::from(row[4]));
        }
        for (j, v) in acc.finish().importance.iter().enumerate() {
            by_draw[j].push(v.unwrap());
        }
    }
    let counted = intervals(&s, replicates);
    for j in 0..3 {
        let v = &mut by_draw[j];
        v.sort_by(f64::total_cmp);
        let (lo, hi) = (quantile(v, 0.025), quantile(v, 0.975));
        let (clo, chi) = counted[j].unwrap();
        assert!(
            (lo - clo).abs() < 1e-9 && (hi - chi).abs() < 1e-9,
            "{j}: {lo} {hi} vs {clo} {chi}"
        );
    }
}
