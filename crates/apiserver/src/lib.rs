//! `kubedrill-apiserver`: the Kubernetes REST API over `kubedrill-sim`, served by axum —
//! discovery, CRUD, list/watch, Table printing, patch content types, `Status` errors, TLS and
//! token auth, the kubeconfig. It translates HTTP into `Sim` calls and holds no cluster logic.
//!
//! Module map:
//! - `table/`    — server-side printing: `meta.k8s.io/v1` Tables for every kind (pure).
//! - `protobuf`  — decoding `application/vnd.kubernetes.protobuf` request bodies to JSON (pure).
//! - `openapi`   — `/openapi/v2`-free `/openapi/v3` documents generated from k8s-openapi (pure).
//! - the rest    — router, handlers, discovery, watch, TLS, kubeconfig, audit log.

#![forbid(unsafe_code)]

pub mod openapi;
pub mod protobuf;
pub mod table;
