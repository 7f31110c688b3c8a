//! Guided mode's checklist follows the learner's real kubectl: each diagnosis step of a
//! scenario is ticked off by the learner's own requests in the API server's audit log, never
//! by the trainer's seeding, probes or grading.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubedrill::drill;
use kubedrill_apiserver::{OffsetClock, Server};
use kubedrill_cluster::Backend;
use kubedrill_sim::{ClusterConfig, Sim};
use std::process::Command;
use std::sync::Arc;

#[test]
fn diagnosis_steps_tick_off_as_the_learner_runs_each_command() {
    let kubectls = support::kubectls();
    let Some(kubectl) = kubectls.first() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pack = drill::builtin_pack().unwrap();
    let inst = pack
        .scenario("sel-service-selector-typo")
        .unwrap()
        .instantiate(3)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let (_server, cluster) = rt.block_on(async {
        let clock = Arc::new(OffsetClock::new());
        let sim = Sim::new(ClusterConfig::default(), clock.clone()).unwrap();
        let mut server = Server::new().unwrap();
        let cluster = server
            .add("kubedrill", sim, 0)
            .await
            .unwrap()
            .cluster
            .clone();
        let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
        kubedrill_apiserver::kubeconfig::write(&kc, &text).unwrap();
        let backend = Backend::in_process(cluster.clone(), clock);
        let seeded = drill::seed(&backend, &inst).await.unwrap();
        drill::grade_now(&backend, &inst, &seeded).await.unwrap();
        (server, cluster)
    });
    let steps = inst.scenario.diagnosis.len();
    assert!(steps >= 3);
    assert_eq!(
        drill::diagnosis_progress(&inst, &cluster.audit()),
        vec![false; steps],
        "seeding and grading tick nothing off"
    );

    let ns = &inst.vars["ns"];
    let svc = &inst.vars["svc"];
    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(kubectl)
            .args(args)
            .env("KUBECONFIG", &kc)
            .env("HOME", dir.path().join("home"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&["-n", ns, "get", "pods", "--show-labels"]);
    let done = drill::diagnosis_progress(&inst, &cluster.audit());
    assert_eq!(done[..3], [false, false, true], "get pods: step 3 only");
    // `kubectl describe svc` reads the Service and lists its EndpointSlices: steps 1 and 2.
    run(&["-n", ns, "describe", "svc", svc]);
    let done = drill::diagnosis_progress(&inst, &cluster.audit());
    assert_eq!(done[..3], [true, true, true]);
}
