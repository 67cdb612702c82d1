//! Data stage: Apache Parquet files as a [`RecordSource`] (SPEC §12).
//!
//! Input: one `.parquet` file of a dataset. Output: its top-level column
//! names, then its rows as [`Row`]s, each value written as the text the same
//! data would hold in CSV ([`field_text`]), with line = row number + 1 (the
//! header counting as line 1, as in the CSV export). A file of several row
//! groups is read one row group per part, on every core, merged in file order.

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use parquet::basic::{ConvertedType, LogicalType, Type as PhysicalType};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType};
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::SchemaDescriptor;

use super::source::{
    cannot_read, Batch, ColumnBatch, DataFile, Header, Part, Record, RecordSource, Row, RowSink,
};
use crate::diag::{Diagnostics, Location};

/// Parquet files: a dataset whose `path` names `.parquet` files.
pub struct ParquetSource;

/// One row group of a file: its index, and the line of its first row.
pub struct RowGroup {
    index: usize,
    first_line: u64,
}

/// Opens a Parquet file's reader (its footer is read and checked).
fn open(path: &Path) -> Result<SerializedFileReader<File>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    SerializedFileReader::new(file).map_err(|e| format!("not a readable Parquet file: {e}"))
}

impl RecordSource for ParquetSource {
    type Part = RowGroup;
    type Parts = std::vec::IntoIter<Part<RowGroup>>;

    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let reader = match open(file.path) {
            Ok(r) => r,
            Err(e) => {
                diags.error_hint(
                    Location::file(file.file),
                    format!("cannot read data file: {e}"),
                    "export it again as Parquet; a CSV file must end in `.csv`",
                );
                return None;
            }
        };
        let schema = reader.metadata().file_metadata().schema_descr();
        let names: Vec<String> = (schema.root_schema().get_fields().iter())
            .map(|f| f.name().trim().to_string())
            .collect();
        if names.is_empty() {
            diags.error_hint(
                Location::file(file.file),
                format!(
                    "data file `{}` of dataset `{}` has no columns",
                    file.file.display(),
                    file.dataset.id
                ),
                "export the data again",
            );
            return None;
        }
        Some(names)
    }

    /// One part per row group, when there are at least two.
    fn parts(&self, file: &DataFile<'_>) -> Option<Result<Self::Parts, String>> {
        let reader = match open(file.path) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let groups = reader.metadata().row_groups();
        if groups.len() < 2 {
            return None;
        }
        let mut first_line = 2;
        let parts: Vec<_> = (groups.iter().enumerate())
            .map(|(index, g)| {
                let part = Part::Rows(RowGroup { index, first_line });
                first_line += g.num_rows().max(0) as u64;
                part
            })
            .collect();
        Some(Ok(parts.into_iter()))
    }

    fn read_part<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        part: RowGroup,
        batch: &mut Batch<S>,
    ) {
        match open(file.path) {
            Ok(reader) => read_group(&reader, part, file, header, batch),
            Err(e) => batch.stop(cannot_read(file.file, e)),
        }
    }

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        let reader = match open(file.path) {
            Ok(r) => r,
            Err(e) => return batch.stop(cannot_read(file.file, e)),
        };
        let mut first_line = 2;
        for (index, g) in reader.metadata().row_groups().iter().enumerate() {
            read_group(&reader, RowGroup { index, first_line }, file, header, batch);
            if batch.fatal.is_some() {
                return;
            }
            first_line += g.num_rows().max(0) as u64;
        }
    }
}

/// Reads one row group into `batch`, its rows numbered from `first_line`.
///
/// Only the columns the project reads are decoded (SPEC §12: the header's
/// [`Header::wanted_columns`], which the compute stage fills while it plans
/// the pass, before any row is read); the others are handed on blank, so a
/// row keeps the header's width. Column by column when every wanted column
/// is a plain one ([`plain_columns`]), else row by row with the record API
/// (on the wanted columns too).
fn read_group<S: RowSink>(
    reader: &SerializedFileReader<File>,
    group: RowGroup,
    file: &DataFile<'_>,
    header: &Header,
    batch: &mut Batch<S>,
) {
    let group_reader = match reader.get_row_group(group.index) {
        Ok(g) => g,
        Err(e) => return batch.stop(cannot_read(file.file, e)),
    };
    let schema = reader.metadata().file_metadata().schema_descr();
    let wanted: Vec<usize> = (header.wanted_columns().into_iter())
        .filter(|&c| c < schema.root_schema().get_fields().len())
        .collect();
    let width = header.names.len();
    if let Some(kinds) = plain_columns(schema, &wanted) {
        let rows = group_reader.metadata().num_rows().max(0) as usize;
        let read = read_columns(
            &*group_reader,
            &kinds,
            width,
            rows,
            &group,
            file,
            header,
            batch,
        );
        if let Err(e) = read {
            batch.stop(cannot_read(file.file, e));
        }
        return;
    }
    let root = schema.root_schema();
    let fields = root.get_fields();
    // The projection is the file's schema (its root's name) with the wanted fields only.
    let projection = parquet::schema::types::Type::group_type_builder(root.name())
        .with_fields(wanted.iter().map(|&c| fields[c].clone()).collect())
        .build();
    let rows = match projection.and_then(|p| group_reader.get_row_iter(Some(p))) {
        Ok(rows) => rows,
        Err(e) => return batch.stop(cannot_read(file.file, e)),
    };
    let mut record = Record::new();
    let mut text = String::new();
    for (i, row) in rows.enumerate() {
        let line = group.first_line + i as u64;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let at = Location::at(file.file, line as u32, 0);
                return batch.stop((at, format!("cannot read row: {e}"), None));
            }
        };
        record.clear();
        // The projected row holds the wanted columns, in header order.
        let mut values = wanted.iter().zip(row.get_column_iter()).peekable();
        for c in 0..width {
            text.clear();
            if let Some((_, (_, field))) = values.next_if(|(&w, _)| w == c) {
                field_text(field, &mut text);
            }
            record.push_field(&text);
        }
        batch.row(&Row::new(&record, line), header, file.dataset);
    }
}

