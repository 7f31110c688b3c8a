//! `kubectl get svc,endpoints,endpointslices` as the server prints them (`printService`,
//! `printEndpoints`, `printEndpointSlice`): the columns a Services troubleshooting task reads.

mod table_support;

use kubedrill_apiserver::table::{TableOptions, table};
use kubedrill_sim::{ClusterConfig, Kind, ManualClock, Sim};
use std::net::Ipv4Addr;
use std::sync::Arc;
use table_support::*;

const SHOP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: REPLICAS\n  selector:\n    matchLabels:\n      app: shop\n  template:\n    metadata:\n      labels:\n        app: shop\n        tier: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";

fn shop(replicas: u32) -> String {
    SHOP.replace("REPLICAS", &replicas.to_string())
}

const NODEPORT: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  type: NodePort\n  selector:\n    tier: web\n    app: shop\n  ports:\n  - name: http\n    port: 80\n    targetPort: 80\n    nodePort: 30080\n  - name: https\n    port: 443\n    targetPort: 80\n    nodePort: 30443\n";

#[test]
fn service_columns_are_upstream_with_selector_wide() {
    let (sim, _c) = sim_with("");
    let t = table_now(&sim, Kind::Service, Some("default"));
    assert_eq!(
        column_names(&t),
        [
            "Name",
            "Type",
            "Cluster-IP",
            "External-IP",
            "Port(s)",
            "Age",
            "Selector"
        ]
    );
    assert_eq!(
        narrow_names(&t),
        [
            "Name",
            "Type",
            "Cluster-IP",
            "External-IP",
            "Port(s)",
            "Age"
        ]
    );
}

#[test]
fn the_kubernetes_service_prints_as_in_the_recorded_kubectl_transcript() {
    // KUBECTL-CONTRACT Appendix C: `kubernetes   ClusterIP   10.96.0.1    <none>   443/TCP   5m`.
    let (sim, _c) = sim_with("");
    let t = table_at(&sim, Kind::Service, Some("default"), later(&sim, 300));
    assert_eq!(
        row(&t, "kubernetes")["cells"],
        serde_json::json!([
            "kubernetes",
            "ClusterIP",
            "10.96.0.1",
            "<none>",
            "443/TCP",
            "5m",
            "<none>"
        ])
    );
}

#[test]
fn a_nodeport_service_prints_port_colon_node_port_per_port_and_its_sorted_selector() {
    let (sim, _c) = sim_with(NODEPORT);
    let svc = sim.get(Kind::Service, "default", "shop").expect("svc");
    let t = table_now(&sim, Kind::Service, Some("default"));
    assert_eq!(text(&t, "shop", "Type"), "NodePort");
    assert_eq!(
        text(&t, "shop", "Cluster-IP"),
        svc["spec"]["clusterIPs"][0].as_str().expect("ip")
    );
    assert_eq!(text(&t, "shop", "External-IP"), "<none>");
    assert_eq!(text(&t, "shop", "Port(s)"), "80:30080/TCP,443:30443/TCP");
    assert_eq!(text(&t, "shop", "Selector"), "app=shop,tier=web");
}

#[test]
fn a_load_balancer_without_a_controller_is_pending_and_with_a_pool_shows_its_ip() {
    let lb = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\nspec:\n  type: LoadBalancer\n  selector:\n    app: shop\n  ports:\n  - port: 80\n    protocol: UDP\n";
    let (sim, _c) = sim_with(lb);
    let t = table_now(&sim, Kind::Service, Some("default"));
    assert_eq!(text(&t, "lb", "External-IP"), "<pending>");
    let node_port =
        sim.get(Kind::Service, "default", "lb").expect("svc")["spec"]["ports"][0]["nodePort"]
            .as_i64()
            .expect("allocated nodePort");
    assert_eq!(text(&t, "lb", "Port(s)"), format!("80:{node_port}/UDP"));

    let config = ClusterConfig {
        load_balancer_pool: Some((Ipv4Addr::new(172, 30, 1, 240), 28)),
        ..ClusterConfig::default()
    };
    let mut sim = Sim::new(config, Arc::new(ManualClock::at_epoch())).expect("sim");
    sim.apply_yaml(lb).expect("apply");
    let svc = sim.get(Kind::Service, "default", "lb").expect("svc");
    let ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .expect("an address from the pool")
        .to_string();
    let t = table_now(&sim, Kind::Service, Some("default"));
    assert_eq!(text(&t, "lb", "External-IP"), ip);
}

#[test]
fn external_ips_are_listed_and_an_external_name_service_prints_its_dns_name() {
    let m = "apiVersion: v1\nkind: Service\nmetadata:\n  name: pinned\nspec:\n  selector:\n    app: shop\n  externalIPs:\n  - 192.0.2.10\n  - 192.0.2.11\n  ports:\n  - port: 8080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  type: ExternalName\n  externalName: db.example.com\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: headless\nspec:\n  clusterIP: None\n  selector:\n    app: shop\n  ports:\n  - port: 80\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Service, Some("default"));
    assert_eq!(text(&t, "pinned", "External-IP"), "192.0.2.10,192.0.2.11");
    assert_eq!(text(&t, "pinned", "Port(s)"), "8080/TCP");
    assert_eq!(text(&t, "db", "Cluster-IP"), "<none>");
    assert_eq!(text(&t, "db", "External-IP"), "db.example.com");
    assert_eq!(text(&t, "db", "Port(s)"), "<none>");
    assert_eq!(text(&t, "db", "Selector"), "<none>");
    assert_eq!(text(&t, "headless", "Cluster-IP"), "None");
}

