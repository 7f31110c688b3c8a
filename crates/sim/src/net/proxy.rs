//! kube-proxy in iptables mode (SERVICES-SPEC rules 49–57): which Service port a packet's
//! destination matches (ClusterIP, NodePort, LoadBalancer ingress IP, externalIP), which
//! endpoints are usable (ready, else serving+terminating), the traffic policies, the random
//! spread and ClientIP affinity, and the DNAT/SNAT that decide where the packet goes and whom
//! it appears to come from. Also the CNI's share: pod IPs, hostPorts, node addresses.

use serde_json::Value;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::net::endpoints::{Ep, SvcPort, local, port_endpoints, service_ports, usable};
use crate::net::state::{AffinityKey, Index};
use crate::net::trace::{Source, SourceKind};
use crate::net::{EndpointReason, Hop, Peer, Protocol, Verdict, Via};
use crate::sim::Sim;
use crate::store::ObjKey;

/// `sessionAffinityConfig.clientIP.timeoutSeconds` default (3 hours).
const DEFAULT_AFFINITY_TIMEOUT: i64 = 10_800;

/// Where a packet goes once the node's rules have run.
#[derive(Debug)]
pub(crate) enum Routed {
    /// To `ip:port` (after any DNAT), seen by the receiver as coming from `src` (after any SNAT).
    To { ip: Ipv4Addr, port: u16, src: Peer },
    /// A pod talking to itself on the loopback interface: no rules, no policy.
    Loopback,
    /// The packet went no further.
    Done(Verdict),
}

/// Which node's rules process a packet from `src` (a pod's node, the node itself).
fn own_node(src: &Source) -> Option<&str> {
    match &src.kind {
        SourceKind::Pod { node, .. } => node.as_deref(),
        SourceKind::Node(n) => Some(n),
        SourceKind::External => None,
    }
}

/// A matched Service port and how it was reached.
struct Matched<'a> {
    svc: &'a Arc<Value>,
    port: SvcPort,
    via: Via,
    /// The address the client used (ClusterIP, node IP, LB IP…).
    ip: Ipv4Addr,
    /// The node whose rules handle the packet.
    node: Option<String>,
    /// Traffic from outside the cluster (externalTrafficPolicy applies).
    external: bool,
}

impl Sim {
    /// Route a packet from `src` to `ip:port/protocol` through the processing node's rules.
    pub(crate) fn kube_proxy(
        &mut self,
        idx: &Index,
        src: &Source,
        ip: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        hops: &mut Vec<Hop>,
    ) -> Routed {
        let external = matches!(src.kind, SourceKind::External);
        if ip.is_loopback() {
            match &src.kind {
                SourceKind::Pod {
                    host_network: false,
                    ..
                } => return Routed::Loopback,
                SourceKind::External => return Routed::Done(Verdict::Refused { ip }),
                // The host's loopback: NodePorts answer there too (route_localnet), then the
                // node's own sockets.
                _ => {
                    let node = own_node(src).and_then(|n| idx.nodes.get(n)).map(|n| n.ip);
                    return match node {
                        Some(nip) => self.node_address(idx, src, nip, ip, port, protocol, hops),
                        None => Routed::Done(Verdict::Refused { ip }),
                    };
                }
            }
        }
        if let Some(svc) = idx.cluster_ips.get(&ip) {
            if external {
                hops.push(Hop::Note(format!(
                    "{ip} is a ClusterIP: it exists only inside the cluster, so nothing outside routes to it"
                )));
                return Routed::Done(Verdict::TimedOut { ip });
            }
            let Some(sp) = service_ports(svc)
                .into_iter()
                .find(|p| p.port == port && p.protocol == protocol)
            else {
                // Rule 51: iptables has no rule for an undeclared port; the packet wanders off.
                hops.push(Hop::Note(format!(
                    "no kube-proxy rule matches {ip}:{port}/{}: Service {}/{} does not declare that port, so the packet is never answered",
                    protocol.as_str(),
                    meta::namespace(svc),
                    meta::name(svc)
                )));
                return Routed::Done(Verdict::TimedOut { ip });
            };
            let m = Matched {
                svc,
                port: sp,
                via: Via::ClusterIp,
                ip,
                node: own_node(src).map(str::to_string),
                external: false,
            };
            return self.through_service(idx, src, m, hops);
        }
        if let Some(list) = idx.external_ips.get(&ip) {
            let hit = list.iter().find_map(|(svc, via)| {
                service_ports(svc)
                    .into_iter()
                    .find(|p| p.port == port && p.protocol == protocol)
                    .map(|p| (svc, p, *via))
            });
            if let Some((svc, sp, via)) = hit {
                let node = match (&src.kind, via) {
                    (SourceKind::External, Via::ExternalIp) => match idx.nodes_by_ip.get(&ip) {
                        Some(n) => Some(n.clone()),
                        None => {
                            hops.push(Hop::Note(format!(
                                "externalIP {ip} is not an address of any node, so nothing routes it into the cluster"
                            )));
                            return Routed::Done(Verdict::TimedOut { ip });
                        }
                    },
                    // The load balancer picks a node (below, once endpoints are known).
                    (SourceKind::External, _) => None,
                    _ => own_node(src).map(str::to_string),
                };
                let m = Matched {
                    svc,
                    port: sp,
                    via,
                    ip,
                    node,
                    external,
                };
                return self.through_service(idx, src, m, hops);
            }
        }
        if let Some(pod) = idx.pod_at(ip) {
            if external {
                hops.push(Hop::Note(format!(
                    "{ip} is a pod IP: the pod network is not routed outside the cluster"
                )));
                return Routed::Done(Verdict::TimedOut { ip });
            }
            let _ = pod;
            return Routed::To {
                ip,
                port,
                src: src.peer.clone(),
            };
        }
        if idx.nodes_by_ip.contains_key(&ip) {
            return self.node_address(idx, src, ip, ip, port, protocol, hops);
        }
        hops.push(Hop::Note(format!(
            "no pod, node or Service owns {ip}: the packets go unanswered"
        )));
        Routed::Done(Verdict::TimedOut { ip })
    }

