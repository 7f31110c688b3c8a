//! `Sim::trace`: the walk of a request from its origin — name resolution, the processing
//! node's kube-proxy rules, NetworkPolicy at both ends — to the socket that accepts or refuses
//! it. The steps live in `dns.rs`, `proxy.rs` and `deliver.rs`; this file strings them together
//! and says who the origin is.

use serde_json::Value;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::net::http::HttpCall;
use crate::net::proxy::Routed;
use crate::net::state::Index;
use crate::net::{DnsAnswer, Hop, Origin, Peer, Protocol, Request, Trace, Verdict};
use crate::sim::Sim;
use crate::store::ObjKey;

/// The learner's laptop as the cluster sees it (TEST-NET-3, never a cluster address): the
/// source address of `Origin::External` in policies and access logs.
pub const EXTERNAL_CLIENT_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);

/// Who sends a request.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The sender before any NAT.
    pub peer: Peer,
    pub kind: SourceKind,
}

#[derive(Debug, Clone)]
pub(crate) enum SourceKind {
    Pod {
        pod: Arc<Value>,
        node: Option<String>,
        /// A `hostNetwork` pod sends from its node's address, as host traffic.
        host_network: bool,
    },
    Node(String),
    External,
}

impl Sim {
    /// Follow `req` from `from`. Takes `&mut self` because kube-proxy's random spread and
    /// ClientIP affinity are state (kept deterministic by the sim's seed), and because a
    /// server that answers writes its access-log line. Errors only when `from` names a pod or
    /// node that does not exist.
    pub fn trace(&mut self, from: &Origin, req: &Request) -> Result<Trace, ApiError> {
        let idx = self.net.index(&self.store);
        let src = self.source(&idx, from)?;
        let mut hops = Vec::new();
        let ip = match req.host.parse::<Ipv4Addr>() {
            Ok(ip) => ip,
            Err(_) => {
                let lookup = self.lookup(&idx, &src, &req.host);
                let answer = lookup.answer.clone();
                hops.push(Hop::Dns(Box::new(lookup)));
                match answer {
                    DnsAnswer::Records { addresses, .. } if !addresses.is_empty() => addresses[0],
                    DnsAnswer::Records { .. } => {
                        return Ok(Trace {
                            hops,
                            verdict: Verdict::DnsFailed(DnsAnswer::NxDomain),
                        });
                    }
                    other => {
                        return Ok(Trace {
                            hops,
                            verdict: Verdict::DnsFailed(other),
                        });
                    }
                }
            }
        };
        let call = req.http.as_ref().map(|h| HttpCall {
            path: if h.path.is_empty() {
                "/".to_string()
            } else {
                h.path.clone()
            },
            host: h.host_header.clone().unwrap_or_else(|| {
                // wget and curl send the port unless it is the scheme's default.
                if req.port == 80 {
                    req.host.clone()
                } else {
                    format!("{}:{}", req.host, req.port)
                }
            }),
            user_agent: h.user_agent.clone(),
        });
        let verdict = self.connect(
            &idx,
            &src,
            ip,
            req.port,
            req.protocol,
            call.as_ref(),
            &mut hops,
        );
        Ok(Trace { hops, verdict })
    }

