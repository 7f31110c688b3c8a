//! apps/v1 validation (`pkg/apis/apps/validation/validation.go`): `ValidateDeploymentSpec`,
//! `ValidateReplicaSetSpec`, `ValidateStatefulSetSpec` in their order, the shared selector and
//! template checks (rule 93), and the update rules: an immutable selector for Deployments and
//! ReplicaSets (rule 94, `pkg/registry/apps/*/strategy.go ValidateUpdate`) and the short list of
//! StatefulSet spec fields an update may touch.
//!
//! Composite values render as JSON (1.34+): a selector as `{"matchLabels":{"app":"web"}}` in Go
//! field order, template labels as a sorted map.

use serde_json::{Map, Value};

use super::apps_strategy::strategy;
use super::podspec_validation::{nonnegative, validate_pod_spec};
use super::validation::{is_qualified_name, is_valid_label_value, validate_labels};
use crate::error::FieldError;
use crate::kinds::Kind;
use crate::selector::LabelSelector;

/// What `metav1.LabelSelectorAsSelector` made of `spec.selector`.
enum Sel {
    /// No selector: `labels.Nothing()`, which matches nothing and is not empty.
    Nothing,
    /// The selector did not convert; template checks are skipped.
    Invalid,
    Selector(LabelSelector),
}

pub(crate) fn validate(kind: Kind, obj: &Value) -> Vec<FieldError> {
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let mut out = Vec::new();
    match kind {
        Kind::Deployment => {
            nonnegative(spec, "replicas", "spec", &mut out);
            let sel = selector(spec, "deployment", "invalid label selector", &mut out);
            template(spec, &sel, "ReplicaSet", &mut out);
            strategy(spec, &mut out);
            nonnegative(spec, "minReadySeconds", "spec", &mut out);
            nonnegative(spec, "revisionHistoryLimit", "spec", &mut out);
            nonnegative(spec, "progressDeadlineSeconds", "spec", &mut out);
            let pds = spec.get("progressDeadlineSeconds").and_then(Value::as_i64);
            let mrs = spec
                .get("minReadySeconds")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if let Some(p) = pds
                && p <= mrs
            {
                out.push(FieldError::invalid(
                    "spec.progressDeadlineSeconds",
                    p,
                    "must be greater than minReadySeconds",
                ));
            }
        }
        Kind::ReplicaSet => {
            nonnegative(spec, "replicas", "spec", &mut out);
            nonnegative(spec, "minReadySeconds", "spec", &mut out);
            let sel = selector(spec, "deployment", "invalid label selector", &mut out);
            template(spec, &sel, "ReplicaSet", &mut out);
        }
        _ => validate_stateful_set(spec, &mut out),
    }
    out
}

