//! The follow-up list (SPEC §10): `PROJECT/_followup/followup.csv`, the rows
//! of chosen NPS groups for the team that calls customers back.
//!
//! Input: the checked project (its `followup:`) and the reporting window.
//! Output: a CSV of id, period, score and topics — nothing else, and never a
//! `pii` column (the validator refuses one as `id`) — written beside the
//! published site, never into it. The dataset is read once more through the
//! data seam with a sink wrapping the compute stage's own pass, so exactly
//! the rows `build` accepts are listed, grouped by the NPS indicator's own
//! classification (its `where` included) and coded by the same codebook;
//! that pass is a [`DatasetPass::lister`], which accumulates nothing.
//! Rows are sorted by period then id, so the file is the same at any thread
//! count.

use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::data::scan::{read_header, scan, Row, RowProblem, RowSink, SplitSink};
use crate::diag::Diagnostics;
use crate::metrics::acc::Obs;
use crate::metrics::lookup_stats::Tables;
use crate::metrics::pass::DatasetPass;
use crate::metrics::periods::PeriodKey;
use crate::metrics::window::Window;
use crate::project::model::{BadRows, Project};
use crate::project::value::NpsGroup;

/// The folder under the project the list is written to.
pub const FOLDER: &str = "_followup";
/// The list's file name.
pub const FILE: &str = "followup.csv";

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The `id:` column's cell.
    pub id: String,
    /// The row's period (`None`: no date).
    pub period: Option<PeriodKey>,
    /// The NPS answer as written.
    pub score: String,
    /// The topic ids coded on the comment, codebook order.
    pub topics: Vec<String>,
}

/// The fields the sink reads, resolved from the header once.
#[derive(Debug, Clone, Copy)]
struct Columns {
    id: usize,
    nps: usize,
    /// The NPS indicator's position in the pass.
    indicator: usize,
    comment: Option<usize>,
}

/// The scan's sink: the compute stage's pass (which decides what a good
/// row is, and classifies it) and the lines it listed.
#[derive(Clone)]
struct FollowSink<'p> {
    pass: DatasetPass<'p>,
    project: &'p Project,
    columns: Columns,
    groups: Vec<NpsGroup>,
    window: Window,
    dated: bool,
    lines: Vec<Line>,
}

impl RowSink for FollowSink<'_> {
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        // A row dated outside the window is never listed, whatever its
        // checks say (under `fail` the build accepted every row; under `skip`
        // a rejected row is not listed either): it is not joined or coded.
        if let (true, Some(k)) = (self.dated, self.pass.listed_period(row)) {
            if !self.window.contains(k) {
                return;
            }
        }
        let before = problems.len();
        self.pass.row(row, problems);
        if problems.len() > before {
            return;
        }
        let Some(Obs::Net(class)) = self.pass.observation(self.columns.indicator) else {
            return;
        };
        if !self.groups.contains(&NpsGroup::of_class(class)) {
            return;
        }
        // Dated as the build dates it (a date from the lookup table through the join).
        let period = self.pass.row_period();
        let in_window = match (self.dated, period) {
            (false, _) => true,
            (true, Some(k)) => self.window.contains(k),
            (true, None) => self.window.takes_undated(),
        };
        if !in_window {
            return;
        }
        let answered = self
            .columns
            .comment
            .is_some_and(|c| !row.text(c).is_empty());
        if answered {
            self.pass.code_comment(row);
        }
        let topics = match (&self.pass.topics, answered) {
            (Some(t), true) => (t.row_topics().iter())
                .map(|&i| self.project.topics[i].id.clone())
                .collect(),
            _ => Vec::new(),
        };
        self.lines.push(Line {
            id: row.text(self.columns.id).to_string(),
            period,
            score: row.text(self.columns.nps).to_string(),
            topics,
        });
    }
}

