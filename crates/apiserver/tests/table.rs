//! Server-side printing of Services, Pods and Deployments (upstream printers.go): column names
//! and cell texts for objects the simulated cluster made.

use jiff::{SignedDuration, Timestamp};
use kubedrill_apiserver::table::{TableOptions, table};
use kubedrill_sim::{Kind, Sim};
use serde_json::Value;

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443, targetPort: 80, nodePort: 31443}]
";

fn cluster() -> Sim {
    let (mut sim, _clock) = Sim::default_with_clock().expect("bootstrap");
    sim.apply_yaml(APP).expect("apply");
    sim
}

fn rows(sim: &Sim, kind: Kind, after: SignedDuration) -> (Vec<String>, Vec<Vec<Value>>) {
    let list = sim
        .list(kind, Some("default"), &Default::default())
        .expect("list");
    let items: Vec<&Value> = list.items.iter().map(|o| &**o).collect();
    let now: Timestamp = sim.now() + after;
    let t = table(kind, &items, &TableOptions::default(), now);
    let cols = t["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let rows = t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["cells"].as_array().expect("cells").clone())
        .collect();
    (cols, rows)
}

fn row<'a>(rows: &'a [Vec<Value>], name: &str) -> &'a [Value] {
    rows.iter().find(|r| r[0] == name).expect("row")
}

#[test]
fn service_columns_and_cells_as_print_service() {
    let sim = cluster();
    let (cols, rows) = rows(&sim, Kind::Service, SignedDuration::from_mins(5));
    assert_eq!(
        cols,
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
    let np = row(&rows, "web-np");
    assert_eq!(np[1], "NodePort");
    assert!(
        np[2].as_str().unwrap_or_default().starts_with("10."),
        "{:?}",
        np[2]
    );
    assert_eq!(np[3], "<none>");
    assert_eq!(np[4], "80:30080/TCP");
    assert_eq!(np[5], "5m");
    assert_eq!(np[6], "app=web");
    let ext = row(&rows, "ext");
    assert_eq!(
        (&ext[2], &ext[3], &ext[4], &ext[6]),
        (
            &Value::from("<none>"),
            &Value::from("example.com"),
            &Value::from("<none>"),
            &Value::from("<none>")
        )
    );
    assert_eq!(row(&rows, "lb")[3], "<pending>");
    assert_eq!(row(&rows, "lb")[4], "443:31443/TCP");
}

#[test]
fn pod_and_deployment_cells_as_print_pod_and_print_deployment() {
    let sim = cluster();
    let (cols, pods) = rows(&sim, Kind::Pod, SignedDuration::from_secs(42));
    assert_eq!(cols[..5], ["Name", "Ready", "Status", "Restarts", "Age"]);
    assert_eq!(pods.len(), 2);
    for p in &pods {
        assert_eq!(p[1], "1/1");
        assert_eq!(p[2], "Running");
        assert_eq!(p[3], "0");
        assert_eq!(p[4], "42s");
        assert!(p[5].as_str().unwrap_or_default().starts_with("10.244."));
        assert_eq!(p[7], "<none>");
    }
    let (cols, deps) = rows(&sim, Kind::Deployment, SignedDuration::from_hours(50));
    assert_eq!(
        cols,
        [
            "Name",
            "Ready",
            "Up-to-date",
            "Available",
            "Age",
            "Containers",
            "Images",
            "Selector"
        ]
    );
    let d = &deps[0];
    assert_eq!(d[1], "2/2");
    assert_eq!((d[2].as_i64(), d[3].as_i64()), (Some(2), Some(2)));
    assert_eq!(d[4], "2d2h");
    assert_eq!(
        (&d[5], &d[6], &d[7]),
        (
            &Value::from("nginx"),
            &Value::from("nginx:1.27"),
            &Value::from("app=web")
        )
    );
}
