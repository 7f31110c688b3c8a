//! End-to-end: the real kubectl against `kubedrill`'s API server on an ephemeral loopback
//! port over TLS with token auth. Each test runs with every kubectl found (see `support`), and
//! asserts what kubectl prints.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{Harness, kubectls};

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
";

fn each(test: impl Fn(&Harness)) {
    for k in kubectls() {
        let h = Harness::start(&k);
        test(&h);
    }
}

/// `kubectl apply` without the OpenAPI documents (they land with the openapi module):
/// validation is left to the server.
const NO_CLIENT_VALIDATION: &str = "--validate=false";

fn with_web(h: &Harness) {
    let f = h.file("deploy.yaml", DEPLOY);
    h.ok(&["apply", NO_CLIENT_VALIDATION, "-f", &f]);
}

#[test]
fn version_prints_the_server_version() {
    each(|h| {
        let out = h.run(&["version"]);
        assert!(out.stdout.contains("Server Version: v1.35.0"), "{out:?}");
    });
}

#[test]
fn get_nodes_services_and_pods_across_namespaces() {
    each(|h| {
        let nodes = h.ok(&["get", "nodes", "-o", "name"]);
        assert_eq!(nodes, "node/controlplane\nnode/node01\nnode/node02\n");
        let svcs = h.ok(&[
            "get",
            "svc",
            "-A",
            "-o",
            "custom-columns=NS:.metadata.namespace,NAME:.metadata.name,IP:.spec.clusterIP",
        ]);
        let lines: Vec<Vec<&str>> = svcs
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(lines[0], ["NS", "NAME", "IP"]);
        assert!(
            lines.contains(&vec!["default", "kubernetes", "10.96.0.1"]),
            "{svcs}"
        );
        assert!(
            lines.iter().any(|l| l[..2] == ["kube-system", "kube-dns"]),
            "{svcs}"
        );
        let pods = h.ok(&["get", "pods", "-A", "-o", "name"]);
        assert!(
            pods.lines().any(|l| l.starts_with("pod/coredns-")),
            "{pods}"
        );
    });
}

#[test]
fn get_of_a_missing_service_prints_not_found() {
    each(|h| {
        let r = h.run(&["get", "svc", "nope"]);
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr.trim(),
            "Error from server (NotFound): services \"nope\" not found"
        );
        let r = h.run(&["get", "svc", "nope", "--ignore-not-found"]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    });
}

#[test]
fn apply_creates_then_is_unchanged_then_configured() {
    each(|h| {
        let f = h.file("deploy.yaml", DEPLOY);
        let apply = |f: &str| h.ok(&["apply", NO_CLIENT_VALIDATION, "-f", f]);
        assert_eq!(apply(&f), "deployment.apps/web created\n");
        assert_eq!(apply(&f), "deployment.apps/web unchanged\n");
        let f2 = h.file(
            "deploy2.yaml",
            &DEPLOY.replace("replicas: 3", "replicas: 2"),
        );
        assert_eq!(apply(&f2), "deployment.apps/web configured\n");
        let replicas = h.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]);
        assert_eq!(replicas, "2");
    });
}

#[test]
fn apply_with_client_validation() {
    // Default --validate=strict: kubectl reads /openapi/v3, sees fieldValidation on the PATCH
    // operation and delegates validation to the server (contract §4.1).
    each(|h| {
        let f = h.file("deploy.yaml", DEPLOY);
        assert_eq!(h.ok(&["apply", "-f", &f]), "deployment.apps/web created\n");
        let typo = h.file(
            "typo.yaml",
            &DEPLOY.replace("replicas: 3", "replicas: 3\n  replics: 2"),
        );
        let r = h.run(&["apply", "-f", &typo]);
        assert_ne!(r.code, 0);
        let err = r.stderr;
        assert!(err.contains("unknown field \"spec.replics\""), "{err}");
        // Server-side Table rows: the deployment is listed by name.
        let out = h.ok(&["get", "deploy"]);
        assert!(out.lines().any(|l| l.starts_with("web ")), "{out}");
    });
}

#[test]
fn apply_server_side_creates_and_applies() {
    each(|h| {
        let f = h.file("deploy.yaml", DEPLOY);
        let out = h.ok(&["apply", "--server-side", NO_CLIENT_VALIDATION, "-f", &f]);
        assert_eq!(out, "deployment.apps/web serverside-applied\n");
        let f2 = h.file(
            "deploy2.yaml",
            &DEPLOY.replace("replicas: 3", "replicas: 1"),
        );
        let out = h.ok(&["apply", "--server-side", NO_CLIENT_VALIDATION, "-f", &f2]);
        assert_eq!(out, "deployment.apps/web serverside-applied\n");
        let replicas = h.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]);
        assert_eq!(replicas, "1");
    });
}

