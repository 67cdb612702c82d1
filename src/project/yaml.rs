//! The one place that knows which YAML crate we use.
//!
//! serde_yaml is deprecated upstream and reports locations only for syntax and
//! shape errors. serde-saphyr is maintained, panic-free, and gives `Spanned<T>`
//! so semantic checks (a dangling id, an unknown column) can point at the exact
//! line and column. Swapping crates means changing this file only.

use std::path::Path;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::diag::{did_you_mean, Diagnostics, Location};

/// A value with the place it was written.
///
/// Our own type rather than a re-export of `serde_saphyr::Spanned`, for two
/// reasons: raw types don't name the YAML crate, and it can implement
/// [`JsonSchema`] as "the schema of `T`" (the orphan rule forbids that on the
/// crate's type), so `cxscore schema` derives from the raw mirror unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value was written (for an alias: where it was used).
    pub referenced: serde_saphyr::Location,
    /// Where the value was defined (for an alias: the anchor).
    pub defined: serde_saphyr::Location,
}

impl<T> Spanned<T> {
    /// A value with its locations.
    pub const fn new(
        value: T,
        referenced: serde_saphyr::Location,
        defined: serde_saphyr::Location,
    ) -> Self {
        Self {
            value,
            referenced,
            defined,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The crate's deserializer recognises its own type and fills the locations.
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Self::new(s.value, s.referenced, s.defined))
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // Locations are invisible in the YAML: the schema is the value's.
        generator.subschema_for::<T>()
    }
}

/// The location of a spanned value in `file` (display path).
pub fn location<T>(file: &Path, value: &Spanned<T>) -> Location {
    let at = value.referenced;
    Location::at(file, at.line() as u32, at.column() as u32)
}

/// Parses `text` (the contents of `file`) into `T`, recording a located error on failure.
///
/// serde stops at the first shape error of a document, so one file yields at
/// most one error here; errors in other files are still all reported.
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str, diags: &mut Diagnostics) -> Option<T> {
    match serde_saphyr::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(err) => {
            let location = err
                .location()
                .map(|l| Location::at(file, l.line() as u32, l.column() as u32))
                .unwrap_or_else(|| Location::file(file));
            let (message, hint) = describe(&err.without_snippet().to_string());
            diags.error_maybe_hint(location, message, hint);
            None
        }
    }
}

/// Turns the crate's message into ours: no trailing position, and a "did you
/// mean" for unknown fields and variants.
fn describe(raw: &str) -> (String, Option<String>) {
    // serde-saphyr appends " at line L, column C"; we print the location ourselves.
    let message = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.to_string(),
    };
    let hint = unknown_name_hint(&message).or_else(|| shape_hint(&message));
    (message, hint)
}

/// How to fix the parser's common shape and syntax errors, whose own words
/// ("expected sequence start") mean little to someone editing a scorecard.
fn shape_hint(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Some(format!("add `{field}:` here; it is required"));
    }
    let hints: [(&str, &str); 9] = [
        ("invalid floating point", "write a number here, e.g. `30` or `0.95`, without quotes or units"),
        ("invalid integer", "write a whole number here, e.g. `30`, without quotes or units"),
        ("expected sequence start", "a list belongs here: one item per line starting with `- `, or `[a, b]`"),
        ("expected mapping start", "`key: value` lines belong here, or `{ key: value }`"),
        ("invalid type", "check the shape of this value against docs/reference.md (a single value, a list or a map)"),
        ("mapping values are not allowed", "check the indentation: keys of one block start in the same column, and a value containing `: ` needs quotes"),
        ("did not find expected ',' or '}'", "close the `{ … }` on the same line, with `,` between entries"),
        ("did not find expected ',' or ']'", "close the `[ … ]` on the same line, with `,` between items"),
        ("did not find expected", "check the indentation and the brackets and quotes near here"),
    ];
    hints
        .iter()
        .find(|(pattern, _)| message.contains(pattern))
        .map(|(_, hint)| hint.to_string())
}

/// For "unknown field `x`, expected one of a, b" (and "unknown variant"),
/// suggests the closest expected name, or lists them.
fn unknown_name_hint(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (typo, tail) = rest.split_once('`')?;
    let expected: Vec<&str> = tail
        .split_once("expected one of ")
        .or_else(|| tail.split_once("expected "))
        .map(|(_, list)| {
            list.split(',')
                .map(|s| s.trim().trim_matches('`'))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    did_you_mean(typo, expected.iter().copied()).or_else(|| {
        (!expected.is_empty()).then(|| "remove it, or check the spelling against SPEC.md".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: Spanned<String>,
        target: Option<f64>,
    }

    #[test]
    fn unknown_field_is_located_and_gets_a_hint() {
        let mut d = Diagnostics::new();
        let out: Option<Vec<Item>> = parse(Path::new("i.yaml"), "- id: a\n  tagret: 3\n", &mut d);
        assert!(out.is_none());
        let all = d.sorted();
        assert_eq!(
            all[0].to_string(),
            "i.yaml:2:3: error: unknown field `tagret`, expected one of id, target; did you mean `target`?"
        );
    }

    #[test]
    fn shape_errors_get_a_hint() {
        let mut d = Diagnostics::new();
        let _: Option<Vec<Item>> = parse(Path::new("i.yaml"), "id: a\n", &mut d);
        let _: Option<Vec<Item>> = parse(Path::new("j.yaml"), "- id: a\n  target: many\n", &mut d);
        let _: Option<Vec<Item>> = parse(Path::new("k.yaml"), "- target: 3\n", &mut d);
        let all = d.sorted();
        assert_eq!(all.len(), 3);
        assert!(
            all[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("a list belongs here"),
            "{}",
            all[0]
        );
        assert!(
            all[1].hint.as_deref().unwrap().contains("write a number"),
            "{}",
            all[1]
        );
        assert_eq!(
            all[2].hint.as_deref(),
            Some("add `id:` here; it is required"),
            "{}",
            all[2]
        );
    }

    #[test]
    fn spans_point_at_the_value() {
        let mut d = Diagnostics::new();
        let out: Vec<Item> = parse(Path::new("i.yaml"), "- id: a\n- id:   b\n", &mut d).unwrap();
        assert_eq!(
            location(Path::new("i.yaml"), &out[1].id).to_string(),
            "i.yaml:2:9"
        );
    }
}
