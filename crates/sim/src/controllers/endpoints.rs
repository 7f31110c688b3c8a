//! Endpoints controller: the v1 Endpoints of every selector Service (SERVICES-SPEC §D rules
//! 37–44), after upstream `pkg/controller/endpoint/endpoints_controller.go syncService` and the
//! canonical packing of `pkg/api/v1/endpoints/util.go RepackSubsets`.
//!
//! Owns only Endpoints named like a selector Service. Selector-less and ExternalName Services
//! are skipped, so user-made Endpoints (and the bootstrap's `kubernetes` Endpoints) survive.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

use super::endpoint_common::{self as common, HEADLESS_LABEL, SvcView, tolerate};
use super::{Ctl, Queues};

/// `maxCapacity` of the upstream controller: more addresses than this are truncated.
const MAX_CAPACITY: usize = 1000;
const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        // Pod writes are queued for both endpoint controllers at once, in `super::observe`.
        Kind::Service => common::queue_service(change, Ctl::Endpoints, q),
        // Upstream watches Endpoints for deletion only (`onEndpointsDelete`): a deleted
        // Endpoints comes back, an edited one stays edited until the next Service or pod event.
        Kind::Endpoints if change.new.is_none() => {
            common::queue_service(change, Ctl::Endpoints, q);
        }
        _ => {}
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let ep_key = ObjKey::new(Kind::Endpoints, &key.namespace, &key.name);
    let Some(svc) = sim.store.get(key).cloned() else {
        // The Service is gone: so are its Endpoints (rule 37).
        if sim.store.get(&ep_key).is_some() {
            return tolerate(sim.delete_unsettled(&ep_key, &DeleteOptions::default()));
        }
        return Ok(());
    };
    let svc = SvcView::of(svc);
    if svc.selector.is_none() {
        return Ok(());
    }
    let subsets = desired_subsets(&sim.store, &svc);
    let (subsets, truncated) = truncate(subsets);
    let mut labels = svc.labels();
    if svc.headless {
        labels.insert(HEADLESS_LABEL.into(), Value::String(String::new()));
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    let current = sim.store.get(&ep_key).cloned();
    let mut annotations = current
        .as_deref()
        .and_then(meta::annotations)
        .cloned()
        .unwrap_or_default();
    if truncated {
        annotations.insert(OVER_CAPACITY.into(), Value::String("truncated".into()));
    } else {
        annotations.remove(OVER_CAPACITY);
    }
    // Already as desired: skip copying the object and the write pipeline (the common case
    // on a resync). Absent and empty are the same here: all three fields are omitempty.
    if let Some(cur) = &current
        && map_matches(cur.pointer("/metadata/labels"), &labels)
        && map_matches(cur.pointer("/metadata/annotations"), &annotations)
        && list_matches(cur.get("subsets"), &subsets)
    {
        return Ok(());
    }
    let mut ep = match &current {
        Some(cur) => (**cur).clone(),
        None => json!({
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": svc.name, "namespace": svc.namespace},
        }),
    };
    let md = meta::metadata_mut(&mut ep);
    set_or_remove(md, "labels", labels);
    set_or_remove(md, "annotations", annotations);
    match ep.as_object_mut() {
        Some(o) if subsets.is_empty() => {
            // `subsets` is omitempty: an Endpoints without addresses has no key at all.
            o.remove("subsets");
        }
        Some(o) => {
            o.insert("subsets".into(), Value::Array(subsets));
        }
        None => {}
    }
    match current {
        // Writing an identical object is a no-op in the pipeline anyway: no new resourceVersion.
        Some(_) => tolerate(sim.update_unsettled(ep, Subresource::Main)),
        None => tolerate(sim.create_unsettled(ep)),
    }
}

/// An omitempty map field equals `want` (absent = empty).
fn map_matches(v: Option<&Value>, want: &Map<String, Value>) -> bool {
    match v.and_then(Value::as_object) {
        Some(m) => m == want,
        None => want.is_empty(),
    }
}

/// An omitempty list field equals `want` (absent = empty).
fn list_matches(v: Option<&Value>, want: &[Value]) -> bool {
    match v.and_then(Value::as_array) {
        Some(a) => a.as_slice() == want,
        None => want.is_empty(),
    }
}

fn set_or_remove(md: &mut Map<String, Value>, key: &str, m: Map<String, Value>) {
    if m.is_empty() {
        md.remove(key);
    } else {
        md.insert(key.into(), Value::Object(m));
    }
}

/// An endpoint port: (name, port, protocol, appProtocol); `None` is upstream's sentinel for
/// "no ports" (headless Services without ports).
type PortKey = Option<(String, i64, String, Option<String>)>;
/// Addresses are de-duplicated by IP + pod uid (`addressKey`); sorting by this key is
/// upstream's `LessEndpointAddress` (IP compared as bytes, then uid).
type AddrKey = (String, String);

