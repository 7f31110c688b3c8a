//! End-to-end `kubectl describe` for pod, deployment, replicaset, endpoints, endpointslice,
//! ingress, networkpolicy and node: the fields kubectl prints from the objects, and the events
//! it finds with its `involvedObject` field selector, in the order they happened.

#![allow(clippy::unwrap_used)]

mod support;

use support::{Harness, each, is_age, table};

/// The value printed after `key` (`Node:   node01/172.30.1.3` → `node01/172.30.1.3`) on the
/// first line that starts with it (after `indent` spaces).
fn field<'a>(out: &'a str, indent: usize, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            let l = l.strip_prefix(&" ".repeat(indent))?;
            if l.starts_with(' ') {
                return None;
            }
            l.strip_prefix(key)
        })
        .unwrap_or_else(|| panic!("no {key:?} in\n{out}"))
        .trim()
}

/// The Events table of a describe (Type, Reason, Age, From, Message), without its `----` row.
fn events(out: &str) -> Vec<Vec<String>> {
    let at = out
        .find("\nEvents:")
        .unwrap_or_else(|| panic!("no Events in\n{out}"));
    let rest = &out[at + 1..];
    let first = rest.lines().next().unwrap();
    if first.trim_start_matches("Events:").trim() == "<none>" {
        return Vec::new();
    }
    let body: String = rest
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    let mut rows = table(&body);
    assert_eq!(
        rows[0],
        ["Type", "Reason", "Age", "From", "Message"],
        "{out}"
    );
    rows.remove(0);
    rows.retain(|r| !r[0].starts_with("----"));
    rows
}

/// Reason and message of each event row.
fn reasons(rows: &[Vec<String>]) -> Vec<(String, String)> {
    rows.iter().map(|r| (r[1].clone(), r[4].clone())).collect()
}

#[test]
fn describe_pod_shows_its_node_container_and_the_scheduler_and_kubelet_events() {
    each(|h| {
        h.ok(&[
            "run",
            "one",
            "--image=nginx",
            "--port=80",
            "--labels=app=one",
        ]);
        let node = h.ok(&["get", "pod", "one", "-o", "jsonpath={.spec.nodeName}"]);
        let node_ip = h.ok(&[
            "get",
            "node",
            &node,
            "-o",
            "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}",
        ]);
        let pod_ip = h.ok(&["get", "pod", "one", "-o", "jsonpath={.status.podIP}"]);
        let out = h.ok(&["describe", "pod", "one"]);
        assert_eq!(field(&out, 0, "Name:"), "one");
        assert_eq!(field(&out, 0, "Namespace:"), "default");
        assert_eq!(field(&out, 0, "Service Account:"), "default");
        assert_eq!(field(&out, 0, "Node:"), format!("{node}/{node_ip}"));
        assert_eq!(field(&out, 0, "Labels:"), "app=one");
        assert_eq!(field(&out, 0, "Status:"), "Running");
        assert_eq!(field(&out, 0, "IP:"), pod_ip);
        assert_eq!(field(&out, 0, "QoS Class:"), "BestEffort");
        assert!(out.contains("\nContainers:\n  one:\n"), "{out}");
        assert_eq!(field(&out, 4, "Image:"), "nginx");
        assert_eq!(field(&out, 4, "Port:"), "80/TCP");
        assert_eq!(field(&out, 4, "State:"), "Running");
        assert_eq!(field(&out, 4, "Ready:"), "True");
        assert_eq!(field(&out, 4, "Restart Count:"), "0");
        assert!(
            field(&out, 4, "Container ID:").starts_with("containerd://"),
            "{out}"
        );
        assert!(
            out.contains("\n  Ready                       True \n"),
            "{out}"
        );
        let ev = events(&out);
        assert_eq!(ev.len(), 5, "{out}");
        let got = reasons(&ev);
        assert_eq!(
            got[0],
            (
                "Scheduled".into(),
                format!("Successfully assigned default/one to {node}")
            )
        );
        // kubectl 1.37 prefixes a message with the event's `involvedObject.fieldPath` (the
        // kubelet names the container); 1.32 prints the message alone.
        let sub = if h.client_minor() >= 37 {
            "spec.containers{one}: "
        } else {
            ""
        };
        assert_eq!(
            got[1],
            ("Pulling".into(), format!("{sub}Pulling image \"nginx\""))
        );
        assert_eq!(got[2].0, "Pulled");
        assert!(
            got[2].1.starts_with(&format!("{sub}Successfully pulled")),
            "{got:?}"
        );
        assert_eq!(
            got[3],
            ("Created".into(), format!("{sub}Created container: one"))
        );
        assert_eq!(
            got[4],
            ("Started".into(), format!("{sub}Started container one"))
        );
        let from: Vec<&str> = ev.iter().map(|r| r[3].as_str()).collect();
        assert_eq!(
            from,
            [
                "default-scheduler",
                "kubelet",
                "kubelet",
                "kubelet",
                "kubelet"
            ]
        );
        assert!(
            ev.iter().all(|r| r[0] == "Normal" && is_age(&r[2])),
            "{ev:?}"
        );
        // Another pod's events are not this one's.
        h.ok(&["run", "two", "--image=nginx"]);
        let again = events(&h.ok(&["describe", "pod", "one"]));
        assert_eq!(again.len(), 5);
    });
}

