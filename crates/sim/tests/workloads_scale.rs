//! Scale: the workload controllers must settle large clusters quickly (run with
//! `cargo test --release -- --ignored` to see the timings).

use kubedrill_sim::{ClusterConfig, Kind, ListOptions, ManualClock, NodeConfig, Sim, yaml};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Instant;

fn big_cluster(workers: u8) -> Sim {
    let mut cfg = ClusterConfig::default();
    for i in 3..=workers {
        cfg.nodes.push(NodeConfig {
            name: format!("node{i:02}"),
            internal_ip: Ipv4Addr::new(172, 30, 1, 2 + i),
            pod_cidr: (Ipv4Addr::new(10, 244, i, 0), 24),
            control_plane: false,
        });
    }
    Sim::new(cfg, Arc::new(ManualClock::at_epoch())).expect("bootstrap")
}

#[test]
#[ignore = "timing; run in release"]
fn five_thousand_pods_in_a_hundred_namespaces_settle_quickly() {
    let workers: u8 = std::env::var("WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let mut sim = big_cluster(workers);
    let mut manifest = String::new();
    let nss: usize = std::env::var("NS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    for n in 0..nss {
        manifest.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n"
        ));
        for d in 0..5 {
            manifest.push_str(&format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web{d}\n  namespace: ns{n}\nspec:\n  replicas: 10\n  selector:\n    matchLabels:\n      app: web{d}\n  template:\n    metadata:\n      labels:\n        app: web{d}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        readinessProbe:\n          httpGet:\n            port: 80\n"));
        }
    }
    let t = Instant::now();
    if std::env::var("ONE_SETTLE").is_ok() {
        sim.apply_yaml(&manifest).expect("apply");
    } else {
        for d in yaml::parse_documents(&manifest).expect("yaml") {
            sim.create(d).expect("create");
        }
    }
    let all = t.elapsed();
    let evs = sim
        .list(Kind::Event, None, &ListOptions::default())
        .expect("ev")
        .items
        .len();
    eprintln!("resourceVersion {} events {evs}", sim.resource_version());
    let pods = sim
        .list(Kind::Pod, None, &ListOptions::default())
        .expect("pods")
        .items;
    let running = pods
        .iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .count();
    eprintln!(
        "created+settled {} pods one write at a time: {all:?} ({:.1} µs/pod), running {running}",
        nss * 50,
        all.as_micros() as f64 / (nss * 50) as f64
    );
    assert!(workers < 60 || running >= nss * 50);
    let mut p = (*sim
        .get(Kind::Pod, "ns5", meta_name(&pods, "ns5"))
        .expect("p"))
    .clone();
    p["metadata"]["labels"]["app"] = "other".into();
    let t = Instant::now();
    sim.update(p).expect("relabel");
    eprintln!("relabel one pod + settle: {:?}", t.elapsed());
}

fn meta_name<'a>(pods: &'a [Arc<serde_json::Value>], ns: &str) -> &'a str {
    pods.iter()
        .find(|p| p["metadata"]["namespace"] == ns)
        .and_then(|p| p["metadata"]["name"].as_str())
        .unwrap_or("")
}
