//! ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`): claims pods by selector
//! (rule 97: releases an owned pod whose labels stop matching, adopts matching orphans — the
//! `ControllerRefManager.ClaimPods` logic), creates pods from the template (`generateName:
//! <rs>-`, rule 96) or deletes the least valuable extras, and writes status.
//!
//! A pod create refused by admission gives a `FailedCreate` event and a `ReplicaFailure`
//! condition; it is not retried until something else changes (no retry loop).

use serde_json::{Map, Value, json};
use std::sync::Arc;

use super::events::{EventKind, record};
use super::{Ctl, Queues};
use crate::clock::rfc3339;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::selector::LabelSelector;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

const COMPONENT: &str = "replicaset-controller";

pub fn observe(store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        Kind::ReplicaSet => {
            // Not on our own status writes: they change nothing we act on.
            let status_only = match (&change.old, &change.new) {
                (Some(o), Some(n)) => {
                    o.get("spec") == n.get("spec") && o.get("metadata") == n.get("metadata")
                }
                _ => false,
            };
            if !status_only {
                q.push(Ctl::ReplicaSet, change.key.clone());
            }
        }
        Kind::Pod => {
            for p in [&change.old, &change.new].into_iter().flatten() {
                if let Some(r) = meta::controller_ref(p)
                    && r["kind"] == "ReplicaSet"
                {
                    let name = r["name"].as_str().unwrap_or("");
                    q.push(
                        Ctl::ReplicaSet,
                        ObjKey::new(Kind::ReplicaSet, &change.key.namespace, name),
                    );
                }
            }
            // An orphan that may now match a selector: offer it to the namespace's sets.
            if let Some(new) = &change.new
                && meta::controller_ref(new).is_none()
                && !meta::is_terminating(new)
            {
                let labels_changed = change.old.as_ref().is_none_or(|o| {
                    meta::labels(o) != meta::labels(new) || meta::controller_ref(o).is_some()
                });
                if labels_changed {
                    for rs in store.list(Kind::ReplicaSet, Some(&change.key.namespace)) {
                        if selector_matches(rs, new) {
                            q.push(Ctl::ReplicaSet, ObjKey::of(Kind::ReplicaSet, rs));
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether the set's selector selects the pod; an empty selector selects nothing here (apps/v1
/// rejects it, and a controller must never claim a whole namespace).
pub(crate) fn selector_matches(owner: &Value, pod: &Value) -> bool {
    let sel = &owner["spec"]["selector"];
    let empty = sel["matchLabels"].as_object().is_none_or(|m| m.is_empty())
        && sel["matchExpressions"]
            .as_array()
            .is_none_or(|a| a.is_empty());
    !empty && LabelSelector::from_label_selector(sel).matches(meta::labels(pod))
}

/// The body of a `/status` write: identity and the new status only. The write pipeline takes
/// nothing but `status` from a status write, so the rest of the object need not be cloned.
pub(crate) fn status_write(obj: &Value, status: Value) -> Value {
    // Built by hand, not with `json!`: the macro serializes `status` by reference, a deep copy
    // through serde on every pod, ReplicaSet and Deployment status write; here it is moved.
    let mut md = Map::new();
    md.insert("name".into(), Value::String(meta::name(obj).to_string()));
    md.insert(
        "namespace".into(),
        Value::String(meta::namespace(obj).to_string()),
    );
    let mut body = Map::new();
    body.insert("apiVersion".into(), obj["apiVersion"].clone());
    body.insert("kind".into(), obj["kind"].clone());
    body.insert("metadata".into(), Value::Object(md));
    body.insert("status".into(), status);
    Value::Object(body)
}

pub(crate) fn is_active(p: &Value) -> bool {
    !meta::is_terminating(p)
        && !matches!(
            meta::str_at(p, &["status", "phase"]),
            "Succeeded" | "Failed"
        )
}

pub(crate) fn is_ready(p: &Value) -> bool {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(rs) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    if meta::is_terminating(&rs) {
        return Ok(());
    }
    let owned = claim_pods(sim, &rs, Kind::ReplicaSet)?;
    let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
    let active: Vec<Arc<Value>> = owned.iter().filter(|p| is_active(p)).cloned().collect();
    let diff = want - active.len() as i64;
    let mut failure: Option<String> = None;
    if diff > 0 {
        for _ in 0..diff {
            let pod = pod_from_template(&rs);
            match sim.create_unsettled(pod) {
                Ok(p) => {
                    let msg = format!("Created pod: {}", meta::name(&p));
                    record(
                        sim,
                        &rs,
                        EventKind::Normal,
                        "SuccessfulCreate",
                        &msg,
                        COMPONENT,
                    );
                }
                Err(e) => {
                    let msg = format!("Error creating: {e}");
                    record(
                        sim,
                        &rs,
                        EventKind::Warning,
                        "FailedCreate",
                        &msg,
                        COMPONENT,
                    );
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
    } else if diff < 0 {
        let mut ranked = active.clone();
        ranked.sort_by_key(|p| deletion_rank(p));
        for p in ranked.iter().take((-diff) as usize) {
            let k = ObjKey::of(Kind::Pod, p);
            if sim.delete_unsettled(&k, &DeleteOptions::default()).is_ok() {
                let msg = format!("Deleted pod: {}", meta::name(p));
                record(
                    sim,
                    &rs,
                    EventKind::Normal,
                    "SuccessfulDelete",
                    &msg,
                    COMPONENT,
                );
            }
        }
    }
    write_status(sim, key, failure)
}

/// Lower sorts first = deleted first (`controller.ActivePods` ordering): unassigned before
/// assigned, Pending before Running, not ready before ready, newer before older; then name.
fn deletion_rank(p: &Value) -> (bool, u8, bool, std::cmp::Reverse<String>, i64, String) {
    let assigned = !meta::str_at(p, &["spec", "nodeName"]).is_empty();
    let phase = match meta::str_at(p, &["status", "phase"]) {
        "Pending" | "" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    let restarts: i64 = p["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["restartCount"].as_i64())
        .sum();
    (
        assigned,
        phase,
        is_ready(p),
        std::cmp::Reverse(meta::str_at(p, &["metadata", "creationTimestamp"]).to_string()),
        -restarts,
        meta::name(p).to_string(),
    )
}

/// ClaimPods: the pods in the owner's namespace it controls after releasing those whose labels
/// stopped matching and adopting matching orphans.
pub(crate) fn claim_pods(
    sim: &mut Sim,
    owner: &Value,
    _kind: Kind,
) -> Result<Vec<Arc<Value>>, ApiError> {
    let uid = meta::uid(owner).to_string();
    let ns = meta::namespace(owner).to_string();
    let candidates: Vec<Arc<Value>> = sim.store.list(Kind::Pod, Some(&ns)).cloned().collect();
    let mut owned = Vec::new();
    // `selector_matches`, with the selector parsed once per claim instead of once per pod,
    // and evaluated only for the pods whose fate depends on it: ours and the unowned ones,
    // not the (many) pods of the namespace's other controllers.
    let sel = &owner["spec"]["selector"];
    let empty = sel["matchLabels"].as_object().is_none_or(|m| m.is_empty())
        && sel["matchExpressions"]
            .as_array()
            .is_none_or(|a| a.is_empty());
    let selector = (!empty).then(|| LabelSelector::from_label_selector(sel));
    let matches = |p: &Value| {
        selector
            .as_ref()
            .is_some_and(|s| s.matches(meta::labels(p)))
    };
    for p in candidates {
        // Some(true): controlled by `owner`; Some(false): by another; None: by nobody.
        let ours = meta::controller_ref(&p)
            .and_then(|r| r["uid"].as_str())
            .map(|u| u == uid);
        match ours {
            Some(true) => {
                if matches(&p) {
                    owned.push(p);
                } else if !meta::is_terminating(&p) {
                    // Rule 97: "Owned by us but selector doesn't match" → release.
                    let mut new = (*p).clone();
                    if let Some(Value::Array(refs)) = new.pointer_mut("/metadata/ownerReferences") {
                        refs.retain(|r| r["uid"].as_str() != Some(uid.as_str()));
                        if refs.is_empty()
                            && let Some(m) = new["metadata"].as_object_mut()
                        {
                            m.remove("ownerReferences");
                        }
                    }
                    sim.update_unsettled(new, Subresource::Main)?;
                }
            }
            None if matches(&p) && !meta::is_terminating(&p) => {
                let mut new = (*p).clone();
                let refs = meta::metadata_mut(&mut new)
                    .entry("ownerReferences")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = refs {
                    a.push(meta::owner_ref_to(owner, true));
                }
                owned.push(sim.update_unsettled(new, Subresource::Main)?);
            }
            _ => {}
        }
    }
    Ok(owned)
}

fn pod_from_template(rs: &Value) -> Value {
    let tmpl = &rs["spec"]["template"];
    let mut md = tmpl["metadata"].as_object().cloned().unwrap_or_default();
    md.remove("name");
    md.remove("namespace");
    md.insert(
        "generateName".into(),
        Value::String(format!("{}-", meta::name(rs))),
    );
    md.insert(
        "namespace".into(),
        Value::String(meta::namespace(rs).to_string()),
    );
    md.insert(
        "ownerReferences".into(),
        json!([meta::owner_ref_to(rs, true)]),
    );
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": md,
        "spec": tmpl["spec"].clone(),
    })
}

fn write_status(sim: &mut Sim, key: &ObjKey, failure: Option<String>) -> Result<(), ApiError> {
    let Some(rs) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let uid = meta::uid(&rs).to_string();
    let owned: Vec<Arc<Value>> = sim
        .store
        .dependents_of(&uid)
        .into_iter()
        .filter(|k| k.kind == Kind::Pod)
        .filter_map(|k| sim.store.get(&k).cloned())
        .filter(|p| meta::controller_ref(p).and_then(|r| r["uid"].as_str()) == Some(uid.as_str()))
        .collect();
    let active: Vec<&Arc<Value>> = owned.iter().filter(|p| is_active(p)).collect();
    let tmpl_labels = rs["spec"]["template"]["metadata"]["labels"].as_object();
    let fully = active
        .iter()
        .filter(|p| {
            tmpl_labels.is_none_or(|t| {
                let l = meta::labels(p);
                t.iter().all(|(k, v)| l.and_then(|l| l.get(k)) == Some(v))
            })
        })
        .count();
    let ready = active.iter().filter(|p| is_ready(p)).count();
    let terminating = owned.iter().filter(|p| meta::is_terminating(p)).count();
    let mut status = json!({
        "replicas": active.len(),
        "fullyLabeledReplicas": fully,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": rs["metadata"]["generation"].as_i64().unwrap_or(1),
    });
    if terminating > 0 {
        status["terminatingReplicas"] = json!(terminating);
    }
    // Zero counts are omitted on the wire (omitempty), as a real ReplicaSet shows them.
    if let Some(m) = status.as_object_mut() {
        m.retain(|k, v| k == "replicas" || k == "observedGeneration" || v.as_i64() != Some(0));
    }
    let prev_failure = rs["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == "ReplicaFailure"))
        .cloned();
    if let Some(msg) = failure {
        let t = prev_failure
            .as_ref()
            .filter(|c| c["message"] == msg.as_str())
            .map_or_else(
                || json!(rfc3339(sim.now())),
                |c| c["lastTransitionTime"].clone(),
            );
        status["conditions"] = json!([{"type": "ReplicaFailure", "status": "True", "lastTransitionTime": t, "reason": "FailedCreate", "message": msg}]);
    }
    if rs.get("status") == Some(&status) {
        return Ok(());
    }
    sim.update_unsettled(status_write(&rs, status), Subresource::Status)?;
    Ok(())
}
