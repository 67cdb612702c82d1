//! Compute stage, per row: a row's weight when the dataset is raked.
//!
//! Input: the rows of a dataset with `rake:` ([`crate::project::rake::Rake`]).
//! Output: each row's cell of the margins' cross-classification (or the data
//! error that keeps it out: a blank margin cell, a key without a target), and
//! either that row's design weight added to the [`CellTable`] (the first pass,
//! which gathers what the fitting needs) or its raked weight, design weight ×
//! its cell's factor (the main pass). It exists apart from `row.rs` so the
//! main pass's hot loop only gains one lookup.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::DatasetPass;
use crate::data::scan::{Row, RowProblem};
use crate::metrics::calibration::cell_columns;
use crate::metrics::rake::CellTable;
use crate::project::rake::Rake;

/// The margin columns resolved, and what the pass does with a row's cell.
#[derive(Clone)]
pub struct RakePass {
    /// Per margin: the column and its keys' indices (trimmed keys), hashed
    /// with foldhash (as segment keys are: SipHash was 2 % of a raked build).
    margins: Vec<(usize, HashMap<String, usize, FixedState>)>,
    /// Per cell, the factor of the raked weight (all 1 until fitted).
    factors: Vec<f64>,
    /// The first pass: the table being gathered (the main pass has none).
    gather: Option<CellTable>,
    /// Per cell, its calibration columns (see [`cell_columns`]), `width` each.
    cell_cols: Vec<u32>,
    /// Entries per cell in `cell_cols`: 1 + margins.
    width: usize,
    /// Calibration columns of the dataset.
    p: usize,
    /// `bad_rows: skip`: the first pass must check every cell, to leave out
    /// the rows the main pass leaves out. Under `fail` any bad row fails the
    /// build, so the first pass reads only the weight and margin columns.
    thorough: bool,
}

/// A row's calibration terms: design weight, columns, and the dataset's p.
pub(crate) type CalRow<'a> = (f64, &'a [u32], usize);

impl RakePass {
    /// The plan of `rake`, its margin columns resolved to `columns`.
    pub fn new(rake: &Rake, columns: Vec<usize>, thorough: bool) -> RakePass {
        let margins = (columns.into_iter().zip(&rake.margins))
            .map(|(c, m)| {
                let keys = (m.targets.iter().enumerate())
                    .map(|(i, (k, _, _))| (k.clone(), i))
                    .collect();
                (c, keys)
            })
            .collect();
        let (cell_cols, p) = cell_columns(rake);
        RakePass {
            margins,
            factors: vec![1.0; rake.cells()],
            gather: None,
            cell_cols,
            width: 1 + rake.margins.len(),
            p,
            thorough,
        }
    }

    /// The calibration terms of a row of design weight `d` in `cell`, in the
    /// main pass (the first pass accumulates nothing but the table).
    #[inline]
    pub(super) fn cal_row(&self, d: f64, cell: Option<usize>) -> Option<CalRow<'_>> {
        let c = cell.filter(|_| self.gather.is_none())?;
        let cols = self.cell_cols.get(c * self.width..(c + 1) * self.width)?;
        Some((d, cols, self.p))
    }

    /// An empty table of the same shape, for a fork of the first pass.
    pub(super) fn reset(&mut self) {
        if let Some(t) = &mut self.gather {
            *t = CellTable::new(self.factors.len());
        }
    }

    /// Adds a later fork's table to ours.
    pub(super) fn merge(&mut self, later: &RakePass) {
        if let (Some(a), Some(b)) = (&mut self.gather, &later.gather) {
            a.merge(b);
        }
    }
}

