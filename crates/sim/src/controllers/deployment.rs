//! Deployment controller (`pkg/controller/deployment`): one ReplicaSet per pod template, named
//! `<deploy>-<pod-template-hash>` (rule 96), rolling replacement bounded by maxSurge and
//! maxUnavailable (`rolling.go`), Recreate (`recreate.go`), scaling, revision history cleanup,
//! status and the Available / Progressing conditions with the controller's reasons and messages.
//!
//! Each sync takes one step, as the real controller does; the ReplicaSets' status changes bring
//! it back, so a rollout whose new pods never become ready stops where maxUnavailable says.

use jiff::SignedDuration;
use serde_json::{Map, Value, json};
use std::sync::Arc;

use super::events::{EventKind, record};
use super::replicaset::{claim_pods, selector_matches};
use super::{Ctl, Queues};
use crate::clock::{parse_time, rfc3339};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

const COMPONENT: &str = "deployment-controller";
const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";

pub fn observe(store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        Kind::Deployment => {
            let status_only = match (&change.old, &change.new) {
                (Some(o), Some(n)) => {
                    o.get("spec") == n.get("spec") && o.get("metadata") == n.get("metadata")
                }
                _ => false,
            };
            if !status_only {
                q.push(Ctl::Deployment, change.key.clone());
            }
        }
        Kind::ReplicaSet => {
            for rs in [&change.old, &change.new].into_iter().flatten() {
                if let Some(r) = meta::controller_ref(rs)
                    && r["kind"] == "Deployment"
                {
                    let name = r["name"].as_str().unwrap_or("");
                    q.push(
                        Ctl::Deployment,
                        ObjKey::new(Kind::Deployment, &change.key.namespace, name),
                    );
                }
            }
            if let Some(new) = &change.new
                && meta::controller_ref(new).is_none()
            {
                for d in store.list(Kind::Deployment, Some(&change.key.namespace)) {
                    if selector_matches(d, new) {
                        q.push(Ctl::Deployment, ObjKey::of(Kind::Deployment, d));
                    }
                }
            }
        }
        _ => {}
    }
}

/// FNV-32a, the hash `controller.ComputeHash` uses.
fn fnv32a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// JSON with object keys sorted, so equal templates hash equally whatever their key order.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// `ComputeHash` rendered as Kubernetes renders it: `rand.SafeEncodeString` of the decimal hash,
/// each digit mapped into the alphabet `bcdfghjklmnpqrstvwxz2456789`.
pub(crate) fn template_hash(template: &Value, collision_count: i64) -> String {
    let mut data = canonical(template).into_bytes();
    if collision_count > 0 {
        data.extend_from_slice(collision_count.to_string().as_bytes());
    }
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    fnv32a(&data)
        .to_string()
        .bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// The template with the `pod-template-hash` label removed (`EqualIgnoreHash`).
fn without_hash(t: &Value) -> Value {
    let mut t = t.clone();
    if let Some(l) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.remove(HASH_LABEL);
        if l.is_empty()
            && let Some(m) = t["metadata"].as_object_mut()
        {
            m.remove("labels");
        }
    }
    t
}

/// intstr.GetScaledValueFromIntOrPercent.
fn scaled(v: &Value, total: i64, round_up: bool, default_pct: i64) -> i64 {
    let pct = |p: i64| {
        let x = p.saturating_mul(total);
        if round_up {
            x.saturating_add(99) / 100
        } else {
            x / 100
        }
    };
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(p) => pct(p),
            None => s.parse().unwrap_or(0),
        },
        _ => pct(default_pct),
    }
}

/// `spec.replicas` (default 1), within int32 as the API types hold it.
fn replicas(o: &Value) -> i64 {
    o["spec"]["replicas"]
        .as_i64()
        .unwrap_or(1)
        .clamp(0, i64::from(i32::MAX))
}

fn status_i(o: &Value, f: &str) -> i64 {
    o["status"][f].as_i64().unwrap_or(0)
}

