//! apps/v1 Deployment, ReplicaSet and StatefulSet admission (SERVICES-SPEC §K rules 93–95):
//! decoding, defaulting (`pkg/apis/apps/v1/defaults.go` plus the shared PodSpec defaults on the
//! template), the empty status `PrepareForCreate` stores, and validation on create and update.
//! The validation rules themselves live in `apps_validation.rs`.

use serde_json::{Map, Value, json};

use super::apps_validation::{validate, validate_update};
use super::podspec::{default_field, default_pod_spec, default_ptr};
use super::{Ctx, Op, decode};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;

pub fn admit(_ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    let old = match op {
        // A status write carries only status (write.rs keeps the stored spec).
        Op::UpdateStatus { .. } => return Ok(()),
        Op::Create => None,
        Op::Update { old } => Some(old),
    };
    decode::check(kind, obj)?;
    apply_defaults(kind, obj);
    if old.is_none()
        && let Some(m) = obj.as_object_mut()
    {
        // PrepareForCreate (pkg/registry/apps/*/strategy.go): a client's status is dropped.
        m.insert("status".into(), Value::Object(Map::new()));
    }
    let mut causes = validate(kind, obj);
    if let Some(old) = old {
        causes.extend(validate_update(kind, obj, old));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, meta::name(obj), causes))
    }
}

/// `SetDefaults_Deployment`, `SetDefaults_ReplicaSet`, `SetDefaults_StatefulSet`, then the PodSpec
/// defaults of the template (a Go `PodTemplateSpec` is a struct: it is always there).
fn apply_defaults(kind: Kind, obj: &mut Value) {
    let spec = meta::obj_mut(obj, &["spec"]);
    default_ptr(spec, "replicas", Value::from(1));
    match kind {
        Kind::Deployment => default_deployment(spec),
        Kind::StatefulSet => default_stateful_set(spec),
        _ => {}
    }
    let template_meta = meta::obj_mut(obj, &["spec", "template", "metadata"]);
    // Decoded into Go's ObjectMeta, `creationTimestamp: null` (what kubectl 1.32's `rollout undo`
    // sends back) is the zero time and empty maps are nil: the template is the one it was, so
    // the Deployment finds its old ReplicaSet again instead of making a new one.
    template_meta.retain(|_, v| match v {
        Value::Null => false,
        Value::Object(o) => !o.is_empty(),
        _ => true,
    });
    meta::obj_mut(obj, &["spec", "template", "spec"]);
    default_pod_spec(&mut obj["spec"]["template"]["spec"]);
}

fn default_deployment(spec: &mut Map<String, Value>) {
    let strategy = spec
        .entry("strategy")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(st) = strategy {
        default_field(st, "type", Value::from("RollingUpdate"));
        if st.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            let ru = st
                .entry("rollingUpdate")
                .or_insert_with(|| Value::Object(Map::new()));
            if ru.is_null() {
                *ru = Value::Object(Map::new());
            }
            if let Value::Object(ru) = ru {
                default_ptr(ru, "maxUnavailable", Value::from("25%"));
                default_ptr(ru, "maxSurge", Value::from("25%"));
            }
        }
    }
    default_ptr(spec, "revisionHistoryLimit", Value::from(10));
    default_ptr(spec, "progressDeadlineSeconds", Value::from(600));
}

fn default_stateful_set(spec: &mut Map<String, Value>) {
    default_field(spec, "podManagementPolicy", Value::from("OrderedReady"));
    let us = spec
        .entry("updateStrategy")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(us) = us {
        if us
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            us.insert("type".into(), Value::from("RollingUpdate"));
            default_ptr(us, "rollingUpdate", Value::Object(Map::new()));
        }
        if us.get("type").and_then(Value::as_str) == Some("RollingUpdate")
            && let Some(Value::Object(ru)) = us.get_mut("rollingUpdate")
        {
            default_ptr(ru, "partition", Value::from(0));
            // MaxUnavailableStatefulSet is beta and on by default in 1.35
            // (pkg/features/kube_features.go).
            default_ptr(ru, "maxUnavailable", Value::from(1));
        }
    }
    let policy = spec
        .entry("persistentVolumeClaimRetentionPolicy")
        .or_insert_with(|| Value::Object(Map::new()));
    if policy.is_null() {
        *policy = Value::Object(Map::new());
    }
    if let Value::Object(p) = policy {
        default_field(p, "whenDeleted", Value::from("Retain"));
        default_field(p, "whenScaled", Value::from("Retain"));
    }
    default_ptr(spec, "revisionHistoryLimit", Value::from(10));
    // volumeClaimTemplates are PersistentVolumeClaims: their spec's volumeMode defaults
    // (SetDefaults_PersistentVolumeClaimSpec) and status starts Pending.
    if let Some(Value::Array(vcts)) = spec.get_mut("volumeClaimTemplates") {
        for t in vcts.iter_mut().filter_map(Value::as_object_mut) {
            default_field(t, "apiVersion", Value::from("v1"));
            default_field(t, "kind", Value::from("PersistentVolumeClaim"));
            if let Some(Value::Object(s)) = t.get_mut("spec") {
                default_ptr(s, "volumeMode", Value::from("Filesystem"));
            }
            default_ptr(t, "status", json!({"phase": "Pending"}));
        }
    }
}
