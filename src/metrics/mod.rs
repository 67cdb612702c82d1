//! Compute stage: a validated project and its CSV data in, [`computed::Computed`] out.
//!
//! [`compute`] makes one streaming pass per dataset ([`crate::data::scan`]),
//! feeding every indicator on it through [`pass::DatasetPass`]; finishes the
//! accumulators into estimates ([`results`]); then computes composites, which
//! read no rows ([`composite`]), the key driver analyses with their quadrant
//! splits ([`quadrant`]) and the journeys' stage scores ([`journey`]). Every
//! number the site shows is made here; the site only formats.

pub mod acc;
pub mod actions;
pub mod calibration;
pub mod compare;
pub mod composite;
pub mod computed;
pub mod computed_actions;
pub mod computed_dimensions;
pub mod computed_drivers;
pub mod computed_journeys;
pub mod computed_personas;
pub mod computed_topics;
pub mod computed_value;
pub mod coverage;
pub mod design;
pub mod dimensions;
pub mod distribution;
pub mod driver_results;
pub mod drivers;
#[cfg(test)]
mod engine_tests;
pub mod estimate;
pub mod fdr;
pub mod groups;
pub mod intervals;
pub mod journey;
pub mod lookup_stats;
pub mod measure;
pub mod pass;
pub mod period_key;
pub mod periods;
pub mod persona_size;
#[cfg(test)]
mod properties;
pub mod quadrant;
pub mod rake;
pub mod redact;
pub mod results;
pub mod samples;
pub mod status;
pub mod student_t;
#[cfg(test)]
pub(crate) mod testkit;
pub mod topics;
pub mod value;
pub mod verbatims;
pub mod window;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use computed::{Computed, DataStats, DriverResult, Generator, ProjectInfo, Rejection};
use estimate::Settings;
use pass::DatasetPass;

use crate::data::lookup::LookupTable;
use crate::data::scan::{read_header, scan, FileCache, ScanStats};
use crate::diag::Diagnostics;
use crate::project::model::{Dataset, Project};

/// Computes every indicator of the project from its datasets: one streaming pass per dataset.
///
/// Always returns an entry for every indicator and driver analysis (empty when
/// its dataset could not be read); problems are recorded in `diags`, and the
/// pipeline decides whether to stop.
pub fn compute(project: &Project, diags: &mut Diagnostics) -> Computed {
    // Lookup tables (SPEC §9): headers now, rows once, when a joining dataset needs them.
    let tables = lookup_stats::load_tables(project, None, diags);
    compute_joined(project, None, &tables, diags)
}

