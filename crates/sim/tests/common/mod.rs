//! Builders shared by the integration tests: a default cluster with manifests applied, and
//! shortcuts to the error text a failing write gives.
#![allow(dead_code)]

use std::sync::Arc;

use kubedrill_sim::{ManualClock, Sim, yaml};
use serde_json::Value;

/// The default cluster (3 nodes, seed 1, clock at 2026-01-01) with `manifests` applied in order.
pub fn sim_with(manifests: &[&str]) -> (Sim, ManualClock) {
    let (mut sim, clock) = Sim::default_with_clock().expect("bootstrap");
    for m in manifests {
        sim.apply_yaml(m)
            .unwrap_or_else(|e| panic!("applying manifest failed: {e}\n{m}"));
    }
    (sim, clock)
}

/// Create the single object of `manifest`, returning it.
pub fn create(sim: &mut Sim, manifest: &str) -> Arc<Value> {
    let mut docs = yaml::parse_documents(manifest).expect("yaml");
    assert_eq!(docs.len(), 1, "create() takes one document");
    sim.create(docs.remove(0))
        .unwrap_or_else(|e| panic!("create failed: {e}"))
}

/// Create the single object of `manifest`, expecting a refusal; returns the API error's message.
pub fn create_err(sim: &mut Sim, manifest: &str) -> String {
    let mut docs = yaml::parse_documents(manifest).expect("yaml");
    match sim.create(docs.remove(0)) {
        Ok(o) => panic!("expected an error, got {o}"),
        Err(e) => e.to_string(),
    }
}
