//! Address and port allocation state: ClusterIPs from the Service CIDR, NodePorts from the
//! NodePort range, and per node the pods bound to it and the pod IPs its host-local IPAM handed
//! out. Owned by the Service admission path, the scheduler and the kubelet; rebuilt from nothing
//! at bootstrap.
//!
//! Both pools follow KEP-3070: the low part of each range is kept for static (user-picked)
//! values and dynamic picks come from the upper part first, from a random start point drawn
//! from the cluster's seeded generator. Error texts are the allocators' own (they end up inside
//! a field error): `pkg/registry/core/service/ipallocator/{interfaces.go,ipallocator.go}` (the
//! 1.33+ MultiCIDRServiceAllocator) and `pkg/registry/core/service/portallocator/allocator.go`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use crate::config::ClusterConfig;
use crate::rand::Rng;

/// Why a ClusterIP could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpAllocError {
    /// Outside every ServiceCIDR: the MetaAllocator finds no allocator for it
    /// (`ErrMismatchedNetwork`, default since MultiCIDRServiceAllocator went GA in 1.33).
    MismatchedNetwork,
    /// Inside the CIDR but the network or broadcast address (`ErrNotInRange`).
    NotInRange {
        ip: Ipv4Addr,
        cidr: String,
    },
    Allocated,
    Full,
}

impl fmt::Display for IpAllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpAllocError::MismatchedNetwork => {
                f.write_str("the provided network does not match the current range")
            }
            IpAllocError::NotInRange { ip, cidr } => write!(
                f,
                "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {cidr}"
            ),
            IpAllocError::Allocated => f.write_str("provided IP is already allocated"),
            IpAllocError::Full => f.write_str("range is full"),
        }
    }
}

/// Why a NodePort could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortAllocError {
    NotInRange { lo: u16, hi: u16 },
    Allocated,
    Full,
}

