//! LoadBalancer status (SERVICES-SPEC rule 29): with `config.load_balancer_pool` a Service of
//! type LoadBalancer gets `status.loadBalancer.ingress: [{ip, ipMode: VIP}]`, the lowest free
//! address of the pool, as a bare-metal LB controller (MetalLB) would hand it out; without a
//! pool it keeps `status.loadBalancer: {}` and `EXTERNAL-IP` stays `<pending>`, as on a kubeadm
//! cluster with no cloud provider.
//!
//! Which addresses are taken is read from the Services' own status, never kept aside, so a
//! deleted Service or one changed to another type frees its address with nothing to undo.
//! Services naming a `spec.loadBalancerClass` belong to another implementation and are skipped.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

use super::endpoint_common::tolerate;
use super::{Ctl, Queues};

pub fn observe(store: &Store, change: &Change, q: &mut Queues) {
    if change.key.kind != Kind::Service {
        return;
    }
    let is_lb = |o: &Option<std::sync::Arc<Value>>| o.as_deref().is_some_and(is_load_balancer);
    let held = |o: &Option<std::sync::Arc<Value>>| {
        o.as_deref().is_some_and(|o| !ingress_ips(o).is_empty())
    };
    if is_lb(&change.new) || held(&change.new) {
        q.push(Ctl::LoadBalancer, change.key.clone());
    }
    // An address was given back: a Service still waiting may now get it.
    if held(&change.old) && !(is_lb(&change.new) && held(&change.new)) {
        for svc in store.list(Kind::Service, None) {
            if is_load_balancer(svc) && ingress_ips(svc).is_empty() {
                q.push(Ctl::LoadBalancer, ObjKey::of(Kind::Service, svc));
            }
        }
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(svc) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    let want = if !is_load_balancer(&svc) {
        // Changing type away from LoadBalancer clears the status (and frees the address).
        json!({})
    } else if !meta::str_at(&svc, &["spec", "loadBalancerClass"]).is_empty() {
        return Ok(());
    } else {
        match sim.config.load_balancer_pool {
            None => json!({}),
            Some(pool) => match pick_address(&sim.store, &svc, pool) {
                Some(ip) => json!({"ingress": [{"ip": ip.to_string(), "ipMode": "VIP"}]}),
                None => json!({}),
            },
        }
    };
    if svc.pointer("/status/loadBalancer") == Some(&want) {
        return Ok(());
    }
    let mut new = (*svc).clone();
    new["status"]["loadBalancer"] = want;
    tolerate(sim.update_unsettled(new, Subresource::Status))
}

fn is_load_balancer(svc: &Value) -> bool {
    meta::str_at(svc, &["spec", "type"]) == "LoadBalancer"
}

fn ingress_ips(svc: &Value) -> Vec<Ipv4Addr> {
    svc.pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("ip").and_then(Value::as_str))
        .filter_map(|ip| ip.parse().ok())
        .collect()
}

/// The address this Service should hold: the one it holds if it is still in the pool and no
/// other Service holds it, else the requested `spec.loadBalancerIP` if free, else the lowest
/// free address. `None` when the pool is exhausted (the Service stays `<pending>`).
fn pick_address(store: &Store, svc: &Value, pool: (Ipv4Addr, u8)) -> Option<Ipv4Addr> {
    let me = (meta::namespace(svc), meta::name(svc));
    let used: BTreeSet<Ipv4Addr> = store
        .list(Kind::Service, None)
        .filter(|s| (meta::namespace(s), meta::name(s)) != me)
        .flat_map(|s| ingress_ips(s))
        .collect();
    let (first, last) = usable_range(pool);
    let in_pool = |ip: &Ipv4Addr| (first..=last).contains(&u32::from(*ip));
    let free = |ip: &Ipv4Addr| in_pool(ip) && !used.contains(ip);
    if let Some(ip) = ingress_ips(svc).into_iter().find(free) {
        return Some(ip);
    }
    let requested = meta::str_at(svc, &["spec", "loadBalancerIP"]);
    if !requested.is_empty() {
        // A requested address outside the pool or taken is not silently replaced.
        return requested.parse().ok().filter(free);
    }
    (first..=last)
        .map(Ipv4Addr::from)
        .find(|ip| !used.contains(ip))
}

/// The addresses handed out: the whole CIDR, less the network and broadcast addresses when the
/// prefix leaves room for them (a /31 or /32 has none to spare).
fn usable_range((base, prefix): (Ipv4Addr, u8)) -> (u32, u32) {
    let prefix = u32::from(prefix.min(32));
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let network = u32::from(base) & mask;
    let broadcast = network | !mask;
    if prefix <= 30 {
        (network + 1, broadcast - 1)
    } else {
        (network, broadcast)
    }
}
