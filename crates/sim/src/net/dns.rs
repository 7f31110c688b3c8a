//! Name resolution as a client sees it (SERVICES-SPEC rules 58–65, 76): the resolver's
//! configuration per origin (the kubelet's `/etc/resolv.conf` for each dnsPolicy, a node's own
//! resolver), `/etc/hosts`, the search path with ndots, the query's trip to kube-dns through
//! kube-proxy and NetworkPolicy, and CoreDNS's answers (`kubernetes` plugin, `pods insecure`).
//!
//! Names outside the cluster zone: the simulated cluster has no upstream resolver, so CoreDNS's
//! `forward . /etc/resolv.conf` and a node's resolver answer NXDOMAIN for every public name. A
//! node's `/etc/hosts` lists the cluster's node names (as exam and playground machines do).

use std::net::Ipv4Addr;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::net::endpoints::all_endpoints;
use crate::net::proxy::Routed;
use crate::net::state::Index;
use crate::net::trace::{Source, SourceKind, peer_of};
use crate::net::{DnsAnswer, DnsLookup, Hop, Origin, Protocol};
use crate::sim::Sim;

/// The kubelet's `clusterDNS` (kubeadm: the tenth address of the Service CIDR). Pods keep
/// asking it whatever happens to the kube-dns Service.
pub const CLUSTER_DNS: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// systemd-resolved's stub, the nameserver of a node's (and the learner's) `/etc/resolv.conf`.
pub const HOST_RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 53);
/// How many CNAMEs CoreDNS follows before giving up.
const MAX_CNAME_DEPTH: usize = 8;
const COREDNS_REPOSITORY: &str = "registry.k8s.io/coredns/coredns";

/// A client's `/etc/resolv.conf`.
#[derive(Debug, Clone)]
struct ResolvConf {
    server: Option<Ipv4Addr>,
    search: Vec<String>,
    ndots: usize,
    /// Queries travel the pod network to `server` (else a node-local stub answers).
    network: bool,
}

/// What CoreDNS answers for one fully qualified name: the CNAMEs followed, then addresses.
type Answer = (Vec<String>, Vec<Ipv4Addr>);

impl Sim {
    /// Resolve `name` as `from`'s resolver would (search path, ndots:5, nameserver kube-dns).
    pub fn resolve(&mut self, from: &Origin, name: &str) -> Result<DnsLookup, ApiError> {
        let idx = self.net.index(&self.store);
        let src = self.source(&idx, from)?;
        Ok(self.lookup(&idx, &src, name))
    }

    pub(crate) fn lookup(&mut self, idx: &Index, src: &Source, name: &str) -> DnsLookup {
        let conf = self.resolv_conf(src);
        let server = conf.server.unwrap_or(HOST_RESOLVER);
        let name = name.trim();
        let records = |name: &str, ip: Ipv4Addr| DnsLookup {
            server,
            tried: vec![name.to_string()],
            answer: DnsAnswer::Records {
                name: name.to_string(),
                cname: Vec::new(),
                addresses: vec![ip],
            },
            hops: Vec::new(),
        };
        // getaddrinfo returns a numeric host as is, and reads /etc/hosts before DNS.
        if let Ok(ip) = name.parse::<Ipv4Addr>() {
            return records(name, ip);
        }
        if let Some(ip) = self.hosts_file(idx, src, name) {
            return records(name, ip);
        }
        let candidates = candidates(name, &conf);
        let mut hops = Vec::new();
        let reached = match conf.server {
            Some(s) if conf.network => self.dns_transport(idx, src, s, &mut hops),
            Some(_) => {
                hops.push(Hop::Note(
                    "the node's own resolver answers: it forwards to no cluster DNS, so cluster names do not resolve"
                        .to_string(),
                ));
                false
            }
            None => false,
        };
        if conf.server.is_none() || (conf.network && !reached) {
            // No answer to the first query: the resolver retries it, then gives up.
            return DnsLookup {
                server,
                tried: candidates.into_iter().take(1).collect(),
                answer: DnsAnswer::Timeout,
                hops,
            };
        }
        let zone = self.config.cluster_domain.to_ascii_lowercase();
        let mut tried = Vec::new();
        for c in candidates {
            tried.push(c.clone());
            let answer = if reached {
                coredns_answer(self, idx, &zone, &c.to_ascii_lowercase(), 0)
            } else {
                None
            };
            if let Some((cname, addresses)) = answer {
                return DnsLookup {
                    server,
                    tried,
                    answer: DnsAnswer::Records {
                        name: c,
                        cname,
                        addresses,
                    },
                    hops,
                };
            }
        }
        DnsLookup {
            server,
            tried,
            answer: DnsAnswer::NxDomain,
            hops,
        }
    }

