//! The endpoints side of a Service as kube-proxy, CoreDNS and the ingress controller read it:
//! the Service's ports, the endpoints of each port from its EndpointSlices (matched by port name
//! and protocol, first address, nil conditions read as ready), and rule 50's usable set.

use serde_json::Value;
use std::net::Ipv4Addr;

use crate::kinds::Kind;
use crate::meta;
use crate::net::Protocol;
use crate::net::state::{Index, parse_protocol};
use crate::store::ObjKey;

/// A Service port as kube-proxy reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SvcPort {
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
    pub node_port: u16,
}

/// One endpoint of a Service port, from an EndpointSlice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ep {
    pub ip: Ipv4Addr,
    pub port: u16,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub node: Option<String>,
    pub pod: Option<ObjKey>,
    pub hostname: Option<String>,
}

pub(crate) fn service_ports(svc: &Value) -> Vec<SvcPort> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(SvcPort {
                name: meta::str_at(p, &["name"]).to_string(),
                port: u16::try_from(p.get("port")?.as_u64()?).ok()?,
                protocol: parse_protocol(meta::str_at(p, &["protocol"])),
                node_port: p
                    .get("nodePort")
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok())
                    .unwrap_or(0),
            })
        })
        .collect()
}

/// Every endpoint address of a Service, whatever its ports (DNS reads them this way).
pub(crate) fn all_endpoints(idx: &Index, ns: &str, svc: &str) -> Vec<Ep> {
    slice_endpoints(idx, ns, svc, None)
}

/// The endpoints of one Service port (matched by port name and protocol, as kube-proxy's
/// `ServicePortName` does), deduplicated by address and sorted.
pub(crate) fn port_endpoints(
    idx: &Index,
    ns: &str,
    svc: &str,
    port_name: &str,
    protocol: Protocol,
) -> Vec<Ep> {
    slice_endpoints(idx, ns, svc, Some((port_name, protocol)))
}

fn slice_endpoints(idx: &Index, ns: &str, svc: &str, port: Option<(&str, Protocol)>) -> Vec<Ep> {
    let mut out: Vec<Ep> = Vec::new();
    for s in idx.slices_of(ns, svc) {
        let number = match port {
            None => 0,
            Some((name, proto)) => {
                let found = s["ports"].as_array().into_iter().flatten().find(|p| {
                    meta::str_at(p, &["name"]) == name
                        && parse_protocol(meta::str_at(p, &["protocol"])) == proto
                });
                match found
                    .and_then(|p| p.get("port")?.as_u64())
                    .and_then(|n| u16::try_from(n).ok())
                {
                    Some(n) => n,
                    None => continue,
                }
            }
        };
        for e in s["endpoints"].as_array().into_iter().flatten() {
            // kube-proxy and CoreDNS use the first address of an endpoint.
            let Some(ip) = e["addresses"][0]
                .as_str()
                .and_then(|a| a.parse::<Ipv4Addr>().ok())
            else {
                continue;
            };
            // A nil condition reads as true for ready/serving ("unknown ⇒ ready").
            let cond = |k: &str| e["conditions"].get(k).and_then(Value::as_bool);
            let ready = cond("ready").unwrap_or(true);
            let target = &e["targetRef"];
            let pod = (meta::str_at(target, &["kind"]) == "Pod").then(|| {
                let tns = match meta::str_at(target, &["namespace"]) {
                    "" => ns,
                    t => t,
                };
                ObjKey::new(Kind::Pod, tns, meta::str_at(target, &["name"]))
            });
            let ep = Ep {
                ip,
                port: number,
                ready,
                serving: cond("serving").unwrap_or(ready),
                terminating: cond("terminating").unwrap_or(false),
                node: e["nodeName"].as_str().map(str::to_string),
                pod,
                hostname: e["hostname"].as_str().map(str::to_string),
            };
            if !out.iter().any(|o| o.ip == ep.ip && o.port == ep.port) {
                out.push(ep);
            }
        }
    }
    out.sort_by_key(|e| (e.ip, e.port));
    out
}

/// Rule 50 (`CategorizeEndpoints`): ready endpoints, else serving+terminating ones.
pub(crate) fn usable<'a>(eps: impl Iterator<Item = &'a Ep> + Clone) -> Vec<&'a Ep> {
    let ready: Vec<&Ep> = eps.clone().filter(|e| e.ready).collect();
    if !ready.is_empty() {
        return ready;
    }
    eps.filter(|e| e.serving && e.terminating).collect()
}

pub(crate) fn local<'a>(eps: &'a [Ep], node: Option<&str>) -> Vec<&'a Ep> {
    usable(
        eps.iter()
            .filter(move |e| node.is_some() && e.node.as_deref() == node),
    )
}
