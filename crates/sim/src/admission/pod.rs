//! Pod admission: decoding, defaulting (`SetDefaults_Pod` on top of the shared PodSpec
//! defaults), the mutating admission plugins a kubeadm API server runs on pods (ServiceAccount,
//! Priority, DefaultTolerationSeconds), the status a new pod is stored with, and validation on
//! create and update (`ValidatePodCreate`, `ValidatePodUpdate`).
//!
//! Order follows the API server: decode and default, then mutating admission (whose refusals are
//! 403 and come before any validation error), then `PrepareForCreate` and validation. Writes of
//! the `/status` subresource only carry status and skip all of it.

use serde_json::{Map, Value, json};

use super::pod_update::validate_pod_update;
use super::podspec::{default_pod_spec, default_ptr};
use super::podspec_validation::validate_pod_spec;
use super::{Ctx, Op, decode};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;

pub fn admit(ctx: &mut Ctx<'_>, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    if let Op::UpdateStatus { .. } = op {
        return Ok(());
    }
    decode::check(Kind::Pod, obj)?;
    let name = meta::name(obj).to_string();
    let plugin_name = admission_name(obj);
    let spec = spec_mut(obj);
    convert_service_account(spec);
    default_pod_spec(spec_value(obj));
    default_pod(spec_mut(obj));
    match op {
        Op::Create => {
            service_account(ctx, obj, &plugin_name)?;
            priority(obj, &plugin_name)?;
            default_toleration_seconds(spec_mut(obj));
            // PrepareForCreate (pkg/registry/core/pod/strategy.go): a client's status is
            // dropped; the pod starts Pending with its QoS class.
            let qos = qos_class(&obj["spec"]);
            if let Some(m) = obj.as_object_mut() {
                m.insert(
                    "status".into(),
                    json!({"phase": "Pending", "qosClass": qos}),
                );
            }
            let mut causes = validate_pod_spec(&obj["spec"], "spec", true);
            // ValidatePodCreate: ephemeral containers only come through their subresource.
            if obj["spec"]
                .get("ephemeralContainers")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
            {
                causes.push(crate::error::FieldError::forbidden(
                    "spec.ephemeralContainers",
                    "cannot be set on create",
                ));
            }
            if !causes.is_empty() {
                return Err(ApiError::invalid(Kind::Pod, name, causes));
            }
            Ok(())
        }
        Op::Update { old } => {
            // ValidatePodUpdate validates the new spec, then appends what the update may
            // not change: both kinds of cause are reported together.
            let mut causes = validate_pod_spec(&obj["spec"], "spec", true);
            causes.extend(validate_pod_update(&obj["spec"], &old["spec"]));
            if !causes.is_empty() {
                return Err(ApiError::invalid(Kind::Pod, name, causes));
            }
            Ok(())
        }
        Op::UpdateStatus { .. } => Ok(()),
    }
}

/// The name an admission plugin's refusal shows (`admission.NewForbidden`): plugins run before
/// the registry generates a name, so a pod created with `generateName` is refused as
/// `pods "web-" is forbidden`. Here the name is generated earlier (write.rs); a name that is
/// the prefix plus the 5 generated characters is taken as generated.
fn admission_name(obj: &Value) -> String {
    let name = meta::name(obj);
    let prefix = meta::str_at(obj, &["metadata", "generateName"]);
    match name.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() && rest.len() == 5 => prefix.to_string(),
        _ => name.to_string(),
    }
}

fn spec_mut(obj: &mut Value) -> &mut Map<String, Value> {
    meta::obj_mut(obj, &["spec"])
}

/// The spec as a `Value` (it is an object: `spec_mut` made it one).
fn spec_value(obj: &mut Value) -> &mut Value {
    spec_mut(obj);
    &mut obj["spec"]
}

/// The v1 ↔ internal conversion of the deprecated `serviceAccount`: an empty
/// `serviceAccountName` takes it (`pkg/apis/core/v1/conversion.go`), and on the way out it
/// mirrors `serviceAccountName`.
fn convert_service_account(spec: &mut Map<String, Value>) {
    let name = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let deprecated = spec
        .get("serviceAccount")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() && !deprecated.is_empty() {
        spec.insert("serviceAccountName".into(), Value::from(deprecated));
    }
    if let Some(n) = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
    {
        spec.insert("serviceAccount".into(), Value::from(n));
    }
}

/// `SetDefaults_Pod`: requests default to limits, service links on. Templates never get these.
fn default_pod(spec: &mut Map<String, Value>) {
    for list in ["containers", "initContainers"] {
        let Some(Value::Array(cs)) = spec.get_mut(list) else {
            continue;
        };
        for c in cs.iter_mut() {
            let Some(Value::Object(res)) = c.get_mut("resources") else {
                continue;
            };
            let Some(Value::Object(limits)) = res.get("limits").cloned() else {
                continue;
            };
            let req = res
                .entry("requests")
                .or_insert_with(|| Value::Object(Map::new()));
            if !req.is_object() {
                *req = Value::Object(Map::new());
            }
            if let Value::Object(req) = req {
                for (k, v) in limits {
                    req.entry(k).or_insert(v);
                }
            }
        }
    }
    default_ptr(spec, "enableServiceLinks", Value::Bool(true));
}

