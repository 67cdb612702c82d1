//! Data stage: where a large UTF-8 CSV file may be cut into pieces that are
//! parsed in parallel.
//!
//! Input: a file, its delimiter and a target piece size. Output: the byte
//! offsets where records start (with the number of `\n` before each, for line
//! numbers), about `target` bytes apart; or `None` when the file's quoting is
//! not plain RFC 4180, in which case the caller reads it in one piece.
//!
//! A newline ends a record only outside quotes, and a quoted field may hold
//! newlines (comments often do), so a cut needs the quote state at that point.
//! One sequential pass over the quote and newline bytes (`memchr`, a small
//! share of the parse cost) tracks it. The state is exactly the CSV parser's
//! as long as every quote is where RFC 4180 puts it: an opening quote at the
//! start of a field, a closing one followed by the delimiter, a line end or
//! the end of the file, and `""` inside quotes. Any other quote (`5" tall` in
//! an unquoted field, which the parser reads literally) makes the pass give up
//! rather than guess. The pieces depend only on the bytes and `target`, never
//! on the number of threads, so the results do not either.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Where one piece starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Byte offset in the file (the first piece starts after a UTF-8 BOM).
    pub offset: u64,
    /// `\n` bytes before `offset`: the piece's first line is `newlines + 1`.
    pub newlines: u64,
}

/// The pieces of `path`, about `target` bytes each, cut at record starts;
/// `None` when a quote is not where RFC 4180 allows it or a quote is never
/// closed (the one-piece reader then reports what it finds).
pub fn cuts(path: &Path, delimiter: u8, target: u64) -> io::Result<Option<Vec<Cut>>> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut scanner = Scanner::new(delimiter, target.max(1));
    let mut first = true;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut block = &buf[..n];
        if first {
            first = false;
            if block.starts_with(super::open::UTF8_BOM) {
                scanner.skip_bom();
                block = &block[super::open::UTF8_BOM.len()..];
            }
        }
        if !scanner.feed(block) {
            return Ok(None);
        }
    }
    Ok(scanner.finish())
}

/// Bytes read at a time by [`Pieces`].
const BLOCK: usize = 1 << 20;

/// One piece of a file, read while the cuts are found.
#[derive(Debug)]
pub struct PieceBytes {
    /// The piece's place in the file (0 holds the header).
    pub index: usize,
    /// Where it starts.
    pub cut: Cut,
    /// Its bytes, from `cut.offset` to the next cut or the end of the file.
    pub bytes: Vec<u8>,
}

/// What [`Pieces`] yields.
#[derive(Debug)]
pub enum Chunk {
    /// The next piece.
    Piece(PieceBytes),
    /// The quoting is not plain RFC 4180 (or one record is longer than
    /// several pieces): the caller must read the file in one piece instead,
    /// discarding any piece it already parsed.
    GaveUp,
    /// The file could not be read.
    Failed(io::Error),
}

/// The pieces of a file, each yielded as soon as the cut after it is found,
/// so parsing starts while the rest of the file is still being scanned (the
/// sequential scan overlaps the parallel parse instead of preceding it), and
/// the file is read once. The pieces are those [`cuts`] finds.
pub struct Pieces<R> {
    reader: R,
    scanner: Scanner,
    /// The bytes since the start of the piece being collected.
    pending: Vec<u8>,
    pending_cut: Cut,
    /// Piece buffers handed back after parsing ([`Recycler`]): reused, so
    /// memory is a fixed number of buffers however long the file.
    pool: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Cuts of the scanner already turned into pieces.
    used_cuts: usize,
    ready: VecDeque<PieceBytes>,
    next_index: usize,
    first_block: bool,
    done: bool,
}

impl<R: Read> Pieces<R> {
    /// Pieces of about `target` bytes of the CSV `reader`.
    pub fn new(reader: R, delimiter: u8, target: u64) -> Self {
        let scanner = Scanner::new(delimiter, target.max(1));
        Pieces {
            reader,
            pending_cut: scanner.cuts[0],
            used_cuts: 1,
            scanner,
            pending: Vec::new(),
            pool: Arc::default(),
            ready: VecDeque::new(),
            next_index: 0,
            first_block: true,
            done: false,
        }
    }

