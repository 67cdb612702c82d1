//! Since the last drop: this run's numbers against a previous run's `metrics.json`.
//!
//! Input: the baseline file (`build --baseline FILE`, or `baseline:` in
//! cxscore.yaml) and this run's [`Computed`](crate::metrics::computed::Computed). Output: [`Changes`] — per
//! indicator the delta, its significance, and whether the indicator was added,
//! removed or redefined (by `definition_hash`) — which the site shows on the
//! scorecard tiles and the "What changed" page, and writes as `changes.json`.
//! The old file is read through a tolerant mirror of `metrics.json` (unknown
//! fields ignored), so a baseline from another cxscore release still loads.

mod compare;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use compare::{compare, ChangeKind, Changes, IndicatorChange, RemovedIndicator, Revision};

use crate::diag::{display_path, Diagnostics, Location};
use crate::project::paths::confined;

/// The parts of a previous `metrics.json` a comparison needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    /// Where it was read from, as shown to users.
    #[serde(skip)]
    pub origin: String,
    /// Who wrote it.
    #[serde(default)]
    pub generator: BaselineGenerator,
    /// Its settings (the confidence its intervals were computed at).
    #[serde(default)]
    pub project: BaselineProject,
    /// Its indicators.
    pub indicators: Vec<BaselineIndicator>,
}

/// `generator` of the old file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BaselineGenerator {
    /// The cxscore version that wrote it.
    #[serde(default)]
    pub version: String,
}

/// `project` of the old file.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselineProject {
    /// The confidence of its intervals.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

impl Default for BaselineProject {
    fn default() -> Self {
        Self {
            confidence: default_confidence(),
        }
    }
}

fn default_confidence() -> f64 {
    0.95
}

/// One indicator of the old file.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselineIndicator {
    /// Its id.
    pub id: String,
    /// Its name then.
    #[serde(default)]
    pub name: String,
    /// Its value (null when suppressed).
    pub value: Option<f64>,
    /// Its interval.
    pub ci_low: Option<f64>,
    /// Its interval.
    pub ci_high: Option<f64>,
    /// Answered rows.
    #[serde(default)]
    pub n: u64,
    /// Status then.
    #[serde(default)]
    pub status: String,
    /// Target then.
    pub target: Option<f64>,
    /// Absent in files from before definition hashes: "unknown", never "redefined".
    pub definition_hash: Option<String>,
    /// The window its value was for; absent in files from before windows
    /// (their values were on every row).
    #[serde(default)]
    pub window: Option<BaselineWindow>,
    /// Its trend, to tell revised periods.
    #[serde(default)]
    pub periods: Vec<BaselinePeriod>,
}

/// The reporting window of an old value (`window` in metrics.json).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BaselineWindow {
    /// First period key (null: every row).
    #[serde(default)]
    pub from: Option<String>,
    /// Last period key (null: every row).
    #[serde(default)]
    pub to: Option<String>,
    /// The span as metrics.json labels it (`2025-11`, `2025-09..2025-11`, `all`).
    #[serde(default)]
    pub label: Option<String>,
}

/// One period of an old trend.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselinePeriod {
    /// The period key.
    pub period: String,
    /// Its value then.
    pub value: Option<f64>,
}

/// Where the baseline comes from, and whether its absence is an error.
#[derive(Debug, Clone)]
pub enum BaselineSource {
    /// `--baseline FILE` (relative to the working folder): it must exist.
    Flag(PathBuf),
    /// `baseline:` in cxscore.yaml (inside the project): a first run has none yet, so
    /// a missing file is a warning.
    Config {
        /// The path as written.
        written: String,
        /// Where it was written.
        location: Location,
    },
}

/// Reads the baseline; problems go to `diags` (see [`BaselineSource`] for which are errors).
pub fn load(source: &BaselineSource, root: &Path, diags: &mut Diagnostics) -> Option<Baseline> {
    let (path, location) = match source {
        BaselineSource::Flag(path) => (path.clone(), Location::file(path)),
        BaselineSource::Config { written, location } => {
            let path = root.join(written);
            if !path.exists() {
                diags.warning(
                    location.clone(),
                    format!(
                        "baseline `{written}` does not exist yet; building without a comparison"
                    ),
                );
                return None;
            }
            if confined(root, &path).is_err() {
                diags.error_hint(
                    location.clone(),
                    format!("baseline `{written}` lies outside the project folder"),
                    "copy the previous metrics.json into the project, e.g. `baseline: baseline/metrics.json`",
                );
                return None;
            }
            (path, location.clone())
        }
    };
    let shown = match source {
        BaselineSource::Flag(p) => p.display().to_string(),
        BaselineSource::Config { .. } => display_path(root, &path).display().to_string(),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            diags.error_hint(
                location,
                format!("cannot read the baseline {shown}: {e}"),
                "pass the metrics.json of a previous build, e.g. `--baseline old-site/metrics.json`",
            );
            return None;
        }
    };
    match serde_json::from_str::<Baseline>(&text) {
        Ok(mut b) => {
            b.origin = shown;
            Some(b)
        }
        Err(e) => {
            diags.error_hint(
                Location::at(&shown, e.line() as u32, e.column() as u32),
                format!("the baseline is not a cxscore metrics.json: {e}"),
                "pass the metrics.json a previous `cxscore build` wrote at the site's root",
            );
            None
        }
    }
}
