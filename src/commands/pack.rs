//! `kubedrill pack validate DIR…`: a pack loads (every error with file:line:column), and each
//! scenario, for several seeds, is broken when seeded (some check fails), fixed by its
//! reference solution (every check passes) and never errors — on the simulated cluster in
//! process, through the same API server, probes and grader a learner's drill uses.

use futures::StreamExt;
use kubedrill::drill;
use kubedrill_cluster::Backend;
use kubedrill_scenario::load::ScenarioSource;
use kubedrill_scenario::load_pack;
use kubedrill_sim::ClusterConfig;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Outcome;

/// Seed, grade, solve and grade one scenario for one seed.
pub async fn check_scenario(src: &ScenarioSource, seed: u64) -> Result<(), String> {
    let inst = src.instantiate(seed).map_err(|e| e.to_string())?;
    let config = ClusterConfig {
        ingress_nginx: drill::needs_ingress_controller(&inst),
        ..ClusterConfig::default()
    };
    let (backend, _cluster) =
        Backend::simulated(&inst.scenario.id, config).map_err(|e| e.to_string())?;
    let seeded = drill::seed(&backend, &inst)
        .await
        .map_err(|e| format!("seeding: {e}"))?;
    let before = drill::grade_now(&backend, &inst, &seeded)
        .await
        .map_err(|e| format!("grading the seeded cluster: {e}"))?;
    if before.passed() {
        return Err("every check passes on the seeded cluster: the scenario is not broken".into());
    }
    drill::solve(&backend, &inst)
        .await
        .map_err(|e| format!("reference solution: {e}"))?;
    let after = drill::grade_now(&backend, &inst, &seeded)
        .await
        .map_err(|e| format!("grading after the solution: {e}"))?;
    let failed: Vec<String> = after
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "check {} fails after the reference solution: {}",
                c.id, c.explanation
            )
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// Pack folders as given; a folder without a `pack.yaml` stands for the packs inside it
/// (`scenarios/` holds `scenarios/core/`).
fn expand(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        if d.join("pack.yaml").is_file() {
            out.push(d.clone());
            continue;
        }
        let mut inner: Vec<PathBuf> = std::fs::read_dir(d)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.join("pack.yaml").is_file())
                    .collect()
            })
            .unwrap_or_default();
        inner.sort();
        if inner.is_empty() {
            // Let the loader say what is wrong with it.
            out.push(d.clone());
        } else {
            out.extend(inner);
        }
    }
    out
}

pub fn validate(dirs: &[PathBuf], seeds: u64) -> Outcome {
    if dirs.is_empty() {
        return Err("pack validate needs at least one pack folder".into());
    }
    let mut total = 0usize;
    let mut failed = 0usize;
    let rt = super::runtime()?;
    for dir in &expand(dirs) {
        let pack = match load_pack(dir) {
            Ok(p) => p,
            Err(errs) => {
                for e in &errs {
                    println!("{e}");
                }
                println!(
                    "{}: the pack does not load ({} error(s))",
                    dir.display(),
                    errs.len()
                );
                failed += 1;
                total += 1;
                continue;
            }
        };
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        let results: Vec<(String, Vec<String>)> = rt.block_on(
            // Spawned, so scenarios (each its own cluster) run on every core.
            futures::stream::iter(pack.scenarios.iter().cloned())
                .map(|s| {
                    let id = s.scenario.id.clone();
                    let task = tokio::spawn(async move {
                        let mut errs = Vec::new();
                        for seed in 0..seeds {
                            if let Err(e) = check_scenario(&s, seed).await {
                                errs.push(format!("seed {seed}: {e}"));
                            }
                        }
                        (s.scenario.id.clone(), errs)
                    });
                    async move {
                        task.await
                            .unwrap_or_else(|e| (id, vec![format!("the check crashed: {e}")]))
                    }
                })
                .buffered(parallel)
                .collect(),
        );
        for (id, errs) in results {
            total += 1;
            if errs.is_empty() {
                println!("ok    {id}");
            } else {
                failed += 1;
                for e in errs {
                    println!("FAIL  {id} {e}");
                }
            }
        }
    }
    if failed == 0 {
        println!("{total} scenarios valid");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failed} of {total} scenarios failed");
        Ok(ExitCode::FAILURE)
    }
}