fn rs_name(h: &Harness) -> String {
    h.ok(&[
        "get",
        "rs",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ])
}

#[test]
fn describe_deployment_and_its_replicaset_with_their_controllers_events() {
    each(|h| {
        h.web();
        let rs = rs_name(h);
        let out = h.ok(&["describe", "deploy", "web"]);
        assert_eq!(field(&out, 0, "Selector:"), "app=web");
        assert_eq!(
            field(&out, 0, "Replicas:"),
            "3 desired | 3 updated | 3 total | 3 available | 0 unavailable"
        );
        assert_eq!(field(&out, 0, "StrategyType:"), "RollingUpdate");
        assert_eq!(
            field(&out, 0, "RollingUpdateStrategy:"),
            "25% max unavailable, 25% max surge"
        );
        assert_eq!(
            field(&out, 0, "NewReplicaSet:"),
            format!("{rs} (3/3 replicas created)")
        );
        assert!(
            out.contains("  Available      True    MinimumReplicasAvailable\n"),
            "{out}"
        );
        assert!(
            out.contains("  Progressing    True    NewReplicaSetAvailable\n"),
            "{out}"
        );
        let ev = events(&out);
        assert_eq!(
            reasons(&ev),
            [(
                "ScalingReplicaSet".to_string(),
                format!("Scaled up replica set {rs} from 0 to 3")
            )]
        );
        assert_eq!(ev[0][3], "deployment-controller");

        let out = h.ok(&["describe", "rs", &rs]);
        assert_eq!(field(&out, 0, "Controlled By:"), "Deployment/web");
        assert_eq!(field(&out, 0, "Replicas:"), "3 current / 3 desired");
        assert_eq!(
            field(&out, 0, "Pods Status:"),
            "3 Running / 0 Waiting / 0 Succeeded / 0 Failed"
        );
        let ev = events(&out);
        assert_eq!(ev.len(), 3, "{out}");
        let pods = h.ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ]);
        for r in &ev {
            assert_eq!(
                (r[1].as_str(), r[3].as_str()),
                ("SuccessfulCreate", "replicaset-controller")
            );
            let pod = r[4].strip_prefix("Created pod: ").unwrap();
            assert!(pods.split(' ').any(|p| p == pod), "{pod} not in {pods}");
        }
    });
}

