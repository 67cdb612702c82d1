//! Data stage: the one streaming pass over a dataset's files.
//!
//! Input: a [`Dataset`] and a [`RowSink`] (the compute stage's per-row work).
//! Output: every well-formed row handed to the sink once, in file then line
//! order, with one reused `csv::ByteRecord`; ragged rows, bad bytes and the
//! sink's own data errors turned into diagnostics or rejections according to
//! `bad_rows`, and the dataset's [`ScanStats`].

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::{ByteRecord, StringRecord};
use rayon::prelude::*;

use super::chunk::{Chunk, Pieces};

use super::cell::Cell;
use super::open::{declared, misencoded, open};
use super::privacy::warn_undeclared;
use super::roles::check_roles;
use super::sniff::{encoding_hint, sniff_file, Guess};
use crate::diag::{display_path, Diagnostics, Location};
use crate::project::model::{BadRows, Dataset, Encoding};

/// At most this many data-error diagnostics per dataset under `bad_rows: fail`;
/// past it, one last diagnostic says how many more were found. Two hundred
/// lines are enough to see a pattern, and a broken export can hold millions.
pub const MAX_ERRORS_SHOWN: usize = 200;

/// A field longer than this is a data error. Excel holds at most 32,767
/// characters in a cell (at most 4 bytes each in UTF-8); anything longer is
/// almost always a quote that was opened and never closed, which swallows the
/// rest of the file into one field.
pub const MAX_FIELD_BYTES: usize = 32_767 * 4;

/// At most this many rejections are kept per dataset under `bad_rows: skip`
/// (for the methodology page); the `rejected` count is always exact.
pub const MAX_REJECTIONS_KEPT: usize = 1000;

/// One data row, valid UTF-8, with as many fields as the header.
pub struct Row<'r> {
    record: &'r StringRecord,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
}

impl<'r> Row<'r> {
    /// The trimmed text of field `index` (0-based); empty when out of range.
    pub fn text(&self, index: usize) -> &'r str {
        // Validated once per record (StringRecord), not once per read field.
        self.record.get(index).map_or("", super::cell::trim_field)
    }

    /// Field `index` (0-based) as a [`Cell`].
    pub fn cell(&self, index: usize) -> Cell<'r> {
        Cell::parse(self.text(index))
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
    /// This sink's accumulators (a fork that read one file), for the build cache.
    fn save(&mut self) -> Vec<u8>;
    /// A fork holding what [`SplitSink::save`] wrote; `None` if it does not fit.
    fn load(&self, bytes: &[u8]) -> Option<Self>;
}

/// Where a scan may find and store each file's partial result: the build
/// cache and the digest of the dataset's definitions.
pub struct FileCache<'c> {
    /// The project's cache.
    pub cache: &'c crate::cache::Cache,
    /// [`crate::cache::definitions_digest`] of the dataset being scanned.
    pub definitions: [u8; 32],
}

/// Files at least this large are parsed in pieces on every core; smaller ones
/// in one piece, exactly as before (the common case of monthly drops).
/// `CXSCORE_PIECE_BYTES` overrides the piece size (tests use tiny pieces).
pub const PARALLEL_MIN_BYTES: u64 = 2 * PIECE_BYTES;

/// The target size of a piece: big enough to amortise a fork and merge, small
/// enough that two in flight per core stay far below the memory budget.
pub const PIECE_BYTES: u64 = 8 * 1024 * 1024;

/// What a scan read of a dataset (the compute stage publishes it as `ScanStats`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanStats {
    /// Files of the dataset.
    pub files: usize,
    /// Data rows read (header excluded), accepted or not.
    pub rows: u64,
    /// Rows left out under `bad_rows: skip`.
    pub rejected: u64,
    /// Each data error of a left-out row: (`file:line:column`, reason); one
    /// entry per error, at most [`MAX_REJECTIONS_KEPT`].
    pub rejections: Vec<(String, String)>,
}

/// A dataset's shared header, read from its first file.
#[derive(Debug, Clone)]
pub struct Header {
    /// Column names, trimmed, in file order.
    pub names: Vec<String>,
    /// The first file, relative to the project root (for messages).
    pub file: PathBuf,
}