/// [`compute`] with the build cache (files whose partial aggregates are
/// stored for the same content, definitions and version are not read again)
/// and on lookup tables the caller planned ([`lookup_stats::load_tables`]),
/// so a build that reads a joining dataset again (the follow-up list) parses
/// a large table at most once.
pub fn compute_joined(
    project: &Project,
    cache: Option<&crate::cache::Cache>,
    tables: &lookup_stats::Tables,
    diags: &mut Diagnostics,
) -> Computed {
    let s = Settings::of(&project.config);
    let mut results = vec![None; project.indicators.len()];
    let mut drivers: Vec<Option<DriverResult>> = vec![None; project.config.drivers.len()];
    let mut data = BTreeMap::new();
    let mut verbatims = samples::Verbatims::default();
    let mut passes = Vec::new();
    let mut comments = Vec::new();
    for (id, ds) in &project.config.datasets {
        let Some(table) = lookup_stats::table_of(project, ds, tables, diags) else {
            data.insert(id.clone(), data_stats(unread(ds)));
            continue;
        };
        let Some((stats, tagged, pass, weighting)) = run_joining(project, ds, table, cache, diags)
        else {
            data.insert(id.clone(), data_stats(unread(ds)));
            continue;
        };
        comments.push((tagged, pass.as_ref().is_some_and(|p| p.is_dated())));
        let lookup = (pass.as_ref()).and_then(|p| lookup_stats::report(ds, p, diags));
        data.insert(
            id.clone(),
            DataStats {
                weighting,
                lookup,
                ..data_stats(stats)
            },
        );
        passes.extend(pass);
    }
    // The window needs every dataset's periods: results come after all passes.
    let with_data = (passes.iter().filter(|p| p.is_dated()))
        .flat_map(|p| p.indicators.iter().flat_map(|i| i.periods.keys().copied()))
        .collect();
    let config = &project.config;
    let windows = window::resolve(&config.report, config.period, &with_data, diags);
    // The comments beside a number are from its window (every row when the
    // dataset has no dates, or the window is `all`).
    let headline = windows.headline;
    for (tagged, dated) in comments {
        verbatims.absorb(tagged, |period| match (dated, period) {
            (false, _) => true,
            (true, Some(k)) => headline.contains(k),
            (true, None) => headline.takes_undated(),
        });
    }
    let (mut topics, mut topic_groups) = (Vec::new(), Vec::new());
    for pass in &passes {
        let Some(t) = &pass.topics else { continue };
        let dated = pass.is_dated();
        let keys = topics::results::Keys {
            dataset: &pass.dataset_id,
            segments: pass.segments.iter().map(|(name, _)| name.clone()).collect(),
            personas: (pass.personas.iter())
                .map(|p| project.personas[p.index].id.clone())
                .collect(),
            has_nps: pass.nps_column().is_some(),
        };
        let in_window = |period: Option<_>| match (dated, period) {
            (false, _) => true,
            (true, Some(k)) => headline.contains(k),
            (true, None) => headline.takes_undated(),
        };
        // A weighted dataset's shares and NPS take the design-based variance (SPEC §11).
        let s = Settings {
            design: pass.design.clone(),
            ..s.clone()
        };
        let done = topics::results::finish_topics(project, t, &keys, in_window, &s);
        topics.extend(done.topics);
        topic_groups.extend(done.groups);
        if let Some(stats) = data.get_mut(&pass.dataset_id) {
            stats.uncoded = Some(done.uncoded);
        }
    }
    // Codebook order, then dataset; groups by name, then dataset.
    let order: BTreeMap<&str, usize> = (project.topics.iter().enumerate())
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    topics.sort_by(|a, b| {
        (order.get(a.id.as_str()), &a.dataset).cmp(&(order.get(b.id.as_str()), &b.dataset))
    });
    topic_groups.sort_by(|a, b| (&a.id, &a.dataset).cmp(&(&b.id, &b.dataset)));
    topics::results::rank_top_topics(&mut verbatims, project);
    for pass in &passes {
        for ip in &pass.indicators {
            if project.indicators[ip.index].metric.components().is_none() {
                let r = results::indicator_result(project, pass, ip, &s, &windows);
                results[ip.index] = Some(r);
            }
        }
    }
    let mut results: Vec<_> = (project.indicators.iter().zip(results))
        .map(|(ind, r)| r.unwrap_or_else(|| results::empty_result(project, ind, &s)))
        .collect();
    composite::compute_composites(project, &mut results, &s, diags);
    results::adjust_comparisons(&mut results, project);
    let journeys = journey::journeys(project, &results);
    let persona_sizes = persona_size::sizes(project, &passes, &windows.headline);
    for pass in &passes {
        driver_results::finish_drivers(project, pass, &windows, &s, cache, &mut drivers);
    }
    let value_at_stake =
        (passes.iter()).find_map(|pass| value::results::finish_value(project, pass, &windows, &s));
    let drivers = (project.config.drivers.iter().zip(drivers))
        .map(|(d, r)| r.unwrap_or_else(|| driver_results::empty_driver(project, d, &s)))
        .collect();
    // Actions (SPEC §10): their evaluations read the passes' periods.
    let actions = actions::evaluate(project, &passes, &windows, &s);
    let coverage = coverage::coverage(project, &results);
    let dimensions = dimensions::dimensions(project, &results);
    Computed {
        generator: Generator {
            name: "cxscore".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        project: ProjectInfo {
            title: project.config.title.clone(),
            language: project.config.language,
            period: project.config.period,
            confidence: project.config.confidence,
            window: windows.headline.info(),
        },
        indicators: results,
        drivers,
        journeys,
        data,
        topics,
        topic_groups,
        verbatims,
        actions,
        coverage,
        value_at_stake,
        dimensions,
        persona_sizes,
    }
}

/// Everything in the definitions that decides what a dataset's pass
/// accumulates from a file, as text for the cache key: the dataset (without
/// its file list, so a new monthly drop keeps the other files' entries), the
/// indicators and key driver analyses on it, every persona (a persona applies
/// wherever its match column exists) and the period. Debug text includes
/// source locations, so moving a definition also invalidates: conservative,
/// never stale.
pub fn cache_definitions(project: &Project, ds: &Dataset) -> String {
    let mut dataset = ds.clone();
    dataset.files.clear();
    let indicators: Vec<_> = (project.indicators.iter())
        .filter(|i| i.dataset.as_deref() == Some(ds.id.as_str()))
        .collect();
    let drivers: Vec<_> = (project.config.drivers.iter())
        .filter(|d| d.dataset == ds.id)
        .collect();
    // The codebook's rules (not where they are written: moving a topic in
    // its file does not change what a file's pass accumulates).
    let topics: Vec<_> = (project.topics.iter())
        .filter(|t| t.datasets.contains(&ds.id))
        .map(|t| (&t.id, &t.group, &t.keywords, &t.patterns, &t.exclude))
        .collect();
    let mut text = format!(
        "{dataset:?}\n{indicators:?}\n{drivers:?}\n{:?}\n{:?}\n{topics:?}",
        project.personas, project.config.period
    );
    // The value at stake's columns, when it reads this dataset.
    if let Some(v) = (project.config.value_at_stake.as_ref()).filter(|v| v.dataset == ds.id) {
        text.push_str(&format!("\nvalue: {v:?}"));
    }
    text
}

/// What [`run_dataset`] returns: the dataset's stats, its comment sample,
/// the finished pass and its raking report.
type DatasetRun<'p> = (
    ScanStats,
    Option<verbatims::Tagged>,
    Option<DatasetPass<'p>>,
    Option<computed::Weighting>,
);

