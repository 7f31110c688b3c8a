//! Criterion benchmarks of the network model on the issue-2 cluster (5,000 pods, 1,000
//! Services, 200 NetworkPolicies): one HTTP GET by Service name from a pod (DNS through
//! kube-dns, kube-proxy, policy, delivery and the access-log line), and one bare TCP connect
//! to a ClusterIP. Target: ≤ 50 µs per trace once the indexes are built.

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill_sim::net::{HttpRequest, Origin, Protocol, Request};
use kubedrill_sim::{Kind, ListOptions, PatchType, Subresource, meta};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "workload.rs"]
mod workload;

fn bench_trace(c: &mut Criterion) {
    let mut sim = workload::new_sim();
    sim.create_all(workload::objects()).expect("seed");
    let client = sim
        .list(Kind::Pod, Some("team-050"), &ListOptions::default())
        .expect("list")
        .items
        .first()
        .map(|p| meta::name(p).to_string())
        .expect("a pod");
    let from = Origin::Pod {
        namespace: "team-050".into(),
        name: client,
    };
    let svc = sim
        .get(Kind::Service, "team-050", "app-3")
        .expect("service");
    let vip = meta::str_at(&svc, &["spec", "clusterIP"]).to_string();
    let by_name = Request {
        host: "app-3".into(),
        port: 80,
        protocol: Protocol::Tcp,
        http: Some(HttpRequest {
            path: "/".into(),
            host_header: None,
            user_agent: Some("Wget".into()),
        }),
    };
    let connect = Request {
        host: vip,
        port: 80,
        protocol: Protocol::Tcp,
        http: None,
    };
    let relabelled = sim
        .list(Kind::Pod, Some("team-001"), &ListOptions::default())
        .expect("list")
        .items
        .first()
        .map(|p| meta::name(p).to_string())
        .expect("a pod");
    // Build the indexes once, as the first command after a write does.
    sim.trace(&from, &connect).expect("trace");
    let mut g = c.benchmark_group("trace");
    g.bench_function("http_get_by_service_name_5000pods", |b| {
        b.iter(|| black_box(sim.trace(&from, black_box(&by_name)).expect("trace")))
    });
    g.bench_function("tcp_connect_to_clusterip_5000pods", |b| {
        b.iter(|| black_box(sim.trace(&from, black_box(&connect)).expect("trace")))
    });
    g.finish();

    // The first trace after a write catches the indexes up from the watch log. Only the
    // trace is timed, not the write.
    let mut g = c.benchmark_group("trace_after_write");
    let mut flip = false;
    g.bench_function("tcp_connect_after_relabelling_a_pod_5000pods", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                let body = serde_json::json!({"metadata": {"labels": {"bench": flip.to_string()}}});
                sim.patch(
                    Kind::Pod,
                    "team-001",
                    &relabelled,
                    PatchType::Merge,
                    &body,
                    Subresource::Main,
                )
                .expect("patch");
                let start = Instant::now();
                black_box(sim.trace(&from, black_box(&connect)).expect("trace"));
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench_trace);
criterion_main!(benches);
