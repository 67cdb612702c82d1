//! Data stage: the seam between a data format and the compute stage.
//!
//! The compute stage sees a [`Header`] (column names) and [`Row`]s (trimmed
//! text by field index, and the line to report), fed to its [`RowSink`]. It
//! never sees how the rows were stored. A format plugs in by implementing
//! [`RecordSource`]; the scan driver ([`super::scan`]) does the rest the same
//! way for every format: header checks, parallel batches merged in file
//! order, the build cache, and the `bad_rows` policy.

use super::csv_split::SplitRecord;
use super::lookup::LookupTable;
use std::path::Path;

use csv::StringRecord;

use crate::diag::{Diagnostics, Location};
use crate::project::model::Dataset;

/// A field longer than this is a data error. Excel holds at most 32,767
/// characters in a cell (at most 4 bytes each in UTF-8); anything longer is
/// almost always a quote that was opened and never closed, which swallows the
/// rest of the file into one field.
pub const MAX_FIELD_BYTES: usize = 32_767 * 4;

/// A dataset's shared header, read from its first file.
#[derive(Debug, Clone)]
pub struct Header {
    /// Column names, trimmed, in file order.
    pub names: Vec<String>,
    /// The first file, relative to the project root (for messages).
    pub file: std::path::PathBuf,
    /// The columns looked up by name so far: what the project reads.
    pub wanted: WantedColumns,
}

impl Header {
    /// The 0-based index of the column called `name`, if present. A found column is
    /// remembered as wanted ([`Header::wanted_columns`]).
    pub fn index(&self, name: &str) -> Option<usize> {
        let found = self.position(name);
        if let Some(i) = found {
            self.wanted.mark(i);
        }
        found
    }

    /// Without remembering it as wanted: for checks that read no cell (is this column
    /// listed under `pii`?), so that asking never makes a source fetch it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// [`Header::index`] for a column of which a bounded sample of values is enough (a
    /// comment column only sampled for verbatims, no topic coding it): remembered as
    /// wanted, and as sampled unless another role looks it up in full
    /// ([`Header::sampled_columns`]).
    pub fn index_for_samples(&self, name: &str) -> Option<usize> {
        let found = self.position(name);
        if let Some(i) = found {
            self.wanted.mark_sampled(i);
        }
        found
    }

    /// The columns the compute stage looked up (it resolves every column it reads by name,
    /// once, before the scan), in header order: what a source that can project columns
    /// (SQL, Parquet) fetches; the others are read as blank.
    pub fn wanted_columns(&self) -> Vec<usize> {
        self.wanted.sorted()
    }

    /// The wanted columns looked up only by [`Header::index_for_samples`]: a source that
    /// aggregates on a server (SQL) may send back a bounded sample of their values per
    /// group instead of every distinct value (SPEC §12).
    pub fn sampled_columns(&self) -> Vec<usize> {
        self.wanted.sampled_only()
    }

    /// The same header wanting only `columns` (and what is looked up through it
    /// later): for a read that needs fewer columns than the main pass (the
    /// raking's first pass, the follow-up list), so that a source that
    /// projects decodes only those. Its wanted set is its own, not shared.
    pub fn projected(&self, columns: &[usize]) -> Header {
        let wanted = WantedColumns::default();
        for &c in columns.iter().filter(|&&c| c < self.names.len()) {
            wanted.mark(c);
        }
        Header {
            names: self.names.clone(),
            file: self.file.clone(),
            wanted,
        }
    }
}

/// The set behind [`Header::wanted_columns`]: shared by the clones of a header, so that a
/// lookup through any of them counts.
#[derive(Debug, Clone, Default)]
pub struct WantedColumns(std::sync::Arc<std::sync::Mutex<Marks>>);

/// The columns looked up in full, and those looked up for a sample of their values.
#[derive(Debug, Default)]
struct Marks {
    full: std::collections::BTreeSet<usize>,
    sampled: std::collections::BTreeSet<usize>,
}

impl WantedColumns {
    fn mark(&self, index: usize) {
        if let Ok(mut marks) = self.0.lock() {
            marks.full.insert(index);
        }
    }

    fn mark_sampled(&self, index: usize) {
        if let Ok(mut marks) = self.0.lock() {
            marks.sampled.insert(index);
        }
    }

    fn sorted(&self) -> Vec<usize> {
        self.0
            .lock()
            .map(|m| m.full.union(&m.sampled).copied().collect())
            .unwrap_or_default()
    }

