//! End-to-end: `kubectl port-forward` (SPDY/3.1 inside WebSocket) to simulated pods and
//! Services, fetched with a plain TCP HTTP request, and the NodePorts the server listens on at
//! each node's loopback address. Each test runs with every kubectl found (see `support`).

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::{Harness, kubectls};

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
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
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
";

fn each(test: impl Fn(&Harness)) {
    for k in kubectls() {
        let h = Harness::start(&k);
        test(&h);
    }
}

fn with_web(h: &Harness) -> String {
    let f = h.file("web.yaml", WEB);
    h.ok(&["apply", "--validate=false", "-f", &f]);
    h.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod",
        "-l",
        "app=web",
        "--timeout=20s",
    ]);
    h.ok(&[
        "get",
        "pods",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ])
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `kubectl port-forward`, its stderr collected in the background.
struct Forward {
    child: Child,
    port: u16,
    stderr: mpsc::Receiver<String>,
}

impl Forward {
    fn start(h: &Harness, target: &str, remote: u16) -> Forward {
        let port = free_port();
        let mut child = h
            .command(&["port-forward", target, &format!("{port}:{remote}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(
            line,
            format!("Forwarding from 127.0.0.1:{port} -> {remote}\n")
        );
        // Keep draining stdout ("Handling connection for …") so kubectl never blocks.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        let mut err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            let _ = tx.send(s);
        });
        Forward {
            child,
            port,
            stderr: rx,
        }
    }

    /// Wait (up to 10 s) for kubectl to exit by itself: its exit code and stderr.
    fn wait_exit(mut self) -> (Option<i32>, String) {
        let mut code = None;
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                code = status.code();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        (code, self.stop())
    }

    /// Stop kubectl (if still running) and return its stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default()
    }
}