    /// Gives parsed pieces' buffers back for the next pieces.
    pub fn recycler(&self) -> Recycler {
        Recycler(Arc::clone(&self.pool))
    }

    /// An empty buffer with room for a piece and a block past it.
    fn buffer(&self) -> Vec<u8> {
        let reused = self.pool.lock().ok().and_then(|mut pool| pool.pop());
        let mut buffer = reused.unwrap_or_default();
        buffer.clear();
        buffer.reserve(self.scanner.target as usize + 2 * BLOCK);
        buffer
    }

    /// Ends the piece being collected at `next` (the next cut, or the end).
    fn close_piece(&mut self, bytes: Vec<u8>, next: Cut) {
        if !bytes.is_empty() {
            self.ready.push_back(PieceBytes {
                index: self.next_index,
                cut: self.pending_cut,
                bytes,
            });
            self.next_index += 1;
        }
        self.pending_cut = next;
    }

    /// A piece this much larger than the target means a record that never
    /// ends (an unclosed quote in a huge file): the one-piece reader reports it.
    fn too_long(&self) -> bool {
        self.pending.len() as u64 > 8 * self.scanner.target + (1 << 20)
    }
}

impl<R: Read> Iterator for Pieces<R> {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        loop {
            if let Some(piece) = self.ready.pop_front() {
                return Some(Chunk::Piece(piece));
            }
            if self.done {
                return None;
            }
            // Read straight into the piece being collected: no second copy.
            let old = self.pending.len();
            let n = match (&mut self.reader)
                .take(BLOCK as u64)
                .read_to_end(&mut self.pending)
            {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.pending.truncate(old);
                    continue;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Chunk::Failed(e));
                }
            };
            if n == 0 {
                self.done = true;
                if !self.scanner.ends_cleanly() {
                    return Some(Chunk::GaveUp);
                }
                let rest = std::mem::take(&mut self.pending);
                let end = self.pending_cut;
                self.close_piece(rest, end);
                continue;
            }
            if std::mem::take(&mut self.first_block)
                && self.pending.starts_with(super::open::UTF8_BOM)
            {
                self.scanner.skip_bom();
                self.pending_cut = self.scanner.cuts[0];
                self.pending.drain(..super::open::UTF8_BOM.len());
            }
            let from = old.min(self.pending.len());
            // (Empty only when the first block was nothing but a BOM.)
            if from < self.pending.len() && !self.scanner.feed(&self.pending[from..]) {
                self.done = true;
                return Some(Chunk::GaveUp);
            }
            while self.used_cuts < self.scanner.cuts.len() {
                let next = self.scanner.cuts[self.used_cuts];
                self.used_cuts += 1;
                let len = (next.offset - self.pending_cut.offset) as usize;
                let mut rest = self.buffer();
                rest.extend_from_slice(&self.pending[len..]);
                self.pending.truncate(len);
                let piece = std::mem::replace(&mut self.pending, rest);
                self.close_piece(piece, next);
            }
            if self.too_long() {
                self.done = true;
                return Some(Chunk::GaveUp);
            }
        }
    }
}

/// Hands a parsed piece's buffer back to its [`Pieces`] for reuse.
#[derive(Clone)]
pub struct Recycler(Arc<Mutex<Vec<Vec<u8>>>>);

impl Recycler {
    /// Returns `buffer` to the pool.
    pub fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut pool) = self.0.lock() {
            pool.push(buffer);
        }
    }
}

/// The quote state machine, fed block by block.
struct Scanner {
    delimiter: u8,
    target: u64,
    /// File offset of the next byte fed.
    offset: u64,
    newlines: u64,
    in_quotes: bool,
    /// A quote inside a quoted field was the last byte of a block: the next
    /// byte says whether it closes the field or starts `""`.
    pending: bool,
    /// The byte before the next block (a line start at the beginning).
    prev: u8,
    cuts: Vec<Cut>,
    next_cut: u64,
}

