//! Endpoints and EndpointSlice defaulting and validation, the manual-endpoints half of
//! `core.rs`: `pkg/apis/core/validation/validation.go` (`validateEndpointSubsets`,
//! `validateEndpointAddress`, `validateNonSpecialIP`, `validateEndpointPort`) and
//! `pkg/apis/discovery/validation/validation.go` (`ValidateEndpointSlice`).

use serde_json::{Value, json};
use std::net::IpAddr;

use super::super::Op;
use super::super::objectmeta;
use super::super::validation::{
    is_dns1123_label, is_dns1123_subdomain, is_qualified_name, is_valid_port_num,
};
use super::{arr, str_of};
use crate::error::FieldError;

/// `SetDefaults_EndpointPort` (and the EndpointSlice one): protocol TCP.
pub(super) fn default_ports(subsets: Option<&mut Value>, keys: &[&str]) {
    let Some(Value::Array(subsets)) = subsets else {
        return;
    };
    for ss in subsets {
        for key in keys {
            if let Some(Value::Array(ports)) = ss.get_mut(*key) {
                for p in ports {
                    if let Value::Object(p) = p
                        && p.get("protocol").is_none_or(Value::is_null)
                    {
                        p.insert("protocol".into(), json!("TCP"));
                    }
                }
            }
        }
    }
}

