//! ObjectMeta validation common to every kind: the name rule of each kind (DNS-1123 subdomain,
//! DNS-1123 label for namespaces, DNS-1035 label for Services), labels, annotations, and the
//! immutability of name and namespace.

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
