//! NetworkPolicy evaluation (SERVICES-SPEC rules 66–76): which policies isolate a pod in a
//! direction, and whether some rule of some selecting policy allows a connection.
//!
//! The model is a NetworkPolicy-enforcing CNI (rule 66: kubedrill's clusters behave as with
//! Calico). Choices the API leaves to the implementation:
//! - `ipBlock` is matched against the peer's IP whoever owns it, pod IPs included, as Calico
//!   does (Cilium would not match cluster pods by CIDR); `except` carves addresses out.
//! - A host-network peer (a node, or a `hostNetwork: true` pod, which shares its node's
//!   address) is matched only by `ipBlock`, never by pod or namespace selectors, and a
//!   `hostNetwork` pod is not isolated by policies selecting it (Calico treats its traffic as
//!   the host's); traffic between a pod and its own node is always allowed (rule 73).
//! - A pod's traffic to itself is always allowed (rule 73).
//! - Named ports are resolved against the destination pod's containers (and init containers,
//!   for sidecars) by name and protocol, in egress rules too (rule 74); with no destination
//!   pod a named port matches nothing.

mod compile;

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::net::{Direction, Peer, PolicyDecision, Protocol};
use crate::store::{ObjKey, Store};
use compile::{Compiled, PeerMatch, PortMatch, PortValue, Rule};

pub use compile::PolicyCache;

const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// How many selecting policies a denial's reason names before counting the rest.
const MAX_NAMED: usize = 3;

/// Decide a connection `src → dst:port/protocol` (`port` is the destination port after
/// kube-proxy's DNAT, i.e. the pod's port). Returns the egress decision for `src` when it is a
/// pod, then the ingress decision for `dst` when it is a pod (a `hostNetwork` pod counts as
/// its node: no decision); the connection is allowed iff every returned decision is.
pub fn evaluate(
    store: &Store,
    src: &Peer,
    dst: &Peer,
    port: u16,
    protocol: Protocol,
) -> Vec<PolicyDecision> {
    // Without a cache only the policies that select an end in its direction are parsed.
    let compile_selecting = |peer: &Peer, ingress: bool| -> Vec<Arc<Compiled>> {
        let Some(k) = &peer.pod else {
            return Vec::new();
        };
        let labels = store.get(k).and_then(|p| meta::labels(p));
        store
            .list(Kind::NetworkPolicy, Some(&k.namespace))
            .filter(|p| compile::selects(p, ingress, labels))
            .map(|p| Arc::new(compile::compile(p)))
            .collect()
    };
    let (egress, ingress) = (compile_selecting(src, false), compile_selecting(dst, true));
    decide(store, src, dst, port, protocol, &egress, &ingress)
}

/// [`evaluate`] with the policies parsed once and kept in `cache` until a NetworkPolicy is
/// written (for traces over large clusters).
pub fn evaluate_cached(
    cache: &mut PolicyCache,
    store: &Store,
    src: &Peer,
    dst: &Peer,
    port: u16,
    protocol: Protocol,
) -> Vec<PolicyDecision> {
    cache.refresh(store);
    let of = |peer: &Peer| -> &[Arc<Compiled>] {
        peer.pod
            .as_ref()
            .and_then(|k| cache.by_namespace.get(&k.namespace))
            .map_or(&[], Vec::as_slice)
    };
    decide(store, src, dst, port, protocol, of(src), of(dst))
}

/// One end of the connection with what policy matching reads of it.
struct End<'a> {
    peer: &'a Peer,
    pod: Option<&'a Value>,
    /// A pod on the pod network: the only kind of end policies isolate and selectors match.
    on_pod_network: bool,
    /// The pod's namespace labels, with `kubernetes.io/metadata.name` even on a namespace
    /// object written before defaulting set it (rule 72).
    ns_labels: Cow<'a, Map<String, Value>>,
    node: Option<&'a str>,
}

