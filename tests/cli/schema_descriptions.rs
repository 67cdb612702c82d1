//! Every key of every schema `cxscore schema` writes has a description, so an editor can say
//! what a key means (its unit, range, default) while the user types it.
//!
//! The walk visits every subschema: `properties`, `$defs`, `additionalProperties`, `items`,
//! `prefixItems` and the branches of `anyOf` / `oneOf` / `allOf`. A description is required
//! on every property, every `$defs` entry, and every `additionalProperties` or `items` schema
//! that is itself an object with keys; a schema that is only a `$ref` counts as described when
//! its target is. A plain value under a map or a list (the label of a driver attribute, one of
//! the `goals`) is described by the key that holds it.

use std::fs;

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::harness::stderr;

/// One reference token of a JSON pointer (RFC 6901 escapes).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Whether `schema` has a non-empty description, itself or through its `$ref` into `root`.
fn described(schema: &Value, root: &Value) -> bool {
    if schema
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty())
    {
        return true;
    }
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .is_some_and(|target| !std::ptr::eq(target, schema) && described(target, root)),
        None => false,
    }
}

/// An object schema with keys of its own (not a plain value, not only a `$ref`).
fn has_keys(schema: &Value) -> bool {
    schema.get("properties").is_some() || schema.get("type") == Some(&json!("object"))
}

/// Walks `schema` at `pointer`, pushing the pointer of every schema that needs a description
/// and has none.
fn walk(schema: &Value, pointer: &str, root: &Value, missing: &mut Vec<String>, keys: &mut usize) {
    let Some(object) = schema.as_object() else {
        return; // `true` / `false` schemas
    };
    let need = |sub: &Value, at: String, missing: &mut Vec<String>| {
        if !described(sub, root) {
            missing.push(at);
        }
    };
    for map in ["properties", "$defs"] {
        for (key, sub) in object
            .get(map)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let at = format!("{pointer}/{map}/{}", token(key));
            if map == "properties" {
                *keys += 1;
            }
            need(sub, at.clone(), missing);
            walk(sub, &at, root, missing, keys);
        }
    }
    for single in ["additionalProperties", "items"] {
        if let Some(sub) = object.get(single).filter(|s| s.is_object()) {
            let at = format!("{pointer}/{single}");
            if has_keys(sub) {
                need(sub, at.clone(), missing);
            }
            walk(sub, &at, root, missing, keys);
        }
    }
    for list in ["prefixItems", "anyOf", "oneOf", "allOf"] {
        for (i, sub) in object
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            walk(sub, &format!("{pointer}/{list}/{i}"), root, missing, keys);
        }
    }
}

/// The pointers of `schema` that lack a description, and how many properties it has.
fn undescribed(schema: &Value) -> (Vec<String>, usize) {
    let (mut missing, mut keys) = (Vec::new(), 0);
    walk(schema, "", schema, &mut missing, &mut keys);
    (missing, keys)
}

#[test]
fn every_key_of_every_schema_has_a_description() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(tmp.path())
        .args(["schema", "--out", "schemas"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tmp.path().join("schemas");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "{files:?}");
    let mut missing = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let schema: Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
        let (lacking, keys) = undescribed(&schema);
        // A walk that finds no keys would pass vacuously.
        assert!(keys >= 5, "{name}: only {keys} properties found");
        missing.extend(lacking.into_iter().map(|p| format!("{name}#{p}")));
    }
    assert!(
        missing.is_empty(),
        "{} schema key(s) without a description (add a doc comment in src/project/raw.rs):\n{}",
        missing.len(),
        missing.join("\n")
    );
    // Printed paths and written files agree: the walk saw everything `schema` wrote.
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(printed.lines().count(), files.len(), "{printed}");
}

#[test]
fn the_walk_names_each_undescribed_key_by_its_pointer() {
    let schema = json!({
        "$defs": {
            "Good": { "description": "d", "type": "object",
                      "properties": { "a/b": { "type": "string", "description": "x" } } },
            "Bad": { "type": "object", "properties": { "c": { "type": "number" } } }
        },
        "type": "object",
        "properties": {
            "ref": { "$ref": "#/$defs/Good" },
            "badref": { "$ref": "#/$defs/Bad" },
            "list": { "description": "l", "type": "array",
                      "items": { "type": "object", "properties": { "d": { "description": " " } } } },
            "opt": { "description": "o", "anyOf": [ { "type": "object",
                      "properties": { "e": { "type": "string" } } }, { "type": "null" } ] },
            "map": { "description": "m", "type": "object",
                     "additionalProperties": { "type": "object", "properties": {} } },
            "plain": { "description": "p", "type": "array", "items": { "type": "string" } }
        }
    });
    let (mut missing, keys) = undescribed(&schema);
    missing.sort();
    assert_eq!(
        missing,
        [
            "/$defs/Bad",
            "/$defs/Bad/properties/c",
            "/properties/badref",
            "/properties/list/items",
            "/properties/list/items/properties/d",
            "/properties/map/additionalProperties",
            "/properties/opt/anyOf/0/properties/e",
        ]
    );
    assert_eq!(keys, 10);
    assert!(described(
        &schema["$defs"]["Good"]["properties"]["a/b"],
        &schema
    ));
    assert_eq!(token("a/b~"), "a~1b~0");
}