fn revision(rs: &Value) -> i64 {
    meta::annotations(rs)
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

struct Plan {
    recreate: bool,
    surge: i64,
    unavailable: i64,
}

fn plan(d: &Value) -> Plan {
    let want = replicas(d);
    let strategy = &d["spec"]["strategy"];
    if strategy["type"] == "Recreate" {
        return Plan {
            recreate: true,
            surge: 0,
            unavailable: want,
        };
    }
    let ru = &strategy["rollingUpdate"];
    let surge = scaled(&ru["maxSurge"], want, true, 25);
    let mut unavailable = scaled(&ru["maxUnavailable"], want, false, 25);
    // util.ResolveFenceposts: both zero would deadlock, so maxUnavailable becomes 1.
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Plan {
        recreate: false,
        surge,
        unavailable: unavailable.min(want),
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(d) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    if meta::is_terminating(&d) {
        return Ok(());
    }
    let mut all = claim_replica_sets(sim, &d)?;
    all.sort_by(|a, b| {
        meta::str_at(a, &["metadata", "creationTimestamp"])
            .cmp(meta::str_at(b, &["metadata", "creationTimestamp"]))
            .then_with(|| meta::name(a).cmp(meta::name(b)))
    });
    let template = &d["spec"]["template"];
    let new_rs = all
        .iter()
        .find(|rs| without_hash(&rs["spec"]["template"]) == *template)
        .cloned();
    let olds: Vec<Arc<Value>> = all
        .iter()
        .filter(|rs| {
            new_rs
                .as_ref()
                .is_none_or(|n| meta::uid(n) != meta::uid(rs))
        })
        .cloned()
        .collect();
    let p = plan(&d);
    let want = replicas(&d);
    let paused = d["spec"]["paused"].as_bool() == Some(true);
    let mut created_new = None;
    let new_rs = match new_rs {
        Some(rs) => Some(rs),
        None if paused => None,
        None => {
            let rs = create_new_rs(sim, &d, &olds, &p)?;
            created_new = rs.as_ref().map(|r| meta::name(r).to_string());
            rs
        }
    };
    if !paused && let Some(new_rs) = &new_rs {
        let max_rev = olds.iter().map(|r| revision(r)).max().unwrap_or(0);
        let new_rev = if revision(new_rs) > max_rev {
            revision(new_rs)
        } else {
            max_rev + 1
        };
        let new_rs = sync_annotations(sim, &d, new_rs, new_rev, want, &p)?;
        if p.recreate {
            recreate(sim, &d, &new_rs, &olds, want)?;
        } else {
            rolling(sim, &d, &new_rs, &olds, want, &p)?;
        }
        set_deployment_revision(sim, key, new_rev)?;
        cleanup(sim, &d, &olds)?;
    } else if paused {
        // A paused Deployment does not roll out, but `kubectl scale` still applies
        // (sync.go `sync` → `scale`): with a single active ReplicaSet it gets the new size.
        let active: Vec<&Arc<Value>> = all.iter().filter(|r| replicas(r) > 0).collect();
        let target = match active.as_slice() {
            [one] => Some((*one).clone()),
            [] => new_rs.clone().or_else(|| all.last().cloned()),
            _ => None,
        };
        if let Some(rs) = target {
            scale(sim, &d, &rs, want)?;
        }
    }
    write_status(sim, key, created_new)
}

fn claim_replica_sets(sim: &mut Sim, d: &Value) -> Result<Vec<Arc<Value>>, ApiError> {
    let uid = meta::uid(d).to_string();
    let ns = meta::namespace(d).to_string();
    let mut out = Vec::new();
    let candidates: Vec<Arc<Value>> = sim
        .store
        .list(Kind::ReplicaSet, Some(&ns))
        .cloned()
        .collect();
    for rs in candidates {
        match meta::controller_ref(&rs).and_then(|r| r["uid"].as_str()) {
            Some(u) if u == uid => out.push(rs),
            None if selector_matches(d, &rs) && !meta::is_terminating(&rs) => {
                let mut new = (*rs).clone();
                let refs = meta::metadata_mut(&mut new)
                    .entry("ownerReferences")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = refs {
                    a.push(meta::owner_ref_to(d, true));
                }
                out.push(sim.update_unsettled(new, Subresource::Main)?);
            }
            _ => {}
        }
    }
    let _ = claim_pods; // pods are claimed by their ReplicaSets, not by the Deployment.
    Ok(out)
}

fn create_new_rs(
    sim: &mut Sim,
    d: &Value,
    olds: &[Arc<Value>],
    p: &Plan,
) -> Result<Option<Arc<Value>>, ApiError> {
    let want = replicas(d);
    let ns = meta::namespace(d).to_string();
    let mut collisions = d["status"]["collisionCount"].as_i64().unwrap_or(0);
    // NewRSNewReplicas: a first ReplicaSet starts at full size; during a rolling update it
    // starts at what maxSurge leaves room for.
    let current: i64 = olds.iter().map(|r| replicas(r)).sum();
    let size = if p.recreate {
        if current > 0 { 0 } else { want }
    } else {
        want.saturating_add(p.surge)
            .saturating_sub(current)
            .clamp(0, want)
    };
    for _ in 0..10 {
        let hash = template_hash(&d["spec"]["template"], collisions);
        let name = format!("{}-{hash}", meta::name(d));
        if sim.store.get_by(Kind::ReplicaSet, &ns, &name).is_some() {
            collisions += 1;
            continue;
        }
        let mut tmpl = d["spec"]["template"].clone();
        meta::obj_mut(&mut tmpl, &["metadata", "labels"])
            .insert(HASH_LABEL.into(), Value::String(hash.clone()));
        let mut selector = d["spec"]["selector"].clone();
        meta::obj_mut(&mut selector, &["matchLabels"])
            .insert(HASH_LABEL.into(), Value::String(hash.clone()));
        let labels = tmpl["metadata"]["labels"].clone();
        let mut annotations = copied_annotations(d);
        let rev = olds.iter().map(|r| revision(r)).max().unwrap_or(0) + 1;
        annotations.insert(DESIRED.into(), Value::String(want.to_string()));
        annotations.insert(
            MAX.into(),
            Value::String(want.saturating_add(p.surge).to_string()),
        );
        annotations.insert(REVISION.into(), Value::String(rev.to_string()));
        let mut spec = json!({"replicas": size, "selector": selector, "template": tmpl});
        if let Some(m) = d["spec"]["minReadySeconds"].as_i64() {
            spec["minReadySeconds"] = json!(m);
        }
        let rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [meta::owner_ref_to(d, true)],
            },
            "spec": spec,
        });
        let created = sim.create_unsettled(rs)?;
        if size > 0 {
            let msg = format!("Scaled up replica set {name} from 0 to {size}");
            record(
                sim,
                d,
                EventKind::Normal,
                "ScalingReplicaSet",
                &msg,
                COMPONENT,
            );
        }
        return Ok(Some(created));
    }
    Ok(None)
}