#[test]
fn describe_endpoints_and_endpointslice_list_the_ready_pods() {
    each(|h| {
        h.web();
        let mut ips: Vec<String> = h
            .ok(&[
                "get",
                "pods",
                "-l",
                "app=web",
                "-o",
                "jsonpath={.items[*].status.podIP}",
            ])
            .split(' ')
            .map(str::to_string)
            .collect();
        ips.sort();
        let r = h.run(&["describe", "endpoints", "web"]);
        assert_eq!(r.code, 0, "{r:?}");
        let out = r.stdout;
        assert_eq!(field(&out, 0, "Labels:"), "app=web");
        let mut shown: Vec<&str> = field(&out, 2, "Addresses:").split(',').collect();
        shown.sort_unstable();
        assert_eq!(shown, ips);
        assert_eq!(field(&out, 2, "NotReadyAddresses:"), "<none>");
        assert!(
            out.contains(
                "    Name     Port  Protocol\n    ----     ----  --------\n    <unset>  80    TCP\n"
            ),
            "{out}"
        );
        assert!(events(&out).is_empty());

        let out = h.ok(&[
            "describe",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=web",
        ]);
        assert!(field(&out, 0, "Name:").starts_with("web-"), "{out}");
        assert_eq!(field(&out, 0, "AddressType:"), "IPv4");
        assert!(
            out.contains(
                "  Name     Port  Protocol\n  ----     ----  --------\n  <unset>  80    TCP\n"
            ),
            "{out}"
        );
        let mut addrs: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("  - Addresses:"))
            .map(str::trim)
            .collect();
        addrs.sort_unstable();
        assert_eq!(addrs, ips);
        assert_eq!(out.matches("\n      Ready:    true\n").count(), 3, "{out}");
        assert_eq!(
            out.matches("\n    TargetRef:  Pod/web-").count(),
            3,
            "{out}"
        );
        assert_eq!(out.matches("\n    NodeName:   node0").count(), 3, "{out}");
    });
}

#[test]
fn describe_ingress_resolves_its_backends_to_endpoints() {
    each(|h| {
        h.web();
        assert_eq!(
            h.ok(&[
                "create",
                "ingress",
                "web",
                "--class=nginx",
                "--rule=web.example.com/=web:80",
                "--rule=web.example.com/api*=web:80,tls=web-tls",
            ]),
            "ingress.networking.k8s.io/web created\n"
        );
        let mut eps: Vec<String> = h
            .ok(&[
                "get",
                "pods",
                "-l",
                "app=web",
                "-o",
                "jsonpath={.items[*].status.podIP}",
            ])
            .split(' ')
            .map(|ip| format!("{ip}:80"))
            .collect();
        eps.sort();
        let out = h.ok(&["describe", "ingress", "web"]);
        assert_eq!(field(&out, 0, "Namespace:"), "default");
        assert_eq!(field(&out, 0, "Ingress Class:"), "nginx");
        assert_eq!(field(&out, 0, "Default backend:"), "<default>");
        assert!(
            out.contains("\nTLS:\n  web-tls terminates web.example.com\n"),
            "{out}"
        );
        let backends: Vec<(&str, &str)> = out
            .lines()
            .filter(|l| l.trim_start().starts_with('/'))
            .map(|l| {
                let mut p = l.split_whitespace();
                (p.next().unwrap(), p.next().unwrap())
            })
            .collect();
        assert_eq!(backends, [("/", "web:80"), ("/api", "web:80")], "{out}");
        for l in out.lines().filter(|l| l.contains(" web:80 (")) {
            let inside = l.split_once('(').unwrap().1.trim_end_matches(')');
            let mut shown: Vec<&str> = inside.split(',').collect();
            shown.sort_unstable();
            assert_eq!(shown, eps, "{l}");
        }
    });
}

#[test]
fn describe_networkpolicy_explains_what_it_allows() {
    each(|h| {
        h.apply(
            "np.yaml",
            "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-from-client
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
    - namespaceSelector:
        matchLabels:
          team: a
    ports:
    - port: 80
      protocol: TCP
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/8
        except:
        - 10.1.0.0/16
",
        );
        let out = h.ok(&["describe", "netpol", "web-from-client"]);
        assert_eq!(field(&out, 0, "Namespace:"), "default");
        assert!(
            field(&out, 0, "Created on:").ends_with("+0000 UTC"),
            "{out}"
        );
        let spec = out.split_once("\nSpec:\n").unwrap().1;
        assert_eq!(
            spec,
            "  PodSelector:     app=web
  Allowing ingress traffic:
    To Port: 80/TCP
    From:
      PodSelector: role=client
    From:
      NamespaceSelector: team=a
  Allowing egress traffic:
    To Port: <any> (traffic allowed to all ports)
    To:
      IPBlock:
        CIDR: 10.0.0.0/8
        Except: 10.1.0.0/16
  Policy Types: Ingress, Egress
"
        );
    });
}

