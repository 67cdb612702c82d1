//! Compute stage: the per-row work of one dataset's streaming pass.
//!
//! Input: the project, one dataset and its header (once), then each row from
//! [`crate::data::scan`]. Output: every indicator's accumulators on this
//! dataset — overall, per period, per segment key, per persona — and the key
//! driver sums. Column indices are resolved once, in [`DatasetPass::plan`].

use std::collections::{BTreeMap, HashMap};

use super::acc::{Acc, Obs};
use super::distribution::Dist;
use super::drivers::DriverAcc;
use super::groups::Groups;
use super::measure::Measure;
use super::periods::PeriodKey;
use super::verbatims::VerbatimPass;
use crate::data::cell::{Cell, Parsed};
use crate::data::date::parse_date;
use crate::data::plan::Resolver;
use crate::data::scan::{Header, Row, RowProblem, RowSink, SplitSink};
use crate::diag::Diagnostics;
use crate::project::model::{Dataset, Metric, Period, Project, RowMatch};

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
    /// Every row after the filter.
    pub overall: Acc,
    /// Per scale point, overall only.
    pub dist: Option<Dist>,
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
    /// The sums.
    pub acc: DriverAcc,
    /// The same sums per applicable persona (parallel to [`DatasetPass::personas`]).
    pub personas: Vec<DriverAcc>,
    /// During the pass: the sums per group id of [`DatasetPass::groups`],
    /// rolled up into `acc` and `personas` like the indicators' cells.
    cells: Vec<Option<DriverAcc>>,
}

/// Everything one dataset's pass feeds.
#[derive(Clone)]
pub struct DatasetPass<'p> {
    names: Vec<String>,
    period: Period,
    weight: Option<usize>,
    date: Option<(usize, Option<&'p str>)>,
    /// Segment columns: (name, index), in the dataset's order.
    pub segments: Vec<(String, usize)>,
    /// Personas that apply, sorted by id (the project's order).
    pub personas: Vec<PersonaCol>,
    /// The indicators on this dataset, in definition order.
    pub indicators: Vec<IndicatorPass<'p>>,
    /// The key driver analyses on this dataset.
    pub drivers: Vec<DriverPass>,
    /// The comment sample, when the dataset has comments and an NPS indicator.
    pub verbatims: Option<VerbatimPass>,
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
    /// The last date text and its period: exports are sorted by date, so most
    /// rows repeat the previous row's date and skip the date parser.
    last_date: String,
    last_period: Option<PeriodKey>,
}

/// The distinct keys of one segment column, interned to small ids so a row's
/// key is looked up once, not once per indicator.
#[derive(Default, Clone)]
struct SegmentKeys {
    ids: HashMap<String, usize, foldhash::fast::FixedState>,
    names: Vec<String>,
    /// The last key looked up (rows often repeat it).
    last: Option<usize>,
}

impl SegmentKeys {
    fn id(&mut self, key: &str) -> usize {
        if let Some(i) = self.last.filter(|&i| self.names[i] == key) {
            return i;
        }
        let i = match self.ids.get(key) {
            Some(&i) => i,
            None => {
                let i = self.names.len();
                self.names.push(key.to_string());
                self.ids.insert(key.to_string(), i);
                i
            }
        };
        self.last = Some(i);
        i
    }
}

/// Per-field memo of [`Parsed`], valid for the row whose number is `row`.
#[derive(Default, Clone)]
struct CellCache {
    row: u64,
    slots: Vec<(u64, Parsed)>,
}

impl CellCache {
    fn new(fields: usize) -> Self {
        CellCache {
            row: 1,
            slots: vec![(0, Parsed::Blank); fields],
        }
    }

    /// Field `i` of `row`, parsed at most once per row.
    fn get(&mut self, row: &Row<'_>, i: usize) -> Parsed {
        let current = self.row;
        match self.slots.get_mut(i) {
            Some((seen, parsed)) if *seen == current => *parsed,
            Some(slot) => {
                let parsed = Parsed::of(row.text(i));
                *slot = (current, parsed);
                parsed
            }
            None => Parsed::of(row.text(i)),
        }
    }
}