/// Deployment annotations a ReplicaSet inherits (`skipCopyAnnotation`: not kubectl's
/// last-applied configuration, not the deployment.kubernetes.io bookkeeping).
fn copied_annotations(d: &Value) -> Map<String, Value> {
    meta::annotations(d)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| {
            k != "kubectl.kubernetes.io/last-applied-configuration"
                && !k.starts_with("deployment.kubernetes.io/")
        })
        .collect()
}

fn sync_annotations(
    sim: &mut Sim,
    d: &Value,
    rs: &Arc<Value>,
    rev: i64,
    want: i64,
    p: &Plan,
) -> Result<Arc<Value>, ApiError> {
    let mut new = (**rs).clone();
    let ann = meta::obj_mut(&mut new, &["metadata", "annotations"]);
    for (k, v) in copied_annotations(d) {
        ann.insert(k, v);
    }
    ann.insert(REVISION.into(), Value::String(rev.to_string()));
    ann.insert(DESIRED.into(), Value::String(want.to_string()));
    ann.insert(
        MAX.into(),
        Value::String(want.saturating_add(p.surge).to_string()),
    );
    if new == **rs {
        return Ok(rs.clone());
    }
    sim.update_unsettled(new, Subresource::Main)
}

fn scale(sim: &mut Sim, d: &Value, rs: &Value, to: i64) -> Result<(), ApiError> {
    let from = replicas(rs);
    if from == to {
        return Ok(());
    }
    let Some(cur) = sim.store.get(&ObjKey::of(Kind::ReplicaSet, rs)).cloned() else {
        return Ok(());
    };
    let mut new = (*cur).clone();
    new["spec"]["replicas"] = json!(to);
    sim.update_unsettled(new, Subresource::Main)?;
    let verb = if to > from { "up" } else { "down" };
    let msg = format!(
        "Scaled {verb} replica set {} from {from} to {to}",
        meta::name(rs)
    );
    record(
        sim,
        d,
        EventKind::Normal,
        "ScalingReplicaSet",
        &msg,
        COMPONENT,
    );
    Ok(())
}

