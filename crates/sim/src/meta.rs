//! Accessors for the parts of an object every layer reads: `metadata`, `spec`, `status`, owner
//! references. Objects are JSON (`serde_json::Value`); these keep the lookups in one place.

use serde_json::{Map, Value};

pub fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"])
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, &["metadata", "namespace"])
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, &["metadata", "uid"])
}

pub fn resource_version(obj: &Value) -> &str {
    str_at(obj, &["metadata", "resourceVersion"])
}

pub fn labels(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata")?.get("labels")?.as_object()
}

pub fn annotations(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata")?.get("annotations")?.as_object()
}

pub fn is_terminating(obj: &Value) -> bool {
    obj.get("metadata")
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|t| !t.is_null())
}

/// The string at a path of object keys, or "" when absent.
pub fn str_at<'a>(obj: &'a Value, path: &[&str]) -> &'a str {
    at(obj, path).and_then(Value::as_str).unwrap_or("")
}

/// The value at a path of object keys.
pub fn at<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = obj;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

/// A mutable object at a path, created (as `{}`) where missing or not an object.
pub fn obj_mut<'a>(obj: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = obj;
    for k in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            unreachable!()
        };
        cur = m
            .entry((*k).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    match cur {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// The object's `metadata`, created if missing.
pub fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    obj_mut(obj, &["metadata"])
}

/// The controller ownerReference (`controller: true`), if any.
pub fn controller_ref(obj: &Value) -> Option<&Value> {
    owner_refs(obj).find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

pub fn owner_refs(obj: &Value) -> impl Iterator<Item = &Value> {
    obj.get("metadata")
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// An ownerReference pointing at `owner`.
pub fn owner_ref_to(owner: &Value, controller: bool) -> Value {
    serde_json::json!({
        "apiVersion": str_at(owner, &["apiVersion"]),
        "kind": str_at(owner, &["kind"]),
        "name": name(owner),
        "uid": uid(owner),
        "controller": controller,
        "blockOwnerDeletion": true,
    })
}
