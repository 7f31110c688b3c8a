//! kube-proxy's data path as a trace shows it (SERVICES-SPEC rules 49–57): ClusterIP,
//! NodePort, LoadBalancer and externalIPs, traffic policies, session affinity, hairpin, and
//! what a node or the outside world reaches.

mod net_support;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

use jiff::SignedDuration;
use kubedrill_sim::net::{EXTERNAL_CLIENT_IP, EndpointReason, Hop, Origin, Verdict, Via};
use kubedrill_sim::{ClusterConfig, DeleteOptions, Kind, ManualClock, Sim};
use net_support::*;

/// Pods of a Deployment pinned to one node.
fn pinned(name: &str, replicas: u32, node: &str, svc_extra: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      nodeName: {node}
      containers:
      - {{name: web, image: "nginx:1.27", ports: [{{containerPort: 80}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
{svc_extra}
"#
    )
}

fn service_hops(t: &kubedrill_sim::net::Trace) -> Vec<Via> {
    t.hops
        .iter()
        .filter_map(|h| match h {
            Hop::Service { via, .. } => Some(*via),
            _ => None,
        })
        .collect()
}

#[test]
fn rule49_headless_and_external_name_services_have_no_virtual_ip() {
    let (mut sim, _c) = cluster(&[
        &web("web", 2, "nginx:1.27", 80, 80),
        r#"
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: web.default.svc.cluster.local}
"#,
        &client("c", "default", "node01"),
    ]);
    let c = from_pod("default", "c");
    // Headless: DNS hands out pod IPs and the connection goes straight to one, no kube-proxy.
    let t = trace(&mut sim, &c, &get("web-headless", 80, "/"));
    assert!(service_hops(&t).is_empty(), "{:#?}", t.hops);
    let pods: Vec<Ipv4Addr> = pods(&sim, "default", "app=web")
        .iter()
        .map(pod_ip)
        .collect();
    assert!(pods.contains(&addresses(dns_answer(&t).expect("dns"))[0]));
    assert_eq!(response(&t).status, 200);
    // ExternalName: a CNAME to the ClusterIP Service's name; the VIP hop is web's, not ext's.
    let t = trace(&mut sim, &c, &get("ext", 80, "/"));
    match &t.hops[0] {
        Hop::Dns(l) => match &l.answer {
            kubedrill_sim::net::DnsAnswer::Records {
                cname, addresses, ..
            } => {
                assert_eq!(cname, &vec!["web.default.svc.cluster.local".to_string()]);
                assert_eq!(addresses, &vec![service_ip(&sim, "default", "web")]);
            }
            a => panic!("{a:?}"),
        },
        h => panic!("{h:?}"),
    }
    assert!(
        t.hops
            .iter()
            .any(|h| matches!(h, Hop::Service { service, .. } if service.name == "web"))
    );
    assert_eq!(response(&t).status, 200);
}

#[test]
fn rule50_unready_pods_get_no_traffic_but_publish_not_ready_addresses_does() {
    let unready = r#"
apiVersion: v1
kind: Pod
metadata: {name: unready, labels: {app: web}}
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80, name: http}]
    readinessProbe: {httpGet: {path: /missing, port: 80}}
"#;
    let (mut sim, _c) = cluster(&[
        &web("web", 2, "nginx:1.27", 80, 80),
        unready,
        &client("c", "default", "node01"),
    ]);
    let c = from_pod("default", "c");
    for _ in 0..40 {
        let t = trace(&mut sim, &c, &get("web", 80, "/"));
        assert_ne!(reached(&t).name, "unready");
    }
    sim.apply_yaml(
        r#"
apiVersion: v1
kind: Service
metadata: {name: all}
spec: {selector: {app: web}, publishNotReadyAddresses: true, ports: [{port: 80}]}
"#,
    )
    .expect("service");
    let seen: BTreeSet<String> = (0..60)
        .map(|_| reached(&trace(&mut sim, &c, &get("all", 80, "/"))).name)
        .collect();
    assert!(seen.contains("unready"), "{seen:?}");
}

