//! NetworkPolicy evaluation (SERVICES-SPEC rules 66–76): which policies isolate a pod in a
//! direction, and whether some rule of some selecting policy allows a connection.

use crate::net::{Peer, PolicyDecision, Protocol};
use crate::store::Store;

/// Decide a connection `src → dst:port/protocol` (`port` is the destination port after
/// kube-proxy's DNAT, i.e. the pod's port). Returns the egress decision for `src` when it is a
/// pod, then the ingress decision for `dst` when it is a pod; the connection is allowed iff
/// every returned decision is.
pub fn evaluate(
    _store: &Store,
    _src: &Peer,
    _dst: &Peer,
    _port: u16,
    _protocol: Protocol,
) -> Vec<PolicyDecision> {
    // First cut: no enforcement. Replaced by the NetworkPolicy model.
    Vec::new()
}
