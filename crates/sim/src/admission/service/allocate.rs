//! ClusterIP and NodePort allocation for a Service write, as one transaction: what it took is
//! given back if a later step refuses the write, and what it frees is only freed once the write
//! is accepted. Follows `pkg/registry/core/service/storage/alloc.go` (`allocateCreate`,
//! `allocateUpdate`, `initIPFamilyFields`, `initNodePorts`, `updateNodePorts`, ...); each
//! failure is returned alone, before validation runs (SERVICES-SPEC §0.5).

use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};

use super::ips::{parse_ip_sloppy, validate_cluster_ips_related};
use super::spec::Spec;
use crate::admission::Ctx;
use crate::error::{ApiError, FieldError};
use crate::kinds::Kind;

/// What one write took from and will give back to the pools.
#[derive(Debug, Default)]
pub struct Txn {
    taken_ips: Vec<Ipv4Addr>,
    taken_ports: Vec<i64>,
    freed_ips: Vec<Ipv4Addr>,
    freed_ports: Vec<i64>,
}

impl Txn {
    /// Run one request's allocation steps as a transaction: if any step fails, what the
    /// earlier ones took goes back before the error is returned (SERVICES-SPEC §0.5).
    fn run<'a>(
        ctx: &mut Ctx<'a>,
        steps: impl FnOnce(&mut Ctx<'a>, &mut Txn) -> Result<(), ApiError>,
    ) -> Result<Txn, ApiError> {
        let mut txn = Txn::default();
        match steps(ctx, &mut txn) {
            Ok(()) => Ok(txn),
            Err(e) => {
                txn.revert(ctx);
                Err(e)
            }
        }
    }

    /// The write failed: give back what it took; what it meant to free stays taken.
    pub fn revert(self, ctx: &mut Ctx<'_>) {
        for ip in self.taken_ips {
            ctx.alloc.release_ip(ip);
        }
        for p in self.taken_ports {
            ctx.alloc.release_port(p);
        }
    }

    /// The write is accepted: free what the old object held and the new one does not.
    pub fn commit(self, ctx: &mut Ctx<'_>) {
        for ip in self.freed_ips {
            ctx.alloc.release_ip(ip);
        }
        for p in self.freed_ports {
            ctx.alloc.release_port(p);
        }
    }
}

fn invalid(name: &str, causes: Vec<FieldError>) -> ApiError {
    ApiError::invalid(Kind::Service, name, causes)
}

fn ips_value(s: &Spec) -> Value {
    if s.cluster_ips.is_empty() {
        Value::Null
    } else {
        Value::from(s.cluster_ips.clone())
    }
}

fn family_of(ip: &str) -> &'static str {
    match parse_ip_sloppy(ip) {
        Some(IpAddr::V4(_)) => "IPv4",
        Some(IpAddr::V6(_)) => "IPv6",
        None => "unknown",
    }
}

/// `isMatchingPreferDualStackClusterIPFields`: an unchanged PreferDualStack service is left be.
fn matching_prefer_dual_stack(new: &Spec, old: Option<&Spec>) -> bool {
    let Some(old) = old else { return false };
    new.ip_family_policy.as_deref() == Some("PreferDualStack")
        && old.ip_family_policy.as_deref() == Some("PreferDualStack")
        && old.type_ == new.type_
        && new.needs_cluster_ip()
        && old.cluster_ips == new.cluster_ips
        && old.ip_families == new.ip_families
}

