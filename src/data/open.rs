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
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// An open CSV file, with what we learnt about its first bytes.
pub struct Opened {
    /// The CSV reader (header not yet read).
    pub reader: csv::Reader<Box<dyn Read>>,
    /// True when a file declared UTF-8 starts like UTF-16 (a UTF-16 BOM or a
    /// NUL byte early on): used to suggest `encoding: utf-16` instead of `gbk`.
    pub looks_utf16: bool,
}

/// Opens `path` with the dataset's encoding and delimiter.
///
/// UTF-8 files are passed through untouched (a BOM is skipped), so invalid
/// bytes stay visible and are reported with their line, not silently
/// replaced. GBK, GB18030 and UTF-16 are decoded to UTF-8 by `encoding_rs`
/// (UTF-16 follows its BOM, little-endian without one); undecodable bytes
/// there become U+FFFD, as every text editor shows them.
pub fn open(path: &Path, dataset: &Dataset) -> io::Result<Opened> {
    // Counted: the bytes read advance the progress bar (crate::progress).
    let file = crate::progress::Counted(File::open(path)?);
    let (source, looks_utf16): (Box<dyn Read>, bool) = match dataset.encoding {
        Encoding::Utf8 => {
            let mut buf = BufReader::new(file);
            let head = buf.fill_buf()?;
            let looks_utf16 = head.starts_with(b"\xFF\xFE")
                || head.starts_with(b"\xFE\xFF")
                || head.iter().take(64).any(|&b| b == 0);
            if head.starts_with(UTF8_BOM) {
                buf.consume(UTF8_BOM.len());
            }
            (Box::new(buf), looks_utf16)
        }
        other => {
            let encoding = match other {
                Encoding::Gbk => encoding_rs::GBK,
                Encoding::Gb18030 => encoding_rs::GB18030,
                _ => encoding_rs::UTF_16LE,
            };
            let decoder = DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_sniffing(true)
                .strip_bom(true)
                .build(file);
            (Box::new(BufReader::new(decoder)), false)
        }
    };
    let reader = csv::ReaderBuilder::new()
        .delimiter(dataset.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(source);
    Ok(Opened {
        reader,
        looks_utf16,
    })
}

/// The hint for bytes that are not UTF-8 in a file declared UTF-8.
pub fn encoding_hint(dataset_id: &str, looks_utf16: bool) -> String {
    let guess = if looks_utf16 { "utf-16" } else { "gbk" };
    format!("the file is not UTF-8; declare its encoding on dataset `{dataset_id}`, e.g. `encoding: {guess}`, or re-save it as UTF-8")
}
