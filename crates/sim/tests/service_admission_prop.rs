//! Property test of Service admission: random create/update/patch/delete sequences (random
//! types, ports, protocols, names, nodePorts, clusterIPs, and garbage JSON in fields) never
//! panic, accepted Services hold in-range and distinct allocations, and refused writes leak
//! nothing — on a cluster with tiny pools, so exhaustion is exercised too.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

use kubedrill_sim::{
    ClusterConfig, DeleteOptions, Kind, ListOptions, ManualClock, PatchType, Sim, Subresource,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

const NAMES: [&str; 3] = ["a", "b", "c"];

fn tiny_sim(seed: u64) -> Sim {
    let cfg = ClusterConfig {
        seed,
        service_cidr: (Ipv4Addr::new(10, 96, 0, 0), 28),
        node_port_range: (30000, 30009),
        ..ClusterConfig::default()
    };
    Sim::new(cfg, Arc::new(ManualClock::at_epoch())).expect("bootstrap")
}

/// Absent, a plausible value, or (rarely) garbage of the wrong shape or type.
fn field(valid: Vec<Value>, garbage: Vec<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        20 => Just(None),
        75 => select(valid).prop_map(Some),
        3 => select(garbage).prop_map(Some),
    ]
    .boxed()
}

fn port() -> impl Strategy<Value = Map<String, Value>> {
    (
        field(vec![json!(80), json!(443), json!(53), json!(8080)], vec![json!(0), json!(70000), json!("abc"), json!(1.5)]),
        field(vec![json!("TCP"), json!("UDP")], vec![json!("tcp"), json!(6)]),
        prop_oneof![
            6 => Just(None),
            3 => select(vec![json!(30000), json!(30005), json!(30009)]).prop_map(Some),
            1 => select(vec![json!(30010), json!(80), json!(5_000_000_000_i64), json!(true)]).prop_map(Some),
        ],
        field(vec![json!(8080), json!("http")], vec![json!("8080"), json!({})]),
    )
        .prop_map(|(p, proto, np, tp)| {
            let mut m = Map::new();
            for (k, v) in [("port", p), ("protocol", proto), ("nodePort", np), ("targetPort", tp)] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            m
        })
}

/// One field set to something a user might write, right or wrong, or plain garbage.
fn mutation() -> impl Strategy<Value = (&'static str, Value)> {
    select(vec![
        ("clusterIP", json!("None")),
        ("clusterIP", json!("10.96.0.5")),
        ("clusterIP", json!("10.96.0.10")),
        ("clusterIP", json!("10.96.0.15")),
        ("clusterIP", json!("1.1.1.1")),
        ("clusterIP", json!("garbage")),
        ("clusterIP", json!(7)),
        ("clusterIPs", json!(["None", "10.96.0.6"])),
        ("clusterIPs", json!("x")),
        ("externalName", json!("Bad_Name")),
        ("externalName", json!(null)),
        ("selector", json!({"app": "a b"})),
        ("selector", json!([])),
        ("sessionAffinity", json!("ClientIP")),
        ("sessionAffinity", json!("Sticky")),
        ("externalTrafficPolicy", json!("Local")),
        ("externalTrafficPolicy", json!("local")),
        ("allocateLoadBalancerNodePorts", json!(false)),
        ("allocateLoadBalancerNodePorts", json!("yes")),
        ("healthCheckNodePort", json!(30007)),
        ("healthCheckNodePort", json!(-3)),
        ("internalTrafficPolicy", json!("Local")),
        ("ports", json!({})),
        ("ports", json!("80")),
        ("ports", json!(null)),
        ("type", json!("Nodeport")),
        ("type", json!(3)),
    ])
}

fn spec() -> impl Strategy<Value = Value> {
    (
        select(vec![
            "ClusterIP",
            "NodePort",
            "LoadBalancer",
            "ExternalName",
        ]),
        proptest::collection::vec(port(), 0..4),
        proptest::collection::vec(mutation(), 0..3),
    )
        .prop_map(|(t, ports, muts)| {
            let mut m = Map::new();
            m.insert("type".into(), json!(t));
            m.insert("selector".into(), json!({"app": "web"}));
            if t == "ExternalName" {
                m.insert("externalName".into(), json!("db.example.com"));
            }
            let ports: Vec<Value> = ports
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| {
                    p.insert("name".into(), json!(format!("p{i}")));
                    Value::Object(p)
                })
                .collect();
            m.insert("ports".into(), Value::from(ports));
            for (k, v) in muts {
                m.insert(k.into(), v);
            }
            Value::Object(m)
        })
}

