//! Compute stage, key drivers: a dataset's finished pass in, each analysis'
//! published numbers out (SPEC §2, §8).
//!
//! It runs after every dataset is read, because an analysis' `window` ends at
//! the report's `as_of`, known only then. The pass kept each analysis' sums
//! per period (and per persona and period), so the window is applied here by
//! merging the sums of its periods in period order — the same numbers on
//! every run. `all` (and a dataset without dates) reads every row, the rows
//! without a date included.

use indexmap::IndexMap;

use super::computed::{BootstrapInfo, DriverAttribute, DriverPeriod, DriverPersona, DriverResult};
use super::drivers::bootstrap::{
    importance_intervals, intervals_digest, overlaps, Bootstrap, RowStore,
};
use super::drivers::penalty::{effects, Effects};
use super::drivers::sums::DriverSums;
use super::estimate::Settings;
use super::pass::{DatasetPass, DriverPass};
use super::quadrant;
use super::window::{Window, Windows};
use crate::cache::Cache;
use crate::project::model::{Driver, Metric, Project};
use crate::project::report::MultipleTesting;

/// The outcome's name: `label:`, else the first NPS indicator on the
/// outcome column of the dataset, else the column.
pub fn outcome_label(project: &Project, d: &Driver) -> String {
    d.label.clone().unwrap_or_else(|| {
        (project.indicators.iter())
            .find(|i| {
                matches!(i.metric, Metric::Nps)
                    && i.dataset.as_deref() == Some(d.dataset.as_str())
                    && i.column.as_ref().is_some_and(|c| c.name == d.outcome.name)
            })
            .map_or_else(|| d.outcome.name.clone(), |i| i.name.clone())
    })
}

/// Gives each attribute written with an empty label (`{ q_speed: "" }`) its
/// default: the column's SPSS variable label, else the column's name, so a
/// labelled SPSS file needs no label repeated in the YAML.
fn default_labels(project: &Project, d: &Driver, attributes: &mut [DriverAttribute]) {
    let dataset = project.config.datasets.get(&d.dataset);
    for a in attributes.iter_mut().filter(|a| a.label.trim().is_empty()) {
        a.label = dataset
            .and_then(|ds| crate::data::spss_source::variable_label(ds, &a.column))
            .unwrap_or_else(|| a.column.clone());
    }
}

/// The analyses of one finished pass, each into `out[index]`.
pub fn finish_drivers(
    project: &Project,
    pass: &DatasetPass<'_>,
    windows: &Windows,
    s: &Settings,
    cache: Option<&Cache>,
    out: &mut [Option<DriverResult>],
) {
    let bh = project.config.report.multiple_testing == MultipleTesting::Bh;
    let as_of = windows.as_of;
    for dp in &pass.drivers {
        let d = &project.config.drivers[dp.index];
        let window = if pass.is_dated() {
            Window::ending(d.window, as_of)
        } else {
            Window::ALL
        };
        let name = format!("{}/{}", d.dataset, d.outcome.name);
        let whole = in_window(&dp.acc, &dp.periods, &window);
        let part = Part {
            d,
            s,
            bh,
            rows: dp.rows.as_ref(),
            window: &window,
            cache,
        };
        let (mut attributes, bootstrap) = part.attributes(&whole, None, &name);
        default_labels(project, d, &mut attributes);
        let personas = (pass.personas.iter().enumerate())
            .map(|(i, p)| {
                let id = &project.personas[p.index].id;
                let sums = in_window(&dp.personas[i], &dp.persona_periods[i], &window);
                let (mut attributes, _) = part.attributes(&sums, Some(i), &format!("{name}/{id}"));
                default_labels(project, d, &mut attributes);
                let (mean_importance, mean_performance) = quadrant::attribute_means(&attributes);
                let st = sums.moments.finish();
                DriverPersona {
                    key: id.clone(),
                    n: st.n,
                    effective_n: sums.effective_n(),
                    r2: st.r2,
                    attributes,
                    mean_importance,
                    mean_performance,
                }
            })
            .collect();
        let st = whole.moments.finish();
        let (mean_importance, mean_performance) = quadrant::attribute_means(&attributes);
        out[dp.index] = Some(DriverResult {
            dataset: d.dataset.clone(),
            outcome: d.outcome.name.clone(),
            label: outcome_label(project, d),
            window: window.info(),
            n: st.n,
            effective_n: whole.effective_n(),
            r2: st.r2,
            attributes,
            mean_importance,
            mean_performance,
            bootstrap,
            periods: periods(d, dp, s),
            personas,
        });
    }
}

/// [`importance_intervals`], or the intervals a previous build computed
/// from the same rows and settings (the build cache's memo, keyed by
/// [`intervals_digest`]; an entry that does not decode is computed again
/// and replaced).
fn intervals(
    cache: Option<&Cache>,
    store: &RowStore,
    rows: &[usize],
    estimate: &[Option<f64>],
    total: u64,
    b: Bootstrap<'_>,
) -> Vec<Option<(f64, f64)>> {
    let Some(cache) = cache else {
        return importance_intervals(store, rows, estimate, total, b);
    };
    let digest = intervals_digest(store, rows, estimate, total, b);
    let stored = (cache.memo(&digest))
        .and_then(|bytes| postcard::from_bytes::<Vec<Option<(f64, f64)>>>(&bytes).ok());
    if let Some(iv) = stored {
        return iv;
    }
    let iv = importance_intervals(store, rows, estimate, total, b);
    if let Ok(bytes) = postcard::to_allocvec(&iv) {
        cache.put_memo(&digest, &bytes);
    }
    iv
}