impl Header {
    /// The 0-based index of the column called `name`, if present.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// Reads the header of a dataset's first file. `None` (with an error recorded)
/// when the dataset has no file or the header cannot be read.
///
/// Also checks what needs the dataset alone or its header: one role per
/// column ([`super::roles`]) and personal-looking columns not declared `pii`
/// ([`super::privacy`], a warning).
pub fn read_header(dataset: &Dataset, root: &Path, diags: &mut Diagnostics) -> Option<Header> {
    check_roles(dataset, diags);
    let Some(first) = dataset.files.first() else {
        diags.error_hint(
            dataset.location.clone(),
            format!("dataset `{}` matches no file", dataset.id),
            "check the `path:` (a file, a folder or a glob inside the project)",
        );
        return None;
    };
    let file = display_path(root, first);
    let names = header_of(first, &file, dataset, diags)?;
    let header = Header { names, file };
    warn_undeclared(&header, dataset, diags);
    Some(header)
}

fn header_of(
    path: &Path,
    file: &Path,
    ds: &Dataset,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    // Called twice for a dataset's first file; identical diagnostics are merged.
    if !check_declared(path, file, ds, diags) {
        return None;
    }
    let mut reader = match open(path, ds) {
        Ok(o) => o,
        Err(e) => {
            diags.error(Location::file(file), format!("cannot read data file: {e}"));
            return None;
        }
    };
    let record = match reader.byte_headers() {
        Ok(r) => r.clone(),
        Err(e) => {
            diags.error(
                Location::at(file, 1, 0),
                format!("cannot read the header: {e}"),
            );
            return None;
        }
    };
    if record.is_empty() {
        diags.error_hint(
            Location::file(file),
            format!("data file `{}` of dataset `{}` is empty", file.display(), ds.id),
            "export the data again: the first line must name the columns, one row per line after it",
        );
        return None;
    }
    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        diags.error_hint(
            Location::at(file, 1, 0),
            format!("data file of dataset `{}` has no header row", ds.id),
            "the first line must name the columns",
        );
        return None;
    }
    let mut names = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        // A NUL in a UTF-8 header is UTF-16 read byte by byte.
        let bad =
            misencoded(field, ds.encoding) || (ds.encoding == Encoding::Utf8 && field.contains(&0));
        if bad {
            diags.error_hint(
                Location::at(file, 1, i as u32 + 1),
                format!(
                    "the header of `{}` (dataset `{}`) is not valid {}",
                    file.display(),
                    ds.id,
                    encoding_name(ds.encoding)
                ),
                hint_for(path, ds),
            );
            return None;
        }
        if field.len() > MAX_FIELD_BYTES {
            diags.error_hint(
                Location::at(file, 1, i as u32 + 1),
                format!(
                    "the header of `{}` has a field of {} bytes",
                    file.display(),
                    field.len()
                ),
                "a quote `\"` in the first line is probably never closed; close it",
            );
            return None;
        }
        names.push(String::from_utf8_lossy(field).trim().to_string());
    }
    if duplicates(&names, file, ds, diags) {
        return None;
    }
    Some(names)
}

/// Records an error for each non-blank header name that appears twice; true if any did.
fn duplicates(names: &[String], file: &Path, ds: &Dataset, diags: &mut Diagnostics) -> bool {
    let mut found = false;
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            found = true;
            diags.error_hint(
                Location::at(file, 1, i as u32 + 1),
                format!(
                    "column `{name}` appears twice in the header of `{}` (fields {} and {}, dataset `{}`)",
                    file.display(),
                    first + 1,
                    i + 1,
                    ds.id
                ),
                "rename one of them in the data: cxscore finds columns by name, so two of one name are ambiguous",
            );
        }
    }
    found
}

/// The hint for bytes that are not in the declared encoding, from what the file looks like.
fn hint_for(path: &Path, ds: &Dataset) -> String {
    let guess = sniff_file(path).unwrap_or(Guess::Unsupported("unknown"));
    encoding_hint(&ds.id, declared(ds.encoding), guess)
}

fn encoding_name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Gbk => "GBK",
        Encoding::Gb18030 => "GB18030",
        Encoding::Utf16 => "UTF-16",
    }
}

