//! The format features the built-in pack added: field checks with `one_of` / `present` /
//! `equals: null`, escaped dots in paths, `setup` steps, the cluster facts `node_name` and
//! `node_ip`, nodeport checks on an allocated port — each loads, and each mistake in them is a
//! located error.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod pack_common;

use kubedrill_scenario::check::CheckKind;
use kubedrill_scenario::load::{LoadError, read_scenario};
use kubedrill_scenario::model::Step;
use kubedrill_scenario::probe::node_port_of;
use kubedrill_scenario::snapshot::at_path;
use kubedrill_scenario::{ClusterFacts, Snapshot};
use serde_json::json;
use std::path::Path;

/// The model scenario with its last check replaced by `check` (YAML, two-space indented list
/// item) and `extra` top-level keys appended.
fn with(check: &str, extra: &str) -> String {
    let text =
        std::fs::read_to_string(pack_common::builtin_dir().join("sel-service-selector-typo.yaml"))
            .unwrap();
    let start = text.find("  - id: service-kept").unwrap();
    let end = text.find("solution:").unwrap();
    format!("{}{check}\n{}{extra}", &text[..start], &text[end..])
}

fn load(text: String) -> Result<kubedrill_scenario::load::ScenarioSource, LoadError> {
    read_scenario(Path::new("s.yaml"), text)
}

#[test]
fn field_checks_take_exactly_one_of_equals_one_of_present() {
    let ok = load(with(
        "  - id: f\n    title: t\n    field: {object: {kind: Service, name: x}, path: spec.selector.version, equals: null}",
        "",
    ))
    .unwrap();
    let CheckKind::Field(f) = ok.scenario.checks.last().unwrap().kind().unwrap() else {
        panic!("a field check")
    };
    assert_eq!(
        f.equals,
        Some(serde_json::Value::Null),
        "`equals: null` is a value"
    );

    let both = load(with(
        "  - id: f\n    title: t\n    field: {object: {kind: Service, name: x}, path: spec.type, equals: NodePort, present: true}",
        "",
    ))
    .unwrap_err();
    assert!(
        both.message
            .contains("set exactly one of equals, one_of, present"),
        "{both}"
    );

    let none = load(with(
        "  - id: f\n    title: t\n    field: {object: {kind: Service, name: x}, path: spec.type}",
        "",
    ))
    .unwrap_err();
    assert!(none.message.contains("set exactly one of"), "{none}");

    let empty = load(with(
        "  - id: f\n    title: t\n    field: {object: {kind: Service, name: x}, path: spec.type, one_of: []}",
        "",
    ))
    .unwrap_err();
    assert!(empty.message.contains("one_of is empty"), "{empty}");
}

#[test]
fn escaped_dots_address_keys_with_dots() {
    let obj = json!({"metadata": {"labels": {"kubernetes.io/service-name": "web", "a": {"b": 1}}}});
    assert_eq!(
        at_path(&obj, r"metadata.labels.kubernetes\.io/service-name"),
        Some(&json!("web"))
    );
    assert_eq!(at_path(&obj, "metadata.labels.a.b"), Some(&json!(1)));
    assert_eq!(
        at_path(&obj, "metadata.labels.kubernetes.io/service-name"),
        None
    );
}

#[test]
fn pick_values_are_not_templates() {
    let text = with("", "").replacen(
        "  port: {int: [8080, 8089]}",
        "  port: {int: [8080, 8089]}\n  other: {pick: [\"{{svc}}-x\"]}",
        1,
    );
    let e = load(text).unwrap_err();
    assert!(e.message.contains("variable \"other\""), "{e}");
    assert!(e.message.contains("template:"), "{e}");
}

#[test]
fn cluster_facts_are_built_ins_that_cannot_be_shadowed() {
    let text = with("", "").replacen(
        "  port: {int: [8080, 8089]}",
        "  port: {int: [8080, 8089]}\n  node_ip: {value: 10.0.0.1}",
        1,
    );
    let e = load(text).unwrap_err();
    assert!(e.message.contains("shadows a built-in"), "{e}");
}

