//! `kubedrill grade`, `solve`, `start` and `clean` against a running cluster: by default the
//! one `kubedrill serve --scenario` started (its kubeconfig and drill file), or any kubeconfig
//! context — a real cluster, with kubedrill's safety rules.

use kubedrill::catalog::Catalog;
use kubedrill::drill;
use kubedrill::state::{self, DrillState, STATE_VERSION};
use kubedrill_cluster::safety::is_local_context;
use kubedrill_cluster::{Backend, capabilities};
use kubedrill_scenario::{ClusterFacts, Report};
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
    pub i_own_this_cluster: bool,
}

impl Target {
    /// The kubeconfig: as given; with only `--context`, the user's own (`$KUBECONFIG` or
    /// `~/.kube/config`, `None` here); else the one `kubedrill serve` writes.
    fn kubeconfig(&self) -> Result<Option<PathBuf>, String> {
        match (&self.kubeconfig, &self.context) {
            (Some(p), _) => Ok(Some(p.clone())),
            (None, Some(_)) => Ok(None),
            (None, None) => kubedrill_apiserver::kubeconfig::default_path()
                .map(Some)
                .ok_or_else(|| {
                    "no $XDG_DATA_HOME or $HOME for the kubeconfig; pass --kubeconfig".into()
                }),
        }
    }

    /// The drill recorded for this cluster, if any: beside kubedrill's own kubeconfig, or under
    /// the data directory by context.
    fn saved(&self, kubeconfig: Option<&PathBuf>) -> Result<Option<DrillState>, String> {
        if let Some(kc) = kubeconfig
            && let Some(st) = DrillState::load(&state::path_for(kc))?
        {
            return Ok(Some(st));
        }
        match self.context.as_deref().and_then(state::path_for_context) {
            Some(p) => DrillState::load(&p),
            None => Ok(None),
        }
    }
}

/// Connect, refusing a context that does not look like the learner's own cluster unless they
/// said it is theirs.
async fn connect(
    t: &Target,
    kubeconfig: Option<&PathBuf>,
    context: Option<&str>,
) -> Result<Backend, String> {
    let backend = Backend::from_kubeconfig(kubeconfig.map(PathBuf::as_path), context)
        .await
        .map_err(|e| e.to_string())?;
    let ctx = backend.context().unwrap_or_default().to_string();
    if !is_local_context(&ctx) && !t.i_own_this_cluster {
        return Err(format!(
            "context {ctx:?} does not look like a cluster on this machine (kind, minikube, k3d, Docker or Rancher Desktop, OrbStack); kubedrill creates and deletes objects in it — pass --i-own-this-cluster if it is yours to practise on"
        ));
    }
    Ok(backend)
}

struct Resolved {
    scenario: String,
    seed: u64,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    seeded: Vec<serde_json::Value>,
    /// The drill was seeded by `kubedrill serve`: its whole cluster is kubedrill's.
    whole_cluster: bool,
}