impl Scanner {
    fn new(delimiter: u8, target: u64) -> Self {
        Scanner {
            delimiter,
            target,
            offset: 0,
            newlines: 0,
            in_quotes: false,
            pending: false,
            prev: b'\n',
            cuts: vec![Cut {
                offset: 0,
                newlines: 0,
            }],
            next_cut: target,
        }
    }

    fn skip_bom(&mut self) {
        let bom = super::open::UTF8_BOM.len() as u64;
        self.offset = bom;
        self.cuts[0].offset = bom;
        self.next_cut = bom + self.target;
    }

    fn ends_field(&self, b: u8) -> bool {
        b == self.delimiter || b == b'\n' || b == b'\r'
    }

    /// Feeds the next bytes; false when the quoting is not RFC 4180.
    fn feed(&mut self, block: &[u8]) -> bool {
        let mut start = 0;
        if self.pending {
            self.pending = false;
            match block[0] {
                b'"' => start = 1, // `""`: still inside the quotes
                b if self.ends_field(b) => self.in_quotes = false,
                _ => return false,
            }
        }
        let mut skip = None;
        for p in memchr::memchr2_iter(b'"', b'\n', &block[start..]) {
            let p = p + start;
            if skip == Some(p) {
                continue;
            }
            if block[p] == b'\n' {
                self.newlines += 1;
                let after = self.offset + p as u64 + 1;
                if !self.in_quotes && after >= self.next_cut {
                    self.cuts.push(Cut {
                        offset: after,
                        newlines: self.newlines,
                    });
                    self.next_cut = after + self.target;
                }
            } else if !self.in_quotes {
                let before = if p == 0 { self.prev } else { block[p - 1] };
                if !self.ends_field(before) {
                    return false;
                }
                self.in_quotes = true;
            } else if p + 1 == block.len() {
                self.pending = true;
            } else if block[p + 1] == b'"' {
                skip = Some(p + 1);
            } else if self.ends_field(block[p + 1]) {
                self.in_quotes = false;
            } else {
                return false;
            }
        }
        self.prev = block[block.len() - 1];
        self.offset += block.len() as u64;
        true
    }

    /// True when the bytes fed so far end outside quotes (a quote that is
    /// the file's last byte closes its field).
    fn ends_cleanly(&mut self) -> bool {
        if self.pending {
            self.pending = false;
            self.in_quotes = false;
        }
        !self.in_quotes
    }

    fn finish(mut self) -> Option<Vec<Cut>> {
        if !self.ends_cleanly() {
            return None;
        }
        // A cut at the very end would be an empty piece.
        let (end, first) = (self.offset, self.cuts[0]);
        self.cuts.retain(|c| c.offset < end);
        if self.cuts.is_empty() {
            self.cuts.push(first);
        }
        Some(self.cuts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuts_of(bytes: &[u8], target: u64, block: usize) -> Option<Vec<(u64, u64)>> {
        let mut s = Scanner::new(b',', target);
        let mut bytes = bytes;
        if bytes.starts_with(super::super::open::UTF8_BOM) {
            s.skip_bom();
            bytes = &bytes[3..];
        }
        for chunk in bytes.chunks(block) {
            if !s.feed(chunk) {
                return None;
            }
        }
        s.finish()
            .map(|c| c.into_iter().map(|c| (c.offset, c.newlines)).collect())
    }

    /// Record starts found by the csv crate itself: (byte offset, line − 1).
    fn record_starts(bytes: &[u8]) -> Vec<(u64, u64)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let p = rec.position().unwrap();
            out.push((p.byte(), p.line() - 1));
        }
        out
    }

    const QUOTED: &[u8] =
        b"id,comment,score\n1,\"two\nlines\",5\n2,\"say \"\"hi\"\"\n\",7\n3,plain,9\n4,\"a,b\",1\n";

