//! Defaulting and validation of the simpler core and discovery kinds: Namespace, Node,
//! Endpoints, EndpointSlice, Event, ConfigMap, ServiceAccount.
//!
//! Sources: `pkg/apis/core/v1/defaults.go` (`SetDefaults_Namespace`, `SetDefaults_EndpointPort`),
//! `pkg/registry/core/namespace/strategy.go` (finalizer and phase on create),
//! `pkg/apis/core/validation/validation.go` (`ValidateNamespace`, `ValidateNode`,
//! `ValidateConfigMap`, `ValidateEndpoints`, `ValidateEvent`) and
//! `pkg/apis/discovery/validation/validation.go` (`ValidateEndpointSlice`).

use serde_json::{Map, Value, json};

// Endpoints and EndpointSlice live beside this file, in `admission/endpoints.rs`.
#[path = "endpoints.rs"]
mod endpoints;

use super::objectmeta;
use super::validation::{is_qualified_name, is_valid_label_value, max_len_error, regex_error};
use super::{Ctx, Op};
use crate::error::{ApiError, FieldError, FieldErrorType};
use crate::kinds::Kind;
use crate::meta;
use k8s_openapi::api::core::v1 as corev1;
use k8s_openapi::api::discovery::v1 as discoveryv1;

/// `kubernetes.io/metadata.name`, the label every namespace carries (SERVICES-SPEC rule 72).
const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";
/// `core.MaxSecretSize`, also the ConfigMap limit.
const MAX_CONFIG_MAP_SIZE: usize = 1024 * 1024;

