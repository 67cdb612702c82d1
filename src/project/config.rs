//! Validation of `cxscore.yaml`: settings, datasets and driver analyses.

use std::collections::BTreeMap;
use std::path::Path;

use super::brand;
use super::checks::{check_id, one_of_or_default};
use super::model::{ColumnRef, Config, Dataset, DateColumn, Workbook, WrittenPath};
use super::paths::{resolve_dataset, PathProblem};
use super::raw::{RawConfig, RawDataset};
use super::report::validate_report;
use super::yaml::{location, Spanned};
use crate::diag::Diagnostics;

/// The file name of the project configuration, as shown in messages.
pub const CONFIG_FILE: &str = "cxscore.yaml";

/// Checks the raw configuration and resolves dataset paths inside `root`.
pub fn validate_config(root: &Path, raw: RawConfig, diags: &mut Diagnostics) -> Config {
    let file = Path::new(CONFIG_FILE);
    let language = one_of_or_default(file, raw.language.as_ref(), "language", diags);
    let period = one_of_or_default(file, raw.period.as_ref(), "period", diags);
    let nps_interval = one_of_or_default(file, raw.nps_interval.as_ref(), "nps_interval", diags);
    let confidence = raw.confidence.as_ref().map_or(0.95, |c| {
        if c.value > 0.0 && c.value < 1.0 {
            c.value
        } else {
            diags.error_hint(
                location(file, c),
                format!(
                    "`confidence` is {}, but it must lie between 0 and 1",
                    c.value
                ),
                "write e.g. `confidence: 0.95`",
            );
            0.95
        }
    });
    let min_n = raw.min_n.as_ref().map_or(30.0, |m| {
        if m.value >= 0.0 && m.value.is_finite() {
            m.value
        } else {
            diags.error_hint(
                location(file, m),
                format!("`min_n` is {}, but it must be zero or more", m.value),
                "write e.g. `min_n: 30`",
            );
            30.0
        }
    });
    let theme = match &raw.theme {
        Some(t) if t.value.is_empty() || t.value.contains(['/', '\\']) || t.value == ".." => {
            diags.error_hint(
                location(file, t),
                format!("`theme` is `{}`, which is not a folder name", t.value),
                "name a folder under themes/, e.g. `theme: default`",
            );
            "default".to_string()
        }
        Some(t) => t.value.clone(),
        None => "default".to_string(),
    };
    let mut datasets = BTreeMap::new();
    for (id, ds) in &raw.datasets.value {
        let spanned_id = Spanned::new(id.clone(), ds.referenced, ds.defined);
        check_id(file, &spanned_id, "dataset", diags);
        datasets.insert(id.clone(), dataset(root, file, id, ds, diags));
    }
    super::lookups::check_lookups(&datasets, diags);
    if datasets.is_empty() {
        diags.error_hint(
            location(file, &raw.datasets),
            "`datasets` is empty",
            "declare at least one dataset, e.g. `survey: { path: data/survey.csv }`",
        );
    }
    let drivers = raw
        .drivers
        .iter()
        .filter_map(|d| super::drivers::driver(file, d, &datasets, diags))
        .collect();
    let brand = brand::validate_brand(root, file, raw.brand.as_ref(), diags);
    let report = validate_report(file, raw.report.as_ref(), period, &datasets, diags);
    let value_at_stake = super::value::validate_value(file, raw.value_at_stake.as_ref(), diags);
    let followup = super::value::validate_followup(file, raw.followup.as_ref(), &datasets, diags);
    Config {
        brand,
        title: raw.title.value,
        client: raw.client,
        language,
        theme,
        period,
        confidence,
        min_n,
        min_n_comments: raw.min_n_comments.unwrap_or(30),
        nps_interval,
        datasets,
        drivers,
        baseline: raw.baseline.as_ref().map(|b| WrittenPath {
            text: b.value.clone(),
            location: location(file, b),
        }),
        report,
        value_at_stake,
        followup,
        workbook: raw.workbook.unwrap_or(true),
    }
}

/// Turns a written column name into a reference that remembers where it was written.
pub fn column(file: &Path, name: &Spanned<String>) -> ColumnRef {
    ColumnRef {
        name: name.value.trim().to_string(),
        location: location(file, name),
    }
}

