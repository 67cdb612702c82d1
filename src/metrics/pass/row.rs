//! Compute stage, per row: one data row checked, then added to its group.
//!
//! Input: each [`Row`] of the dataset from [`crate::data::scan`], through
//! [`RowSink`]. Output: the row's problems (a bad row adds nothing at all), or
//! its observations added to the accumulators of its group — its period,
//! segment keys and personas (see [`crate::metrics::groups`]) — and to the
//! distributions, the key driver sums and the comment sample. It exists apart
//! because it is the engine's hottest loop: each cell is parsed at most once a
//! row ([`CellCache`]) and each segment key interned once, however many
//! indicators read them.

use std::borrow::Cow;

use super::weights::CalRow;
use super::{DatasetPass, IndicatorPass};
use crate::data::cell::{Cell, Parsed};
use crate::data::date::parse_date;
use crate::data::scan::{Row, RowProblem, RowSink};
use crate::metrics::acc::Obs;
use crate::metrics::distribution::Dist;
use crate::metrics::periods::PeriodKey;
use crate::metrics::redact::mask_contacts_cow;
use crate::metrics::samples::fnv1a;
use crate::metrics::verbatims::{nps_group, Voice};

/// Per-field memo of [`Parsed`], valid for the row whose number is `row`.
#[derive(Default, Clone)]
pub(super) struct CellCache {
    row: u64,
    slots: Vec<(u64, Parsed)>,
}

impl CellCache {
    pub(super) fn new(fields: usize) -> Self {
        CellCache {
            row: 1,
            slots: vec![(0, Parsed::Blank); fields],
        }
    }

    /// Field `i` of `row`, parsed at most once per row.
    #[inline]
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

impl RowSink for DatasetPass<'_> {
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        // The lookup table's row joined by the key's bytes (SPEC §9): its
        // columns are read past the header's, as any other field.
        let joined;
        let mut hit = false;
        let row = match self.lookup {
            Some((table, on)) => {
                (joined, hit) = row.joined(table, on);
                &joined
            }
            None => row,
        };
        // Check everything first: under `bad_rows: skip` a bad row is left out entirely.
        self.cells.row += 1;
        let design_w = self.weight_of(row, problems);
        let cell = self.rake_cell(row, problems);
        if self.gather_early(design_w, cell, problems) {
            return;
        }
        let w = self.raked(design_w, cell);
        let period = self.period_of(row, problems);
        self.row_period = period;
        for k in 0..self.indicators.len() {
            let ind = &self.indicators[k];
            self.obs[k] = None;
            // Numeric tests first, on every row: a text cell there is an error
            // whatever the other conditions say. A blank cell does not match.
            let mut kept = true;
            for &(c, test) in &ind.numeric {
                match self.cells.get(row, c) {
                    Parsed::Number(x) => kept &= test.passes(x),
                    Parsed::Blank => kept = false,
                    Parsed::Text => {
                        kept = false;
                        let message = format!(
                            "`{}` is `{}`, not a number (`where` of indicator `{}` tests it as a number)",
                            self.names[c],
                            row.text(c),
                            ind.id
                        );
                        self.problem(problems, c, message);
                    }
                }
            }
            if !kept
                || !ind
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
        self.check_value(row, problems);
        self.bands_of(row, problems);
        if !problems.is_empty() || self.gather(design_w, cell) {
            return;
        }
        if self.listing {
            return;
        }
        if self.lookup.is_some() {
            self.lookup_counts[usize::from(!hit)] += 1;
        }
        for (m, p) in self.matched.iter_mut().zip(&self.personas) {
            *m = matches(row, p.column, &p.values);
        }
        for (s, (keys, (_, c))) in self.keys.iter_mut().zip(&self.segments).enumerate() {
            self.row_keys[s] = match &self.bands[s] {
                // A banded segment's key is its band (none for a blank cell).
                Some((_, labels)) => self.row_bands[s].map(|b| keys.id(&labels[b])),
                None => {
                    let key = row.text(*c);
                    // A blank segment cell is in no key.
                    (!key.is_empty()).then(|| keys.id(key))
                }
            };
        }
        if self.groups.is_full() {
            self.roll_up();
        }
        let group = (self.groups).id(period, &self.row_keys, &self.matched);
        let cal = (self.rake.as_ref()).and_then(|r| r.cal_row(design_w, cell));
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
                feed(ind, obs, w, group, x, period, cal);
            }
        }
        self.feed_drivers(row, w, group, period);
        self.feed_comment(row, w, period, (design_w, cell));
        self.feed_value(row, w, period, (design_w, cell));
    }
}

