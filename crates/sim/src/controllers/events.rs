//! core/v1 Events as the controllers and the kubelet record them, so `kubectl describe` and
//! `kubectl get events` show what a real cluster would. Repeats of the same event bump `count`.

use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::Sim;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Normal,
    Warning,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Normal => "Normal",
            EventKind::Warning => "Warning",
        }
    }
}

/// Record an event about `involved` from `component` (e.g. `kubelet`, `deployment-controller`).
/// Events skip admission: they are the server's own records, and there are many of them.
pub fn record(
    sim: &mut Sim,
    involved: &Value,
    kind: EventKind,
    reason: &str,
    message: &str,
    component: &str,
) {
    let ns = match meta::namespace(involved) {
        "" => "default".to_string(),
        ns => ns.to_string(),
    };
    let uid = meta::uid(involved).to_string();
    let now = rfc3339(sim.now());
    let dedup_key = (uid.clone(), reason.to_string(), message.to_string());
    if let Some(name) = sim.event_index.get(&dedup_key).cloned()
        && let Some(existing) = sim.store.get_by(Kind::Event, &ns, &name).cloned()
    {
        let mut e = (*existing).clone();
        let count = e["count"].as_i64().unwrap_or(1) + 1;
        e["count"] = Value::from(count);
        e["lastTimestamp"] = Value::String(now);
        sim.store.put(Kind::Event, e);
        return;
    }
    let host = match component {
        "kubelet" => meta::str_at(involved, &["spec", "nodeName"]).to_string(),
        _ => String::new(),
    };
    let mut source = json!({ "component": component });
    if !host.is_empty() {
        source["host"] = Value::String(host.clone());
    }
    let name = format!("{}.{:016x}", meta::name(involved), sim.rng.next_u64());
    let mut involved_ref = json!({
        "apiVersion": meta::str_at(involved, &["apiVersion"]),
        "kind": meta::str_at(involved, &["kind"]),
        "name": meta::name(involved),
        "uid": uid,
        "resourceVersion": meta::resource_version(involved),
    });
    if !meta::namespace(involved).is_empty() {
        involved_ref["namespace"] = Value::String(ns.clone());
    }
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": sim.rng.uuid(),
            "creationTimestamp": now,
        },
        "involvedObject": involved_ref,
        "reason": reason,
        "message": message,
        "source": source,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": kind.as_str(),
        "eventTime": null,
        "reportingComponent": component,
        "reportingInstance": host,
    });
    sim.store.put(Kind::Event, event);
    sim.event_index.insert(dedup_key, name);
}
