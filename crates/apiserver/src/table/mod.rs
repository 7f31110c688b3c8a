//! Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns
//! and cell texts of upstream `pkg/printers/internalversion/printers.go` for every kind the sim
//! stores (KUBECTL-CONTRACT §6).

use jiff::Timestamp;
use kubedrill_sim::Kind;
use serde_json::{Value, json};

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
///
/// Until the per-kind printers of `printers.go` land, every kind gets what upstream's
/// `DefaultTableConvertor` gives a resource without printers: `Name` and `Created At`.
pub fn table(kind: Kind, items: &[&Value], opts: &TableOptions, now: Timestamp) -> Value {
    let _ = (kind, now);
    let rows: Vec<Value> = items
        .iter()
        .map(|obj| {
            let meta = &obj["metadata"];
            let mut row =
                json!({"cells": [meta["name"].clone(), meta["creationTimestamp"].clone()]});
            match opts.include_object {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": meta.clone(),
                    });
                }
                IncludeObject::Object => row["object"] = (*obj).clone(),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0},
            {"name": "Created At", "type": "date", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0}
        ],
        "rows": rows,
    })
}
