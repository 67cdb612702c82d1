//! The methodology page's formulas: only those this project uses.
//!
//! A client reads the methodology as a statement of what was done, so it
//! lists the formula of each metric kind the project defines, the interval
//! method of each kind of estimate it publishes (the NPS interval it was
//! configured with, not the alternative), the tests it ran and the driver
//! analysis' steps it took — nothing for a metric, a test or an option it
//! does not use. Each label appears once; a label with several statements
//! (the intervals, the tests) carries them all.

use serde::Serialize;

use crate::metrics::computed::Computed;
use crate::project::metric::CesMode;
use crate::project::model::{Metric, NpsInterval, Project};
use crate::site::i18n::Catalog;
use crate::site::views::{named_formula, pairs};

/// One label of the formulas list and its statements.
#[derive(Debug, Serialize)]
pub struct Formula {
    /// "Net Promoter Score", "Intervals"…, translated; unique in the list.
    pub name: String,
    /// Its statements, in reading order.
    pub texts: Vec<String>,
    /// The statements joined by a space: the field a v0.2 `methodology.html`
    /// override reads.
    pub text: String,
}

/// How a metric's value is estimated, which decides its interval.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Estimator {
    /// A net score (NPS, CES `net`): the NPS interval.
    Net,
    /// A percentage: Wilson.
    Proportion,
    /// A (weighted) mean, or a mean of differences: Student-t.
    Mean,
    /// A percentile, a count or a composite: no interval of this list.
    Other,
}

fn estimator(metric: &Metric) -> Estimator {
    match metric {
        Metric::Nps
        | Metric::Ces {
            mode: CesMode::Net, ..
        } => Estimator::Net,
        Metric::Csat { .. }
        | Metric::TopBox { .. }
        | Metric::BottomBox { .. }
        | Metric::Share { .. }
        | Metric::Ces {
            mode: CesMode::Agree,
            ..
        } => Estimator::Proportion,
        Metric::Mean { .. }
        | Metric::Ces {
            mode: CesMode::Mean,
            ..
        }
        | Metric::Gap { .. } => Estimator::Mean,
        Metric::Percentile { .. } | Metric::Count | Metric::Composite { .. } => Estimator::Other,
    }
}

/// Appends `text` under `name`, keeping labels unique and statements once.
fn add(list: &mut Vec<Formula>, name: String, text: String) {
    match list.iter_mut().find(|f| f.name == name) {
        Some(f) if f.texts.contains(&text) => {}
        Some(f) => f.texts.push(text),
        None => list.push(Formula {
            name,
            texts: vec![text],
            text: String::new(),
        }),
    }
}

/// The formulas list of the methodology page (see the module doc).
pub fn formulas(project: &Project, computed: &Computed, t: &Catalog) -> Vec<Formula> {
    let mut list = Vec::new();
    let metrics: Vec<&Metric> = project.indicators.iter().map(|i| &i.metric).collect();
    // Each metric kind, in the order the project first defines it: its
    // formula as its indicators fill it, then its rule where it has one.
    for ind in &project.indicators {
        let words = ind.metric.catalogue();
        let name = t.get(words.name);
        add(&mut list, name.clone(), named_formula(ind, project, t));
        if let Some(rule) = words.rule {
            add(&mut list, name, t.get(rule));
        }
    }
    let uses = |e: Estimator| metrics.iter().any(|m| estimator(m) == e);
    let intervals = t.get("formula_label_intervals");
    if uses(Estimator::Net) {
        let key = match project.config.nps_interval {
            NpsInterval::Wald => "formula_nps_interval_wald",
            NpsInterval::AdjustedWald => "formula_nps_interval_adjusted",
        };
        add(&mut list, intervals.clone(), t.get(key));
    }
    if uses(Estimator::Proportion) {
        add(&mut list, intervals.clone(), t.get("formula_wilson"));
    }
    if uses(Estimator::Mean) {
        add(&mut list, intervals, t.get("formula_t_interval"));
    }
    let estimates = uses(Estimator::Net) || uses(Estimator::Proportion) || uses(Estimator::Mean);
    if estimates {
        add(&mut list, t.get("effective_n"), t.get("formula_kish"));
        let tests = t.get("formula_label_tests");
        add(&mut list, tests.clone(), t.get("formula_significance"));
        if uses(Estimator::Mean) {
            add(&mut list, tests, t.get("formula_welch_df"));
        }
    }
    // A segment is compared with the rest for every estimate but a count.
    let segmented = pairs(project, &computed.indicators).any(|(i, r)| {
        !matches!(i.metric, Metric::Count)
            && (r.segments.values().flatten()).any(|g| g.vs_rest.is_some())
    });
    if segmented {
        add(&mut list, t.get("vs_rest"), t.get("formula_vs_rest"));
    }
    if project.indicators.iter().any(|i| i.benchmark.is_some()) {
        add(
            &mut list,
            t.get("benchmark"),
            t.get("formula_benchmark_rule"),
        );
    }
    if !computed.drivers.is_empty() {
        let drivers = t.get("drivers");
        add(&mut list, drivers.clone(), t.get("formula_drivers"));
        add(&mut list, drivers.clone(), t.get("formula_drivers_reading"));
        if project.config.drivers.iter().any(|d| d.bands.is_some()) {
            add(&mut list, drivers.clone(), t.get("formula_drivers_effects"));
        }
        if project.config.drivers.iter().any(|d| d.bootstrap.is_some()) {
            add(
                &mut list,
                drivers.clone(),
                t.get("formula_drivers_bootstrap"),
            );
        }
        if computed.drivers.iter().any(|d| !d.periods.is_empty()) {
            add(&mut list, drivers, t.get("formula_drivers_periods"));
        }
    }
    for f in &mut list {
        f.text = f.texts.join(" ");
    }
    list
}

/// The status rule in the site's own status words ("On target", "Watch",
/// "Off target"…), as the badges write them.
pub fn status_words(t: &Catalog) -> String {
    let word = |s: &str| t.get(&format!("status_{s}"));
    t.fill(
        "method_status_words",
        &[
            ("green", &word("green")),
            ("amber", &word("amber")),
            ("red", &word("red")),
            ("none", &word("none")),
            ("suppressed", &word("suppressed")),
        ],
    )
}
