//! Data stage: SQL sources (SPEC §12), a dataset read from a query on a server speaking the
//! PostgreSQL wire protocol, with the aggregation pushed down.
//!
//! Input: a dataset whose `sql` is set, and the columns the compute stage looked up
//! ([`Header::wanted_columns`]). Output: the same rows the same data read from CSV would give,
//! to the same sink — but what crosses the wire is one record per distinct combination of the
//! wanted columns with its number of rows ([`query::grouped_query`]), never the rows: the
//! server groups by the period's day, the segment, persona and `where` columns and the scores
//! (few values each), and the record is fed to the sink that many times. A numeric weight is
//! summed instead (Σw, Σw², [`weights`]). Columns that cannot be summarised without changing a
//! number (a comment topics code, a continuous value for a mean or an exact percentile) are
//! grouped by value, so their distinct values cross; a comment only the verbatims read is
//! grouped by whether it is answered, with a bounded sample per group ([`SAMPLE_PER_GROUP`],
//! [`query::sample_query`]); everything else is counted on the server. The build cache never holds a SQL dataset (its rows are not
//! a file whose content can be hashed).

pub mod connect;
pub mod query;
pub mod weights;

use std::collections::HashMap;
use std::path::Path;

use postgres::types::Type;

use self::connect::{connect, query_error, SqlError};
use self::query::{grouped_query, header_query, sample_query, Cast};
use super::header::read_header_with;
use super::scan::{scan_with, Scan, ScanStats};
use super::source::{Batch, DataFile, Header, Part, Record, RecordSource, Row, RowSink, SplitSink};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::project::model::{Dataset, SqlQuery};

/// The [`RecordSource`] of a SQL dataset: one "file" (the query), read in one pass.
pub struct SqlSource<'q> {
    query: &'q SqlQuery,
    dataset: &'q str,
    /// The weight column, summed on the server when it is numeric ([`weights`]).
    weight: Option<&'q str>,
    /// The date column when it has a `format:`: then read as the server's text, not its day.
    formatted_date: Option<&'q str>,
}

/// One record of the aggregate query: the wanted columns' text (`None` for NULL), the number
/// of rows, and Σw, Σw² when its rows' (positive, numeric) weights were summed.
pub struct Group {
    /// The wanted columns' values, in header order.
    pub values: Vec<Option<String>>,
    /// How many rows of the query's result share them.
    pub rows: u64,
    /// Σw and Σw² of those rows, when the weight was summed rather than grouped.
    pub weights: Option<(f64, f64)>,
    /// For a group whose sampled comment column ([`Cast::Answered`]) is answered: its
    /// bounded sample, each distinct comment with its number of rows (at most
    /// [`SAMPLE_PER_GROUP`]; empty otherwise).
    pub sample: Vec<(String, u64)>,
}

/// Distinct comments fetched per group of a comment column that only verbatims read:
/// twice what a page shows of one group, so that pages seeded differently still draw
/// different comments where a page's group is one of the server's groups.
pub const SAMPLE_PER_GROUP: usize = 2 * crate::metrics::samples::PER_GROUP;

impl Group {
    /// The group's rows as runs of (comment, rows): the sampled comments with their
    /// counts, then the group's other answered rows with the first sampled comment (a
    /// comment already offered changes no sample, and every row still counts as
    /// answered). `None` for a group without a sample: its rows are all alike.
    fn runs(&self) -> Option<Vec<(&str, u64)>> {
        let first = self.sample.first()?;
        let mut left = self.rows;
        let mut runs = Vec::with_capacity(self.sample.len() + 1);
        for (text, rows) in &self.sample {
            let take = (*rows).min(left);
            runs.push((text.as_str(), take));
            left -= take;
        }
        if left > 0 {
            runs.push((first.0.as_str(), left));
        }
        Some(runs)
    }
}

impl<'q> SqlSource<'q> {
    /// The source of `dataset`'s query.
    pub fn new(query: &'q SqlQuery, dataset: &'q Dataset) -> Self {
        SqlSource {
            query,
            dataset: &dataset.id,
            weight: dataset.weight.as_ref().map(|w| w.name.as_str()),
            formatted_date: (dataset.date.as_ref())
                .filter(|d| d.format.is_some())
                .map(|d| d.column.name.as_str()),
        }
    }

