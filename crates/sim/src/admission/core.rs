//! Defaulting and validation of the simpler core and discovery kinds: Namespace, Node,
//! Endpoints, EndpointSlice, Event, ConfigMap, ServiceAccount.

use serde_json::Value;

use super::{Ctx, Op};
use crate::error::ApiError;
use crate::kinds::Kind;

pub fn admit(
    _ctx: &mut Ctx<'_>,
    _kind: Kind,
    _op: Op<'_>,
    _obj: &mut Value,
) -> Result<(), ApiError> {
    Ok(())
}
