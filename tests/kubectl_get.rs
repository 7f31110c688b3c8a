//! End-to-end `kubectl get` for every kind the simulated cluster serves: the server-side
//! Table columns and cells (`-o wide`, `-A`, `--show-labels`, `-L`), client-side sorting on the
//! full objects (`--sort-by`), and the object outputs (`-o name`, `-o jsonpath`). Ages are matched
//! loosely; everything else is the text a real API server gives kubectl.

#![allow(clippy::unwrap_used)]

mod support;

use support::{Harness, each, is_age, row, table};

/// A StatefulSet behind a headless Service, an IngressClass, an Ingress and a NetworkPolicy
/// next to the `web` Deployment.
const MORE: &str = "apiVersion: v1
kind: Service
metadata:
  name: db
  labels:
    app: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 6379
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  labels:
    app: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis:7
        ports:
        - containerPort: 6379
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  labels:
    app: web
spec:
  ingressClassName: nginx
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-from-client
  labels:
    app: web
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
data:
  a: \"1\"
  b: \"2\"
";

fn cluster(h: &Harness) {
    h.web();
    h.apply("more.yaml", MORE);
}

/// The header kubectl prints for `get <kind> -A [-o wide]`.
fn header(h: &Harness, kind: &str, wide: bool) -> Vec<String> {
    let mut args = vec!["get", kind, "-A"];
    if wide {
        args.extend(["-o", "wide"]);
    }
    let out = h.ok(&args);
    table(&out).into_iter().next().unwrap_or_default()
}