/// `initIPFamilyFields` on a single-stack IPv4 cluster.
pub fn init_ip_family_fields(
    new: &mut Spec,
    old: Option<&Spec>,
    name: &str,
) -> Result<(), ApiError> {
    if !new.needs_cluster_ip() || matching_prefer_dual_stack(new, old) {
        return Ok(());
    }
    if new.ip_family_policy.is_none() {
        new.ip_family_policy = Some(match old.and_then(|o| o.ip_family_policy.clone()) {
            Some(p) => p,
            None if new.cluster_ip == "None"
                && new.selector.as_ref().is_none_or(|s| s.is_empty()) =>
            {
                "RequireDualStack".into()
            }
            None => "SingleStack".into(),
        });
    }
    let errs = validate_cluster_ips_related(new);
    if !errs.is_empty() {
        return Err(invalid(name, errs));
    }
    let policy = new.ip_family_policy.clone().unwrap_or_default();
    let policy_v = Value::String(policy.clone());
    let mut el = Vec::new();
    if let Some(old) = old {
        if policy == "SingleStack" {
            if old.cluster_ips == new.cluster_ips && new.cluster_ips.len() > 1 {
                new.cluster_ips.truncate(1);
            }
            if old.ip_families == new.ip_families && new.ip_families.len() > 1 {
                new.ip_families.truncate(1);
            }
        } else {
            if !new.cluster_ips.is_empty() && new.cluster_ips.len() < old.cluster_ips.len() {
                el.push(FieldError::invalid(
                    "spec.ipFamilyPolicy",
                    policy_v.clone(),
                    "must be 'SingleStack' to release the secondary cluster IP",
                ));
            }
            if !new.ip_families.is_empty() && new.ip_families.len() < old.ip_families.len() {
                el.push(FieldError::invalid(
                    "spec.ipFamilyPolicy",
                    policy_v.clone(),
                    "must be 'SingleStack' to release the secondary IP family",
                ));
            }
        }
    }
    if policy == "SingleStack" {
        if new.cluster_ips.len() == 2 {
            el.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy_v.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
            ));
        }
        if new.ip_families.len() == 2 {
            el.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy_v.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
            ));
        }
    }
    let ips = new.cluster_ips.clone();
    for (i, ip) in ips.iter().enumerate() {
        if ip == "None" {
            break;
        }
        let fam = family_of(ip);
        if i >= new.ip_families.len() {
            if fam == "IPv4" {
                new.ip_families.push(fam.into());
            } else {
                el.push(FieldError::invalid(
                    format!("spec.clusterIPs[{i}]"),
                    ips_value(new),
                    format!("{fam} is not configured on this cluster"),
                ));
            }
        }
    }
    if !el.is_empty() {
        return Err(invalid(name, el));
    }
    let selectorless = new.selector.as_ref().is_none_or(|s| s.is_empty());
    if new.cluster_ip == "None" && selectorless {
        if new.ip_families.is_empty() {
            new.ip_families = vec!["IPv4".into()];
        }
        if new.ip_families.len() < 2 && policy != "SingleStack" {
            let other = if new.ip_families[0] == "IPv4" {
                "IPv6"
            } else {
                "IPv4"
            };
            new.ip_families.push(other.into());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        el.push(FieldError::invalid(
            "spec.ipFamilyPolicy",
            policy_v,
            "this cluster is not configured for dual-stack services",
        ));
    }
    for (i, fam) in new.ip_families.iter().enumerate() {
        if fam != "IPv4" {
            el.push(FieldError::invalid(
                format!("spec.ipFamilies[{i}]"),
                fam.as_str(),
                "not configured on this cluster",
            ));
        }
    }
    if !el.is_empty() {
        return Err(invalid(name, el));
    }
    if new.ip_families.is_empty() {
        new.ip_families = vec!["IPv4".into()];
    }
    Ok(())
}

/// `allocClusterIPs`: a ClusterIP for each family, the requested one or the next free one.
fn alloc_cluster_ips(
    ctx: &mut Ctx<'_>,
    s: &mut Spec,
    name: &str,
    txn: &mut Txn,
) -> Result<(), ApiError> {
    if !s.needs_cluster_ip() || s.cluster_ips.first().is_some_and(|ip| ip == "None") {
        return Ok(());
    }
    while s.cluster_ips.len() < s.ip_families.len() {
        s.cluster_ips.push(String::new());
    }
    for i in 0..s.ip_families.len() {
        let want = s.cluster_ips[i].clone();
        let got = if want.is_empty() {
            ctx.alloc
                .allocate_next_ip(ctx.config, ctx.rng)
                .map_err(|e| ApiError::Internal(format!("failed to allocate a serviceIP: {e}")))?
        } else {
            let fail = |e: &dyn std::fmt::Display| {
                invalid(
                    name,
                    vec![FieldError::invalid(
                        "spec.clusterIPs",
                        ips_value(s),
                        format!("failed to allocate IP {want}: {e}"),
                    )],
                )
            };
            match parse_ip_sloppy(&want) {
                Some(IpAddr::V4(ip)) => {
                    ctx.alloc
                        .allocate_ip(ctx.config, ip)
                        .map_err(|e| fail(&e))?;
                    ip
                }
                _ => return Err(fail(&crate::alloc::IpAllocError::MismatchedNetwork)),
            }
        };
        txn.taken_ips.push(got);
        s.cluster_ips[i] = got.to_string();
        if i == 0 {
            s.cluster_ip = got.to_string();
        }
    }
    Ok(())
}

