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
/// of `sink`, merged into one fork in file order as soon as the parts before
/// it are (so only the parts finished out of order wait, not the whole file:
/// a part's fork can hold every row it read, e.g. the bootstrap's rows);
/// `None` when the source gave up or the file has one part (the caller then
/// reads it in one pass, from the start).
fn read_in_parts<Src: RecordSource, S: SplitSink>(
    source: &Src,
    parts: Src::Parts,
    file: &DataFile<'_>,
    header: &Header,
    sink: &S,
) -> Option<FileRead<S>> {
    let template = sink.fork();
    let forks = std::iter::repeat_with(|| template.part());
    let merger = std::sync::Mutex::new(InOrder::new(sink.fork()));
    (parts.enumerate().zip(forks))
        .par_bridge()
        .for_each(|((index, part), fork)| {
            let outcome = match part {
                Part::Rows(part) => {
                    let mut batch = Batch::new(fork);
                    source.read_part(file, header, part, &mut batch);
                    batch.sink.seal();
                    Outcome::Parsed(batch)
                }
                Part::GaveUp => Outcome::GaveUp,
                Part::Failed(e) => Outcome::Failed(e),
            };
            // A poisoned lock means a thread panicked: rayon re-raises that panic.
            if let Ok(mut merger) = merger.lock() {
                merger.offer(index, outcome);
            }
        });
    let merger = merger.into_inner().ok()?;
    if merger.gave_up || merger.parts < 2 {
        return None;
    }
    let mut read = merger.read;
    if let (None, Some(e)) = (&read.stop, merger.failed) {
        read.stop = Some(cannot_read(file.file, e));
    }
    Some(read)
}

/// The parts of a file finished so far, merged in file order as they come.
struct InOrder<S> {
    /// The index of the next part to merge.
    next: usize,
    /// Parts finished before one that comes before them.
    waiting: std::collections::BTreeMap<usize, Outcome<S>>,
    /// The parts merged so far.
    read: FileRead<S>,
    /// Parts offered.
    parts: usize,
    /// A part said the source gave up: the file is read again in one pass.
    gave_up: bool,
    /// The first part (in file order) that could not be read, reported
    /// after every part that could (as the source's error, not a row's).
    failed: Option<String>,
}

impl<S: SplitSink> InOrder<S> {
    /// Nothing merged yet into `sink`.
    fn new(sink: S) -> Self {
        InOrder {
            next: 0,
            waiting: std::collections::BTreeMap::new(),
            read: FileRead {
                sink,
                logs: Vec::new(),
                stop: None,
            },
            parts: 0,
            gave_up: false,
            failed: None,
        }
    }

    /// Takes part `index`, and merges every part now next in file order. After
    /// an error that stops the file, the later parts are dropped unmerged.
    fn offer(&mut self, index: usize, outcome: Outcome<S>) {
        self.parts += 1;
        self.waiting.insert(index, outcome);
        while let Some(outcome) = self.waiting.remove(&self.next) {
            self.next += 1;
            match outcome {
                Outcome::Parsed(batch) => {
                    if self.read.stop.is_some() || self.gave_up {
                        continue;
                    }
                    self.read.sink.merge(batch.sink);
                    self.read.logs.push(batch.log);
                    self.read.stop = batch.fatal;
                }
                Outcome::GaveUp => self.gave_up = true,
                Outcome::Failed(e) => {
                    self.failed.get_or_insert(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::source::{Row, RowProblem, RowSink};
    use crate::diag::Location;

    /// Which parts were merged, in merge order.
    #[derive(Default)]
    struct Merged(Vec<usize>);

    impl RowSink for Merged {
        fn row(&mut self, _: &Row<'_>, _: &mut Vec<RowProblem>) {}
    }

    crate::data::source::vec_split_sink!(Merged);

    fn parsed(index: usize, fatal: bool) -> Outcome<Merged> {
        let mut batch = Batch::new(Merged(vec![index]));
        if fatal {
            batch.stop((Location::default(), format!("part {index}"), None));
        }
        Outcome::Parsed(batch)
    }

    fn in_order() -> InOrder<Merged> {
        InOrder::new(Merged::default())
    }

    #[test]
    fn parts_finished_out_of_order_are_merged_in_file_order_as_soon_as_they_can_be() {
        let mut m = in_order();
        m.offer(2, parsed(2, false));
        m.offer(1, parsed(1, false));
        // Nothing can be merged before part 0: both wait.
        assert!(m.read.sink.0.is_empty());
        assert_eq!(m.waiting.len(), 2);
        m.offer(0, parsed(0, false));
        assert_eq!(m.read.sink.0, [0, 1, 2]);
        assert!(m.waiting.is_empty());
        m.offer(3, parsed(3, false));
        assert_eq!(m.read.sink.0, [0, 1, 2, 3]);
        assert_eq!((m.parts, m.read.logs.len()), (4, 4));
    }

    #[test]
    fn a_stop_drops_the_later_parts_and_a_failed_part_is_reported_after_the_parsed_ones() {
        let mut m = in_order();
        m.offer(3, parsed(3, false));
        m.offer(1, Outcome::Failed("bad block".into()));
        m.offer(0, parsed(0, false));
        m.offer(2, parsed(2, true));
        // Part 1 failed, part 2 stopped the file: 3 is dropped, 0 and 2 are merged.
        assert_eq!(m.read.sink.0, [0, 2]);
        assert_eq!(m.read.stop.as_ref().map(|s| s.1.as_str()), Some("part 2"));
        assert_eq!(m.failed.as_deref(), Some("bad block"));
        let mut m = in_order();
        m.offer(1, Outcome::GaveUp);
        m.offer(0, parsed(0, false));
        m.offer(2, parsed(2, false));
        assert!(m.gave_up);
        assert_eq!(
            m.read.sink.0,
            [0],
            "nothing is merged once the source gave up"
        );
    }
}
