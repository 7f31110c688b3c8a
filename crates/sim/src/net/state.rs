//! The network model's own state: indexes over the store that kube-proxy and the CNI would keep
//! (Service by ClusterIP / external IP / NodePort, pod by IP, node by IP, EndpointSlices by
//! Service), rebuilt lazily when the store's resourceVersion moves; kube-proxy's random spread
//! (a generator of its own, so tracing never shifts the uids and names the cluster generates);
//! and ClientIP session affinity (the `recent` module's table).
//!
//! Nothing here is an API object: none of it is in a dump, and a cloned `Sim` carries a copy.

use jiff::Timestamp;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::net::{Protocol, Via};
use crate::rand::Rng;
use crate::store::{ObjKey, Store};

/// Mixed into the cluster seed so kube-proxy's draws differ from the allocators'.
const SPREAD_SEED: u64 = 0x6b75_6265_7072_6f78;

/// Network state kept beside the store.
#[derive(Debug, Clone)]
pub(crate) struct NetState {
    /// The index and the resourceVersion it was built at.
    index: Option<(u64, Arc<Index>)>,
    /// kube-proxy's `statistic --mode random` and the other spreads (LB node, source ports).
    pub(crate) rng: Rng,
    /// ClientIP affinity: (Service port, client IP) → (endpoint, last packet).
    pub(crate) affinity: HashMap<AffinityKey, (Ipv4Addr, u16, Timestamp)>,
}

/// One entry of the ClientIP affinity table: per Service port and client address, as the
/// iptables `recent` lists are per service-port chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AffinityKey {
    pub service: ObjKey,
    pub port_name: String,
    pub protocol: Protocol,
    pub client: Ipv4Addr,
}

impl NetState {
    pub(crate) fn new(seed: u64) -> Self {
        NetState {
            index: None,
            rng: Rng::new(seed ^ SPREAD_SEED),
            affinity: HashMap::new(),
        }
    }

    /// The index for the store as it is now (built at most once per resourceVersion).
    pub(crate) fn index(&mut self, store: &Store) -> Arc<Index> {
        let rv = store.resource_version();
        if let Some((at, idx)) = &self.index
            && *at == rv
        {
            return idx.clone();
        }
        let idx = Arc::new(Index::build(store));
        self.index = Some((rv, idx.clone()));
        idx
    }
}

/// A node as the network sees it.
#[derive(Debug, Clone)]
pub(crate) struct NodeNet {
    pub name: String,
    pub ip: Ipv4Addr,
    /// The node's pod CIDR network address (`10.244.1.0`): flannel.1 carries `.0`, cni0 `.1`.
    pub pod_net: Option<Ipv4Addr>,
    pub control_plane: bool,
    /// Excluded from load balancers (`node.kubernetes.io/exclude-from-external-load-balancers`).
    pub lb_excluded: bool,
}

/// Lookups over the store, all keyed the way packets are matched.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub cluster_ips: HashMap<Ipv4Addr, Arc<Value>>,
    /// LoadBalancer ingress IPs and externalIPs → the Services answering there.
    pub external_ips: HashMap<Ipv4Addr, Vec<(Arc<Value>, Via)>>,
    pub node_ports: HashMap<(u16, Protocol), Arc<Value>>,
    pub pods_by_ip: HashMap<Ipv4Addr, Arc<Value>>,
    pub nodes: BTreeMap<String, NodeNet>,
    pub nodes_by_ip: HashMap<Ipv4Addr, String>,
    /// Pods with `hostNetwork: true`, by node: they listen on the node's addresses.
    pub host_network: HashMap<String, Vec<Arc<Value>>>,
    /// `hostPort`s (CNI portmap): (node, port, protocol) → (pod, containerPort).
    pub host_ports: HashMap<(String, u16, Protocol), (Arc<Value>, u16)>,
    /// EndpointSlices by (namespace, `kubernetes.io/service-name`), sorted by slice name.
    pub slices: HashMap<(String, String), Vec<Arc<Value>>>,
}

pub(crate) fn parse_protocol(s: &str) -> Protocol {
    match s {
        "UDP" => Protocol::Udp,
        "SCTP" => Protocol::Sctp,
        _ => Protocol::Tcp,
    }
}

fn ip_of(v: Option<&Value>) -> Option<Ipv4Addr> {
    v?.as_str()?.parse().ok()
}

/// A pod whose containers may still run: not Succeeded/Failed.
pub(crate) fn pod_alive(pod: &Value) -> bool {
    !matches!(
        meta::str_at(pod, &["status", "phase"]),
        "Succeeded" | "Failed"
    )
}

