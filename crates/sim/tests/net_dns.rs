//! Name resolution as a pod sees it (SERVICES-SPEC rules 58–65, 76): CoreDNS's records, the
//! ClusterFirst search path with ndots:5, other dnsPolicies, and lookups that time out.

mod net_support;

use std::net::Ipv4Addr;

use kubedrill_sim::net::{CLUSTER_DNS, DnsAnswer, DnsLookup, Hop, Origin, Verdict};
use kubedrill_sim::{Kind, PatchType, Sim, Subresource, meta};
use net_support::*;
use serde_json::json;

fn resolve(sim: &mut Sim, from: &Origin, name: &str) -> DnsLookup {
    sim.resolve(from, name)
        .unwrap_or_else(|e| panic!("resolve failed: {e}"))
}

fn answered_name(l: &DnsLookup) -> &str {
    match &l.answer {
        DnsAnswer::Records { name, .. } => name,
        a => panic!("expected records, got {a:?} (tried {:?})", l.tried),
    }
}

const HEADLESS: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432, name: pg}]}
"#;

fn db_pod(name: &str, ready: bool, hostname: Option<&str>) -> String {
    let probe = if ready {
        String::new()
    } else {
        "    readinessProbe: {httpGet: {path: /missing, port: 80}}\n".to_string()
    };
    let host = hostname
        .map(|h| format!("  hostname: {h}\n  subdomain: db\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: db}}}}\nspec:\n{host}  containers:\n  - name: db\n    image: nginx:1.27\n{probe}"
    )
}

#[test]
fn rule58_a_clusterip_service_resolves_to_its_clusterip_without_endpoints() {
    let (mut sim, _c) = cluster(&[
        "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {selector: {app: none}, ports: [{port: 80}]}\n",
        &client("c", "default", "node01"),
    ]);
    let l = resolve(&mut sim, &from_pod("default", "c"), "empty");
    assert_eq!(answered_name(&l), "empty.default.svc.cluster.local");
    assert_eq!(
        addresses(&l.answer),
        vec![service_ip(&sim, "default", "empty")]
    );
    assert_eq!(l.server, CLUSTER_DNS);
    // The query itself went through kube-dns to a CoreDNS pod.
    assert!(
        l.hops
            .iter()
            .any(|h| matches!(h, Hop::Service { service, .. } if service.name == "kube-dns"))
    );
    assert!(l.hops.iter().any(|h| matches!(
        h,
        Hop::Container {
            listening: true,
            ..
        }
    )));
}

#[test]
fn rule60_headless_service_resolves_to_ready_endpoints_only() {
    let (mut sim, _c) = cluster(&[
        HEADLESS,
        &db_pod("db-a", true, None),
        &db_pod("db-b", true, None),
        &db_pod("db-slow", false, None),
        &client("c", "default", "node01"),
    ]);
    let ready: Vec<Ipv4Addr> = ["db-a", "db-b"]
        .iter()
        .map(|n| pod_ip(&sim.get(Kind::Pod, "default", n).expect("pod")))
        .collect();
    let c = from_pod("default", "c");
    let mut got = addresses(&resolve(&mut sim, &c, "db").answer);
    got.sort();
    let mut want = ready.clone();
    want.sort();
    assert_eq!(got, want);
    // publishNotReadyAddresses makes the unready pod resolvable.
    sim.patch(
        Kind::Service,
        "default",
        "db",
        PatchType::Merge,
        &json!({"spec": {"publishNotReadyAddresses": true}}),
        Subresource::Main,
    )
    .expect("patch");
    assert_eq!(addresses(&resolve(&mut sim, &c, "db").answer).len(), 3);
    // No ready endpoint at all: NXDOMAIN.
    sim.patch(
        Kind::Service,
        "default",
        "db",
        PatchType::Merge,
        &json!({"spec": {"publishNotReadyAddresses": false, "selector": {"app": "nobody"}}}),
        Subresource::Main,
    )
    .expect("patch");
    assert_eq!(resolve(&mut sim, &c, "db").answer, DnsAnswer::NxDomain);
}

#[test]
fn rule61_external_name_is_a_cname_and_an_ip_looking_name_is_not_resolved() {
    let (mut sim, _c) = cluster(&[
        r#"
apiVersion: v1
kind: Service
metadata: {name: to-ip}
spec: {type: ExternalName, externalName: 10.0.0.5}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {type: ExternalName, externalName: kubernetes.default.svc.cluster.local}
"#,
        &client("c", "default", "node01"),
    ]);
    let c = from_pod("default", "c");
    match resolve(&mut sim, &c, "api").answer {
        DnsAnswer::Records {
            cname, addresses, ..
        } => {
            assert_eq!(
                cname,
                vec!["kubernetes.default.svc.cluster.local".to_string()]
            );
            assert_eq!(addresses, vec![Ipv4Addr::new(10, 96, 0, 1)]);
        }
        a => panic!("{a:?}"),
    }
    // The CNAME target "10.0.0.5" is looked up as a name, which nothing answers.
    assert_eq!(resolve(&mut sim, &c, "to-ip").answer, DnsAnswer::NxDomain);
    let t = trace(&mut sim, &c, &tcp("to-ip", 80));
    assert_eq!(t.verdict, Verdict::DnsFailed(DnsAnswer::NxDomain));
}

#[test]
fn rule62_pod_hostname_records_come_from_the_headless_service_endpoints() {
    let (mut sim, _c) = cluster(&[
        HEADLESS,
        &db_pod("db-0", true, Some("primary")),
        // subdomain without hostname: no record of its own.
        "apiVersion: v1\nkind: Pod\nmetadata: {name: db-1, labels: {app: db}}\nspec:\n  subdomain: db\n  containers:\n  - {name: db, image: 'nginx:1.27'}\n",
        &client("c", "default", "node01"),
    ]);
    let ip = pod_ip(&sim.get(Kind::Pod, "default", "db-0").expect("pod"));
    let c = from_pod("default", "c");
    let l = resolve(&mut sim, &c, "primary.db.default.svc.cluster.local");
    assert_eq!(addresses(&l.answer), vec![ip]);
    // Through the search path from the same namespace.
    assert_eq!(
        addresses(&resolve(&mut sim, &c, "primary.db").answer),
        vec![ip]
    );
    assert_eq!(
        resolve(&mut sim, &c, "db-1.db.default.svc.cluster.local").answer,
        DnsAnswer::NxDomain
    );
    // The pod knows its own FQDN from /etc/hosts.
    let own = resolve(
        &mut sim,
        &from_pod("default", "db-0"),
        "primary.db.default.svc.cluster.local",
    );
    assert!(own.hops.is_empty());
    assert_eq!(addresses(&own.answer), vec![ip]);
}

#[test]
fn rule63_pod_ip_records_answer_any_dashed_address_in_an_existing_namespace() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node01")]);
    let c = from_pod("default", "c");
    let l = resolve(&mut sim, &c, "10-244-1-77.default.pod.cluster.local");
    assert_eq!(addresses(&l.answer), vec![Ipv4Addr::new(10, 244, 1, 77)]);
    assert_eq!(
        resolve(&mut sim, &c, "10-244-1-77.nowhere.pod.cluster.local").answer,
        DnsAnswer::NxDomain
    );
}