    fn sampled_only(&self) -> Vec<usize> {
        self.0
            .lock()
            .map(|m| m.sampled.difference(&m.full).copied().collect())
            .unwrap_or_default()
    }
}

/// One row's fields, packed in one buffer that is reused row after row: what
/// a [`RecordSource`] fills and hands over as a [`Row`]. (It is the csv
/// crate's record type, a string and its field ends, which any format can
/// fill with [`Record::push_field`]; the compute stage never sees it.)
#[derive(Debug, Clone, Default)]
pub struct Record(StringRecord);

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Record::default()
    }

    /// Removes every field, keeping the buffers for the next row.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends one field (untrimmed: [`Row::text`] trims).
    pub fn push_field(&mut self, field: &str) {
        self.0.push_field(field);
    }

    /// A CSV record already checked to be UTF-8 (the CSV source's zero-copy path).
    pub(crate) fn from_csv(record: StringRecord) -> Self {
        Record(record)
    }

    /// The CSV record back, to reuse its buffers.
    pub(crate) fn into_csv(self) -> StringRecord {
        self.0
    }
}

/// One data row, valid UTF-8: what the compute stage reads, whatever the format.
pub struct Row<'r> {
    fields: Fields<'r>,
    /// 1-based line where the record starts (the header is line 1). Formats
    /// without lines give the row number a user sees in their tool
    /// (a spreadsheet's row number, the header being row 1).
    pub line: u64,
    /// The lookup table's row joined to this one (SPEC §9), if any: its
    /// columns are the fields after the record's (see [`Row::joined`]).
    join: Option<(&'r LookupTable, u32)>,
}

impl<'r> Row<'r> {
    /// The row of `record`, which starts at `line`.
    pub fn new(record: &'r Record, line: u64) -> Self {
        Row {
            fields: Fields::Record(record),
            line,
            join: None,
        }
    }

    /// A record split in place in a CSV text (a piece of a large file, or a small file).
    pub fn of_split(text: &'r str, record: &'r SplitRecord, line: u64) -> Self {
        Row {
            fields: Fields::Split { text, record },
            line,
            join: None,
        }
    }

    /// Row `row` of a batch of decoded columns.
    pub fn of_columns(batch: &'r ColumnBatch, row: usize, line: u64) -> Self {
        Row {
            fields: Fields::Columns { batch, row },
            line,
            join: None,
        }
    }

    /// Field `index` untrimmed, if the row has it.
    #[inline(always)]
    fn field(&self, index: usize) -> Option<&'r str> {
        match self.fields {
            Fields::Record(record) => record.0.get(index),
            Fields::Split { text, record } => record.field(text, index),
            Fields::Columns { batch, row } => batch.field(row, index),
        }
    }

    /// The trimmed text of field `index` (0-based); empty when out of range.
    /// Past the record's fields come the joined lookup row's (blank when the
    /// key has no match): see [`crate::data::plan::Resolver::require`].
    #[inline]
    pub fn text(&self, index: usize) -> &'r str {
        // Validated once per record (StringRecord), not once per read field.
        match self.field(index) {
            Some(field) => super::cell::trim_field(field),
            None => match self.join {
                Some((table, row)) => table.cell(row, index - self.field_count()),
                None => "",
            },
        }
    }

    /// This row with `table`'s row whose key is the text of field `on`
    /// joined on (no allocation: the key's bytes are hashed and compared in
    /// place); the flag says whether the key matched (a blank key never does).
    #[inline]
    pub fn joined<'a>(&'a self, table: &'a LookupTable, on: usize) -> (Row<'a>, bool) {
        let key = self.text(on);
        let found = if key.is_empty() {
            None
        } else {
            table.find(key)
        };
        let row = Row {
            fields: self.fields,
            line: self.line,
            join: found.map(|r| (table, r)),
        };
        (row, found.is_some())
    }

    /// The number of fields of the row (it may differ from the header's).
    #[inline]
    pub fn field_count(&self) -> usize {
        match self.fields {
            Fields::Record(record) => record.0.len(),
            Fields::Split { record, .. } => record.len(),
            Fields::Columns { batch, .. } => batch.width,
        }
    }

    /// The first field longer than [`MAX_FIELD_BYTES`], if any, and its length.
    #[inline]
    fn too_long(&self) -> Option<(usize, usize)> {
        match self.fields {
            Fields::Record(record) => {
                let record = &record.0;
                let field = record.iter().position(|f| f.len() > MAX_FIELD_BYTES)?;
                Some((field, record[field].len()))
            }
            // A record no longer than a field may be has no field too long.
            Fields::Split { record, .. } if record.longest_at_most(MAX_FIELD_BYTES) => None,
            Fields::Split { record, .. } => {
                (record.lengths().enumerate()).find(|&(_, len)| len > MAX_FIELD_BYTES)
            }
            // A batch knows its longest text: only a batch holding a too long field looks
            // at its rows' fields.
            Fields::Columns { batch, .. } if batch.longest <= MAX_FIELD_BYTES => None,
            Fields::Columns { .. } => (0..self.field_count())
                .map(|i| (i, self.field(i).map_or(0, str::len)))
                .find(|&(_, len)| len > MAX_FIELD_BYTES),
        }
    }
}