fn dataset(
    root: &Path,
    file: &Path,
    id: &str,
    raw: &Spanned<RawDataset>,
    diags: &mut Diagnostics,
) -> Dataset {
    let ds = &raw.value;
    let sql = super::sql_source::check_source(file, id, raw, diags);
    let files = match (&ds.path, &sql) {
        (_, Some(query)) => vec![super::sql_source::placeholder(id, query)],
        (Some(path), None) => match resolve_dataset(root, &path.value) {
            Ok(files) => files,
            Err(problem) => {
                report_path(file, path, id, &problem, diags);
                Vec::new()
            }
        },
        (None, None) => Vec::new(),
    };
    let encoding = one_of_or_default(file, ds.encoding.as_ref(), "encoding", diags);
    let bad_rows = one_of_or_default(file, ds.bad_rows.as_ref(), "bad_rows", diags);
    let delimiter = ds
        .delimiter
        .as_ref()
        .map_or(b',', |d| match d.value.as_str() {
            "\\t" | "\t" | "tab" => b'\t',
            s if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => s.as_bytes()[0],
            _ => {
                diags.error_hint(
                    location(file, d),
                    format!(
                        "`delimiter` is `{}`, but it must be one ASCII character",
                        d.value
                    ),
                    "write e.g. `delimiter: \";\"` or `delimiter: tab`",
                );
                b','
            }
        });
    let (segments, bands) = super::lookups::segments(file, ds, diags);
    let (key, lookup) = super::lookups::key_and_lookup(file, ds, diags);
    Dataset {
        id: id.to_string(),
        files,
        location: ds.path.as_ref().map_or_else(
            || super::sql_source::dataset_location(file, raw, ds),
            |p| location(file, p),
        ),
        date: ds.date.as_ref().map(|d| DateColumn {
            column: column(file, &d.column),
            format: d.format.as_ref().map(|f| f.value.clone()),
        }),
        weight: ds.weight.as_ref().map(|w| column(file, w)),
        segments,
        comments: ds.comments.as_ref().map(|c| column(file, c)),
        pii: ds.pii.iter().map(|p| column(file, p)).collect(),
        encoding,
        delimiter,
        bad_rows,
        rake: (ds.rake.as_ref()).and_then(|r| super::rake::validate_rake(file, r, diags)),
        sql,
        bands,
        key,
        lookup,
        workbook: workbook(file, ds, diags),
    }
}

/// `sheet:` and `header_row:` of a dataset (SPEC §12); `header_row: 0` is an error.
fn workbook(file: &Path, ds: &RawDataset, diags: &mut Diagnostics) -> Workbook {
    let header_row = match &ds.header_row {
        Some(h) if h.value == 0 => {
            diags.error_hint(
                location(file, h),
                "`header_row` is 0, but rows are counted from 1",
                "write the spreadsheet's row number of the column names, e.g. `header_row: 1`",
            );
            1
        }
        Some(h) => h.value,
        None => 1,
    };
    let at = (ds.sheet.as_ref().map(|s| location(file, s)))
        .or_else(|| ds.header_row.as_ref().map(|h| location(file, h)));
    Workbook {
        sheet: ds.sheet.as_ref().map(|s| s.value.trim().to_string()),
        header_row,
        location: at,
    }
}

fn report_path(
    file: &Path,
    path: &Spanned<String>,
    id: &str,
    problem: &PathProblem,
    diags: &mut Diagnostics,
) {
    let at = location(file, path);
    let p = &path.value;
    match problem {
        PathProblem::Escapes => diags.error_hint(
            at,
            format!("dataset `{id}` path `{p}` leaves the project folder"),
            "keep data inside the project, e.g. `data/survey.csv`",
        ),
        PathProblem::OutsideAfterLinks(real) => diags.error_hint(
            at,
            format!(
                "dataset `{id}` path `{p}` resolves to {}, outside the project folder",
                real.display()
            ),
            "copy the data into the project instead of linking to it",
        ),
        PathProblem::NoMatch => diags.error_hint(
            at,
            format!("dataset `{id}` path `{p}` matches no file"),
            "check the path; it is relative to the folder holding cxscore.yaml",
        ),
        PathProblem::BadGlob(why) => diags.error_hint(
            at,
            format!("dataset `{id}` path `{p}` is not a valid pattern: {why}"),
            "use `*` for any name, e.g. `data/survey/*.csv`",
        ),
    }
}
