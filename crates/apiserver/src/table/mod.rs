//! Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns
//! and cell texts of upstream `pkg/printers/internalversion/printers.go` for every kind the sim
//! stores (KUBECTL-CONTRACT §6).
//!
//! The API server always prints with `Wide: true`, so every row carries the priority-1 cells
//! too; kubectl hides those columns unless `-o wide`. Cells are what kubectl prints verbatim.
//!
//! Submodules: `duration` (ages), `format` (selectors, lists with "+ N more..."),
//! `descriptions` (column help), and one printer file per API area.

mod apps;
mod cluster;
mod descriptions;
mod duration;
mod format;
mod networking;
mod pod;
mod service;

use jiff::Timestamp;
use kubedrill_sim::Kind;
use serde_json::{Map, Value};

pub use duration::human_duration;

/// What the request asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// `includeObject`: what each row's `object` field carries. Wide columns (priority 1) are
    /// always included, as the real API server does; kubectl hides them unless `-o wide`.
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
    let (columns, print) = printer(kind);
    let defs = columns.iter().map(|c| c.to_json()).collect();
    let rows = items
        .iter()
        .map(|obj| {
            let mut row = Map::with_capacity(3);
            row.insert("cells".into(), Value::Array(print(obj, now)));
            if kind == Kind::Pod
                && let Some(c) = pod::row_conditions(obj)
            {
                row.insert("conditions".into(), c);
            }
            if let Some(o) = row_object(obj, opts.include_object) {
                row.insert("object".into(), o);
            }
            Value::Object(row)
        })
        .collect();
    let mut t = Map::with_capacity(5);
    t.insert("kind".into(), Value::from("Table"));
    t.insert("apiVersion".into(), Value::from("meta.k8s.io/v1"));
    t.insert("metadata".into(), Value::Object(Map::new()));
    t.insert("columnDefinitions".into(), Value::Array(defs));
    t.insert("rows".into(), Value::Array(rows));
    Value::Object(t)
}

/// The printer of a kind: its column definitions and the function making one row's cells.
type Print = fn(&Value, Timestamp) -> Vec<Value>;

fn printer(kind: Kind) -> (&'static [Column], Print) {
    match kind {
        Kind::Pod => (pod::COLUMNS, pod::cells),
        Kind::Service => (service::SERVICE_COLUMNS, service::service_cells),
        Kind::Endpoints => (service::ENDPOINTS_COLUMNS, service::endpoints_cells),
        Kind::EndpointSlice => (service::SLICE_COLUMNS, service::slice_cells),
        Kind::Deployment => (apps::DEPLOYMENT_COLUMNS, apps::deployment_cells),
        Kind::ReplicaSet => (apps::REPLICASET_COLUMNS, apps::replicaset_cells),
        Kind::StatefulSet => (apps::STATEFULSET_COLUMNS, apps::statefulset_cells),
        Kind::Ingress => (networking::INGRESS_COLUMNS, networking::ingress_cells),
        Kind::IngressClass => (
            networking::INGRESS_CLASS_COLUMNS,
            networking::ingress_class_cells,
        ),
        Kind::NetworkPolicy => (networking::POLICY_COLUMNS, networking::policy_cells),
        Kind::Namespace => (cluster::NAMESPACE_COLUMNS, cluster::namespace_cells),
        Kind::Node => (cluster::NODE_COLUMNS, cluster::node_cells),
        Kind::Event => (cluster::EVENT_COLUMNS, cluster::event_cells),
        Kind::ConfigMap => (cluster::CONFIGMAP_COLUMNS, cluster::configmap_cells),
        Kind::ServiceAccount => (
            cluster::SERVICE_ACCOUNT_COLUMNS,
            cluster::service_account_cells,
        ),
    }
}

/// `row.object`: what `asTable` in the apiserver's `handlers/response.go` puts there.
fn row_object(obj: &Value, include: IncludeObject) -> Option<Value> {
    match include {
        IncludeObject::None => None,
        IncludeObject::Object => Some(obj.clone()),
        IncludeObject::Metadata => {
            let mut m = Map::with_capacity(3);
            m.insert("kind".into(), Value::from("PartialObjectMetadata"));
            m.insert("apiVersion".into(), Value::from("meta.k8s.io/v1"));
            let md = match obj.get("metadata") {
                Some(md @ Value::Object(_)) => md.clone(),
                _ => Value::Object(Map::new()),
            };
            m.insert("metadata".into(), md);
            Some(Value::Object(m))
        }
    }
}

/// One `TableColumnDefinition`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    name: &'static str,
    ty: &'static str,
    format: &'static str,
    description: &'static str,
    priority: u8,
}

impl Column {
    const fn string(name: &'static str, description: &'static str) -> Column {
        Column {
            name,
            ty: "string",
            format: "",
            description,
            priority: 0,
        }
    }

    const fn integer(name: &'static str, description: &'static str) -> Column {
        Column {
            ty: "integer",
            ..Column::string(name, description)
        }
    }

    /// Shown only with `-o wide`.
    const fn wide(self) -> Column {
        Column {
            priority: 1,
            ..self
        }
    }

    /// The `Name` column every printer but Event's opens with.
    const NAME: Column = Column {
        format: "name",
        ..Column::string("Name", descriptions::OBJECT_META_NAME)
    };

    const AGE: Column = Column::string("Age", descriptions::OBJECT_META_CREATION_TIMESTAMP);

    fn to_json(self) -> Value {
        let mut m = Map::with_capacity(5);
        m.insert("name".into(), Value::from(self.name));
        m.insert("type".into(), Value::from(self.ty));
        m.insert("format".into(), Value::from(self.format));
        m.insert("description".into(), Value::from(self.description));
        m.insert("priority".into(), Value::from(self.priority));
        Value::Object(m)
    }
}

/// A string field, `""` when absent or not a string (as a Go zero value prints).
fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or("")
}

/// An integer field, 0 when absent.
fn int(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_i64().unwrap_or(0)
}

/// The object's name.
fn name(v: &Value) -> Value {
    Value::from(text(v, &["metadata", "name"]))
}

/// The `Age` cell: time since `metadata.creationTimestamp`.
fn age(v: &Value, now: Timestamp) -> Value {
    Value::from(duration::since(&v["metadata"]["creationTimestamp"], now))
}

/// An array field's items (empty when absent).
fn items<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_array().map_or(&[], Vec::as_slice)
}