#[test]
fn rule64_the_search_path_ndots_and_case_insensitivity() {
    let (mut sim, _c) = cluster(&[
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: test}\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: data, namespace: prod}\nspec: {selector: {app: data}, ports: [{port: 80}]}\n",
        &client("c", "test", "node01"),
        &client("p", "prod", "node01"),
    ]);
    let vip = service_ip(&sim, "prod", "data");
    let t = from_pod("test", "c");
    let l = resolve(&mut sim, &t, "data.prod");
    assert_eq!(
        l.tried,
        vec![
            "data.prod.test.svc.cluster.local",
            "data.prod.svc.cluster.local"
        ]
    );
    assert_eq!(addresses(&l.answer), vec![vip]);
    let l = resolve(&mut sim, &t, "DATA.Prod.SVC.cluster.local");
    assert_eq!(addresses(&l.answer), vec![vip]);
    // Four dots are fewer than ndots:5, so the search list is tried first.
    assert_eq!(
        l.tried[0],
        "DATA.Prod.SVC.cluster.local.test.svc.cluster.local"
    );
    // A trailing dot makes the name absolute: one query.
    let l = resolve(&mut sim, &t, "data.prod.svc.cluster.local.");
    assert_eq!(l.tried, vec!["data.prod.svc.cluster.local"]);
    assert_eq!(addresses(&l.answer), vec![vip]);
    // In its own namespace the short name works.
    assert_eq!(
        addresses(&resolve(&mut sim, &from_pod("prod", "p"), "data").answer),
        vec![vip]
    );
}

#[test]
fn rule65_a_short_name_from_another_namespace_is_nxdomain() {
    let (mut sim, _c) = cluster(&[
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: test}\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: data, namespace: prod}\nspec: {selector: {app: data}, ports: [{port: 80}]}\n",
        &client("c", "test", "node01"),
    ]);
    let l = resolve(&mut sim, &from_pod("test", "c"), "data");
    assert_eq!(l.answer, DnsAnswer::NxDomain);
    assert_eq!(
        l.tried,
        vec![
            "data.test.svc.cluster.local",
            "data.svc.cluster.local",
            "data.cluster.local",
            "data"
        ]
    );
}

