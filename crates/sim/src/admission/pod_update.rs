//! What a Pod update may change in `spec` (`ValidatePodUpdate` and `ValidateContainerUpdates`
//! in `pkg/apis/core/validation/validation.go`): container images, `activeDeadlineSeconds`
//! (set once, then only lowered), tolerations (additions only, `tolerationSeconds` free), and
//! `terminationGracePeriodSeconds` from a negative value to 1. Anything else is refused with
//! `spec: Forbidden: pod updates may not change fields other than ...`.
//!
//! Go appends `cmp.Diff(oldSpec, mungedSpec)` of the internal Go structs to the message. That
//! rendering cannot be reproduced from JSON; this prints the same header line and then one
//! `-`/`+` pair per changed top-level spec field, with JSON field names and values.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// `updatablePodSpecFields`, joined with "," as Go joins them.
const UPDATABLE: [&str; 5] = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

pub(crate) fn validate_pod_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut out = Vec::new();
    for list in ["containers", "initContainers"] {
        let n = containers(new, list);
        let o = containers(old, list);
        if n.len() != o.len() {
            out.push(FieldError::forbidden(
                format!("spec.{list}"),
                "pod updates may not add or remove containers",
            ));
            return out;
        }
    }
    let new_ads = new.get("activeDeadlineSeconds").and_then(Value::as_i64);
    let old_ads = old.get("activeDeadlineSeconds").and_then(Value::as_i64);
    match (new_ads, old_ads) {
        (Some(n), _) if !(0..=i64::from(i32::MAX)).contains(&n) => {
            out.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                n,
                format!("must be between 0 and {}, inclusive", i32::MAX),
            ));
            return out;
        }
        (Some(n), Some(o)) if o < n => {
            out.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                n,
                "must be less than or equal to previous value",
            ));
            return out;
        }
        (None, Some(_)) => out.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            Value::Null,
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    if let Some(e) = only_added_tolerations(new, old) {
        out.push(e);
        return out;
    }
    // The munged spec: the new spec with every field the update may change put back to the
    // old value; it must then equal the old spec.
    let mut munged = normalize(new);
    let old_n = normalize(old);
    if let (Value::Object(m), Value::Object(o)) = (&mut munged, &old_n) {
        for list in ["containers", "initContainers"] {
            if let (Some(Value::Array(nc)), Some(Value::Array(oc))) = (m.get_mut(list), o.get(list))
            {
                for (c, oldc) in nc.iter_mut().zip(oc) {
                    if let Value::Object(c) = c {
                        match oldc.get("image") {
                            Some(img) => c.insert("image".into(), img.clone()),
                            None => c.remove("image"),
                        };
                    }
                }
            }
        }
        for f in ["activeDeadlineSeconds", "tolerations"] {
            restore(m, o, f);
        }
        // Binding a pod sets `spec.nodeName` once; the real API does it through the
        // `pods/binding` subresource, which the simulated API does not have, so the scheduler
        // binds with an update. Allowing "" → node here is the one deviation: a user's update
        // that sets nodeName on an unscheduled pod is accepted where a real server refuses it.
        if o.get("nodeName")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            restore(m, o, "nodeName");
        }
        let old_grace = o
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        let new_grace = m
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        if old_grace.is_some_and(|g| g < 0) && new_grace == Some(1) {
            restore(m, o, "terminationGracePeriodSeconds");
        }
    }
    if munged != old_n {
        out.push(FieldError::forbidden(
            "spec",
            format!(
                "pod updates may not change fields other than {}\n{}",
                UPDATABLE.join(","),
                diff(&old_n, &munged)
            ),
        ));
    }
    out
}

fn containers<'a>(spec: &'a Value, list: &str) -> &'a [Value] {
    spec.get(list)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn restore(m: &mut Map<String, Value>, old: &Map<String, Value>, f: &str) {
    match old.get(f) {
        Some(v) => m.insert(f.into(), v.clone()),
        None => m.remove(f),
    };
}

/// `validateOnlyAddedTolerations`: every old toleration is still there, up to its
/// `tolerationSeconds`.
fn only_added_tolerations(new: &Value, old: &Value) -> Option<FieldError> {
    let strip = |t: &Value| {
        let mut t = normalize(t);
        if let Value::Object(m) = &mut t {
            m.remove("tolerationSeconds");
        }
        t
    };
    let new_t: Vec<Value> = containers(new, "tolerations").iter().map(strip).collect();
    let all_kept = containers(old, "tolerations")
        .iter()
        .all(|o| new_t.contains(&strip(o)));
    (!all_kept).then(|| {
        FieldError::forbidden(
            "spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds",
        )
    })
}

/// `apiequality.Semantic.DeepEqual` treats nil and empty slices and maps alike: drop nulls,
/// empty arrays and empty maps (below the top level) before comparing.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// One `-`/`+` pair per changed top-level field, in the old spec's field order.
fn diff(old: &Value, new: &Value) -> String {
    let empty = Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    let mut lines = vec!["  core.PodSpec{".to_string()];
    let keys = o.keys().chain(n.keys().filter(|k| !o.contains_key(*k)));
    for k in keys {
        let (a, b) = (o.get(k), n.get(k));
        if a == b {
            continue;
        }
        if let Some(a) = a {
            lines.push(format!("- \t{k}: {a},"));
        }
        if let Some(b) = b {
            lines.push(format!("+ \t{k}: {b},"));
        }
    }
    lines.push("  }".to_string());
    lines.join("\n")
}
