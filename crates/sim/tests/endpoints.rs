//! The Endpoints controller (SERVICES-SPEC §D rules 37–44, 47): which pods back a Service, ready
//! vs not-ready addresses, resolved ports, and the exact Endpoints object `kubectl get ep`
//! and `describe` read.

mod endpoints_support;

use endpoints_support::*;
use kubedrill_sim::{Kind, PatchType, Subresource, meta};
use serde_json::json;

#[test]
fn rule38_only_pods_with_an_ip_not_terminal_and_matching_every_selector_key_back_the_service() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n    tier: fe\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n",
    );
    let good = ready_pod(
        &mut sim,
        "good",
        &[("app", "web"), ("tier", "fe"), ("extra", "x")],
        "10.244.1.10",
    );
    ready_pod(&mut sim, "half", &[("app", "web")], "10.244.1.11");
    pod(&mut sim, "no-ip", &[("app", "web"), ("tier", "fe")], &[]);
    set_status(&mut sim, "no-ip", "Pending", "", false);
    for (name, phase, ip) in [
        ("done", "Succeeded", "10.244.1.12"),
        ("failed", "Failed", "10.244.1.13"),
    ] {
        pod(&mut sim, name, &[("app", "web"), ("tier", "fe")], &[]);
        set_status(&mut sim, name, phase, ip, false);
    }
    sim.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}))
        .expect("ns");
    pod_in(
        &mut sim,
        "other",
        "elsewhere",
        &[("app", "web"), ("tier", "fe")],
        &[],
    );
    set_status_in(
        &mut sim,
        "other",
        "elsewhere",
        "Running",
        "10.244.1.14",
        true,
    );

    let ep = endpoints(&sim, "web");
    assert_eq!(
        ep["subsets"],
        json!([{
            "addresses": [{"ip": "10.244.1.10", "nodeName": NODE, "targetRef": target_ref(&good)}],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        }])
    );
    assert_eq!(slice_endpoints(&slices(&sim, "web")).len(), 1);
}

#[test]
fn rule39_ready_pods_are_addresses_and_unready_pods_not_ready_addresses() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    let a = ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let b = running_pod(&mut sim, "b", &[("app", "web")], "10.244.1.9", false);
    let ep = endpoints(&sim, "web");
    assert_eq!(
        ep["subsets"],
        json!([{
            "addresses": [{"ip": "10.244.1.10", "nodeName": NODE, "targetRef": target_ref(&a)}],
            "notReadyAddresses": [{"ip": "10.244.1.9", "nodeName": NODE, "targetRef": target_ref(&b)}],
            "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}],
        }])
    );
    // Readiness flips move the address between the lists.
    set_ready(&mut sim, "b", true);
    set_ready(&mut sim, "a", false);
    let (ready, not_ready) = ep_ips(&endpoints(&sim, "web"));
    assert_eq!(ready, ["10.244.1.9".to_string()].into());
    assert_eq!(not_ready, ["10.244.1.10".to_string()].into());
}

#[test]
fn rule39_addresses_are_sorted_by_ip_as_text_like_repack_subsets() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    for (n, ip) in [
        ("p1", "10.244.1.9"),
        ("p2", "10.244.1.10"),
        ("p3", "10.244.1.100"),
    ] {
        ready_pod(&mut sim, n, &[("app", "web")], ip);
    }
    let ep = endpoints(&sim, "web");
    let ips: Vec<&str> = ep["subsets"][0]["addresses"]
        .as_array()
        .expect("addresses")
        .iter()
        .map(|a| a["ip"].as_str().unwrap_or_default())
        .collect();
    // `LessEndpointAddress` compares the IP strings bytewise.
    assert_eq!(ips, ["10.244.1.10", "10.244.1.100", "10.244.1.9"]);
}

