//! Data stage: Excel and OpenDocument workbooks as a [`RecordSource`] (SPEC §12).
//!
//! Input: one workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`) of a dataset, its
//! `sheet:` (default the first) and `header_row:` (default 1). Output: the
//! names in the header row, then every non-blank row below it as a [`Row`]
//! whose line is the spreadsheet's row number, each cell written as the text
//! the same data would hold in CSV ([`cell_text`]): so the compute stage, and
//! `metrics.json`, cannot tell a workbook from its CSV export.
//!
//! The sheet is read once, in one pass (calamine holds its cells, once); a
//! workbook is not cut into parts.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{open_workbook_auto, Data, ExcelDateTime, ExcelDateTimeType, Range, Reader, Sheets};

use super::source::{
    cannot_read, Batch, DataFile, Header, Part, Record, RecordSource, Row, RowSink,
};
use crate::diag::{did_you_mean, Diagnostics, Location};
use crate::project::model::Dataset;

/// The extensions read as workbooks.
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Workbooks: a dataset whose `path` names `.xlsx`, `.xlsm`, `.xls` or `.ods` files.
pub struct WorkbookSource;

/// Why a workbook or its sheet cannot be read, and a hint when there is one.
type Why = (String, Option<String>);

/// Opens `path` and names the dataset's sheet (`sheet:`, else the first).
fn open_book(path: &Path, dataset: &Dataset) -> Result<(Sheets<BufReader<File>>, String), Why> {
    let book =
        open_workbook_auto(path).map_err(|e| (format!("cannot read workbook: {e}"), None))?;
    let names = book.sheet_names();
    let name = match &dataset.workbook.sheet {
        Some(wanted) => {
            if !names.iter().any(|n| n == wanted) {
                let hint = match did_you_mean(wanted, names.iter().map(String::as_str)) {
                    Some(h) => h,
                    None => format!("its sheets are: {}", names.join(", ")),
                };
                return Err((format!("the workbook has no sheet `{wanted}`"), Some(hint)));
            }
            wanted.clone()
        }
        None => match names.first() {
            Some(first) => first.clone(),
            None => return Err(("the workbook has no sheet".to_string(), None)),
        },
    };
    Ok((book, name))
}

/// Opens `path` and reads the dataset's sheet, all its cells.
fn open_sheet(path: &Path, dataset: &Dataset) -> Result<Range<Data>, Why> {
    let (mut book, name) = open_book(path, dataset)?;
    book.worksheet_range(&name)
        .map_err(|e| (format!("cannot read sheet `{name}`: {e}"), None))
}

/// The cells of row `row` (0-based) of the dataset's sheet, by column. For
/// `.xlsx` and `.xlsm` the sheet is streamed and left at that row, so reading
/// the header of a large workbook does not read its data; other formats read
/// the sheet.
fn header_cells(path: &Path, dataset: &Dataset, row: u32) -> Result<(String, Vec<Data>), Why> {
    let (mut book, name) = open_book(path, dataset)?;
    let mut cells: Vec<Data> = Vec::new();
    let mut put = |col: u32, data: Data| {
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, Data::Empty);
        }
        cells[col] = data;
    };
    let why = |e: &dyn std::fmt::Display| (format!("cannot read sheet `{name}`: {e}"), None);
    if let Sheets::Xlsx(xlsx) = &mut book {
        let mut reader = xlsx.worksheet_cells_reader(&name).map_err(|e| why(&e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| why(&e))? {
            let (r, c) = cell.get_position();
            if r > row {
                break;
            }
            if r == row {
                put(c, Data::from(cell.get_value().clone()));
            }
        }
    } else {
        let range = book.worksheet_range(&name).map_err(|e| why(&e))?;
        if let Some((_, end)) = range.end() {
            for c in 0..=end {
                put(c, range.get_value((row, c)).cloned().unwrap_or(Data::Empty));
            }
        }
    }
    Ok((name, cells))
}

/// The 0-based row index of the header row.
fn header_index(dataset: &Dataset) -> u32 {
    dataset.workbook.header_row.max(1) - 1
}

/// The cell at absolute (row, column), `Empty` outside the sheet's used range.
fn cell(cells: &Range<Data>, row: u32, col: u32) -> &Data {
    static EMPTY: Data = Data::Empty;
    cells.get_value((row, col)).unwrap_or(&EMPTY)
}

/// True for a cell a CSV export would leave empty.
fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

