//! Defaulting and validation of the simpler core and discovery kinds: Namespace, Node,
//! Endpoints, EndpointSlice, Event, ConfigMap, ServiceAccount.
//!
//! Sources: `pkg/apis/core/v1/defaults.go` (`SetDefaults_Namespace`, `SetDefaults_EndpointPort`),
//! `pkg/registry/core/namespace/strategy.go` (finalizer and phase on create),
//! `pkg/apis/core/validation/validation.go` (`ValidateNamespace`, `ValidateNode`,
//! `ValidateConfigMap`, `ValidateEndpoints`, `ValidateEvent`) and
//! `pkg/apis/discovery/validation/validation.go` (`ValidateEndpointSlice`).

use serde_json::{Map, Value, json};
use std::net::IpAddr;

use super::objectmeta;
use super::validation::{
    is_dns1123_label, is_dns1123_subdomain, is_qualified_name, is_valid_label_value,
    is_valid_port_num, max_len_error, regex_error,
};
use super::{Ctx, Op};
use crate::error::{ApiError, FieldError, FieldErrorType};
use crate::kinds::Kind;
use crate::meta;
use k8s_openapi::api::core::v1 as corev1;
use k8s_openapi::api::discovery::v1 as discoveryv1;

/// `kubernetes.io/metadata.name`, the label every namespace carries (SERVICES-SPEC rule 72).
const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";
/// `core.MaxSecretSize`, also the ConfigMap limit.
const MAX_CONFIG_MAP_SIZE: usize = 1024 * 1024;

pub fn admit(_ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    match kind {
        Kind::Namespace => objectmeta::decode::<corev1::Namespace>(kind, obj).map(drop)?,
        Kind::Node => objectmeta::decode::<corev1::Node>(kind, obj).map(drop)?,
        Kind::Endpoints => objectmeta::decode::<corev1::Endpoints>(kind, obj).map(drop)?,
        Kind::EndpointSlice => {
            objectmeta::decode::<discoveryv1::EndpointSlice>(kind, obj).map(drop)?
        }
        Kind::Event => objectmeta::decode::<corev1::Event>(kind, obj).map(drop)?,
        Kind::ConfigMap => objectmeta::decode::<corev1::ConfigMap>(kind, obj).map(drop)?,
        Kind::ServiceAccount => {
            objectmeta::decode::<corev1::ServiceAccount>(kind, obj).map(drop)?
        }
        _ => return Ok(()),
    }
    if kind == Kind::Namespace {
        // SetDefaults_Namespace runs on every decode, status writes included.
        set_namespace_label(obj);
    }
    if matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    let mut errs = Vec::new();
    match kind {
        Kind::Namespace => {
            prepare_namespace(op, obj);
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_namespace(obj));
        }
        Kind::Node => {
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_node_taints(obj));
        }
        Kind::Endpoints => {
            default_ports(obj.get_mut("subsets"), &["ports"]);
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_endpoints(op, obj));
        }
        Kind::EndpointSlice => {
            default_slice_ports(obj);
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_endpoint_slice(op, obj));
        }
        Kind::Event => {
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_event(obj));
        }
        Kind::ConfigMap => {
            errs = objectmeta::validate(kind, obj);
            errs.extend(validate_config_map(op, obj));
        }
        Kind::ServiceAccount => errs = objectmeta::validate(kind, obj),
        _ => {}
    }
    objectmeta::result(kind, obj, errs)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Namespace

/// `SetDefaults_Namespace`: the name label, always, overwriting whatever the client sent.
fn set_namespace_label(obj: &mut Value) {
    let name = meta::name(obj).to_string();
    if name.is_empty() {
        return;
    }
    let md = meta::metadata_mut(obj);
    let labels = md
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if !labels.is_object() {
        *labels = Value::Object(Map::new());
    }
    if let Value::Object(l) = labels {
        l.insert(LABEL_METADATA_NAME.into(), Value::String(name));
    }
}

