//! Data stage: Excel and OpenDocument workbooks as a [`RecordSource`] (SPEC §12).
//!
//! Input: one workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`) of a dataset, its
//! `sheet:` (default the first) and `header_row:` (default 1). Output: the
//! names in the header row, then every non-blank row below it as a [`Row`]
//! whose line is the spreadsheet's row number, each cell written as the text
//! the same data would hold in CSV ([`cell_text`]): so the compute stage, and
//! `metrics.json`, cannot tell a workbook from its CSV export.
//!
//! A workbook is not cut into parts. An `.xlsx` / `.xlsm` sheet is streamed
//! (calamine's cell reader, `stream_rows`): one row's cells are held at a
//! time, besides the workbook's shared-string table, which calamine reads when
//! it opens the file. Measured (docs/PERFORMANCE.md, "A 200,000-row workbook";
//! `python3 bench/xlsx.py --work /tmp/xlsx-stream --rows 200000`, release
//! binaries): the example project built from a 200,000-row, 3.2 M-cell sheet
//! peaks at 67 MB, against 357 MB when the sheet was read whole and 126 MB
//! from the same data as CSV. A sheet whose rows are not in file order is read
//! again whole (calamine's `worksheet_range`, every cell held at once; the
//! streamed rows are discarded, [`Batch::give_up`]), as `.xls` and `.ods`
//! sheets always are.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{
    open_workbook_auto, Data, DataRef, ExcelDateTime, ExcelDateTimeType, Range, Reader, Sheets,
    Xlsx, XlsxError,
};

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

/// The cells of row `row` (0-based) of the dataset's sheet, by column. For
/// `.xlsx` and `.xlsm` the sheet is streamed and left at that row, so reading
/// the header of a large workbook does not read its data; other formats read
/// the sheet, and so does a streamed header row found blank (in a sheet whose
/// rows are not in file order the header row may come after a later row).
fn header_cells(path: &Path, dataset: &Dataset, row: u32) -> Result<(String, Vec<Data>), Why> {
    let (mut book, name) = open_book(path, dataset)?;
    let mut cells: Vec<Data> = Vec::new();
    let why = |e: &dyn std::fmt::Display| (format!("cannot read sheet `{name}`: {e}"), None);
    if let Sheets::Xlsx(xlsx) = &mut book {
        let mut reader = xlsx.worksheet_cells_reader(&name).map_err(|e| why(&e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| why(&e))? {
            let (r, c) = cell.get_position();
            if r > row {
                break;
            }
            if r == row {
                put(&mut cells, c, Data::from(cell.get_value().clone()));
            }
        }
        if cells.iter().any(|c| !is_blank(c)) {
            return Ok((name, cells));
        }
        cells.clear();
    }
    let range = book.worksheet_range(&name).map_err(|e| why(&e))?;
    if let Some((_, end)) = range.end() {
        for c in 0..=end {
            put(&mut cells, c, cell(&range, row, c).clone());
        }
    }
    Ok((name, cells))
}

/// Sets column `col` of a row's cells (by column from `A`) to `data`, the
/// columns before it blank when the row was shorter.
fn put(cells: &mut Vec<Data>, col: u32, data: Data) {
    let col = col as usize;
    if cells.len() <= col {
        cells.resize(col + 1, Data::Empty);
    }
    cells[col] = data;
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

    /// Streams an `.xlsx` / `.xlsm` sheet row by row (`stream_rows`); gives
    /// the batch up ([`Batch::give_up`]) when its rows turn out not to be in
    /// file order, for [`read_all_again`](Self::read_all_again). Other
    /// formats are read whole.
    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        let ds = file.dataset;
        let mut emit = |row: &Row<'_>| batch.row(row, header, ds);
        match read_rows(file.path, ds, header, true, &mut emit) {
            Ok(Ended::Done) => {}
            Ok(Ended::OutOfOrder) => batch.give_up(),
            Err(message) => batch.stop(cannot_read(file.file, message)),
        }
    }

    /// Reads the sheet whole (calamine's `worksheet_range`), whose rows are
    /// then in order whatever their order in the file.
    fn read_all_again<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        batch: &mut Batch<S>,
    ) {
        let ds = file.dataset;
        let mut emit = |row: &Row<'_>| batch.row(row, header, ds);
        if let Err(message) = read_rows(file.path, ds, header, false, &mut emit) {
            batch.stop(cannot_read(file.file, message));
        }
    }

    fn sheet_name(&self, file: &DataFile<'_>) -> Option<String> {
        open_book(file.path, file.dataset)
            .ok()
            .map(|(_, name)| name)
    }
}

