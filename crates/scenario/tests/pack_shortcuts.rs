//! The built-in scenarios against the shortcuts the grader design principles list: each
//! shortcut makes the symptom go away and still fails a check, with an explanation; and the
//! equivalent fixes the principles ask to tolerate pass. State checks only (probes wait for
//! the network model).
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod pack_common;

use kubedrill_scenario::{CheckResult, ProbeResults, Report, grade};
use kubedrill_sim::{DeleteOptions, Kind, PatchType, Subresource};
use pack_common::{Drill, builtin, scenario, seed, settle};
use serde_json::{Value, json};

fn drill(id: &str, seed_no: u64) -> Drill {
    let pack = builtin();
    let inst = scenario(&pack, id).instantiate(seed_no).unwrap();
    seed(&inst).unwrap()
}

fn report(d: &Drill) -> Report {
    grade(&d.inst, &d.snapshot(), &ProbeResults::new())
}

fn check<'a>(r: &'a Report, id: &str) -> &'a CheckResult {
    r.checks.iter().find(|c| c.id == id).unwrap()
}

fn var(d: &Drill, name: &str) -> String {
    d.inst.vars[name].clone()
}

fn patch(d: &mut Drill, kind: Kind, ns: &str, name: &str, ty: PatchType, body: Value) {
    d.sim
        .patch(kind, ns, name, ty, &body, Subresource::Main)
        .unwrap();
    settle(&mut d.sim, &d.clock);
}

/// The task's fenced YAML block (the manifest the learner is told to apply).
fn task_manifest(d: &Drill) -> String {
    let task = &d.inst.scenario.task;
    let (_, rest) = task.split_once("```yaml\n").unwrap();
    rest.split_once("```").unwrap().0.to_string()
}

#[test]
fn np_out_of_range_manifest_is_refused_with_the_api_servers_message() {
    for seed_no in 0..3 {
        let mut d = drill("np-out-of-range", seed_no);
        let err = d
            .sim
            .apply_yaml(&task_manifest(&d))
            .unwrap_err()
            .to_string();
        let bad = var(&d, "bad");
        assert!(
            err.contains(&format!(
                "spec.ports[0].nodePort: Invalid value: {bad}: provided port is not in the valid range. The range of valid ports is 30000-32767"
            )),
            "{err}"
        );
    }
}

#[test]
fn principle5_deleting_the_readiness_probe_empties_no_endpoint_but_fails_the_probe_check() {
    for id in ["rdy-probe-wrong-path", "rdy-probe-wrong-port"] {
        let mut d = drill(id, 1);
        let (ns, app) = (var(&d, "ns"), var(&d, "app"));
        patch(
            &mut d,
            Kind::Deployment,
            &ns,
            &app,
            PatchType::Json,
            json!([{"op": "remove", "path": "/spec/template/spec/containers/0/readinessProbe"}]),
        );
        let r = report(&d);
        assert!(
            check(&r, "endpoints").passed,
            "{id}: the shortcut does bring the pods in"
        );
        let kept = check(&r, "probe-kept");
        assert!(!kept.passed, "{id}");
        assert!(
            kept.explanation
                .contains("readinessProbe is <unset>, expected set"),
            "{}",
            kept.explanation
        );
    }
}

#[test]
fn principle3_deleting_the_default_deny_policy_fails() {
    let mut d = drill("netpol-default-deny-no-allow", 0);
    let ns = var(&d, "ns");
    d.sim
        .delete(
            Kind::NetworkPolicy,
            &ns,
            "default-deny-ingress",
            &DeleteOptions::default(),
        )
        .unwrap();
    let r = report(&d);
    let kept = check(&r, "deny-kept");
    assert!(!kept.passed);
    assert!(
        kept.explanation.contains("was deleted"),
        "{}",
        kept.explanation
    );
}

#[test]
fn principle3_loosening_the_default_deny_policy_fails() {
    // `ingress: [{}]` allows everything while the policy still "exists".
    let mut d = drill("netpol-default-deny-no-allow", 2);
    let ns = var(&d, "ns");
    patch(
        &mut d,
        Kind::NetworkPolicy,
        &ns,
        "default-deny-ingress",
        PatchType::Merge,
        json!({"spec": {"ingress": [{}]}}),
    );
    let kept_check = report(&d);
    let kept = check(&kept_check, "deny-kept");
    assert!(!kept.passed);
    assert!(kept.explanation.contains("spec"), "{}", kept.explanation);
}

