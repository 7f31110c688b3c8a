//! Issue 7's parity proof: the kubeconfig transport grades a drill exactly as the in-process
//! one does. For every built-in scenario, a served cluster is seeded as `serve --scenario`
//! seeds it; then, over TLS through the written kubeconfig, the seeded state fails, the
//! reference solution is applied, and everything passes — with the same per-check verdicts
//! as grading the same cluster in process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::StreamExt;
use kubedrill::drill;
use kubedrill_apiserver::{OffsetClock, Server};
use kubedrill_cluster::Backend;
use kubedrill_scenario::Report;
use kubedrill_scenario::load::ScenarioSource;
use kubedrill_sim::{ClusterConfig, Sim};
use std::sync::Arc;

fn verdicts(r: &Report) -> Vec<(String, bool)> {
    r.checks.iter().map(|c| (c.id.clone(), c.passed)).collect()
}

async fn parity(src: ScenarioSource) -> Result<(), String> {
    let inst = src.instantiate(2).map_err(|e| e.to_string())?;
    let id = inst.scenario.id.clone();
    let clock = Arc::new(OffsetClock::new());
    let config = ClusterConfig {
        ingress_nginx: drill::needs_ingress_controller(&inst),
        ..ClusterConfig::default()
    };
    let sim = Sim::new(config, clock.clone()).map_err(|e| e.to_string())?;
    let mut server = Server::new().map_err(|e| e.to_string())?;
    let cluster = server
        .add("kubedrill", sim, 0)
        .await
        .map_err(|e| e.to_string())?
        .cluster
        .clone();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let kc = dir.path().join("kubeconfig");
    let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
    kubedrill_apiserver::kubeconfig::write(&kc, &text).map_err(|e| e.to_string())?;

    let local = Backend::in_process(cluster, clock);
    let seeded = drill::seed(&local, &inst)
        .await
        .map_err(|e| e.to_string())?;
    // As `grade` connects to a drill `serve` recorded: the whole cluster is kubedrill's.
    let remote = Backend::from_kubeconfig(Some(&kc), None)
        .await
        .map_err(|e| e.to_string())?
        .whole_cluster();

    let by_tls = drill::grade_now(&remote, &inst, &seeded)
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    let in_proc = drill::grade_now(&local, &inst, &seeded)
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    if by_tls.passed() {
        return Err(format!("{id}: the seeded state passes over TLS"));
    }
    if verdicts(&by_tls) != verdicts(&in_proc) {
        return Err(format!(
            "{id} seeded: TLS {:?} vs in process {:?}",
            verdicts(&by_tls),
            verdicts(&in_proc)
        ));
    }
    drill::solve(&remote, &inst)
        .await
        .map_err(|e| format!("{id}: solve: {e}"))?;
    local.settle();
    let by_tls = drill::grade_now(&remote, &inst, &seeded)
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    let in_proc = drill::grade_now(&local, &inst, &seeded)
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    if !by_tls.passed() {
        let failed: Vec<_> = by_tls
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.id, c.explanation))
            .collect();
        return Err(format!("{id}: after solve over TLS: {}", failed.join("; ")));
    }
    if verdicts(&by_tls) != verdicts(&in_proc) {
        return Err(format!(
            "{id} solved: TLS {:?} vs in process {:?}",
            verdicts(&by_tls),
            verdicts(&in_proc)
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_builtin_scenario_grades_the_same_over_the_kubeconfig() {
    let pack = drill::builtin_pack().unwrap();
    let results: Vec<Result<(), String>> = futures::stream::iter(pack.scenarios.clone())
        .map(|s| tokio::spawn(parity(s)))
        .buffer_unordered(4)
        .map(|j| j.unwrap_or_else(|e| Err(e.to_string())))
        .collect()
        .await;
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
