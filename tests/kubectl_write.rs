//! End-to-end writes with the real kubectl: the `create` generators (protobuf bodies since
//! kubectl 1.32), `expose` of pods and services, `run`, `annotate`, merge patches, `rollout
//! restart` / `undo`, cascading deletes, and what each prints; the API's own error texts where a
//! write is refused.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};
use support::{Harness, each, row, table};

fn svc_row(h: &Harness, name: &str) -> Vec<String> {
    let rows = table(&h.ok(&["get", "svc", name, "-o", "wide"]));
    rows[1].clone()
}

fn jsonpath(h: &Harness, what: &[&str], path: &str) -> String {
    let mut args = vec!["get"];
    args.extend(what);
    let jp = format!("jsonpath={path}");
    args.extend(["-o", &jp]);
    h.ok(&args)
}

#[test]
fn create_service_clusterip_nodeport_loadbalancer_and_externalname() {
    each(|h| {
        assert_eq!(
            h.ok(&["create", "service", "clusterip", "my-cs", "--tcp=5678:8080"]),
            "service/my-cs created\n"
        );
        let r = svc_row(h, "my-cs");
        assert_eq!(r[1], "ClusterIP");
        assert!(r[2].starts_with("10."), "{r:?}");
        assert_eq!(r[3..5], ["<none>", "5678/TCP"]);
        assert_eq!(r[6], "app=my-cs");
        assert_eq!(
            jsonpath(
                h,
                &["svc", "my-cs"],
                "{.spec.ports[0].name} {.spec.ports[0].targetPort} {.metadata.labels.app}"
            ),
            "5678-8080 8080 my-cs"
        );

        assert_eq!(
            h.ok(&[
                "create",
                "service",
                "nodeport",
                "my-np",
                "--tcp=80:8080",
                "--node-port=30080"
            ]),
            "service/my-np created\n"
        );
        let r = svc_row(h, "my-np");
        assert_eq!(r[1], "NodePort");
        assert_eq!(r[3..5], ["<none>", "80:30080/TCP"]);
        // The same nodePort again: the allocator's refusal, as kubectl words a generator's error.
        let err = h.fails(&[
            "create",
            "service",
            "nodeport",
            "dup",
            "--tcp=80:8080",
            "--node-port=30080",
        ]);
        assert_eq!(
            err.trim(),
            "error: failed to create NodePort service: Service \"dup\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
        );

        assert_eq!(
            h.ok(&[
                "create",
                "service",
                "loadbalancer",
                "my-lb",
                "--tcp=80:8080"
            ]),
            "service/my-lb created\n"
        );
        let r = svc_row(h, "my-lb");
        assert_eq!(r[1], "LoadBalancer");
        assert_eq!(r[3], "<pending>");
        let port = r[4]
            .strip_prefix("80:")
            .unwrap()
            .strip_suffix("/TCP")
            .unwrap();
        assert!(
            (30000..=32767).contains(&port.parse::<u16>().unwrap()),
            "{r:?}"
        );

        assert_eq!(
            h.ok(&[
                "create",
                "service",
                "externalname",
                "my-en",
                "--external-name=db.example.com"
            ]),
            "service/my-en created\n"
        );
        let r = svc_row(h, "my-en");
        assert_eq!(
            r[1..5],
            ["ExternalName", "<none>", "db.example.com", "<none>"]
        );
        assert_eq!(
            jsonpath(
                h,
                &["svc", "my-en"],
                "{.spec.clusterIP}|{.spec.externalName}"
            ),
            "|db.example.com"
        );
    });
}