    fn stop(&self, e: SqlError) -> super::source::Stop {
        (self.query.location.clone(), e.message, Some(e.hint))
    }

    /// Runs the aggregate query: each distinct combination of the `wanted` columns (as text,
    /// `None` for NULL) with its number of rows, in a fixed order. Public so that a test can
    /// show what crosses the wire.
    pub fn fetch_groups(&self, header: &Header, wanted: &[usize]) -> Result<Vec<Group>, SqlError> {
        let sampled = header.sampled_columns();
        let mut client = connect(self.query, self.dataset)?;
        let statement = client
            .prepare(&header_query(&self.query.sql))
            .map_err(|e| query_error(&e, self.query, self.dataset))?;
        let types = statement.columns();
        let columns: Vec<(&str, Cast)> = wanted
            .iter()
            .map(|&i| {
                let name = header.names[i].as_str();
                let ty = types.get(i).map_or(&Type::TEXT, |c| c.type_());
                let is_day = [Type::DATE, Type::TIMESTAMP, Type::TIMESTAMPTZ].contains(ty);
                let cast = if sampled.first() == Some(&i) {
                    Cast::Answered
                } else if is_day && Some(name) != self.formatted_date {
                    Cast::Day
                } else if Some(name) == self.weight && NUMERIC.contains(ty) {
                    Cast::Weight
                } else {
                    Cast::Text
                };
                (name, cast)
            })
            .collect();
        let sql = grouped_query(&self.query.sql, &columns);
        let rows = client
            .query(sql.as_str(), &[])
            .map_err(|e| query_error(&e, self.query, self.dataset))?;
        let weight = columns.iter().position(|(_, c)| *c == Cast::Weight);
        let answered = columns.iter().position(|(_, c)| *c == Cast::Answered);
        let k = columns.len();
        let mut groups: Vec<Group> = rows
            .iter()
            .map(|row| {
                let values: Vec<Option<String>> = (0..k).map(|i| row.get(i)).collect();
                let count: i64 = row.get(k);
                let summed = weight.is_some_and(|w| values[w].as_deref() == Some("+"));
                Group {
                    values,
                    rows: count.max(0) as u64,
                    weights: summed.then(|| (row.get(k + 1), row.get(k + 2))),
                    sample: Vec::new(),
                }
            })
            .collect();
        if let Some(c) = answered {
            self.attach_samples(&mut client, &columns, c, &mut groups)?;
        }
        Ok(groups)
    }

    /// Runs [`sample_query`] for the answered comment column `c` of `columns` and gives
    /// each answered group its sample, matched on the other columns' values.
    fn attach_samples(
        &self,
        client: &mut postgres::Client,
        columns: &[(&str, Cast)],
        c: usize,
        groups: &mut [Group],
    ) -> Result<(), SqlError> {
        let keys: Vec<(&str, Cast)> = (columns.iter().enumerate())
            .filter(|&(i, _)| i != c)
            .map(|(_, col)| *col)
            .collect();
        let sql = sample_query(&self.query.sql, &keys, columns[c].0, SAMPLE_PER_GROUP);
        let rows = client
            .query(sql.as_str(), &[])
            .map_err(|e| query_error(&e, self.query, self.dataset))?;
        let mut samples: HashMap<Vec<Option<String>>, Vec<(String, u64)>> = HashMap::new();
        for row in &rows {
            let key: Vec<Option<String>> = (0..keys.len()).map(|i| row.get(i)).collect();
            let text: String = row.get(keys.len());
            let count: i64 = row.get(keys.len() + 1);
            samples
                .entry(key)
                .or_default()
                .push((text, count.max(0) as u64));
        }
        for group in groups.iter_mut() {
            if group.values[c].as_deref() != Some("+") {
                continue;
            }
            let mut key = group.values.clone();
            key.remove(c);
            group.sample = samples.remove(&key).unwrap_or_default();
            if group.sample.is_empty() {
                // Only if the data changed between the two queries: its rows are then
                // read as unanswered, never with the `+` marker as their comment.
                group.values[c] = Some(String::new());
            }
        }
        Ok(())
    }
}

