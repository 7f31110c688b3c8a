//! The network model's own state: indexes over the store that kube-proxy and the CNI would keep
//! (Service by ClusterIP / external IP / NodePort, pod by IP, node by IP, EndpointSlices by
//! Service), rebuilt lazily when the store's resourceVersion moves; kube-proxy's random spread
//! (a generator of its own, so tracing never shifts the uids and names the cluster generates);
//! and ClientIP session affinity (the `recent` module's table).
//!
//! Nothing here is an API object: none of it is in a dump, and a cloned `Sim` carries a copy.

use jiff::Timestamp;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::net::{Protocol, Via};
use crate::rand::Rng;
use crate::store::{EventType, ObjKey, Store};

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
    /// NetworkPolicies compiled once per store change.
    pub(crate) policy: crate::net::policy::PolicyCache,
    /// The requests of each client container's last run, by pod uid (oldest runs evicted).
    client_traces: VecDeque<(String, Vec<crate::net::Trace>)>,
}

/// Client runs whose traces are kept.
const CLIENT_TRACES_KEPT: usize = 256;

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
            policy: crate::net::policy::PolicyCache::new(),
            client_traces: VecDeque::new(),
        }
    }

    pub(crate) fn record_client_traces(&mut self, pod_uid: &str, traces: Vec<crate::net::Trace>) {
        self.client_traces.retain(|(uid, _)| uid != pod_uid);
        if self.client_traces.len() >= CLIENT_TRACES_KEPT {
            self.client_traces.pop_front();
        }
        self.client_traces.push_back((pod_uid.to_string(), traces));
    }

    pub(crate) fn client_traces(&self, pod_uid: &str) -> Option<&[crate::net::Trace]> {
        self.client_traces
            .iter()
            .find(|(uid, _)| uid == pod_uid)
            .map(|(_, t)| t.as_slice())
    }

    /// The index for the store as it is now: caught up from the watch log since the last
    /// call, rebuilt only when the log no longer reaches back that far.
    pub(crate) fn index(&mut self, store: &Store) -> Arc<Index> {
        let rv = store.resource_version();
        if let Some((at, idx)) = &mut self.index {
            if *at == rv {
                return idx.clone();
            }
            // Copies the index only if a clone of the Sim still shares it.
            if Arc::make_mut(idx).catch_up(store, *at) {
                *at = rv;
                return idx.clone();
            }
        }
        let idx = Arc::new(Index::build(store));
        self.index = Some((rv, idx.clone()));
        idx
    }
}

/// A node as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeNet {
    pub name: String,
    pub ip: Ipv4Addr,
    /// The node's pod CIDR network address (`10.244.1.0`): flannel.1 carries `.0`, cni0 `.1`.
    pub pod_net: Option<Ipv4Addr>,
    pub control_plane: bool,
    /// Excluded from load balancers (`node.kubernetes.io/exclude-from-external-load-balancers`).
    pub lb_excluded: bool,
}

/// A pod a hostPort forwards to, and the container port.
pub(crate) type HostPortTarget = (Arc<Value>, u16);

