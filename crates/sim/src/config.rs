//! What a simulated cluster is made of before anything is applied: its nodes, address ranges,
//! seed and limits. `ClusterConfig::default()` is the exam-like cluster every drill starts from.

use std::net::Ipv4Addr;

/// One node of the simulated cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    pub name: String,
    pub internal_ip: Ipv4Addr,
    /// The node's pod CIDR (a /24 by default, as kubeadm + flannel give).
    pub pod_cidr: (Ipv4Addr, u8),
    /// Carries the `node-role.kubernetes.io/control-plane` label and NoSchedule taint.
    pub control_plane: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Seeds every random choice: uids, generated names, allocation start points.
    pub seed: u64,
    pub nodes: Vec<NodeConfig>,
    /// The Service CIDR (`--service-cluster-ip-range`).
    pub service_cidr: (Ipv4Addr, u8),
    /// The NodePort range, inclusive (`--service-node-port-range`).
    pub node_port_range: (u16, u16),
    /// Addresses a LoadBalancer controller hands out; `None` leaves EXTERNAL-IP `<pending>`.
    pub load_balancer_pool: Option<(Ipv4Addr, u8)>,
    pub cluster_domain: String,
    /// How many watch events are kept for resuming watches (older → 410 Gone).
    pub watch_window: usize,
    /// Rounds of controller work after one write before giving up as non-convergent.
    pub max_settle_rounds: usize,
    /// The `gitVersion` the cluster reports.
    pub version: String,
    /// Install ingress-nginx as `kubectl apply -f …/provider/baremetal/deploy.yaml` does: the
    /// `ingress-nginx` namespace, IngressClass `nginx`, the controller Deployment and its
    /// NodePort Service (http 80, https 443; nodePorts allocated from the range, as on a real
    /// cluster: read them with `kubectl get svc -n ingress-nginx`).
    pub ingress_nginx: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        let node = |name: &str, last: u8, cidr: u8, control_plane: bool| NodeConfig {
            name: name.to_string(),
            internal_ip: Ipv4Addr::new(172, 30, 1, last),
            pod_cidr: (Ipv4Addr::new(10, 244, cidr, 0), 24),
            control_plane,
        };
        ClusterConfig {
            seed: 1,
            nodes: vec![
                node("controlplane", 2, 0, true),
                node("node01", 3, 1, false),
                node("node02", 4, 2, false),
            ],
            service_cidr: (Ipv4Addr::new(10, 96, 0, 0), 12),
            node_port_range: (30000, 32767),
            load_balancer_pool: None,
            cluster_domain: "cluster.local".to_string(),
            watch_window: 10_000,
            max_settle_rounds: 200,
            version: "v1.35.0".to_string(),
            ingress_nginx: false,
        }
    }
}

impl ClusterConfig {
    pub fn with_seed(seed: u64) -> Self {
        ClusterConfig {
            seed,
            ..ClusterConfig::default()
        }
    }

    pub fn node(&self, name: &str) -> Option<&NodeConfig> {
        self.nodes.iter().find(|n| n.name == name)
    }
}
