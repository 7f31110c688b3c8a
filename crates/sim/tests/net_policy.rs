//! NetworkPolicy evaluation (SERVICES-SPEC rules 66–76, validation rule 75 excepted: it is
//! tested with admission).

mod common;

use kubedrill_sim::net::policy::{PolicyCache, evaluate, evaluate_cached};
use kubedrill_sim::net::{Direction, Peer, PolicyDecision, Protocol};
use kubedrill_sim::{Kind, ObjKey, Sim};

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
metadata: {name: db, namespace: prod, labels: {app: db}}
spec:
  nodeName: node01
  containers:
  - name: pg
    image: nginx
    ports: [{name: pg, containerPort: 5432}, {name: metrics, containerPort: 9187, protocol: UDP}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec: {nodeName: node02, containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: test, labels: {app: web}}
spec: {nodeName: node02, containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: test, labels: {app: tool}}
spec: {nodeName: node01, containers: [{name: web, image: nginx}]}
"#;

fn cluster(policies: &str) -> Sim {
    let (mut sim, _) = common::sim_with(&[PODS]);
    if !policies.trim().is_empty() {
        sim.apply_yaml(policies).expect("test fixture");
    }
    sim
}

fn pod(sim: &Sim, ns: &str, name: &str) -> Peer {
    let p = sim.get(Kind::Pod, ns, name).expect("test fixture");
    let ip = p["status"]["podIP"].as_str().expect("pod has an IP");
    Peer {
        ip: ip.parse().expect("test fixture"),
        pod: Some(ObjKey::new(Kind::Pod, ns, name)),
        node: p["spec"]["nodeName"].as_str().map(str::to_string),
    }
}

fn external(ip: &str) -> Peer {
    Peer {
        ip: ip.parse().expect("test fixture"),
        pod: None,
        node: None,
    }
}

fn node(sim: &Sim, name: &str) -> Peer {
    let ip = sim.config().node(name).expect("test fixture").internal_ip;
    Peer {
        ip,
        pod: None,
        node: Some(name.to_string()),
    }
}

fn allowed(d: &[PolicyDecision]) -> bool {
    d.iter().all(|d| d.allowed)
}

fn tcp(sim: &Sim, src: &Peer, dst: &Peer, port: u16) -> Vec<PolicyDecision> {
    evaluate(sim.store(), src, dst, port, Protocol::Tcp)
}

const DENY_DB: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
"#;

#[test]
fn rule66_no_policy_means_everything_is_allowed_and_a_policy_is_enforced() {
    let sim = cluster("");
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    let d = tcp(&sim, &web, &db, 5432);
    assert_eq!(
        d.len(),
        2,
        "egress of the source, ingress of the destination"
    );
    assert!(allowed(&d));
    assert_eq!(d[0].direction, Direction::Egress);
    assert_eq!(d[1].direction, Direction::Ingress);
    assert!(
        d[1].reason
            .contains("ingress to prod/db is allowed: no NetworkPolicy selects it for Ingress"),
        "{}",
        d[1].reason
    );
    let sim = cluster(DENY_DB);
    assert!(
        !allowed(&tcp(&sim, &web, &db, 5432)),
        "the CNI enforces policies"
    );
}

#[test]
fn rule67_egress_only_policy_without_policy_types_also_isolates_ingress() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    let d = tcp(&sim, &web, &db, 5432);
    assert!(
        !d[1].allowed,
        "ingress became isolated by the defaulted policyTypes"
    );
    assert_eq!(d[1].selecting, vec!["egress-only".to_string()]);
    assert_eq!(
        d[1].reason,
        format!(
            "ingress to prod/db is denied: it is selected by NetworkPolicy \"egress-only\" (policyTypes Ingress, Egress) and no rule of \"egress-only\" allows {} (pod prod/web) on TCP/5432",
            web.ip
        )
    );
    // The egress rule still lets db out.
    assert!(tcp(&sim, &db, &web, 80)[0].allowed);
}

