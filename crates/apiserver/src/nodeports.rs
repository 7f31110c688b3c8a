//! NodePorts reachable from the learner's own shell: every simulated node gets a loopback
//! address, and each NodePort the sim's kube-proxy would answer on from outside the cluster is
//! really listened on there, answering with what the model says a client outside the cluster
//! gets at `<node InternalIP>:<nodePort>` (`Origin::External`). See `docs/nodeports.md`.
//!
//! The mapping: cluster `k` (0-based, in the order the server added them) and its nodes sorted
//! by name, node `i` → `127.0.(k+1).(i+1)` (a node added later takes the next free number).
//! The address is published as the node's `ExternalIP` (status.addresses), so
//! `kubectl get nodes -o wide` shows it under EXTERNAL-IP, as a cloud node shows the address
//! a learner would curl. Ports are listened on only while a connection from outside would not
//! be refused, so `curl 127.0.1.2:30080` with no endpoints, or to the Service port, is refused
//! by the kernel exactly as on a real node. Loopback only.

use kubedrill_sim::net::Origin;
use kubedrill_sim::{Kind, ListOptions};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::cluster::Cluster;
use crate::portforward::backend::{self, Dest, Dial};

/// What is listened on, and what could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// Node name → its loopback address.
    pub nodes: BTreeMap<String, Ipv4Addr>,
    /// `(address, port)` pairs listened on.
    pub listening: BTreeSet<(Ipv4Addr, u16)>,
    /// Binds that failed (`127.0.1.2:30080: Address not available`), e.g. on systems where
    /// only 127.0.0.1 is configured on the loopback interface.
    pub errors: Vec<String>,
}

/// The loopback address of node `index` of cluster `cluster` (`None` past 254 of either).
pub fn loopback(cluster: usize, index: usize) -> Option<Ipv4Addr> {
    let c = u8::try_from(cluster + 1).ok().filter(|c| *c < 255)?;
    let i = u8::try_from(index + 1).ok().filter(|i| *i < 255)?;
    Some(Ipv4Addr::new(127, 0, c, i))
}

/// The NodePort listeners of one served cluster; dropping it closes them.
#[derive(Debug)]
pub struct NodePorts {
    mapping: Arc<Mutex<Mapping>>,
    task: JoinHandle<()>,
}

impl Drop for NodePorts {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl NodePorts {
    /// Start following `cluster`'s nodes and Services; `index` is the cluster's number on
    /// its server (its loopback subnet).
    pub fn spawn(cluster: Arc<Cluster>, index: usize) -> NodePorts {
        let mapping = Arc::new(Mutex::new(Mapping::default()));
        let task = tokio::spawn(follow(cluster, index, mapping.clone()));
        NodePorts { mapping, task }
    }

