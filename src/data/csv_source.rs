//! Data stage: CSV files as a [`RecordSource`].
//!
//! Input: one CSV file of a dataset (its encoding and delimiter). Output: its
//! checked header, then its records as [`Row`]s: a file under 16 MB read whole
//! (decoded first when not UTF-8), or, for a large UTF-8, GBK or GB18030 file,
//! in pieces cut at record starts ([`super::chunk`]) that the scan driver
//! parses (and decodes) on every core; either text checked once and split in
//! place ([`super::csv_split`]). The csv crate's streaming reader
//! ([`super::open`]) reads the rest: a file that is not valid UTF-8 (it says
//! where), and large UTF-16 files, files not plain RFC 4180, and GBK or
//! GB18030 ones with a byte order mark or a delimiter that may occur inside a
//! character.

use std::fs::File;
use std::io::Read;

use csv::{ByteRecord, StringRecord};

use super::chunk::{Chunk, PieceBytes, Pieces, Recycler};
use super::csv_split::{SplitRecord, Splitter, MAX_SPLIT_BYTES};
use super::open::{declared, misencoded, open, UTF8_BOM};
use super::sniff::{encoding_hint, sniff_file, Guess};
use super::source::{
    cannot_read, Batch, DataFile, Header, Part, Record, RecordSource, Row, RowSink, MAX_FIELD_BYTES,
};
use crate::diag::{Diagnostics, Location};
use crate::project::model::Encoding;

/// Files at least this large are parsed in pieces on every core; smaller ones
/// in one piece, exactly as before (the common case of monthly drops).
/// `CXSCORE_PIECE_BYTES` overrides the piece size (tests use tiny pieces).
pub const PARALLEL_MIN_BYTES: u64 = 2 * PIECE_BYTES;

/// The target size of a piece: big enough to amortise a fork and merge, small
/// enough that two in flight per core stay far below the memory budget.
pub const PIECE_BYTES: u64 = 8 * 1024 * 1024;

/// The CSV format: every dataset today.
pub struct CsvSource {
    /// The target size of a piece ([`PIECE_BYTES`] unless overridden).
    piece_bytes: u64,
}

impl CsvSource {
    /// The CSV source, with the piece size of `CXSCORE_PIECE_BYTES` if set.
    pub fn new() -> Self {
        let piece_bytes = std::env::var("CXSCORE_PIECE_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(PIECE_BYTES);
        CsvSource { piece_bytes }
    }
}

impl Default for CsvSource {
    fn default() -> Self {
        Self::new()
    }
}

/// A piece of a large UTF-8 file, with the pool its buffer goes back to.
pub struct CsvPiece {
    piece: PieceBytes,
    recycler: Recycler,
}

/// The pieces of a large UTF-8 file, found while it is read ([`Pieces`]).
pub struct CsvPieces {
    pieces: Pieces<crate::progress::Counted<File>>,
    recycler: Recycler,
}

impl Iterator for CsvPieces {
    type Item = Part<CsvPiece>;

