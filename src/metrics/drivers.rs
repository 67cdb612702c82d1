//! PLACEHOLDER — replaced at merge by the real key-driver module (another
//! engineer's file). It exists only so the engine compiles against the agreed
//! interface: it counts rows and computes each attribute's weighted mean
//! (performance); r, R² and importance are left `None`.
//!
//! Compute stage: listwise rows of outcome and attributes in, [`DriverStats`] out.

/// Mergeable sums for one key driver analysis (placeholder).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverAcc {
    n: u64,
    sw: f64,
    swx: Vec<f64>,
}

/// What a key driver analysis found.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverStats {
    /// Rows used (listwise).
    pub n: u64,
    /// The model's R².
    pub r2: Option<f64>,
    /// Per attribute: weighted Pearson r with the outcome.
    pub r: Vec<Option<f64>>,
    /// Per attribute: relative weight as % of R².
    pub importance: Vec<Option<f64>>,
    /// Per attribute: weighted mean.
    pub performance: Vec<Option<f64>>,
}

impl DriverAcc {
    /// An empty accumulator for `attributes` attributes.
    pub fn new(attributes: usize) -> Self {
        DriverAcc {
            n: 0,
            sw: 0.0,
            swx: vec![0.0; attributes],
        }
    }

    /// Adds one complete row.
    pub fn add(&mut self, _outcome: f64, attributes: &[f64], weight: f64) {
        self.n += 1;
        self.sw += weight;
        for (s, x) in self.swx.iter_mut().zip(attributes) {
            *s += weight * x;
        }
    }

    /// Adds every row of `other`.
    pub fn merge(&mut self, other: &DriverAcc) {
        self.n += other.n;
        self.sw += other.sw;
        for (s, o) in self.swx.iter_mut().zip(&other.swx) {
            *s += o;
        }
    }

    /// The analysis so far.
    pub fn finish(&self) -> DriverStats {
        let k = self.swx.len();
        DriverStats {
            n: self.n,
            r2: None,
            r: vec![None; k],
            importance: vec![None; k],
            performance: self
                .swx
                .iter()
                .map(|s| (self.sw > 0.0).then(|| s / self.sw))
                .collect(),
        }
    }
}