    /// The current mapping.
    pub fn mapping(&self) -> Mapping {
        self.mapping
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Listener tasks, aborted when dropped (with the follow task).
#[derive(Default)]
struct Listeners(HashMap<(Ipv4Addr, u16), JoinHandle<()>>);

impl Drop for Listeners {
    fn drop(&mut self) {
        for h in self.0.values() {
            h.abort();
        }
    }
}

async fn follow(c: Arc<Cluster>, index: usize, mapping: Arc<Mutex<Mapping>>) {
    let mut changed = c.subscribe();
    let mut listeners = Listeners::default();
    let mut addrs: BTreeMap<String, Ipv4Addr> = BTreeMap::new();
    let mut seen_rv = None;
    // Some binds failed: try them again after a while.
    let mut retry = false;
    loop {
        // Our own traces wake the signal too; only a new resourceVersion is a change.
        let rv = *changed.borrow_and_update();
        if seen_rv != Some(rv) {
            assign(&c, index, &mut addrs);
            // Read before computing: a write while we compute leaves the rv different, and
            // the next round sees it.
            let computed_at = c.read(|s| s.resource_version());
            let want = wanted(&c, &addrs);
            let mut errors = Vec::new();
            listeners.0.retain(|k, h| {
                let keep = want.contains_key(k);
                if !keep {
                    h.abort();
                }
                keep
            });
            for (&(ip, port), node) in &want {
                if listeners.0.contains_key(&(ip, port)) {
                    continue;
                }
                match bind(ip, port).await {
                    Ok(l) => {
                        let task = tokio::spawn(accept(l, c.clone(), node.clone(), port));
                        listeners.0.insert((ip, port), task);
                    }
                    Err(e) => errors.push(format!("{ip}:{port}: {e}")),
                }
            }
            let mut m = mapping.lock().unwrap_or_else(PoisonError::into_inner);
            m.nodes = addrs.clone();
            m.listening = listeners.0.keys().copied().collect();
            retry = !errors.is_empty();
            m.errors = errors;
            drop(m);
            seen_rv = Some(computed_at);
        }
        if retry {
            // A bind can fail for a moment (the previous owner of the port still closing):
            // try again soon even if nothing changes.
            tokio::select! {
                r = changed.changed() => if r.is_err() { return },
                _ = tokio::time::sleep(Duration::from_millis(500)) => seen_rv = None,
            }
        } else if changed.changed().await.is_err() {
            return;
        }
    }
}

async fn bind(ip: Ipv4Addr, port: u16) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    // A listener closed a moment ago (a Service deleted and recreated) must not block the bind.
    socket.set_reuseaddr(true)?;
    socket.bind((ip, port).into())?;
    socket.listen(128)
}

fn list(c: &Cluster, kind: Kind) -> Vec<Arc<Value>> {
    c.read(|s| {
        s.list(kind, None, &ListOptions::default())
            .map(|l| l.items)
            .unwrap_or_default()
    })
}

/// Give every node an address (stable once given) and publish it as its ExternalIP.
fn assign(c: &Cluster, cluster: usize, addrs: &mut BTreeMap<String, Ipv4Addr>) {
    let nodes = list(c, Kind::Node);
    let mut names: Vec<&str> = nodes
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str())
        .collect();
    names.sort_unstable();
    addrs.retain(|name, _| names.contains(&name.as_str()));
    for name in &names {
        if addrs.contains_key(*name) {
            continue;
        }
        let taken: BTreeSet<Ipv4Addr> = addrs.values().copied().collect();
        let free = (0..254)
            .filter_map(|i| loopback(cluster, i))
            .find(|a| !taken.contains(a));
        if let Some(a) = free {
            addrs.insert((*name).to_string(), a);
        }
    }
    for node in &nodes {
        let Some(name) = node["metadata"]["name"].as_str() else {
            continue;
        };
        let Some(ip) = addrs.get(name) else { continue };
        if let Some(updated) = with_external_ip(node, *ip) {
            // A refused write (a conflicting update in between) is retried on the next change.
            let _ = c.write(|s| s.update_status(updated));
        }
    }
}

/// The node with `ip` as its ExternalIP (after the InternalIP, as cloud kubelets order them),
/// or `None` when it already says so.
fn with_external_ip(node: &Value, ip: Ipv4Addr) -> Option<Value> {
    let addrs = node["status"]["addresses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let want = json!({"type": "ExternalIP", "address": ip.to_string()});
    let external: Vec<&Value> = addrs.iter().filter(|a| a["type"] == "ExternalIP").collect();
    if external == [&want] {
        return None;
    }
    let mut out: Vec<Value> = addrs
        .into_iter()
        .filter(|a| a["type"] != "ExternalIP")
        .collect();
    let at = out
        .iter()
        .position(|a| a["type"] == "InternalIP")
        .map_or(0, |p| p + 1);
    out.insert(at, want);
    let mut node = node.clone();
    node["status"]["addresses"] = Value::Array(out);
    Some(node)
}

fn internal_ip(node: &Value) -> Option<Ipv4Addr> {
    node["status"]["addresses"]
        .as_array()?
        .iter()
        .find(|a| a["type"] == "InternalIP")
        .and_then(|a| a["address"].as_str())
        .and_then(|a| a.parse().ok())
}

/// `(loopback, nodePort)` → node name, for every TCP NodePort a connection from outside the
/// cluster to that node would not be refused on.
fn wanted(c: &Cluster, addrs: &BTreeMap<String, Ipv4Addr>) -> BTreeMap<(Ipv4Addr, u16), String> {
    let mut ports = BTreeSet::new();
    for svc in list(c, Kind::Service) {
        for p in svc["spec"]["ports"].as_array().into_iter().flatten() {
            let tcp = p["protocol"].as_str().unwrap_or("TCP") == "TCP";
            if let Some(n) = p["nodePort"].as_u64().and_then(|n| u16::try_from(n).ok())
                && tcp
            {
                ports.insert(n);
            }
        }
    }
    let mut out = BTreeMap::new();
    for node in list(c, Kind::Node) {
        let Some(name) = node["metadata"]["name"].as_str() else {
            continue;
        };
        let (Some(lo), Some(ip)) = (addrs.get(name), internal_ip(&node)) else {
            continue;
        };
        for &port in &ports {
            if probe(c, ip, port) {
                out.insert((*lo, port), name.to_string());
            }
        }
    }
    out
}

/// Whether kube-proxy on the node accepts (or drops) a connection from outside rather than
/// rejecting it: a REJECT is a refused connect, which only an absent listener gives.
fn probe(c: &Cluster, ip: Ipv4Addr, port: u16) -> bool {
    let req = kubedrill_sim::net::Request {
        host: ip.to_string(),
        port,
        protocol: kubedrill_sim::net::Protocol::Tcp,
        http: None,
    };
    let trace = c.write(|s| s.trace(&Origin::External, &req));
    !matches!(
        trace.map(|t| t.verdict),
        Ok(kubedrill_sim::net::Verdict::Refused { .. }) | Err(_)
    )
}

async fn accept(listener: TcpListener, c: Arc<Cluster>, node: String, port: u16) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        tokio::spawn(serve(tcp, c.clone(), node.clone(), port));
    }
}

