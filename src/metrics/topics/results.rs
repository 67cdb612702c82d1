//! Compute stage, after the pass: a dataset's topic tallies finished into
//! [`TopicResult`]s on the report window (SPEC §7).
//!
//! Input: the pass's per-period [`TopicSlot`]s, which periods the window
//! takes, and the project's settings. Output: per topic and per group its
//! mentions, weighted share with its Wilson interval, shares by NPS group,
//! NPS with and without it and their difference tested (family (e), BH),
//! impact, trend, shares per segment key and persona; and the dataset's
//! uncoded comments.

use std::collections::BTreeMap;

use super::pass::{CodeAcc, KeyAcc, TopicPass, TopicSlot};
use crate::metrics::acc::{Acc, Base, Cal};
use crate::metrics::computed::{
    Estimate, TopicByGroup, TopicPeriod, TopicResult, TopicShare, Uncoded,
};
use crate::metrics::estimate::{finish, Settings};
use crate::metrics::fdr::{adjust, flagged, p_value};
use crate::metrics::measure::Measure;
use crate::metrics::periods::PeriodKey;
use crate::metrics::samples::{TopTopic, Verbatims, TOP_TOPICS};
use crate::metrics::status::Goal;
use crate::project::model::{Metric, Project};

/// What a dataset's codebook produced.
pub struct DatasetTopics {
    /// One per topic, in codebook order.
    pub topics: Vec<TopicResult>,
    /// One per group, by name.
    pub groups: Vec<TopicResult>,
    /// Answered comments no topic codes.
    pub uncoded: Uncoded,
}

/// The names of what a pass's tallies are keyed by.
pub struct Keys<'a> {
    /// The dataset id.
    pub dataset: &'a str,
    /// Segment column names (parallel to the slots' segments).
    pub segments: Vec<String>,
    /// Persona ids (parallel to the slots' personas).
    pub personas: Vec<String>,
    /// Whether the dataset has an NPS indicator (`by_group` is null without one).
    pub has_nps: bool,
}

/// The weighted % `part` of `whole`, null when `whole`'s effective n is
/// below `min_n` or it has no weight.
fn share(part: f64, whole: &Base, s: &Settings) -> Option<f64> {
    (whole.sw > 0.0 && whole.effective_n() >= s.min_n).then(|| part / whole.sw * 100.0)
}

fn nps(acc: &CodeAcc, s: &Settings) -> Estimate {
    let measure = Measure::of(&Metric::Nps);
    finish(&acc.nps, &measure, Goal::NONE, s)
}

/// A topic's share as a proportion over the answered comments (y = 1 when
/// the comment carries the code): Σw²y = Σw²y² = the code's Σw², and, for a
/// raked dataset, the calibration sums U₀, V₀ of every answered comment and
/// U₁, V₁ of those with the code ([`crate::metrics::calibration`]) — so
/// [`finish`] gives it the design-based variance and Wilson interval every
/// weighted proportion gets (SPEC §11), and Part I's otherwise.
fn share_acc(code: &CodeAcc, all: &CodeAcc) -> Acc {
    let mut base = all.base;
    (base.sw2y, base.sw2yy) = (code.base.sw2, code.base.sw2);
    let cal = if all.cal.0.is_empty() {
        Cal::default()
    } else {
        let p = all.cal.0.len() / 4;
        let part = |c: &Cal, k: usize| -> Vec<f64> {
            (c.0.get(k * p..(k + 1) * p)).map_or_else(|| vec![0.0; p], <[f64]>::to_vec)
        };
        let (all, with) = (&all.cal, &code.cal);
        Cal([part(all, 0), part(with, 0), part(all, 2), part(with, 2)].concat())
    };
    Acc::Prop {
        base,
        w_hit: code.base.sw,
        cal,
    }
}

