//! The grader on real cluster states: the built-in selector-typo scenario seeded into the
//! simulated cluster fails, its reference solution passes, and the shortcuts the grader design
//! principles list (relabelling a random pod, changing the Deployment) fail with an explanation.
//! Probe outcomes are written as the real tools print them.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

use kubedrill_scenario::model::Step;
use kubedrill_scenario::probe::{CURL_IMAGE, ProbeFrom};
use kubedrill_scenario::{
    Instance, ProbeOutcome, ProbeResults, Snapshot, grade, load_pack, plan_probes,
};
use kubedrill_sim::{Kind, PatchType, Sim, Subresource};
use std::path::Path;

fn instance(seed: u64) -> Instance {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/core");
    let pack = load_pack(&dir).unwrap_or_else(|e| panic!("{e:?}"));
    pack.scenario("sel-service-selector-typo")
        .unwrap()
        .instantiate(seed)
        .unwrap()
}

fn objects(sim: &Sim) -> Vec<serde_json::Value> {
    sim.store().all().map(|(_, o)| (**o).clone()).collect()
}

fn seeded(seed: u64) -> (Instance, Sim, Vec<serde_json::Value>) {
    let inst = instance(seed);
    let (mut sim, _clock) = Sim::default_with_clock().unwrap();
    sim.apply_yaml(&inst.scenario.objects).unwrap();
    let before = objects(&sim);
    (inst, sim, before)
}

fn snapshot(sim: &Sim, seeded: &[serde_json::Value]) -> Snapshot {
    Snapshot {
        seeded: seeded.to_vec(),
        current: objects(sim),
    }
}

fn solve(inst: &Instance, sim: &mut Sim) {
    for step in &inst.scenario.solution.steps {
        let Step::Patch(p) = step else {
            panic!("this scenario's solution is a patch")
        };
        let kind = Kind::ALL
            .into_iter()
            .find(|k| k.name() == p.target.kind)
            .unwrap();
        sim.patch(
            kind,
            p.target.namespace.as_deref().unwrap_or_default(),
            &p.target.name,
            PatchType::Merge,
            &p.patch,
            Subresource::Main,
        )
        .unwrap();
    }
}

/// What curl prints for a 200 from the scenario's backend.
fn curl_ok(body: &str) -> ProbeOutcome {
    ProbeOutcome {
        exit_code: 0,
        stdout: format!("{body}\n\n200"),
        ..Default::default()
    }
}

fn probes_all(inst: &Instance, snap: &Snapshot, outcome: ProbeOutcome) -> ProbeResults {
    plan_probes(inst, snap)
        .into_iter()
        .map(|p| (p.id, outcome.clone()))
        .collect()
}

fn result<'a>(r: &'a kubedrill_scenario::Report, id: &str) -> &'a kubedrill_scenario::CheckResult {
    r.checks.iter().find(|c| c.id == id).unwrap()
}

#[test]
fn seeded_state_fails_endpoints_and_explains_the_selector() {
    let (inst, sim, before) = seeded(1);
    let snap = snapshot(&sim, &before);
    let refused = ProbeOutcome {
        exit_code: 7,
        stderr: "curl: (7) Failed to connect to web-svc.shop.svc.cluster.local port 80 after 0 ms: Couldn't connect to server".into(),
        ..Default::default()
    };
    let report = grade(&inst, &snap, &probes_all(&inst, &snap, refused));
    assert!(!report.passed());
    let ep = result(&report, "endpoints");
    assert!(!ep.passed);
    let label = &inst.vars["label"];
    let typo = &inst.vars["typo"];
    assert!(
        ep.explanation
            .contains(&format!("selector app={typo} matches no pod")),
        "{}",
        ep.explanation
    );
    assert!(
        ep.explanation.contains(&format!("carry app={label}")),
        "{}",
        ep.explanation
    );
    let http = result(&report, "http");
    assert!(
        http.explanation.contains("connection refused"),
        "{}",
        http.explanation
    );
    assert!(result(&report, "deployment-unchanged").passed);
}

