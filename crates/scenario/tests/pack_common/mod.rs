//! Shared by the pack tests: the built-in pack, a simulated cluster seeded with one instance
//! (objects, then setup steps, then time for probes and graceful deletions), an applier for
//! solution steps, and snapshots for the grader.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used, dead_code)]

use kubedrill_scenario::load::ScenarioSource;
use kubedrill_scenario::model::{ObjectRef, Step};
use kubedrill_scenario::{Instance, Pack, Snapshot, load_pack};
use kubedrill_sim::{ApiError, DeleteOptions, Kind, ManualClock, PatchType, Sim, Subresource};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub fn builtin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/core")
}

pub fn builtin() -> Pack {
    load_pack(&builtin_dir()).unwrap_or_else(|errs| {
        let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
        panic!("the built-in pack must load:\n{}", lines.join("\n"))
    })
}

pub fn scenario<'a>(pack: &'a Pack, id: &str) -> &'a ScenarioSource {
    pack.scenario(id)
        .unwrap_or_else(|| panic!("no scenario {id} in the built-in pack"))
}

fn kind(name: &str) -> Result<Kind, String> {
    Kind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(|| format!("the simulator has no kind {name}"))
}

/// A seeded drill: the cluster, its clock and the objects as seeded (for invariants).
pub struct Drill {
    pub inst: Instance,
    pub sim: Sim,
    pub clock: ManualClock,
    pub seeded: Vec<Value>,
}

impl Drill {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            seeded: self.seeded.clone(),
            current: objects(&self.sim),
        }
    }

    /// Apply the reference solution's machine steps, then let time pass.
    pub fn solve(&mut self) -> Result<(), String> {
        for step in &self.inst.scenario.solution.steps.clone() {
            apply_step(&mut self.sim, step)?;
        }
        settle(&mut self.sim, &self.clock);
        Ok(())
    }
}

pub fn objects(sim: &Sim) -> Vec<Value> {
    sim.store().all().map(|(_, o)| (**o).clone()).collect()
}

/// What a scenario's `requires` promises the cluster already has, where the seed depends on it.
/// `ingress-controller`: ingress-nginx's IngressClass `nginx` (SCENARIOS.md "requires").
fn fixtures(sim: &mut Sim, requires: &[String]) -> Result<(), ApiError> {
    if requires.iter().any(|r| r == "ingress-controller") {
        sim.create(json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": "nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}},
            "spec": {"controller": "k8s.io/ingress-nginx"}
        }))?;
    }
    Ok(())
}

/// Seed `inst` into a fresh simulated cluster; `Err` carries the refusal.
pub fn seed(inst: &Instance) -> Result<Drill, String> {
    let (mut sim, clock) = Sim::default_with_clock().map_err(|e| e.to_string())?;
    fixtures(&mut sim, &inst.scenario.requires).map_err(|e| format!("fixture: {e}"))?;
    sim.apply_yaml(&inst.scenario.objects)
        .map_err(|e| format!("seeding objects: {e}"))?;
    for step in &inst.scenario.setup {
        apply_step(&mut sim, step).map_err(|e| format!("setup: {e}"))?;
    }
    settle(&mut sim, &clock);
    let seeded = objects(&sim);
    Ok(Drill {
        inst: inst.clone(),
        sim,
        clock,
        seeded,
    })
}

/// Let the clock reach every pending wakeup (probe delays, graceful deletions), a bounded
/// number of times so a periodic wakeup cannot loop forever.
pub fn settle(sim: &mut Sim, clock: &ManualClock) {
    for _ in 0..40 {
        let Some(at) = sim.next_wakeup() else { break };
        if at > sim.now() {
            clock.set(at);
        }
        sim.tick().unwrap();
    }
}

fn target(r: &ObjectRef) -> Result<(Kind, String), String> {
    Ok((kind(&r.kind)?, r.namespace.clone().unwrap_or_default()))
}

/// One solution or setup step, as `kubedrill solve` applies it.
pub fn apply_step(sim: &mut Sim, step: &Step) -> Result<(), String> {
    match step {
        Step::Apply(yaml) => {
            let docs = kubedrill_sim::yaml::parse_documents(yaml).map_err(|e| e.to_string())?;
            for doc in docs {
                let k = kind(doc["kind"].as_str().unwrap_or_default())?;
                let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
                let ns = if k.namespaced() { ns } else { "" };
                let name = doc["metadata"]["name"].as_str().unwrap_or_default();
                let done = if sim.get(k, ns, name).is_ok() {
                    // What `kubectl apply` sends for an object that exists.
                    sim.patch(k, ns, name, PatchType::Strategic, &doc, Subresource::Main)
                } else {
                    sim.create(doc.clone())
                };
                done.map_err(|e| format!("apply {} {ns}/{name}: {e}", k.name()))?;
            }
            Ok(())
        }
        Step::Patch(p) => {
            let (k, ns) = target(&p.target)?;
            let ty = match p.patch_type.as_str() {
                "merge" => PatchType::Merge,
                "strategic" => PatchType::Strategic,
                "json" => PatchType::Json,
                other => return Err(format!("unknown patch type {other}")),
            };
            sim.patch(k, &ns, &p.target.name, ty, &p.patch, Subresource::Main)
                .map(drop)
                .map_err(|e| format!("patch {}: {e}", p.target))
        }
        Step::Delete(r) => {
            let (k, ns) = target(r)?;
            sim.delete(k, &ns, &r.name, &DeleteOptions::default())
                .map(drop)
                .map_err(|e| format!("delete {r}: {e}"))
        }
        Step::Scale(s) => {
            let (k, ns) = target(&s.target)?;
            sim.patch(
                k,
                &ns,
                &s.target.name,
                PatchType::Merge,
                &json!({"spec": {"replicas": s.replicas}}),
                Subresource::Main,
            )
            .map(drop)
            .map_err(|e| format!("scale {}: {e}", s.target))
        }
    }
}
