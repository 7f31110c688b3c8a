//! Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns
//! and cell texts of upstream `pkg/printers/internalversion/printers.go` for every kind the sim
//! stores (KUBECTL-CONTRACT §6).

use jiff::Timestamp;
use kubedrill_sim::Kind;
use serde_json::Value;

/// What the request asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// `-o wide`: kubectl sends `includeObject=Object` either way; wide columns are those with
    /// priority 1, which the server always includes (kubectl hides them unless `-o wide`).
    /// Kept for callers that want to drop them.
    pub include_object: IncludeObject,
}

/// `includeObject` query parameter: what each row's `object` field carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    /// Only metadata (`PartialObjectMetadata`) — the default.
    #[default]
    Metadata,
    Object,
}

/// A `meta.k8s.io/v1` Table of `items` of `kind`, ages relative to `now`. The caller adds
/// `metadata.resourceVersion` / `continue`.
pub fn table(kind: Kind, items: &[&Value], opts: &TableOptions, now: Timestamp) -> Value {
    let _ = (kind, items, opts, now);
    unimplemented_table()
}

fn unimplemented_table() -> Value {
    // First cut: replaced by the printers.
    serde_json::json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}, "columnDefinitions": [], "rows": []})
}
