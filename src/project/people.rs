//! Validation of `personas/*.yaml` and `journeys/*.yaml`.

use std::path::Path;

use super::checks::{check_id, IdRegistry};
use super::config::column;
use super::model::{Journey, Ladder, Persona, RowMatch, Stage, Touchpoint};
use super::raw::{RawJourney, RawPersona};
use super::yaml::location;
use crate::diag::Diagnostics;

/// Checks a raw persona.
pub fn validate_persona(file: &Path, raw: RawPersona, diags: &mut Diagnostics) -> Persona {
    check_id(file, &raw.id, "persona", diags);
    let matcher = match raw.matcher {
        Some(m) => RowMatch {
            column: column(file, &m.column),
            values: m
                .equals
                .value
                .0
                .iter()
                .map(|v| v.trim().to_string())
                .collect(),
        },
        None => {
            diags.error_hint(
                location(file, &raw.id),
                format!("persona `{}` has no `match`", raw.id.value),
                "say which data rows are theirs, e.g. `match: { column: persona, equals: new }`",
            );
            RowMatch {
                column: column(file, &raw.id),
                values: Vec::new(),
            }
        }
    };
    Persona {
        id: raw.id.value.clone(),
        name: raw.name,
        matcher,
        summary: raw.summary.unwrap_or_default(),
        profile: raw.profile.into_iter().map(|(k, v)| (k, v.0)).collect(),
        goals: raw.goals,
        pain_points: raw.pain_points,
        motivations: raw.motivations,
        ladder: raw.ladder.map(|l| Ladder {
            attribute: l.attribute,
            benefit: l.benefit,
            goal: l.goal,
            value: l.value,
        }),
        location: location(file, &raw.id),
    }
}

/// Checks a raw journey against the known personas and indicators.
pub fn validate_journey(
    file: &Path,
    raw: RawJourney,
    personas: &IdRegistry,
    indicators: &IdRegistry,
    diags: &mut Diagnostics,
) -> Journey {
    check_id(file, &raw.id, "journey", diags);
    for p in &raw.personas {
        personas.check_ref("persona", file, p, diags);
    }
    if raw.stages.is_empty() {
        diags.error_hint(
            location(file, &raw.id),
            format!("journey `{}` has no stages", raw.id.value),
            "list its stages in order under `stages:`",
        );
    }
    let mut stage_ids = IdRegistry::default();
    let mut touchpoint_ids = IdRegistry::default();
    let mut stages = Vec::new();
    for s in raw.stages {
        check_id(file, &s.id, "stage", diags);
        stage_ids.register("stage", &s.id.value, location(file, &s.id), diags);
        if let Some(e) = &s.emotion {
            if !(-2.0..=2.0).contains(&e.value) {
                diags.error_hint(
                    location(file, e),
                    format!(
                        "stage `{}` has emotion {}, outside −2..2",
                        s.id.value, e.value
                    ),
                    "use −2 (very negative) to 2 (very positive)",
                );
            }
        }
        let mut touchpoints = Vec::new();
        for t in s.touchpoints {
            check_id(file, &t.id, "touchpoint", diags);
            touchpoint_ids.register("touchpoint", &t.id.value, location(file, &t.id), diags);
            for i in &t.indicators {
                indicators.check_ref("indicator", file, i, diags);
            }
            touchpoints.push(Touchpoint {
                id: t.id.value,
                name: t.name,
                channel: t.channel,
                indicators: t.indicators.into_iter().map(|i| i.value).collect(),
                owner: t.owner,
                moment_of_truth: t.moment_of_truth,
                pain_points: t.pain_points,
                opportunities: t.opportunities,
            });
        }
        stages.push(Stage {
            id: s.id.value,
            name: s.name,
            goals: s.goals,
            behaviors: s.behaviors,
            thoughts: s.thoughts,
            emotion: s.emotion.map(|e| e.value),
            touchpoints,
        });
    }
    Journey {
        location: location(file, &raw.id),
        id: raw.id.value,
        name: raw.name,
        personas: raw.personas.into_iter().map(|p| p.value).collect(),
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::yaml::parse;

    #[test]
    fn profile_keeps_the_written_order_and_the_authors_labels() {
        // Written order is neither alphabetical (Zone < age) nor case-folded.
        let yaml = "id: p\nname: P\nmatch: { column: persona, equals: p }\n\
                    profile:\n  Zone: North\n  age: 25-34\n  Preferred channel: App\n  Age band: B\n";
        let file = Path::new("personas/p.yaml");
        let mut diags = Diagnostics::new();
        let raw: RawPersona = parse(file, yaml, &mut diags).expect("parses");
        let p = validate_persona(file, raw, &mut diags);
        assert!(diags.is_empty());
        let keys: Vec<&str> = p.profile.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["Zone", "age", "Preferred channel", "Age band"]);
        assert_eq!(p.profile[2].1, "App");
    }
}