#[test]
fn rule50_only_terminating_serving_endpoints_are_used_as_a_fallback() {
    // busybox httpd ignores SIGTERM: deleted pods keep serving for their grace period.
    let pod = |n: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {n}, labels: {{app: slow}}}}\nspec:\n  containers:\n  - {{name: httpd, image: 'busybox:1.36', command: [httpd, -f, -p, '8080']}}\n"
        )
    };
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: slow}\nspec: {selector: {app: slow}, ports: [{port: 80, targetPort: 8080}]}\n";
    let (mut sim, _c) = cluster(&[&pod("a"), &pod("b"), svc, &client("c", "default", "node01")]);
    sim.delete(Kind::Pod, "default", "a", &DeleteOptions::default())
        .expect("delete a");
    let c = from_pod("default", "c");
    // One ready endpoint left: terminating `a` is not used while `b` is ready.
    for _ in 0..20 {
        assert_eq!(
            reached(&trace(&mut sim, &c, &get("slow", 80, "/"))).name,
            "b"
        );
    }
    sim.delete(Kind::Pod, "default", "b", &DeleteOptions::default())
        .expect("delete b");
    let t = trace(&mut sim, &c, &get("slow", 80, "/"));
    assert!(is_delivered(&t), "{:#?}", t);
    assert!(t.hops.iter().any(|h| matches!(
        h,
        Hop::Endpoint {
            reason: EndpointReason::TerminatingFallback,
            ..
        }
    )));
}

#[test]
fn rule51_clusterip_dnats_to_the_resolved_target_port_and_ignores_undeclared_ports() {
    let (mut sim, _c) = cluster(&[
        &web("web", 1, "nginx:1.27", 80, 8080),
        &client("c", "default", "node01"),
    ]);
    let c = from_pod("default", "c");
    let t = trace(&mut sim, &c, &get("web", 8080, "/"));
    match &t.verdict {
        Verdict::Delivered { port, .. } => assert_eq!(*port, 80),
        v => panic!("{v:?}"),
    }
    let t = trace(&mut sim, &c, &get("web", 80, "/"));
    assert!(is_timed_out(&t), "{:?}", t.verdict);
    assert!(
        notes(&t).contains("does not declare that port"),
        "{}",
        notes(&t)
    );
    // UDP on a TCP-only Service port is another (protocol, port) pair: no rule either.
    let t = trace(&mut sim, &c, &udp("web", 8080));
    assert!(is_timed_out(&t));
}

#[test]
fn rule52_a_service_without_endpoints_refuses_but_still_resolves() {
    let (mut sim, _c) = cluster(&[
        "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {selector: {app: nothing}, ports: [{port: 80}]}\n",
        &client("c", "default", "node01"),
    ]);
    let t = trace(&mut sim, &from_pod("default", "c"), &get("empty", 80, "/"));
    assert!(is_refused(&t), "{:?}", t.verdict);
    assert_eq!(
        addresses(dns_answer(&t).expect("dns")),
        vec![service_ip(&sim, "default", "empty")]
    );
    assert!(notes(&t).contains("default/empty has no endpoints"));
}

#[test]
fn rule53_nodeport_answers_on_every_node_address_but_not_on_the_clusterip() {
    let (mut sim, _c) = cluster(&[
        &web("web", 1, "nginx:1.27", 80, 80),
        &client("c", "default", "node01"),
    ]);
    sim.patch(
        Kind::Service,
        "default",
        "web",
        kubedrill_sim::PatchType::Merge,
        &serde_json::json!({"spec": {"type": "NodePort"}}),
        kubedrill_sim::Subresource::Main,
    )
    .expect("patch");
    let np = node_port(&sim, "default", "web");
    for node in ["controlplane", "node01", "node02"] {
        let ip = node_ip(&sim, node).to_string();
        let t = trace(&mut sim, &Origin::External, &get(&ip, np, "/"));
        assert_eq!(response(&t).status, 200, "via {node}");
        assert_eq!(service_hops(&t), vec![Via::NodePort]);
    }
    let vip = service_ip(&sim, "default", "web").to_string();
    let t = trace(&mut sim, &from_pod("default", "c"), &tcp(&vip, np));
    assert!(is_timed_out(&t), "{:?}", t.verdict);
}

