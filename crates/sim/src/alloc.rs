//! Address and port allocation state: ClusterIPs from the Service CIDR, NodePorts from the
//! NodePort range, and per node the pods bound to it and the pod IPs its host-local IPAM handed
//! out. Owned by the Service admission path, the scheduler and the kubelet; rebuilt from nothing
//! at bootstrap.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use crate::config::ClusterConfig;

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

impl Allocators {
    pub fn new(_config: &ClusterConfig) -> Self {
        Allocators::default()
    }
}