/// An analysis that read nothing (its dataset could not be read).
pub fn empty_driver(project: &Project, d: &Driver, s: &Settings) -> DriverResult {
    let sums = DriverSums::new(d.attributes.len(), d.bands.is_some());
    let window = Window::ALL;
    let part = Part {
        d,
        s,
        bh: true,
        rows: None,
        window: &window,
        cache: None,
    };
    let (mut attributes, _) = part.attributes(&sums, None, "");
    default_labels(project, d, &mut attributes);
    DriverResult {
        dataset: d.dataset.clone(),
        outcome: d.outcome.name.clone(),
        label: outcome_label(project, d),
        window: window.info(),
        n: 0,
        effective_n: 0.0,
        r2: None,
        attributes,
        mean_importance: None,
        mean_performance: None,
        bootstrap: None,
        periods: Vec::new(),
        personas: Vec::new(),
    }
}

/// The sums of the window: every row for `all`, else the window's periods
/// merged in period order.
fn in_window(
    all: &DriverSums,
    periods: &std::collections::BTreeMap<super::periods::PeriodKey, DriverSums>,
    window: &Window,
) -> DriverSums {
    if window.takes_undated() {
        return all.clone();
    }
    let mut sums = all.empty_like();
    for (_, p) in periods.iter().filter(|(k, _)| window.contains(**k)) {
        sums.merge(p);
    }
    sums
}

/// Each period with effective n ≥ `min_n`: its n, R² and importances.
fn periods(d: &Driver, dp: &DriverPass, s: &Settings) -> Vec<DriverPeriod> {
    (dp.periods.iter())
        .filter(|(_, sums)| sums.effective_n() >= s.min_n && sums.effective_n() > 0.0)
        .map(|(k, sums)| {
            let st = sums.moments.finish();
            DriverPeriod {
                period: *k,
                n: st.n,
                effective_n: sums.effective_n(),
                r2: st.r2,
                importance: (d.attributes.iter().zip(&st.importance))
                    .map(|((c, _), v)| (c.name.clone(), *v))
                    .collect::<IndexMap<_, _>>(),
            }
        })
        .collect()
}

/// What finishing one set of sums (the analysis or a persona's) needs.
struct Part<'a> {
    d: &'a Driver,
    s: &'a Settings,
    bh: bool,
    rows: Option<&'a RowStore>,
    window: &'a Window,
    /// Where the intervals of unchanged rows are remembered.
    cache: Option<&'a Cache>,
}

impl Part<'_> {
    /// The attributes of `sums`, with the bootstrap over the kept rows of
    /// the window (and of persona `persona`, when given).
    fn attributes(
        &self,
        sums: &DriverSums,
        persona: Option<usize>,
        name: &str,
    ) -> (Vec<DriverAttribute>, Option<BootstrapInfo>) {
        let st = sums.moments.finish();
        let fx = effects(sums, self.s.min_n, self.s.confidence, self.bh).unwrap_or_default();
        let (intervals, info) = match (self.rows, self.d.bootstrap) {
            (Some(store), Some(replicates)) if persona.is_none_or(|i| i < 64) => {
                let rows: Vec<usize> = (0..store.len())
                    .filter(|&i| {
                        let m = store.meta(i);
                        let in_window = match m.period {
                            Some(k) => self.window.contains(k),
                            None => self.window.takes_undated(),
                        };
                        in_window && persona.is_none_or(|p| m.personas & (1 << p) != 0)
                    })
                    .collect();
                let b = Bootstrap {
                    replicates,
                    confidence: self.s.confidence,
                    name,
                };
                let iv = intervals(self.cache, store, &rows, &st.importance, st.n, b);
                let info = BootstrapInfo {
                    replicates,
                    rows: rows.len() as u64,
                    sampled: store.sampled(),
                };
                (iv, Some(info))
            }
            _ => (vec![None; st.importance.len()], None),
        };
        let close = overlaps(&intervals);
        let Effects {
            penalty,
            reward,
            class,
        } = fx;
        let at = |v: &[Option<f64>], i: usize| v.get(i).copied().flatten();
        let attributes = (self.d.attributes.iter().enumerate())
            .map(|(i, (c, label))| DriverAttribute {
                column: c.name.clone(),
                label: label.clone(),
                r: at(&st.r, i),
                importance: at(&st.importance, i),
                importance_ci_low: intervals.get(i).copied().flatten().map(|x| x.0),
                importance_ci_high: intervals.get(i).copied().flatten().map(|x| x.1),
                not_distinguishable_from: (close.get(i).into_iter().flatten())
                    .map(|&j| self.d.attributes[j].0.name.clone())
                    .collect(),
                performance: at(&st.performance, i),
                penalty: penalty.get(i).cloned().flatten(),
                reward: reward.get(i).cloned().flatten(),
                class: class.get(i).copied().flatten(),
            })
            .collect();
        (attributes, info)
    }
}
