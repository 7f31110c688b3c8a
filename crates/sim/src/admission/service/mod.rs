//! Service admission: defaulting, ClusterIP/NodePort allocation and validation, on create and
//! update, in the API server's order (SERVICES-SPEC §0.5, §A–C):
//!
//! create: decode → v1 defaults → `normalizeClusterIPs` → allocation (families, ClusterIPs,
//! NodePorts; each failure alone) → `PrepareForCreate` → `ValidateService`.
//! update: decode → v1 defaults → `patchAllocatedValues` → `normalizeClusterIPs` → allocation
//! changes → `PrepareForUpdate` (`dropTypeDependentFields`) → `ValidateServiceUpdate`.
//!
//! A refused write gives back what it allocated; an accepted update frees what the old object
//! held and the new one no longer does. `release` frees a deleted Service's allocations.

mod allocate;
mod defaults;
mod ips;
mod spec;
mod validate;

use serde_json::{Value, json};

use super::{Ctx, Op};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;

pub fn admit(ctx: &mut Ctx<'_>, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    match op {
        Op::Create => create(ctx, obj),
        Op::Update { old } => update(ctx, old, obj),
        // The status strategy keeps the spec; the write pipeline already copied it.
        Op::UpdateStatus { .. } => Ok(()),
    }
}

fn store_spec(obj: &mut Value, s: &mut spec::Spec) {
    if !s.needs_cluster_ip() {
        // `defaultOnReadInternalTrafficPolicy` drops it on every read; the store is what every
        // read returns, so drop it here, after validation saw it.
        s.internal_traffic_policy = None;
    }
    if let Some(m) = obj.as_object_mut() {
        m.insert("spec".into(), spec::encode(s));
    }
}

fn create(ctx: &mut Ctx<'_>, obj: &mut Value) -> Result<(), ApiError> {
    let mut s = spec::decode(obj)?;
    let name = meta::name(obj).to_string();
    defaults::set_defaults(&mut s);
    defaults::normalize_cluster_ips(&mut s, None);
    let txn = allocate::allocate_create(ctx, &mut s, &name)?;
    // PrepareForCreate: a client cannot create a Service with a status.
    if let Some(m) = obj.as_object_mut() {
        m.insert("status".into(), json!({"loadBalancer": {}}));
    }
    let errs = validate::validate_service(&name, meta::annotations(obj), &s);
    if !errs.is_empty() {
        txn.revert(ctx);
        return Err(ApiError::invalid(Kind::Service, name, errs));
    }
    txn.commit(ctx);
    store_spec(obj, &mut s);
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, old_obj: &Value, obj: &mut Value) -> Result<(), ApiError> {
    let old = spec::decode(old_obj)?;
    let mut s = spec::decode(obj)?;
    let name = meta::name(obj).to_string();
    defaults::set_defaults(&mut s);
    defaults::patch_allocated_values(&mut s, &old);
    defaults::normalize_cluster_ips(&mut s, Some(&old));
    let txn = allocate::allocate_update(ctx, &mut s, &old, &name)?;
    defaults::drop_type_dependent_fields(&mut s, &old);
    if s.type_ != "LoadBalancer"
        && let Some(m) = obj.as_object_mut()
        && let Some(Value::Object(st)) = m.get_mut("status")
    {
        // An LB status no longer applies once the type changed away (strategy.go).
        st.insert("loadBalancer".into(), json!({}));
    }
    let errs = validate::validate_update(&name, meta::annotations(obj), &s, &old);
    if !errs.is_empty() {
        txn.revert(ctx);
        return Err(ApiError::invalid(Kind::Service, name, errs));
    }
    txn.commit(ctx);
    store_spec(obj, &mut s);
    Ok(())
}

/// Release the ClusterIPs and NodePorts of a deleted Service (or one whose create failed after
/// admission, e.g. AlreadyExists).
pub fn release(ctx: &mut Ctx<'_>, obj: &Value) {
    if let Ok(s) = spec::decode(obj) {
        allocate::release_all(ctx, &s);
    }
}
