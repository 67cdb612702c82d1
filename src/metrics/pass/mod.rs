//! Compute stage: one dataset's streaming pass — its state, and the plan
//! that sets it up.
//!
//! Input: the project, one dataset and its header (once). Output: a
//! [`DatasetPass`] with every column the project references resolved to an
//! index ([`DatasetPass::plan`]) and empty accumulators for every indicator on
//! the dataset — overall, per period, per segment key, per persona — and for
//! the key driver sums. It exists so the rest of the pass only ever indexes a
//! row: names are looked up here, once. The pass then works in stages, one
//! file each:
//! - `row.rs`: each row from [`crate::data::scan`] checked and added to its group;
//! - `rollup.rs`: the groups added to the accumulators; [`DatasetPass::finish`];
//! - `split.rs`: fork, merge and seal, for threads and files ([`SplitSink`]);
//! - `cache.rs`: the accumulators as the build cache stores them.
//!
//! [`SplitSink`]: crate::data::scan::SplitSink

mod cache;
mod dates;
mod keys;
mod rollup;
mod row;
mod short_text;
mod split;
mod value;
mod weights;

use std::collections::BTreeMap;

use super::acc::{Acc, Obs};
use super::distribution::Dist;
use super::drivers::bootstrap::RowStore;
use super::drivers::sums::DriverSums;
use super::groups::Groups;
use super::measure::Measure;
use super::periods::PeriodKey;
use super::topics::pass::{TopicPass, TopicPlan};
use super::verbatims::{VerbatimPass, VoiceRule};
use crate::data::lookup::LookupTable;
use crate::data::plan::Resolver;
use crate::data::scan::Header;
use crate::diag::Diagnostics;
use crate::project::model::{
    BadRows, Dataset, DriverBands, Metric, NumericTest, Period, Project, RowMatch, SegmentBands,
};
use keys::SegmentKeys;
use row::CellCache;
pub(crate) use weights::CalRow;
use weights::RakePass;

/// One indicator's accumulators on this dataset.
#[derive(Clone)]
pub struct IndicatorPass<'p> {
    /// Index into `project.indicators`.
    pub index: usize,
    /// The indicator's id, for messages.
    pub id: &'p str,
    /// How rows are classified.
    pub measure: Measure,
    column: Option<usize>,
    /// `metric: gap`: the expectation column (`column` is the perception).
    expectation: Option<usize>,
    filter: Vec<(usize, Vec<String>)>,
    /// The numeric tests of `where` (SPEC §9): (column, bounds).
    numeric: Vec<(usize, NumericTest)>,
    /// Every row after the filter.
    pub overall: Acc,
    /// Per scale point, every row.
    pub dist: Option<Dist>,
    /// Per scale point, per period (dated rows), in the order periods were
    /// first seen; sorted when read. Rows come sorted by date, so the last
    /// period used is remembered in `dist_last` and most rows find it at once.
    pub dist_periods: Vec<(PeriodKey, Dist)>,
    dist_last: usize,
    /// Per period (rows with a date).
    pub periods: BTreeMap<PeriodKey, Acc>,
    /// Per segment column (parallel to [`DatasetPass::segments`]), per key;
    /// filled from the interned accumulators by [`DatasetPass::finish`].
    pub segments: Vec<BTreeMap<String, Acc>>,
    /// During the pass: per segment column, per interned key id (see
    /// [`SegmentKeys`]); `None` until a row of this indicator has the key.
    seg_accs: Vec<Vec<Option<Acc>>>,
    /// Per applicable persona (parallel to [`DatasetPass::personas`]).
    pub personas: Vec<Acc>,
    /// Per segment column, per key, per period (dated rows only): each key's
    /// trend, and its value on a reporting window; filled from
    /// `seg_periods` by [`DatasetPass::finish`].
    pub segment_periods: Vec<BTreeMap<String, BTreeMap<PeriodKey, Acc>>>,
    /// During the pass: per segment column, per interned key id, per period.
    seg_periods: Vec<Vec<BTreeMap<PeriodKey, Acc>>>,
    /// Per applicable persona, per period (dated rows only).
    pub persona_periods: Vec<BTreeMap<PeriodKey, Acc>>,
    /// During the pass: per group id of [`DatasetPass::groups`], the rows of
    /// that group; rolled up into the accumulators above by
    /// [`DatasetPass::roll_up`]. `None` until a row of this indicator is in it.
    cells: Vec<Option<Acc>>,
}