#[test]
fn describe_node_shows_conditions_with_times_and_the_pods_it_runs() {
    each(|h| {
        h.web();
        let out = h.ok(&["describe", "node", "node01"]);
        assert_eq!(field(&out, 0, "Roles:"), "<none>");
        assert_eq!(field(&out, 0, "Taints:"), "<none>");
        assert_eq!(field(&out, 0, "Unschedulable:"), "false");
        assert_eq!(field(&out, 2, "InternalIP:"), "172.30.1.3");
        assert_eq!(field(&out, 0, "PodCIDR:"), "10.244.1.0/24");
        let conds = out
            .split_once("\nConditions:\n")
            .unwrap()
            .1
            .split_once("\nAddresses:")
            .unwrap()
            .0;
        let rows = table(
            &conds
                .lines()
                .map(|l| format!("{}\n", &l[2..]))
                .collect::<String>(),
        );
        assert_eq!(
            rows[0],
            [
                "Type",
                "Status",
                "LastHeartbeatTime",
                "LastTransitionTime",
                "Reason",
                "Message"
            ]
        );
        let ready = rows.iter().find(|r| r[0] == "Ready").unwrap();
        assert_eq!(ready[1], "True");
        assert_eq!(
            ready[4..],
            ["KubeletReady", "kubelet is posting ready status"]
        );
        // The kubelet's heartbeat, not Go's zero time.
        for r in &rows[2..] {
            assert!(!r[2].contains(" 0001 "), "{r:?}");
            assert!(r[2].ends_with(" +0000"), "{r:?}");
        }
        let on_node = h.ok(&[
            "get",
            "pods",
            "-A",
            "--field-selector",
            "spec.nodeName=node01",
            "-o",
            "name",
        ]);
        let n = on_node.lines().count();
        assert!(n > 0);
        assert_eq!(
            field(&out, 0, "Non-terminated Pods:"),
            format!("({n} in total)")
        );
        for p in on_node.lines() {
            let name = p.strip_prefix("pod/").unwrap();
            assert!(out.contains(&format!(" {name} ")), "{name} missing:\n{out}");
        }
        let cp = h.ok(&["describe", "node", "controlplane"]);
        assert_eq!(field(&cp, 0, "Roles:"), "control-plane");
        assert_eq!(
            field(&cp, 0, "Taints:"),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
    });
}

#[test]
fn describe_pod_shows_a_completed_init_container_and_its_events_first() {
    each(|h| {
        h.apply(
            "init.yaml",
            "apiVersion: v1
kind: Pod
metadata:
  name: with-init
spec:
  initContainers:
  - name: setup
    image: busybox
    command: [\"sh\", \"-c\", \"echo ready\"]
  containers:
  - name: app
    image: nginx
",
        );
        let out = h.ok(&["describe", "pod", "with-init"]);
        let init = out
            .split_once("\nInit Containers:\n  setup:\n")
            .unwrap_or_else(|| panic!("{out}"))
            .1
            .split_once("\nContainers:\n")
            .unwrap()
            .0;
        assert_eq!(field(init, 4, "State:"), "Terminated");
        assert_eq!(field(init, 6, "Reason:"), "Completed");
        assert_eq!(field(init, 6, "Exit Code:"), "0");
        assert_eq!(field(init, 4, "Ready:"), "True");
        assert_eq!(field(&out, 0, "Status:"), "Running");
        let started: Vec<String> = events(&out)
            .iter()
            .filter(|r| r[1] == "Started")
            .map(|r| r[4].rsplit(' ').next().unwrap().to_string())
            .collect();
        assert_eq!(started, ["setup", "app"]);
    });
}
