//! Printing a Table of 5,000 pods — the target is a whole `kubectl get pods` list
//! request in ≤ 100 ms, so printing (and serialising the Table) must be a small part of it.

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill_apiserver::table::{IncludeObject, TableOptions, table};
use kubedrill_sim::{Kind, ListOptions, Sim};
use serde_json::Value;
use std::hint::black_box;

const PODS: usize = 5_000;

/// Pods the simulated kubelet produced (running, crash-looping, unready, completed), each
/// copied under new names until there are `PODS` of them.
fn five_thousand_pods() -> (Vec<Value>, jiff::Timestamp) {
    let (mut sim, _clock) = Sim::default_with_clock().expect("bootstrap");
    sim.apply_yaml(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: app\n    image: busybox\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo hi\"]\n",
    )
    .expect("apply");
    let seeds = sim
        .list(Kind::Pod, None, &ListOptions::default())
        .expect("list")
        .items;
    let pods = (0..PODS)
        .map(|i| {
            let mut p = (*seeds[i % seeds.len()]).clone();
            p["metadata"]["name"] = Value::from(format!("pod-{i:05}"));
            p["metadata"]["uid"] = Value::from(format!("00000000-0000-0000-0000-{i:012}"));
            p
        })
        .collect();
    (pods, sim.now())
}

fn bench(c: &mut Criterion) {
    let (pods, now) = five_thousand_pods();
    let refs: Vec<&Value> = pods.iter().collect();
    let metadata = TableOptions::default();
    let object = TableOptions {
        include_object: IncludeObject::Object,
    };
    let mut g = c.benchmark_group("table_5000_pods");
    g.bench_function("print", |b| {
        b.iter(|| table(Kind::Pod, black_box(&refs), &metadata, now))
    });
    let none = TableOptions {
        include_object: IncludeObject::None,
    };
    g.bench_function("print_cells_only", |b| {
        b.iter(|| table(Kind::Pod, black_box(&refs), &none, now))
    });
    g.bench_function("print_and_serialize", |b| {
        b.iter(|| {
            let t = table(Kind::Pod, black_box(&refs), &metadata, now);
            serde_json::to_vec(&t).expect("serialize")
        })
    });
    g.bench_function("print_and_serialize_include_object", |b| {
        b.iter(|| {
            let t = table(Kind::Pod, black_box(&refs), &object, now);
            serde_json::to_vec(&t).expect("serialize")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
