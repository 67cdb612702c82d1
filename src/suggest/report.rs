//! `topics suggest`, the last step: the two ranked lists as aligned text.
//!
//! Input: a [`Suggestion`]. Output: the lines printed on stdout (the data)
//! and the summary line for stderr. Columns are aligned by display width,
//! so a Chinese term (two columns a character) lines up with Latin ones.

use unicode_width::UnicodeWidthStr;

use super::{Scored, Suggestion};
use crate::numbers::number;

/// The two lists, each under its title, as printed on stdout.
pub fn lists(s: &Suggestion) -> String {
    // One decimal when rows are weighted (a count is then a sum of weights).
    let decimals = usize::from(s.weighted);
    let mut out = String::new();
    out.push_str("Detractors say more:\n");
    out.push_str(&table(&s.detractors, decimals));
    out.push_str("\nPromoters say more:\n");
    out.push_str(&table(&s.promoters, decimals));
    out
}

/// The summary: what was read, and how many terms a topic already covers.
pub fn summary(s: &Suggestion) -> String {
    let weighted = if s.weighted { " (rows weighted)" } else { "" };
    let line = format!(
        "dataset `{}`: {} detractors' and {} promoters' comments{weighted}, {} terms; {} already covered by a topic, left out",
        s.dataset,
        number(s.comments[0] as f64, 0),
        number(s.comments[1] as f64, 0),
        number(s.terms as f64, 0),
        number(s.covered as f64, 0),
    );
    // n = 0 in a group: no term has a z-score, and the empty lists must say why.
    if s.comments.contains(&0) {
        format!("{line}; nothing to compare: a group wrote no comment")
    } else {
        line
    }
}

/// One list: a header line, then term, both counts and z, aligned.
fn table(rows: &[Scored], decimals: usize) -> String {
    if rows.is_empty() {
        return "  (no term)\n".into();
    }
    let header = ["term", "detractors", "promoters", "z"];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.term.clone(),
                number(r.detractors, decimals),
                number(r.promoters, decimals),
                format!("{:.2}", r.z),
            ]
        })
        .collect();
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = line(&header.map(String::from), &widths);
    for row in &cells {
        out.push_str(&line(row, &widths));
    }
    out
}

/// The term left-aligned, the numbers right-aligned, two spaces between.
fn line(cells: &[String; 4], widths: &[usize; 4]) -> String {
    let pad = |cell: &str, width: usize| " ".repeat(width.saturating_sub(cell.width()));
    let mut out = format!("  {}{}", cells[0], pad(&cells[0], widths[0]));
    for (cell, &width) in cells.iter().zip(widths).skip(1) {
        out.push_str("  ");
        out.push_str(&pad(cell, width));
        out.push_str(cell);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(term: &str, d: f64, p: f64, z: f64) -> Scored {
        Scored {
            term: term.into(),
            detractors: d,
            promoters: p,
            z,
        }
    }

    #[test]
    fn columns_align_by_display_width_chinese_included() {
        let s = Suggestion {
            dataset: "survey".into(),
            comments: [12, 1234],
            weighted: false,
            terms: 40,
            covered: 2,
            detractors: vec![
                scored("modem", 12.0, 1.0, 4.213),
                scored("网络", 3.0, 0.0, 1.0),
            ],
            promoters: Vec::new(),
        };
        let text = lists(&s);
        assert_eq!(
            text,
            "Detractors say more:\n\
             \x20 term   detractors  promoters     z\n\
             \x20 modem          12          1  4.21\n\
             \x20 网络            3          0  1.00\n\
             \n\
             Promoters say more:\n\
             \x20 (no term)\n"
        );
        assert_eq!(
            summary(&s),
            "dataset `survey`: 12 detractors' and 1,234 promoters' comments, 40 terms; 2 already covered by a topic, left out"
        );
    }

    #[test]
    fn a_group_without_comments_is_said_plainly() {
        let s = Suggestion {
            dataset: "d".into(),
            comments: [3, 0],
            weighted: false,
            terms: 0,
            covered: 0,
            detractors: Vec::new(),
            promoters: Vec::new(),
        };
        assert!(summary(&s).ends_with("; nothing to compare: a group wrote no comment"));
        assert_eq!(
            lists(&s),
            "Detractors say more:\n  (no term)\n\nPromoters say more:\n  (no term)\n"
        );
    }

    #[test]
    fn weighted_counts_show_one_decimal() {
        let s = Suggestion {
            dataset: "d".into(),
            comments: [1, 1],
            weighted: true,
            terms: 1,
            covered: 0,
            detractors: Vec::new(),
            promoters: vec![scored("fast", 0.26, 1.74, -1.5)],
        };
        assert!(
            lists(&s).contains("  fast         0.3        1.7  -1.50\n"),
            "{}",
            lists(&s)
        );
    }
}