#[test]
fn rule39_publish_not_ready_addresses_lists_every_pod_as_ready_even_terminating() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  publishNotReadyAddresses: true\n  selector:\n    app: db\n  ports:\n  - port: 5432\n    protocol: TCP\n    targetPort: 5432\n",
    );
    running_pod(&mut sim, "unready", &[("app", "db")], "10.244.1.20", false);
    ready_pod(&mut sim, "leaving", &[("app", "db")], "10.244.1.21");
    delete(&mut sim, Kind::Pod, "leaving");
    let (ready, not_ready) = ep_ips(&endpoints(&sim, "db"));
    assert_eq!(
        ready,
        ["10.244.1.20".to_string(), "10.244.1.21".to_string()].into()
    );
    assert!(not_ready.is_empty());
    assert_eq!(
        slice_endpoints(&slices(&sim, "db")),
        [
            ("10.244.1.20".to_string(), true, false, false),
            ("10.244.1.21".to_string(), true, true, true),
        ]
        .into()
    );
}

#[test]
fn rule40_terminating_pod_is_not_in_endpoints() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    ready_pod(&mut sim, "b", &[("app", "web")], "10.244.1.11");
    let gone = delete(&mut sim, Kind::Pod, "b");
    assert!(
        meta::is_terminating(&gone),
        "a running pod is deleted gracefully"
    );
    let (ready, not_ready) = ep_ips(&endpoints(&sim, "web"));
    assert_eq!(ready, ["10.244.1.10".to_string()].into());
    assert!(not_ready.is_empty());
}

#[test]
fn rule41_int_target_port_is_used_verbatim_without_checking_the_container() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "9999");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let ep = endpoints(&sim, "web");
    assert_eq!(
        ep["subsets"][0]["ports"],
        json!([{"name": "web", "port": 9999, "protocol": "TCP"}])
    );
}

#[test]
fn rule41_named_target_port_resolves_by_name_and_protocol_first_container_first() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: dns\nspec:\n  selector:\n    app: dns\n  ports:\n  - name: dns\n    port: 53\n    protocol: UDP\n    targetPort: dns\n  - name: dns-tcp\n    port: 53\n    protocol: TCP\n    targetPort: dns\n",
    );
    // Same name on both protocols: each service port takes the one of its own protocol.
    sim.create(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "d", "namespace": "default", "labels": {"app": "dns"}},
        "spec": {"nodeName": NODE, "containers": [
            {"name": "one", "image": "coredns", "ports": [{"name": "dns", "containerPort": 1053, "protocol": "UDP"}]},
            // Port names are unique per container (validateContainerPorts), so the TCP `dns`
            // lives in a third container.
            {"name": "two", "image": "coredns", "ports": [{"name": "dns", "containerPort": 2053, "protocol": "UDP"}]},
            {"name": "three", "image": "coredns", "ports": [{"name": "dns", "containerPort": 5353, "protocol": "TCP"}]},
        ]},
    }))
    .expect("pod");
    set_status(&mut sim, "d", "Running", "10.244.1.30", true);
    let ep = endpoints(&sim, "dns");
    assert_eq!(
        ep["subsets"][0]["ports"],
        json!([
            {"name": "dns", "port": 1053, "protocol": "UDP"},
            {"name": "dns-tcp", "port": 5353, "protocol": "TCP"},
        ])
    );
}

#[test]
fn rule41_named_port_of_a_sidecar_init_container_counts_but_a_plain_init_container_does_not() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "metrics");
    for (name, policy) in [
        ("with-sidecar", json!("Always")),
        ("with-init", json!(null)),
    ] {
        sim.create(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "nodeName": NODE,
                "initContainers": [{"name": "side", "image": "exporter", "restartPolicy": policy,
                    "ports": [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]}],
                "containers": [{"name": "app", "image": "nginx"}],
            },
        }))
        .expect("pod");
    }
    set_status(&mut sim, "with-sidecar", "Running", "10.244.1.40", true);
    set_status(&mut sim, "with-init", "Running", "10.244.1.41", true);
    let (ready, _) = ep_ips(&endpoints(&sim, "web"));
    assert_eq!(ready, ["10.244.1.40".to_string()].into());
}

#[test]
fn rule42_named_target_port_missing_on_pod_gives_endpoints_none() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "http-alt");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let ep = endpoints(&sim, "web");
    // No `subsets` key at all: `kubectl get ep` prints <none>.
    assert_eq!(ep.get("subsets"), None);
}