/// A top-level, non-repeated column the column-wise path decodes itself.
#[derive(Clone, Copy)]
enum Plain {
    Bool,
    Int32,
    UInt32,
    Date,
    Int64,
    Float,
    Double,
    Text,
}

/// For each of the `wanted` top-level columns (header indices, ascending),
/// that index, its leaf column's index and its kind, when all are plain (a primitive field,
/// not repeated, of a common physical and logical type); `None` sends the
/// row group to the record API, which knows every type (decimals,
/// timestamps, nested values). Columns not wanted are never looked at.
fn plain_columns(
    schema: &SchemaDescriptor,
    wanted: &[usize],
) -> Option<Vec<(usize, usize, Plain)>> {
    let fields = schema.root_schema().get_fields();
    // The leaf of each top-level field that is one primitive column.
    let mut leaf_of = vec![None; fields.len()];
    for leaf in 0..schema.num_columns() {
        let root = schema.get_column_root_idx(leaf);
        if root < leaf_of.len() && fields[root].is_primitive() {
            leaf_of[root] = Some(leaf);
        }
    }
    (wanted.iter())
        .map(|&c| {
            let leaf = (*leaf_of.get(c)?)?;
            let col = schema.column(leaf);
            if col.max_rep_level() != 0 {
                return None;
            }
            let logical = col.logical_type_ref();
            let converted = col.converted_type();
            let int = |signed: bool| match logical {
                None => converted == ConvertedType::NONE,
                Some(LogicalType::Integer(int)) => int.is_signed == signed,
                _ => false,
            };
            let kind = match col.physical_type() {
                PhysicalType::BOOLEAN => Some(Plain::Bool),
                PhysicalType::INT32 if matches!(logical, Some(LogicalType::Date)) => {
                    Some(Plain::Date)
                }
                PhysicalType::INT32 if int(true) => Some(Plain::Int32),
                PhysicalType::INT32 if int(false) => Some(Plain::UInt32),
                PhysicalType::INT64 if int(true) => Some(Plain::Int64),
                PhysicalType::FLOAT if logical.is_none() => Some(Plain::Float),
                PhysicalType::DOUBLE if logical.is_none() => Some(Plain::Double),
                PhysicalType::BYTE_ARRAY
                    if matches!(
                        logical,
                        None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
                    ) && matches!(
                        converted,
                        ConvertedType::NONE
                            | ConvertedType::UTF8
                            | ConvertedType::ENUM
                            | ConvertedType::JSON
                    ) =>
                {
                    Some(Plain::Text)
                }
                _ => None,
            };
            Some((c, leaf, kind?))
        })
        .collect()
}

/// Rows decoded per column before they are handed on: bounded memory.
const COLUMN_BATCH: usize = 128;