    #[test]
    fn every_cut_is_a_record_start_the_csv_parser_agrees_on() {
        let starts = record_starts(QUOTED);
        for target in 1..=QUOTED.len() as u64 {
            for block in [1, 2, 3, 7, 1000] {
                let cuts = cuts_of(QUOTED, target, block).expect("RFC 4180 quoting");
                assert_eq!(cuts[0], (0, 0));
                for c in &cuts {
                    assert!(
                        starts.contains(c),
                        "target {target} block {block}: {c:?} not in {starts:?}"
                    );
                }
            }
        }
        // Target 1: a cut at every record start, none inside the quoted newlines.
        assert_eq!(cuts_of(QUOTED, 1, 5).unwrap(), starts);
    }

    #[test]
    fn a_stray_or_unclosed_quote_gives_up() {
        assert_eq!(cuts_of(b"a,b\n1,5\" tall\n2,x\n", 1, 4), None);
        assert_eq!(cuts_of(b"a,b\n1,\"x\"y\n", 1, 4), None);
        assert_eq!(cuts_of(b"a,b\n1,\"never closed\n2,x\n", 1, 4), None);
    }

    /// A piece as (index, offset, newlines, bytes).
    type Seen = (usize, u64, u64, Vec<u8>);

    /// Every piece, or `None` on GaveUp.
    fn pieces_of(bytes: &[u8], target: u64) -> Option<Vec<Seen>> {
        let mut out = Vec::new();
        for chunk in Pieces::new(bytes, b',', target) {
            match chunk {
                Chunk::Piece(p) => out.push((p.index, p.cut.offset, p.cut.newlines, p.bytes)),
                Chunk::GaveUp => return None,
                Chunk::Failed(e) => panic!("{e}"),
            }
        }
        Some(out)
    }

    #[test]
    fn streamed_pieces_are_the_cuts_and_cover_every_byte_once() {
        let mut with_bom = super::super::open::UTF8_BOM.to_vec();
        with_bom.extend_from_slice(QUOTED);
        for bytes in [QUOTED, &with_bom[..]] {
            for target in 1..=bytes.len() as u64 + 1 {
                let pieces = pieces_of(bytes, target).expect("RFC 4180 quoting");
                let cuts = cuts_of(bytes, target, 1000).unwrap();
                let starts: Vec<_> = pieces.iter().map(|p| (p.1, p.2)).collect();
                assert_eq!(starts, cuts, "target {target}");
                // In order, contiguous, and together the file after the BOM.
                let skip = bytes.len() - QUOTED.len();
                let joined: Vec<u8> = pieces.iter().flat_map(|p| p.3.clone()).collect();
                assert_eq!(joined, &bytes[skip..]);
                assert!(pieces.iter().enumerate().all(|(i, p)| p.0 == i));
                for w in pieces.windows(2) {
                    assert_eq!(w[0].1 + w[0].3.len() as u64, w[1].1);
                }
            }
        }
    }

    #[test]
    fn streamed_pieces_give_up_where_cuts_do() {
        assert_eq!(pieces_of(b"a,b\n1,5\" tall\n2,x\n", 1), None);
        assert_eq!(pieces_of(b"a,b\n1,\"never closed\n2,x\n", 1), None);
        // One record far longer than the target: left to the one-piece reader.
        let mut long = b"a,b\n1,\"".to_vec();
        long.extend(std::iter::repeat_n(b'x', 3 << 20));
        long.extend_from_slice(b"\"\n");
        assert_eq!(pieces_of(&long, 1000), None);
        assert!(pieces_of(&long, 1 << 20).is_some());
        // A BOM alone, or a BOM and one short record: no panic, no piece lost.
        assert_eq!(pieces_of(super::super::open::UTF8_BOM, 1), Some(vec![]));
        let one = pieces_of(b"\xEF\xBB\xBFa\n", 1).unwrap();
        assert_eq!(one, vec![(0, 3, 0, b"a\n".to_vec())]);
    }

    #[test]
    fn a_bom_is_skipped_and_a_final_quote_closes() {
        let bytes = b"\xEF\xBB\xBFa,b\n1,\"x\"\n2,\"y\"";
        assert_eq!(cuts_of(bytes, 1, 2).unwrap(), vec![(3, 0), (7, 1), (13, 2)]);
    }
}
