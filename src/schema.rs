//! `cxscore schema`: JSON Schema of every YAML file of a project, for editors.
//!
//! Generated with schemars from the raw serde mirror (`project::raw`) — the
//! very types the loader deserialises — so the schema cannot drift from what
//! cxscore accepts: unknown keys are `additionalProperties: false` because the
//! mirror is `deny_unknown_fields`. The mirror reads enumerated settings as
//! strings (so the validator can report all bad values at once, with hints);
//! the schema adds their allowed values here so editors can complete them.

use std::io;
use std::path::{Path, PathBuf};

use schemars::{generate::SchemaSettings, JsonSchema, Schema};
use serde_json::{json, Value};

use crate::project::actions::ActionStatus;
use crate::project::metric::{CesMode, MetricName};
use crate::project::model::{
    BadRows, Dimension, Direction, Encoding, Kind, Language, NpsInterval, Period,
};
use crate::project::raw::{RawAction, RawConfig, RawIndicator, RawJourney, RawPersona, RawTopic};
use crate::project::report::{Comparison, MultipleTesting};
use crate::project::vocabulary::Vocabulary;

/// Where `init` puts the schemas inside a project, and where `schema` writes by default.
pub const SCHEMA_DIR: &str = ".cxscore/schema";

/// Which project files a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// `cxscore.yaml`.
    Config,
    /// `personas/*.yaml`.
    Persona,
    /// `journeys/*.yaml`.
    Journey,
    /// `indicators/*.yaml` (a list).
    Indicators,
    /// `topics/*.yaml` (a list): the codebook.
    Topics,
    /// `actions/*.yaml` (a list): the changes made to close the loop.
    Actions,
}

impl SchemaKind {
    /// Every kind, in the order they are written.
    pub const ALL: [SchemaKind; 6] = [
        SchemaKind::Config,
        SchemaKind::Persona,
        SchemaKind::Journey,
        SchemaKind::Indicators,
        SchemaKind::Topics,
        SchemaKind::Actions,
    ];

    /// The schema's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Config => "cxscore.schema.json",
            SchemaKind::Persona => "persona.schema.json",
            SchemaKind::Journey => "journey.schema.json",
            SchemaKind::Indicators => "indicators.schema.json",
            SchemaKind::Topics => "topics.schema.json",
            SchemaKind::Actions => "actions.schema.json",
        }
    }

    /// The project folder whose `*.yaml` files it describes (`None`: `cxscore.yaml` itself).
    pub fn folder(self) -> Option<&'static str> {
        match self {
            SchemaKind::Config => None,
            SchemaKind::Persona => Some("personas"),
            SchemaKind::Journey => Some("journeys"),
            SchemaKind::Indicators => Some("indicators"),
            SchemaKind::Topics => Some("topics"),
            SchemaKind::Actions => Some("actions"),
        }
    }

    /// The kind of a project file, by its path relative to the project root.
    pub fn of(relative: &Path) -> Option<SchemaKind> {
        let mut parts = relative.components().map(|c| c.as_os_str().to_str());
        let first = parts.next()??;
        let rest = parts.next();
        match (first, rest) {
            ("cxscore.yaml", None) => Some(SchemaKind::Config),
            (folder, Some(Some(_))) => Self::ALL.into_iter().find(|k| k.folder() == Some(folder)),
            _ => None,
        }
    }

    /// The schema as a JSON value.
    pub fn schema(self) -> Value {
        let (title, root, mut schema) = match self {
            SchemaKind::Config => ("cxscore.yaml", "RawConfig", generate::<RawConfig>()),
            SchemaKind::Persona => (
                "cxscore persona (personas/*.yaml)",
                "RawPersona",
                generate::<RawPersona>(),
            ),
            SchemaKind::Journey => (
                "cxscore journey (journeys/*.yaml)",
                "RawJourney",
                generate::<RawJourney>(),
            ),
            SchemaKind::Indicators => (
                "cxscore indicators (indicators/*.yaml)",
                "",
                generate::<Vec<RawIndicator>>(),
            ),
            SchemaKind::Topics => (
                "cxscore topics (topics/*.yaml)",
                "",
                generate::<Vec<RawTopic>>(),
            ),
            SchemaKind::Actions => (
                "cxscore actions (actions/*.yaml)",
                "",
                generate::<Vec<RawAction>>(),
            ),
        };
        add_enums(&mut schema, root);
        schema["title"] = json!(title);
        schema
    }
}

/// The schema of `T`, draft 2020-12.
fn generate<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema: Schema = generator.into_root_schema_for::<T>();
    schema.to_value()
}

