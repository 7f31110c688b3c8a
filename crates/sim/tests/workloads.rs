//! Workload controllers and the kubelet model: scheduling, pod status, readiness (rules 91–92),
//! Deployment → ReplicaSet → Pod (rules 95–97), StatefulSets, garbage collection, namespaces.

mod common;

use common::{create, sim_with};
#[allow(unused_imports)]
use jiff::SignedDuration;
#[allow(unused_imports)]
use kubedrill_sim::{DeleteOptions, Kind, ListOptions, Sim, meta};
use serde_json::Value;
use std::sync::Arc;

#[allow(dead_code)]
fn pods(sim: &Sim, ns: &str) -> Vec<Arc<Value>> {
    sim.list(Kind::Pod, Some(ns), &ListOptions::default())
        .expect("list")
        .items
}

fn events_for(sim: &Sim, ns: &str, name: &str) -> Vec<(String, String)> {
    sim.list(Kind::Event, Some(ns), &ListOptions::default())
        .expect("events")
        .items
        .iter()
        .filter(|e| e["involvedObject"]["name"] == name)
        .map(|e| {
            (
                e["reason"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn cond<'a>(obj: &'a Value, ty: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == ty))
        .unwrap_or(&Value::Null)
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n";

#[test]
fn a_bare_pod_is_scheduled_to_a_worker_and_runs_with_an_ip_from_its_pod_cidr() {
    let (mut sim, _c) = sim_with(&[]);
    create(&mut sim, POD);
    let p = sim.get(Kind::Pod, "default", "web").expect("pod");
    let node = p["spec"]["nodeName"].as_str().expect("bound");
    assert_ne!(
        node, "controlplane",
        "the control-plane taint keeps pods off"
    );
    assert_eq!(p["status"]["phase"], "Running");
    let ip = p["status"]["podIP"].as_str().expect("ip");
    let cidr = if node == "node01" {
        "10.244.1."
    } else {
        "10.244.2."
    };
    assert!(ip.starts_with(cidr), "{ip} on {node}");
    assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
    assert_eq!(
        p["status"]["containerStatuses"][0]["image"],
        "docker.io/library/nginx:latest"
    );
    assert_eq!(cond(&p, "Ready")["status"], "True");
    let ev = events_for(&sim, "default", "web");
    assert!(
        ev.contains(&(
            "Scheduled".into(),
            format!("Successfully assigned default/web to {node}")
        )),
        "{ev:?}"
    );
    assert!(
        ev.contains(&("Started".into(), "Started container app".into())),
        "{ev:?}"
    );
    assert!(
        ev.contains(&("Created".into(), "Created container: app".into())),
        "{ev:?}"
    );
}