fn port_invalid(name: &str, i: usize, value: i64, e: &crate::alloc::PortAllocError) -> ApiError {
    invalid(
        name,
        vec![FieldError::invalid(
            format!("spec.ports[{i}].nodePort"),
            value,
            e.to_string(),
        )],
    )
}

fn next_port(ctx: &mut Ctx<'_>, txn: &mut Txn) -> Result<i64, ApiError> {
    let p = ctx
        .alloc
        .allocate_next_port(ctx.config, ctx.rng)
        .map_err(|e| ApiError::Internal(format!("failed to allocate a nodePort: {e}")))?;
    txn.taken_ports.push(i64::from(p));
    Ok(i64::from(p))
}

/// `initNodePorts`: ports sharing a `port` number share one NodePort.
fn init_node_ports(
    ctx: &mut Ctx<'_>,
    s: &mut Spec,
    name: &str,
    txn: &mut Txn,
) -> Result<(), ApiError> {
    let should = s.should_allocate_node_ports();
    let mut by_port: Vec<(i64, i64)> = Vec::new();
    for i in 0..s.ports.len() {
        let (port, np) = (s.ports[i].port, s.ports[i].node_port);
        if np == 0 && !should {
            continue;
        }
        let allocated = by_port
            .iter()
            .find(|(p, _)| *p == port)
            .map_or(0, |(_, n)| *n);
        if allocated == 0 {
            let requested = s
                .ports
                .iter()
                .find(|p| p.port == port && p.node_port != 0)
                .map_or(0, |p| p.node_port);
            let got = if requested != 0 {
                ctx.alloc
                    .allocate_port(ctx.config, requested)
                    .map_err(|e| port_invalid(name, i, requested, &e))?;
                txn.taken_ports.push(requested);
                requested
            } else {
                next_port(ctx, txn)?
            };
            s.ports[i].node_port = got;
            by_port.push((port, got));
        } else if np != allocated {
            if np == 0 {
                s.ports[i].node_port = allocated;
            } else {
                ctx.alloc
                    .allocate_port(ctx.config, np)
                    .map_err(|e| port_invalid(name, i, np, &e))?;
                txn.taken_ports.push(np);
            }
        }
    }
    Ok(())
}

fn alloc_health_check(ctx: &mut Ctx<'_>, s: &mut Spec, txn: &mut Txn) -> Result<(), ApiError> {
    let hc = s.health_check_node_port;
    if hc != 0 {
        ctx.alloc.allocate_port(ctx.config, hc).map_err(|e| {
            ApiError::Internal(format!(
                "failed to allocate requested HealthCheck NodePort {hc}: {e}"
            ))
        })?;
        txn.taken_ports.push(hc);
    } else {
        let p = ctx
            .alloc
            .allocate_next_port(ctx.config, ctx.rng)
            .map_err(|e| {
                ApiError::Internal(format!("failed to allocate a HealthCheck NodePort 0: {e}"))
            })?;
        txn.taken_ports.push(i64::from(p));
        s.health_check_node_port = i64::from(p);
    }
    Ok(())
}

/// `allocateCreate`: IP families, then ClusterIPs, then NodePorts (and the health-check port).
pub fn allocate_create(ctx: &mut Ctx<'_>, s: &mut Spec, name: &str) -> Result<Txn, ApiError> {
    Txn::run(ctx, |ctx, txn| {
        init_ip_family_fields(s, None, name)?;
        alloc_cluster_ips(ctx, s, name, txn)?;
        if s.needs_node_port() {
            init_node_ports(ctx, s, name, txn)?;
        }
        if s.needs_health_check() {
            alloc_health_check(ctx, s, txn)?;
        }
        Ok(())
    })
}

