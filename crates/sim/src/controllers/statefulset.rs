//! StatefulSet controller (`pkg/controller/statefulset`): pods `<set>-0 … <set>-N-1` with stable
//! identity — hostname = pod name, subdomain = `spec.serviceName`, labels
//! `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
//! `controller-revision-hash`. OrderedReady (the default) creates the next ordinal only once
//! every lower one is Running and Ready, and removes the highest ordinal first, one at a time;
//! Parallel does both at once. A template change replaces pods from the highest ordinal down
//! (RollingUpdate); OnDelete leaves them until deleted.

use serde_json::{Value, json};
use std::sync::Arc;

use super::events::{EventKind, record};
use super::replicaset::{is_active, is_ready};
use super::{Ctl, Queues};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

const COMPONENT: &str = "statefulset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        Kind::StatefulSet => {
            let status_only = match (&change.old, &change.new) {
                (Some(o), Some(n)) => {
                    o.get("spec") == n.get("spec") && o.get("metadata") == n.get("metadata")
                }
                _ => false,
            };
            if !status_only {
                q.push(Ctl::StatefulSet, change.key.clone());
            }
        }
        Kind::Pod => {
            for p in [&change.old, &change.new].into_iter().flatten() {
                if let Some(r) = meta::controller_ref(p)
                    && r["kind"] == "StatefulSet"
                {
                    let name = r["name"].as_str().unwrap_or("");
                    q.push(
                        Ctl::StatefulSet,
                        ObjKey::new(Kind::StatefulSet, &change.key.namespace, name),
                    );
                }
            }
        }
        _ => {}
    }
}

fn revision(set: &Value) -> String {
    format!(
        "{}-{}",
        meta::name(set),
        super::deployment::template_hash(&set["spec"]["template"], 0)
    )
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(set) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    if meta::is_terminating(&set) {
        return Ok(());
    }
    let name = meta::name(&set).to_string();
    let ns = meta::namespace(&set).to_string();
    let want = set["spec"]["replicas"]
        .as_i64()
        .unwrap_or(1)
        .clamp(0, i64::from(i32::MAX));
    let parallel = set["spec"]["podManagementPolicy"] == "Parallel";
    let on_delete = set["spec"]["updateStrategy"]["type"] == "OnDelete";
    let rev = revision(&set);
    let pod_at = |sim: &Sim, i: i64| -> Option<Arc<Value>> {
        sim.store
            .get_by(Kind::Pod, &ns, &format!("{name}-{i}"))
            .filter(|p| {
                meta::controller_ref(p).and_then(|r| r["uid"].as_str()) == Some(meta::uid(&set))
            })
            .cloned()
    };
    // Create missing ordinals, in order.
    for i in 0..want {
        match pod_at(sim, i) {
            Some(p) => {
                let running_and_ready = is_active(&p) && is_ready(&p);
                if !parallel && !running_and_ready {
                    break;
                }
            }
            None => {
                if sim
                    .store
                    .get_by(Kind::Pod, &ns, &format!("{name}-{i}"))
                    .is_some()
                {
                    // Someone else's pod holds the name (or ours is still terminating).
                    break;
                }
                let pod = new_pod(&set, i, &rev);
                match sim.create_unsettled(pod) {
                    Ok(_) => {
                        let msg = format!("create Pod {name}-{i} in StatefulSet {name} successful");
                        record(
                            sim,
                            &set,
                            EventKind::Normal,
                            "SuccessfulCreate",
                            &msg,
                            COMPONENT,
                        );
                    }
                    Err(e) => {
                        let msg = format!(
                            "create Pod {name}-{i} in StatefulSet {name} failed error: {e}"
                        );
                        record(
                            sim,
                            &set,
                            EventKind::Warning,
                            "FailedCreate",
                            &msg,
                            COMPONENT,
                        );
                        break;
                    }
                }
                if !parallel {
                    break;
                }
            }
        }
    }
    // Remove ordinals above the desired count, highest first.
    let mut extra: Vec<Arc<Value>> = sim
        .store
        .dependents_of(meta::uid(&set))
        .into_iter()
        .filter(|k| k.kind == Kind::Pod)
        .filter_map(|k| sim.store.get(&k).cloned())
        .filter(|p| ordinal(p, &name).is_some_and(|o| o >= want))
        .collect();
    extra.sort_by_key(|p| std::cmp::Reverse(ordinal(p, &name)));
    for p in extra {
        if meta::is_terminating(&p) {
            if parallel {
                continue;
            }
            break;
        }
        delete_pod(sim, &set, &p);
        if !parallel {
            break;
        }
    }
    // RollingUpdate: replace the highest-ordinal pod still on an old revision, once all are ready.
    if !on_delete {
        let pods: Vec<Arc<Value>> = (0..want).filter_map(|i| pod_at(sim, i)).collect();
        let all_ready = pods.len() as i64 == want && pods.iter().all(|p| is_ready(p));
        if all_ready
            && let Some(p) = pods
                .iter()
                .rev()
                .find(|p| p["metadata"]["labels"][REVISION_LABEL].as_str() != Some(rev.as_str()))
        {
            delete_pod(sim, &set, p);
        }
    }
    write_status(sim, key, &rev)
}