    /// The kubelet's resolv.conf for a pod (`pkg/kubelet/network/dns`), or a host's own.
    fn resolv_conf(&self, src: &Source) -> ResolvConf {
        let host = ResolvConf {
            server: Some(HOST_RESOLVER),
            search: Vec::new(),
            ndots: 1,
            network: false,
        };
        let SourceKind::Pod {
            pod, host_network, ..
        } = &src.kind
        else {
            return host;
        };
        let ns = meta::namespace(pod);
        let zone = &self.config.cluster_domain;
        let dns_config = &pod["spec"]["dnsConfig"];
        let extra_search = dns_config["searches"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string));
        let ndots = dns_config["options"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["name"].as_str() == Some("ndots"))
            .and_then(|o| o["value"].as_str()?.parse().ok());
        let policy = match meta::str_at(pod, &["spec", "dnsPolicy"]) {
            "" => "ClusterFirst",
            p => p,
        };
        match policy {
            // A hostNetwork pod with ClusterFirst falls back to Default (the node's file).
            "ClusterFirst" if *host_network => host,
            "ClusterFirst" | "ClusterFirstWithHostNet" => {
                let mut search = vec![
                    format!("{ns}.svc.{zone}"),
                    format!("svc.{zone}"),
                    zone.clone(),
                ];
                search.extend(extra_search);
                ResolvConf {
                    server: Some(CLUSTER_DNS),
                    search,
                    ndots: ndots.unwrap_or(5),
                    network: true,
                }
            }
            "None" => ResolvConf {
                server: dns_config["nameservers"]
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|s| s.as_str()?.parse().ok()),
                search: extra_search.collect(),
                ndots: ndots.unwrap_or(1),
                network: true,
            },
            _ => host,
        }
    }

    /// `/etc/hosts`: localhost everywhere, a pod's own hostname, node names on a node.
    fn hosts_file(&self, idx: &Index, src: &Source, name: &str) -> Option<Ipv4Addr> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" {
            return Some(Ipv4Addr::LOCALHOST);
        }
        match &src.kind {
            SourceKind::Pod { pod, .. } => {
                let hostname = match meta::str_at(pod, &["spec", "hostname"]) {
                    "" => meta::name(pod),
                    h => h,
                };
                let sub = meta::str_at(pod, &["spec", "subdomain"]);
                let fqdn = format!(
                    "{hostname}.{sub}.{}.svc.{}",
                    meta::namespace(pod),
                    self.config.cluster_domain
                );
                (name == hostname || (!sub.is_empty() && name == fqdn)).then_some(src.peer.ip)
            }
            SourceKind::Node(_) => idx.nodes.get(&name).map(|n| n.ip),
            SourceKind::External => None,
        }
    }

    /// The query's trip to the nameserver: kube-proxy, NetworkPolicy (rule 76), and a CoreDNS
    /// container listening on UDP 53 at the end.
    fn dns_transport(
        &mut self,
        idx: &Index,
        src: &Source,
        server: Ipv4Addr,
        hops: &mut Vec<Hop>,
    ) -> bool {
        let (ip, port, seen) = match self.kube_proxy(idx, src, server, 53, Protocol::Udp, hops) {
            Routed::To { ip, port, src } => (ip, port, src),
            Routed::Loopback | Routed::Done(_) => return false,
        };
        let dst = peer_of(idx, ip);
        if !self.policy_allows(&seen, &dst, port, Protocol::Udp, hops) {
            return false;
        }
        let Some(pod) = idx.pod_at(ip) else {
            hops.push(Hop::Note(format!("nothing answers DNS at {ip}:{port}")));
            return false;
        };
        let found = crate::net::deliver::listening(pod, port, Protocol::Udp);
        hops.push(Hop::Container {
            pod: crate::store::ObjKey::of(Kind::Pod, pod),
            container: found.as_ref().map(|f| f.container.to_string()),
            port,
            listening: found.is_some(),
        });
        found.is_some_and(|f| f.entry.repository == COREDNS_REPOSITORY)
    }
}

