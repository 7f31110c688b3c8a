//! core/v1 Events as the controllers and the kubelet record them, so `kubectl describe` and
//! `kubectl get events` show what a real cluster would. Repeats of the same event bump `count`.

use serde_json::{Map, Value};
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
pub struct EventIndex {
    by_uid: HashMap<String, Vec<Recorded>>,
    /// The nanosecond stamp of the last Event name, so names keep increasing when several
    /// events share one instant of the sim's clock.
    last_stamp: i128,
}

#[derive(Debug, Clone)]
struct Recorded {
    reason: String,
    message: String,
    name: String,
}

impl EventIndex {
    fn get(&self, uid: &str, reason: &str, message: &str) -> Option<&str> {
        self.by_uid
            .get(uid)?
            .iter()
            .find(|r| r.reason == reason && r.message == message)
            .map(|r| r.name.as_str())
    }

    fn insert(&mut self, uid: &str, reason: &str, message: &str, name: String) {
        let slots = match self.by_uid.get_mut(uid) {
            Some(s) => s,
            None => self.by_uid.entry(uid.to_string()).or_default(),
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
    record_at(sim, involved, None, kind, reason, message, component);
}

/// Record a kubelet event about one container of `pod` (anything with its `name`, a spec or a
/// status): `involvedObject.fieldPath` names it, `spec.containers{web}` or
/// `spec.initContainers{init}`, which `kubectl get events -o wide` shows as SUBOBJECT.
pub fn record_container(
    sim: &mut Sim,
    pod: &Value,
    container: &Value,
    kind: EventKind,
    reason: &str,
    message: &str,
    component: &str,
) {
    let name = container["name"].as_str().unwrap_or("");
    let init = pod["spec"]["initContainers"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["name"].as_str() == Some(name)));
    let list = if init { "initContainers" } else { "containers" };
    let path = format!("spec.{list}{{{name}}}");
    record_at(sim, pod, Some(&path), kind, reason, message, component);
}

fn record_at(
    sim: &mut Sim,
    involved: &Value,
    field_path: Option<&str>,
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
    // Built field by field rather than with `json!`, which sends every string through serde's
    // serializer (`to_value`): with tens of thousands of Events that was most of this
    // function's cost. Same keys, same values, so the same stored object.
    let mut source = Map::new();
    source.insert("component".into(), text(component));
    if !host.is_empty() {
        source.insert("host".into(), text(&host));
    }
    // client-go's recorder names an Event `<object>.<hex UnixNano>`, so a list (name order)
    // is in the order things happened; `describe` keeps that order for events of the same
    // second. The draw keeps the seeded random stream (pod names, IPs) as it was.
    let _ = sim.rng.next_u64();
    let stamp = sim
        .now()
        .as_nanosecond()
        .max(sim.event_index.last_stamp + 1);
    sim.event_index.last_stamp = stamp;
    let name = format!("{}.{stamp:x}", meta::name(involved));
    let mut involved_ref = Map::new();
    involved_ref.insert(
        "apiVersion".into(),
        text(meta::str_at(involved, &["apiVersion"])),
    );
    involved_ref.insert("kind".into(), text(meta::str_at(involved, &["kind"])));
    involved_ref.insert("name".into(), text(meta::name(involved)));
    involved_ref.insert("uid".into(), text(&uid));
    involved_ref.insert(
        "resourceVersion".into(),
        text(meta::resource_version(involved)),
    );
    if !meta::namespace(involved).is_empty() {
        involved_ref.insert("namespace".into(), text(&ns));
    }
    if let Some(path) = field_path {
        involved_ref.insert("fieldPath".into(), text(path));
    }
    let mut md = Map::new();
    md.insert("name".into(), text(&name));
    md.insert("namespace".into(), text(&ns));
    md.insert("uid".into(), Value::String(sim.rng.uuid()));
    md.insert("creationTimestamp".into(), text(&now));
    let mut event = Map::new();
    event.insert("apiVersion".into(), text("v1"));
    event.insert("kind".into(), text("Event"));
    event.insert("metadata".into(), Value::Object(md));
    event.insert("involvedObject".into(), Value::Object(involved_ref));
    event.insert("reason".into(), text(reason));
    event.insert("message".into(), text(message));
    event.insert("source".into(), Value::Object(source));
    event.insert("firstTimestamp".into(), text(&now));
    event.insert("lastTimestamp".into(), Value::String(now));
    event.insert("count".into(), Value::from(1));
    event.insert("type".into(), text(kind.as_str()));
    event.insert("eventTime".into(), Value::Null);
    event.insert("reportingComponent".into(), text(component));
    event.insert("reportingInstance".into(), Value::String(host));
    let event = Value::Object(event);
    sim.store.put(Kind::Event, event);
    sim.event_index.insert(&uid, reason, message, name);
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}
