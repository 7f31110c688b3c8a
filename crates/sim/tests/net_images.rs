//! What each image of the catalog really listens on and answers once a request reaches it:
//! status, body, `Server` header and the access-log line — and what a pod whose image never
//! ran (or listens elsewhere) does to a connection.

mod net_support;

use kubedrill_sim::net::{Hop, Verdict};
use kubedrill_sim::{Kind, Sim, meta};
use net_support::*;

/// A pod `name` running `image` with `args` (YAML flow list) on node01, and a client.
fn server(image: &str, command: &str, args: &str) -> (Sim, String) {
    let manifest = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: srv, labels: {{app: srv}}}}\nspec:\n  nodeName: node01\n  containers:\n  - name: srv\n    image: '{image}'\n    command: {command}\n    args: {args}\n"
    );
    let (sim, _c) = cluster(&[&manifest, &client("c", "default", "node02")]);
    let ip = pod_ip(&sim.get(Kind::Pod, "default", "srv").expect("pod")).to_string();
    (sim, ip)
}

fn ask(sim: &mut Sim, ip: &str, port: u16, path: &str) -> kubedrill_sim::net::Trace {
    trace(sim, &from_pod("default", "c"), &get(ip, port, path))
}

fn client_ip(sim: &Sim) -> String {
    pod_ip(&sim.get(Kind::Pod, "default", "c").expect("client")).to_string()
}

#[test]
fn nginx_serves_its_welcome_page_and_its_404_and_logs_combined_format() {
    let (mut sim, ip) = server("nginx:1.27", "null", "null");
    let t = ask(&mut sim, &ip, 80, "/");
    let r = response(&t);
    assert_eq!((r.status, r.reason.as_str()), (200, "OK"));
    assert_eq!(r.server.as_deref(), Some("nginx/1.27.5"));
    assert!(r.body.contains("<title>Welcome to nginx!</title>"));
    assert_eq!(r.body.len(), 615);
    let t = ask(&mut sim, &ip, 80, "/missing");
    let r = response(&t);
    assert_eq!(r.status, 404);
    assert!(
        r.body.contains("<hr><center>nginx/1.27.5</center>"),
        "{}",
        r.body
    );
    let log = log_lines(&sim, "default", "srv");
    let c = client_ip(&sim);
    assert_eq!(
        log,
        vec![
            format!(
                "{c} - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"Wget\" \"-\""
            ),
            format!(
                "{c} - - [01/Jan/2026:00:00:00 +0000] \"GET /missing HTTP/1.1\" 404 {} \"-\" \"Wget\" \"-\"",
                r.body.len()
            ),
        ]
    );
    assert!(is_refused(&ask(&mut sim, &ip, 8080, "/")));
}

#[test]
fn nginx_versions_follow_the_image_tag() {
    for (tag, server) in [
        ("nginx", "nginx/1.29.3"),
        ("nginx:1.25.3-alpine", "nginx/1.25.3"),
        ("nginx:stable", "nginx/1.28.0"),
    ] {
        let (mut sim, ip) = server_named(tag);
        assert_eq!(
            response(&ask(&mut sim, &ip, 80, "/")).server.as_deref(),
            Some(server),
            "{tag}"
        );
    }
}

fn server_named(image: &str) -> (Sim, String) {
    server(image, "null", "null")
}

#[test]
fn httpd_says_it_works() {
    let (mut sim, ip) = server("httpd:2.4", "null", "null");
    let r = response(&ask(&mut sim, &ip, 80, "/")).clone();
    assert_eq!(r.body, "<html><body><h1>It works!</h1></body></html>\n");
    assert_eq!(r.server.as_deref(), Some("Apache/2.4.65 (Unix)"));
    assert_eq!(response(&ask(&mut sim, &ip, 80, "/x")).status, 404);
    let c = client_ip(&sim);
    assert_eq!(
        log_lines(&sim, "default", "srv")[0],
        format!("{c} - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 45")
    );
}

#[test]
fn http_echo_answers_its_text_on_its_listen_port() {
    let (mut sim, ip) = server(
        "hashicorp/http-echo:1.0",
        "null",
        "['-text=hello world', '-listen=:8080']",
    );
    let r = response(&ask(&mut sim, &ip, 8080, "/anything")).clone();
    assert_eq!(r.body, "hello world\n");
    assert_eq!(r.server, None);
    assert!(is_refused(&ask(&mut sim, &ip, 5678, "/")));
    let line = &log_lines(&sim, "default", "srv")[0];
    assert!(line.starts_with("2026/01/01 00:00:00 "), "{line}");
    assert!(
        line.contains("\"GET /anything HTTP/1.1\" 200 12 \"Wget\""),
        "{line}"
    );
}

#[test]
fn agnhost_netexec_answers_hostname_echo_and_clientip_and_listens_on_udp() {
    let (mut sim, ip) = server(
        "registry.k8s.io/e2e-test-images/agnhost:2.53",
        "null",
        "[netexec, --http-port=8080]",
    );
    assert_eq!(response(&ask(&mut sim, &ip, 8080, "/hostname")).body, "srv");
    assert_eq!(
        response(&ask(&mut sim, &ip, 8080, "/echo?msg=hi%20there")).body,
        "hi there"
    );
    let clientip = response(&ask(&mut sim, &ip, 8080, "/clientip"))
        .body
        .clone();
    assert!(
        clientip.starts_with(&format!("{}:", client_ip(&sim))),
        "{clientip}"
    );
    let r = response(&ask(&mut sim, &ip, 8080, "/nope")).clone();
    assert_eq!((r.status, r.body.as_str()), (404, "404 page not found\n"));
    assert!(is_delivered(&trace(
        &mut sim,
        &from_pod("default", "c"),
        &udp(&ip, 8081)
    )));
    assert!(
        log_lines(&sim, "default", "srv")
            .iter()
            .any(|l| l.ends_with("GET /hostname"))
    );
}

