//! `kubedrill-sim`: a simulated Kubernetes cluster that lives in process — object store,
//! admission with the real API server's messages, patch semantics, and controllers settled to
//! a fixed point after every write.
//!
//! Pure and synchronous: no I/O, no threads, no clock reads (a [`Clock`] is passed in), no
//! HTTP or kube client. The same seed and the same requests give the same objects.

#![forbid(unsafe_code)]

pub mod admission;
pub mod alloc;
mod bootstrap;
pub mod clock;
pub mod config;
pub mod controllers;
pub mod error;
pub mod images;
pub mod kinds;
pub mod logs;
pub mod meta;
pub mod net;
pub mod patch;
pub mod rand;
pub mod selector;
mod sim;
pub mod store;
mod write;
pub mod yaml;

pub use clock::{Clock, ManualClock};
pub use config::{ClusterConfig, NodeConfig};
pub use error::{ApiError, FieldError, FieldErrorType};
pub use kinds::Kind;
pub use patch::PatchType;
pub use sim::{DeleteOptions, ListOptions, ObjectList, Propagation, Sim, Subresource};
pub use store::{EventType, ObjKey, WatchEvent};
pub use write::kind_of;
