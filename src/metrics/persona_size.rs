//! Compute stage: how big each persona is (issue 20): its weighted share of
//! the respondents of each dataset it applies to, on the report window.
//!
//! A pass does not count rows on their own, only per indicator; so the
//! respondents of a dataset are the rows of its *base indicator*: the one
//! without a `where` filter whose window has the largest weight sum (ties:
//! the first defined). A persona's size is its weight sum on that
//! indicator's rows in the window over the total, in %; a percentile
//! indicator counts each row as 1 (it keeps no weights). Choices where SPEC
//! is silent: no interval is given; a dataset without dates uses every row.
//! The share of the customer base is the raking target of the persona's
//! values when the dataset rakes on its match column (the weights are made
//! to reproduce it); with `value_at_stake.customers` on the dataset, that
//! share (or the respondents' share without one) times the customers.

use std::collections::BTreeMap;

use super::acc::Acc;
use super::computed_personas::PersonaSize;
use super::pass::DatasetPass;
use super::periods::PeriodKey;
use super::window::Window;
use crate::project::model::{Persona, Project};

/// Every persona's size on every dataset it applies to, by persona (in
/// project order) then dataset pass order.
pub fn sizes(project: &Project, passes: &[DatasetPass<'_>], window: &Window) -> Vec<PersonaSize> {
    let mut out: Vec<PersonaSize> = Vec::new();
    for pass in passes {
        let every_row = !pass.is_dated() || window.takes_undated();
        let weight = |overall: &Acc, periods: &BTreeMap<PeriodKey, Acc>| -> (f64, u64) {
            if every_row {
                let b = overall.base();
                return (b.sw, b.n);
            }
            (periods.iter().filter(|(k, _)| window.contains(**k)))
                .map(|(_, acc)| acc.base())
                .fold((0.0, 0), |(sw, n), b| (sw + b.sw, n + b.n))
        };
        let base = (pass.indicators.iter())
            .filter(|ip| project.indicators[ip.index].filter.is_empty())
            .filter(|ip| project.indicators[ip.index].numeric.is_empty())
            .map(|ip| (ip, weight(&ip.overall, &ip.periods)))
            .fold(None, |best: Option<(_, (f64, u64))>, (ip, w)| match best {
                Some((_, bw)) if bw.0 >= w.0 => best,
                _ => Some((ip, w)),
            });
        let Some((ip, (total, _))) = base else {
            continue;
        };
        for (k, col) in pass.personas.iter().enumerate() {
            let (Some(acc), Some(periods)) = (ip.personas.get(k), ip.persona_periods.get(k)) else {
                continue;
            };
            let (sw, n) = weight(acc, periods);
            let share = (total > 0.0).then(|| 100.0 * sw / total);
            let persona = &project.personas[col.index];
            let base_share = rake_share(project, &pass.dataset_id, persona);
            let customers = customers(project, &pass.dataset_id, base_share.or(share));
            out.push(PersonaSize {
                base_share,
                customers,
                persona: project.personas[col.index].id.clone(),
                dataset: pass.dataset_id.clone(),
                indicator: ip.id.to_string(),
                n,
                share,
            });
        }
    }
    let order = |id: &str| project.personas.iter().position(|p| p.id == id);
    out.sort_by_key(|s| order(&s.persona));
    out
}

/// The persona's share of the base in % from a raking margin on its match
/// column: its values' targets over the margin's total.
fn rake_share(project: &Project, dataset: &str, persona: &Persona) -> Option<f64> {
    let rake = project.config.datasets.get(dataset)?.rake.as_ref()?;
    let margin = (rake.margins.iter()).find(|m| m.column.name == persona.matcher.column.name)?;
    let total: f64 = margin.targets.iter().map(|(_, t, _)| t).sum();
    let mine: f64 = (margin.targets.iter())
        .filter(|(key, _, _)| persona.matcher.values.contains(key))
        .map(|(_, t, _)| t)
        .sum();
    (total > 0.0).then(|| 100.0 * mine / total)
}

/// The customers a share (in %) of dataset `dataset` stands for, when
/// `value_at_stake` reads that dataset and so says how many customers it represents.
fn customers(project: &Project, dataset: &str, share: Option<f64>) -> Option<f64> {
    let v = (project.config.value_at_stake.as_ref()).filter(|v| v.dataset == dataset)?;
    Some(v.customers * share? / 100.0)
}

#[cfg(test)]
mod tests {
    use crate::metrics::testkit::{col, Kit};
    use crate::project::model::{Metric, Range, RowMatch};

    #[test]
    fn a_persona_is_its_weighted_share_of_the_base_indicators_rows() {
        // Weights 1, 1, 2, 4 on rows x, x, y, (blank persona). The base is
        // `all` (every row answered; Σw = 8) — not `some` (3 rows, Σw 7) nor
        // `filtered` (a `where`, however big). x: (1 + 1) / 8 = 25 %; y: 2 / 8 = 25 %;
        // unweighted it would be 2/4 and 1/4.
        let csv = "p,a,b,w\nx,1,1,1\nx,2,,1\ny,3,3,2\n,4,4,4\n";
        let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
        kit.dataset().weight = Some(col("w", 1));
        let scale = Some(Range { lo: 1.0, hi: 5.0 });
        kit.indicator("some", Metric::Mean { scale }, Some("b"), 10);
        kit.indicator("all", Metric::Mean { scale }, Some("a"), 20);
        let filtered = kit.indicator("filtered", Metric::Mean { scale }, Some("a"), 30);
        filtered.filter = vec![RowMatch {
            column: col("p", 30),
            values: vec!["x".into()],
        }];
        kit.persona("x", "p", &["x"]);
        kit.persona("y", "p", &["y"]);
        let (c, diags) = kit.run();
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<_> = (c.persona_sizes.iter())
            .map(|s| (s.persona.as_str(), s.indicator.as_str(), s.n, s.share))
            .collect();
        assert_eq!(
            got,
            [("x", "all", 2, Some(25.0)), ("y", "all", 1, Some(25.0))]
        );
        assert_eq!(c.persona_sizes[0].dataset, "survey");
    }

    #[test]
    fn the_base_share_is_the_raking_target_and_customers_follow_it() {
        use super::{customers, rake_share};
        use crate::diag::Location;
        use crate::project::rake::{Margin, Rake};
        let mut kit = Kit::new(&[("a.csv", b"p\nx\n")]);
        kit.persona("xy", "p", &["x", "y"]);
        kit.persona("other", "q", &["x"]);
        let target = |k: &str, t: f64| (k.to_string(), t, Location::file("cxscore.yaml"));
        kit.dataset().rake = Some(Rake {
            margins: vec![Margin {
                column: col("p", 1),
                targets: vec![target("x", 0.2), target("y", 0.3), target("z", 0.5)],
            }],
            total: None,
            max_iterations: 50,
            tolerance: 1e-6,
            location: Location::file("cxscore.yaml"),
        });
        let p = &kit.project;
        let (other, xy) = (&p.personas[0], &p.personas[1]);
        // (0.2 + 0.3) / (0.2 + 0.3 + 0.5) = 50 %; no margin on `q`.
        assert_eq!(rake_share(p, "survey", xy), Some(50.0));
        assert_eq!(rake_share(p, "survey", other), None);
        assert_eq!(
            customers(p, "survey", Some(50.0)),
            None,
            "no value_at_stake"
        );
        kit.project.config.value_at_stake = Some(crate::project::value::ValueAtStake {
            nps: "nps".into(),
            nps_location: Location::file("cxscore.yaml"),
            dataset: "survey".into(),
            revenue: col("r", 1),
            churn: col("c", 1),
            churned: "yes".into(),
            customers: 16_000.0,
        });
        // 16 000 × 37.5 % = 6 000.
        assert_eq!(customers(&kit.project, "survey", Some(37.5)), Some(6000.0));
        assert_eq!(customers(&kit.project, "crm", Some(37.5)), None);
    }
}