    fn next(&mut self) -> Option<Part<CsvPiece>> {
        Some(match self.pieces.next()? {
            Chunk::Piece(piece) => Part::Rows(CsvPiece {
                piece,
                recycler: self.recycler.clone(),
            }),
            Chunk::GaveUp => Part::GaveUp,
            Chunk::Failed(e) => Part::Failed(e.to_string()),
        })
    }
}

impl RecordSource for CsvSource {
    type Part = CsvPiece;
    type Parts = CsvPieces;

    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let (ds, at) = (file.dataset, file.file);
        if !check_declared(file, diags) {
            return None;
        }
        let mut reader = match open(file.path, ds) {
            Ok(o) => o,
            Err(e) => {
                diags.error(Location::file(at), format!("cannot read data file: {e}"));
                return None;
            }
        };
        let record = match reader.byte_headers() {
            Ok(r) => r.clone(),
            Err(e) => {
                diags.error(
                    Location::at(at, 1, 0),
                    format!("cannot read the header: {e}"),
                );
                return None;
            }
        };
        if record.is_empty() {
            diags.error_hint(
                Location::file(at),
                format!("data file `{}` of dataset `{}` is empty", at.display(), ds.id),
                "export the data again: the first line must name the columns, one row per line after it",
            );
            return None;
        }
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            diags.error_hint(
                Location::at(at, 1, 0),
                format!("data file of dataset `{}` has no header row", ds.id),
                "the first line must name the columns",
            );
            return None;
        }
        let mut names = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            // A NUL in a UTF-8 header is UTF-16 read byte by byte.
            let bad = misencoded(field, ds.encoding)
                || (ds.encoding == Encoding::Utf8 && field.contains(&0));
            if bad {
                diags.error_hint(
                    Location::at(at, 1, i as u32 + 1),
                    format!(
                        "the header of `{}` (dataset `{}`) is not valid {}",
                        at.display(),
                        ds.id,
                        encoding_name(ds.encoding)
                    ),
                    hint_for(file),
                );
                return None;
            }
            if field.len() > MAX_FIELD_BYTES {
                diags.error_hint(
                    Location::at(at, 1, i as u32 + 1),
                    format!(
                        "the header of `{}` has a field of {} bytes",
                        at.display(),
                        field.len()
                    ),
                    "a quote `\"` in the first line is probably never closed; close it",
                );
                return None;
            }
            names.push(String::from_utf8_lossy(field).trim().to_string());
        }
        Some(names)
    }

    /// Pieces only for a file of at least two pieces whose records can be
    /// cut in its raw bytes ([`cuts_in_raw_bytes`]); a GBK or GB18030 file
    /// that begins with a byte order mark is streamed (the mark overrides
    /// the declared encoding, which the stream's decoder handles).
    fn parts(&self, file: &DataFile<'_>) -> Option<Result<CsvPieces, String>> {
        let size = std::fs::metadata(file.path).map_or(0, |m| m.len());
        if !cuts_in_raw_bytes(file) || size < 2 * self.piece_bytes {
            return None;
        }
        if file.dataset.encoding != Encoding::Utf8 && begins_with_a_bom(file.path) {
            return None;
        }
        let reader = match File::open(file.path) {
            Ok(f) => crate::progress::Counted(f),
            Err(e) => return Some(Err(e.to_string())),
        };
        let pieces = Pieces::new(reader, file.dataset.delimiter, self.piece_bytes);
        let recycler = pieces.recycler();
        Some(Ok(CsvPieces { pieces, recycler }))
    }

    fn read_part<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        part: CsvPiece,
        batch: &mut Batch<S>,
    ) {
        let CsvPiece { piece, recycler } = part;
        let first = piece.index == 0;
        // GBK and GB18030 pieces decoded, into this thread's buffer of the
        // previous piece: a byte not in the encoding becomes U+FFFD, which
        // `split_records` reports.
        let decoded = (ascii_compatible(file.dataset.encoding))
            .map(|e| decode_piece(e, &piece.bytes, DECODED.take()));
        {
            let bytes = decoded.as_deref().map_or(&piece.bytes[..], str::as_bytes);
            // A UTF-8 piece is checked once (the first after any BOM); both
            // are split in place. One that is not UTF-8 goes through the csv
            // crate's reader, which says where.
            let text = match &decoded {
                _ if !splits(file) || bytes.len() > MAX_SPLIT_BYTES => None,
                Some(text) => Some(text.as_ref()),
                None => {
                    let bom = if first && bytes.starts_with(UTF8_BOM) {
                        UTF8_BOM.len()
                    } else {
                        0
                    };
                    simdutf8::basic::from_utf8(&bytes[bom..]).ok()
                }
            };
            let newlines = piece.cut.newlines;
            match text {
                Some(text) => {
                    split_records(text, newlines, usize::from(first), file, header, batch)
                }
                None => {
                    let reader = csv::ReaderBuilder::new()
                        .delimiter(file.dataset.delimiter)
                        .has_headers(first)
                        .flexible(true)
                        .from_reader(bytes);
                    read_records(reader, newlines, file, header, batch);
                }
            }
        }
        if let Some(buffer) = decoded {
            DECODED.set(buffer);
        }
        recycler.give(piece.bytes);
    }

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        if let Some(text) = small_text(file) {
            // The header, read apart (`super::header`), is the first record.
            split_records(&text, 0, 1, file, header, batch);
            return;
        }
        match open(file.path, file.dataset) {
            Ok(reader) => read_records(reader, 0, file, header, batch),
            Err(e) => batch.stop(cannot_read(file.file, e)),
        }
    }
}

