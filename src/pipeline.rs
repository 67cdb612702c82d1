//! The pipeline: load → validate → compute → render → write.
//!
//! Each stage records problems in one [`Diagnostics`] and returns its best
//! effort; this module stops *between* stages when errors were recorded, so a
//! user sees every problem of a stage in one run and nothing is written from
//! an invalid project.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::Diagnostics;
use crate::metrics::compute;
use crate::metrics::computed::Computed;
use crate::project::{self, model::Project};
use crate::site::render::RenderError;
use crate::site::write::{write_site, WriteError};
use crate::site::{render_site, SiteFiles};

/// A validated project and its numbers: what `check` produces and `build` renders.
#[derive(Debug)]
pub struct Checked {
    /// The validated definitions.
    pub project: Project,
    /// The numbers (= metrics.json).
    pub computed: Computed,
    /// How long each stage took, in order, for `-v`.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Loads, validates and computes; `None` when errors were recorded (all of them, in `diags`).
pub fn check(project_dir: &Path, diags: &mut Diagnostics) -> Option<Checked> {
    let started = Instant::now();
    let project = project::load(project_dir, diags)?;
    if diags.has_errors() {
        return None;
    }
    let loaded = started.elapsed();
    let computed = compute(&project, diags);
    if diags.has_errors() {
        return None;
    }
    crate::metrics::coverage::warn_empty_indicators(&project, &computed, diags);
    let timings = vec![
        ("load and validate", loaded),
        ("compute", started.elapsed() - loaded),
    ];
    Some(Checked {
        project,
        computed,
        timings,
    })
}

/// Renders a checked project into files, without writing them.
pub fn render(
    checked: &Checked,
    diags: &mut Diagnostics,
) -> Result<Option<SiteFiles>, RenderError> {
    let files = render_site(&checked.project, &checked.computed, diags)?;
    Ok((!diags.has_errors()).then_some(files))
}

/// An operational failure: a broken template, or the disk refusing a write.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Writing the site failed; the previous site is untouched.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What a successful build did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    /// Where the site was written.
    pub out: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// All files written.
    pub files: usize,
    /// Indicators computed.
    pub indicators: usize,
    /// Data rows read.
    pub rows: u64,
    /// Rows rejected under `bad_rows: skip`.
    pub rejected: u64,
    /// Per-stage timings.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Builds the site of `project_dir` into `out` (default `PROJECT/_site`).
///
/// `Ok(None)` means the project is invalid (see `diags`); nothing was written.
pub fn build(
    project_dir: &Path,
    out: Option<&Path>,
    diags: &mut Diagnostics,
) -> Result<Option<BuildReport>, BuildError> {
    let Some(mut checked) = check(project_dir, diags) else {
        return Ok(None);
    };
    let started = Instant::now();
    let Some(files) = render(&checked, diags)? else {
        return Ok(None);
    };
    checked.timings.push(("render", started.elapsed()));
    let out = out.map_or_else(|| checked.project.root.join("_site"), Path::to_path_buf);
    let started = Instant::now();
    write_site(&files, &out, &checked.project.root)?;
    checked.timings.push(("write", started.elapsed()));
    let data = checked.computed.data.values();
    Ok(Some(BuildReport {
        out,
        pages: files.keys().filter(|k| k.ends_with(".html")).count(),
        files: files.len(),
        indicators: checked.computed.indicators.len(),
        rows: data.clone().map(|d| d.rows).sum(),
        rejected: data.map(|d| d.rejected).sum(),
        timings: checked.timings,
    }))
}