#[test]
fn every_kind_prints_the_api_servers_columns_plain_and_wide() {
    // printers.go: the columns of each kind; priority-1 columns only with -o wide. `-A` adds
    // NAMESPACE for the namespaced kinds, from each row's object metadata.
    let kinds: [(&str, bool, &[&str], &[&str]); 15] = [
        (
            "nodes",
            false,
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        ),
        ("namespaces", false, &["NAME", "STATUS", "AGE"], &[]),
        (
            "pods",
            true,
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        (
            "services",
            true,
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        ),
        ("endpoints", true, &["NAME", "ENDPOINTS", "AGE"], &[]),
        (
            "endpointslices",
            true,
            &["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
            &[],
        ),
        (
            "events",
            true,
            &["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            &[
                "LAST SEEN",
                "TYPE",
                "REASON",
                "OBJECT",
                "SUBOBJECT",
                "SOURCE",
                "MESSAGE",
                "FIRST SEEN",
                "COUNT",
                "NAME",
            ],
        ),
        ("configmaps", true, &["NAME", "DATA", "AGE"], &[]),
        ("serviceaccounts", true, &["NAME", "SECRETS", "AGE"], &[]),
        (
            "deployments",
            true,
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        (
            "replicasets",
            true,
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        (
            "statefulsets",
            true,
            &["NAME", "READY", "AGE"],
            &["CONTAINERS", "IMAGES"],
        ),
        (
            "ingresses",
            true,
            &["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
            &[],
        ),
        (
            "ingressclasses",
            false,
            &["NAME", "CONTROLLER", "PARAMETERS", "AGE"],
            &[],
        ),
        (
            "networkpolicies",
            true,
            &["NAME", "POD-SELECTOR", "AGE"],
            &[],
        ),
    ];
    each(|h| {
        cluster(h);
        for (kind, namespaced, plain, wide_extra) in kinds {
            let ns: &[&str] = if namespaced { &["NAMESPACE"] } else { &[] };
            let want: Vec<&str> = ns.iter().chain(plain).copied().collect();
            assert_eq!(header(h, kind, false), want, "get {kind} -A");
            // Events reorder their columns when wide (printers.go lists them that way).
            let want_wide: Vec<&str> = if kind == "events" {
                ns.iter().chain(wide_extra).copied().collect()
            } else {
                ns.iter().chain(plain).chain(wide_extra).copied().collect()
            };
            assert_eq!(header(h, kind, true), want_wide, "get {kind} -A -o wide");
        }
    });
}

#[test]
fn wide_cells_of_nodes_pods_and_services() {
    each(|h| {
        cluster(h);
        let nodes = table(&h.ok(&["get", "nodes", "-o", "wide"]));
        let n1 = row(&nodes, 0, "node01");
        assert_eq!(n1[1..3], ["Ready", "<none>"]);
        assert!(is_age(&n1[3]), "{n1:?}");
        assert_eq!(
            n1[4..],
            [
                "v1.35.0",
                "172.30.1.3",
                "<none>",
                "Ubuntu 24.04.3 LTS",
                "6.8.0-1029",
                "containerd://2.1.4"
            ]
        );
        assert_eq!(row(&nodes, 0, "controlplane")[2], "control-plane");

        let pods = table(&h.ok(&["get", "pods", "-l", "app=web", "-o", "wide"]));
        assert_eq!(pods.len(), 4, "{pods:?}");
        for p in &pods[1..] {
            assert!(p[0].starts_with("web-"), "{p:?}");
            assert_eq!(p[1..4], ["1/1", "Running", "0"]);
            assert!(is_age(&p[4]), "{p:?}");
            assert!(p[5].starts_with("10.244."), "{p:?}");
            assert!(["node01", "node02"].contains(&p[6].as_str()), "{p:?}");
            assert_eq!(p[7..], ["<none>", "<none>"]);
        }

        let svcs = table(&h.ok(&["get", "svc", "-A", "-o", "wide"]));
        let k = row(&svcs, 1, "kubernetes");
        assert_eq!(
            k[..6],
            [
                "default",
                "kubernetes",
                "ClusterIP",
                "10.96.0.1",
                "<none>",
                "443/TCP"
            ]
        );
        assert_eq!(k[7], "<none>");
        let dns = row(&svcs, 1, "kube-dns");
        assert_eq!(
            dns[2..6],
            [
                "ClusterIP",
                "10.96.0.10",
                "<none>",
                "53/UDP,53/TCP,9153/TCP"
            ]
        );
        assert_eq!(dns[7], "k8s-app=kube-dns");
        let db = row(&svcs, 1, "db");
        assert_eq!(db[2..6], ["ClusterIP", "None", "<none>", "6379/TCP"]);
        assert_eq!(db[7], "app=db");
    });
}

#[test]
fn wide_cells_of_workloads_endpoints_and_networking() {
    each(|h| {
        cluster(h);
        let deploys = table(&h.ok(&["get", "deploy", "web", "-o", "wide"]));
        assert_eq!(deploys[1][..4], ["web", "3/3", "3", "3"]);
        assert_eq!(deploys[1][5..], ["nginx", "nginx", "app=web"]);

        let rs = table(&h.ok(&["get", "rs", "-l", "app=web", "-o", "wide"]));
        assert_eq!(rs.len(), 2, "{rs:?}");
        let hash = rs[1][0].strip_prefix("web-").unwrap().to_string();
        assert_eq!(rs[1][1..4], ["3", "3", "3"]);
        assert_eq!(
            rs[1][5..],
            [
                "nginx".to_string(),
                "nginx".to_string(),
                format!("app=web,pod-template-hash={hash}")
            ]
        );

        let sts = table(&h.ok(&["get", "sts", "-o", "wide"]));
        assert_eq!(sts[1][..2], ["db", "2/2"]);
        assert_eq!(sts[1][3..], ["redis", "redis:7"]);

        let ep = table(&h.ok(&["get", "endpoints", "-A"]));
        assert_eq!(row(&ep, 1, "kubernetes")[2], "172.30.1.2:6443");
        let web_ep = &row(&ep, 1, "web")[2];
        assert_eq!(web_ep.matches(":80").count(), 3, "{web_ep}");
        assert!(
            web_ep.split(',').all(|a| a.starts_with("10.244.")),
            "{web_ep}"
        );
        // Six addresses (two pods × three ports): three shown, then the count of the rest.
        let dns_ep = &row(&ep, 1, "kube-dns")[2];
        assert!(dns_ep.ends_with(" + 3 more..."), "{dns_ep}");

        let slices = table(&h.ok(&["get", "endpointslices", "-o", "wide"]));
        assert_eq!(
            row(&slices, 0, "kubernetes")[1..4],
            ["IPv4", "6443", "172.30.1.2"]
        );
        let web = slices.iter().find(|r| r[0].starts_with("web-")).unwrap();
        assert_eq!(web[1..3], ["IPv4", "80"]);
        assert_eq!(web[3].split(',').count(), 3, "{web:?}");

        let ing = table(&h.ok(&["get", "ingress", "-o", "wide"]));
        assert_eq!(ing[1][..5], ["web", "nginx", "web.example.com", "", "80"]);
        let classes = table(&h.ok(&["get", "ingressclass"]));
        assert_eq!(classes[1][..3], ["nginx", "k8s.io/ingress-nginx", "<none>"]);
        let pol = table(&h.ok(&["get", "netpol"]));
        assert_eq!(pol[1][..2], ["web-from-client", "app=web"]);
        let cms = table(&h.ok(&["get", "cm"]));
        assert_eq!(row(&cms, 0, "settings")[1], "2");
        assert_eq!(row(&cms, 0, "kube-root-ca.crt")[1], "1");
        let sas = table(&h.ok(&["get", "sa", "-n", "kube-system"]));
        assert_eq!(row(&sas, 0, "coredns")[1], "0");
        let nss = table(&h.ok(&["get", "ns"]));
        assert_eq!(row(&nss, 0, "kube-system")[1], "Active");
    });
}

#[test]
fn show_labels_and_label_columns_come_from_the_rows_metadata() {
    each(|h| {
        cluster(h);
        let svcs = table(&h.ok(&["get", "svc", "--show-labels"]));
        assert_eq!(svcs[0].last().unwrap(), "LABELS");
        assert_eq!(
            row(&svcs, 0, "kubernetes").last().unwrap(),
            "component=apiserver,provider=kubernetes"
        );
        assert_eq!(row(&svcs, 0, "web").last().unwrap(), "app=web");

        let pods = table(&h.ok(&["get", "pods", "-A", "-L", "app", "-L", "k8s-app"]));
        assert_eq!(pods[0][pods[0].len() - 2..], ["APP", "K8S-APP"]);
        let coredns = pods.iter().find(|r| r[1].starts_with("coredns-")).unwrap();
        assert_eq!(coredns[coredns.len() - 2..], ["", "kube-dns"]);
        let db0 = row(&pods, 1, "db-0");
        assert_eq!(db0[db0.len() - 2..], ["db", ""]);

        let nodes = table(&h.ok(&["get", "nodes", "--show-labels"]));
        let labels = row(&nodes, 0, "controlplane").last().unwrap().clone();
        assert!(
            labels.contains("node-role.kubernetes.io/control-plane=,"),
            "{labels}"
        );
        // Every kind carries its labels into the Table rows.
        for kind in [
            "deploy",
            "rs",
            "sts",
            "ing",
            "netpol",
            "cm",
            "endpoints",
            "endpointslices",
        ] {
            let rows = table(&h.ok(&["get", kind, "-l", "app", "-L", "app"]));
            assert!(rows.len() > 1, "{kind}: {rows:?}");
            for r in &rows[1..] {
                assert!(
                    ["web", "db"].contains(&r.last().unwrap().as_str()),
                    "{kind}: {r:?}"
                );
            }
        }
    });
}

#[test]
fn sort_by_orders_rows_by_the_full_object() {
    each(|h| {
        cluster(h);
        // Listed by namespace then name; sorted by name alone across namespaces.
        h.ok(&["create", "configmap", "zz-last", "-n", "kube-public"]);
        h.ok(&["create", "configmap", "aa-first", "-n", "kube-system"]);
        let names = |args: &[&str]| -> Vec<String> {
            table(&h.ok(args))[1..]
                .iter()
                .map(|r| format!("{}/{}", r[0], r[1]))
                .collect()
        };
        let plain = names(&["get", "cm", "-A"]);
        let mut by_name = plain.clone();
        by_name.sort_by(|a, b| a.split('/').nth(1).cmp(&b.split('/').nth(1)));
        let sorted = names(&["get", "cm", "-A", "--sort-by=.metadata.name"]);
        assert_ne!(plain, sorted);
        assert_eq!(sorted, by_name);
        assert_eq!(sorted[0], "kube-system/aa-first");
        assert_eq!(sorted.last().unwrap(), "kube-public/zz-last");

        // A numeric field: the Service ports.
        let svcs = table(&h.ok(&["get", "svc", "-A", "--sort-by=.spec.ports[0].port"]));
        let ports: Vec<&str> = svcs[1..].iter().map(|r| r[5].as_str()).collect();
        assert_eq!(
            ports,
            ["53/UDP,53/TCP,9153/TCP", "80/TCP", "443/TCP", "6379/TCP"]
        );
    });
}

#[test]
fn output_name_and_jsonpath_for_every_kind() {
    let kinds = [
        ("nodes", "node/"),
        ("namespaces", "namespace/"),
        ("pods", "pod/"),
        ("services", "service/"),
        ("endpoints", "endpoints/"),
        ("endpointslices", "endpointslice.discovery.k8s.io/"),
        ("events", "event/"),
        ("configmaps", "configmap/"),
        ("serviceaccounts", "serviceaccount/"),
        ("deployments", "deployment.apps/"),
        ("replicasets", "replicaset.apps/"),
        ("statefulsets", "statefulset.apps/"),
        ("ingresses", "ingress.networking.k8s.io/"),
        ("ingressclasses", "ingressclass.networking.k8s.io/"),
        ("networkpolicies", "networkpolicy.networking.k8s.io/"),
    ];
    each(|h| {
        cluster(h);
        for (kind, prefix) in kinds {
            let names = h.ok(&["get", kind, "-o", "name"]);
            assert!(!names.is_empty(), "{kind}");
            let from_name: Vec<&str> = names
                .lines()
                .map(|l| {
                    l.strip_prefix(prefix)
                        .unwrap_or_else(|| panic!("{kind}: {l}"))
                })
                .collect();
            let jp = h.ok(&["get", kind, "-o", "jsonpath={.items[*].metadata.name}"]);
            assert_eq!(jp.split(' ').collect::<Vec<_>>(), from_name, "{kind}");
        }
        assert_eq!(
            h.ok(&[
                "get",
                "svc",
                "kubernetes",
                "-o",
                "jsonpath={.spec.ports[0].name} {.spec.ports[0].targetPort} {.spec.type}"
            ]),
            "https 6443 ClusterIP"
        );
        assert_eq!(
            h.ok(&[
                "get",
                "sts",
                "db",
                "-o",
                "jsonpath={.status.readyReplicas}/{.spec.replicas} {.spec.serviceName}"
            ]),
            "2/2 db"
        );
        assert_eq!(
            h.ok(&[
                "get",
                "pods",
                "-l",
                "app=db",
                "-o",
                "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.spec.hostname}.{.spec.subdomain}{\"\\n\"}{end}"
            ]),
            "db-0\tdb-0.db\ndb-1\tdb-1.db\n"
        );
    });
}

#[test]
fn get_events_lists_a_pods_scheduling_and_kubelet_events_in_order() {
    each(|h| {
        h.ok(&["run", "one", "--image=nginx"]);
        let out = h.ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=one",
        ]);
        let rows = table(&out);
        assert_eq!(
            rows[0],
            ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        );
        let got: Vec<(&str, &str, &str, &str)> = rows[1..]
            .iter()
            .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(got.len(), 5, "{out}");
        assert_eq!(
            got[0],
            (
                "Normal",
                "Scheduled",
                "pod/one",
                got[0].3 // checked below: the node is the scheduler's pick
            )
        );
        assert!(
            got[0]
                .3
                .starts_with("Successfully assigned default/one to node0"),
            "{out}"
        );
        assert_eq!(
            got[1],
            ("Normal", "Pulling", "pod/one", "Pulling image \"nginx\"")
        );
        assert_eq!(got[2].1, "Pulled");
        assert!(
            got[2]
                .3
                .starts_with("Successfully pulled image \"nginx\" in "),
            "{out}"
        );
        assert_eq!(
            got[3],
            ("Normal", "Created", "pod/one", "Created container: one")
        );
        assert_eq!(
            got[4],
            ("Normal", "Started", "pod/one", "Started container one")
        );
        for r in &rows[1..] {
            assert!(is_age(&r[0]), "{r:?}");
        }
        // Wide: the source is the kubelet on the pod's node, counted once.
        let node = h.ok(&["get", "pod", "one", "-o", "jsonpath={.spec.nodeName}"]);
        let wide = table(&h.ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=one,reason=Pulling",
            "-o",
            "wide",
        ]));
        assert_eq!(wide.len(), 2, "{wide:?}");
        assert_eq!(wide[1][4], "spec.containers{one}");
        assert_eq!(wide[1][5], format!("kubelet, {node}"));
        assert_eq!(wide[1][8], "1");
        assert!(wide[1][9].starts_with("one."), "{wide:?}");
    });
}

#[test]
fn get_watch_prints_table_rows_as_pods_come_and_run() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    each(|h| {
        let mut child = h
            .command(&["get", "pods", "-l", "w=1", "-w"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        // Write once the watch request is in (the server's audit log shows it), so each pod is
        // seen being created rather than listed already running.
        let cluster = h.server.clusters()[0].cluster.clone();
        let start = Instant::now();
        while !cluster.audit().iter().any(|e| e.verb == "watch")
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        for n in ["a", "b"] {
            h.ok(&["run", n, "--image=nginx", "--labels=w=1"]);
        }
        let start = Instant::now();
        let mut got: Vec<String> = Vec::new();
        let running = |got: &[String], pod: &str| {
            got.iter()
                .any(|l| l.starts_with(&format!("{pod} ")) && l.contains(" Running "))
        };
        while !(running(&got, "a") && running(&got, "b"))
            && start.elapsed() < Duration::from_secs(10)
        {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
                got.push(l);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let text = got.join("\n") + "\n";
        let rows = table(&text);
        assert_eq!(
            rows[0],
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            "{text}"
        );
        // Each pod shows up first as it was created, then as it runs.
        for pod in ["a", "b"] {
            let mine: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == pod).collect();
            assert!(mine.len() >= 2, "{text}");
            assert_eq!(mine[0][1..3], ["0/1", "Pending"], "{text}");
            assert_eq!(
                mine.last().unwrap()[1..4],
                ["1/1", "Running", "0"],
                "{text}"
            );
        }
    });
}
