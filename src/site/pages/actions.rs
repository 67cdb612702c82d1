//! The Actions and Owners pages (SPEC §10), and the actions shown on
//! indicator pages and journey maps.
//!
//! Input: the checked actions (titles, owners, places, Markdown) and what
//! compute published for them (`Computed.actions`: evaluations with their
//! tests, `overdue`). Output: the action register grouped by status then
//! owner; per owner, their indicators (red first), touchpoints and actions.
//! Only formats: every change, interval and test is compute's.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Built;
use crate::metrics::computed::{Computed, IndicatorResult, Status};
use crate::metrics::computed_actions::{ActionResult, Evaluation};
use crate::project::actions::{Action, ActionStatus};
use crate::project::model::{Direction, Journey, Project, Stage};
use crate::project::vocabulary::Vocabulary;
use crate::site::format::{self, decimals, period_label, window_words};
use crate::site::i18n::Catalog;
use crate::site::markdown::to_safe_html;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};
use crate::site::views::{change_arrow, status_icon, status_label, status_word};

/// The order statuses are listed in: what is being done first.
const STATUS_ORDER: [ActionStatus; 4] = [
    ActionStatus::InProgress,
    ActionStatus::Planned,
    ActionStatus::Done,
    ActionStatus::Dropped,
];

/// One action, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// The action's id (its anchor on the Actions page).
    pub id: String,
    /// What is done (plain text, autoescaped).
    pub title: String,
    /// Who is accountable, or the "no owner" words.
    pub owner: String,
    /// The status word, for the CSS class.
    pub status: String,
    /// The status in words.
    pub status_text: String,
    /// "Started Jun 2025".
    pub start_text: String,
    /// "Due Jul 2025", or "".
    pub due_text: String,
    /// Due before the report's `as_of` and still open.
    pub overdue: bool,
    /// Where on the journey ("Home broadband › Install › Engineer visit"), or "".
    pub place: String,
    /// The action's Markdown description, rendered and sanitised.
    pub description_html: String,
    /// "Not evaluated yet: …" when there are no evaluations, else "".
    pub evaluation_note: String,
    /// What the evaluation table compares ("3 months before Jun 2025 against up to 3 from it").
    pub evaluation_caption: String,
    /// With a control: which rows it is, in words; else "".
    pub control_text: String,
    /// One row per linked indicator.
    pub evaluations: Vec<EvaluationRow>,
    /// The link to the action on the Actions page.
    pub url: String,
}

/// One evaluation as a table row.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationRow {
    /// The indicator's name.
    pub indicator: String,
    /// The indicator page.
    pub url: String,
    /// Its value before, or the dash.
    pub before_text: String,
    /// Its value after, or the dash.
    pub after_text: String,
    /// The change, signed.
    pub change_text: String,
    /// "▲"/"▼" when significant.
    pub arrow: String,
    /// The change's interval.
    pub ci_text: String,
    /// The p-value.
    pub p_text: String,
    /// The q-value (family (h)).
    pub q_text: String,
    /// Flagged by the test.
    pub significant: bool,
    /// A test was made.
    pub tested: bool,
    /// "Met (hoped +5.0)", "Not met (hoped +5.0)", or "".
    pub met_text: String,
    /// Rows before and after ("120 → 131").
    pub n_text: String,
    /// With a control: its values before and after and its change, in words; else "".
    pub control_text: String,
}

/// The actions of one owner within a status.
#[derive(Debug, Clone, Serialize)]
struct OwnerGroup {
    owner: String,
    actions: Vec<ActionView>,
}

/// The actions of one status.
#[derive(Debug, Clone, Serialize)]
struct StatusGroup {
    status: String,
    title: String,
    owners: Vec<OwnerGroup>,
}

/// What `actions.html` receives.
#[derive(Debug, Clone, Serialize)]
struct ActionsView {
    intro: String,
    overdue_count: String,
    test_text: String,
    groups: Vec<StatusGroup>,
}