pub fn admit(_ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    match kind {
        Kind::Namespace => objectmeta::decode::<corev1::Namespace>(kind, obj).map(drop)?,
        Kind::Node => objectmeta::decode::<corev1::Node>(kind, obj).map(drop)?,
        Kind::Endpoints => objectmeta::decode::<corev1::Endpoints>(kind, obj).map(drop)?,
        Kind::EndpointSlice => {
            objectmeta::decode::<discoveryv1::EndpointSlice>(kind, obj).map(drop)?
        }
        Kind::Event => objectmeta::decode::<corev1::Event>(kind, obj).map(drop)?,
        Kind::ConfigMap => objectmeta::decode::<corev1::ConfigMap>(kind, obj).map(drop)?,
        Kind::ServiceAccount => {
            objectmeta::decode::<corev1::ServiceAccount>(kind, obj).map(drop)?
        }
        _ => return Ok(()),
    }
    if kind == Kind::Namespace {
        // SetDefaults_Namespace runs on every decode, status writes included.
        set_namespace_label(obj);
    }
    if matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    let mut errs = Vec::new();
    match kind {
        Kind::Namespace => {
            prepare_namespace(op, obj);
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(validate_namespace(obj));
        }
        Kind::Node => {
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(validate_node_taints(obj));
        }
        Kind::Endpoints => {
            endpoints::default_ports(obj.get_mut("subsets"), &["ports"]);
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(endpoints::validate_endpoints(op, obj));
        }
        Kind::EndpointSlice => {
            endpoints::default_slice_ports(obj);
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(endpoints::validate_endpoint_slice(op, obj));
        }
        Kind::Event => {
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(validate_event(obj));
        }
        Kind::ConfigMap => {
            errs = objectmeta::validate(kind, op, obj);
            errs.extend(validate_config_map(op, obj));
        }
        Kind::ServiceAccount => errs = objectmeta::validate(kind, op, obj),
        _ => {}
    }
    objectmeta::result(kind, obj, errs)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Namespace

/// `SetDefaults_Namespace`: the name label, always, overwriting whatever the client sent.
fn set_namespace_label(obj: &mut Value) {
    let name = meta::name(obj).to_string();
    if name.is_empty() {
        return;
    }
    let md = meta::metadata_mut(obj);
    let labels = md
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if !labels.is_object() {
        *labels = Value::Object(Map::new());
    }
    if let Value::Object(l) = labels {
        l.insert(LABEL_METADATA_NAME.into(), Value::String(name));
    }
}

/// The namespace strategy: on create the `kubernetes` finalizer is ensured and the phase is
/// Active; on update `spec.finalizers` only changes through `/finalize`, so the old one stays.
fn prepare_namespace(op: Op<'_>, obj: &mut Value) {
    match op {
        Op::Create => {
            if !obj.get("spec").is_some_and(Value::is_object) {
                obj["spec"] = json!({});
            }
            let fins = obj["spec"]
                .as_object_mut()
                .map(|s| s.entry("finalizers").or_insert_with(|| json!([])));
            if let Some(fins) = fins {
                if !fins.is_array() {
                    *fins = json!([]);
                }
                if let Value::Array(a) = fins
                    && !a.iter().any(|f| f == "kubernetes")
                {
                    a.push(json!("kubernetes"));
                }
            }
            obj["status"] = json!({"phase": "Active"});
        }
        Op::Update { old } => match old.pointer("/spec/finalizers") {
            Some(f) => {
                if !obj.get("spec").is_some_and(Value::is_object) {
                    obj["spec"] = json!({});
                }
                obj["spec"]["finalizers"] = f.clone();
            }
            None => {
                if let Some(Value::Object(s)) = obj.get_mut("spec") {
                    s.remove("finalizers");
                }
            }
        },
        Op::UpdateStatus { .. } => {}
    }
}

/// `ValidateNamespace`: each `spec.finalizers` entry a finalizer name.
fn validate_namespace(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    for f in arr(spec, "finalizers").iter().filter_map(Value::as_str) {
        errs.extend(validate_finalizer_name(f, "spec.finalizers"));
    }
    errs
}

/// `validateFinalizerName` (core): a qualified name, and a bare name must be a standard one.
fn validate_finalizer_name(f: &str, path: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = is_qualified_name(f)
        .into_iter()
        .map(|m| FieldError::invalid(path, f, m))
        .collect();
    errs.extend(objectmeta::validate_kube_finalizer_name(f, path));
    errs
}

// ---------------------------------------------------------------------------------------------
// Node

/// `validateNodeTaints`. The path is `metadata.taints`, a long-standing quirk of `ValidateNode`
/// (it passes the metadata path). `validateTaintEffect` lists the effects in its literal order,
/// unsorted (`field.NotSupported` does not sort; a real cluster prints the same order for
/// tolerations, which share the function).
fn validate_node_taints(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, t) in arr(spec, "taints").iter().enumerate() {
        let p = format!("metadata.taints[{i}]");
        let key = str_of(t, "key");
        let value = str_of(t, "value");
        let effect = str_of(t, "effect");
        for m in is_qualified_name(key) {
            errs.push(FieldError::invalid(format!("{p}.key"), key, m));
        }
        let value_errs = is_valid_label_value(value);
        if !value_errs.is_empty() {
            errs.push(FieldError::invalid(
                format!("{p}.value"),
                value,
                value_errs.join(";"),
            ));
        }
        if effect.is_empty() {
            errs.push(FieldError::required(format!("{p}.effect"), ""));
        } else if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            errs.push(FieldError::not_supported(
                format!("{p}.effect"),
                effect,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
        let pair = (key.to_string(), effect.to_string());
        if seen.contains(&pair) {
            // The value is the internal `core.Taint`, which has no json tags: Go marshals its
            // exported field names in declaration order.
            let go_value = [
                ("Key", Value::from(key)),
                ("Value", Value::from(value)),
                ("Effect", Value::from(effect)),
                (
                    "TimeAdded",
                    t.get("timeAdded").cloned().unwrap_or(Value::Null),
                ),
            ];
            errs.push(
                FieldError::new(
                    FieldErrorType::Duplicate,
                    p,
                    Value::Null,
                    "taints must be unique by key and effect pair",
                )
                .with_go_struct(&go_value),
            );
            continue;
        }
        seen.push(pair);
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// Event

/// `legacyValidateEvent` for events without `eventTime`: the involved object's namespace must
/// be the event's (or, when empty, the event lives in `default`).
fn validate_event(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if obj.get("eventTime").is_some_and(|t| !t.is_null()) {
        return errs;
    }
    let ns = meta::namespace(obj);
    let involved = meta::str_at(obj, &["involvedObject", "namespace"]);
    let mismatch = if involved.is_empty() {
        !ns.is_empty() && ns != "default"
    } else {
        ns != involved
    };
    if mismatch {
        errs.push(FieldError::invalid(
            "involvedObject.namespace",
            involved,
            "does not match event.namespace",
        ));
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// ConfigMap

const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

/// `IsConfigMapKey`.
fn is_config_map_key(k: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if k.len() > 253 {
        errs.push(max_len_error(253));
    }
    let ok = !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
    if !ok {
        errs.push(regex_error(
            CONFIG_MAP_KEY_MSG,
            CONFIG_MAP_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if k == "." {
        errs.push("must not be '.'".to_string());
    } else if k == ".." {
        errs.push("must not be '..'".to_string());
    } else if k.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// The byte length of a base64 value (binaryData is sized decoded).
fn base64_len(s: &str) -> usize {
    let pad = s.bytes().rev().take_while(|&c| c == b'=').count();
    ((s.len() / 4) * 3).saturating_sub(pad.min(2))
}

/// `ValidateConfigMap` + `ValidateConfigMapUpdate` (immutable ConfigMaps).
fn validate_config_map(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Op::Update { old } = op
        && old.get("immutable").and_then(Value::as_bool) == Some(true)
    {
        let msg = "field is immutable when `immutable` is set";
        if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
            errs.push(FieldError::forbidden("immutable", msg));
        }
        for key in ["data", "binaryData"] {
            let empty = |v: Option<&Value>| {
                v.is_none_or(|v| v.is_null() || v.as_object().is_some_and(Map::is_empty))
            };
            let (a, b) = (obj.get(key), old.get(key));
            if !(a == b || empty(a) && empty(b)) {
                errs.push(FieldError::forbidden(key, msg));
            }
        }
    }
    let empty = Map::new();
    let data = obj.get("data").and_then(Value::as_object).unwrap_or(&empty);
    let binary = obj
        .get("binaryData")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut total = 0usize;
    for (k, v) in data {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(format!("data[{k}]"), k.as_str(), m));
        }
        if binary.contains_key(k) {
            errs.push(FieldError::invalid(
                format!("data[{k}]"),
                k.as_str(),
                "duplicate of key present in binaryData",
            ));
        }
        total += v.as_str().map_or(0, str::len);
    }
    for (k, v) in binary {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(
                format!("binaryData[{k}]"),
                k.as_str(),
                m,
            ));
        }
        total += v.as_str().map_or(0, base64_len);
    }
    if total > MAX_CONFIG_MAP_SIZE {
        // The empty path means "the whole object", printed as `: Too long: ...`.
        errs.push(FieldError::too_long("", MAX_CONFIG_MAP_SIZE));
    }
    errs
}
