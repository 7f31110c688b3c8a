//! networking.k8s.io/v1 admission: NetworkPolicy (SERVICES-SPEC §G rules 67, 75) in
//! `networkpolicy.rs`, Ingress and IngressClass (§H rules 77, 82) in `ingress.rs`.
//!
//! Each kind is decoded first (wrong JSON types are a BadRequest, as the API server's decoder
//! gives), then defaulted, then validated with `pkg/apis/networking/validation/validation.go`'s
//! texts, metadata and spec errors reported together.

// The two halves live beside this file (`admission/networkpolicy.rs`, `admission/ingress.rs`)
// so that the shared `admission/mod.rs` needs no edit.
#[path = "ingress.rs"]
mod ingress;
#[path = "networkpolicy.rs"]
mod networkpolicy;

use serde_json::Value;

use super::{Ctx, Op};
use crate::error::ApiError;
use crate::kinds::Kind;

pub fn admit(ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    match kind {
        Kind::NetworkPolicy => networkpolicy::admit(op, obj),
        Kind::Ingress => ingress::admit_ingress(ctx, op, obj),
        Kind::IngressClass => ingress::admit_ingress_class(op, obj),
        _ => Ok(()),
    }
}