#[test]
fn create_namespace_configmap_and_ingress_from_protobuf_bodies() {
    each(|h| {
        assert_eq!(
            h.ok(&["create", "namespace", "team"]),
            "namespace/team created\n"
        );
        let ns = table(&h.ok(&["get", "ns", "team", "--show-labels"]));
        assert_eq!(ns[1][1], "Active");
        assert_eq!(ns[1][3], "kubernetes.io/metadata.name=team");
        assert_eq!(
            h.ok(&[
                "create",
                "configmap",
                "cfg",
                "-n",
                "team",
                "--from-literal=a=1",
                "--from-literal=greeting=hello world"
            ]),
            "configmap/cfg created\n"
        );
        assert_eq!(
            jsonpath(
                h,
                &["cm", "cfg", "-n", "team"],
                "{.data.a}|{.data.greeting}"
            ),
            "1|hello world"
        );
        let cms = table(&h.ok(&["get", "cm", "-n", "team"]));
        assert_eq!(row(&cms, 0, "cfg")[1], "2");
        // The namespace controller gave the new namespace its root CA ConfigMap too.
        assert_eq!(row(&cms, 0, "kube-root-ca.crt")[1], "1");
        let err = h.fails(&["create", "namespace", "team"]);
        assert_eq!(
            err.trim(),
            "Error from server (AlreadyExists): namespaces \"team\" already exists"
        );

        assert_eq!(
            h.ok(&[
                "create",
                "ingress",
                "shop",
                "-n",
                "team",
                "--class=nginx",
                "--rule=shop.example.com/cart*=cart:8080"
            ]),
            "ingress.networking.k8s.io/shop created\n"
        );
        assert_eq!(
            jsonpath(
                h,
                &["ingress", "shop", "-n", "team"],
                "{.spec.ingressClassName} {.spec.rules[0].host} {.spec.rules[0].http.paths[0].path} {.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.name}:{.spec.rules[0].http.paths[0].backend.service.port.number}"
            ),
            "nginx shop.example.com /cart Prefix cart:8080"
        );
    });
}

#[test]
fn expose_pod_and_service_select_what_the_source_selects() {
    each(|h| {
        h.web();
        assert_eq!(
            h.ok(&[
                "run",
                "p1",
                "--image=nginx",
                "--port=80",
                "--labels=app=p1,tier=fe"
            ]),
            "pod/p1 created\n"
        );
        assert_eq!(
            h.ok(&[
                "expose",
                "pod",
                "p1",
                "--port=8080",
                "--target-port=80",
                "--name=p1-svc"
            ]),
            "service/p1-svc exposed\n"
        );
        let r = svc_row(h, "p1-svc");
        assert_eq!(r[1], "ClusterIP");
        assert_eq!(r[4], "8080/TCP");
        assert_eq!(r[6], "app=p1,tier=fe");
        let ip = jsonpath(h, &["pod", "p1"], "{.status.podIP}");
        let ep = table(&h.ok(&["get", "endpoints", "p1-svc"]));
        assert_eq!(ep[1][1], format!("{ip}:80"));

        assert_eq!(
            h.ok(&[
                "expose",
                "service",
                "web",
                "--name=web-np",
                "--type=NodePort",
                "--port=8080",
                "--target-port=80"
            ]),
            "service/web-np exposed\n"
        );
        let r = svc_row(h, "web-np");
        assert_eq!(r[1], "NodePort");
        assert!(
            r[4].starts_with("8080:3") && r[4].ends_with("/TCP"),
            "{r:?}"
        );
        assert_eq!(r[6], "app=web");
        let eps = table(&h.ok(&["get", "endpoints", "web-np"]));
        assert_eq!(eps[1][1].matches(":80").count(), 3, "{eps:?}");

        // A pod without labels has nothing to select.
        h.apply(
            "bare.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
        );
        let err = h.fails(&["expose", "pod", "bare", "--port=80"]);
        assert_eq!(
            err.trim(),
            "error: couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed"
        );
    });
}