#[test]
fn rule42_a_pod_lacking_one_named_port_is_left_out_of_that_port_only() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    protocol: TCP\n    targetPort: http\n  - name: metrics\n    port: 9100\n    protocol: TCP\n    targetPort: metrics\n",
    );
    let both = pod(
        &mut sim,
        "both",
        &[("app", "web")],
        &[("http", 8080, "TCP"), ("metrics", 9100, "TCP")],
    );
    set_status(&mut sim, "both", "Running", "10.244.1.10", true);
    let http_only = pod(
        &mut sim,
        "http-only",
        &[("app", "web")],
        &[("http", 8080, "TCP")],
    );
    set_status(&mut sim, "http-only", "Running", "10.244.1.11", true);
    let addr = |p: &serde_json::Value, ip: &str| json!({"ip": ip, "nodeName": NODE, "targetRef": target_ref(p)});
    assert_eq!(
        endpoints(&sim, "web")["subsets"],
        json!([
            {
                "addresses": [addr(&both, "10.244.1.10"), addr(&http_only, "10.244.1.11")],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            },
            {
                "addresses": [addr(&both, "10.244.1.10")],
                "ports": [{"name": "metrics", "port": 9100, "protocol": "TCP"}],
            },
        ])
    );
}

#[test]
fn rule43_endpoints_are_named_after_the_service_carry_its_labels_and_exist_with_zero_pods() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    team: a\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n",
    );
    let ep = endpoints(&sim, "web");
    assert_eq!(ep["metadata"]["labels"], json!({"team": "a"}));
    assert_eq!(ep["metadata"]["namespace"], "default");
    assert_eq!(ep.get("subsets"), None);
    assert_eq!(ep["metadata"].get("annotations"), None);
    // The Service's labels follow edits.
    sim.patch(
        Kind::Service,
        "default",
        "web",
        PatchType::Merge,
        &json!({"metadata": {"labels": {"team": "b"}}}),
        Subresource::Main,
    )
    .expect("patch");
    assert_eq!(
        endpoints(&sim, "web")["metadata"]["labels"],
        json!({"team": "b"})
    );
}

#[test]
fn rule43_headless_service_endpoints_are_labelled_and_portless_addresses_are_kept() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: None\n  selector:\n    app: db\n",
    );
    let p = ready_pod(&mut sim, "db-0", &[("app", "db")], "10.244.1.50");
    let ep = endpoints(&sim, "db");
    assert_eq!(
        ep["metadata"]["labels"],
        json!({"service.kubernetes.io/headless": ""})
    );
    assert_eq!(
        ep["subsets"],
        json!([{"addresses": [{"ip": "10.244.1.50", "nodeName": NODE, "targetRef": target_ref(&p)}]}])
    );
    let s = only_slice(&sim, "db");
    assert_eq!(
        s["metadata"]["labels"]["service.kubernetes.io/headless"],
        ""
    );
    assert_eq!(s["ports"], json!(null));
    assert_eq!(s["endpoints"].as_array().map(Vec::len), Some(1));
}

#[test]
fn rule43_hostname_is_set_only_when_the_pod_subdomain_names_the_service() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: None\n  selector:\n    app: db\n  ports:\n  - port: 5432\n    protocol: TCP\n    targetPort: 5432\n",
    );
    for (name, sub) in [("db-0", "db"), ("db-1", "other")] {
        sim.create(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "db"}},
            "spec": {"nodeName": NODE, "hostname": name, "subdomain": sub,
                     "containers": [{"name": "pg", "image": "postgres"}]},
        }))
        .expect("pod");
    }
    set_status(&mut sim, "db-0", "Running", "10.244.1.60", true);
    set_status(&mut sim, "db-1", "Running", "10.244.1.61", true);
    let ep = endpoints(&sim, "db");
    let addrs = ep["subsets"][0]["addresses"]
        .as_array()
        .expect("addresses")
        .clone();
    assert_eq!(addrs[0]["hostname"], "db-0");
    assert_eq!(addrs[1].get("hostname"), None);
    let s = only_slice(&sim, "db");
    let eps = s["endpoints"].as_array().expect("endpoints");
    let host = |n: &str| {
        eps.iter()
            .find(|e| e["targetRef"]["name"] == n)
            .and_then(|e| e.get("hostname").cloned())
    };
    assert_eq!(host("db-0"), Some(json!("db-0")));
    assert_eq!(host("db-1"), None);
}