#[test]
fn principle2_a_selectorless_service_with_hand_written_endpoints_fails() {
    let mut d = drill("sel-deploy-label-refactor", 0);
    let (ns, svc, port) = (var(&d, "ns"), var(&d, "svc"), var(&d, "port"));
    patch(
        &mut d,
        Kind::Service,
        &ns,
        &svc,
        PatchType::Merge,
        json!({"spec": {"selector": null}}),
    );
    let ips: Vec<Value> = d
        .sim
        .store()
        .list(Kind::Pod, Some(&ns))
        .filter_map(|p| {
            p["status"]["podIP"]
                .as_str()
                .map(|ip| json!({"addresses": [ip]}))
        })
        .collect();
    assert!(!ips.is_empty());
    d.sim
        .create(json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": format!("{svc}-manual"), "namespace": ns,
                         "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4",
            "ports": [{"port": port.parse::<u16>().unwrap(), "protocol": "TCP"}],
            "endpoints": ips,
        }))
        .unwrap();
    let r = report(&d);
    let ep = check(&r, "endpoints");
    assert!(!ep.passed);
    assert!(
        ep.explanation.contains("is not a ready pod of Deployment/"),
        "{}",
        ep.explanation
    );
    assert!(
        ep.explanation.contains("the Service has no selector"),
        "{}",
        ep.explanation
    );
}

#[test]
fn principle4_changing_the_stable_deployment_instead_of_the_service_fails() {
    let mut d = drill("sel-label-only-on-canary", 0);
    let (ns, app, role) = (var(&d, "ns"), var(&d, "app"), var(&d, "role"));
    patch(
        &mut d,
        Kind::Deployment,
        &ns,
        &format!("{app}-stable"),
        PatchType::Merge,
        json!({"spec": {"template": {"metadata": {"labels": {"role": role}}}}}),
    );
    let r = report(&d);
    assert!(
        check(&r, "endpoints").passed,
        "the shortcut does fill the endpoints"
    );
    let inv = check(&r, "stable-unchanged");
    assert!(!inv.passed);
    assert!(
        inv.explanation.contains("spec.template.metadata.labels"),
        "{}",
        inv.explanation
    );
}

#[test]
fn principle4_recreating_the_service_changes_uid_and_cluster_ip() {
    for (id, check_id) in [
        ("np-clusterip-to-nodeport", "same-service"),
        ("port-multiport-unnamed", "not-recreated"),
    ] {
        let mut d = drill(id, 1);
        let ns = var(&d, "ns");
        let name = d
            .inst
            .vars
            .get("svc")
            .cloned()
            .unwrap_or_else(|| var(&d, "app"));
        let mut svc = (*d.sim.get(Kind::Service, &ns, &name).unwrap()).clone();
        d.sim
            .delete(Kind::Service, &ns, &name, &DeleteOptions::default())
            .unwrap();
        for f in ["uid", "resourceVersion", "creationTimestamp"] {
            svc["metadata"].as_object_mut().unwrap().remove(f);
        }
        for f in ["clusterIP", "clusterIPs"] {
            svc["spec"].as_object_mut().unwrap().remove(f);
        }
        d.sim.create(svc).unwrap();
        let r = report(&d);
        let inv = check(&r, check_id);
        assert!(!inv.passed, "{id}");
        assert!(
            inv.explanation.contains("metadata.uid"),
            "{}",
            inv.explanation
        );
    }
}

#[test]
fn principle5_restoring_fewer_replicas_than_documented_fails() {
    let mut d = drill("rdy-scaled-to-zero", 0);
    let (ns, app) = (var(&d, "ns"), var(&d, "app"));
    patch(
        &mut d,
        Kind::Deployment,
        &ns,
        &app,
        PatchType::Merge,
        json!({"spec": {"replicas": 1}}),
    );
    let r = report(&d);
    assert!(!check(&r, "replicas").passed);
    let ep = check(&r, "endpoints");
    assert!(!ep.passed);
    assert!(
        ep.explanation.contains("1 ready endpoints, expected"),
        "{}",
        ep.explanation
    );
}

#[test]
fn workaround_services_are_caught() {
    // An alias Service with the wrong name, instead of fixing the Ingress or the client.
    let mut d = drill("ing-wrong-backend-service-name", 0);
    let (ns, wrong) = (var(&d, "ns"), var(&d, "wrong"));
    d.sim
        .create(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": wrong, "namespace": ns},
            "spec": {"selector": {"app": "webapp-video"}, "ports": [{"port": 8080}]}}))
        .unwrap();
    assert!(!check(&report(&d), "no-alias-service").passed);

    let mut d = drill("dns-cross-namespace-short-name", 0);
    let (client_ns, api, api_ns) = (var(&d, "client_ns"), var(&d, "api"), var(&d, "api_ns"));
    d.sim
        .create(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": api, "namespace": client_ns},
            "spec": {"type": "ExternalName", "externalName": format!("{api}.{api_ns}.svc.cluster.local")}}))
        .unwrap();
    assert!(!check(&report(&d), "no-local-alias").passed);
}