/// How a read of a sheet's data rows ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ended {
    /// Every data row was fed.
    Done,
    /// A streamed read stopped at a row out of file order, having fed the
    /// rows before it: the sheet must be read again, whole.
    OutOfOrder,
}

/// Reads the data rows of the dataset's sheet in `path` to `emit`: streamed
/// ([`stream_rows`]) when `stream` and the workbook is `.xlsx` / `.xlsm`, else
/// the sheet whole (calamine's `worksheet_range`: every cell held at once, the
/// rows in order whatever their order in the file).
fn read_rows(
    path: &Path,
    ds: &Dataset,
    header: &Header,
    stream: bool,
    emit: &mut impl FnMut(&Row<'_>),
) -> Result<Ended, String> {
    let (mut book, name) = open_book(path, ds).map_err(|(message, _)| message)?;
    let mut rows = SheetRows::new(ds, header);
    if let (true, Sheets::Xlsx(xlsx)) = (stream, &mut book) {
        return stream_rows(xlsx, &name, &mut rows, emit);
    }
    let range =
        (book.worksheet_range(&name)).map_err(|e| format!("cannot read sheet `{name}`: {e}"))?;
    if let (Some((_, first_col)), Some((last_row, last_col))) = (range.start(), range.end()) {
        for row in rows.first..=last_row {
            // Cells left of the used range are blank, and so is every cell from
            // `last_col + 1` on.
            let limit = (last_col + 1).max(first_col);
            rows.write(row, limit, |c| cell(&range, row, c), emit);
        }
    }
    Ok(Ended::Done)
}

/// Streams the data rows of `.xlsx` / `.xlsm` sheet `name` to `emit`
/// (calamine's cell reader, the parser `worksheet_range` uses, so each
/// cell's value is the same), holding one row's cells at a time: cells come
/// row by row in file order, and a row is written when the next one starts.
/// [`Ended::OutOfOrder`] when a cell comes from a row above the one being
/// gathered (rows out of file order: legal, rare): it stops there, the rows
/// fed so far not being the sheet's in order.
fn stream_rows<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut Xlsx<RS>,
    name: &str,
    rows: &mut SheetRows<'_>,
    emit: &mut impl FnMut(&Row<'_>),
) -> Result<Ended, String> {
    let why = |e: XlsxError| format!("cannot read sheet `{name}`: {e}");
    let mut reader = match xlsx.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // worksheet_range reads such a sheet (a chart sheet) as no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Ended::Done),
        Err(e) => return Err(why(e)),
    };
    // The row being gathered and its cells, by column from `A`.
    let mut current: Option<u32> = None;
    let mut cells: Vec<Data> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(why)? {
        let (r, c) = cell.get_position();
        match current {
            Some(row) if r < row => return Ok(Ended::OutOfOrder),
            Some(row) if r > row => {
                rows.write(row, cells.len() as u32, |c| column(&cells, c), emit);
                cells.clear();
            }
            _ => {}
        }
        current = Some(r);
        // An empty cell is no cell (worksheet_range leaves it out, so it never
        // hides a value at the same place), nor is one above the data.
        if r >= rows.first && !matches!(cell.get_value(), DataRef::Empty) {
            put(&mut cells, c, Data::from(cell.get_value().clone()));
        }
    }
    if let Some(row) = current {
        rows.write(row, cells.len() as u32, |c| column(&cells, c), emit);
    }
    Ok(Ended::Done)
}

/// Cell `col` of a streamed row's cells, `Empty` past them.
fn column(cells: &[Data], col: u32) -> &Data {
    static EMPTY: Data = Data::Empty;
    cells.get(col as usize).unwrap_or(&EMPTY)
}