#[test]
fn rule54_external_traffic_policy_local_drops_on_nodes_without_a_local_endpoint() {
    let (mut sim, _c) = cluster(&[
        &pinned(
            "web",
            1,
            "node01",
            "  type: NodePort\n  externalTrafficPolicy: Local",
        ),
        &client("c", "default", "node02"),
    ]);
    let np = node_port(&sim, "default", "web");
    let (n1, n2) = (
        node_ip(&sim, "node01").to_string(),
        node_ip(&sim, "node02").to_string(),
    );
    let t = trace(&mut sim, &Origin::External, &get(&n2, np, "/"));
    assert!(is_timed_out(&t), "{:?}", t.verdict);
    assert!(
        notes(&t).contains("has no local endpoints"),
        "{}",
        notes(&t)
    );
    // On the node with the endpoint: delivered, the client's address preserved.
    let t = trace(&mut sim, &Origin::External, &get(&n1, np, "/"));
    let pod = reached(&t);
    assert_eq!(response(&t).status, 200);
    let log = log_lines(&sim, "default", &pod.name);
    assert!(
        log.last()
            .expect("log")
            .starts_with(&EXTERNAL_CLIENT_IP.to_string()),
        "{log:?}"
    );
    // Pod-originated traffic is exempt.
    let t = trace(&mut sim, &from_pod("default", "c"), &get(&n2, np, "/"));
    assert_eq!(response(&t).status, 200);
    // Another node's host traffic is external for the receiving node.
    let t = trace(&mut sim, &from_node("node01"), &get(&n2, np, "/"));
    assert!(is_timed_out(&t));
}

#[test]
fn rule54_external_traffic_policy_cluster_masquerades_the_client() {
    let (mut sim, _c) = cluster(&[&pinned("web", 1, "node01", "  type: NodePort")]);
    let np = node_port(&sim, "default", "web");
    let n2 = node_ip(&sim, "node02").to_string();
    let t = trace(&mut sim, &Origin::External, &get(&n2, np, "/"));
    let pod = reached(&t);
    let log = log_lines(&sim, "default", &pod.name);
    // node02 forwards over flannel.1, whose address is the network address of its pod CIDR.
    assert!(
        log.last().expect("log").starts_with("10.244.2.0 "),
        "{log:?}"
    );
}

#[test]
fn rule55_internal_traffic_policy_local_drops_without_a_local_endpoint() {
    let (mut sim, _c) = cluster(&[
        &pinned("web", 2, "node01", "  internalTrafficPolicy: Local"),
        &client("near", "default", "node01"),
        &client("far", "default", "node02"),
    ]);
    let t = trace(&mut sim, &from_pod("default", "far"), &get("web", 80, "/"));
    assert!(is_timed_out(&t), "{:?}", t.verdict);
    assert!(notes(&t).contains("has no local endpoints"));
    let t = trace(&mut sim, &from_pod("default", "near"), &get("web", 80, "/"));
    assert_eq!(response(&t).status, 200);
}

#[test]
fn rule56_client_ip_affinity_sticks_until_the_timeout() {
    let (mut sim, clock) = cluster(&[
        &web("web", 4, "nginx:1.27", 80, 80),
        &client("c", "default", "node01"),
    ]);
    let c = from_pod("default", "c");
    let spread: BTreeSet<String> = (0..40)
        .map(|_| reached(&trace(&mut sim, &c, &get("web", 80, "/"))).name)
        .collect();
    assert!(spread.len() > 1, "no spread without affinity: {spread:?}");
    sim.patch(
        Kind::Service,
        "default",
        "web",
        kubedrill_sim::PatchType::Merge,
        &serde_json::json!({"spec": {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}}),
        kubedrill_sim::Subresource::Main,
    )
    .expect("patch");
    let first = reached(&trace(&mut sim, &c, &get("web", 80, "/"))).name;
    for _ in 0..20 {
        clock.advance(SignedDuration::from_secs(50));
        assert_eq!(
            reached(&trace(&mut sim, &c, &get("web", 80, "/"))).name,
            first
        );
    }
    // Silent for longer than timeoutSeconds: the choice is drawn again.
    let mut after = BTreeSet::new();
    for _ in 0..20 {
        clock.advance(SignedDuration::from_secs(61));
        after.insert(reached(&trace(&mut sim, &c, &get("web", 80, "/"))).name);
    }
    assert!(after.len() > 1, "{after:?}");
}

