//! `kubedrill grade` and `kubedrill solve` against a running cluster: by default the one
//! `kubedrill serve --scenario` started (its kubeconfig and drill file), or any kubeconfig
//! context.

use kubedrill::catalog::Catalog;
use kubedrill::drill;
use kubedrill::state::{self, DrillState};
use kubedrill_cluster::Backend;
use kubedrill_scenario::Report;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Outcome;

/// Which drill on which cluster.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

struct Resolved {
    scenario: String,
    seed: u64,
    kubeconfig: PathBuf,
    context: Option<String>,
    seeded: Vec<serde_json::Value>,
}

fn resolve(t: &Target) -> Result<Resolved, String> {
    let kubeconfig = t
        .kubeconfig
        .clone()
        .or_else(kubedrill_apiserver::kubeconfig::default_path)
        .ok_or("no $XDG_DATA_HOME or $HOME for the kubeconfig; pass --kubeconfig")?;
    let saved = DrillState::load(&state::path_for(&kubeconfig))?;
    let scenario = match (&t.scenario, &saved) {
        (Some(s), _) => s.clone(),
        (None, Some(st)) => st.scenario.clone(),
        (None, None) => {
            return Err(format!(
                "no drill is running for {} (start one with `kubedrill serve --scenario ID`), or name it with --scenario",
                kubeconfig.display()
            ));
        }
    };
    let same = saved.as_ref().filter(|st| st.scenario == scenario);
    let seed = match (t.seed, same) {
        (Some(s), _) => s,
        (None, Some(st)) => st.seed,
        (None, None) => {
            return Err(format!(
                "which attempt of {scenario}? pass --seed N (the seed `serve` printed)"
            ));
        }
    };
    // Invariant checks compare with the objects as seeded: known only for the drill `serve`
    // recorded.
    let seeded = same
        .filter(|st| st.seed == seed)
        .map(|st| st.seeded.clone())
        .unwrap_or_default();
    let context = t
        .context
        .clone()
        .or_else(|| same.map(|st| st.context.clone()));
    Ok(Resolved {
        scenario,
        seed,
        kubeconfig,
        context,
        seeded,
    })
}

pub fn grade(catalog: &Catalog, t: &Target, json: bool) -> Outcome {
    let r = resolve(t)?;
    let (_, src) = catalog.find(&r.scenario)?;
    let inst = src.instantiate(r.seed).map_err(|e| e.to_string())?;
    let report = super::runtime()?.block_on(async {
        let backend = Backend::from_kubeconfig(Some(&r.kubeconfig), r.context.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        if r.seeded.is_empty() {
            eprintln!(
                "warning: no record of how {} seed {} was seeded here; checks that compare with the seeded objects will fail",
                r.scenario, r.seed
            );
        }
        drill::grade_now(&backend, &inst, &r.seeded)
            .await
            .map_err(|e| e.to_string())
    })?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render(&report));
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The report as a learner reads it.
pub fn render(report: &Report) -> String {
    let passed = report.checks.iter().filter(|c| c.passed).count();
    let mut s = format!(
        "{} (seed {}): {passed} of {} checks passed, score {}%\n",
        report.scenario,
        report.seed,
        report.checks.len(),
        report.score()
    );
    for c in &report.checks {
        let mark = if c.passed { "PASS" } else { "FAIL" };
        s.push_str(&format!("  {mark}  {}: {}\n", c.id, c.title));
        if !c.passed {
            for line in c.explanation.lines() {
                s.push_str(&format!("        {line}\n"));
            }
        }
    }
    s
}

pub fn solve(catalog: &Catalog, t: &Target) -> Outcome {
    let r = resolve(t)?;
    let (_, src) = catalog.find(&r.scenario)?;
    let inst = src.instantiate(r.seed).map_err(|e| e.to_string())?;
    super::runtime()?.block_on(async {
        let backend = Backend::from_kubeconfig(Some(&r.kubeconfig), r.context.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        drill::solve(&backend, &inst)
            .await
            .map_err(|e| e.to_string())
    })?;
    println!(
        "applied the reference solution of {} ({} step(s)):",
        r.scenario,
        inst.scenario.solution.steps.len()
    );
    for c in &inst.scenario.solution.commands {
        println!("  {c}");
    }
    Ok(ExitCode::SUCCESS)
}