impl DatasetPass<'_> {
    /// A fork of this planned pass that only gathers the cell table (the
    /// first pass of a raked dataset); `None` without `rake:`.
    pub fn gatherer(&self) -> Option<Self> {
        let mut g = crate::data::scan::SplitSink::fork(self);
        let r = g.rake.as_mut()?;
        r.gather = Some(CellTable::new(r.factors.len()));
        if let Some(read) = g.gather_columns() {
            g.join_only_for(&read);
        }
        Some(g)
    }

    /// A fork of this planned pass for a read that lists rows (the
    /// follow-up list, SPEC §10): each row is checked exactly as the main
    /// pass checks it and its observations classified (its comment is coded
    /// by [`DatasetPass::code_comment`] once the list takes it), and nothing
    /// is accumulated — no groups, samples, driver rows or
    /// tallies, whose cost the list does not need. `read`: the only columns
    /// the read asks for, when it asks for some (`bad_rows: fail`).
    pub fn lister(&self, read: Option<&[usize]>) -> Self {
        let mut l = crate::data::scan::SplitSink::fork(self);
        l.listing = true;
        if let Some(read) = read {
            l.join_only_for(read);
        }
        l
    }

    /// Leaves the lookup table unjoined when none of `read` is one of its
    /// columns (they are numbered past the header's): the join costs a
    /// random probe of the table per row, and a read that uses none of the
    /// joined columns gets nothing from it. A lookup miss rejects no row,
    /// so the rows accepted are the same.
    fn join_only_for(&mut self, read: &[usize]) {
        if read.iter().all(|&c| c < self.width) {
            self.lookup = None;
        }
    }

    /// The table being gathered (the first pass), for the build cache.
    pub(super) fn gathering(&self) -> Option<&CellTable> {
        self.rake.as_ref()?.gather.as_ref()
    }

    /// Takes a file's stored table into this fork of the first pass: true
    /// when it fits (a table exactly when gathering, of this plan's cells).
    pub(super) fn load_gathered(&mut self, stored: Option<CellTable>) -> bool {
        let mine = self.rake.as_mut().and_then(|r| r.gather.as_mut());
        match (mine, stored) {
            (None, None) => true,
            (Some(t), Some(s)) => {
                let cells = t.n.len();
                let fits = [s.d.len(), s.d2.len(), s.min.len(), s.max.len()]
                    .iter()
                    .all(|&l| l == cells)
                    && s.n.len() == cells;
                if fits {
                    *t = s;
                }
                fits
            }
            _ => false,
        }
    }

    /// The header columns the first pass reads when it reads no other (its
    /// weight, margins and lookup key, under `bad_rows: fail`: see
    /// `thorough`); `None` when it must read every column the main pass
    /// reads (`bad_rows: skip`) or the dataset is not raked.
    pub fn gather_columns(&self) -> Option<Vec<usize>> {
        self.rake.as_ref().filter(|r| !r.thorough)?;
        Some(self.row_columns())
    }

    /// The columns every accepted row's checks read before any indicator:
    /// the weight, the raking margins, the lookup table's key (columns past
    /// the header are the joined table's, and need only that key).
    pub fn row_columns(&self) -> Vec<usize> {
        let margins = (self.rake.iter()).flat_map(|r| r.margins.iter().map(|(c, _)| *c));
        (self.weight.into_iter())
            .chain(margins)
            .chain(self.lookup.map(|(_, on)| on))
            .collect()
    }

    /// The columns indicator `k` of the pass reads to classify a row: its
    /// column, expectation and `where` columns.
    pub fn indicator_columns(&self, k: usize) -> Vec<usize> {
        let Some(ind) = self.indicators.get(k) else {
            return Vec::new();
        };
        (ind.column.into_iter())
            .chain(ind.expectation)
            .chain(ind.filter.iter().map(|(c, _)| *c))
            .chain(ind.numeric.iter().map(|(c, _)| *c))
            .collect()
    }

    /// The table a [`DatasetPass::gatherer`] gathered.
    pub fn gathered(self) -> Option<CellTable> {
        self.rake?.gather
    }

    /// Sets the fitted factors, one per cell, for the main pass.
    pub fn set_factors(&mut self, factors: Vec<f64>) {
        if let Some(r) = &mut self.rake {
            r.factors = factors;
        }
    }

    /// The row's cell of the margins (`None` without `rake:`, or with the
    /// data error recorded: a blank margin cell, or a key without target).
    pub(super) fn rake_cell(
        &mut self,
        row: &Row<'_>,
        problems: &mut Vec<RowProblem>,
    ) -> Option<usize> {
        let r = self.rake.as_ref()?;
        let mut cell = 0;
        let mut bad = Vec::new();
        for (c, keys) in &r.margins {
            let text = row.text(*c);
            match keys.get(text) {
                Some(&k) => cell = cell * keys.len() + k,
                None if text.is_empty() => bad.push((
                    *c,
                    format!(
                        "`{}` is blank, but raking needs every row's key",
                        self.names[*c]
                    ),
                )),
                None => bad.push((
                    *c,
                    format!(
                        "`{}` is `{text}`, which has no target share under `rake.margins.{}`",
                        self.names[*c], self.names[*c]
                    ),
                )),
            }
        }
        let ok = bad.is_empty();
        for (c, message) in bad {
            self.problem(problems, c, message);
        }
        ok.then_some(cell)
    }

    /// The row's weight: its design weight `w`, times its cell's factor in the
    /// main pass of a raked dataset.
    #[inline]
    pub(super) fn raked(&self, w: f64, cell: Option<usize>) -> f64 {
        match (&self.rake, cell) {
            (Some(r), Some(c)) if r.gather.is_none() => w * r.factors[c],
            _ => w,
        }
    }

    /// In the first pass under `bad_rows: fail`, adds the row's design weight
    /// to its cell before any other column is read (see `thorough`); true
    /// when the row is done with.
    #[inline]
    pub(super) fn gather_early(
        &mut self,
        w: f64,
        cell: Option<usize>,
        problems: &[RowProblem],
    ) -> bool {
        match &self.rake {
            Some(r) if r.gather.is_some() && !r.thorough => {
                if problems.is_empty() {
                    self.gather(w, cell);
                }
                true
            }
            _ => false,
        }
    }

    /// In the first pass, adds the accepted row's design weight to its cell;
    /// true when the row is done with (nothing else is accumulated then).
    #[inline]
    pub(super) fn gather(&mut self, w: f64, cell: Option<usize>) -> bool {
        match (self.rake.as_mut().and_then(|r| r.gather.as_mut()), cell) {
            (Some(t), Some(c)) => {
                t.add(c, w);
                true
            }
            (Some(_), None) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, Location};
    use crate::metrics::testkit::{col, Kit};
    use crate::project::model::{BadRows, Metric, RowMatch};
    use crate::project::rake::Margin;

    /// A raked, weighted survey whose NPS indicator has a `where`, and the
    /// columns each read of it asks for.
    fn planned(bad_rows: BadRows) -> (Option<Vec<usize>>, Vec<usize>, Vec<usize>) {
        let csv = b"id,w,region,score,plan,notes\n1,1.5,north,9,gold,x\n2,0.5,south,3,basic,y\n";
        let mut kit = Kit::new(&[("s.csv", csv)]);
        let ds = kit.dataset();
        ds.bad_rows = bad_rows;
        ds.weight = Some(col("w", 1));
        ds.rake = Some(Rake {
            margins: vec![Margin {
                column: col("region", 2),
                targets: vec![
                    ("north".into(), 0.5, Location::default()),
                    ("south".into(), 0.5, Location::default()),
                ],
            }],
            total: None,
            max_iterations: 50,
            tolerance: 1e-9,
            location: Location::default(),
        });
        kit.indicator("nps", Metric::Nps, Some("score"), 10).filter = vec![RowMatch {
            column: col("plan", 11),
            values: vec!["gold".into()],
        }];
        let p = &kit.project;
        let ds = &p.config.datasets["survey"];
        let mut diags = Diagnostics::new();
        let header = crate::data::scan::read_header(ds, &p.root, &mut diags).unwrap();
        let pass = DatasetPass::plan(p, ds, &header, &mut diags).unwrap();
        assert_eq!(diags.error_count(), 0);
        let g = pass.gatherer().unwrap();
        (
            g.gather_columns(),
            pass.row_columns(),
            pass.indicator_columns(0),
        )
    }

    #[test]
    fn the_first_pass_reads_the_weight_and_margins_only_under_fail() {
        // Columns: id 0, w 1, region 2, score 3, plan 4, notes 5.
        let (gather, row, indicator) = planned(BadRows::Fail);
        assert_eq!(gather, Some(vec![1, 2]));
        assert_eq!(row, vec![1, 2]);
        assert_eq!(indicator, vec![3, 4]);
        // Under `skip` a bad cell anywhere leaves a row out of the margins too.
        assert_eq!(planned(BadRows::Skip).0, None);
    }

    #[test]
    fn a_projected_header_wants_its_own_columns() {
        let header = crate::data::scan::Header {
            names: vec!["a".into(), "b".into(), "c".into()],
            file: "s.csv".into(),
            wanted: Default::default(),
        };
        header.index("c");
        let p = header.projected(&[0, 7]);
        assert_eq!(p.wanted_columns(), vec![0]);
        p.index("b");
        // Looking up through the projection never widens the main pass's set.
        assert_eq!(
            (p.wanted_columns(), header.wanted_columns()),
            (vec![0, 1], vec![2])
        );
    }
}