#[test]
fn rule67_port_protocol_defaults_to_tcp() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{port: 5432}]}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    assert!(allowed(&tcp(&sim, &web, &db, 5432)));
    assert!(!allowed(&evaluate(
        sim.store(),
        &web,
        &db,
        5432,
        Protocol::Udp
    )));
}

#[test]
fn rule68_isolation_is_per_pod_and_per_direction() {
    let sim = cluster(DENY_DB);
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    // db is ingress-isolated; web is not selected at all.
    assert!(!tcp(&sim, &web, &db, 5432)[1].allowed);
    let back = tcp(&sim, &db, &web, 80);
    assert!(
        allowed(&back),
        "db's egress and web's ingress are not isolated"
    );
    assert!(back.iter().all(|d| d.selecting.is_empty()));
}

#[test]
fn rule68_empty_pod_selector_selects_every_pod_of_the_namespace_only() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: prod}
spec: {podSelector: {}}
"#,
    );
    let tool = pod(&sim, "test", "tool");
    assert!(!allowed(&tcp(&sim, &tool, &pod(&sim, "prod", "web"), 80)));
    assert!(!allowed(&tcp(&sim, &tool, &pod(&sim, "prod", "db"), 80)));
    assert!(allowed(&tcp(&sim, &tool, &pod(&sim, "test", "web"), 80)));
}

#[test]
fn rule69_policies_are_additive_and_need_both_ends() {
    let allow_web = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
"#;
    let sim = cluster(&format!("{DENY_DB}{allow_web}"));
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    let d = tcp(&sim, &web, &db, 5432);
    assert!(allowed(&d), "allow-web adds to default-deny");
    assert_eq!(d[1].allowed_by, Some(("allow-web".to_string(), 0)));
    assert_eq!(d[1].selecting, vec!["allow-web", "default-deny"]);
    assert!(
        d[1].reason
            .contains("rule ingress[0] of NetworkPolicy \"allow-web\" allows")
    );

    // Egress isolation of the source denies it even though the destination allows it.
    let deny_egress = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
"#;
    let sim = cluster(&format!("{DENY_DB}{allow_web}{deny_egress}"));
    let d = tcp(&sim, &web, &db, 5432);
    assert!(!d[0].allowed && d[1].allowed);
    assert!(d[0].reason.starts_with("egress from prod/web is denied:"));
}

#[test]
fn rule70_empty_ingress_rule_allows_all_and_no_rule_denies_all() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{}]
"#,
    );
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &db, 1)));
    assert!(allowed(&tcp(&sim, &external("8.8.8.8"), &db, 65535)));
    let sim = cluster(DENY_DB);
    assert!(!allowed(&tcp(&sim, &external("8.8.8.8"), &db, 5432)));
}

#[test]
fn rule70_peers_and_ports_must_both_match() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}, {podSelector: {matchLabels: {app: other}}}]
    ports: [{port: 5432}, {port: 6432}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    assert!(allowed(&tcp(&sim, &web, &db, 5432)));
    assert!(allowed(&tcp(&sim, &web, &db, 6432)));
    assert!(
        !allowed(&tcp(&sim, &web, &db, 80)),
        "right peer, wrong port"
    );
    assert!(
        !allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &db, 5432)),
        "right port, wrong peer"
    );
}

#[test]
fn rule71_pod_selector_alone_means_the_policys_namespace() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
"#,
    );
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &pod(&sim, "prod", "web"), &db, 5432)));
    assert!(
        !allowed(&tcp(&sim, &pod(&sim, "test", "web"), &db, 5432)),
        "app=web in another namespace"
    );
}

#[test]
fn rule71_selectors_in_one_element_are_anded_in_two_elements_ored() {
    let and = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: test}}
      podSelector: {matchLabels: {app: web}}