impl<'p> DatasetPass<'p> {
    /// Resolves every column the project references on `dataset`; `None` when
    /// one is missing (each reported at the YAML place that named it).
    pub fn plan(
        project: &'p Project,
        dataset: &'p Dataset,
        header: &Header,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        let mut r = Resolver::new(header, dataset);
        let of_ds = format!("dataset `{}`", dataset.id);
        let weight = dataset
            .weight
            .as_ref()
            .and_then(|c| r.require(c, &format!("weight of {of_ds}"), diags));
        let date = dataset.date.as_ref().and_then(|d| {
            let i = r.require(&d.column, &format!("date of {of_ds}"), diags)?;
            Some((i, d.format.as_deref()))
        });
        let segments = (dataset.segments.iter())
            .filter_map(|c| {
                Some((
                    c.name.clone(),
                    r.require(c, &format!("segment of {of_ds}"), diags)?,
                ))
            })
            .collect::<Vec<_>>();
        let comments = (dataset.comments.as_ref())
            .and_then(|c| r.require(c, &format!("comments of {of_ds}"), diags));
        let mut nps_column = None;
        let personas = (project.personas.iter().enumerate())
            .filter_map(|(index, p)| {
                let column = r.optional(&p.matcher.column.name)?;
                Some(PersonaCol {
                    index,
                    column,
                    values: trimmed(&p.matcher.values),
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
            let expectation = match &ind.metric {
                Metric::Gap { expectation, .. } => r.require(expectation, &role, diags),
                _ => None,
            };
            if matches!(ind.metric, Metric::Nps) && nps_column.is_none() {
                nps_column = column;
            }
            let filter = resolve_filter(&ind.filter, &mut r, &format!("`where` of {role}"), diags);
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
                periods: BTreeMap::new(),
                segments: vec![BTreeMap::new(); segments.len()],
                seg_accs: vec![Vec::new(); segments.len()],
                personas: vec![measure.new_acc(); personas.len()],
                cells: Vec::new(),
                measure,
                column,
                expectation,
                filter,
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
            drivers.push(DriverPass {
                index,
                columns,
                acc: DriverAcc::new(d.attributes.len()),
                personas: vec![DriverAcc::new(d.attributes.len()); personas.len()],
                cells: Vec::new(),
            });
        }
        if r.failures > 0 {
            return None;
        }
        let verbatims = match (comments, nps_column) {
            (Some(c), Some(nps)) => {
                Some(VerbatimPass::new(c, nps, indicators.len(), personas.len()))
            }
            _ => None,
        };
        Some(DatasetPass {
            verbatims,
            names: header.names.clone(),
            period: project.config.period,
            weight,
            date,
            keys: vec![SegmentKeys::default(); segments.len()],
            row_keys: vec![None; segments.len()],
            segments,
            obs: vec![None; indicators.len()],
            matched: vec![false; personas.len()],
            numbers: Vec::new(),
            cells: CellCache::new(header.names.len()),
            groups: Groups::default(),
            last_date: String::new(),
            last_period: None,
            personas,
            indicators,
            drivers,
        })
    }

    /// Ends the pass: the interned segment accumulators become
    /// [`IndicatorPass::segments`], keyed by text.
    pub fn finish(&mut self) {
        self.roll_up();
        for ind in &mut self.indicators {
            for ((accs, keys), map) in
                (ind.seg_accs.iter_mut().zip(&self.keys)).zip(ind.segments.iter_mut())
            {
                for (id, acc) in std::mem::take(accs).into_iter().enumerate() {
                    if let Some(acc) = acc {
                        map.insert(keys.names[id].clone(), acc);
                    }
                }
            }
        }
    }

    /// Adds every group's accumulator to the overall, period, segment and
    /// persona accumulators it stands for, in group order, and forgets the
    /// groups. Called before anything reads those accumulators (finish,
    /// merge, save) and when the group table is full.
    fn roll_up(&mut self) {
        let groups = self.groups.all();
        for ind in &mut self.indicators {
            let IndicatorPass {
                measure,
                overall,
                periods,
                seg_accs,
                personas,
                cells,
                ..
            } = ind;
            // Taken one by one and cleared, so the vector keeps its
            // capacity for the next groups (no reallocation per roll-up).
            for (cell, group) in cells.iter_mut().zip(groups) {
                let Some(acc) = cell.take() else { continue };
                overall.merge(&acc);
                if let Some(p) = group.period {
                    periods
                        .entry(p)
                        .or_insert_with(|| measure.new_acc())
                        .merge(&acc);
                }
                for (id, accs) in group.keys.iter().zip(seg_accs.iter_mut()) {
                    let Some(id) = *id else { continue };
                    if accs.len() <= id {
                        accs.resize(id + 1, None);
                    }
                    accs[id]
                        .get_or_insert_with(|| measure.new_acc())
                        .merge(&acc);
                }
                for (p, _) in personas.iter_mut().zip(&group.matched).filter(|(_, m)| **m) {
                    p.merge(&acc);
                }
            }
        }
        for d in &mut self.drivers {
            for (cell, group) in d.cells.iter_mut().zip(groups) {
                let Some(sums) = cell.take() else { continue };
                d.acc.merge(&sums);
                for (p, _) in (d.personas.iter_mut().zip(&group.matched)).filter(|(_, m)| **m) {
                    p.merge(&sums);
                }
            }
        }
        self.groups.clear();
    }

    fn problem(&self, problems: &mut Vec<RowProblem>, field: usize, message: String) {
        // One error per cell, even when several indicators read it.
        if !problems.iter().any(|p| p.field == field) {
            problems.push(RowProblem { field, message });
        }
    }

    /// The row's weight: 1 without a weight column; blank, non-numeric and
    /// negative weights are data errors (0 is allowed: the row counts in n
    /// but adds nothing to the sums).
    fn weight_of(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) -> f64 {
        let Some(i) = self.weight else { return 1.0 };
        let why = match self.cells.get(row, i).cell("") {
            Cell::Number(w) if w >= 0.0 => return w,
            Cell::Number(_) => "negative; weights must be 0 or more",
            Cell::Blank => "blank; every row needs a weight",
            Cell::Text(_) => "not a number",
        };
        let message = format!("weight `{}` is `{}`, {why}", self.names[i], row.text(i));
        self.problem(problems, i, message);
        0.0
    }

    /// The row's period: `None` without a date column or for a blank date (the
    /// row still counts overall, in no period); an unparsable date is an error.
    fn period_of(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) -> Option<PeriodKey> {
        let (i, format) = self.date?;
        let text = row.text(i);
        if text.is_empty() {
            return None;
        }
        if self.last_period.is_some() && self.last_date == text {
            return self.last_period;
        }
        if let Some(d) = parse_date(text, format) {
            let key = PeriodKey::of(d, self.period);
            self.last_date.clear();
            self.last_date.push_str(text);
            self.last_period = Some(key);
            return Some(key);
        }
        let expected = format.map_or("an ISO 8601 date such as 2026-01-31".to_string(), |f| {
            format!("the format `{f}`")
        });
        let message = format!(
            "date `{}` is `{text}`, which does not match {expected}",
            self.names[i]
        );
        self.problem(problems, i, message);
        None
    }

    /// Checks every driver column is numeric or blank.
    fn check_drivers(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        for d in &self.drivers {
            for &i in &d.columns {
                if self.cells.get(row, i) == Parsed::Text {
                    let message = format!(
                        "`{}` is `{}`, not a number (a key driver analysis reads it)",
                        self.names[i],
                        row.text(i)
                    );
                    self.problem(problems, i, message);
                }
            }
        }
    }

    /// Adds the row to each driver analysis's sums of its group (when every
    /// one of its columns is answered).
    fn feed_drivers(&mut self, row: &Row<'_>, w: f64, group: usize) {
        for d in &mut self.drivers {
            self.numbers.clear();
            // Listwise: a blank in the outcome or any attribute leaves the row out.
            for &i in &d.columns {
                match self.cells.get(row, i) {
                    Parsed::Number(x) => self.numbers.push(x),
                    _ => break,
                }
            }
            if self.numbers.len() == d.columns.len() && !self.numbers.is_empty() {
                if d.cells.len() <= group {
                    d.cells.resize(group + 1, None);
                }
                let attributes = d.columns.len() - 1;
                d.cells[group]
                    .get_or_insert_with(|| DriverAcc::new(attributes))
                    .add(self.numbers[0], &self.numbers[1..], w);
            }
        }
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

/// True when the trimmed cell equals one of `values` (already trimmed, see
/// [`trimmed`]); a blank cell matches nothing.
fn matches(row: &Row<'_>, column: usize, values: &[String]) -> bool {
    let text = row.text(column);
    !text.is_empty() && values.iter().any(|v| v == text)
}

/// Match values trimmed once at plan time rather than once per row.
fn trimmed(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_string()).collect()
}

impl SplitSink for DatasetPass<'_> {
    fn fork(&self) -> Self {
        let mut fork = self.clone();
        for ind in &mut fork.indicators {
            ind.overall = ind.measure.new_acc();
            ind.dist = ind.dist.as_ref().and_then(|_| ind.measure.new_dist());
            ind.periods.clear();
            ind.segments.iter_mut().for_each(BTreeMap::clear);
            ind.seg_accs.iter_mut().for_each(Vec::clear);
            ind.personas.fill(ind.measure.new_acc());
            ind.cells.clear();
        }
        fork.groups = Groups::default();
        for d in &mut fork.drivers {
            let k = d.columns.len().saturating_sub(1);
            d.acc = DriverAcc::new(k);
            d.personas.fill(DriverAcc::new(k));
            d.cells.clear();
        }
        fork.verbatims = self.verbatims.as_ref().map(VerbatimPass::fork);
        fork.keys = vec![SegmentKeys::default(); self.keys.len()];
        fork.cells = CellCache::new(self.names.len());
        fork.last_date.clear();
        fork.last_period = None;
        fork
    }

    fn merge(&mut self, mut later: Self) {
        // Our rows first, then later's: both rolled up, in that order.
        self.roll_up();
        later.roll_up();
        let DatasetPass {
            indicators,
            drivers,
            verbatims,
            keys,
            ..
        } = later;
        for (a, b) in self.indicators.iter_mut().zip(indicators) {
            a.overall.merge(&b.overall);
            if let (Some(d), Some(e)) = (a.dist.as_mut(), b.dist.as_ref()) {
                d.merge(e);
            }
            for (k, acc) in b.periods {
                match a.periods.get_mut(&k) {
                    Some(mine) => mine.merge(&acc),
                    None => {
                        a.periods.insert(k, acc);
                    }
                }
            }
            for ((col, accs), names) in b.seg_accs.into_iter().enumerate().zip(&keys) {
                for (id, acc) in accs.into_iter().enumerate() {
                    let Some(acc) = acc else { continue };
                    let mine = self.keys[col].id(&names.names[id]);
                    let slots = &mut a.seg_accs[col];
                    if slots.len() <= mine {
                        slots.resize(mine + 1, None);
                    }
                    match &mut slots[mine] {
                        Some(m) => m.merge(&acc),
                        slot => *slot = Some(acc),
                    }
                }
            }
            for (m, p) in a.personas.iter_mut().zip(&b.personas) {
                m.merge(p);
            }
        }
        for (a, b) in self.drivers.iter_mut().zip(drivers) {
            a.acc.merge(&b.acc);
            for (m, p) in a.personas.iter_mut().zip(&b.personas) {
                m.merge(p);
            }
        }
        if let (Some(a), Some(b)) = (self.verbatims.as_mut(), verbatims.as_ref()) {
            a.merge(b);
        }
    }

    fn seal(&mut self) {
        self.roll_up();
    }

    fn save(&mut self) -> Vec<u8> {
        self.roll_up();
        self.encode_state()
    }

    fn load(&self, bytes: &[u8]) -> Option<Self> {
        self.decode_state(bytes)
    }
}

impl RowSink for DatasetPass<'_> {
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        // Check everything first: under `bad_rows: skip` a bad row is left out entirely.
        self.cells.row += 1;
        let w = self.weight_of(row, problems);
        let period = self.period_of(row, problems);
        for k in 0..self.indicators.len() {
            let ind = &self.indicators[k];
            self.obs[k] = None;
            if !ind
                .filter
                .iter()
                .all(|(c, values)| matches(row, *c, values))
            {
                continue;
            }
            let c = ind.column.unwrap_or(0);
            let seen = match (ind.expectation, ind.column) {
                (Some(e), _) => (ind.measure)
                    .observe_gap(ind.column.map_or("", |c| row.text(c)), row.text(e))
                    .map_err(|(in_e, why)| (if in_e { e } else { c }, why)),
                (None, None) => ind.measure.observe(None).map_err(|why| (c, why)),
                (None, Some(c)) => {
                    let text = row.text(c);
                    let cell = self.cells.get(row, c).cell(text);
                    ind.measure.observe_cell(text, cell).map_err(|why| (c, why))
                }
            };
            match seen {
                Ok(obs) => self.obs[k] = obs,
                Err((c, why)) => {
                    let message = format!(
                        "`{}` is `{}`, {why} (indicator `{}`)",
                        self.names[c],
                        row.text(c),
                        ind.id
                    );
                    self.problem(problems, c, message);
                }
            }
        }
        self.check_drivers(row, problems);
        if !problems.is_empty() {
            return;
        }
        for (m, p) in self.matched.iter_mut().zip(&self.personas) {
            *m = matches(row, p.column, &p.values);
        }
        for ((keys, (_, c)), id) in
            (self.keys.iter_mut().zip(&self.segments)).zip(&mut self.row_keys)
        {
            let key = row.text(*c);
            // A blank segment cell is in no key.
            *id = (!key.is_empty()).then(|| keys.id(key));
        }
        if self.groups.is_full() {
            self.roll_up();
        }
        let group = (self.groups).id(period, &self.row_keys, &self.matched);
        let cells = &mut self.cells;
        for (ind, obs) in self.indicators.iter_mut().zip(&self.obs) {
            if let Some(obs) = *obs {
                let x = match ind.column {
                    Some(c) if ind.dist.is_some() => match cells.get(row, c) {
                        Parsed::Number(x) => Some(x),
                        _ => None,
                    },
                    _ => None,
                };
                feed(ind, obs, w, group, x);
            }
        }
        self.feed_drivers(row, w, group);
        if let Some(v) = &mut self.verbatims {
            let c = v.nps_column();
            let nps = self.cells.get(row, c).cell(row.text(c));
            v.feed(row, nps, &self.obs, &self.matched);
        }
    }
}

/// Feeds one accepted observation to an indicator: to its row's group (see
/// [`DatasetPass::roll_up`]) and, `x` being the cell's number, to the
/// distribution.
fn feed(ind: &mut IndicatorPass<'_>, obs: Obs, w: f64, group: usize, x: Option<f64>) {
    if let (Some(d), Some(x)) = (ind.dist.as_mut(), x) {
        d.add(x, w);
    }
    if ind.cells.len() <= group {
        ind.cells.resize(group + 1, None);
    }
    ind.cells[group]
        .get_or_insert_with(|| ind.measure.new_acc())
        .add(obs, w);
}

/// The accumulating state of a pass, as stored in the build cache (borrowed
/// to write it; see [`State`] to read it back).
#[derive(serde::Serialize)]
struct StateRef<'a> {
    indicators: Vec<IndicatorStateRef<'a>>,
    drivers: Vec<(&'a DriverAcc, &'a [DriverAcc])>,
    verbatims: Option<&'a VerbatimPass>,
    keys: Vec<&'a [String]>,
}

