//! "What changed" (`whats-changed.html`) and the since-baseline line on tiles.
//!
//! Input: the [`Changes`] of a baseline comparison. Output: the page, and a
//! [`SinceView`] per indicator for the scorecard's tiles. Like every view,
//! numbers are rounded and words translated here; the template only lays out.

use serde::Serialize;

use super::Built;
use crate::baseline::{ChangeKind, Changes, IndicatorChange};
use crate::metrics::computed::Status;
use crate::project::model::Project;
use crate::project::vocabulary::Vocabulary;
use crate::site::format::{self, decimals};
use crate::site::i18n::Catalog;
use crate::site::paths::{Page, CHANGES_JSON};
use crate::site::render::{RenderError, Renderer};
use crate::site::views::{status_label, SinceView};

/// The page's path in the site.

#[derive(Serialize)]
struct Row {
    name: String,
    url: String,
    kind: &'static str,
    kind_label: String,
    before_text: String,
    after_text: String,
    delta_text: String,
    significant_text: String,
    significant_flag: bool,
    status_before: String,
    status_after: String,
    target_changed: bool,
}

/// An indicator with revised periods: "Nov 2025: 30.1 → 30.4; …".
#[derive(Serialize)]
struct RevisedIndicator {
    name: String,
    url: String,
    periods_text: String,
}

#[derive(Serialize)]
struct Removed {
    id: String,
    name: String,
    value_text: String,
}

fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Same => "same",
        ChangeKind::Unverified => "unverified",
        ChangeKind::Redefined => "redefined",
        ChangeKind::Added => "added",
    }
}

/// Decimals of the indicator `id` (one when it is no longer defined).
fn places(project: &Project, id: &str) -> usize {
    project
        .indicators
        .iter()
        .find(|i| i.id == id)
        .map_or(1, |i| decimals(&i.metric))
}

fn significance_text(c: &IndicatorChange, t: &Catalog) -> String {
    if c.revised && c.delta.is_some() {
        // The two values' windows share periods: a revision, never a test.
        return t.get("revised_no_test");
    }
    match c.significant {
        Some(true) => t.get("significant"),
        Some(false) => t.get("not_significant"),
        None if c.delta.is_some() => t.get("no_test"),
        None => String::new(),
    }
}

/// The baseline's status in words; a word this release does not know is shown as written.
fn old_status(word: &str, t: &Catalog) -> String {
    match Status::from_word(word) {
        Some(status) => status_label(status, t),
        None if word.is_empty() => format::NO_VALUE.into(),
        None => word.into(),
    }
}

/// The since-baseline line of an indicator's tile.
pub fn since(project: &Project, c: &IndicatorChange, t: &Catalog) -> SinceView {
    let d = places(project, &c.id);
    let text = match c.kind {
        ChangeKind::Added => t.get("since_added"),
        ChangeKind::Redefined => t.get("since_redefined"),
        ChangeKind::Same | ChangeKind::Unverified => match c.delta {
            Some(delta) => t.fill("since_delta", &[("delta", &format::signed(Some(delta), d))]),
            None => t.fill("since_delta", &[("delta", format::NO_VALUE)]),
        },
    };
    SinceView {
        text,
        significance: significance_text(c, t),
        significant: c.significant == Some(true),
        kind: kind_word(c.kind).into(),
    }
}

/// The one-line summary shown on the scorecard and atop the page.
pub fn summary(changes: &Changes, t: &Catalog) -> String {
    let count = |k: ChangeKind| changes.indicators.iter().filter(|c| c.kind == k).count();
    let significant = changes
        .indicators
        .iter()
        .filter(|c| c.significant == Some(true))
        .count();
    t.fill(
        "whats_changed_link",
        &[
            ("significant", &significant.to_string()),
            ("added", &count(ChangeKind::Added).to_string()),
            ("redefined", &count(ChangeKind::Redefined).to_string()),
            ("removed", &changes.removed.len().to_string()),
        ],
    )
}

/// The "What changed" page.
pub fn page(r: &Renderer, project: &Project, changes: &Changes) -> Result<Built, RenderError> {
    let t = r.t;
    let rows: Vec<Row> = changes
        .indicators
        .iter()
        .map(|c| {
            let d = places(project, &c.id);
            Row {
                name: c.name.clone(),
                url: Page::Indicator(&c.id).path(),
                kind: kind_word(c.kind),
                kind_label: t.get(&format!("change_kind_{}", kind_word(c.kind))),
                before_text: format::maybe(c.before, d),
                after_text: format::maybe(c.after, d),
                delta_text: format::signed(c.delta, d),
                significant_text: significance_text(c, t),
                significant_flag: c.significant == Some(true),
                status_before: old_status(&c.status_before, t),
                status_after: status_label(c.status_after, t),
                target_changed: c.target_changed,
            }
        })
        .collect();
    let revisions: Vec<RevisedIndicator> = (changes.indicators.iter())
        .filter(|c| !c.revisions.is_empty())
        .map(|c| {
            let d = places(project, &c.id);
            RevisedIndicator {
                name: c.name.clone(),
                url: Page::Indicator(&c.id).path(),
                periods_text: (c.revisions.iter())
                    .map(|v| {
                        t.fill(
                            "revised_period",
                            &[
                                ("period", &format::period_label(&v.period, t)),
                                ("before", &format::maybe(v.before, d)),
                                ("after", &format::maybe(v.after, d)),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        })
        .collect();
    let removed: Vec<Removed> = changes
        .removed
        .iter()
        .map(|r| Removed {
            id: r.id.clone(),
            name: r.name.clone(),
            value_text: format::maybe(r.value, 1),
        })
        .collect();
    let confidence = format!("{} %", format::number(changes.confidence * 100.0, 0));
    let version = if changes.baseline_version.is_empty() {
        format::NO_VALUE
    } else {
        &changes.baseline_version
    };
    let intro = t.fill(
        "whats_changed_intro",
        &[
            ("baseline", &changes.baseline),
            ("version", version),
            ("confidence", &confidence),
        ],
    );
    let view = ChangesView {
        rows,
        revisions,
        removed,
        summary: summary(changes, t),
        intro,
    };
    r.page(Page::WhatsChanged, &t.get("whats_changed"), &view)
}

/// What `whats-changed.html` receives.
#[derive(Serialize)]
struct ChangesView {
    /// One row per indicator of this run.
    rows: Vec<Row>,
    /// Indicators whose earlier periods changed value (late answers, corrections).
    revisions: Vec<RevisedIndicator>,
    /// Indicators of the baseline that are gone.
    removed: Vec<Removed>,
    /// The comparison in one line.
    summary: String,
    /// Which baseline, from which version, at which confidence.
    intro: String,
}

/// `changes.json`: the comparison for machines (a CI job on each data drop publishes it).
pub fn json(changes: &Changes) -> Result<Built, RenderError> {
    let mut bytes = serde_json::to_vec_pretty(changes)
        .map_err(|e| RenderError::new(CHANGES_JSON, e.to_string()))?;
    bytes.push(b'\n');
    Ok((CHANGES_JSON.into(), bytes))
}