fn ready_ips(sim: &Sim, name: &str) -> Vec<String> {
    let ep = sim
        .get(Kind::Endpoints, "default", name)
        .expect("endpoints");
    ep["subsets"][0]["addresses"]
        .as_array()
        .expect("addresses")
        .iter()
        .map(|a| a["ip"].as_str().expect("ip").to_string())
        .collect()
}

#[test]
fn endpoints_without_matching_pods_print_none() {
    let (sim, _c) = sim_with(NODEPORT);
    let t = table_now(&sim, Kind::Endpoints, Some("default"));
    assert_eq!(column_names(&t), ["Name", "Endpoints", "Age"]);
    assert_eq!(text(&t, "shop", "Endpoints"), "<none>");
    assert_eq!(text(&t, "kubernetes", "Endpoints"), "172.30.1.2:6443");
}

#[test]
fn endpoints_list_ip_port_pairs_port_by_port_and_stop_after_three() {
    let (sim, _c) = sim_with(&format!("{}---\n{NODEPORT}", shop(2)));
    let ips = ready_ips(&sim, "shop");
    let ep = sim
        .get(Kind::Endpoints, "default", "shop")
        .expect("endpoints");
    let ports: Vec<i64> = ep["subsets"][0]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| p["port"].as_i64().expect("port"))
        .collect();
    assert_eq!(ports.len(), 2);
    let t = table_now(&sim, Kind::Endpoints, Some("default"));
    // Both target port 80: each address once per port, ports outermost, 4 pairs in all.
    assert_eq!(
        text(&t, "shop", "Endpoints"),
        format!(
            "{}:{},{}:{},{}:{} + 1 more...",
            ips[0], ports[0], ips[1], ports[0], ips[0], ports[1]
        )
    );

    let (sim, _c) = sim_with(&format!(
        "{}---\n{}",
        shop(2),
        NODEPORT.replace(
            "  - name: https\n    port: 443\n    targetPort: 80\n    nodePort: 30443\n",
            ""
        )
    ));
    let ips = ready_ips(&sim, "shop");
    let t = table_now(&sim, Kind::Endpoints, Some("default"));
    assert_eq!(
        text(&t, "shop", "Endpoints"),
        format!("{}:80,{}:80", ips[0], ips[1])
    );
}

#[test]
fn endpoint_slices_print_address_type_ports_and_at_most_three_addresses() {
    let (sim, _c) = sim_with(&format!("{}---\n{NODEPORT}", shop(4)));
    let slice_name = name_starting(&sim, Kind::EndpointSlice, "default", "shop-");
    let slice = sim
        .get(Kind::EndpointSlice, "default", &slice_name)
        .expect("slice");
    let addrs: Vec<&str> = slice["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .flat_map(|e| e["addresses"].as_array().expect("addresses").iter())
        .map(|a| a.as_str().expect("address"))
        .collect();
    assert_eq!(addrs.len(), 4);
    let t = table_now(&sim, Kind::EndpointSlice, Some("default"));
    assert_eq!(
        column_names(&t),
        ["Name", "AddressType", "Ports", "Endpoints", "Age"]
    );
    assert_eq!(text(&t, &slice_name, "AddressType"), "IPv4");
    assert_eq!(text(&t, &slice_name, "Ports"), "80,80");
    assert_eq!(
        text(&t, &slice_name, "Endpoints"),
        format!("{},{},{} + 1 more...", addrs[0], addrs[1], addrs[2])
    );
}

#[test]
fn an_endpoint_slice_with_no_endpoints_prints_unset() {
    let (sim, _c) = sim_with(NODEPORT);
    let slice_name = name_starting(&sim, Kind::EndpointSlice, "default", "shop-");
    let t = table_now(&sim, Kind::EndpointSlice, Some("default"));
    assert_eq!(text(&t, &slice_name, "Endpoints"), "<unset>");
    assert_eq!(text(&t, &slice_name, "Ports"), "<unset>");
}

#[test]
fn a_load_balancer_lists_its_ingress_points_sorted_then_its_external_ips() {
    let svc = serde_json::json!({"metadata": {"name": "lb", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.0.20"], "externalIPs": ["198.51.100.7"],
                 "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}]},
        "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}, {"ip": "192.0.2.5"}]}}});
    let now = "2026-01-01T00:00:00Z".parse().expect("time");
    let t = table(Kind::Service, &[&svc], &TableOptions::default(), now);
    assert_eq!(
        text(&t, "lb", "External-IP"),
        "192.0.2.5,lb.example.com,198.51.100.7"
    );
    assert_eq!(text(&t, "lb", "Port(s)"), "443:31443/TCP");
}

#[test]
fn endpoints_of_a_port_less_subset_print_bare_ips_and_skip_not_ready_addresses() {
    let ep = serde_json::json!({"metadata": {"name": "db", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "subsets": [{"addresses": [{"ip": "10.244.1.5"}, {"ip": "10.244.2.3"}],
                     "notReadyAddresses": [{"ip": "10.244.1.9"}]}]});
    let now = "2026-01-01T00:00:00Z".parse().expect("time");
    let t = table(Kind::Endpoints, &[&ep], &TableOptions::default(), now);
    assert_eq!(text(&t, "db", "Endpoints"), "10.244.1.5,10.244.2.3");
}
