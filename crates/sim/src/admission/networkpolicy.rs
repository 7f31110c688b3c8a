//! NetworkPolicy defaulting (SERVICES-SPEC rule 67, `pkg/apis/networking/v1/defaults.go`) and
//! validation (rule 75, `pkg/apis/networking/validation/validation.go`
//! `ValidateNetworkPolicySpec`), with the label-selector rules of
//! `apimachinery/pkg/apis/meta/v1/validation` `ValidateLabelSelector`.

use serde_json::{Value, json};
use std::net::IpAddr;

use super::super::Op;
use super::super::objectmeta;
use super::super::validation::{
    is_qualified_name, is_valid_label_value, is_valid_port_name, is_valid_port_num, validate_labels,
};
use crate::error::{ApiError, FieldError};
use crate::kinds::Kind;

pub(super) fn admit(op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    objectmeta::decode::<k8s_openapi::api::networking::v1::NetworkPolicy>(
        Kind::NetworkPolicy,
        obj,
    )?;
    if matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    default(obj);
    let mut errs = objectmeta::validate(Kind::NetworkPolicy, op, obj);
    errs.extend(validate_spec(obj.get("spec").unwrap_or(&Value::Null)));
    objectmeta::result(Kind::NetworkPolicy, obj, errs)
}

