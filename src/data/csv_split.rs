//! Data stage: the records of a CSV text, split in place.
//!
//! Input: a text checked as UTF-8 once, not record by record (a piece of a
//! large UTF-8 file, or a whole small file, decoded first when it is in
//! another encoding), and the delimiter. Output: each record as spans of that text, so a field is
//! read where it lies instead of being copied into a record and checked again.
//! Only a quoted field holding a doubled quote (`""`), or text after its
//! closing quote, is written out, into a small side buffer.
//!
//! It exists because on narrow rows (issue 19) the csv crate's reader spent a
//! quarter of the build copying each record and checking it as UTF-8 again.
//! It reads a record exactly as that reader does (tested against it on random
//! bytes, `csv_split_tests`): a record ends at `\n`, `\r` or `\r\n` outside
//! quotes; empty lines are skipped; a field that begins with `"` is quoted
//! (`""` inside is one quote, newlines are kept, and text after the closing
//! quote up to the delimiter is kept literally); a quote anywhere else is
//! literal; the line of a record is one more than the `\n` bytes before it.

/// One record: where each field is (reused record after record).
#[derive(Debug, Clone, Default)]
pub struct SplitRecord {
    /// Per field, a byte range of the text, or of `side` when the
    /// start has [`SIDE`] set.
    spans: Vec<(u32, u32)>,
    /// The fields that are not a slice of the text as written.
    side: String,
    /// The record's bytes in the text, from its first field's first byte to
    /// its line end: no field is longer (a field written out to `side` is
    /// shorter than as written), so a record no longer than a field may be
    /// needs no look at its fields' lengths ([`SplitRecord::longest_at_most`]).
    raw: usize,
}

/// Marks a span of [`SplitRecord::side`].
const SIDE: u32 = 1 << 31;

/// The largest piece split in place: spans are 31-bit offsets.
pub const MAX_SPLIT_BYTES: usize = SIDE as usize - 1;

impl SplitRecord {
    /// Field `index` of this record of `text`, untrimmed; `None` past the
    /// record's fields.
    #[inline]
    pub fn field<'t>(&'t self, text: &'t str, index: usize) -> Option<&'t str> {
        let &(start, end) = self.spans.get(index)?;
        // Spans are cut at ASCII bytes (delimiters, quotes, line ends) or
        // the ends of the texts: always on character boundaries.
        Some(if start & SIDE == 0 {
            text.get(start as usize..end as usize).unwrap_or("")
        } else {
            (self.side)
                .get((start & !SIDE) as usize..end as usize)
                .unwrap_or("")
        })
    }

    /// The number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True for a record with no field (never produced by [`Splitter`]).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// True when no field is longer than `limit` bytes, known without a look
    /// at the fields when the record as written is not (nearly every record).
    #[inline]
    pub fn longest_at_most(&self, limit: usize) -> bool {
        self.raw <= limit || self.lengths().all(|len| len <= limit)
    }

    /// Each field's length in bytes.
    pub fn lengths(&self) -> impl Iterator<Item = usize> + '_ {
        (self.spans.iter()).map(|&(a, b)| (b - (a & !SIDE)) as usize)
    }
}

/// The records of one text, in order.
pub struct Splitter<'t> {
    text: &'t str,
    at: usize,
    /// `\n` bytes before `at`.
    newlines: u64,
    delimiter: u8,
}

impl<'t> Splitter<'t> {
    /// The records of `text` (at most [`MAX_SPLIT_BYTES`] long), fields
    /// separated by `delimiter` (an ASCII byte).
    pub fn new(text: &'t str, delimiter: u8) -> Self {
        Splitter {
            text,
            at: 0,
            newlines: 0,
            delimiter,
        }
    }

    /// Reads the next record into `record`; its line in the text (1-based),
    /// or `None` at the end.
    pub fn next_record(&mut self, record: &mut SplitRecord) -> Option<u64> {
        let bytes = self.text.as_bytes();
        record.spans.clear();
        record.side.clear();
        // Empty lines are skipped, as the csv crate does.
        while let Some(&b) = bytes.get(self.at) {
            match b {
                b'\n' => self.newlines += 1,
                b'\r' => {}
                _ => break,
            }
            self.at += 1;
        }
        if self.at >= bytes.len() {
            return None;
        }
        let line = self.newlines + 1;
        let first = self.at;
        self.fields(record);
        record.raw = self.at - first;
        Some(line)
    }