fn validate_stateful_set(spec: &Value, out: &mut Vec<FieldError>) {
    match str_at(spec, "podManagementPolicy") {
        "OrderedReady" | "Parallel" => {}
        "" => out.push(FieldError::required("spec.podManagementPolicy", "")),
        other => out.push(FieldError::invalid(
            "spec.podManagementPolicy",
            other,
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let us = spec.get("updateStrategy").unwrap_or(&Value::Null);
    let ru = us.get("rollingUpdate").filter(|v| !v.is_null());
    match str_at(us, "type") {
        "" => out.push(FieldError::required("spec.updateStrategy", "")),
        "OnDelete" => {
            if let Some(ru) = ru {
                out.push(FieldError::invalid(
                    "spec.updateStrategy.rollingUpdate",
                    ru.clone(),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(ru) = ru {
                nonnegative(ru, "partition", "spec.updateStrategy.rollingUpdate", out);
            }
        }
        _ => out.push(FieldError::invalid(
            "spec.updateStrategy",
            us.clone(),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }
    let policy = spec
        .get("persistentVolumeClaimRetentionPolicy")
        .unwrap_or(&Value::Null);
    for f in ["whenDeleted", "whenScaled"] {
        match str_at(policy, f) {
            "Retain" | "Delete" => {}
            other => out.push(FieldError::not_supported(
                format!("spec.persistentVolumeClaimRetentionPolicy.{f}"),
                other,
                &["Retain", "Delete"],
            )),
        }
    }
    nonnegative(spec, "replicas", "spec", out);
    nonnegative(spec, "minReadySeconds", "spec", out);
    let sel = selector(spec, "statefulset", "", out);
    template(spec, &sel, "StatefulSet", out);
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The selector checks of every apps/v1 spec: required, `ValidateLabelSelector`, not empty,
/// then the conversion `LabelSelectorAsSelector` does (it fails exactly when a part is invalid).
fn selector(spec: &Value, what: &str, conversion_msg: &str, out: &mut Vec<FieldError>) -> Sel {
    let Some(sel) = spec.get("selector").filter(|v| v.is_object()) else {
        out.push(FieldError::required("spec.selector", ""));
        return Sel::Nothing;
    };
    let before = out.len();
    if let Some(Value::Object(ml)) = sel.get("matchLabels") {
        out.extend(validate_labels(Some(ml), "spec.selector.matchLabels"));
    }
    let exprs = sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for (n, e) in exprs.iter().enumerate() {
        requirement(e, &format!("spec.selector.matchExpressions[{n}]"), out);
    }
    let invalid = out.len() > before;
    let rendered = selector_value(sel);
    if rendered.as_object().is_none_or(Map::is_empty) {
        out.push(FieldError::invalid(
            "spec.selector",
            rendered.clone(),
            format!("empty selector is invalid for {what}"),
        ));
    }
    if invalid {
        out.push(FieldError::invalid(
            "spec.selector",
            rendered,
            conversion_msg,
        ));
        return Sel::Invalid;
    }
    Sel::Selector(LabelSelector::from_label_selector(sel))
}

/// `ValidateLabelSelectorRequirement`.
fn requirement(e: &Value, p: &str, out: &mut Vec<FieldError>) {
    let values = e
        .get("values")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    match str_at(e, "operator") {
        "In" | "NotIn" => {
            if values.is_empty() {
                out.push(FieldError::required(
                    format!("{p}.values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                ));
            }
        }
        "Exists" | "DoesNotExist" => {
            if !values.is_empty() {
                out.push(FieldError::forbidden(
                    format!("{p}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
        }
        other => out.push(FieldError::invalid(
            format!("{p}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    let key = str_at(e, "key");
    for m in is_qualified_name(key) {
        out.push(FieldError::invalid(format!("{p}.key"), key, m));
    }
    for (i, v) in values.iter().enumerate() {
        let v = v.as_str().unwrap_or("");
        for m in is_valid_label_value(v) {
            out.push(FieldError::invalid(format!("{p}.values[{i}]"), v, m));
        }
    }
}

/// A `metav1.LabelSelector` as Go marshals it: `matchLabels` (sorted) then `matchExpressions`,
/// each omitted when empty; a requirement's `values` omitted when empty.
pub(crate) fn selector_value(sel: &Value) -> Value {
    let mut m = Map::new();
    if let Some(Value::Object(ml)) = sel.get("matchLabels")
        && !ml.is_empty()
    {
        m.insert("matchLabels".into(), sorted(ml));
    }
    if let Some(Value::Array(ex)) = sel.get("matchExpressions")
        && !ex.is_empty()
    {
        let ex = ex
            .iter()
            .map(|e| {
                let mut r = Map::new();
                r.insert("key".into(), Value::from(str_at(e, "key")));
                r.insert("operator".into(), Value::from(str_at(e, "operator")));
                if let Some(Value::Array(vs)) = e.get("values")
                    && !vs.is_empty()
                {
                    r.insert("values".into(), Value::Array(vs.clone()));
                }
                Value::Object(r)
            })
            .collect();
        m.insert("matchExpressions".into(), Value::Array(ex));
    }
    Value::Object(m)
}

fn sorted(m: &Map<String, Value>) -> Value {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Value::Object(
        keys.into_iter()
            .map(|k| (k.clone(), m[k].clone()))
            .collect(),
    )
}

/// `ValidatePodTemplateSpecForReplicaSet` / `...ForStatefulSet`: template labels match the
/// selector, the template's PodSpec is valid, `restartPolicy` is `Always`, no
/// `activeDeadlineSeconds`.
fn template(spec: &Value, sel: &Sel, owner: &str, out: &mut Vec<FieldError>) {
    if matches!(sel, Sel::Invalid) {
        return;
    }
    let tpl = spec.get("template").unwrap_or(&Value::Null);
    let labels = tpl
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    let matches = match sel {
        Sel::Nothing => false,
        Sel::Selector(s) => s.is_empty() || s.matches(labels),
        Sel::Invalid => true,
    };
    if !matches {
        out.push(FieldError::invalid(
            "spec.template.metadata.labels",
            labels.map(sorted).unwrap_or(Value::Null),
            "`selector` does not match template `labels`",
        ));
    }
    out.extend(validate_labels(labels, "spec.template.metadata.labels"));
    let pod_spec = tpl.get("spec").unwrap_or(&Value::Null);
    out.extend(validate_pod_spec(pod_spec, "spec.template.spec", false));
    let rp = str_at(pod_spec, "restartPolicy");
    if rp != "Always" {
        out.push(FieldError::not_supported(
            "spec.template.spec.restartPolicy",
            rp,
            &["Always"],
        ));
    }
    if let Some(ads) = pod_spec
        .get("activeDeadlineSeconds")
        .filter(|v| !v.is_null())
    {
        let path = "spec.template.spec.activeDeadlineSeconds";
        if owner == "StatefulSet" {
            out.push(FieldError::forbidden(
                path,
                "activeDeadlineSeconds in StatefulSet is not Supported",
            ));
        } else {
            out.push(FieldError::invalid(
                path,
                ads.clone(),
                "activeDeadlineSeconds in ReplicaSet is not Supported",
            ));
        }
    }
}

/// The update rules, appended after the spec's own errors as the strategies append them.
pub(crate) fn validate_update(kind: Kind, new: &Value, old: &Value) -> Vec<FieldError> {
    let new_spec = new.get("spec").unwrap_or(&Value::Null);
    let old_spec = old.get("spec").unwrap_or(&Value::Null);
    let mut out = Vec::new();
    if kind == Kind::StatefulSet {
        let mut clone = normalize(new_spec);
        let old_n = normalize(old_spec);
        if let (Value::Object(c), Value::Object(o)) = (&mut clone, &old_n) {
            for f in [
                "replicas",
                "template",
                "updateStrategy",
                "minReadySeconds",
                "ordinals",
                "revisionHistoryLimit",
                "persistentVolumeClaimRetentionPolicy",
            ] {
                match o.get(f) {
                    Some(v) => c.insert(f.into(), v.clone()),
                    None => c.remove(f),
                };
            }
        }
        if clone != old_n {
            out.push(FieldError::forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            ));
        }
        return out;
    }
    let sel = |s: &Value| {
        s.get("selector")
            .filter(|v| v.is_object())
            .map(selector_value)
    };
    let (n, o) = (sel(new_spec), sel(old_spec));
    if n != o {
        out.push(FieldError::invalid(
            "spec.selector",
            n.unwrap_or(Value::Null),
            "field is immutable",
        ));
    }
    out
}

/// Semantic equality ignores nil-versus-empty slices and maps.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(m) => !m.is_empty(),
                    _ => true,
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}