#[test]
fn rule57_hairpin_a_pod_reaches_itself_through_its_service() {
    let (mut sim, _c) = cluster(&[&web("web", 1, "nginx:1.27", 80, 80)]);
    let me = pods(&sim, "default", "app=web").remove(0);
    let name = kubedrill_sim::meta::name(&me).to_string();
    let t = trace(&mut sim, &from_pod("default", &name), &get("web", 80, "/"));
    assert_eq!(reached(&t).name, name);
    // Masqueraded to the node's bridge address so the reply comes back through the VIP.
    let log = log_lines(&sim, "default", &name);
    let bridge = match pod_node(&me).as_str() {
        "node01" => "10.244.1.1 ",
        _ => "10.244.2.1 ",
    };
    assert!(log.last().expect("log").starts_with(bridge), "{log:?}");
}

#[test]
fn load_balancer_and_external_ips_answer_from_outside() {
    let config = ClusterConfig {
        load_balancer_pool: Some((Ipv4Addr::new(172, 30, 1, 200), 29)),
        ..ClusterConfig::default()
    };
    let mut sim = Sim::new(config, Arc::new(ManualClock::at_epoch())).expect("bootstrap");
    sim.apply_yaml(&pinned("web", 1, "node01", "  type: LoadBalancer"))
        .expect("apply");
    let svc = sim.get(Kind::Service, "default", "web").expect("svc");
    let lb = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .expect("lb ip")
        .to_string();
    let t = trace(&mut sim, &Origin::External, &get(&lb, 80, "/"));
    assert_eq!(response(&t).status, 200);
    assert_eq!(service_hops(&t), vec![Via::LoadBalancer]);
    let n1 = node_ip(&sim, "node01").to_string();
    sim.patch(
        Kind::Service,
        "default",
        "web",
        kubedrill_sim::PatchType::Merge,
        &serde_json::json!({"spec": {"externalIPs": [n1]}}),
        kubedrill_sim::Subresource::Main,
    )
    .expect("patch");
    let t = trace(&mut sim, &Origin::External, &get(&n1, 80, "/"));
    assert_eq!(response(&t).status, 200);
    assert_eq!(service_hops(&t), vec![Via::ExternalIp]);
}

#[test]
fn nodes_reach_cluster_ips_and_pods_but_do_not_resolve_cluster_names() {
    let (mut sim, _c) = cluster(&[&web("web", 1, "nginx:1.27", 80, 80)]);
    let n = from_node("node02");
    let t = trace(&mut sim, &n, &get("web.default.svc.cluster.local", 80, "/"));
    assert_eq!(
        t.verdict,
        Verdict::DnsFailed(kubedrill_sim::net::DnsAnswer::NxDomain)
    );
    let vip = service_ip(&sim, "default", "web").to_string();
    assert_eq!(
        response(&trace(&mut sim, &n, &get(&vip, 80, "/"))).status,
        200
    );
    let pod = pod_ip(&pods(&sim, "default", "app=web")[0]).to_string();
    assert_eq!(
        response(&trace(&mut sim, &n, &get(&pod, 80, "/"))).status,
        200
    );
    // A node's name resolves from a node (/etc/hosts), and its kubelet answers only TLS.
    let t = trace(&mut sim, &n, &get("node01", 10250, "/"));
    assert_eq!(response(&t).status, 400);
    assert!(is_refused(&trace(&mut sim, &n, &tcp("node01", 8080))));
}