/// Reads records until the end of `reader` or an error that stops the file;
/// lines are `newlines` + the reader's own line numbers.
fn read_records<R: Read, S: RowSink>(
    mut reader: csv::Reader<R>,
    newlines: u64,
    file: &DataFile<'_>,
    header: &Header,
    batch: &mut Batch<S>,
) {
    let encoding = file.dataset.encoding;
    let mut record = ByteRecord::new();
    loop {
        let line = newlines + reader.position().line() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                batch.stop((
                    Location::at(file.file, line as u32, 0),
                    format!("cannot read data: {e}"),
                    None,
                ));
                return;
            }
        }
        let line = record.position().map_or(line, |p| newlines + p.line());
        // One UTF-8 check of the whole record (fast when it is ASCII), and
        // the record's buffers are reused: moved in here, moved back below.
        let checked = match StringRecord::from_byte_record(std::mem::take(&mut record)) {
            Ok(s) if encoding == Encoding::Utf8 => Ok(s),
            Ok(s) => match s
                .as_byte_record()
                .iter()
                .position(|f| misencoded(f, encoding))
            {
                None => Ok(s),
                Some(field) => Err((field, s.into_byte_record())),
            },
            Err(e) => Err((e.utf8_error().field(), e.into_byte_record())),
        };
        let text = match checked {
            Ok(s) => s,
            Err((field, _)) => {
                batch.stop_in_row(bad_bytes(field, line, file, header));
                return;
            }
        };
        let text = Record::from_csv(text);
        batch.row(&Row::new(&text, line), header, file.dataset);
        record = text.into_csv().into_byte_record();
    }
}

/// True when the dataset's delimiter lets [`Splitter`] read its files: an
/// ASCII byte that is not a quote or a line end.
fn splits(file: &DataFile<'_>) -> bool {
    let delimiter = file.dataset.delimiter;
    delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\r' | b'\n')
}

/// True when a file's records can be cut, and split, in its raw bytes: a
/// quote, a line end and the delimiter never occur inside a character. So in
/// UTF-8; in GBK and GB18030 when the delimiter is below 0x40 and not a digit
/// (`,` `;` tab): the later bytes of their characters are 0x40 and above, or
/// (GB18030's four-byte ones) digits. Not UTF-16.
fn cuts_in_raw_bytes(file: &DataFile<'_>) -> bool {
    let d = file.dataset.delimiter;
    splits(file)
        && match file.dataset.encoding {
            Encoding::Utf8 => true,
            Encoding::Gbk | Encoding::Gb18030 => d < 0x40 && !d.is_ascii_digit(),
            Encoding::Utf16 => false,
        }
}

/// The decoder of a declared encoding whose pieces are decoded one by one
/// ([`cuts_in_raw_bytes`]); `None` for UTF-8 (split as it is) and UTF-16.
fn ascii_compatible(encoding: Encoding) -> Option<&'static encoding_rs::Encoding> {
    match encoding {
        Encoding::Gbk => Some(encoding_rs::GBK),
        Encoding::Gb18030 => Some(encoding_rs::GB18030),
        Encoding::Utf8 | Encoding::Utf16 => None,
    }
}

