//! Builders for the network-model tests: a cluster with manifests applied, origins, requests,
//! and readers for a trace's hops and verdict.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use kubedrill_sim::net::{
    DnsAnswer, Hop, HttpRequest, HttpResponse, Origin, Protocol, Request, Trace, Verdict,
};
use kubedrill_sim::{Kind, ListOptions, ManualClock, ObjKey, Sim, meta};

/// The default cluster (controlplane, node01, node02) with `manifests` applied in order.
pub fn cluster(manifests: &[&str]) -> (Sim, ManualClock) {
    let (mut sim, clock) = Sim::default_with_clock().expect("bootstrap");
    for m in manifests {
        sim.apply_yaml(m)
            .unwrap_or_else(|e| panic!("applying manifest failed: {e}\n{m}"));
    }
    (sim, clock)
}

pub fn from_pod(ns: &str, name: &str) -> Origin {
    Origin::Pod {
        namespace: ns.into(),
        name: name.into(),
    }
}

pub fn from_node(name: &str) -> Origin {
    Origin::Node(name.into())
}

/// `wget -qO- http://host:port/path` (busybox wget's User-Agent).
pub fn get(host: &str, port: u16, path: &str) -> Request {
    Request {
        host: host.into(),
        port,
        protocol: Protocol::Tcp,
        http: Some(HttpRequest {
            path: path.into(),
            host_header: None,
            user_agent: Some("Wget".into()),
        }),
    }
}

/// `nc -z host port`.
pub fn tcp(host: &str, port: u16) -> Request {
    Request {
        host: host.into(),
        port,
        protocol: Protocol::Tcp,
        http: None,
    }
}

/// `nc -u host port`.
pub fn udp(host: &str, port: u16) -> Request {
    Request {
        host: host.into(),
        port,
        protocol: Protocol::Udp,
        http: None,
    }
}

pub fn trace(sim: &mut Sim, from: &Origin, req: &Request) -> Trace {
    sim.trace(from, req)
        .unwrap_or_else(|e| panic!("trace failed: {e}"))
}

/// The pods of a namespace whose labels include `key=value`, sorted by name.
pub fn pods(sim: &Sim, ns: &str, selector: &str) -> Vec<serde_json::Value> {
    let opts = ListOptions::parse(Some(selector), None).expect("selector");
    sim.list(Kind::Pod, Some(ns), &opts)
        .expect("list")
        .items
        .iter()
        .map(|p| (**p).clone())
        .collect()
}

pub fn pod_ip(pod: &serde_json::Value) -> Ipv4Addr {
    meta::str_at(pod, &["status", "podIP"])
        .parse()
        .unwrap_or_else(|_| panic!("pod {} has no IP", meta::name(pod)))
}

pub fn pod_node(pod: &serde_json::Value) -> String {
    meta::str_at(pod, &["spec", "nodeName"]).to_string()
}

pub fn pod_key(ns: &str, name: &str) -> ObjKey {
    ObjKey::new(Kind::Pod, ns, name)
}

pub fn service_ip(sim: &Sim, ns: &str, name: &str) -> Ipv4Addr {
    let s = sim.get(Kind::Service, ns, name).expect("service");
    meta::str_at(&s, &["spec", "clusterIP"])
        .parse()
        .expect("cluster IP")
}

pub fn node_port(sim: &Sim, ns: &str, name: &str) -> u16 {
    let s = sim.get(Kind::Service, ns, name).expect("service");
    s["spec"]["ports"][0]["nodePort"]
        .as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .expect("nodePort")
}

pub fn node_ip(sim: &Sim, node: &str) -> Ipv4Addr {
    sim.config().node(node).expect("node").internal_ip
}

/// The HTTP response of a delivered request.
pub fn response(t: &Trace) -> &HttpResponse {
    match &t.verdict {
        Verdict::Delivered { http: Some(r), .. } => r,
        v => panic!("expected an HTTP response, got {v:?}\nhops: {:#?}", t.hops),
    }
}

/// The pod a delivered request reached.
pub fn reached(t: &Trace) -> ObjKey {
    match &t.verdict {
        Verdict::Delivered { pod: Some(p), .. } => p.clone(),
        v => panic!("expected delivery to a pod, got {v:?}\nhops: {:#?}", t.hops),
    }
}

pub fn is_refused(t: &Trace) -> bool {
    matches!(t.verdict, Verdict::Refused { .. })
}

pub fn is_timed_out(t: &Trace) -> bool {
    matches!(t.verdict, Verdict::TimedOut { .. })
}

pub fn is_delivered(t: &Trace) -> bool {
    matches!(t.verdict, Verdict::Delivered { .. })
}

/// The hops' notes, joined (what the model says about drops and rejections).
pub fn notes(t: &Trace) -> String {
    t.hops
        .iter()
        .filter_map(|h| match h {
            Hop::Note(n) => Some(n.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn dns_answer(t: &Trace) -> Option<&DnsAnswer> {
    t.hops.iter().find_map(|h| match h {
        Hop::Dns(l) => Some(&l.answer),
        _ => None,
    })
}

pub fn addresses(a: &DnsAnswer) -> Vec<Ipv4Addr> {
    match a {
        DnsAnswer::Records { addresses, .. } => addresses.clone(),
        other => panic!("expected records, got {other:?}"),
    }
}

/// A Deployment `name` of `replicas` pods running `image` with `args`, labelled app=name,
/// exposing `container_port` named `http`, and a Service `name` port `port` → `http`.
pub fn web(name: &str, replicas: u32, image: &str, container_port: u16, port: u16) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports: [{{containerPort: {container_port}, name: http}}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: {port}, targetPort: http}}]
"#
    )
}

/// A bare client pod (busybox sleeping) on `node`.
pub fn client(name: &str, ns: &str, node: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {{run: {name}}}}}
spec:
  nodeName: {node}
  containers:
  - name: {name}
    image: busybox:1.36
    command: ["sleep", "3600"]
"#
    )
}

/// The lines a container printed.
pub fn log_lines(sim: &Sim, ns: &str, pod: &str) -> Vec<String> {
    sim.logs(ns, pod, None, false)
        .expect("logs")
        .into_iter()
        .map(|l| l.text)
        .collect()
}