/// The namespace strategy: on create the `kubernetes` finalizer is ensured and the phase is
/// Active; on update `spec.finalizers` only changes through `/finalize`, so the old one stays.
fn prepare_namespace(op: Op<'_>, obj: &mut Value) {
    match op {
        Op::Create => {
            if !obj.get("spec").is_some_and(Value::is_object) {
                obj["spec"] = json!({});
            }
            let fins = obj["spec"]
                .as_object_mut()
                .map(|s| s.entry("finalizers").or_insert_with(|| json!([])));
            if let Some(fins) = fins {
                if !fins.is_array() {
                    *fins = json!([]);
                }
                if let Value::Array(a) = fins
                    && !a.iter().any(|f| f == "kubernetes")
                {
                    a.push(json!("kubernetes"));
                }
            }
            obj["status"] = json!({"phase": "Active"});
        }
        Op::Update { old } => match old.pointer("/spec/finalizers") {
            Some(f) => {
                if !obj.get("spec").is_some_and(Value::is_object) {
                    obj["spec"] = json!({});
                }
                obj["spec"]["finalizers"] = f.clone();
            }
            None => {
                if let Some(Value::Object(s)) = obj.get_mut("spec") {
                    s.remove("finalizers");
                }
            }
        },
        Op::UpdateStatus { .. } => {}
    }
}

/// `ValidateNamespace`: each `spec.finalizers` entry a finalizer name.
fn validate_namespace(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    for f in arr(spec, "finalizers").iter().filter_map(Value::as_str) {
        errs.extend(validate_finalizer_name(f, "spec.finalizers"));
    }
    errs
}

/// `validateFinalizerName` (core): a qualified name, and a bare name must be a standard one.
fn validate_finalizer_name(f: &str, path: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = is_qualified_name(f)
        .into_iter()
        .map(|m| FieldError::invalid(path, f, m))
        .collect();
    errs.extend(objectmeta::validate_kube_finalizer_name(f, path));
    errs
}

// ---------------------------------------------------------------------------------------------
// Node

/// `validateNodeTaints`. The path is `metadata.taints`, a long-standing quirk of `ValidateNode`
/// (it passes the metadata path); the effect list is given sorted.
fn validate_node_taints(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, t) in arr(spec, "taints").iter().enumerate() {
        let p = format!("metadata.taints[{i}]");
        let key = str_of(t, "key");
        let value = str_of(t, "value");
        let effect = str_of(t, "effect");
        for m in is_qualified_name(key) {
            errs.push(FieldError::invalid(format!("{p}.key"), key, m));
        }
        let value_errs = is_valid_label_value(value);
        if !value_errs.is_empty() {
            errs.push(FieldError::invalid(
                format!("{p}.value"),
                value,
                value_errs.join(";"),
            ));
        }
        if effect.is_empty() {
            errs.push(FieldError::required(format!("{p}.effect"), ""));
        } else if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            errs.push(FieldError::not_supported(
                format!("{p}.effect"),
                effect,
                &["NoExecute", "NoSchedule", "PreferNoSchedule"],
            ));
        }
        let pair = (key.to_string(), effect.to_string());
        if seen.contains(&pair) {
            // The value is the internal `core.Taint`, which has no json tags: Go marshals its
            // exported field names in declaration order.
            let go_value = json!({
                "Key": key,
                "Value": value,
                "Effect": effect,
                "TimeAdded": t.get("timeAdded").cloned().unwrap_or(Value::Null),
            });
            errs.push(FieldError::new(
                FieldErrorType::Duplicate,
                p,
                go_value,
                "taints must be unique by key and effect pair",
            ));
            continue;
        }
        seen.push(pair);
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/// `SetDefaults_EndpointPort` (and the EndpointSlice one): protocol TCP.
fn default_ports(subsets: Option<&mut Value>, keys: &[&str]) {
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
fn validate_endpoints(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
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
    let mut errs = Vec::new();
    let Ok(addr) = ip.parse::<IpAddr>() else {
        errs.push(FieldError::invalid(path, ip, "must be a valid IP address"));
        return errs;
    };
    let (unspecified, loopback, link_local, link_local_mc) = match addr {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (
                v4.is_unspecified(),
                v4.is_loopback(),
                v4.is_link_local(),
                o[0] == 224 && o[1] == 0 && o[2] == 0,
            )
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => {
                let o = v4.octets();
                (
                    v4.is_unspecified(),
                    v4.is_loopback(),
                    v4.is_link_local(),
                    o[0] == 224 && o[1] == 0 && o[2] == 0,
                )
            }
            None => {
                let s = v6.segments();
                (
                    v6.is_unspecified(),
                    v6.is_loopback(),
                    s[0] & 0xffc0 == 0xfe80,
                    s[0] & 0xff0f == 0xff02,
                )
            }
        },
    };
    if unspecified {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be unspecified (0.0.0.0)",
        ));
    }
    if loopback {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the loopback range (127.0.0.0/8)",
        ));
    }
    if link_local {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local range (169.254.0.0/16)",
        ));
    }
    if link_local_mc {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local multicast range (224.0.0.0/24)",
        ));
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// EndpointSlice