fn parse_v4(ip: &str) -> Option<Ipv4Addr> {
    match parse_ip_sloppy(ip) {
        Some(IpAddr::V4(v)) => Some(v),
        _ => None,
    }
}

/// `updateNodePorts`: new values are allocated, values the old object held are kept, and old
/// values no port uses any more are freed on commit.
fn update_node_ports(
    ctx: &mut Ctx<'_>,
    new: &mut Spec,
    old: &Spec,
    name: &str,
    txn: &mut Txn,
) -> Result<(), ApiError> {
    // Go takes every nodePort of the old object here; only NodePort/LoadBalancer ones were ever
    // allocated (ExternalName may carry unchecked ones), so trusting the others would let two
    // Services share a port. Deliberate divergence, invisible to a valid cluster.
    let old_numbers = if old.needs_node_port() {
        old.node_ports()
    } else {
        Vec::new()
    };
    let should = new.should_allocate_node_ports();
    let mut taken_here: Vec<i64> = Vec::new();
    let mut seen: Vec<(String, i64)> = Vec::new();
    for i in 0..new.ports.len() {
        let np = new.ports[i].node_port;
        if np == 0 && !should {
            continue;
        }
        let np = if np != 0 {
            if !old_numbers.contains(&np) && !taken_here.contains(&np) {
                ctx.alloc
                    .allocate_port(ctx.config, np)
                    .map_err(|e| port_invalid(name, i, np, &e))?;
                txn.taken_ports.push(np);
                taken_here.push(np);
            }
            np
        } else {
            let got = next_port(ctx, txn)?;
            new.ports[i].node_port = got;
            got
        };
        let key = (new.ports[i].protocol.clone(), np);
        if seen.contains(&key) {
            // A plain error from BeginUpdate: the handler reports it as an internal error.
            return Err(ApiError::Internal(format!(
                "duplicate nodePort: {{{} {}}}",
                key.0, key.1
            )));
        }
        seen.push(key);
    }
    let new_numbers = new.node_ports();
    for n in old_numbers {
        if !new_numbers.contains(&n) {
            txn.freed_ports.push(n);
        }
    }
    Ok(())
}

/// `allocateUpdate`: IP families, ClusterIP changes (ExternalName ↔ the rest), NodePort changes.
pub fn allocate_update(
    ctx: &mut Ctx<'_>,
    new: &mut Spec,
    old: &Spec,
    name: &str,
) -> Result<Txn, ApiError> {
    Txn::run(ctx, |ctx, txn| {
        init_ip_family_fields(new, Some(old), name)?;
        if !matching_prefer_dual_stack(new, Some(old)) {
            if !old.needs_cluster_ip() && new.needs_cluster_ip() {
                alloc_cluster_ips(ctx, new, name, txn)?;
            } else if !old.is_headless() && old.needs_cluster_ip() && !new.needs_cluster_ip() {
                txn.freed_ips
                    .extend(old.cluster_ips.iter().filter_map(|ip| parse_v4(ip)));
            }
        }
        if old.needs_node_port() && !new.needs_node_port() {
            txn.freed_ports.extend(old.node_ports());
        }
        if new.needs_node_port() {
            update_node_ports(ctx, new, old, name, txn)?;
        }
        match (old.needs_health_check(), new.needs_health_check()) {
            (false, true) => alloc_health_check(ctx, new, txn)?,
            (true, false) => txn.freed_ports.push(old.health_check_node_port),
            _ => {}
        }
        Ok(())
    })
}

/// `releaseAllocatedResources`: everything a stored Service holds goes back to the pools.
pub fn release_all(ctx: &mut Ctx<'_>, s: &Spec) {
    if s.needs_cluster_ip() && !s.is_headless() {
        for ip in s.cluster_ips.iter().filter_map(|ip| parse_v4(ip)) {
            ctx.alloc.release_ip(ip);
        }
    }
    // Only types that allocate NodePorts give them back (see `update_node_ports`).
    if s.needs_node_port() {
        for n in s.node_ports() {
            ctx.alloc.release_port(n);
        }
    }
    if s.needs_health_check() && s.health_check_node_port > 0 {
        ctx.alloc.release_port(s.health_check_node_port);
    }
}