/// Warns when a file declared GBK or GB18030 is in fact UTF-8 (its text would
/// be garbled), and errors when a file declared UTF-16 is clearly not.
fn check_declared(path: &Path, file: &Path, ds: &Dataset, diags: &mut Diagnostics) -> bool {
    if ds.encoding == Encoding::Utf8 {
        // Nothing below applies to UTF-8, and sniffing 256 kB per file costs
        // more than reading a small monthly drop.
        return true;
    }
    let Ok(guess) = sniff_file(path) else {
        return true;
    };
    match (ds.encoding, guess) {
        (Encoding::Gbk | Encoding::Gb18030, Guess::Utf8) => {
            diags.warning_hint(
                Location::file(file),
                format!(
                    "`{}` is valid UTF-8 with non-ASCII text, but dataset `{}` declares `encoding: {}`: its text will be garbled",
                    file.display(),
                    ds.id,
                    declared(ds.encoding)
                ),
                format!("remove `encoding:` from dataset `{}` if the file is UTF-8", ds.id),
            );
            true
        }
        (Encoding::Utf16, g) if g != Guess::Utf16 => {
            diags.error_hint(
                Location::file(file),
                format!(
                    "`{}` does not look like UTF-16, but dataset `{}` declares `encoding: utf-16`",
                    file.display(),
                    ds.id
                ),
                encoding_hint(&ds.id, "utf-16", g),
            );
            false
        }
        _ => true,
    }
}

/// Streams every file of `dataset` through `sink`; see the module docs.
///
/// Locations are `file:line:column` where *column is the 1-based field number*
/// (not a character offset): spreadsheet users count fields, and a field is
/// what they must fix.
pub fn scan<S: SplitSink>(
    dataset: &Dataset,
    root: &Path,
    header: &Header,
    sink: &mut S,
    cache: Option<&FileCache<'_>>,
    diags: &mut Diagnostics,
) -> ScanStats {
    let errors_before = diags.error_count();
    let mut policy = Policy::new(dataset);
    let mut stats = ScanStats {
        files: dataset.files.len(),
        ..ScanStats::default()
    };
    for path in &dataset.files {
        let file = display_path(root, path);
        let Some(names) = header_of(path, &file, dataset, diags) else {
            continue;
        };
        if names != header.names {
            diags.error_hint(
                Location::at(&file, 1, 0),
                format!(
                    "the header of `{}` differs from the header of `{}` (dataset `{}`)",
                    file.display(),
                    header.file.display(),
                    dataset.id
                ),
                "every file of a dataset must have the same columns in the same order",
            );
            continue;
        }
        // Every file is read into its own fork and merged in file order, so
        // a file's partial is the same whether it was read or loaded.
        let read = read_cached(path, &file, dataset, header, sink.fork(), cache);
        read.replay(sink, &file, &mut policy, &mut stats, diags);
    }
    policy.finish(dataset, &mut stats, diags);
    if stats.rows == 0 && diags.error_count() == errors_before {
        diags.warning_hint(
            dataset.location.clone(),
            format!(
                "dataset `{}` has a header but no data rows ({} file(s)); its indicators have no value",
                dataset.id, stats.files
            ),
            "check the export: the files hold only the header line",
        );
    }
    stats
}

/// What reading one piece of a file produced, replayed in file order.
struct Piece<S> {
    sink: S,
    log: PieceLog,
    /// An error that stops the file.
    fatal: Option<Stop>,
}

/// A piece's rows and data errors: what [`Policy`] replays.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct PieceLog {
    rows: u64,
    /// Rows with data errors: (line, problems), the first [`KEPT_PER_PIECE`] problems.
    bad: Vec<(u64, Vec<RowProblem>)>,
    kept: usize,
    /// Problems and rows with problems past those kept (counted only).
    more_problems: u64,
    more_rows: u64,
}

/// An error that stops a file: (location, message, hint).
type Stop = (Location, String, Option<String>);

/// What reading one file produced: its pieces merged in order, their logs,
/// and the error that stopped the file, if any.
struct FileRead<S> {
    sink: S,
    logs: Vec<PieceLog>,
    stop: Option<Stop>,
}

/// A file's partial as stored in the build cache (only files read to the end).
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    logs: Vec<PieceLog>,
    sink: Vec<u8>,
}

/// Problems kept per piece: past both caps of [`Policy`], so replaying the
/// kept ones and counting the rest is what a one-piece read would report.
const KEPT_PER_PIECE: usize = if MAX_REJECTIONS_KEPT > MAX_ERRORS_SHOWN {
    MAX_REJECTIONS_KEPT
} else {
    MAX_ERRORS_SHOWN
};

