//! Data stage: opening one CSV file of a dataset.
//!
//! Input: a file path and the dataset's dialect (encoding, delimiter). Output:
//! a flexible `csv::Reader` over UTF-8 bytes, so everything downstream sees
//! UTF-8 whatever the file's encoding, and ragged rows reach us to report.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::project::model::{Dataset, Encoding};

/// The UTF-8 byte order mark Excel writes at the start of "CSV UTF-8" files.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a decoder leaves where the bytes were not valid in the declared
/// encoding (U+FFFD in UTF-8). Seeing it in a decoded field means the file is
/// not what `encoding:` says.
pub const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Opens `path` with the dataset's encoding and delimiter.
///
/// UTF-8 files are passed through untouched (a BOM is skipped), so invalid
/// bytes stay visible and are reported with their line, not silently
/// replaced. GBK, GB18030 and UTF-16 are decoded to UTF-8 by `encoding_rs`
/// (UTF-16 follows its BOM, little-endian without one); undecodable bytes
/// there become U+FFFD, which the scanner reports as an error with its line.
pub fn open(path: &Path, dataset: &Dataset) -> io::Result<csv::Reader<Box<dyn Read>>> {
    // Counted: the bytes read advance the progress bar (crate::progress).
    let file = crate::progress::Counted(File::open(path)?);
    // `None`: UTF-8, passed through.
    let decode = match dataset.encoding {
        Encoding::Utf8 => None,
        Encoding::Gbk => Some(encoding_rs::GBK),
        Encoding::Gb18030 => Some(encoding_rs::GB18030),
        Encoding::Utf16 => Some(encoding_rs::UTF_16LE),
    };
    let source: Box<dyn Read> = match decode {
        None => {
            let mut buf = BufReader::new(file);
            if buf.fill_buf()?.starts_with(UTF8_BOM) {
                buf.consume(UTF8_BOM.len());
            }
            Box::new(buf)
        }
        Some(encoding) => {
            let decoder = DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(file);
            Box::new(BufReader::new(decoder))
        }
    };
    Ok(csv::ReaderBuilder::new()
        .delimiter(dataset.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(source))
}

/// The `encoding:` spelling of a dataset's encoding, for messages.
pub fn declared(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Gbk => "gbk",
        Encoding::Gb18030 => "gb18030",
        Encoding::Utf16 => "utf-16",
    }
}

/// True when a field's bytes are not text in the declared encoding: invalid
/// UTF-8, or (for decoded encodings) the decoder's replacement character.
pub fn misencoded(field: &[u8], encoding: Encoding) -> bool {
    match std::str::from_utf8(field) {
        Err(_) => true,
        Ok(_) if encoding == Encoding::Utf8 => false,
        Ok(_) => field.contains(&REPLACEMENT[0]) && field.windows(3).any(|w| w == REPLACEMENT),
    }
}
