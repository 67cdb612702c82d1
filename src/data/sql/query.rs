//! Data stage, SQL sources: the text of the queries cxscore sends.
//!
//! Input: the user's query, the columns the project reads and which of them are dates.
//! Output: one aggregate query, `GROUP BY` those columns, returning each distinct
//! combination once with its number of rows (and, for a numeric weight, Σw and Σw²). Pure text, so it is unit-tested without a server.

/// How one fetched column is turned into text on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// `::text`: numbers in their shortest exact form, text as is.
    Text,
    /// A date or timestamp without a `format:`: its calendar day, `YYYY-MM-DD` (the ISO form
    /// the date column reads by default). Grouping by the day, not the instant, is what keeps
    /// the groups few; every period is a whole number of days.
    Day,
    /// The dataset's numeric weight: not grouped by value. Its key is `+` for a positive
    /// weight (those rows are summarised by Σw and Σw², [`grouped_query`]'s extra columns)
    /// and the value itself otherwise (NULL, zero, negative: they cross as values, so the
    /// row checks report them exactly as for CSV).
    Weight,
}

/// The user's query as a subquery: the header query asks its columns without rows.
pub fn header_query(sql: &str) -> String {
    format!("SELECT * FROM ({sql}\n) AS cx_source LIMIT 0")
}

/// The aggregate query: for each distinct combination of `columns` (name, cast), the values as
/// text (NULL for a missing value) and the number of rows, ordered byte-wise so the order does
/// not depend on the server's collation.
pub fn grouped_query(sql: &str, columns: &[(&str, Cast)]) -> String {
    let exprs: Vec<String> = columns
        .iter()
        .map(|(name, cast)| {
            let column = quote_ident(name);
            match cast {
                Cast::Text => format!("(cx_source.{column})::text"),
                Cast::Day => format!("to_char(cx_source.{column}, 'YYYY-MM-DD')"),
                Cast::Weight => format!(
                    "CASE WHEN (cx_source.{column})::float8 > 0 THEN '+' ELSE (cx_source.{column})::text END"
                ),
            }
        })
        .collect();
    let mut select: Vec<String> = exprs.clone();
    select.push("count(*)::bigint".to_string());
    if let Some((name, _)) = columns.iter().find(|(_, cast)| *cast == Cast::Weight) {
        let w = format!("(cx_source.{})::float8", quote_ident(name));
        select.push(format!("sum({w})"));
        select.push(format!("sum({w} * {w})"));
    }
    let mut q = format!("SELECT {} FROM ({sql}\n) AS cx_source", select.join(", "));
    if !exprs.is_empty() {
        let positions: Vec<String> = (1..=exprs.len()).map(|i| i.to_string()).collect();
        q.push_str(&format!(" GROUP BY {}", positions.join(", ")));
        let order: Vec<String> = exprs
            .iter()
            .map(|e| format!("{e} COLLATE \"C\" NULLS FIRST"))
            .collect();
        q.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    q
}

/// A column name as a quoted SQL identifier (`"a ""b"""`), so any name is safe.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_every_column_and_counts() {
        let q = grouped_query(
            "SELECT * FROM t",
            &[("score", Cast::Text), ("opened \"at\"", Cast::Day)],
        );
        assert_eq!(
            q,
            "SELECT (cx_source.\"score\")::text, to_char(cx_source.\"opened \"\"at\"\"\", 'YYYY-MM-DD'), count(*)::bigint \
             FROM (SELECT * FROM t\n) AS cx_source GROUP BY 1, 2 \
             ORDER BY (cx_source.\"score\")::text COLLATE \"C\" NULLS FIRST, \
             to_char(cx_source.\"opened \"\"at\"\"\", 'YYYY-MM-DD') COLLATE \"C\" NULLS FIRST"
        );
    }

    #[test]
    fn a_weight_is_summed_not_grouped() {
        let q = grouped_query("SELECT * FROM t", &[("w", Cast::Weight)]);
        assert_eq!(
            q,
            "SELECT CASE WHEN (cx_source.\"w\")::float8 > 0 THEN '+' ELSE (cx_source.\"w\")::text END, \
             count(*)::bigint, sum((cx_source.\"w\")::float8), \
             sum((cx_source.\"w\")::float8 * (cx_source.\"w\")::float8) \
             FROM (SELECT * FROM t\n) AS cx_source GROUP BY 1 \
             ORDER BY CASE WHEN (cx_source.\"w\")::float8 > 0 THEN '+' ELSE (cx_source.\"w\")::text END COLLATE \"C\" NULLS FIRST"
        );
    }

    #[test]
    fn no_column_is_one_count() {
        assert_eq!(
            grouped_query("SELECT 1", &[]),
            "SELECT count(*)::bigint FROM (SELECT 1\n) AS cx_source"
        );
    }

    #[test]
    fn a_comment_ending_the_query_cannot_swallow_the_wrapper() {
        // The query is closed on a new line: a trailing `-- comment` ends there.
        assert!(header_query("SELECT 1 -- note").contains("-- note\n) AS cx_source"));
    }
}