/// Writes a sheet's data rows as [`Row`]s, the same whichever way the sheet
/// is read (streamed or whole): which rows, how many fields, each cell's text.
struct SheetRows<'d> {
    /// The 0-based index of the first data row, the one below the header row.
    first: u32,
    /// The header's width: the fields of a row, unless it has non-blank
    /// cells right of it.
    width: u32,
    /// Per header column, whether the project reads it: only those are
    /// written out (as Parquet and SPSS decode only those); the others are
    /// handed on blank.
    wanted: Vec<bool>,
    /// The dataset's date column, whose numbers are Excel date serials.
    date_col: Option<usize>,
    /// The date column's `format:`.
    date_format: Option<&'d str>,
    /// Reused for every row.
    record: Record,
    /// Reused for every cell.
    text: String,
}

impl<'d> SheetRows<'d> {
    /// The rows of dataset `ds` under `header` (the date column looked up
    /// through it is wanted, as every column the project reads).
    fn new(ds: &'d Dataset, header: &Header) -> Self {
        let date_col = (ds.date.as_ref()).and_then(|d| header.index(&d.column.name));
        let mut wanted = vec![false; header.names.len()];
        for c in header.wanted_columns() {
            if let Some(w) = wanted.get_mut(c) {
                *w = true;
            }
        }
        SheetRows {
            first: header_index(ds) + 1,
            width: header.names.len() as u32,
            wanted,
            date_col,
            date_format: ds.date.as_ref().and_then(|d| d.format.as_deref()),
            record: Record::new(),
            text: String::new(),
        }
    }

    /// Writes row `row` (0-based) to `emit` as its [`Row`] (line `row + 1`),
    /// unless it is above the data or blank. `cell(c)` is its cell in
    /// column `c` (from `A`); every cell from column `limit` on is empty.
    fn write<'c>(
        &mut self,
        row: u32,
        limit: u32,
        cell: impl Fn(u32) -> &'c Data,
        emit: &mut impl FnMut(&Row<'_>),
    ) {
        if row < self.first {
            return;
        }
        // The row ends at the header's width, or at its last non-blank cell
        // past it (which the shape check then reports).
        let end = (self.width..limit)
            .rev()
            .find(|&c| !is_blank(cell(c)))
            .map_or(self.width, |c| c + 1);
        if (0..end).all(|c| is_blank(cell(c))) {
            return; // a blank row, as a CSV reader skips an empty line
        }
        self.record.clear();
        for c in 0..end {
            self.text.clear();
            if self.wanted.get(c as usize).copied().unwrap_or(true) {
                let is_date = self.date_col == Some(c as usize);
                cell_text(cell(c), is_date, self.date_format, &mut self.text);
            }
            self.record.push_field(&self.text);
        }
        emit(&Row::new(&self.record, u64::from(row) + 1));
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
        // The date column's `format:` is that column's: a date cell
        // elsewhere is written in ISO 8601 (docs/reference.md, "Data formats").
        Data::DateTime(dt) if dt.is_datetime() => {
            date_text(dt, format.filter(|_| date_column), out);
        }
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
    use std::io::{Read as _, Write as _};
    use std::path::PathBuf;

    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Formula, Workbook};