/// Reads a row group's wanted plain columns (`kinds`: header index, leaf
/// column, kind): up to [`COLUMN_BATCH`] rows of each decoded into a reused
/// [`ColumnBatch`], then handed on row by row, `width` fields wide, the
/// columns not wanted blank.
#[allow(clippy::too_many_arguments)]
fn read_columns<S: RowSink>(
    group: &dyn RowGroupReader,
    kinds: &[(usize, usize, Plain)],
    width: usize,
    rows: usize,
    at: &RowGroup,
    file: &DataFile<'_>,
    header: &Header,
    batch: &mut Batch<S>,
) -> Result<(), String> {
    let mut columns: Vec<Column> = (kinds.iter())
        .map(|&(_, leaf, kind)| {
            let max_def = group.metadata().column(leaf).column_descr().max_def_level();
            let reader = group.get_column_reader(leaf).map_err(|e| e.to_string())?;
            Ok(Column {
                kind,
                max_def,
                reader,
                defs: Vec::new(),
                doubles: DoubleTexts::default(),
                values: Values::default(),
            })
        })
        .collect::<Result<_, String>>()?;
    let mut rows_of = ColumnBatch::new(width);
    let mut done = 0;
    while done < rows {
        let want = COLUMN_BATCH.min(rows - done);
        rows_of.start(want);
        for (column, &(c, _, _)) in columns.iter_mut().zip(kinds) {
            let got = column.fill(want, (&mut rows_of, c))?;
            if got != want {
                return Err(format!(
                    "a column holds {} rows where the row group says {}",
                    done + got,
                    rows
                ));
            }
        }
        for r in 0..want {
            let line = at.first_line + (done + r) as u64;
            batch.row(&Row::of_columns(&rows_of, r, line), header, file.dataset);
        }
        done += want;
    }
    Ok(())
}

/// One column of a row group being decoded, with its reused buffers.
struct Column {
    kind: Plain,
    max_def: i16,
    reader: ColumnReader,
    defs: Vec<i16>,
    /// The text of doubles seen lately (a weight column repeats a few values).
    doubles: DoubleTexts,
    /// The decoded values of a batch (reused: no allocation per batch).
    values: Values,
}

/// Reused buffers of one column's decoded values, by physical type (one is used), and a
/// text column's bytes and row ends.
#[derive(Default)]
struct Values {
    bools: Vec<bool>,
    i32s: Vec<i32>,
    i64s: Vec<i64>,
    f32s: Vec<f32>,
    f64s: Vec<f64>,
    arrays: Vec<ByteArray>,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Column {
    /// Decodes the next `want` rows into `into` (a batch, this column's header index);
    /// how many it found.
    fn fill(&mut self, want: usize, into: (&mut ColumnBatch, usize)) -> Result<usize, String> {
        let Column {
            kind,
            max_def,
            reader,
            defs,
            doubles,
            values,
        } = self;
        let (max_def, into) = (*max_def, (into.0, into.1, want));
        match (reader, *kind) {
            (ColumnReader::BoolColumnReader(r), _) => {
                let defs = (defs, &mut values.bools);
                fill(r, max_def, defs, into, |b: &bool, out| write!(out, "{b}"))
            }
            (ColumnReader::Int32ColumnReader(r), Plain::Date) => {
                // Rows of one day come together (files are written in date
                // order): the last day's text is reused, not recomputed.
                let mut last = (None, String::new());
                let defs = (defs, &mut values.i32s);
                fill(r, max_def, defs, into, |d: &i32, out| {
                    if last.0 != Some(*d) {
                        last.1.clear();
                        write_date(*d, &mut last.1);
                        last.0 = Some(*d);
                    }
                    out.push_str(&last.1);
                    Ok(())
                })
            }
            (ColumnReader::Int32ColumnReader(r), Plain::UInt32) => {
                let defs = (defs, &mut values.i32s);
                fill(r, max_def, defs, into, |x: &i32, out| {
                    push_integer(i64::from(*x as u32), out);
                    Ok(())
                })
            }
            (ColumnReader::Int32ColumnReader(r), _) => {
                let defs = (defs, &mut values.i32s);
                fill(r, max_def, defs, into, |x: &i32, out| {
                    push_integer(i64::from(*x), out);
                    Ok(())
                })
            }
            (ColumnReader::Int64ColumnReader(r), _) => {
                let defs = (defs, &mut values.i64s);
                fill(r, max_def, defs, into, |x: &i64, out| {
                    push_integer(*x, out);
                    Ok(())
                })
            }
            (ColumnReader::FloatColumnReader(r), _) => {
                let defs = (defs, &mut values.f32s);
                fill(r, max_def, defs, into, |x: &f32, out| write!(out, "{x}"))
            }
            (ColumnReader::DoubleColumnReader(r), _) => {
                let defs = (defs, &mut values.f64s);
                fill(r, max_def, defs, into, |x: &f64, out| {
                    doubles.write(*x, out);
                    Ok(())
                })
            }
            (ColumnReader::ByteArrayColumnReader(r), _) => {
                fill_utf8(r, max_def, (defs, values), into)
            }
            _ => Err("unexpected column type".into()),
        }
    }
}

/// Reads up to `want` records of one column into `values` (emptied first; present values
/// only) and `defs` (definition levels, left empty for a required column); how many records
/// were read.
fn read_records<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    defs: &mut Vec<i16>,
    values: &mut Vec<T::T>,
    want: usize,
) -> parquet::errors::Result<usize> {
    defs.clear();
    values.clear();
    let mut read = 0;
    // A page boundary may end a call early: call again until the batch is full or the column ends.
    while read < want {
        let (records, _, _) = reader.read_records(want - read, Some(defs), None, values)?;
        if records == 0 {
            break;
        }
        read += records;
    }
    Ok(read)
}

