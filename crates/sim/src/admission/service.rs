//! Service defaulting, ClusterIP/NodePort allocation and validation, on create and update
//! (SERVICES-SPEC §0.5, §A–C).

use serde_json::Value;

use super::{Ctx, Op};
use crate::error::ApiError;

pub fn admit(_ctx: &mut Ctx<'_>, _op: Op<'_>, _obj: &mut Value) -> Result<(), ApiError> {
    Ok(())
}

/// Release the ClusterIPs and NodePorts of a deleted Service.
pub fn release(_ctx: &mut Ctx<'_>, _obj: &Value) {}