    use super::super::read::read_file;
    use super::super::source::RowProblem;
    use super::*;
    use crate::project::model::{ColumnRef, DateColumn, Workbook as Where};

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
        // A date cell in the date column takes its format; elsewhere, ISO 8601.
        assert_eq!(
            text(Data::DateTime(dt), true, Some("%d/%m/%Y")),
            "15/03/2023"
        );
        assert_eq!(
            text(Data::DateTime(dt), false, Some("%d/%m/%Y")),
            "2023-03-15"
        );
        assert_eq!(
            text(Data::Error(calamine::CellErrorType::Div0), false, None),
            "#DIV/0!"
        );
    }

    /// Rows as read: (line, each field's trimmed text).
    type Rows = Vec<(u64, Vec<String>)>;

    /// Writes the test workbook: sheet `Notes`, then sheet `Data` whose table
    /// starts at column `at` (0 = `A`): a title on row 1, the header on row 3,
    /// data rows 4 to 12 (blank rows among them), every kind of cell.
    fn write_book(path: &Path, at: u16) {
        let mut book = Workbook::new();
        let notes = book.add_worksheet().set_name("Notes").unwrap();
        notes.write_string(0, 0, "not the data").unwrap();
        let ws = book.add_worksheet().set_name("Data").unwrap();
        let day = Format::new().set_num_format("yyyy-mm-dd");
        let minute = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let march_15 = XlsxDate::from_ymd(2023, 3, 15).unwrap();
        ws.write_string(0, at, "Exported from the survey tool")
            .unwrap();
        for (c, name) in ["id", "date", "score", "flag", "calc"].iter().enumerate() {
            ws.write_string(2, at + c as u16, *name).unwrap();
        }
        // Row 4: a date cell, a whole number, a boolean, a formula's cached error.
        ws.write_string(3, at, "r1").unwrap();
        ws.write_datetime_with_format(3, at + 1, &march_15, &day)
            .unwrap();
        ws.write_number(3, at + 2, 9).unwrap();
        ws.write_boolean(3, at + 3, true).unwrap();
        ws.write_formula(3, at + 4, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
        // Row 5: a serial with a time in the date column, a decimal, a cached number.
        ws.write_string(4, at, "r2").unwrap();
        ws.write_number(4, at + 1, 45000.5).unwrap();
        ws.write_number(4, at + 2, 0.1).unwrap();
        ws.write_boolean(4, at + 3, false).unwrap();
        ws.write_formula(4, at + 4, Formula::new("=2+5").set_result("7"))
            .unwrap();
        // Row 6 has no cell; row 7 only cells of spaces: both blank.
        ws.write_string(6, at, "  ").unwrap();
        ws.write_string(6, at + 3, " ").unwrap();
        // Row 8: "r1" again (one shared string), a date and time, a cell past
        // the header's width after a gap.
        ws.write_string(7, at, "r1").unwrap();
        let morning = march_15.clone().and_hms(8, 30, 0).unwrap();
        ws.write_datetime_with_format(7, at + 1, &morning, &minute)
            .unwrap();
        ws.write_number(7, at + 2, -3).unwrap();
        ws.write_string(7, at + 6, "extra").unwrap();
        // Row 9: a whole serial in the date column, spaces in a column and
        // past the width (which do not lengthen the row).
        ws.write_string(8, at, "r3").unwrap();
        ws.write_number(8, at + 1, 45000).unwrap();
        ws.write_string(8, at + 2, "  ").unwrap();
        ws.write_string(8, at + 5, " ").unwrap();
        // Row 10: the id made an inline string below, a date cell outside the
        // date column, a cached boolean, a decimal.
        ws.write_string(9, at, "r4 inline").unwrap();
        let leap = XlsxDate::from_ymd(2024, 2, 29).unwrap();
        ws.write_datetime_with_format(9, at + 2, &leap, &day)
            .unwrap();
        ws.write_formula(9, at + 3, Formula::new("=1=1").set_result("TRUE"))
            .unwrap();
        ws.write_number(9, at + 4, 12.5).unwrap();
        // Row 11: an error in the date column.
        ws.write_string(10, at, "r5").unwrap();
        ws.write_formula(10, at + 1, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        // Row 12: spaces only, the sheet's last row.
        ws.write_string(11, at + 1, "   ").unwrap();
        book.save(path).unwrap();
    }

    /// Copies workbook `from` to `to` with its `Data` sheet's XML passed through `edit`.
    fn edit_sheet(from: &Path, to: &Path, edit: impl Fn(&str) -> String) {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
        let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
        let mut edited = false;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            if name == "xl/worksheets/sheet2.xml" {
                let xml = String::from_utf8(bytes).unwrap();
                let new = edit(&xml);
                assert_ne!(new, xml, "the sheet was changed");
                bytes = new.into_bytes();
                edited = true;
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap();
        assert!(edited, "the workbook has the Data sheet's XML");
    }

    /// Cell `at` (`A10`) of a sheet's XML, a shared string, made an inline string of `text`.
    fn inline_string(xml: &str, at: &str, text: &str) -> String {
        let start = xml
            .find(&format!("<c r=\"{at}\" t=\"s\">"))
            .expect("a shared string");
        let end = start + xml[start..].find("</c>").unwrap() + "</c>".len();
        let cell = format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
        format!("{}{cell}{}", &xml[..start], &xml[end..])
    }

    /// A sheet's XML with its `<row>` elements in the order `order` gives them.
    fn reorder(xml: &str, order: impl Fn(&mut Vec<&str>)) -> String {
        let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
        let end = xml.find("</sheetData>").unwrap();
        let mut rows: Vec<&str> = xml[start..end].split_inclusive("</row>").collect();
        assert!(rows.iter().all(|r| r.starts_with("<row ")), "{rows:?}");
        assert_eq!(rows.len(), 10, "rows 1, 3 to 5 and 7 to 12");
        order(&mut rows);
        format!("{}{}{}", &xml[..start], rows.concat(), &xml[end..])
    }

    /// A dataset of sheet `Data` whose header is row 3, `date` its date column read with `format`.
    fn dataset(path: &Path, format: Option<&str>) -> Dataset {
        let at = Location::file("cxscore.yaml");
        Dataset {
            date: Some(DateColumn {
                column: ColumnRef {
                    name: "date".into(),
                    location: at.clone(),
                },
                format: format.map(String::from),
            }),
            workbook: Where {
                sheet: Some("Data".into()),
                header_row: 3,
                location: Some(at.clone()),
            },
            ..Dataset::plain("survey", vec![path.to_path_buf()], at)
        }
    }

    /// The file's header as the source reads it, wanting the columns `wanted`
    /// (and the date column, which every read looks up).
    fn header_of(path: &Path, ds: &Dataset, wanted: &[&str]) -> Header {
        let file = DataFile {
            path,
            file: Path::new("data/survey.xlsx"),
            dataset: ds,
        };
        let mut diags = Diagnostics::new();
        let names = WorkbookSource.header(&file, &mut diags);
        let names = names.unwrap_or_else(|| panic!("{:?}", diags.sorted()));
        let header = Header {
            names,
            file: PathBuf::from("data/survey.xlsx"),
            wanted: Default::default(),
        };
        for name in wanted {
            header.index(name).expect("a column of the header");
        }
        header
    }

    /// A row as (line, each field's trimmed text).
    fn texts(row: &Row<'_>) -> (u64, Vec<String>) {
        let fields = (0..row.field_count()).map(|i| row.text(i).to_string());
        (row.line, fields.collect())
    }

    /// The data rows read streamed (`stream`) or whole, and how the read ended.
    fn rows(path: &Path, ds: &Dataset, header: &Header, stream: bool) -> (Rows, Ended) {
        let mut got = Vec::new();
        let ended = read_rows(path, ds, header, stream, &mut |row| got.push(texts(row)))
            .expect("the sheet reads");
        (got, ended)
    }

    /// `(line, fields)` rows from literals.
    fn rows_of(want: &[(u64, &[&str])]) -> Rows {
        (want.iter())
            .map(|(l, f)| (*l, f.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    /// The test workbook's rows, every column read, dates in ISO 8601: what a
    /// CSV export of it holds (45000 is 2023-03-15 in Excel's 1900 system).
    fn expected() -> Rows {
        rows_of(&[
            (4, &["r1", "2023-03-15", "9", "TRUE", "#DIV/0!"]),
            (5, &["r2", "2023-03-15T12:00:00", "0.1", "FALSE", "7"]),
            (8, &["r1", "2023-03-15T08:30:00", "-3", "", "", "", "extra"]),
            (9, &["r3", "2023-03-15", "", "", ""]),
            (10, &["r4 inline", "", "2024-02-29", "TRUE", "12.5"]),
            (11, &["r5", "#N/A", "", "", ""]),
        ])
    }

    const ALL: [&str; 5] = ["id", "date", "score", "flag", "calc"];

    #[test]
    fn a_streamed_sheet_gives_the_rows_of_the_whole_sheet() {
        let dir = tempfile::tempdir().unwrap();
        for at in [0u16, 1] {
            let written = dir.path().join(format!("written{at}.xlsx"));
            let path = dir.path().join(format!("survey{at}.xlsx"));
            write_book(&written, at);
            let cell = format!("{}10", column_letters(u32::from(at)));
            edit_sheet(&written, &path, |xml| {
                inline_string(xml, &cell, "r4 inline")
            });
            // Every column, then a projection, then the date column's own format.
            for (format, wanted) in [
                (None, &ALL[..]),
                (None, &["id", "score"][..]),
                (Some("%d/%m/%Y"), &ALL[..]),
            ] {
                let ds = dataset(&path, format);
                let header = header_of(&path, &ds, wanted);
                let (streamed, ended) = rows(&path, &ds, &header, true);
                assert_eq!(ended, Ended::Done, "rows in order: streamed to the end");
                let (whole, _) = rows(&path, &ds, &header, false);
                assert_eq!(streamed, whole, "column {at}, {format:?}, {wanted:?}");
                // Cells left of the table are blank columns, as in a CSV export.
                let mut want = expected();
                if at == 1 {
                    for (_, fields) in &mut want {
                        fields.insert(0, String::new());
                    }
                }
                let (date, rest) = (usize::from(at) + 1, usize::from(at) + 3);
                if wanted.len() == 2 {
                    // `flag` and `calc` are handed on blank; the date column is read.
                    for (_, fields) in &mut want {
                        fields[rest..rest + 2].fill(String::new());
                    }
                }
                if format.is_some() {
                    // The date column in its format; a date cell in another
                    // column (row 10's 2024-02-29) stays ISO 8601.
                    let dates = [
                        "15/03/2023",
                        "15/03/2023",
                        "15/03/2023",
                        "15/03/2023",
                        "",
                        "#N/A",
                    ];
                    for ((_, fields), d) in want.iter_mut().zip(dates) {
                        fields[date] = d.to_string();
                    }
                }
                assert_eq!(streamed, want, "column {at}, {format:?}, {wanted:?}");
            }
        }
    }

    /// Collects every clean row (line, fields), as a sink of the compute stage.
    #[derive(Default)]
    struct Collected(Rows);

    impl RowSink for Collected {
        fn row(&mut self, row: &Row<'_>, _: &mut Vec<RowProblem>) {
            self.0.push(texts(row));
        }
    }

    crate::data::source::vec_split_sink!(Collected);

    #[test]
    fn a_sheet_whose_rows_are_out_of_order_is_read_whole_with_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("written.xlsx");
        write_book(&written, 0);
        let in_order = dir.path().join("in_order.xlsx");
        edit_sheet(&written, &in_order, |xml| {
            inline_string(xml, "A10", "r4 inline")
        });
        // Every row reversed: the header row comes last. Row 5 moved to the
        // end: five data rows are fed before the stream meets it.
        let reversed = dir.path().join("reversed.xlsx");
        edit_sheet(&in_order, &reversed, |xml| {
            reorder(xml, |rows| rows.reverse())
        });
        let moved = dir.path().join("moved.xlsx");
        edit_sheet(&in_order, &moved, |xml| {
            reorder(xml, |rows| {
                let row_5 = rows.remove(3);
                assert!(row_5.starts_with("<row r=\"5\""), "{row_5}");
                rows.push(row_5);
            })
        });
        let read = |path: &Path, wanted: &[&str]| {
            let ds = dataset(path, None);
            let header = header_of(path, &ds, wanted);
            let file = DataFile {
                path,
                file: Path::new("data/survey.xlsx"),
                dataset: &ds,
            };
            let mut batch = Batch::new(Collected::default());
            WorkbookSource.read_all(&file, &header, &mut batch);
            let fed = batch.log.rows;
            let gave_up = batch.gave_up();
            let read = read_file(&WorkbookSource, &file, &header, Collected::default());
            assert!(read.stop.is_none());
            // Six rows, each counted once; row 8, ragged, is reported, not fed.
            let counted: u64 = read.logs.iter().map(|l| l.rows).sum();
            assert_eq!(counted, 6, "{path:?}");
            let bad: Vec<u64> = (read.logs.iter())
                .flat_map(|l| l.bad.iter().map(|(line, _)| *line))
                .collect();
            assert_eq!(bad, [8], "{path:?}");
            (header.names, read.sink.0, gave_up, fed)
        };
        for wanted in [&ALL[..], &["id"][..]] {
            let (names, rows, gave_up, fed) = read(&in_order, wanted);
            assert_eq!(names, ALL);
            assert!(!gave_up);
            assert_eq!(fed, 6);
            if wanted.len() == ALL.len() {
                let mut clean = expected();
                clean.retain(|(line, _)| *line != 8);
                assert_eq!(rows, clean);
            }
            for (path, fed_before) in [(&reversed, 0), (&moved, 5)] {
                let (other_names, other_rows, gave_up, fed) = read(path, wanted);
                assert_eq!(other_names, names, "{path:?}");
                assert_eq!(other_rows, rows, "{path:?}");
                assert!(gave_up, "{path:?}: the stream gives up");
                assert_eq!(fed, fed_before, "{path:?}");
            }
        }
    }
}
