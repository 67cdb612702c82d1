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
    cannot_read, Batch, DataFile, Header, Part, Record, RecordSource, Row, RowSink,
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

/// Reads one row group into `batch`, its rows numbered from `first_line`:
/// column by column when every column is a plain one ([`plain_columns`]),
/// else row by row with the record API.
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
    if let Some(kinds) = plain_columns(schema) {
        let rows = group_reader.metadata().num_rows().max(0) as usize;
        if let Err(e) = read_columns(&*group_reader, &kinds, rows, &group, file, header, batch) {
            batch.stop(cannot_read(file.file, e));
        }
        return;
    }
    let rows = match group_reader.get_row_iter(None) {
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
        for (_, field) in row.get_column_iter() {
            text.clear();
            field_text(field, &mut text);
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

/// The kinds of every column when all are plain (flat schema, common
/// physical and logical types); `None` sends the file to the record API,
/// which knows every type (decimals, timestamps, nested values).
fn plain_columns(schema: &SchemaDescriptor) -> Option<Vec<Plain>> {
    if schema.num_columns() != schema.root_schema().get_fields().len() {
        return None; // nested columns
    }
    (0..schema.num_columns())
        .map(|i| {
            let col = schema.column(i);
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
            match col.physical_type() {
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
            }
        })
        .collect()
}

/// Rows decoded per column before they are handed on: bounded memory.
const COLUMN_BATCH: usize = 4096;

/// Reads a row group of plain columns: up to [`COLUMN_BATCH`] rows of each
/// column decoded into reused text buffers, then handed on row by row.
fn read_columns<S: RowSink>(
    group: &dyn RowGroupReader,
    kinds: &[Plain],
    rows: usize,
    at: &RowGroup,
    file: &DataFile<'_>,
    header: &Header,
    batch: &mut Batch<S>,
) -> Result<(), String> {
    let mut columns: Vec<Column> = (kinds.iter().enumerate())
        .map(|(i, &kind)| {
            let max_def = group.metadata().column(i).column_descr().max_def_level();
            let reader = group.get_column_reader(i).map_err(|e| e.to_string())?;
            Ok(Column {
                kind,
                max_def,
                reader,
                defs: Vec::new(),
                texts: vec![String::new(); COLUMN_BATCH],
            })
        })
        .collect::<Result<_, String>>()?;
    let mut record = Record::new();
    let mut done = 0;
    while done < rows {
        let want = COLUMN_BATCH.min(rows - done);
        for column in &mut columns {
            let got = column.fill(want).map_err(|e| e.to_string())?;
            if got != want {
                return Err(format!(
                    "a column holds {} rows where the row group says {}",
                    done + got,
                    rows
                ));
            }
        }
        for r in 0..want {
            record.clear();
            for column in &columns {
                record.push_field(&column.texts[r]);
            }
            let line = at.first_line + (done + r) as u64;
            batch.row(&Row::new(&record, line), header, file.dataset);
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
    /// The text of each row of the current batch.
    texts: Vec<String>,
}

impl Column {
    /// Decodes the next `want` rows into `texts`; how many it found.
    fn fill(&mut self, want: usize) -> parquet::errors::Result<usize> {
        let (max_def, defs, texts) = (self.max_def, &mut self.defs, &mut self.texts[..want]);
        match (&mut self.reader, self.kind) {
            (ColumnReader::BoolColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |b: &bool, out| write!(out, "{b}"))
            }
            (ColumnReader::Int32ColumnReader(r), Plain::Date) => {
                fill(r, max_def, defs, texts, |d: &i32, out| {
                    field_text(&Field::Date(*d), out);
                    Ok(())
                })
            }
            (ColumnReader::Int32ColumnReader(r), Plain::UInt32) => {
                fill(r, max_def, defs, texts, |x: &i32, out| {
                    write!(out, "{}", *x as u32)
                })
            }
            (ColumnReader::Int32ColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |x: &i32, out| write!(out, "{x}"))
            }
            (ColumnReader::Int64ColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |x: &i64, out| write!(out, "{x}"))
            }
            (ColumnReader::FloatColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |x: &f32, out| write!(out, "{x}"))
            }
            (ColumnReader::DoubleColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |x: &f64, out| write!(out, "{x}"))
            }
            (ColumnReader::ByteArrayColumnReader(r), _) => {
                fill(r, max_def, defs, texts, |b: &ByteArray, out| {
                    out.push_str(&String::from_utf8_lossy(b.data()));
                    Ok(())
                })
            }
            _ => Err(parquet::errors::ParquetError::General(
                "unexpected column type".into(),
            )),
        }
    }
}

