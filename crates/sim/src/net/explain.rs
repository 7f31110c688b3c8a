//! A trace in words: one line per hop and one for the verdict, as the grader's explanations
//! and the TUI's hop-by-hop view show them.

use super::{DnsAnswer, Hop, Trace, Verdict, Via};
use crate::kinds::Kind;
use crate::sim::Sim;

impl Sim {
    /// The traces of the requests a client container's last run made (a probe pod's curl,
    /// nc or nslookup), in order; `None` if the pod ran no client command. Not an API
    /// object: what only the simulator can know, for explanations.
    pub fn client_traces(&self, namespace: &str, pod: &str) -> Option<Vec<Trace>> {
        let p = self.store.get_by(Kind::Pod, namespace, pod)?;
        self.net
            .client_traces(crate::meta::uid(p))
            .map(<[Trace]>::to_vec)
    }
}

impl Trace {
    /// The journey, hop by hop, ending with how it ended.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.hops.iter().map(hop).collect();
        out.push(verdict(&self.verdict));
        out
    }
}

fn hop(h: &Hop) -> String {
    match h {
        Hop::Dns(l) => match &l.answer {
            DnsAnswer::Records {
                name, addresses, ..
            } => {
                let ips: Vec<String> = addresses.iter().map(ToString::to_string).collect();
                format!("DNS: {name} is {} (asked {})", ips.join(", "), l.server)
            }
            DnsAnswer::NxDomain => format!(
                "DNS: no such name (tried {}; asked {})",
                l.tried.join(", "),
                l.server
            ),
            DnsAnswer::Timeout => format!("DNS: {} did not answer", l.server),
        },
        Hop::Service {
            service,
            via,
            ip,
            port,
            port_name,
        } => {
            let how = match via {
                Via::ClusterIp => "ClusterIP",
                Via::NodePort => "NodePort",
                Via::LoadBalancer => "LoadBalancer",
                Via::ExternalIp => "external IP",
            };
            let name = port_name
                .as_deref()
                .map(|n| format!(" (port {n:?})"))
                .unwrap_or_default();
            format!(
                "kube-proxy: {ip}:{port} is Service {}/{} by {how}{name}",
                service.namespace, service.name
            )
        }
        Hop::Endpoint { pod, ip, port, .. } => match pod {
            Some(p) => format!(
                "kube-proxy: sent to pod {}/{} at {ip}:{port}",
                p.namespace, p.name
            ),
            None => format!("kube-proxy: sent to {ip}:{port}"),
        },
        Hop::Policy(d) => format!(
            "NetworkPolicy ({}): {}",
            if matches!(d.direction, super::Direction::Ingress) {
                "ingress"
            } else {
                "egress"
            },
            d.reason
        ),
        Hop::Ingress {
            ingress, backend, ..
        } => format!(
            "Ingress {}/{} routed it to {backend}",
            ingress.namespace, ingress.name
        ),
        Hop::Container {
            pod,
            container,
            port,
            listening,
        } => {
            let c = container.as_deref().unwrap_or("no container");
            if *listening {
                format!("pod {}/{}: {c} listens on {port}", pod.namespace, pod.name)
            } else {
                format!(
                    "pod {}/{}: nothing listens on port {port}",
                    pod.namespace, pod.name
                )
            }
        }
        Hop::Note(n) => n.clone(),
    }
}

fn verdict(v: &Verdict) -> String {
    match v {
        Verdict::Delivered { http: Some(r), .. } => {
            format!("answered: HTTP {} {}", r.status, r.reason)
        }
        Verdict::Delivered { ip, port, .. } => format!("connected to {ip}:{port}"),
        Verdict::Refused { ip } => format!("refused by {ip}"),
        Verdict::TimedOut { ip } => format!("no answer from {ip}: the packets were dropped"),
        Verdict::DnsFailed(DnsAnswer::Timeout) => "the name did not resolve: DNS timed out".into(),
        Verdict::DnsFailed(_) => "the name did not resolve".into(),
    }
}
