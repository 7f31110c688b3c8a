//! A drill: one scenario instance on one cluster. Maps the pack's objects, setup and solution
//! steps onto `kubedrill-cluster` calls, runs the probes the grader plans, and grades — the
//! same sequence for the simulated cluster and a real one.

use kubedrill_apiserver::AuditEntry;
use kubedrill_cluster::{Backend, ClusterError, PatchKind, ProbePod};
use kubedrill_scenario::model::{ObjectRef, Step};
use kubedrill_scenario::probe::ProbeFrom;
use kubedrill_scenario::{
    Instance, Pack, ProbeOutcome, ProbeResults, Report, Snapshot, grade, plan_probes,
};
use serde_json::Value;
use std::path::Path;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

/// The pack compiled into the binary.
pub fn builtin_pack() -> Result<Pack, String> {
    kubedrill_scenario::load_pack_from_texts(
        Path::new("scenarios/core"),
        builtin::PACK_YAML,
        builtin::SCENARIOS,
    )
    .map_err(|errs| {
        let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
        format!("the built-in pack does not load:\n{}", lines.join("\n"))
    })
}

/// Why a drill operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error("{what}: {source}")]
    Cluster {
        what: String,
        #[source]
        source: ClusterError,
    },
    #[error("{0}")]
    Step(String),
}

fn at(what: impl Into<String>) -> impl FnOnce(ClusterError) -> DrillError {
    let what = what.into();
    move |source| DrillError::Cluster { what, source }
}

/// A seed that differs from run to run, small enough to type back in (`--seed N`), so
/// attempts differ unless one is asked for.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64 ^ u64::from(std::process::id())) % 100_000
}

/// Whether the in-process simulated cluster for `inst` needs ingress-nginx installed.
pub fn needs_ingress_controller(inst: &Instance) -> bool {
    inst.scenario
        .requires
        .iter()
        .any(|r| r == "ingress-controller")
}

/// Seed `inst`: its objects in order, then its setup steps, then let the cluster settle.
/// Returns every object as seeded (what invariant checks compare against). On a real
/// cluster the scenario's namespaces must not exist unless an earlier attempt made them
/// (those are deleted first), and everything created is labelled as kubedrill's.
pub async fn seed(backend: &Backend, inst: &Instance) -> Result<Vec<Value>, DrillError> {
    let docs = parse(&inst.scenario.objects)?;
    let namespaces: Vec<String> = docs
        .iter()
        .filter(|d| d["kind"] == "Namespace")
        .filter_map(|d| d["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    backend
        .prepare_namespaces(&namespaces)
        .await
        .map_err(at("preparing the scenario's namespaces"))?;
    apply_docs(backend, docs).await?;
    for step in &inst.scenario.setup {
        apply_step(backend, step).await?;
    }
    backend.settle();
    backend
        .objects()
        .await
        .map_err(at("reading the seeded cluster"))
}

fn parse(yaml: &str) -> Result<Vec<Value>, DrillError> {
    Ok(kubedrill_sim::yaml::parse_documents(yaml)
        .map_err(|e| DrillError::Step(format!("objects: {e}")))?
        .into_iter()
        .filter(|d| !d.is_null())
        .collect())
}

async fn apply_docs(backend: &Backend, docs: Vec<Value>) -> Result<(), DrillError> {
    for doc in docs {
        let what = format!(
            "apply {} {}",
            doc["kind"].as_str().unwrap_or("?"),
            doc["metadata"]["name"].as_str().unwrap_or("?")
        );
        backend.apply(&doc).await.map_err(at(what))?;
    }
    Ok(())
}

fn ns(r: &ObjectRef) -> Option<&str> {
    r.namespace.as_deref()
}

/// One setup or solution step.
pub async fn apply_step(backend: &Backend, step: &Step) -> Result<(), DrillError> {
    match step {
        Step::Apply(yaml) => apply_docs(backend, parse(yaml)?).await,
        Step::Patch(p) => {
            let kind = match p.patch_type.as_str() {
                "merge" => PatchKind::Merge,
                "strategic" => PatchKind::Strategic,
                "json" => PatchKind::Json,
                other => return Err(DrillError::Step(format!("unknown patch type {other}"))),
            };
            backend
                .patch(
                    &p.target.kind,
                    ns(&p.target),
                    &p.target.name,
                    kind,
                    &p.patch,
                )
                .await
                .map(drop)
                .map_err(at(format!("patch {}", p.target)))
        }
        Step::Delete(r) => backend
            .delete(&r.kind, ns(r), &r.name)
            .await
            .map_err(at(format!("delete {r}"))),
        Step::Scale(s) => backend
            .scale(&s.target.kind, ns(&s.target), &s.target.name, s.replicas)
            .await
            .map_err(at(format!("scale {}", s.target))),
    }
}

/// Apply the reference solution's machine steps, then let the cluster settle.
pub async fn solve(backend: &Backend, inst: &Instance) -> Result<(), DrillError> {
    for step in &inst.scenario.solution.steps {
        apply_step(backend, step).await?;
    }
    backend.settle();
    Ok(())
}

/// Grade the cluster as it is now: a snapshot, the probes the checks need, the verdicts.
pub async fn grade_now(
    backend: &Backend,
    inst: &Instance,
    seeded: &[Value],
) -> Result<Report, DrillError> {
    let snapshot = Snapshot {
        seeded: seeded.to_vec(),
        current: backend.objects().await.map_err(at("reading the cluster"))?,
    };
    let specs = plan_probes(inst, &snapshot);
    let pods: Vec<ProbePod> = specs
        .iter()
        .map(|s| match &s.from {
            ProbeFrom::Pod { namespace, labels } => ProbePod {
                namespace: namespace.clone(),
                labels: labels.clone(),
                node: None,
                image: s.image.clone(),
                argv: s.argv.clone(),
            },
            ProbeFrom::Node(node) => ProbePod {
                // A node probe is a hostNetwork pod: its namespace only holds the object.
                namespace: "default".to_string(),
                labels: Default::default(),
                node: Some(node.clone()),
                image: s.image.clone(),
                argv: s.argv.clone(),
            },
        })
        .collect();
    let runs = backend
        .run_probes(&pods)
        .await
        .map_err(at("running probes"))?;
    let mut results = ProbeResults::new();
    for (spec, run) in specs.iter().zip(runs) {
        // A container log interleaves stderr and stdout; the readers look for the status on
        // the last line and for messages anywhere, so both get the whole log.
        let text = run.log.strip_suffix('\n').unwrap_or(&run.log).to_string();
        results.insert(
            spec.id.clone(),
            ProbeOutcome {
                exit_code: run.exit_code,
                stdout: text.clone(),
                stderr: text,
                trace: run.trace,
            },
        );
    }
    Ok(grade(inst, &snapshot, &results))
}

/// Which of the scenario's diagnosis steps the learner's own requests have done (guided
/// mode). The drill backend's requests (seeding, probes, grading) do not count.
pub fn diagnosis_progress(inst: &Instance, audit: &[AuditEntry]) -> Vec<bool> {
    let observed: Vec<kubedrill_scenario::ObservedRequest<'_>> = audit
        .iter()
        .filter(|e| e.user_agent != kubedrill_cluster::USER_AGENT)
        .filter_map(|e| {
            Some(kubedrill_scenario::ObservedRequest {
                verb: &e.verb,
                resource: e.kind?.plural(),
                namespace: e.namespace.as_deref(),
                name: e.name.as_deref(),
                subresource: e.subresource.as_deref(),
            })
        })
        .collect();
    kubedrill_scenario::steps_done(&inst.scenario.diagnosis, &observed)
}
