//! EndpointSlice mirroring controller: the slices of a selectorless Service whose Endpoints
//! someone wrote by hand, after upstream `pkg/controller/endpointslicemirroring`. kube-proxy
//! and CoreDNS read only EndpointSlices, so without this a hand-written Endpoints would carry
//! no traffic.
//!
//! Mirrors an Endpoints when its Service exists without a selector and the Endpoints is not
//! labelled `endpointslice.kubernetes.io/skip-mirror: "true"` (the API server's own
//! `kubernetes` Endpoints is) nor a leader-election lock (kubernetes.io, EndpointSlices,
//! "Mirroring"); otherwise removes what it mirrored. Slices it owns carry
//! `endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io` and a
//! controller reference to the Endpoints (`newEndpointSlice`).

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

use super::endpoint_common::{SERVICE_NAME_LABEL, tolerate};
use super::endpointslice::MANAGED_BY_LABEL;
use super::{Ctl, Queues};

pub const CONTROLLER_NAME: &str = "endpointslicemirroring-controller.k8s.io";
const SKIP_MIRROR_LABEL: &str = "endpointslice.kubernetes.io/skip-mirror";
/// Annotations `newEndpointSlice` does not copy.
const NOT_COPIED: [&str; 2] = [
    "endpoints.kubernetes.io/last-change-trigger-time",
    "kubectl.kubernetes.io/last-applied-configuration",
];

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    let k = &change.key;
    match k.kind {
        Kind::Endpoints | Kind::Service => q.push(
            Ctl::EndpointSliceMirroring,
            ObjKey::new(Kind::Endpoints, &k.namespace, &k.name),
        ),
        // A mirrored slice edited or deleted by someone else is put back.
        Kind::EndpointSlice if change.old.is_some() => {
            for obj in [&change.old, &change.new].into_iter().flatten() {
                let label = |key: &str| {
                    meta::labels(obj)
                        .and_then(|l| l.get(key))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                if label(MANAGED_BY_LABEL) == CONTROLLER_NAME {
                    q.push(
                        Ctl::EndpointSliceMirroring,
                        ObjKey::new(Kind::Endpoints, &k.namespace, &label(SERVICE_NAME_LABEL)),
                    );
                }
            }
        }
        _ => {}
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let existing = mirrored(&sim.store, &key.namespace, &key.name);
    let endpoints = sim.store.get(key).cloned();
    let svc = sim
        .store
        .get(&ObjKey::new(Kind::Service, &key.namespace, &key.name))
        .cloned();
    let mirror = match (&endpoints, &svc) {
        (Some(ep), Some(svc)) => {
            let selectorless = svc["spec"]["selector"]
                .as_object()
                .is_none_or(Map::is_empty);
            let skip = meta::labels(ep)
                .and_then(|l| l.get(SKIP_MIRROR_LABEL))
                .and_then(Value::as_str)
                == Some("true");
            // Leader-election Endpoints (old components used them as locks) are not mirrored.
            let lock = ep["metadata"]["annotations"]
                .get("control-plane.alpha.kubernetes.io/leader")
                .is_some();
            selectorless && !skip && !lock && !meta::is_terminating(ep)
        }
        _ => false,
    };
    let desired = match (&endpoints, mirror) {
        (Some(ep), true) => desired_slices(ep),
        _ => Vec::new(),
    };
    let ep = endpoints.as_deref();
    let mut existing = existing.into_iter();
    for (ports, eps) in desired {
        let Some(ep) = ep else { break };
        let reuse = existing.next();
        write_slice(sim, ep, reuse.as_deref(), ports, eps)?;
    }
    for s in existing {
        let k = ObjKey::of(Kind::EndpointSlice, &s);
        tolerate(sim.delete_unsettled(&k, &DeleteOptions::default()))?;
    }
    Ok(())
}

/// One slice per distinct port list, endpoints of every subset with those ports: ready
/// addresses, then not-ready ones (`addressToEndpoint`). Addresses that are not IPv4 are
/// skipped, as the controller skips addresses of another family.
fn desired_slices(ep: &Value) -> Vec<(Vec<Value>, Vec<Value>)> {
    let mut by_ports: BTreeMap<String, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    for subset in ep["subsets"].as_array().into_iter().flatten() {
        let ports: Vec<Value> = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let mut out = Map::new();
                if let Some(n) = p.get("name").filter(|n| n.is_string()) {
                    out.insert("name".into(), n.clone());
                }
                out.insert("port".into(), p["port"].clone());
                out.insert(
                    "protocol".into(),
                    p.get("protocol").cloned().unwrap_or_else(|| json!("TCP")),
                );
                if let Some(a) = p.get("appProtocol") {
                    out.insert("appProtocol".into(), a.clone());
                }
                Value::Object(out)
            })
            .collect();
        let entry = by_ports
            .entry(Value::Array(ports.clone()).to_string())
            .or_insert_with(|| (ports, Vec::new()));
        for (field, ready) in [("addresses", true), ("notReadyAddresses", false)] {
            for a in subset[field].as_array().into_iter().flatten() {
                let ip = a["ip"].as_str().unwrap_or_default();
                if ip.parse::<std::net::Ipv4Addr>().is_err() {
                    continue;
                }
                let mut e = json!({"addresses": [ip], "conditions": {"ready": ready}});
                if let Some(h) = a["hostname"].as_str().filter(|h| !h.is_empty()) {
                    e["hostname"] = json!(h);
                }
                if let Some(n) = a["nodeName"].as_str() {
                    e["nodeName"] = json!(n);
                }
                if let Some(t) = a.get("targetRef") {
                    e["targetRef"] = t.clone();
                }
                entry.1.push(e);
            }
        }
    }
    by_ports
        .into_values()
        .filter(|(_, eps)| !eps.is_empty())
        .collect()
}