/// The Actions page; built when the project has actions.
pub fn page(r: &Renderer, project: &Project, computed: &Computed) -> Result<Built, RenderError> {
    let t = r.t;
    let views = all_views(project, computed, t);
    let overdue = views.iter().filter(|v| v.overdue).count();
    let mut groups = Vec::new();
    for status in STATUS_ORDER {
        let mut owners: BTreeMap<String, Vec<ActionView>> = BTreeMap::new();
        for v in views.iter().filter(|v| v.status == status.word()) {
            owners.entry(v.owner.clone()).or_default().push(v.clone());
        }
        if owners.is_empty() {
            continue;
        }
        groups.push(StatusGroup {
            status: status.word().to_string(),
            title: t.get(&format!("action_status_{}", status.word())),
            owners: owners
                .into_iter()
                .map(|(owner, actions)| OwnerGroup { owner, actions })
                .collect(),
        });
    }
    let view = ActionsView {
        intro: t.get("actions_intro"),
        overdue_count: if overdue > 0 {
            t.fill("actions_overdue_count", &[("n", &overdue.to_string())])
        } else {
            String::new()
        },
        test_text: t.get("action_test"),
        groups,
    };
    r.page(Page::Actions, &t.get("actions"), &view)
}

/// Every action of the project, formatted, in definition order.
pub fn all_views(project: &Project, computed: &Computed, t: &Catalog) -> Vec<ActionView> {
    (project.actions.iter().zip(&computed.actions))
        .map(|(a, res)| view(project, a, res, t))
        .collect()
}

/// The actions linked to an indicator, formatted (for its page).
pub fn of_indicator(
    project: &Project,
    computed: &Computed,
    id: &str,
    t: &Catalog,
) -> Vec<ActionView> {
    (project.actions.iter().zip(&computed.actions))
        .filter(|(a, _)| a.indicators.iter().any(|i| i == id))
        .map(|(a, res)| view(project, a, res, t))
        .collect()
}

/// An action on a journey map: on its touchpoint (or its stage).
#[derive(Debug, Clone, Serialize)]
pub struct StageAction {
    /// The action's title.
    pub title: String,
    /// Its entry on the Actions page.
    pub url: String,
    /// The touchpoint's name, or "" for an action on the whole stage.
    pub touchpoint: String,
    /// The status word (CSS class).
    pub status: String,
    /// The status in words.
    pub status_text: String,
    /// Due before `as_of` and still open.
    pub overdue: bool,
}

/// The actions placed on stage `s` of journey `j` (on the stage itself or
/// one of its touchpoints), in definition order.
pub fn on_stage(
    project: &Project,
    computed: &Computed,
    j: &Journey,
    s: &Stage,
    t: &Catalog,
) -> Vec<StageAction> {
    (project.actions.iter().zip(&computed.actions))
        .filter(|(a, _)| a.journey.as_deref() == Some(j.id.as_str()))
        .filter_map(|(a, res)| {
            let tp =
                (a.touchpoint.as_ref()).and_then(|id| s.touchpoints.iter().find(|x| &x.id == id));
            let on_stage = a.stage.as_deref() == Some(s.id.as_str());
            (tp.is_some() || (on_stage && a.touchpoint.is_none())).then(|| StageAction {
                title: a.title.clone(),
                url: format!("{}#action-{}", Page::Actions.path(), a.id),
                touchpoint: tp.map(|x| x.name.clone()).unwrap_or_default(),
                status: a.status.word().to_string(),
                status_text: t.get(&format!("action_status_{}", a.status.word())),
                overdue: res.overdue,
            })
        })
        .collect()
}

