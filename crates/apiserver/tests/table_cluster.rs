//! `kubectl get nodes,ns,events,cm,sa,ingress,ingressclass,netpol` as the server prints them,
//! and the shape every kind's Table shares.

mod table_support;

use kubedrill_apiserver::table::{TableOptions, table};
use kubedrill_sim::{DeleteOptions, Kind, ListOptions, PatchType, Subresource};
use serde_json::json;
use table_support::*;

#[test]
fn nodes_print_ready_roles_kubelet_version_and_wide_addresses_and_runtime() {
    let (sim, _c) = sim_with("");
    let t = table_at(&sim, Kind::Node, None, later(&sim, 51 * 3600));
    assert_eq!(
        column_names(&t),
        [
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            "Internal-IP",
            "External-IP",
            "OS-Image",
            "Kernel-Version",
            "Container-Runtime"
        ]
    );
    assert_eq!(
        narrow_names(&t),
        ["Name", "Status", "Roles", "Age", "Version"]
    );
    assert_eq!(
        row(&t, "controlplane")["cells"],
        json!([
            "controlplane",
            "Ready",
            "control-plane",
            "2d3h",
            "v1.35.0",
            "172.30.1.2",
            "<none>",
            "Ubuntu 24.04.3 LTS",
            "6.8.0-1029",
            "containerd://2.1.4"
        ])
    );
    assert_eq!(text(&t, "node01", "Roles"), "<none>");
}

#[test]
fn a_cordoned_node_prints_ready_scheduling_disabled() {
    let (mut sim, _c) = sim_with("");
    sim.patch(
        Kind::Node,
        "",
        "node01",
        PatchType::Strategic,
        &json!({"spec": {"unschedulable": true}}),
        Subresource::Main,
    )
    .expect("cordon");
    let t = table_now(&sim, Kind::Node, None);
    assert_eq!(text(&t, "node01", "Status"), "Ready,SchedulingDisabled");
    assert_eq!(text(&t, "node02", "Status"), "Ready");
}

#[test]
fn node_roles_come_from_role_labels_sorted_and_a_missing_ready_condition_is_unknown() {
    let node = json!({"metadata": {"name": "n", "creationTimestamp": "2026-01-01T00:00:00Z",
        "labels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "edge",
                   "node-role.kubernetes.io/": ""}},
        "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}],
                   "nodeInfo": {"kubeletVersion": "v1.32.4"}}});
    let t = table(
        Kind::Node,
        &[&node],
        &TableOptions::default(),
        jiff::Timestamp::UNIX_EPOCH,
    );
    assert_eq!(text(&t, "n", "Roles"), "edge,worker");
    assert_eq!(text(&t, "n", "Status"), "Unknown");
    assert_eq!(text(&t, "n", "Age"), "<invalid>");
    assert_eq!(text(&t, "n", "OS-Image"), "<unknown>");
    assert_eq!(text(&t, "n", "Internal-IP"), "<none>");
}

#[test]
fn namespaces_print_their_phase_active_then_terminating_while_emptied() {
    let m = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: sleeper\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n";
    let (mut sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Namespace, None);
    assert_eq!(column_names(&t), ["Name", "Status", "Age"]);
    assert_eq!(row(&t, "shop")["cells"], json!(["shop", "Active", "0s"]));
    sim.delete(Kind::Namespace, "", "shop", &DeleteOptions::default())
        .expect("delete");
    let t = table_now(&sim, Kind::Namespace, None);
    assert_eq!(text(&t, "shop", "Status"), "Terminating");
}

#[test]
fn events_print_last_seen_type_reason_object_message_and_wide_details() {
    let web = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n";
    let (sim, _c) = sim_with(web);
    let node = sim.get(Kind::Pod, "default", "web").expect("pod")["spec"]["nodeName"]
        .as_str()
        .expect("bound")
        .to_string();
    let events = sim
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .expect("events");
    let scheduled = events
        .items
        .iter()
        .find(|e| e["reason"] == "Scheduled")
        .expect("a Scheduled event");
    let pulling = events
        .items
        .iter()
        .find(|e| e["reason"] == "Pulling")
        .expect("a Pulling event");
    let t = table_at(&sim, Kind::Event, Some("default"), later(&sim, 65));
    let cols = columns(&t);
    let got: Vec<(&str, &str, i64)> = cols
        .iter()
        .map(|c| (c.0.as_str(), c.2.as_str(), c.3))
        .collect();
    assert_eq!(
        got,
        [
            ("Last Seen", "", 0),
            ("Type", "", 0),
            ("Reason", "", 0),
            ("Object", "", 0),
            ("Subobject", "", 1),
            ("Source", "", 1),
            ("Message", "", 0),
            ("First Seen", "", 1),
            ("Count", "", 1),
            ("Name", "name", 1),
        ]
    );
    let name = scheduled["metadata"]["name"].as_str().expect("name");
    assert_eq!(
        row(&t, name)["cells"],
        json!([
            "65s",
            "Normal",
            "Scheduled",
            "pod/web",
            "",
            "default-scheduler",
            format!("Successfully assigned default/web to {node}"),
            "65s",
            1,
            name
        ])
    );
    let pulling = pulling["metadata"]["name"].as_str().expect("name");
    assert_eq!(text(&t, pulling, "Source"), format!("kubelet, {node}"));
}