    /// A packet to a node address `node_ip` (dialled as `dialled`): a NodePort, a hostPort, or
    /// the node's own sockets.
    #[allow(clippy::too_many_arguments)]
    fn node_address(
        &mut self,
        idx: &Index,
        src: &Source,
        node_ip: Ipv4Addr,
        dialled: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        hops: &mut Vec<Hop>,
    ) -> Routed {
        let Some(node) = idx.nodes_by_ip.get(&node_ip).cloned() else {
            return Routed::Done(Verdict::TimedOut { ip: dialled });
        };
        if let Some(svc) = idx.node_ports.get(&(port, protocol)) {
            // Rule 53: every node accepts the NodePort on its own addresses.
            if let Some(sp) = service_ports(svc)
                .into_iter()
                .find(|p| p.node_port == port && p.protocol == protocol)
            {
                // Rule 54: traffic from a pod, or from this node itself, is not "external".
                let external = match &src.kind {
                    SourceKind::External => true,
                    SourceKind::Node(n) => *n != node,
                    SourceKind::Pod { .. } => false,
                };
                let m = Matched {
                    svc,
                    port: sp,
                    via: Via::NodePort,
                    ip: dialled,
                    node: Some(node),
                    external,
                };
                return self.through_service(idx, src, m, hops);
            }
        }
        if let Some((pod, container_port)) = idx.host_port(&node, port, protocol) {
            let pod_ip = pod["status"]["podIP"]
                .as_str()
                .and_then(|s| s.parse::<Ipv4Addr>().ok());
            if let Some(pod_ip) = pod_ip {
                hops.push(Hop::Note(format!(
                    "hostPort {port} on {node} is forwarded to pod {}/{} ({pod_ip}:{container_port})",
                    meta::namespace(pod),
                    meta::name(pod)
                )));
                return Routed::To {
                    ip: pod_ip,
                    port: *container_port,
                    src: src.peer.clone(),
                };
            }
        }
        Routed::To {
            ip: node_ip,
            port,
            src: src.peer.clone(),
        }
    }