fn view(project: &Project, a: &Action, res: &ActionResult, t: &Catalog) -> ActionView {
    let evaluations: Vec<EvaluationRow> = (res.evaluations.iter())
        .map(|e| evaluation_row(project, e, t))
        .collect();
    let start = period_label(&res.start, t);
    let evaluation_note = if !res.evaluations.is_empty() {
        String::new()
    } else {
        t.fill("action_not_yet", &[("start", &start)])
    };
    let evaluation_caption = match res
        .evaluations
        .iter()
        .find_map(|e| e.before_periods.zip(e.after_periods))
    {
        Some((b, af)) => t.fill(
            "action_evaluation_caption",
            &[
                ("title", &a.title),
                (
                    "before",
                    &window_words("rolling", Some(b.from), Some(b.to), t),
                ),
                (
                    "after",
                    &window_words("rolling", Some(af.from), Some(af.to), t),
                ),
            ],
        ),
        None => t.fill("action_evaluation_caption_none", &[("title", &a.title)]),
    };
    ActionView {
        id: a.id.clone(),
        title: a.title.clone(),
        owner: a.owner.clone().unwrap_or_else(|| t.get("no_owner")),
        status: a.status.word().to_string(),
        status_text: t.get(&format!("action_status_{}", a.status.word())),
        start_text: t.fill("action_start", &[("period", &start)]),
        due_text: res
            .due
            .map(|d| t.fill("action_due", &[("period", &period_label(&d, t))]))
            .unwrap_or_default(),
        overdue: res.overdue,
        place: place(project, a),
        description_html: a
            .description
            .as_deref()
            .map(to_safe_html)
            .unwrap_or_default(),
        evaluation_note,
        evaluation_caption,
        control_text: (res.control.as_ref())
            .map(|c| {
                t.fill(
                    "action_control",
                    &[("column", &c.column), ("value", &c.equals)],
                )
            })
            .unwrap_or_default(),
        evaluations,
        url: format!("{}#action-{}", Page::Actions.path(), a.id),
    }
}

/// "Journey › Stage › Touchpoint" in names, as far as the action says.
fn place(project: &Project, a: &Action) -> String {
    let Some(j) = (a.journey.as_ref()).and_then(|id| project.journeys.iter().find(|j| &j.id == id))
    else {
        return String::new();
    };
    let mut parts = vec![j.name.clone()];
    let stage = (a.stage.as_ref()).and_then(|id| j.stages.iter().find(|s| &s.id == id));
    let tp_stage = (a.touchpoint.as_ref()).and_then(|id| {
        (j.stages.iter()).find_map(|s| s.touchpoints.iter().find(|x| &x.id == id).map(|x| (s, x)))
    });
    match (stage, tp_stage) {
        (_, Some((s, tp))) => {
            parts.push(s.name.clone());
            parts.push(tp.name.clone());
        }
        (Some(s), None) => parts.push(s.name.clone()),
        (None, None) => {}
    }
    parts.join(" › ")
}

fn evaluation_row(project: &Project, e: &Evaluation, t: &Catalog) -> EvaluationRow {
    let ind = project.indicators.iter().find(|i| i.id == e.indicator);
    let d = ind.map_or(1, |i| decimals(&i.metric));
    let significant = e.significant == Some(true);
    // The hope, signed in the indicator's better direction.
    let hoped = |x: f64| {
        let lower = ind.is_some_and(|i| i.direction == Direction::Lower);
        format::signed(Some(if lower { -x.abs() } else { x.abs() }), d)
    };
    let met_text = match (e.met, e.expected) {
        (Some(true), Some(x)) => t.fill("action_met", &[("expected", &hoped(x))]),
        (Some(false), Some(x)) => t.fill("action_not_met", &[("expected", &hoped(x))]),
        _ => String::new(),
    };
    EvaluationRow {
        indicator: ind.map_or_else(|| e.indicator.clone(), |i| i.name.clone()),
        url: Page::Indicator(&e.indicator).path(),
        before_text: format::maybe(e.before, d),
        after_text: format::maybe(e.after, d),
        change_text: format::signed(e.change, d),
        arrow: change_arrow(e.change, significant).to_string(),
        ci_text: format::interval(e.ci_low, e.ci_high, d),
        p_text: format::p_value(e.p_value),
        q_text: format::p_value(e.q_value),
        significant,
        tested: e.p_value.is_some(),
        met_text,
        control_text: (e.control.as_ref())
            .map(|c| {
                t.fill(
                    "action_control_values",
                    &[
                        ("before", &format::maybe(c.before, d)),
                        ("after", &format::maybe(c.after, d)),
                        ("change", &format::signed(c.change, d)),
                    ],
                )
            })
            .unwrap_or_default(),
        n_text: t.fill(
            "action_n",
            &[
                ("before", &format::number(e.before_n as f64, 0)),
                ("after", &format::number(e.after_n as f64, 0)),
            ],
        ),
    }
}