#[test]
fn the_outside_world_reaches_neither_cluster_ips_nor_pod_ips() {
    let (mut sim, _c) = cluster(&[&web("web", 1, "nginx:1.27", 80, 80)]);
    let vip = service_ip(&sim, "default", "web").to_string();
    assert!(is_timed_out(&trace(
        &mut sim,
        &Origin::External,
        &tcp(&vip, 80)
    )));
    let pod = pod_ip(&pods(&sim, "default", "app=web")[0]).to_string();
    assert!(is_timed_out(&trace(
        &mut sim,
        &Origin::External,
        &tcp(&pod, 80)
    )));
    assert!(is_timed_out(&trace(
        &mut sim,
        &Origin::External,
        &tcp("10.99.99.99", 80)
    )));
}

#[test]
fn the_kubernetes_service_reaches_the_api_server_on_the_control_plane() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node01")]);
    let t = trace(
        &mut sim,
        &from_pod("default", "c"),
        &get("kubernetes.default", 443, "/"),
    );
    match &t.verdict {
        Verdict::Delivered {
            pod: None,
            ip,
            port,
            http: Some(r),
        } => {
            assert_eq!((*ip, *port), (node_ip(&sim, "controlplane"), 6443));
            assert_eq!(r.status, 400);
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn a_pod_reaches_its_own_containers_on_localhost() {
    let (mut sim, _c) = cluster(&[&web("web", 1, "nginx:1.27", 80, 80)]);
    let name = kubedrill_sim::meta::name(&pods(&sim, "default", "app=web")[0]).to_string();
    let t = trace(
        &mut sim,
        &from_pod("default", &name),
        &get("localhost", 80, "/"),
    );
    assert_eq!(reached(&t).name, name);
    assert!(
        log_lines(&sim, "default", &name)
            .last()
            .expect("log")
            .starts_with("127.0.0.1 ")
    );
    assert!(is_refused(&trace(
        &mut sim,
        &from_pod("default", &name),
        &tcp("127.0.0.1", 81)
    )));
}

#[test]
fn tracing_unknown_origins_is_a_not_found_error() {
    let (mut sim, _c) = cluster(&[]);
    assert!(
        sim.trace(&from_pod("default", "ghost"), &tcp("10.96.0.1", 443))
            .is_err()
    );
    assert!(
        sim.trace(&from_node("node09"), &tcp("10.96.0.1", 443))
            .is_err()
    );
}

#[test]
fn host_ports_forward_a_node_address_to_the_pod() {
    let (mut sim, _c) = cluster(&[r#"
apiVersion: v1
kind: Pod
metadata: {name: hp}
spec:
  nodeName: node02
  containers:
  - {name: web, image: "nginx:1.27", ports: [{containerPort: 80, hostPort: 8081}]}
"#]);
    let n2 = node_ip(&sim, "node02").to_string();
    let t = trace(&mut sim, &Origin::External, &get(&n2, 8081, "/"));
    assert_eq!(reached(&t).name, "hp");
    let n1 = node_ip(&sim, "node01").to_string();
    assert!(is_refused(&trace(
        &mut sim,
        &Origin::External,
        &tcp(&n1, 8081)
    )));
}

#[test]
fn a_network_policy_denial_times_out_with_the_decision_in_the_hops() {
    let (mut sim, _c) = cluster(&[
        &web("web", 1, "nginx:1.27", 80, 80),
        &client("c", "default", "node01"),
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
"#,
    ]);
    let t = trace(&mut sim, &from_pod("default", "c"), &get("web", 80, "/"));
    assert!(is_timed_out(&t), "{:?}", t.verdict);
    assert!(t.hops.iter().any(
        |h| matches!(h, Hop::Policy(d) if !d.allowed && d.selecting.iter().any(|p| p.contains("deny-web")))
    ));
    // Nothing reached the server.
    let pod = pods(&sim, "default", "app=web").remove(0);
    assert!(log_lines(&sim, "default", kubedrill_sim::meta::name(&pod)).is_empty());
}
