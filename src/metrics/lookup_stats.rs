//! Compute stage, SPEC §9: the lookup tables of a build, read once, and each
//! joining dataset's match rate.
//!
//! Input: the project. Output: every dataset named by some `lookup:` as a
//! [`BuildTable`] (its header read before any dataset is passed over, its
//! rows when a joining file is first read rather than taken from the build
//! cache), the table a dataset joins, and `data.<dataset>.lookup` of
//! `metrics.json` with a warning when fewer than [`MIN_MATCH`] of the rows
//! matched.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::computed::LookupStats;
use super::pass::DatasetPass;
use crate::cache::Cache;
use crate::data::lookup::{load_header, load_table, LookupTable};
use crate::diag::Diagnostics;
use crate::project::model::{Dataset, Project};

/// Below this share of matched rows, a build and `check` warn.
pub const MIN_MATCH: f64 = 0.9;

/// Reads the lookup table `dataset` joins (SPEC §9), as `build` reads it:
/// for a pass beside the build that plans one dataset alone (`topics
/// suggest`; the follow-up list joins the table the build read). `None` without `lookup:`.
pub fn load_joined(
    project: &Project,
    dataset: &crate::project::model::Dataset,
    diags: &mut Diagnostics,
) -> Option<LookupTable> {
    let table = project
        .config
        .datasets
        .get(&dataset.lookup.as_ref()?.dataset)?;
    load_table(table, &project.root, diags)
}

/// A lookup table of the build (SPEC §9): its header at once, its rows only
/// when a joining file has to be read. An unchanged rebuild takes every
/// joining file from the build cache, and a CRM extract of millions of rows
/// would otherwise be parsed (and held: most of the build's memory) only to
/// be joined to nothing.
#[derive(Debug)]
pub struct BuildTable {
    /// The table's dataset.
    dataset: Dataset,
    /// The header and key column, no rows: what a joining pass is planned
    /// with, and what it runs with when every file comes from the cache.
    header_only: LookupTable,
    /// What the table's content is, for the build cache's keys of the
    /// datasets that join it: each of its files' keys (content, the
    /// dataset's settings, cxscore's version), or a SQL table's rows'
    /// digest. `None` without a cache (or when the table cannot be read).
    pub identity: Option<[u8; 32]>,
    /// A build of this version read the table of this identity without an
    /// error (remembered in the cache; never without an identity): only then
    /// may a joining pass run on the header alone, since a repeated key must
    /// be reported every build.
    known_good: bool,
    /// The rows, read on first need.
    rows: OnceLock<Option<LookupTable>>,
}

impl BuildTable {
    /// The table of `dataset` (which has `key:`), its header read; `None`
    /// (with an error) when the header cannot be read or lacks the key.
    fn new(
        project: &Project,
        dataset: &Dataset,
        cache: Option<&Cache>,
        diags: &mut Diagnostics,
    ) -> Option<BuildTable> {
        let header_only = load_header(dataset, &project.root, diags)?;
        let mut table = BuildTable {
            dataset: dataset.clone(),
            header_only,
            identity: None,
            known_good: false,
            rows: OnceLock::new(),
        };
        let Some(cache) = cache else {
            return Some(table);
        };
        if dataset.sql.is_some() {
            // A query's rows have no content hash: they are read now, and
            // their digest is the identity (no memo: read every build).
            table.identity = (table.rows(project, None, diags)).map(LookupTable::content_digest);
            return Some(table);
        }
        table.identity = identity(project, dataset, cache);
        table.known_good = (table.identity)
            .is_some_and(|id| cache.memo(&good_memo(&id)).is_some_and(|m| m == GOOD));
        Some(table)
    }

    /// The header alone, when a pass may run on it: the table is known to
    /// read without an error, and the caller takes every file from the
    /// cache (and reads the table after all if one is missing there).
    pub fn header_only(&self) -> Option<&LookupTable> {
        self.known_good.then_some(&self.header_only)
    }

    /// Whether the rows were read (or tried) in this build.
    pub fn rows_read(&self) -> bool {
        self.rows.get().is_some()
    }

    /// The table with its rows, read the first time it is asked for (its
    /// errors then recorded in `diags`); `None` when it cannot be read.
    pub fn rows(
        &self,
        project: &Project,
        cache: Option<&Cache>,
        diags: &mut Diagnostics,
    ) -> Option<&LookupTable> {
        self.rows
            .get_or_init(|| {
                let errors = diags.error_count();
                let table = load_table(&self.dataset, &project.root, diags);
                let good = table.is_some() && diags.error_count() == errors;
                if let (true, Some(cache), Some(id)) = (good, cache, self.identity) {
                    cache.put_memo(&good_memo(&id), GOOD);
                }
                table
            })
            .as_ref()
    }
}

