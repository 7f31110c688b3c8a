//! Builders for the Endpoints / EndpointSlice / LoadBalancer tests: bare pods on node01 whose
//! status the test sets itself (IP, phase, Ready), Services, and readers of what the
//! controllers wrote. Every status field a test relies on is set here explicitly, so the tests
//! hold whatever the kubelet model does on creation.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;

use kubedrill_sim::{DeleteOptions, Kind, ListOptions, Sim, meta, yaml};
use serde_json::{Value, json};

pub const NODE: &str = "node01";
pub const NODE_IP: &str = "172.30.1.3";

/// A container port: (name, containerPort, protocol).
pub type Port<'a> = (&'a str, i64, &'a str);

/// The default cluster.
pub fn sim() -> Sim {
    Sim::default_with_clock().expect("bootstrap").0
}

/// A bare pod `name` in `ns` with `labels`, one container declaring `ports`, bound to node01.
pub fn pod_in(
    sim: &mut Sim,
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    ports: &[Port],
) -> Arc<Value> {
    let labels: serde_json::Map<String, Value> = labels
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    let ports: Vec<Value> = ports
        .iter()
        .map(|(n, p, proto)| {
            let mut v = json!({"containerPort": p, "protocol": proto});
            if !n.is_empty() {
                v["name"] = json!(n);
            }
            v
        })
        .collect();
    sim.create(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "nodeName": NODE,
            // `sleep` ignores SIGTERM, so a deleted pod stays Terminating for its grace period
            // (the kubelet model removes promptly-exiting containers' pods at once).
            "containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"], "ports": ports}],
        },
    }))
    .unwrap_or_else(|e| panic!("create pod {name}: {e}"))
}

pub fn pod(sim: &mut Sim, name: &str, labels: &[(&str, &str)], ports: &[Port]) -> Arc<Value> {
    pod_in(sim, "default", name, labels, ports)
}

/// Set a pod's status as a kubelet would report it: `phase`, IP (empty = none yet), Ready.
pub fn set_status_in(
    sim: &mut Sim,
    ns: &str,
    name: &str,
    phase: &str,
    ip: &str,
    ready: bool,
) -> Arc<Value> {
    let mut p = (*sim.get(Kind::Pod, ns, name).expect("pod")).clone();
    let flag = if ready { "True" } else { "False" };
    let mut status = json!({
        "phase": phase,
        "hostIP": NODE_IP,
        "hostIPs": [{"ip": NODE_IP}],
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Initialized", "status": "True"},
            {"type": "ContainersReady", "status": flag},
            {"type": "Ready", "status": flag},
        ],
    });
    // Keep the kubelet's container states: graceful deletion reads them.
    if let Some(cs) = p["status"].get("containerStatuses").cloned() {
        status["containerStatuses"] = cs;
    }
    if !ip.is_empty() {
        status["podIP"] = json!(ip);
        status["podIPs"] = json!([{"ip": ip}]);
    }
    p["status"] = status;
    sim.update_status(p)
        .unwrap_or_else(|e| panic!("status of {name}: {e}"))
}

pub fn set_status(sim: &mut Sim, name: &str, phase: &str, ip: &str, ready: bool) -> Arc<Value> {
    set_status_in(sim, "default", name, phase, ip, ready)
}

/// A Running pod with `ip`, Ready as given, declaring `http` 8080/TCP.
pub fn running_pod(
    sim: &mut Sim,
    name: &str,
    labels: &[(&str, &str)],
    ip: &str,
    ready: bool,
) -> Arc<Value> {
    pod(sim, name, labels, &[("http", 8080, "TCP")]);
    set_status(sim, name, "Running", ip, ready)
}

pub fn ready_pod(sim: &mut Sim, name: &str, labels: &[(&str, &str)], ip: &str) -> Arc<Value> {
    running_pod(sim, name, labels, ip, true)
}

/// Flip a pod's Ready condition, keeping the rest of its status.
pub fn set_ready(sim: &mut Sim, name: &str, ready: bool) -> Arc<Value> {
    let p = sim.get(Kind::Pod, "default", name).expect("pod");
    let ip = meta::str_at(&p, &["status", "podIP"]).to_string();
    let phase = meta::str_at(&p, &["status", "phase"]).to_string();
    set_status(sim, name, &phase, &ip, ready)
}

/// Create the single object of a YAML manifest.
pub fn apply(sim: &mut Sim, manifest: &str) -> Arc<Value> {
    let mut docs = yaml::parse_documents(manifest).expect("yaml");
    sim.create(docs.remove(0))
        .unwrap_or_else(|e| panic!("create failed: {e}\n{manifest}"))
}

/// A ClusterIP Service `name` in default selecting `app: <app>`, port 80 → `target`.
pub fn service(sim: &mut Sim, name: &str, app: &str, target: &str) -> Arc<Value> {
    apply(
        sim,
        &format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {app}\n  ports:\n  - name: web\n    port: 80\n    protocol: TCP\n    targetPort: {target}\n"
        ),
    )
}

pub fn endpoints(sim: &Sim, name: &str) -> Arc<Value> {
    endpoints_in(sim, "default", name)
}

pub fn endpoints_in(sim: &Sim, ns: &str, name: &str) -> Arc<Value> {
    sim.get(Kind::Endpoints, ns, name)
        .unwrap_or_else(|e| panic!("endpoints {ns}/{name}: {e}"))
}

/// The EndpointSlices labelled for Service `svc` in `ns`, sorted by name.
pub fn slices_in(sim: &Sim, ns: &str, svc: &str) -> Vec<Arc<Value>> {
    let opts = ListOptions::parse(Some(&format!("kubernetes.io/service-name={svc}")), None)
        .expect("selector");
    sim.list(Kind::EndpointSlice, Some(ns), &opts)
        .expect("list")
        .items
}

pub fn slices(sim: &Sim, svc: &str) -> Vec<Arc<Value>> {
    slices_in(sim, "default", svc)
}

/// The slice of `svc` there must be exactly one of.
pub fn only_slice(sim: &Sim, svc: &str) -> Arc<Value> {
    let s = slices(sim, svc);
    assert_eq!(s.len(), 1, "expected one slice, got {s:#?}");
    s[0].clone()
}

/// (ip, ready, serving, terminating) of every endpoint across slices.
pub fn slice_endpoints(slices: &[Arc<Value>]) -> BTreeSet<(String, bool, bool, bool)> {
    slices
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            let c = &e["conditions"];
            (
                e["addresses"][0].as_str().unwrap_or_default().to_string(),
                c["ready"].as_bool().unwrap_or(false),
                c["serving"].as_bool().unwrap_or(false),
                c["terminating"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// The ready and not-ready IPs of an Endpoints object, across subsets.
pub fn ep_ips(ep: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let collect = |field: &str| -> BTreeSet<String> {
        ep["subsets"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s[field].as_array().cloned().unwrap_or_default())
            .map(|a| a["ip"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    (collect("addresses"), collect("notReadyAddresses"))
}

/// The targetRef an endpoint of `pod` carries.
pub fn target_ref(pod: &Value) -> Value {
    json!({"kind": "Pod", "namespace": meta::namespace(pod), "name": meta::name(pod), "uid": meta::uid(pod)})
}

pub fn delete(sim: &mut Sim, kind: Kind, name: &str) -> Arc<Value> {
    sim.delete(kind, "default", name, &DeleteOptions::default())
        .unwrap_or_else(|e| panic!("delete {name}: {e}"))
}