impl Index {
    fn build(store: &Store) -> Index {
        let mut idx = Index::default();
        for n in store.list(Kind::Node, None) {
            let Some(ip) = n
                .pointer("/status/addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))
                .and_then(|a| ip_of(a.get("address")))
            else {
                continue;
            };
            let pod_net = meta::str_at(n, &["spec", "podCIDR"])
                .split('/')
                .next()
                .and_then(|s| s.parse().ok());
            let labels = meta::labels(n);
            let has = |k: &str| labels.is_some_and(|l| l.contains_key(k));
            let name = meta::name(n).to_string();
            idx.nodes_by_ip.insert(ip, name.clone());
            idx.nodes.insert(
                name.clone(),
                NodeNet {
                    name,
                    ip,
                    pod_net,
                    control_plane: has("node-role.kubernetes.io/control-plane"),
                    lb_excluded: has("node.kubernetes.io/exclude-from-external-load-balancers"),
                },
            );
        }
        for svc in store.list(Kind::Service, None) {
            idx.add_service(svc);
        }
        for pod in store.list(Kind::Pod, None) {
            idx.add_pod(pod);
        }
        for s in store.list(Kind::EndpointSlice, None) {
            let svc = meta::labels(s)
                .and_then(|l| l.get("kubernetes.io/service-name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if svc.is_empty() || meta::str_at(s, &["addressType"]) != "IPv4" {
                continue;
            }
            idx.slices
                .entry((meta::namespace(s).to_string(), svc.to_string()))
                .or_default()
                .push(s.clone());
        }
        idx
    }

    fn add_service(&mut self, svc: &Arc<Value>) {
        let spec = &svc["spec"];
        let ty = meta::str_at(spec, &["type"]);
        // Rule 49: kube-proxy skips headless and ExternalName Services (ShouldSkipService).
        if ty == "ExternalName" {
            return;
        }
        if let Some(ip) = ip_of(spec.get("clusterIP")) {
            self.cluster_ips.insert(ip, svc.clone());
        } else {
            return;
        }
        for ip in spec["externalIPs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| ip_of(Some(v)))
        {
            self.external_ips
                .entry(ip)
                .or_default()
                .push((svc.clone(), Via::ExternalIp));
        }
        if ty == "LoadBalancer" {
            for ip in svc
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|i| ip_of(i.get("ip")))
            {
                self.external_ips
                    .entry(ip)
                    .or_default()
                    .push((svc.clone(), Via::LoadBalancer));
            }
        }
        if ty == "NodePort" || ty == "LoadBalancer" {
            for p in spec["ports"].as_array().into_iter().flatten() {
                let np = p.get("nodePort").and_then(Value::as_u64).unwrap_or(0);
                if let Ok(np) = u16::try_from(np)
                    && np != 0
                {
                    let proto = parse_protocol(meta::str_at(p, &["protocol"]));
                    self.node_ports.insert((np, proto), svc.clone());
                }
            }
        }
    }

    fn add_pod(&mut self, pod: &Arc<Value>) {
        let node = meta::str_at(pod, &["spec", "nodeName"]);
        if pod["spec"]["hostNetwork"].as_bool() == Some(true) {
            if !node.is_empty() && pod_alive(pod) {
                self.host_network
                    .entry(node.to_string())
                    .or_default()
                    .push(pod.clone());
            }
            return;
        }
        let Some(ip) = ip_of(pod.pointer("/status/podIP")) else {
            return;
        };
        // An address can linger in a finished pod's status after being handed to a new pod:
        // the live one owns it.
        let replace = match self.pods_by_ip.get(&ip) {
            None => true,
            Some(old) => !pod_alive(old) && pod_alive(pod),
        };
        if replace {
            self.pods_by_ip.insert(ip, pod.clone());
        }
        if node.is_empty() || !pod_alive(pod) {
            return;
        }
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            for p in c["ports"].as_array().into_iter().flatten() {
                let host_port = p.get("hostPort").and_then(Value::as_u64).unwrap_or(0);
                let container_port = p.get("containerPort").and_then(Value::as_u64).unwrap_or(0);
                if let (Ok(hp), Ok(cp)) = (u16::try_from(host_port), u16::try_from(container_port))
                    && hp != 0
                {
                    let proto = parse_protocol(meta::str_at(p, &["protocol"]));
                    self.host_ports
                        .insert((node.to_string(), hp, proto), (pod.clone(), cp));
                }
            }
        }
    }

    /// The address a node's traffic leaves with toward `ep_node`: cni0 (`.1`) for a pod on the
    /// same node, flannel.1 (`.0`) across nodes, the InternalIP when the node has no pod CIDR.
    pub(crate) fn node_source_ip(&self, node: &str, ep_node: Option<&str>) -> Ipv4Addr {
        let Some(n) = self.nodes.get(node) else {
            return Ipv4Addr::UNSPECIFIED;
        };
        match n.pod_net {
            Some(net) if ep_node == Some(node) => Ipv4Addr::from(u32::from(net).wrapping_add(1)),
            Some(net) => net,
            None => n.ip,
        }
    }
}