    /// Rules 50–57 for a matched Service port: endpoint sets, REJECT / DROP, the choice, NAT.
    fn through_service(
        &mut self,
        idx: &Index,
        src: &Source,
        mut m: Matched<'_>,
        hops: &mut Vec<Hop>,
    ) -> Routed {
        let (ns, name) = (meta::namespace(m.svc), meta::name(m.svc));
        let key = ObjKey::new(Kind::Service, ns, name);
        hops.push(Hop::Service {
            service: key.clone(),
            via: m.via,
            ip: m.ip,
            port: match m.via {
                Via::NodePort => m.port.node_port,
                _ => m.port.port,
            },
            port_name: (!m.port.name.is_empty()).then(|| m.port.name.clone()),
        });
        let spec = &m.svc["spec"];
        let eps = port_endpoints(idx, ns, name, &m.port.name, m.port.protocol);
        let cluster = usable(eps.iter());
        let port_label = if m.port.name.is_empty() {
            format!("{ns}/{name}")
        } else {
            format!("{ns}/{name}:{}", m.port.name)
        };
        if cluster.is_empty() {
            // Rule 52: REJECT in the filter table, for every way of reaching the Service.
            hops.push(Hop::Note(format!(
                "\"{port_label} has no endpoints\": kube-proxy rejects the connection"
            )));
            return Routed::Done(Verdict::Refused { ip: m.ip });
        }
        let etp_local = meta::str_at(spec, &["externalTrafficPolicy"]) == "Local";
        let itp_local = meta::str_at(spec, &["internalTrafficPolicy"]) == "Local";
        if m.external && m.node.is_none() {
            // Outside → LoadBalancer: the balancer sends to a node; with ETP Local only nodes
            // passing its health check (those with a local endpoint) get traffic.
            let mut nodes: Vec<&str> = if etp_local {
                let mut v: Vec<&str> = eps
                    .iter()
                    .filter(|e| !local(&eps, e.node.as_deref()).is_empty())
                    .filter_map(|e| e.node.as_deref())
                    .collect();
                v.dedup();
                v
            } else {
                idx.nodes
                    .values()
                    .filter(|n| !n.lb_excluded)
                    .map(|n| n.name.as_str())
                    .collect()
            };
            nodes.sort_unstable();
            nodes.dedup();
            if nodes.is_empty() {
                hops.push(Hop::Note(format!(
                    "the load balancer for {port_label} has no healthy node to send to"
                )));
                return Routed::Done(Verdict::TimedOut { ip: m.ip });
            }
            let i = self.net.rng.below(nodes.len() as u64) as usize;
            m.node = Some(nodes[i].to_string());
        }
        let node = m.node.clone();
        // ETP Local binds external traffic to the receiving node, ITP Local ClusterIP traffic.
        let node_bound = match m.via {
            Via::ClusterIp => itp_local,
            _ => m.external && etp_local,
        };
        let candidates = if node_bound {
            local(&eps, node.as_deref())
        } else {
            cluster
        };
        if candidates.is_empty() {
            // Rules 54/55: endpoints exist, but none on this node ⇒ DROP.
            hops.push(Hop::Note(format!(
                "\"{port_label} has no local endpoints\" on {}: the packet is dropped",
                node.as_deref().unwrap_or("this node")
            )));
            return Routed::Done(Verdict::TimedOut { ip: m.ip });
        }
        let Some(chosen) = self.choose(m.svc, &key, &m.port, src.peer.ip, &candidates) else {
            return Routed::Done(Verdict::TimedOut { ip: m.ip });
        };
        hops.push(Hop::Endpoint {
            pod: chosen.pod.clone(),
            ip: chosen.ip,
            port: chosen.port,
            node: chosen.node.clone(),
            reason: if chosen.ready {
                EndpointReason::Ready
            } else {
                EndpointReason::TerminatingFallback
            },
        });
        let host_traffic = matches!(
            src.kind,
            SourceKind::Node(_)
                | SourceKind::Pod {
                    host_network: true,
                    ..
                }
        );
        let hairpin = chosen.ip == src.peer.ip;
        let masquerade = match m.via {
            // Traffic from outside the pod network (`! -s clusterCIDR`) and hairpin (57).
            Via::ClusterIp => host_traffic || hairpin,
            // ETP Cluster masquerades; ETP Local keeps the client address, except for the
            // node's own (LOCAL) traffic which is masqueraded before short-circuiting.
            _ => !etp_local || host_traffic || hairpin,
        };
        let src = match (&node, masquerade) {
            (Some(n), true) => {
                let to_node = chosen
                    .node
                    .as_deref()
                    .or_else(|| idx.nodes_by_ip.get(&chosen.ip).map(String::as_str));
                let ip = if idx.nodes_by_ip.contains_key(&chosen.ip) {
                    idx.nodes.get(n).map_or(Ipv4Addr::UNSPECIFIED, |x| x.ip)
                } else {
                    idx.node_source_ip(n, to_node)
                };
                Peer {
                    ip,
                    pod: None,
                    node: Some(n.clone()),
                }
            }
            _ => src.peer.clone(),
        };
        Routed::To {
            ip: chosen.ip,
            port: chosen.port,
            src,
        }
    }

    /// The random spread (`statistic --mode random`), or the endpoint ClientIP affinity
    /// remembers (rule 56).
    fn choose(
        &mut self,
        svc: &Value,
        key: &ObjKey,
        sp: &SvcPort,
        client: Ipv4Addr,
        candidates: &[&Ep],
    ) -> Option<Ep> {
        let affinity = meta::str_at(&svc["spec"], &["sessionAffinity"]) == "ClientIP";
        let now = self.now();
        let akey = AffinityKey {
            service: key.clone(),
            port_name: sp.name.clone(),
            protocol: sp.protocol,
            client,
        };
        if affinity {
            let timeout = svc
                .pointer("/spec/sessionAffinityConfig/clientIP/timeoutSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(DEFAULT_AFFINITY_TIMEOUT);
            if let Some((ip, port, last)) = self.net.affinity.get(&akey).cloned()
                && now.duration_since(last).as_secs() <= timeout
                && let Some(e) = candidates.iter().find(|e| e.ip == ip && e.port == port)
            {
                self.net.affinity.insert(akey, (ip, port, now));
                return Some((*e).clone());
            }
        }
        let i = if candidates.len() > 1 {
            self.net.rng.below(candidates.len() as u64) as usize
        } else {
            0
        };
        let chosen = (*candidates.get(i)?).clone();
        if affinity {
            self.net
                .affinity
                .insert(akey, (chosen.ip, chosen.port, now));
        }
        Some(chosen)
    }
}
