//! The indicator sheets: the scorecard, every indicator's trend, and its
//! segments and personas — the tables of the scorecard and indicator pages.
//!
//! Numbers are the published ones ([`IndicatorResult`], what metrics.json is
//! written from), unrounded and unscaled: the number format shows them with
//! the indicator's decimals and unit, so a reader's own formulas see the
//! site's numbers.

use crate::metrics::computed::{Estimate, GroupResult, IndicatorResult};
use crate::project::metric::Reading;
use crate::project::model::{Indicator, Metric, Project};
use crate::site::format::{period_label, window_label};
use crate::site::i18n::Catalog;
use crate::site::views::{kind_label, pairs, status_label};

use super::table::{decimal, sheet_name, signed, Cell, Sheet, Table, P_VALUE};

/// How one indicator's values are shown: its number format and that of a change.
pub(super) struct Formats {
    /// The value's format.
    pub value: String,
    /// A change's format.
    pub change: String,
}

/// The indicator's number formats: its decimals; its `unit` as a literal
/// suffix, else `%` for a percentage metric (CSAT, boxes, shares, CES
/// `agree`) — a quoted `"%"`, which Excel shows without multiplying by 100,
/// so the cell holds 45.3 as metrics.json does. A change is in the value's
/// unit (points for a percentage), so it has no suffix.
pub(super) fn formats(ind: &Indicator) -> Formats {
    let d = ind.metric.decimals();
    let percent = matches!(ind.metric.reading(), Some(Reading::Percent))
        && !matches!(ind.metric, Metric::Composite { .. });
    let unit = match &ind.unit {
        Some(u) => u.replace(['"', '\\'], ""),
        None if percent => "%".to_string(),
        None => String::new(),
    };
    let unit = unit.trim();
    let value = if unit.is_empty() {
        decimal(d)
    } else if unit == "%" {
        format!("{}\"%\"", decimal(d))
    } else {
        format!("{}\" {unit}\"", decimal(d))
    };
    Formats {
        value,
        change: signed(d),
    }
}

/// Value, interval ends, n and status of one estimate.
fn estimate_cells(e: &Estimate, f: &Formats, t: &Catalog) -> Vec<Cell> {
    vec![
        Cell::num(e.value, &f.value),
        Cell::num(e.ci_low, &f.value),
        Cell::num(e.ci_high, &f.value),
        Cell::count(e.n),
        Cell::text(status_label(e.status, t)),
    ]
}