/// `GET path` on a fresh connection with `Connection: close`; the whole response as text.
fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn assert_nginx_page(resp: &str) {
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((resp, ""));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
    assert!(head.contains("\r\nServer: nginx/1.27.5\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Type: text/html\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(body.contains("<title>Welcome to nginx!</title>"), "{body}");
}

#[test]
fn port_forward_to_a_pod_serves_nginxs_page() {
    each(|h| {
        let pod = with_web(h);
        let fwd = Forward::start(h, &format!("pod/{pod}"), 80);
        let addr = format!("127.0.0.1:{}", fwd.port);
        assert_nginx_page(&http_get(&addr, "/").unwrap());
        // A second connection through the same tunnel, and nginx's own 404 page.
        let missing = http_get(&addr, "/nope").unwrap();
        assert!(
            missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
            "{missing}"
        );
        assert!(missing.contains("<hr><center>nginx/1.27.5</center>"));
        fwd.stop();
        // The container logged the requests as coming from its own loopback.
        let logs = h.ok(&["logs", &pod]);
        assert!(logs.contains("127.0.0.1 - - ["), "{logs}");
        assert!(logs.contains("\"GET /nope HTTP/1.1\" 404"), "{logs}");
    });
}

#[test]
fn port_forward_to_a_service_picks_a_pod_of_its_selector() {
    each(|h| {
        with_web(h);
        let fwd = Forward::start(h, "svc/web", 80);
        assert_nginx_page(&http_get(&format!("127.0.0.1:{}", fwd.port), "/").unwrap());
        fwd.stop();
    });
}

#[test]
fn port_forward_to_a_port_nothing_listens_on_reports_connection_refused() {
    each(|h| {
        let pod = with_web(h);
        let fwd = Forward::start(h, &format!("pod/{pod}"), 8080);
        let got = http_get(&format!("127.0.0.1:{}", fwd.port), "/").unwrap_or_default();
        assert_eq!(got, "", "nothing answers on 8080");
        // kubectl gives up on the pod after the error: `lost connection to pod`, exit 1.
        let (code, stderr) = fwd.wait_exit();
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.ends_with("error: lost connection to pod\n"),
            "{stderr}"
        );
        // 1.32 writes `an error occurred forwarding L -> 8080: <err>`, 1.37 a structured
        // `"An error occurred forwarding" err="<err>"` (quotes escaped): the kubelet's words
        // are the same.
        assert!(
            stderr.contains("error forwarding port 8080 to pod ")
                && stderr.contains(", uid : failed to execute portforward in network namespace ")
                && stderr.contains("/var/run/netns/cni-"),
            "{stderr}"
        );
        assert!(
            stderr.contains("failed to connect to localhost:8080 inside namespace ")
                && stderr.contains(
                    "IPv4: dial tcp4 127.0.0.1:8080: connect: connection refused IPv6 dial tcp6 [::1]:8080: connect: connection refused"
                ),
            "{stderr}"
        );
    });
}

/// The node addresses and ports are the machine's: one NodePort test at a time.
static NODE_PORTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A cluster served with its NodePorts on the nodes' loopback addresses.
fn each_with_node_ports(test: impl Fn(&Harness)) {
    let _one = NODE_PORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for k in kubectls() {
        let h = Harness::start_serving(
            &k,
            vec![("kubedrill", kubedrill_sim::ClusterConfig::default())],
            true,
        );
        test(&h);
    }
}

/// A node's address from outside, as `kubectl get nodes -o wide` shows it (EXTERNAL-IP).
fn external_ip(h: &Harness, node: &str) -> String {
    let path = "jsonpath={.status.addresses[?(@.type==\"ExternalIP\")].address}";
    for _ in 0..50 {
        let ip = h.ok(&["get", "node", node, "-o", path]);
        if !ip.is_empty() {
            return ip;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{node} has no ExternalIP");
}

/// Poll `addr` until connecting is refused (or accepted, with `want_open`).
fn wait_connect(addr: &str, want_open: bool) -> bool {
    for _ in 0..50 {
        let open = TcpStream::connect(addr).is_ok();
        if open == want_open {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn rule_nodeport_answers_on_the_nodes_loopback_address_and_the_service_port_is_refused() {
    each_with_node_ports(|h| {
        with_web(h);
        // Sorted by name, node i of the first cluster is 127.0.1.(i+1).
        assert_eq!(external_ip(h, "controlplane"), "127.0.1.1");
        let node01 = external_ip(h, "node01");
        assert_eq!(node01, "127.0.1.2");
        let wide = h.ok(&["get", "nodes", "-o", "wide"]);
        assert!(wide.contains("127.0.1.2"), "{wide}");
        let addr = format!("{node01}:30080");
        assert!(wait_connect(&addr, true), "nothing listens on {addr}");
        // Any node's NodePort reaches the pod, wherever it runs (externalTrafficPolicy Cluster).
        assert_nginx_page(&http_get(&addr, "/").unwrap());
        assert_nginx_page(&http_get("127.0.1.3:30080", "/").unwrap());
        // The Service port is not a node port: nothing listens there.
        let refused = TcpStream::connect(format!("{node01}:80")).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn rule_nodeport_listeners_follow_service_changes() {
    each_with_node_ports(|h| {
        with_web(h);
        let node01 = external_ip(h, "node01");
        let addr = format!("{node01}:30080");
        assert!(wait_connect(&addr, true));
        // No endpoints: kube-proxy REJECTs, so the connection is refused.
        h.ok(&["scale", "deploy/web", "--replicas=0"]);
        assert!(
            wait_connect(&addr, false),
            "{addr} still open without endpoints"
        );
        h.ok(&["scale", "deploy/web", "--replicas=1"]);
        assert!(wait_connect(&addr, true), "{addr} not reopened");
        h.ok(&["delete", "svc", "web"]);
        assert!(
            wait_connect(&addr, false),
            "{addr} open after the Service went"
        );
    });
}

#[test]
fn rule_nodeport_a_failed_bind_is_reported_and_retried() {
    let _one = NODE_PORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(k) = kubectls().into_iter().next() else {
        return;
    };
    // Something else owns node01's 30080 first.
    let blocker = TcpListener::bind("127.0.1.2:30080").unwrap();
    let h = Harness::start_serving(
        &k,
        vec![("kubedrill", kubedrill_sim::ClusterConfig::default())],
        true,
    );
    with_web(&h);
    let mapping = || {
        h.server.clusters()[0]
            .node_ports
            .as_ref()
            .unwrap()
            .mapping()
    };
    let mut reported = false;
    for _ in 0..50 {
        if mapping()
            .errors
            .iter()
            .any(|e| e.starts_with("127.0.1.2:30080: "))
        {
            reported = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(reported, "{:?}", mapping());
    // The other nodes' listeners are unaffected.
    assert!(wait_connect("127.0.1.3:30080", true));
    drop(blocker);
    assert!(wait_connect("127.0.1.2:30080", true), "{:?}", mapping());
    assert_nginx_page(&http_get("127.0.1.2:30080", "/").unwrap());
    assert!(mapping().errors.is_empty(), "{:?}", mapping());
}