#[derive(Debug, Clone)]
enum Op {
    Create(&'static str, Value),
    Update(&'static str, Value),
    Patch(&'static str, Value),
    Delete(&'static str),
}

fn op() -> impl Strategy<Value = Op> {
    let name = select(NAMES.to_vec());
    prop_oneof![
        5 => (name.clone(), spec()).prop_map(|(n, s)| Op::Create(n, s)),
        2 => (name.clone(), spec()).prop_map(|(n, s)| Op::Update(n, s)),
        3 => (name.clone(), spec()).prop_map(|(n, s)| Op::Patch(n, s)),
        1 => name.prop_map(Op::Delete),
    ]
}

fn object(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

fn run(sim: &mut Sim, op: &Op) {
    // Errors are fine; panics and broken invariants are not.
    let _ = match op {
        Op::Create(n, s) => sim.create(object(n, s.clone())).map(|_| ()),
        Op::Update(n, s) => sim.update(object(n, s.clone())).map(|_| ()),
        Op::Patch(n, s) => sim
            .patch(
                Kind::Service,
                "default",
                n,
                PatchType::Merge,
                &json!({"spec": s}),
                Subresource::Main,
            )
            .map(|_| ()),
        Op::Delete(n) => sim
            .delete(Kind::Service, "default", n, &DeleteOptions::default())
            .map(|_| ()),
    };
}

fn check_invariants(sim: &Sim) {
    let all = sim
        .list(Kind::Service, None, &ListOptions::default())
        .expect("list")
        .items;
    let mut ips = BTreeSet::new();
    let mut ports = BTreeSet::new();
    for s in &all {
        let spec = &s["spec"];
        let ip = spec.get("clusterIP").and_then(Value::as_str);
        if spec["type"] == "ExternalName" {
            // No allocation (the leak check proves it) and no clusterIPs. A bare `clusterIP`
            // can survive an update to ExternalName when the user changed it: validation only
            // looks at `clusterIPs` for this type (validation.go), so the server keeps it too.
            assert!(
                spec.get("clusterIPs").is_none(),
                "ExternalName with clusterIPs: {s}"
            );
        } else {
            let ip = ip.unwrap_or_else(|| panic!("no clusterIP: {s}"));
            if ip != "None" {
                let n = u32::from(ip.parse::<Ipv4Addr>().expect("ipv4"));
                let (lo, hi) = (
                    u32::from(Ipv4Addr::new(10, 96, 0, 1)),
                    u32::from(Ipv4Addr::new(10, 96, 0, 14)),
                );
                assert!((lo..=hi).contains(&n), "clusterIP out of range: {s}");
                assert!(ips.insert(ip.to_string()), "clusterIP {ip} held twice");
            }
        }
        let mut mine = BTreeSet::new();
        // ExternalName may carry nodePorts the server never checks nor allocates.
        let allocates = spec["type"] == "NodePort" || spec["type"] == "LoadBalancer";
        for p in spec["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|_| allocates)
        {
            if let Some(np) = p.get("nodePort").and_then(Value::as_i64) {
                assert!((30000..=30009).contains(&np), "nodePort out of range: {s}");
                mine.insert(np);
            }
        }
        if let Some(hc) = spec.get("healthCheckNodePort").and_then(Value::as_i64) {
            assert!(
                (30000..=30009).contains(&hc),
                "healthCheckNodePort out of range: {s}"
            );
            assert!(
                mine.insert(hc),
                "healthCheckNodePort shared with a port: {s}"
            );
        }
        for np in mine {
            assert!(ports.insert(np), "nodePort {np} held by two services");
        }
    }
}

/// After deleting every Service the test made, both pools are whole again.
fn check_no_leaks(sim: &mut Sim) {
    for n in NAMES {
        let _ = sim.delete(Kind::Service, "default", n, &DeleteOptions::default());
    }
    let ports: Vec<Value> = (1..=10)
        .map(|i| json!({"name": format!("p{i}"), "port": i}))
        .collect();
    let np = sim
        .create(object("np", json!({"type": "NodePort", "ports": ports})))
        .expect("all ten node ports are free again");
    let got: BTreeSet<i64> = np["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["nodePort"].as_i64())
        .collect();
    assert_eq!(got.len(), 10);
    // 14 usable addresses: kubernetes, kube-dns and `np` hold 3.
    for i in 0..11 {
        sim.create(object(&format!("s{i}"), json!({"ports": [{"port": 80}]})))
            .unwrap_or_else(|e| panic!("IP {i} of 11 should be free: {e}"));
    }
    let full = sim
        .create(object("s11", json!({"ports": [{"port": 80}]})))
        .expect_err("the pool is full");
    assert_eq!(
        full.to_string(),
        "Internal error occurred: failed to allocate a serviceIP: range is full"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_services_never_panic_and_keep_allocations_in_range_and_distinct(
        seed in 0u64..1_000_000,
        ops in proptest::collection::vec(op(), 1..16)
    ) {
        let mut sim = tiny_sim(seed);
        for op in &ops {
            run(&mut sim, op);
            check_invariants(&sim);
        }
        check_no_leaks(&mut sim);
    }
}