/// Every indicator in definition order: its window, value, interval, n,
/// effective n, target, status in the site's words, and the change against
/// the previous window.
pub fn scorecard(project: &Project, results: &[IndicatorResult], t: &Catalog) -> Sheet {
    let headers = [
        t.get("indicator"),
        t.get("workbook_id"),
        t.get("kind"),
        t.get("metric"),
        t.get("window"),
        t.get("value"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        "n".to_string(),
        t.get("status"),
        t.get("effective_n"),
        t.get("target"),
        t.get("workbook_change_previous"),
        t.get("q_value"),
    ];
    let rows = pairs(project, results)
        .map(|(ind, res)| {
            let f = formats(ind);
            let mut row = vec![
                Cell::text(&ind.name),
                Cell::text(&ind.id),
                Cell::text(kind_label(ind.kind, t)),
                Cell::text(t.get(ind.metric.catalogue().name)),
                Cell::text(window_label(&res.window, t)),
            ];
            row.extend(estimate_cells(&res.estimate, &f, t));
            let previous = res.previous.as_ref();
            row.extend([
                Cell::num(Some(res.estimate.effective_n), &decimal(1)),
                Cell::num(ind.target, &f.value),
                Cell::num(previous.and_then(|p| p.change), &f.change),
                Cell::num(previous.and_then(|p| p.q_value), P_VALUE),
            ]);
            row
        })
        .collect();
    Sheet {
        name: sheet_name(&t.get("scorecard"), "Scorecard"),
        tables: vec![Table {
            headers: headers.to_vec(),
            rows,
        }],
    }
}

/// Every indicator's trend, one row per indicator and period: value,
/// interval, n, status, change against the period before and its q-value.
pub fn trends(project: &Project, results: &[IndicatorResult], t: &Catalog) -> Sheet {
    let headers = vec![
        t.get("indicator"),
        t.get("workbook_id"),
        t.get("period"),
        t.get("value"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        "n".to_string(),
        t.get("status"),
        t.get("change"),
        t.get("q_value"),
    ];
    let mut rows = Vec::new();
    for (ind, res) in pairs(project, results) {
        let f = formats(ind);
        for p in &res.periods {
            let mut row = vec![
                Cell::text(&ind.name),
                Cell::text(&ind.id),
                Cell::text(period_label(&p.period, t)),
            ];
            row.extend(estimate_cells(&p.estimate, &f, t));
            row.push(Cell::num(p.change, &f.change));
            row.push(Cell::num(p.q_value, P_VALUE));
            rows.push(row);
        }
    }
    Sheet {
        name: sheet_name(&t.get("workbook_trends"), "Trends"),
        tables: vec![Table { headers, rows }],
    }
}

/// Every indicator's segments (per segment column, per key) and personas
/// (by name) on the window: value, interval, n, status and, for segments,
/// the difference against the rest — left out for counts, where it means
/// nothing (issue 20, point 3).
pub fn segments(project: &Project, results: &[IndicatorResult], t: &Catalog) -> Sheet {
    let headers = vec![
        t.get("indicator"),
        t.get("workbook_id"),
        t.get("segment"),
        t.get("margin_key"),
        t.get("value"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        "n".to_string(),
        t.get("status"),
        t.get("vs_rest"),
        t.get("q_value"),
    ];
    let personas = t.get("personas");
    let mut rows = Vec::new();
    for (ind, res) in pairs(project, results) {
        let f = formats(ind);
        let count = matches!(ind.metric, Metric::Count);
        let mut push = |column: &str, key: &str, g: &GroupResult| {
            let mut row = vec![
                Cell::text(&ind.name),
                Cell::text(&ind.id),
                Cell::text(column),
                Cell::text(key),
            ];
            row.extend(estimate_cells(&g.estimate, &f, t));
            let vs_rest = g.vs_rest.flatten().filter(|_| !count);
            row.push(Cell::num(vs_rest, &f.change));
            row.push(Cell::num(g.q_value.filter(|_| !count), P_VALUE));
            rows.push(row);
        };
        for (column, groups) in &res.segments {
            for g in groups {
                push(column, &g.key, g);
            }
        }
        for g in &res.personas {
            let name = (project.personas.iter())
                .find(|p| p.id == g.key)
                .map_or(g.key.as_str(), |p| p.name.as_str());
            push(&personas, name, g);
        }
    }
    Sheet {
        name: sheet_name(&t.get("workbook_segments"), "Segments"),
        tables: vec![Table { headers, rows }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testkit::Kit;
    use crate::project::model::Range;

    #[test]
    fn formats_follow_the_metric_and_the_unit() {
        let mut kit = Kit::new(&[]);
        let r = |lo, hi| Range { lo, hi };
        let csat = Metric::Csat {
            scale: r(1.0, 5.0),
            top_box: r(4.0, 5.0),
        };
        let mut ind = kit.indicator("x", csat, Some("x"), 1).clone();
        // A percentage: the literal "%", which Excel does not multiply by 100.
        assert_eq!(formats(&ind).value, "#,##0.0\"%\"");
        assert_eq!(formats(&ind).change, "+#,##0.0;-#,##0.0;#,##0.0");
        ind.metric = Metric::Nps;
        assert_eq!(formats(&ind).value, "#,##0.0");
        ind.metric = Metric::Mean { scale: None };
        assert_eq!(formats(&ind).value, "#,##0.00");
        ind.metric = Metric::Count;
        ind.unit = Some("tickets".into());
        assert_eq!(formats(&ind).value, "#,##0\" tickets\"");
        assert_eq!(formats(&ind).change, "+#,##0;-#,##0;#,##0");
        // Quotes and backslashes cannot break out of the literal.
        ind.unit = Some("a\"b\\".into());
        assert_eq!(formats(&ind).value, "#,##0\" ab\"");
        // A composite is an index, not a percentage.
        ind.metric = Metric::Composite {
            components: Vec::new(),
        };
        ind.unit = None;
        assert_eq!(formats(&ind).value, "#,##0.0");
    }
}