/// One indicator an owner answers for.
#[derive(Debug, Clone, Serialize)]
struct OwnedIndicator {
    name: String,
    url: String,
    value_text: String,
    status: String,
    status_label: String,
    status_icon: String,
}

/// One touchpoint an owner answers for.
#[derive(Debug, Clone, Serialize)]
struct OwnedTouchpoint {
    name: String,
    journey: String,
    url: String,
    moment_of_truth: bool,
}

/// One owner's share of the scorecard.
#[derive(Debug, Clone, Serialize)]
struct OwnerView {
    name: String,
    anchor: String,
    indicators: Vec<OwnedIndicator>,
    touchpoints: Vec<OwnedTouchpoint>,
    actions: Vec<ActionView>,
    indicators_caption: String,
    actions_caption: String,
}

/// What `owners.html` receives.
#[derive(Debug, Clone, Serialize)]
struct OwnersView {
    intro: String,
    owners: Vec<OwnerView>,
}

/// Whether any indicator, touchpoint or action names an owner (the Owners page is built then).
pub fn has_owners(project: &Project) -> bool {
    !owner_names(project).is_empty()
}

fn owner_names(project: &Project) -> BTreeSet<String> {
    let touchpoints = (project.journeys.iter())
        .flat_map(|j| &j.stages)
        .flat_map(|s| &s.touchpoints)
        .filter_map(|tp| tp.owner.clone());
    (project.indicators.iter().filter_map(|i| i.owner.clone()))
        .chain(project.actions.iter().filter_map(|a| a.owner.clone()))
        .chain(touchpoints)
        .collect()
}

/// Red first, then amber, green, without target, suppressed.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Red => 0,
        Status::Amber => 1,
        Status::Green => 2,
        Status::None => 3,
        Status::Suppressed => 4,
    }
}

/// The Owners page: each owner's indicators (red first), touchpoints and actions.
pub fn owners_page(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
) -> Result<Built, RenderError> {
    let t = r.t;
    let actions = all_views(project, computed, t);
    let owners = owner_names(project)
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut inds: Vec<(&IndicatorResult, OwnedIndicator)> = (project.indicators.iter())
                .zip(&computed.indicators)
                .filter(|(ind, _)| ind.owner.as_deref() == Some(name.as_str()))
                .map(|(ind, res)| {
                    (
                        res,
                        OwnedIndicator {
                            name: ind.name.clone(),
                            url: Page::Indicator(&ind.id).path(),
                            value_text: format::maybe(res.estimate.value, decimals(&ind.metric)),
                            status: status_word(res.estimate.status).to_string(),
                            status_label: status_label(res.estimate.status, t),
                            status_icon: status_icon(res.estimate.status).to_string(),
                        },
                    )
                })
                .collect();
            // Stable: definition order within a status.
            inds.sort_by_key(|(res, _)| status_rank(res.estimate.status));
            let touchpoints = (project.journeys.iter())
                .flat_map(|j| {
                    (j.stages.iter())
                        .flat_map(move |s| s.touchpoints.iter().map(move |tp| (j, s, tp)))
                })
                .filter(|(_, _, tp)| tp.owner.as_deref() == Some(name.as_str()))
                .map(|(j, s, tp)| OwnedTouchpoint {
                    name: tp.name.clone(),
                    journey: format!("{} › {}", j.name, s.name),
                    url: Page::Journey(&j.id).path(),
                    moment_of_truth: tp.moment_of_truth,
                })
                .collect();
            let mine: Vec<ActionView> = (project.actions.iter().zip(&actions))
                .filter(|(a, _)| a.owner.as_deref() == Some(name.as_str()))
                .map(|(_, v)| v.clone())
                .collect();
            OwnerView {
                indicators_caption: t.fill("owner_indicators_caption", &[("owner", &name)]),
                actions_caption: t.fill("owner_actions_caption", &[("owner", &name)]),
                anchor: format!("owner-{}", i + 1),
                name,
                indicators: inds.into_iter().map(|(_, v)| v).collect(),
                touchpoints,
                actions: mine,
            }
        })
        .collect();
    let view = OwnersView {
        intro: t.get("owners_intro"),
        owners,
    };
    r.page(Page::Owners, &t.get("owners"), &view)
}