#[test]
fn rule43_more_than_1000_addresses_are_truncated_with_the_over_capacity_annotation() {
    let mut sim = sim();
    // Pods first (labelled so no Service matches yet), then one Service over all of them.
    for i in 0..1005u32 {
        let name = format!("p{i:04}");
        pod(&mut sim, &name, &[("app", "big")], &[]);
        let ip = format!("10.244.{}.{}", 10 + i / 250, 1 + i % 250);
        set_status(&mut sim, &name, "Running", &ip, i % 2 == 0);
    }
    service(&mut sim, "big", "big", "8080");
    let ep = endpoints(&sim, "big");
    assert_eq!(
        ep["metadata"]["annotations"],
        json!({"endpoints.kubernetes.io/over-capacity": "truncated"})
    );
    let (ready, not_ready) = ep_ips(&ep);
    // 503 ready fit; the not-ready ones fill up to 1000.
    assert_eq!(ready.len(), 503);
    assert_eq!(not_ready.len(), 497);
    // Slices are never truncated: 1005 endpoints in 11 slices of at most 100.
    let s = slices(&sim, "big");
    assert_eq!(s.len(), 11);
    assert_eq!(slice_endpoints(&s).len(), 1005);
}

#[test]
fn rule44_a_service_without_selector_leaves_user_endpoints_and_slices_alone() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  ports:\n  - port: 443\n    protocol: TCP\n    targetPort: 443\n",
    );
    assert!(
        sim.get(Kind::Endpoints, "default", "ext").is_err(),
        "no managed Endpoints"
    );
    assert!(slices(&sim, "ext").is_empty(), "no managed slices");
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: ext\nsubsets:\n- addresses:\n  - ip: 192.0.2.10\n  ports:\n  - port: 443\n",
    );
    apply(
        &mut sim,
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ext-1\n  labels:\n    kubernetes.io/service-name: ext\naddressType: IPv4\nendpoints:\n- addresses: [192.0.2.10]\nports:\n- port: 443\n",
    );
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let ep = endpoints(&sim, "ext");
    assert_eq!(ep["subsets"][0]["addresses"], json!([{"ip": "192.0.2.10"}]));
    // The user's slice is left as written; the hand-written Endpoints is mirrored beside it
    // (kubernetes.io docs, EndpointSlices "Mirroring": a selectorless Service's Endpoints are
    // mirrored unless labelled skip-mirror).
    let all = slices(&sim, "ext");
    assert_eq!(all.len(), 2, "{all:#?}");
    let user = all
        .iter()
        .find(|s| meta::name(s) == "ext-1")
        .expect("user slice");
    assert_eq!(user["endpoints"], json!([{"addresses": ["192.0.2.10"]}]));
    let mirror = all
        .iter()
        .find(|s| meta::name(s) != "ext-1")
        .expect("mirrored slice");
    assert_eq!(
        mirror["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslicemirroring-controller.k8s.io"
    );
}

#[test]
fn rule44_the_bootstrap_kubernetes_endpoints_and_slice_survive() {
    let mut sim = sim();
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let ep = endpoints(&sim, "kubernetes");
    assert_eq!(ep["subsets"][0]["addresses"], json!([{"ip": "172.30.1.2"}]));
    let s = only_slice(&sim, "kubernetes");
    assert_eq!(meta::name(&s), "kubernetes");
    assert_eq!(s["endpoints"][0]["addresses"], json!(["172.30.1.2"]));
}

#[test]
fn rule44_an_external_name_service_gets_no_endpoints_or_slices() {
    let mut sim = sim();
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\nspec:\n  type: ExternalName\n  externalName: example.com\n  selector:\n    app: web\n",
    );
    assert!(sim.get(Kind::Endpoints, "default", "ext").is_err());
    assert!(slices(&sim, "ext").is_empty());
}

