//! The Service fields the server fills in or wipes before allocation and validation:
//! v1 defaulting, the clusterIP/clusterIPs sync, re-applying allocated values an update left
//! out, and the wiping of type-dependent fields when the type changes.

use super::spec::{IntOrStr, Spec};

/// `SetDefaults_Service` (pkg/apis/core/v1/defaults.go). Runs on every decoded request body,
/// so on updates too (which is why ClusterIP → NodePort gains `externalTrafficPolicy: Cluster`).
pub fn set_defaults(s: &mut Spec) {
    if s.session_affinity.is_empty() {
        s.session_affinity = "None".into();
    }
    if s.session_affinity == "None" {
        s.session_affinity_config = None;
    }
    if s.session_affinity == "ClientIP" && !matches!(s.session_affinity_config, Some(Some(Some(_))))
    {
        // k8s.io/api core/v1 DefaultClientIPServiceAffinitySeconds.
        s.session_affinity_config = Some(Some(Some(10800)));
    }
    if s.type_.is_empty() {
        s.type_ = "ClusterIP".into();
    }
    for p in &mut s.ports {
        if p.protocol.is_empty() {
            p.protocol = "TCP".into();
        }
        let unset = match &p.target_port {
            IntOrStr::Int(n) => *n == 0,
            IntOrStr::Str(t) => t.is_empty(),
        };
        if unset {
            p.target_port = IntOrStr::Int(p.port);
        }
    }
    if s.externally_accessible() && s.external_traffic_policy.is_empty() {
        s.external_traffic_policy = "Cluster".into();
    }
    if s.internal_traffic_policy.is_none()
        && matches!(s.type_.as_str(), "ClusterIP" | "NodePort" | "LoadBalancer")
    {
        s.internal_traffic_policy = Some("Cluster".into());
    }
    if s.type_ == "LoadBalancer" && s.allocate_lb_node_ports.is_none() {
        s.allocate_lb_node_ports = Some(true);
    }
}

/// `normalizeClusterIPs` (pkg/registry/core/service/storage/storage.go).
pub fn normalize_cluster_ips(new: &mut Spec, old: Option<&Spec>) {
    let Some(old) = old else {
        if !new.cluster_ip.is_empty() && new.cluster_ips.is_empty() {
            new.cluster_ips = vec![new.cluster_ip.clone()];
        }
        return;
    };
    if !old.cluster_ips.is_empty() && new.cluster_ips.is_empty() && old.cluster_ip == new.cluster_ip
    {
        new.cluster_ips = old.cluster_ips.clone();
    }
    if old.cluster_ip != new.cluster_ip {
        let same_plural = old.cluster_ips == new.cluster_ips;
        if !old.cluster_ip.is_empty() && new.cluster_ip.is_empty() {
            if same_plural {
                new.cluster_ips = Vec::new();
            }
        } else if same_plural {
            new.cluster_ips = vec![new.cluster_ip.clone()];
        }
    }
}

/// `patchAllocatedValues` (storage.go): an update that leaves out what the server allocated
/// keeps it, so re-applying the original manifest works. NodePorts are matched by port name
/// and only re-used when no other port of the new spec already carries that value.
pub fn patch_allocated_values(new: &mut Spec, old: &Spec) {
    if old.needs_cluster_ip() && new.needs_cluster_ip() {
        if new.cluster_ip.is_empty() {
            new.cluster_ip = old.cluster_ip.clone();
        }
        if new.cluster_ips.is_empty() && !old.cluster_ips.is_empty() {
            new.cluster_ips = old.cluster_ips.clone();
        }
    }
    if old.needs_node_port() && new.needs_node_port() {
        let old_used = old.node_ports();
        let new_used = new.node_ports();
        let used: Vec<i64> = old_used
            .iter()
            .copied()
            .filter(|n| new_used.contains(n))
            .collect();
        for p in &mut new.ports {
            if p.node_port == 0 {
                // Go's map lookup: the last old port with this name wins, 0 when none.
                let old_val = old
                    .ports
                    .iter()
                    .rev()
                    .find(|o| o.name == p.name)
                    .map_or(0, |o| o.node_port);
                if !used.contains(&old_val) {
                    p.node_port = old_val;
                }
            }
        }
    }
    if old.needs_health_check() && new.needs_health_check() && new.health_check_node_port == 0 {
        new.health_check_node_port = old.health_check_node_port;
    }
}

/// `dropTypeDependentFields` (pkg/registry/core/service/strategy.go, PrepareForUpdate): wipe
/// what the new type cannot carry, but only where the user left the old value unchanged (a
/// changed value is theirs, and validation reports it).
pub fn drop_type_dependent_fields(new: &mut Spec, old: &Spec) {
    if old.needs_cluster_ip() && !new.needs_cluster_ip() {
        if old.cluster_ip == new.cluster_ip && old.cluster_ips == new.cluster_ips {
            new.cluster_ip = String::new();
            new.cluster_ips = Vec::new();
        }
        if old.ip_families == new.ip_families {
            new.ip_families = Vec::new();
        }
        if old.ip_family_policy == new.ip_family_policy {
            new.ip_family_policy = None;
        }
    }
    if old.needs_node_port() && !new.needs_node_port() {
        let old_ports = old.node_ports();
        if new.node_ports().iter().all(|n| old_ports.contains(n)) {
            for p in &mut new.ports {
                p.node_port = 0;
            }
        }
    }
    if old.needs_health_check()
        && !new.needs_health_check()
        && old.health_check_node_port == new.health_check_node_port
    {
        new.health_check_node_port = 0;
    }
    if old.type_ == "LoadBalancer"
        && new.type_ != "LoadBalancer"
        && old.allocate_lb_node_ports.is_some()
        && old.allocate_lb_node_ports == new.allocate_lb_node_ports
    {
        new.allocate_lb_node_ports = None;
    }
    if old.type_ == "LoadBalancer"
        && new.type_ != "LoadBalancer"
        && old.load_balancer_class == new.load_balancer_class
    {
        new.load_balancer_class = None;
    }
    if old.externally_accessible()
        && !new.externally_accessible()
        && old.external_traffic_policy == new.external_traffic_policy
    {
        new.external_traffic_policy = String::new();
    }
}