fn piece_bytes() -> u64 {
    std::env::var("CXSCORE_PIECE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(PIECE_BYTES)
}

/// Reads one file into `fork`, or loads its partial from the cache; a file
/// read to its end is stored for the next build.
fn read_cached<S: SplitSink>(
    path: &Path,
    file: &Path,
    dataset: &Dataset,
    header: &Header,
    fork: S,
    cache: Option<&FileCache<'_>>,
) -> FileRead<S> {
    let Some(fc) = cache else {
        return read_file(path, file, dataset, header, fork);
    };
    let key = fc.cache.key(path, file, &fc.definitions);
    let loaded = (key.as_ref())
        .and_then(|k| fc.cache.get(k))
        .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
        .and_then(|stored| {
            let sink = fork.load(&stored.sink)?;
            Some(FileRead {
                sink,
                logs: stored.logs,
                stop: None,
            })
        });
    if let Some(read) = loaded {
        crate::progress::advance(std::fs::metadata(path).map_or(0, |m| m.len()));
        return read;
    }
    let mut read = read_file(path, file, dataset, header, fork);
    if let (Some(key), None) = (&key, &read.stop) {
        let stored = StoredRef {
            logs: &read.logs,
            sink: read.sink.save(),
        };
        if let Ok(bytes) = postcard::to_stdvec(&stored) {
            fc.cache.put(key, path, &bytes);
        }
    }
    read
}

/// [`Stored`], borrowed to write it.
#[derive(serde::Serialize)]
struct StoredRef<'a> {
    logs: &'a [PieceLog],
    sink: Vec<u8>,
}

impl<S: SplitSink> FileRead<S> {
    /// Adds the file to the dataset's totals in file order: its sink merged
    /// into `into`, its rows, its data errors through the `bad_rows` policy
    /// piece by piece, and the error that stopped the file, if any.
    fn replay(
        self,
        into: &mut S,
        file: &Path,
        policy: &mut Policy,
        stats: &mut ScanStats,
        diags: &mut Diagnostics,
    ) {
        into.merge(self.sink);
        for log in &self.logs {
            stats.rows += log.rows;
            for (line, problems) in &log.bad {
                policy.bad_row(file, *line, problems, stats, diags);
            }
            policy.unlisted(file, log.more_problems, log.more_rows, stats);
        }
        if let Some((location, message, hint)) = self.stop {
            match hint {
                Some(hint) => diags.error_hint(location, message, hint),
                None => diags.error(location, message),
            }
        }
    }
}

/// Reads one file into `sink`: in one piece, or (a large UTF-8 file) in
/// pieces parsed in parallel and merged in file order.
fn read_file<S: SplitSink>(
    path: &Path,
    file: &Path,
    dataset: &Dataset,
    header: &Header,
    sink: S,
) -> FileRead<S> {
    let target = piece_bytes();
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if dataset.encoding == Encoding::Utf8 && size >= 2 * target {
        if let Some(read) = read_in_pieces(path, file, dataset, header, &sink, target) {
            return read;
        }
    }
    let reader = match open(path, dataset) {
        Ok(o) => o,
        Err(e) => {
            return FileRead {
                sink,
                logs: Vec::new(),
                stop: Some(cannot_read(file, e.to_string())),
            }
        }
    };
    let mut piece = Piece::new(sink);
    read_piece(reader, 0, path, file, dataset, header, &mut piece);
    FileRead {
        sink: piece.sink,
        logs: vec![piece.log],
        stop: piece.fatal,
    }
}

/// What became of one item of [`Pieces`].
enum Outcome<S> {
    Parsed(Piece<S>),
    GaveUp,
    Failed(String),
}

/// The error that stops a file that cannot be read.
fn cannot_read(file: &Path, e: String) -> Stop {
    (
        Location::file(file),
        format!("cannot read data file: {e}"),
        None,
    )
}

