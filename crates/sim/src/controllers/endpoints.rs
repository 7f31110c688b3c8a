//! Endpoints controller: the v1 Endpoints of every selector Service (SERVICES-SPEC §D rules 38–44).

use crate::error::ApiError;
use crate::sim::Sim;
use crate::store::{Change, ObjKey, Store};

use super::Queues;

pub fn observe(_store: &Store, _change: &Change, _q: &mut Queues) {}

pub fn sync(_sim: &mut Sim, _key: &ObjKey) -> Result<(), ApiError> {
    Ok(())
}