#[test]
fn principle7_equivalent_fixes_pass() {
    // targetPort by number instead of the container port's name.
    let mut d = drill("port-named-targetport-missing", 0);
    let (ns, app, port) = (var(&d, "ns"), var(&d, "app"), var(&d, "port"));
    let port: u16 = port.parse().unwrap();
    patch(
        &mut d,
        Kind::Service,
        &ns,
        &app,
        PatchType::Json,
        json!([{"op": "replace", "path": "/spec/ports/0/targetPort", "value": port}]),
    );
    let r = report(&d);
    for id in ["endpoints", "target-port", "deployment-unchanged"] {
        assert!(check(&r, id).passed, "{id}: {}", check(&r, id).explanation);
    }

    // Keep type LoadBalancer and only set the nodePort.
    let mut d = drill("np-loadbalancer-pending", 0);
    let (ns, svc, np) = (var(&d, "ns"), var(&d, "svc"), var(&d, "node_port"));
    patch(
        &mut d,
        Kind::Service,
        &ns,
        &svc,
        PatchType::Json,
        json!([{"op": "replace", "path": "/spec/ports/0/nodePort", "value": np.parse::<u16>().unwrap()}]),
    );
    let r = report(&d);
    for id in ["node-port", "type", "endpoints"] {
        assert!(check(&r, id).passed, "{id}: {}", check(&r, id).explanation);
    }

    // `<service>.<namespace>` instead of the full name in the ConfigMap.
    let mut d = drill("dns-cross-namespace-short-name", 1);
    let (client_ns, api, api_ns, port) = (
        var(&d, "client_ns"),
        var(&d, "api"),
        var(&d, "api_ns"),
        var(&d, "port"),
    );
    patch(
        &mut d,
        Kind::ConfigMap,
        &client_ns,
        "web-config",
        PatchType::Merge,
        json!({"data": {"API_URL": format!("http://{api}.{api_ns}:{port}")}}),
    );
    assert!(check(&report(&d), "config").passed);
}

/// What one repeated probe prints when request `i` is answered by `answer(i)`.
fn repeated_200(n: usize, answer: impl Fn(usize) -> String) -> kubedrill_scenario::ProbeOutcome {
    let mark = kubedrill_scenario::probe::REPEAT_MARK;
    let log: String = (0..n)
        .map(|i| format!("{}\n200\n{mark}0\n", answer(i)))
        .collect();
    kubedrill_scenario::ProbeOutcome {
        exit_code: 0,
        stdout: log.clone(),
        stderr: log,
        trace: None,
    }
}

#[test]
fn principle5_stickiness_is_proven_by_one_backend_answering_every_request() {
    let mut d = drill("aff-sticky-required", 0);
    d.solve().unwrap();
    let snap = d.snapshot();
    let plan = kubedrill_scenario::plan_probes(&d.inst, &snap);
    let sticky: Vec<_> = plan
        .iter()
        .filter(|p| p.id.starts_with("sticky/"))
        .collect();
    // repeat: 10 is one client pod sending ten requests (ClientIP affinity keys on it).
    assert_eq!(sticky.len(), 1);
    assert!(sticky[0].argv[2].starts_with("for i in 1 2 3 4 5 6 7 8 9 10; do curl"));
    let app = var(&d, "app");
    let pods: Vec<String> = (0..3).map(|i| format!("{app}-7d9c5b-{i}")).collect();

    // Round robin over three pods: every answer is a 200 from the right workload, and still
    // not sticky.
    let spread: ProbeResults = [(
        sticky[0].id.clone(),
        repeated_200(10, |i| pods[i % 3].clone()),
    )]
    .into();
    let r = grade(&d.inst, &snap, &spread);
    let c = check(&r, "sticky");
    assert!(!c.passed);
    assert!(
        c.explanation.contains("3 different backends"),
        "{}",
        c.explanation
    );

    let pinned: ProbeResults =
        [(sticky[0].id.clone(), repeated_200(10, |_| pods[1].clone()))].into();
    let r = grade(&d.inst, &snap, &pinned);
    assert!(
        check(&r, "sticky").passed,
        "{}",
        check(&r, "sticky").explanation
    );
}
