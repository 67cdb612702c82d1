//! Project stage: a dataset's `source:` (a SQL query, SPEC §12), checked.
//!
//! Input: the raw dataset. Output: a [`SqlQuery`] holding the *name* of the environment
//! variable with the URL, never the URL: a URL written in YAML is an error (it would be
//! committed with the project), and the error does not repeat it (it may hold a password).

use std::path::{Path, PathBuf};

use super::model::SqlQuery;
use super::raw::RawDataset;
use super::yaml::{location, Spanned};
use crate::diag::{Diagnostics, Location};

/// The checked `source:` of dataset `id`, or `None` (with errors recorded when it is wrong,
/// or when the dataset has neither `path:` nor `source:`, or both).
pub fn check_source(
    file: &Path,
    id: &str,
    raw: &Spanned<RawDataset>,
    diags: &mut Diagnostics,
) -> Option<SqlQuery> {
    let ds = &raw.value;
    let Some(source) = &ds.source else {
        if ds.path.is_none() {
            diags.error_hint(
                location(file, raw),
                format!("dataset `{id}` has neither `path:` nor `source:`"),
                "give the files (`path: data/survey.csv`) or a SQL query (`source: { url: env:NAME, sql: SELECT ... }`)",
            );
        }
        return None;
    };
    let at = location(file, source);
    let mut ok = true;
    if ds.path.is_some() {
        ok = false;
        diags.error_hint(
            at.clone(),
            format!("dataset `{id}` has both `path:` and `source:`"),
            "keep one: `path:` reads files, `source:` runs a SQL query",
        );
    }
    for (key, given) in [("encoding", &ds.encoding), ("delimiter", &ds.delimiter)] {
        if let Some(value) = given {
            ok = false;
            diags.error_hint(
                location(file, value),
                format!(
                    "`{key}` of dataset `{id}` applies to files, but its rows come from `source:`"
                ),
                format!("remove `{key}`: the server sends typed values"),
            );
        }
    }
    let url = &source.value.url;
    let env = url.value.trim().strip_prefix("env:").map(str::trim);
    let env = match env {
        Some(name) if is_env_name(name) => Some(name.to_string()),
        Some(_) => {
            diags.error_hint(
                location(file, url),
                format!("`url` of dataset `{id}`'s source names no environment variable"),
                "write `url: env:NAME`, NAME being letters, digits and `_` (e.g. `env:CX_WAREHOUSE`)",
            );
            None
        }
        None => {
            // Never repeat what was written: it may be a URL with a password in it.
            diags.error_hint(
                location(file, url),
                format!("`url` of dataset `{id}`'s source is written in the YAML; it must come from the environment"),
                "write `url: env:NAME` and set NAME to the connection URL where cxscore runs (a URL in cxscore.yaml would be committed with its password)",
            );
            None
        }
    };
    let sql = source.value.sql.value.trim().trim_end_matches(';').trim();
    if sql.is_empty() {
        ok = false;
        diags.error_hint(
            location(file, &source.value.sql),
            format!("`sql` of dataset `{id}`'s source is empty"),
            "write the query whose rows are the dataset, e.g. `sql: SELECT * FROM cx.survey`",
        );
    }
    Some(SqlQuery {
        env: env?,
        sql: sql.to_string(),
        location: at,
    })
    .filter(|_| ok)
}

/// The placeholder that stands for the query in a dataset's file list: it names the source in
/// messages and is never a file (so the build cache never keys on it).
pub fn placeholder(id: &str, _query: &SqlQuery) -> PathBuf {
    PathBuf::from(format!("<sql source of dataset {id}>"))
}

/// Where a dataset without `path:` is blamed: its `source:`, else its key.
pub fn dataset_location(file: &Path, raw: &Spanned<RawDataset>, ds: &RawDataset) -> Location {
    ds.source
        .as_ref()
        .map_or_else(|| location(file, raw), |s| location(file, s))
}

/// Whether `name` is a portable environment variable name.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