#[test]
fn run_creates_a_pod_labelled_run_and_refuses_a_second_one() {
    each(|h| {
        assert_eq!(h.ok(&["run", "one", "--image=nginx"]), "pod/one created\n");
        let pods = table(&h.ok(&["get", "pod", "one", "--show-labels"]));
        assert_eq!(pods[1][1..4], ["1/1", "Running", "0"]);
        assert_eq!(pods[1][5], "run=one");
        assert_eq!(
            jsonpath(
                h,
                &["pod", "one"],
                "{.spec.containers[0].name} {.spec.containers[0].image} {.spec.restartPolicy} {.spec.dnsPolicy}"
            ),
            "one nginx Always ClusterFirst"
        );
        let err = h.fails(&["run", "one", "--image=nginx"]);
        assert_eq!(
            err.trim(),
            "Error from server (AlreadyExists): pods \"one\" already exists"
        );
        // A one-shot client runs to completion.
        h.ok(&[
            "run",
            "once",
            "--image=busybox",
            "--restart=Never",
            "--",
            "true",
        ]);
        let pods = table(&h.ok(&["get", "pod", "once"]));
        assert_eq!(pods[1][1..4], ["0/1", "Completed", "0"]);
    });
}

#[test]
fn annotate_needs_overwrite_to_change_a_value() {
    each(|h| {
        assert_eq!(
            h.ok(&["annotate", "svc", "kubernetes", "owner=team-a"]),
            "service/kubernetes annotated\n"
        );
        let err = h.fails(&["annotate", "svc", "kubernetes", "owner=team-b"]);
        assert_eq!(
            err.trim(),
            "error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (team-a)"
        );
        assert_eq!(
            h.ok(&[
                "annotate",
                "svc",
                "kubernetes",
                "owner=team-b",
                "--overwrite"
            ]),
            "service/kubernetes annotated\n"
        );
        assert_eq!(
            jsonpath(h, &["svc", "kubernetes"], "{.metadata.annotations.owner}"),
            "team-b"
        );
        assert_eq!(
            h.ok(&["annotate", "svc", "kubernetes", "owner-"]),
            "service/kubernetes annotated\n"
        );
        assert_eq!(
            jsonpath(h, &["svc", "kubernetes"], "{.metadata.annotations}"),
            ""
        );
    });
}

#[test]
fn patch_type_merge_sets_and_removes_fields() {
    each(|h| {
        h.ok(&[
            "create",
            "configmap",
            "cfg",
            "--from-literal=a=1",
            "--from-literal=b=2",
        ]);
        assert_eq!(
            h.ok(&[
                "patch",
                "cm",
                "cfg",
                "--type=merge",
                "-p",
                r#"{"data":{"a":null,"c":"3"}}"#
            ]),
            "configmap/cfg patched\n"
        );
        assert_eq!(
            jsonpath(h, &["cm", "cfg"], "{.data}"),
            r#"{"b":"2","c":"3"}"#
        );
        assert_eq!(
            h.ok(&[
                "patch",
                "cm",
                "cfg",
                "--type=merge",
                "-p",
                r#"{"data":{"b":"2"}}"#
            ]),
            "configmap/cfg patched (no change)\n"
        );
        h.web();
        assert_eq!(
            h.ok(&[
                "patch",
                "deploy",
                "web",
                "--type=merge",
                "-p",
                r#"{"spec":{"replicas":1}}"#
            ]),
            "deployment.apps/web patched\n"
        );
        let pods = h.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
        assert_eq!(pods.lines().count(), 1, "{pods}");
        // A merge patch replaces lists whole: the Service keeps only the port it was given.
        h.ok(&[
            "patch",
            "svc",
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"ports":[{"name":"alt","port":8080,"targetPort":80}]}}"#,
        ]);
        assert_eq!(svc_row(h, "web")[4], "8080/TCP");
        let err = h.fails(&[
            "patch",
            "svc",
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"type":"Bogus"}}"#,
        ]);
        assert_eq!(
            err.trim(),
            "The Service \"web\" is invalid: spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        );
    });
}