#[test]
fn an_event_without_timestamps_falls_back_to_event_time_and_series_overrides_last_seen() {
    let ev = json!({"apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "e1", "namespace": "default"},
        "involvedObject": {"kind": "Node", "name": ""},
        "reason": "Rebooted", "type": "Warning", "message": "  node rebooted  \n",
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingComponent": "kubelet", "reportingInstance": "node01",
        "series": {"count": 4, "lastObservedTime": "2026-01-01T00:09:00.500000Z"}});
    let now = "2026-01-01T00:10:00Z".parse().expect("time");
    let t = table(Kind::Event, &[&ev], &TableOptions::default(), now);
    assert_eq!(
        row(&t, "e1")["cells"],
        json!([
            "59s",
            "Warning",
            "Rebooted",
            "node",
            "",
            "kubelet, node01",
            "node rebooted",
            "10m",
            4,
            "e1"
        ])
    );
}

#[test]
fn configmaps_count_data_and_binary_data_and_service_accounts_count_secrets() {
    let m = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  a: \"1\"\n  b: \"2\"\nbinaryData:\n  c: aGk=\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\nsecrets:\n- name: robot-token\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::ConfigMap, Some("default"));
    assert_eq!(column_names(&t), ["Name", "Data", "Age"]);
    assert_eq!(row(&t, "conf")["cells"], json!(["conf", 3, "0s"]));
    assert_eq!(cell(&t, "kube-root-ca.crt", "Data"), &json!(1));
    let t = table_now(&sim, Kind::ServiceAccount, Some("default"));
    assert_eq!(column_names(&t), ["Name", "Secrets", "Age"]);
    assert_eq!(row(&t, "robot")["cells"], json!(["robot", 1, "0s"]));
    assert_eq!(row(&t, "default")["cells"], json!(["default", 0, "0s"]));
}

const INGRESSES: &str = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: external\nspec:\n  controller: example.com/lb\n  parameters:\n    apiGroup: k8s.example.com\n    kind: IngressParameters\n    name: external-lb\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\nspec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: shop\n            port:\n              number: 80\n  - host: api.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: api\n            port:\n              number: 80\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: catchall\nspec:\n  defaultBackend:\n    service:\n      name: shop\n      port:\n        number: 80\n";

#[test]
fn ingresses_print_class_hosts_address_and_ports() {
    let (sim, _c) = sim_with(INGRESSES);
    let t = table_now(&sim, Kind::Ingress, Some("default"));
    assert_eq!(
        column_names(&t),
        ["Name", "Class", "Hosts", "Address", "Ports", "Age"]
    );
    assert_eq!(
        row(&t, "shop")["cells"],
        json!([
            "shop",
            "nginx",
            "shop.example.com,api.example.com",
            "",
            "80, 443",
            "0s"
        ])
    );
    assert_eq!(text(&t, "catchall", "Class"), "<none>");
    assert_eq!(text(&t, "catchall", "Hosts"), "*");
    assert_eq!(text(&t, "catchall", "Ports"), "80");
}

#[test]
fn ingress_hosts_stop_after_three_and_addresses_are_sorted_and_unique() {
    let rule = |h: &str| json!({"host": h});
    let ing = json!({"metadata": {"name": "many", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"rules": [rule("a.example.com"), rule(""), rule("c.example.com"), rule("d.example.com"), rule("e.example.com")]},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.9"}, {"hostname": "lb.example.com"}, {"ip": "192.0.2.1"}, {"ip": "192.0.2.9"}]}}});
    let t = table(
        Kind::Ingress,
        &[&ing],
        &TableOptions::default(),
        "2026-01-01T00:00:00Z".parse().expect("time"),
    );
    assert_eq!(
        text(&t, "many", "Hosts"),
        "a.example.com,c.example.com,d.example.com + 2 more..."
    );
    assert_eq!(
        text(&t, "many", "Address"),
        "192.0.2.1,192.0.2.9,lb.example.com"
    );
}

#[test]
fn ingress_classes_print_controller_and_parameters_reference() {
    let (sim, _c) = sim_with(INGRESSES);
    let t = table_now(&sim, Kind::IngressClass, None);
    assert_eq!(
        column_names(&t),
        ["Name", "Controller", "Parameters", "Age"]
    );
    assert_eq!(
        row(&t, "nginx")["cells"],
        json!(["nginx", "k8s.io/ingress-nginx", "<none>", "0s"])
    );
    assert_eq!(
        text(&t, "external", "Parameters"),
        "IngressParameters.k8s.example.com/external-lb"
    );
}

#[test]
fn network_policies_print_their_pod_selector_or_none_for_all_pods() {
    let m = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\nspec:\n  podSelector:\n    matchLabels:\n      app: shop\n    matchExpressions:\n    - key: role\n      operator: In\n      values: [db, api]\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::NetworkPolicy, Some("default"));
    assert_eq!(column_names(&t), ["Name", "Pod-Selector", "Age"]);
    assert_eq!(text(&t, "deny-all", "Pod-Selector"), "<none>");
    assert_eq!(text(&t, "api", "Pod-Selector"), "app=shop,role in (api,db)");
}

#[test]
fn every_kind_prints_one_cell_per_column_and_an_empty_list_prints_no_rows() {
    let m = format!(
        "{INGRESSES}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {{}}\n"
    );
    let (sim, _c) = sim_with(&m);
    for kind in Kind::ALL {
        let t = table_now(&sim, kind, None);
        let n = columns(&t).len();
        assert!(n >= 2, "{kind:?} has columns");
        for r in t["rows"].as_array().expect("rows") {
            assert_eq!(
                r["cells"].as_array().expect("cells").len(),
                n,
                "{kind:?}: {r}"
            );
            assert_eq!(r["object"]["kind"], "PartialObjectMetadata");
        }
        if kind != Kind::StatefulSet {
            assert!(
                !t["rows"].as_array().expect("rows").is_empty(),
                "{kind:?} has objects to print"
            );
        }
        let empty = table(kind, &[], &TableOptions::default(), sim.now());
        assert_eq!(empty["rows"], json!([]));
        assert_eq!(empty["columnDefinitions"], t["columnDefinitions"]);
    }
}