impl SplitSink for FollowSink<'_> {
    fn fork(&self) -> Self {
        FollowSink {
            pass: self.pass.fork(),
            lines: Vec::new(),
            ..self.clone()
        }
    }

    fn part(&self) -> Self {
        FollowSink {
            pass: self.pass.part(),
            lines: Vec::new(),
            ..self.clone()
        }
    }

    fn merge(&mut self, later: Self) {
        self.pass.merge(later.pass);
        self.lines.extend(later.lines);
    }

    fn seal(&mut self) {
        self.pass.seal();
    }

    // Read without the build cache: the list needs every row's id.
    fn save(&mut self) -> Vec<u8> {
        Vec::new()
    }

    fn load(&self, _bytes: &[u8]) -> Option<Self> {
        None
    }
}

/// The list's lines for `project` on `window`, sorted by period (undated
/// first) then id, joining the lookup table among `tables` (the build's,
/// its rows read at most once: here, when compute took every joining file
/// from `cache`) when the dataset has `lookup:`; `None` without `followup:`
/// or when the dataset cannot be read (its errors are already reported by
/// `check`).
pub fn lines(
    project: &Project,
    window: Window,
    tables: &Tables,
    cache: Option<&Cache>,
) -> Option<Vec<Line>> {
    let f = project.config.followup.as_ref()?;
    let ds = project.config.datasets.get(&f.dataset)?;
    // `check` read these files a moment ago and reported their problems.
    let mut quiet = Diagnostics::new();
    let header = read_header(ds, &project.root, &mut quiet)?;
    // A dataset that joins a lookup table (SPEC §9) is planned with it, as `build` plans it.
    let table = match &ds.lookup {
        // The build's table (its rows read now if compute took every file from the cache);
        // without it (it could not be read) the dataset was not read either.
        Some(l) => Some(tables.get(&l.dataset)?.rows(project, cache, &mut quiet)?),
        None => None,
    };
    let pass = DatasetPass::plan_joined(project, ds, &header, table, &mut quiet)?;
    let columns = Columns {
        id: header.index(&f.id.name)?,
        nps: pass.indicators.iter().find(|i| i.id == f.nps)?.column()?,
        indicator: pass.indicators.iter().position(|i| i.id == f.nps)?,
        comment: ds.comments.as_ref().and_then(|c| header.index(&c.name)),
    };
    // Under `bad_rows: fail` the build that came before accepted every row, so
    // the list reads only its own columns (a source that projects decodes no
    // other); under `skip` every column decides which rows are left out.
    let wanted = (ds.bad_rows == BadRows::Fail).then(|| {
        let mut wanted = pass.row_columns();
        wanted.extend(pass.indicator_columns(columns.indicator));
        wanted.extend(
            [Some(columns.id), pass.date_column(), columns.comment]
                .into_iter()
                .flatten(),
        );
        wanted
    });
    let projected = wanted.as_ref().map(|w| header.projected(w));
    // The list checks and classifies rows as the build did, and accumulates nothing.
    let pass = pass.lister(wanted.as_deref());
    let mut sink = FollowSink {
        dated: pass.is_dated(),
        pass,
        project,
        columns,
        groups: f.groups.clone(),
        window,
        lines: Vec::new(),
    };
    let read_header = projected.as_ref().unwrap_or(&header);
    scan(ds, &project.root, read_header, &mut sink, None, &mut quiet);
    let mut lines = sink.lines;
    lines.sort_by(|a, b| (a.period, &a.id).cmp(&(b.period, &b.id)));
    Some(lines)
}