/// A persona that applies to this dataset (its match column is in the header).
#[derive(Clone)]
pub struct PersonaCol {
    /// Index into `project.personas`.
    pub index: usize,
    column: usize,
    values: Vec<String>,
}

/// One key driver analysis on this dataset.
#[derive(Clone)]
pub struct DriverPass {
    /// Index into `project.config.drivers`.
    pub index: usize,
    /// Outcome first, then the attributes in definition order.
    columns: Vec<usize>,
    /// The attributes' scale and bands (penalty / reward), when declared.
    bands: Option<DriverBands>,
    /// The sums of every complete row.
    pub acc: DriverSums,
    /// The same sums per applicable persona (parallel to [`DatasetPass::personas`]).
    pub personas: Vec<DriverSums>,
    /// The sums per period (dated rows): the trend, and the analysis' window.
    pub periods: BTreeMap<PeriodKey, DriverSums>,
    /// Per applicable persona, the sums per period (its window).
    pub persona_periods: Vec<BTreeMap<PeriodKey, DriverSums>>,
    /// The complete rows the bootstrap resamples (with `bootstrap:` only).
    pub rows: Option<RowStore>,
    /// During the pass: the sums per group id of [`DatasetPass::groups`],
    /// rolled up into the sums above like the indicators' cells.
    cells: Vec<Option<DriverSums>>,
}

