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
    /// A comment column of which a bounded sample is enough (no topic codes it): grouped
    /// only by whether it is answered — `+` when it is not blank once trimmed (Unicode
    /// white space, as cxscore trims a cell), `''` otherwise. Its values come from
    /// [`sample_query`].
    Answered,
}

/// The characters Rust's `str::trim` removes (Unicode `White_Space`), for `btrim`: so
/// the server calls a comment blank exactly when cxscore would.
/// Found once (a walk over every code point), not per query.
fn white_space() -> &'static str {
    static WHITE_SPACE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    WHITE_SPACE.get_or_init(|| {
        (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect()
    })
}

/// Whether `column` holds a comment that is not blank once trimmed (NULL is blank).
fn answered(column: &str) -> String {
    format!(
        "btrim((cx_source.{column})::text, '{}') <> ''",
        white_space()
    )
}

/// The expression of a fetched column.
fn expression(name: &str, cast: Cast) -> String {
    let column = quote_ident(name);
    match cast {
        Cast::Text => format!("(cx_source.{column})::text"),
        Cast::Day => format!("to_char(cx_source.{column}, 'YYYY-MM-DD')"),
        Cast::Weight => format!(
            "CASE WHEN (cx_source.{column})::float8 > 0 THEN '+' ELSE (cx_source.{column})::text END"
        ),
        Cast::Answered => format!("CASE WHEN {} THEN '+' ELSE '' END", answered(&column)),
    }
}

/// The user's query as a subquery: the header query asks its columns without rows.
pub fn header_query(sql: &str) -> String {
    format!("SELECT * FROM ({sql}\n) AS cx_source LIMIT 0")
}

/// The aggregate query: for each distinct combination of `columns` (name, cast), the values as
/// text (NULL for a missing value) and the number of rows, ordered byte-wise so the order does
/// not depend on the server's collation.
pub fn grouped_query(sql: &str, columns: &[(&str, Cast)]) -> String {
    let exprs: Vec<String> = (columns.iter())
        .map(|&(name, cast)| expression(name, cast))
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

/// The bounded sample of a comment column ([`Cast::Answered`]): for each distinct
/// combination of the other `columns` (the same expressions as [`grouped_query`]'s, so
/// the keys match), at most `per_group` distinct answered comments with their number of
/// rows — the first by `md5` of the text, a hash every PostgreSQL-protocol server has,
/// so the choice does not depend on the server's row order. Keys first, then the
/// comment, then the count; ordered byte-wise, then by rank.
pub fn sample_query(
    sql: &str,
    columns: &[(&str, Cast)],
    comment: &str,
    per_group: usize,
) -> String {
    let keys: Vec<String> = (0..columns.len()).map(|i| format!("cx_k{i}")).collect();
    let mut inner: Vec<String> = (columns.iter().zip(&keys))
        .map(|(&(name, cast), k)| format!("{} AS {k}", expression(name, cast)))
        .collect();
    let column = quote_ident(comment);
    inner.push(format!("(cx_source.{column})::text AS cx_comment"));
    inner.push("count(*)::bigint AS cx_rows".to_string());
    let positions: Vec<String> = (1..=columns.len() + 1).map(|i| i.to_string()).collect();
    let partition = if keys.is_empty() {
        String::new()
    } else {
        format!("PARTITION BY {} ", keys.join(", "))
    };
    let order: Vec<String> = (keys.iter())
        .map(|k| format!("{k} COLLATE \"C\" NULLS FIRST"))
        .chain(["cx_rank".to_string()])
        .collect();
    let mut outer = keys.clone();
    outer.extend(["cx_comment".to_string(), "cx_rows".to_string()]);
    format!(
        "SELECT {} FROM (SELECT cx_grouped.*, row_number() OVER ({partition}ORDER BY md5(cx_comment), cx_comment COLLATE \"C\") AS cx_rank \
         FROM (SELECT {} FROM ({sql}\n) AS cx_source WHERE {} GROUP BY {}) AS cx_grouped) AS cx_ranked \
         WHERE cx_rank <= {per_group} ORDER BY {}",
        outer.join(", "),
        inner.join(", "),
        answered(&column),
        positions.join(", "),
        order.join(", "),
    )
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
    fn an_answered_comment_is_grouped_by_being_answered_and_sampled_by_md5() {
        let ws = white_space();
        // Unicode White_Space: 25 characters, from TAB to IDEOGRAPHIC SPACE.
        assert_eq!(ws.chars().count(), 25);
        assert!(ws.contains('\t') && ws.contains('\u{a0}') && ws.contains('\u{3000}'));
        assert!(
            !ws.contains('\u{200b}'),
            "a zero-width space is not white space to str::trim"
        );
        let q = grouped_query("SELECT * FROM t", &[("c", Cast::Answered)]);
        assert!(q.starts_with(&format!(
            "SELECT CASE WHEN btrim((cx_source.\"c\")::text, '{ws}') <> '' THEN '+' ELSE '' END, count(*)::bigint"
        )));
        let q = sample_query("SELECT * FROM t", &[("nps", Cast::Text)], "c", 6);
        assert_eq!(
            q,
            format!(
                "SELECT cx_k0, cx_comment, cx_rows FROM (SELECT cx_grouped.*, row_number() OVER \
                 (PARTITION BY cx_k0 ORDER BY md5(cx_comment), cx_comment COLLATE \"C\") AS cx_rank \
                 FROM (SELECT (cx_source.\"nps\")::text AS cx_k0, (cx_source.\"c\")::text AS cx_comment, \
                 count(*)::bigint AS cx_rows FROM (SELECT * FROM t\n) AS cx_source \
                 WHERE btrim((cx_source.\"c\")::text, '{ws}') <> '' GROUP BY 1, 2) AS cx_grouped) AS cx_ranked \
                 WHERE cx_rank <= 6 ORDER BY cx_k0 COLLATE \"C\" NULLS FIRST, cx_rank"
            )
        );
        // No other column: one partition.
        let q = sample_query("SELECT 1", &[], "c", 2);
        assert!(q.contains("OVER (ORDER BY md5(cx_comment)"), "{q}");
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
