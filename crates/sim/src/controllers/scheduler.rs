//! Scheduler: binds pending pods to nodes (taints, nodeSelector, nodeName), deterministically.

use crate::error::ApiError;
use crate::sim::Sim;
use crate::store::{Change, ObjKey, Store};

use super::Queues;

pub fn observe(_store: &Store, _change: &Change, _q: &mut Queues) {}

pub fn sync(_sim: &mut Sim, _key: &ObjKey) -> Result<(), ApiError> {
    Ok(())
}