/// `validateEndpointSubsets`.
pub(super) fn validate_endpoints(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // Old IP → nodeName, for the nodeName transition rule on update.
    let mut old_nodes: Vec<(String, String)> = Vec::new();
    if let Op::Update { old } = op {
        for ss in arr(old, "subsets") {
            for key in ["addresses", "notReadyAddresses"] {
                for a in arr(ss, key) {
                    if let Some(n) = a.get("nodeName").and_then(Value::as_str) {
                        old_nodes.push((str_of(a, "ip").to_string(), n.to_string()));
                    }
                }
            }
        }
    }
    for (i, ss) in arr(obj, "subsets").iter().enumerate() {
        let p = format!("subsets[{i}]");
        if arr(ss, "addresses").is_empty() && arr(ss, "notReadyAddresses").is_empty() {
            errs.push(FieldError::required(
                &p,
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for key in ["addresses", "notReadyAddresses"] {
            for (j, a) in arr(ss, key).iter().enumerate() {
                errs.extend(validate_endpoint_address(
                    a,
                    &format!("{p}.{key}[{j}]"),
                    &old_nodes,
                ));
            }
        }
        let ports = arr(ss, "ports");
        for (j, port) in ports.iter().enumerate() {
            let pp = format!("{p}.ports[{j}]");
            let name = str_of(port, "name");
            if ports.len() > 1 && name.is_empty() {
                errs.push(FieldError::required(format!("{pp}.name"), ""));
            } else if !name.is_empty() {
                for m in is_dns1123_label(name) {
                    errs.push(FieldError::invalid(format!("{pp}.name"), name, m));
                }
            }
            let num = port.get("port").and_then(Value::as_i64).unwrap_or(0);
            for m in is_valid_port_num(num) {
                errs.push(FieldError::invalid(format!("{pp}.port"), num, m));
            }
            errs.extend(validate_protocol(port, &pp));
        }
    }
    errs
}

/// A port protocol: required, one of SCTP, TCP, UDP (`supportedPortProtocols`, sorted).
fn validate_protocol(port: &Value, path: &str) -> Option<FieldError> {
    let proto = str_of(port, "protocol");
    if proto.is_empty() {
        Some(FieldError::required(format!("{path}.protocol"), ""))
    } else if !matches!(proto, "TCP" | "UDP" | "SCTP") {
        Some(FieldError::not_supported(
            format!("{path}.protocol"),
            proto,
            &["SCTP", "TCP", "UDP"],
        ))
    } else {
        None
    }
}

const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

/// `validateEndpointAddress`: a valid IP, hostname, nodeName; special IPs only checked when
/// everything else passed.
fn validate_endpoint_address(
    a: &Value,
    path: &str,
    old_nodes: &[(String, String)],
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ip = str_of(a, "ip");
    if objectmeta::parse_ip_sloppy(ip).is_none() {
        errs.push(FieldError::invalid(format!("{path}.ip"), ip, IP_MSG));
    }
    let hostname = str_of(a, "hostname");
    if !hostname.is_empty() {
        for m in is_dns1123_label(hostname) {
            errs.push(FieldError::invalid(format!("{path}.hostname"), hostname, m));
        }
    }
    let node = a.get("nodeName").and_then(Value::as_str);
    if let Some(node) = node {
        for m in is_dns1123_subdomain(node) {
            errs.push(FieldError::invalid(format!("{path}.nodeName"), node, m));
        }
    }
    if let (Some(node), Some((_, old))) = (node, old_nodes.iter().find(|(i, _)| i == ip))
        && node != old
    {
        errs.push(FieldError::forbidden(
            format!("{path}.nodeName"),
            format!("Cannot change NodeName for {ip} to {node}"),
        ));
    }
    if !errs.is_empty() {
        return errs;
    }
    validate_non_special_ip(ip, &format!("{path}.ip"))
}

/// `validateNonSpecialIP` / `ValidateNonSpecialIP`: no unspecified, loopback or link-local IPs.
/// It parses with Go's strict `net.ParseIP`, so a leading-zero IPv4 that passed the sloppy check
/// fails here with the short message.
fn validate_non_special_ip(ip: &str, path: &str) -> Vec<FieldError> {
    match ip.parse::<IpAddr>() {
        Ok(addr) => super::super::validation::non_special_ip(addr, ip, path),
        Err(_) => vec![FieldError::invalid(path, ip, "must be a valid IP address")],
    }
}

// ---------------------------------------------------------------------------------------------
// EndpointSlice

/// `SetDefaults_EndpointPort` (discovery/v1): name `""` and protocol TCP.
pub(super) fn default_slice_ports(obj: &mut Value) {
    if let Some(Value::Array(ports)) = obj.get_mut("ports") {
        for p in ports {
            if let Value::Object(p) = p {
                if p.get("name").is_none_or(Value::is_null) {
                    p.insert("name".into(), json!(""));
                }
                if p.get("protocol").is_none_or(Value::is_null) {
                    p.insert("protocol".into(), json!("TCP"));
                }
            }
        }
    }
}

/// `ValidateEndpointSlice` / `ValidateEndpointSliceUpdate`.
pub(super) fn validate_endpoint_slice(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let addr_type = str_of(obj, "addressType");
    // The deprecated "IP" type is still accepted on update, for slices stored long ago.
    let update = matches!(op, Op::Update { .. });
    let valid = matches!(addr_type, "IPv4" | "IPv6" | "FQDN") || (update && addr_type == "IP");
    if addr_type.is_empty() {
        errs.push(FieldError::required("addressType", ""));
    } else if !valid {
        let supported: &[&str] = if update {
            &["FQDN", "IP", "IPv4", "IPv6"]
        } else {
            &["FQDN", "IPv4", "IPv6"]
        };
        errs.push(FieldError::not_supported(
            "addressType",
            addr_type,
            supported,
        ));
    }
    let endpoints = arr(obj, "endpoints");
    if endpoints.len() > 1000 {
        errs.push(FieldError::too_many("endpoints", endpoints.len(), 1000));
    } else {
        for (i, ep) in endpoints.iter().enumerate() {
            errs.extend(validate_slice_endpoint(
                ep,
                addr_type,
                &format!("endpoints[{i}]"),
            ));
        }
    }
    let ports = arr(obj, "ports");
    if ports.len() > 100 {
        errs.push(FieldError::too_many("ports", ports.len(), 100));
    } else {
        let mut names: Vec<&str> = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let p = format!("ports[{i}]");
            let name = str_of(port, "name");
            if !name.is_empty() {
                for m in is_dns1123_label(name) {
                    errs.push(FieldError::invalid(format!("{p}.name"), name, m));
                }
            }
            if names.contains(&name) {
                errs.push(FieldError::duplicate(format!("{p}.name"), name));
            } else {
                names.push(name);
            }
            errs.extend(validate_protocol(port, &p));
            if let Some(ap) = port.get("appProtocol").and_then(Value::as_str) {
                for m in is_qualified_name(ap) {
                    errs.push(FieldError::invalid(format!("{p}.appProtocol"), ap, m));
                }
            }
        }
    }
    if let Op::Update { old } = op {
        let old_type = str_of(old, "addressType");
        if old_type != addr_type {
            errs.push(FieldError::invalid(
                "addressType",
                addr_type,
                "field is immutable",
            ));
        }
    }
    errs
}

fn validate_slice_endpoint(ep: &Value, addr_type: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ap = format!("{path}.addresses");
    let addrs = arr(ep, "addresses");
    if addrs.is_empty() {
        errs.push(FieldError::required(&ap, "must contain at least 1 address"));
    } else if addrs.len() > 100 {
        errs.push(FieldError::too_many(&ap, addrs.len(), 100));
    }
    for (i, a) in addrs.iter().enumerate() {
        let a = a.as_str().unwrap_or("");
        let p = format!("{ap}[{i}]");
        match addr_type {
            "IP" if objectmeta::parse_ip_sloppy(a).is_none() => {
                errs.push(FieldError::invalid(&p, a, IP_MSG));
            }
            "IPv4" | "IPv6" => {
                let ok = match objectmeta::parse_ip_sloppy(a) {
                    Some(IpAddr::V4(_)) => addr_type == "IPv4",
                    // Go's `To4()` treats an IPv4-mapped IPv6 address as IPv4.
                    Some(IpAddr::V6(v6)) => (addr_type == "IPv6") == v6.to_ipv4_mapped().is_none(),
                    None => false,
                };
                if !ok {
                    errs.push(FieldError::invalid(
                        &p,
                        a,
                        format!("must be a valid {addr_type} address"),
                    ));
                }
                errs.extend(validate_non_special_ip(a, &p));
            }
            "FQDN" => errs.extend(is_fully_qualified_domain_name(a, &p)),
            _ => {}
        }
    }
    if let Some(h) = ep.get("hostname").and_then(Value::as_str) {
        for m in is_dns1123_label(h) {
            errs.push(FieldError::invalid(format!("{path}.hostname"), h, m));
        }
    }
    errs
}

/// `IsFullyQualifiedDomainName`: a subdomain of at least two labels, one trailing dot allowed.
fn is_fully_qualified_domain_name(name: &str, path: &str) -> Option<FieldError> {
    if name.is_empty() {
        return Some(FieldError::required(path, ""));
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let errs = is_dns1123_subdomain(name);
    if !errs.is_empty() {
        return Some(FieldError::invalid(path, name, errs.join(",")));
    }
    if name.split('.').count() < 2 {
        return Some(FieldError::invalid(
            path,
            name,
            "should be a domain with at least two segments separated by dots",
        ));
    }
    for label in name.split('.') {
        let errs = is_dns1123_label(label);
        if !errs.is_empty() {
            return Some(FieldError::invalid(path, label, errs.join(",")));
        }
    }
    None
}