/// Reads a large UTF-8 file in pieces parsed on every core as the sequential
/// scan finds them ([`Pieces`]), merged into a fork of `sink` in file order;
/// `None` when the quoting is not plain RFC 4180 or the file has one piece
/// (the caller then reads it in one piece, from the start).
fn read_in_pieces<S: SplitSink>(
    path: &Path,
    file: &Path,
    dataset: &Dataset,
    header: &Header,
    sink: &S,
    target: u64,
) -> Option<FileRead<S>> {
    let reader = match File::open(path) {
        Ok(f) => crate::progress::Counted(f),
        Err(e) => {
            return Some(FileRead {
                sink: sink.fork(),
                logs: Vec::new(),
                stop: Some(cannot_read(file, e.to_string())),
            })
        }
    };
    let template = sink.fork();
    let forks = std::iter::repeat_with(|| template.fork());
    let pieces = Pieces::new(reader, dataset.delimiter, target);
    let recycler = pieces.recycler();
    let mut results: Vec<(usize, Outcome<S>)> = (pieces.zip(forks))
        .par_bridge()
        .map(|(chunk, fork)| match chunk {
            Chunk::Piece(p) => {
                let reader = csv::ReaderBuilder::new()
                    .delimiter(dataset.delimiter)
                    .has_headers(p.index == 0)
                    .flexible(true)
                    .from_reader(&p.bytes[..]);
                let mut piece = Piece::new(fork);
                read_piece(
                    reader,
                    p.cut.newlines,
                    path,
                    file,
                    dataset,
                    header,
                    &mut piece,
                );
                recycler.give(p.bytes);
                piece.sink.seal();
                (p.index, Outcome::Parsed(piece))
            }
            Chunk::GaveUp => (usize::MAX, Outcome::GaveUp),
            Chunk::Failed(e) => (usize::MAX, Outcome::Failed(e.to_string())),
        })
        .collect();
    // par_bridge hands pieces to whichever thread is free: back to file order.
    results.sort_by_key(|(i, _)| *i);
    let gave_up = results.iter().any(|(_, o)| matches!(o, Outcome::GaveUp));
    if gave_up || results.len() < 2 {
        return None;
    }
    let mut read = FileRead {
        sink: sink.fork(),
        logs: Vec::new(),
        stop: None,
    };
    for (_, outcome) in results {
        match outcome {
            Outcome::Parsed(piece) => {
                read.sink.merge(piece.sink);
                read.logs.push(piece.log);
                if piece.fatal.is_some() {
                    read.stop = piece.fatal;
                    break;
                }
            }
            Outcome::Failed(e) => {
                read.stop = Some(cannot_read(file, e));
                break;
            }
            Outcome::GaveUp => {}
        }
    }
    Some(read)
}

impl<S> Piece<S> {
    fn new(sink: S) -> Self {
        Piece {
            sink,
            log: PieceLog::default(),
            fatal: None,
        }
    }
}

/// Reads records until the end of `reader` or an error that stops the file;
/// lines are `newlines` + the reader's own line numbers.
fn read_piece<R: Read, S: SplitSink>(
    mut reader: csv::Reader<R>,
    newlines: u64,
    path: &Path,
    file: &Path,
    dataset: &Dataset,
    header: &Header,
    piece: &mut Piece<S>,
) {
    let mut record = ByteRecord::new();
    let mut problems = Vec::new();
    loop {
        let line = newlines + reader.position().line() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                piece.fatal = Some((
                    Location::at(file, line as u32, 0),
                    format!("cannot read data: {e}"),
                    None,
                ));
                return;
            }
        }
        let line = record.position().map_or(line, |p| newlines + p.line());
        piece.log.rows += 1;
        // One UTF-8 check of the whole record (fast when it is ASCII), and
        // the record's buffers are reused: moved in here, moved back below.
        let checked = match StringRecord::from_byte_record(std::mem::take(&mut record)) {
            Ok(s) if dataset.encoding == Encoding::Utf8 => Ok(s),
            Ok(s) => match s
                .as_byte_record()
                .iter()
                .position(|f| misencoded(f, dataset.encoding))
            {
                None => Ok(s),
                Some(field) => Err((field, s.into_byte_record())),
            },
            Err(e) => Err((e.utf8_error().field(), e.into_byte_record())),
        };
        let text = match checked {
            Ok(s) => s,
            Err((field, _)) => {
                bad_bytes(field, line, path, file, dataset, header, piece);
                return;
            }
        };
        problems.clear();
        if let Some(field) = text.iter().position(|f| f.len() > MAX_FIELD_BYTES) {
            problems.push(RowProblem {
                field,
                message: format!(
                    "field `{}` is {} bytes long, more than a spreadsheet cell holds; a quote `\"` opened on this line is probably never closed, so the rest of the file was read into it",
                    header.names.get(field).map_or("?", String::as_str),
                    text[field].len()
                ),
            });
        } else if text.len() != header.names.len() {
            problems.push(RowProblem {
                field: text.len().min(header.names.len()),
                message: format!(
                    "row has {} fields but the header of dataset `{}` has {}",
                    text.len(),
                    dataset.id,
                    header.names.len()
                ),
            });
        } else {
            piece.sink.row(
                &Row {
                    record: &text,
                    line,
                },
                &mut problems,
            );
        }
        record = text.into_byte_record();
        if !problems.is_empty() {
            let log = &mut piece.log;
            if log.kept < KEPT_PER_PIECE {
                log.kept += problems.len();
                log.bad.push((line, problems.clone()));
            } else {
                log.more_problems += problems.len() as u64;
                log.more_rows += 1;
            }
        }
    }
}