impl RecordSource for SqlSource<'_> {
    type Part = ();
    type Parts = std::iter::Empty<Part<()>>;

    fn header(&self, _file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let names = connect(self.query, self.dataset).and_then(|mut client| {
            let statement = client
                .prepare(&header_query(&self.query.sql))
                .map_err(|e| query_error(&e, self.query, self.dataset))?;
            Ok(statement
                .columns()
                .iter()
                .map(|c| c.name().trim().to_string())
                .collect::<Vec<_>>())
        });
        match names {
            Ok(names) => Some(names),
            Err(e) => {
                diags.error_hint(self.query.location.clone(), e.message, e.hint);
                None
            }
        }
    }

    fn parts(&self, _file: &DataFile<'_>) -> Option<Result<Self::Parts, String>> {
        None
    }

    fn read_part<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        _part: (),
        batch: &mut Batch<S>,
    ) {
        // Never called (`parts` is `None`); reading it all is the same result.
        self.read_all(file, header, batch);
    }

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        let wanted = header.wanted_columns();
        let groups = match self.fetch_groups(header, &wanted) {
            Ok(groups) => groups,
            Err(e) => return batch.stop(self.stop(e)),
        };
        let weight = self.weight.and_then(|w| header.position(w));
        let comment = header.sampled_columns().first().copied();
        let (mut first, mut others) = (Record::new(), Record::new());
        for (g, group) in groups.iter().enumerate() {
            // One row weighs `a`, the others `b` (the same Σw and Σw², [`weights`]); a group
            // whose weight was grouped by value has its rows all alike.
            let (a, b) = group
                .weights
                .map(|(s1, s2)| weights::two_weights(group.rows, s1, s2))
                .map_or((None, None), |(a, b)| {
                    (Some(a.to_string()), Some(b.to_string()))
                });
            // The group's line: 2 for the first (the header being line 1), so that a row
            // error names the group; see [`relocate`].
            let line = g as u64 + 2;
            let runs = group.runs();
            let runs = match (&runs, comment) {
                (Some(runs), Some(c)) => runs.iter().map(|&(t, n)| (Some((c, t)), n)).collect(),
                _ => vec![(None, group.rows)],
            };
            let mut k = 0;
            for (text, rows) in runs {
                fill(
                    &mut first,
                    (header, &wanted, group),
                    (weight, a.as_deref()),
                    text,
                );
                fill(
                    &mut others,
                    (header, &wanted, group),
                    (weight, b.as_deref()),
                    text,
                );
                for _ in 0..rows {
                    let record = if k == 0 { &first } else { &others };
                    batch.row(&Row::new(record, line), header, file.dataset);
                    k += 1;
                }
            }
        }
    }
}

/// SQL types whose values are numbers (a weight of these types is summed on the server).
const NUMERIC: [Type; 6] = [
    Type::INT2,
    Type::INT4,
    Type::INT8,
    Type::FLOAT4,
    Type::FLOAT8,
    Type::NUMERIC,
];

/// Fills `record` with a group's values (blank for the columns not fetched), the weight
/// field being `weight_text` when the group's weights were summed, and the field
/// `comment.0` being `comment.1` when the group's comments were sampled.
fn fill(
    record: &mut Record,
    (header, wanted, group): (&Header, &[usize], &Group),
    (weight, weight_text): (Option<usize>, Option<&str>),
    comment: Option<(usize, &str)>,
) {
    record.clear();
    let mut next = group.values.iter();
    for i in 0..header.names.len() {
        let value = match wanted.binary_search(&i) {
            Ok(_) => next.next().and_then(Option::as_deref).unwrap_or(""),
            Err(_) => "",
        };
        match (weight_text, comment) {
            (Some(text), _) if Some(i) == weight => record.push_field(text),
            (_, Some((c, text))) if c == i => record.push_field(text),
            _ => record.push_field(value),
        }
    }
}

