//! Persona pages (cards with their own scorecard) and journey maps.

use serde::Serialize;

use super::journey_grid::{chip, persona_rows, published, tally_view, Chip, PersonaRow, TallyView};
use super::topics::{persona_topics, PersonaTopicsView};
use super::window::aligned;
use super::Built;
use crate::charts::{self, CurvePoint, CurveView};
use crate::metrics::computed::Computed;
use crate::metrics::journey::stage_indicators;
use crate::project::model::{Journey, Ladder, Persona, Project, Touchpoint};
use crate::project::vocabulary::Vocabulary;
use crate::site::format::{self, decimals, window_label};
use crate::site::markdown::to_safe_html;
use crate::site::paths::Page;
use crate::site::render::{RenderError, Renderer};
use crate::site::timing;
use crate::site::verbatims::{self, VerbatimsView};
use crate::site::views::{
    card, chart_words, pairs, sparkline, window_span, ChartView, IndicatorCard, NavLink,
};

#[derive(Serialize)]
struct KeyValue {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct PersonaView {
    name: String,
    url: String,
    summary_html: String,
    profile: Vec<KeyValue>,
    goals: Vec<String>,
    pain_points: Vec<String>,
    motivations: Vec<String>,
    ladder: Option<Ladder>,
    match_note: String,
    /// Its share of each dataset's respondents on the window, in words.
    sizes: Vec<String>,
}

/// "24.3% of the survey's respondents" per dataset the persona is on.
fn size_texts(r: &Renderer, computed: &Computed, p: &Persona) -> Vec<String> {
    let window = window_label(&computed.project.window, r.t);
    (computed.persona_sizes.iter())
        .filter(|s| s.persona == p.id)
        .map(|s| {
            let share = match s.share {
                Some(v) => format!("{}%", format::number(v, 1)),
                None => format::maybe(None, 1),
            };
            let mut text = r.t.fill(
                "persona_size",
                &[
                    ("share", &share),
                    ("dataset", &s.dataset),
                    ("window", &window),
                ],
            );
            if let Some(b) = s.base_share {
                let base = format!("{}%", format::number(b, 1));
                text.push(' ');
                text.push_str(&r.t.fill("persona_base_share", &[("share", &base)]));
            }
            if let Some(c) = s.customers {
                text.push(' ');
                let n = format::number(c, 0);
                text.push_str(&r.t.fill("persona_customers", &[("customers", &n)]));
            }
            text
        })
        .collect()
}

fn persona_view(r: &Renderer, computed: &Computed, p: &Persona) -> PersonaView {
    PersonaView {
        sizes: size_texts(r, computed, p),
        name: p.name.clone(),
        url: Page::Persona(&p.id).path(),
        summary_html: to_safe_html(&p.summary),
        profile: p
            .profile
            .iter()
            .map(|(k, v)| KeyValue {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        goals: p.goals.clone(),
        pain_points: p.pain_points.clone(),
        motivations: p.motivations.clone(),
        ladder: p.ladder.clone(),
        match_note: r.t.fill(
            "matched_rows",
            &[
                ("column", &p.matcher.column.name),
                ("values", &p.matcher.values.join(" / ")),
            ],
        ),
    }
}

/// The list of personas.
pub fn personas_index(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
) -> Result<Built, RenderError> {
    let personas: Vec<PersonaView> = project
        .personas
        .iter()
        .map(|p| persona_view(r, computed, p))
        .collect();
    let view = PersonasView { personas };
    r.page(Page::Personas, &r.t.get("personas"), &view)
}

/// What `personas.html` receives.
#[derive(Serialize)]
struct PersonasView {
    /// Every persona's card.
    personas: Vec<PersonaView>,
}

/// What `persona.html` receives.
#[derive(Serialize)]
struct PersonaPageView {
    /// The card and ladder.
    persona: PersonaView,
    /// Every indicator computed on the persona's rows.
    indicators: Vec<IndicatorCard>,
    /// The persona's comment sample, when its datasets have comments.
    verbatims: Option<VerbatimsView>,
    /// The topics its comments carry most, when a topic codes its datasets.
    topics: Option<PersonaTopicsView>,
}

/// What `journey.html` receives.
#[derive(Serialize)]
struct JourneyPageView {
    /// The map.
    journey: JourneyView,
    /// The emotion curve, when any stage has an emotion.
    emotion_chart: Option<ChartView>,
    /// The score curve, when any stage has a score.
    score_chart: Option<ChartView>,
    /// The window the stage scores are for (their indicators' window).
    window_text: String,
    /// The persona × stage grid's rows, each with the persona's map.
    persona_rows: Vec<PersonaRow>,
}

/// One persona: the card, the ladder, and every indicator computed on their rows.
pub fn persona(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    p: &Persona,
) -> Result<Built, RenderError> {
    let period_word =
        r.t.get(&format!("period_word_{}", project.config.period.word()));
    let cards: Vec<_> = pairs(project, &computed.indicators)
        .filter_map(|(ind, res)| {
            let group = res.personas.iter().find(|g| g.key == p.id)?;
            let mut c = card(ind, res, &group.estimate, false, r.t);
            // The persona's own trend, on the indicator's periods (SPEC §6).
            let title = r.t.fill(
                "persona_trend_title",
                &[
                    ("name", &ind.name),
                    ("persona", &p.name),
                    ("period", &period_word),
                ],
            );
            let (values, window) = (aligned(res, group), window_span(res));
            c.sparkline_html = sparkline(&values, window, &title, decimals(&ind.metric), r.t);
            Some(c)
        })
        .collect();
    let sample = computed.verbatims.personas.get(&p.id);
    let view = PersonaPageView {
        persona: persona_view(r, computed, p),
        indicators: cards,
        verbatims: verbatims::view(
            sample,
            None,
            project.config.min_n_comments,
            window_label(&computed.project.window, r.t),
            r.t,
        ),
        topics: persona_topics(computed, p, project.config.min_n_comments, r.t),
    };
    r.page(Page::Persona(&p.id), &p.name, &view)
}

#[derive(Serialize)]
struct StageView {
    name: String,
    goals: Vec<String>,
    behaviors: Vec<String>,
    thoughts: Vec<String>,
    touchpoints: Vec<Touchpoint>,
    chips: Vec<Chip>,
    /// The stage's score against targets, with its statuses in words.
    tally: TallyView,
    emotion_text: String,
    /// The actions on this stage or one of its touchpoints (SPEC §10).
    actions: Vec<super::actions::StageAction>,
}

#[derive(Serialize)]
struct JourneyView {
    name: String,
    personas: Vec<NavLink>,
    stages: Vec<StageView>,
    /// Whether any stage has an action (the map gets an Actions row).
    has_actions: bool,
}

/// A journey map: stages as columns, rows of goals, behaviours, thoughts,
/// touchpoints and indicator statuses, with the emotion and score curves.
pub fn journey(
    r: &Renderer,
    project: &Project,
    computed: &Computed,
    j: &Journey,
) -> Result<Built, RenderError> {
    let t = r.t;
    let scored = computed.journeys.iter().find(|jr| jr.id == j.id);
    let mut scores = Vec::new();
    let stages: Vec<StageView> = j
        .stages
        .iter()
        .map(|s| {
            let chips = stage_indicators(s)
                .into_iter()
                .filter_map(|id| {
                    let (ind, res) =
                        pairs(project, &computed.indicators).find(|(i, _)| i.id == id)?;
                    Some(chip(ind, &res.estimate, t))
                })
                .collect();
            let tally = published(scored, s, None).cloned().unwrap_or_default();
            scores.push(CurvePoint {
                label: s.name.clone(),
                value: tally.score,
            });
            StageView {
                name: s.name.clone(),
                goals: s.goals.clone(),
                behaviors: s.behaviors.clone(),
                thoughts: s.thoughts.clone(),
                touchpoints: s.touchpoints.clone(),
                chips,
                tally: tally_view(&tally, t),
                emotion_text: format::maybe(s.emotion, 1),
                actions: super::actions::on_stage(project, computed, j, s, t),
            }
        })
        .collect();
    let emotion_points: Vec<CurvePoint> = j
        .stages
        .iter()
        .map(|s| CurvePoint {
            label: s.name.clone(),
            value: s.emotion,
        })
        .collect();
    let curve = |title_key: &str, points: Vec<CurvePoint>, range: (f64, f64), header: &str| {
        if points.iter().all(|p| p.value.is_none()) {
            return None;
        }
        let view = CurveView {
            title: t.fill(title_key, &[("name", &j.name)]),
            points,
            y_range: range,
            headers: [t.get("stage"), t.get(header)],
            words: chart_words("curve", t),
        };
        Some(ChartView {
            svg_html: timing::chart(|| charts::curve_svg(&view)),
            table: view.table(),
        })
    };
    let view = JourneyView {
        name: j.name.clone(),
        personas: j
            .personas
            .iter()
            .filter_map(|id| project.personas.iter().find(|p| &p.id == id))
            .map(|p| NavLink {
                name: p.name.clone(),
                url: Page::Persona(&p.id).path(),
            })
            .collect(),
        has_actions: stages.iter().any(|s| !s.actions.is_empty()),
        stages,
    };
    let page = JourneyPageView {
        journey: view,
        emotion_chart: curve("emotion_title", emotion_points, (-2.0, 2.0), "emotion"),
        score_chart: curve("score_title", scores, (0.0, 100.0), "score"),
        window_text: t.fill(
            "reporting_window",
            &[("window", &window_label(&computed.project.window, t))],
        ),
        persona_rows: persona_rows(project, computed, j, t),
    };
    r.page(Page::Journey(&j.id), &j.name, &page)
}