/// The ServiceAccount admission plugin (`plugin/pkg/admission/serviceaccount/admission.go`):
/// default the account to `default` and refuse a pod whose account does not exist.
fn service_account(ctx: &mut Ctx<'_>, obj: &mut Value, name: &str) -> Result<(), ApiError> {
    let ns = meta::namespace(obj).to_string();
    let spec = spec_mut(obj);
    let sa = match spec.get("serviceAccountName").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "default".to_string(),
    };
    spec.insert("serviceAccountName".into(), Value::from(sa.as_str()));
    spec.insert("serviceAccount".into(), Value::from(sa.as_str()));
    let account = ctx.store.get_by(Kind::ServiceAccount, &ns, &sa).cloned();
    // TODO: refuse a missing `default` too once the namespace controller creates it in every
    // namespace (the real plugin does: "serviceaccount \"default\" not found").
    if account.is_some() || sa == "default" {
        let sa_automount = account
            .as_ref()
            .and_then(|a| a.get("automountServiceAccountToken"))
            .and_then(Value::as_bool);
        mount_token(ctx, spec_mut(obj), sa_automount);
        return Ok(());
    }
    Err(ApiError::Forbidden {
        kind: Kind::Pod,
        name: name.to_string(),
        message: format!(
            "error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found"
        ),
    })
}

/// Where the ServiceAccount plugin mounts the token (`DefaultAPITokenMountPath`).
const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The ServiceAccount plugin's projected token volume `kube-api-access-<5 random>` and its
/// read-only mount in every container that has nothing mounted there yet, unless the pod (or,
/// when the pod does not say, its ServiceAccount) opts out with
/// `automountServiceAccountToken: false` (`mountServiceAccountToken`, `TokenVolumeSource`).
fn mount_token(ctx: &mut Ctx<'_>, spec: &mut Map<String, Value>, sa_automount: Option<bool>) {
    let automount = spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or(sa_automount)
        .unwrap_or(true);
    if !automount {
        return;
    }
    let existing = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .find(|n| n.starts_with("kube-api-access-"))
        .map(str::to_string);
    let name = match existing {
        Some(n) => n,
        None => {
            let name = format!("kube-api-access-{}", ctx.rng.name_suffix(5));
            let vols = spec
                .entry("volumes")
                .or_insert_with(|| Value::Array(Vec::new()));
            if !vols.is_array() {
                *vols = Value::Array(Vec::new());
            }
            if let Value::Array(vols) = vols {
                vols.push(json!({
                    "name": name,
                    "projected": {
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                        ],
                        "defaultMode": 420,
                    },
                }));
            }
            name
        }
    };
    for list in ["initContainers", "containers"] {
        let Some(Value::Array(cs)) = spec.get_mut(list) else {
            continue;
        };
        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
            let mounts = c
                .entry("volumeMounts")
                .or_insert_with(|| Value::Array(Vec::new()));
            if !mounts.is_array() {
                *mounts = Value::Array(Vec::new());
            }
            let Value::Array(mounts) = mounts else {
                continue;
            };
            let taken = mounts
                .iter()
                .any(|m| m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_MOUNT_PATH));
            if !taken {
                mounts.push(json!({"name": name, "readOnly": true, "mountPath": TOKEN_MOUNT_PATH}));
            }
        }
    }
}

/// The Priority admission plugin (`plugin/pkg/admission/priority/admission.go`) with the two
/// built-in PriorityClasses and no global default.
fn priority(obj: &mut Value, name: &str) -> Result<(), ApiError> {
    let spec = spec_mut(obj);
    let class = spec
        .get("priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let computed: i64 = match class.as_str() {
        "" => 0,
        "system-cluster-critical" => 2_000_000_000,
        "system-node-critical" => 2_000_001_000,
        other => {
            return Err(ApiError::Forbidden {
                kind: Kind::Pod,
                name: name.to_string(),
                message: format!("no PriorityClass with name {other} was found"),
            });
        }
    };
    if let Some(given) = spec.get("priority").and_then(Value::as_i64)
        && given != computed
    {
        return Err(ApiError::Forbidden {
            kind: Kind::Pod,
            name: name.to_string(),
            message: format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name"
            ),
        });
    }
    spec.insert("priority".into(), Value::from(computed));
    default_ptr(
        spec,
        "preemptionPolicy",
        Value::from("PreemptLowerPriority"),
    );
    Ok(())
}

/// The DefaultTolerationSeconds plugin: tolerate `not-ready` and `unreachable` NoExecute taints
/// for 300s unless the pod already tolerates them.
fn default_toleration_seconds(spec: &mut Map<String, Value>) {
    let entry = spec
        .entry("tolerations")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    let Value::Array(tols) = entry else {
        return;
    };
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = tols.iter().any(|t| {
            let k = t.get("key").and_then(Value::as_str).unwrap_or("");
            let op = t.get("operator").and_then(Value::as_str).unwrap_or("");
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            (k == key || (k.is_empty() && op == "Exists"))
                && (effect.is_empty() || effect == "NoExecute")
        });
        if !tolerated {
            tols.push(json!({
                "key": key,
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            }));
        }
    }
}

/// `qos.GetPodQOS`: BestEffort without any cpu/memory request or limit; Guaranteed when every
/// container limits both and requests equal limits (requests were defaulted from limits);
/// Burstable otherwise.
fn qos_class(spec: &Value) -> &'static str {
    let containers = ["containers", "initContainers"]
        .iter()
        .filter_map(|l| spec.get(*l).and_then(Value::as_array))
        .flatten();
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let get = |which: &str, r: &str| -> Option<f64> {
            let v = c.get("resources")?.get(which)?.get(r)?;
            super::quantity::parse_value(v).ok().filter(|n| *n != 0.0)
        };
        for r in ["cpu", "memory"] {
            let (req, lim) = (get("requests", r), get("limits", r));
            if req.is_some() || lim.is_some() {
                any = true;
            }
            if lim.is_none() || req != lim {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}