/// For each of `read` rows, its value among `values` (in order) or `None` for a null.
fn present<'v, V>(
    read: usize,
    max_def: i16,
    defs: &'v [i16],
    values: &'v [V],
) -> impl Iterator<Item = Option<&'v V>> + 'v {
    let mut next = values.iter();
    // Without definition levels (a required column) every row is present.
    let mut levels = defs.iter();
    (0..read).map(move |_| {
        let present = max_def == 0 || levels.next() == Some(&max_def);
        if present {
            next.next()
        } else {
            None
        }
    })
}

/// Reads up to `want` records of one column into field `column` of `batch`'s rows,
/// writing each value with `write` and each null as a blank; how many records were read.
fn fill<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    max_def: i16,
    (defs, values): (&mut Vec<i16>, &mut Vec<T::T>),
    (batch, column, want): (&mut ColumnBatch, usize, usize),
    mut write: impl FnMut(&T::T, &mut String) -> std::fmt::Result,
) -> Result<usize, String> {
    let read = read_records(reader, defs, values, want).map_err(|e| e.to_string())?;
    for (row, value) in present(read, max_def, defs, values).enumerate() {
        if let Some(v) = value {
            let start = batch.mark();
            let _ = write(v, batch.text_mut());
            batch.end_value(row, column, start)?;
        }
    }
    Ok(read)
}

/// [`fill`] for a text column: the batch's bytes are checked as UTF-8 once, not value by
/// value (each value valid and ending on a character boundary is the same as the whole
/// valid with every row's end on a boundary); a batch with invalid bytes is written again
/// value by value, each invalid sequence replaced by U+FFFD.
fn fill_utf8(
    reader: &mut ColumnReaderImpl<parquet::data_type::ByteArrayType>,
    max_def: i16,
    (defs, buffers): (&mut Vec<i16>, &mut Values),
    (batch, column, want): (&mut ColumnBatch, usize, usize),
) -> Result<usize, String> {
    let Values {
        arrays: values,
        bytes,
        ends,
        ..
    } = buffers;
    let read = read_records(reader, defs, values, want).map_err(|e| e.to_string())?;
    bytes.clear();
    ends.clear();
    for value in present(read, max_def, defs, values) {
        if let Some(v) = value {
            bytes.extend_from_slice(v.data());
        }
        ends.push(bytes.len());
    }
    match std::str::from_utf8(bytes) {
        Ok(all) if ends.iter().all(|&e| all.is_char_boundary(e)) => {
            let base = batch.mark();
            batch.text_mut().push_str(all);
            let mut start = 0;
            for (row, &end) in ends.iter().enumerate() {
                if end > start {
                    batch.end_span(row, column, base + start, base + end)?;
                }
                start = end;
            }
        }
        _ => {
            for (row, value) in present(read, max_def, defs, values).enumerate() {
                if let Some(v) = value {
                    let start = batch.mark();
                    batch
                        .text_mut()
                        .push_str(&String::from_utf8_lossy(v.data()));
                    batch.end_value(row, column, start)?;
                }
            }
        }
    }
    Ok(read)
}

/// The text of the doubles a column held lately, by their bits: a survey's non-integral
/// numbers (weights, shares) take few distinct values (the benchmark's weight column about
/// 450), each formatted once, not per row. Direct-mapped: a slot holds the last double whose
/// bits hash to it, its text inline (a text longer than a slot is formatted every time).
struct DoubleTexts {
    slots: Vec<DoubleText>,
}

/// One slot of [`DoubleTexts`]: a double's bits and its text (`len` 0: empty slot).
#[derive(Clone, Copy)]
struct DoubleText {
    bits: u64,
    len: u8,
    text: [u8; 23],
}

impl Default for DoubleTexts {
    fn default() -> Self {
        let empty = DoubleText {
            bits: 0,
            len: 0,
            text: [0; 23],
        };
        DoubleTexts {
            slots: vec![empty; 1 << DoubleTexts::SLOT_BITS],
        }
    }
}

impl DoubleTexts {
    /// 1,024 slots of 32 bytes.
    const SLOT_BITS: u32 = 10;

    /// Appends `x` as [`write_double`] writes it.
    #[inline]
    fn write(&mut self, x: f64, out: &mut String) {
        if let Some(i) = whole(x) {
            // Whole numbers (scores) are written faster than looked up.
            return push_integer(i, out);
        }
        let bits = x.to_bits();
        let hash = bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::SLOT_BITS);
        let slot = &mut self.slots[hash as usize];
        if slot.len > 0 && slot.bits == bits {
            if let Ok(text) = std::str::from_utf8(&slot.text[..usize::from(slot.len)]) {
                return out.push_str(text);
            }
        }
        let start = out.len();
        // Not whole (above): `Display` directly, as `write_double` would.
        let _ = write!(out, "{x}");
        let text = &out.as_bytes()[start..];
        if let Ok(len) = u8::try_from(text.len()) {
            if usize::from(len) <= slot.text.len() {
                slot.bits = bits;
                slot.len = len;
                slot.text[..text.len()].copy_from_slice(text);
            }
        }
    }
}