/// The names a resolver asks, in order: with fewer than `ndots` dots the search list first,
/// then the name itself; with enough dots the name first, then the list (glibc); a trailing
/// dot means only the name.
fn candidates(name: &str, conf: &ResolvConf) -> Vec<String> {
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let searched = conf.search.iter().map(|s| format!("{name}.{s}"));
    if name.matches('.').count() >= conf.ndots {
        std::iter::once(name.to_string()).chain(searched).collect()
    } else {
        searched.chain(std::iter::once(name.to_string())).collect()
    }
}

/// CoreDNS's answer for a lowercase fully qualified name, `None` for NXDOMAIN.
fn coredns_answer(sim: &Sim, idx: &Index, zone: &str, name: &str, depth: usize) -> Option<Answer> {
    let name = name.trim_end_matches('.');
    let Some(rest) = name.strip_suffix(zone).and_then(|r| r.strip_suffix('.')) else {
        // Outside the zone: forwarded upstream, which the simulated cluster does not have.
        return None;
    };
    let labels: Vec<&str> = rest.split('.').collect();
    let store = &sim.store;
    match labels.as_slice() {
        [svc, ns, "svc"] => {
            let obj = store.get_by(Kind::Service, ns, svc)?;
            let spec = &obj["spec"];
            if meta::str_at(spec, &["type"]) == "ExternalName" {
                // Rule 61: a CNAME to externalName, whatever it looks like (an IP too).
                let target = meta::str_at(spec, &["externalName"])
                    .trim_end_matches('.')
                    .to_ascii_lowercase();
                if target.is_empty() || depth >= MAX_CNAME_DEPTH {
                    return None;
                }
                let (mut chain, addrs) = coredns_answer(sim, idx, zone, &target, depth + 1)?;
                chain.insert(0, target);
                return Some((chain, addrs));
            }
            match meta::str_at(spec, &["clusterIP"]) {
                // Rule 60: headless → ready endpoint addresses, NXDOMAIN without any.
                "None" | "" => {
                    let mut addrs: Vec<Ipv4Addr> = Vec::new();
                    for e in all_endpoints(idx, ns, svc).into_iter().filter(|e| e.ready) {
                        if !addrs.contains(&e.ip) {
                            addrs.push(e.ip);
                        }
                    }
                    (!addrs.is_empty()).then_some((Vec::new(), addrs))
                }
                // Rule 58: the ClusterIP, with or without endpoints.
                ip => Some((Vec::new(), vec![ip.parse().ok()?])),
            }
        }
        [host, svc, ns, "svc"] => {
            // Rule 62: a ready endpoint's hostname (CoreDNS also names endpoints without one
            // by their dashed address).
            store.get_by(Kind::Service, ns, svc)?;
            let mut addrs: Vec<Ipv4Addr> = Vec::new();
            for e in all_endpoints(idx, ns, svc).into_iter().filter(|e| e.ready) {
                let matches = match &e.hostname {
                    Some(h) => h == host,
                    None => dashed(e.ip) == *host,
                };
                if matches && !addrs.contains(&e.ip) {
                    addrs.push(e.ip);
                }
            }
            (!addrs.is_empty()).then_some((Vec::new(), addrs))
        }
        // Rule 63: `pods insecure` answers any dashed address in an existing namespace.
        [ip, ns, "pod"] => {
            store.get_by(Kind::Namespace, "", ns)?;
            let ip: Ipv4Addr = ip.replace('-', ".").parse().ok()?;
            Some((Vec::new(), vec![ip]))
        }
        _ => None,
    }
}

fn dashed(ip: Ipv4Addr) -> String {
    ip.to_string().replace('.', "-")
}