#[test]
fn reference_solution_passes_every_check() {
    let (inst, mut sim, before) = seeded(2);
    solve(&inst, &mut sim);
    let snap = snapshot(&sim, &before);
    let body = format!("{}:{}", inst.scenario.id, inst.nonce());
    let report = grade(&inst, &snap, &probes_all(&inst, &snap, curl_ok(&body)));
    for c in &report.checks {
        assert!(c.passed, "{}: {}", c.id, c.explanation);
    }
    assert_eq!(report.score(), 100);
}

#[test]
fn principle2_labelling_a_random_pod_does_not_pass_endpoints() {
    let (inst, mut sim, before) = seeded(3);
    let ns = &inst.vars["ns"];
    let typo = &inst.vars["typo"];
    let port = &inst.vars["port"];
    sim.apply_yaml(&format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: stray, namespace: {ns}, labels: {{app: {typo}}}}}\nspec:\n  containers: [{{name: c, image: hashicorp/http-echo:1.0, args: [\"-listen=:{port}\"]}}]\n"
    ))
    .unwrap();
    let snap = snapshot(&sim, &before);
    let report = grade(&inst, &snap, &ProbeResults::new());
    let ep = result(&report, "endpoints");
    assert!(!ep.passed);
    assert!(
        ep.explanation
            .contains("endpoint stray is not a ready pod of Deployment/"),
        "{}",
        ep.explanation
    );
}

#[test]
fn principle4_recreating_the_deployment_with_the_typo_breaks_the_invariant() {
    let (inst, mut sim, before) = seeded(4);
    let ns = &inst.vars["ns"];
    let app = &inst.vars["app"];
    let label = &inst.vars["label"];
    let typo = &inst.vars["typo"];
    sim.delete(Kind::Deployment, ns, app, &Default::default())
        .unwrap();
    let deployment = inst
        .scenario
        .objects
        .split("---")
        .find(|d| d.contains("kind: Deployment"))
        .unwrap()
        .replace(&format!("app: {label}"), &format!("app: {typo}"));
    sim.apply_yaml(&deployment).unwrap();
    let snap = snapshot(&sim, &before);
    let report = grade(&inst, &snap, &ProbeResults::new());
    let inv = result(&report, "deployment-unchanged");
    assert!(!inv.passed);
    assert!(
        inv.explanation.contains("metadata.uid"),
        "{}",
        inv.explanation
    );
    assert!(
        inv.explanation.contains("spec.template.metadata.labels"),
        "{}",
        inv.explanation
    );
}

#[test]
fn principle2_an_answer_without_the_nonce_is_another_workload() {
    let (inst, mut sim, before) = seeded(5);
    solve(&inst, &mut sim);
    let snap = snapshot(&sim, &before);
    let report = grade(
        &inst,
        &snap,
        &probes_all(&inst, &snap, curl_ok("<h1>Welcome to nginx!</h1>")),
    );
    let http = result(&report, "http");
    assert!(!http.passed);
    assert!(
        http.explanation.contains("nonce is missing"),
        "{}",
        http.explanation
    );
}

#[test]
fn http_probes_run_curl_from_the_task_vantage_point() {
    let (inst, sim, before) = seeded(6);
    let snap = snapshot(&sim, &before);
    let plan = plan_probes(&inst, &snap);
    // repeat: 3 is one pod running curl three times: one client address for all requests.
    assert_eq!(plan.len(), 1);
    let p = &plan[0];
    assert_eq!(p.image, CURL_IMAGE);
    assert_eq!(p.argv[..2], ["sh".to_string(), "-c".to_string()]);
    assert!(
        p.argv[2].starts_with("for i in 1 2 3; do curl "),
        "{}",
        p.argv[2]
    );
    assert_eq!(
        p.from,
        ProbeFrom::Pod {
            namespace: "client".into(),
            labels: [("run".to_string(), "probe".to_string())].into()
        }
    );
}
