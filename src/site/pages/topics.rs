//! The Topics page (SPEC §7) and the persona pages' top topics.
//!
//! Input: the codebook's numbers compute published (`Computed.topics`,
//! `topic_groups`, `data.<dataset>.uncoded`). Output: per dataset, a table of
//! topics sorted by impact — the topics that cost the most NPS points first,
//! the question a client asks of a codebook — a table of the groups' roll-ups,
//! the codebook's coverage, and each topic's sampled comments. Only formats:
//! every share, test and impact is compute's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Built;
use crate::metrics::computed::{Computed, TopicResult};
use crate::metrics::periods::PeriodKey;
use crate::metrics::samples::PER_GROUP;
use crate::project::model::{Persona, Project};
use crate::site::format::{self, window_label};
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};
use crate::site::views::{change_arrow, sparkline};

/// Topics listed on a persona page.
pub const PERSONA_TOPICS: usize = 5;

/// One topic (or group) as a table row, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct TopicRow {
    /// The topic's name (plain text).
    pub name: String,
    /// The group it rolls up into, or "".
    pub group: String,
    /// Answered comments with the topic.
    pub mentions_text: String,
    /// "Mentions: 12", beside the topic's sampled comments.
    pub mentions_label: String,
    /// Weighted % of answered comments, or the dash when suppressed.
    pub share_text: String,
    /// Its Wilson interval, or the dash.
    pub ci_text: String,
    /// % among detractors' comments, or the dash.
    pub detractors_text: String,
    /// % among promoters' comments, or the dash.
    pub promoters_text: String,
    /// NPS points the topic adds (+) or costs (−), signed, or the dash.
    pub impact_text: String,
    /// The test's p-value.
    pub p_text: String,
    /// Its q-value (BH within the dataset's topics).
    pub q_text: String,
    /// Whether the difference is flagged.
    pub significant: bool,
    /// Whether a test was made (the row says "not significant" only then).
    pub tested: bool,
    /// "▲"/"▼" by the impact's sign when significant, else "".
    pub arrow: String,
    /// The share per period, or "" with fewer than two periods.
    pub sparkline_html: String,
    /// Sampled comments (plain text, autoescaped), when enough mention it.
    pub comments: Vec<String>,
    /// Why no comment is shown ("" when some are).
    pub comments_note: String,
}

/// One dataset's topics.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetTopics {
    /// The dataset id.
    pub id: String,
    /// "Dataset: survey".
    pub heading: String,
    /// The topics table's caption (its window and its order).
    pub caption: String,
    /// The groups table's caption.
    pub groups_caption: String,
    /// "120 comments (14.2%) carry no topic: the codebook's coverage", or "".
    pub coverage: String,
    /// Topics, most negative impact first.
    pub topics: Vec<TopicRow>,
    /// The groups' roll-ups, same order.
    pub groups: Vec<TopicRow>,
}

/// What `topics.html` receives.
#[derive(Debug, Clone, Serialize)]
struct TopicsView {
    /// "Reporting window: Dec 2025".
    window_text: String,
    /// What the columns mean.
    intro: String,
    /// How comments are sampled and masked.
    comments_note: String,
    /// How the flags are tested, for their tooltip.
    test_text: String,
    /// One entry per dataset with topics, by dataset id.
    datasets: Vec<DatasetTopics>,
}

/// The Topics page; only built when compute published topics.
pub fn page(r: &Renderer, project: &Project, computed: &Computed) -> Result<Built, RenderError> {
    let t = r.t;
    let min = project.config.min_n_comments;
    let view = TopicsView {
        window_text: t.fill(
            "reporting_window",
            &[("window", &window_label(&computed.project.window, t))],
        ),
        intro: t.get("topics_intro"),
        comments_note: t.fill(
            "topics_comments_note",
            &[
                ("k", &PER_GROUP.to_string()),
                ("min", &format::number(min as f64, 0)),
            ],
        ),
        test_text: t.get("topic_test"),
        datasets: datasets(computed, min, t),
    };
    r.page(Page::Topics, &t.get("topics"), &view)
}

/// Per dataset (by id): its topics and groups sorted by impact, its coverage.
pub fn datasets(computed: &Computed, min_n_comments: u64, t: &Catalog) -> Vec<DatasetTopics> {
    let mut by_dataset: BTreeMap<&str, (Vec<&TopicResult>, Vec<&TopicResult>)> = BTreeMap::new();
    for topic in &computed.topics {
        by_dataset.entry(&topic.dataset).or_default().0.push(topic);
    }
    for group in &computed.topic_groups {
        by_dataset.entry(&group.dataset).or_default().1.push(group);
    }
    let window = &computed.project.window;
    by_dataset
        .into_iter()
        .map(|(id, (topics, groups))| {
            // A dataset without dates has no window: its topics read every row.
            let dated = topics.iter().chain(&groups).any(|x| !x.periods.is_empty());
            let window_text = if dated {
                window_label(window, t)
            } else {
                t.get("window_all")
            };
            let span = |x: &TopicResult| {
                let inside = |p: &PeriodKey| {
                    window.kind != "all"
                        && matches!((window.from, window.to), (Some(a), Some(b)) if a <= *p && *p <= b)
                };
                let first = x.periods.iter().position(|p| inside(&p.period))?;
                let last = x.periods.iter().rposition(|p| inside(&p.period))?;
                Some((first, last))
            };
            let rows = |list: Vec<&TopicResult>| -> Vec<TopicRow> {
                by_impact(list)
                    .into_iter()
                    .map(|x| row(x, span(x), min_n_comments, t))
                    .collect()
            };
            let coverage = (computed.data.get(id))
                .and_then(|d| d.uncoded.as_ref())
                .map_or_else(String::new, |u| {
                    t.fill(
                        "topics_uncoded",
                        &[
                            ("count", &format::number(u.count as f64, 0)),
                            ("share", &format::maybe(u.share, 1)),
                        ],
                    )
                });
            let words = [("dataset", id), ("window", window_text.as_str())];
            DatasetTopics {
                id: id.to_string(),
                heading: t.fill("topics_dataset", &[("dataset", id)]),
                caption: t.fill("topics_caption", &words),
                groups_caption: t.fill("topic_groups_caption", &words),
                coverage,
                topics: rows(topics),
                groups: rows(groups),
            }
        })
        .collect()
}

