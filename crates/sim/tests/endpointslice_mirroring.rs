//! The EndpointSlice mirroring controller (upstream `pkg/controller/endpointslicemirroring`):
//! a hand-written Endpoints of a selectorless Service is mirrored into an EndpointSlice, which
//! is what kube-proxy and CoreDNS read; Services with a selector, and Endpoints labelled
//! `endpointslice.kubernetes.io/skip-mirror`, are not mirrored.

#![allow(clippy::unwrap_used)]

mod common;
mod net_support;

use kubedrill_sim::{DeleteOptions, Kind, ListOptions, PatchType, Sim, Subresource};
use net_support::{from_pod, get, response, trace};
use serde_json::{Value, json};

const EXTERNAL: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  ports:\n  - port: 5432\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\n  labels: {team: data}\nsubsets:\n- addresses:\n  - ip: 10.244.1.50\n  notReadyAddresses:\n  - ip: 10.244.1.51\n  ports:\n  - port: 5432\n";

fn mirrored(sim: &Sim, ns: &str, svc: &str) -> Vec<Value> {
    sim.list(Kind::EndpointSlice, Some(ns), &ListOptions::default())
        .unwrap()
        .items
        .into_iter()
        .filter(|s| {
            s["metadata"]["labels"]["kubernetes.io/service-name"] == svc
                && s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"]
                    == "endpointslicemirroring-controller.k8s.io"
        })
        .map(|s| (*s).clone())
        .collect()
}

#[test]
fn a_selectorless_services_endpoints_are_mirrored_with_ready_conditions() {
    let (sim, _clock) = common::sim_with(&[EXTERNAL]);
    let slices = mirrored(&sim, "default", "db");
    assert_eq!(slices.len(), 1);
    let s = &slices[0];
    assert!(s["metadata"]["name"].as_str().unwrap().starts_with("db-"));
    assert_eq!(s["metadata"]["labels"]["team"], "data", "labels are copied");
    assert_eq!(s["metadata"]["ownerReferences"][0]["kind"], "Endpoints");
    assert_eq!(s["addressType"], "IPv4");
    assert_eq!(s["ports"][0]["port"], 5432);
    assert_eq!(s["ports"][0]["protocol"], "TCP");
    assert_eq!(s["endpoints"][0]["addresses"][0], "10.244.1.50");
    assert_eq!(s["endpoints"][0]["conditions"]["ready"], true);
    assert_eq!(s["endpoints"][1]["addresses"][0], "10.244.1.51");
    assert_eq!(s["endpoints"][1]["conditions"]["ready"], false);
}

#[test]
fn mirrored_slices_follow_the_endpoints_and_go_with_them() {
    let (mut sim, _clock) = common::sim_with(&[EXTERNAL]);
    sim.patch(
        Kind::Endpoints,
        "default",
        "db",
        PatchType::Merge,
        &json!({"subsets": [{"addresses": [{"ip": "10.244.2.9"}], "ports": [{"port": 6432}]}]}),
        Subresource::Main,
    )
    .unwrap();
    let slices = mirrored(&sim, "default", "db");
    assert_eq!(slices.len(), 1);
    assert_eq!(slices[0]["endpoints"][0]["addresses"][0], "10.244.2.9");
    assert_eq!(slices[0]["ports"][0]["port"], 6432);
    sim.delete(Kind::Endpoints, "default", "db", &DeleteOptions::default())
        .unwrap();
    assert!(mirrored(&sim, "default", "db").is_empty());
}

#[test]
fn services_with_a_selector_and_skip_mirror_endpoints_are_not_mirrored() {
    // The API server's own `kubernetes` Endpoints carries skip-mirror.
    let (mut sim, _clock) = common::sim_with(&[]);
    assert!(mirrored(&sim, "default", "kubernetes").is_empty());
    sim.apply_yaml("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n- addresses:\n  - ip: 10.244.1.7\n  ports:\n  - port: 80\n")
        .unwrap();
    assert!(mirrored(&sim, "default", "web").is_empty());
}

#[test]
fn traffic_to_a_selectorless_service_reaches_the_hand_written_endpoint() {
    let web_pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: backend\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n";
    let (mut sim, _clock) =
        common::sim_with(&[web_pod, &net_support::client("probe", "default", "node01")]);
    let ip = sim.get(Kind::Pod, "default", "backend").unwrap()["status"]["podIP"]
        .as_str()
        .unwrap()
        .to_string();
    sim.apply_yaml(&format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: manual\nspec:\n  ports:\n  - port: 8080\n    targetPort: 80\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: manual\nsubsets:\n- addresses:\n  - ip: {ip}\n  ports:\n  - port: 80\n"))
        .unwrap();
    let t = trace(
        &mut sim,
        &from_pod("default", "probe"),
        &get("manual", 8080, "/"),
    );
    assert!(response(&t).body.contains("Welcome to nginx!"));
}
