//! Criterion benchmarks of the simulator: building and settling the issue-2 cluster, and the
//! incremental cost of relabelling one pod.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kubedrill_sim::{Kind, ListOptions, PatchType, Sim, Subresource, meta};
use serde_json::json;
use std::hint::black_box;

#[path = "workload.rs"]
mod workload;

fn build() -> Sim {
    let mut sim = workload::new_sim();
    sim.create_all(workload::objects()).expect("seed");
    sim
}

fn bench_build(c: &mut Criterion) {
    let objs = workload::objects();
    let mut g = c.benchmark_group("cluster");
    g.sample_size(10);
    g.bench_function("build_and_settle_100ns_5000pods_1000svc_200netpol", |b| {
        // The cluster is returned so its teardown (a fifth of the time, freeing ~60,000
        // objects) is not counted as building and settling, as in the relabel bench below.
        b.iter_with_large_drop(|| {
            let mut sim = workload::new_sim();
            sim.create_all(black_box(objs.clone())).expect("seed");
            sim
        })
    });
    g.finish();
}

fn bench_relabel(c: &mut Criterion) {
    let mut sim = build();
    let pods = sim
        .list(Kind::Pod, Some("team-050"), &ListOptions::default())
        .expect("list");
    let name = pods
        .items
        .first()
        .map(|p| meta::name(p).to_string())
        .unwrap_or_default();
    let mut flip = false;
    c.bench_function("relabel_one_pod_and_settle", |b| {
        b.iter(|| {
            flip = !flip;
            let value = if flip { "canary" } else { "web" };
            let body = json!({"metadata": {"labels": {"tier": value}}});
            sim.patch(
                Kind::Pod,
                "team-050",
                &name,
                PatchType::Merge,
                &body,
                Subresource::Main,
            )
            .expect("patch");
        })
    });
}

/// The relabel that matters in a drill: the pod leaves its Service and its ReplicaSet, which
/// releases it and creates a replacement (scheduling, kubelet, events, endpoints all move).
fn bench_relabel_out_of_service(c: &mut Criterion) {
    let sim = build();
    let pods = sim
        .list(Kind::Pod, Some("team-050"), &ListOptions::default())
        .expect("list");
    let name = pods
        .items
        .first()
        .map(|p| meta::name(p).to_string())
        .unwrap_or_default();
    let mut g = c.benchmark_group("relabel");
    g.sample_size(20);
    g.bench_function("relabel_pod_out_of_its_service_and_settle", |b| {
        b.iter_batched(
            || sim.clone(),
            |mut s| {
                let body = json!({"metadata": {"labels": {"app": "debug"}}});
                s.patch(
                    Kind::Pod,
                    "team-050",
                    &name,
                    PatchType::Merge,
                    &body,
                    Subresource::Main,
                )
                .expect("patch");
                // Returned so its drop is not timed.
                s
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_build,
    bench_relabel,
    bench_relabel_out_of_service
);
criterion_main!(benches);