impl RecordSource for WorkbookSource {
    type Part = ();
    type Parts = std::iter::Empty<Part<()>>;

    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let ds = file.dataset;
        let row = header_index(ds);
        let (sheet, cells) = match header_cells(file.path, ds, row) {
            Ok(found) => found,
            Err((message, hint)) => {
                let at = ds.workbook.location.clone();
                let at = at
                    .filter(|_| hint.is_some())
                    .unwrap_or(Location::file(file.file));
                let hint = hint.unwrap_or_else(|| {
                    "open it in Excel or LibreOffice and save it again as a workbook; a CSV file must end in `.csv`".to_string()
                });
                diags.error_hint(at, format!("`{}`: {message}", file.file.display()), hint);
                return None;
            }
        };
        let width = cells
            .iter()
            .rposition(|c| !is_blank(c))
            .map_or(0, |c| c + 1);
        if width == 0 {
            diags.error_hint(
                Location::file(sheet_cell(file.file, &sheet, row + 1, 0)),
                format!(
                    "row {} of sheet `{}` in `{}` (dataset `{}`) is blank: it must name the columns",
                    row + 1,
                    sheet,
                    file.file.display(),
                    ds.id
                ),
                "set `header_row:` to the row that names the columns, or `sheet:` to the sheet that holds the table",
            );
            return None;
        }
        let mut text = String::new();
        let names = (cells[..width].iter())
            .map(|c| {
                text.clear();
                cell_text(c, false, None, &mut text);
                text.trim().to_string()
            })
            .collect();
        Some(names)
    }

    fn parts(&self, _file: &DataFile<'_>) -> Option<Result<Self::Parts, String>> {
        None
    }

    fn read_part<S: RowSink>(&self, _: &DataFile<'_>, _: &Header, _: (), _: &mut Batch<S>) {}

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        let ds = file.dataset;
        let sheet = match open_sheet(file.path, ds) {
            Ok(s) => s,
            Err((message, _)) => return batch.stop(cannot_read(file.file, message)),
        };
        let cells = &sheet;
        let (Some((_, first_col)), Some((last_row, last_col))) = (cells.start(), cells.end())
        else {
            return;
        };
        let date_col = (ds.date.as_ref()).and_then(|d| header.index(&d.column.name));
        let date_format = ds.date.as_ref().and_then(|d| d.format.as_deref());
        let width = header.names.len() as u32;
        // Only the columns the project reads are written out (as Parquet and
        // SPSS decode only those); the others are handed on blank. Cells past
        // the header's width are written, for the shape check to report.
        let mut wanted = vec![false; header.names.len()];
        for c in header.wanted_columns() {
            if let Some(w) = wanted.get_mut(c) {
                *w = true;
            }
        }
        let mut record = Record::new();
        let mut text = String::new();
        for row in header_index(ds) + 1..=last_row {
            // Cells left of the used range are blank; the row ends at the
            // header's width, or at its last non-blank cell past it (which
            // the shape check then reports).
            let end = (last_col + 1).max(first_col);
            let end = (width..end)
                .rev()
                .find(|&c| !is_blank(cell(cells, row, c)))
                .map_or(width, |c| c + 1);
            if (0..end).all(|c| is_blank(cell(cells, row, c))) {
                continue; // a blank row, as a CSV reader skips an empty line
            }
            record.clear();
            for c in 0..end {
                text.clear();
                if wanted.get(c as usize).copied().unwrap_or(true) {
                    let is_date = date_col == Some(c as usize);
                    cell_text(cell(cells, row, c), is_date, date_format, &mut text);
                }
                record.push_field(&text);
            }
            batch.row(&Row::new(&record, u64::from(row) + 1), header, ds);
        }
    }

    fn sheet_name(&self, file: &DataFile<'_>) -> Option<String> {
        open_book(file.path, file.dataset)
            .ok()
            .map(|(_, name)| name)
    }
}

/// Writes a cell as the text its CSV export would hold (docs/reference.md, "Data formats").
///
/// Numbers in Rust's shortest round-trip form (so they parse back to the same
/// `f64`); booleans `TRUE`/`FALSE`, as Excel exports them; date cells as ISO
/// 8601 (`2025-03-14`, with `T12:30:00` when they hold a time) or in the date
/// column's `format:` when it has one; a number in the dataset's date column
/// is an Excel date serial (1900 date system); an error cell (`#DIV/0!`) as
/// its code, which a numeric column then reports as not a number.
pub fn cell_text(data: &Data, date_column: bool, format: Option<&str>, out: &mut String) {
    match data {
        Data::Empty => {}
        Data::DateTimeIso(s) if date_column && format.is_some() => iso_date(s, format, out),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) if date_column => serial_date(*i as f64, format, out),
        Data::Float(x) if date_column => serial_date(*x, format, out),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(x) => {
            let _ = write!(out, "{x}");
        }
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) if dt.is_datetime() => date_text(dt, format, out),
        Data::DateTime(dt) => {
            // A duration: its length in days, as Excel stores it.
            let _ = write!(out, "{}", dt.as_f64());
        }
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

