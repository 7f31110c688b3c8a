//! Criterion benchmarks of NetworkPolicy evaluation on the issue-2 cluster (5,000 pods, 200
//! policies), and the worst case of 200 policies all selecting the destination pod with no
//! rule allowing the connection (every rule of every policy is tried).

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill_sim::net::policy::{PolicyCache, evaluate, evaluate_cached};
use kubedrill_sim::net::{Peer, Protocol};
use kubedrill_sim::{Kind, ListOptions, ObjKey, Sim, meta};
use serde_json::json;
use std::hint::black_box;

#[path = "workload.rs"]
mod workload;

fn peer(sim: &Sim, ns: &str, app: &str) -> Peer {
    let pods = sim
        .list(
            Kind::Pod,
            Some(ns),
            &ListOptions::parse(Some(&format!("app={app}")), None).expect("selector"),
        )
        .expect("list");
    let p = pods.items.first().expect("a pod of the app");
    Peer {
        ip: meta::str_at(p, &["status", "podIP"])
            .parse()
            .expect("pod IP"),
        pod: Some(ObjKey::new(Kind::Pod, ns, meta::name(p))),
        node: Some(meta::str_at(p, &["spec", "nodeName"]).to_string()),
    }
}

fn bench(c: &mut Criterion) {
    let mut sim = workload::new_sim();
    sim.create_all(workload::objects()).expect("seed");
    // 198 more policies in team-001, all selecting tier=web, none allowing team-000.
    let extra = (0..198).map(|i| {
        json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("deny-{i:03}"), "namespace": "team-001"},
            "spec": {
                "podSelector": {"matchLabels": {"tier": "web"}},
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"app": format!("other-{i}")}}}]},
                    {"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": [{"port": "http"}]},
                ],
            },
        })
    });
    sim.create_all(extra.collect()).expect("policies");

    let src = peer(&sim, "team-000", "app-1");
    let allowed_dst = peer(&sim, "team-000", "app-0");
    let denied_dst = peer(&sim, "team-001", "app-5");
    assert!(
        evaluate(sim.store(), &src, &allowed_dst, 80, Protocol::Tcp)
            .iter()
            .all(|d| d.allowed)
    );
    assert!(
        !evaluate(sim.store(), &src, &denied_dst, 80, Protocol::Tcp)
            .iter()
            .all(|d| d.allowed)
    );

    let mut g = c.benchmark_group("policy");
    for (name, dst) in [
        ("allowed_2_policies", &allowed_dst),
        ("denied_200_policies", &denied_dst),
    ] {
        g.bench_function(format!("evaluate_{name}"), |b| {
            b.iter(|| black_box(evaluate(sim.store(), &src, dst, 80, Protocol::Tcp)))
        });
        let mut cache = PolicyCache::new();
        g.bench_function(format!("evaluate_cached_{name}"), |b| {
            b.iter(|| {
                black_box(evaluate_cached(
                    &mut cache,
                    sim.store(),
                    &src,
                    dst,
                    80,
                    Protocol::Tcp,
                ))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