#[derive(serde::Serialize)]
struct IndicatorStateRef<'a> {
    overall: &'a Acc,
    dist: Option<&'a Dist>,
    periods: &'a BTreeMap<PeriodKey, Acc>,
    seg_accs: &'a [Vec<Option<Acc>>],
    personas: &'a [Acc],
}

/// [`StateRef`] read back.
#[derive(serde::Deserialize)]
struct State {
    indicators: Vec<IndicatorState>,
    drivers: Vec<(DriverAcc, Vec<DriverAcc>)>,
    verbatims: Option<VerbatimPass>,
    keys: Vec<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct IndicatorState {
    overall: Acc,
    dist: Option<Dist>,
    periods: BTreeMap<PeriodKey, Acc>,
    seg_accs: Vec<Vec<Option<Acc>>>,
    personas: Vec<Acc>,
}

/// True when a stored accumulator is of the kind `measure` makes (a
/// percentile may have switched to its sketch).
fn fits(measure: &Measure, acc: &Acc) -> bool {
    let fresh = measure.new_acc();
    let kind = |a: &Acc| match a {
        Acc::Pct { .. } | Acc::Sketched { .. } => 0,
        Acc::Net { .. } => 1,
        Acc::Prop { .. } => 2,
        Acc::Mean { .. } => 3,
        Acc::Count { .. } => 4,
    };
    kind(&fresh) == kind(acc)
}

impl DatasetPass<'_> {
    /// The accumulators of a pass that has read one file (a fork, before
    /// [`DatasetPass::finish`]), encoded for the build cache.
    fn encode_state(&self) -> Vec<u8> {
        let state = StateRef {
            indicators: (self.indicators.iter())
                .map(|i| IndicatorStateRef {
                    overall: &i.overall,
                    dist: i.dist.as_ref(),
                    periods: &i.periods,
                    seg_accs: &i.seg_accs,
                    personas: &i.personas,
                })
                .collect(),
            drivers: (self.drivers.iter())
                .map(|d| (&d.acc, d.personas.as_slice()))
                .collect(),
            verbatims: self.verbatims.as_ref(),
            keys: self.keys.iter().map(|k| k.names.as_slice()).collect(),
        };
        // Serialising plain data to a Vec cannot fail; an empty entry would be refused on load.
        postcard::to_stdvec(&state).unwrap_or_default()
    }