/// The list as CSV bytes: a header, then one line per row.
pub fn to_csv(lines: &[Line]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "period", "score", "topics"]);
    for l in lines {
        let period = l.period.map(|p| p.to_string()).unwrap_or_default();
        let _ = w.write_record([&l.id, &period, &l.score, &l.topics.join(";")]);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes `PROJECT/_followup/followup.csv` when `followup:` is configured;
/// returns its path.
pub fn write(
    project: &Project,
    window: Window,
    tables: &Tables,
    cache: Option<&Cache>,
) -> std::io::Result<Option<Written>> {
    if project.config.followup.is_none() {
        return Ok(None);
    }
    let dir = project.root.join(FOLDER);
    let path = dir.join(FILE);
    let key = cache.and_then(|c| list_key(project, window, tables, c));
    let state = cache.map(|c| c.dir().join(STATE));
    if let (Some(key), Some(state)) = (&key, &state) {
        if unchanged(state, key, &path) {
            return Ok(Some(Written { path, reused: true }));
        }
    }
    // `check` passed, so the dataset reads; never leave a configured list unwritten silently.
    let Some(lines) = lines(project, window, tables, cache) else {
        return Err(std::io::Error::other(
            "the follow-up dataset could not be read again; run `cxscore check` for details",
        ));
    };
    std::fs::create_dir_all(&dir)?;
    let bytes = to_csv(&lines);
    write_atomically(&path, &bytes)?;
    if let (Some(key), Some(state), Some(cache)) = (key, state, cache.filter(|c| c.writable())) {
        // Remembered only if no input changed while the list was read; a
        // failure to write only costs the next build a read.
        if list_key(project, window, tables, cache).as_ref() == Some(&key) {
            let _ = std::fs::write(state, format!("{key}\n{}\n", blake3::hash(&bytes).to_hex()));
        }
    }
    Ok(Some(Written {
        path,
        reused: false,
    }))
}

/// The list [`write`] left in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `_followup/followup.csv`.
    pub path: PathBuf,
    /// True when the file was already the list of these inputs, so the
    /// dataset was not read again.
    pub reused: bool,
}

/// The file, in the build cache's folder, that remembers the last list
/// written: the key of its inputs and the BLAKE3 hash of its bytes. Not a
/// copy of the list: its ids are personal data, kept in one place.
const STATE: &str = "followup";

/// The key of everything the list depends on: each data file of its
/// dataset (the build cache's key, which covers the file's content, the
/// dataset's definitions, the codebook and the lookup table's identity),
/// `followup:` and the window. `None` for a dataset the cache cannot key
/// (SQL, whose rows have no content hash; a file that cannot be read).
fn list_key(project: &Project, window: Window, tables: &Tables, cache: &Cache) -> Option<String> {
    let f = project.config.followup.as_ref()?;
    let ds = project.config.datasets.get(&f.dataset)?;
    if ds.sql.is_some() || ds.files.is_empty() {
        return None;
    }
    let mut definitions = crate::metrics::cache_definitions(project, ds);
    if let Some(l) = &ds.lookup {
        definitions.push_str(&format!(
            "\nlookup: {:?}",
            tables.get(&l.dataset)?.identity?
        ));
    }
    definitions.push_str(&format!(
        "\nfollowup: {:?} {:?} {:?} {:?}\n{window:?}",
        f.dataset, f.id.name, f.groups, f.nps
    ));
    let digest = crate::cache::definitions_digest(&definitions);
    let mut h = blake3::Hasher::new();
    for path in &ds.files {
        // Named as compute names it, so the content hash it remembered
        // (`known-hashes`) is found, not computed again.
        let shown = crate::diag::display_path(&project.root, path);
        let key = cache.key(path, &shown, &digest)?;
        h.update(key.name().as_bytes());
    }
    Some(h.finalize().to_hex().to_string())
}

/// True when `state` names `key` and `path` still holds the bytes written
/// under it (an edited or deleted list is written again).
fn unchanged(state: &Path, key: &str, path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(state) else {
        return false;
    };
    let mut parts = text.lines();
    if parts.next() != Some(key) {
        return false;
    }
    let Some(hash) = parts.next() else {
        return false;
    };
    std::fs::read(path).is_ok_and(|bytes| blake3::hash(&bytes).to_hex().as_str() == hash)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_four_columns_quotes_what_needs_it_and_joins_topics() {
        let lines = [
            Line {
                id: "A,1".into(),
                period: Some(PeriodKey::Month(2026, 2)),
                score: "3".into(),
                topics: vec!["price".into(), "outage".into()],
            },
            Line {
                id: "say \"hi\"".into(),
                period: None,
                score: "7".into(),
                topics: Vec::new(),
            },
        ];
        let text = String::from_utf8(to_csv(&lines)).unwrap();
        assert_eq!(
            text,
            "id,period,score,topics\n\"A,1\",2026-02,3,price;outage\n\"say \"\"hi\"\"\",,7,\n"
        );
    }
}
