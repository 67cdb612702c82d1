//! Data stage: a lookup table (SPEC §9), read at most once into memory.
//!
//! Input: a dataset with `key:` and its header. Output: a [`LookupTable`] —
//! every kept cell of every row in one string arena, each row's field ends,
//! and an open-addressing index from the key's bytes to the row — and a
//! located error for each repeated (or blank) key. It exists so that a
//! dataset with `lookup:` joins a row in its own single pass with one hash
//! of the key's bytes and no allocation ([`super::source::Row::joined`]).
//!
//! Memory per row (see docs/PERFORMANCE.md): the kept cells' bytes, 4 bytes
//! per column (the field ends), and 4–8 bytes of index (one `u32` slot per
//! row at a load factor between ¼ and ½). Columns listed under `pii` of the
//! table are never kept (they read blank).

use std::hash::BuildHasher;
use std::path::Path;

use foldhash::fast::FixedState;

use super::scan::{read_header, scan, Header, Row, RowProblem, RowSink, SplitSink};
use crate::diag::{display_path, Diagnostics, Location};
use crate::project::model::Dataset;

/// An empty slot of the index.
const EMPTY: u32 = u32::MAX;

/// At most this many key errors are listed per lookup table.
const MAX_KEY_ERRORS: usize = 200;

/// A lookup table in memory: one arena, field ends, a key index.
#[derive(Debug)]
pub struct LookupTable {
    /// The dataset's id.
    pub dataset: String,
    /// The table's header (every column; `pii` ones read blank).
    pub names: Vec<String>,
    /// The key column's index.
    key: usize,
    /// Every row's kept cells, concatenated.
    arena: String,
    /// Per row, per column, the end of its cell in `arena`.
    ends: Vec<u32>,
    /// Open addressing: a row number per slot, [`EMPTY`] when free.
    slots: Vec<u32>,
}

impl LookupTable {
    /// How many rows the table holds.
    pub fn rows(&self) -> usize {
        self.ends.len() / self.names.len().max(1)
    }