#[test]
fn rollout_restart_and_undo_make_and_reuse_revisions() {
    each(|h| {
        h.web();
        // Only revision 1 so far. (kubectl first warns that `web` was applied: client-side.)
        let err = h.fails(&["rollout", "undo", "deploy/web"]);
        assert_eq!(
            err.trim().lines().last(),
            Some("error: no rollout history found for deployment \"web\"")
        );
        assert_eq!(
            h.ok(&["rollout", "restart", "deploy/web"]),
            "deployment.apps/web restarted\n"
        );
        assert!(
            !jsonpath(
                h,
                &["deploy", "web"],
                "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"
            )
            .is_empty()
        );
        assert_eq!(
            h.ok(&["rollout", "status", "deploy/web", "--timeout=10s"]),
            "deployment \"web\" successfully rolled out\n"
        );
        let history = h.ok(&["rollout", "history", "deploy/web"]);
        assert_eq!(
            history,
            "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
        );
        let rs = table(&h.ok(&["get", "rs", "-l", "app=web"]));
        assert_eq!(rs.len(), 3, "{rs:?}");
        let old = rs.iter().find(|r| r[1] == "0").unwrap()[0].clone();

        let r = h.run(&["rollout", "undo", "deploy/web"]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "deployment.apps/web rolled back\n")
        );
        h.ok(&["rollout", "status", "deploy/web", "--timeout=10s"]);
        // Revision 1's ReplicaSet is the current one again, renumbered 3.
        let rs = table(&h.ok(&["get", "rs", "-l", "app=web"]));
        assert_eq!(row(&rs, 0, &old)[1..4], ["3", "3", "3"]);
        assert_eq!(
            jsonpath(
                h,
                &["rs", &old],
                "{.metadata.annotations.deployment\\.kubernetes\\.io/revision}"
            ),
            "3"
        );
        let history = h.ok(&["rollout", "history", "deploy/web"]);
        assert!(
            history.ends_with("2         <none>\n3         <none>\n\n"),
            "{history}"
        );
        let err = h.fails(&["rollout", "undo", "deploy/web", "--to-revision=9"]);
        assert_eq!(
            err.trim().lines().last(),
            Some("error: unable to find specified revision 9 in history")
        );
    });
}

