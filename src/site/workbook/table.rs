//! The workbook's sheets as plain data, and their one way onto an xlsx worksheet.
//!
//! A sheet is built as headers and rows of typed [`Cell`]s first, so what goes
//! into `report.xlsx` can be read (and tested) without a spreadsheet reader;
//! [`write_sheet`] then writes every sheet the same way: a bold header row,
//! frozen, number formats per cell, column widths fitted to the text.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

/// One cell: text, a number with its Excel number format, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, written as a string cell.
    Text(String),
    /// A number as published (never rescaled) and the format it is shown with.
    Number(f64, String),
    /// No value (suppressed, not applicable): an empty cell, never a zero.
    Blank,
}

impl Cell {
    /// Text, or a blank cell when the text is empty.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(s)
        }
    }

    /// A number in `format`, or a blank cell when there is none (or it is
    /// not finite: a spreadsheet cannot hold NaN or infinity).
    pub fn num(value: Option<f64>, format: &str) -> Cell {
        match value {
            Some(v) if v.is_finite() => Cell::Number(v, format.to_string()),
            _ => Cell::Blank,
        }
    }

    /// A count (n, mentions, customers), grouped, no decimals.
    pub fn count(n: u64) -> Cell {
        // Counts are far below 2^53, so the conversion is exact.
        Cell::Number(n as f64, decimal(0))
    }

    /// How wide the cell's shown text is, in character columns (a Han
    /// character counts two), for the column width.
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0),
            // The digits with a sign, a grouping comma per three and the
            // format's quoted unit (`" points"`), roughly.
            Cell::Number(v, f) => {
                let digits = format!("{v:.2}").len();
                let unit = f.split('"').nth(1).map_or(0, UnicodeWidthStr::width);
                digits + digits / 3 + 1 + unit
            }
            Cell::Blank => 0,
        }
    }
}

/// A table: a header row and its rows, every row as long as the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The column headers, in the site's language.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A sheet: its name and its tables, one under the other with a blank row
/// between; the first table's header row is the one frozen.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name (made valid for Excel by [`sheet_name`]).
    pub name: String,
    /// The tables, top to bottom.
    pub tables: Vec<Table>,
}

/// Excel's format for a number with `decimals` decimals and thousands grouped.
pub fn decimal(decimals: usize) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals))
    }
}

/// A change, its sign always shown (`+3.0`, `-1.2`, `0.0`).
pub fn signed(decimals: usize) -> String {
    let d = decimal(decimals);
    format!("+{d};-{d};{d}")
}

/// A p- or q-value: three decimals.
pub const P_VALUE: &str = "0.000";

/// A sheet name Excel accepts: the characters it forbids (`[]:*?/\`) and
/// leading or trailing apostrophes removed, at most 31 UTF-16 units, never
/// empty (`fallback` then).
pub fn sheet_name(wanted: &str, fallback: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let mut name = String::new();
    for c in cleaned.chars() {
        if name.encode_utf16().count() + c.len_utf16() > 31 {
            break;
        }
        name.push(c);
    }
    let name = name.trim_end().trim_end_matches('\'').to_string();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// The narrowest and widest a column is set, in Excel's character units.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// Writes `sheet` onto `ws`: headers bold and the first header row frozen,
/// each number with its format, each column as wide as its widest text
/// (within 6–60 characters).
pub fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = Vec::new();
    let mut row: u32 = 0;
    for (i, table) in sheet.tables.iter().enumerate() {
        if i > 0 {
            row += 1;
        }
        for (c, header) in table.headers.iter().enumerate() {
            ws.write_string_with_format(row, col(c), header, &bold)?;
            fit(&mut widths, c, UnicodeWidthStr::width(header.as_str()));
        }
        if i == 0 {
            ws.set_freeze_panes(row + 1, 0)?;
        }
        row += 1;
        for cells in &table.rows {
            for (c, cell) in cells.iter().enumerate() {
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(row, col(c), s)?;
                    }
                    Cell::Number(v, f) => {
                        ws.write_number_with_format(
                            row,
                            col(c),
                            *v,
                            &Format::new().set_num_format(f),
                        )?;
                    }
                    Cell::Blank => {}
                }
                fit(&mut widths, c, cell.width());
            }
            row += 1;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let w = (*w + 2).clamp(MIN_WIDTH, MAX_WIDTH);
        // Widths are small whole numbers: exact as f64.
        ws.set_column_width(col(c), w as f64)?;
    }
    Ok(())
}

/// A column index as Excel's (tables never approach its 16,384 columns).
fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn fit(widths: &mut Vec<usize>, c: usize, w: usize) {
    if widths.len() <= c {
        widths.resize(c + 1, 0);
    }
    widths[c] = widths[c].max(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_valid_for_excel() {
        assert_eq!(sheet_name("Key drivers", "x"), "Key drivers");
        assert_eq!(sheet_name("a/b [c]: d?*\\", "x"), "ab c d");
        assert_eq!(sheet_name("'quoted'", "x"), "quoted");
        assert_eq!(sheet_name("//", "Sheet"), "Sheet");
        let long = "A very long sheet name that Excel refuses";
        assert_eq!(sheet_name(long, "x"), "A very long sheet name that Exc");
        assert_eq!(sheet_name(long, "x").encode_utf16().count(), 31);
        // Han characters are one UTF-16 unit each: 31 of them fit.
        let han = "指".repeat(40);
        assert_eq!(sheet_name(&han, "x").chars().count(), 31);
    }

    #[test]
    fn number_formats() {
        assert_eq!(decimal(0), "#,##0");
        assert_eq!(decimal(2), "#,##0.00");
        assert_eq!(signed(1), "+#,##0.0;-#,##0.0;#,##0.0");
    }

    #[test]
    fn missing_and_non_finite_numbers_are_blank_cells() {
        assert_eq!(Cell::num(None, "0"), Cell::Blank);
        assert_eq!(Cell::num(Some(f64::NAN), "0"), Cell::Blank);
        assert_eq!(Cell::num(Some(f64::INFINITY), "0"), Cell::Blank);
        assert_eq!(Cell::num(Some(1.5), "0.0"), Cell::Number(1.5, "0.0".into()));
        assert_eq!(Cell::text(""), Cell::Blank);
        assert_eq!(Cell::text("客户").width(), 4);
        // "12345.68": 8 characters, 2 commas' worth, a sign, and " points".
        assert_eq!(Cell::Number(12345.678, "0.0\" points\"".into()).width(), 18);
    }
}
