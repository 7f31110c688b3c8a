//! core/v1 Events as the controllers and the kubelet record them, so `kubectl describe` and
//! `kubectl get events` show what a real cluster would. Repeats of the same event bump `count`.

use serde_json::{Value, json};
use std::collections::HashMap;

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

/// Where each (involved uid, reason, message) was last recorded, so repeats bump `count`.
/// Keyed by uid alone, with the few (reason, message) pairs of one object scanned linearly:
/// a lookup borrows `&str` instead of building three Strings, and hashes one short uid
/// instead of the whole message. Only ever looked up, never iterated into output.
#[derive(Debug, Clone, Default)]
pub struct EventIndex(HashMap<String, Vec<Recorded>>);

#[derive(Debug, Clone)]
struct Recorded {
    reason: String,
    message: String,
    name: String,
}

impl EventIndex {
    fn get(&self, uid: &str, reason: &str, message: &str) -> Option<&str> {
        self.0
            .get(uid)?
            .iter()
            .find(|r| r.reason == reason && r.message == message)
            .map(|r| r.name.as_str())
    }

    fn insert(&mut self, uid: &str, reason: &str, message: &str, name: String) {
        let slots = match self.0.get_mut(uid) {
            Some(s) => s,
            None => self.0.entry(uid.to_string()).or_default(),
        };
        match slots
            .iter_mut()
            .find(|r| r.reason == reason && r.message == message)
        {
            Some(r) => r.name = name,
            None => slots.push(Recorded {
                reason: reason.to_string(),
                message: message.to_string(),
                name,
            }),
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
    if let Some(name) = sim.event_index.get(&uid, reason, message)
        && let Some(existing) = sim.store.get_by(Kind::Event, &ns, name).cloned()
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
    sim.event_index.insert(&uid, reason, message, name);
}
