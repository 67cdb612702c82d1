//! `report.xlsx`: every table a reader sees on the site, as an Excel workbook
//! (issue 20, point 9) — clients forward Excel.
//!
//! Built from the computed results (the [`Computed`] that metrics.json is
//! written from), never from the HTML: one sheet per page type — the
//! scorecard, every indicator's trend, segments and personas, then key
//! drivers, topics, actions and value at stake when the project has them.
//! Headers are in the site's language (the theme's catalogue); numbers keep
//! their published value and get the indicator's number format.
//!
//! The bytes are deterministic like the rest of the site: the document's
//! creation date is fixed (1980-01-01, the zip entries' own fixed time), and
//! nothing else in the file depends on the clock or the thread count.
//! `workbook: false` in cxscore.yaml turns it off.

mod extra;
mod sheets;
pub mod table;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::metrics::computed::Computed;
use crate::project::model::Project;
use crate::site::i18n::Catalog;
use table::Sheet;

/// The workbook's sheets, in the site's order: what [`workbook`] writes.
pub fn sheets(project: &Project, computed: &Computed, t: &Catalog) -> Vec<Sheet> {
    let results = &computed.indicators;
    let mut out = vec![
        sheets::scorecard(project, results, t),
        sheets::trends(project, results, t),
        sheets::segments(project, results, t),
    ];
    if !computed.drivers.is_empty() {
        out.push(extra::drivers(&computed.drivers, t));
    }
    if !computed.topics.is_empty() {
        out.push(extra::topics(&computed.topics, &computed.topic_groups, t));
    }
    if !computed.actions.is_empty() {
        out.push(extra::actions(project, &computed.actions, t));
    }
    if let Some(v) = &computed.value_at_stake {
        out.push(extra::value(v, t));
    }
    unique_names(&mut out);
    out
}

/// Two page types whose words translate alike would give two sheets one
/// name, which Excel refuses: the later ones get a number.
fn unique_names(sheets: &mut [Sheet]) {
    let mut seen: Vec<String> = Vec::new();
    for sheet in sheets.iter_mut() {
        let base = sheet.name.clone();
        let mut k = 2;
        while seen.iter().any(|s| s.eq_ignore_ascii_case(&sheet.name)) {
            let suffix = format!(" ({k})");
            let keep = 31 - suffix.len();
            let head: String = base
                .chars()
                .scan(0, |n, c| {
                    *n += c.len_utf16();
                    (*n <= keep).then_some(c)
                })
                .collect();
            sheet.name = format!("{head}{suffix}");
            k += 1;
        }
        seen.push(sheet.name.clone());
    }
}

/// `report.xlsx`'s bytes: the [`sheets`] written with a fixed creation date
/// and the project's title.
pub fn workbook(project: &Project, computed: &Computed, t: &Catalog) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    let properties = DocProperties::new()
        .set_title(&project.config.title)
        .set_company(project.config.client.clone().unwrap_or_default())
        .set_author("cxscore")
        .set_creation_datetime(&created);
    book.set_properties(&properties);
    for sheet in sheets(project, computed, t) {
        table::write_sheet(book.add_worksheet(), &sheet)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(name: &str) -> Sheet {
        Sheet {
            name: name.to_string(),
            tables: Vec::new(),
        }
    }

    #[test]
    fn sheets_that_would_share_a_name_are_numbered() {
        let long = "A name of exactly thirty-one ch";
        assert_eq!(long.len(), 31);
        let mut sheets = vec![
            sheet("Topics"),
            sheet("topics"),
            sheet("Topics"),
            sheet(long),
            sheet(long),
        ];
        unique_names(&mut sheets);
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        // Excel compares sheet names without case; a suffix keeps 31 units.
        assert_eq!(
            names,
            [
                "Topics",
                "topics (2)",
                "Topics (3)",
                long,
                "A name of exactly thirty-on (2)"
            ]
        );
        assert!(names.iter().all(|n| n.encode_utf16().count() <= 31));
    }
}
