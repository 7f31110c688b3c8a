//! The address side of Service validation: `ValidateServiceClusterIPsRelatedFields` (also run
//! alone before allocation), the in-place ClusterIP/ipFamilies change rules of
//! `ValidateServiceUpdate`, externalIPs and CIDRs (`pkg/apis/core/validation/validation.go`).

use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};

use super::spec::Spec;
use crate::admission::validation::parse_cidr;
use crate::error::FieldError;

pub const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

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

pub fn list_value(v: &[String]) -> Value {
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

pub use crate::admission::validation::non_special_ip;

pub fn cidr_ok(v: &str) -> bool {
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

/// `validateUpgradeDowngradeClusterIPs`: the primary ClusterIP never changes in place
/// (headless ↔ headful included), except to or from ExternalName.
pub fn upgrade_downgrade_cluster_ips(new: &Spec, old: &Spec) -> Vec<FieldError> {
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
pub fn upgrade_downgrade_ip_families(new: &Spec, old: &Spec) -> Vec<FieldError> {
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
