//! The built-in pack on the simulated cluster: every scenario loads, instantiates for several
//! seeds, seeds without an admission error, is broken when seeded and fixed by its reference
//! solution.
//!
//! Only the checks that read cluster state are graded here (endpoints, field, invariant,
//! exists, absent). Connectivity checks (http, tcp, udp, dns, nodeport) need the network
//! model's probes; they are left out on purpose rather than faked, and get wired in once the
//! network model lands.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod pack_common;

use kubedrill_scenario::{CheckKind, Instance, ProbeResults, Report, grade};
use pack_common::{builtin, seed};

const SEEDS: std::ops::Range<u64> = 0..3;

/// Scenarios whose fault only shows in traffic: a NetworkPolicy that selects the wrong peers is
/// as valid an object as the right one, and any of several policies fixes it (principle 3), so
/// no state check can fail before the fix without rejecting an equivalent fix.
const FAULT_ONLY_IN_TRAFFIC: &[&str] = &[
    "netpol-default-deny-no-allow",
    "netpol-wrong-podselector",
    "netpol-namespace-label-missing",
    "netpol-service-port-vs-pod-port",
    "netpol-egress-dns-missing",
    "netpol-blocks-ingress-controller",
];

/// Backends that cannot answer with a chosen text: agnhost answers with its hostname (the
/// checks match the owner's pod-name prefix instead), and a construction task's backend is
/// the stock image the learner starts.
const NO_NONCE: &[&str] = &[
    "port-protocol-udp",
    "aff-sticky-required",
    "con-expose-pod-port-redirect",
];

fn needs_probe(kind: CheckKind<'_>) -> bool {
    matches!(
        kind,
        CheckKind::Http(_)
            | CheckKind::Tcp(_)
            | CheckKind::Udp(_)
            | CheckKind::Dns(_)
            | CheckKind::NodePort(_)
    )
}

/// The verdicts of the checks that need no probe.
fn state_checks(inst: &Instance, report: &Report) -> Vec<(String, bool, String)> {
    inst.scenario
        .checks
        .iter()
        .zip(&report.checks)
        .filter(|(c, _)| !needs_probe(c.kind().unwrap()))
        .map(|(_, r)| (r.id.clone(), r.passed, r.explanation.clone()))
        .collect()
}

#[test]
fn builtin_pack_has_the_catalogue_scenarios() {
    let pack = builtin();
    assert!(
        pack.scenarios.len() >= 30,
        "{} scenarios",
        pack.scenarios.len()
    );
    for s in &pack.scenarios {
        let file = s.path.file_stem().unwrap().to_string_lossy();
        assert_eq!(file, s.scenario.id, "file name is the scenario id");
    }
}

#[test]
fn every_scenario_instantiates_for_several_seeds() {
    let pack = builtin();
    for s in &pack.scenarios {
        for seed in SEEDS {
            let inst = s
                .instantiate(seed)
                .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", s.scenario.id));
            let text = format!("{:?}", inst.scenario);
            assert!(
                !text.contains("{{"),
                "{}: a template was not rendered",
                s.scenario.id
            );
            assert!(
                inst.scenario.objects.contains(inst.nonce())
                    || NO_NONCE.contains(&inst.scenario.id.as_str()),
                "{}: backends answer with the nonce",
                s.scenario.id
            );
        }
    }
}

#[test]
fn seeds_vary_every_scenario() {
    let pack = builtin();
    for s in &pack.scenarios {
        let first = s.instantiate(0).unwrap();
        let differs = (1..10).any(|seed| {
            let other = s.instantiate(seed).unwrap();
            other.scenario.objects != first.scenario.objects
        });
        assert!(differs, "{}: seeds must vary the attempt", s.scenario.id);
    }
}