fn rolling(
    sim: &mut Sim,
    d: &Value,
    new_rs: &Arc<Value>,
    olds: &[Arc<Value>],
    want: i64,
    p: &Plan,
) -> Result<(), ApiError> {
    // reconcileNewReplicaSet.
    let new_size = replicas(new_rs);
    let old_total: i64 = olds.iter().map(|r| replicas(r)).sum();
    let target = if new_size > want {
        want
    } else {
        let max_total = want.saturating_add(p.surge);
        let current = old_total + new_size;
        if current >= max_total {
            new_size
        } else {
            new_size + max_total.saturating_sub(current).min(want - new_size)
        }
    };
    scale(sim, d, new_rs, target)?;
    // reconcileOldReplicaSets: first unhealthy old pods, then healthy ones within maxUnavailable.
    let all_pods = old_total + target;
    let min_available = want - p.unavailable;
    let new_unavailable = target - status_i(new_rs, "availableReplicas");
    let mut budget = all_pods - min_available - new_unavailable;
    if budget <= 0 {
        return Ok(());
    }
    let mut sizes: Vec<i64> = olds.iter().map(|r| replicas(r)).collect();
    for (i, rs) in olds.iter().enumerate() {
        if budget <= 0 {
            break;
        }
        let unhealthy = (sizes[i] - status_i(rs, "availableReplicas")).max(0);
        let cut = unhealthy.min(budget);
        if cut > 0 {
            sizes[i] -= cut;
            budget -= cut;
            scale(sim, d, rs, sizes[i])?;
        }
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available pods above minAvailable may go.
    let available: i64 = olds
        .iter()
        .zip(&sizes)
        .map(|(r, s)| status_i(r, "availableReplicas").min(*s))
        .sum::<i64>()
        + status_i(new_rs, "availableReplicas");
    let mut can = available - min_available;
    for (i, rs) in olds.iter().enumerate() {
        if can <= 0 {
            break;
        }
        let cut = sizes[i].min(can);
        if cut > 0 {
            sizes[i] -= cut;
            can -= cut;
            scale(sim, d, rs, sizes[i])?;
        }
    }
    Ok(())
}

fn recreate(
    sim: &mut Sim,
    d: &Value,
    new_rs: &Arc<Value>,
    olds: &[Arc<Value>],
    want: i64,
) -> Result<(), ApiError> {
    for rs in olds {
        scale(sim, d, rs, 0)?;
    }
    // Wait until every old pod is gone before the new ones start.
    let old_running = olds.iter().any(|rs| {
        let uid = meta::uid(rs);
        sim.store
            .dependents_of(uid)
            .iter()
            .any(|k| k.kind == Kind::Pod)
    });
    if !old_running {
        scale(sim, d, new_rs, want)?;
    }
    Ok(())
}

fn set_deployment_revision(sim: &mut Sim, key: &ObjKey, rev: i64) -> Result<(), ApiError> {
    let Some(d) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let cur = meta::annotations(&d)
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str);
    if cur == Some(rev.to_string().as_str()) {
        return Ok(());
    }
    let mut new = (*d).clone();
    meta::obj_mut(&mut new, &["metadata", "annotations"])
        .insert(REVISION.into(), Value::String(rev.to_string()));
    sim.update_unsettled(new, Subresource::Main)?;
    Ok(())
}

