//! `Sim::trace` and `Sim::resolve`: the walk of a request from its origin through DNS,
//! kube-proxy and NetworkPolicy to the container that accepts or refuses it.

use crate::error::ApiError;
use crate::net::{DnsAnswer, DnsLookup, Origin, Request, Trace, Verdict};
use crate::sim::Sim;
use std::net::Ipv4Addr;

impl Sim {
    /// Follow `req` from `from`. Takes `&mut self` because kube-proxy's random spread and
    /// ClientIP affinity are state (kept deterministic by the sim's seed), and because a
    /// server that answers writes its access-log line. Errors only when `from` names a pod or
    /// node that does not exist.
    pub fn trace(&mut self, from: &Origin, req: &Request) -> Result<Trace, ApiError> {
        let lookup = self.resolve(from, &req.host)?;
        // First cut: nothing is reachable. Replaced by the network model.
        Ok(Trace {
            hops: vec![crate::net::Hop::Dns(Box::new(lookup.clone()))],
            verdict: Verdict::DnsFailed(lookup.answer),
        })
    }

    /// Resolve `name` as `from`'s resolver would (search path, ndots:5, nameserver kube-dns).
    pub fn resolve(&mut self, from: &Origin, name: &str) -> Result<DnsLookup, ApiError> {
        let _ = from;
        Ok(DnsLookup {
            server: Ipv4Addr::new(10, 96, 0, 10),
            tried: vec![name.to_string()],
            answer: DnsAnswer::Timeout,
            hops: Vec::new(),
        })
    }
}
