//! The remaining core printers (`printNamespace`, `printNode`, `printEvent`,
//! `printConfigMap`, `printServiceAccount`).

use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeSet;

use super::descriptions as d;
use super::{Column, age, duration, int, items, name, text};

pub(super) const NAMESPACE_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Status", "The status of the namespace"),
    Column::AGE,
];

pub(super) const NODE_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Status", "The status of the node"),
    Column::string("Roles", "The roles of the node"),
    Column::AGE,
    Column::string("Version", d::NODE_SYSTEM_INFO_KUBELET_VERSION),
    Column::string("Internal-IP", d::NODE_STATUS_ADDRESSES).wide(),
    Column::string("External-IP", d::NODE_STATUS_ADDRESSES).wide(),
    Column::string("OS-Image", d::NODE_SYSTEM_INFO_OS_IMAGE).wide(),
    Column::string("Kernel-Version", d::NODE_SYSTEM_INFO_KERNEL_VERSION).wide(),
    Column::string(
        "Container-Runtime",
        d::NODE_SYSTEM_INFO_CONTAINER_RUNTIME_VERSION,
    )
    .wide(),
];

pub(super) const EVENT_COLUMNS: &[Column] = &[
    Column::string("Last Seen", d::EVENT_LAST_TIMESTAMP),
    Column::string("Type", d::EVENT_TYPE),
    Column::string("Reason", d::EVENT_REASON),
    Column::string("Object", d::EVENT_INVOLVED_OBJECT),
    Column::string("Subobject", d::OBJECT_REFERENCE_FIELD_PATH).wide(),
    Column::string("Source", d::EVENT_SOURCE).wide(),
    Column::string("Message", d::EVENT_MESSAGE),
    Column::string("First Seen", d::EVENT_FIRST_TIMESTAMP).wide(),
    Column::string("Count", d::EVENT_COUNT).wide(),
    Column::NAME.wide(),
];

pub(super) const CONFIGMAP_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Data", d::CONFIG_MAP_DATA),
    Column::AGE,
];

pub(super) const SERVICE_ACCOUNT_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Secrets", d::SERVICE_ACCOUNT_SECRETS),
    Column::AGE,
];

pub(super) fn namespace_cells(ns: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(ns),
        Value::from(text(ns, &["status", "phase"])),
        age(ns, now),
    ]
}

/// `Ready`/`NotReady` from the Ready condition (`Unknown` without one), then
/// `SchedulingDisabled` for a cordoned node.
fn node_status(node: &Value) -> String {
    // conditionMap keeps the last condition of each type.
    let ready = items(node, &["status", "conditions"])
        .iter()
        .rev()
        .find(|c| c["type"].as_str() == Some("Ready"));
    let mut status = match ready {
        Some(c) if c["status"].as_str() == Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node["spec"]["unschedulable"].as_bool() == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role`
/// label's value, sorted; `<none>` without any.
fn node_roles(node: &Value) -> String {
    let mut roles = BTreeSet::new();
    if let Some(labels) = node["metadata"]["labels"].as_object() {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.insert(role);
                }
            } else if k == "kubernetes.io/role" {
                match v.as_str() {
                    Some(r) if !r.is_empty() => {
                        roles.insert(r);
                    }
                    _ => {}
                }
            }
        }
    }
    if roles.is_empty() {
        return "<none>".into();
    }
    roles.into_iter().collect::<Vec<_>>().join(",")
}

/// The first address of a type, `<none>` without one.
fn node_address<'a>(node: &'a Value, ty: &str) -> &'a str {
    items(node, &["status", "addresses"])
        .iter()
        .find(|a| a["type"].as_str() == Some(ty))
        .map_or("<none>", |a| text(a, &["address"]))
}

pub(super) fn node_cells(node: &Value, now: Timestamp) -> Vec<Value> {
    let info = &node["status"]["nodeInfo"];
    let or_unknown = |field: &str| match text(info, &[field]) {
        "" => Value::from("<unknown>"),
        s => Value::from(s),
    };
    vec![
        name(node),
        Value::from(node_status(node)),
        Value::from(node_roles(node)),
        age(node, now),
        Value::from(text(info, &["kubeletVersion"])),
        Value::from(node_address(node, "InternalIP")),
        Value::from(node_address(node, "ExternalIP")),
        or_unknown("osImage"),
        or_unknown("kernelVersion"),
        or_unknown("containerRuntimeVersion"),
    ]
}

/// `formatEventSource`: `component, host`, falling back to the reporting controller and
/// instance, without the host part when there is none.
fn event_source(ev: &Value) -> String {
    let first = |a: &'static [&'static str], b: &'static str| match text(ev, a) {
        "" => text(ev, &[b]),
        s => s,
    };
    let component = first(&["source", "component"], "reportingComponent");
    let host = first(&["source", "host"], "reportingInstance");
    if host.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {host}")
    }
}

pub(super) fn event_cells(ev: &Value, now: Timestamp) -> Vec<Value> {
    let first_seen = match duration::parse(&ev["firstTimestamp"]) {
        Some(t) => duration::since_time(t, now),
        None => duration::since(&ev["eventTime"], now),
    };
    let mut last_seen = match duration::parse(&ev["lastTimestamp"]) {
        Some(t) => duration::since_time(t, now),
        None => first_seen.clone(),
    };
    let mut count = int(ev, &["count"]);
    let series = &ev["series"];
    if series.is_object() {
        last_seen = duration::since(&series["lastObservedTime"], now);
        count = int(series, &["count"]);
    } else if count == 0 {
        // Singleton events of the events.k8s.io API carry no count.
        count = 1;
    }
    let kind = text(ev, &["involvedObject", "kind"]).to_lowercase();
    let obj_name = text(ev, &["involvedObject", "name"]);
    let target = if obj_name.is_empty() {
        kind
    } else {
        format!("{kind}/{obj_name}")
    };
    vec![
        Value::from(last_seen),
        Value::from(text(ev, &["type"])),
        Value::from(text(ev, &["reason"])),
        Value::from(target),
        Value::from(text(ev, &["involvedObject", "fieldPath"])),
        Value::from(event_source(ev)),
        Value::from(text(ev, &["message"]).trim()),
        Value::from(first_seen),
        Value::from(count),
        name(ev),
    ]
}

pub(super) fn configmap_cells(cm: &Value, now: Timestamp) -> Vec<Value> {
    let len = |f: &str| cm[f].as_object().map_or(0, |m| m.len());
    vec![
        name(cm),
        Value::from(len("data") + len("binaryData")),
        age(cm, now),
    ]
}

pub(super) fn service_account_cells(sa: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(sa),
        Value::from(items(sa, &["secrets"]).len()),
        age(sa, now),
    ]
}
