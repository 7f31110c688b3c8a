//! Properties of NetworkPolicy evaluation (rule 69): once pods are isolated, adding any policy
//! never turns an allowed connection into a denied one; evaluation is deterministic and the
//! cached evaluation agrees with the uncached one.

mod common;

use kubedrill_sim::net::policy::{PolicyCache, evaluate, evaluate_cached};
use kubedrill_sim::net::{Peer, Protocol};
use kubedrill_sim::{Kind, ObjKey, Sim};
use proptest::prelude::*;
use serde_json::{Value, json};

const PODS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: test}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: prod, labels: {app: a}}
spec: {nodeName: node01, containers: [{name: c, image: nginx, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: prod, labels: {app: b}}
spec: {nodeName: node02, containers: [{name: c, image: nginx, ports: [{name: pg, containerPort: 5435, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: test, labels: {app: a}}
spec: {nodeName: node01, containers: [{name: c, image: nginx}]}
"#;

fn selector() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        Just(json!({"matchLabels": {"app": "a"}})),
        Just(json!({"matchLabels": {"app": "b"}})),
        Just(json!({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]})),
    ]
}

fn peer() -> impl Strategy<Value = Value> {
    prop_oneof![
        selector().prop_map(|s| json!({"podSelector": s})),
        prop_oneof![Just(json!({})), Just(json!({"matchLabels": {"team": "a"}}))]
            .prop_map(|s| json!({"namespaceSelector": s})),
        (
            selector(),
            Just(json!({"matchLabels": {"kubernetes.io/metadata.name": "test"}}))
        )
            .prop_map(|(p, n)| json!({"podSelector": p, "namespaceSelector": n})),
        Just(json!({"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.1.0/24"]}})),
        Just(json!({"ipBlock": {"cidr": "0.0.0.0/0"}})),
    ]
}

fn port() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"port": 80})),
        Just(json!({"port": 5432, "endPort": 5440})),
        Just(json!({"port": "pg"})),
        Just(json!({"port": "pg", "protocol": "UDP"})),
        Just(json!({"protocol": "UDP"})),
    ]
}

fn rule() -> impl Strategy<Value = (Vec<Value>, Vec<Value>)> {
    (
        prop::collection::vec(peer(), 0..3),
        prop::collection::vec(port(), 0..3),
    )
}

fn policy() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("prod"), Just("test")],
        selector(),
        prop_oneof![
            Just(vec!["Ingress"]),
            Just(vec!["Egress"]),
            Just(vec!["Ingress", "Egress"])
        ],
        prop::collection::vec(rule(), 0..3),
        prop::collection::vec(rule(), 0..3),
    )
        .prop_map(|(ns, sel, types, ing, eg)| {
            let rules = |rs: Vec<(Vec<Value>, Vec<Value>)>, key: &str| -> Vec<Value> {
                rs.into_iter()
                    .map(|(peers, ports)| json!({key: peers, "ports": ports}))
                    .collect()
            };
            json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"namespace": ns},
                "spec": {
                    "podSelector": sel,
                    "policyTypes": types,
                    "ingress": rules(ing, "from"),
                    "egress": rules(eg, "to"),
                },
            })
        })
}

fn peers(sim: &Sim) -> Vec<Peer> {
    let mut out: Vec<Peer> = [("prod", "a"), ("prod", "b"), ("test", "c")]
        .iter()
        .map(|(ns, name)| {
            let p = sim.get(Kind::Pod, ns, name).expect("test fixture");
            Peer {
                ip: p["status"]["podIP"]
                    .as_str()
                    .expect("test fixture")
                    .parse()
                    .expect("test fixture"),
                pod: Some(ObjKey::new(Kind::Pod, ns, name)),
                node: p["spec"]["nodeName"].as_str().map(str::to_string),
            }
        })
        .collect();
    out.push(Peer {
        ip: sim
            .config()
            .node("node01")
            .expect("test fixture")
            .internal_ip,
        pod: None,
        node: Some("node01".into()),
    });
    out.push(Peer {
        ip: "203.0.113.7".parse().expect("test fixture"),
        pod: None,
        node: None,
    });
    out
}

/// Every (src, dst, port, protocol) and whether it is allowed.
fn verdicts(sim: &Sim) -> Vec<bool> {
    let ps = peers(sim);
    let mut cache = PolicyCache::new();
    let mut out = Vec::new();
    for s in &ps {
        for d in &ps {
            for port in [80, 5432, 5435] {
                for proto in [Protocol::Tcp, Protocol::Udp] {
                    let ds = evaluate(sim.store(), s, d, port, proto);
                    assert_eq!(ds, evaluate(sim.store(), s, d, port, proto));
                    // The cache parses every policy; evaluate only the selecting ones.
                    assert_eq!(
                        ds,
                        evaluate_cached(&mut cache, sim.store(), s, d, port, proto)
                    );
                    out.push(ds.iter().all(|d| d.allowed));
                }
            }
        }
    }
    out
}

fn create(sim: &mut Sim, mut p: Value, name: &str) {
    p["metadata"]["name"] = json!(name);
    sim.create(p).expect("test fixture");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn rule69_adding_a_policy_never_denies_what_was_allowed(
        base in prop::collection::vec(policy(), 0..4),
        extra in policy(),
    ) {
        let (mut sim, _) = common::sim_with(&[PODS]);
        // Isolate everything in both directions first, so the extra policy cannot be the one
        // that newly isolates a pod (which may rightly deny).
        for ns in ["prod", "test"] {
            create(&mut sim, json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"namespace": ns},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            }), "isolate");
        }
        for (i, p) in base.into_iter().enumerate() {
            create(&mut sim, p, &format!("base-{i}"));
        }
        let before = verdicts(&sim);
        create(&mut sim, extra, "extra");
        let after = verdicts(&sim);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(!b || *a, "connection #{i} was allowed and is now denied");
        }
    }
}
