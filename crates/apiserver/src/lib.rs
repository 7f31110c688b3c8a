//! `kubedrill-apiserver`: the Kubernetes REST API over `kubedrill-sim`, served by axum —
//! discovery, CRUD, list/watch, Table printing, patch content types, `Status` errors, TLS and
//! token auth, the kubeconfig. It translates HTTP into `Sim` calls and holds no cluster logic.
//!
//! Module map:
//! - `table/`    — server-side printing: `meta.k8s.io/v1` Tables for every kind (pure).
//! - `protobuf`  — decoding `application/vnd.kubernetes.protobuf` request bodies to JSON (pure).
//! - `openapi`   — `/openapi/v2`-free `/openapi/v3` documents generated from k8s-openapi (pure).
//! - `router`    — the axum `Router` of a cluster: auth, body limits, routes, audit.
//! - `path`      — URL shapes → `Route`; `discovery` — `/version`, `/api*`, `/apis*`.
//! - `rest`, `patch`, `delete`, `subresource`, `watch` — the verbs; `request` — query and body decoding;
//!   `fields` — unknown fields and `fieldValidation`;
//!   `status` — `metav1.Status` errors; `stream` — exec and attach over WebSocket.
//! - `nodeports` — each node's NodePorts listened on at a loopback address (opt-in).
//! - `portforward/` — `pods/{name}/portforward`: SPDY/3.1 in WebSocket to the sim's sockets.
//! - `cluster`   — a served `Sim` (mutex, change signal, audit log, ticker); `server` — TLS
//!   listeners for several clusters; `tls`, `kubeconfig`; `clock` — the wall clock.

#![forbid(unsafe_code)]

pub mod audit;
pub mod clock;
pub mod cluster;
mod delete;
pub mod discovery;
pub mod fields;
pub mod kubeconfig;
pub mod nodeports;
pub mod openapi;
mod patch;
pub mod path;
pub mod portforward;
pub mod protobuf;
pub mod request;
mod rest;
pub mod router;
pub mod server;
pub mod status;
pub mod stream;
mod subresource;
pub mod table;
pub mod tls;
mod watch;

pub use audit::AuditEntry;
pub use clock::{OffsetClock, WallClock};
pub use cluster::Cluster;
pub use router::router;
pub use server::{ServeError, Served, Server};