/// [`super::scan::read_header`] for a SQL dataset.
pub fn read_header(
    query: &SqlQuery,
    dataset: &Dataset,
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<Header> {
    read_header_with(&SqlSource::new(query, dataset), dataset, root, diags)
}

/// [`super::scan::scan`] for a SQL dataset: never cached, and its row errors located at the
/// dataset's `source:` with the column named ([`relocate`]).
pub fn scan<S: SplitSink>(
    query: &SqlQuery,
    scan: Scan<'_>,
    sink: &mut S,
    diags: &mut Diagnostics,
) -> ScanStats {
    let source = SqlSource::new(query, scan.dataset);
    let header = scan.header;
    let placeholder = scan.dataset.files.first().cloned().unwrap_or_default();
    let mut found = Diagnostics::new();
    let mut stats = scan_with(
        &source,
        Scan {
            cache: None,
            ..scan
        },
        sink,
        &mut found,
    );
    for d in found.into_items() {
        diags.add(relocate(d, &placeholder, query, header));
    }
    for (at, _) in &mut stats.rejections {
        if let Some(rest) = at.strip_prefix(&*placeholder.to_string_lossy()) {
            *at = format!("{}{}", query.location, group_words(rest, header));
        }
    }
    stats
}

/// A diagnostic located in the query's result (`placeholder:line:field`) moved to the
/// dataset's `source:`, the group and the column named in words.
fn relocate(
    mut d: Diagnostic,
    placeholder: &Path,
    query: &SqlQuery,
    header: &Header,
) -> Diagnostic {
    if d.location.file != placeholder {
        return d;
    }
    let Location { line, column, .. } = d.location;
    if line > 0 {
        let name = (column as usize)
            .checked_sub(1)
            .and_then(|i| header.names.get(i))
            .map_or(String::new(), |n| format!(", column `{n}`"));
        d.message = format!(
            "{} (in the result of the SQL query: group {}{name})",
            d.message,
            line - 1
        );
    }
    d.location = query.location.clone();
    d
}

/// `:line:field` of a rejection turned into words naming the group and column.
fn group_words(rest: &str, header: &Header) -> String {
    let mut parts = rest.trim_start_matches(':').split(':');
    let line: u64 = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    let field: usize = parts.next().and_then(|f| f.parse().ok()).unwrap_or(0);
    let name = field
        .checked_sub(1)
        .and_then(|i| header.names.get(i))
        .map_or(String::new(), |n| format!(", column `{n}`"));
    if line == 0 {
        String::new()
    } else {
        format!(" (SQL result group {}{name})", line - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(rows: u64, sample: &[(&str, u64)]) -> Group {
        Group {
            values: vec![Some("+".to_string())],
            rows,
            weights: None,
            sample: sample.iter().map(|&(t, n)| (t.to_string(), n)).collect(),
        }
    }

    #[test]
    fn a_sampled_group_feeds_every_row_once_with_a_sampled_comment() {
        // 10 answered rows, 3 distinct comments sampled covering 2 + 1 + 3 of them: the 4
        // others repeat the first sampled comment.
        let g = group(10, &[("a", 2), ("b", 1), ("c", 3)]);
        assert_eq!(
            g.runs().unwrap(),
            vec![("a", 2), ("b", 1), ("c", 3), ("a", 4)]
        );
        // A sample covering the group: no extra run.
        assert_eq!(
            group(3, &[("a", 1), ("b", 2)]).runs().unwrap(),
            vec![("a", 1), ("b", 2)]
        );
        // Counts above the group's (the data changed between the queries): cut to its rows.
        assert_eq!(
            group(2, &[("a", 5), ("b", 1)]).runs().unwrap(),
            vec![("a", 2), ("b", 0)]
        );
        // No sample: the rows are alike.
        assert_eq!(group(4, &[]).runs(), None);
        for g in [group(10, &[("a", 2), ("b", 1)]), group(2, &[("a", 5)])] {
            let fed: u64 = g.runs().unwrap().iter().map(|r| r.1).sum();
            assert_eq!(fed, g.rows);
        }
    }
}