/// Poll `args` until it prints `want` (the garbage collector runs after the delete answers).
fn eventually(h: &Harness, args: &[&str], want: &str) {
    let start = Instant::now();
    loop {
        let got = h.ok(args);
        if got == want || start.elapsed() > Duration::from_secs(10) {
            assert_eq!(got, want, "kubectl {args:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn delete_cascade_orphan_keeps_the_pods_and_background_removes_them() {
    each(|h| {
        h.web();
        let rs = h.ok(&["get", "rs", "-l", "app=web", "-o", "name"]);
        let pods = h.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
        assert_eq!(pods.lines().count(), 3);
        assert_eq!(
            h.ok(&["delete", "deploy", "web", "--cascade=orphan"]),
            format!(
                "deployment.apps \"web\" deleted{}\n",
                h.deleted_suffix("default")
            )
        );
        assert_eq!(h.ok(&["get", "rs", "-l", "app=web", "-o", "name"]), rs);
        assert_eq!(h.ok(&["get", "pods", "-l", "app=web", "-o", "name"]), pods);
        // The orphans lost their owner reference.
        assert_eq!(
            h.ok(&[
                "get",
                "rs",
                "-l",
                "app=web",
                "-o",
                "jsonpath={.items[0].metadata.ownerReferences}"
            ]),
            ""
        );

        let rs_name = rs.trim().strip_prefix("replicaset.apps/").unwrap();
        assert_eq!(
            h.ok(&["delete", "rs", rs_name, "--cascade=background"]),
            format!(
                "replicaset.apps \"{rs_name}\" deleted{}\n",
                h.deleted_suffix("default")
            )
        );
        eventually(h, &["get", "pods", "-l", "app=web", "-o", "name"], "");
    });
}

#[test]
fn explain_service_spec_ports_prints_the_field_docs() {
    each(|h| {
        let out = h.ok(&["explain", "service.spec.ports"]);
        assert!(
            out.starts_with(
                "KIND:       Service\nVERSION:    v1\n\nFIELD: ports <[]ServicePort>\n"
            ),
            "{out}"
        );
        let desc = out.split_once("DESCRIPTION:\n").unwrap().1;
        assert!(
            desc.starts_with("    The list of ports that are exposed by this service."),
            "{out}"
        );
        let fields = out.split_once("\nFIELDS:\n").unwrap().1;
        let listed: Vec<&str> = fields
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .map(str::trim)
            .collect();
        assert_eq!(
            listed,
            [
                "appProtocol\t<string>",
                "name\t<string>",
                "nodePort\t<integer>",
                "port\t<integer> -required-",
                "protocol\t<string>",
                "enum: SCTP, TCP, UDP",
                "targetPort\t<IntOrString>",
            ],
            "{out}"
        );
        assert!(
            fields.contains("Possible enum values:\n     - `\"SCTP\"` is the SCTP protocol.\n"),
            "{out}"
        );

        let out = h.ok(&["explain", "svc.spec.ports.targetPort"]);
        assert!(out.contains("FIELD: targetPort <IntOrString>\n"), "{out}");
        assert!(
            out.contains(
                "Number or name of the port to access on the pods targeted by the service."
            ),
            "{out}"
        );
        let err = h.fails(&["explain", "svc.spec.ports.nodeport"]);
        assert_eq!(err.trim(), "error: field \"nodeport\" does not exist");
    });
}

#[test]
fn logs_of_a_client_pod_are_its_commands_output_and_the_server_logs_the_request() {
    each(|h| {
        h.web();
        h.ok(&[
            "run",
            "client",
            "--image=busybox",
            "--restart=Never",
            "--",
            "wget",
            "-qO-",
            "-T",
            "2",
            "web",
        ]);
        let pods = table(&h.ok(&["get", "pod", "client"]));
        assert_eq!(pods[1][1..3], ["0/1", "Completed"]);
        let page = h.ok(&["logs", "client"]);
        assert!(
            page.starts_with("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>"),
            "{page}"
        );
        assert!(page.ends_with("</html>\n"), "{page}");
        let client_ip = jsonpath(h, &["pod", "client"], "{.status.podIP}");
        let access = h.ok(&["logs", "-l", "app=web", "--prefix"]);
        let line = access
            .lines()
            .find(|l| l.contains(&format!("] {client_ip} - - [")))
            .unwrap_or_else(|| panic!("no access log from {client_ip}:\n{access}"));
        assert!(line.starts_with("[pod/web-"), "{line}");
        assert!(
            line.ends_with("\"GET / HTTP/1.1\" 200 615 \"-\" \"Wget\" \"-\""),
            "{line}"
        );

        // A Service without endpoints: kube-proxy rejects, busybox says so, and the pod fails.
        h.ok(&["create", "service", "clusterip", "empty", "--tcp=80"]);
        h.ok(&[
            "run",
            "miss",
            "--image=busybox",
            "--restart=Never",
            "--",
            "wget",
            "-qO-",
            "-T",
            "2",
            "empty",
        ]);
        let pods = table(&h.ok(&["get", "pod", "miss"]));
        assert_eq!(pods[1][2], "Error");
        let ip = jsonpath(h, &["svc", "empty"], "{.spec.clusterIP}");
        let log = h.ok(&["logs", "miss"]);
        assert_eq!(
            log,
            format!("wget: can't connect to remote host ({ip}): Connection refused\n")
        );
        let err = h.fails(&["logs", "nope"]);
        assert_eq!(
            err.trim(),
            "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\""
        );
    });
}

#[test]
fn output_of_a_write_is_the_object_as_written_before_controllers_react() {
    each(|h| {
        // The exam's `--dry-run=server -o yaml > file` habit: no status, no revision yet.
        let yaml = h.ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
            "--dry-run=server",
            "-o",
            "yaml",
        ]);
        assert!(yaml.ends_with("\nstatus: {}\n"), "{yaml}");
        assert!(
            !yaml.contains("deployment.kubernetes.io/revision"),
            "{yaml}"
        );
        assert_eq!(h.run(&["get", "deploy", "web"]).code, 1);
        // `run -o` prints the pod the API server stored: not yet scheduled.
        assert_eq!(
            h.ok(&[
                "run",
                "p",
                "--image=nginx",
                "-o",
                "jsonpath={.status.phase}|{.spec.nodeName}"
            ]),
            "Pending|"
        );
        assert_eq!(jsonpath(h, &["pod", "p"], "{.status.phase}"), "Running");
    });
}