thread_local! {
    /// The text of the last GBK or GB18030 piece this thread decoded: its
    /// buffer is reused by the next, rather than ~12 MB allocated per piece
    /// (peak RSS of a 169 MB GBK file: 92.5 MB in three builds, against
    /// 93–118 MB with a new buffer per piece).
    static DECODED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// `bytes` decoded from `encoding` (no BOM handling: a file with one is
/// streamed) into `buffer`, cleared first.
fn decode_piece(
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
    mut buffer: String,
) -> String {
    buffer.clear();
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut rest = bytes;
    loop {
        // Room for valid text (a two-byte character is at most three bytes
        // of UTF-8), not for the worst case (a U+FFFD of three bytes per
        // byte): the buffer is kept, so its size is what the thread holds.
        buffer.reserve(rest.len() + rest.len() / 2 + 16);
        let (result, read, _) = decoder.decode_to_string(rest, &mut buffer, true);
        rest = &rest[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            return buffer;
        }
    }
}

/// True when the file begins with a UTF-8 or UTF-16 byte order mark (or
/// cannot be read: the stream then says why).
fn begins_with_a_bom(path: &std::path::Path) -> bool {
    let mut head = [0u8; 3];
    let Ok(n) = File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return true;
    };
    let head = &head[..n];
    head.starts_with(UTF8_BOM) || head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])
}