/// Writes a Parquet value as the text its CSV export would hold
/// (docs/reference.md, "Data formats"): null as a blank cell; numbers in
/// Rust's shortest round-trip form; booleans `true`/`false`; dates ISO 8601;
/// timestamps ISO 8601 in UTC (`2025-03-14T09:30:00`); decimals exactly;
/// nested values (lists, maps, structs) as their Parquet display, which no
/// numeric column accepts.
pub fn field_text(field: &Field, out: &mut String) {
    let _ = match field {
        Field::Null => Ok(()),
        Field::Bool(b) => write!(out, "{b}"),
        Field::Byte(x) => write!(out, "{x}"),
        Field::Short(x) => write!(out, "{x}"),
        Field::Int(x) => write!(out, "{x}"),
        Field::Long(x) => write!(out, "{x}"),
        Field::UByte(x) => write!(out, "{x}"),
        Field::UShort(x) => write!(out, "{x}"),
        Field::UInt(x) => write!(out, "{x}"),
        Field::ULong(x) => write!(out, "{x}"),
        Field::Float16(x) => write!(out, "{x}"),
        Field::Float(x) => write!(out, "{x}"),
        Field::Double(x) => {
            write_double(*x, out);
            Ok(())
        }
        Field::Str(s) => {
            out.push_str(s);
            Ok(())
        }
        Field::Bytes(b) => {
            out.push_str(&String::from_utf8_lossy(b.data()));
            Ok(())
        }
        Field::Date(days) => {
            write_date(*days, out);
            Ok(())
        }
        Field::TimestampMillis(ms) => timestamp(chrono::DateTime::from_timestamp_millis(*ms), out),
        Field::TimestampMicros(us) => timestamp(chrono::DateTime::from_timestamp_micros(*us), out),
        other => write!(out, "{other}"),
    };
}