"#;
    let sim = cluster(and);
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &pod(&sim, "test", "web"), &db, 5432)));
    assert!(!allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &db, 5432)));
    assert!(!allowed(&tcp(&sim, &pod(&sim, "prod", "web"), &db, 5432)));

    let or = and.replace("      podSelector:", "    - podSelector:");
    let sim = cluster(&or);
    assert!(allowed(&tcp(&sim, &pod(&sim, "test", "web"), &db, 5432)));
    assert!(allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &db, 5432)));
    assert!(allowed(&tcp(&sim, &pod(&sim, "prod", "web"), &db, 5432)));
}

#[test]
fn rule71_empty_namespace_selector_means_every_namespace() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{namespaceSelector: {}}]}]
"#,
    );
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &db, 5432)));
    assert!(
        !allowed(&tcp(&sim, &external("8.8.8.8"), &db, 5432)),
        "selectors match pods, not outside addresses"
    );
}

#[test]
fn rule72_namespaces_are_selected_by_their_labels() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: test}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]
"#,
    );
    let web = pod(&sim, "test", "web");
    assert!(allowed(&tcp(&sim, &pod(&sim, "prod", "db"), &web, 80)));
    assert!(!allowed(&tcp(&sim, &pod(&sim, "test", "tool"), &web, 80)));
}

#[test]
fn rule73_ip_block_with_except_for_outside_addresses() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]}]
"#,
    );
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &external("192.168.7.9"), &db, 5432)));
    assert!(!allowed(&tcp(&sim, &external("192.168.1.9"), &db, 5432)));
    assert!(!allowed(&tcp(&sim, &external("10.0.0.1"), &db, 5432)));
}

#[test]
fn rule73_ip_block_matches_pod_ips_as_calico_does() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16}}]}]
"#,
    );
    let db = pod(&sim, "prod", "db");
    let tool = pod(&sim, "test", "tool");
    assert!(tool.ip.octets()[..2] == [10, 244]);
    assert!(allowed(&tcp(&sim, &tool, &db, 5432)));
}

#[test]
fn rule73_own_node_is_always_allowed_other_nodes_are_not() {
    let sim = cluster(DENY_DB);
    let db = pod(&sim, "prod", "db");
    assert_eq!(db.node.as_deref(), Some("node01"));
    let d = tcp(&sim, &node(&sim, "node01"), &db, 5432);
    assert_eq!(d.len(), 1, "a node has no egress policy");
    assert!(d[0].allowed);
    assert!(
        d[0].reason.contains("its own node node01"),
        "{}",
        d[0].reason
    );
    assert!(!allowed(&tcp(&sim, &node(&sim, "node02"), &db, 5432)));
}

#[test]
fn rule73_a_pod_cannot_block_itself() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lockdown, namespace: prod}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"#,
    );
    let db = pod(&sim, "prod", "db");
    assert!(allowed(&tcp(&sim, &db, &db, 5432)));
    assert!(!allowed(&tcp(&sim, &db, &pod(&sim, "prod", "web"), 80)));
}

#[test]
fn rule74_named_ports_resolve_on_the_destination_pod_by_name_and_protocol() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{port: pg}, {port: metrics}]}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    assert!(allowed(&tcp(&sim, &web, &db, 5432)));
    assert!(!allowed(&tcp(&sim, &web, &db, 5433)));
    // `metrics` is a UDP port on db: the TCP entry does not resolve it.
    assert!(!allowed(&tcp(&sim, &web, &db, 9187)));
}

#[test]
fn rule74_named_port_in_an_egress_rule_is_the_destination_pods() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{ports: [{port: pg}]}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    assert!(tcp(&sim, &web, &db, 5432)[0].allowed, "pg is db's 5432");
    assert!(
        !tcp(&sim, &web, &external("1.2.3.4"), 5432)[0].allowed,
        "an outside address has no named ports"
    );
}

#[test]
fn rule74_end_port_is_an_inclusive_range() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{ports: [{port: 32000, endPort: 32768}]}]
"#,
    );
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    for (port, ok) in [
        (31999, false),
        (32000, true),
        (32500, true),
        (32768, true),
        (32769, false),
    ] {
        assert_eq!(allowed(&tcp(&sim, &web, &db, port)), ok, "port {port}");
    }
}