/// A file smaller than [`PARALLEL_MIN_BYTES`] (larger ones are read in
/// pieces, or streamed) read whole as text, without its BOM, when
/// [`splits`]: UTF-8 as it is, other encodings decoded as
/// [`super::open::open`] decodes them (a BOM overrides the declared
/// encoding; bytes that are not in it become U+FFFD, which
/// [`split_records`] reports). `None` otherwise, or when a UTF-8 file is not
/// UTF-8 or the file cannot be read: the csv crate's reader then says where.
fn small_text(file: &DataFile<'_>) -> Option<String> {
    let size = std::fs::metadata(file.path).ok()?.len();
    if size >= PARALLEL_MIN_BYTES || !splits(file) {
        return None;
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    File::open(file.path).ok()?.read_to_end(&mut bytes).ok()?;
    // Counted once the text is taken: a file that is not UTF-8 is read
    // again by the csv crate's reader, which counts its bytes itself.
    let read = bytes.len() as u64;
    let decode = |encoding: &'static encoding_rs::Encoding| encoding.decode(&bytes).0.into_owned();
    let text = match file.dataset.encoding {
        Encoding::Utf8 => {
            if bytes.starts_with(UTF8_BOM) {
                bytes.drain(..UTF8_BOM.len());
            }
            String::from_utf8(bytes).ok()?
        }
        Encoding::Gbk => decode(encoding_rs::GBK),
        Encoding::Gb18030 => decode(encoding_rs::GB18030),
        Encoding::Utf16 => decode(encoding_rs::UTF_16LE),
    };
    crate::progress::advance(read);
    Some(text)
}

/// Feeds the records of `text` ([`Splitter`]) after its first `skip` (a
/// header); lines are `newlines` + the record's line in the text.
fn split_records<S: RowSink>(
    text: &str,
    newlines: u64,
    skip: usize,
    file: &DataFile<'_>,
    header: &Header,
    batch: &mut Batch<S>,
) {
    let mut splitter = Splitter::new(text, file.dataset.delimiter);
    let mut record = SplitRecord::default();
    for _ in 0..skip {
        if splitter.next_record(&mut record).is_none() {
            return;
        }
    }
    let encoding = file.dataset.encoding;
    while let Some(line) = splitter.next_record(&mut record) {
        let line = newlines + line;
        if encoding != Encoding::Utf8 {
            let mut fields = (0..record.len()).filter_map(|i| record.field(text, i));
            if let Some(field) = fields.position(|f| misencoded(f.as_bytes(), encoding)) {
                batch.stop_in_row(bad_bytes(field, line, file, header));
                return;
            }
        }
        batch.row(&Row::of_split(text, &record, line), header, file.dataset);
    }
}

/// The error that stops a file at its first field that is not text in the
/// declared encoding.
fn bad_bytes(field: usize, line: u64, file: &DataFile<'_>, header: &Header) -> super::source::Stop {
    // Everything after the first bad byte is likely misread too: one
    // error per file says what to fix, a thousand would bury it.
    (
        Location::at(file.file, line as u32, field as u32 + 1),
        format!(
            "line {line} of `{}` (dataset `{}`) is not valid {} (field {}, column `{}`); the rest of the file was not read",
            file.file.display(),
            file.dataset.id,
            encoding_name(file.dataset.encoding),
            field + 1,
            header.names.get(field).map_or("?", String::as_str)
        ),
        Some(hint_for(file)),
    )
}

/// The hint for bytes that are not in the declared encoding, from what the file looks like.
fn hint_for(file: &DataFile<'_>) -> String {
    let guess = sniff_file(file.path).unwrap_or(Guess::Unsupported("unknown"));
    encoding_hint(&file.dataset.id, declared(file.dataset.encoding), guess)
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
fn check_declared(file: &DataFile<'_>, diags: &mut Diagnostics) -> bool {
    let ds = file.dataset;
    if ds.encoding == Encoding::Utf8 {
        // Nothing below applies to UTF-8, and sniffing 256 kB per file costs
        // more than reading a small monthly drop.
        return true;
    }
    let Ok(guess) = sniff_file(file.path) else {
        return true;
    };
    match (ds.encoding, guess) {
        (Encoding::Gbk | Encoding::Gb18030, Guess::Utf8) => {
            diags.warning_hint(
                Location::file(file.file),
                format!(
                    "`{}` is valid UTF-8 with non-ASCII text, but dataset `{}` declares `encoding: {}`: its text will be garbled",
                    file.file.display(),
                    ds.id,
                    declared(ds.encoding)
                ),
                format!("remove `encoding:` from dataset `{}` if the file is UTF-8", ds.id),
            );
            true
        }
        (Encoding::Utf16, g) if g != Guess::Utf16 => {
            diags.error_hint(
                Location::file(file.file),
                format!(
                    "`{}` does not look like UTF-16, but dataset `{}` declares `encoding: utf-16`",
                    file.file.display(),
                    ds.id
                ),
                encoding_hint(&ds.id, "utf-16", g),
            );
            false
        }
        (Encoding::Utf8 | Encoding::Gbk | Encoding::Gb18030 | Encoding::Utf16, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::project::model::Dataset;

    /// Whether a 5 kB file, `head` then GBK rows, is read in 1 kB pieces.
    fn in_pieces(head: &[u8], encoding: Encoding, delimiter: u8) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("survey.csv");
        let mut bytes = head.to_vec();
        while bytes.len() < 5000 {
            bytes.extend_from_slice(&encoding_rs::GBK.encode("2026-01-05,网上营业厅,9\r\n").0);
        }
        std::fs::write(&path, bytes).unwrap();
        let mut dataset = Dataset::plain(
            "survey",
            vec![path.clone()],
            Location::at("cxscore.yaml", 3, 3),
        );
        dataset.encoding = encoding;
        dataset.delimiter = delimiter;
        let file = DataFile {
            path: &path,
            file: Path::new("data/survey.csv"),
            dataset: &dataset,
        };
        let source = CsvSource { piece_bytes: 1000 };
        source.parts(&file).is_some_and(|p| p.is_ok())
    }

    #[test]
    fn gbk_and_gb18030_files_are_cut_in_pieces_unless_a_cut_could_fall_inside_a_character() {
        assert!(in_pieces(b"date,channel,nps\r\n", Encoding::Utf8, b','));
        assert!(in_pieces(b"date,channel,nps\r\n", Encoding::Gbk, b','));
        assert!(in_pieces(b"date;channel;nps\r\n", Encoding::Gb18030, b';'));
        assert!(in_pieces(b"date\tchannel\tnps\r\n", Encoding::Gbk, b'\t'));
        // `|` (0x7C) is a possible second byte of a GBK character.
        assert!(!in_pieces(b"date|channel|nps\r\n", Encoding::Gbk, b'|'));
        // A byte order mark overrides the declared encoding: streamed.
        assert!(!in_pieces(
            b"\xEF\xBB\xBFdate,channel,nps\r\n",
            Encoding::Gbk,
            b','
        ));
        assert!(!in_pieces(b"\xFF\xFEd\0a\0", Encoding::Gb18030, b','));
        // UTF-16's quotes and line ends are two bytes.
        assert!(!in_pieces(b"\xFF\xFEd\0a\0", Encoding::Utf16, b','));
    }
}
