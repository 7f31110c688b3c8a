//! NetworkPolicy objects parsed once into matchers (selectors, CIDRs, port ranges), and the
//! [`PolicyCache`] that keeps them between calls while no NetworkPolicy changes.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::net::Protocol;
use crate::selector::LabelSelector;
use crate::store::Store;

/// One NetworkPolicy, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub name: String,
    pub namespace: String,
    pub pod_selector: LabelSelector,
    /// `Ingress` in policyTypes (as stored; admission has already defaulted them, rule 67).
    pub ingress: bool,
    pub egress: bool,
    pub ingress_rules: Vec<Rule>,
    pub egress_rules: Vec<Rule>,
}

/// One ingress or egress rule: (peers OR'd) AND (ports OR'd); an empty list means "all".
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub peers: Vec<PeerMatch>,
    pub ports: Vec<PortMatch>,
}

#[derive(Debug, Clone)]
pub(crate) enum PeerMatch {
    /// `podSelector` and/or `namespaceSelector` in one element (AND). `pods: None` = every pod
    /// of the selected namespaces; `namespaces: None` = the policy's own namespace.
    Pods {
        pods: Option<LabelSelector>,
        namespaces: Option<LabelSelector>,
    },
    IpBlock {
        cidr: Cidr,
        except: Vec<Cidr>,
    },
    /// An element this model cannot read (an IPv6 CIDR, garbage): matches nothing.
    Nothing,
}

#[derive(Debug, Clone)]
pub(crate) enum PortValue {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone)]
pub(crate) struct PortMatch {
    /// `None`: a protocol validation would have refused; such an entry matches nothing
    /// (dropping it could turn a list into the empty "all ports" list).
    pub protocol: Option<Protocol>,
    /// `None`: every port of the protocol.
    pub port: Option<PortValue>,
    /// Inclusive upper bound of a numeric range (rule 74).
    pub end_port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub base: u32,
    pub mask: u32,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, len) = s.split_once('/')?;
        let ip: Ipv4Addr = ip.parse().ok()?;
        let len: u32 = len.parse().ok()?;
        if len > 32 {
            return None;
        }
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Some(Cidr {
            base: u32::from(ip) & mask,
            mask,
        })
    }

    pub fn contains(self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask == self.base
    }
}

