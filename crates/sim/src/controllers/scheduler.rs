//! The default scheduler: binds pods that have no `spec.nodeName` to a node.
//!
//! Filters run in the real default profile's order, a node failing at its first filter
//! (`pkg/scheduler/framework/plugins`: NodeUnschedulable, TaintToleration, NodeAffinity); the
//! score is "fewest bound pods", ties by node name, so placement is deterministic. A pod no node
//! fits keeps `PodScheduled=False` (reason `Unschedulable`) and gets a `FailedScheduling` event
//! with the scheduler's FitError message. Pods naming another `schedulerName` are left alone.
//!
//! Binding writes `spec.nodeName` the way the `pods/binding` subresource does (not a pod update,
//! so pod-update validation does not apply) and adds the `PodScheduled=True` condition.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::Queues;
use super::events::{EventKind, record};
use crate::clock::rfc3339;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

use super::Ctl;

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        Kind::Pod => {
            let Some(new) = &change.new else { return };
            if !meta::str_at(new, &["spec", "nodeName"]).is_empty() || meta::is_terminating(new) {
                return;
            }
            // New pending pods, and pending pods whose spec changed (tolerations, selector);
            // not status-only writes, or our own FailedScheduling status would loop.
            let spec_changed = change
                .old
                .as_ref()
                .is_none_or(|o| o.get("spec") != new.get("spec"));
            if spec_changed {
                q.push(Ctl::Scheduler, change.key.clone());
            }
        }
        // A node added, cordoned, uncordoned or retainted: retry every pending pod.
        Kind::Node => q.push(Ctl::Scheduler, change.key.clone()),
        _ => {}
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    match key.kind {
        Kind::Pod => schedule(sim, key),
        Kind::Node => {
            let pending: Vec<ObjKey> = sim
                .store
                .list(Kind::Pod, None)
                .filter(|p| {
                    meta::str_at(p, &["spec", "nodeName"]).is_empty() && !meta::is_terminating(p)
                })
                .map(|p| ObjKey::of(Kind::Pod, p))
                .collect();
            for k in pending {
                schedule(sim, &k)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn schedule(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(pod) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    if !meta::str_at(&pod, &["spec", "nodeName"]).is_empty() || meta::is_terminating(&pod) {
        return Ok(());
    }
    match meta::str_at(&pod, &["spec", "schedulerName"]) {
        "" | "default-scheduler" => {}
        _ => return Ok(()),
    }
    let nodes: Vec<Arc<Value>> = sim.store.list(Kind::Node, None).cloned().collect();
    let wants = PodNeeds::of(&pod);
    // Score first (fewest bound pods, then name), then filter in score order: the first node
    // that passes is the one a full filter-then-score pass would pick, and most pods stop at
    // the first node tried. The filter reasons are only needed when no node fits.
    let mut ranked: Vec<(usize, &str, &Arc<Value>)> = nodes
        .iter()
        .map(|n| {
            let name = meta::name(n);
            let bound = sim.alloc.nodes.get(name).map_or(0, |s| s.bound.len());
            (bound, name, n)
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut chosen: Option<String> = None;
    for (bound, name, n) in &ranked {
        // NodeResourcesFit runs after NodeAffinity: a node at its `pods` capacity is full.
        let capacity = n["status"]["allocatable"]["pods"]
            .as_str()
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(110);
        let verdict = filter(&wants, n).and_then(|()| {
            if *bound >= capacity {
                Err(TOO_MANY_PODS.to_string())
            } else {
                Ok(())
            }
        });
        match verdict {
            Ok(()) => {
                chosen = Some((*name).to_string());
                break;
            }
            Err(reason) => *reasons.entry(reason).or_default() += 1,
        }
    }
    match chosen {
        Some(node) => bind(sim, &pod, &node),
        None => unschedulable(sim, &pod, nodes.len(), &reasons),
    }
}

const TOO_MANY_PODS: &str = "Too many pods";

/// The pod's side of the filters, read once per scheduling attempt rather than once per node.
struct PodNeeds<'a> {
    tolerations: Vec<&'a Value>,
    node_selector: Option<&'a serde_json::Map<String, Value>>,
    terms: Option<&'a Vec<Value>>,
}

impl<'a> PodNeeds<'a> {
    fn of(pod: &'a Value) -> Self {
        let spec = &pod["spec"];
        PodNeeds {
            tolerations: spec["tolerations"].as_array().into_iter().flatten().collect(),
            node_selector: spec["nodeSelector"].as_object(),
            terms: spec
                .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
                .and_then(Value::as_array),
        }
    }
}

/// The first filter a node fails, as the plugin's reason string.
fn filter(pod: &PodNeeds<'_>, node: &Value) -> Result<(), String> {
    let tolerations = &pod.tolerations;
    // NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint.
    if node["spec"]["unschedulable"].as_bool() == Some(true) {
        let taint = json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
        if !tolerations.iter().any(|t| tolerates(t, &taint)) {
            return Err("node(s) were unschedulable".into());
        }
    }
    // TaintToleration: the first NoSchedule/NoExecute taint no toleration covers.
    for taint in node["spec"]["taints"].as_array().into_iter().flatten() {
        let effect = taint["effect"].as_str().unwrap_or("");
        if effect != "NoSchedule" && effect != "NoExecute" {
            continue;
        }
        if !tolerations.iter().any(|t| tolerates(t, taint)) {
            return Err(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint["key"].as_str().unwrap_or(""),
                taint["value"].as_str().unwrap_or("")
            ));
        }
    }
    // NodeAffinity: nodeSelector and required node affinity.
    if !node_affinity_matches(pod, node) {
        return Err("node(s) didn't match Pod's node affinity/selector".into());
    }
    Ok(())
}

/// `v1helper.TolerationsTolerateTaint`: empty effect matches all effects, operator Exists with
/// an empty key matches every taint, Equal (the default) compares key and value.
fn tolerates(t: &Value, taint: &Value) -> bool {
    let t_effect = t["effect"].as_str().unwrap_or("");
    if !t_effect.is_empty() && Some(t_effect) != taint["effect"].as_str() {
        return false;
    }
    let t_key = t["key"].as_str().unwrap_or("");
    let key = taint["key"].as_str().unwrap_or("");
    if !t_key.is_empty() && t_key != key {
        return false;
    }
    match t["operator"].as_str().unwrap_or("Equal") {
        "Exists" => true,
        "Equal" => {
            !t_key.is_empty()
                && t["value"].as_str().unwrap_or("") == taint["value"].as_str().unwrap_or("")
        }
        _ => false,
    }
}

fn node_affinity_matches(pod: &PodNeeds<'_>, node: &Value) -> bool {
    let labels = meta::labels(node);
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(sel) = pod.node_selector
        && !sel.iter().all(|(k, v)| label(k) == v.as_str())
    {
        return false;
    }
    let Some(terms) = pod.terms else {
        return true;
    };
    // Terms are ORed; the requirements of a term are ANDed.
    terms.iter().any(|term| {
        let exprs = term["matchExpressions"].as_array().into_iter().flatten();
        let fields = term["matchFields"].as_array().into_iter().flatten();
        let mut any = false;
        let ok_exprs = exprs.clone().all(|e| {
            any = true;
            requirement(e, label(e["key"].as_str().unwrap_or("")))
        });
        let ok_fields = fields.clone().all(|e| {
            any = true;
            let v = (e["key"].as_str() == Some("metadata.name")).then(|| meta::name(node));
            requirement(e, v)
        });
        any && ok_exprs && ok_fields
    })
}

fn requirement(e: &Value, value: Option<&str>) -> bool {
    let values: Vec<&str> = e["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let num = |s: &str| s.parse::<i64>().ok();
    match e["operator"].as_str().unwrap_or("") {
        "In" => value.is_some_and(|v| values.contains(&v)),
        "NotIn" => value.is_none_or(|v| !values.contains(&v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => {
            matches!((value.and_then(num), values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a > b)
        }
        "Lt" => {
            matches!((value.and_then(num), values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a < b)
        }
        _ => false,
    }
}

fn bind(sim: &mut Sim, pod: &Value, node: &str) -> Result<(), ApiError> {
    let mut new = pod.clone();
    new["spec"]["nodeName"] = Value::String(node.to_string());
    set_condition(
        &mut new,
        json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": rfc3339(sim.now())}),
    );
    if new["status"]["phase"].as_str().is_none_or(str::is_empty) {
        new["status"]["phase"] = Value::String("Pending".into());
    }
    sim.alloc
        .nodes
        .entry(node.to_string())
        .or_default()
        .bound
        .insert((
            meta::namespace(pod).to_string(),
            meta::name(pod).to_string(),
        ));
    // pods/binding, not a pod update: see the module doc.
    let stored = sim.store.put(Kind::Pod, new);
    let msg = format!(
        "Successfully assigned {}/{} to {node}",
        meta::namespace(pod),
        meta::name(pod)
    );
    record(
        sim,
        &stored,
        EventKind::Normal,
        "Scheduled",
        &msg,
        "default-scheduler",
    );
    Ok(())
}

fn unschedulable(
    sim: &mut Sim,
    pod: &Value,
    total: usize,
    reasons: &BTreeMap<String, usize>,
) -> Result<(), ApiError> {
    let msg = if total == 0 {
        "no nodes available to schedule pods".to_string()
    } else {
        // framework.FitError.Error(): "0/N nodes are available: " + sorted "count reason"
        // strings, then the PostFilter (preemption) diagnosis.
        let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
        parts.sort();
        // DefaultPreemption: only nodes that failed on resources could be helped by evicting
        // pods, and with every pod at the same priority there is no victim to evict.
        let full = reasons.get(TOO_MANY_PODS).copied().unwrap_or(0);
        let mut pre = Vec::new();
        if full > 0 {
            pre.push(format!(
                "{full} No preemption victims found for incoming pod"
            ));
        }
        if total > full {
            pre.push(format!(
                "{} Preemption is not helpful for scheduling",
                total - full
            ));
        }
        pre.sort();
        format!(
            "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
            parts.join(", "),
            pre.join(", ")
        )
    };
    let mut new = pod.clone();
    let prev = condition(pod, "PodScheduled");
    let unchanged = prev.is_some_and(|c| {
        c["status"] == "False" && c["reason"] == "Unschedulable" && c["message"] == msg.as_str()
    });
    if !unchanged {
        set_condition(
            &mut new,
            json!({"type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": rfc3339(sim.now()), "reason": "Unschedulable", "message": msg}),
        );
        new["status"]["phase"] = Value::String("Pending".into());
        sim.update_unsettled(new, Subresource::Status)?;
        let cur = sim.store.get(&ObjKey::of(Kind::Pod, pod)).cloned();
        let involved = cur.as_deref().unwrap_or(pod).clone();
        record(
            sim,
            &involved,
            EventKind::Warning,
            "FailedScheduling",
            &msg,
            "default-scheduler",
        );
    }
    Ok(())
}

pub(crate) fn condition<'a>(pod: &'a Value, ty: &str) -> Option<&'a Value> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

fn set_condition(pod: &mut Value, cond: Value) {
    let conds = meta::obj_mut(pod, &["status"])
        .entry("conditions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !conds.is_array() {
        *conds = Value::Array(Vec::new());
    }
    if let Value::Array(a) = conds {
        match a.iter_mut().find(|c| c["type"] == cond["type"]) {
            Some(c) => *c = cond,
            None => a.push(cond),
        }
    }
}
