//! The benchmark cluster of issue 2: 100 namespaces, 5,000 pods (10 Deployments × 5 replicas per
//! namespace), 1,000 Services and 200 NetworkPolicies, as plain objects.
#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::sync::Arc;

use kubedrill_sim::{ClusterConfig, ManualClock, NodeConfig, Sim};
use serde_json::{Value, json};

/// Workers for 5,000 pods at the kubelet's default 110 pods per node (the scheduler honours it).
pub const WORKERS: u8 = 50;

/// The default cluster grown to a control plane and 50 workers.
pub fn config() -> ClusterConfig {
    let mut c = ClusterConfig::default();
    c.nodes.truncate(1);
    for i in 1..=WORKERS {
        c.nodes.push(NodeConfig {
            name: format!("node{i:02}"),
            internal_ip: Ipv4Addr::new(172, 30, 1, 2 + i),
            pod_cidr: (Ipv4Addr::new(10, 244, i, 0), 24),
            control_plane: false,
        });
    }
    c
}

pub fn new_sim() -> Sim {
    new_sim_with(config())
}

pub fn new_sim_with(config: ClusterConfig) -> Sim {
    match Sim::new(config, Arc::new(ManualClock::at_epoch())) {
        Ok(s) => s,
        Err(e) => panic!("bootstrap: {e}"),
    }
}

pub const NAMESPACES: usize = 100;
pub const DEPLOYMENTS_PER_NS: usize = 10;
pub const REPLICAS: usize = 5;
pub const POLICIES_PER_NS: usize = 2;

pub fn objects() -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..NAMESPACES {
        let ns = format!("team-{n:03}");
        out.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        for d in 0..DEPLOYMENTS_PER_NS {
            let app = format!("app-{d}");
            out.push(json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
                "spec": {
                    "replicas": REPLICAS,
                    "selector": {"matchLabels": {"app": app}},
                    "template": {
                        "metadata": {"labels": {"app": app, "tier": "web"}},
                        "spec": {"containers": [{
                            "name": "web", "image": "nginx:1.27",
                            "ports": [{"containerPort": 80, "name": "http"}],
                        }]},
                    },
                },
            }));
            out.push(json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": app, "namespace": ns},
                "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": "http"}]},
            }));
        }
        for p in 0..POLICIES_PER_NS {
            out.push(json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": format!("allow-{p}"), "namespace": ns},
                "spec": {
                    "podSelector": {"matchLabels": {"app": format!("app-{p}")}},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "web"}}}], "ports": [{"port": 80}]}],
                },
            }));
        }
    }
    out
}
