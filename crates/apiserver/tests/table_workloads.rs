//! `kubectl get deploy,rs,sts` as the server prints them (`printDeployment`,
//! `printReplicaSet`, `printStatefulSet`).

mod table_support;

use kubedrill_sim::{Kind, PatchType, Subresource};
use serde_json::json;
use table_support::*;

const SHOP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: shop\n    matchExpressions:\n    - key: tier\n      operator: In\n      values: [web, edge]\n  template:\n    metadata:\n      labels:\n        app: shop\n        tier: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n      - name: sidecar\n        image: busybox\n        command: [\"sleep\", \"1d\"]\n";

#[test]
fn deployment_columns_are_upstream_with_containers_images_selector_wide() {
    let (sim, _c) = sim_with(SHOP);
    let t = table_now(&sim, Kind::Deployment, Some("default"));
    let cols = columns(&t);
    let got: Vec<(&str, &str, i64)> = cols
        .iter()
        .map(|c| (c.0.as_str(), c.1.as_str(), c.3))
        .collect();
    assert_eq!(
        got,
        [
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Up-to-date", "string", 0),
            ("Available", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]
    );
}

#[test]
fn a_settled_deployment_prints_ready_over_desired_and_integer_counts() {
    let (sim, _c) = sim_with(SHOP);
    let t = table_at(&sim, Kind::Deployment, Some("default"), later(&sim, 120));
    assert_eq!(
        row(&t, "shop")["cells"],
        json!([
            "shop",
            "2/2",
            2,
            2,
            "2m",
            "web,sidecar",
            "nginx:1.27,busybox",
            "app=shop,tier in (edge,web)"
        ])
    );
}

#[test]
fn a_deployment_whose_pods_never_get_ready_prints_0_ready_and_0_available() {
    let m = SHOP.replace(
        "        image: nginx:1.27\n",
        "        image: nginx:1.27\n        readinessProbe:\n          httpGet:\n            path: /\n            port: 8080\n",
    );
    let (sim, _c) = sim_with(&m);
    let t = table_now(&sim, Kind::Deployment, Some("default"));
    assert_eq!(text(&t, "shop", "Ready"), "0/2");
    assert_eq!(cell(&t, "shop", "Up-to-date"), &json!(2));
    assert_eq!(cell(&t, "shop", "Available"), &json!(0));
}

#[test]
fn a_deployment_scaled_to_zero_prints_0_of_0() {
    let (mut sim, _c) = sim_with(SHOP);
    sim.patch(
        Kind::Deployment,
        "default",
        "shop",
        PatchType::Merge,
        &json!({"spec": {"replicas": 0}}),
        Subresource::Main,
    )
    .expect("scale");
    let t = table_now(&sim, Kind::Deployment, Some("default"));
    assert_eq!(text(&t, "shop", "Ready"), "0/0");
    assert_eq!(cell(&t, "shop", "Available"), &json!(0));
}

#[test]
fn a_replicaset_prints_desired_current_ready_integers_and_its_hashed_selector() {
    let (sim, _c) = sim_with(SHOP);
    let rs = name_starting(&sim, Kind::ReplicaSet, "default", "shop-");
    let hash = rs.trim_start_matches("shop-");
    let t = table_now(&sim, Kind::ReplicaSet, Some("default"));
    assert_eq!(
        column_names(&t),
        [
            "Name",
            "Desired",
            "Current",
            "Ready",
            "Age",
            "Containers",
            "Images",
            "Selector"
        ]
    );
    assert_eq!(columns(&t)[1].1, "integer");
    assert_eq!(
        row(&t, &rs)["cells"],
        json!([
            rs,
            2,
            2,
            2,
            "0s",
            "web,sidecar",
            "nginx:1.27,busybox",
            format!("app=shop,pod-template-hash={hash},tier in (edge,web)")
        ])
    );
}

#[test]
fn a_statefulset_prints_ready_over_replicas_and_its_containers() {
    let m = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector:\n    matchLabels:\n      app: db\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: redis\n        image: redis:7\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::StatefulSet, Some("default"));
    assert_eq!(
        column_names(&t),
        ["Name", "Ready", "Age", "Containers", "Images"]
    );
    assert_eq!(narrow_names(&t), ["Name", "Ready", "Age"]);
    assert_eq!(
        row(&t, "db")["cells"],
        json!(["db", "3/3", "0s", "redis", "redis:7"])
    );
}