impl fmt::Display for PortAllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortAllocError::NotInRange { lo, hi } => write!(
                f,
                "provided port is not in the valid range. The range of valid ports is {lo}-{hi}"
            ),
            PortAllocError::Allocated => f.write_str("provided port is already allocated"),
            PortAllocError::Full => f.write_str("range is full"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Allocators {
    pub cluster_ips: BTreeSet<Ipv4Addr>,
    pub node_ports: BTreeSet<u16>,
    /// Per node: pods bound to it and its pod IPs (scheduler cache + host-local IPAM).
    pub nodes: BTreeMap<String, NodePods>,
    /// (namespace, pod name) → (node, address, pod uid): what the kubelet gives back when the
    /// pod goes, without scanning every node.
    pub pod_ips: BTreeMap<(String, String), (String, Ipv4Addr, String)>,
}

/// What one node holds: the scheduler's count of bound pods, and host-local IPAM state.
#[derive(Debug, Clone, Default)]
pub struct NodePods {
    /// (namespace, name) of the pods bound to the node.
    pub bound: BTreeSet<(String, String)>,
    /// Addresses in use → the pod holding each, as `namespace/name/uid`.
    pub ips: BTreeMap<Ipv4Addr, String>,
    /// The address handed out last: host-local continues after it (round robin), it does not
    /// reuse the lowest free address.
    pub last_ip: Option<Ipv4Addr>,
}

/// The usable addresses of an IPv4 CIDR as integers: network + 1 ..= broadcast - 1.
fn ip_bounds(cfg: &ClusterConfig) -> (u32, u32, u32) {
    let (base, len) = cfg.service_cidr;
    let len = u32::from(len.min(32));
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let network = u32::from(base) & mask;
    let broadcast = network | !mask;
    (
        network,
        network.saturating_add(1),
        broadcast.saturating_sub(1),
    )
}

/// `calculateRangeOffset` (ipallocator.go): min(max(16, size/16), 256), 0 for tiny ranges.
fn ip_range_offset(size: u64) -> u64 {
    if size <= 16 {
        0
    } else {
        (size / 16).clamp(16, 256)
    }
}

/// `calculateRangeOffset` (portallocator/allocator.go): min(max(16, size/32), 128).
fn port_range_offset(size: u64) -> u64 {
    if size <= 16 {
        0
    } else {
        (size / 32).clamp(16, 128)
    }
}

impl Allocators {
    pub fn new(_config: &ClusterConfig) -> Self {
        Allocators::default()
    }

    /// Reserve a specific ClusterIP.
    pub fn allocate_ip(&mut self, cfg: &ClusterConfig, ip: Ipv4Addr) -> Result<(), IpAllocError> {
        let (network, first, last) = ip_bounds(cfg);
        let n = u32::from(ip);
        let broadcast = last.saturating_add(1);
        if n < network || n > broadcast {
            return Err(IpAllocError::MismatchedNetwork);
        }
        if n < first || n > last {
            return Err(IpAllocError::NotInRange {
                ip,
                cidr: format!("{}/{}", Ipv4Addr::from(network), cfg.service_cidr.1),
            });
        }
        if !self.cluster_ips.insert(ip) {
            return Err(IpAllocError::Allocated);
        }
        Ok(())
    }

    /// Pick a free ClusterIP: the upper band from a random start, then the static band.
    pub fn allocate_next_ip(
        &mut self,
        cfg: &ClusterConfig,
        rng: &mut Rng,
    ) -> Result<Ipv4Addr, IpAllocError> {
        let (_, first, last) = ip_bounds(cfg);
        if last < first {
            return Err(IpAllocError::Full);
        }
        let size = u64::from(last - first) + 1;
        let offset = ip_range_offset(size);
        let bands = [(u64::from(first) + offset, u64::from(last)), {
            (
                u64::from(first),
                u64::from(first) + offset.saturating_sub(1),
            )
        }];
        for (i, (lo, hi)) in bands.into_iter().enumerate() {
            if i == 1 && offset == 0 {
                break;
            }
            if hi < lo {
                continue;
            }
            let span = hi - lo + 1;
            let start = rng.below(span);
            for k in 0..span {
                let n = lo + (start + k) % span;
                let ip = Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX));
                if self.cluster_ips.insert(ip) {
                    return Ok(ip);
                }
            }
        }
        Err(IpAllocError::Full)
    }

    pub fn release_ip(&mut self, ip: Ipv4Addr) {
        self.cluster_ips.remove(&ip);
    }

    /// Reserve a specific NodePort (any integer the request carried).
    pub fn allocate_port(&mut self, cfg: &ClusterConfig, port: i64) -> Result<(), PortAllocError> {
        let (lo, hi) = cfg.node_port_range;
        if port < i64::from(lo) || port > i64::from(hi) {
            return Err(PortAllocError::NotInRange { lo, hi });
        }
        let p = u16::try_from(port).map_err(|_| PortAllocError::NotInRange { lo, hi })?;
        if !self.node_ports.insert(p) {
            return Err(PortAllocError::Allocated);
        }
        Ok(())
    }

    /// Pick a free NodePort: the upper part of the range first, then the static part.
    pub fn allocate_next_port(
        &mut self,
        cfg: &ClusterConfig,
        rng: &mut Rng,
    ) -> Result<u16, PortAllocError> {
        let (lo, hi) = cfg.node_port_range;
        if hi < lo {
            return Err(PortAllocError::Full);
        }
        let size = u64::from(hi - lo) + 1;
        let offset = port_range_offset(size);
        let lo = u64::from(lo);
        let hi = u64::from(hi);
        let bands = [(lo + offset, hi), (lo, lo + offset.saturating_sub(1))];
        for (i, (a, b)) in bands.into_iter().enumerate() {
            if i == 1 && offset == 0 {
                break;
            }
            if b < a {
                continue;
            }
            let span = b - a + 1;
            let start = rng.below(span);
            for k in 0..span {
                let p = u16::try_from(a + (start + k) % span).unwrap_or(u16::MAX);
                if self.node_ports.insert(p) {
                    return Ok(p);
                }
            }
        }
        Err(PortAllocError::Full)
    }

    pub fn release_port(&mut self, port: i64) {
        if let Ok(p) = u16::try_from(port) {
            self.node_ports.remove(&p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_ips_come_from_the_upper_band() {
        let cfg = ClusterConfig::default();
        let mut a = Allocators::default();
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let ip = a.allocate_next_ip(&cfg, &mut rng).expect("ip");
            assert!(
                u32::from(ip) >= u32::from(Ipv4Addr::new(10, 96, 1, 1)),
                "{ip}"
            );
            assert!(u32::from(ip) <= u32::from(Ipv4Addr::new(10, 111, 255, 254)));
        }
    }

    #[test]
    fn network_and_broadcast_are_not_in_range_and_outside_is_mismatched() {
        let cfg = ClusterConfig::default();
        let mut a = Allocators::default();
        assert_eq!(
            a.allocate_ip(&cfg, Ipv4Addr::new(10, 96, 0, 0))
                .map_err(|e| e.to_string()),
            Err("the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12".into())
        );
        assert_eq!(
            a.allocate_ip(&cfg, Ipv4Addr::new(1, 1, 1, 1)),
            Err(IpAllocError::MismatchedNetwork)
        );
        assert_eq!(a.allocate_ip(&cfg, Ipv4Addr::new(10, 96, 0, 10)), Ok(()));
        assert_eq!(
            a.allocate_ip(&cfg, Ipv4Addr::new(10, 96, 0, 10)),
            Err(IpAllocError::Allocated)
        );
    }

    #[test]
    fn dynamic_node_ports_skip_the_static_band_until_it_is_all_that_is_left() {
        let cfg = ClusterConfig {
            node_port_range: (30000, 30099),
            ..ClusterConfig::default()
        };
        let mut a = Allocators::default();
        let mut rng = Rng::new(9);
        let mut got = Vec::new();
        for _ in 0..100 {
            got.push(a.allocate_next_port(&cfg, &mut rng).expect("port"));
        }
        // 100 ports → offset 16: the first 84 picks are all ≥ 30016.
        assert!(got[..84].iter().all(|p| *p >= 30016));
        assert!(got[84..].iter().all(|p| *p < 30016));
        assert_eq!(
            a.allocate_next_port(&cfg, &mut rng),
            Err(PortAllocError::Full)
        );
    }
}
