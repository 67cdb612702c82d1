//! The sheets of the pages a project may not have: key drivers, topics,
//! actions and value at stake — each written only when metrics.json has it.

use crate::metrics::computed::{DriverAttribute, DriverResult, TopicResult};
use crate::metrics::computed_actions::{ActionResult, Evaluation};
use crate::metrics::computed_value::{ValueGroup, ValueResult};
use crate::project::model::Project;
use crate::project::vocabulary::Vocabulary;
use crate::site::format::period_label;
use crate::site::i18n::Catalog;

use super::sheets::formats;
use super::table::{decimal, sheet_name, signed, Cell, Sheet, Table, P_VALUE};

/// Every analysis' attributes: correlation, importance with its interval,
/// performance, penalty, reward and class.
pub fn drivers(drivers: &[DriverResult], t: &Catalog) -> Sheet {
    let headers = vec![
        t.get("workbook_outcome"),
        t.get("dataset"),
        t.get("attribute"),
        t.get("correlation"),
        t.get("importance"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        t.get("performance"),
        t.get("penalty"),
        t.get("reward"),
        t.get("driver_class"),
        "n".to_string(),
        "R²".to_string(),
    ];
    let rows = (drivers.iter())
        .flat_map(|d| d.attributes.iter().map(move |a| driver_row(d, a, t)))
        .collect();
    Sheet {
        name: sheet_name(&t.get("drivers"), "Drivers"),
        tables: vec![Table { headers, rows }],
    }
}

fn driver_row(d: &DriverResult, a: &DriverAttribute, t: &Catalog) -> Vec<Cell> {
    let label = if a.label.is_empty() {
        &a.column
    } else {
        &a.label
    };
    vec![
        Cell::text(&d.label),
        Cell::text(&d.dataset),
        Cell::text(label),
        Cell::num(a.r, &decimal(2)),
        Cell::num(a.importance, &decimal(1)),
        Cell::num(a.importance_ci_low, &decimal(1)),
        Cell::num(a.importance_ci_high, &decimal(1)),
        Cell::num(a.performance, &decimal(2)),
        Cell::num(a.penalty.as_ref().map(|e| e.value), &signed(1)),
        Cell::num(a.reward.as_ref().map(|e| e.value), &signed(1)),
        Cell::text(
            a.class
                .map_or_else(String::new, |c| t.get(&format!("class_{}", c.word()))),
        ),
        Cell::count(d.n),
        Cell::num(d.r2, &decimal(3)),
    ]
}

/// Every topic of each dataset (codebook order), then the topic groups:
/// mentions, share with its interval, shares among detractors and
/// promoters, impact and its q-value.
pub fn topics(topics: &[TopicResult], groups: &[TopicResult], t: &Catalog) -> Sheet {
    let headers = vec![
        t.get("dataset"),
        t.get("topic"),
        t.get("topic_group"),
        t.get("mentions"),
        t.get("workbook_answered"),
        t.get("topic_share"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        t.get("topic_among_detractors"),
        t.get("topic_among_promoters"),
        t.get("topic_impact"),
        t.get("q_value"),
    ];
    let row = |x: &TopicResult, topic: &str, group: &str| {
        let by = x.by_group.as_ref();
        vec![
            Cell::text(&x.dataset),
            Cell::text(topic),
            Cell::text(group),
            Cell::count(x.mentions),
            Cell::count(x.answered),
            Cell::num(x.share, &decimal(1)),
            Cell::num(x.ci_low, &decimal(1)),
            Cell::num(x.ci_high, &decimal(1)),
            Cell::num(by.and_then(|b| b.detractors), &decimal(1)),
            Cell::num(by.and_then(|b| b.promoters), &decimal(1)),
            Cell::num(x.impact, &signed(1)),
            Cell::num(x.q_value, P_VALUE),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = (topics.iter())
        .map(|x| row(x, &x.name, x.group.as_deref().unwrap_or("")))
        .collect();
    rows.extend(groups.iter().map(|g| row(g, "", &g.name)));
    Sheet {
        name: sheet_name(&t.get("topics"), "Topics"),
        tables: vec![Table { headers, rows }],
    }
}

/// Every action with its owner, status and dates, one row per evaluated
/// indicator (one row without numbers when none is evaluated yet).
pub fn actions(project: &Project, actions: &[ActionResult], t: &Catalog) -> Sheet {
    let headers = vec![
        t.get("actions"),
        t.get("owner"),
        t.get("status"),
        t.get("workbook_start"),
        t.get("workbook_due"),
        t.get("action_overdue"),
        t.get("indicator"),
        t.get("action_before"),
        t.get("action_after"),
        t.get("change"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        t.get("q_value"),
        t.get("action_expected"),
    ];
    let mut rows = Vec::new();
    for a in actions {
        let head = vec![
            Cell::text(&a.title),
            Cell::text(a.owner.clone().unwrap_or_default()),
            Cell::text(t.get(&format!("action_status_{}", a.status.word()))),
            Cell::text(period_label(&a.start, t)),
            Cell::text(a.due.map(|d| period_label(&d, t)).unwrap_or_default()),
            Cell::text(if a.overdue {
                t.get("action_overdue")
            } else {
                String::new()
            }),
        ];
        if a.evaluations.is_empty() {
            rows.push(head);
            continue;
        }
        for e in &a.evaluations {
            let mut row = head.clone();
            row.extend(evaluation_cells(project, e));
            rows.push(row);
        }
    }
    Sheet {
        name: sheet_name(&t.get("actions"), "Actions"),
        tables: vec![Table { headers, rows }],
    }
}

fn evaluation_cells(project: &Project, e: &Evaluation) -> Vec<Cell> {
    let ind = project.indicators.iter().find(|i| i.id == e.indicator);
    let (value, change) = ind.map_or_else(
        || (decimal(1), signed(1)),
        |i| {
            let f = formats(i);
            (f.value, f.change)
        },
    );
    vec![
        Cell::text(ind.map_or(e.indicator.as_str(), |i| i.name.as_str())),
        Cell::num(e.before, &value),
        Cell::num(e.after, &value),
        Cell::num(e.change, &change),
        Cell::num(e.ci_low, &change),
        Cell::num(e.ci_high, &change),
        Cell::num(e.q_value, P_VALUE),
        Cell::num(e.expected, &change),
    ]
}

/// The value at stake: the NPS groups' customers, share, revenue and churn,
/// then the spend ratio, churn gap and revenue at risk with their intervals.
pub fn value(v: &ValueResult, t: &Catalog) -> Sheet {
    let group_headers = vec![
        t.get("value_group"),
        t.get("value_customers"),
        t.get("value_share"),
        t.get("value_revenue"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        t.get("value_churn"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
    ];
    let g = &v.groups;
    let group_rows = [
        ("promoters", &g.promoters),
        ("passives", &g.passives),
        ("detractors", &g.detractors),
    ]
    .into_iter()
    .map(|(key, x)| group_row(t.get(key), x))
    .collect();
    let figure_headers = vec![
        t.get("value_figure"),
        t.get("value"),
        t.get("workbook_ci_low"),
        t.get("workbook_ci_high"),
        t.get("q_value"),
    ];
    let figure = |key: &str, x: [Option<f64>; 3], f: &str, q: Option<f64>| {
        vec![
            Cell::text(t.get(key)),
            Cell::num(x[0], f),
            Cell::num(x[1], f),
            Cell::num(x[2], f),
            Cell::num(q, P_VALUE),
        ]
    };
    let figure_rows = vec![
        figure(
            "value_spend_ratio",
            [v.spend_ratio, v.spend_ratio_ci_low, v.spend_ratio_ci_high],
            &decimal(2),
            None,
        ),
        figure(
            "value_churn_gap",
            [v.churn_gap, v.churn_gap_ci_low, v.churn_gap_ci_high],
            &signed(1),
            v.churn_gap_q_value,
        ),
        figure(
            "value_revenue_at_risk",
            [
                v.revenue_at_risk,
                v.revenue_at_risk_ci_low,
                v.revenue_at_risk_ci_high,
            ],
            &decimal(0),
            None,
        ),
    ];
    Sheet {
        name: sheet_name(&t.get("value_page"), "Value"),
        tables: vec![
            Table {
                headers: group_headers,
                rows: group_rows,
            },
            Table {
                headers: figure_headers,
                rows: figure_rows,
            },
        ],
    }
}

fn group_row(name: String, g: &ValueGroup) -> Vec<Cell> {
    vec![
        Cell::text(name),
        Cell::num(Some(g.customers), &decimal(0)),
        Cell::num(g.share, &decimal(1)),
        Cell::num(g.revenue, &decimal(2)),
        Cell::num(g.revenue_ci_low, &decimal(2)),
        Cell::num(g.revenue_ci_high, &decimal(2)),
        Cell::num(g.churn, &decimal(1)),
        Cell::num(g.churn_ci_low, &decimal(1)),
        Cell::num(g.churn_ci_high, &decimal(1)),
    ]
}