    /// A fork of this pass holding the accumulators [`DatasetPass::save`]
    /// wrote; `None` when they do not decode or do not have this plan's shape
    /// (so a bad cache entry is never merged).
    fn decode_state(&self, bytes: &[u8]) -> Option<Self> {
        let state: State = postcard::from_bytes(bytes).ok()?;
        let mut fork = self.fork();
        let shaped = state.indicators.len() == fork.indicators.len()
            && state.drivers.len() == fork.drivers.len()
            && state.keys.len() == fork.keys.len()
            && state.verbatims.is_some() == fork.verbatims.is_some();
        if !shaped {
            return None;
        }
        for (ind, s) in fork.indicators.iter_mut().zip(state.indicators) {
            let m = &ind.measure;
            let ok = fits(m, &s.overall)
                && s.dist.is_some() == ind.dist.is_some()
                && s.dist
                    .as_ref()
                    .zip(ind.dist.as_ref())
                    .is_none_or(|(a, b)| a.lo == b.lo && a.weights.len() == b.weights.len())
                && s.periods.values().all(|a| fits(m, a))
                && s.seg_accs.len() == ind.seg_accs.len()
                && (s.seg_accs.iter().zip(&state.keys))
                    .all(|(accs, names)| accs.len() <= names.len())
                && s.seg_accs.iter().flatten().flatten().all(|a| fits(m, a))
                && s.personas.len() == ind.personas.len()
                && s.personas.iter().all(|a| fits(m, a));
            if !ok {
                return None;
            }
            ind.overall = s.overall;
            ind.dist = s.dist;
            ind.periods = s.periods;
            ind.seg_accs = s.seg_accs;
            ind.personas = s.personas;
        }
        for (d, (acc, personas)) in fork.drivers.iter_mut().zip(state.drivers) {
            let k = d.acc.attributes();
            let ok = acc.attributes() == k
                && personas.len() == d.personas.len()
                && personas.iter().all(|p| p.attributes() == k);
            if !ok {
                return None;
            }
            d.acc = acc;
            d.personas = personas;
        }
        if let (Some(mine), Some(stored)) = (fork.verbatims.as_ref(), state.verbatims.as_ref()) {
            if !mine.same_shape(stored) {
                return None;
            }
        }
        fork.verbatims = state.verbatims;
        for (keys, names) in fork.keys.iter_mut().zip(state.keys) {
            for name in &names {
                keys.id(name);
            }
            if keys.names != names {
                // Duplicate names: not something save() writes.
                return None;
            }
            keys.last = None;
        }
        Some(fork)
    }
}