/// Where a [`Row`]'s fields are: a record (row by row sources), a record split in
/// place in a CSV piece's text, or one row of a batch of decoded columns (Parquet),
/// read in place without assembling a record.
#[derive(Clone, Copy)]
enum Fields<'r> {
    Record(&'r Record),
    Split {
        text: &'r str,
        record: &'r SplitRecord,
    },
    Columns {
        batch: &'r ColumnBatch,
        row: usize,
    },
}

/// A batch of rows decoded column by column, laid out for reading row by row: every value's
/// text in one buffer (column after column), and where each is, row-major (`width` spans a
/// row, the header's width). A [`Row`] reads its fields in place ([`Row::of_columns`]):
/// one span lookup per field, a row's spans side by side — not a pointer chase through a
/// buffer per column, which cost a profiled build twice the CSV record's field lookups.
#[derive(Debug, Clone)]
pub struct ColumnBatch {
    /// Every value's text, one after the other.
    text: String,
    /// Row `r`, header column `c`: `spans[r * width + c]`, a byte range of `text`
    /// (`(0, 0)`, blank, for a column not read or a null).
    spans: Vec<(u32, u32)>,
    width: usize,
    /// The longest value's text, so [`Row::too_long`] looks at a row's fields only when
    /// the batch has a field that long.
    longest: usize,
}

impl ColumnBatch {
    /// An empty batch of rows `width` columns wide.
    pub fn new(width: usize) -> Self {
        ColumnBatch {
            text: String::new(),
            spans: Vec::new(),
            width,
            longest: 0,
        }
    }

    /// Empties the batch for `rows` rows, every field blank (buffers kept).
    pub fn start(&mut self, rows: usize) {
        self.text.clear();
        self.spans.clear();
        self.spans.resize(rows * self.width, (0, 0));
        self.longest = 0;
    }

    /// The buffer a value's text is appended to; [`ColumnBatch::end_value`] then says whose
    /// it is.
    #[inline]
    pub fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Where the next value's text will start in the buffer.
    #[inline]
    pub fn mark(&self) -> usize {
        self.text.len()
    }

    /// The text appended since `start` ([`ColumnBatch::mark`]) is row `row`'s field
    /// `column`. `Err` when the batch's text passes 4 GiB (spans are 32-bit).
    #[inline]
    pub fn end_value(&mut self, row: usize, column: usize, start: usize) -> Result<(), String> {
        self.end_span(row, column, start, self.text.len())
    }

    /// The buffer's `start..end` (both after whole values, as [`ColumnBatch::mark`] gives
    /// them) is row `row`'s field `column`; `Err` past 4 GiB, as [`ColumnBatch::end_value`].
    #[inline]
    pub fn end_span(
        &mut self,
        row: usize,
        column: usize,
        start: usize,
        end: usize,
    ) -> Result<(), String> {
        let (Ok(a), Ok(b)) = (u32::try_from(start), u32::try_from(end)) else {
            return Err("a batch of rows holds more than 4 GiB of text".into());
        };
        self.longest = self.longest.max(end.saturating_sub(start));
        self.spans[row * self.width + column] = (a, b);
        Ok(())
    }

    /// Row `row`'s field `column` untrimmed; `None` past the width.
    #[inline]
    fn field(&self, row: usize, column: usize) -> Option<&str> {
        if column >= self.width {
            return None;
        }
        let (start, end) = self.spans[row * self.width + column];
        // Spans are set from the buffer's own lengths after whole values: always in range.
        Some(self.text.get(start as usize..end as usize).unwrap_or(""))
    }
}

