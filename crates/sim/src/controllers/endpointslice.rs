//! EndpointSlice controller: the discovery.k8s.io/v1 slices of every selector Service
//! (SERVICES-SPEC §D rules 40–47), after upstream `pkg/controller/endpointslice` and
//! `staging/src/k8s.io/endpointslice/{reconciler.go,utils.go}`.
//!
//! Owns only slices labelled `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`;
//! slices without that label (the user's, the bootstrap's `kubernetes` slice) are never touched.
//! Endpoints are grouped by the exact set of ports they resolve (`desiredEndpointsByPortMap`),
//! at most 100 per slice; slice names stay stable across syncs.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{DeleteOptions, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

use super::endpoint_common::{
    self as common, HEADLESS_LABEL, SERVICE_NAME_LABEL, SvcView, tolerate,
};
use super::{Ctl, Queues};

pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// `--max-endpoints-per-slice` default.
const MAX_ENDPOINTS_PER_SLICE: usize = 100;
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    match change.key.kind {
        // Pod writes are queued for both endpoint controllers at once, in `super::observe`.
        Kind::Service => common::queue_service(change, Ctl::EndpointSlice, q),
        // A managed slice edited or deleted by anyone queues its Service, so it is repaired
        // (`onEndpointSliceUpdate/Delete` + `managedByController`). Creations are skipped: the
        // controller made them itself (upstream's tracker skips its own writes the same way),
        // and resyncing every new slice would double the work of settling many Services.
        Kind::EndpointSlice if change.old.is_some() => {
            for obj in [&change.old, &change.new].into_iter().flatten() {
                let labels = meta::labels(obj);
                let label = |k: &str| {
                    labels
                        .and_then(|l| l.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                };
                if label(MANAGED_BY_LABEL) == CONTROLLER_NAME
                    && !label(SERVICE_NAME_LABEL).is_empty()
                {
                    q.push(
                        Ctl::EndpointSlice,
                        ObjKey::new(
                            Kind::Service,
                            &change.key.namespace,
                            label(SERVICE_NAME_LABEL),
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// The ports of a slice as a set: slices are keyed by it (`endpointsliceutil.NewPortMapKey`).
type PortSet = BTreeSet<(String, i64, String, Option<String>)>;

/// What one group of endpoints sharing a port set should look like.
struct Group {
    /// `ports` in Service order, as `getEndpointPorts` lists them.
    ports: Vec<Value>,
    /// pod name → endpoint; a BTreeMap so new endpoints are added in a fixed order.
    endpoints: BTreeMap<String, Value>,
}

/// The writes one sync makes, as upstream's reconciler collects them before `finalize`.
#[derive(Default)]
struct Plan {
    /// (existing slice, ports, endpoints).
    updates: Vec<(Arc<Value>, Vec<Value>, Vec<Value>)>,
    /// (ports, endpoints).
    creates: Vec<(Vec<Value>, Vec<Value>)>,
    deletes: Vec<Arc<Value>>,
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let existing = managed_slices(&sim.store, &key.namespace, &key.name);
    let Some(svc) = sim.store.get(key).cloned() else {
        // Upstream leaves this to the garbage collector (ownerReferences); doing it here too
        // keeps a deleted Service's slices from outliving it whatever GC does.
        return delete_all(sim, &existing);
    };
    let svc = SvcView::of(svc);
    if svc.selector.is_none() {
        return Ok(());
    }
    let desired = desired_groups(&sim.store, &svc);
    let mut plan = Plan::default();
    // Slices not owned by this Service (a deleted and recreated one of the same name) go.
    let (owned, foreign): (Vec<_>, Vec<_>) = existing.into_iter().partition(|s| owned_by(s, &svc));
    plan.deletes.extend(foreign);

    let mut by_ports: BTreeMap<PortSet, Vec<Arc<Value>>> = BTreeMap::new();
    for s in owned {
        by_ports.entry(port_set_of_slice(&s)).or_default().push(s);
    }
    let any_desired = !desired.is_empty();
    for (set, group) in desired {
        let slices = by_ports.remove(&set).unwrap_or_default();
        reconcile_group(&mut plan, slices, group);
    }
    // Slices of port sets no pod resolves any more.
    plan.deletes.extend(by_ports.into_values().flatten());
    if !any_desired {
        // Rule 46: with no endpoints, exactly one placeholder slice (no ports, no endpoints).
        // `finalize` turns it into an update of a slice that would be deleted, so an existing
        // placeholder (or the last real slice) keeps its name.
        plan.creates.push((Vec::new(), Vec::new()));
    }
    finalize(sim, &svc, plan)
}

/// `Reconciler.finalize`: creates become updates of owned slices that would otherwise be
/// deleted (so slice names survive port changes and emptying), no creates for a Service being
/// deleted, then the writes.
fn finalize(sim: &mut Sim, svc: &SvcView, mut plan: Plan) -> Result<(), ApiError> {
    let mut i = 0;
    while i < plan.deletes.len() && !plan.creates.is_empty() {
        if owned_by(&plan.deletes[i], svc) {
            let reused = plan.deletes.remove(i);
            if let Some((ports, eps)) = plan.creates.pop() {
                plan.updates.push((reused, ports, eps));
            }
        } else {
            i += 1;
        }
    }
    if !meta::is_terminating(&svc.obj) {
        for (ports, eps) in plan.creates {
            write_slice(sim, svc, None, &ports, eps)?;
        }
    }
    for (s, ports, eps) in plan.updates {
        write_slice(sim, svc, Some(&s), &ports, eps)?;
    }
    delete_all(sim, &plan.deletes)
}

/// `ownedBy` + the address type check: a slice this Service's controller may reuse.
fn owned_by(slice: &Value, svc: &SvcView) -> bool {
    meta::controller_ref(slice)
        .and_then(|r| r.get("uid"))
        .and_then(Value::as_str)
        == Some(meta::uid(&svc.obj))
        && meta::str_at(slice, &["addressType"]) == "IPv4"
}

/// `reconcileByPortMapping`, simplified: endpoints already in a slice stay there (updated in
/// place), the rest fill slices with room in name order, then new slices of at most 100.
fn reconcile_group(plan: &mut Plan, slices: Vec<Arc<Value>>, group: Group) {
    let mut remaining = group.endpoints;
    let mut planned: Vec<(Arc<Value>, Vec<Value>)> = Vec::new();
    for s in slices {
        let kept: Vec<Value> = s
            .get("endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| remaining.remove(meta::str_at(e, &["targetRef", "name"])))
            .collect();
        planned.push((s, kept));
    }
    for (_, eps) in &mut planned {
        while eps.len() < MAX_ENDPOINTS_PER_SLICE {
            let Some((_, e)) = remaining.pop_first() else {
                break;
            };
            eps.push(e);
        }
    }
    for (s, eps) in planned {
        if eps.is_empty() {
            plan.deletes.push(s);
        } else {
            plan.updates.push((s, group.ports.clone(), eps));
        }
    }
    let rest: Vec<Value> = remaining.into_values().collect();
    for chunk in rest.chunks(MAX_ENDPOINTS_PER_SLICE) {
        plan.creates.push((group.ports.clone(), chunk.to_vec()));
    }
}

/// Create (`existing` None) or update one slice to the desired content.
fn write_slice(
    sim: &mut Sim,
    svc: &SvcView,
    existing: Option<&Value>,
    ports: &[Value],
    endpoints: Vec<Value>,
) -> Result<(), ApiError> {
    let labels = Value::Object(slice_labels(svc));
    // The API server serves empty lists here as `null` (kubernetes#135968), which
    // `kubectl get endpointslices` prints as `<unset>`.
    let endpoints = list_or_null(endpoints);
    let ports = list_or_null(ports.to_vec());
    if let Some(s) = existing
        && s.pointer("/metadata/labels") == Some(&labels)
        && s.get("endpoints").unwrap_or(&Value::Null) == &endpoints
        && s.get("ports").unwrap_or(&Value::Null) == &ports
    {
        // Already as desired: skip the write pipeline (the common case on a resync).
        return Ok(());
    }
    let mut slice = match existing {
        Some(s) => s.clone(),
        None => json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "generateName": slice_prefix(&svc.name),
                "namespace": svc.namespace,
                "ownerReferences": [meta::owner_ref_to(&svc.obj, true)],
            },
            "addressType": "IPv4",
        }),
    };
    meta::metadata_mut(&mut slice).insert("labels".into(), labels);
    slice["endpoints"] = endpoints;
    slice["ports"] = ports;
    let r = match existing {
        Some(_) => sim.update_unsettled(slice, Subresource::Main),
        None => sim.create_unsettled(slice),
    };
    tolerate(r)
}

fn list_or_null(v: Vec<Value>) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        Value::Array(v)
    }
}

/// `getEndpointSlicePrefix`: `<svc>-`, cut by the pipeline's generateName to leave room.
fn slice_prefix(svc: &str) -> String {
    format!("{svc}-")
}

/// `setEndpointSliceLabels`: the Service's labels minus the reserved keys, the headless label
/// when the Service has no cluster IP, then the service-name and managed-by labels.
fn slice_labels(svc: &SvcView) -> Map<String, Value> {
    let mut l = svc.labels();
    l.remove(SERVICE_NAME_LABEL);
    l.remove(MANAGED_BY_LABEL);
    if svc.headless {
        l.insert(HEADLESS_LABEL.into(), Value::String(String::new()));
    } else {
        l.remove(HEADLESS_LABEL);
    }
    l.insert(SERVICE_NAME_LABEL.into(), Value::String(svc.name.clone()));
    l.insert(
        MANAGED_BY_LABEL.into(),
        Value::String(CONTROLLER_NAME.into()),
    );
    l
}

/// The desired endpoints, grouped by port set (`reconciler.reconcile` building
/// `desiredEndpointsByPortMap`).
fn desired_groups(store: &Store, svc: &SvcView) -> BTreeMap<PortSet, Group> {
    let mut out: BTreeMap<PortSet, Group> = BTreeMap::new();
    for pod in svc.matching_pods(store) {
        // Terminating pods stay in slices (`ShouldPodBeInEndpoints(pod, true)`).
        if !common::should_be_in_endpoints(pod, true) {
            continue;
        }
        // A pod whose node is unknown is left out until it is (upstream requeues), unless the
        // Service publishes not-ready addresses: then it is listed, without a zone.
        let node = store.get_by(Kind::Node, "", meta::str_at(pod, &["spec", "nodeName"]));
        if node.is_none() && !svc.publish_not_ready {
            continue;
        }
        let Some(ip) = common::pod_ipv4(pod) else {
            continue;
        };
        let (set, ports) = endpoint_ports(svc, pod);
        let ep = pod_to_endpoint(pod, node, svc, ip);
        out.entry(set)
            .or_insert_with(|| Group {
                ports,
                endpoints: BTreeMap::new(),
            })
            .endpoints
            .insert(meta::name(pod).to_string(), ep);
    }
    out
}

/// `getEndpointPorts`: every service port that resolves on the pod, in Service order. `name` is
/// a pointer upstream, so an unnamed port shows `name: ""`.
fn endpoint_ports(svc: &SvcView, pod: &Value) -> (PortSet, Vec<Value>) {
    let mut set = PortSet::new();
    let mut ports = Vec::new();
    if svc.ports.is_empty() && svc.headless {
        return (set, ports);
    }
    for sp in &svc.ports {
        let Some(n) = common::find_port(pod, sp) else {
            continue;
        };
        let mut p = json!({"name": sp.name, "port": n, "protocol": sp.protocol});
        if let Some(a) = &sp.app_protocol {
            p["appProtocol"] = Value::String(a.clone());
        }
        set.insert((
            sp.name.clone(),
            n,
            sp.protocol.clone(),
            sp.app_protocol.clone(),
        ));
        ports.push(p);
    }
    (set, ports)
}

fn port_set_of_slice(s: &Value) -> PortSet {
    s.get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            (
                meta::str_at(p, &["name"]).to_string(),
                p.get("port").and_then(Value::as_i64).unwrap_or(0),
                meta::str_at(p, &["protocol"]).to_string(),
                p.get("appProtocol")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
        .collect()
}

/// `podToEndpoint`: `serving` is the pod's Ready condition, `terminating` its deletion, and
/// `ready` is `publishNotReadyAddresses || (serving && !terminating)`.
fn pod_to_endpoint(pod: &Value, node: Option<&Arc<Value>>, svc: &SvcView, ip: String) -> Value {
    let serving = common::is_ready(pod);
    let terminating = meta::is_terminating(pod);
    let ready = svc.publish_not_ready || (serving && !terminating);
    let mut ep = json!({
        "addresses": [ip],
        "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
    });
    if let Some(h) = common::hostname_for(pod, svc) {
        ep["hostname"] = Value::String(h);
    }
    ep["targetRef"] = common::target_ref(pod);
    let node_name = meta::str_at(pod, &["spec", "nodeName"]);
    if !node_name.is_empty() {
        ep["nodeName"] = Value::String(node_name.to_string());
    }
    let zone = node
        .and_then(|n| meta::labels(n))
        .and_then(|l| l.get(ZONE_LABEL))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !zone.is_empty() {
        ep["zone"] = Value::String(zone.to_string());
    }
    ep
}

/// The slices this controller manages for a Service, sorted by name.
fn managed_slices(store: &Store, ns: &str, svc: &str) -> Vec<Arc<Value>> {
    store
        .list(Kind::EndpointSlice, Some(ns))
        .filter(|s| {
            let l = meta::labels(s);
            let get = |k: &str| l.and_then(|l| l.get(k)).and_then(Value::as_str);
            get(SERVICE_NAME_LABEL) == Some(svc) && get(MANAGED_BY_LABEL) == Some(CONTROLLER_NAME)
        })
        .cloned()
        .collect()
}

fn delete_all(sim: &mut Sim, slices: &[Arc<Value>]) -> Result<(), ApiError> {
    for s in slices {
        let key = ObjKey::of(Kind::EndpointSlice, s);
        tolerate(sim.delete_unsettled(&key, &DeleteOptions::default()))?;
    }
    Ok(())
}
