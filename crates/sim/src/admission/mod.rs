//! Admission: defaulting, allocation and validation of every write, per kind, with the real API
//! server's ordering (allocation before validation, SERVICES-SPEC §0.5) and message texts.
//!
//! `admit` is the one entry point the write pipeline calls; `release` gives back what admission
//! allocated (ClusterIPs, NodePorts) when an object goes away or its create fails later.

pub mod validation;

mod apps;
mod apps_strategy;
mod apps_validation;
mod core;
mod decode;
mod decode_schema;
mod networking;
mod objectmeta;
mod pod;
mod pod_update;
mod podspec;
mod podspec_fields;
mod podspec_validation;
mod probe;
mod quantity;
mod service;

use jiff::Timestamp;
use serde_json::Value;

use crate::alloc::Allocators;
use crate::config::ClusterConfig;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::rand::Rng;
use crate::store::Store;

/// What admission may read and allocate.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub alloc: &'a mut Allocators,
    pub rng: &'a mut Rng,
    pub config: &'a ClusterConfig,
    pub now: Timestamp,
}

/// The operation being admitted.
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    Create,
    /// A write of the main resource; `old` is the stored object.
    Update {
        old: &'a Value,
    },
    /// A write of the `/status` subresource (only status differs from `old`).
    UpdateStatus {
        old: &'a Value,
    },
}

/// Default, allocate and validate `obj` in place, or refuse it with the API's error.
pub fn admit(ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    objectmeta::admit(ctx, kind, op, obj)?;
    match kind {
        Kind::Service => service::admit(ctx, op, obj),
        Kind::Pod => pod::admit(ctx, op, obj),
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => apps::admit(ctx, kind, op, obj),
        Kind::NetworkPolicy | Kind::Ingress | Kind::IngressClass => {
            networking::admit(ctx, kind, op, obj)
        }
        Kind::Namespace
        | Kind::Node
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::ServiceAccount => core::admit(ctx, kind, op, obj),
    }
}

/// Give back what admission allocated for an object that is gone.
pub fn release(ctx: &mut Ctx<'_>, kind: Kind, obj: &Value) {
    if kind == Kind::Service {
        service::release(ctx, obj);
    }
}