/// Most negative impact first (what costs most points first); topics without
/// an impact last; ties keep the codebook's order (the sort is stable).
fn by_impact(mut list: Vec<&TopicResult>) -> Vec<&TopicResult> {
    list.sort_by(|a, b| {
        let key = |x: &TopicResult| x.impact.filter(|v| v.is_finite()).unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    list
}

fn row(x: &TopicResult, window: Option<(usize, usize)>, min: u64, t: &Catalog) -> TopicRow {
    let pct = |v: Option<f64>| format::maybe(v, 1);
    let by_group = x.by_group.as_ref();
    let significant = x.significant == Some(true);
    let shares: Vec<Option<f64>> = x.periods.iter().map(|p| p.share).collect();
    let title = t.fill(
        "topic_trend_title",
        &[("name", &x.name), ("dataset", &x.dataset)],
    );
    let shown = x.mentions >= min;
    let comments = if shown {
        x.comments.clone()
    } else {
        Vec::new()
    };
    let min_text = format::number(min as f64, 0);
    TopicRow {
        name: x.name.clone(),
        group: x.group.clone().unwrap_or_default(),
        mentions_text: format::number(x.mentions as f64, 0),
        mentions_label: t.fill(
            "topic_mentions",
            &[("n", &format::number(x.mentions as f64, 0))],
        ),
        share_text: pct(x.share),
        ci_text: format::interval(x.ci_low, x.ci_high, 1),
        detractors_text: pct(by_group.and_then(|g| g.detractors)),
        promoters_text: pct(by_group.and_then(|g| g.promoters)),
        impact_text: format::signed(x.impact, 1),
        p_text: format::p_value(x.p_value),
        q_text: format::p_value(x.q_value),
        significant,
        tested: x.significant.is_some(),
        arrow: change_arrow(x.impact, significant).into(),
        sparkline_html: sparkline(&shares, window, &title, 1, t),
        comments_note: match (shown, comments.is_empty()) {
            (false, _) => t.fill("topics_too_few", &[("min", &min_text)]),
            (true, true) => t.get("verbatims_none"),
            (true, false) => String::new(),
        },
        comments,
    }
}

/// A persona's top topics, as its page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonaTopicsView {
    /// The table's caption (names the window).
    pub caption: String,
    /// Up to [`PERSONA_TOPICS`] topics, largest share first.
    pub rows: Vec<PersonaTopicRow>,
    /// Why no topic is listed ("" when some are).
    pub note: String,
    /// Whether the persona's topics come from more than one dataset (the
    /// table then names each row's dataset).
    pub several_datasets: bool,
}

/// One of a persona's top topics.
#[derive(Debug, Clone, Serialize)]
pub struct PersonaTopicRow {
    /// The topic's name.
    pub name: String,
    /// The dataset whose comments it codes.
    pub dataset: String,
    /// Its share of the persona's answered comments.
    pub share_text: String,
    /// The persona's comments with it.
    pub mentions_text: String,
}

/// The persona's top topics by share (with mentions) over the datasets it
/// applies to, only where it left at least `min_n_comments` answered comments;
/// `None` when no topic codes its datasets.
pub fn persona_topics(
    computed: &Computed,
    p: &Persona,
    min_n_comments: u64,
    t: &Catalog,
) -> Option<PersonaTopicsView> {
    let entries: Vec<(&TopicResult, &crate::metrics::computed::TopicShare)> = (computed.topics)
        .iter()
        .filter_map(|x| Some((x, x.personas.iter().find(|s| s.key == p.id)?)))
        .collect();
    if entries.is_empty() {
        return None;
    }
    let mut top: Vec<_> = (entries.iter())
        .filter(|(_, s)| s.answered >= min_n_comments && s.mentions > 0)
        .filter_map(|(x, s)| Some((*x, *s, s.share.filter(|v| v.is_finite())?)))
        .collect();
    top.sort_by(|a, b| b.2.total_cmp(&a.2));
    top.truncate(PERSONA_TOPICS);
    let several_datasets = (top.iter()).any(|(x, _, _)| x.dataset != top[0].0.dataset);
    let note = if !top.is_empty() {
        String::new()
    } else if entries.iter().all(|(_, s)| s.answered < min_n_comments) {
        t.fill(
            "persona_topics_too_few",
            &[("min", &format::number(min_n_comments as f64, 0))],
        )
    } else {
        t.get("persona_topics_none")
    };
    Some(PersonaTopicsView {
        caption: t.fill(
            "persona_topics_caption",
            &[
                ("persona", &p.name),
                ("window", &window_label(&computed.project.window, t)),
            ],
        ),
        rows: (top.into_iter())
            .map(|(x, s, share)| PersonaTopicRow {
                name: x.name.clone(),
                dataset: x.dataset.clone(),
                share_text: format::number(share, 1),
                mentions_text: format::number(s.mentions as f64, 0),
            })
            .collect(),
        note,
        several_datasets,
    })
}

#[cfg(test)]
#[path = "topics_tests.rs"]
mod tests;
