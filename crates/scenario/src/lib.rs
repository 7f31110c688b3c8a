//! `kubedrill-scenario`: scenario packs — the format instructors write, its loader (errors with
//! file:line:column), seeded variables and templating, and the grader: a pure function from a
//! snapshot of cluster objects and probe results to per-check verdicts with explanations.
//!
//! It talks to no cluster and depends on no other project crate: `kubedrill-cluster` seeds the
//! objects, runs the probes this crate plans, and hands back what it saw.

#![forbid(unsafe_code)]

pub mod check;
pub mod diagnosis;
pub mod grade;
pub mod load;
pub mod model;
pub mod probe;
pub mod snapshot;
pub mod vars;

pub use check::{Check, CheckKind, Expect, Vantage};
pub use diagnosis::{ObservedRequest, steps_done};
pub use grade::{CheckResult, Report, grade};
pub use load::{LoadError, Pack, load_pack, load_pack_from_texts};
pub use model::{Difficulty, PackMeta, Scenario};
pub use probe::{ProbeOutcome, ProbeResults, ProbeSpec, plan_probes};
pub use snapshot::Snapshot;
pub use vars::{ClusterFacts, Instance, instantiate};