/// A data error the sink found in a row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowProblem {
    /// 0-based field index of the offending cell.
    pub field: usize,
    /// What is wrong, naming the column header and the bad value.
    pub message: String,
}

/// The compute stage's per-row work.
///
/// `row` must first check the row and push every data error into `problems`;
/// it must feed its accumulators only when it found none, so that under
/// `bad_rows: skip` a bad row is left out *entirely*.
pub trait RowSink {
    /// Checks, then (when clean) feeds one row.
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>);
}

/// A sink whose work can be split: pieces of a large file are fed to forks
/// in parallel, then merged back in file order, so the result depends on the
/// pieces (fixed by the bytes) and never on the number of threads.
pub trait SplitSink: RowSink + Send + Sync + Sized {
    /// An empty sink with the same plan.
    fn fork(&self) -> Self;
    /// Adds the rows `later` saw, as if they had been fed after ours.
    fn merge(&mut self, later: Self);
    /// Called on a piece's fork when the piece is read, on the thread that
    /// read it, before it waits to be merged: compacts its state so that
    /// waiting pieces stay small (and that work runs in parallel).
    fn seal(&mut self) {}
    /// An empty sink for one piece of a file read in parallel, merged later in
    /// file order: what it keeps may not know how many rows came before it
    /// (the drivers' bootstrap rows, see `RowStore::relative_like`).
    fn part(&self) -> Self {
        self.fork()
    }
    /// This sink's accumulators (a fork that read one file), for the build cache.
    fn save(&mut self) -> Vec<u8>;
    /// A fork holding what [`SplitSink::save`] wrote; `None` if it does not fit.
    fn load(&self, bytes: &[u8]) -> Option<Self>;
}

/// One file of a dataset being read: what every step of reading it needs.
#[derive(Clone, Copy)]
pub struct DataFile<'a> {
    /// Where to open it.
    pub path: &'a Path,
    /// The same file relative to the project root, for messages.
    pub file: &'a Path,
    /// The dataset it belongs to (dialect, `bad_rows`, id for messages).
    pub dataset: &'a Dataset,
}

/// What a [`RecordSource`]'s part iterator yields.
pub enum Part<P> {
    /// The next part of the file, to read with [`RecordSource::read_part`].
    Rows(P),
    /// The file cannot be cut after all: discard the parts read so far and
    /// read it with [`RecordSource::read_all`] instead.
    GaveUp,
    /// The file could not be read (the message names why); it stops the file.
    Failed(String),
}

/// A data format: how to read a dataset's files as a header and rows.
///
/// It exists so that a new format (Excel, SPSS, Parquet, SQL) is a new
/// implementation and nothing else: the scan driver ([`super::scan`]) and the
/// compute stage stay as they are. Every method is called per file or per
/// part, never per row; rows go to a [`Batch`] by a static (generic) call.
///
/// An implementation must guarantee:
///
/// - **Order.** [`read_all`](Self::read_all) feeds every data record of the
///   file (header excluded) in file order; the parts of
///   [`parts`](Self::parts) cover the file's records once each, in file
///   order, and each [`read_part`](Self::read_part) feeds its records in
///   order. The parts depend only on the file (its bytes), never on the number
///   of threads, so results do not either.
/// - **Every record reaches the batch.** Ragged records and over-long fields
///   are given to [`Batch::row`] like any other, which reports them: a source
///   never drops a record silently.
/// - **Locations.** [`Row::line`] is the 1-based line (or row number) where
///   the record starts, the header being line 1, in every part as in a
///   one-part read; fields are 0-based in [`Row`] and reported 1-based.
/// - **Bad bytes and read errors stop the file.** Text that is not valid in
///   the declared encoding stops the file at its first bad field
///   ([`Batch::stop_in_row`], the row counting as read); a read error stops it
///   at the record it was reading ([`Batch::stop`]). Nothing is read after a
///   stop, and the diagnostics are the format's own.
/// - **No side effects outside the batch**, so that a part read before
///   [`Part::GaveUp`] can be thrown away.
///
/// What the driver does for every format: it reads each file's header once
/// (the first file's by [`super::header::read_header_with`], before the scan),
/// checks duplicate names and that every file has the first file's header,
/// checks each row's shape ([`Batch::row`]), applies `bad_rows`, and keys the
/// build cache on the file's content at `path` (a `path` that is not a file
/// is simply never cached).
pub trait RecordSource: Sync {
    /// One independently readable part of a file (for CSV: a piece of bytes
    /// starting at a record start).
    type Part: Send;
    /// The parts of one file, in file order.
    type Parts: Iterator<Item = Part<Self::Part>> + Send;

