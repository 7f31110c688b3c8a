//! Service validation with the API server's texts and order: `ValidateService`,
//! `ValidateServiceUpdate`, `ValidateServiceClusterIPsRelatedFields` and their helpers, read
//! from `pkg/apis/core/validation/validation.go` (kubernetes master, 1.35 line).
//!
//! All causes are collected and reported together; allocation errors never get here (they are
//! returned alone, earlier).

use serde_json::{Map, Value, json};
use std::net::{IpAddr, Ipv4Addr};

use super::spec::{IntOrStr, Port, Spec};
use crate::admission::validation::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_qualified_name,
    is_valid_port_name, is_valid_port_num, parse_cidr, validate_labels,
};
use crate::error::FieldError;

const LB_ONLY: &str = "may only be used when `type` is 'LoadBalancer'";
const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const CIDR_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// `netutils.ParseIPSloppy`: also accepts IPv4 octets with leading zeros (read as decimal).
pub fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut o = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        o[i] = p.parse::<u8>().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(o)))
}

fn list_value(v: &[String]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        Value::from(v.to_vec())
    }
}

/// `ValidateServiceClusterIPsRelatedFields`; also run alone, before allocation.
pub fn validate_cluster_ips_related(s: &Spec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if s.type_ == "ExternalName" {
        return errs;
    }
    let ips = list_value(&s.cluster_ips);
    if !s.cluster_ip.is_empty() {
        if s.cluster_ips.is_empty() {
            errs.push(FieldError::required("spec.clusterIPs", ""));
        } else if s.cluster_ips[0] != s.cluster_ip {
            errs.push(FieldError::invalid(
                "spec.clusterIPs",
                ips.clone(),
                "first value must match `clusterIP`",
            ));
        }
    } else if !s.cluster_ips.is_empty() {
        errs.push(FieldError::invalid(
            "spec.clusterIPs",
            ips.clone(),
            "must be empty when `clusterIP` is not specified",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, f) in s.ip_families.iter().enumerate() {
        if f != "IPv4" && f != "IPv6" {
            errs.push(FieldError::not_supported(
                format!("spec.ipFamilies[{i}]"),
                f.as_str(),
                &["IPv4", "IPv6"],
            ));
        }
        if seen.contains(&f.as_str()) {
            errs.push(FieldError::duplicate(
                format!("spec.ipFamilies[{i}]"),
                f.as_str(),
            ));
        }
        seen.push(f);
    }
    if let Some(p) = &s.ip_family_policy
        && !["PreferDualStack", "RequireDualStack", "SingleStack"].contains(&p.as_str())
    {
        errs.push(FieldError::not_supported(
            "spec.ipFamilyPolicy",
            p.as_str(),
            &["PreferDualStack", "RequireDualStack", "SingleStack"],
        ));
    }
    let mut bad_ips = false;
    for (i, ip) in s.cluster_ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if s.cluster_ips.len() > 1 {
                bad_ips = true;
                errs.push(FieldError::invalid(
                    "spec.clusterIPs",
                    ips.clone(),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        if parse_ip_sloppy(ip).is_none() {
            bad_ips = true;
            errs.push(FieldError::invalid(
                format!("spec.clusterIPs[{i}]"),
                ip.as_str(),
                IP_MSG,
            ));
        }
    }
    if s.cluster_ips.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.clusterIPs",
            ips.clone(),
            "may only hold up to 2 values",
        ));
    }
    if bad_ips {
        return errs;
    }
    if s.cluster_ips.len() > 1 {
        let v6: Vec<bool> = s
            .cluster_ips
            .iter()
            .map(|ip| matches!(parse_ip_sloppy(ip), Some(IpAddr::V6(_))))
            .collect();
        // `netutils.IsDualStackIPStrings`: at least one of each family, whatever the count.
        let dual = v6.contains(&true) && v6.contains(&false);
        if !dual {
            errs.push(FieldError::invalid(
                "spec.clusterIPs",
                ips.clone(),
                "may specify no more than one IP for each IP family",
            ));
        }
    }
    if !s.is_headless() && !s.cluster_ips.is_empty() && !s.ip_families.is_empty() {
        for (i, ip) in s.cluster_ips.iter().enumerate() {
            let Some(fam) = s.ip_families.get(i) else {
                break;
            };
            let is6 = matches!(parse_ip_sloppy(ip), Some(IpAddr::V6(_)));
            if fam == "IPv4" && is6 {
                errs.push(FieldError::invalid(
                    format!("spec.clusterIPs[{i}]"),
                    ip.as_str(),
                    format!("expected an IPv4 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
            if fam == "IPv6" && !is6 {
                errs.push(FieldError::invalid(
                    format!("spec.clusterIPs[{i}]"),
                    ip.as_str(),
                    format!("expected an IPv6 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
        }
    }
    errs
}

/// The internal `core.ServicePort` as a 1.34+ error value: the internal type has no json tags,
/// so `json.Marshal` uses the Go field names; `IntOrString` marshals as its int.
fn port_key_value(p: &Port) -> [(&'static str, Value); 6] {
    [
        ("Name", json!("")),
        ("Protocol", json!(p.protocol)),
        ("AppProtocol", Value::Null),
        ("Port", json!(p.port)),
        ("TargetPort", json!(0)),
        ("NodePort", json!(0)),
    ]
}

fn validate_port(
    p: &Port,
    require_name: bool,
    names: &mut Vec<String>,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if require_name && p.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else if !p.name.is_empty() {
        for m in is_dns1123_label(&p.name) {
            errs.push(FieldError::invalid(
                format!("{path}.name"),
                p.name.as_str(),
                m,
            ));
        }
        if names.contains(&p.name) {
            errs.push(FieldError::duplicate(
                format!("{path}.name"),
                p.name.as_str(),
            ));
        } else {
            names.push(p.name.clone());
        }
    }
    for m in is_valid_port_num(p.port) {
        errs.push(FieldError::invalid(format!("{path}.port"), p.port, m));
    }
    if p.protocol.is_empty() {
        errs.push(FieldError::required(format!("{path}.protocol"), ""));
    } else if !["SCTP", "TCP", "UDP"].contains(&p.protocol.as_str()) {
        errs.push(FieldError::not_supported(
            format!("{path}.protocol"),
            p.protocol.as_str(),
            &["SCTP", "TCP", "UDP"],
        ));
    }
    match &p.target_port {
        IntOrStr::Int(n) => {
            for m in is_valid_port_num(*n) {
                errs.push(FieldError::invalid(format!("{path}.targetPort"), *n, m));
            }
        }
        IntOrStr::Str(s) => {
            for m in is_valid_port_name(s) {
                errs.push(FieldError::invalid(
                    format!("{path}.targetPort"),
                    s.as_str(),
                    m,
                ));
            }
        }
    }
    if let Some(a) = &p.app_protocol {
        for m in is_qualified_name(a) {
            errs.push(FieldError::invalid(
                format!("{path}.appProtocol"),
                a.as_str(),
                m,
            ));
        }
    }
    errs
}

/// `ValidateNonSpecialIP`.
fn non_special_ip(ip: IpAddr, raw: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (unspecified, loopback, link_local, ll_multicast) = match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            (
                v.is_unspecified(),
                v.is_loopback(),
                v.is_link_local(),
                o[0] == 224 && o[1] == 0 && o[2] == 0,
            )
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            (
                v.is_unspecified(),
                v.is_loopback(),
                s[0] & 0xffc0 == 0xfe80,
                s[0] & 0xff0f == 0xff02,
            )
        }
    };
    if unspecified {
        errs.push(FieldError::invalid(
            path,
            raw,
            format!("may not be unspecified ({raw})"),
        ));
    }
    if loopback {
        errs.push(FieldError::invalid(
            path,
            raw,
            "may not be in the loopback range (127.0.0.0/8, ::1/128)",
        ));
    }
    if link_local {
        errs.push(FieldError::invalid(
            path,
            raw,
            "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
        ));
    }
    if ll_multicast {
        errs.push(FieldError::invalid(
            path,
            raw,
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
        ));
    }
    errs
}

fn cidr_ok(v: &str) -> bool {
    match v.split_once('/') {
        Some((ip, _)) if parse_ip_sloppy(ip).is_some() => {
            let ip = parse_ip_sloppy(ip)
                .map(|i| i.to_string())
                .unwrap_or_default();
            let len = v.rsplit('/').next().unwrap_or_default();
            parse_cidr(&format!("{ip}/{len}")).is_some() && len.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// `validateLoadBalancerClassField`.
fn validate_lb_class(new: &Spec, old: Option<&Spec>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(old) = old
        && old.type_ == "LoadBalancer"
        && new.type_ == "LoadBalancer"
        && old.load_balancer_class != new.load_balancer_class
    {
        let v = new
            .load_balancer_class
            .clone()
            .map_or(Value::Null, Value::String);
        errs.push(FieldError::invalid(
            "spec.loadBalancerClass",
            v,
            "may not change once set",
        ));
    }
    if new.type_ == "LoadBalancer" {
        if let Some(c) = &new.load_balancer_class {
            for m in is_qualified_name(c) {
                errs.push(FieldError::invalid("spec.loadBalancerClass", c.as_str(), m));
            }
        }
    } else if new.load_balancer_class.is_some() {
        errs.push(FieldError::forbidden("spec.loadBalancerClass", LB_ONLY));
    }
    errs
}

/// `ValidateService` (validation.go): metadata first, then the spec in source order.
pub fn validate_service(
    name: &str,
    annotations: Option<&Map<String, Value>>,
    s: &Spec,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for m in is_dns1035_label(name) {
        errs.push(FieldError::invalid("metadata.name", name, m));
    }
    let ann = |k: &str| annotations.and_then(|a| a.get(k)).and_then(Value::as_str);
    const HINTS: &str = "service.kubernetes.io/topology-aware-hints";
    const MODE: &str = "service.kubernetes.io/topology-mode";
    if let (Some(h), Some(m)) = (ann(HINTS), ann(MODE))
        && h != m
    {
        errs.push(FieldError::invalid(
            format!("metadata.annotations[{MODE}]"),
            m,
            format!("must match annotations[{HINTS}] when both are specified"),
        ));
    }
    if s.ports.is_empty() && !s.is_headless() && s.type_ != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    match s.type_.as_str() {
        t @ ("LoadBalancer" | "NodePort") if s.is_headless() => {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                "None",
                format!("may not be set to 'None' for {t} services"),
            ));
        }
        "ExternalName" => {
            if !s.cluster_ips.is_empty() {
                errs.push(FieldError::forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ));
            }
            if !s.ip_families.is_empty() {
                errs.push(FieldError::forbidden(
                    "spec.ipFamilies",
                    "may not be set for ExternalName services",
                ));
            }
            if s.ip_family_policy.is_some() {
                errs.push(FieldError::forbidden(
                    "spec.ipFamilyPolicy",
                    "may not be set for ExternalName services",
                ));
            }
            let cname = s
                .external_name
                .strip_suffix('.')
                .unwrap_or(&s.external_name);
            if cname.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else {
                for m in is_dns1123_subdomain(cname) {
                    errs.push(FieldError::invalid("spec.externalName", cname, m));
                }
            }
        }
        _ => {}
    }
    let mut names = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        errs.extend(validate_port(
            p,
            s.ports.len() > 1,
            &mut names,
            &format!("spec.ports[{i}]"),
        ));
    }
    if let Some(sel) = &s.selector {
        errs.extend(validate_labels(Some(sel), "spec.selector"));
    }
    if s.session_affinity.is_empty() {
        errs.push(FieldError::required("spec.sessionAffinity", ""));
    } else if s.session_affinity != "ClientIP" && s.session_affinity != "None" {
        errs.push(FieldError::not_supported(
            "spec.sessionAffinity",
            s.session_affinity.as_str(),
            &["ClientIP", "None"],
        ));
    }
    const AFF: &str = "spec.sessionAffinityConfig";
    const WHEN: &str = "when session affinity type is ClientIP";
    if s.session_affinity == "ClientIP" {
        match &s.session_affinity_config {
            None => errs.push(FieldError::required(AFF, WHEN)),
            Some(None) => errs.push(FieldError::required(format!("{AFF}.clientIP"), WHEN)),
            Some(Some(None)) => errs.push(FieldError::required(
                format!("{AFF}.clientIP.timeoutSeconds"),
                WHEN,
            )),
            Some(Some(Some(t))) if *t <= 0 || *t > 86400 => errs.push(FieldError::invalid(
                format!("{AFF}.clientIP.timeoutSeconds"),
                *t,
                "must be greater than 0 and less than 86400",
            )),
            Some(Some(Some(_))) => {}
        }
    } else if s.session_affinity == "None" && s.session_affinity_config.is_some() {
        errs.push(FieldError::forbidden(
            AFF,
            "must not be set when session affinity is None",
        ));
    }
    errs.extend(validate_cluster_ips_related(s));
    for (i, ip) in s.external_ips.iter().enumerate() {
        let path = format!("spec.externalIPs[{i}]");
        match parse_ip_sloppy(ip) {
            None => errs.push(FieldError::invalid(&path, ip.as_str(), IP_MSG)),
            Some(parsed) => errs.extend(non_special_ip(parsed, ip, &path)),
        }
    }
    const TYPES: [&str; 4] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if s.type_.is_empty() {
        errs.push(FieldError::required("spec.type", ""));
    } else if !TYPES.contains(&s.type_.as_str()) {
        errs.push(FieldError::not_supported(
            "spec.type",
            s.type_.as_str(),
            &TYPES,
        ));
    }
    if s.type_ == "ClusterIP" {
        for (i, p) in s.ports.iter().enumerate() {
            if p.node_port != 0 {
                errs.push(FieldError::forbidden(
                    format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports: Vec<(&str, i64)> = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        if p.node_port == 0 {
            continue;
        }
        let key = (p.protocol.as_str(), p.node_port);
        if node_ports.contains(&key) {
            errs.push(FieldError::duplicate(
                format!("spec.ports[{i}].nodePort"),
                p.node_port,
            ));
        }
        node_ports.push(key);
    }
    let mut ports: Vec<(&str, i64)> = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        let key = (p.protocol.as_str(), p.port);
        if ports.contains(&key) {
            errs.push(
                FieldError::duplicate(format!("spec.ports[{i}]"), Value::Null)
                    .with_go_struct(&port_key_value(p)),
            );
        }
        ports.push(key);
    }
    const LBSR_ANN: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
    if !s.load_balancer_source_ranges.is_empty() {
        // The capital L is the API server's own field path (validation.go).
        let path = "spec.LoadBalancerSourceRanges";
        if s.type_ != "LoadBalancer" {
            errs.push(FieldError::forbidden(path, LB_ONLY));
        }
        for (i, v) in s.load_balancer_source_ranges.iter().enumerate() {
            let v = v.trim();
            if !cidr_ok(v) {
                errs.push(FieldError::invalid(format!("{path}[{i}]"), v, CIDR_MSG));
            }
        }
    } else if let Some(val) = ann(LBSR_ANN) {
        let path = format!("metadata.annotations[{LBSR_ANN}]");
        if s.type_ != "LoadBalancer" {
            errs.push(FieldError::forbidden(&path, LB_ONLY));
        }
        let val = val.trim();
        if !val.is_empty() {
            for v in val.split(',').map(str::trim) {
                if !cidr_ok(v) {
                    errs.push(FieldError::invalid(&path, v, CIDR_MSG));
                }
            }
        }
    }
    if s.allocate_lb_node_ports.is_some() && s.type_ != "LoadBalancer" {
        errs.push(FieldError::forbidden(
            "spec.allocateLoadBalancerNodePorts",
            LB_ONLY,
        ));
    }
    if s.type_ == "LoadBalancer" && s.allocate_lb_node_ports.is_none() {
        // Path without `spec.` as in the source; unreachable through v1 defaulting.
        errs.push(FieldError::required("allocateLoadBalancerNodePorts", ""));
    }
    errs.extend(validate_lb_class(s, None));
    errs.extend(validate_external_traffic_policy(s));
    if s.internal_traffic_policy.is_none()
        && matches!(s.type_.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP")
    {
        errs.push(FieldError::required("spec.internalTrafficPolicy", ""));
    }
    if let Some(p) = &s.internal_traffic_policy
        && p != "Cluster"
        && p != "Local"
    {
        errs.push(FieldError::not_supported(
            "spec.internalTrafficPolicy",
            p.as_str(),
            &["Cluster", "Local"],
        ));
    }
    if let Some(Value::String(td)) = s.extra.get("trafficDistribution") {
        // PreferSameTrafficDistribution is on by default in 1.35: the list is the source's
        // literal order, not sorted.
        let ok = ["PreferClose", "PreferSameZone", "PreferSameNode"];
        if !ok.contains(&td.as_str()) {
            errs.push(FieldError::not_supported(
                "spec.trafficDistribution",
                td.as_str(),
                &ok,
            ));
        }
    }
    errs
}

/// `validateServiceExternalTrafficPolicy`.
fn validate_external_traffic_policy(s: &Spec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let etp = s.external_traffic_policy.as_str();
    if !s.externally_accessible() {
        if !etp.is_empty() {
            errs.push(FieldError::invalid(
                "spec.externalTrafficPolicy",
                etp,
                "may only be set for externally-accessible services",
            ));
        }
    } else if etp.is_empty() {
        errs.push(FieldError::required("spec.externalTrafficPolicy", ""));
    } else if etp != "Cluster" && etp != "Local" {
        errs.push(FieldError::not_supported(
            "spec.externalTrafficPolicy",
            etp,
            &["Cluster", "Local"],
        ));
    }
    let hc = s.health_check_node_port;
    if !s.needs_health_check() {
        if hc != 0 {
            errs.push(FieldError::invalid(
                "spec.healthCheckNodePort",
                hc,
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    } else if hc == 0 {
        errs.push(FieldError::required("spec.healthCheckNodePort", ""));
    } else {
        for m in is_valid_port_num(hc) {
            errs.push(FieldError::invalid("spec.healthCheckNodePort", hc, m));
        }
    }
    errs
}

/// `validateUpgradeDowngradeClusterIPs`: the primary ClusterIP never changes in place
/// (headless ↔ headful included), except to or from ExternalName.
fn upgrade_downgrade_cluster_ips(new: &Spec, old: &Spec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if new.type_ == "ExternalName"
        || old.type_ == "ExternalName"
        || (new.is_headless() && old.is_headless())
    {
        return errs;
    }
    let v = list_value(&new.cluster_ips);
    let (o, n) = (&old.cluster_ips, &new.cluster_ips);
    if o.len() == n.len() {
        for (i, ip) in o.iter().enumerate() {
            if *ip != n[i] {
                errs.push(FieldError::invalid(
                    format!("spec.clusterIPs[{i}]"),
                    v.clone(),
                    "may not change once set",
                ));
            }
        }
    } else if o.len() > n.len() {
        if n.is_empty() {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                v.clone(),
                "primary clusterIP can not be unset",
            ));
        }
        if !o.is_empty() && !n.is_empty() && n[0] != o[0] {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                v.clone(),
                "may not change once set",
            ));
        }
        if n.len() == 1 && new.ip_family_policy.as_deref() != Some("SingleStack") {
            errs.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                new.ip_family_policy
                    .clone()
                    .map_or(Value::Null, Value::String),
                "must be set to 'SingleStack' when releasing the secondary clusterIP",
            ));
        }
    } else if !o.is_empty() && n[0] != o[0] {
        errs.push(FieldError::invalid(
            "spec.clusterIPs[0]",
            v,
            "may not change once set",
        ));
    }
    errs
}

/// `validateUpgradeDowngradeIPFamilies` (the equal-length case is all a single-stack cluster
/// can reach).
fn upgrade_downgrade_ip_families(new: &Spec, old: &Spec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if new.type_ == "ExternalName"
        || old.type_ == "ExternalName"
        || new.is_headless()
        || old.is_headless()
    {
        return errs;
    }
    let (o, n) = (&old.ip_families, &new.ip_families);
    if o.len() == n.len() {
        for (i, f) in o.iter().enumerate() {
            if *f != n[i] {
                errs.push(FieldError::invalid(
                    "spec.ipFamilies[0]",
                    list_value(n),
                    "may not change once set",
                ));
            }
        }
    } else if !o.is_empty() && !n.is_empty() && n[0] != o[0] {
        errs.push(FieldError::invalid(
            "spec.ipFamilies[0]",
            list_value(&new.cluster_ips),
            "may not change once set",
        ));
    }
    errs
}

/// `ValidateServiceUpdate`: the update-only checks, then everything `ValidateService` checks.
pub fn validate_update(
    name: &str,
    annotations: Option<&Map<String, Value>>,
    new: &Spec,
    old: &Spec,
) -> Vec<FieldError> {
    let mut errs = upgrade_downgrade_cluster_ips(new, old);
    errs.extend(upgrade_downgrade_ip_families(new, old));
    errs.extend(validate_lb_class(new, Some(old)));
    if old.needs_health_check()
        && new.needs_health_check()
        && new.health_check_node_port != old.health_check_node_port
    {
        errs.push(FieldError::forbidden(
            "spec.healthCheckNodePort",
            "field is immutable",
        ));
    }
    errs.extend(validate_service(name, annotations, new));
    errs
}
