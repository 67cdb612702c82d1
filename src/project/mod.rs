//! Load and validate stage: the project folder in, a checked [`model::Project`] out.
//!
//! Reading (this file) and checking (`config`, `indicators`, `people`) are
//! separate: files are read and parsed into the raw mirror (`raw`) through the
//! single YAML boundary (`yaml`), then every rule is checked and *all* problems
//! are recorded before the pipeline decides to stop.

pub mod actions;
pub mod brand;
mod checks;
mod config;
mod drivers;
pub mod fingerprint;
mod indicators;
pub(crate) mod lookups;
pub mod metric;
pub mod model;
mod pages;
pub mod paths;
mod people;
pub mod rake;
pub(crate) mod raw;
pub(crate) mod raw_lookup;
pub(crate) mod raw_values;
pub mod report;
pub(crate) mod sql_source;
pub mod statistic;
pub mod topic_match;
pub mod topics;
pub mod value;
pub mod vocabulary;
pub(crate) mod yaml;

use std::path::{Path, PathBuf};

use crate::diag::{display_path, Diagnostics, Location};
use checks::IdRegistry;
use model::Project;
use raw::{RawAction, RawConfig, RawIndicator, RawJourney, RawPersona, RawTopic};

pub use checks::is_valid_id;

/// Loads and validates the project at `root`.
///
/// Returns `None` only when nothing sensible can be built (no readable
/// `cxscore.yaml`); otherwise a best-effort project, with every problem in `diags`.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Project> {
    let Ok(root) = root.canonicalize() else {
        diags.error_hint(
            Location::file(root),
            "project folder not found",
            "pass the folder holding cxscore.yaml, e.g. `cxscore build example-project`",
        );
        return None;
    };
    let config_path = root.join(config::CONFIG_FILE);
    let text = read_text(&root, &config_path, diags).or_else(|| {
        if !config_path.exists() {
            diags.error_hint(
                Location::file(config::CONFIG_FILE),
                format!("no cxscore.yaml in {}", root.display()),
                "run `cxscore init DIR` for a new project, or pass the project folder",
            );
        }
        None
    })?;
    let raw_config: RawConfig = yaml::parse(Path::new(config::CONFIG_FILE), &text, diags)?;
    let mut config = config::validate_config(&root, raw_config, diags);

    let mut persona_ids = IdRegistry::default();
    let mut personas = Vec::new();
    for (file, raw) in read_all::<RawPersona>(&root, "personas", diags) {
        let at = yaml::location(&file, &raw.id);
        persona_ids.register("persona", &raw.id.value, at, diags);
        personas.push(people::validate_persona(&file, raw, diags));
    }
    personas.sort_by(|a, b| a.id.cmp(&b.id));

    let mut indicator_ids = IdRegistry::default();
    let mut indicators = Vec::new();
    if !root.join("indicators").is_dir() {
        diags.error_hint(
            Location::file("indicators/"),
            "the project has no indicators/ folder",
            "create indicators/ with at least one YAML file listing indicator definitions",
        );
    }
    for (file, list) in read_all::<Vec<RawIndicator>>(&root, "indicators", diags) {
        for raw in list {
            checks::check_id(&file, &raw.id, "indicator", diags);
            let at = yaml::location(&file, &raw.id);
            if !indicator_ids.register("indicator", &raw.id.value, at, diags) {
                continue;
            }
            if let Some(ind) = indicators::validate_indicator(&file, raw, &config.datasets, diags) {
                indicators.push(ind);
            }
        }
    }
    indicators::check_components(&indicators, &indicator_ids, diags);
    value::link(&mut config, &indicators, diags);

    let mut journey_ids = IdRegistry::default();
    let mut journeys = Vec::new();
    for (file, raw) in read_all::<RawJourney>(&root, "journeys", diags) {
        let at = yaml::location(&file, &raw.id);
        journey_ids.register("journey", &raw.id.value, at, diags);
        journeys.push(people::validate_journey(
            &file,
            raw,
            &persona_ids,
            &indicator_ids,
            diags,
        ));
    }
    journeys.sort_by(|a, b| a.id.cmp(&b.id));

    let mut topic_ids = IdRegistry::default();
    let mut topics = Vec::new();
    for (file, list) in read_all::<Vec<RawTopic>>(&root, "topics", diags) {
        let checked = topics::validate_topics(&file, list, &config.datasets, &mut topic_ids, diags);
        topics.extend(checked);
    }
    topics::check_repeated_keywords(&topics, diags);

    let pages = pages::load_pages(&root, diags);

    // Actions (SPEC §10) refer to indicators, journeys and datasets: last.
    let known = actions::Known {
        period: config.period,
        indicators: &indicators,
        indicator_ids: &indicator_ids,
        journeys: &journeys,
        datasets: &config.datasets,
    };
    let mut action_ids = IdRegistry::default();
    let mut actions = Vec::new();
    for (file, list) in read_all::<Vec<RawAction>>(&root, "actions", diags) {
        let checked = actions::validate_actions(&file, list, &known, &mut action_ids, diags);
        actions.extend(checked);
    }

    Some(Project {
        root,
        config,
        personas,
        journeys,
        indicators,
        topics,
        pages,
        actions,
    })
}

/// Reads a file as UTF-8 text, recording a located error when it cannot be.
fn read_text(root: &Path, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    let shown = display_path(root, path);
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(
                text.strip_prefix('\u{feff}')
                    .map(str::to_string)
                    .unwrap_or(text),
            ),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..offset]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                diags.error_hint(
                    Location::at(shown, line as u32, 0),
                    "the file is not valid UTF-8",
                    "save it as UTF-8 (definition files must be UTF-8)",
                );
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            diags.error(Location::file(shown), format!("cannot read the file: {e}"));
            None
        }
    }
}

/// Reads and parses every `*.yaml`/`*.yml` of `root/folder`, sorted by name,
/// paired with its display path.
fn read_all<T: serde::de::DeserializeOwned>(
    root: &Path,
    folder: &str,
    diags: &mut Diagnostics,
) -> Vec<(PathBuf, T)> {
    let mut out = Vec::new();
    for path in paths::list_files(&root.join(folder), &["yaml", "yml"]) {
        if paths::confined(root, &path).is_err() {
            diags.error_hint(
                Location::file(display_path(root, &path)),
                "the file links outside the project folder",
                "copy it into the project instead of linking to it",
            );
            continue;
        }
        let shown = display_path(root, &path);
        if let Some(text) = read_text(root, &path, diags) {
            if let Some(value) = yaml::parse(&shown, &text, diags) {
                out.push((shown, value));
            }
        }
    }
    out
}
