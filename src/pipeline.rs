//! The pipeline: load → validate → compute → render → write.
//!
//! Each stage records problems in one [`Diagnostics`] and returns its best
//! effort; this module stops *between* stages when errors were recorded, so a
//! user sees every problem of a stage in one run and nothing is written from
//! an invalid project.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::baseline::{self, BaselineSource, Changes};
use crate::cache::Cache;
use crate::diag::Diagnostics;
use crate::metrics::compute_joined;
use crate::metrics::computed::Computed;
use crate::metrics::lookup_stats::Tables;
use crate::progress;
use crate::project::{
    self,
    model::{Language, Project},
};
use crate::site::render::RenderError;
use crate::site::timing::TemplateTiming;
use crate::site::write::{write_site, WriteError};
use crate::site::{render_site_timed, SiteFiles};

/// A validated project and its numbers: what `check` produces and `build` renders.
#[derive(Debug)]
pub struct Checked {
    /// The validated definitions.
    pub project: Project,
    /// The numbers (= metrics.json).
    pub computed: Computed,
    /// How long each stage took, in order, for `-v`.
    pub timings: Vec<(&'static str, Duration)>,
    /// The lookup tables compute joined (SPEC §9), kept for the follow-up
    /// list's read: a CRM extract of millions of rows is parsed at most once
    /// a build (not at all when every joining file comes from the cache).
    pub tables: Tables,
}

/// Loads, validates and computes; `None` when errors were recorded (all of them, in `diags`).
pub fn check(project_dir: &Path, diags: &mut Diagnostics) -> Option<Checked> {
    let options = BuildOptions {
        cache_read_only: true,
        ..BuildOptions::default()
    };
    check_with(project_dir, &options, diags)
}

/// What a build may change from what `cxscore.yaml` says.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site's language instead of `language:` (`build --language`), so one
    /// project publishes in en and zh-CN without editing it.
    pub language: Option<Language>,
    /// A previous run's metrics.json to compare with (`build --baseline`);
    /// overrides `baseline:` in cxscore.yaml.
    pub baseline: Option<PathBuf>,
    /// Read every data file, neither using nor writing the build cache
    /// (`--no-cache`; also `CXSCORE_NO_CACHE`).
    pub no_cache: bool,
    /// Use the build cache's entries but store and delete none: `check`
    /// promises to write nothing.
    pub cache_read_only: bool,
}

/// [`check`] with [`BuildOptions`] applied to the loaded project.
pub fn check_with(
    project_dir: &Path,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<Checked> {
    let started = Instant::now();
    let mut project = project::load(project_dir, diags)?;
    if let Some(language) = options.language {
        project.config.language = language;
    }
    if diags.has_errors() {
        return None;
    }
    let loaded = started.elapsed();
    progress::start(data_bytes(&project));
    let cache = (!options.no_cache)
        .then(|| Cache::open(&project.root, !options.cache_read_only))
        .flatten();
    let tables = crate::metrics::lookup_stats::load_tables(&project, cache.as_ref(), diags);
    let computed = compute_joined(&project, cache.as_ref(), &tables, diags);
    progress::finish();
    if diags.has_errors() {
        return None;
    }
    if let Some(cache) = &cache {
        // Every dataset was read or loaded: entries not used are outdated.
        cache.prune();
    }
    crate::metrics::coverage::warn_empty_indicators(&project, &computed, diags);
    crate::metrics::coverage::warn_coverage(&project, &computed, diags);
    let timings = vec![
        ("load and validate", loaded),
        (compute_label(&tables), started.elapsed() - loaded),
    ];
    Some(Checked {
        project,
        computed,
        timings,
        tables,
    })
}

/// The compute stage's name for `-v`: it says when the lookup tables'
/// rows were not read (every joining file came from the build cache).
fn compute_label(tables: &Tables) -> &'static str {
    match !tables.is_empty() && tables.values().all(|t| !t.rows_read()) {
        true => "compute (lookup table not read: every joining file from the cache)",
        false => "compute",
    }
}