/// Reads one dataset, joined to `table` (its lookup table, if any): on the
/// table's header alone when every file comes from the build cache (an
/// unchanged rebuild parses no CRM extract), else on its rows, read once
/// for the build. `None` when the table's rows cannot be read (an error
/// says the dataset is not read).
fn run_joining<'p>(
    project: &'p Project,
    ds: &'p Dataset,
    table: Option<&'p lookup_stats::BuildTable>,
    cache: Option<&crate::cache::Cache>,
    diags: &mut Diagnostics,
) -> Option<DatasetRun<'p>> {
    let Some(t) = table else {
        return Some(run_dataset(project, ds, None, cache, None, diags));
    };
    if let (Some(header_only), Some(c), None) = (t.header_only(), cache, &ds.sql) {
        let missed = AtomicBool::new(false);
        let used = c.used_so_far();
        // Kept until the run is known to stand: a file missing from the
        // cache (pruned by another build, damaged) makes it run again.
        let mut held = Diagnostics::new();
        let run = run_dataset(
            project,
            ds,
            Some((header_only, t.identity)),
            cache,
            Some(&missed),
            &mut held,
        );
        if !missed.load(Ordering::Relaxed) {
            diags.extend(held);
            return Some(run);
        }
        // Its lookups (the raking's factors without the missing file's
        // cells may find the previous build's entries) are not this build's.
        c.forget_used_since(used);
    }
    let Some(rows) = t.rows(project, cache, diags) else {
        lookup_stats::not_read(project, ds, diags);
        return None;
    };
    Some(run_dataset(
        project,
        ds,
        Some((rows, t.identity)),
        cache,
        None,
        diags,
    ))
}

