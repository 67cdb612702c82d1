//! Compute stage, key drivers: everything one group of rows adds to an
//! analysis — the moments Johnson's relative weights need ([`DriverAcc`]),
//! Σw² for Kish's effective n, and, when the analysis has a `scale`, the
//! penalty / reward tallies (SPEC §8).
//!
//! Why one type: the pass keeps these sums per finest group, per period and
//! per persona, forks and merges them across threads and files and stores
//! them in the build cache; one mergeable value means every path treats the
//! new tallies exactly as the moments, with `merge(a, b)` equal to feeding
//! a's rows then b's (the tallies are sums, so exactly up to addition order).

use serde::{Deserialize, Serialize};

use super::DriverAcc;
use crate::project::model::DriverBands;

/// Weighted tallies of one attribute's raters in one band (low, middle or
/// high): the promoters' and detractors' weights among them, and Σw, Σw² for
/// the weighted shares and their effective n.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BandTally {
    /// Rows.
    pub n: u64,
    /// Σw.
    pub w: f64,
    /// Σw².
    pub w2: f64,
    /// Σw of the rows whose outcome is 9–10.
    pub promoters: f64,
    /// Σw of the rows whose outcome is 0–6.
    pub detractors: f64,
}

impl BandTally {
    fn add(&mut self, w: f64, promoter: bool, detractor: bool) {
        self.n += 1;
        self.w += w;
        self.w2 += w * w;
        if promoter {
            self.promoters += w;
        }
        if detractor {
            self.detractors += w;
        }
    }

    fn merge(&mut self, o: &BandTally) {
        self.n += o.n;
        self.w += o.w;
        self.w2 += o.w2;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
    }

    /// Kish's effective n, (Σw)² / Σw²; 0 when nothing is weighted.
    pub fn effective_n(&self) -> f64 {
        if self.w2 > 0.0 {
            self.w * self.w / self.w2
        } else {
            0.0
        }
    }
}

/// The sums of one group of complete rows of a key driver analysis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriverSums {
    /// Means and co-moments of (outcome, attributes).
    pub moments: DriverAcc,
    /// Σw² of the rows the moments took (Kish's effective n with their Σw).
    pub w2: f64,
    /// Per attribute, its raters' tallies in the bands low, middle, high;
    /// empty when the analysis has no `scale`.
    pub bands: Vec<[BandTally; 3]>,
    /// Complete rows whose outcome is not on 0–10 (then the outcome is not
    /// an NPS question and penalty / reward are not computed).
    pub off_scale: u64,
}

impl DriverSums {
    /// Empty sums for `attributes` attributes, with band tallies when `banded`.
    pub fn new(attributes: usize, banded: bool) -> Self {
        DriverSums {
            moments: DriverAcc::new(attributes),
            w2: 0.0,
            bands: if banded {
                vec![[BandTally::default(); 3]; attributes]
            } else {
                Vec::new()
            },
            off_scale: 0,
        }
    }

    /// The same shape, empty (for forks and new groups).
    pub fn empty_like(&self) -> Self {
        DriverSums::new(self.moments.attributes(), !self.bands.is_empty())
    }

    /// Whether `other` has this shape (a cache entry must, to be merged).
    pub fn same_shape(&self, other: &DriverSums) -> bool {
        self.moments.attributes() == other.moments.attributes()
            && self.bands.len() == other.bands.len()
    }

    /// Weighted, effective n of the rows taken: (Σw)² / Σw².
    pub fn effective_n(&self) -> f64 {
        let w = self.moments.total_weight();
        if self.w2 > 0.0 {
            w * w / self.w2
        } else {
            0.0
        }
    }

    /// One complete row. `bands` are the analysis' (the pass checked each
    /// rating lies on its scale); promoters are outcomes 9–10, detractors 0–6.
    pub fn add(&mut self, outcome: f64, attributes: &[f64], w: f64, bands: Option<&DriverBands>) {
        let skipped = self.moments.skipped();
        self.moments.add(outcome, attributes, w);
        if self.moments.skipped() != skipped {
            return;
        }
        self.w2 += w * w;
        let Some(b) = bands.filter(|_| self.bands.len() == attributes.len()) else {
            return;
        };
        if !(0.0..=10.0).contains(&outcome) {
            self.off_scale += 1;
            return;
        }
        let (promoter, detractor) = (outcome >= 9.0, outcome <= 6.0);
        for (tallies, x) in self.bands.iter_mut().zip(attributes) {
            tallies[b.band(*x) as usize].add(w, promoter, detractor);
        }
    }

    /// Adds `other`'s rows after ours.
    pub fn merge(&mut self, other: &DriverSums) {
        self.moments.merge(&other.moments);
        self.w2 += other.w2;
        self.off_scale += other.off_scale;
        if self.bands.len() == other.bands.len() {
            for (mine, theirs) in self.bands.iter_mut().zip(&other.bands) {
                for (m, t) in mine.iter_mut().zip(theirs) {
                    m.merge(t);
                }
            }
        }
    }
}