async fn serve(mut tcp: TcpStream, c: Arc<Cluster>, node: String, port: u16) {
    let ip = c.read(|s| {
        s.get(Kind::Node, "", &node)
            .ok()
            .and_then(|n| internal_ip(&n))
    });
    let Some(ip) = ip else { return };
    let dest = Dest {
        from: Origin::External,
        host: ip,
        port,
    };
    let dial = backend::dial(&c, dest);
    let mut conn = match dial {
        Dial::Open(conn) => Some(conn),
        // Dropped packets: the client waits; its bytes go nowhere.
        Dial::TimedOut => None,
        // The endpoints went away since the listener was opened: reset, as a REJECT would.
        Dial::Refused | Dial::Gone(_) => {
            let _ = tcp.set_zero_linger();
            return;
        }
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let Some(conn) = conn.as_mut() else { continue };
        let out = conn.feed(&buf[..n]);
        if !out.bytes.is_empty() && tcp.write_all(&out.bytes).await.is_err() {
            return;
        }
        if out.close {
            let _ = tcp.shutdown().await;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_i_of_cluster_k_is_127_0_k1_i1() {
        assert_eq!(loopback(0, 0), Some(Ipv4Addr::new(127, 0, 1, 1)));
        assert_eq!(loopback(0, 1), Some(Ipv4Addr::new(127, 0, 1, 2)));
        assert_eq!(loopback(1, 2), Some(Ipv4Addr::new(127, 0, 2, 3)));
        assert_eq!(loopback(0, 254), None);
        assert_eq!(loopback(254, 0), None);
    }

    #[test]
    fn external_ip_goes_after_the_internal_ip_once() {
        let node = json!({"status": {"addresses": [
            {"type": "InternalIP", "address": "192.168.56.11"},
            {"type": "Hostname", "address": "node01"},
        ]}});
        let ip = Ipv4Addr::new(127, 0, 1, 2);
        let updated = with_external_ip(&node, ip).unwrap();
        let types: Vec<&str> = updated["status"]["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["InternalIP", "ExternalIP", "Hostname"]);
        assert_eq!(with_external_ip(&updated, ip), None);
    }
}
