//! One drill in process, as `pack validate` and the TUI start it: a new simulated cluster,
//! the scenario seeded through kube-rs and the API server and settled, then graded with its
//! probe pods. Issue 5's target: ≤ 20 ms median.

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill::drill;
use kubedrill_cluster::Backend;
use kubedrill_sim::ClusterConfig;

fn seed_settle_grade(c: &mut Criterion) {
    let pack = drill::builtin_pack().expect("built-in pack");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for id in [
        "sel-service-selector-typo",
        "aff-sticky-required",
        "netpol-egress-dns-missing",
    ] {
        let inst = pack
            .scenario(id)
            .expect("scenario")
            .instantiate(1)
            .expect("instance");
        c.bench_function(&format!("drill/seed+settle+grade/{id}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let (backend, _c) =
                        Backend::simulated(id, ClusterConfig::default()).expect("cluster");
                    let seeded = drill::seed(&backend, &inst).await.expect("seed");
                    let report = drill::grade_now(&backend, &inst, &seeded)
                        .await
                        .expect("grade");
                    assert!(!report.passed());
                })
            })
        });
    }
}

criterion_group!(benches, seed_settle_grade);
criterion_main!(benches);