/// The total size of every data file, for the progress bar.
fn data_bytes(project: &Project) -> u64 {
    (project.config.datasets.values())
        .flat_map(|d| &d.files)
        .filter_map(|f| std::fs::metadata(project.root.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// Compares with the baseline — `--baseline` when given, else `baseline:` of
/// cxscore.yaml — if there is one; problems go to `diags`.
pub fn compare_with_baseline(
    checked: &Checked,
    flag: Option<&Path>,
    diags: &mut Diagnostics,
) -> Option<Changes> {
    let config = &checked.project.config;
    let source = match (flag, &config.baseline) {
        (Some(path), _) => BaselineSource::Flag(path.to_path_buf()),
        (None, Some(written)) => BaselineSource::Config {
            written: written.text.clone(),
            location: written.location.clone(),
        },
        (None, None) => return None,
    };
    let old = baseline::load(&source, &checked.project.root, diags)?;
    Some(baseline::compare(&old, &checked.computed))
}

/// Renders a checked project into files, without writing them.
pub fn render(
    checked: &Checked,
    changes: Option<&Changes>,
    diags: &mut Diagnostics,
) -> Result<Option<SiteFiles>, RenderError> {
    Ok(render_timed(checked, changes, diags)?.map(|(files, _)| files))
}

/// [`render`], also returning each template's timing (for `build -v`).
pub fn render_timed(
    checked: &Checked,
    changes: Option<&Changes>,
    diags: &mut Diagnostics,
) -> Result<Option<(SiteFiles, Vec<TemplateTiming>)>, RenderError> {
    let rendered = render_site_timed(&checked.project, &checked.computed, changes, diags)?;
    Ok((!diags.has_errors()).then_some(rendered))
}

/// Checks, compares and renders into memory, writing nothing but the build
/// cache (an edit-and-reload loop is where it saves the most): what `serve` shows.
pub fn render_in_memory(
    project_dir: &Path,
    diags: &mut Diagnostics,
) -> Result<Option<SiteFiles>, BuildError> {
    let Some(checked) = check_with(project_dir, &BuildOptions::default(), diags) else {
        return Ok(None);
    };
    let changes = compare_with_baseline(&checked, None, diags);
    if diags.has_errors() {
        return Ok(None);
    }
    Ok(render(&checked, changes.as_ref(), diags)?)
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

impl BuildError {
    /// The line to print: a broken template of the project is located like
    /// any diagnostic (`templates/page.html:3:19: error: …; hint`).
    pub fn report_line(&self) -> String {
        match self {
            BuildError::Render(e) => e.report_line(),
            BuildError::Write(e) => format!("error: {e}"),
        }
    }
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
    /// Per-template timings of the render stage, slowest first.
    pub templates: Vec<TemplateTiming>,
    /// The comparison with the baseline, when there was one.
    pub changes: Option<Changes>,
}

/// Builds the site of `project_dir` into `out` (default `PROJECT/_site`) with
/// [`BuildOptions`]: compared with `options.baseline` (a previous
/// metrics.json) or the configured one.
///
/// `Ok(None)` means the project is invalid (see `diags`); nothing was written.
pub fn build_with(
    project_dir: &Path,
    out: Option<&Path>,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Result<Option<BuildReport>, BuildError> {
    let Some(mut checked) = check_with(project_dir, options, diags) else {
        return Ok(None);
    };
    let changes = compare_with_baseline(&checked, options.baseline.as_deref(), diags);
    if diags.has_errors() {
        return Ok(None);
    }
    let started = Instant::now();
    let Some((files, templates)) = render_timed(&checked, changes.as_ref(), diags)? else {
        return Ok(None);
    };
    checked.timings.push(("render", started.elapsed()));
    let out = out.map_or_else(|| checked.project.root.join("_site"), Path::to_path_buf);
    let started = Instant::now();
    write_site(&files, &out, &checked.project.root)?;
    let reused = write_followup(&checked, options)?;
    let stage = match reused {
        true => "write (follow-up list unchanged, not read again)",
        false => "write",
    };
    checked.timings.push((stage, started.elapsed()));
    let data = checked.computed.data.values();
    Ok(Some(BuildReport {
        out,
        pages: files.keys().filter(|k| k.ends_with(".html")).count(),
        files: files.len(),
        indicators: checked.computed.indicators.len(),
        rows: data.clone().map(|d| d.rows).sum(),
        rejected: data.map(|d| d.rejected).sum(),
        timings: checked.timings,
        templates,
        changes,
    }))
}

/// Writes the follow-up list (SPEC §10) beside the site, on the headline
/// window's rows, when `followup:` is configured.
/// True when the list already written was that of these inputs and was
/// kept without reading the dataset again (the build cache's state).
fn write_followup(checked: &Checked, options: &BuildOptions) -> Result<bool, BuildError> {
    let info = &checked.computed.project.window;
    let window = crate::metrics::window::Window {
        kind: checked.project.config.report.window,
        span: info.from.zip(info.to),
    };
    let cache = (!options.no_cache)
        .then(|| Cache::open(&checked.project.root, !options.cache_read_only))
        .flatten();
    crate::followup::write(&checked.project, window, &checked.tables, cache.as_ref())
        .map(|w| w.is_some_and(|w| w.reused))
        .map_err(|source| {
            BuildError::Write(crate::site::write::WriteError::Io {
                action: "writing the follow-up list",
                path: checked.project.root.join(crate::followup::FOLDER),
                source,
            })
        })
}