#[test]
fn create_deployment_sends_protobuf() {
    each(|h| {
        let out = h.ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=3",
        ]);
        assert_eq!(out, "deployment.apps/web created\n");
    });
}

#[test]
fn expose_makes_a_service_whose_endpointslice_lists_the_ready_pods() {
    each(|h| {
        with_web(h);
        assert_eq!(
            h.ok(&["expose", "deployment", "web", "--port=80"]),
            "service/web exposed\n"
        );
        let slices = h.ok(&["get", "endpointslices", "-o", "name"]);
        assert!(
            slices
                .lines()
                .any(|l| l.starts_with("endpointslice.discovery.k8s.io/web-")),
            "{slices}"
        );
        let ready = h.ok(&[
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=web",
            "-o",
            "jsonpath={range .items[*].endpoints[*]}{.conditions.ready}{\"\\n\"}{end}",
        ]);
        assert_eq!(ready, "true\ntrue\ntrue\n");
        let r = h.run(&["expose", "deployment", "web", "--port=80"]);
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr.trim(),
            "Error from server (AlreadyExists): services \"web\" already exists"
        );
    });
}

#[test]
fn patch_strategic_merge_and_json() {
    each(|h| {
        with_web(h);
        h.ok(&["expose", "deployment", "web", "--port=80"]);
        let out = h.ok(&[
            "patch",
            "svc",
            "web",
            "-p",
            r#"{"spec":{"type":"NodePort"}}"#,
        ]);
        assert_eq!(out, "service/web patched\n");
        let np: u16 = h
            .ok(&[
                "get",
                "svc",
                "web",
                "-o",
                "jsonpath={.spec.ports[0].nodePort}",
            ])
            .parse()
            .unwrap();
        assert!((30000..=32767).contains(&np));
        let out = h.ok(&[
            "patch",
            "svc",
            "web",
            "--type=merge",
            "-p",
            r#"{"metadata":{"labels":{"x":"y"}}}"#,
        ]);
        assert_eq!(out, "service/web patched\n");
        let out = h.ok(&[
            "patch",
            "svc",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/ports/0/port","value":81}]"#,
        ]);
        assert_eq!(out, "service/web patched\n");
        let got = h.ok(&[
            "get",
            "svc",
            "web",
            "-o",
            "jsonpath={.metadata.labels.x} {.spec.ports[0].port}",
        ]);
        assert_eq!(got, "y 81");
    });
}

#[test]
fn an_invalid_object_prints_the_api_servers_message() {
    each(|h| {
        with_web(h);
        h.ok(&[
            "expose",
            "deployment",
            "web",
            "--port=80",
            "--type=NodePort",
        ]);
        let r = h.run(&[
            "patch",
            "svc",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/ports/0/nodePort","value":99999}]"#,
        ]);
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr.trim(),
            "The Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
    });
}

#[test]
fn label_needs_overwrite_to_change_a_value() {
    each(|h| {
        assert_eq!(
            h.ok(&["label", "svc", "kubernetes", "tier=a"]),
            "service/kubernetes labeled\n"
        );
        let r = h.run(&["label", "svc", "kubernetes", "tier=b"]);
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr.trim(),
            "error: 'tier' already has a value (a), and --overwrite is false"
        );
        assert_eq!(
            h.ok(&["label", "svc", "kubernetes", "tier=b", "--overwrite"]),
            "service/kubernetes labeled\n"
        );
        assert_eq!(
            h.ok(&["label", "svc", "kubernetes", "tier-"]),
            "service/kubernetes unlabeled\n"
        );
    });
}

#[test]
fn scale_changes_the_replicas_through_the_scale_subresource() {
    each(|h| {
        with_web(h);
        assert_eq!(
            h.ok(&["scale", "deployment", "web", "--replicas=5"]),
            "deployment.apps/web scaled\n"
        );
        let pods = h.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
        assert_eq!(pods.lines().count(), 5, "{pods}");
        let r = h.run(&[
            "scale",
            "deployment",
            "web",
            "--replicas=1",
            "--current-replicas=2",
        ]);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr.contains("Expected replicas to be 2, was 5"),
            "{r:?}"
        );
    });
}

