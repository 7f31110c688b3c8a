//! docs/pack.schema.json, the JSON Schema editors validate packs with, kept in step with the
//! format: it names exactly the fields the model's structs accept, and every built-in file
//! (pack.yaml, and each scenario rendered for several seeds) validates against it.
//!
//! A full JSON Schema crate costs ~60 crates to build here, so this file carries a small
//! validator for the keywords the schema uses (`$ref`, `type`, `properties`, `required`,
//! `additionalProperties`, `propertyNames`, `items`, `minItems`, `maxItems`, `enum`, `oneOf`,
//! `anyOf`, `not`, `minimum`, `maximum`, `pattern`); a keyword it does not know fails the
//! test, so the schema cannot silently outgrow it.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod pack_common;

use kubedrill_scenario::check::{
    Check, DnsCheck, EndpointsCheck, Expect, FieldCheck, HttpCheck, InvariantCheck, NodePortCheck,
    SocketCheck, Vantage,
};
use kubedrill_scenario::model::{
    DiagnosisStep, Explanation, ObjectRef, PackMeta, RequestMatch, Scenario, Solution, Step,
    VarSpec,
};
use kubedrill_scenario::vars::render;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/pack.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const KNOWN: &[&str] = &[
    "$schema",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "format",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "oneOf",
    "anyOf",
    "not",
    "minimum",
    "maximum",
    "pattern",
];

/// Errors of `value` against `schema` (empty: valid), each with its JSON pointer.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let Some(s) = schema.as_object() else {
        return errs;
    };
    for k in s.keys() {
        assert!(
            KNOWN.contains(&k.as_str()),
            "schema keyword {k} at {at} is not checked by this test"
        );
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let def = r.strip_prefix("#/$defs/").unwrap();
        errs.extend(validate(root, &root["$defs"][def], value, at));
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            other => vec![other.as_str().unwrap()],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("unknown type {other}"),
        });
        if !ok {
            errs.push(format!("{at}: {value} is not of type {types:?}"));
            return errs;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(value)
    {
        errs.push(format!("{at}: {value} is not one of {e:?}"));
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str)
        && let Some(v) = value.as_str()
        && !regex::Regex::new(p).unwrap().is_match(v)
    {
        errs.push(format!("{at}: {v:?} does not match {p}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            errs.push(format!("{at}: {n} < {min}"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            errs.push(format!("{at}: {n} > {max}"));
        }
    }
    if let Some(a) = value.as_array() {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (a.len() as u64) < min
        {
            errs.push(format!("{at}: fewer than {min} items"));
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && (a.len() as u64) > max
        {
            errs.push(format!("{at}: more than {max} items"));
        }
        if let Some(items) = s.get("items") {
            for (i, v) in a.iter().enumerate() {
                errs.extend(validate(root, items, v, &format!("{at}/{i}")));
            }
        }
    }
    if let Some(o) = value.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                errs.push(format!("{at}: missing required {r}"));
            }
        }
        for (k, v) in o {
            if let Some(names) = s.get("propertyNames") {
                errs.extend(validate(
                    root,
                    names,
                    &Value::String(k.clone()),
                    &format!("{at}/{k} (name)"),
                ));
            }
            match props.and_then(|p| p.get(k)) {
                Some(ps) => errs.extend(validate(root, ps, v, &format!("{at}/{k}"))),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{at}: unknown field {k}")),
                    Some(extra @ Value::Object(_)) => {
                        errs.extend(validate(root, extra, v, &format!("{at}/{k}")))
                    }
                    _ => {}
                },
            }
        }
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array)
        && !any
            .iter()
            .any(|sub| validate(root, sub, value, at).is_empty())
    {
        errs.push(format!("{at}: {value} matches none of anyOf"));
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        let results: Vec<Vec<String>> = one
            .iter()
            .map(|sub| validate(root, sub, value, at))
            .collect();
        let matched = results.iter().filter(|r| r.is_empty()).count();
        if matched != 1 {
            errs.push(format!(
                "{at}: matches {matched} of oneOf, expected exactly 1"
            ));
            if matched == 0 {
                // The closest branch says what is wrong.
                if let Some(best) = results.iter().min_by_key(|r| r.len()) {
                    errs.extend(best.iter().cloned());
                }
            }
        }
    }
    if let Some(not) = s.get("not")
        && validate(root, not, value, at).is_empty()
    {
        errs.push(format!("{at}: {value} matches a forbidden schema"));
    }
    errs
}