/// Everything one dataset's pass feeds.
#[derive(Clone)]
pub struct DatasetPass<'p> {
    /// The dataset's id.
    pub dataset_id: String,
    names: Vec<String>,
    period: Period,
    weight: Option<usize>,
    date: Option<(usize, Option<&'p str>)>,
    /// Segment columns: (name, index), in the dataset's order.
    pub segments: Vec<(String, usize)>,
    /// Per segment, its bands and their keys when it is banded (SPEC §9).
    bands: Vec<Option<(SegmentBands, Vec<String>)>>,
    /// Per segment, this row's band (banded segments only).
    row_bands: Vec<Option<usize>>,
    /// The lookup table joined on each row and this dataset's key column
    /// (SPEC §9); its columns are indexed past the header's `width`.
    lookup: Option<(&'p LookupTable, usize)>,
    /// The header's number of columns.
    width: usize,
    /// Accepted rows whose key matched the lookup table, and did not.
    pub lookup_counts: [u64; 2],
    /// Personas that apply, sorted by id (the project's order).
    pub personas: Vec<PersonaCol>,
    /// The indicators on this dataset, in definition order.
    pub indicators: Vec<IndicatorPass<'p>>,
    /// The key driver analyses on this dataset.
    pub drivers: Vec<DriverPass>,
    /// The comment samples, when the dataset has comments.
    pub verbatims: Option<VerbatimPass>,
    /// The codebook's tallies, when a topic codes the dataset's comments.
    pub topics: Option<TopicPass>,
    /// The comment column.
    comment: Option<usize>,
    /// The value at stake's sums, on the NPS indicator's dataset (SPEC §9).
    pub value: Option<super::value::ValuePass>,
    /// The dataset's NPS column (its first NPS indicator's): comments'
    /// NPS groups for topics and persona pages.
    nps: Option<usize>,
    obs: Vec<Option<Obs>>,
    matched: Vec<bool>,
    numbers: Vec<f64>,
    /// Per segment column, the keys seen so far.
    keys: Vec<SegmentKeys>,
    /// Per segment column, this row's key id (`None`: blank cell).
    row_keys: Vec<Option<usize>>,
    /// Per field, this row's parsed cell (see [`CellCache`]).
    cells: CellCache,
    /// The finest groups of rows since the last roll-up (see [`super::groups`]).
    groups: Groups,
    /// The periods of the date texts seen: most rows skip the date parser.
    dates: dates::DateCache,
    /// The period of the row last given to `row` (`None`: undated, or the
    /// row stopped before its date was read).
    row_period: Option<PeriodKey>,
    /// Raking: the margin columns and the cells' factors (see `weights.rs`).
    rake: Option<RakePass>,
    /// The design when the dataset is weighted (a weight column, raking or
    /// both), set once the pass has read every row. `None`: unweighted.
    pub design: Option<super::estimate::Design>,
    /// Checks and classifies rows and accumulates nothing
    /// ([`DatasetPass::lister`]: the follow-up list's read, which codes
    /// the comments of the rows it lists).
    listing: bool,
}

impl<'p> DatasetPass<'p> {
    /// Whether the dataset's rows have periods (a `date` column): only then
    /// does a reporting window apply to its indicators.
    pub fn is_dated(&self) -> bool {
        self.date.is_some()
    }

    /// The keys of segment `col` in band order when it is a banded segment
    /// (SPEC §9), so reports list bands from the lowest up.
    pub fn band_labels(&self, col: usize) -> Option<&[String]> {
        self.bands
            .get(col)?
            .as_ref()
            .map(|(_, labels)| labels.as_slice())
    }

    /// The dataset's NPS column (its first NPS indicator's), which groups
    /// comments by NPS group; `None` without an NPS indicator.
    pub fn nps_column(&self) -> Option<usize> {
        self.nps
    }

    /// Resolves every column the project references on `dataset`; `None` when
    /// one is missing (each reported at the YAML place that named it). A
    /// dataset with `lookup:` is planned with [`DatasetPass::plan_joined`].
    pub fn plan(
        project: &'p Project,
        dataset: &'p Dataset,
        header: &Header,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        Self::plan_joined(project, dataset, header, None, diags)
    }

    /// [`DatasetPass::plan`] joining `lookup` (the table `dataset.lookup`
    /// names, read by [`crate::data::lookup::load_table`]) on each row.
    pub fn plan_joined(
        project: &'p Project,
        dataset: &'p Dataset,
        header: &Header,
        lookup: Option<&'p LookupTable>,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        let joined = lookup
            .zip(dataset.lookup.as_ref())
            .and_then(|(t, l)| Some((t, project.config.datasets.get(&l.dataset)?, &l.on)));
        let mut r = match joined {
            Some((t, table_ds, _)) => Resolver::with_lookup(header, dataset, t, table_ds),
            None => Resolver::new(header, dataset),
        };
        let on = joined.and_then(|(t, _, on)| {
            let i = r.require(
                on,
                &format!("the lookup key of dataset `{}`", dataset.id),
                diags,
            )?;
            Some((t, i))
        });
        let of_ds = format!("dataset `{}`", dataset.id);
        let weight = dataset
            .weight
            .as_ref()
            .and_then(|c| r.require(c, &format!("weight of {of_ds}"), diags));
        let date = dataset.date.as_ref().and_then(|d| {
            let i = r.require(&d.column, &format!("date of {of_ds}"), diags)?;
            Some((i, d.format.as_deref()))
        });
        let segments = (dataset.segments.iter().enumerate())
            .filter_map(|(i, c)| {
                Some((
                    dataset.segment_name(i).to_string(),
                    r.require(c, &format!("segment of {of_ds}"), diags)?,
                ))
            })
            .collect::<Vec<_>>();
        // Parallel to `segments` (a dataset built without bands has none).
        let bands = (0..segments.len())
            .map(|i| {
                let b = dataset.bands.get(i)?.as_ref()?;
                Some((b.clone(), b.labels()))
            })
            .collect::<Vec<_>>();
        // Coded by topics, every comment is read; else only the verbatims'
        // samples read them, and a server may send a bounded sample (SPEC §12).
        let topic_plan = TopicPlan::of(project, &dataset.id);
        let comments = (dataset.comments.as_ref()).and_then(|c| {
            let role = format!("comments of {of_ds}");
            if topic_plan.is_some() {
                r.require(c, &role, diags)
            } else {
                r.require_for_samples(c, &role, diags)
            }
        });
        let mut nps_column = None;
        // SPSS value labels: a persona's `equals` may give the code or the label.
        let spss_labels = crate::data::spss_source::labels_of_dataset(dataset);
        let personas = (project.personas.iter().enumerate())
            .filter_map(|(index, p)| {
                let column = r.optional(&p.matcher.column.name)?;
                let mut values = trimmed(&p.matcher.values);
                crate::data::spss_source::add_code_or_label(&spss_labels, column, &mut values);
                Some(PersonaCol {
                    index,
                    column,
                    values,
                })
            })
            .collect::<Vec<_>>();
        let mut indicators = Vec::new();
        for (index, ind) in project.indicators.iter().enumerate() {
            if ind.dataset.as_deref() != Some(dataset.id.as_str()) {
                continue;
            }
            let role = format!("indicator `{}`", ind.id);
            let column = ind.column.as_ref().and_then(|c| r.require(c, &role, diags));
            let expectation = (ind.metric.expectation()).and_then(|e| r.require(e, &role, diags));
            if matches!(ind.metric, Metric::Nps) && nps_column.is_none() {
                nps_column = column;
            }
            let filter = resolve_filter(&ind.filter, &mut r, &format!("`where` of {role}"), diags);
            let numeric = (ind.numeric.iter())
                .filter_map(|m| {
                    Some((
                        r.require(&m.column, &format!("`where` of {role}"), diags)?,
                        m.test,
                    ))
                })
                .collect();
            let measure = Measure::of(&ind.metric);
            indicators.push(IndicatorPass {
                index,
                id: &ind.id,
                overall: measure.new_acc(),
                dist: if column.is_some() {
                    measure.new_dist()
                } else {
                    None
                },
                dist_periods: Vec::new(),
                dist_last: 0,
                periods: BTreeMap::new(),
                segments: vec![BTreeMap::new(); segments.len()],
                seg_accs: vec![Vec::new(); segments.len()],
                personas: vec![measure.new_acc(); personas.len()],
                segment_periods: vec![BTreeMap::new(); segments.len()],
                seg_periods: vec![Vec::new(); segments.len()],
                persona_periods: vec![BTreeMap::new(); personas.len()],
                cells: Vec::new(),
                measure,
                column,
                expectation,
                filter,
                numeric,
            });
        }
        let mut drivers = Vec::new();
        for (index, d) in project.config.drivers.iter().enumerate() {
            if d.dataset != dataset.id {
                continue;
            }
            let role = format!("key driver analysis of `{}`", d.outcome.name);
            let columns = std::iter::once(&d.outcome)
                .chain(d.attributes.iter().map(|(c, _)| c))
                .filter_map(|c| r.require(c, &role, diags))
                .collect();
            let empty = DriverSums::new(d.attributes.len(), d.bands.is_some());
            drivers.push(DriverPass {
                index,
                columns,
                bands: d.bands,
                personas: vec![empty.clone(); personas.len()],
                periods: BTreeMap::new(),
                persona_periods: vec![BTreeMap::new(); personas.len()],
                rows: d.bootstrap.map(|_| RowStore::new(d.attributes.len())),
                acc: empty,
                cells: Vec::new(),
            });
        }
        let rake = dataset.rake.as_ref().map(|rk| {
            let columns = (rk.margins.iter())
                .filter_map(|m| r.require(&m.column, &format!("`rake` margin of {of_ds}"), diags))
                .collect();
            RakePass::new(rk, columns, dataset.bad_rows == BadRows::Skip)
        });
        let value = value::plan_value(project, dataset, &indicators, &mut r, diags);
        value::check_followup_id(project, dataset, &mut r, diags);
        if r.failures > 0 {
            return None;
        }
        let mut names = header.names.clone();
        if let Some((t, _)) = on {
            names.extend(t.names.iter().map(|n| format!("{}.{n}", t.dataset)));
        }
        let verbatims = comments.map(|_| {
            let rules = (indicators.iter())
                .map(|ip| VoiceRule::of(&project.indicators[ip.index]))
                .collect();
            let ind_ids: Vec<&str> = indicators.iter().map(|ip| ip.id).collect();
            let persona_ids: Vec<&str> = (personas.iter())
                .map(|p| project.personas[p.index].id.as_str())
                .collect();
            VerbatimPass::new(rules, &ind_ids, &persona_ids, nps_column.is_some())
        });
        let topics = (comments.and(topic_plan)).map(|plan| {
            let columns = segments.iter().map(|(_, c)| *c).collect();
            TopicPass::new(project, plan, columns, personas.len())
        });
        Some(DatasetPass {
            dataset_id: dataset.id.clone(),
            verbatims,
            topics,
            comment: comments,
            value,
            nps: nps_column,
            cells: CellCache::new(names.len()),
            names,
            period: project.config.period,
            weight,
            date,
            keys: vec![SegmentKeys::default(); segments.len()],
            row_bands: vec![None; segments.len()],
            bands,
            lookup: on,
            width: header.names.len(),
            lookup_counts: [0; 2],
            row_keys: vec![None; segments.len()],
            segments,
            obs: vec![None; indicators.len()],
            matched: vec![false; personas.len()],
            numbers: Vec::new(),
            groups: Groups::default(),
            dates: dates::DateCache::default(),
            row_period: None,
            rake,
            design: None,
            listing: false,
            personas,
            indicators,
            drivers,
        })
    }
}

fn resolve_filter(
    filter: &[RowMatch],
    r: &mut Resolver<'_>,
    role: &str,
    diags: &mut Diagnostics,
) -> Vec<(usize, Vec<String>)> {
    filter
        .iter()
        .filter_map(|m| Some((r.require(&m.column, role, diags)?, trimmed(&m.values))))
        .collect()
}

/// Match values trimmed once at plan time rather than once per row.
fn trimmed(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_string()).collect()
}
