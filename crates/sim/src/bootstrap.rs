//! What a fresh cluster holds before the learner touches it, as kubeadm leaves it: the system
//! namespaces, the nodes, the `kubernetes` Service (10.96.0.1) with its apiserver endpoints, and
//! `kube-dns` (10.96.0.10) backed by the CoreDNS Deployment in kube-system.

use serde_json::{Value, json};

use crate::config::NodeConfig;
use crate::error::ApiError;
use crate::sim::Sim;

pub(crate) fn bootstrap(sim: &mut Sim) -> Result<(), ApiError> {
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        sim.create_unsettled(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        )?;
    }
    let nodes = sim.config.nodes.clone();
    let now = crate::clock::rfc3339(sim.now());
    for n in &nodes {
        sim.create_unsettled(node(n, &sim.config.version, &now))?;
    }
    let cp_ip = nodes
        .iter()
        .find(|n| n.control_plane)
        .or(nodes.first())
        .map(|n| n.internal_ip.to_string())
        .unwrap_or_else(|| "172.30.1.2".into());
    for obj in kubernetes_service(&cp_ip) {
        sim.create_unsettled(obj)?;
    }
    sim.create_unsettled(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
    }))?;
    sim.create_unsettled(kube_dns_service())?;
    sim.create_unsettled(coredns_deployment())?;
    if sim.config.ingress_nginx {
        for obj in crate::net::ingress::install::objects() {
            sim.create_unsettled(obj)?;
        }
    }
    sim.settle()
}

/// A kubeadm node whose kubelet reported at `now` (`describe node` prints the conditions'
/// heartbeat and transition times; absent they read as year 1).
fn node(n: &NodeConfig, version: &str, now: &str) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
    });
    let mut taints = json!([]);
    if n.control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        taints = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    }
    let cidr = format!("{}/{}", n.pod_cidr.0, n.pod_cidr.1);
    let mut spec = json!({"podCIDR": cidr, "podCIDRs": [cidr]});
    if n.control_plane {
        spec["taints"] = taints;
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": n.name,
            "labels": labels,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": n.internal_ip.to_string()},
                {"type": "Hostname", "address": n.name},
            ],
            "capacity": {"cpu": "2", "memory": "4015072Ki", "pods": "110", "ephemeral-storage": "20134592Ki", "hugepages-2Mi": "0"},
            "allocatable": {"cpu": "2", "memory": "3912672Ki", "pods": "110", "ephemeral-storage": "18556039957", "hugepages-2Mi": "0"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                {"type": "Ready", "status": "True", "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": "KubeletReady", "message": "kubelet is posting ready status"},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "",
                "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.8.0-1029",
                "kubeProxyVersion": "",
                "kubeletVersion": version,
                "machineID": "",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.3 LTS",
                "systemUUID": "",
            },
        },
    })
}

/// The `kubernetes` Service and the endpoints the apiserver's reconciler keeps for it.
fn kubernetes_service(cp_ip: &str) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {
                "clusterIP": "10.96.0.1",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                "type": "ClusterIP",
                "sessionAffinity": "None",
            },
        }),
        json!({
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": cp_ip}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
        }),
        json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [cp_ip], "conditions": {"ready": true}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        }),
    ]
}

fn kube_dns_service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        },
        "spec": {
            "clusterIP": "10.96.0.10",
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    })
}

/// kubeadm's CoreDNS Deployment (trimmed to what a drill can observe).
fn coredns_deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "dnsPolicy": "Default",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                    ],
                    "containers": [{
                        "name": "coredns",
                        "image": "registry.k8s.io/coredns/coredns:v1.12.1",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                        ],
                        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"}, "initialDelaySeconds": 60, "timeoutSeconds": 5, "failureThreshold": 5},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}},
                    }],
                },
            },
        },
    })
}