    /// A digest of the rows (every kept cell and where it ends): the
    /// identity of a table whose source has no content hash (SQL).
    pub fn content_digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(self.arena.as_bytes());
        for e in &self.ends {
            h.update(&e.to_le_bytes());
        }
        *h.finalize().as_bytes()
    }

    /// The text of column `column` of row `row` (blank out of range).
    #[inline]
    pub fn cell(&self, row: u32, column: usize) -> &str {
        let width = self.names.len();
        if column >= width {
            return "";
        }
        let i = row as usize * width + column;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.arena.get(start..self.ends[i] as usize).unwrap_or("")
    }

    /// The row whose key is `key`, if any.
    #[inline]
    pub fn find(&self, key: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = hash(key) as usize & mask;
        loop {
            let row = self.slots[i];
            if row == EMPTY {
                return None;
            }
            if self.cell(row, self.key) == key {
                return Some(row);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds `row` to the index; `Err(first)` when its key is already there.
    fn insert(&mut self, row: u32) -> Result<(), u32> {
        let mask = self.slots.len() - 1;
        let key = self.cell(row, self.key);
        let mut i = hash(key) as usize & mask;
        loop {
            let there = self.slots[i];
            if there == EMPTY {
                self.slots[i] = row;
                return Ok(());
            }
            if self.cell(there, self.key) == key {
                return Err(there);
            }
            i = (i + 1) & mask;
        }
    }
}

#[inline]
fn hash(key: &str) -> u64 {
    FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(key.as_bytes())
}

/// The rows of a lookup table as they are read: the [`SplitSink`] that fills
/// the arena (each piece its own, appended in file order).
#[derive(Clone)]
struct TableRows {
    /// Per column, whether it is kept (not `pii`).
    keep: Vec<bool>,
    arena: String,
    ends: Vec<u32>,
    lines: Vec<u64>,
    /// The arena outgrew a `u32` offset.
    too_big: bool,
}

impl RowSink for TableRows {
    fn row(&mut self, row: &Row<'_>, _problems: &mut Vec<RowProblem>) {
        for (i, keep) in self.keep.iter().enumerate() {
            if *keep {
                self.arena.push_str(row.text(i));
            }
            match u32::try_from(self.arena.len()) {
                Ok(end) => self.ends.push(end),
                Err(_) => {
                    self.too_big = true;
                    self.ends.push(0);
                }
            }
        }
        self.lines.push(row.line);
    }
}

impl SplitSink for TableRows {
    fn fork(&self) -> Self {
        TableRows {
            keep: self.keep.clone(),
            arena: String::new(),
            ends: Vec::new(),
            lines: Vec::new(),
            too_big: false,
        }
    }

    fn merge(&mut self, later: Self) {
        // The first piece is moved in, not copied.
        if self.lines.is_empty() && !self.too_big {
            *self = later;
            return;
        }
        let offset = self.arena.len() as u64;
        self.arena.push_str(&later.arena);
        self.ends.reserve(later.ends.len());
        for end in later.ends {
            match u32::try_from(u64::from(end) + offset) {
                Ok(e) => self.ends.push(e),
                Err(_) => {
                    self.too_big = true;
                    self.ends.push(0);
                }
            }
        }
        self.lines.extend(later.lines);
        self.too_big |= later.too_big;
    }

    fn save(&mut self) -> Vec<u8> {
        Vec::new()
    }

    fn load(&self, _bytes: &[u8]) -> Option<Self> {
        None
    }
}

/// The lookup table `dataset` (which has `key:`) without its rows: its
/// header and key column, which is all a joining pass is planned with — and
/// all it needs when every file it reads comes from the build cache. `None`
/// (with a located error) when the header cannot be read or lacks the key.
pub fn load_header(dataset: &Dataset, root: &Path, diags: &mut Diagnostics) -> Option<LookupTable> {
    header_and_key(dataset, root, diags).map(|(header, key)| LookupTable {
        dataset: dataset.id.clone(),
        names: header.names.clone(),
        key,
        arena: String::new(),
        ends: Vec::new(),
        slots: Vec::new(),
    })
}

/// The header of lookup table `dataset` and the index of its key column.
fn header_and_key(
    dataset: &Dataset,
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<(Header, usize)> {
    let key_ref = dataset.key.as_ref()?;
    let mut quiet = Diagnostics::new();
    let header: Header = read_header(dataset, root, &mut quiet)?;
    let Some(key) = header.index(&key_ref.name) else {
        diags.error_hint(
            key_ref.location.clone(),
            format!(
                "the key column `{}` of lookup table `{}` is not in its header",
                key_ref.name, dataset.id
            ),
            format!("the columns are: {}", header.names.join(", ")),
        );
        return None;
    };
    Some((header, key))
}

/// Reads the lookup table `dataset` (which has `key:`) into memory, once.
/// `None` when it cannot be read or is too large; repeated or blank keys
/// are located errors in `diags`. Its other data errors are left to its own
/// pass (reported once, there).
pub fn load_table(dataset: &Dataset, root: &Path, diags: &mut Diagnostics) -> Option<LookupTable> {
    let (header, key) = header_and_key(dataset, root, diags)?;
    let mut quiet = Diagnostics::new();
    let keep: Vec<bool> = (header.names.iter())
        .map(|n| !dataset.pii.iter().any(|p| &p.name == n))
        .collect();
    // A joining dataset may read any kept column: a source that reads only the wanted
    // columns (Parquet, SQL) must read them all.
    for (name, _) in header.names.iter().zip(&keep).filter(|(_, k)| **k) {
        header.index(name);
    }
    let mut files = Vec::new();
    let mut rows = TableRows {
        keep,
        arena: String::new(),
        ends: Vec::new(),
        lines: Vec::new(),
        too_big: false,
    };
    // One file at a time, so each row's file is known for a repeated key.
    for path in &dataset.files {
        let mut one = dataset.clone();
        one.files = vec![path.clone()];
        let mut file_rows = rows.fork();
        scan(&one, root, &header, &mut file_rows, None, &mut quiet);
        files.push((rows.lines.len(), display_path(root, path)));
        rows.merge(file_rows);
    }
    if rows.too_big {
        diags.error_hint(
            dataset.location.clone(),
            format!("lookup table `{}` holds more than 4 GB of text", dataset.id),
            "keep only the columns the report needs in the export",
        );
        return None;
    }
    let n = rows.lines.len();
    let TableRows {
        arena, ends, lines, ..
    } = rows;
    let mut table = LookupTable {
        dataset: dataset.id.clone(),
        names: header.names.clone(),
        key,
        arena,
        ends,
        slots: Vec::new(),
    };
    table.arena.shrink_to_fit();
    table.ends.shrink_to_fit();
    table.slots = vec![EMPTY; (2 * n).next_power_of_two().max(8)];
    let mut shown = 0;
    let mut more = 0;
    let at = |row: usize| {
        let file = files.iter().rev().find(|(start, _)| *start <= row);
        let file = file.map_or_else(|| header.file.clone(), |(_, f)| f.clone());
        Location::at(file, lines[row] as u32, key as u32 + 1)
    };
    for row in 0..n {
        let blank = table.cell(row as u32, key).is_empty();
        let problem = if blank {
            Some((
                format!(
                    "the key `{}` of lookup table `{}` is blank",
                    header.names[key], dataset.id
                ),
                "every row of a lookup table needs its key".to_string(),
            ))
        } else {
            match table.insert(row as u32) {
                Ok(()) => None,
                Err(first) => Some((
                    format!(
                        "the key `{}` of lookup table `{}` is `{}` again",
                        header.names[key],
                        dataset.id,
                        table.cell(row as u32, key)
                    ),
                    format!(
                        "a lookup key must be unique; it is first at {}",
                        at(first as usize)
                    ),
                )),
            }
        };
        if let Some((message, hint)) = problem {
            if shown < MAX_KEY_ERRORS {
                diags.error_hint(at(row), message, hint);
                shown += 1;
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        diags.error_hint(
            Location::file(header.file.clone()),
            format!(
                "{more} more repeated or blank keys in lookup table `{}`",
                dataset.id
            ),
            "fix the export so each key is on one row",
        );
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keys: &[&str]) -> LookupTable {
        let names = vec!["id".to_string(), "x".to_string()];
        let mut t = LookupTable {
            dataset: "crm".into(),
            names,
            key: 0,
            arena: String::new(),
            ends: Vec::new(),
            slots: vec![EMPTY; 8],
        };
        for (i, k) in keys.iter().enumerate() {
            t.arena.push_str(k);
            t.ends.push(t.arena.len() as u32);
            t.arena.push_str(&format!("v{i}"));
            t.ends.push(t.arena.len() as u32);
        }
        t
    }

    #[test]
    fn finds_each_key_and_refuses_a_repeat() {
        let mut t = table(&["a", "bb", "c", "bb"]);
        assert_eq!(t.insert(0), Ok(()));
        assert_eq!(t.insert(1), Ok(()));
        assert_eq!(t.insert(2), Ok(()));
        assert_eq!(t.insert(3), Err(1));
        assert_eq!(t.find("bb"), Some(1));
        assert_eq!(t.cell(1, 1), "v1");
        assert_eq!(t.cell(2, 0), "c");
        assert_eq!(t.find("zz"), None);
        assert_eq!(t.cell(0, 5), "");
    }
}