impl<'a> End<'a> {
    fn new(store: &'a Store, peer: &'a Peer) -> End<'a> {
        let pod = peer.pod.as_ref().and_then(|k| store.get(k)).map(|p| &**p);
        let mut ns_labels = Cow::Owned(Map::new());
        if let Some(k) = &peer.pod {
            let labels = store
                .get_by(Kind::Namespace, "", &k.namespace)
                .and_then(|n| meta::labels(n));
            ns_labels = match labels {
                Some(l) if l.contains_key(NAMESPACE_NAME_LABEL) => Cow::Borrowed(l),
                other => {
                    let mut l = other.cloned().unwrap_or_default();
                    l.insert(NAMESPACE_NAME_LABEL.into(), k.namespace.clone().into());
                    Cow::Owned(l)
                }
            };
        }
        let node = peer
            .node
            .as_deref()
            .or_else(|| pod.map(|p| meta::str_at(p, &["spec", "nodeName"])))
            .filter(|n| !n.is_empty());
        let host_network =
            pod.is_some_and(|p| p.pointer("/spec/hostNetwork") == Some(&Value::Bool(true)));
        End {
            peer,
            pod,
            on_pod_network: peer.pod.is_some() && !host_network,
            ns_labels,
            node,
        }
    }

    fn labels(&self) -> Option<&Map<String, Value>> {
        self.pod.and_then(meta::labels)
    }

    fn describe(&self) -> String {
        match (&self.peer.pod, self.node) {
            (Some(k), _) => format!("{} (pod {}/{})", self.peer.ip, k.namespace, k.name),
            (None, Some(n)) => format!("{} (node {n})", self.peer.ip),
            (None, None) => self.peer.ip.to_string(),
        }
    }
}

fn decide(
    store: &Store,
    src: &Peer,
    dst: &Peer,
    port: u16,
    protocol: Protocol,
    egress_policies: &[Arc<Compiled>],
    ingress_policies: &[Arc<Compiled>],
) -> Vec<PolicyDecision> {
    let (s, d) = (End::new(store, src), End::new(store, dst));
    let conn = Conn {
        port,
        protocol,
        dst_pod: d.pod,
    };
    let mut out = Vec::with_capacity(2);
    if let Some(k) = src.pod.as_ref().filter(|_| s.on_pod_network) {
        out.push(direction(
            Direction::Egress,
            k,
            &s,
            &d,
            egress_policies,
            &conn,
        ));
    }
    if let Some(k) = dst.pod.as_ref().filter(|_| d.on_pod_network) {
        out.push(direction(
            Direction::Ingress,
            k,
            &d,
            &s,
            ingress_policies,
            &conn,
        ));
    }
    out
}

struct Conn<'a> {
    port: u16,
    protocol: Protocol,
    /// Named ports always resolve against the destination pod (rule 74).
    dst_pod: Option<&'a Value>,
}