/// Appends `x` in decimal, as `Display` writes it, without the formatting
/// machinery (most values are small scores: one digit).
fn push_integer(x: i64, out: &mut String) {
    if (0..10).contains(&x) {
        out.push(char::from(b'0' + x as u8));
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = x.unsigned_abs();
    while n > 0 || at == digits.len() {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    if x < 0 {
        out.push('-');
    }
    // ASCII digits only.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Writes a double as Rust's `Display` does (the shortest form that reads back the same, never
/// an exponent). A whole number below 2^53 (a survey's scores and counts, most of a file)
/// goes through the integer formatter, which prints the same digits several times faster:
/// float formatting was the Parquet source's largest cost per row.
fn write_double(x: f64, out: &mut String) {
    match whole(x) {
        Some(i) => push_integer(i, out),
        None => {
            let _ = write!(out, "{x}");
        }
    }
}

/// `x` as an integer when it is a whole number below 2^53 in magnitude, not -0 (whose
/// `Display` is `-0`). By a cast and back, not `f64::fract`: a call to libm's `trunc` per
/// value was a tenth of the column decoding's time.
#[inline]
fn whole(x: f64) -> Option<i64> {
    const EXACT: u64 = 1 << 53;
    // The cast saturates (NaN gives 0): only a whole number in range casts back equal.
    let i = x as i64;
    (i as f64 == x && i.unsigned_abs() < EXACT && !(i == 0 && x.is_sign_negative())).then_some(i)
}

/// Writes a DATE (days since 1970-01-01) as ISO 8601 (`2024-03-15`), digit by digit for
/// years 0–9999 (chrono's format string is parsed on every call: slow on every row); any
/// other day as chrono writes it, or the day number when it is out of chrono's range.
fn write_date(days: i32, out: &mut String) {
    use chrono::Datelike as _;
    let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(days))));
    match date {
        Some(d) if (0..=9999).contains(&d.year()) => {
            let (y, m, day) = (d.year() as u32, d.month(), d.day());
            let digit = |n: u32| char::from(b'0' + n as u8);
            for c in [
                digit(y / 1000),
                digit(y / 100 % 10),
                digit(y / 10 % 10),
                digit(y % 10),
                '-',
                digit(m / 10),
                digit(m % 10),
                '-',
                digit(day / 10),
                digit(day % 10),
            ] {
                out.push(c);
            }
        }
        Some(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        None => {
            let _ = write!(out, "{days}");
        }
    }
}

/// A timestamp as ISO 8601 in UTC, seconds or finer when it has them.
fn timestamp(at: Option<chrono::DateTime<chrono::Utc>>, out: &mut String) -> std::fmt::Result {
    match at {
        Some(at) => write!(out, "{}", at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f")),
        None => write!(out, "?"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::source::{RowProblem, MAX_FIELD_BYTES};
    use crate::project::model::Dataset;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    /// Every row's fields, as the compute stage would see them.
    #[derive(Default)]
    struct Rows(Vec<(u64, Vec<String>)>);

    impl RowSink for Rows {
        fn row(&mut self, row: &Row<'_>, _: &mut Vec<RowProblem>) {
            let fields = (0..row.field_count()).map(|i| row.text(i).to_string());
            self.0.push((row.line, fields.collect()));
        }
    }

    const SCHEMA: &str =
        "message t { OPTIONAL DOUBLE x; REQUIRED INT32 n; OPTIONAL BYTE_ARRAY s (UTF8); }";

    /// Reads the file at `path`, whose columns are `names`, into a batch, the project having
    /// looked up the columns `wanted` (as planning a pass does).
    fn read(path: &Path, names: &[&str], wanted: &[&str]) -> Batch<Rows> {
        let at = Location::at("cxscore.yaml", 3, 3);
        let dataset = Dataset::plain("t", vec![path.to_path_buf()], at);
        let file = DataFile {
            path,
            file: Path::new("data/t.parquet"),
            dataset: &dataset,
        };
        let header = Header {
            names: names.iter().map(|n| n.to_string()).collect(),
            file: "data/t.parquet".into(),
            wanted: Default::default(),
        };
        for w in wanted {
            assert!(header.index(w).is_some(), "{w}");
        }
        let mut batch = Batch::new(Rows::default());
        ParquetSource.read_all(&file, &header, &mut batch);
        batch
    }

    #[test]
    fn plain_columns_take_the_column_path_and_others_the_record_api() {
        let schema = SchemaDescriptor::new(Arc::new(parse_message_type(SCHEMA).unwrap()));
        assert!(plain_columns(&schema, &[0, 1, 2]).is_some());
        let ts = "message t { OPTIONAL DOUBLE x; OPTIONAL INT64 t (TIMESTAMP(MILLIS,true)); }";
        let schema = SchemaDescriptor::new(Arc::new(parse_message_type(ts).unwrap()));
        assert!(plain_columns(&schema, &[0, 1]).is_none());
        // A timestamp the project does not read keeps the column path.
        assert_eq!(plain_columns(&schema, &[0]).map(|k| k.len()), Some(1));
        // A nested column before a wanted one: leaf and header indices differ.
        let nested = "message t { OPTIONAL group g { OPTIONAL INT32 a; OPTIONAL INT32 b; } OPTIONAL DOUBLE x; }";
        let schema = SchemaDescriptor::new(Arc::new(parse_message_type(nested).unwrap()));
        assert!(plain_columns(&schema, &[0, 1]).is_none());
        assert!(matches!(
            plain_columns(&schema, &[1]).as_deref(),
            Some([(1, 2, Plain::Double)])
        ));
    }

    /// A file of `rows` rows: `score` (a number), `note` (text longer than a cell holds,
    /// a data error wherever it is read) and `at` (a timestamp, which only the record API
    /// reads), in `groups` row groups.
    fn unread_columns_file(path: &Path, rows: usize, groups: usize) {
        let schema = "message t { OPTIONAL DOUBLE score; OPTIONAL BYTE_ARRAY note (UTF8); \
                      OPTIONAL INT64 at (TIMESTAMP(MILLIS,true)); }";
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let props = Arc::new(WriterProperties::builder().build());
        let mut w = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
        let long = "x".repeat(MAX_FIELD_BYTES + 1);
        for _ in 0..groups {
            let mut group = w.next_row_group().unwrap();
            let defs = vec![1i16; rows];
            while let Some(mut col) = group.next_column().unwrap() {
                use parquet::column::writer::ColumnWriter as W;
                match col.untyped() {
                    W::DoubleColumnWriter(w) => {
                        let xs: Vec<f64> = (0..rows).map(|i| i as f64).collect();
                        w.write_batch(&xs, Some(&defs), None).unwrap();
                    }
                    W::ByteArrayColumnWriter(w) => {
                        let xs = vec![ByteArray::from(long.as_str()); rows];
                        w.write_batch(&xs, Some(&defs), None).unwrap();
                    }
                    W::Int64ColumnWriter(w) => {
                        // 2024-03-15T12:30:00Z
                        let xs = vec![1_710_505_800_000i64; rows];
                        w.write_batch(&xs, Some(&defs), None).unwrap();
                    }
                    _ => unreachable!(),
                }
                col.close().unwrap();
            }
            group.close().unwrap();
        }
        w.close().unwrap();
    }

    #[test]
    fn only_the_columns_the_project_looked_up_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        unread_columns_file(&path, 5, 2);
        let names = ["score", "note", "at"];
        let numbered = |batch: &Batch<Rows>| -> Vec<(u64, String)> {
            (batch.sink.0.iter())
                .map(|(line, f)| (*line, f[0].clone()))
                .collect()
        };
        let expected: Vec<(u64, String)> = (0..10).map(|r| (r + 2, (r % 5).to_string())).collect();

        // Read, the over-long note is a data error on every row: the test can fail.
        let all = read(&path, &names, &names);
        assert!(all.fatal.is_none(), "{:?}", all.fatal);
        assert_eq!(all.log.rows, 10);
        assert_eq!(all.log.bad.len(), 10);
        assert!(
            all.log.bad[0].1[0].message.contains("`note`"),
            "{:?}",
            all.log.bad
        );

        // Only `score` looked up (the column path): the note and the timestamp are blank,
        // and no row is bad.
        let score = read(&path, &names, &["score"]);
        assert!(score.fatal.is_none());
        assert!(score.log.bad.is_empty(), "{:?}", score.log.bad);
        assert_eq!(numbered(&score), expected);
        assert!(
            (score.sink.0.iter()).all(|(_, f)| f.len() == 3 && f[1].is_empty() && f[2].is_empty())
        );

        // `score` and `at` (the record API, projected): the note is still blank.
        let timed = read(&path, &names, &["score", "at"]);
        assert!(timed.fatal.is_none());
        assert!(timed.log.bad.is_empty(), "{:?}", timed.log.bad);
        assert_eq!(numbered(&timed), expected);
        assert!(
            (timed.sink.0.iter()).all(|(_, f)| f[1].is_empty() && f[2] == "2024-03-15T12:30:00")
        );

        // Nothing looked up: every row still counted, every field blank.
        let none = read(&path, &names, &[]);
        assert_eq!(none.log.rows, 10);
        assert!((none.sink.0.iter()).all(|(_, f)| f.iter().all(String::is_empty)));
    }

    #[test]
    fn many_pages_and_batches_of_columns_give_every_row_in_order() {
        // 10,000 rows (three column batches) in small pages; x is null on every 7th row.
        let rows = 10_000usize;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let props = WriterProperties::builder()
            .set_data_page_row_count_limit(333)
            .set_write_batch_size(100)
            .build();
        let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
        let mut w =
            SerializedFileWriter::new(File::create(&path).unwrap(), schema, Arc::new(props))
                .unwrap();
        let mut group = w.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            use parquet::column::writer::ColumnWriter as W;
            match col.untyped() {
                W::DoubleColumnWriter(w) => {
                    let defs: Vec<i16> = (0..rows).map(|i| i16::from(i % 7 != 0)).collect();
                    let xs: Vec<f64> = (0..rows)
                        .filter(|i| i % 7 != 0)
                        .map(|i| i as f64 / 4.0)
                        .collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                W::Int32ColumnWriter(w) => {
                    let xs: Vec<i32> = (0..rows as i32).map(|i| -i).collect();
                    w.write_batch(&xs, None, None).unwrap();
                }
                W::ByteArrayColumnWriter(w) => {
                    let xs: Vec<ByteArray> = (0..rows)
                        .map(|i| ByteArray::from(format!("s{i}").as_str()))
                        .collect();
                    let defs = vec![1i16; rows];
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                _ => unreachable!(),
            }
            col.close().unwrap();
            c += 1;
        }
        assert_eq!(c, 3);
        group.close().unwrap();
        w.close().unwrap();

        let batch = read(&path, &["x", "n", "s"], &["x", "n", "s"]);
        assert!(batch.fatal.is_none());
        let seen = batch.sink.0;
        assert_eq!(seen.len(), rows);
        for (i, (line, fields)) in seen.iter().enumerate() {
            assert_eq!(*line, i as u64 + 2);
            // i / 4 written by hand: quarters are exact in binary, shortest form.
            let x = if i % 7 == 0 {
                String::new()
            } else {
                match i % 4 {
                    0 => format!("{}", i / 4),
                    2 => format!("{}.5", i / 4),
                    1 => format!("{}.25", i / 4),
                    _ => format!("{}.75", i / 4),
                }
            };
            assert_eq!(
                fields,
                &[
                    x,
                    format!("-{i}").replace("-0", "0").to_string(),
                    format!("s{i}")
                ][..],
                "row {i}"
            );
        }
    }

    /// Text columns are checked as UTF-8 per batch: a batch with invalid bytes, or whose
    /// values are only valid together (a character split across two rows), gives each value
    /// as `String::from_utf8_lossy` gives it alone, and the batches around it are unchanged.
    #[test]
    fn text_values_are_checked_as_utf8_one_by_one_whatever_the_batch() {
        let rows = 3 * COLUMN_BATCH;
        // Row i: null every 5th; "中" (E4 B8 AD) split over rows 131 and 132; 0xFF in row 302.
        let value = |i: usize| -> Option<Vec<u8>> {
            match i {
                _ if i.is_multiple_of(5) => None,
                131 => Some(vec![b'a', 0xE4, 0xB8]),
                132 => Some(vec![0xAD, b'b']),
                302 => Some(vec![b'x', 0xFF, b'y']),
                _ => Some(format!("v{i} 中文 🙂").into_bytes()),
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let schema =
            Arc::new(parse_message_type("message t { OPTIONAL BYTE_ARRAY s (UTF8); }").unwrap());
        let mut w =
            SerializedFileWriter::new(File::create(&path).unwrap(), schema, Default::default())
                .unwrap();
        let mut group = w.next_row_group().unwrap();
        let mut col = group.next_column().unwrap().unwrap();
        let values: Vec<ByteArray> = (0..rows).filter_map(value).map(ByteArray::from).collect();
        let defs: Vec<i16> = (0..rows).map(|i| i16::from(value(i).is_some())).collect();
        col.typed::<parquet::data_type::ByteArrayType>()
            .write_batch(&values, Some(&defs), None)
            .unwrap();
        col.close().unwrap();
        group.close().unwrap();
        w.close().unwrap();

        let batch = read(&path, &["s"], &["s"]);
        assert!(batch.fatal.is_none());
        let seen = batch.sink.0;
        assert_eq!(seen.len(), rows);
        for (i, (_, fields)) in seen.iter().enumerate() {
            let expected = value(i).map_or(String::new(), |v| String::from_utf8_lossy(&v).into());
            assert_eq!(fields, &[expected], "row {i}");
        }
        assert_eq!(seen[131].1, ["a\u{FFFD}"]);
        assert_eq!(seen[132].1, ["\u{FFFD}b"]);
        assert_eq!(seen[302].1, ["x\u{FFFD}y"]);
    }

    /// The memo of doubles' texts writes what formatting each would: values repeated (hits),
    /// more distinct values than slots (evictions), texts too long for a slot, specials.
    #[test]
    fn remembered_doubles_are_written_as_display_writes_them() {
        let mut memo = DoubleTexts::default();
        let mut xs: Vec<f64> = (0..5000).map(|i| f64::from(i) / 100.0 + 0.005).collect();
        xs.extend([
            0.1,
            -0.87,
            1e-300,
            -1.5e-7,
            f64::NAN,
            f64::INFINITY,
            5e-324,
            0.5,
        ]);
        for round in 0..3 {
            for &x in &xs {
                let mut s = String::from("≠");
                memo.write(x, &mut s);
                assert_eq!(s, format!("≠{x}"), "{x:?}, round {round}");
            }
        }
    }

    fn text(f: Field) -> String {
        let mut s = String::new();
        field_text(&f, &mut s);
        s
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        let mut values = vec![
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            -1,
            -9,
            -10,
            1234567,
            i64::MAX,
            i64::MIN,
        ];
        values.extend((0..2000).map(|i| i * 7919 - 5_000_000));
        for x in values {
            let mut out = String::from("prefix");
            push_integer(x, &mut out);
            assert_eq!(out, format!("prefix{x}"));
        }
    }

    #[test]
    fn doubles_and_dates_are_written_as_display_and_chrono_write_them() {
        let xs = [
            0.0,
            -0.0,
            1.0,
            -7.0,
            9.0,
            10.0,
            0.1,
            0.87,
            -2.5,
            1e15,
            1e16,
            123456789.0,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            -9_007_199_254_740_992.0,
            // i64::MIN and past it: the cast saturates.
            -9_223_372_036_854_775_808.0,
            9_223_372_036_854_775_808.0,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for x in xs {
            let mut s = String::new();
            write_double(x, &mut s);
            assert_eq!(s, format!("{x}"), "{x:?}");
        }
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for days in [
            i32::MIN,
            -719_529,
            -719_528,
            -1,
            0,
            1,
            19_797,
            2_932_896,
            2_932_897,
            i32::MAX,
        ] {
            let mut s = String::new();
            write_date(days, &mut s);
            let expected = epoch
                .checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
                .map_or(days.to_string(), |d| d.format("%Y-%m-%d").to_string());
            assert_eq!(s, expected, "{days}");
        }
    }

    #[test]
    fn values_are_written_as_their_csv_export() {
        assert_eq!(text(Field::Null), "");
        assert_eq!(text(Field::Double(9.0)), "9");
        assert_eq!(text(Field::Double(0.1)), "0.1");
        assert_eq!(text(Field::Float(0.1)), "0.1");
        assert_eq!(text(Field::Long(-7)), "-7");
        assert_eq!(text(Field::Bool(true)), "true");
        assert_eq!(text(Field::Str("Détente".into())), "Détente");
        // 19797 days after 1970-01-01 is 2024-03-15.
        assert_eq!(text(Field::Date(19797)), "2024-03-15");
        // 2024-03-15T12:30:00Z is 1710505800 s after the epoch.
        assert_eq!(
            text(Field::TimestampMillis(1_710_505_800_000)),
            "2024-03-15T12:30:00"
        );
    }
}