/// `SetDefaults_NetworkPolicy` and `SetDefaults_NetworkPolicyPort`; `podSelector` is a required
/// struct in v1, so an omitted one is stored as `{}`.
fn default(obj: &mut Value) {
    if !obj.get("spec").is_some_and(Value::is_object) {
        obj["spec"] = json!({});
    }
    let spec = &mut obj["spec"];
    if !spec.get("podSelector").is_some_and(Value::is_object) {
        spec["podSelector"] = json!({});
    }
    for dir in ["ingress", "egress"] {
        if let Some(Value::Array(rules)) = spec.get_mut(dir) {
            for rule in rules {
                if let Some(Value::Array(ports)) = rule.get_mut("ports") {
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
    let empty = |v: Option<&Value>| v.and_then(Value::as_array).is_none_or(Vec::is_empty);
    if empty(spec.get("policyTypes")) {
        let mut types = vec![json!("Ingress")];
        if !empty(spec.get("egress")) {
            types.push(json!("Egress"));
        }
        spec["policyTypes"] = Value::Array(types);
    }
}

fn arr(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn validate_spec(spec: &Value) -> Vec<FieldError> {
    let mut errs = validate_label_selector(spec.get("podSelector"), "spec.podSelector");
    for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in arr(spec, dir).iter().enumerate() {
            let rule_path = format!("spec.{dir}[{i}]");
            for (j, port) in arr(rule, "ports").iter().enumerate() {
                errs.extend(validate_port(port, &format!("{rule_path}.ports[{j}]")));
            }
            for (j, peer) in arr(rule, peers).iter().enumerate() {
                errs.extend(validate_peer(peer, &format!("{rule_path}.{peers}[{j}]")));
            }
        }
    }
    let types = arr(spec, "policyTypes");
    if types.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.policyTypes",
            Value::Array(types),
            "may not specify more than two policyTypes",
        ));
        return errs;
    }
    for (i, t) in types.iter().enumerate() {
        let t = t.as_str().unwrap_or("");
        if t != "Ingress" && t != "Egress" {
            errs.push(FieldError::not_supported(
                format!("spec.policyTypes[{i}]"),
                t,
                &["Ingress", "Egress"],
            ));
        }
    }
    errs
}

/// `ValidateNetworkPolicyPort`. Note the protocol list is in Go's literal order, not sorted.
fn validate_port(port: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(proto) = port.get("protocol").and_then(Value::as_str)
        && !matches!(proto, "TCP" | "UDP" | "SCTP")
    {
        errs.push(FieldError::not_supported(
            format!("{path}.protocol"),
            proto,
            &["TCP", "UDP", "SCTP"],
        ));
    }
    let end_port = port.get("endPort").and_then(Value::as_i64);
    match port.get("port") {
        Some(Value::Number(n)) => {
            let p = n.as_i64().unwrap_or(0);
            for m in is_valid_port_num(p) {
                errs.push(FieldError::invalid(format!("{path}.port"), p, m));
            }
            if let Some(end) = end_port {
                // Through 1.35 the value printed is `port`, not endPort (a quirk fixed only by
                // kubernetes/kubernetes#137960, merged March 2026, after 1.35).
                if end < p {
                    errs.push(FieldError::invalid(
                        format!("{path}.endPort"),
                        p,
                        "must be greater than or equal to `port`",
                    ));
                }
                for m in is_valid_port_num(end) {
                    errs.push(FieldError::invalid(format!("{path}.endPort"), end, m));
                }
            }
        }
        Some(Value::String(name)) => {
            if let Some(end) = end_port {
                errs.push(FieldError::invalid(
                    format!("{path}.endPort"),
                    end,
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for m in is_valid_port_name(name) {
                errs.push(FieldError::invalid(
                    format!("{path}.port"),
                    name.as_str(),
                    m,
                ));
            }
        }
        _ => {
            if let Some(end) = end_port {
                errs.push(FieldError::invalid(
                    format!("{path}.endPort"),
                    end,
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
    errs
}

/// `ValidateNetworkPolicyPeer`: exactly one kind of peer, or selectors without an ipBlock.
fn validate_peer(peer: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let present = |k: &str| peer.get(k).is_some_and(|v| !v.is_null());
    let mut n = 0;
    for key in ["podSelector", "namespaceSelector"] {
        if present(key) {
            n += 1;
            errs.extend(validate_label_selector(
                peer.get(key),
                &format!("{path}.{key}"),
            ));
        }
    }
    let has_ip_block = present("ipBlock");
    if has_ip_block {
        n += 1;
        errs.extend(validate_ip_block(
            peer.get("ipBlock").unwrap_or(&Value::Null),
            &format!("{path}.ipBlock"),
        ));
    }
    if n == 0 {
        errs.push(FieldError::required(path, "must specify a peer"));
    } else if n > 1 && has_ip_block {
        errs.push(FieldError::forbidden(
            path,
            "may not specify both ipBlock and another peer",
        ));
    }
    errs
}

const CIDR_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// A CIDR as `netutils.ParseCIDRSloppy` reads it: the masked network, its prefix length and
/// address width.
fn network(s: &str) -> Option<(u128, u8, u8)> {
    let (ip, len) = objectmeta::parse_cidr_sloppy(s)?;
    let (bits, width) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32u8),
        IpAddr::V6(v6) => (u128::from(v6), 128u8),
    };
    let host = u32::from(width - len);
    let mask = if host >= 128 {
        0
    } else {
        !((1u128 << host) - 1)
    };
    let full = if width == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    Some((bits & mask & full, len, width))
}

/// `ValidateIPBlock`: a valid `cidr`, and each `except` a strict subset of it.
fn validate_ip_block(ipb: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let cidr = ipb.get("cidr").and_then(Value::as_str).unwrap_or("");
    if cidr.is_empty() {
        errs.push(FieldError::required(format!("{path}.cidr"), ""));
        return errs;
    }
    let Some((net, len, width)) = network(cidr) else {
        errs.push(FieldError::invalid(format!("{path}.cidr"), cidr, CIDR_MSG));
        return errs;
    };
    for (i, ex) in arr(ipb, "except").iter().enumerate() {
        let ex = ex.as_str().unwrap_or("");
        let ex_path = format!("{path}.except[{i}]");
        let Some((ex_net, ex_len, ex_width)) = network(ex) else {
            errs.push(FieldError::invalid(ex_path, ex, CIDR_MSG));
            continue;
        };
        let host = u32::from(width - len);
        let contains = ex_width == width && (host >= 128 || (ex_net >> host) == (net >> host));
        if !contains || len >= ex_len {
            errs.push(FieldError::invalid(
                ex_path,
                ex,
                "must be a strict subset of `cidr`",
            ));
        }
    }
    errs
}

/// `ValidateLabelSelector` with `AllowInvalidLabelValueInSelector: false`.
pub(super) fn validate_label_selector(sel: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(sel) = sel.filter(|s| s.is_object()) else {
        return errs;
    };
    errs.extend(validate_labels(
        sel.get("matchLabels").and_then(Value::as_object),
        &format!("{path}.matchLabels"),
    ));
    for (i, expr) in arr(sel, "matchExpressions").iter().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let values: Vec<&str> = expr
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let op = expr.get("operator").and_then(Value::as_str).unwrap_or("");
        match op {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(
                        format!("{p}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{p}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            _ => errs.push(FieldError::invalid(
                format!("{p}.operator"),
                op,
                "not a valid selector operator",
            )),
        }
        let key = expr.get("key").and_then(Value::as_str).unwrap_or("");
        for m in is_qualified_name(key) {
            errs.push(FieldError::invalid(format!("{p}.key"), key, m));
        }
        for (j, v) in values.iter().enumerate() {
            for m in is_valid_label_value(v) {
                errs.push(FieldError::invalid(format!("{p}.values[{j}]"), *v, m));
            }
        }
    }
    errs
}