pub(crate) fn protocol_of(v: Option<&Value>) -> Option<Protocol> {
    match v.and_then(Value::as_str) {
        // Rule 67: an unset protocol is TCP (admission stores it; older objects may lack it).
        None | Some("TCP") => Some(Protocol::Tcp),
        Some("UDP") => Some(Protocol::Udp),
        Some("SCTP") => Some(Protocol::Sctp),
        Some(_) => None,
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn peer(p: &Value) -> PeerMatch {
    if let Some(block) = p.get("ipBlock").filter(|b| b.is_object()) {
        let Some(cidr) = block
            .get("cidr")
            .and_then(Value::as_str)
            .and_then(Cidr::parse)
        else {
            return PeerMatch::Nothing;
        };
        let except = list(block, "except")
            .iter()
            .filter_map(|e| e.as_str().and_then(Cidr::parse))
            .collect();
        return PeerMatch::IpBlock { cidr, except };
    }
    let sel = |key: &str| {
        p.get(key)
            .filter(|s| s.is_object())
            .map(LabelSelector::from_label_selector)
    };
    let (pods, namespaces) = (sel("podSelector"), sel("namespaceSelector"));
    if pods.is_none() && namespaces.is_none() {
        // `- {}` is refused by validation (rule 75); were one stored, it names no peer.
        return PeerMatch::Nothing;
    }
    PeerMatch::Pods { pods, namespaces }
}

fn port(p: &Value) -> PortMatch {
    let protocol = protocol_of(p.get("protocol"));
    let port = match p.get("port") {
        Some(Value::Number(n)) => Some(PortValue::Number(
            n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
        )),
        Some(Value::String(s)) => Some(match s.parse::<u16>() {
            Ok(n) => PortValue::Number(n),
            Err(_) => PortValue::Name(s.clone()),
        }),
        _ => None,
    };
    let end_port = p
        .get("endPort")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok());
    PortMatch {
        protocol,
        port,
        end_port,
    }
}

fn rules(spec: &Value, dir: &str, peers_key: &str) -> Vec<Rule> {
    list(spec, dir)
        .iter()
        .map(|r| Rule {
            peers: list(r, peers_key).iter().map(peer).collect(),
            ports: list(r, "ports").iter().map(port).collect(),
        })
        .collect()
}

/// (Ingress, Egress) in the policy's types. The stored object is evaluated; should one lack
/// policyTypes, they default as admission does (rule 67).
fn policy_types(spec: &Value) -> (bool, bool) {
    let types = list(spec, "policyTypes");
    if types.is_empty() {
        return (true, !list(spec, "egress").is_empty());
    }
    let has = |t: &str| types.iter().any(|v| v.as_str() == Some(t));
    (has("Ingress"), has("Egress"))
}

fn pod_selector(spec: &Value) -> LabelSelector {
    spec.get("podSelector")
        .map(LabelSelector::from_label_selector)
        .unwrap_or_default()
}

/// Whether `obj` selects a pod labelled `labels` for `ingress` (else egress), without parsing
/// its rules: [`evaluate`](super::evaluate) compiles only the policies that matter.
pub(crate) fn selects(obj: &Value, ingress: bool, labels: Option<&Map<String, Value>>) -> bool {
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let (i, e) = policy_types(spec);
    if !(if ingress { i } else { e }) {
        return false;
    }
    let Some(sel) = spec.get("podSelector") else {
        return true;
    };
    let has_expressions = sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty());
    if has_expressions {
        return LabelSelector::from_label_selector(sel).matches(labels);
    }
    // matchLabels only (the common case): compare in place rather than build a selector.
    sel.get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| {
            labels.and_then(|l| l.get(k)).and_then(Value::as_str)
                == Some(v.as_str().unwrap_or_default())
        })
}

/// Parse one stored NetworkPolicy.
pub(crate) fn compile(obj: &Value) -> Compiled {
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let (ingress, egress) = policy_types(spec);
    Compiled {
        name: meta::name(obj).to_string(),
        namespace: meta::namespace(obj).to_string(),
        pod_selector: pod_selector(spec),
        ingress,
        egress,
        ingress_rules: rules(spec, "ingress", "from"),
        egress_rules: rules(spec, "egress", "to"),
    }
}

/// The compiled NetworkPolicies of a store, by namespace, rebuilt only when a NetworkPolicy
/// was written: other writes (pod status, endpoints) keep it. Keep one per `Sim` (or per
/// trace batch) and pass it to [`super::evaluate_cached`].
#[derive(Debug, Clone, Default)]
pub struct PolicyCache {
    /// The store's resourceVersion when last checked.
    rv: Option<u64>,
    /// (namespace, name, resourceVersion) of every policy compiled, to notice policy writes.
    fingerprint: Vec<(String, String, String)>,
    pub(crate) by_namespace: BTreeMap<String, Vec<Arc<Compiled>>>,
}

impl PolicyCache {
    pub fn new() -> Self {
        PolicyCache::default()
    }

    /// Bring the cache up to date with `store`.
    pub(crate) fn refresh(&mut self, store: &Store) {
        let rv = store.resource_version();
        if self.rv == Some(rv) {
            return;
        }
        self.rv = Some(rv);
        let same = store.count(Kind::NetworkPolicy) == self.fingerprint.len()
            && store
                .list(Kind::NetworkPolicy, None)
                .zip(&self.fingerprint)
                .all(|(p, (ns, name, v))| {
                    meta::namespace(p) == ns
                        && meta::name(p) == name
                        && meta::resource_version(p) == v
                });
        if same {
            return;
        }
        self.fingerprint.clear();
        self.by_namespace.clear();
        for p in store.list(Kind::NetworkPolicy, None) {
            self.fingerprint.push((
                meta::namespace(p).to_string(),
                meta::name(p).to_string(),
                meta::resource_version(p).to_string(),
            ));
            self.by_namespace
                .entry(meta::namespace(p).to_string())
                .or_default()
                .push(Arc::new(compile(p)));
        }
    }
}
