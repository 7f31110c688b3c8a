//! What a real cluster offers that some scenarios need (`requires:` in a pack): an ingress
//! controller, a NetworkPolicy-enforcing CNI, several nodes. Read from what is installed, as a
//! learner would check it; `cluster-admin` is never assumed (the learner grants it).

use serde_json::Value;
use std::collections::BTreeSet;

use crate::{Backend, ClusterError};

/// Pods whose presence means NetworkPolicy is enforced: Calico, Cilium, Weave Net, Antrea,
/// kube-router, and kind's kindnet (which enforces since kind v0.24 through
/// kube-network-policies).
const ENFORCING_CNI_PREFIXES: [&str; 7] = [
    "calico-node",
    "cilium",
    "weave-net",
    "antrea-agent",
    "kube-router",
    "kindnet",
    "canal",
];

/// The capabilities a cluster has, as `requires:` words.
pub async fn detect(backend: &Backend) -> Result<BTreeSet<String>, ClusterError> {
    let mut have = BTreeSet::new();
    if backend.is_in_process() || backend.owns_whole_cluster() {
        // kubedrill's simulated cluster models all of them.
        for c in [
            "ingress-controller",
            "netpol-cni",
            "multi-node",
            "cluster-admin",
        ] {
            have.insert(c.to_string());
        }
        return Ok(have);
    }
    let nodes = backend.objects_of("Node").await?;
    if nodes.len() >= 2 {
        have.insert("multi-node".into());
    }
    let classes = backend.objects_of("IngressClass").await?;
    if classes.iter().any(|c| c["metadata"]["name"] == "nginx") {
        have.insert("ingress-controller".into());
    }
    let pods = backend.objects_of("Pod").await?;
    let name = |p: &Value| {
        p["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    if pods
        .iter()
        .map(name)
        .any(|n| ENFORCING_CNI_PREFIXES.iter().any(|p| n.starts_with(p)))
    {
        have.insert("netpol-cni".into());
    }
    Ok(have)
}

/// What `requires` lists that `have` lacks, in words for the learner.
pub fn missing(requires: &[String], have: &BTreeSet<String>) -> Vec<String> {
    requires
        .iter()
        .filter(|r| !have.contains(*r))
        .map(|r| match r.as_str() {
            "ingress-controller" => {
                "an ingress controller (ingress-nginx with IngressClass nginx)".to_string()
            }
            "netpol-cni" => {
                "a CNI that enforces NetworkPolicy (Calico, Cilium, kindnet from kind v0.24, …)"
                    .to_string()
            }
            "multi-node" => "two or more nodes".to_string(),
            "cluster-admin" => {
                "changes to kube-system (pass --i-own-this-cluster on a cluster entirely yours)"
                    .to_string()
            }
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_names_each_lacking_requirement_in_words() {
        let have: BTreeSet<String> = ["multi-node".to_string()].into();
        let m = missing(
            &[
                "multi-node".into(),
                "netpol-cni".into(),
                "ingress-controller".into(),
            ],
            &have,
        );
        assert_eq!(m.len(), 2);
        assert!(m[0].starts_with("a CNI that enforces NetworkPolicy"));
        assert!(m[1].starts_with("an ingress controller"));
    }
}
