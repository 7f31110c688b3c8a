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

/// 198 policies in `ns`, all selecting tier=web, none allowing pods of other namespaces.
fn deny_policies(ns: &str) -> Vec<serde_json::Value> {
    (0..198).map(|i| {
        json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("deny-{i:03}"), "namespace": ns},
            "spec": {
                "podSelector": {"matchLabels": {"tier": "web"}},
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"app": format!("other-{i}")}}}]},
                    {"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": [{"port": "http"}]},
                ],
            },
        })
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    let mut sim = workload::new_sim();
    sim.create_all(workload::objects()).expect("seed");
    sim.create_all(deny_policies("team-001")).expect("policies");

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

/// The same 200 selecting policies on the default 3-node cluster: evaluation alone, without
/// the 5,000-pod setup (handy under a profiler).
fn bench_small(c: &mut Criterion) {
    let mut sim = workload::new_sim_with(kubedrill_sim::ClusterConfig::default());
    let pod = |ns: &str, app: &str| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": app, "namespace": ns, "labels": {"app": app, "tier": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80, "name": "http"}]}]},
        })
    };
    let mut objs = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}),
        pod("a", "client"),
        pod("b", "server"),
    ];
    objs.extend(deny_policies("b"));
    sim.create_all(objs).expect("seed");
    let (src, dst) = (peer(&sim, "a", "client"), peer(&sim, "b", "server"));
    let mut g = c.benchmark_group("policy_small");
    g.bench_function("evaluate_denied_200_policies", |b| {
        b.iter(|| black_box(evaluate(sim.store(), &src, &dst, 80, Protocol::Tcp)))
    });
    let mut cache = PolicyCache::new();
    g.bench_function("evaluate_cached_denied_200_policies", |b| {
        b.iter(|| {
            black_box(evaluate_cached(
                &mut cache,
                sim.store(),
                &src,
                &dst,
                80,
                Protocol::Tcp,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_small);
criterion_main!(benches);