fn validate_root(value: &Value) -> Vec<String> {
    let root = schema();
    validate(&root, &root, value, "")
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn schema_refs_all_resolve() {
    let root = schema();
    let text = root.to_string();
    let mut refs = 0;
    for part in text.split("\"$ref\":\"#/$defs/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(root["$defs"].get(name).is_some(), "dangling $ref to {name}");
        refs += 1;
    }
    assert!(refs > 20, "{refs} refs");
}

/// The fields a struct accepts, from serde's own "unknown field" message.
fn serde_fields<T: DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let err = serde_json::from_str::<T>(r#"{"zz_not_a_field": 0}"#).unwrap_err();
    let msg = err.to_string();
    let list = msg
        .split_once("expected one of ")
        .or_else(|| msg.split_once("expected "))
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no field list in {msg:?}"));
    // serde writes two fields as "`a` or `b`", more as "`a`, `b`, `c`".
    let list = list
        .split(" at line")
        .next()
        .unwrap()
        .replace("` or `", "`, `");
    list.split(", ")
        .map(|f| f.trim().trim_matches('`').to_string())
        .collect()
}

fn schema_fields(def: &str) -> BTreeSet<String> {
    let root = schema();
    let d = &root["$defs"][def];
    let mut out: BTreeSet<String> = d["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    // Externally tagged enums are a oneOf of one-key objects.
    for branch in d["oneOf"].as_array().into_iter().flatten() {
        if let Some(p) = branch["properties"].as_object() {
            out.extend(p.keys().cloned());
        }
    }
    out
}

#[test]
fn schema_lists_every_field_of_the_model() {
    let cases: Vec<(&str, BTreeSet<String>)> = vec![
        ("packMeta", serde_fields::<PackMeta>()),
        ("scenario", serde_fields::<Scenario>()),
        ("varSpec", serde_fields::<VarSpec>()),
        ("diagnosisStep", serde_fields::<DiagnosisStep>()),
        ("requestMatch", serde_fields::<RequestMatch>()),
        ("solution", serde_fields::<Solution>()),
        ("step", serde_fields::<Step>()),
        ("objectRef", serde_fields::<ObjectRef>()),
        ("explanation", serde_fields::<Explanation>()),
        ("check", serde_fields::<Check>()),
        ("endpointsCheck", serde_fields::<EndpointsCheck>()),
        ("vantage", serde_fields::<Vantage>()),
        ("expect", serde_fields::<Expect>()),
        ("httpCheck", serde_fields::<HttpCheck>()),
        ("socketCheck", serde_fields::<SocketCheck>()),
        ("dnsCheck", serde_fields::<DnsCheck>()),
        ("nodePortCheck", serde_fields::<NodePortCheck>()),
        ("fieldCheck", serde_fields::<FieldCheck>()),
        ("invariantCheck", serde_fields::<InvariantCheck>()),
    ];
    for (def, fields) in cases {
        assert_eq!(schema_fields(def), fields, "$defs/{def} vs the model");
    }
    // PatchStep and ScaleStep flatten an ObjectRef, which hides their field list from serde's
    // message: spelled out here.
    let object_ref = serde_fields::<ObjectRef>();
    let with = |extra: &[&str]| -> BTreeSet<String> {
        object_ref
            .iter()
            .cloned()
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    assert_eq!(schema_fields("patchStep"), with(&["type", "patch"]));
    assert_eq!(schema_fields("scaleStep"), with(&["replicas"]));
}

#[test]
fn builtin_pack_yaml_validates() {
    let text = std::fs::read_to_string(pack_common::builtin_dir().join("pack.yaml")).unwrap();
    let errs = validate_root(&yaml(&text));
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn every_builtin_scenario_validates_as_rendered() {
    let pack = pack_common::builtin();
    let mut failures = Vec::new();
    for s in &pack.scenarios {
        for seed in 0..3 {
            let inst = s.instantiate(seed).unwrap();
            let text = render(&s.text, &inst.vars).unwrap();
            for e in validate_root(&yaml(&text)) {
                failures.push(format!("{} seed {seed}: {e}", s.scenario.id));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn model_scenario() -> Value {
    let pack = pack_common::builtin();
    let s = pack_common::scenario(&pack, "sel-service-selector-typo");
    let inst = s.instantiate(0).unwrap();
    yaml(&render(&s.text, &inst.vars).unwrap())
}

#[test]
fn schema_rejects_an_unknown_field() {
    let mut v = model_scenario();
    v["minuts"] = 7.into();
    let errs = validate_root(&v);
    assert!(
        errs.iter().any(|e| e.contains("unknown field minuts")),
        "{errs:#?}"
    );
}

#[test]
fn schema_rejects_a_check_with_two_kinds() {
    let mut v = model_scenario();
    v["checks"][0]["absent"] = serde_json::json!({"kind": "Service", "name": "x"});
    let errs = validate_root(&v);
    assert!(
        errs.iter()
            .any(|e| e.contains("/checks/0: matches 2 of oneOf")),
        "{errs:#?}"
    );
}

#[test]
fn schema_rejects_difficulty_out_of_range_and_a_bad_templated_port() {
    let mut v = model_scenario();
    v["difficulty"] = 4.into();
    v["checks"][0]["endpoints"]["port"] = "eighty".into();
    let errs = validate_root(&v).join("\n");
    assert!(errs.contains("4 > 3"), "{errs}");
    assert!(errs.contains("/checks/0/endpoints/port"), "{errs}");
}

#[test]
fn schema_accepts_a_quoted_template_where_a_number_goes() {
    let mut v = model_scenario();
    v["checks"][0]["endpoints"]["port"] = "{{port}}".into();
    let errs = validate_root(&v);
    assert!(errs.is_empty(), "{errs:#?}");
}