fn ordinal(p: &Value, set: &str) -> Option<i64> {
    meta::name(p).strip_prefix(&format!("{set}-"))?.parse().ok()
}

fn delete_pod(sim: &mut Sim, set: &Value, p: &Value) {
    if sim
        .delete_unsettled(&ObjKey::of(Kind::Pod, p), &DeleteOptions::default())
        .is_ok()
    {
        let msg = format!(
            "delete Pod {} in StatefulSet {} successful",
            meta::name(p),
            meta::name(set)
        );
        record(
            sim,
            set,
            EventKind::Normal,
            "SuccessfulDelete",
            &msg,
            COMPONENT,
        );
    }
}

fn new_pod(set: &Value, i: i64, rev: &str) -> Value {
    let name = format!("{}-{i}", meta::name(set));
    let tmpl = &set["spec"]["template"];
    let mut md = tmpl["metadata"].as_object().cloned().unwrap_or_default();
    md.remove("generateName");
    md.insert("name".into(), json!(name));
    md.insert("namespace".into(), json!(meta::namespace(set)));
    md.insert(
        "ownerReferences".into(),
        json!([meta::owner_ref_to(set, true)]),
    );
    let labels = md.entry("labels").or_insert_with(|| json!({}));
    if let Some(l) = labels.as_object_mut() {
        l.insert("statefulset.kubernetes.io/pod-name".into(), json!(name));
        l.insert("apps.kubernetes.io/pod-index".into(), json!(i.to_string()));
        l.insert(REVISION_LABEL.into(), json!(rev));
    }
    let mut spec = tmpl["spec"].clone();
    spec["hostname"] = json!(name);
    if let Some(svc) = set["spec"]["serviceName"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        spec["subdomain"] = json!(svc);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec})
}

fn write_status(sim: &mut Sim, key: &ObjKey, rev: &str) -> Result<(), ApiError> {
    let Some(set) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let pods: Vec<Arc<Value>> = sim
        .store
        .dependents_of(meta::uid(&set))
        .into_iter()
        .filter(|k| k.kind == Kind::Pod)
        .filter_map(|k| sim.store.get(&k).cloned())
        .filter(|p| is_active(p))
        .collect();
    let ready = pods.iter().filter(|p| is_ready(p)).count();
    let updated = pods
        .iter()
        .filter(|p| p["metadata"]["labels"][REVISION_LABEL].as_str() == Some(rev))
        .count();
    // The current revision stays the old one until every pod runs the update
    // (stateful_set_control.go completeRollingUpdate).
    let prev_current = set["status"]["currentRevision"].as_str().unwrap_or(rev);
    let current = if updated == pods.len() {
        rev.to_string()
    } else {
        pods.iter()
            .filter_map(|p| p["metadata"]["labels"][REVISION_LABEL].as_str())
            .find(|r| *r != rev)
            .unwrap_or(prev_current)
            .to_string()
    };
    let current_count = pods
        .iter()
        .filter(|p| p["metadata"]["labels"][REVISION_LABEL].as_str() == Some(current.as_str()))
        .count();
    let mut status = json!({
        "observedGeneration": set["metadata"]["generation"].as_i64().unwrap_or(1),
        "replicas": pods.len(),
        "readyReplicas": ready,
        "currentReplicas": current_count,
        "updatedReplicas": updated,
        "availableReplicas": ready,
        "currentRevision": current,
        "updateRevision": rev,
        "collisionCount": 0,
    });
    if let Some(m) = status.as_object_mut() {
        m.retain(|k, v| {
            matches!(
                k.as_str(),
                "observedGeneration"
                    | "replicas"
                    | "availableReplicas"
                    | "collisionCount"
                    | "currentRevision"
                    | "updateRevision"
            ) || v.as_i64() != Some(0)
        });
    }
    if set.get("status") == Some(&status) {
        return Ok(());
    }
    sim.update_unsettled(
        super::replicaset::status_write(&set, status),
        Subresource::Status,
    )?;
    Ok(())
}