/// What [`BuildTable::known_good`]'s memo holds.
const GOOD: &[u8] = b"read without an error";

/// The memo's digest: the table's identity, as a question of its own.
fn good_memo(identity: &[u8; 32]) -> [u8; 32] {
    *blake3::hash(&[b"lookup table read without an error: ".as_slice(), identity].concat())
        .as_bytes()
}

/// The identity of lookup table `dataset` ([`BuildTable::identity`]), from
/// its files.
fn identity(project: &Project, dataset: &Dataset, cache: &Cache) -> Option<[u8; 32]> {
    // What the rows read depend on: the dataset's settings (`key`, `pii`,
    // format options; conservative: all of them but its file list), not the
    // indicators on it, whose edits would otherwise read every joining file.
    let mut settings = dataset.clone();
    settings.files.clear();
    let definitions = crate::cache::definitions_digest(&format!("lookup table\n{settings:?}"));
    let mut h = blake3::Hasher::new();
    for path in &dataset.files {
        // Named as compute names it, so the content hash it remembered is found.
        let shown = crate::diag::display_path(&project.root, path);
        h.update(cache.key(path, &shown, &definitions)?.name().as_bytes());
    }
    Some(*h.finalize().as_bytes())
}

/// The lookup tables of a build, by dataset id.
pub type Tables = BTreeMap<String, BuildTable>;

/// Every dataset some `lookup:` names (and that has `key:`), its header
/// read; its rows are read when a joining dataset first needs them
/// ([`BuildTable::rows`]). A table whose header cannot be read is absent
/// (its errors are recorded).
pub fn load_tables(project: &Project, cache: Option<&Cache>, diags: &mut Diagnostics) -> Tables {
    let mut tables = BTreeMap::new();
    let datasets = &project.config.datasets;
    for ds in datasets.values() {
        let Some(l) = &ds.lookup else { continue };
        if tables.contains_key(&l.dataset) {
            continue;
        }
        let Some(table_ds) = datasets.get(&l.dataset).filter(|t| t.key.is_some()) else {
            continue;
        };
        if let Some(t) = BuildTable::new(project, table_ds, cache, diags) {
            tables.insert(l.dataset.clone(), t);
        }
    }
    tables
}

/// The table `ds` joins: `Some(None)` when it joins none, `Some(Some(t))`
/// when it joins `t`, `None` when its table could not be read (the dataset
/// is then not read either; an error says why).
pub fn table_of<'t>(
    project: &Project,
    ds: &Dataset,
    tables: &'t Tables,
    diags: &mut Diagnostics,
) -> Option<Option<&'t BuildTable>> {
    let Some(l) = &ds.lookup else {
        return Some(None);
    };
    if let Some(t) = tables.get(&l.dataset) {
        return Some(Some(t));
    }
    not_read(project, ds, diags);
    None
}

/// Reports that `ds` is not read because its lookup table could not be.
pub fn not_read(project: &Project, ds: &Dataset, diags: &mut Diagnostics) {
    let Some(l) = &ds.lookup else { return };
    // An unknown table or one without `key:` is reported by the validator.
    if (project.config.datasets.get(&l.dataset)).is_some_and(|t| t.key.is_some()) {
        diags.error_hint(
            l.location.clone(),
            format!(
                "dataset `{}` is not read: its lookup table `{}` could not be read",
                ds.id, l.dataset
            ),
            format!("fix the errors of dataset `{}` first", l.dataset),
        );
    }
}

/// `data.<dataset>.lookup` of a joining dataset, and a warning when fewer
/// than 90 % of its accepted rows matched.
pub fn report(
    ds: &Dataset,
    pass: &DatasetPass<'_>,
    diags: &mut Diagnostics,
) -> Option<LookupStats> {
    let l = ds.lookup.as_ref()?;
    let [matched, unmatched] = pass.lookup_counts;
    let total = matched + unmatched;
    if total > 0 && (matched as f64) < MIN_MATCH * total as f64 {
        diags.warning_hint(
            l.location.clone(),
            format!(
                "only {matched} of {total} rows of dataset `{}` ({:.1} %) found their key in lookup table `{}`",
                ds.id,
                100.0 * matched as f64 / total as f64,
                l.dataset
            ),
            "check that both files hold the same kind of key (e.g. leading zeros, prefixes) and that the lookup export is complete",
        );
    }
    Some(LookupStats {
        dataset: l.dataset.clone(),
        matched,
        unmatched,
    })
}