    /// Reads the fields of the record that starts at `self.at` (not at the
    /// end of the text) into `record`, and its line end.
    fn fields(&mut self, record: &mut SplitRecord) {
        let bytes = self.text.as_bytes();
        loop {
            let end = if bytes[self.at] == b'"' {
                self.quoted(record)
            } else {
                let start = self.at;
                // A quote inside an unquoted field is literal.
                let i = self.field_end(start);
                self.at = i;
                record.spans.push((start as u32, i as u32));
                bytes.get(i).copied()
            };
            match end {
                Some(b) if b == self.delimiter => {
                    self.at += 1;
                    if self.at >= bytes.len() {
                        // A delimiter ending the text: one more, empty, field.
                        record.spans.push((self.at as u32, self.at as u32));
                        return;
                    }
                }
                Some(b'\r') => {
                    self.at += 1;
                    if bytes.get(self.at) == Some(&b'\n') {
                        self.at += 1;
                        self.newlines += 1;
                    }
                    return;
                }
                Some(b'\n') => {
                    self.at += 1;
                    self.newlines += 1;
                    return;
                }
                _ => return,
            }
        }
    }

    /// Where the unquoted field starting at `from` ends: the first
    /// delimiter, `\r` or `\n` at or after it, or the end of the text.
    /// Eight bytes at a time: a byte equal to one of the three is a zero
    /// byte of the word XORed with it repeated, and the lowest zero byte of
    /// a word is the lowest set high bit of `(v - 0x01…) & !v & 0x80…`
    /// (higher bits may be false, the lowest never is).
    #[inline]
    fn field_end(&self, from: usize) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        let bytes = self.text.as_bytes();
        let (delimiter, cr, lf) = (u64::from(self.delimiter) * ONES, 0x0d * ONES, 0x0a * ONES);
        let mut i = from;
        while let Some(word) = bytes.get(i..i + 8) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let x = u64::from_le_bytes(eight);
            let found = zero(x ^ delimiter) | zero(x ^ cr) | zero(x ^ lf);
            if found != 0 {
                return i + (found.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < bytes.len() && !matches!(bytes[i], b'\r' | b'\n') && bytes[i] != self.delimiter {
            i += 1;
        }
        i
    }

    /// A field that begins with a quote (at `self.at`): its span pushed, the
    /// byte that ended it returned (`None`: the end of the text), `self.at`
    /// on that byte.
    fn quoted(&mut self, record: &mut SplitRecord) -> Option<u8> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let mut i = start;
        // Written out only once a doubled quote or a trailing text is seen.
        let mut side: Option<usize> = None;
        let close = loop {
            let Some(q) = memchr::memchr(b'"', &bytes[i..]) else {
                // Never closed: the rest of the text (the pieces are cut
                // only where quotes are closed, so this is the file's end).
                self.count_newlines(i, bytes.len());
                if let Some(s) = side {
                    record.side.push_str(&self.text[i..]);
                    push_side(record, s);
                } else {
                    record.spans.push((start as u32, bytes.len() as u32));
                }
                self.at = bytes.len();
                return None;
            };
            let q = i + q;
            self.count_newlines(i, q);
            if bytes.get(q + 1) == Some(&b'"') {
                // `""`: one quote, the text before it written out (the
                // first time, `i` is still `start`).
                side.get_or_insert(record.side.len());
                record.side.push_str(&self.text[i..=q]);
                i = q + 2;
                continue;
            }
            break q;
        };
        if side.is_some() {
            record.side.push_str(&self.text[i..close]);
        }
        // After the closing quote, anything up to the delimiter or the line's
        // end is kept as written (quotes included).
        let j = self.field_end(close + 1);
        self.at = j;
        let end = bytes.get(j).copied();
        if j == close + 1 && side.is_none() {
            record.spans.push((start as u32, close as u32));
            return end;
        }
        let s = *side.get_or_insert_with(|| {
            let s = record.side.len();
            record.side.push_str(&self.text[start..close]);
            s
        });
        record.side.push_str(&self.text[close + 1..j]);
        push_side(record, s);
        end
    }

    fn count_newlines(&mut self, from: usize, to: usize) {
        self.newlines += memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..to]).count() as u64;
    }
}

/// Ends the record's field written out to its side buffer from `start`.
fn push_side(record: &mut SplitRecord, start: usize) {
    (record.spans).push((start as u32 | SIDE, record.side.len() as u32));
}

#[cfg(test)]
#[path = "csv_split_tests.rs"]
mod tests;