impl DatasetPass<'_> {
    /// Codes the comment of `row` (the row last given to `row`), when it
    /// has one, for [`super::topics::TopicPass::row_topics`]: the follow-up
    /// list's rows, which are tallied nowhere, and coded only once listed
    /// (most rows of the list's read are not).
    pub fn code_comment(&mut self, row: &Row<'_>) {
        if let (Some(c), Some(t)) = (self.comment, self.topics.as_mut()) {
            let text = row.text(c);
            if !text.is_empty() {
                t.code(text);
            }
        }
    }

    /// Codes the row's comment with the codebook and feeds the topic
    /// tallies and the comment samples.
    fn feed_comment(
        &mut self,
        row: &Row<'_>,
        w: f64,
        period: Option<PeriodKey>,
        (design_w, cell): (f64, Option<usize>),
    ) {
        let Some(c) = self.comment else { return };
        if self.verbatims.is_none() && self.topics.is_none() {
            return;
        }
        let nps = (self.nps).and_then(|n| nps_group(self.cells.get(row, n).number()));
        let text = row.text(c);
        let answered = !text.is_empty();
        let masked = if answered {
            mask_contacts_cow(text)
        } else {
            Cow::Borrowed("")
        };
        // The sampling hash of the comment as shown, once for the topics'
        // samples and the verbatims'.
        let hash = if answered { fnv1a(&masked) } else { 0 };
        let topics: &[usize] = match (&mut self.topics, answered) {
            (Some(t), true) => {
                let cal = (self.rake.as_ref()).and_then(|r| r.cal_row(design_w, cell));
                t.code(text);
                let ids = &self.row_keys;
                t.tally(
                    |s| ids[s],
                    (&masked, hash),
                    w,
                    period,
                    nps,
                    &self.matched,
                    cal,
                );
                t.row_topics()
            }
            _ => &[],
        };
        if let Some(v) = &mut self.verbatims {
            let voice = Voice {
                comment: answered.then(|| (masked.as_ref(), hash)),
                weight: w,
                nps,
                topics,
            };
            v.feed(&voice, &self.obs, &self.matched, period);
        }
    }
}

/// Feeds one accepted observation to an indicator: to its row's group (see
/// [`DatasetPass::roll_up`]) and, `x` being the cell's number, to the
/// distribution.
#[inline]
fn feed(
    ind: &mut IndicatorPass<'_>,
    obs: Obs,
    w: f64,
    group: usize,
    x: Option<f64>,
    period: Option<PeriodKey>,
    cal: Option<CalRow<'_>>,
) {
    if let (Some(d), Some(x)) = (ind.dist.as_mut(), x) {
        d.add(x, w);
        if let Some(p) = period {
            period_dist(ind, p).add(x, w);
        }
    }
    if ind.cells.len() <= group {
        ind.cells.resize(group + 1, None);
    }
    let acc = ind.cells[group].get_or_insert_with(|| ind.measure.new_acc());
    acc.add(obs, w);
    if let Some((d, cols, p)) = cal {
        acc.add_cal(obs, w, d, cols, p);
    }
}

/// The distribution of period `p` of an indicator that has one: the last
/// one used when it is `p` (rows are mostly sorted by date), else found or added.
#[inline]
fn period_dist<'a>(ind: &'a mut IndicatorPass<'_>, p: PeriodKey) -> &'a mut Dist {
    let hit = (ind.dist_periods.get(ind.dist_last)).is_some_and(|(k, _)| *k == p);
    if !hit {
        ind.dist_last = match ind.dist_periods.iter().position(|(k, _)| *k == p) {
            Some(i) => i,
            None => {
                // Only called when the indicator has a distribution.
                let fresh = (ind.dist.as_ref()).map_or_else(
                    || Dist {
                        lo: 0,
                        weights: Vec::new(),
                        total: 0.0,
                    },
                    Dist::empty_like,
                );
                ind.dist_periods.push((p, fresh));
                ind.dist_periods.len() - 1
            }
        };
    }
    &mut ind.dist_periods[ind.dist_last].1
}

