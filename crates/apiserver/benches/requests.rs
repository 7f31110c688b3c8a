//! Criterion benchmarks of the API server in process: one GET through the router, and a list
//! of the 5,000 pods of the issue-2 benchmark cluster as JSON and as a Table.

use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use kubedrill_apiserver::{Cluster, router};
use kubedrill_sim::Sim;
use std::hint::black_box;
use std::sync::Arc;
use tower::ServiceExt;

#[path = "../../sim/benches/workload.rs"]
mod workload;

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

fn rt() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => panic!("runtime: {e}"),
    }
}

async fn request(c: &Arc<Cluster>, uri: &str, accept: &str) -> usize {
    let req = match http::Request::get(uri)
        .header("accept", accept)
        .body(Body::empty())
    {
        Ok(r) => r,
        Err(e) => panic!("request: {e}"),
    };
    let resp = match router(c.clone()).oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    assert_eq!(resp.status(), 200);
    match resp.into_body().collect().await {
        Ok(b) => b.to_bytes().len(),
        Err(e) => panic!("body: {e}"),
    }
}

fn bench_get(c: &mut Criterion) {
    let rt = rt();
    let sim = match Sim::default_with_clock() {
        Ok((s, _)) => s,
        Err(e) => panic!("sim: {e}"),
    };
    let cluster = Cluster::new("bench", sim);
    c.bench_function("get_service_in_process", |b| {
        b.iter(|| {
            black_box(rt.block_on(request(
                &cluster,
                "/api/v1/namespaces/default/services/kubernetes",
                "application/json",
            )))
        })
    });
}

fn bench_list(c: &mut Criterion) {
    let rt = rt();
    let mut sim = workload::new_sim();
    if let Err(e) = sim.create_all(workload::objects()) {
        panic!("seed: {e}");
    }
    let cluster = Cluster::new("bench", sim);
    let mut g = c.benchmark_group("list_5000_pods");
    g.sample_size(10);
    g.bench_function("json", |b| {
        b.iter(|| black_box(rt.block_on(request(&cluster, "/api/v1/pods", "application/json"))))
    });
    g.bench_function("table", |b| {
        b.iter(|| black_box(rt.block_on(request(&cluster, "/api/v1/pods?limit=500", TABLE))))
    });
    g.finish();
}

criterion_group!(benches, bench_get, bench_list);
criterion_main!(benches);