#[test]
fn delete_waits_for_the_pod_to_go() {
    each(|h| {
        with_web(h);
        let pod = h.ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ]);
        let out = h.ok(&["delete", "pod", &pod]);
        assert_eq!(
            out,
            format!("pod \"{pod}\" deleted{}\n", h.deleted_suffix("default"))
        );
        let r = h.run(&["get", "pod", &pod]);
        assert_eq!(
            r.stderr.trim(),
            format!("Error from server (NotFound): pods \"{pod}\" not found")
        );
        assert_eq!(
            h.ok(&["delete", "svc", "kubernetes"]),
            format!(
                "service \"kubernetes\" deleted{}\n",
                h.deleted_suffix("default")
            )
        );
        let r = h.run(&["delete", "svc", "nope"]);
        assert_eq!(
            r.stderr.trim(),
            "Error from server (NotFound): services \"nope\" not found"
        );
    });
}

#[test]
fn get_watch_prints_the_events_as_they_happen() {
    each(|h| {
        let mut child = h
            .command(&["get", "configmaps", "-l", "w=1", "-w", "-o", "name"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let the watch start, then make two changes.
        std::thread::sleep(Duration::from_millis(700));
        for n in ["a", "b"] {
            let cm = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\n  labels:\n    w: \"1\"\n"
            );
            let f = h.file(&format!("{n}.yaml"), &cm);
            h.ok(&["apply", NO_CLIENT_VALIDATION, "-f", &f]);
        }
        let start = Instant::now();
        let mut got = Vec::new();
        while got.len() < 2 && start.elapsed() < Duration::from_secs(10) {
            match lines.next() {
                Some(Ok(l)) => got.push(l),
                _ => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(got, ["configmap/a", "configmap/b"]);
    });
}

#[test]
fn api_resources_lists_the_served_kinds() {
    each(|h| {
        let out = h.ok(&["api-resources"]);
        let rows: Vec<Vec<&str>> = out
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            rows[0],
            ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
        );
        for want in [
            vec!["deployments", "deploy", "apps/v1", "true", "Deployment"],
            vec!["services", "svc", "v1", "true", "Service"],
            vec!["nodes", "no", "v1", "false", "Node"],
            vec![
                "endpointslices",
                "discovery.k8s.io/v1",
                "true",
                "EndpointSlice",
            ],
            vec![
                "networkpolicies",
                "netpol",
                "networking.k8s.io/v1",
                "true",
                "NetworkPolicy",
            ],
        ] {
            assert!(rows.contains(&want), "{want:?} missing from\n{out}");
        }
    });
}

#[test]
fn a_wrong_token_is_refused_with_unauthorized() {
    each(|h| {
        let text = std::fs::read_to_string(h.kubeconfig()).unwrap();
        let token = h.server.clusters()[0].cluster.token().unwrap().to_string();
        let bad = h.file("bad-kubeconfig", &text.replace(&token, "wrong"));
        let r = h
            .command(&["get", "svc"])
            .env("KUBECONFIG", &bad)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(1));
        // What kubectl prints for a real API server's 401 too: discovery fails first, and its
        // error (client-go's text for a 401 to a discovery request) is the one reported.
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(
            stderr.trim().lines().last(),
            Some(
                "error: You must be logged in to the server (the server has asked for the client to provide credentials)"
            ),
            "{stderr}"
        );
    });
}

#[test]
fn one_server_hosts_several_clusters_one_context_each() {
    for k in kubectls() {
        let mut small = kubedrill_sim::ClusterConfig::default();
        small.nodes.truncate(1);
        let h = Harness::start_with(
            &k,
            vec![
                ("exam-1", kubedrill_sim::ClusterConfig::default()),
                ("exam-2", small),
            ],
        );
        assert_eq!(h.ok(&["config", "current-context"]), "exam-1\n");
        let one = h.ok(&["get", "nodes", "-o", "name"]);
        assert_eq!(one.lines().count(), 3, "{one}");
        let two = h.ok(&["--context", "exam-2", "get", "nodes", "-o", "name"]);
        assert_eq!(two, "node/controlplane\n");
        // Writes stay in their cluster.
        h.ok(&[
            "--context",
            "exam-2",
            "label",
            "node",
            "controlplane",
            "exam=2",
        ]);
        let labelled = h.ok(&["get", "nodes", "-l", "exam=2", "-o", "name"]);
        assert_eq!(labelled, "");
    }
}

#[test]
fn edit_with_an_editor_script_patches_the_object() {
    each(|h| {
        let out = h
            .command(&["edit", "svc", "kubernetes", NO_CLIENT_VALIDATION])
            .env(
                "EDITOR",
                "sed -i s/sessionAffinity:.None/sessionAffinity:\\ ClientIP/",
            )
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "service/kubernetes edited\n"
        );
        let got = h.ok(&[
            "get",
            "svc",
            "kubernetes",
            "-o",
            "jsonpath={.spec.sessionAffinity}",
        ]);
        assert_eq!(got, "ClientIP");
    });
}

