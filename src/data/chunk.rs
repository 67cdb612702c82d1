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

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

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

    fn finish(mut self) -> Option<Vec<Cut>> {
        if self.pending {
            // A closing quote as the file's last byte.
            self.in_quotes = false;
        }
        if self.in_quotes {
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

    #[test]
    fn a_bom_is_skipped_and_a_final_quote_closes() {
        let bytes = b"\xEF\xBB\xBFa,b\n1,\"x\"\n2,\"y\"";
        assert_eq!(cuts_of(bytes, 1, 2).unwrap(), vec![(3, 0), (7, 1), (13, 2)]);
    }
}