/// Old ReplicaSets scaled to zero beyond `revisionHistoryLimit` (default 10) are deleted, oldest first.
fn cleanup(sim: &mut Sim, d: &Value, olds: &[Arc<Value>]) -> Result<(), ApiError> {
    let limit = d["spec"]["revisionHistoryLimit"]
        .as_i64()
        .unwrap_or(10)
        .max(0) as usize;
    let mut idle: Vec<&Arc<Value>> = olds
        .iter()
        .filter(|r| replicas(r) == 0 && status_i(r, "replicas") == 0 && !meta::is_terminating(r))
        .collect();
    if idle.len() <= limit {
        return Ok(());
    }
    idle.sort_by_key(|r| revision(r));
    let extra = idle.len() - limit;
    for rs in idle.into_iter().take(extra) {
        let _ = sim.delete_unsettled(&ObjKey::of(Kind::ReplicaSet, rs), &DeleteOptions::default());
    }
    Ok(())
}

fn write_status(sim: &mut Sim, key: &ObjKey, created_new: Option<String>) -> Result<(), ApiError> {
    let Some(d) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let uid = meta::uid(&d).to_string();
    let all: Vec<Arc<Value>> = sim
        .store
        .list(Kind::ReplicaSet, Some(meta::namespace(&d)))
        .filter(|rs| meta::controller_ref(rs).and_then(|r| r["uid"].as_str()) == Some(uid.as_str()))
        .cloned()
        .collect();
    let template = &d["spec"]["template"];
    let new_rs = all
        .iter()
        .find(|rs| without_hash(&rs["spec"]["template"]) == *template);
    let want = replicas(&d);
    let p = plan(&d);
    let sum = |f: &str| all.iter().map(|r| status_i(r, f)).sum::<i64>();
    let total = sum("replicas");
    let updated = new_rs.map_or(0, |r| status_i(r, "replicas"));
    let ready = sum("readyReplicas");
    let available = sum("availableReplicas");
    // calculateStatus: unavailable = the ReplicaSets' desired sizes minus available pods.
    let unavailable = (all.iter().map(|r| replicas(r)).sum::<i64>() - available).max(0);
    let now = sim.now();
    let ts = rfc3339(now);
    let prev = |ty: &str| {
        d["status"]["conditions"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["type"] == ty))
            .cloned()
    };
    let cond = |ty: &str, status: &str, reason: &str, message: String| -> Value {
        let prev = prev(ty);
        let same_status = prev.as_ref().is_some_and(|c| c["status"] == status);
        let same_all = same_status
            && prev
                .as_ref()
                .is_some_and(|c| c["reason"] == reason && c["message"] == message.as_str());
        let transition = match &prev {
            Some(c) if same_status => c["lastTransitionTime"].clone(),
            _ => json!(ts),
        };
        let update = match &prev {
            Some(c) if same_all => c["lastUpdateTime"].clone(),
            _ => json!(ts),
        };
        json!({"type": ty, "status": status, "lastUpdateTime": update, "lastTransitionTime": transition, "reason": reason, "message": message})
    };
    let available_cond = if available >= want - p.unavailable {
        cond(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
        )
    } else {
        cond(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
        )
    };
    let new_name = new_rs
        .map(|r| meta::name(r).to_string())
        .unwrap_or_default();
    let complete = new_rs.is_some()
        && updated == want
        && total == want
        && available == want
        && status_i(new_rs.map_or(&d, |r| r), "availableReplicas") == want;
    let deadline = d["spec"]["progressDeadlineSeconds"].as_i64().unwrap_or(600);
    let old_status = |f: &str| status_i(&d, f);
    let progressed = updated > old_status("updatedReplicas")
        || total - updated < old_status("replicas") - old_status("updatedReplicas")
        || ready > old_status("readyReplicas")
        || available > old_status("availableReplicas");
    let progressing = if d["spec"]["paused"].as_bool() == Some(true) {
        cond(
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
        )
    } else if complete {
        cond(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{new_name}\" has successfully progressed."),
        )
    } else if let Some(n) = &created_new {
        cond(
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            format!("Created new replica set \"{n}\""),
        )
    } else if progressed {
        // util.DeploymentProgressing: progress refreshes lastUpdateTime (and so the deadline);
        // a Progressing condition already True keeps its lastTransitionTime.
        let transition = prev("Progressing")
            .filter(|c| c["status"] == "True")
            .map_or_else(|| json!(ts), |c| c["lastTransitionTime"].clone());
        json!({"type": "Progressing", "status": "True", "lastUpdateTime": ts, "lastTransitionTime": transition,
               "reason": "ReplicaSetUpdated", "message": format!("ReplicaSet \"{new_name}\" is progressing.")})
    } else {
        let prev_p = prev("Progressing");
        let last = prev_p
            .as_ref()
            .and_then(|c| parse_time(c["lastUpdateTime"].as_str().unwrap_or("")))
            .unwrap_or(now);
        let deadline_at = last
            .checked_add(SignedDuration::from_secs(deadline))
            .unwrap_or(last);
        let timed_out = prev_p
            .as_ref()
            .is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded")
            || now >= deadline_at;
        if timed_out {
            cond(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{new_name}\" has timed out progressing."),
            )
        } else {
            // No progress: the condition stays as it was, and the deadline runs from its
            // lastUpdateTime.
            sim.wake_at(deadline_at, Ctl::Deployment, key.clone());
            prev_p.unwrap_or_else(|| {
                cond(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{new_name}\" is progressing."),
                )
            })
        }
    };
    let mut status = json!({
        "observedGeneration": d["metadata"]["generation"].as_i64().unwrap_or(1),
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
        "conditions": [available_cond, progressing],
    });
    if let Some(c) = d["status"]["collisionCount"].as_i64() {
        status["collisionCount"] = json!(c);
    }
    if let Some(m) = status.as_object_mut() {
        m.retain(|k, v| k == "observedGeneration" || k == "conditions" || v.as_i64() != Some(0));
    }
    if d.get("status") == Some(&status) {
        return Ok(());
    }
    sim.update_unsettled(
        super::replicaset::status_write(&d, status),
        Subresource::Status,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pod_template_hash_is_safe_encoded_and_ignores_key_order() {
        let a = json!({"metadata": {"labels": {"app": "web", "tier": "fe"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let b = json!({"spec": {"containers": [{"image": "nginx", "name": "app"}]}, "metadata": {"labels": {"tier": "fe", "app": "web"}}});
        let h = template_hash(&a, 0);
        assert_eq!(h, template_hash(&b, 0));
        assert!(h.len() >= 5 && h.len() <= 10);
        assert!(h.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert_ne!(
            h,
            template_hash(&a, 1),
            "a collision count changes the hash"
        );
    }

    #[test]
    fn surge_rounds_up_and_unavailable_rounds_down() {
        let d = json!({"spec": {"replicas": 3}});
        let p = plan(&d);
        assert_eq!((p.surge, p.unavailable), (1, 0));
        let d = json!({"spec": {"replicas": 10, "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}}});
        assert_eq!(plan(&d).unavailable, 1, "both zero would deadlock");
    }
}