#[test]
fn cluster_facts_render_from_the_cluster_the_drill_runs_on() {
    let pack = pack_common::builtin();
    let s = pack_common::scenario(&pack, "ep-selectorless-wrong-port");
    let sim_default = s.instantiate(0).unwrap();
    assert!(sim_default.scenario.objects.contains("ip: 172.30.1.3"));
    assert!(sim_default.scenario.objects.contains("nodeName: node01"));
    let real = s
        .instantiate_on(
            0,
            &ClusterFacts {
                node_name: "worker-a".into(),
                node_ip: "192.168.10.12".into(),
            },
        )
        .unwrap();
    assert!(real.scenario.objects.contains("ip: 192.168.10.12"));
    assert!(real.scenario.objects.contains("nodeName: worker-a"));
    assert!(real.scenario.task.contains("192.168.10.12"));
}

#[test]
fn default_cluster_facts_are_the_simulated_clusters_first_worker() {
    let config = kubedrill_sim::ClusterConfig::default();
    let worker = config.nodes.iter().find(|n| !n.control_plane).unwrap();
    let facts = ClusterFacts::default();
    assert_eq!(facts.node_name, worker.name);
    assert_eq!(facts.node_ip, worker.internal_ip.to_string());
}

#[test]
fn setup_steps_load_and_run_after_the_objects() {
    let pack = pack_common::builtin();
    let s = pack_common::scenario(&pack, "dns-coredns-scaled-zero");
    assert!(matches!(s.scenario.setup.as_slice(), [Step::Scale(sc)] if sc.replicas == 0));
    let drill = pack_common::seed(&s.instantiate(0).unwrap()).unwrap();
    let coredns = drill
        .sim
        .get(kubedrill_sim::Kind::Deployment, "kube-system", "coredns")
        .unwrap();
    assert_eq!(coredns["spec"]["replicas"], 0);
    // The seeded snapshot (what invariants compare with) is taken after the setup.
    let seeded = Snapshot {
        seeded: drill.seeded.clone(),
        current: vec![],
    };
    let at_seed = seeded
        .seeded("Deployment", Some("kube-system"), "coredns")
        .unwrap();
    assert_eq!(at_seed["spec"]["replicas"], 0);
}

#[test]
fn nodeport_checks_read_the_allocated_port_or_say_why_there_is_none() {
    let pack = pack_common::builtin();
    let s = pack_common::scenario(&pack, "np-front-end-named-port");
    let inst = s.instantiate(0).unwrap();
    let CheckKind::NodePort(np) = inst
        .scenario
        .checks
        .iter()
        .find(|c| c.id == "nodeport")
        .unwrap()
        .kind()
        .unwrap()
    else {
        panic!("a nodeport check")
    };
    assert_eq!(np.node_port, None);
    let mut drill = pack_common::seed(&inst).unwrap();
    let missing = node_port_of(np, &drill.snapshot()).unwrap_err();
    assert!(
        missing.contains("front-end-svc does not exist"),
        "{missing}"
    );
    drill.solve().unwrap();
    let snap = drill.snapshot();
    let allocated = node_port_of(np, &snap).unwrap();
    let svc = snap
        .get("Service", Some(&inst.vars["ns"]), "front-end-svc")
        .unwrap();
    assert_eq!(json!(allocated), svc["spec"]["ports"][0]["nodePort"]);
    assert!((30000..=32767).contains(&allocated));
    // One probe per node, on the allocated port.
    let probes = kubedrill_scenario::plan_probes(&inst, &snap);
    let np_probes: Vec<_> = probes
        .iter()
        .filter(|p| p.id.starts_with("nodeport/"))
        .collect();
    assert_eq!(np_probes.len(), 3, "one per node");
    assert!(
        np_probes[0]
            .argv
            .last()
            .unwrap()
            .contains(&format!(":{allocated}/"))
    );
}