fn resolve(t: &Target) -> Result<Resolved, String> {
    let kubeconfig = t.kubeconfig()?;
    let saved = t.saved(kubeconfig.as_ref())?;
    let scenario = match (&t.scenario, &saved) {
        (Some(s), _) => s.clone(),
        (None, Some(st)) => st.scenario.clone(),
        (None, None) => {
            let on = kubeconfig
                .as_ref()
                .map(|k| k.display().to_string())
                .or_else(|| t.context.clone())
                .unwrap_or_default();
            return Err(format!(
                "no drill is running for {on} (start one with `kubedrill serve --scenario ID`, or `kubedrill start --scenario ID --context C` on your own cluster), or name it with --scenario"
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
    // Invariant checks compare with the objects as seeded: known only for the drill that was
    // recorded.
    let seeded = same
        .filter(|st| st.seed == seed)
        .map(|st| st.seeded.clone())
        .unwrap_or_default();
    let context = t
        .context
        .clone()
        .or_else(|| same.map(|st| st.context.clone()));
    let whole_cluster = same.is_some_and(|st| st.whole_cluster);
    Ok(Resolved {
        scenario,
        seed,
        kubeconfig,
        context,
        seeded,
        whole_cluster,
    })
}

/// The first worker node's name and InternalIP: what scenarios that pin a server to a node
/// render with.
async fn facts(backend: &Backend) -> Result<ClusterFacts, String> {
    let nodes = backend
        .objects_of("Node")
        .await
        .map_err(|e| e.to_string())?;
    let worker = nodes
        .iter()
        .find(|n| {
            n["metadata"]["labels"]
                .get("node-role.kubernetes.io/control-plane")
                .is_none()
        })
        .or_else(|| nodes.first())
        .ok_or("the cluster has no nodes")?;
    let ip = worker["status"]["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["type"] == "InternalIP")
        .and_then(|a| a["address"].as_str())
        .unwrap_or_default();
    Ok(ClusterFacts {
        node_name: worker["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        node_ip: ip.to_string(),
    })
}

/// The recorded drill's cluster and instance: connected (a `serve` drill owns its whole
/// cluster), rendered with the cluster's own node facts.
async fn open(
    t: &Target,
    r: &Resolved,
    src: &kubedrill_scenario::load::ScenarioSource,
) -> Result<(Backend, kubedrill_scenario::Instance), String> {
    let backend = connect(t, r.kubeconfig.as_ref(), r.context.as_deref()).await?;
    let backend = if r.whole_cluster {
        backend.whole_cluster()
    } else {
        backend
    };
    let inst = src
        .instantiate_on(r.seed, &facts(&backend).await?)
        .map_err(|e| e.to_string())?;
    Ok((backend, inst))
}

pub fn grade(catalog: &Catalog, t: &Target, json: bool) -> Outcome {
    let r = resolve(t)?;
    let (_, src) = catalog.find(&r.scenario)?;
    let report = super::runtime()?.block_on(async {
        let (backend, inst) = open(t, &r, src).await?;
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
    let inst = super::runtime()?.block_on(async {
        let (backend, inst) = open(t, &r, src).await?;
        drill::solve(&backend, &inst)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(inst)
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

/// `kubedrill start`: seed a drill on a kubeconfig cluster (a real one, or `serve`'s).
pub fn start(catalog: &Catalog, t: &Target) -> Outcome {
    let id = t
        .scenario
        .clone()
        .ok_or("which scenario? pass --scenario ID (`kubedrill list` shows them)")?;
    let (pack, src) = catalog.find(&id)?;
    let seed = t.seed.unwrap_or_else(drill::fresh_seed);
    let kubeconfig = t.kubeconfig.clone();
    let (inst, context, seeded) = super::runtime()?.block_on(async {
        let backend = connect(t, kubeconfig.as_ref(), t.context.as_deref()).await?;
        let context = backend.context().unwrap_or_default().to_string();
        let mut have = capabilities::detect(&backend)
            .await
            .map_err(|e| e.to_string())?;
        if t.i_own_this_cluster {
            have.insert("cluster-admin".into());
        }
        let lacking = capabilities::missing(&src.scenario.requires, &have);
        if !lacking.is_empty() {
            return Err(format!(
                "{id} cannot run on context {context}: it needs {}",
                lacking.join("; ")
            ));
        }
        let inst = src
            .instantiate_on(seed, &facts(&backend).await?)
            .map_err(|e| e.to_string())?;
        let backend = backend.with_attempt(format!("{id}-{seed}"));
        let seeded = drill::seed(&backend, &inst)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((inst, context, seeded))
    })?;
    let path = state::path_for_context(&context)
        .ok_or("no $XDG_DATA_HOME or $HOME to record the drill in")?;
    DrillState {
        version: STATE_VERSION,
        scenario: id.clone(),
        pack: pack.meta.id.clone(),
        seed,
        context: context.clone(),
        seeded,
        whole_cluster: false,
    }
    .save(&path)?;
    println!(
        "# {id} (seed {seed}) on context {context}: {}",
        inst.scenario.title
    );
    println!();
    println!("{}", inst.scenario.task.trim_end());
    println!();
    println!("Check your fix with: kubedrill grade --context {context}");
    Ok(ExitCode::SUCCESS)
}

/// `kubedrill clean`: delete everything kubedrill created on a cluster.
pub fn clean(t: &Target) -> Outcome {
    let kubeconfig = t.kubeconfig.clone();
    let (context, gone) = super::runtime()?.block_on(async {
        let backend = connect(t, kubeconfig.as_ref(), t.context.as_deref()).await?;
        let gone = backend.clean().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((backend.context().unwrap_or_default().to_string(), gone))
    })?;
    for g in &gone {
        println!("deleted {g}");
    }
    if let Some(p) = state::path_for_context(&context) {
        let _ = std::fs::remove_file(p);
    }
    println!(
        "{} object(s) kubedrill created removed from context {context}",
        gone.len()
    );
    Ok(ExitCode::SUCCESS)
}