#[test]
fn every_scenario_is_broken_when_seeded_and_fixed_by_its_solution() {
    let pack = builtin();
    let mut failures = Vec::new();
    for s in &pack.scenarios {
        let id = s.scenario.id.as_str();
        for seed in SEEDS {
            let inst = s.instantiate(seed).unwrap();
            let mut drill = match pack_common::seed(&inst) {
                Ok(d) => d,
                Err(e) => {
                    failures.push(format!("{id} seed {seed}: {e}"));
                    continue;
                }
            };
            let before = grade(&inst, &drill.snapshot(), &ProbeResults::new());
            let before = state_checks(&inst, &before);
            if !FAULT_ONLY_IN_TRAFFIC.contains(&id) && before.iter().all(|(_, ok, _)| *ok) {
                failures.push(format!(
                    "{id} seed {seed}: every state check passes on the seeded (broken) cluster"
                ));
            }
            if let Err(e) = drill.solve() {
                failures.push(format!("{id} seed {seed}: solution: {e}"));
                continue;
            }
            let after = grade(&inst, &drill.snapshot(), &ProbeResults::new());
            for (check, ok, why) in state_checks(&inst, &after) {
                if !ok {
                    failures.push(format!(
                        "{id} seed {seed}: check {check} fails after the solution: {why}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn traffic_only_scenarios_have_a_negative_check() {
    // Principle 3: a NetworkPolicy fix is proven by what still fails.
    let pack = builtin();
    for id in FAULT_ONLY_IN_TRAFFIC {
        let s = pack_common::scenario(&pack, id);
        let denied = s.scenario.checks.iter().any(|c| match c.kind().unwrap() {
            CheckKind::Http(h) => h.expect.denied,
            CheckKind::Tcp(t) | CheckKind::Udp(t) => t.expect.denied,
            _ => false,
        });
        assert!(denied, "{id} has no check that must stay denied");
    }
}

#[test]
fn seed_is_deterministic() {
    let pack = builtin();
    let s = pack_common::scenario(&pack, "sel-service-selector-typo");
    let a = seed(&s.instantiate(1).unwrap()).unwrap();
    let b = seed(&s.instantiate(1).unwrap()).unwrap();
    assert_eq!(a.sim.dump(), b.sim.dump());
}

#[test]
fn every_probe_runs_from_a_namespace_the_seed_creates() {
    // A probe pod in a namespace that does not exist is refused: the check could never pass.
    let pack = builtin();
    for s in &pack.scenarios {
        let inst = s.instantiate(0).unwrap();
        let drill = seed(&inst).unwrap();
        let snap = drill.snapshot();
        for probe in kubedrill_scenario::plan_probes(&inst, &snap) {
            if let kubedrill_scenario::probe::ProbeFrom::Pod { namespace, .. } = &probe.from {
                assert!(
                    snap.get("Namespace", None, namespace).is_some(),
                    "{}: probe {} runs in namespace {namespace}, which the seed does not create",
                    s.scenario.id,
                    probe.id
                );
            }
        }
    }
}

#[test]
fn every_scenario_teaches_and_tests_behaviour() {
    let pack = builtin();
    for s in &pack.scenarios {
        let sc = &s.scenario;
        let id = sc.id.as_str();
        assert!(
            sc.explanation
                .docs
                .starts_with("https://kubernetes.io/docs/"),
            "{id}: docs link {}",
            sc.explanation.docs
        );
        assert!(sc.hints.len() >= 2, "{id}: progressive hints");
        assert!(!sc.diagnosis.is_empty(), "{id}: a diagnosis path");
        assert!(
            !sc.solution.commands.is_empty(),
            "{id}: commands for the learner"
        );
        assert!(!sc.solution.steps.is_empty(), "{id}: machine steps");
        // Principle 1: behaviour as well as spec.
        assert!(
            sc.checks.iter().any(|c| needs_probe(c.kind().unwrap())),
            "{id}: no connectivity check"
        );
        let domain_ok = ["Troubleshooting", "Services & Networking"].contains(&sc.domain.as_str());
        assert!(domain_ok, "{id}: domain {}", sc.domain);
    }
}
