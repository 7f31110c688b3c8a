//! A fresh simulated cluster looks like kubeadm left it.

use kubedrill_sim::{Kind, ListOptions, Sim, meta};

#[test]
fn a_new_cluster_has_system_namespaces_three_nodes_and_the_kubernetes_service() {
    let (sim, _clock) = Sim::default_with_clock().expect("bootstrap");
    let ns: Vec<String> = sim
        .list(Kind::Namespace, None, &ListOptions::default())
        .expect("list")
        .items
        .iter()
        .map(|n| meta::name(n).to_string())
        .collect();
    assert_eq!(
        ns,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(
        sim.list(Kind::Node, None, &ListOptions::default())
            .expect("list")
            .items
            .len(),
        3
    );
    let svc = sim
        .get(Kind::Service, "default", "kubernetes")
        .expect("kubernetes svc");
    assert_eq!(svc["spec"]["clusterIP"], "10.96.0.1");
    let dns = sim
        .get(Kind::Service, "kube-system", "kube-dns")
        .expect("kube-dns");
    assert_eq!(dns["spec"]["clusterIP"], "10.96.0.10");
}

#[test]
fn the_same_seed_gives_a_byte_identical_cluster() {
    let (a, _) = Sim::default_with_clock().expect("a");
    let (b, _) = Sim::default_with_clock().expect("b");
    assert_eq!(a.dump(), b.dump());
}

#[test]
fn node_conditions_carry_the_kubelets_heartbeat_and_transition_times() {
    let (sim, _clock) = Sim::default_with_clock().expect("bootstrap");
    let node = sim.get(Kind::Node, "", "node01").expect("node01");
    let conds = node["status"]["conditions"].as_array().expect("conditions");
    assert_eq!(conds.len(), 4);
    for c in conds {
        assert_eq!(c["lastHeartbeatTime"], "2026-01-01T00:00:00Z", "{c}");
        assert_eq!(c["lastTransitionTime"], "2026-01-01T00:00:00Z", "{c}");
    }
}