/// The decision for `subject` (a pod) in `dir`, the other end being `other`.
fn direction(
    dir: Direction,
    key: &ObjKey,
    subject: &End<'_>,
    other: &End<'_>,
    policies: &[Arc<Compiled>],
    conn: &Conn<'_>,
) -> PolicyDecision {
    let (dir_name, lead) = match dir {
        Direction::Ingress => (
            "Ingress",
            format!("ingress to {}/{}", key.namespace, key.name),
        ),
        Direction::Egress => (
            "Egress",
            format!("egress from {}/{}", key.namespace, key.name),
        ),
    };
    let selecting: Vec<&Compiled> = policies
        .iter()
        .map(|p| &**p)
        .filter(|p| match dir {
            Direction::Ingress => p.ingress,
            Direction::Egress => p.egress,
        })
        .filter(|p| p.namespace == key.namespace && p.pod_selector.matches(subject.labels()))
        .collect();
    let names: Vec<String> = selecting.iter().map(|p| p.name.clone()).collect();
    // Called once, by whichever branch decides.
    let decision =
        move |allowed: bool, allowed_by: Option<(String, usize)>, why: String| PolicyDecision {
            direction: dir,
            pod: key.clone(),
            allowed,
            selecting: names,
            allowed_by,
            reason: format!(
                "{lead} is {}: {why}",
                if allowed { "allowed" } else { "denied" }
            ),
        };
    if selecting.is_empty() {
        return decision(
            true,
            None,
            format!("no NetworkPolicy selects it for {dir_name}"),
        );
    }
    if subject.peer.pod.is_some() && subject.peer.pod == other.peer.pod {
        return decision(
            true,
            None,
            "a pod's traffic to itself is never blocked by NetworkPolicy".into(),
        );
    }
    if !other.on_pod_network
        && let (Some(mine), Some(theirs)) = (subject.node, other.node)
        && mine == theirs
    {
        let prep = match dir {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        return decision(
            true,
            None,
            format!(
                "traffic {prep} its own node {mine} is always allowed, whatever the NetworkPolicies"
            ),
        );
    }
    let what = format!(
        "{} on {}/{}",
        other.describe(),
        conn.protocol.as_str(),
        conn.port
    );
    let rule_key = match dir {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    };
    for p in &selecting {
        let rules = match dir {
            Direction::Ingress => &p.ingress_rules,
            Direction::Egress => &p.egress_rules,
        };
        if let Some(i) = rules.iter().position(|r| rule_matches(r, p, other, conn)) {
            return decision(
                true,
                Some((p.name.clone(), i)),
                format!(
                    "rule {rule_key}[{i}] of NetworkPolicy \"{}\" allows {what}",
                    p.name
                ),
            );
        }
    }
    let types = |p: &Compiled| match (p.ingress, p.egress) {
        (true, true) => "Ingress, Egress",
        (true, false) => "Ingress",
        _ => "Egress",
    };
    let why = if let [only] = selecting.as_slice() {
        format!(
            "it is selected by NetworkPolicy \"{}\" (policyTypes {}) and no rule of \"{}\" allows {what}",
            only.name,
            types(only),
            only.name
        )
    } else {
        // A sentence, not an inventory: name a few, count the rest.
        let mut list: Vec<String> = selecting
            .iter()
            .take(MAX_NAMED)
            .map(|p| format!("\"{}\" (policyTypes {})", p.name, types(p)))
            .collect();
        if selecting.len() > MAX_NAMED {
            list.push(format!("{} more", selecting.len() - MAX_NAMED));
        }
        format!(
            "it is selected by NetworkPolicies {} and no rule of any of them allows {what}",
            list.join(", ")
        )
    };
    decision(false, None, why)
}

/// Rule 70: (some peer matches, or no peers) AND (some port matches, or no ports).
fn rule_matches(rule: &Rule, policy: &Compiled, other: &End<'_>, conn: &Conn<'_>) -> bool {
    (rule.peers.is_empty() || rule.peers.iter().any(|p| peer_matches(p, policy, other)))
        && (rule.ports.is_empty() || rule.ports.iter().any(|p| port_matches(p, conn)))
}

/// Rule 71/72/73: selectors match pods only; ipBlock matches any address (see module doc).
fn peer_matches(peer: &PeerMatch, policy: &Compiled, other: &End<'_>) -> bool {
    match peer {
        PeerMatch::Pods { pods, namespaces } => {
            let Some(pod_key) = other.peer.pod.as_ref().filter(|_| other.on_pod_network) else {
                return false;
            };
            let ns_ok = match namespaces {
                None => pod_key.namespace == policy.namespace,
                Some(sel) => sel.matches(Some(&other.ns_labels)),
            };
            ns_ok && pods.as_ref().is_none_or(|sel| sel.matches(other.labels()))
        }
        PeerMatch::IpBlock { cidr, except } => {
            cidr.contains(other.peer.ip) && !except.iter().any(|e| e.contains(other.peer.ip))
        }
        PeerMatch::Nothing => false,
    }
}

/// Rule 74: numeric port (with inclusive endPort), or a name resolved on the destination pod.
fn port_matches(p: &PortMatch, conn: &Conn<'_>) -> bool {
    if p.protocol != Some(conn.protocol) {
        return false;
    }
    match &p.port {
        None => true,
        Some(PortValue::Number(n)) => match p.end_port {
            Some(end) => (*n..=end).contains(&conn.port),
            None => *n == conn.port,
        },
        Some(PortValue::Name(name)) => conn
            .dst_pod
            .is_some_and(|pod| named_port_is(pod, name, conn.protocol, conn.port)),
    }
}

fn named_port_is(pod: &Value, name: &str, protocol: Protocol, port: u16) -> bool {
    let spec = pod.get("spec");
    ["containers", "initContainers"]
        .iter()
        .filter_map(|k| spec.and_then(|s| s.get(*k)).and_then(Value::as_array))
        .flatten()
        .filter_map(|c| c.get("ports").and_then(Value::as_array))
        .flatten()
        .any(|cp| {
            cp.get("name").and_then(Value::as_str) == Some(name)
                && compile::protocol_of(cp.get("protocol")) == Some(protocol)
                && cp.get("containerPort").and_then(Value::as_u64) == Some(u64::from(port))
        })
}