#[test]
fn agnhost_serve_hostname_answers_the_pod_name_on_9376() {
    let (mut sim, ip) = server(
        "registry.k8s.io/e2e-test-images/agnhost:2.53",
        "null",
        "[serve-hostname]",
    );
    assert_eq!(response(&ask(&mut sim, &ip, 9376, "/")).body, "srv");
}

#[test]
fn echo_server_echoes_the_request_and_names_its_host() {
    let (mut sim, ip) = server("kicbase/echo-server:1.0", "null", "null");
    let body = response(&ask(&mut sim, &ip, 8080, "/path?q=1"))
        .body
        .clone();
    assert!(
        body.starts_with("Request served by srv\n\nHTTP/1.1 GET /path?q=1\n\n"),
        "{body}"
    );
    assert!(body.contains(&format!("Host: {ip}:8080\n")), "{body}");
    assert!(body.contains("User-Agent: Wget\n"));
}

#[test]
fn redis_accepts_tcp_but_speaks_no_http() {
    let (mut sim, ip) = server("redis:7", "null", "null");
    let t = ask(&mut sim, &ip, 6379, "/");
    match t.verdict {
        Verdict::Delivered { http, port, .. } => assert_eq!((http, port), (None, 6379)),
        v => panic!("{v:?}"),
    }
    assert!(is_refused(&ask(&mut sim, &ip, 6380, "/")));
}

#[test]
fn busybox_httpd_and_nc_listen_where_their_flags_say() {
    let (mut sim, ip) = server("busybox:1.36", "[httpd, -f, -p, '8080']", "null");
    assert_eq!(response(&ask(&mut sim, &ip, 8080, "/")).status, 200);
    assert!(is_refused(&ask(&mut sim, &ip, 80, "/")));
    let (mut sim, ip) = server("busybox:1.36", "[sh, -c, 'nc -lk -p 9000']", "null");
    assert!(is_delivered(&trace(
        &mut sim,
        &from_pod("default", "c"),
        &tcp(&ip, 9000)
    )));
    // UDP to a TCP-only listener: ICMP port unreachable.
    let t = trace(&mut sim, &from_pod("default", "c"), &udp(&ip, 9000));
    assert!(is_refused(&t));
    assert!(notes(&t).contains("ICMP port unreachable"));
}

#[test]
fn python_http_server_lists_its_directory() {
    let (mut sim, ip) = server(
        "python:3.12",
        "[sh, -c, 'python -m http.server 9000']",
        "null",
    );
    let r = response(&ask(&mut sim, &ip, 9000, "/")).clone();
    assert_eq!(r.server.as_deref(), Some("SimpleHTTP/0.6 Python/3.12.12"));
    assert!(r.body.contains("<title>Directory listing for /</title>"));
    let c = client_ip(&sim);
    assert_eq!(
        log_lines(&sim, "default", "srv")[0],
        format!("{c} - - [01/Jan/2026 00:00:00] \"GET / HTTP/1.1\" 200 -")
    );
}

#[test]
fn coredns_answers_its_health_and_readiness_endpoints() {
    let (mut sim, _c) = cluster(&[&client("c", "default", "node02")]);
    let dns = pods(&sim, "kube-system", "k8s-app=kube-dns").remove(0);
    let ip = pod_ip(&dns).to_string();
    assert_eq!(response(&ask(&mut sim, &ip, 8080, "/health")).body, "OK");
    assert_eq!(response(&ask(&mut sim, &ip, 8181, "/ready")).body, "OK");
}

#[test]
fn an_image_that_never_pulled_listens_on_nothing() {
    let (mut sim, _c) = cluster(&[
        &web("web", 1, "nginx:9.99", 80, 80),
        &client("c", "default", "node02"),
    ]);
    let pod = pods(&sim, "default", "app=web").remove(0);
    assert_eq!(meta::str_at(&pod, &["status", "phase"]), "Pending");
    // Not ready: no endpoint, so the Service rejects.
    assert!(is_refused(&trace(
        &mut sim,
        &from_pod("default", "c"),
        &get("web", 80, "/")
    )));
    // Straight to the pod: its sandbox has the address, nothing listens.
    let t = trace(
        &mut sim,
        &from_pod("default", "c"),
        &tcp(&pod_ip(&pod).to_string(), 80),
    );
    assert!(is_refused(&t));
    assert!(t.hops.iter().any(|h| matches!(
        h,
        Hop::Container {
            listening: false,
            ..
        }
    )));
}

#[test]
fn a_wrong_target_port_reaches_the_pod_which_refuses() {
    let (mut sim, _c) = cluster(&[
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
"#,
        &client("c", "default", "node02"),
    ]);
    let t = trace(&mut sim, &from_pod("default", "c"), &get("web", 80, "/"));
    assert!(is_refused(&t), "{:?}", t.verdict);
    assert!(
        t.hops
            .iter()
            .any(|h| matches!(h, Hop::Endpoint { port: 8080, .. }))
    );
    assert!(t.hops.iter().any(|h| matches!(
        h,
        Hop::Container {
            listening: false,
            port: 8080,
            ..
        }
    )));
}
