//! The Service, Endpoints and EndpointSlice printers (`printService`, `printEndpoints`,
//! `printEndpointSlice`): what `kubectl get svc,ep,endpointslices` shows while debugging a
//! Service that has no backends.

use jiff::Timestamp;
use serde_json::Value;

use super::descriptions as d;
use super::format::{self, join_host_port, list_with_more};
use super::{Column, age, items, name, text};

pub(super) const SERVICE_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Type", d::SERVICE_SPEC_TYPE),
    Column::string("Cluster-IP", d::SERVICE_SPEC_CLUSTER_IP),
    Column::string("External-IP", d::SERVICE_SPEC_EXTERNAL_IPS),
    Column::string("Port(s)", d::SERVICE_SPEC_PORTS),
    Column::AGE,
    Column::string("Selector", d::SERVICE_SPEC_SELECTOR).wide(),
];

pub(super) const ENDPOINTS_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Endpoints", d::ENDPOINTS_SUBSETS),
    Column::AGE,
];

pub(super) const SLICE_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("AddressType", d::ENDPOINT_SLICE_ADDRESS_TYPE),
    Column::string("Ports", d::ENDPOINT_SLICE_PORTS),
    Column::string("Endpoints", d::ENDPOINT_SLICE_ENDPOINTS),
    Column::AGE,
];

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `getServiceExternalIP` (wide): externalIPs for ClusterIP/NodePort, load-balancer ingress
/// points then externalIPs for LoadBalancer (`<pending>` while it has none), the DNS name for
/// ExternalName.
fn external_ip(svc: &Value) -> String {
    let external_ips = strings(&svc["spec"]["externalIPs"]);
    match text(svc, &["spec", "type"]) {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".into()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let lb = format::load_balancer_status(&svc["status"]["loadBalancer"]);
            if !external_ips.is_empty() {
                let mut all: Vec<&str> = Vec::new();
                if !lb.is_empty() {
                    all.extend(lb.split(','));
                }
                all.extend(external_ips);
                return all.join(",");
            }
            if lb.is_empty() {
                "<pending>".into()
            } else {
                lb
            }
        }
        "ExternalName" => text(svc, &["spec", "externalName"]).to_string(),
        _ => "<unknown>".into(),
    }
}

/// `makePortString`: `port/proto`, or `port:nodePort/proto`, joined with `,`.
fn ports(svc: &Value) -> String {
    let mut out = String::new();
    for (i, p) in items(svc, &["spec", "ports"]).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let port = p["port"].as_i64().unwrap_or(0);
        // Stored Services are defaulted; an absent protocol is TCP.
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        match p["nodePort"].as_i64().unwrap_or(0) {
            np if np > 0 => out.push_str(&format!("{port}:{np}/{proto}")),
            _ => out.push_str(&format!("{port}/{proto}")),
        }
    }
    out
}

pub(super) fn service_cells(svc: &Value, now: Timestamp) -> Vec<Value> {
    let cluster_ip = items(svc, &["spec", "clusterIPs"])
        .first()
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    let ports = ports(svc);
    vec![
        name(svc),
        Value::from(text(svc, &["spec", "type"])),
        Value::from(cluster_ip),
        Value::from(external_ip(svc)),
        Value::from(if ports.is_empty() {
            "<none>".into()
        } else {
            ports
        }),
        age(svc, now),
        Value::from(format::labels(&svc["spec"]["selector"])),
    ]
}

/// `formatEndpoints`: `ip:port` for every address × port (bare IPs for a port-less subset),
/// the first three then `" + N more..."`; `<none>` without subsets. Not-ready addresses are
/// not listed.
fn format_endpoints(ep: &Value) -> String {
    const MAX: usize = 3;
    let subsets = items(ep, &["subsets"]);
    if subsets.is_empty() {
        return "<none>".into();
    }
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for ss in subsets {
        let addresses = items(ss, &["addresses"]);
        let ports = items(ss, &["ports"]);
        if ports.is_empty() {
            // A headless Service may have no ports.
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(text(a, &["ip"]).to_string());
            }
            continue;
        }
        for p in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(
                    text(a, &["ip"]),
                    p["port"].as_i64().unwrap_or(0),
                ));
            }
        }
    }
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - MAX);
    }
    ret
}

pub(super) fn endpoints_cells(ep: &Value, now: Timestamp) -> Vec<Value> {
    vec![name(ep), Value::from(format_endpoints(ep)), age(ep, now)]
}

/// `formatDiscoveryPorts`: port numbers (else the port's name, else `*`), at most three.
fn slice_ports(slice: &Value) -> String {
    const MAX: usize = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for p in items(slice, &["ports"]) {
        if list.len() < MAX {
            let s = match (p["port"].as_i64(), p["name"].as_str()) {
                (Some(n), _) => n.to_string(),
                (None, Some(n)) => n.to_string(),
                (None, None) => "*".to_string(),
            };
            list.push(s);
        } else if list.len() == MAX {
            more = true;
        }
        count += 1;
    }
    list_with_more(&list, more, count, MAX)
}

/// `formatDiscoveryEndpoints`: every endpoint's addresses, at most three.
fn slice_endpoints(slice: &Value) -> String {
    const MAX: usize = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for e in items(slice, &["endpoints"]) {
        for a in items(e, &["addresses"]) {
            if list.len() < MAX {
                list.push(a.as_str().unwrap_or("").to_string());
            } else if list.len() == MAX {
                more = true;
            }
            count += 1;
        }
    }
    list_with_more(&list, more, count, MAX)
}

pub(super) fn slice_cells(slice: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(slice),
        Value::from(text(slice, &["addressType"])),
        Value::from(slice_ports(slice)),
        Value::from(slice_endpoints(slice)),
        age(slice, now),
    ]
}