#[test]
fn rule76_lookups_time_out_when_kube_dns_has_no_ready_endpoint() {
    let (mut sim, _c) = cluster(&[
        &web("web", 1, "nginx:1.27", 80, 80),
        &client("c", "default", "node01"),
    ]);
    sim.patch(
        Kind::Deployment,
        "kube-system",
        "coredns",
        PatchType::Merge,
        &json!({"spec": {"replicas": 0}}),
        Subresource::Main,
    )
    .expect("scale coredns");
    let c = from_pod("default", "c");
    let l = resolve(&mut sim, &c, "web");
    assert_eq!(l.answer, DnsAnswer::Timeout);
    let t = trace(&mut sim, &c, &get("web", 80, "/"));
    assert_eq!(t.verdict, Verdict::DnsFailed(DnsAnswer::Timeout));
    // Addresses still work: only names fail.
    let vip = service_ip(&sim, "default", "web").to_string();
    assert_eq!(
        response(&trace(&mut sim, &c, &get(&vip, 80, "/"))).status,
        200
    );
}

#[test]
fn rule76_lookups_time_out_when_the_kube_dns_service_is_gone() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node01")]);
    sim.delete(
        Kind::Service,
        "kube-system",
        "kube-dns",
        &Default::default(),
    )
    .expect("delete");
    let l = resolve(&mut sim, &from_pod("default", "c"), "kubernetes");
    assert_eq!(l.answer, DnsAnswer::Timeout);
    assert_eq!(l.tried, vec!["kubernetes.default.svc.cluster.local"]);
}

#[test]
fn rule76_egress_isolation_without_a_dns_rule_makes_lookups_time_out() {
    let (mut sim, _c) = cluster(&[
        &client("c", "default", "node01"),
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec: {podSelector: {}, policyTypes: [Egress]}
"#,
    ]);
    let l = resolve(&mut sim, &from_pod("default", "c"), "kubernetes");
    assert_eq!(l.answer, DnsAnswer::Timeout);
    assert!(
        l.hops
            .iter()
            .any(|h| matches!(h, Hop::Policy(d) if !d.allowed))
    );
}

#[test]
fn dns_policies_decide_which_resolver_a_pod_asks() {
    let pod = |name: &str, extra: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n{extra}  containers:\n  - {{name: c, image: 'busybox:1.36', command: [sleep, '3600']}}\n"
        )
    };
    let (mut sim, _c) = cluster(&[
        &pod("default-policy", "  dnsPolicy: Default\n"),
        &pod("hostnet", "  hostNetwork: true\n"),
        &pod(
            "hostnet-cf",
            "  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet\n",
        ),
        &pod(
            "custom",
            "  dnsPolicy: None\n  dnsConfig: {nameservers: [10.96.0.10], searches: [svc.cluster.local]}\n",
        ),
    ]);
    for p in ["default-policy", "hostnet"] {
        let l = resolve(
            &mut sim,
            &from_pod("default", p),
            "kubernetes.default.svc.cluster.local",
        );
        assert_eq!(l.answer, DnsAnswer::NxDomain, "{p}");
        assert_ne!(l.server, CLUSTER_DNS, "{p}");
    }
    let l = resolve(
        &mut sim,
        &from_pod("default", "hostnet-cf"),
        "kubernetes.default",
    );
    assert_eq!(addresses(&l.answer), vec![Ipv4Addr::new(10, 96, 0, 1)]);
    // dnsPolicy None: only dnsConfig, and the resolver's default ndots:1, so a dotted name is
    // asked as is first.
    let l = resolve(
        &mut sim,
        &from_pod("default", "custom"),
        "kubernetes.default",
    );
    assert_eq!(
        l.tried,
        vec!["kubernetes.default", "kubernetes.default.svc.cluster.local"]
    );
    assert_eq!(addresses(&l.answer), vec![Ipv4Addr::new(10, 96, 0, 1)]);
}

#[test]
fn ip_literals_and_localhost_need_no_query() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node01")]);
    let c = from_pod("default", "c");
    for (name, ip) in [
        ("10.1.2.3", Ipv4Addr::new(10, 1, 2, 3)),
        ("localhost", Ipv4Addr::LOCALHOST),
    ] {
        let l = resolve(&mut sim, &c, name);
        assert!(l.hops.is_empty());
        assert_eq!(addresses(&l.answer), vec![ip]);
    }
    // Its own hostname, from the kubelet-written /etc/hosts.
    let me = sim.get(Kind::Pod, "default", "c").expect("pod");
    assert_eq!(
        addresses(&resolve(&mut sim, &c, "c").answer),
        vec![pod_ip(&me)]
    );
    let _ = meta::name(&me);
}

#[test]
fn public_names_are_nxdomain_in_the_offline_cluster() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node01")]);
    let l = resolve(&mut sim, &from_pod("default", "c"), "example.com");
    assert_eq!(l.answer, DnsAnswer::NxDomain);
    assert_eq!(l.tried.last().map(String::as_str), Some("example.com"));
    assert_eq!(
        resolve(&mut sim, &Origin::External, "example.com").answer,
        DnsAnswer::NxDomain
    );
}
