//! Data stage: reading one file of a dataset into a fork of the sink.
//!
//! Input: a [`RecordSource`], a [`DataFile`] and its header. Output: a
//! `FileRead`: the file's rows fed to one fork (its parts read on every core
//! and merged in file order, or the whole file in one pass), the logs of its
//! batches for the `bad_rows` policy, and the error that stopped it, if any.

use rayon::prelude::*;

use super::policy::Policy;
use super::scan::ScanStats;
use super::source::{
    cannot_read, Batch, BatchLog, DataFile, Header, Part, RecordSource, SplitSink, Stop,
};
use crate::diag::Diagnostics;

/// What reading one file produced: its batches merged in order, their logs,
/// and the error that stopped the file, if any.
pub(crate) struct FileRead<S> {
    pub(crate) sink: S,
    pub(crate) logs: Vec<BatchLog>,
    pub(crate) stop: Option<Stop>,
}

impl<S: SplitSink> FileRead<S> {
    /// True when a row of the file has a data error to locate.
    pub(crate) fn has_bad_rows(&self) -> bool {
        self.logs.iter().any(|l| !l.bad.is_empty())
    }

    /// Adds the file to the dataset's totals in file order: its sink merged
    /// into `into`, its rows, its data errors through the `bad_rows` policy
    /// batch by batch, and the error that stopped the file, if any.
    pub(crate) fn replay(
        self,
        into: &mut S,
        file: &DataFile<'_>,
        sheet: Option<&str>,
        policy: &mut Policy,
        stats: &mut ScanStats,
        diags: &mut Diagnostics,
    ) {
        into.merge(self.sink);
        for log in &self.logs {
            stats.rows += log.rows;
            for (line, problems) in &log.bad {
                policy.bad_row(file.file, *line, sheet, problems, stats, diags);
            }
            policy.unlisted(file.file, log.more_problems, log.more_rows, stats);
        }
        if let Some((location, message, hint)) = self.stop {
            match hint {
                Some(hint) => diags.error_hint(location, message, hint),
                None => diags.error(location, message),
            }
        }
    }
}

/// Reads one file into `sink`: in parts read in parallel and merged in file
/// order when the source cuts it, else in one pass (twice when the source
/// gives the first pass up, [`Batch::give_up`]).
pub(crate) fn read_file<Src: RecordSource, S: SplitSink>(
    source: &Src,
    file: &DataFile<'_>,
    header: &Header,
    sink: S,
) -> FileRead<S> {
    match source.parts(file) {
        Some(Ok(parts)) => {
            if let Some(read) = read_in_parts(source, parts, file, header, &sink) {
                return read;
            }
        }
        Some(Err(e)) => {
            return FileRead {
                sink: sink.fork(),
                logs: Vec::new(),
                stop: Some(cannot_read(file.file, e)),
            }
        }
        None => {}
    }
    let mut batch = Batch::new(sink);
    source.read_all(file, header, &mut batch);
    if batch.gave_up() {
        // What the first read fed is thrown away: read again into an empty fork.
        batch = Batch::new(batch.sink.fork());
        source.read_all_again(file, header, &mut batch);
    }
    FileRead {
        sink: batch.sink,
        logs: vec![batch.log],
        stop: batch.fatal,
    }
}

/// What became of one item of a source's parts.
enum Outcome<S> {
    Parsed(Batch<S>),
    GaveUp,
    Failed(String),
}

/// Reads the parts on every core as the source finds them, each into a fork
/// of `sink`, merged into one fork in file order; `None` when the source gave
/// up or the file has one part (the caller then reads it in one pass, from
/// the start).
fn read_in_parts<Src: RecordSource, S: SplitSink>(
    source: &Src,
    parts: Src::Parts,
    file: &DataFile<'_>,
    header: &Header,
    sink: &S,
) -> Option<FileRead<S>> {
    let template = sink.fork();
    let forks = std::iter::repeat_with(|| template.part());
    let mut results: Vec<(usize, Outcome<S>)> = (parts.enumerate().zip(forks))
        .par_bridge()
        .map(|((index, part), fork)| match part {
            Part::Rows(part) => {
                let mut batch = Batch::new(fork);
                source.read_part(file, header, part, &mut batch);
                batch.sink.seal();
                (index, Outcome::Parsed(batch))
            }
            Part::GaveUp => (usize::MAX, Outcome::GaveUp),
            Part::Failed(e) => (usize::MAX, Outcome::Failed(e)),
        })
        .collect();
    // par_bridge hands parts to whichever thread is free: back to file order.
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
            Outcome::Parsed(batch) => {
                read.sink.merge(batch.sink);
                read.logs.push(batch.log);
                if batch.fatal.is_some() {
                    read.stop = batch.fatal;
                    break;
                }
            }
            Outcome::Failed(e) => {
                read.stop = Some(cannot_read(file.file, e));
                break;
            }
            Outcome::GaveUp => {}
        }
    }
    Some(read)
}