/// Lookups over the store, all keyed the way packets are matched. Kept up to date from the
/// store's watch log (each object's previous version is remembered so its entries can be
/// taken out); rebuilt from scratch only when the log no longer reaches back far enough.
#[derive(Debug, Default, Clone)]
pub(crate) struct Index {
    pub cluster_ips: HashMap<Ipv4Addr, Arc<Value>>,
    /// LoadBalancer ingress IPs and externalIPs → the Services answering there, sorted.
    pub external_ips: HashMap<Ipv4Addr, Vec<(Arc<Value>, Via)>>,
    pub node_ports: HashMap<(u16, Protocol), Arc<Value>>,
    /// Pod IP → pods holding it in their status (a finished pod can linger on a reused one).
    pods_by_ip: HashMap<Ipv4Addr, BTreeMap<ObjKey, Arc<Value>>>,
    pub nodes: BTreeMap<String, NodeNet>,
    pub nodes_by_ip: HashMap<Ipv4Addr, String>,
    /// Pods with `hostNetwork: true`, by node: they listen on the node's addresses.
    pub host_network: HashMap<String, BTreeMap<ObjKey, Arc<Value>>>,
    /// `hostPort`s (CNI portmap): (node, port, protocol) → pod → containerPort.
    host_ports: HashMap<(String, u16, Protocol), BTreeMap<ObjKey, HostPortTarget>>,
    /// EndpointSlices by (namespace, `kubernetes.io/service-name`), by slice name.
    slices: HashMap<(String, String), BTreeMap<String, Arc<Value>>>,
    /// The version of every indexed object, so an update can remove what it contributed.
    objects: HashMap<ObjKey, Arc<Value>>,
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

fn service_label(slice: &Value) -> &str {
    meta::labels(slice)
        .and_then(|l| l.get("kubernetes.io/service-name"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// A pod whose containers may still run: not Succeeded/Failed.
pub(crate) fn pod_alive(pod: &Value) -> bool {
    !matches!(
        meta::str_at(pod, &["status", "phase"]),
        "Succeeded" | "Failed"
    )
}

/// The kinds the index reads.
fn indexed(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Node | Kind::Service | Kind::Pod | Kind::EndpointSlice
    )
}

impl Index {
    pub(crate) fn build(store: &Store) -> Index {
        let mut idx = Index::default();
        for kind in [Kind::Node, Kind::Service, Kind::Pod, Kind::EndpointSlice] {
            for obj in store.list(kind, None) {
                idx.add(kind, obj);
            }
        }
        idx
    }

    /// Bring the index from the store at `since` to the store now; `false` when the watch log
    /// no longer covers `since` (the caller rebuilds).
    fn catch_up(&mut self, store: &Store, since: u64) -> bool {
        let Ok(events) = store.events_since(since) else {
            return false;
        };
        for e in events.filter(|e| indexed(e.kind)) {
            let key = ObjKey::of(e.kind, &e.object);
            if let Some(old) = self.objects.remove(&key) {
                self.remove(e.kind, &key, &old);
            }
            if e.event != EventType::Deleted {
                self.add(e.kind, &e.object);
            }
        }
        true
    }

    /// The pod owning a pod IP: a live one before a finished one, then by name.
    pub(crate) fn pod_at(&self, ip: Ipv4Addr) -> Option<&Arc<Value>> {
        let pods = self.pods_by_ip.get(&ip)?;
        pods.values()
            .find(|p| pod_alive(p))
            .or_else(|| pods.values().next())
    }

    /// The pod a node's hostPort forwards to, and its container port (the first by name when
    /// several claim it).
    pub(crate) fn host_port(
        &self,
        node: &str,
        port: u16,
        protocol: Protocol,
    ) -> Option<&HostPortTarget> {
        self.host_ports
            .get(&(node.to_string(), port, protocol))?
            .values()
            .next()
    }

    /// The EndpointSlices of a Service, by name.
    pub(crate) fn slices_of(&self, ns: &str, svc: &str) -> impl Iterator<Item = &Arc<Value>> {
        self.slices
            .get(&(ns.to_string(), svc.to_string()))
            .into_iter()
            .flat_map(BTreeMap::values)
    }

    fn add(&mut self, kind: Kind, obj: &Arc<Value>) {
        match kind {
            Kind::Node => self.add_node(obj),
            Kind::Service => self.add_service(obj),
            Kind::Pod => self.add_pod(obj),
            Kind::EndpointSlice => self.add_slice(obj),
            _ => return,
        }
        self.objects.insert(ObjKey::of(kind, obj), obj.clone());
    }

    fn remove(&mut self, kind: Kind, key: &ObjKey, old: &Value) {
        let same =
            |v: &Arc<Value>| meta::name(v) == key.name && meta::namespace(v) == key.namespace;
        match kind {
            Kind::Node => {
                if let Some(n) = self.nodes.remove(&key.name) {
                    self.nodes_by_ip.remove(&n.ip);
                }
            }
            Kind::Service => {
                let spec = &old["spec"];
                if let Some(ip) = ip_of(spec.get("clusterIP"))
                    && self.cluster_ips.get(&ip).is_some_and(same)
                {
                    self.cluster_ips.remove(&ip);
                }
                let ext = spec["externalIPs"].as_array().into_iter().flatten();
                let lb = old
                    .pointer("/status/loadBalancer/ingress")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|i| &i["ip"]);
                for ip in ext.chain(lb).filter_map(|v| ip_of(Some(v))) {
                    if let Some(list) = self.external_ips.get_mut(&ip) {
                        list.retain(|(s, _)| !same(s));
                        if list.is_empty() {
                            self.external_ips.remove(&ip);
                        }
                    }
                }
                for p in spec["ports"].as_array().into_iter().flatten() {
                    if let Some(np) = p.get("nodePort").and_then(Value::as_u64)
                        && let Ok(np) = u16::try_from(np)
                    {
                        let k = (np, parse_protocol(meta::str_at(p, &["protocol"])));
                        if self.node_ports.get(&k).is_some_and(same) {
                            self.node_ports.remove(&k);
                        }
                    }
                }
            }
            Kind::Pod => {
                if let Some(ip) = ip_of(old.pointer("/status/podIP"))
                    && let Some(m) = self.pods_by_ip.get_mut(&ip)
                {
                    m.remove(key);
                    if m.is_empty() {
                        self.pods_by_ip.remove(&ip);
                    }
                }
                let node = meta::str_at(old, &["spec", "nodeName"]);
                if let Some(m) = self.host_network.get_mut(node) {
                    m.remove(key);
                    if m.is_empty() {
                        self.host_network.remove(node);
                    }
                }
                self.host_ports.retain(|(n, _, _), pods| {
                    if n == node {
                        pods.remove(key);
                    }
                    !pods.is_empty()
                });
            }
            Kind::EndpointSlice => {
                let svc = service_label(old);
                if let Some(m) = self
                    .slices
                    .get_mut(&(key.namespace.clone(), svc.to_string()))
                {
                    m.remove(&key.name);
                    if m.is_empty() {
                        self.slices
                            .remove(&(key.namespace.clone(), svc.to_string()));
                    }
                }
            }
            _ => {}
        }
    }

    fn add_node(&mut self, n: &Arc<Value>) {
        let Some(ip) = n
            .pointer("/status/addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))
            .and_then(|a| ip_of(a.get("address")))
        else {
            return;
        };
        let pod_net = meta::str_at(n, &["spec", "podCIDR"])
            .split('/')
            .next()
            .and_then(|s| s.parse().ok());
        let labels = meta::labels(n);
        let has = |k: &str| labels.is_some_and(|l| l.contains_key(k));
        let name = meta::name(n).to_string();
        self.nodes_by_ip.insert(ip, name.clone());
        self.nodes.insert(
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

    fn add_slice(&mut self, s: &Arc<Value>) {
        let svc = service_label(s);
        if svc.is_empty() || meta::str_at(s, &["addressType"]) != "IPv4" {
            return;
        }
        self.slices
            .entry((meta::namespace(s).to_string(), svc.to_string()))
            .or_default()
            .insert(meta::name(s).to_string(), s.clone());
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
        let mut external: Vec<(Ipv4Addr, Via)> = spec["externalIPs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| ip_of(Some(v)))
            .map(|ip| (ip, Via::ExternalIp))
            .collect();
        if ty == "LoadBalancer" {
            external.extend(
                svc.pointer("/status/loadBalancer/ingress")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|i| ip_of(i.get("ip")))
                    .map(|ip| (ip, Via::LoadBalancer)),
            );
        }
        for (ip, via) in external {
            let list = self.external_ips.entry(ip).or_default();
            list.push((svc.clone(), via));
            // Independent of the order writes arrived in.
            list.sort_by(|a, b| {
                (meta::namespace(&a.0), meta::name(&a.0), a.1 as u8).cmp(&(
                    meta::namespace(&b.0),
                    meta::name(&b.0),
                    b.1 as u8,
                ))
            });
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
        let key = ObjKey::of(Kind::Pod, pod);
        let spec = &pod["spec"];
        let node = meta::str_at(spec, &["nodeName"]);
        let alive = pod_alive(pod);
        if spec["hostNetwork"].as_bool() == Some(true) {
            if !node.is_empty() && alive {
                self.host_network
                    .entry(node.to_string())
                    .or_default()
                    .insert(key, pod.clone());
            }
            return;
        }
        let Some(ip) = ip_of(pod.pointer("/status/podIP")) else {
            return;
        };
        self.pods_by_ip
            .entry(ip)
            .or_default()
            .insert(key.clone(), pod.clone());
        if node.is_empty() || !alive {
            return;
        }
        for c in spec["containers"].as_array().into_iter().flatten() {
            for p in c["ports"].as_array().into_iter().flatten() {
                let host_port = p.get("hostPort").and_then(Value::as_u64).unwrap_or(0);
                let container_port = p.get("containerPort").and_then(Value::as_u64).unwrap_or(0);
                if let (Ok(hp), Ok(cp)) = (u16::try_from(host_port), u16::try_from(container_port))
                    && hp != 0
                {
                    let proto = parse_protocol(meta::str_at(p, &["protocol"]));
                    self.host_ports
                        .entry((node.to_string(), hp, proto))
                        .or_default()
                        .insert(key.clone(), (pod.clone(), cp));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{DeleteOptions, Sim, Subresource};
    use serde_json::json;

    const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80, hostPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}], externalIPs: [172.30.1.3]}
---
apiVersion: v1
kind: Pod
metadata: {name: host}
spec: {hostNetwork: true, containers: [{name: h, image: "nginx:1.27"}]}
"#;

    fn patch(sim: &mut Sim, kind: Kind, ns: &str, name: &str, body: serde_json::Value) {
        sim.patch(
            kind,
            ns,
            name,
            crate::patch::PatchType::Merge,
            &body,
            Subresource::Main,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Field by field, naming the keys that differ (whole objects are too long to read).
    fn assert_same(a: &Index, b: &Index) {
        fn keys<K, V>(what: &str, a: &HashMap<K, V>, b: &HashMap<K, V>)
        where
            K: std::fmt::Debug + Ord + Clone + std::hash::Hash + Eq,
            V: PartialEq,
        {
            let mut diff: Vec<K> = a
                .iter()
                .filter(|(k, v)| b.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
                .collect();
            diff.sort();
            assert!(diff.is_empty(), "{what} differs at {diff:?}");
        }
        keys("cluster_ips", &a.cluster_ips, &b.cluster_ips);
        keys("external_ips", &a.external_ips, &b.external_ips);
        keys("node_ports", &a.node_ports, &b.node_ports);
        keys("pods_by_ip", &a.pods_by_ip, &b.pods_by_ip);
        keys("nodes_by_ip", &a.nodes_by_ip, &b.nodes_by_ip);
        keys("host_network", &a.host_network, &b.host_network);
        keys("host_ports", &a.host_ports, &b.host_ports);
        keys("slices", &a.slices, &b.slices);
        keys("objects", &a.objects, &b.objects);
        assert!(a.nodes == b.nodes, "nodes differ");
    }

    #[test]
    fn the_index_caught_up_from_the_watch_log_equals_a_fresh_build() {
        let (mut sim, _c) = Sim::default_with_clock().unwrap_or_else(|e| panic!("{e}"));
        let _ = sim.net.index(&sim.store);
        sim.apply_yaml(APP).unwrap_or_else(|e| panic!("{e}"));
        let check = |sim: &mut Sim| {
            let caught_up = sim.net.index(&sim.store);
            assert_same(&caught_up, &Index::build(&sim.store));
        };
        check(&mut sim);
        patch(
            &mut sim,
            Kind::Deployment,
            "default",
            "web",
            json!({"spec": {"replicas": 1}}),
        );
        check(&mut sim);
        patch(
            &mut sim,
            Kind::Service,
            "default",
            "web",
            json!({"spec": {"type": "ClusterIP", "externalIPs": null}}),
        );
        check(&mut sim);
        let pods: Vec<String> = sim
            .store
            .list(Kind::Pod, Some("default"))
            .map(|p| meta::name(p).to_string())
            .collect();
        for p in pods {
            sim.delete(Kind::Pod, "default", &p, &DeleteOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        check(&mut sim);
        sim.delete(Kind::Service, "default", "web", &DeleteOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        check(&mut sim);
        patch(
            &mut sim,
            Kind::Node,
            "",
            "node01",
            json!({"metadata": {"labels": {"node.kubernetes.io/exclude-from-external-load-balancers": ""}}}),
        );
        check(&mut sim);
    }

    #[test]
    fn a_watch_log_too_short_to_catch_up_rebuilds_the_index() {
        let config = crate::config::ClusterConfig {
            watch_window: 2,
            ..Default::default()
        };
        let clock = crate::clock::ManualClock::at_epoch();
        let mut sim = Sim::new(config, Arc::new(clock)).unwrap_or_else(|e| panic!("{e}"));
        let _ = sim.net.index(&sim.store);
        sim.apply_yaml(APP).unwrap_or_else(|e| panic!("{e}"));
        assert_same(&sim.net.index(&sim.store), &Index::build(&sim.store));
    }
}
