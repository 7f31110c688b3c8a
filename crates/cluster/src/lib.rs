//! `kubedrill-cluster`: one backend over kube-rs for drills, whichever cluster is behind it —
//! the simulated one in process (`kube::Client` over the API server's router, no socket) or a
//! real one from a kubeconfig context. It seeds objects, applies patches and deletions, takes
//! snapshots, and runs probe pods (short-lived pods whose command tests connectivity), so every
//! seed and every check runs the same code on both.
//!
//! Must not: know about scenarios, packs or the TUI (the binary maps those onto these calls).
//!
//! Modules: `kinds` (which API resource a kind is), `backend` (the client and object verbs),
//! `probe` (probe pods), `safety` (what kubedrill may touch on a real cluster), `time` (letting an in-process cluster's pending work happen now).

#![forbid(unsafe_code)]

mod backend;
pub mod capabilities;
mod error;
pub mod kinds;
pub mod probe;
pub mod safety;
pub mod time;

pub use backend::{Backend, PatchKind, USER_AGENT};
pub use error::ClusterError;
pub use probe::{ProbePod, ProbeRun};
pub use time::TimeControl;