/// `SetDefaults_EndpointPort` (discovery/v1): name `""` and protocol TCP.
fn default_slice_ports(obj: &mut Value) {
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
fn validate_endpoint_slice(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
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

// ---------------------------------------------------------------------------------------------
// Event

/// `legacyValidateEvent` for events without `eventTime`: the involved object's namespace must
/// be the event's (or, when empty, the event lives in `default`).
fn validate_event(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if obj.get("eventTime").is_some_and(|t| !t.is_null()) {
        return errs;
    }
    let ns = meta::namespace(obj);
    let involved = meta::str_at(obj, &["involvedObject", "namespace"]);
    let mismatch = if involved.is_empty() {
        !ns.is_empty() && ns != "default"
    } else {
        ns != involved
    };
    if mismatch {
        errs.push(FieldError::invalid(
            "involvedObject.namespace",
            involved,
            "does not match event.namespace",
        ));
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// ConfigMap

const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

/// `IsConfigMapKey`.
fn is_config_map_key(k: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if k.len() > 253 {
        errs.push(max_len_error(253));
    }
    let ok = !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
    if !ok {
        errs.push(regex_error(
            CONFIG_MAP_KEY_MSG,
            CONFIG_MAP_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if k == "." {
        errs.push("must not be '.'".to_string());
    } else if k == ".." {
        errs.push("must not be '..'".to_string());
    } else if k.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// The byte length of a base64 value (binaryData is sized decoded).
fn base64_len(s: &str) -> usize {
    let pad = s.bytes().rev().take_while(|&c| c == b'=').count();
    ((s.len() / 4) * 3).saturating_sub(pad.min(2))
}

/// `ValidateConfigMap` + `ValidateConfigMapUpdate` (immutable ConfigMaps).
fn validate_config_map(op: Op<'_>, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Op::Update { old } = op
        && old.get("immutable").and_then(Value::as_bool) == Some(true)
    {
        let msg = "field is immutable when `immutable` is set";
        if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
            errs.push(FieldError::forbidden("immutable", msg));
        }
        for key in ["data", "binaryData"] {
            let empty = |v: Option<&Value>| {
                v.is_none_or(|v| v.is_null() || v.as_object().is_some_and(Map::is_empty))
            };
            let (a, b) = (obj.get(key), old.get(key));
            if !(a == b || empty(a) && empty(b)) {
                errs.push(FieldError::forbidden(key, msg));
            }
        }
    }
    let empty = Map::new();
    let data = obj.get("data").and_then(Value::as_object).unwrap_or(&empty);
    let binary = obj
        .get("binaryData")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut total = 0usize;
    for (k, v) in data {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(format!("data[{k}]"), k.as_str(), m));
        }
        if binary.contains_key(k) {
            errs.push(FieldError::invalid(
                format!("data[{k}]"),
                k.as_str(),
                "duplicate of key present in binaryData",
            ));
        }
        total += v.as_str().map_or(0, str::len);
    }
    for (k, v) in binary {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(
                format!("binaryData[{k}]"),
                k.as_str(),
                m,
            ));
        }
        total += v.as_str().map_or(0, base64_len);
    }
    if total > MAX_CONFIG_MAP_SIZE {
        // The empty path means "the whole object", printed as `: Too long: ...`.
        errs.push(FieldError::too_long("", MAX_CONFIG_MAP_SIZE));
    }
    errs
}
