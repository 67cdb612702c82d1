//! Converts a CSV file to Parquet for the benchmark (bench/run.py --parquet): the
//! same data, typed as a warehouse export would type it.
//!
//! `cargo run --release --example csv2parquet -- IN.csv OUT.parquet [ROWS_PER_GROUP]`
//!
//! A column whose non-blank values all parse as ISO dates becomes DATE, one whose
//! values all parse as numbers DOUBLE, any other UTF8; a blank field is a null.
//! Row groups of 262,144 rows by default, snappy-compressed.

use std::fs::File;
use std::sync::Arc;

use chrono::NaiveDate;
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    Number,
    Text,
}

fn date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let group_rows: usize = args.get(3).map_or(262_144, |g| g.parse().unwrap());
    // First pass: the kind of each column.
    let mut reader = csv::Reader::from_path(input).unwrap();
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut kinds = vec![Kind::Date; names.len()];
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).unwrap() {
        for (c, v) in record.iter().enumerate() {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            if kinds[c] == Kind::Date && date(v).is_none() {
                kinds[c] = Kind::Number;
            }
            if kinds[c] == Kind::Number && v.parse::<f64>().is_err() {
                kinds[c] = Kind::Text;
            }
        }
    }
    let fields: Vec<String> = (names.iter().zip(&kinds))
        .map(|(n, k)| match k {
            Kind::Date => format!("OPTIONAL INT32 {n} (DATE);"),
            Kind::Number => format!("OPTIONAL DOUBLE {n};"),
            Kind::Text => format!("OPTIONAL BYTE_ARRAY {n} (UTF8);"),
        })
        .collect();
    let schema =
        Arc::new(parse_message_type(&format!("message t {{ {} }}", fields.join(" "))).unwrap());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer =
        SerializedFileWriter::new(File::create(output).unwrap(), schema, Arc::new(props)).unwrap();
    // Second pass: the rows, a row group at a time.
    let mut reader = csv::Reader::from_path(input).unwrap();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut rows: Vec<csv::StringRecord> = Vec::with_capacity(group_rows);
    let mut done = false;
    while !done {
        rows.clear();
        while rows.len() < group_rows {
            let mut r = csv::StringRecord::new();
            if !reader.read_record(&mut r).unwrap() {
                done = true;
                break;
            }
            rows.push(r);
        }
        if rows.is_empty() {
            break;
        }
        let mut group = writer.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            let values: Vec<&str> = rows.iter().map(|r| r.get(c).unwrap_or("").trim()).collect();
            let defs: Vec<i16> = values.iter().map(|v| i16::from(!v.is_empty())).collect();
            let present = values.iter().filter(|v| !v.is_empty());
            match col.untyped() {
                ColumnWriter::Int32ColumnWriter(w) => {
                    let xs: Vec<i32> = present
                        .map(|v| (date(v).unwrap() - epoch).num_days() as i32)
                        .collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                ColumnWriter::DoubleColumnWriter(w) => {
                    let xs: Vec<f64> = present.map(|v| v.parse().unwrap()).collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                ColumnWriter::ByteArrayColumnWriter(w) => {
                    let xs: Vec<ByteArray> = present.map(|v| ByteArray::from(*v)).collect();
                    w.write_batch(&xs, Some(&defs), None).unwrap();
                }
                _ => unreachable!("only DATE, DOUBLE and UTF8 columns are written"),
            }
            col.close().unwrap();
            c += 1;
        }
        group.close().unwrap();
    }
    writer.close().unwrap();
}
