//! Every built-in scenario through the whole path a learner's drill takes, on the simulated
//! cluster in process: seeded through kube-rs and the API server, graded with real probe
//! pods (curl, nc, nslookup run by the sim's kubelet against its network model), solved by
//! the reference solution, graded again. The seeded state must fail at least one check and
//! the solved one must pass every check (SCENARIOS.md, principles 1 and 2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kubedrill::drill;
use kubedrill_cluster::Backend;
use kubedrill_sim::ClusterConfig;

async fn run(id: &str, seed: u64) -> Result<(), String> {
    let pack = drill::builtin_pack()?;
    let src = pack.scenario(id).ok_or("no such scenario")?;
    let inst = src.instantiate(seed).map_err(|e| e.to_string())?;
    let config = ClusterConfig {
        ingress_nginx: drill::needs_ingress_controller(&inst),
        ..ClusterConfig::default()
    };
    let (backend, _cluster) = Backend::simulated(id, config).map_err(|e| e.to_string())?;
    let seeded = drill::seed(&backend, &inst)
        .await
        .map_err(|e| format!("seed: {e}"))?;
    let before = drill::grade_now(&backend, &inst, &seeded)
        .await
        .map_err(|e| format!("grade: {e}"))?;
    if before.passed() {
        return Err("every check passes on the seeded (broken) cluster".into());
    }
    drill::solve(&backend, &inst)
        .await
        .map_err(|e| format!("solve: {e}"))?;
    let after = drill::grade_now(&backend, &inst, &seeded)
        .await
        .map_err(|e| format!("grade: {e}"))?;
    let failed: Vec<String> = after
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("check {} fails after the solution: {}", c.id, c.explanation))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n  "))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_builtin_scenario_is_broken_when_seeded_and_fixed_by_its_solution() {
    let pack = drill::builtin_pack().unwrap();
    assert!(pack.scenarios.len() >= 30);
    let mut failures = Vec::new();
    for s in &pack.scenarios {
        let id = s.scenario.id.clone();
        if let Err(e) = run(&id, 1).await {
            failures.push(format!("{id}: {e}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `KUBEDRILL_SCENARIO=id cargo test --test drill_builtin one_scenario -- --ignored` runs one.
#[tokio::test]
#[ignore = "runs the scenario named by $KUBEDRILL_SCENARIO, for debugging a pack"]
async fn one_scenario() {
    let id = std::env::var("KUBEDRILL_SCENARIO").unwrap_or_default();
    let seed = std::env::var("KUBEDRILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    if let Err(e) = run(&id, seed).await {
        panic!("{id} seed {seed}: {e}");
    }
}
