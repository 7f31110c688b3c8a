//! The controllers, run to a fixed point after every write: each observes the store's change
//! feed, queues the keys it must reconcile, and reconciles them through the same write pipeline a
//! user's request takes. Settling is bounded: a cluster that will not converge is an error.
//!
//! Contract for every controller module: `observe(store, change, queues)` is cheap and only
//! queues keys; `sync(sim, key)` reconciles one key. `sync` handles the API errors it expects
//! (recording Events as the real controller would) and returns `Err` only for broken invariants.
//! Nothing iterates a `HashMap` into output: same writes, same store.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::sim::Sim;
use crate::store::{Change, ObjKey, Store};

mod deployment;
mod endpoint_common;
mod endpoints;
mod endpointslice;
mod endpointslicemirroring;
pub mod events;
mod gc;
mod kubelet;
mod loadbalancer;
mod namespace;
mod replicaset;
mod scheduler;
mod statefulset;

/// The controllers, in the order a settle round runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ctl {
    Namespace,
    Gc,
    Deployment,
    ReplicaSet,
    StatefulSet,
    Scheduler,
    Kubelet,
    Endpoints,
    EndpointSlice,
    EndpointSliceMirroring,
    LoadBalancer,
}

impl Ctl {
    pub const ORDER: [Ctl; 11] = [
        Ctl::Namespace,
        Ctl::Gc,
        Ctl::Deployment,
        Ctl::ReplicaSet,
        Ctl::StatefulSet,
        Ctl::Scheduler,
        Ctl::Kubelet,
        Ctl::Endpoints,
        Ctl::EndpointSlice,
        Ctl::EndpointSliceMirroring,
        Ctl::LoadBalancer,
    ];
}

/// Keys waiting to be reconciled, per controller. Sets, so a key queued twice syncs once.
#[derive(Debug, Clone, Default)]
pub struct Queues {
    pending: BTreeMap<Ctl, BTreeSet<ObjKey>>,
}

impl Queues {
    pub fn push(&mut self, ctl: Ctl, key: ObjKey) {
        self.pending.entry(ctl).or_default().insert(key);
    }

    pub fn is_empty(&self) -> bool {
        self.pending.values().all(BTreeSet::is_empty)
    }

    fn take(&mut self, ctl: Ctl) -> BTreeSet<ObjKey> {
        self.pending.remove(&ctl).unwrap_or_default()
    }

    fn append(&mut self, other: Queues) {
        for (ctl, mut keys) in other.pending {
            self.pending.entry(ctl).or_default().append(&mut keys);
        }
    }
}

fn observe(store: &Store, change: &Change, q: &mut Queues) {
    namespace::observe(store, change, q);
    gc::observe(store, change, q);
    deployment::observe(store, change, q);
    replicaset::observe(store, change, q);
    statefulset::observe(store, change, q);
    scheduler::observe(store, change, q);
    kubelet::observe(store, change, q);
    endpoints::observe(store, change, q);
    endpointslice::observe(store, change, q);
    endpointslicemirroring::observe(store, change, q);
    // Both endpoint controllers react to the same pod writes with the same rule: deciding
    // once (compare the pod versions, scan the namespace's Services) halves that work.
    if change.key.kind == Kind::Pod {
        endpoint_common::queue_for_pod(store, change, &[Ctl::Endpoints, Ctl::EndpointSlice], q);
    }
    loadbalancer::observe(store, change, q);
}

fn sync(ctl: Ctl, sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    match ctl {
        Ctl::Namespace => namespace::sync(sim, key),
        Ctl::Gc => gc::sync(sim, key),
        Ctl::Deployment => deployment::sync(sim, key),
        Ctl::ReplicaSet => replicaset::sync(sim, key),
        Ctl::StatefulSet => statefulset::sync(sim, key),
        Ctl::Scheduler => scheduler::sync(sim, key),
        Ctl::Kubelet => kubelet::sync(sim, key),
        Ctl::Endpoints => endpoints::sync(sim, key),
        Ctl::EndpointSlice => endpointslice::sync(sim, key),
        Ctl::EndpointSliceMirroring => endpointslicemirroring::sync(sim, key),
        Ctl::LoadBalancer => loadbalancer::sync(sim, key),
    }
}

/// Run controllers until no write produces more work.
pub(crate) fn settle(sim: &mut Sim) -> Result<(), ApiError> {
    let rounds = sim.config.max_settle_rounds;
    for _ in 0..rounds {
        for change in sim.store.take_changes() {
            observe(&sim.store, &change, &mut sim.queues);
        }
        if sim.queues.is_empty() {
            return Ok(());
        }
        // The round's writes are observed as soon as each sync returns, not at the next round's
        // start: a Change holds the object's previous version, and holding every one of a
        // round's (5,000 pod statuses in one kubelet round) kept them all alive at once. What
        // they queue still runs next round, as before, so the order of work is unchanged.
        let mut next = Queues::default();
        for ctl in Ctl::ORDER {
            for key in sim.queues.take(ctl) {
                sync(ctl, sim, &key)?;
                for change in sim.store.take_changes() {
                    observe(&sim.store, &change, &mut next);
                }
            }
        }
        sim.queues.append(next);
    }
    Err(ApiError::Internal(format!(
        "the simulated controllers did not settle within {rounds} rounds"
    )))
}
