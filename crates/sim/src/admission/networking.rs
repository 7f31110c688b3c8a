//! networking.k8s.io/v1 NetworkPolicy, Ingress and IngressClass defaulting and validation
//! (SERVICES-SPEC §G rule 67, 75; §H rules 77, 82).

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
