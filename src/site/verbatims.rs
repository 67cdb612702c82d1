//! Render stage: the "what customers say" block of indicator and persona pages.
//!
//! Input: one page's [`Voices`] from the engine (already masked and bounded),
//! the page's metric and `min_n_comments`. Output: a [`VerbatimsView`] for
//! `partials/verbatims.html`. The groups are the page's own metric's (SPEC §7:
//! promoters / passives / detractors, in the box or not, low or high effort,
//! top or bottom third), labelled here from [`VoiceSplit`] so a CSAT page never
//! speaks of promoters. Comments are plain text: templates autoescape them, so
//! a comment holding `<script>` is shown as typed, never run.

use serde::Serialize;

use crate::metrics::samples::{TopTopic, VoiceSplit, Voices, PER_GROUP};
use crate::project::metric::{Measure, Metric};
use crate::project::model::Range;
use crate::site::format::number;
use crate::site::i18n::Catalog;

/// One group's comments.
#[derive(Debug, Clone, Serialize)]
pub struct VerbatimGroup {
    /// For CSS classes (`vg-…`): `promoter`, `passive`, `detractor` for NPS;
    /// `in-box`, `out-box`, `low-effort`, `high-effort`, `top-third`,
    /// `bottom-third` or `all` otherwise.
    pub class: String,
    /// "Promoters", "In the box (4–5)"…, translated.
    pub label: String,
    /// "412 responses", translated.
    pub rows_text: String,
    /// The sampled comments (plain text, autoescaped by templates).
    pub comments: Vec<String>,
    /// Why no comment is shown ("" when some are).
    pub empty_note: String,
    /// The topics most of the group's comments carry, largest share first;
    /// empty when the group is too small to show (as its comments).
    pub topics: Vec<TopTopicView>,
}

/// A topic among a group's comments, as the block lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TopTopicView {
    /// The topic's name (plain text).
    pub name: String,
    /// Its share of the group's answered comments ("23%").
    pub share_text: String,
}

/// The block: a note on how the sample is drawn, and one entry per group.
#[derive(Debug, Clone, Serialize)]
pub struct VerbatimsView {
    /// How comments were chosen and masked.
    pub note: String,
    /// The window the comments are from ("Dec 2025"), as the numbers beside them.
    pub window: String,
    /// The groups of the page's own metric, in display order.
    pub groups: Vec<VerbatimGroup>,
}

/// The view of a page's voices; `None` when no group has a row (nothing to
/// say). `metric` is the page's indicator's (its box names the boxed
/// groups); persona pages, split by NPS, pass `None`.
pub fn view(
    voices: Option<&Voices>,
    metric: Option<&Metric>,
    min_n_comments: u64,
    window: String,
    t: &Catalog,
) -> Option<VerbatimsView> {
    let voices = voices?;
    if voices.groups.iter().all(|g| g.rows == 0) {
        return None;
    }
    let min_text = number(min_n_comments as f64, 0);
    let groups = group_words(voices.split, metric, t)
        .into_iter()
        .map(|(i, class, label)| {
            let g = &voices.groups[i];
            let shown = g.rows >= min_n_comments;
            let comments: Vec<String> = if shown {
                g.comments().map(str::to_string).collect()
            } else {
                Vec::new()
            };
            let empty_note = match (shown, comments.is_empty()) {
                (false, _) => t.fill("verbatims_too_few", &[("min", &min_text)]),
                (true, true) => t.get("verbatims_none"),
                (true, false) => String::new(),
            };
            VerbatimGroup {
                class: class.to_string(),
                label,
                // "1 response", "5 responses": the catalog has a singular form.
                rows_text: t.fill(
                    if g.rows == 1 {
                        "verbatims_rows_one"
                    } else {
                        "verbatims_rows"
                    },
                    &[("n", &number(g.rows as f64, 0))],
                ),
                comments,
                empty_note,
                topics: if shown {
                    top_topics(&voices.top_topics[i])
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Some(VerbatimsView {
        note: t.fill(
            "verbatims_note",
            &[("k", &PER_GROUP.to_string()), ("min", &min_text)],
        ),
        window,
        groups,
    })
}

/// A group's top topics, as compute ranked them.
fn top_topics(topics: &[TopTopic]) -> Vec<TopTopicView> {
    topics
        .iter()
        .map(|tt| TopTopicView {
            name: tt.name.clone(),
            share_text: format!("{}%", number(tt.share, 0)),
        })
        .collect()
}

/// The groups shown for `split`: (index into the sample, CSS class, label).
/// Group 1 exists for NPS only (passives); `All` has group 0 alone.
fn group_words(
    split: VoiceSplit,
    metric: Option<&Metric>,
    t: &Catalog,
) -> Vec<(usize, &'static str, String)> {
    match split {
        VoiceSplit::Nps => vec![
            (0, "promoter", t.get("promoters")),
            (1, "passive", t.get("passives")),
            (2, "detractor", t.get("detractors")),
        ],
        VoiceSplit::Boxed => {
            let inside = match metric.and_then(box_text) {
                Some(b) => t.fill("voices_in_box", &[("box", &b)]),
                None => t.get("voices_in_box_plain"),
            };
            vec![
                (0, "in-box", inside),
                (2, "out-box", t.get("voices_out_box")),
            ]
        }
        VoiceSplit::Effort => vec![
            (0, "low-effort", t.get("voices_low_effort")),
            (2, "high-effort", t.get("voices_high_effort")),
        ],
        VoiceSplit::Thirds { top, bottom } => vec![
            (
                0,
                "top-third",
                t.fill("voices_top_third", &[("value", &bound(top))]),
            ),
            (
                2,
                "bottom-third",
                t.fill("voices_bottom_third", &[("value", &bound(bottom))]),
            ),
        ],
        VoiceSplit::All => vec![(0, "all", t.get("voices_all"))],
    }
}

/// The box a boxed metric counts, in the definition's terms: "4–5" (a
/// numeric box), "5" (one point), "yes / y" (a share's values); `None` for a
/// metric without one.
pub fn box_text(metric: &Metric) -> Option<String> {
    match metric.measure() {
        Measure::Boxed { hit, .. } => Some(range_text(hit)),
        Measure::Share { values } if !values.is_empty() => Some(values.join(" / ")),
        Measure::Net { .. }
        | Measure::Share { .. }
        | Measure::Mean { .. }
        | Measure::Percentile { .. }
        | Measure::Gap { .. }
        | Measure::Count
        | Measure::Composite => None,
    }
}

fn range_text(r: Range) -> String {
    if r.lo == r.hi {
        bound(r.lo)
    } else {
        format!("{}–{}", bound(r.lo), bound(r.hi))
    }
}

/// A scale point with the decimals it needs (at most two): `5`, `2.5`, `3.67`.
fn bound(v: f64) -> String {
    let whole = |x: f64| (x - x.round()).abs() < 1e-9;
    let decimals = if whole(v) {
        0
    } else if whole(v * 10.0) {
        1
    } else {
        2
    };
    number(v, decimals)
}

#[cfg(test)]
#[path = "verbatims_tests.rs"]
pub(crate) mod tests;