/// Reads one dataset: its stats, its comment sample, and the finished pass,
/// whose indicators and key driver analyses become results once every
/// dataset's periods are known (the reporting window spans them all).
/// `table` is its lookup table with the table's identity for the build
/// cache (without one, its files are not cached: their partials would not
/// say which table they joined); with `missed`, files are taken from the
/// cache only ([`FileCache::missed`]).
fn run_dataset<'p>(
    project: &'p Project,
    ds: &'p Dataset,
    table: Option<(&'p LookupTable, Option<[u8; 32]>)>,
    cache: Option<&crate::cache::Cache>,
    missed: Option<&AtomicBool>,
    diags: &mut Diagnostics,
) -> DatasetRun<'p> {
    let unread = unread(ds);
    let Some(header) = read_header(ds, &project.root, diags) else {
        return (unread, None, None, None);
    };
    let cache = cache.filter(|_| table.is_none_or(|(_, identity)| identity.is_some()));
    let Some(mut pass) =
        DatasetPass::plan_joined(project, ds, &header, table.map(|(t, _)| t), diags)
    else {
        return (unread, None, None, None);
    };
    // Raking: a first pass gathers the margins' cell table, the fitting
    // gives each cell its factor, and the main pass weights rows with it.
    // Its rows' data errors are reported by the main pass (same checks), so
    // the first pass's diagnostics are dropped.
    let mut weighting = None;
    let mut calibration = None;
    let mut definitions = cache_definitions(project, ds);
    // A file's partial depends on the lookup table's content (SPEC §9).
    if let Some((t, identity)) = table {
        definitions.push_str(&format!("\nlookup: {} {identity:?}", t.dataset));
    }
    if let (Some(rake), Some(mut gatherer)) = (&ds.rake, pass.gatherer()) {
        let mut quiet = Diagnostics::new();
        // Each file's table is cached like its partials: an unchanged
        // rebuild reads no data for the first pass either.
        let gather_cache = cache.map(|cache| FileCache {
            cache,
            definitions: crate::cache::definitions_digest(&format!("{definitions}\nrake: cells")),
            missed,
        });
        // Under `bad_rows: fail` it reads only the weight, margin and key columns; not
        // from SQL, whose coarser groups would rebuild other single weights (their sums
        // are kept, but the cells' smallest and largest design weight would change).
        let gather_header = (gatherer.gather_columns())
            .filter(|_| ds.sql.is_none())
            .map(|c| header.projected(&c));
        scan(
            ds,
            &project.root,
            gather_header.as_ref().unwrap_or(&header),
            &mut gatherer,
            gather_cache.as_ref(),
            &mut quiet,
        );
        let table = gatherer
            .gathered()
            .unwrap_or_else(|| rake::CellTable::new(0));
        let (factors, report) = rake::settle(&ds.id, rake, &table, diags);
        // A file's partial depends on every file's rows through the factors.
        definitions.push_str(&format!("\n{factors:?}"));
        calibration = (report.is_some())
            .then(|| Arc::new(calibration::Calibration::new(rake, &table, &factors)));
        pass.set_factors(factors);
        weighting = report;
    }
    let file_cache = cache.map(|cache| FileCache {
        cache,
        definitions: crate::cache::definitions_digest(&definitions),
        missed,
    });
    let stats = scan(
        ds,
        &project.root,
        &header,
        &mut pass,
        file_cache.as_ref(),
        diags,
    );
    pass.finish();
    if ds.weight.is_some() || ds.rake.is_some() {
        pass.design = Some(estimate::Design {
            rows: stats.rows.saturating_sub(stats.rejected) as f64,
            calibration,
        });
    }
    let tagged = verbatims::Tagged::of(project, &mut pass);
    (stats, tagged, Some(pass), weighting)
}

/// The stats of a dataset that was not read.
fn unread(ds: &Dataset) -> ScanStats {
    ScanStats {
        files: ds.files.len(),
        ..ScanStats::default()
    }
}

fn data_stats(s: ScanStats) -> DataStats {
    DataStats {
        files: s.files,
        rows: s.rows,
        rejected: s.rejected,
        uncoded: None,
        weighting: None,
        lookup: None,
        rejections: s
            .rejections
            .into_iter()
            .map(|(location, reason)| Rejection { location, reason })
            .collect(),
    }
}
