//! Criterion benchmarks of the engine's kernels (issue 6): the accumulators on
//! a synthetic stream of observations, the measure that classifies a cell,
//! the key-driver sums, the quote-aware cutter, and the whole compute stage on
//! the example project. Timings are measured here, never asserted in tests.
//!
//! `cargo bench --bench kernels` (HTML reports are off: no plotting deps).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cxscore::metrics::acc::{Acc, Base, Obs};
use cxscore::metrics::drivers::DriverAcc;
use cxscore::metrics::measure::Measure;
use cxscore::project::model::Metric;

/// A deterministic stream of (answer 0–10, weight) pairs (a 64-bit LCG).
fn stream(n: usize) -> Vec<(f64, f64)> {
    let mut s: u64 = 2025;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = (s >> 33) % 11;
            let w = 0.5 + ((s >> 13) % 100) as f64 / 100.0;
            (x as f64, w)
        })
        .collect()
}

const N: usize = 100_000;

fn accumulators(c: &mut Criterion) {
    let rows = stream(N);
    let mut g = c.benchmark_group("acc");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("net", |b| {
        b.iter(|| {
            let mut acc = Acc::Net {
                base: Base::default(),
                w_pos: 0.0,
                w_neg: 0.0,
                counts: [0; 3],
                cal: Default::default(),
            };
            for &(x, w) in &rows {
                let class = if x >= 9.0 {
                    1
                } else if x <= 6.0 {
                    -1
                } else {
                    0
                };
                acc.add(Obs::Net(class), w);
            }
            black_box(acc)
        })
    });
    g.bench_function("mean", |b| {
        b.iter(|| {
            let mut acc = Acc::Mean {
                base: Base::default(),
                mean: 0.0,
                m2: 0.0,
                cal: Default::default(),
            };
            for &(x, w) in &rows {
                acc.add(Obs::Num(x), w);
            }
            black_box(acc)
        })
    });
    g.bench_function("prop", |b| {
        b.iter(|| {
            let mut acc = Acc::Prop {
                base: Base::default(),
                w_hit: 0.0,
                cal: Default::default(),
            };
            for &(x, w) in &rows {
                acc.add(Obs::Hit(x >= 4.0), w);
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn measure(c: &mut Criterion) {
    let texts: Vec<String> = stream(N).iter().map(|(x, _)| format!("{x}")).collect();
    let nps = Measure::of(&Metric::Nps);
    let mut g = c.benchmark_group("measure");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("nps_observe", |b| {
        b.iter(|| {
            let mut promoters = 0u32;
            for t in &texts {
                if let Ok(Some(Obs::Net(1))) = nps.observe(Some(t)) {
                    promoters += 1;
                }
            }
            black_box(promoters)
        })
    });
    g.finish();
}

fn drivers(c: &mut Criterion) {
    let rows = stream(N);
    let mut g = c.benchmark_group("drivers");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("four_attributes", |b| {
        b.iter(|| {
            let mut acc = DriverAcc::new(4);
            for &(x, w) in &rows {
                acc.add(x, &[x / 2.0, 10.0 - x, x * 0.3, 5.0], w);
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn cutter(c: &mut Criterion) {
    // 20 MB of the survey shape, every 5th comment quoted with a newline.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.csv");
    let mut csv = String::from("id,date,channel,w,nps,comment\n");
    let mut i = 0u64;
    while csv.len() < 20_000_000 {
        i += 1;
        let comment = if i.is_multiple_of(5) {
            "\"slow, then\nfine\""
        } else {
            ""
        };
        csv.push_str(&format!("R{i},2025-01-01,web,1.0,{},{comment}\n", i % 11));
    }
    std::fs::write(&path, &csv).unwrap();
    let mut g = c.benchmark_group("chunk");
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.sample_size(20);
    g.bench_function("cuts_20MB", |b| {
        b.iter(|| black_box(cxscore::data::chunk::cuts(&path, b',', 8 << 20).unwrap()))
    });
    g.finish();
}

fn compute_example(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-project");
    let mut diags = cxscore::diag::Diagnostics::new();
    let project = cxscore::project::load(&root, &mut diags).expect("the example loads");
    let mut g = c.benchmark_group("compute");
    g.sample_size(20);
    g.bench_function("example_project", |b| {
        b.iter(|| {
            let mut diags = cxscore::diag::Diagnostics::new();
            black_box(cxscore::metrics::compute(&project, &mut diags))
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    accumulators,
    measure,
    drivers,
    cutter,
    compute_example
);
criterion_main!(benches);
