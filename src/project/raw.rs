//! The raw serde mirror of the project's YAML files.
//!
//! These types only describe the *shape* of what users write; every semantic
//! rule (id syntax, references, ranges, which keys go with which metric) lives
//! in `validate`. Unknown keys are rejected here (`deny_unknown_fields`), and
//! every field a later check may blame is `Spanned` so the error can point at
//! it. Enumerated values (`metric`, `period`…) are read as spanned strings and
//! checked in `validate`, which reports all of them at once with a hint,
//! instead of serde's first-error-stops behaviour.
//!
//! The same types derive [`JsonSchema`], so `cxscore schema` is generated from
//! what the loader accepts and cannot drift from it.

use indexmap::IndexMap;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use super::yaml::Spanned;

/// `cxscore.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: Spanned<String>,
    pub client: Option<String>,
    pub language: Option<Spanned<String>>,
    pub theme: Option<Spanned<String>>,
    pub period: Option<Spanned<String>>,
    pub confidence: Option<Spanned<f64>>,
    pub min_n: Option<Spanned<f64>>,
    pub min_n_comments: Option<u64>,
    pub nps_interval: Option<Spanned<String>>,
    pub datasets: Spanned<BTreeMap<String, Spanned<RawDataset>>>,
    #[serde(default)]
    pub drivers: Vec<Spanned<RawDriver>>,
    pub brand: Option<RawBrand>,
    pub baseline: Option<Spanned<String>>,
}

/// `brand: { logo, primary, accent, footer }`: the white label.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    pub logo: Option<Spanned<String>>,
    pub primary: Option<Spanned<String>>,
    pub accent: Option<Spanned<String>>,
    pub footer: Option<Spanned<String>>,
}

/// One entry under `datasets:`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    pub path: Spanned<String>,
    pub date: Option<RawDate>,
    pub weight: Option<Spanned<String>>,
    #[serde(default)]
    pub segments: Vec<Spanned<String>>,
    pub comments: Option<Spanned<String>>,
    #[serde(default)]
    pub pii: Vec<Spanned<String>>,
    pub encoding: Option<Spanned<String>>,
    pub delimiter: Option<Spanned<String>>,
    pub bad_rows: Option<Spanned<String>>,
}

/// `date: { column, format }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDate {
    pub column: Spanned<String>,
    pub format: Option<Spanned<String>>,
}

/// One entry under `drivers:`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDriver {
    pub dataset: Spanned<String>,
    pub outcome: Spanned<String>,
    /// In the order written: the drivers page and metrics.json list them so.
    pub attributes: Spanned<IndexMap<String, String>>,
}

/// `personas/*.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPersona {
    pub id: Spanned<String>,
    pub name: String,
    #[serde(rename = "match")]
    pub matcher: Option<RawMatch>,
    pub summary: Option<String>,
    #[serde(default)]
    pub profile: BTreeMap<String, Text>,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub pain_points: Vec<String>,
    #[serde(default)]
    pub motivations: Vec<String>,
    pub ladder: Option<RawLadder>,
}

/// `match: { column, equals }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    pub column: Spanned<String>,
    pub equals: Spanned<TextList>,
}

/// The four-question ladder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLadder {
    pub attribute: String,
    pub benefit: String,
    pub goal: String,
    pub value: String,
}

/// `journeys/*.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawJourney {
    pub id: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub personas: Vec<Spanned<String>>,
    pub stages: Vec<RawStage>,
}

/// A journey stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub id: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub behaviors: Vec<String>,
    #[serde(default)]
    pub thoughts: Vec<String>,
    pub emotion: Option<Spanned<f64>>,
    #[serde(default)]
    pub touchpoints: Vec<RawTouchpoint>,
}

/// A touchpoint of a stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTouchpoint {
    pub id: Spanned<String>,
    pub name: String,
    pub channel: Option<String>,
    #[serde(default)]
    pub indicators: Vec<Spanned<String>>,
    pub owner: Option<String>,
    #[serde(default)]
    pub moment_of_truth: bool,
    #[serde(default)]
    pub pain_points: Vec<String>,
    #[serde(default)]
    pub opportunities: Vec<String>,
}

/// One indicator in an `indicators/*.yaml` list.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: Spanned<String>,
    pub name: String,
    pub kind: Spanned<String>,
    pub dataset: Option<Spanned<String>>,
    pub metric: Spanned<String>,
    pub column: Option<Spanned<String>>,
    #[serde(rename = "where")]
    pub filter: Option<Spanned<BTreeMap<String, TextList>>>,
    pub target: Option<Spanned<f64>>,
    pub thresholds: Option<RawThresholds>,
    pub direction: Option<Spanned<String>>,
    pub unit: Option<String>,
    pub measurement: Option<String>,
    pub basis: Option<String>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub scale: Option<Spanned<Vec<f64>>>,
    pub top_box: Option<Spanned<Vec<f64>>>,
    pub mode: Option<Spanned<String>>,
    #[serde(rename = "box")]
    pub range: Option<Spanned<Vec<f64>>>,
    pub value: Option<Spanned<TextList>>,
    pub p: Option<Spanned<f64>>,
    pub components: Option<Spanned<BTreeMap<String, f64>>>,
    /// `metric: gap` only: the expectation column subtracted from `column`.
    pub expectation: Option<Spanned<String>>,
    /// An external reference value (industry, competitor) to compare against.
    pub benchmark: Option<Spanned<f64>>,
}

/// `thresholds: { amber }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub amber: Option<Spanned<f64>>,
}

/// Front matter of `pages/*.md`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    pub title: String,
    #[serde(default)]
    pub order: i64,
}

/// Any YAML scalar read as text: `age: 30` and `age: "30"` mean the same to a persona.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

/// One scalar or a list of scalars, as text: `equals: new` or `equals: [new, mover]`.
///
/// A hand-written visitor rather than an untagged enum, whose errors say nothing useful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextList(pub Vec<String>);

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(Text)
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a list of values")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Text(item)) = seq.next_element::<Text>()? {
            out.push(item);
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor).map(TextList)
    }
}

/// The schema of one YAML scalar read as text.
fn scalar_schema() -> Schema {
    json_schema!({ "type": ["string", "number", "boolean"] })
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        scalar_schema()
    }
}

impl JsonSchema for TextList {
    fn schema_name() -> Cow<'static, str> {
        "TextList".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                scalar_schema(),
                { "type": "array", "items": scalar_schema() }
            ]
        })
    }
}