    /// Checks `file` as far as the format can before reading rows, then reads
    /// its column names (trimmed, in order). `None` with an error recorded
    /// when it cannot be read, is empty or has no header row (the format
    /// knows best what that looks like). Duplicate names are checked by the
    /// driver, the same for every format.
    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>>;

    /// The parts of `file` to read in parallel; `None` to read it in one
    /// sequential pass ([`read_all`](Self::read_all)), e.g. a small file;
    /// `Err` (why) when the file cannot be opened, which stops it.
    fn parts(&self, file: &DataFile<'_>) -> Option<Result<Self::Parts, String>>;

    /// Reads one part (see [`parts`](Self::parts)) into `batch`.
    fn read_part<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        part: Self::Part,
        batch: &mut Batch<S>,
    );

    /// Reads the whole file, from its start, into `batch`.
    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>);

    /// Reads the whole file again, from its start, into a fresh `batch`, after
    /// [`read_all`](Self::read_all) gave up part way ([`Batch::give_up`]); it
    /// must not give up itself. It exists for a source whose fast one-pass
    /// read can find only part way through that it does not apply (a workbook
    /// sheet whose rows are not in file order), when rows were already fed:
    /// the driver discards them, and this reads the file the slow, sure way.
    /// The default reads it with `read_all` again.
    fn read_all_again<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        batch: &mut Batch<S>,
    ) {
        self.read_all(file, header, batch);
    }

    /// For a workbook, the sheet read: data errors are then located as a
    /// spreadsheet user names a cell (`data/survey.xlsx:Sheet1!C17`) rather
    /// than `file:line:field`. Asked only for a file with data errors.
    fn sheet_name(&self, _file: &DataFile<'_>) -> Option<String> {
        None
    }
}

/// An error that stops a file: (location, message, hint).
pub type Stop = (Location, String, Option<String>);

/// Problems kept per batch: past both caps of the `bad_rows` policy, so
/// replaying the kept ones and counting the rest is what a one-batch read
/// would report.
const KEPT_PER_BATCH: usize = if super::scan::MAX_REJECTIONS_KEPT > super::scan::MAX_ERRORS_SHOWN {
    super::scan::MAX_REJECTIONS_KEPT
} else {
    super::scan::MAX_ERRORS_SHOWN
};

/// A batch's rows and data errors: what the `bad_rows` policy replays.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct BatchLog {
    /// Rows read (accepted or not).
    pub rows: u64,
    /// Rows with data errors: (line, problems), as long as fewer problems
    /// than both caps of the `bad_rows` policy are kept.
    pub bad: Vec<(u64, Vec<RowProblem>)>,
    kept: usize,
    /// Problems past those kept (counted only).
    pub more_problems: u64,
    /// Rows with problems past those kept (counted only).
    pub more_rows: u64,
}

/// The rows of one part (or of a whole file read in one pass), fed to one
/// fork of the compute stage's sink: what a [`RecordSource`] hands rows to.
pub struct Batch<S> {
    /// The fork fed by this batch.
    pub sink: S,
    /// Its rows and data errors.
    pub log: BatchLog,
    /// The error that stopped the file in this batch, if any.
    pub fatal: Option<Stop>,
    /// Set by [`Batch::give_up`]: what this batch was fed is to be discarded.
    gave_up: bool,
    /// Reused for every row.
    problems: Vec<RowProblem>,
}

impl<S: RowSink> Batch<S> {
    /// An empty batch feeding `sink`.
    pub fn new(sink: S) -> Self {
        Batch {
            sink,
            log: BatchLog::default(),
            fatal: None,
            gave_up: false,
            problems: Vec::new(),
        }
    }