/// The subsets `syncService` builds, packed as `RepackSubsets` packs them: one subset per set of
/// addresses sharing the same ports; an address not ready for any port is not ready.
fn desired_subsets(store: &Store, svc: &SvcView) -> Vec<Value> {
    let mut addrs: BTreeMap<AddrKey, Value> = BTreeMap::new();
    let mut by_port: BTreeMap<PortKey, BTreeMap<AddrKey, bool>> = BTreeMap::new();
    for pod in svc.matching_pods(store) {
        if !common::should_be_in_endpoints(pod, svc.publish_not_ready) {
            continue;
        }
        let Some(ip) = common::pod_ipv4(pod) else {
            continue;
        };
        let mut addr = json!({"ip": ip});
        if let Some(h) = common::hostname_for(pod, svc) {
            addr["hostname"] = Value::String(h);
        }
        let node = meta::str_at(pod, &["spec", "nodeName"]);
        if !node.is_empty() {
            addr["nodeName"] = Value::String(node.to_string());
        }
        addr["targetRef"] = common::target_ref(pod);
        let key: AddrKey = (ip, meta::uid(pod).to_string());
        let ready = svc.publish_not_ready || common::is_ready(pod);
        let mut ports: Vec<PortKey> = Vec::new();
        if svc.ports.is_empty() {
            // "Allow headless service not to have ports."
            if svc.headless {
                ports.push(None);
            }
        } else {
            for sp in &svc.ports {
                // A pod lacking a named port is left out for that port only (rule 42).
                if let Some(n) = common::find_port(pod, sp) {
                    ports.push(Some((
                        sp.name.clone(),
                        n,
                        sp.protocol.clone(),
                        sp.app_protocol.clone(),
                    )));
                }
            }
        }
        if ports.is_empty() {
            continue;
        }
        addrs.entry(key.clone()).or_insert(addr);
        for p in ports {
            let set = by_port.entry(p).or_default();
            // Not ready trumps ready (`mapAddressByPort`).
            let prev = set.get(&key).copied().unwrap_or(true);
            set.insert(key.clone(), prev && ready);
        }
    }
    // Group the ports by the exact (address, ready) set they map to.
    let mut groups: BTreeMap<Vec<(AddrKey, bool)>, Vec<PortKey>> = BTreeMap::new();
    for (port, set) in by_port {
        groups
            .entry(set.into_iter().collect())
            .or_default()
            .push(port);
    }
    // How many subsets still need each address: the last one takes it, the others copy.
    let mut uses: BTreeMap<AddrKey, usize> = BTreeMap::new();
    for set in groups.keys() {
        for (k, _) in set {
            *uses.entry(k.clone()).or_default() += 1;
        }
    }
    let mut subsets: Vec<(Vec<Value>, Value)> = groups
        .into_iter()
        .map(|(set, ports)| {
            let mut pick = |want: bool| -> Vec<Value> {
                set.iter()
                    .filter(|(_, r)| *r == want)
                    .filter_map(|(k, _)| {
                        let left = uses.get_mut(k)?;
                        *left = left.saturating_sub(1);
                        if *left == 0 {
                            addrs.remove(k)
                        } else {
                            addrs.get(k).cloned()
                        }
                    })
                    .collect()
            };
            let ports: Vec<Value> = ports.into_iter().flatten().map(port_json).collect();
            let mut s = Map::new();
            let (ready, not_ready) = (pick(true), pick(false));
            if !ready.is_empty() {
                s.insert("addresses".into(), Value::Array(ready));
            }
            if !not_ready.is_empty() {
                s.insert("notReadyAddresses".into(), Value::Array(not_ready));
            }
            if !ports.is_empty() {
                s.insert("ports".into(), Value::Array(ports.clone()));
            }
            (ports, Value::Object(s))
        })
        .collect();
    // Upstream orders subsets (and ports within one) by an md5 of their Go dump, which includes
    // pointer addresses; any fixed order is as faithful. Ours: by ports, then as grouped.
    subsets.sort_by_key(|a| port_order(&a.0));
    subsets.into_iter().map(|(_, s)| s).collect()
}

fn port_order(ports: &[Value]) -> Vec<(String, i64, String)> {
    ports
        .iter()
        .map(|p| {
            (
                meta::str_at(p, &["name"]).to_string(),
                p.get("port").and_then(Value::as_i64).unwrap_or(0),
                meta::str_at(p, &["protocol"]).to_string(),
            )
        })
        .collect()
}

fn port_json((name, port, protocol, app): (String, i64, String, Option<String>)) -> Value {
    let mut p = Map::new();
    if !name.is_empty() {
        p.insert("name".into(), Value::String(name));
    }
    p.insert("port".into(), Value::from(port));
    p.insert("protocol".into(), Value::String(protocol));
    if let Some(a) = app {
        p.insert("appProtocol".into(), Value::String(a));
    }
    Value::Object(p)
}

/// `truncateEndpoints`: over `MAX_CAPACITY` addresses, keep each subset's proportional share,
/// ready addresses first. Returns the subsets and whether anything was cut.
fn truncate(mut subsets: Vec<Value>) -> (Vec<Value>, bool) {
    let count = |s: &Value, k: &str| s.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    let total_ready: usize = subsets.iter().map(|s| count(s, "addresses")).sum();
    let total_not_ready: usize = subsets.iter().map(|s| count(s, "notReadyAddresses")).sum();
    if total_ready + total_not_ready <= MAX_CAPACITY {
        return (subsets, false);
    }
    let truncate_ready = total_ready > MAX_CAPACITY;
    let (max, num_total) = if truncate_ready {
        (MAX_CAPACITY, total_ready)
    } else {
        (MAX_CAPACITY - total_ready, total_not_ready)
    };
    let mut can_be_added = max;
    for s in &mut subsets {
        let field = if truncate_ready {
            "addresses"
        } else {
            "notReadyAddresses"
        };
        let in_subset = count(s, field);
        // math.Ceil(in_subset / total * max), in integers.
        let share = (in_subset * max).div_ceil(num_total.max(1));
        let to_add = share.min(can_be_added);
        let Some(o) = s.as_object_mut() else {
            continue;
        };
        if let Some(Value::Array(a)) = o.get_mut(field) {
            a.truncate(to_add);
            can_be_added -= a.len();
            if a.is_empty() {
                o.remove(field);
            }
        }
        if truncate_ready {
            o.remove("notReadyAddresses");
        }
    }
    (subsets, true)
}