/// Records the error that stops a file at its first field that is not text
/// in the declared encoding.
fn bad_bytes<S>(
    field: usize,
    line: u64,
    path: &Path,
    file: &Path,
    dataset: &Dataset,
    header: &Header,
    piece: &mut Piece<S>,
) {
    // Everything after the first bad byte is likely misread too: one
    // error per file says what to fix, a thousand would bury it.
    piece.fatal = Some((
                Location::at(file, line as u32, field as u32 + 1),
                format!(
                    "line {line} of `{}` (dataset `{}`) is not valid {} (field {}, column `{}`); the rest of the file was not read",
                    file.display(),
                    dataset.id,
                    encoding_name(dataset.encoding),
                    field + 1,
                    header.names.get(field).map_or("?", String::as_str)
                ),
                Some(hint_for(path, dataset)),
            ));
}

/// Applies `bad_rows` to the rows with data errors (see [`MAX_ERRORS_SHOWN`]).
struct Policy {
    mode: BadRows,
    shown: usize,
    hidden: u64,
    first_hidden: Option<PathBuf>,
    hint: String,
}

impl Policy {
    fn new(dataset: &Dataset) -> Self {
        Policy {
            mode: dataset.bad_rows,
            shown: 0,
            hidden: 0,
            first_hidden: None,
            hint: format!(
                "fix the data, or set `bad_rows: skip` on dataset `{}` to leave such rows out",
                dataset.id
            ),
        }
    }

    fn bad_row(
        &mut self,
        file: &Path,
        line: u64,
        problems: &[RowProblem],
        stats: &mut ScanStats,
        diags: &mut Diagnostics,
    ) {
        for p in problems {
            let location = Location::at(file, line as u32, p.field as u32 + 1);
            match self.mode {
                BadRows::Fail if self.shown < MAX_ERRORS_SHOWN => {
                    self.shown += 1;
                    diags.error_hint(location, p.message.clone(), self.hint.clone());
                }
                BadRows::Fail => {
                    self.hidden += 1;
                    self.first_hidden.get_or_insert_with(|| file.to_path_buf());
                }
                BadRows::Skip if stats.rejections.len() < MAX_REJECTIONS_KEPT => {
                    stats
                        .rejections
                        .push((location.to_string(), p.message.clone()));
                }
                BadRows::Skip => {}
            }
        }
        if self.mode == BadRows::Skip {
            stats.rejected += 1;
        }
    }

    /// Problems past a piece's [`KEPT_PER_PIECE`]: by then both lists are
    /// full, so they are only counted, as [`Policy::bad_row`] would.
    fn unlisted(&mut self, file: &Path, problems: u64, rows: u64, stats: &mut ScanStats) {
        if rows == 0 {
            return;
        }
        match self.mode {
            BadRows::Fail => {
                self.hidden += problems;
                self.first_hidden.get_or_insert_with(|| file.to_path_buf());
            }
            BadRows::Skip => stats.rejected += rows,
        }
    }

    fn finish(self, dataset: &Dataset, stats: &mut ScanStats, diags: &mut Diagnostics) {
        if let Some(file) = self.first_hidden {
            diags.error_hint(
                Location::file(file),
                format!(
                    "{} more data errors in dataset `{}` are not listed (only the first {MAX_ERRORS_SHOWN} are)",
                    self.hidden, dataset.id
                ),
                self.hint,
            );
        }
        if stats.rejected > 0 {
            diags.warning(
                dataset.location.clone(),
                format!(
                    "dataset `{}`: {} of {} rows have data errors and were left out (bad_rows: skip); the methodology page lists why",
                    dataset.id, stats.rejected, stats.rows
                ),
            );
        }
    }
}
