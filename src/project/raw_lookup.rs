//! Values of the YAML mirror for SPEC §9 (lookups, numeric conditions and
//! bands): a `where` entry that is text or a numeric test, a segment that is a
//! column or a banded column, and the join of `lookup:`. Each has a
//! hand-written visitor (an untagged enum's errors say nothing useful) and a
//! hand-written JSON Schema with its description.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::raw_values::TextList;

/// One entry of an indicator's `where`: accepted texts (`[web, app]`) or a
/// numeric test (`{ gt: 60 }`, `{ between: [1, 5] }`).
#[derive(Debug, Clone, PartialEq)]
pub enum RawCondition {
    /// One value or a list of values, compared as trimmed text.
    Values(Vec<String>),
    /// A numeric test; every bound given must hold.
    Numeric(RawNumeric),
}

/// The bounds of a numeric `where` test, as written (checked by the validator).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawNumeric {
    /// `gt`: greater than.
    pub gt: Option<f64>,
    /// `ge`: greater than or equal to.
    pub ge: Option<f64>,
    /// `lt`: less than.
    pub lt: Option<f64>,
    /// `le`: less than or equal to.
    pub le: Option<f64>,
    /// `between: [a, b]`, both inclusive.
    pub between: Option<Vec<f64>>,
}

/// The keys a numeric test takes.
const NUMERIC_KEYS: &[&str] = &["gt", "ge", "lt", "le", "between"];

struct ConditionVisitor;

impl<'de> Visitor<'de> for ConditionVisitor {
    type Value = RawCondition;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value, a list of values, or a numeric test such as `{ gt: 60 }`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCondition, E> {
        Ok(RawCondition::Values(vec![v.to_string()]))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawCondition, E> {
        Ok(RawCondition::Values(vec![v.to_string()]))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCondition, E> {
        Ok(RawCondition::Values(vec![v.to_string()]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCondition, E> {
        Ok(RawCondition::Values(vec![v.to_string()]))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCondition, E> {
        Ok(RawCondition::Values(vec![v.to_string()]))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RawCondition, A::Error> {
        let list = TextList::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(RawCondition::Values(list.0))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCondition, A::Error> {
        let mut n = RawNumeric::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "gt" => n.gt = Some(map.next_value()?),
                "ge" => n.ge = Some(map.next_value()?),
                "lt" => n.lt = Some(map.next_value()?),
                "le" => n.le = Some(map.next_value()?),
                "between" => n.between = Some(map.next_value()?),
                other => return Err(de::Error::unknown_field(other, NUMERIC_KEYS)),
            }
        }
        Ok(RawCondition::Numeric(n))
    }
}

impl<'de> Deserialize<'de> for RawCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ConditionVisitor)
    }
}

/// The schema of one YAML scalar read as text.
fn scalar_schema() -> Schema {
    json_schema!({ "type": ["string", "number", "boolean"] })
}

impl JsonSchema for RawCondition {
    fn schema_name() -> Cow<'static, str> {
        "RawCondition".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Which rows to keep by this column: one value or a list of values, compared as trimmed text (`[web, app]`), or a numeric test (`{ gt: 60 }`; `gt`, `ge`, `lt`, `le`, `between: [a, b]` inclusive; several keys: all must hold). In a numeric test a blank cell does not match and a cell that is not a number is a data error.",
            "anyOf": [
                scalar_schema(),
                { "type": "array", "items": scalar_schema() },
                {
                    "type": "object",
                    "properties": {
                        "gt": { "description": "Keeps values greater than this.", "type": "number" },
                        "ge": { "description": "Keeps values greater than or equal to this.", "type": "number" },
                        "lt": { "description": "Keeps values less than this.", "type": "number" },
                        "le": { "description": "Keeps values less than or equal to this.", "type": "number" },
                        "between": {
                            "description": "`[a, b]`: keeps values from a to b, both included (a ≤ b).",
                            "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2
                        }
                    },
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// One entry of a dataset's `segments`: a column (`channel`, `crm.region`), or
/// a numeric column cut into bands (`{ column, name, bands }`).
#[derive(Debug, Clone, PartialEq)]
pub enum RawSegment {
    /// A column whose trimmed texts are the keys.
    Column(String),
    /// A numeric column cut into bands.
    Banded {
        /// The column.
        column: String,
        /// The segment's name (default: the column).
        name: Option<String>,
        /// The bands' lower bounds, strictly increasing.
        bands: Vec<f64>,
    },
}

/// The keys a banded segment takes.
const BANDED_KEYS: &[&str] = &["column", "name", "bands"];

struct SegmentVisitor;

impl<'de> Visitor<'de> for SegmentVisitor {
    type Value = RawSegment;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name or `{ column, name, bands }`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSegment, E> {
        Ok(RawSegment::Column(v.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSegment, A::Error> {
        let (mut column, mut name, mut bands) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "column" => column = Some(map.next_value::<String>()?),
                "name" => name = Some(map.next_value::<String>()?),
                "bands" => bands = Some(map.next_value::<Vec<f64>>()?),
                other => return Err(de::Error::unknown_field(other, BANDED_KEYS)),
            }
        }
        Ok(RawSegment::Banded {
            column: column.ok_or_else(|| de::Error::missing_field("column"))?,
            name,
            bands: bands.ok_or_else(|| de::Error::missing_field("bands"))?,
        })
    }
}

impl<'de> Deserialize<'de> for RawSegment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SegmentVisitor)
    }
}

impl JsonSchema for RawSegment {
    fn schema_name() -> Cow<'static, str> {
        "RawSegment".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A column the report breaks down by (`channel`, or `crm.region` for a column of a lookup table), or a numeric column cut into bands: `{ column: crm.tenure_months, name: Tenure, bands: [0, 6, 12, 24] }` gives the keys `0–6`, `6–12`, `12–24` and `24+` (each band includes its lower bound; a value below the first bound is a data error; a blank cell is in no band).",
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "column": { "description": "Required. The numeric column, e.g. `crm.tenure_months`.", "type": "string" },
                        "name": { "description": "Optional. The segment's name in the report (default: the column), e.g. `Tenure`.", "type": "string" },
                        "bands": {
                            "description": "Required. The bands' lower bounds, strictly increasing, e.g. `[0, 6, 12, 24]`.",
                            "type": "array", "items": { "type": "number" }, "minItems": 1
                        }
                    },
                    "required": ["column", "bands"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// How a dataset joins its lookup table, the value under the table's name in
/// `lookup:`: this dataset's key column, as `customer_id` or `{ on: cust_no }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RawJoin {
    /// This dataset's column holding the lookup table's key.
    pub on: String,
}

struct JoinVisitor;

impl<'de> Visitor<'de> for JoinVisitor {
    type Value = RawJoin;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name or `{ on: COLUMN }`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawJoin, E> {
        Ok(RawJoin { on: v.to_string() })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawJoin, A::Error> {
        let mut on = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "on" {
                return Err(de::Error::unknown_field(&key, &["on"]));
            }
            on = Some(map.next_value::<String>()?);
        }
        Ok(RawJoin {
            on: on.ok_or_else(|| de::Error::missing_field("on"))?,
        })
    }
}

impl<'de> Deserialize<'de> for RawJoin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JoinVisitor)
    }
}

impl JsonSchema for RawJoin {
    fn schema_name() -> Cow<'static, str> {
        "RawJoin".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "This dataset's column that holds the lookup table's `key`: `customer_id`, or `{ on: cust_no }`.",
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "on": { "description": "This dataset's column holding the lookup table's key.", "type": "string" }
                    },
                    "required": ["on"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
