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

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

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

/// Reads one row group into `batch`, its rows numbered from `first_line`.
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