/// Finishes one dataset's tallies; `in_window` says which periods the
/// report window takes.
pub fn finish_topics(
    project: &Project,
    pass: &TopicPass,
    keys: &Keys<'_>,
    in_window: impl Fn(Option<PeriodKey>) -> bool,
    s: &Settings,
) -> DatasetTopics {
    let plan = &pass.plan;
    let mut slots: Vec<&TopicSlot> = pass.slots.iter().collect();
    slots.sort_by_key(|slot| slot.period);
    let window: Vec<&TopicSlot> = slots
        .iter()
        .copied()
        .filter(|x| in_window(x.period))
        .collect();
    // Window tallies, merged in period order (the same sum on every run).
    let mut all = CodeAcc::default();
    let mut codes = vec![CodeAcc::default(); plan.codes()];
    let mut uncoded = Base::default();
    let mut segments: Vec<BTreeMap<String, KeyAcc>> = vec![BTreeMap::new(); keys.segments.len()];
    let mut personas = vec![KeyAcc::default(); keys.personas.len()];
    let mut samples = vec![crate::metrics::samples::GroupSample::default(); plan.codes()];
    for slot in &window {
        all.merge(&slot.all);
        for (a, b) in codes.iter_mut().zip(&slot.codes) {
            a.merge(b);
        }
        uncoded.merge(&slot.uncoded);
        for (a, b) in segments.iter_mut().zip(&slot.segments) {
            for (k, acc) in b {
                a.entry(k.clone()).or_default().merge(acc);
            }
        }
        for (a, b) in personas.iter_mut().zip(&slot.personas) {
            a.merge(b);
        }
        for (a, b) in samples.iter_mut().zip(&slot.samples) {
            a.merge(b);
        }
    }
    let nps_all = nps(&all, s);
    let share_measure = Measure::Share { values: Vec::new() };
    let result = |c: usize| -> TopicResult {
        let code = &codes[c];
        let (id, name, group) = match plan.topics.get(c) {
            Some(&t) => {
                let t = &project.topics[t];
                (t.id.clone(), t.name.clone(), t.group.clone())
            }
            None => {
                let g = plan.groups[c - plan.topics.len()].clone();
                (g.clone(), g, None)
            }
        };
        let shared = finish(&share_acc(code, &all), &share_measure, Goal::NONE, s);
        let by_group = keys.has_nps.then(|| {
            let of = |g: usize| share(code.by_group[g].sw, &all.by_group[g], s);
            TopicByGroup {
                promoters: of(0),
                passives: of(1),
                detractors: of(2),
            }
        });
        let mut without = all.nps.clone();
        without.subtract(&code.nps);
        let with = nps(code, s);
        let without = finish(&without, &Measure::of(&Metric::Nps), Goal::NONE, s);
        let difference = with.value.zip(without.value).map(|(a, b)| a - b);
        let difference_se = (with.variance.zip(without.variance))
            .filter(|_| difference.is_some())
            .map(|(a, b)| (a + b).max(0.0).sqrt());
        let periods = (slots.iter())
            .filter_map(|slot| {
                let period = slot.period?;
                (slot.all.base.n > 0).then(|| TopicPeriod {
                    period,
                    answered: slot.all.base.n,
                    mentions: slot.codes[c].base.n,
                    share: share(slot.codes[c].base.sw, &slot.all.base, s),
                })
            })
            .collect();
        let key_share = |key: &str, acc: &KeyAcc| TopicShare {
            key: key.to_string(),
            answered: acc.all.n,
            mentions: acc.code(c).n,
            share: share(acc.code(c).sw, &acc.all, s),
        };
        TopicResult {
            id,
            name,
            group,
            dataset: keys.dataset.to_string(),
            mentions: code.base.n,
            answered: all.base.n,
            share: shared.value,
            ci_low: shared.ci_low,
            ci_high: shared.ci_high,
            se: shared.se,
            by_group,
            nps_with: with.value,
            nps_without: without.value,
            difference,
            difference_se,
            p_value: p_value(&without, &with, false),
            q_value: None,
            significant: None,
            impact: nps_all.value.zip(without.value).map(|(a, b)| a - b),
            periods,
            segments: (keys.segments.iter().zip(&segments))
                .map(|(name, map)| {
                    let shares = map.iter().map(|(k, acc)| key_share(k, acc)).collect();
                    (name.clone(), shares)
                })
                .collect(),
            personas: (keys.personas.iter().zip(&personas))
                .map(|(id, acc)| key_share(id, acc))
                .collect(),
            comments: samples[c].comments().map(str::to_string).collect(),
        }
    };
    let mut topics: Vec<TopicResult> = (0..plan.topics.len()).map(result).collect();
    let mut groups: Vec<TopicResult> = (plan.topics.len()..plan.codes()).map(result).collect();
    let bh = project.config.report.multiple_testing == crate::project::report::MultipleTesting::Bh;
    adjust_family(&mut topics, bh, s.confidence);
    adjust_family(&mut groups, bh, s.confidence);
    DatasetTopics {
        topics,
        groups,
        uncoded: Uncoded {
            count: uncoded.n,
            share: share(uncoded.sw, &all.base, s),
        },
    }
}

/// Family (e): the q-values of a dataset's topics (or of its groups) and
/// their flags (q ≤ 1 − confidence; topics have no `min_change`).
fn adjust_family(results: &mut [TopicResult], bh: bool, confidence: f64) {
    let p: Vec<Option<f64>> = results.iter().map(|r| r.p_value).collect();
    for (r, q) in results.iter_mut().zip(adjust(&p, bh)) {
        r.q_value = q;
        r.significant = flagged(q, r.difference, confidence, 0.0);
    }
}

/// Names each page's groups' top topics: the [`TOP_TOPICS`] topics with the
/// largest weighted share of the group's answered comments (ties by
/// codebook order), none for a group without comments.
pub fn rank_top_topics(verbatims: &mut Verbatims, project: &Project) {
    for voices in (verbatims.indicators.values_mut()).chain(verbatims.personas.values_mut()) {
        for (g, top) in voices.groups.iter().zip(voices.top_topics.iter_mut()) {
            let mut ranked: Vec<(usize, f64)> = (g.topic_w.iter().copied().enumerate())
                .filter(|&(_, w)| w > 0.0 && g.comments_w > 0.0)
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            *top = (ranked.into_iter().take(TOP_TOPICS))
                .filter_map(|(i, w)| {
                    let t = project.topics.get(i)?;
                    Some(TopTopic {
                        id: t.id.clone(),
                        name: t.name.clone(),
                        share: w / g.comments_w * 100.0,
                    })
                })
                .collect();
        }
    }
}