/// Allowed values of the settings the mirror reads as plain strings, by
/// (type name in the mirror, key): the validator's own word tables.
fn enums() -> [(&'static str, &'static str, Vec<&'static str>); 13] {
    [
        ("RawConfig", "language", Language::words()),
        ("RawConfig", "period", Period::words()),
        ("RawConfig", "nps_interval", NpsInterval::words()),
        ("RawDataset", "encoding", Encoding::words()),
        ("RawDataset", "bad_rows", BadRows::words()),
        ("RawIndicator", "kind", Kind::words()),
        ("RawIndicator", "metric", MetricName::words()),
        ("RawIndicator", "direction", Direction::words()),
        ("RawIndicator", "mode", CesMode::words()),
        ("RawReport", "compare", Comparison::words()),
        ("RawReport", "multiple_testing", MultipleTesting::words()),
        ("RawAction", "status", ActionStatus::words()),
        ("RawIndicator", "dimension", Dimension::words()),
    ]
}

/// Narrows the string settings of [`enums`] to their allowed values, wherever
/// the type sits (the root, named `root`, or under `$defs`).
fn add_enums(schema: &mut Value, root: &str) {
    for (type_name, key, values) in enums() {
        let object = if type_name == root {
            Some(&mut *schema)
        } else {
            schema.get_mut("$defs").and_then(|d| d.get_mut(type_name))
        };
        let Some(property) = object
            .and_then(|o| o.get_mut("properties"))
            .and_then(|p| p.get_mut(key))
        else {
            continue;
        };
        let allowed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
        // A list of words (`compare: [previous, year_ago]`): each item is one of them.
        if let Some(items) = property.get_mut("items").filter(|i| i.is_object()) {
            items["enum"] = Value::Array(allowed);
            continue;
        }
        // `Option<String>` is `["string", "null"]`: keep null (an empty value) allowed.
        let nullable = property
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "null"));
        let mut allowed = allowed;
        if nullable {
            allowed.push(Value::Null);
        }
        property["enum"] = Value::Array(allowed);
    }
}

/// Writes every schema into `dir` (created if needed); returns the paths written.
pub fn write_schemas(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for kind in SchemaKind::ALL {
        let path = dir.join(kind.file_name());
        let mut text = serde_json::to_string_pretty(&kind.schema()).map_err(io::Error::other)?;
        text.push('\n');
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// The `# yaml-language-server: $schema=…` line for a project file at
/// `relative` (from the project root), pointing into [`SCHEMA_DIR`]; `None`
/// for files no schema describes.
pub fn modeline(relative: &Path) -> Option<String> {
    let kind = SchemaKind::of(relative)?;
    let up = "../".repeat(relative.components().count() - 1);
    Some(format!(
        "# yaml-language-server: $schema={up}{SCHEMA_DIR}/{}",
        kind.file_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_found_by_path() {
        assert_eq!(
            SchemaKind::of(Path::new("cxscore.yaml")),
            Some(SchemaKind::Config)
        );
        assert_eq!(
            SchemaKind::of(Path::new("indicators/core.yaml")),
            Some(SchemaKind::Indicators)
        );
        assert_eq!(SchemaKind::of(Path::new("pages/x.yaml")), None);
        assert_eq!(SchemaKind::of(Path::new("personas")), None);
    }

    #[test]
    fn modelines_are_relative_to_the_file() {
        assert_eq!(
            modeline(Path::new("cxscore.yaml")).unwrap(),
            "# yaml-language-server: $schema=.cxscore/schema/cxscore.schema.json"
        );
        assert_eq!(
            modeline(Path::new("journeys/a.yaml")).unwrap(),
            "# yaml-language-server: $schema=../.cxscore/schema/journey.schema.json"
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_enums_listed() {
        let config = SchemaKind::Config.schema();
        assert_eq!(config["additionalProperties"], json!(false));
        assert_eq!(config["title"], json!("cxscore.yaml"));
        let language = &config["properties"]["language"]["enum"];
        assert!(language.as_array().unwrap().contains(&json!("zh-CN")));
        let ind = SchemaKind::Indicators.schema();
        assert_eq!(ind["type"], json!("array"));
        let def = &ind["$defs"]["RawIndicator"];
        assert_eq!(def["additionalProperties"], json!(false));
        assert!(def["properties"]["metric"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("composite")));
        // `dimension:` is optional: its four words, or an empty value.
        assert_eq!(
            def["properties"]["dimension"]["enum"],
            json!(["brand", "product", "service", "employee", null])
        );
        // `where` is renamed in the mirror; the schema must use the YAML name.
        assert!(def["properties"].get("where").is_some());
        assert!(def["properties"].get("filter").is_none());
    }
}
