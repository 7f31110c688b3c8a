//! Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns
//! and cell texts of upstream `pkg/printers/internalversion/printers.go` for every kind the sim
//! stores (KUBECTL-CONTRACT §6).

mod printers;

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
/// Services, Pods and Deployments have upstream's printers; the other kinds, until theirs land,
/// get what upstream's `DefaultTableConvertor` gives a resource without printers: `Name` and
/// `Created At`.
pub fn table(kind: Kind, items: &[&Value], opts: &TableOptions, now: Timestamp) -> Value {
    type Cells = fn(&Value, Timestamp) -> Vec<Value>;
    let (columns, cells): (Vec<Value>, Cells) = match kind {
        Kind::Service => (printers::service_columns(), printers::service_cells),
        Kind::Pod => (printers::pod_columns(), printers::pod_cells),
        Kind::Deployment => (printers::deployment_columns(), printers::deployment_cells),
        _ => (default_columns(), |o, _| {
            vec![
                o["metadata"]["name"].clone(),
                o["metadata"]["creationTimestamp"].clone(),
            ]
        }),
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|obj| {
            let meta = &obj["metadata"];
            let mut row = json!({"cells": cells(obj, now)});
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
        "columnDefinitions": columns,
        "rows": rows,
    })
}

fn default_columns() -> Vec<Value> {
    vec![
        printers::col(
            "Name",
            "string",
            "name",
            "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
            0,
        ),
        printers::col(
            "Created At",
            "date",
            "",
            "CreationTimestamp is a timestamp representing the server time when this object was created.",
            0,
        ),
    ]
}