impl DatasetPass<'_> {
    pub(super) fn problem(&self, problems: &mut Vec<RowProblem>, field: usize, message: String) {
        // A looked-up cell is blamed on this row's key cell (SPEC §9): that
        // is the field of this file that brought the value in.
        let (field, message) = match self.lookup {
            Some((table, on)) if field >= self.width => (
                on,
                format!(
                    "{message}; looked up in `{}` by `{}`",
                    table.dataset, self.names[on]
                ),
            ),
            _ => (field, message),
        };
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

    /// The period of the row last given to `row`, as the build dates it (a
    /// date from the lookup table through the join): the follow-up list's.
    pub fn row_period(&self) -> Option<PeriodKey> {
        self.row_period
    }

    /// The date column (past the header's when it is the lookup table's).
    pub fn date_column(&self) -> Option<usize> {
        self.date.map(|(i, _)| i)
    }

    /// The period of a row read for the follow-up list, known before the row
    /// is checked, joined or coded, so that a row outside the window costs
    /// only its date: from the dataset's own date column (by the pass's date
    /// cache). `None` when it cannot be known that early — no date column,
    /// a date from the lookup table, a blank or unparsable date: the row is
    /// then checked first, as the build checked it.
    pub fn listed_period(&mut self, row: &Row<'_>) -> Option<PeriodKey> {
        let (i, format) = self.date.filter(|&(i, _)| i < self.width)?;
        let text = row.text(i);
        if text.is_empty() {
            return None;
        }
        self.period_of_text(text, format)
    }

    /// The period of a non-blank date text (`format` its `format:`), by the
    /// pass's date cache; `None` when it does not parse.
    #[inline]
    fn period_of_text(&mut self, text: &str, format: Option<&str>) -> Option<PeriodKey> {
        let period = self.period;
        (self.dates).period(text, |t| {
            parse_date(t, format).map(|d| PeriodKey::of(d, period))
        })
    }

    /// The row's period: `None` without a date column or for a blank date (the
    /// row still counts overall, in no period); an unparsable date is an error.
    fn period_of(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) -> Option<PeriodKey> {
        let (i, format) = self.date?;
        let text = row.text(i);
        if text.is_empty() {
            return None;
        }
        let key = self.period_of_text(text, format);
        if key.is_some() {
            return key;
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

    /// The band of each banded segment (SPEC §9): `None` for a blank cell; a
    /// cell that is not a number, or below the first bound, is a data error.
    fn bands_of(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        for s in 0..self.bands.len() {
            let Some((bands, _)) = &self.bands[s] else {
                continue;
            };
            let c = self.segments[s].1;
            let (band, why) = match self.cells.get(row, c) {
                Parsed::Blank => (None, None),
                Parsed::Number(x) => match bands.band(x) {
                    Some(b) => (Some(b), None),
                    None => (
                        None,
                        Some(format!("below the first band ({})", bands.bounds[0])),
                    ),
                },
                Parsed::Text => (None, Some("not a number".to_string())),
            };
            self.row_bands[s] = band;
            if let Some(why) = why {
                let message = format!(
                    "`{}` is `{}`, {why} (segment `{}` cuts it into bands)",
                    self.names[c],
                    row.text(c),
                    self.segments[s].0
                );
                self.problem(problems, c, message);
            }
        }
    }

    /// Checks every driver column is numeric or blank, and every attribute
    /// rating on the analysis' `scale` when it declares one.
    fn check_drivers(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        for d in &self.drivers {
            for (k, &i) in d.columns.iter().enumerate() {
                let message = match self.cells.get(row, i) {
                    Parsed::Text => format!(
                        "`{}` is `{}`, not a number (a key driver analysis reads it)",
                        self.names[i],
                        row.text(i)
                    ),
                    Parsed::Number(x) => match d.bands {
                        Some(b) if k > 0 && !b.scale.contains(x) => format!(
                            "`{}` is `{}`, outside the scale {}–{} of the key driver analysis of `{}`",
                            self.names[i],
                            row.text(i),
                            b.scale.lo,
                            b.scale.hi,
                            self.names[d.columns[0]]
                        ),
                        _ => continue,
                    },
                    _ => continue,
                };
                self.problem(problems, i, message);
            }
        }
    }

    /// Adds the row to each driver analysis's sums of its group (when every
    /// one of its columns is answered), and to its bootstrap rows.
    fn feed_drivers(&mut self, row: &Row<'_>, w: f64, group: usize, period: Option<PeriodKey>) {
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
                let (y, x) = (self.numbers[0], &self.numbers[1..]);
                (d.cells[group])
                    .get_or_insert_with(|| d.acc.empty_like())
                    .add(y, x, w, d.bands.as_ref());
                if let Some(rows) = &mut d.rows {
                    // The first 64 personas, one bit each.
                    let personas = (self.matched.iter().take(64).enumerate())
                        .filter(|(_, m)| **m)
                        .fold(0u64, |mask, (i, _)| mask | (1 << i));
                    rows.push(y, x, w, period, personas);
                }
            }
        }
    }
}

/// True when the trimmed cell equals one of `values` (already trimmed, see
/// [`super::trimmed`]); a blank cell matches nothing.
#[inline]
fn matches(row: &Row<'_>, column: usize, values: &[String]) -> bool {
    let text = row.text(column);
    !text.is_empty() && values.iter().any(|v| v == text)
}
