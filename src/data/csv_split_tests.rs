//! The splitter against the csv crate's reader (configured as the CSV source
//! configures it for a piece: no header, flexible widths): the same records
//! and fields on fixed traps and on random text. Lines are compared with the
//! crate's where it gives the line a record starts on (`\n` line ends, no
//! blank line), and checked by hand elsewhere: after a `\r` or a blank line
//! the crate gives the line where the previous record ended.

use proptest::prelude::*;

use super::*;

/// Every record of `text` as the csv crate reads it: its line and fields.
fn by_csv(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).expect("UTF-8 text reads") {
        let line = record.position().expect("a position").line();
        out.push((line, record.iter().map(str::to_string).collect()));
    }
    out
}

/// Every record of `text` as [`Splitter`] reads it.
fn by_splitter(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
    let mut splitter = Splitter::new(text, delimiter);
    let mut record = SplitRecord::default();
    let mut out = Vec::new();
    while let Some(line) = splitter.next_record(&mut record) {
        let fields: Vec<String> = (0..record.len())
            .map(|i| record.field(text, i).expect("in range").to_string())
            .collect();
        assert_eq!(
            record.lengths().collect::<Vec<_>>(),
            fields.iter().map(String::len).collect::<Vec<_>>()
        );
        assert!(record.field(text, record.len()).is_none());
        // The shortcut by the record's raw length answers as the lengths do,
        // at each field's length and one byte less.
        let longest = fields.iter().map(String::len).max().unwrap_or(0);
        for limit in fields
            .iter()
            .flat_map(|f| [f.len(), f.len().saturating_sub(1)])
        {
            assert_eq!(record.longest_at_most(limit), longest <= limit, "{text:?}");
        }
        out.push((line, fields));
    }
    out
}

/// True when the csv crate's lines are the lines records start on.
fn plain_lines(text: &str) -> bool {
    !text.contains('\r') && !text.starts_with('\n') && !text.contains("\n\n")
}

fn agree(text: &str, delimiter: u8) {
    let (mine, theirs) = (by_splitter(text, delimiter), by_csv(text, delimiter));
    if plain_lines(text) {
        assert_eq!(mine, theirs, "{text:?}");
    } else {
        let fields = |v: Vec<(u64, Vec<String>)>| v.into_iter().map(|r| r.1).collect::<Vec<_>>();
        assert_eq!(fields(mine), fields(theirs), "{text:?}");
    }
}

#[test]
fn a_record_s_line_is_the_line_it_starts_on() {
    let lines = |text: &str| {
        by_splitter(text, b',')
            .into_iter()
            .map(|r| r.0)
            .collect::<Vec<_>>()
    };
    // Lines 1, 2 blank, 3 a lone `\r`, 4 `a,b`, 5 blank, 6 `c,d`.
    assert_eq!(lines("\n\n\r\na,b\r\n\r\nc,d\r\n"), [4, 6]);
    assert_eq!(lines("a\r\nb\r\nc"), [1, 2, 3]);
    // A quoted comment over three lines: the next record is on line 4.
    assert_eq!(lines("\"multi\nline\r\ncomment\",2\nnext,3\n"), [1, 4]);
    // `\r` alone ends a record but is not a new line.
    assert_eq!(lines("a\rb\nc"), [1, 1, 2]);
}

#[test]
fn fields_quotes_and_line_ends_as_the_csv_crate_reads_them() {
    for text in [
        "",
        "a",
        "a,b,c\n1,2,3\n",
        "a,b,\n,,\n",
        "a,b,",
        "\n\n\r\na,b\r\n\r\nc,d\r\n",
        "a\rb\rc",
        "\"quoted, with comma\",x\n",
        "\"multi\nline\r\ncomment\",2\nnext,3\n",
        "\"she said \"\"no\"\"\",1\n",
        "\"\"\"\",\"\"\n",
        "\"closed\"trailing,x\n",
        "\"closed\"trail\"ing\"\"\",x\n",
        "un\"quoted\",x\n",
        "  \"spaced\" ,x\n",
        "\"never closed,x\ny\n",
        "\"a\"\"b\" c,x",
        "中文,é,\"网络很慢\"\"真的\"\"\"\n🎉,x\n",
        "\"\"\n\"\"\n",
        ",\n,\n",
    ] {
        agree(text, b',');
    }
    agree("a;b;\"c;d\"\n\"x\"\"y\";z;\n", b';');
    agree("a\tb\t\"c\td\"\n", b'\t');
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Random text over the bytes that matter (delimiter, quote, both line
    /// ends, spaces) and multi-byte characters.
    #[test]
    fn random_text_reads_as_the_csv_crate_reads_it(
        text in "[a,;\"\r\n 中é🎉]{0,60}",
        semicolon in any::<bool>(),
    ) {
        let delimiter = if semicolon { b';' } else { b',' };
        agree(&text, delimiter);
    }
}

/// A record longer than the limit whose fields are not (the shortcut must
/// then look at them), one with a field over it, and a quoted field whose
/// doubled quotes make it shorter than as written.
#[test]
fn a_record_longer_than_a_field_may_be_is_looked_at_field_by_field() {
    let text = "aaaa,bbbb\naaaaa,b\n\"a\"\"\"\"\"\n";
    let mut splitter = Splitter::new(text, b',');
    let mut record = SplitRecord::default();
    splitter.next_record(&mut record);
    assert!(record.longest_at_most(4) && !record.longest_at_most(3));
    splitter.next_record(&mut record);
    assert!(!record.longest_at_most(4) && record.longest_at_most(5));
    splitter.next_record(&mut record);
    assert_eq!(record.field(text, 0), Some("a\"\""));
    assert!(record.longest_at_most(3) && !record.longest_at_most(2));
}