#[test]
fn describe_service_shows_its_endpoints_from_endpointslices() {
    each(|h| {
        with_web(h);
        h.ok(&["expose", "deployment", "web", "--port=80"]);
        let ips = h.ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].status.podIP}",
        ]);
        let out = h.ok(&["describe", "svc", "web"]);
        let line = out
            .lines()
            .find(|l| l.starts_with("Endpoints:"))
            .unwrap_or_else(|| panic!("{out}"));
        let mut shown: Vec<&str> = line["Endpoints:".len()..].trim().split(',').collect();
        let mut want: Vec<String> = ips
            .split_whitespace()
            .map(|ip| format!("{ip}:80"))
            .collect();
        shown.sort_unstable();
        want.sort();
        assert_eq!(shown, want);
        assert!(out.contains("Selector:                 app=web"), "{out}");
    });
}

#[test]
fn serve_prints_the_kubeconfig_export_once_it_answers() {
    for k in kubectls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kc");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubedrill"))
            .args(["serve", "--kubeconfig"])
            .arg(&path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, format!("export KUBECONFIG={}\n", path.display()));
        let out = std::process::Command::new(&k)
            .args(["get", "nodes", "-o", "name"])
            .env("KUBECONFIG", &path)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "node/controlplane\nnode/node01\nnode/node02\n"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn an_unknown_field_in_a_patch_is_dropped_with_kubectls_warning() {
    each(|h| {
        let r = h.run(&[
            "patch",
            "svc",
            "kubernetes",
            "-p",
            r#"{"spec":{"sessionAffinty":"ClientIP"}}"#,
        ]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(
            r.stderr.trim(),
            "Warning: unknown field \"spec.sessionAffinty\""
        );
        assert_eq!(r.stdout, "service/kubernetes patched (no change)\n");
    });
}

#[test]
fn rollout_status_and_wait_follow_the_deployment() {
    each(|h| {
        with_web(h);
        assert_eq!(
            h.ok(&["rollout", "status", "deploy/web", "--timeout=10s"]),
            "deployment \"web\" successfully rolled out\n"
        );
        assert_eq!(
            h.ok(&[
                "wait",
                "--for=condition=Available",
                "deploy/web",
                "--timeout=10s"
            ]),
            "deployment.apps/web condition met\n"
        );
    });
}

#[test]
fn foreground_delete_takes_the_replicasets_and_pods_with_it() {
    each(|h| {
        with_web(h);
        let out = h.ok(&["delete", "deploy", "web", "--cascade=foreground"]);
        assert_eq!(
            out,
            format!(
                "deployment.apps \"web\" deleted{}\n",
                h.deleted_suffix("default")
            )
        );
        assert_eq!(h.ok(&["get", "rs,pods", "-l", "app=web", "-o", "name"]), "");
    });
}

#[test]
fn get_output_yaml_and_json_are_the_stored_object() {
    each(|h| {
        let yaml = h.ok(&["get", "svc", "kubernetes", "-o", "yaml"]);
        assert!(
            yaml.starts_with("apiVersion: v1\nkind: Service\n"),
            "{yaml}"
        );
        assert!(yaml.contains("\n  clusterIP: 10.96.0.1\n"), "{yaml}");
        let json: serde_json::Value =
            serde_json::from_str(&h.ok(&["get", "svc", "-n", "kube-system", "-o", "json"]))
                .unwrap();
        assert_eq!(json["kind"], "List");
        assert_eq!(json["items"][0]["metadata"]["name"], "kube-dns");
    });
}

#[test]
fn endpoints_requests_carry_the_1_33_deprecation_warning() {
    each(|h| {
        let r = h.run(&["get", "endpoints", "kubernetes", "-o", "name"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(r.stdout, "endpoints/kubernetes\n");
        assert_eq!(
            r.stderr.trim(),
            "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
        );
    });
}