    /// Who `from` is on the network.
    pub(crate) fn source(&self, idx: &Index, from: &Origin) -> Result<Source, ApiError> {
        match from {
            Origin::Pod { namespace, name } => {
                let pod = self
                    .store
                    .get_by(Kind::Pod, namespace, name)
                    .cloned()
                    .ok_or_else(|| ApiError::NotFound {
                        kind: Kind::Pod,
                        name: name.clone(),
                    })?;
                let node = Some(meta::str_at(&pod, &["spec", "nodeName"]))
                    .filter(|n| !n.is_empty())
                    .map(str::to_string);
                let host_network = pod["spec"]["hostNetwork"].as_bool() == Some(true);
                // The kubelet runs a client container's command before it writes the pod's
                // status, so a pod without status.podIP yet sends from the address the CNI
                // already gave its sandbox.
                let ip = pod["status"]["podIP"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .or_else(|| {
                        let k = (namespace.clone(), name.clone());
                        let uid = meta::uid(&pod);
                        self.alloc
                            .pod_ips
                            .get(&k)
                            .filter(|(_, _, u)| u == uid)
                            .map(|(_, ip, _)| *ip)
                    })
                    .unwrap_or(Ipv4Addr::UNSPECIFIED);
                let key = ObjKey::new(Kind::Pod, namespace, name);
                Ok(Source {
                    peer: Peer {
                        ip,
                        pod: (!host_network).then_some(key),
                        node: node.clone(),
                    },
                    kind: SourceKind::Pod {
                        pod,
                        node,
                        host_network,
                    },
                })
            }
            Origin::Node(name) => {
                let node = idx.nodes.get(name).ok_or_else(|| ApiError::NotFound {
                    kind: Kind::Node,
                    name: name.clone(),
                })?;
                Ok(Source {
                    peer: Peer {
                        ip: node.ip,
                        pod: None,
                        node: Some(name.clone()),
                    },
                    kind: SourceKind::Node(name.clone()),
                })
            }
            Origin::External => Ok(Source {
                peer: Peer {
                    ip: EXTERNAL_CLIENT_IP,
                    pod: None,
                    node: None,
                },
                kind: SourceKind::External,
            }),
        }
    }

    /// Open a connection (or send a datagram) from `src` to `ip:port`, and for HTTP ask `call`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn connect(
        &mut self,
        idx: &Index,
        src: &Source,
        ip: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        call: Option<&HttpCall>,
        hops: &mut Vec<Hop>,
    ) -> Verdict {
        match self.kube_proxy(idx, src, ip, port, protocol, hops) {
            Routed::Done(v) => v,
            Routed::Loopback => {
                let SourceKind::Pod { pod, .. } = &src.kind else {
                    return Verdict::Refused { ip };
                };
                let client = Peer {
                    ip: Ipv4Addr::LOCALHOST,
                    ..src.peer.clone()
                };
                let pod = pod.clone();
                self.deliver_pod(idx, &pod, &client, ip, ip, port, protocol, call, hops)
            }
            Routed::To {
                ip: to,
                port: to_port,
                src: seen,
            } => {
                let dst = peer_of(idx, to);
                if !self.policy_allows(&seen, &dst, to_port, protocol, hops) {
                    return Verdict::TimedOut { ip };
                }
                self.deliver_at(idx, &seen, ip, to, to_port, protocol, call, hops)
            }
        }
    }

    /// NetworkPolicy at both ends (rules 66–76); each decision is a hop. The compiled policies
    /// live in `NetState` so a trace costs a lookup, not a parse of every policy.
    pub(crate) fn policy_allows(
        &mut self,
        src: &Peer,
        dst: &Peer,
        port: u16,
        protocol: Protocol,
        hops: &mut Vec<Hop>,
    ) -> bool {
        let decisions = crate::net::policy::evaluate_cached(
            &mut self.net.policy,
            &self.store,
            src,
            dst,
            port,
            protocol,
        );
        let allowed = decisions.iter().all(|d| d.allowed);
        hops.extend(decisions.into_iter().map(Hop::Policy));
        allowed
    }
}

/// The peer owning `ip`, as NetworkPolicy sees it.
pub(crate) fn peer_of(idx: &Index, ip: Ipv4Addr) -> Peer {
    if let Some(pod) = idx.pod_at(ip) {
        let node = meta::str_at(pod, &["spec", "nodeName"]);
        return Peer {
            ip,
            pod: Some(ObjKey::of(Kind::Pod, pod)),
            node: (!node.is_empty()).then(|| node.to_string()),
        };
    }
    Peer {
        ip,
        pod: None,
        node: idx.nodes_by_ip.get(&ip).cloned(),
    }
}