/// Reads up to `texts.len()` records of one column, writing each value with
/// `write` and each null as a blank; how many records were read.
fn fill<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    max_def: i16,
    defs: &mut Vec<i16>,
    texts: &mut [String],
    write: impl Fn(&T::T, &mut String) -> std::fmt::Result,
) -> parquet::errors::Result<usize> {
    let mut values: Vec<T::T> = Vec::with_capacity(texts.len());
    defs.clear();
    let mut read = 0;
    // A page boundary may end a call early: call again until the batch is full or the column ends.
    while read < texts.len() {
        let (records, _, _) =
            reader.read_records(texts.len() - read, Some(defs), None, &mut values)?;
        if records == 0 {
            break;
        }
        read += records;
    }
    let mut next = values.iter();
    for (i, text) in texts[..read].iter_mut().enumerate() {
        text.clear();
        let present = max_def == 0 || defs[i] == max_def;
        if present {
            if let Some(v) = next.next() {
                let _ = write(v, text);
            }
        }
    }
    Ok(read)
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
        Field::Double(x) => write!(out, "{x}"),
        Field::Str(s) => {
            out.push_str(s);
            Ok(())
        }
        Field::Bytes(b) => {
            out.push_str(&String::from_utf8_lossy(b.data()));
            Ok(())
        }
        Field::Date(days) => {
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(*days))));
            match date {
                Some(d) => write!(out, "{}", d.format("%Y-%m-%d")),
                None => write!(out, "{days}"),
            }
        }
        Field::TimestampMillis(ms) => timestamp(chrono::DateTime::from_timestamp_millis(*ms), out),
        Field::TimestampMicros(us) => timestamp(chrono::DateTime::from_timestamp_micros(*us), out),
        other => write!(out, "{other}"),
    };
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
    use crate::data::source::RowProblem;
    use crate::project::model::{BadRows, Dataset, Encoding};
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

    #[test]
    fn plain_columns_take_the_column_path_and_others_the_record_api() {
        let schema = SchemaDescriptor::new(Arc::new(parse_message_type(SCHEMA).unwrap()));
        assert!(plain_columns(&schema).is_some());
        let ts = "message t { OPTIONAL INT64 t (TIMESTAMP(MILLIS,true)); }";
        let schema = SchemaDescriptor::new(Arc::new(parse_message_type(ts).unwrap()));
        assert!(plain_columns(&schema).is_none());
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

        let dataset = Dataset {
            id: "t".into(),
            files: vec![path.clone()],
            location: Location::at("cxscore.yaml", 3, 3),
            date: None,
            weight: None,
            segments: Vec::new(),
            comments: None,
            pii: Vec::new(),
            encoding: Encoding::Utf8,
            delimiter: b',',
            bad_rows: BadRows::Fail,
            rake: None,
            workbook: Default::default(),
            sql: None,
            bands: Vec::new(),
            key: None,
            lookup: None,
        };
        let file = DataFile {
            path: &path,
            file: Path::new("data/t.parquet"),
            dataset: &dataset,
        };
        let header = Header {
            names: vec!["x".into(), "n".into(), "s".into()],
            file: "data/t.parquet".into(),
            wanted: Default::default(),
        };
        let mut batch = Batch::new(Rows::default());
        ParquetSource.read_all(&file, &header, &mut batch);
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

    fn text(f: Field) -> String {
        let mut s = String::new();
        field_text(&f, &mut s);
        s
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