    /// Counts one record, checks its shape against the header (field count,
    /// over-long fields), feeds it to the sink when the shape is right, and
    /// logs the data errors found. The shape checks live here, not in each
    /// source, so every format reports them in the same words.
    // Always inlined into the source's record loop: this is the hot path.
    #[inline(always)]
    pub fn row(&mut self, row: &Row<'_>, header: &Header, dataset: &Dataset) {
        self.log.rows += 1;
        let problems = &mut self.problems;
        problems.clear();
        if let Some((field, len)) = row.too_long() {
            problems.push(RowProblem {
                field,
                message: format!(
                    "field `{}` is {} bytes long, more than a spreadsheet cell holds; a quote `\"` opened on this line is probably never closed, so the rest of the file was read into it",
                    header.names.get(field).map_or("?", String::as_str),
                    len
                ),
            });
        } else if row.field_count() != header.names.len() {
            problems.push(RowProblem {
                field: row.field_count().min(header.names.len()),
                message: format!(
                    "row has {} fields but the header of dataset `{}` has {}",
                    row.field_count(),
                    dataset.id,
                    header.names.len()
                ),
            });
        } else {
            self.sink.row(row, problems);
        }
        if !problems.is_empty() {
            let log = &mut self.log;
            if log.kept < KEPT_PER_BATCH {
                log.kept += problems.len();
                log.bad.push((row.line, problems.clone()));
            } else {
                log.more_problems += problems.len() as u64;
                log.more_rows += 1;
            }
        }
    }

    /// Stops the file: a record could not be read.
    pub fn stop(&mut self, stop: Stop) {
        self.fatal = Some(stop);
    }

    /// Stops the file at a record that was read but is not text (bad bytes):
    /// the record counts as read, and nothing after it is.
    pub fn stop_in_row(&mut self, stop: Stop) {
        self.log.rows += 1;
        self.fatal = Some(stop);
    }

    /// Gives up a one-pass read ([`RecordSource::read_all`]) part way: the
    /// driver discards everything this batch was fed (rows, data errors, a
    /// stop) and reads the file again with [`RecordSource::read_all_again`]
    /// into a fresh fork of the sink. For a source that learns only part way
    /// through that its fast read does not fit the file; nothing may be fed
    /// after it.
    pub fn give_up(&mut self) {
        self.gave_up = true;
    }

    /// True when the source gave up this batch ([`Batch::give_up`]).
    pub fn gave_up(&self) -> bool {
        self.gave_up
    }
}

/// The error that stops a file that cannot be read (opened, or read on).
pub fn cannot_read(file: &Path, e: impl std::fmt::Display) -> Stop {
    (
        Location::file(file),
        format!("cannot read data file: {e}"),
        None,
    )
}

/// For tests: implements [`SplitSink`] for a sink whose state is the `Vec` in its field 0
/// (a fork starts empty, a merge appends, nothing is cached), so a test sink writes only
/// its `row`.
#[cfg(test)]
macro_rules! vec_split_sink {
    ($sink:ty) => {
        impl $crate::data::source::SplitSink for $sink {
            fn fork(&self) -> Self {
                Self::default()
            }
            fn merge(&mut self, later: Self) {
                self.0.extend(later.0);
            }
            fn save(&mut self) -> Vec<u8> {
                Vec::new()
            }
            fn load(&self, _: &[u8]) -> Option<Self> {
                None
            }
        }
    };
}
#[cfg(test)]
pub(crate) use vec_split_sink;

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows read in place from decoded columns are the rows a record would give.
    #[test]
    fn a_row_of_columns_reads_as_the_same_row_of_a_record() {
        let long = "x".repeat(MAX_FIELD_BYTES + 1);
        let rows: [[&str; 3]; 3] = [[" 9 ", "", "web"], ["", "", ""], ["10", "", &long]];
        // Header columns 0 and 2 decoded (column after column); column 1 not read (blank).
        let mut batch = ColumnBatch::new(3);
        batch.start(rows.len());
        for c in [2, 0] {
            for (r, row) in rows.iter().enumerate() {
                let start = batch.mark();
                batch.text_mut().push_str(row[c]);
                batch.end_value(r, c, start).unwrap();
            }
        }
        for (r, row) in rows.iter().enumerate() {
            let mut record = Record::new();
            for field in row {
                record.push_field(field);
            }
            let (a, b) = (Row::new(&record, 7), Row::of_columns(&batch, r, 7));
            assert_eq!(a.field_count(), b.field_count());
            for i in 0..5 {
                assert_eq!(a.text(i), b.text(i), "row {r}, field {i}");
            }
            assert_eq!(a.too_long(), b.too_long(), "row {r}");
        }
        assert_eq!(Row::of_columns(&batch, 0, 1).text(0), "9");
        assert_eq!(
            Row::of_columns(&batch, 2, 1).too_long(),
            Some((2, MAX_FIELD_BYTES + 1))
        );
        // Started again: every field blank, nothing too long.
        batch.start(1);
        let row = Row::of_columns(&batch, 0, 1);
        assert!((0..3).all(|i| row.text(i).is_empty()) && row.too_long().is_none());
    }
}
