//! On the simulated cluster a failed connectivity check explains itself with the network
//! model's trace of the probe's request: where the packet went and where it stopped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kubedrill::drill;
use kubedrill_cluster::Backend;
use kubedrill_sim::ClusterConfig;

#[tokio::test]
async fn a_refused_probe_is_explained_hop_by_hop() {
    let pack = drill::builtin_pack().unwrap();
    let inst = pack
        .scenario("sel-service-selector-typo")
        .unwrap()
        .instantiate(4)
        .unwrap();
    let (backend, _c) = Backend::simulated("t", ClusterConfig::default()).unwrap();
    let seeded = drill::seed(&backend, &inst).await.unwrap();
    let report = drill::grade_now(&backend, &inst, &seeded).await.unwrap();
    let http = report.checks.iter().find(|c| c.id == "http").unwrap();
    assert!(!http.passed);
    let svc = format!("{}/{}", inst.vars["ns"], inst.vars["svc"]);
    let e = &http.explanation;
    assert!(e.contains("connection refused"), "{e}");
    assert!(e.contains("  - DNS: "), "{e}");
    assert!(e.contains(&format!("is Service {svc} by ClusterIP")), "{e}");
    assert!(
        e.lines().last().unwrap().starts_with("  - refused by "),
        "{e}"
    );

    // Fixed, the same check passes and its probe's trace ends in an HTTP answer.
    drill::solve(&backend, &inst).await.unwrap();
    let report = drill::grade_now(&backend, &inst, &seeded).await.unwrap();
    assert!(report.passed(), "{report:?}");
}