fn write_slice(
    sim: &mut Sim,
    ep: &Value,
    existing: Option<&Value>,
    ports: Vec<Value>,
    endpoints: Vec<Value>,
) -> Result<(), ApiError> {
    let mut labels = meta::labels(ep).cloned().unwrap_or_default();
    labels.insert(SERVICE_NAME_LABEL.into(), json!(meta::name(ep)));
    labels.insert(MANAGED_BY_LABEL.into(), json!(CONTROLLER_NAME));
    let mut annotations = ep["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for a in NOT_COPIED {
        annotations.remove(a);
    }
    let ports = if ports.is_empty() {
        Value::Null
    } else {
        Value::Array(ports)
    };
    let endpoints = Value::Array(endpoints);
    if let Some(s) = existing
        && s.pointer("/metadata/labels") == Some(&Value::Object(labels.clone()))
        && s.get("endpoints") == Some(&endpoints)
        && s.get("ports").unwrap_or(&Value::Null) == &ports
    {
        return Ok(());
    }
    let mut slice = match existing {
        Some(s) => s.clone(),
        None => json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "generateName": format!("{}-", meta::name(ep)),
                "namespace": meta::namespace(ep),
                "ownerReferences": [meta::owner_ref_to(ep, true)],
            },
            "addressType": "IPv4",
        }),
    };
    let m = meta::metadata_mut(&mut slice);
    m.insert("labels".into(), Value::Object(labels));
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    slice["endpoints"] = endpoints;
    slice["ports"] = ports;
    let r = match existing {
        Some(_) => sim.update_unsettled(slice, Subresource::Main),
        None => sim.create_unsettled(slice),
    };
    tolerate(r)
}

fn mirrored(store: &Store, ns: &str, name: &str) -> Vec<Arc<Value>> {
    store
        .list(Kind::EndpointSlice, Some(ns))
        .filter(|s| {
            let l = meta::labels(s);
            let get = |k: &str| l.and_then(|l| l.get(k)).and_then(Value::as_str);
            get(SERVICE_NAME_LABEL) == Some(name) && get(MANAGED_BY_LABEL) == Some(CONTROLLER_NAME)
        })
        .cloned()
        .collect()
}
