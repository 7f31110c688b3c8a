//! Address and port allocation state: ClusterIPs from the Service CIDR, NodePorts from the
//! NodePort range. Owned by the Service admission path; rebuilt from nothing at bootstrap.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::config::ClusterConfig;

#[derive(Debug, Clone, Default)]
pub struct Allocators {
    pub cluster_ips: BTreeSet<Ipv4Addr>,
    pub node_ports: BTreeSet<u16>,
}

impl Allocators {
    pub fn new(_config: &ClusterConfig) -> Self {
        Allocators::default()
    }
}