#[test]
fn rule44_a_selector_matching_nothing_gives_empty_endpoints_and_a_placeholder_slice() {
    let mut sim = sim();
    service(&mut sim, "web", "nothing", "8080");
    assert_eq!(endpoints(&sim, "web").get("subsets"), None);
    let s = only_slice(&sim, "web");
    assert_eq!(s["endpoints"], json!(null));
    assert_eq!(s["ports"], json!(null));
}

#[test]
fn rule37_deleting_a_service_deletes_its_endpoints_and_slices() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    assert_eq!(slices(&sim, "web").len(), 1);
    delete(&mut sim, Kind::Service, "web");
    assert!(sim.get(Kind::Endpoints, "default", "web").is_err());
    assert!(slices(&sim, "web").is_empty());
}

#[test]
fn rule47_a_selector_edit_moves_the_endpoints_at_once() {
    let mut sim = sim();
    service(&mut sim, "web", "blue", "8080");
    ready_pod(&mut sim, "b", &[("app", "blue")], "10.244.1.10");
    ready_pod(&mut sim, "g", &[("app", "green")], "10.244.1.11");
    assert_eq!(
        ep_ips(&endpoints(&sim, "web")).0,
        ["10.244.1.10".to_string()].into()
    );
    sim.patch(
        Kind::Service,
        "default",
        "web",
        PatchType::Merge,
        &json!({"spec": {"selector": {"app": "green"}}}),
        Subresource::Main,
    )
    .expect("patch");
    assert_eq!(
        ep_ips(&endpoints(&sim, "web")).0,
        ["10.244.1.11".to_string()].into()
    );
    assert_eq!(
        slice_endpoints(&slices(&sim, "web")),
        [("10.244.1.11".to_string(), true, true, false)].into()
    );
}

#[test]
fn rule47_relabelling_a_pod_out_of_the_selector_removes_it() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    ready_pod(&mut sim, "b", &[("app", "web")], "10.244.1.11");
    sim.patch(
        Kind::Pod,
        "default",
        "b",
        PatchType::Merge,
        &json!({"metadata": {"labels": {"app": "debug"}}}),
        Subresource::Main,
    )
    .expect("relabel");
    assert_eq!(
        ep_ips(&endpoints(&sim, "web")).0,
        ["10.244.1.10".to_string()].into()
    );
    assert_eq!(
        slice_endpoints(&slices(&sim, "web")),
        [("10.244.1.10".to_string(), true, true, false)].into()
    );
}

#[test]
fn rule47_a_deleted_endpoints_object_is_recreated() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    delete(&mut sim, Kind::Endpoints, "web");
    assert_eq!(
        ep_ips(&endpoints(&sim, "web")).0,
        ["10.244.1.10".to_string()].into()
    );
}

#[test]
fn rule44_changing_a_service_to_external_name_leaves_its_last_endpoints_as_upstream_does() {
    // endpoints_controller.go and endpointslice_controller.go return early for ExternalName
    // (issues.k8s.io/105986) without deleting what they made before: the objects go stale.
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    sim.patch(
        Kind::Service,
        "default",
        "web",
        PatchType::Merge,
        &json!({"spec": {"type": "ExternalName", "externalName": "example.com"}}),
        Subresource::Main,
    )
    .expect("to ExternalName");
    ready_pod(&mut sim, "b", &[("app", "web")], "10.244.1.11");
    assert_eq!(
        ep_ips(&endpoints(&sim, "web")).0,
        ["10.244.1.10".to_string()].into()
    );
    assert_eq!(slice_endpoints(&slices(&sim, "web")).len(), 1);
}

#[test]
fn rule43_the_bootstrap_kube_dns_service_has_controller_made_endpoints_and_a_slice() {
    let sim = sim();
    let ep = endpoints_in(&sim, "kube-system", "kube-dns");
    assert_eq!(
        ep["metadata"]["labels"],
        json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"})
    );
    let s = slices_in(&sim, "kube-system", "kube-dns");
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert!(meta::name(&s[0]).starts_with("kube-dns-"));
}
