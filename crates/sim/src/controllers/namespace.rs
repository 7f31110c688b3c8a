//! Namespace lifecycle: a new namespace gets its `default` ServiceAccount (serviceaccounts
//! controller) and the `kube-root-ca.crt` ConfigMap (root-ca-cert-publisher); a terminating one
//! is emptied (`pkg/controller/namespace/deletion`) and then removed, once its last object —
//! including pods still in their grace period — is gone.

use serde_json::json;

use super::{Ctl, Queues};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim};
use crate::store::{Change, ObjKey, Store};

/// A stable stand-in for the cluster CA: the shape kubectl users see, not a usable certificate.
const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIa3ViZWRyaWxsMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV\nBAMTCmt1YmVybmV0ZXMwHhcNMjYwMTAxMDAwMDAwWhcNMzUxMjMwMDAwMDAwWjAV\nMRMwEQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\n-----END CERTIFICATE-----\n";

pub fn observe(store: &Store, change: &Change, q: &mut Queues) {
    if change.key.kind == Kind::Namespace {
        if change.new.is_some() {
            q.push(Ctl::Namespace, change.key.clone());
        }
        return;
    }
    // Anything leaving a terminating namespace may be the last thing it waits for; anything
    // created or changed in an active one may be its SA or CA ConfigMap being deleted.
    if change.key.kind.namespaced()
        && let Some(ns) = store.get_by(Kind::Namespace, "", &change.key.namespace)
    {
        let terminating = meta::is_terminating(ns);
        let system_object = change.new.is_none()
            && matches!(
                (change.key.kind, change.key.name.as_str()),
                (Kind::ServiceAccount, "default") | (Kind::ConfigMap, "kube-root-ca.crt")
            );
        if (terminating && change.new.is_none()) || system_object {
            q.push(
                Ctl::Namespace,
                ObjKey::new(Kind::Namespace, "", &change.key.namespace),
            );
        }
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(ns) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let name = meta::name(&ns).to_string();
    if !meta::is_terminating(&ns) {
        if sim
            .store
            .get_by(Kind::ServiceAccount, &name, "default")
            .is_none()
        {
            sim.create_unsettled(json!({
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "default", "namespace": name},
            }))?;
        }
        if sim
            .store
            .get_by(Kind::ConfigMap, &name, "kube-root-ca.crt")
            .is_none()
        {
            sim.create_unsettled(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                             "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                "data": {"ca.crt": ROOT_CA},
            }))?;
        }
        return Ok(());
    }
    for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
        let keys: Vec<ObjKey> = sim
            .store
            .list(kind, Some(&name))
            .map(|o| ObjKey::of(kind, o))
            .collect();
        for k in keys {
            if sim.store.get(&k).is_some_and(|o| meta::is_terminating(o)) {
                continue;
            }
            // Gone already (a controller got there first) is as good as deleted.
            let _ = sim.delete_unsettled(&k, &DeleteOptions::default());
        }
    }
    // What is still there (pods in their grace period, objects held by finalizers) is
    // reported in the status conditions `kubectl describe namespace` shows.
    let mut remaining: Vec<String> = Vec::new();
    let mut by_finalizer: std::collections::BTreeMap<String, usize> = Default::default();
    for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
        let objs: Vec<_> = sim.store.list(kind, Some(&name)).collect();
        if !objs.is_empty() {
            remaining.push(format!(
                "{}.{} has {} resource instances",
                kind.plural(),
                kind.group(),
                objs.len()
            ));
        }
        for o in objs {
            for f in o["metadata"]["finalizers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str())
            {
                *by_finalizer.entry(f.to_string()).or_default() += 1;
            }
        }
    }
    if remaining.is_empty() {
        sim.remove_now(key);
        return Ok(());
    }
    remaining.sort();
    let finalizers: Vec<String> = by_finalizer
        .iter()
        .map(|(f, n)| format!("{f} in {n} resource instances"))
        .collect();
    deletion_conditions(sim, &ns, &remaining, &finalizers)?;
    Ok(())
}

/// `pkg/controller/namespace/deletion/status_condition_utils.go`: the five deletion conditions,
/// each in its "ok" form unless content or finalizers remain.
fn deletion_conditions(
    sim: &mut Sim,
    ns: &serde_json::Value,
    remaining: &[String],
    finalizers: &[String],
) -> Result<(), ApiError> {
    let now = crate::clock::rfc3339(sim.now());
    let mut conds = vec![
        (
            "NamespaceDeletionDiscoveryFailure",
            "False",
            "ResourcesDiscovered",
            "All resources successfully discovered".to_string(),
        ),
        (
            "NamespaceDeletionGroupVersionParsingFailure",
            "False",
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed".to_string(),
        ),
        (
            "NamespaceDeletionContentFailure",
            "False",
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization".to_string(),
        ),
        (
            "NamespaceContentRemaining",
            "True",
            "SomeResourcesRemain",
            format!("Some resources are remaining: {}", remaining.join(", ")),
        ),
    ];
    if finalizers.is_empty() {
        conds.push((
            "NamespaceFinalizersRemaining",
            "False",
            "ContentHasNoFinalizers",
            "All content-preserving finalizers finished".to_string(),
        ));
    } else {
        conds.push((
            "NamespaceFinalizersRemaining",
            "True",
            "SomeFinalizersRemain",
            format!(
                "Some content in the namespace has finalizers remaining: {}",
                finalizers.join(", ")
            ),
        ));
    }
    let prev = ns["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let conds: Vec<serde_json::Value> = conds
        .into_iter()
        .map(|(ty, status, reason, message)| {
            let t = prev
                .iter()
                .find(|c| c["type"] == ty && c["status"] == status)
                .map_or_else(|| json!(now), |c| c["lastTransitionTime"].clone());
            json!({"type": ty, "status": status, "lastTransitionTime": t, "reason": reason, "message": message})
        })
        .collect();
    let mut status = ns["status"].clone();
    status["conditions"] = serde_json::Value::Array(conds);
    if ns.get("status") == Some(&status) {
        return Ok(());
    }
    sim.update_unsettled(
        super::replicaset::status_write(ns, status),
        crate::sim::Subresource::Status,
    )?;
    Ok(())
}
