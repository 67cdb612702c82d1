//! Data stage: guessing what a data file's encoding really is.
//!
//! Input: the first bytes of a file that did not read as its declared encoding.
//! Output: a [`Guess`], which the error turns into "declare `encoding: gbk`"
//! or "re-save it as UTF-8". cxscore never *acts* on a guess — a file is read
//! only as declared — because a wrong guess would misread a file silently.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};

/// How many leading bytes are looked at: enough text for a confident guess,
/// small enough to cost nothing on a large export.
pub const SNIFF_BYTES: usize = 256 * 1024;

/// What a file's bytes most likely are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// UTF-8 (possibly with invalid bytes further on).
    Utf8,
    /// UTF-16: a UTF-16 byte order mark, or NUL bytes between ASCII letters.
    Utf16,
    /// GBK / GB18030, the Simplified Chinese Excel default.
    Gbk,
    /// An encoding cxscore does not read (its WHATWG name, e.g. `windows-1252`).
    Unsupported(&'static str),
}

impl Guess {
    /// The `encoding:` value to declare, when cxscore reads this encoding.
    pub fn declaration(self) -> Option<&'static str> {
        match self {
            Guess::Utf8 => Some("utf-8"),
            Guess::Utf16 => Some("utf-16"),
            Guess::Gbk => Some("gbk"),
            Guess::Unsupported(_) => None,
        }
    }
}

/// Reads up to [`SNIFF_BYTES`] of `path` and guesses its encoding.
pub fn sniff_file(path: &Path) -> io::Result<Guess> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    let complete = head.len() < SNIFF_BYTES;
    Ok(sniff(&head, complete))
}

/// Guesses the encoding of `bytes`; `complete` says whether they are the whole file.
pub fn sniff(bytes: &[u8], complete: bool) -> Guess {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || looks_utf16(bytes) {
        return Guess::Utf16;
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Guess::Utf8;
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, complete);
    let guess = detector.guess(None, Utf8Detection::Allow);
    if guess == encoding_rs::UTF_8 {
        Guess::Utf8
    } else if guess == encoding_rs::GBK || guess == encoding_rs::GB18030 {
        Guess::Gbk
    } else {
        Guess::Unsupported(guess.name())
    }
}

/// UTF-16 without a BOM: ASCII text has a NUL in every other byte.
fn looks_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    head.len() >= 4 && nuls * 4 >= head.len()
}

/// The hint for a file that is not in its declared encoding (`declared`,
/// e.g. `utf-8`), from what its bytes look like.
pub fn encoding_hint(dataset_id: &str, declared: &str, guess: Guess) -> String {
    match (guess.declaration(), guess) {
        // The whole file is in the declared encoding but this line is not:
        // damage or a file pasted together from two exports.
        (Some(name), _) if name == declared => format!(
            "the rest of the file looks like {}, but these bytes are not: the file may mix encodings or be damaged; export it again, or re-save it as UTF-8",
            display_name(guess)
        ),
        (Some("utf-8"), _) => format!(
            "the file looks like UTF-8; remove `encoding: {declared}` from dataset `{dataset_id}` (UTF-8 is the default)"
        ),
        (Some(name), _) => format!(
            "the file looks like {}; declare `encoding: {name}` on dataset `{dataset_id}` in cxscore.yaml, or re-save the file as UTF-8",
            display_name(guess)
        ),
        (None, _) if declared != "utf-8" => format!(
            "these bytes are not {declared}: the file may mix encodings or be damaged; export it again, or re-save it as UTF-8 and remove `encoding: {declared}` from dataset `{dataset_id}`"
        ),
        (None, Guess::Unsupported(name)) => format!(
            "the file looks like {name}, which cxscore does not read; re-save the file as UTF-8 (in Excel: Save As → CSV UTF-8), or declare its encoding on dataset `{dataset_id}` if it is gbk, gb18030 or utf-16"
        ),
        (None, _) => "re-save the file as UTF-8".to_string(),
    }
}

fn display_name(guess: Guess) -> &'static str {
    match guess {
        Guess::Utf8 => "UTF-8",
        Guess::Utf16 => "UTF-16",
        Guess::Gbk => "GBK (Chinese Excel)",
        Guess::Unsupported(name) => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "日期,渠道,评论\n2026-01-05,网上营业厅,安装师傅很专业，准时到达，速度也很快。\n2026-01-06,门店,价格不够透明，月底账单多了费用。\n";

    fn encode(enc: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
        enc.encode(text).0.into_owned()
    }

    #[test]
    fn chinese_excel_gbk_is_recognised() {
        let bytes = encode(encoding_rs::GBK, TEXT);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(sniff(&bytes, true), Guess::Gbk);
    }

    #[test]
    fn utf16_with_and_without_bom_is_recognised() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(TEXT.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&le, true), Guess::Utf16);
        let ascii: Vec<u8> = "date,channel\n2026-01-05,web\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff(&ascii, true), Guess::Utf16);
    }

    #[test]
    fn western_excel_is_named_but_not_offered() {
        let bytes = encode(
            encoding_rs::WINDOWS_1252,
            "name,comment\nRené,très déçu: la facture était fausse\nZoë,prêt à résilier\n",
        );
        let guess = sniff(&bytes, true);
        assert_eq!(guess, Guess::Unsupported("windows-1252"));
        assert!(encoding_hint("survey", "utf-8", guess).contains("re-save the file as UTF-8"));
    }

    #[test]
    fn the_hint_names_the_declaration_to_add() {
        let hint = encoding_hint("survey", "utf-8", Guess::Gbk);
        assert!(
            hint.contains("declare `encoding: gbk` on dataset `survey`"),
            "{hint}"
        );
        // Declared gbk but the bytes are not GBK: no point suggesting gbk again.
        let hint = encoding_hint("survey", "gbk", Guess::Gbk);
        assert!(!hint.contains("declare `encoding: gbk`"), "{hint}");
        assert!(hint.contains("may mix encodings"), "{hint}");
        let hint = encoding_hint("survey", "gbk", Guess::Unsupported("windows-1252"));
        assert!(hint.contains("may mix encodings"), "{hint}");
        let hint = encoding_hint("survey", "gbk", Guess::Utf8);
        assert!(hint.contains("remove `encoding: gbk`"), "{hint}");
    }
}
