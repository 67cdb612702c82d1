//! Values of the YAML mirror that take more than a derive: any scalar read as
//! text, one value or a list, and the reporting window's two forms. Each has
//! a hand-written visitor (an untagged enum's errors say nothing useful) and a
//! hand-written JSON Schema with its description.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// `window:` of `report:`: a word (`latest`, `ytd`, `all`) or `{ rolling: N }`.
///
/// A hand-written visitor rather than an untagged enum, whose errors say nothing useful.
#[derive(Debug, Clone, PartialEq)]
pub enum RawWindow {
    /// `latest`, `ytd` or `all` (checked by the validator, with a hint).
    Word(String),
    /// `{ rolling: N }`: N as written (checked to be at least 1 by the validator).
    Rolling(i64),
}

struct WindowVisitor;

impl<'de> Visitor<'de> for WindowVisitor {
    type Value = RawWindow;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`latest`, `ytd`, `all` or `{ rolling: N }`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawWindow, E> {
        Ok(RawWindow::Word(v.to_string()))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawWindow, A::Error> {
        let mut rolling = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "rolling" {
                return Err(de::Error::unknown_field(&key, &["rolling"]));
            }
            rolling = Some(map.next_value::<i64>()?);
        }
        rolling
            .map(RawWindow::Rolling)
            .ok_or_else(|| de::Error::missing_field("rolling"))
    }
}

impl<'de> Deserialize<'de> for RawWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WindowVisitor)
    }
}

impl JsonSchema for RawWindow {
    fn schema_name() -> Cow<'static, str> {
        "RawWindow".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The reporting window: `latest`, `ytd`, `all`, or `{ rolling: N }` for the N periods ending at `as_of`.",
            "anyOf": [
                { "type": "string", "enum": ["latest", "ytd", "all"] },
                {
                    "type": "object",
                    "properties": {
                        "rolling": {
                            "description": "How many periods, ending at `as_of` (at least 1).",
                            "type": "integer",
                            "minimum": 1
                        }
                    },
                    "required": ["rolling"],
                    "additionalProperties": false
                }
            ]
        })
    }
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
        let mut schema = scalar_schema();
        schema.insert(
            "description".into(),
            "A short text; a number or true / false is read as its text (`30` as \"30\").".into(),
        );
        schema
    }
}

impl JsonSchema for TextList {
    fn schema_name() -> Cow<'static, str> {
        "TextList".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One value or a list of values, compared as trimmed text: `new` or `[new, mover]`.",
            "anyOf": [
                scalar_schema(),
                { "type": "array", "items": scalar_schema() }
            ]
        })
    }
}