/// An Excel date serial (1900 system) as a date's text; a serial out of
/// Excel's range is written as the number, which the date check reports.
fn serial_date(serial: f64, format: Option<&str>, out: &mut String) {
    if (1.0..2_958_466.0).contains(&serial) {
        date_text(
            &ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false),
            format,
            out,
        );
    } else {
        let _ = write!(out, "{serial}");
    }
}

/// An OpenDocument date cell (ISO 8601 text) written in `format`, the date
/// column's own; as it is when it does not parse.
fn iso_date(iso: &str, format: Option<&str>, out: &mut String) {
    let at = chrono::NaiveDateTime::parse_from_str(iso, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        });
    match (at, format) {
        (Some(at), Some(f)) => {
            let _ = write!(out, "{}", at.format(f));
        }
        _ => out.push_str(iso),
    }
}

/// A date cell as ISO 8601 text, or in `format` (the date column's own).
fn date_text(dt: &ExcelDateTime, format: Option<&str>, out: &mut String) {
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d));
    let time = chrono::NaiveTime::from_hms_milli_opt(
        u32::from(h),
        u32::from(mi),
        u32::from(s),
        u32::from(ms),
    );
    let (Some(date), Some(time)) = (date, time) else {
        // 1900-02-29, Excel's leap-year bug: no such day.
        let _ = write!(out, "{y:04}-{mo:02}-{d:02}");
        return;
    };
    let at = date.and_time(time);
    match format {
        Some(f) => {
            let _ = write!(out, "{}", at.format(f));
        }
        None if (h, mi, s, ms) == (0, 0, 0, 0) => {
            let _ = write!(out, "{}", date.format("%Y-%m-%d"));
        }
        None => {
            let _ = write!(out, "{}", at.format("%Y-%m-%dT%H:%M:%S%.f"));
        }
    }
}

/// A cell's place as a spreadsheet user names it: `data/survey.xlsx:Sheet1!C17`
/// (`'My sheet'!C17` when the name needs quoting). `row` is 1-based, `col` 0-based.
pub fn sheet_cell(file: &Path, sheet: &str, row: u32, col: u32) -> String {
    let plain = sheet.chars().all(|c| c.is_alphanumeric() || c == '_');
    let sheet = if plain {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    };
    format!(
        "{}:{sheet}!{}{row}",
        file.to_string_lossy().replace('\\', "/"),
        column_letters(col)
    )
}

/// A 0-based column index as spreadsheet letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_in_a_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(
            sheet_cell(Path::new("data/s.xlsx"), "Sheet1", 17, 2),
            "data/s.xlsx:Sheet1!C17"
        );
        assert_eq!(
            sheet_cell(Path::new("data/s.xlsx"), "My sheet", 3, 0),
            "data/s.xlsx:'My sheet'!A3"
        );
    }

    #[test]
    fn cells_are_written_as_their_csv_export() {
        let text = |d: Data, date: bool, f: Option<&str>| {
            let mut s = String::new();
            cell_text(&d, date, f, &mut s);
            s
        };
        assert_eq!(text(Data::Float(9.0), false, None), "9");
        assert_eq!(text(Data::Float(0.1), false, None), "0.1");
        assert_eq!(text(Data::Int(-3), false, None), "-3");
        assert_eq!(text(Data::Bool(true), false, None), "TRUE");
        assert_eq!(text(Data::Empty, false, None), "");
        // 45000 is 2023-03-15 in Excel's 1900 system (DATE(2023,3,15) = 45000).
        assert_eq!(text(Data::Float(45000.0), true, None), "2023-03-15");
        assert_eq!(text(Data::Int(45000), true, Some("%d/%m/%Y")), "15/03/2023");
        // 45000.5 is noon that day.
        assert_eq!(
            text(Data::Float(45000.5), true, None),
            "2023-03-15T12:00:00"
        );
        // An OpenDocument date cell, in the date column's format.
        let ods = |s: &str| Data::DateTimeIso(s.to_string());
        assert_eq!(
            text(ods("2023-03-15"), true, Some("%d/%m/%Y")),
            "15/03/2023"
        );
        assert_eq!(
            text(ods("2023-03-15T08:00:00"), true, Some("%d/%m/%Y")),
            "15/03/2023"
        );
        assert_eq!(text(ods("2023-03-15"), true, None), "2023-03-15");
        assert_eq!(
            text(ods("2023-03-15"), false, Some("%d/%m/%Y")),
            "2023-03-15"
        );
        // The same number outside the date column stays a number.
        assert_eq!(text(Data::Float(45000.0), false, None), "45000");
        let dt = ExcelDateTime::new(45000.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(dt), false, None), "2023-03-15");
        assert_eq!(
            text(Data::Error(calamine::CellErrorType::Div0), false, None),
            "#DIV/0!"
        );
    }
}