#[test]
fn rule76_egress_isolation_blocks_dns_until_allowed() {
    let deny = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: prod}
spec: {podSelector: {}, policyTypes: [Egress]}
"#;
    let sim = cluster(deny);
    let web = pod(&sim, "prod", "web");
    let coredns = sim
        .list(Kind::Pod, Some("kube-system"), &Default::default())
        .expect("test fixture")
        .items
        .into_iter()
        .find(|p| p["metadata"]["labels"]["k8s-app"] == "kube-dns")
        .expect("test fixture");
    let dns = pod(
        &sim,
        "kube-system",
        coredns["metadata"]["name"].as_str().expect("test fixture"),
    );
    assert!(!evaluate(sim.store(), &web, &dns, 53, Protocol::Udp)[0].allowed);
    let allow_dns = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
"#;
    let sim = cluster(&format!("{deny}{allow_dns}"));
    assert!(allowed(&evaluate(
        sim.store(),
        &web,
        &dns,
        53,
        Protocol::Udp
    )));
    assert!(allowed(&evaluate(
        sim.store(),
        &web,
        &dns,
        53,
        Protocol::Tcp
    )));
    assert!(!allowed(&tcp(&sim, &web, &pod(&sim, "prod", "db"), 5432)));
}

#[test]
fn evaluate_is_deterministic_and_the_cache_agrees() {
    let sim = cluster(&format!(
        "{DENY_DB}---\n{}",
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-allow, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {}}]}, {from: [{namespaceSelector: {}}]}]
"#
    ));
    let peers = [
        pod(&sim, "prod", "web"),
        pod(&sim, "prod", "db"),
        pod(&sim, "test", "tool"),
        node(&sim, "node01"),
        external("203.0.113.9"),
    ];
    let mut cache = PolicyCache::new();
    for s in &peers {
        for d in &peers {
            let first = tcp(&sim, s, d, 5432);
            assert_eq!(first, tcp(&sim, s, d, 5432));
            assert_eq!(
                first,
                evaluate_cached(&mut cache, sim.store(), s, d, 5432, Protocol::Tcp)
            );
        }
    }
    let d = tcp(&sim, &peers[0], &peers[1], 5432);
    // The first rule in name order decides allowed_by.
    assert_eq!(d[1].allowed_by, Some(("a-allow".to_string(), 0)));
}

#[test]
fn the_cache_sees_a_new_policy() {
    let mut sim = cluster("");
    let (web, db) = (pod(&sim, "prod", "web"), pod(&sim, "prod", "db"));
    let mut cache = PolicyCache::new();
    assert!(allowed(&evaluate_cached(
        &mut cache,
        sim.store(),
        &web,
        &db,
        5432,
        Protocol::Tcp
    )));
    sim.apply_yaml(DENY_DB).expect("test fixture");
    assert!(!allowed(&evaluate_cached(
        &mut cache,
        sim.store(),
        &web,
        &db,
        5432,
        Protocol::Tcp
    )));
}

#[test]
fn rule73_host_network_pods_count_as_their_node() {
    let sim = cluster(&format!(
        "{DENY_DB}---\n{}",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: prod, labels: {app: db}}
spec: {nodeName: node01, hostNetwork: true, containers: [{name: a, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-db-pods, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]
"#
    ));
    let agent = pod(&sim, "prod", "agent");
    assert_eq!(
        Some(agent.ip),
        sim.config().node("node01").map(|n| n.internal_ip)
    );
    let (db, web) = (pod(&sim, "prod", "db"), pod(&sim, "prod", "web"));
    // Selected by default-deny, yet not isolated: no decision for the host-network end.
    let d = tcp(&sim, &web, &agent, 80);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].direction, Direction::Egress);
    // As a peer it is its node: own-node traffic to db is allowed...
    assert!(allowed(&tcp(&sim, &agent, &db, 5432)));
    // ...and the podSelector app=db does not match it although its labels would.
    assert!(!allowed(&tcp(&sim, &agent, &web, 80)));
    assert!(allowed(&tcp(&sim, &db, &web, 80)));
}
