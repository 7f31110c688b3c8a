//! SERVICES-SPEC §I: what the objects `kubectl expose`, `kubectl create service|deployment` and
//! `kubectl run` send (as recorded in KUBECTL-CONTRACT, Appendix C) become in the cluster.
//!
//! The client-side parts of these rules (rule 83's `cannot expose a StatefulSet.apps`, flag
//! parsing) are kubectl's own and are proven against the real kubectl in the API server's
//! end-to-end tests; here the cluster side is: which pods the generated selector reaches, which
//! ports the generated Service ends up with.

mod common;

use kubedrill_sim::{Kind, ListOptions, Sim, meta};
use serde_json::{Value, json};

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web, team: shop}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: frontend}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80, name: http}, {containerPort: 8443, name: https}]
"#;

/// The IPs and ports the Service's Endpoints list as ready.
fn endpoint_ports(sim: &Sim, name: &str) -> (usize, Vec<i64>) {
    let ep = sim
        .get(Kind::Endpoints, "default", name)
        .expect("endpoints exist for a selector service");
    let subsets = ep["subsets"].as_array().cloned().unwrap_or_default();
    let addrs = subsets
        .iter()
        .map(|s| s["addresses"].as_array().map_or(0, Vec::len))
        .sum();
    let mut ports: Vec<i64> = subsets
        .iter()
        .flat_map(|s| s["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["port"].as_i64())
        .collect();
    ports.sort();
    ports.dedup();
    (addrs, ports)
}

#[test]
fn rule84_expose_deployment_selects_by_the_deployment_selector_and_reaches_every_replica() {
    let (mut sim, _) = common::sim_with(&[WEB]);
    // kubectl expose deployment web --port=80 --target-port=8080 --name=web-svc (contract App. C)
    sim.create(json!({"apiVersion":"v1","kind":"Service","metadata":{"creationTimestamp":null,"labels":{"app":"web"},"name":"web-svc"},"spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"web"}},"status":{"loadBalancer":{}}}))
        .expect("expose");
    let (addrs, ports) = endpoint_ports(&sim, "web-svc");
    assert_eq!(addrs, 3);
    // rule 86: the explicit --target-port is used verbatim, whether or not anything listens there.
    assert_eq!(ports, vec![8080]);
}

#[test]
fn rule86_expose_without_target_port_targets_the_service_port() {
    let (mut sim, _) = common::sim_with(&[WEB]);
    // kubectl expose deployment web --port=8080: no targetPort is sent; defaulting sets it to 8080.
    let svc = sim
        .create(json!({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web","team":"shop"},"name":"web"},"spec":{"ports":[{"port":8080,"protocol":"TCP"}],"selector":{"app":"web"}}}))
        .expect("expose");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 8080);
    assert_eq!(endpoint_ports(&sim, "web").1, vec![8080]);
}

#[test]
fn rule87_expose_of_a_multi_port_deployment_names_ports_port_1_and_port_2() {
    let (mut sim, _) = common::sim_with(&[WEB]);
    let svc = sim
        .create(json!({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web","team":"shop"},"name":"web"},"spec":{"ports":[
            {"name":"port-1","port":80,"protocol":"TCP","targetPort":80},
            {"name":"port-2","port":8443,"protocol":"TCP","targetPort":8443}],"selector":{"app":"web"}}}))
        .expect("multi-port expose is valid because kubectl names the ports");
    assert_eq!(svc["spec"]["ports"][1]["name"], "port-2");
    // One subset: the three pods, each with both ports.
    assert_eq!(endpoint_ports(&sim, "web"), (3, vec![80, 8443]));
}

#[test]
fn rule88_rule98_a_selector_copied_from_deployment_metadata_labels_matches_nothing() {
    let (mut sim, _) = common::sim_with(&[WEB]);
    // A hand-written Service that used the Deployment's metadata labels instead of its template's.
    sim.create(json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}],"selector":{"team":"shop"}}}))
        .expect("create");
    assert_eq!(endpoint_ports(&sim, "web").0, 0);
}

#[test]
fn rule89_create_service_clusterip_selects_app_equal_to_its_own_name() {
    let (mut sim, _) = common::sim_with(&[WEB]);
    // kubectl create service clusterip my-cs --tcp=5678:8080 (decoded from the recorded protobuf).
    let svc = sim
        .create(json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"my-cs","labels":{"app":"my-cs"}},
            "spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080}],"selector":{"app":"my-cs"},"type":"ClusterIP"}}))
        .expect("create service");
    assert_eq!(svc["spec"]["ports"][0]["name"], "5678-8080");
    // The classic trap: nothing carries app=my-cs, so the Service has no endpoints.
    assert_eq!(endpoint_ports(&sim, "my-cs").0, 0);
}

#[test]
fn rule90_create_deployment_labels_pods_app_name_and_run_labels_the_pod_run_name() {
    let (mut sim, _) = common::sim_with(&[]);
    // kubectl create deployment api --image=nginx
    sim.create(json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"api"},"name":"api"},
        "spec":{"replicas":1,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},
        "spec":{"containers":[{"image":"nginx","name":"nginx"}]}}}}))
        .expect("create deployment");
    // kubectl run tmp --image=busybox -- sleep 3600
    sim.create(json!({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"run":"tmp"},"name":"tmp"},
        "spec":{"containers":[{"args":["sleep","3600"],"image":"busybox","name":"tmp"}],"restartPolicy":"Always"}}))
        .expect("run");
    let pods = sim
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions::parse(Some("app=api"), None).expect("selector"),
        )
        .expect("list");
    assert_eq!(pods.items.len(), 1);
    let tmp = sim.get(Kind::Pod, "default", "tmp").expect("pod");
    assert_eq!(
        meta::labels(&tmp).and_then(|l| l.get("run")),
        Some(&Value::String("tmp".into()))
    );
}
