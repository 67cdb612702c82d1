//! Render stage: the "what customers say" block of indicator and persona pages.
//!
//! Input: one [`Sample`] from the engine (already masked and bounded) and
//! `min_n_comments`. Output: a [`VerbatimsView`] for `partials/verbatims.html`.
//! Comments are plain text: templates autoescape them, so a comment holding
//! `<script>` is shown as typed, never run.

use serde::Serialize;

use crate::metrics::samples::{Voices, GROUPS, PER_GROUP};
use crate::site::format::number;
use crate::site::i18n::Catalog;

/// One NPS group's comments.
#[derive(Debug, Clone, Serialize)]
pub struct VerbatimGroup {
    /// `promoter`, `passive` or `detractor`, for CSS classes.
    pub class: String,
    /// "Promoters"…, translated.
    pub label: String,
    /// "412 responses", translated.
    pub rows_text: String,
    /// The sampled comments (plain text, autoescaped by templates).
    pub comments: Vec<String>,
    /// Why no comment is shown ("" when some are).
    pub empty_note: String,
}

/// The block: a note on how the sample is drawn, and one entry per group.
#[derive(Debug, Clone, Serialize)]
pub struct VerbatimsView {
    /// How comments were chosen and masked.
    pub note: String,
    /// The window the comments are from ("Dec 2025"), as the numbers beside them.
    pub window: String,
    /// Promoters, passives, detractors.
    pub groups: Vec<VerbatimGroup>,
}

/// The view of a sample; `None` when no group has a row (nothing to say).
pub fn view(
    voices: Option<&Voices>,
    min_n_comments: u64,
    window: String,
    t: &Catalog,
) -> Option<VerbatimsView> {
    let sample = &voices?.groups;
    if sample.iter().all(|g| g.rows == 0) {
        return None;
    }
    let min_text = number(min_n_comments as f64, 0);
    let groups = GROUPS
        .iter()
        .zip(sample)
        .map(|(class, g)| {
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
                class: (*class).to_string(),
                label: t.get(&format!("{class}s")),
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
